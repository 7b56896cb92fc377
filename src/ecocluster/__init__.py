"""ecocluster: the Renault Korea × Busan clean-car partnership as a cited open dataset.

Nothing heavy is imported here, so `import ecocluster` and `ecocluster --help` stay instant:
the public functions below are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import EcoclusterError
from .paths import shipped_package

# Kept equal to pyproject.toml's version and the descriptor's by a test; a literal, because
# importlib.metadata costs more start-up time than the whole CLI should.
__version__ = "0.3.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "Package": "ecocluster.package",
    "format_package": "ecocluster.formatting",
    "canonical_csv": "ecocluster.formatting",
    "diff_packages": "ecocluster.diff",
    "load": "ecocluster.loading",
    "date_bounds": "ecocluster.dates",
    "earliest_day": "ecocluster.dates",
    "latest_day": "ecocluster.dates",
    "build": "ecocluster.release",
    "export": "ecocluster.release",
    "check_docs": "ecocluster.docgen",
    "describe": "ecocluster.summary",
    "generate_docs": "ecocluster.docgen",
    "validate": "ecocluster.validation",
    "Report": "ecocluster.validation",
}

__all__ = ["EcoclusterError", "__version__", "shipped_package", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ecocluster' has no attribute {name!r}")
