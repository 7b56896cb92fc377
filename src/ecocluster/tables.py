"""STAND-IN for the lead's `ecocluster.tables` (issue 12); replaced by the real module at merge.

Only the names of INTERFACE-TABLES.md, implemented naively so the exporters on this branch can be
written against them: `Tables`, `read_tables`, `date_bounds_columns`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from .dates import date_bounds
from .package import Field, Package, Resource


@dataclass(frozen=True)
class Tables:
    package: Package
    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]

    def __contains__(self, name: object) -> bool:
        return name in self.frames


def _cast(f: Field) -> pl.Expr:
    c = pl.col(f.name)
    if f.enum is not None and f.type == "string":
        return pl.when(c.is_in(list(f.enum))).then(c).cast(pl.Enum(list(f.enum)))
    if f.type == "integer":
        return c.cast(pl.Int64, strict=False)
    if f.type == "number":
        return c.cast(pl.Float64, strict=False)
    if f.type == "boolean":
        return c.is_in(["true", "True", "TRUE", "1"]).cast(pl.Boolean)
    return c


def read_tables(package: Package) -> Tables:
    frames = {}
    for res in package.resources:
        raw = pl.read_csv(package.csv_path(res), infer_schema=False)
        raw = raw.with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in raw.columns)
        frames[res.name] = raw.select([_cast(f).alias(f.name) for f in res.fields])
    return Tables(package, frames)


def _earliest(value: str | None) -> date | None:
    try:
        return date_bounds(value)[0] if value is not None else None
    except ValueError:
        return None


def _latest(value: str | None) -> date | None:
    try:
        return date_bounds(value)[1] if value is not None else None
    except ValueError:
        return None


def date_bounds_columns(frame: pl.DataFrame, res: Resource) -> pl.DataFrame:
    cols: list[pl.Expr] = []
    for f in res.fields:
        cols.append(pl.col(f.name))
        if f.is_date:
            cols.append(pl.col(f.name).map_elements(_earliest, return_dtype=pl.Date).alias(f"{f.name}_earliest"))
            cols.append(pl.col(f.name).map_elements(_latest, return_dtype=pl.Date).alias(f"{f.name}_latest"))
    return frame.select(cols)
