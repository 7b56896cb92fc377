"""Gathering failures as polars frames, so counts stay exact and only the errors shown become objects."""

from __future__ import annotations

from typing import Any

import polars as pl

from ..rules import RULES
from .report import Report, ValidationError

# Every failure frame has these columns; `hint` overrides the rule's hint (package errors carry their own).
COLUMNS: dict[str, Any] = {
    "code": pl.String,
    "resource": pl.String,
    "field": pl.String,
    "line": pl.Int64,
    "value": pl.String,
    "detail": pl.String,
    "hint": pl.String,
}


class Collector:
    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []

    def add(self, code: str, resource: str | None, field: str | None, frame: pl.DataFrame) -> None:
        """Record one failing cell per row of `frame` (columns `line`, `value`, optional `detail`)."""
        if code not in RULES:
            raise KeyError(f"unknown rule {code}")  # a programming error: every code lives in the rule table
        if frame.height == 0:
            return
        cols = [
            pl.lit(code).alias("code"),
            pl.lit(resource, pl.String).alias("resource"),
            pl.lit(field, pl.String).alias("field"),
        ]
        for name in ("line", "value", "detail", "hint"):
            cols.append(
                pl.col(name).cast(COLUMNS[name])
                if name in frame.columns
                else pl.lit(None, COLUMNS[name]).alias(name)
            )
        self.frames.append(frame.select(cols))

    def one(
        self,
        code: str,
        resource: str | None = None,
        field: str | None = None,
        line: int | None = None,
        value: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        row = {"line": [line], "value": [value], "detail": [detail], "hint": [hint]}
        self.add(code, resource, field, pl.DataFrame(row, schema={k: COLUMNS[k] for k in row}))

    def report(
        self, resources: list[tuple[str, list[str], str]], stats: dict[str, Any], max_errors: int | None
    ) -> Report:
        """Sort every failure by file, line and column; keep the first `max_errors` as objects."""
        frame = pl.concat(self.frames) if self.frames else pl.DataFrame(schema=COLUMNS)
        order = pl.DataFrame(
            {
                "resource": [r for r, fields, _ in resources for _ in [None, *fields]],
                "field": [f for _, fields, _ in resources for f in [None, *fields]],
                "r_order": [i for i, (_, fields, _) in enumerate(resources) for _ in [None, *fields]],
                "f_order": [j for _, fields, _ in resources for j in range(len(fields) + 1)],
            },
            schema={"resource": pl.String, "field": pl.String, "r_order": pl.Int64, "f_order": pl.Int64},
        )
        r_index = {r: i for i, (r, _, _) in enumerate(resources)}
        frame = (
            frame.join(order, on=["resource", "field"], how="left", nulls_equal=True)
            .with_columns(
                pl.col("r_order").fill_null(
                    pl.col("resource").replace_strict(r_index, default=-1, return_dtype=pl.Int64)
                ),
                pl.col("f_order").fill_null(10**6),
            )
            .sort(["r_order", "line", "f_order", "code"], nulls_last=False)
        )
        total = frame.height
        shown = frame if max_errors is None else frame.head(max(max_errors, 0))
        errors = []
        for rec in shown.iter_rows(named=True):
            rule = RULES[rec["code"]]
            errors.append(
                ValidationError(
                    code=rec["code"],
                    resource=rec["resource"],
                    row=rec["line"],
                    field=rec["field"],
                    value=rec["value"],
                    message=rule.message.format(value=rec["value"], field=rec["field"], detail=rec["detail"]),
                    hint=rec["hint"] or rule.hint,
                )
            )
        by_code = frame.group_by("code").len().sort(["len", "code"], descending=[True, False])
        by_res = (
            frame.filter(pl.col("resource").is_not_null())
            .group_by("resource", "r_order")
            .len()
            .sort("r_order")
        )
        stats = {
            **stats,
            "errors": total,
            "shown": len(errors),
            "by_code": dict(by_code.iter_rows()),
            "by_resource": {r: n for r, _, n in by_res.iter_rows()},
        }
        return Report(errors=errors, stats=stats, paths={r: p for r, _, p in resources})
