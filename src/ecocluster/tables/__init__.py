"""The tables as every writer receives them: the frames the one reader made, typed by the Table Schemas.

    read (ecocluster.tables.reader) -> check (ecocluster.validation) -> type (here) -> export / load / site

`typed()` turns a frame of strings into the schema's types; `Tables` carries them with the package
they come from. `build` and `load()` get theirs from the validator (`loading.validated_tables`), so
what is exported is exactly what was checked; `read_tables` reads without validating (`export`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from ..base.dates import earliest_day_expr, latest_day_expr
from ..errors import ExportError, TableUnreadable
from ..package import Field, Package, Resource, limits
from ..rules import MISSHAPEN, UNREADABLE
from .reader import ENGINE, Problem, Problems, read_table

# What a boolean cell may hold: read as true or false here, anything else refused by the validator.
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
BOOLEAN_VALUES = TRUE_VALUES + FALSE_VALUES


def unreadable(problems: list[Problem]) -> TableUnreadable:
    """The error every command raises for a CSV it cannot read (missing, not UTF-8, not CSV, a header
    unlike its schema): the first problem, with where it is and how many more there are."""
    first = problems[0]
    where = ", ".join(x for x in (first.resource or "", f"line {first.line}" if first.line else "") if x)
    return TableUnreadable(f"{where}: {first.detail or first.code} [{first.code}]"
                           + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""),
                           code=first.code, resource=first.resource, row=first.line, problems=problems,
                           detail=first.detail or first.code)


@dataclass(frozen=True)
class Tables:
    """Every table of `package` as a typed polars frame: the schema's fields in order, nothing else."""

    package: Package
    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]

    def __contains__(self, name: object) -> bool:
        return name in self.frames

    def __iter__(self) -> Iterator[str]:
        return iter(self.frames)

    @property
    def rows(self) -> int:
        return sum(f.height for f in self.frames.values())


def dtype(f: Field) -> pl.DataType:
    """The polars type of a field. Reduced-precision dates stay strings (see `date_bounds_columns`)."""
    if f.enum is not None and f.type == "string":
        return pl.Enum(list(f.enum))
    return {"string": pl.String(), "integer": pl.Int64(), "number": pl.Float64(), "boolean": pl.Boolean(),
            "date": pl.Date(), "year": pl.Int64()}[f.type]


def _cast(f: Field) -> pl.Expr:
    c = pl.col(f.name)
    if f.enum is not None and f.type == "string":
        # only unvalidated data holds other values; they become missing, never an error
        return pl.when(c.is_in(list(f.enum))).then(c).cast(pl.Enum(list(f.enum)))
    if f.type in ("integer", "year"):
        return c.cast(pl.Int64, strict=False)
    if f.type == "number":
        return c.cast(pl.Float64, strict=False)
    if f.type == "boolean":
        return pl.when(c.is_in(TRUE_VALUES)).then(True).when(c.is_in(FALSE_VALUES)).then(False).cast(pl.Boolean)
    if f.type == "date":
        return c.str.to_date("%Y-%m-%d", strict=False)
    return c


def typed(frame: pl.DataFrame, res: Resource) -> pl.DataFrame:
    """The schema's fields of `frame` (strings, null for missing) in schema order, cast to their types."""
    return frame.select([_cast(f).alias(f.name) for f in res.fields])


def bound_names(f: Field) -> tuple[str, str]:
    """The two date columns every export puts beside a reduced-precision date field."""
    return limits.bound_names(f.name)


def date_bounds_columns(frame: pl.DataFrame, res: Resource) -> pl.DataFrame:
    """`frame` with, right after each reduced-precision date field, its earliest and latest day; an
    ExportError if a field already has one of those names (`field-name-unusable`)."""
    clash = next((f.name for f in res.fields if any(f.name in bound_names(d) for d in res.fields if d.is_date)), None)
    if clash is not None:
        raise ExportError(f"column `{clash}` of table `{res.name}` has the name of a column added beside a date "
                          "field (field-name-unusable)", hint="rename the field in the Table Schema and the CSV.")
    cols: list[pl.Expr] = []
    for f in res.fields:
        cols.append(pl.col(f.name))
        if f.is_date:
            early, late = bound_names(f)
            cols += [earliest_day_expr(pl.col(f.name)).alias(early), latest_day_expr(pl.col(f.name)).alias(late)]
    return frame.lazy().select(cols).collect(engine=ENGINE)  # lazy, so each date is parsed once


def bound_clashes(res: Resource) -> list[str]:
    """Bound column names that a table already uses for a field of its own (exports refuse them)."""
    names = set(res.field_names)
    return [n for f in res.fields if f.is_date for n in bound_names(f) if n in names]


def from_frames(package: Package, frames: dict[str, pl.DataFrame]) -> Tables:
    """Typed tables from the reader's frames of strings (as the validator holds them)."""
    return Tables(package, {r.name: typed(frames[r.name], r) for r in package.resources if r.name in frames})


def read_tables(package: Package) -> Tables:
    """Read and type every table without validating; raise TableUnreadable if a file cannot be read."""
    problems = Problems()
    frames = {}
    for res in package.resources:
        table = read_table(package, res, problems)
        if table is not None:
            frames[res.name] = table.frame
    # a lone CR stays a character of its cell (docs/validation.md, `line-end-invalid`); columns out of
    # the schema's order are refused too, as `validate` refuses them (`fmt` puts them back in order)
    fatal = [p for p in problems.items if p.code in UNREADABLE | MISSHAPEN or p.code == "header-order"]
    if fatal:
        raise unreadable(fatal)
    return from_frames(package, frames)
