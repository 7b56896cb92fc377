"""What validation returns: a `Report` of `ValidationError`s, and its text and GitHub renderings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from ..rules import RULES


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


# What a terminal or a log could act on: C0/C1 controls (ANSI escapes start with ESC), DEL, line and
# paragraph separators, invisible format characters (bidi overrides reorder the rest of the line) and
# lone surrogates (from JSON `\ud800`; a terminal's encoder would fail on them).
_UNSAFE = re.compile(r"[^\x20-\x7e]")


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    if ord(ch) > 0x9F and unicodedata.category(ch) not in ("Cf", "Cs", "Zl", "Zp"):
        return ch  # ordinary text in any script stays readable
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def printable(text: object) -> str:
    """`text` with every control and invisible character shown as an escape (`\\x1b`, `\\u202e`): data
    reaches a terminal or a CI log as text, never as a command to it."""
    return _UNSAFE.sub(_escape_char, str(text))


def _where(report: Report, e: ValidationError) -> str:
    return printable(report.paths.get(e.resource or "", e.resource or "datapackage.json"))


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


def _escape(text: str, prop: bool = False) -> str:
    # GitHub workflow command escaping: data escapes %, CR, LF; properties also : and ,. Other
    # control and invisible characters are shown as escapes first, as in the text report.
    text = printable(text)
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(report: Report) -> str:
    """One `::error file=…,line=…,title=CODE::message` workflow command per error."""
    out = []
    for e in report.errors:
        props = [f"file={_escape(_where(report, e), True)}"]
        if e.row is not None:
            props.append(f"line={e.row}")
        props.append(f"title={_escape(e.code, True)}")
        message = f"{e.field}: {e.message}" if e.field else e.message
        if e.hint:
            message += f" (hint: {e.hint})"
        out.append(f"::error {','.join(props)}::{_escape(message)}")
    total = report.stats.get("errors", 0)
    if len(report.errors) < total:
        out.append(f"::warning title=validate::{total - len(report.errors)} more errors not shown")
    return "".join(line + "\n" for line in out)
