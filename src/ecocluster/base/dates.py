"""Reduced-precision ISO 8601 dates (`2021`, `2021-09`, `2021-09-15`) and the days they cover.

The data never guesses a day: a date known only to the month stays `2021-09`. For range queries
these helpers give the first and last day such a value can mean, so `2021-09` overlaps any interval
that touches 1–30 September 2021. With pandas, skip missing values with `na_action="ignore"`:

    >>> from ecocluster import earliest_day
    >>> df["date"].map(earliest_day, na_action="ignore")

Each helper comes twice, side by side: for one Python value, and as a polars expression over a
column (`…_expr`), which the validator, the typed tables and every export use; tests/base/test_dates.py
keeps the two equal on every kind of input.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # ASCII digits only, as the validator


def date_bounds(value: str) -> tuple[date, date]:
    """The earliest and latest day a reduced-precision date can mean.

    >>> date_bounds("2021")
    (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    >>> date_bounds("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> date_bounds("2021-09-15")
    (datetime.date(2021, 9, 15), datetime.date(2021, 9, 15))

    Raises ValueError for anything else, including impossible days such as `2021-02-30`.
    """
    m = _DATE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, int(month))[1] if 1 <= int(month) <= 12 else 0
            return date(year, int(month), 1), date(year, int(month), last)
        d = date(year, int(month), int(day))
        return d, d
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


def earliest_day(value: str) -> date:
    """The first day `value` can mean: `2021-09` -> 2021-09-01."""
    return date_bounds(value)[0]


def latest_day(value: str) -> date:
    """The last day `value` can mean: `2021-09` -> 2021-09-30."""
    return date_bounds(value)[1]


def earliest_day_expr(col: pl.Expr) -> pl.Expr:
    """`earliest_day` over a column of strings (`2023` -> 2023-01-01); null where not a real date."""
    import polars as pl  # here, so `ecocluster.date_bounds` alone does not load polars

    length = col.str.len_bytes()
    padded = pl.when(length == 4).then(col + "-01-01").when(length == 7).then(col + "-01").otherwise(col)
    return padded.str.to_date("%Y-%m-%d", strict=False)


def latest_day_expr(col: pl.Expr) -> pl.Expr:
    """`latest_day` over a column of strings (`2023-02` -> 2023-02-28); null where not a real date."""
    import polars as pl

    # from the same parse as `earliest_day_expr`, which a query holding both then runs once (polars
    # eliminates the common subexpression): a year's last day is its 31 December, a month's its end
    day = earliest_day_expr(col)
    length = col.str.len_bytes()
    return pl.when(length == 4).then(pl.date(day.dt.year(), 12, 31)).when(length < 10).then(
        day.dt.month_end()).otherwise(day)
