"""ecocluster: the Renault Korea × Busan clean-car partnership as a cited open dataset.

Nothing heavy is imported here, so `import ecocluster` and `ecocluster --help` stay instant.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import EcoclusterError
from .paths import shipped_package

try:
    __version__ = version("ecocluster")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["EcoclusterError", "__version__", "shipped_package"]
