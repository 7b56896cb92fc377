"""Export formats. Each format is one small module with the same shape:

    NAME: str              the `--to` value
    DESCRIPTION: str       one line for `--help` and the docs
    def export(package: Package, out_dir: Path) -> list[Path]
        write this format's files into `out_dir` (each atomically, via ecocluster.io),
        return the paths written; raise EcoclusterError if it cannot.

Modules are imported only when used, so listing formats stays cheap.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# `--to` value -> module. Order is the order `all` runs them in.
FORMATS: dict[str, str] = {
    "ftm": "ecocluster.exports.ftm",
    "popolo": "ecocluster.exports.popolo",
}


def format_module(name: str) -> ModuleType:
    return importlib.import_module(FORMATS[name])
