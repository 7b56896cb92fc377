"""Checks within one table, derived from its Table Schema: one polars expression per (rule, field).

Each kind of field has its function (numbers, booleans, dates, lengths, enums, reduced-precision
dates, languages, countries, other patterns, URIs, unique values, free text), chosen by `field_checks`
from two small tables (`_TYPES`, `_FORMS`). All masks of a table are computed in one parallel pass;
only failing rows are then gathered.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import polars as pl

from ..package import DATE_PATTERN, Field, Resource
from ..package.limits import EXCEL_CELL_CHARS
from ..tables import BOOLEAN_VALUES
from ..tables.reader import _TRUNCATED, ENGINE, LINE, Table
from . import expressions as ex
from .collect import Collector
from .keys import duplicate, primary_key_checks
from .masks import Check, lit
from .relations import date_order_checks
from .standards import CONTROL_REGEX, INVISIBLE_REGEX, language_problem


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


def _date_out_of_range(c: pl.Expr) -> pl.Expr:
    """Outside 1000 to 9999-12-30 (see the rule `date-out-of-range`), as string comparisons: a date of
    DATE_PATTERN's form sorts as its year, and its latest day is 9999-12-31 exactly when it is `9999`,
    `9999-12` or `9999-12-31`."""
    return c.str.contains(DATE_PATTERN) & ((c < "1000") | c.is_in(["9999", "9999-12", "9999-12-31"]))


@dataclass(frozen=True)
class _Column:
    """One field of a table, with what its checks need: the column, and of the run, the fields whose
    pattern is checked with their references (`deferred`) and the refused language tags."""

    res: Resource
    f: Field
    deferred: AbstractSet[str]
    languages: Mapping[str, dict[str, str]]

    @property
    def c(self) -> pl.Expr:
        return pl.col(self.f.name)

    @property
    def present(self) -> pl.Expr:
        return self.c.is_not_null()


Kind = Callable[[_Column], list[Check]]


def _nothing(col: _Column) -> list[Check]:
    return []


def _required(col: _Column) -> list[Check]:
    """An empty cell where the field is required (primary-key fields always are); a row cut short is
    reported as such, not once per missing cell."""
    if not (col.f.required or col.f.name in col.res.primary_key):
        return []
    return [Check("required-missing", col.f.name, col.c.is_null() & ~pl.col(_TRUNCATED), col.c)]


def _numbers(col: _Column) -> list[Check]:
    """A number or integer: not one (`type-invalid`), or outside its minimum and maximum."""
    f, c = col.f, col.c
    num = c.cast(pl.Float64 if f.type == "number" else pl.Int64, strict=False)
    checks = [Check("type-invalid", f.name, col.present & num.is_null(), c, lit(f.type))]
    if f.minimum is not None:
        checks.append(Check("out-of-range", f.name, num < f.minimum, c, lit(f"below the minimum {f.minimum}")))
    if f.maximum is not None:
        checks.append(Check("out-of-range", f.name, num > f.maximum, c, lit(f"above the maximum {f.maximum}")))
    return checks


def _booleans(col: _Column) -> list[Check]:
    """A boolean: one of the spellings of true and false that tables.typed reads."""
    valid = col.c.is_in(sorted(BOOLEAN_VALUES))
    return [Check("type-invalid", col.f.name, col.present & ~valid, col.c, lit("boolean"))]


def _days(col: _Column) -> list[Check]:
    """A Table Schema `date` (its default format): YYYY-MM-DD, a real day."""
    c = col.c
    real = c.str.contains("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & c.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    return [Check("type-invalid", col.f.name, col.present & ~real.fill_null(False), c, lit("date"))]


def _years(col: _Column) -> list[Check]:
    """A Table Schema `year`: four digits."""
    return [Check("type-invalid", col.f.name, col.present & ~col.c.str.contains("^[0-9]{4}$"), col.c, lit("year"))]


def _lengths(col: _Column) -> list[Check]:
    """A text shorter than minLength or longer than maxLength, in characters."""
    f, c = col.f, col.c
    checks = []
    if f.min_length is not None:
        checks.append(Check("length-invalid", f.name, col.present & (c.str.len_chars() < f.min_length), c,
                            lit(f"shorter than the minimum length {f.min_length}")))
    if f.max_length is not None:
        checks.append(Check("length-invalid", f.name, col.present & (c.str.len_chars() > f.max_length), c,
                            lit(f"longer than the maximum length {f.max_length}")))
    return checks


def _enums(col: _Column) -> list[Check]:
    """A code not in the field's `enum`, and in a string code, why it is not: a hidden character."""
    f, c = col.f, col.c
    if f.enum is None:
        return []
    checks = [Check("enum-invalid", f.name, col.present & ~c.is_in(list(f.enum)), c, lit(", ".join(f.enum)))]
    if f.type == "string":
        checks += _hidden_checks(f.name, col.present & ~c.is_in(list(f.enum)), None)
    return checks


