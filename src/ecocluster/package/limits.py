"""The limits the export formats put on a package's names and cells, written down once.

`validate` checks them (`resource-name-unusable`, `field-name-unusable` in validation/descriptor.py,
`text-too-long` in validation/checks.py), so a package that validates is written by every format and
loaded by `load()`; `export`, which does not validate, refuses a format whose limit a package breaks
before it writes anything (`format_problem`), with the same words. docs/validation.md ("What the
export formats can hold") lists them:

- Excel: a sheet name is at most 31 characters, and `columns` is the sheet describing every column;
  a cell holds at most 32,767 characters.
- SQLite reserves every name starting with `sqlite_`; the SQL exports create the views VIEW_NAMES
  and the table `_metadata`.
- PostgreSQL cuts every name to 63 bytes, so two longer names could become one.
- Every format with typed dates (Parquet, the SQL exports, Excel, `load()`) adds two columns beside
  each reduced-precision date field, `<field>_earliest` and `<field>_latest`: no field may be named so.
"""

from __future__ import annotations

from typing import NamedTuple

from .model import Package, Resource

EXCEL_SHEET_CHARS = 31
EXCEL_CELL_CHARS = 32_767
EXCEL_COLUMNS_SHEET = "columns"
POSTGRES_NAME_BYTES = 63
SQLITE_RESERVED_PREFIX = "sqlite_"
# the views the SQL exports create (ecocluster.exports.sql.views.VIEWS; a test keeps the two equal)
VIEW_NAMES = ("agreement_signatories", "role_holders", "project_organisations", "cited_facts")
METADATA_TABLE = "_metadata"
BOUND_SUFFIXES = ("_earliest", "_latest")

SQL_FORMATS = frozenset({"sqlite", "duckdb", "sql", "pg", "datasette"})
TYPED_FORMATS = frozenset({"parquet", "sqlite", "duckdb", "sql", "pg", "xlsx", "datasette"})


class Problem(NamedTuple):
    code: str  # resource-name-unusable or field-name-unusable
    resource: str
    field: str | None
    detail: str  # why, for the message
    formats: frozenset[str]  # the `--to` formats it stops


def bound_names(field: str) -> tuple[str, str]:
    """The two date columns every typed format puts beside a reduced-precision date field."""
    return field + BOUND_SUFFIXES[0], field + BOUND_SUFFIXES[1]


def _resource_problems(res: Resource) -> list[Problem]:
    name, out = res.name, []
    if len(name) > EXCEL_SHEET_CHARS:
        out.append(Problem("resource-name-unusable", name, None,
                           f"is {len(name)} characters long; an Excel sheet name holds at most {EXCEL_SHEET_CHARS}",
                           frozenset({"xlsx"})))
    if name == EXCEL_COLUMNS_SHEET:
        out.append(Problem("resource-name-unusable", name, None,
                           "is the name of the workbook's sheet that describes every column", frozenset({"xlsx"})))
    if name.startswith(SQLITE_RESERVED_PREFIX):
        out.append(Problem("resource-name-unusable", name, None,
                           f"starts with `{SQLITE_RESERVED_PREFIX}`, which SQLite reserves for its own tables",
                           SQL_FORMATS))
    if name in VIEW_NAMES:
        out.append(Problem("resource-name-unusable", name, None,
                           "is the name of a view the SQL exports create", SQL_FORMATS))
    if len(name.encode("utf-8")) > POSTGRES_NAME_BYTES:
        out.append(Problem("resource-name-unusable", name, None,
                           f"is longer than the {POSTGRES_NAME_BYTES} bytes PostgreSQL keeps of a name",
                           frozenset({"pg", "sql"})))
    return out


def _field_problems(res: Resource) -> list[Problem]:
    out = []
    dates = {f.name for f in res.fields if f.is_date}
    for f in res.fields:
        bound_of = next((d for d in dates if f.name in bound_names(d)), None)
        if bound_of is not None:
            out.append(Problem("field-name-unusable", res.name, f.name,
                               f"is the name of the column every typed export and `load()` add beside the date "
                               f"field `{bound_of}`", TYPED_FORMATS | {"load"}))
        longest = max([f.name, *(bound_names(f.name) if f.name in dates else ())], key=lambda n: len(n.encode()))
        if len(longest.encode("utf-8")) > POSTGRES_NAME_BYTES:
            out.append(Problem("field-name-unusable", res.name, f.name,
                               f"makes the column `{longest}`, longer than the {POSTGRES_NAME_BYTES} bytes "
                               "PostgreSQL keeps of a name", frozenset({"pg", "sql"})))
    return out


def problems(package: Package) -> list[Problem]:
    """Every name of the package an export format cannot hold, in the package's order."""
    return [p for res in package.resources for p in (*_resource_problems(res), *_field_problems(res))]


def format_problem(package: Package, fmt: str) -> str | None:
    """Why format `fmt` (or "load") cannot hold the package's names, or None: the first problem, as a
    sentence that names the table (and column) and the code validate reports it with."""
    for p in problems(package):
        if fmt in p.formats:
            where = f"column `{p.field}` of table `{p.resource}`" if p.field else f"table name `{p.resource}`"
            return f"{where} {p.detail} ({p.code})"
    return None
