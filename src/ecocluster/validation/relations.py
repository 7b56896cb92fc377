"""Relations the data model asks of its rows beyond references: dates in order within a row,
organisations' relations (no self-relation, no subsidiary cycle, current shares at most 100%),
self-references without cycles and agreements following earlier ones, signatories holding a role,
and quotes translated where needed.
"""

from __future__ import annotations

import polars as pl

from ..base.dates import earliest_day_expr, latest_day_expr
from ..datamodel import CITATIONS, SOURCES
from ..package import Package, Resource
from ..tables.reader import ENGINE, LINE, Table
from . import expressions as ex
from .collect import Collector
from .graph import cycles
from .masks import Check, lit
from .standards import language_problem

# Date pairs that must be in order within a row: (earlier, later).
DATE_ORDER = [("start_date", "end_date"), ("start_date", "target_date"), ("founded", "dissolved")]
# share_percent as a decimal of 12 places (26 before the point: far beyond the 0-100 range)
SHARE = pl.Decimal(38, 12)


def date_order_checks(res: Resource, columns: list[str]) -> list[Check]:
    """Dates of a row in order (`date-order`): a range does not end before it starts, compared by the
    widest span of reduced-precision dates. Within one row, so found in the table's own pass."""
    checks = []
    for early, late in DATE_ORDER:
        if early in columns and late in columns and res.field(early).is_date and res.field(late).is_date:
            exact = earliest_day_expr(pl.col(early)) > latest_day_expr(pl.col(late))
            checks.append(
                Check(
                    "date-order",
                    late,
                    pl.col(early).is_not_null() & pl.col(late).is_not_null()
                    & ex.may_end_before(pl.col(early), pl.col(late)),
                    pl.col(late),
                    # not pl.format: after a filter it can panic in polars 2.1 (on an empty morsel)
                    pl.concat_str([lit(f"{early} `"), pl.col(early), lit("`")]),
                    confirm=(exact,),
                )
            )
    return checks


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
    """Relations between organisations: none relates to itself, subsidiaries form no cycle, and the
    current shares of one organisation add up to at most 100%."""
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
        _check_share_totals(t, out)


def _check_share_totals(t: Table, out: Collector) -> None:
    """The row where the running total of an organisation's current shares passes 100%
    (`share-total-exceeded`), added in file order as exact decimals."""
    df = t.frame
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
    """A signatory holds a role in the party's organisation, and on the agreement's date when both are
    dated (`signatory-no-role`): a role whose dates could cover that day counts."""
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
    signed = _signed(parties, agreements)
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


def _signed(parties: Table, agreements: Table | None) -> pl.DataFrame:
    """The parties with a signatory, each with its agreement's date as `__d` (null if unknown)."""
    signed = parties.frame.filter(pl.col("signatory_person_id").is_not_null())
    if agreements is not None and agreements.has("id", "date") and parties.has("agreement_id"):
        return signed.join(
            agreements.frame.select(pl.col("id").alias("agreement_id"), pl.col("date").alias("__d")),
            on="agreement_id",
            how="left",
        )
    return signed.with_columns(pl.lit(None, pl.String).alias("__d"))


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