def _dates(col: _Column) -> list[Check]:
    """A reduced-precision date (YYYY, YYYY-MM or YYYY-MM-DD): of that form and a real day, and within
    the years the data model can hold."""
    f, c = col.f, col.c
    bad_form = ~c.str.contains(f.pattern or "")
    detail = (
        pl.when(bad_form)
        .then(lit("not YYYY, YYYY-MM or YYYY-MM-DD"))
        .otherwise(lit("not a real calendar day"))
    )
    return [
        Check(
            "date-invalid",
            f.name,
            col.present & ex.may_not_be_real_date(c),
            c,
            detail,
            confirm=(~ex.is_real_date(c),),
        ),
        Check("date-out-of-range", f.name, col.present & _date_out_of_range(c), c,
              lit("outside the years 1000 to 9999-12-30")),
    ]


def _languages(col: _Column) -> list[Check]:
    """A language tag refused by the registry: checked per distinct value in Python (check_table found
    them), as the registry is not a regex; here each refused value's rows are picked out."""
    f, c = col.f, col.c
    bad = col.languages.get(f.name, {})
    if not bad:
        return []
    return [
        Check(
            "language-invalid",
            f.name,
            col.present & c.is_in(sorted(bad)),
            c,
            c.replace_strict(bad, default="", return_dtype=pl.String),
        )
    ]


def _countries(col: _Column) -> list[Check]:
    """A country: of the field's pattern, and an assigned ISO 3166-1 alpha-2 code."""
    f, c = col.f, col.c
    return [
        Check(
            "country-invalid",
            f.name,
            col.present & ~(ex.matches(c, f.pattern or "") & ex.is_assigned_country(c)),
            c,
        )
    ]


def _patterns(col: _Column) -> list[Check]:
    """Any other pattern: a table's own ID (`id-invalid`) or another value (`pattern-mismatch`), and why
    it fails, if it is a hidden character. The gate tests the whole column at once where exact."""
    res, f, c = col.res, col.f, col.c
    pattern = f.pattern or ""
    code = "id-invalid" if res.primary_key == (f.name,) and f.id_prefixes else "pattern-mismatch"
    gate = _pattern_gate(c, pattern)
    fails = col.present & ~ex.matches(c, pattern)
    return [Check(code, f.name, fails, c, lit(pattern), gate=gate), *_hidden_checks(f.name, fails, gate)]


def _uris(col: _Column) -> list[Check]:
    """A `format: uri` field: a URI, and a web link (http or https, with a host)."""
    f, c = col.f, col.c
    if f.format != "uri":
        return []
    return [
        Check("uri-invalid", f.name, col.present & ~ex.is_uri(c), c),
        Check("uri-scheme-invalid", f.name, col.present & ex.is_uri(c) & ~ex.is_web_url(c), c),
    ]


def _unique(col: _Column) -> list[Check]:
    """A `unique` field's value repeated (a one-field primary key's repeats are the key's to report)."""
    if not col.f.unique or col.res.primary_key == (col.f.name,):
        return []
    return [duplicate("unique-duplicate", [col.f.name])]


def _free_text(col: _Column) -> list[Check]:
    """Free text (a string without pattern or enum): the data model's text conventions (constrained
    fields already refuse such values). One gate, whether any value may break one, spares a clean
    column all of them."""
    f, c = col.f, col.c
    if f.type != "string" or f.pattern is not None or f.enum is not None:
        return []
    gate = ex.any_may_break_text_rules(c)
    return [
        Check("text-stray-space", f.name, ex.has_stray_space(c), c, gate=gate),
        *_hidden_checks(f.name, col.present, gate),
        Check("text-not-nfc", f.name, ex.may_not_be_nfc(c), c, confirm=(ex.is_not_nfc(c),), gate=gate),
        Check(
            "formula-unsafe",
            f.name,
            ex.starts_like_formula(c),
            c,
            c.str.slice(0, 1),
            confirm=(ex.is_formula(c),),
            gate=gate,
        ),
    ]


