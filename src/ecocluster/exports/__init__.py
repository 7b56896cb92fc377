"""Export formats. Each format is one small module with the same shape:

    NAME: str              the `--to` value
    def export(tables: Tables, out_dir: Path) -> list[Path]
        write this format's files into `out_dir` (each atomically, via ecocluster.base.files) from the typed
        tables (`tables.package` has the descriptor); return the paths written; raise
        EcoclusterError if it cannot.

`build` leaves a format of BUILD_LIMITS out above that many rows in all, saying why in the manifest.

Modules are imported only when used, so listing formats stays cheap.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import ExportError, FormatUnavailable

if TYPE_CHECKING:
    from ..package import Package
    from ..tables import Tables  # noqa: F401  (named in the docstring's contract)

# `--to` value -> module. Order is the order `all` runs them in.
FORMATS: dict[str, str] = {
    "parquet": "ecocluster.exports.parquet",
    "sqlite": "ecocluster.exports.sql.sqlite",
    "duckdb": "ecocluster.exports.sql.duckdb",
    "sql": "ecocluster.exports.sql.portable",
    "pg": "ecocluster.exports.sql.pg",
    "jsonl": "ecocluster.exports.jsonl",
    "xlsx": "ecocluster.exports.xlsx",
    "ftm": "ecocluster.exports.interchange.ftm",
    "popolo": "ecocluster.exports.interchange.popolo",
    "datasette": "ecocluster.exports.datasette",
    "site": "ecocluster.exports.site",
}


# `--to` value -> one line for `--help` and the docs, kept here so listing the formats imports none of
# them (and needs no optional library).
DESCRIPTIONS: dict[str, str] = {
    "parquet": "a Parquet file per table, typed, with a descriptor",
    "sqlite": "a SQLite database with keys, checks, views and metadata",
    "duckdb": "a DuckDB database with the same keys, checks and views",
    "sql": "a SQL file that loads into PostgreSQL and SQLite",
    "pg": "a SQL file made for PostgreSQL: comments, date columns, real-date checks",
    "jsonl": "a JSON Lines file per table",
    "xlsx": "an Excel workbook: a sheet per table and a `columns` sheet",
    "ftm": "FollowTheMoney entities (entities.ftm.json) and sourced statements (statements.csv)",
    "popolo": "Popolo JSON (popolo.json): persons, organizations, memberships and posts with their sources",
    "datasette": "Datasette metadata (metadata.json) and a row-page template for the SQLite export",
    "site": "a static website: a page per entity and table, offline search, JSON-LD (folder site/)",
}


# `build` leaves these formats out above this many rows in all (`ecocluster export --to F` writes them
# at any size): FtM and Popolo are built row by row, for the small graphs they serve; openpyxl streams
# about 100,000 cells a second here, and a spreadsheet of more rows is better opened from the
# Parquet or SQLite files. Kept here, not in the modules, so checking them imports no library.
BUILD_LIMITS: dict[str, int] = {"xlsx": 100_000, "ftm": 100_000, "popolo": 100_000}

# format -> (the optional library its module imports, the extra that installs it). A format whose
# library is missing is unavailable, not broken: `pip install .` must work from wheels alone.
OPTIONAL: dict[str, tuple[str, str]] = {
    "ftm": ("followthemoney", "ftm"),
}
# what installing an extra takes, beyond pip, for the hint
EXTRA_NEEDS = {"ftm": "FollowTheMoney needs PyICU, built against libicu-dev"}


def build_skip(name: str, rows: int) -> str | None:
    """Why `build` leaves format `name` out of a package of `rows` rows, or None to write it."""
    limit = BUILD_LIMITS.get(name)
    if limit is not None and rows > limit:
        return (f"{rows:,} rows are more than the {limit:,} up to which `build` writes {name}; "
                f"`ecocluster export --to {name}` writes it anyway")
    library, extra = OPTIONAL.get(name, ("", ""))
    if library and importlib.util.find_spec(library) is None:  # found without importing it
        return f"install ecocluster[{extra}]"
    return None


def format_module(name: str) -> ModuleType:
    """The module of format `name`; FormatUnavailable when its optional library is not installed."""
    if name not in FORMATS:
        raise ExportError(f"unknown export format `{name}`; the formats are: {', '.join(FORMATS)}")
    try:
        return importlib.import_module(FORMATS[name])
    except ModuleNotFoundError as e:
        library, extra = OPTIONAL.get(name, ("", ""))
        if library and (e.name or "").split(".")[0] == library:
            raise FormatUnavailable(name, f"install ecocluster[{extra}]",
                                    f'pip install "ecocluster[{extra}]"'
                                    + (f" ({EXTRA_NEEDS[extra]})." if extra in EXTRA_NEEDS else ".")) from None
        raise


def base_name(package: Package) -> str:
    """The stem of single-file exports (`ecocluster.sqlite`): the package's name when it is a safe slug."""
    name = package.name
    return name if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) else "data"
