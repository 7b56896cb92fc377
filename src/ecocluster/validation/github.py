"""The report as GitHub Actions workflow commands, within GitHub's limits.

GitHub shows at most 10 error annotations per step (50 per job) and drops the rest silently. So:
errors on lines the pull request changed come first (`changed_first`), at most `LIMIT` become
`::error` annotations, and one last `::warning` says how many more there are and where they are: the
job summary (`.summary`) and this step's log, which then lists every error as text between
`::stop-commands::` and its resume token, GitHub's way of printing text that must not run as a command.

Every line written is a workflow command whose values pass through one escaping function,
`base.escape.workflow_value`; the listing is `printable` text, inside the stop-commands block.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection

from ..base.escape import workflow_value
from .formats import path_of
from .report import Report, ValidationError, render_text

LIMIT = 10  # error annotations GitHub shows per step
MESSAGE_MAX = 1000  # characters of one annotation's message


def changed_first(report: Report, changed: Collection[tuple[str, int]]) -> tuple[Report, int]:
    """The report with its errors on changed lines (`(file from the package root, line)`) first, each
    group in its old order; and how many there are."""
    hit = [e for e in report.errors if e.row is not None and (report.paths.get(e.resource or ""), e.row) in changed]
    ids = {id(e) for e in hit}
    rest = [e for e in report.errors if id(e) not in ids]
    return Report(errors=hit + rest, stats=report.stats, paths=report.paths), len(hit)


def command(name: str, props: list[tuple[str, str]], message: str) -> str:
    """One workflow command line: `::name k=v,k=v::message`, each value escaped."""
    head = ",".join(f"{k}={workflow_value(v, prop=True)}" for k, v in props)
    return f"::{name}{' ' + head if head else ''}::{workflow_value(message)}"


def _annotation(report: Report, e: ValidationError, prefix: str) -> str:
    props = [("file", path_of(report, e, prefix))]
    if e.row is not None:
        props.append(("line", str(e.row)))
    props.append(("title", e.code))
    message = f"{e.field}: {e.message}" if e.field else e.message
    if e.hint:
        message += f" (hint: {e.hint})"
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 1] + "…"
    return command("error", props, message)


def render_github(report: Report, prefix: str = "", limit: int = LIMIT, summary: bool = False,
                  token: str | None = None) -> str:
    """At most `limit` `::error` annotations, in the report's order; then, if errors are left over, a
    `::warning` saying how many and where to read them, and every error as text in a folded group of the
    log. `summary` says a job summary was written; `token` (random by default) resumes the commands."""
    lines = [_annotation(report, e, prefix) for e in report.errors[:limit]]
    total = report.stats.get("errors", len(report.errors))
    if total <= len(lines):
        return "".join(line + "\n" for line in lines)
    listing = len(report.errors) > len(lines)
    where = (["the job summary"] if summary else []) + \
        [f"the group \"{len(report.errors)} errors\" in this step's log"] * listing
    if len(report.errors) < total:
        where.append("`ecocluster validate` without --max-errors")
    lines.append(command("warning", [("title", "ecocluster validate")],
                         f"{total - len(lines)} more errors are not annotated (GitHub shows {limit} per "
                         f"step): see {' and '.join(where)}."))
    if listing:
        token = token or secrets.token_hex(16)
        lines += [command("group", [], f"{len(report.errors)} errors"), command("stop-commands", [], token),
                  *render_text(report).splitlines(), f"::{token}::", command("endgroup", [], "")]
    return "".join(line + "\n" for line in lines)
