"""Checks within one table, derived from its Table Schema: one polars expression per (rule, field).

All masks of a table are computed in one parallel pass; only failing rows are then gathered.
"""

from __future__ import annotations

import functools
import operator
import unicodedata
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import polars as pl

from ..base.dates import earliest_day_expr, latest_day_expr
from ..package import DATE_PATTERN, Field, Resource
from ..tables.reader import _TRUNCATED, ENGINE, LINE, Table
from . import expressions as ex
from .collect import Collector
from .standards import CONTROL_REGEX, INVISIBLE_REGEX, language_problem

# Date pairs that must be in order within a row: (earlier, later).
DATE_ORDER = [("start_date", "end_date"), ("start_date", "target_date"), ("founded", "dissolved")]
_BOOL = {"true", "True", "TRUE", "1", "false", "False", "FALSE", "0"}


@dataclass
class Check:
    code: str
    field: str | None
    mask: pl.Expr  # true where the row fails
    value: pl.Expr
    detail: pl.Expr | None = None
    # exact but costly tests, each run only on the rows that `mask` and the tests before it select
    confirm: tuple[pl.Expr, ...] = ()
    # the detail looks at the whole table (where a repeated key first appears), not only the row
    whole: bool = False
    # a cheaper test, true if any row may fail (one boolean for the column, or one per row, true on
    # every row any mask behind it selects), maybe shared by several checks: where it is false
    # throughout, their masks are never computed
    gate: pl.Expr | None = None
    # the detail made in Python from each failing value (only failing rows reach it)
    describe: Callable[[str], str] | None = None


def first_hidden(value: str) -> str:
    """The first control or invisible character of `value`, named: `U+202E RIGHT-TO-LEFT OVERRIDE`."""
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n":
            try:
                return f"U+{ord(ch):04X} {unicodedata.name(ch)}"
            except ValueError:  # C0 and C1 controls have no name in the database
                return f"U+{ord(ch):04X}"
    return "?"


def _hidden_checks(name: str, fails: pl.Expr, gate: pl.Expr | None) -> list[Check]:
    """Control and invisible characters in a value that fails its field's constraint (and so is reported
    under that constraint's code too): why `org-renault\u200b` is not `org-renault`. Without a cheaper
    gate, whether any value fails at all is one: clean columns then run neither scan (an enum column of
    half a million rows spends 30 ms on each)."""
    c = pl.col(name)
    gate = fails.any() if gate is None else gate
    return [
        Check(code, name, fails & c.str.contains(regex), c, gate=gate, describe=first_hidden)
        for code, regex in (("text-control-character", CONTROL_REGEX), ("text-invisible", INVISIBLE_REGEX))
    ]


def _pattern_gate(c: pl.Expr, pattern: str) -> pl.Expr | None:
    """Whether some value may not match `pattern`, tested on the whole column at once where exact."""
    return ~ex.all_match(c, pattern) if ex.line_safe(pattern) else None


def _lit(text: str) -> pl.Expr:
    return pl.lit(text)  # a str literal is a String already (asking for the dtype costs a cast per call)


def _duplicate(code: str, cols: list[str]) -> Check:
    """Rows repeating the key of an earlier row. Counting distinct key hashes is the cheap test
    (several times faster than marking repeats): only if there are fewer than rows, whether from a
    repeat or a hash collision, does the exact test run, and it finds every repeat."""
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


def _date_out_of_range(c: pl.Expr) -> pl.Expr:
    """Outside 1000 to 9999-12-30 (see the rule `date-out-of-range`), as string comparisons: a date of
    DATE_PATTERN's form sorts as its year, and its latest day is 9999-12-31 exactly when it is `9999`,
    `9999-12` or `9999-12-31`."""
    return c.str.contains(DATE_PATTERN) & ((c < "1000") | c.is_in(["9999", "9999-12", "9999-12-31"]))


