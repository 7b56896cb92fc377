"""Keys: values repeated where they must be unique. Within a table, a repeated key is a Check of the
table's own pass (`duplicate`: primary keys here, unique fields in checks.py); every ID of the package
is gathered once (Registry) to find IDs repeated within a table or across tables.

An ID is unique across the whole package, so a table with prefixed IDs has its repeated keys found
with every other ID rather than table by table.
"""

from __future__ import annotations

import functools
import operator

import polars as pl

from ..package import Package, Resource
from ..tables.reader import LINE, Table
from .collect import Collector
from .masks import Check


def id_hash(column: str, alias: str = "__h") -> pl.Expr:
    """IDs are joined by their 64-bit hash: 3x faster than joining strings. Repeats found this way are
    confirmed on the strings; a collision could only hide a broken reference, with odds of about
    rows x ids / 2**64 (under 1e-5 for ten million of each)."""
    return pl.col(column).hash().alias(alias)


def duplicate(code: str, cols: list[str]) -> Check:
    """Rows repeating the key (one or more columns) of an earlier row of the table. Counting distinct
    key hashes is the cheap test (several times faster than marking repeats): only if there are fewer
    than rows, whether from a repeat or a hash collision, does the exact test run, and it finds every
    repeat."""
    key = pl.col(cols[0]) if len(cols) == 1 else pl.struct(cols)
    complete = pl.all_horizontal([pl.col(c).is_not_null() for c in cols])
    hashes = [pl.col(c).hash(seed=i) for i, c in enumerate(cols)]
    combined = functools.reduce(operator.xor, hashes)
    first = pl.col(LINE).first().over(cols)
    value = pl.col(cols[0]) if len(cols) == 1 else pl.concat_str([pl.col(c) for c in cols], separator=" / ")
    return Check(
        code,
        cols[0],
        complete & (combined.n_unique() < pl.len()),
        value,
        pl.format("repeats line {}", first),
        confirm=(~key.is_first_distinct(),),
        whole=True,
    )


def primary_key_checks(res: Resource, columns: list[str]) -> list[Check]:
    """Rows repeating the primary key of an earlier row, found in the table's own pass; a table with
    prefixed IDs has its repeated keys found with every other ID instead (Registry, check_ids)."""
    pk = list(res.primary_key)
    if pk and all(k in columns for k in pk) and not res.id_prefix:
        return [duplicate("primary-key-duplicate", pk)]
    return []


def _id_tables(pkg: Package) -> list[str]:
    return [r.name for r in pkg.resources if r.id_prefix]


class Registry:
    """Every `id` of the package, gathered once: (id, __o = table's position, LINE), and the repeated ones."""

    def __init__(self, pkg: Package, tables: dict[str, Table]):
        self.names = _id_tables(pkg)
        self.readable = {n for n in self.names if (t := tables.get(n)) is not None and t.has("id")}
        frames = {
            n: tables[n].frame.select(pl.col("id"), id_hash("id"), pl.lit(i, pl.Int32).alias("__o"), pl.col(LINE))
            for i, n in enumerate(self.names)
            if n in self.readable
        }
        # empty IDs are reported per table; copying ten million rows to drop none is not free
        frames = {n: f.filter(pl.col("id").is_not_null()) if f.get_column("id").null_count() else f
                  for n, f in frames.items()}
        # each table's ID hashes, the targets of every reference to it
        self.hashes = {n: f.select("__h") for n, f in frames.items()}
        empty = pl.DataFrame(schema={"id": pl.String, "__h": pl.UInt64, "__o": pl.Int32, LINE: pl.Int64})
        self.ids = pl.concat(list(frames.values())) if frames else empty
        # the few ids that occur more than once (within or across tables), with their tables; counting
        # distinct hashes is five times faster than marking repeats, so repeats are looked for only
        # when the count says there are some
        some = self.ids.select(pl.col("__h").n_unique()).item() < self.ids.height
        self.repeated = (
            (self.ids if some else self.ids.clear())
            .filter(pl.col("__h").is_duplicated())
            .filter(pl.col("id").is_duplicated())
            .group_by("id")
            .agg(
                pl.col("__o").min().alias("__first"),
                pl.col("__o").n_unique().alias("__tables"),
                pl.col("__o").unique().alias("__in"),
                pl.len().alias("__n"),
            )
        )


def check_ids(reg: Registry, out: Collector) -> None:
    """Repeated IDs: within a table (primary-key-duplicate) and across tables."""
    if reg.repeated.height == 0:
        return
    rows = reg.ids.join(reg.repeated.select("id", "__first", "__tables"), on="id").with_columns(
        pl.col(LINE).min().over("id", "__o").alias("__line1")
    )
    names = dict(enumerate(reg.names))
    within = rows.filter(pl.col(LINE) != pl.col("__line1"))
    _add_by_table(out, "primary-key-duplicate", names, within, pl.format("repeats line {}", pl.col("__line1")))
    across = rows.filter((pl.col("__tables") > 1) & (pl.col("__o") != pl.col("__first")))
    first = pl.col("__first").replace_strict(names, return_dtype=pl.String)
    _add_by_table(out, "id-duplicate-across-tables", names, across, first)


def _add_by_table(out: Collector, code: str, names: dict[int, str], rows: pl.DataFrame, detail: pl.Expr) -> None:
    """Report repeated IDs under the table each row is in (`__o`)."""
    for (o,), group in rows.group_by(["__o"]):
        out.add(
            code,
            names[int(o)],
            "id",
            group.select(pl.col(LINE).alias("line"), pl.col("id").alias("value"), detail.alias("detail")),
        )

