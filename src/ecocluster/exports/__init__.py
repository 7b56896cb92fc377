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
import re
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import EcoclusterError

if TYPE_CHECKING:
    from ..package import Package

# `--to` value -> module. Order is the order `all` runs them in.
FORMATS: dict[str, str] = {
    "parquet": "ecocluster.exports.parquet",
    "sqlite": "ecocluster.exports.sqlite",
    "duckdb": "ecocluster.exports.duckdb",
    "sql": "ecocluster.exports.sql",
    "jsonl": "ecocluster.exports.jsonl",
    "xlsx": "ecocluster.exports.xlsx",
    "ftm": "ecocluster.exports.ftm",
    "popolo": "ecocluster.exports.popolo",
    "datasette": "ecocluster.exports.datasette",
    "site": "ecocluster.site",
}


class ExportError(EcoclusterError):
    """An export could not be written (a type it cannot map, a name clash, a broken key)."""


def format_module(name: str) -> ModuleType:
    if name not in FORMATS:
        raise ExportError(f"unknown export format `{name}`; the formats are: {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[name])


def base_name(package: Package) -> str:
    """The stem of single-file exports (`ecocluster.sqlite`): the package's name when it is a safe slug."""
    name = package.name
    return name if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) else "data"
