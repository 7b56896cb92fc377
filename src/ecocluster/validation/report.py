"""What validation returns: a `Report` of `ValidationError`s, and its text rendering (the formats CI
systems read are in `ecocluster.validation.formats` and `.github`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..base.escape import printable
from ..rules import RULES

__all__ = ["Report", "ValidationError", "printable", "render_text"]


@dataclass(frozen=True)
class ValidationError:
    """One problem: its rule (`code`), where (`resource`, `row` = editor line, `field`), what, how to fix."""

    code: str
    resource: str | None
    row: int | None
    field: str | None
    value: str | None
    message: str
    hint: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """All errors found in one run. `errors` may be trimmed by `max_errors`; `stats` counts every error."""

    errors: list[ValidationError] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict, repr=False)  # resource -> file path, for renderers

    @property
    def ok(self) -> bool:
        return self.stats.get("errors", len(self.errors)) == 0

    @property
    def unreadable(self) -> bool:
        """True when the package itself could not be read (exit code 2 rather than 1)."""
        return any(RULES[e.code].level == "package" for e in self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "errors": [e.to_dict() for e in self.errors], "stats": self.stats}


def file_of(report: Report, e: ValidationError) -> str:
    """The file an error belongs to, as the package names it: its table's CSV, else the resource's name
    (its path was refused), else `datapackage.json` (the package as a whole)."""
    return report.paths.get(e.resource or "", e.resource or "datapackage.json")


def _where(report: Report, e: ValidationError) -> str:
    return printable(file_of(report, e))


def render_text(report: Report, colour: bool = False) -> str:
    """Errors grouped by file, one line each, then a summary."""
    red, dim, bold, off = ("\x1b[31m", "\x1b[2m", "\x1b[1m", "\x1b[0m") if colour else ("", "", "", "")
    lines: list[str] = []
    current = None
    for e in report.errors:
        where = _where(report, e)
        if where != current:
            if current is not None:
                lines.append("")
            lines.append(f"{bold}{where}{off}")
            current = where
        loc = f"line {e.row}" if e.row is not None else "file" if e.resource else "package"
        col = f", {printable(e.field)}" if e.field else ""
        lines.append(f"  {loc}{col}: {red}{printable(e.code)}{off} {printable(e.message)}")
        if e.hint:
            lines.append(f"    {dim}hint: {printable(e.hint)}{off}")
    stats = report.stats
    total = stats.get("errors", 0)
    if lines:
        lines.append("")
    if total == 0:
        lines.append(f"valid: {stats.get('rows', 0)} rows in {stats.get('tables', 0)} tables, no errors")
    else:
        shown = "" if len(report.errors) == total else f" ({len(report.errors)} shown)"
        by_code = ", ".join(f"{code} {n}" for code, n in stats.get("by_code", {}).items())
        lines.append(
            f"invalid: {total} error{'s' if total != 1 else ''}{shown} in {stats.get('rows', 0)} rows of "
            f"{stats.get('tables', 0)} tables: {by_code}"
        )
    return "\n".join(lines) + "\n"
