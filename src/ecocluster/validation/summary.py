"""The report as a Markdown summary for people: counts per rule and per table, then the first errors,
with links to their lines when the files are on a web host. `validate --format markdown`, the GitHub
job summary and the pull-request comment all print this one rendering.

Every value from the data (and the file names, which the descriptor gives) is a code span made by
`base.escape.markdown_code`, so nothing in the data can turn into a link, a mention or HTML.
"""

from __future__ import annotations

from ..base.escape import markdown_code, url_path
from ..rules import RULES
from .formats import path_of
from .report import Report, ValidationError

FIRST = 50  # errors listed by default
MESSAGE_MAX = 300  # characters of one message shown; a huge cell must not fill the summary
BUDGET = 512 * 1024  # bytes; GitHub's limit for a step's summary is 1 MiB


def _short(text: str, limit: int = MESSAGE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _where(report: Report, e: ValidationError, prefix: str, links: str | None) -> str:
    path = path_of(report, e, prefix)
    text = markdown_code(path, cell=True) + (f" line {e.row}" if e.row is not None else "")
    if not links or e.resource not in report.paths:  # only real files get a link
        return text
    anchor = f"#L{e.row}" if e.row is not None else ""
    return f"[{text}]({links}{url_path(path)}{anchor})"


def render_markdown(report: Report, prefix: str = "", links: str | None = None, changed: int | None = None,
                    first: int = FIRST, budget: int = BUDGET, heading: str = "##") -> str:
    """The summary. `links` is the web address files are under (`https://github.com/o/r/blob/SHA/`);
    `changed`, when known, is how many errors are on lines the change touched (listed first); at most
    `first` errors are listed and the whole stays under `budget` bytes."""
    stats = report.stats
    total = stats.get("errors", len(report.errors))
    rows, tables = stats.get("rows", 0), stats.get("tables", 0)
    if total == 0:
        return (f"{heading} ecocluster validate: valid\n\n"
                f"{_plural(rows, 'row')} in {_plural(tables, 'table')}, no errors.\n")
    out = [f"{heading} ecocluster validate: {_plural(total, 'error')}", "",
           f"**Invalid**: {_plural(total, 'error')} in {_plural(rows, 'row')} of {_plural(tables, 'table')}."]
    if changed is not None:
        out[-1] += f" {_plural(changed, 'error')} on lines this change touched, listed first."
    out += ["", "| Rule | Errors | What it means |", "| --- | ---: | --- |"]
    for code, n in stats.get("by_code", {}).items():
        title = RULES[code].title if code in RULES else ""
        out.append(f"| {markdown_code(code, cell=True)} | {n:,} | {title} |")
    by_table = stats.get("by_resource", {})
    if by_table:
        out += ["", "| Table | Errors |", "| --- | ---: |"]
        out += [f"| {markdown_code(t, cell=True)} | {n:,} |" for t, n in by_table.items()]
        package_level = total - sum(by_table.values())
        if package_level:
            out.append(f"| *(the package)* | {package_level:,} |")
    listed = report.errors[:first]
    out += ["", f"{heading}# The first {_plural(len(listed), 'error')}" if len(listed) < total
            else f"{heading}# The {_plural(len(listed), 'error')}", "",
            "| Where | Rule | Field | Message |", "| --- | --- | --- | --- |"]
    size = len("\n".join(out).encode("utf-8"))
    shown = 0
    for e in listed:
        line = (f"| {_where(report, e, prefix, links)} | {markdown_code(e.code, cell=True)} | "
                f"{markdown_code(e.field or '', cell=True)} | {markdown_code(_short(e.message), cell=True)} |")
        size += len(line.encode("utf-8")) + 1
        if size > budget - 1024:  # room for the closing line
            break
        out.append(line)
        shown += 1
    if shown < total:
        out += ["", f"…and {_plural(total - shown, 'more error')}: run `ecocluster validate` on the package to "
                    "see every error with its hint."]
    return "\n".join(out) + "\n"
