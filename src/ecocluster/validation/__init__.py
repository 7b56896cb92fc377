"""Validation of a data package against its Table Schemas and the data model's rules.

`validate()` never prints, exits or raises for bad data: it returns a `Report`. The engine (and
polars with it) is imported on first call, so importing this package stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..rules import RULES, Rule
from .report import Report, ValidationError

__all__ = ["RULES", "Report", "Rule", "ValidationError", "validate"]


def validate(
    path: str | Path | None = None,
    *,
    max_errors: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Validate the package at `path` (a descriptor or its folder; None = the shipped package).

    Every error is counted in `report.stats`; `max_errors` only limits how many are kept in
    `report.errors`. Problems with the package itself (no descriptor, invalid JSON, a resource path
    outside the package) are report errors too. `progress`, if given, is called with a short
    message as each table is read (`reading data/names.csv (4/12)`) and before the rules across
    tables run; the library never prints.
    """
    from .engine import run

    return run(path, max_errors, progress)
