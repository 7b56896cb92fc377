"""ecocluster: the Renault Korea × Busan clean-car partnership as a cited open dataset.

Nothing heavy is imported here, so `import ecocluster` and `ecocluster --help` stay instant:
the public functions below are loaded on first use.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .errors import EcoclusterError
from .paths import shipped_package

try:
    __version__ = version("ecocluster")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "Package": "ecocluster.package",
    "validate": "ecocluster.validation",
    "Report": "ecocluster.validation",
}

__all__ = ["EcoclusterError", "__version__", "shipped_package", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ecocluster' has no attribute {name!r}")
