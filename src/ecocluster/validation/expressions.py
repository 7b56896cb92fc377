"""Polars expressions for the checks Table Schema constraints cannot state, written once.

The engine and the pandera models (models.py) both build on these, so a rule has one implementation.
Every function takes an expression over a string column (null = empty cell) and returns one.
"""

from __future__ import annotations

import polars as pl

from ..package import DATE_PATTERN
from .standards import FORMULA_PREFIXES, ISO_3166_ALPHA2, NFC_SUSPECT_REGEX, NUMBER_REGEX, URI_REGEX

_COUNTRIES = sorted(ISO_3166_ALPHA2)


def anchored(pattern: str) -> str:
    """Table Schema patterns match the whole value (XML Schema regex semantics)."""
    return f"^(?:{pattern})$"


def matches(col: pl.Expr, pattern: str) -> pl.Expr:
    return col.str.contains(anchored(pattern))


def is_real_date(col: pl.Expr) -> pl.Expr:
    """A reduced-precision date (DATE_PATTERN) that is a real calendar day; null stays null."""
    full = col.str.len_bytes() == 10
    day_ok = col.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    return col.str.contains(DATE_PATTERN) & (~full | day_ok)


# DATE_PATTERN with days up to 28: every value it matches is a real calendar day, so only values it
# refuses (a 29th to 31st, or no date at all) need the slower exact test.
_SURELY_REAL = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8]))?)?$"


def may_not_be_real_date(col: pl.Expr) -> pl.Expr:
    """A cheap pre-filter for `~is_real_date`: a value that is surely a real date is not selected."""
    return ~col.str.contains(_SURELY_REAL)


def may_end_before(early: pl.Expr, late: pl.Expr) -> pl.Expr:
    """A cheap pre-filter for `earliest_day(early) > latest_day(late)`.

    Two dates of DATE_PATTERN's form are out of order exactly when they differ within their common
    precision and `early` is the greater there (2023-05 > 2023-04-30), and then `early > late` as
    strings too; values of any other form are left to the exact test.
    """
    return (early > late) | ~early.str.contains(DATE_PATTERN) | ~late.str.contains(DATE_PATTERN)


def earliest_day(col: pl.Expr) -> pl.Expr:
    """The first day a reduced-precision date can mean (`2023` -> 2023-01-01); null if not a real date.

    The vectorised twin of `ecocluster.dates.earliest_day`; tests/test_dates.py keeps the two equal.
    """
    padded = (
        pl.when(col.str.len_bytes() == 4)
        .then(col + "-01-01")
        .when(col.str.len_bytes() == 7)
        .then(col + "-01")
        .otherwise(col)
    )
    return padded.str.to_date("%Y-%m-%d", strict=False)


def latest_day(col: pl.Expr) -> pl.Expr:
    """The last day a reduced-precision date can mean (`2023-02` -> 2023-02-28).

    The vectorised twin of `ecocluster.dates.latest_day`; tests/test_dates.py keeps the two equal.
    """
    padded = (
        pl.when(col.str.len_bytes() == 4)
        .then(col + "-12-01")
        .when(col.str.len_bytes() == 7)
        .then(col + "-01")
        .otherwise(col)
    )
    day = padded.str.to_date("%Y-%m-%d", strict=False)
    return pl.when(col.str.len_bytes() < 10).then(day.dt.month_end()).otherwise(day)


def is_assigned_country(col: pl.Expr) -> pl.Expr:
    return col.is_in(_COUNTRIES)


def is_uri(col: pl.Expr) -> pl.Expr:
    return col.str.contains(URI_REGEX)


def is_number(col: pl.Expr) -> pl.Expr:
    return col.str.contains(NUMBER_REGEX)


def starts_like_formula(col: pl.Expr) -> pl.Expr:
    """A cheap pre-filter for `is_formula`: the cell starts with = + - or @."""
    return col.str.contains("^[" + "".join("\\" + c for c in FORMULA_PREFIXES) + "]")


def is_formula(col: pl.Expr) -> pl.Expr:
    """Starts like a spreadsheet formula and is neither a number nor a date."""
    return starts_like_formula(col) & ~is_number(col) & ~col.str.contains(DATE_PATTERN)


def may_break_text_rules(col: pl.Expr) -> pl.Expr:
    """One cheap pre-filter for `has_stray_space`, `may_not_be_nfc` and `starts_like_formula` together:
    one regex scan costs about a third of the three tests (`\\s` and strip_chars both mean Unicode
    White_Space), and clean text, nearly all of it, needs nothing more."""
    prefixes = "".join("\\" + c for c in FORMULA_PREFIXES)
    return col.str.contains(f"^[\\s{prefixes}]|\\s$|{NFC_SUSPECT_REGEX}")


def has_stray_space(col: pl.Expr) -> pl.Expr:
    # comparing lengths is about twice as fast as a regex with `^\s|\s$`
    return col.str.len_bytes() != col.str.strip_chars().str.len_bytes()


def may_not_be_nfc(col: pl.Expr) -> pl.Expr:
    """A finer pre-filter: only text holding one of these characters can differ from its NFC form."""
    return col.str.contains(NFC_SUSPECT_REGEX)


def is_not_nfc(col: pl.Expr) -> pl.Expr:
    """The exact test (slow: it normalises); run it on the rows `may_not_be_nfc` lets through."""
    return col != col.str.normalize("NFC")
