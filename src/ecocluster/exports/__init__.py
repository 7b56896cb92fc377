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
}


# format -> (the optional library its module imports, the extra that installs it). A format whose
# library is missing is unavailable, not broken: `pip install .` must work from wheels alone.
OPTIONAL: dict[str, tuple[str, str]] = {
    "ftm": ("followthemoney", "ftm"),
}


class ExportError(EcoclusterError):
    """An export could not be written (a type it cannot map, a name clash, a broken key)."""


class FormatUnavailable(ExportError):
    """A format needs an optional library that is not installed; `reason` says how to get it."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"the {name} export is unavailable: {reason}")
        self.name = name
        self.reason = reason


def format_module(name: str) -> ModuleType:
    """The module of format `name`; FormatUnavailable when its optional library is not installed."""
    if name not in FORMATS:
        raise ExportError(f"unknown export format `{name}`; the formats are: {', '.join(FORMATS)}")
    try:
        return importlib.import_module(FORMATS[name])
    except ModuleNotFoundError as e:
        library, extra = OPTIONAL.get(name, ("", ""))
        if library and (e.name or "").split(".")[0] == library:
            raise FormatUnavailable(name, f"install ecocluster[{extra}]") from None
        raise


def base_name(package: Package) -> str:
    """The stem of single-file exports (`ecocluster.sqlite`): the package's name when it is a safe slug."""
    name = package.name
    return name if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) else "data"
