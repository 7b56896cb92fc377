"""Rules across rows and tables, as joins and anti-joins over the tables read once.

A rule runs only when every table and column it needs was read; a missing file or column is
reported once by the reader rather than as a flood of broken references here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from ..base.dates import earliest_day_expr, latest_day_expr
from ..datamodel import CITATIONS, PROVENANCE, SOURCES
from ..package import ForeignKey, Package, Resource
from ..tables.reader import ENGINE, LINE, Table
from . import expressions as ex
from .collect import Collector
from .graph import cycles
from .standards import language_problem

UNCITED = PROVENANCE
# Columns the rules below read besides keys and references (which every table keeps for them).
USED_COLUMNS = {
    SOURCES: {"language"},
    CITATIONS: {"field", "quote_kind", "quote_en"},
    "org_relations": {"kind", "share_percent", "end_date"},
    "agreements": {"date"},
    "roles": {"start_date", "end_date"},
}


# share_percent as a decimal of 12 places (26 before the point: far beyond the 0-100 range)
SHARE = pl.Decimal(38, 12)


def needed_columns(pkg: Package, res: Resource) -> set[str]:

    """What cross-table rules read of a table: keys, references and the columns they name."""
    refs = {f.name for f in res.fields if f.id_prefixes} | {f for fk in res.foreign_keys for f in fk.fields}
    # columns other tables' composite keys point at
    targets = {f for r in pkg.resources for fk in r.foreign_keys if fk.resource == res.name
               for f in fk.reference_fields}
    return set(res.primary_key) | refs | targets | {"id"} | USED_COLUMNS.get(res.name, set())


def _h(column: str, alias: str = "__h") -> pl.Expr:
    """IDs are joined by their 64-bit hash: 3x faster than joining strings. Repeats found this way are
    confirmed on the strings; a collision could only hide a broken reference, with odds of about
    rows x ids / 2**64 (under 1e-5 for ten million of each)."""
    return pl.col(column).hash().alias(alias)


def deferred_patterns(pkg: Package) -> dict[str, set[str]]:
    """Reference fields whose pattern is checked here, on the few rows that need it, not per table.

    A reference that resolves to a valid ID of a table its pattern allows matches that pattern
    (the ID patterns are `^<prefix>-…$`, the reference's `^(<prefixes>)-…$`), so only the rows that
    resolve nowhere or to an ID failing its own pattern can fail: a regular expression over
    millions of references becomes one over a handful, with the same errors reported.
    """
    by_prefix = {r.id_prefix: r for r in pkg.resources if r.id_prefix}
    out: dict[str, set[str]] = {}
    for res in pkg.resources:
        fks = {fk.field: fk for fk in res.foreign_keys if not fk.composite}
        for f in res.fields:
            if not f.id_prefixes or (f.name,) == res.primary_key:
                continue
            if f.name in fks:
                target = by_prefix.get(f.id_prefixes[0]) if len(f.id_prefixes) == 1 else None
                fk = fks[f.name]
                ok = target is not None and fk.resource == target.name and fk.reference_field == "id"
            else:
                ok = all(p in by_prefix for p in f.id_prefixes)
            if ok:
                out.setdefault(res.name, set()).add(f.name)
    return out


def _check_deferred_pattern(res: Resource, field: str, rows: pl.DataFrame, out: Collector) -> None:
    """The pattern check of a deferred reference field, on the rows that may fail it."""
    if rows.height == 0:  # the usual case: every reference resolved to a valid ID
        return
    pattern = res.field(field).pattern or ""
    bad = rows.filter(~ex.matches(pl.col(field), pattern))
    out.add(
        "pattern-mismatch",
        res.name,
        field,
        bad.select(pl.col(LINE).alias("line"), pl.col(field).alias("value"), pl.lit(pattern).alias("detail")),
    )


def _suspects(refs: pl.DataFrame, lost: pl.DataFrame, field: str, bad_ids: list[str]) -> pl.DataFrame:
    """Rows of a reference that resolve nowhere, or to an ID that fails its own pattern."""
    if not bad_ids:
        return lost.select(field, LINE)
    to_bad = refs.filter(pl.col(field).is_in(bad_ids))
    return pl.concat([lost.select(field, LINE), to_bad.select(field, LINE)])


def _id_tables(pkg: Package) -> list[str]:
    return [r.name for r in pkg.resources if r.id_prefix]


class Registry:
    """Every `id` of the package, gathered once: (id, __o = table's position, LINE), and the repeated ones."""

    def __init__(self, pkg: Package, tables: dict[str, Table]):
        self.names = _id_tables(pkg)
        self.readable = {n for n in self.names if (t := tables.get(n)) is not None and t.has("id")}
        frames = {
            n: tables[n].frame.select(pl.col("id"), _h("id"), pl.lit(i, pl.Int32).alias("__o"), pl.col(LINE))
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
                _check_deferred_pattern(res, fk.field, src.frame, out)
            continue
        refs = (
            src.frame.lazy().filter(pl.col(fk.field).is_not_null()).select(fk.field, LINE, _h(fk.field))
        )
        targets = dst.frame.lazy().filter(pl.col(fk.reference_field).is_not_null()).select(_h(fk.reference_field))
        queries.append((res, fk, src, dst, later, refs.join(targets, on="__h", how="anti")))
    # every anti-join in one call, so polars runs them side by side
    found = pl.collect_all([q[-1] for q in queries], engine=ENGINE) if queries else []
    for (res, fk, src, dst, later, _), bad in zip(queries, found, strict=True):
        if later:
            rows = _suspects(src.frame.select(fk.field, LINE), bad, fk.field, dst.bad_ids)
            _check_deferred_pattern(res, fk.field, rows, out)
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
    by_prefix = {r.id_prefix: r.name for r in pkg.resources if r.id_prefix}
    for res, f, targets in _polymorphic(pkg):
        src = tables.get(res.name)
        if src is None or not src.has(f.name):
            continue
        later = f.name in deferred.get(res.name, set())
        if not targets or not set(targets) <= reg.readable:  # a pattern naming no table resolves nothing
            if later:  # the reference cannot be resolved, so check its pattern on every row
                _check_deferred_pattern(res, f.name, src.frame, out)
            continue
        order = [reg.names.index(t) for t in targets]
        pool = pl.concat([reg.hashes[t] for t in targets]).lazy()
        refs = src.frame.lazy().filter(pl.col(f.name).is_not_null()).select(f.name, LINE, _h(f.name))
        lost = refs.join(pool, on="__h", how="anti").collect(engine=ENGINE)
        if later:
            bad_ids = [i for t in targets for i in tables[t].bad_ids]
            _check_deferred_pattern(res, f.name, _suspects(src.frame, lost, f.name, bad_ids), out)
        where = ", ".join(targets)
        out.add(
            "reference-unresolved",
            res.name,
            f.name,
            lost.select(
                pl.col(LINE).alias("line"), pl.col(f.name).alias("value"), pl.lit(where).alias("detail")
            ),
        )
        # several rows among the allowed tables carry this id
        many = (
            reg.ids.filter(pl.col("__o").is_in(order))
            .join(reg.repeated.select("id"), on="id")
            .group_by("id")
            .len()
            .filter(pl.col("len") > 1)
            if reg.repeated.height
            else None
        )
        if many is not None and many.height:
            amb = refs.collect(engine=ENGINE).join(many, left_on=f.name, right_on="id")
            out.add(
                "reference-ambiguous",
                res.name,
                f.name,
                amb.select(
                    pl.col(LINE).alias("line"),
                    pl.col(f.name).alias("value"),
                    pl.col("len").cast(pl.String).alias("detail"),
                ),
            )
        if res.name == CITATIONS and src.has("field"):
            # an ID's prefix names its table (the ID patterns guarantee it), so the check needs no join:
            # per table, a literal prefix test and a lookup in its short list of columns
            prefix = {t: pkg.resource(t).id_prefix for t in targets}
            valid = {t: ["*", *pkg.resource(t).field_names] for t in targets}
            ref = pl.col(f.name)
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
                res.name,
                "field",
                bad.select(
                    pl.col(LINE).alias("line"), pl.col("field").alias("value"), pl.col("__t").alias("detail")
                ),
            )


def check_citations_cover(pkg: Package, tables: dict[str, Table], reg: Registry, out: Collector) -> None:
    cits = tables.get(CITATIONS)
    if cits is None or not cits.has("record_id"):
        return
    facts = [reg.names.index(n) for n in reg.names if n not in UNCITED]
    cited = cits.frame.lazy().filter(pl.col("record_id").is_not_null()).select(_h("record_id"))
    bad = reg.ids.lazy().filter(pl.col("__o").is_in(facts)).join(cited, on="__h", how="anti").collect(engine=ENGINE)
    for (o,), group in bad.group_by(["__o"]):
        out.add(
            "row-not-cited",
            reg.names[int(o)],
            "id",
            group.select(pl.col(LINE).alias("line"), pl.col("id").alias("value")),
        )


def _report_cycles(
    out: Collector, resource: str, field: str, frame: pl.DataFrame, src: str, dst: str, code: str
) -> None:
    """Report every row whose edge (src -> dst) lies on a cycle."""
    edges = frame.select(pl.col(src), pl.col(dst)).filter(
        pl.col(dst).is_not_null() & pl.col(src).is_not_null()
    )
    found = cycles(edges, src, dst)
    if found.height:
        bad = frame.join(found, on=[src, dst])
        out.add(
            code,
            resource,
            field,
            bad.select(
                pl.col(LINE).alias("line"), pl.col(field).alias("value"), pl.col("__cycle").alias("detail")
            ),
        )


def check_org_relations(tables: dict[str, Table], out: Collector) -> None:
    t = tables.get("org_relations")
    if t is None or not t.has("subject_id", "object_id", "kind"):
        return
    df = t.frame
    same = df.filter(pl.col("subject_id") == pl.col("object_id"))
    out.add(
        "self-relation",
        "org_relations",
        "object_id",
        same.select(pl.col(LINE).alias("line"), pl.col("object_id").alias("value")),
    )
    subs = df.filter((pl.col("kind") == "subsidiary-of") & (pl.col("subject_id") != pl.col("object_id")))
    _report_cycles(out, "org_relations", "object_id", subs, "subject_id", "object_id", "subsidiary-cycle")
    if t.has("share_percent"):
        current = pl.col("end_date").is_null() if t.has("end_date") else pl.lit(True)
        shares = (
            df.filter((pl.col("kind") == "shareholder-of") & current)
            # exact decimals: as floats, 82.79 + 8.06 + 9.15 is 100.00000000000001
            .with_columns(pl.col("share_percent").cast(SHARE, strict=False).fill_null(0).alias("__p"))
            .sort(LINE)
            .with_columns(pl.col("__p").cum_sum().over("object_id").alias("__sum"))
        )
        over = shares.filter((pl.col("__sum") > 100) & (pl.col("__sum") - pl.col("__p") <= 100))
        out.add(
            "share-total-exceeded",
            "org_relations",
            "share_percent",
            over.select(
                pl.col(LINE).alias("line"),
                pl.col("share_percent").alias("value"),
                pl.format(
                    "`{}` to {}%",
                    pl.col("object_id"),
                    pl.col("__sum").cast(pl.String).str.replace(r"\.?0+$", ""),
                ).alias("detail"),
            ),
        )


def check_self_references(pkg: Package, tables: dict[str, Table], out: Collector, only: str) -> None:
    """Cycles through the foreign keys of table `only` to itself (and agreements following later ones)."""
    res = pkg.resource(only)
    t = tables.get(res.name)
    for fk in res.foreign_keys:
        if fk.resource != res.name or t is None or not t.has(fk.field, fk.reference_field):
            continue
        _report_cycles(out, res.name, fk.field, t.frame, fk.reference_field, fk.field, "reference-cycle")
        if fk.field == "follows_id" and t.has("date"):
            dates = t.frame.select(
                pl.col(fk.reference_field).alias(fk.field), pl.col("date").alias("__d")
            )
            rows = t.frame.select(LINE, fk.field, "date").join(dates, on=fk.field)
            bad = rows.filter(earliest_day_expr(pl.col("__d")) > latest_day_expr(pl.col("date")))
            out.add(
                "follows-not-earlier",
                res.name,
                fk.field,
                bad.select(
                    pl.col(LINE).alias("line"),
                    pl.col(fk.field).alias("value"),
                    pl.format("{}, after this agreement's {}", pl.col("__d"), pl.col("date")).alias(
                        "detail"
                    ),
                ),
            )


def check_signatories(tables: dict[str, Table], out: Collector) -> None:
    parties, roles, agreements = (
        tables.get("agreement_parties"),
        tables.get("roles"),
        tables.get("agreements"),
    )
    if (
        parties is None
        or roles is None
        or not parties.has("org_id", "signatory_person_id")
        or not roles.has("person_id", "org_id")
    ):
        return
    signed = parties.frame.filter(pl.col("signatory_person_id").is_not_null())
    if agreements is not None and agreements.has("id", "date") and parties.has("agreement_id"):
        signed = signed.join(
            agreements.frame.select(pl.col("id").alias("agreement_id"), pl.col("date").alias("__d")),
            on="agreement_id",
            how="left",
        )
    else:
        signed = signed.with_columns(pl.lit(None, pl.String).alias("__d"))
    cols = [
        pl.col("person_id").alias("signatory_person_id"),
        pl.col("org_id"),
        *(
            pl.col(c).alias(f"__{c}") if roles.has(c) else pl.lit(None, pl.String).alias(f"__{c}")
            for c in ("start_date", "end_date")
        ),
    ]
    held = signed.select(LINE, "signatory_person_id", "org_id", "__d").join(
        roles.frame.select(cols), on=["signatory_person_id", "org_id"], how="inner"
    )
    d = pl.col("__d")
    starts_after = earliest_day_expr(pl.col("__start_date")) > latest_day_expr(d)
    ended_before = latest_day_expr(pl.col("__end_date")) < earliest_day_expr(d)
    covering = (
        held.filter(~(starts_after.fill_null(False) | ended_before.fill_null(False))).select(LINE).unique()
    )
    bad = signed.join(covering, on=LINE, how="anti").sort(LINE)
    out.add(
        "signatory-no-role",
        "agreement_parties",
        "signatory_person_id",
        bad.select(
            pl.col(LINE).alias("line"),
            pl.col("signatory_person_id").alias("value"),
            pl.when(d.is_null())
            .then(pl.col("org_id"))
            .otherwise(pl.format("{}` on `{}", pl.col("org_id"), d))
            .alias("detail"),
        ),
    )


def check_translations(tables: dict[str, Table], out: Collector) -> None:
    """`quote_en` where a quote is not in English, and only there. A `verbatim` quote is in its source's
    language; a `dossier-summary` is the research file's English. An unrecorded language decides nothing."""
    cits, srcs = tables.get(CITATIONS), tables.get(SOURCES)
    if (cits is None or srcs is None or not cits.has("source_id", "quote_kind", "quote_en")
            or not srcs.has("id", "language")):
        return
    # a tag refused as `language-invalid` decides nothing either (a handful of distinct tags, looked up once)
    refused = [t for t in srcs.frame.get_column("language").drop_nulls().unique().to_list() if language_problem(t)]
    lang = srcs.frame.select(pl.col("id").alias("source_id"), pl.when(pl.col("language").is_in(refused))
                             .then(None).otherwise(pl.col("language")).alias("__lang"))
    rows = (cits.frame.lazy().select(LINE, "source_id", "quote_kind", "quote_en")
            .filter(pl.col("quote_kind").is_in(["verbatim", "dossier-summary"]))
            .join(lang.lazy(), on="source_id", how="left")
            .collect(engine=ENGINE))
    verbatim = pl.col("quote_kind") == "verbatim"
    english = pl.col("__lang").str.extract(r"^([A-Za-z]+)").str.to_lowercase() == "en"
    source = pl.format("a verbatim quote from `{}` (language `{}`)", pl.col("source_id"), pl.col("__lang"))
    missing = rows.filter(verbatim & ~english & pl.col("quote_en").is_null())
    out.add("translation-missing", CITATIONS, "quote_en",
            missing.select(pl.col(LINE).alias("line"), source.alias("detail")))
    needless = rows.filter((~verbatim | english.fill_null(False)) & pl.col("quote_en").is_not_null())
    out.add("translation-not-needed", CITATIONS, "quote_en", needless.select(
        pl.col(LINE).alias("line"), pl.col("quote_en").alias("value"),
        pl.when(verbatim).then(source).otherwise(pl.lit("a `dossier-summary` (the research file's English)"))
        .alias("detail")))


@dataclass(frozen=True)
class Job:
    """A rule across a few tables, run as soon as the tables it `needs` are read and checked, beside
    the reading of the others (missing tables count as read: the rule then skips itself)."""

    needs: frozenset[str]
    run: Callable[[dict[str, Table], Collector], None]


def _self_references(pkg: Package, name: str, tables: dict[str, Table], out: Collector) -> None:
    check_self_references(pkg, tables, out, name)


def _foreign_keys(
    pkg: Package, deferred: dict[str, set[str]], name: str, tables: dict[str, Table], out: Collector
) -> None:
    check_foreign_keys(pkg, tables, out, deferred, name)


def early_jobs(pkg: Package, deferred: dict[str, set[str]]) -> list[Job]:
    """The rules that need no Registry of every ID: declared foreign keys, self-references, the
    relations between organisations, the signatories' roles and the quotes' translations."""
    names = set(pkg.resource_names)
    jobs = [
        Job(frozenset({"org_relations"}) & names, check_org_relations),
        Job(frozenset({"agreement_parties", "roles", "agreements"}) & names, check_signatories),
        Job(frozenset({CITATIONS, SOURCES}) & names, check_translations),
    ]
    for res in pkg.resources:
        targets = frozenset(fk.resource for fk in res.foreign_keys) & names
        if res.name in targets:
            run = functools.partial(_self_references, pkg, res.name)
            jobs.append(Job(frozenset({res.name}), run))
        if res.foreign_keys:
            run = functools.partial(_foreign_keys, pkg, deferred, res.name)
            jobs.append(Job(frozenset({res.name}) | targets, run))
    return jobs


def check_package(
    pkg: Package, tables: dict[str, Table], out: Collector, deferred: dict[str, set[str]] | None = None
) -> None:
    """The rules that need every table with IDs: repeated IDs, references to any table, citations."""
    deferred = deferred or {}
    # Two threads, so one runs its queries while the other is in Python between queries (polars
    # releases the GIL); the rules only add to `out`, which sorts at the end.
    reg = Registry(pkg, tables)
    with ThreadPoolExecutor(max_workers=1) as pool:
        side = pool.submit(check_citations_cover, pkg, tables, reg, out)
        check_ids(reg, out)
        check_references(pkg, tables, reg, out, deferred)
        side.result()
