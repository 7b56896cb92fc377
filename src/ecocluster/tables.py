"""STAND-IN for issue 12's `ecocluster.tables` (the one reader). Naive; replaced by the lead's at merge.

Only the names of INTERFACE-TABLES.md: `Tables`, `read_tables`, `date_bounds_columns`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .dates import date_bounds
from .package import Package, Resource

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Tables:
    package: Package
    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]

    def __contains__(self, name: str) -> bool:
        return name in self.frames


def _dtype(f):
    import polars as pl

    if f.type == "string" and f.enum is not None:
        return pl.Enum(list(f.enum))
    return {"integer": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean}.get(f.type, pl.String)


def read_tables(package: Package) -> Tables:
    import polars as pl

    frames: dict[str, pl.DataFrame] = {}
    for res in package.resources:
        raw = pl.read_csv(package.csv_path(res), infer_schema=False)
        cols = []
        for f in res.fields:
            col = pl.col(f.name) if f.name in raw.columns else pl.lit(None, pl.String).alias(f.name)
            col = pl.when(col == "").then(None).otherwise(col)
            if f.type == "boolean":
                col = col.str.to_lowercase().is_in(["true", "1", "yes"])
            cols.append(col.cast(_dtype(f)).alias(f.name))
        frames[res.name] = raw.select(cols) if len(raw.columns) else pl.DataFrame()
    return Tables(package=package, frames=frames)


def date_bounds_columns(frame: pl.DataFrame, res: Resource) -> pl.DataFrame:
    import polars as pl

    out = []
    for name in frame.columns:
        out.append(pl.col(name))
        if name in res.field_names and res.field(name).is_date:
            for i, suffix in ((0, "earliest"), (1, "latest")):
                out.append(pl.col(name).map_elements(_bound(i), return_dtype=pl.Date).alias(f"{name}_{suffix}"))
    return frame.select(out)


def _bound(i: int):
    return lambda value: date_bounds(value)[i]
