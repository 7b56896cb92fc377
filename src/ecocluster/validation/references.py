"""References between tables: declared foreign keys, references to IDs of any of several tables
(`names.entity_id`, `citations.record_id`), and a citation for every fact.

A rule runs only when every table and column it needs was read; a missing file or column is
reported once by the reader rather than as a flood of broken references here.
"""

from __future__ import annotations

import polars as pl

from ..datamodel import CITATIONS, PROVENANCE
from ..package import ForeignKey, Package, Resource
from ..tables.reader import ENGINE, LINE, Table
from .checks import check_deferred_pattern
from .collect import Collector
from .keys import Registry, id_hash

UNCITED = PROVENANCE


def _suspects(refs: pl.DataFrame, lost: pl.DataFrame, field: str, bad_ids: list[str]) -> pl.DataFrame:
    """Rows of a reference that resolve nowhere, or to an ID that fails its own pattern."""
    if not bad_ids:
        return lost.select(field, LINE)
    to_bad = refs.filter(pl.col(field).is_in(bad_ids))
    return pl.concat([lost.select(field, LINE), to_bad.select(field, LINE)])


def check_foreign_keys(
    pkg: Package, tables: dict[str, Table], out: Collector, deferred: dict[str, set[str]], only: str
) -> None:
    """The declared foreign keys of table `only` (they need only it and the tables they name)."""
    queries = []
    res = pkg.resource(only)
    src = tables.get(res.name)
    for fk in res.foreign_keys:
        dst = tables.get(fk.resource)
        if fk.composite:
            _composite_key(res, fk, src, dst, out)
            continue
        if src is None or not src.has(fk.field):
            continue
        later = fk.field in deferred.get(res.name, set())
        if dst is None or not dst.has(fk.reference_field):
            if later:  # the reference cannot be resolved, so check its pattern on every row
                check_deferred_pattern(res, fk.field, src.frame, out)
            continue
        refs = (
            src.frame.lazy().filter(pl.col(fk.field).is_not_null()).select(fk.field, LINE, id_hash(fk.field))
        )
        targets = dst.frame.lazy().filter(pl.col(fk.reference_field).is_not_null()).select(id_hash(fk.reference_field))
        queries.append((res, fk, src, dst, later, refs.join(targets, on="__h", how="anti")))
    # every anti-join in one call, so polars runs them side by side
    found = pl.collect_all([q[-1] for q in queries], engine=ENGINE) if queries else []
    for (res, fk, src, dst, later, _), bad in zip(queries, found, strict=True):
        if later:
            rows = _suspects(src.frame.select(fk.field, LINE), bad, fk.field, dst.bad_ids)
            check_deferred_pattern(res, fk.field, rows, out)
        out.add(
            "foreign-key-missing",
            res.name,
            fk.field,
            bad.select(
                pl.col(LINE).alias("line"),
                pl.col(fk.field).alias("value"),
                pl.lit(fk.resource).alias("detail"),
            ),
        )


def _composite_key(res: Resource, fk: ForeignKey, src: Table | None, dst: Table | None, out: Collector) -> None:
    """A foreign key over several columns: a row whose values match no row of the target. As
    frictionless does, only a row whose key is empty in every column is not checked."""
    if src is None or dst is None or not src.has(*fk.fields) or not dst.has(*fk.reference_fields):
        return
    present = pl.any_horizontal([pl.col(f).is_not_null() for f in fk.fields])
    refs = src.frame.lazy().filter(present).select(*fk.fields, LINE)
    targets = dst.frame.lazy().select([pl.col(r).alias(f) for f, r in zip(fk.fields, fk.reference_fields,
                                                                           strict=True)]).unique()
    bad = refs.join(targets, on=list(fk.fields), how="anti").collect(engine=ENGINE)
    where = f"{fk.resource} ({', '.join(fk.reference_fields)})"
    out.add(
        "foreign-key-missing",
        res.name,
        fk.field,
        bad.select(
            pl.col(LINE).alias("line"),
            pl.concat_str([pl.col(f).fill_null("") for f in fk.fields], separator=" / ").alias("value"),
            pl.lit(where).alias("detail"),
        ),
    )


def _polymorphic(pkg: Package):
    """(resource, field, target tables) for each reference not declared as a foreign key."""
    by_prefix = {r.id_prefix: r.name for r in pkg.resources if r.id_prefix}
    for res in pkg.resources:
        fks = {f for fk in res.foreign_keys for f in fk.fields}
        for f in res.fields:
            if f.id_prefixes and (f.name,) != res.primary_key and f.name not in fks:
                yield res, f, [by_prefix[p] for p in f.id_prefixes if p in by_prefix]


