"""A rule over one table as polars expressions (`Check`): the shape every rule checked in a table's own
pass takes, whichever module writes it (cells: checks.py; repeated keys: keys.py; dates in order:
relations.py). checks.check_table runs them all in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl


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


def lit(text: str) -> pl.Expr:
    return pl.lit(text)  # a str literal is a String already (asking for the dtype costs a cast per call)