def _field_checks(
    res: Resource, f: Field, deferred: AbstractSet[str], languages: Mapping[str, dict[str, str]]
) -> list[Check]:
    c = pl.col(f.name)
    present = c.is_not_null()
    checks = []
    required = f.required or f.name in res.primary_key
    if required:
        checks.append(Check("required-missing", f.name, c.is_null() & ~pl.col(_TRUNCATED), c))
    if f.type in ("number", "integer"):
        dtype = pl.Float64 if f.type == "number" else pl.Int64
        num = c.cast(dtype, strict=False)
        checks.append(Check("type-invalid", f.name, present & num.is_null(), c, _lit(f.type)))
        if f.minimum is not None:
            checks.append(
                Check("out-of-range", f.name, num < f.minimum, c, _lit(f"below the minimum {f.minimum}"))
            )
        if f.maximum is not None:
            checks.append(
                Check("out-of-range", f.name, num > f.maximum, c, _lit(f"above the maximum {f.maximum}"))
            )
    elif f.type == "boolean":
        checks.append(Check("type-invalid", f.name, present & ~c.is_in(sorted(_BOOL)), c, _lit("boolean")))
    elif f.type == "date":  # Table Schema's default date format: YYYY-MM-DD, a real day
        real = c.str.contains("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & c.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        checks.append(Check("type-invalid", f.name, present & ~real.fill_null(False), c, _lit("date")))
    elif f.type == "year":
        checks.append(Check("type-invalid", f.name, present & ~c.str.contains("^[0-9]{4}$"), c, _lit("year")))
    if f.min_length is not None:
        checks.append(Check("length-invalid", f.name, present & (c.str.len_chars() < f.min_length), c,
                            _lit(f"shorter than the minimum length {f.min_length}")))
    if f.max_length is not None:
        checks.append(Check("length-invalid", f.name, present & (c.str.len_chars() > f.max_length), c,
                            _lit(f"longer than the maximum length {f.max_length}")))
    if f.enum is not None:
        checks.append(
            Check("enum-invalid", f.name, present & ~c.is_in(list(f.enum)), c, _lit(", ".join(f.enum)))
        )
        if f.type == "string":
            checks += _hidden_checks(f.name, present & ~c.is_in(list(f.enum)), None)
    if f.is_date:
        bad_form = ~c.str.contains(f.pattern or "")
        detail = (
            pl.when(bad_form)
            .then(_lit("not YYYY, YYYY-MM or YYYY-MM-DD"))
            .otherwise(_lit("not a real calendar day"))
        )
        checks.append(
            Check(
                "date-invalid",
                f.name,
                present & ex.may_not_be_real_date(c),
                c,
                detail,
                confirm=(~ex.is_real_date(c),),
            )
        )
        checks.append(
            Check("date-out-of-range", f.name, present & _date_out_of_range(c), c,
                  _lit("outside the years 1000 to 9999-12-30"))
        )
    elif f.is_language:
        # checked per distinct value in Python (check_table found them): the registry is not a regex
        bad = languages.get(f.name, {})
        if bad:
            checks.append(
                Check(
                    "language-invalid",
                    f.name,
                    present & c.is_in(sorted(bad)),
                    c,
                    c.replace_strict(bad, default="", return_dtype=pl.String),
                )
            )
    elif f.is_country:
        checks.append(
            Check(
                "country-invalid",
                f.name,
                present & ~(ex.matches(c, f.pattern or "") & ex.is_assigned_country(c)),
                c,
            )
        )
    elif f.pattern is not None and f.name not in deferred:
        code = "id-invalid" if res.primary_key == (f.name,) and f.id_prefixes else "pattern-mismatch"
        gate = _pattern_gate(c, f.pattern)
        fails = present & ~ex.matches(c, f.pattern)
        checks.append(Check(code, f.name, fails, c, _lit(f.pattern), gate=gate))
        checks += _hidden_checks(f.name, fails, gate)
    if f.format == "uri":
        checks.append(Check("uri-invalid", f.name, present & ~ex.is_uri(c), c))
        checks.append(Check("uri-scheme-invalid", f.name, present & ex.is_uri(c) & ~ex.is_web_url(c), c))
    if f.unique and res.primary_key != (f.name,):
        checks.append(_duplicate("unique-duplicate", [f.name]))
    if f.type == "string" and f.pattern is None and f.enum is None:
        # free text: the data model's text conventions (constrained fields already refuse such values)
        gate = ex.any_may_break_text_rules(c)
        checks.append(Check("text-stray-space", f.name, ex.has_stray_space(c), c, gate=gate))
        checks += _hidden_checks(f.name, present, gate)
        checks.append(
            Check(
                "text-not-nfc",
                f.name,
                ex.may_not_be_nfc(c),
                c,
                confirm=(ex.is_not_nfc(c),),
                gate=gate,
            )
        )
        checks.append(
            Check(
                "formula-unsafe",
                f.name,
                ex.starts_like_formula(c),
                c,
                c.str.slice(0, 1),
                confirm=(ex.is_formula(c),),
                gate=gate,
            )
        )
    return checks


def table_checks(
    res: Resource,
    columns: list[str],
    deferred: AbstractSet[str] = frozenset(),
    languages: Mapping[str, dict[str, str]] | None = None,
) -> list[Check]:
    """The checks of one table; patterns of `deferred` fields are checked with their references.
    `languages` maps each language field to its refused values and why (`language_problems`)."""
    languages = languages or {}
    checks = [ch for f in res.fields if f.name in columns for ch in _field_checks(res, f, deferred, languages)]
    pk = list(res.primary_key)
    # a table with prefixed IDs has its repeated keys found with all other IDs (cross.Registry)
    if pk and all(k in columns for k in pk) and not res.id_prefix:
        checks.append(_duplicate("primary-key-duplicate", pk))
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
                    pl.concat_str([_lit(f"{early} `"), pl.col(early), _lit("`")]),
                    confirm=(exact,),
                )
            )
    return checks


