"""ecocluster: the Renault Korea × Busan clean-car partnership as a cited open dataset.

Nothing heavy is imported here, so `import ecocluster` and `ecocluster --help` stay instant:
the public functions below are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .base.paths import shipped_package
from .base.version import VERSION as __version__
from .errors import EcoclusterError

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "Package": "ecocluster.package",
    "format_package": "ecocluster.curation.fmt",
    "canonical_csv": "ecocluster.curation.fmt",
    "diff_packages": "ecocluster.curation.diff",
    "load": "ecocluster.loading",
    "date_bounds": "ecocluster.base.dates",
    "earliest_day": "ecocluster.base.dates",
    "latest_day": "ecocluster.base.dates",
    "build": "ecocluster.release",
    "export": "ecocluster.release",
    "check_docs": "ecocluster.curation.docgen",
    "describe": "ecocluster.tables.summary",
    "generate_docs": "ecocluster.curation.docgen",
    "validate": "ecocluster.validation",
    "Report": "ecocluster.validation",
}

__all__ = ["EcoclusterError", "__version__", "shipped_package", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ecocluster' has no attribute {name!r}")