def check_references(
    pkg: Package, tables: dict[str, Table], reg: Registry, out: Collector, deferred: dict[str, set[str]]
) -> None:
    """The references not declared as foreign keys (`names.entity_id`, `citations.record_id`): each
    names exactly one row of the tables its pattern allows, and a citation names a column of that row's
    table. A deferred reference's pattern is checked on the rows that resolve to no valid ID."""
    for res, f, targets in _polymorphic(pkg):
        src = tables.get(res.name)
        if src is None or not src.has(f.name):
            continue
        later = f.name in deferred.get(res.name, set())
        if not targets or not set(targets) <= reg.readable:  # a pattern naming no table resolves nothing
            if later:  # the reference cannot be resolved, so check its pattern on every row
                check_deferred_pattern(res, f.name, src.frame, out)
            continue
        refs = src.frame.lazy().filter(pl.col(f.name).is_not_null()).select(f.name, LINE, id_hash(f.name))
        pool = pl.concat([reg.hashes[t] for t in targets]).lazy()
        lost = refs.join(pool, on="__h", how="anti").collect(engine=ENGINE)
        if later:
            bad_ids = [i for t in targets for i in tables[t].bad_ids]
            check_deferred_pattern(res, f.name, _suspects(src.frame, lost, f.name, bad_ids), out)
        where = ", ".join(targets)
        out.add(
            "reference-unresolved",
            res.name,
            f.name,
            lost.select(
                pl.col(LINE).alias("line"), pl.col(f.name).alias("value"), pl.lit(where).alias("detail")
            ),
        )
        _check_ambiguous(res, f.name, targets, refs, reg, out)
        if res.name == CITATIONS and src.has("field"):
            _check_citation_fields(pkg, src, f.name, targets, lost, out)


def _check_ambiguous(
    res: Resource, field: str, targets: list[str], refs: pl.LazyFrame, reg: Registry, out: Collector
) -> None:
    """References to an ID that several rows among the allowed tables carry (`reference-ambiguous`)."""
    if not reg.repeated.height:
        return
    order = [reg.names.index(t) for t in targets]
    many = (
        reg.ids.filter(pl.col("__o").is_in(order))
        .join(reg.repeated.select("id"), on="id")
        .group_by("id")
        .len()
        .filter(pl.col("len") > 1)
    )
    if not many.height:
        return
    amb = refs.collect(engine=ENGINE).join(many, left_on=field, right_on="id")
    out.add(
        "reference-ambiguous",
        res.name,
        field,
        amb.select(
            pl.col(LINE).alias("line"),
            pl.col(field).alias("value"),
            pl.col("len").cast(pl.String).alias("detail"),
        ),
    )


def _check_citation_fields(
    pkg: Package, src: Table, field: str, targets: list[str], lost: pl.DataFrame, out: Collector
) -> None:
    """A citation's `field` is `*` or a column of the table its reference resolves to
    (`citation-field-unknown`); a reference that resolves nowhere is reported as such alone."""
    by_prefix = {r.id_prefix: r.name for r in pkg.resources if r.id_prefix}
    # an ID's prefix names its table (the ID patterns guarantee it), so the check needs no join:
    # per table, a literal prefix test and a lookup in its short list of columns
    prefix = {t: pkg.resource(t).id_prefix for t in targets}
    valid = {t: ["*", *pkg.resource(t).field_names] for t in targets}
    ref = pl.col(field)
    wrong = pl.any_horizontal(
        [ref.str.starts_with(f"{prefix[t]}-") & ~pl.col("field").is_in(valid[t]) for t in targets]
    )
    table = (
        ref.str.extract(r"^([a-z0-9]+)-", 1)
        .replace_strict(by_prefix, default=None, return_dtype=pl.String)
    )
    # whole-row citations first, eagerly: polars would otherwise test every row for `wrong`
    cited = src.frame.filter(pl.col("field").is_not_null() & (pl.col("field") != "*"))
    unknown = cited.lazy().filter(wrong.fill_null(False)).with_columns(table.alias("__t"))
    bad = unknown.join(lost.lazy().select(LINE), on=LINE, how="anti").collect(engine=ENGINE)
    out.add(
        "citation-field-unknown",
        src.resource.name,
        "field",
        bad.select(
            pl.col(LINE).alias("line"), pl.col("field").alias("value"), pl.col("__t").alias("detail")
        ),
    )


def check_citations_cover(pkg: Package, tables: dict[str, Table], reg: Registry, out: Collector) -> None:
    """Every row of a table of facts (all but the sources and citations) has a citation (`row-not-cited`)."""
    cits = tables.get(CITATIONS)
    if cits is None or not cits.has("record_id"):
        return
    facts = [reg.names.index(n) for n in reg.names if n not in UNCITED]
    cited = cits.frame.lazy().filter(pl.col("record_id").is_not_null()).select(id_hash("record_id"))
    bad = reg.ids.lazy().filter(pl.col("__o").is_in(facts)).join(cited, on="__h", how="anti").collect(engine=ENGINE)
    for (o,), group in bad.group_by(["__o"]):
        out.add(
            "row-not-cited",
            reg.names[int(o)],
            "id",
            group.select(pl.col(LINE).alias("line"), pl.col("id").alias("value")),
        )

