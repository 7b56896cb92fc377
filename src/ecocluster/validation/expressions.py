"""Polars expressions for the checks Table Schema constraints cannot state, written once.

The engine and the pandera models (models.py) both build on these, so a rule has one implementation.
Every function takes an expression over a string column (null = empty cell) and returns one.
"""

from __future__ import annotations

import functools
import re

import polars as pl

from ..package import DATE_PATTERN
from .standards import (
    CONTROL_REGEX,
    FORMULA_PREFIXES,
    INVISIBLE_REGEX,
    ISO_3166_ALPHA2,
    NFC_SUSPECT_REGEX,
    NUMBER_REGEX,
    URI_REGEX,
    URL_REGEX,
)

_COUNTRIES = sorted(ISO_3166_ALPHA2)


def anchored(pattern: str) -> str:
    """Table Schema patterns match the whole value (XML Schema regex semantics)."""
    return f"^(?:{pattern})$"


def matches(col: pl.Expr, pattern: str) -> pl.Expr:
    return col.str.contains(anchored(pattern))


# One regex call per value costs polars about 50 ns whatever the pattern, more than the scan itself on
# short values. A column-level gate instead joins the column's values by line breaks and scans them
# in one call; the per-value test then runs only where the gate opens, which clean data never does.
#
# Joining is exact only for a pattern that can never match a line break (then every match of the
# joined text splits at the line breaks, value by value). This is judged from the pattern's text,
# conservatively: literal printable characters, `.` (which stops at line breaks), groups without
# flags, quantifiers, `^` and `$` (in multi-line mode they match at each value's ends), escapes of
# punctuation and `\d` / `\w`, and classes that are not negated and hold only printable characters.
_LINE_SAFE = (
    r"""(?:
        [ -Z^-~\u0080-\U0010ffff]          # a printable character but \\ [ ]
        | \\[dw.*+?()\[\]{}|^$\\/-]       # \d, \w or an escaped punctuation mark
        | \[(?!\^)(?:[ -Z^-~\u0080-\U0010ffff]|\\[\\\[\]^-])*\]  # a class, not negated, not nested
    )*"""
)


def line_safe(pattern: str) -> bool:
    """Whether `pattern` surely cannot match a line break, so `all_match` may test it on a whole column."""
    return "(?" not in pattern.replace("(?:", "") and _line_safe_regex().fullmatch(pattern) is not None


@functools.cache
def _line_safe_regex() -> re.Pattern[str]:
    return re.compile(_LINE_SAFE, re.VERBOSE)  # compiled when first needed: it takes milliseconds


def all_match(col: pl.Expr, pattern: str) -> pl.Expr:
    """A single boolean: every value of the column (nulls aside) matches `pattern` whole, as `matches`
    tests it; false if any does not, or if a value holds a line break. Requires `line_safe(pattern)`."""
    joined = col.str.join("\n")
    one_per_value = joined.str.count_matches("\n", literal=True) + 1 == col.count()
    return joined.str.contains(f"(?m)\\A(?:(?:{pattern})\\n)*(?:{pattern})\\z") & one_per_value


def any_may_break_text_rules(col: pl.Expr) -> pl.Expr:
    """A single boolean: some value of the column may break a text rule (`may_break_text_rules`, over
    the values joined by line breaks; a line break inside a value can only make it say true)."""
    prefixes = "".join("\\" + c for c in FORMULA_PREFIXES)
    return col.str.join("\n").str.contains(
        f"(?m)^[\\s{prefixes}]|\\s$|{NFC_SUSPECT_REGEX}|{CONTROL_REGEX}|{INVISIBLE_REGEX}"
    )


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


def is_assigned_country(col: pl.Expr) -> pl.Expr:
    return col.is_in(_COUNTRIES)


def is_uri(col: pl.Expr) -> pl.Expr:
    return col.str.contains(URI_REGEX)


def is_web_url(col: pl.Expr) -> pl.Expr:
    """An http or https URL with a host: the only links the data may hold."""
    return col.str.contains(URL_REGEX)


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