# The kind of value a field's `type` names.
def _spreadsheet_cells(col: _Column) -> list[Check]:
    """A text longer than an Excel cell holds (package.limits): the workbook could not be written. The
    gate, on bytes (never fewer than characters), spares the count of characters in every column that
    holds no such text."""
    f, c = col.f, col.c
    if f.type != "string":
        return []
    too_long = c.str.len_chars() > EXCEL_CELL_CHARS
    detail = pl.format("{} characters long, more than the {} an Excel cell holds", c.str.len_chars(),
                       lit(f"{EXCEL_CELL_CHARS:,}"))
    return [Check("text-too-long", f.name, col.present & too_long, c.str.slice(0, 40) + lit("…"), detail,
                  gate=(c.str.len_bytes() > EXCEL_CELL_CHARS).any())]


_TYPES: dict[str, Kind] = {"number": _numbers, "integer": _numbers, "boolean": _booleans, "date": _days,
                           "year": _years}
# Values with a form of their own, each checked one way, by the first that applies: a reduced-precision
# date, a language tag, a country code, any other pattern (unless it is checked with its references).
_FORMS: tuple[tuple[Callable[[_Column], bool], Kind], ...] = (
    (lambda col: col.f.is_date, _dates),
    (lambda col: col.f.is_language, _languages),
    (lambda col: col.f.is_country, _countries),
    (lambda col: col.f.pattern is not None and col.f.name not in col.deferred, _patterns),
)


def field_checks(
    res: Resource, f: Field, deferred: AbstractSet[str], languages: Mapping[str, dict[str, str]]
) -> list[Check]:
    """The checks of one field, kind by kind; each kind's function returns none where it does not apply."""
    col = _Column(res, f, deferred, languages)
    form = next((kind for applies, kind in _FORMS if applies(col)), _nothing)
    kinds = (_required, _TYPES.get(f.type, _nothing), _lengths, _enums, form, _uris, _unique, _free_text,
             _spreadsheet_cells)
    return [check for kind in kinds for check in kind(col)]


def check_deferred_pattern(res: Resource, field: str, rows: pl.DataFrame, out: Collector) -> None:
    """The pattern check of a reference field deferred to its references (cross.deferred_patterns), on
    the rows that may fail it: those that resolve to no valid ID."""
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


def table_checks(
    res: Resource,
    columns: list[str],
    deferred: AbstractSet[str] = frozenset(),
    languages: Mapping[str, dict[str, str]] | None = None,
) -> list[Check]:
    """The checks of one table; patterns of `deferred` fields are checked with their references.
    `languages` maps each language field to its refused values and why (`language_problems`)."""
    languages = languages or {}
    checks = [ch for f in res.fields if f.name in columns for ch in field_checks(res, f, deferred, languages)]
    # rules across the cells of a row, or the rows of a table, found in the same pass
    checks += primary_key_checks(res, columns) + date_order_checks(res, columns)
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
    """Every check of the table: failures counted in one pass, rows gathered only for those that fail."""
    languages = language_problems(table.frame, table.resource)
    checks = table_checks(table.resource, table.frame.columns, deferred, languages)
    if not checks:
        return
    lazy = table.frame.lazy()
    for ch, n in zip(checks, _failures(checks, lazy), strict=True):
        if n:
            _report(ch, lazy, table, out)


def _failures(checks: list[Check], lazy: pl.LazyFrame) -> list[int]:
    """How many rows fail each check. One parallel pass counts the failures of every check (of a gated
    check, the rows its gate selects); the checks behind a gate that let rows through are counted
    exactly in a second pass, the others fail nowhere."""
    gates = {id(ch.gate): ch.gate for ch in checks if ch.gate is not None}
    first = [ch.mask for ch in checks if ch.gate is None] + list(gates.values())
    sums = [m.fill_null(False).sum().alias(f"m{i}") for i, m in enumerate(first)]
    found = iter(lazy.select(sums).collect(engine=ENGINE).row(0))
    plain = {id(ch): next(found) for ch in checks if ch.gate is None}
    opened = {key for key, n in zip(gates, found, strict=True) if n}
    gated = [ch for ch in checks if ch.gate is not None and id(ch.gate) in opened]
    if gated:
        sums = [ch.mask.fill_null(False).sum().alias(f"m{i}") for i, ch in enumerate(gated)]
        plain.update(zip(map(id, gated), lazy.select(sums).collect(engine=ENGINE).row(0), strict=True))
    return [plain.get(id(ch), 0) for ch in checks]


def _report(ch: Check, lazy: pl.LazyFrame, table: Table, out: Collector) -> None:
    """Gather the rows that fail a check, with their value and detail, into the report."""
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