def language_problems(frame: pl.DataFrame, res: Resource) -> dict[str, dict[str, str]]:
    """For each language field, its distinct refused values and why: a column is looked up once per
    distinct tag (a handful), never per row."""
    out: dict[str, dict[str, str]] = {}
    for f in res.fields:
        if f.is_language and f.name in frame.columns:
            values = frame.get_column(f.name).drop_nulls().unique().to_list()
            out[f.name] = {v: p for v in values if (p := language_problem(v)) is not None}
    return out


def check_table(table: Table, out: Collector, deferred: AbstractSet[str] = frozenset()) -> None:
    languages = language_problems(table.frame, table.resource)
    checks = table_checks(table.resource, table.frame.columns, deferred, languages)
    if not checks:
        return
    lazy = table.frame.lazy()
    # one parallel pass counts the failures of every check (of a gated check, the rows its gate
    # selects); rows are gathered only for those that fail
    gates = {id(ch.gate): ch.gate for ch in checks if ch.gate is not None}
    first = [ch.mask for ch in checks if ch.gate is None] + list(gates.values())
    sums = [m.fill_null(False).sum().alias(f"m{i}") for i, m in enumerate(first)]
    found = iter(lazy.select(sums).collect(engine=ENGINE).row(0))
    plain = {id(ch): next(found) for ch in checks if ch.gate is None}
    opened = {key for key, n in zip(gates, found, strict=True) if n}
    # checks behind a gate that let rows through are counted exactly in a second pass
    gated = [ch for ch in checks if ch.gate is not None and id(ch.gate) in opened]
    if gated:
        sums = [ch.mask.fill_null(False).sum().alias(f"m{i}") for i, ch in enumerate(gated)]
        plain.update(zip(map(id, gated), lazy.select(sums).collect(engine=ENGINE).row(0), strict=True))
    counts = [plain.get(id(ch), 0) for ch in checks]
    for ch, n in zip(checks, counts, strict=True):
        if not n:
            continue
        detail = (ch.detail if ch.detail is not None else pl.lit(None, pl.String)).cast(pl.String)
        # The mask is computed again in the query rather than attached as a column: a new column
        # would make polars copy the table into matching chunks. Only failing rows get a detail,
        # unless the detail needs the whole table.
        failing = lazy.with_columns(detail.alias("__detail")) if ch.whole else lazy
        failing = failing.filter(ch.mask.fill_null(False))
        if not ch.whole:
            failing = failing.with_columns(detail.alias("__detail"))
        rows = failing.with_columns(ch.value.cast(pl.String).alias("__value")).collect(engine=ENGINE)
        for test in ch.confirm:  # eagerly, one after another, so each costly test sees fewer rows
            rows = rows.filter(test)
        if ch.describe is not None:
            rows = rows.with_columns(
                pl.col("__value").map_elements(ch.describe, return_dtype=pl.String).alias("__detail")
            )
        failed = rows.select(
            pl.col(LINE).alias("line"), pl.col("__value").alias("value"), pl.col("__detail").alias("detail")
        )
        out.add(ch.code, table.resource.name, ch.field, failed)
        if ch.code == "id-invalid":
            table.bad_ids = failed.get_column("value").to_list()
