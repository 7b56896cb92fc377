"""`ecocluster validate`: check a data package and report every error with its file, line and fix."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..base.escape import json_text
from .common import QUIET_HELP, echo, package_arg, progress_to_stderr, say

FORMATS = ["text", "json", "github", "sarif", "junit", "gitlab", "azure", "markdown"]
FORMAT_HELP = ("text: grouped by file; json: the library's report; github: workflow annotations (at most 10, "
               "then a note) and a job summary; sarif: SARIF 2.1.0; junit: JUnit XML; gitlab: Code Quality "
               "JSON; azure: Azure Pipelines logging commands; markdown: a summary for people.")
ORDERED = ("github", "markdown")  # the formats --changed-from reorders

if TYPE_CHECKING:
    from ..validation.report import Report


def _explain(code: str) -> None:
    from ..rules import RULES

    rule = RULES.get(code)
    if rule is None:
        say(f"no error code `{code}`", "the codes are: " + ", ".join(sorted(RULES)))
        raise SystemExit(2)
    echo(f"{rule.code}: {rule.title}\n\n{rule.doc}\n\nFix: {rule.hint}")


@click.command(epilog="Exit codes: 0 valid; 1 invalid data; 2 usage error or unreadable package.")
@click.argument("path", required=False, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help=FORMAT_HELP,
)
@click.option(
    "--changed-from",
    metavar="REF",
    help="github, markdown: put errors on lines changed since git REF first (in a pull request on GitHub "
    "Actions: by default the base branch, origin/$GITHUB_BASE_REF, when the clone has it).",
)
@click.option(
    "--max-errors",
    type=click.IntRange(min=0),
    default=None,
    help="Print at most N errors (the counts still include every error).",
)
@click.option("--explain", metavar="CODE", help="Print what an error code means and how to fix it, then exit.")
@click.option("--quiet", "-q", is_flag=True, help=QUIET_HELP)
@click.option("--debug", is_flag=True, help="Show a traceback if the validator itself fails.")
@click.pass_context
def validate(ctx: click.Context, path: str | None, fmt: str, changed_from: str | None, max_errors: int | None,
             explain: str | None, quiet: bool, debug: bool) -> None:
    """Validate the data package at PATH (a folder, its datapackage.json or a release .zip).

    Without PATH: the package in the current folder or its nearest parent that holds a
    datapackage.json, else the shipped one. Checks every table against its Table Schema and the data
    model's rules across tables, and lists every error found, in one run. Each error has a code;
    `--explain CODE` prints what it means and how to fix it.

    \b
    Example:
        ecocluster validate
        ecocluster validate path/to/fork --format json
        ecocluster validate . --format github --changed-from origin/main
        ecocluster validate . --format sarif > ecocluster.sarif
        ecocluster validate --explain signatory-no-role
    """
    if explain is not None:
        _explain(explain)
        return
    ctx.meta["ecocluster.debug"] = debug or ctx.meta.get("ecocluster.debug", False)
    if changed_from is not None and fmt not in ORDERED:
        raise click.UsageError("--changed-from orders the github and markdown formats only")
    from ..package.archive import is_archive
    from ..validation import validate as run

    given = package_arg(path)
    # a release archive is opened by the library, which reports a damaged one as `archive-invalid`;
    # its files are named from the package, and no git change can be traced into it
    report = run(given, max_errors=max_errors, progress=progress_to_stderr(quiet))
    archive = is_archive(given)
    prefix = "" if archive else _prefix(given)
    changed = _changed(given, changed_from) if fmt in ORDERED and not archive else None
    # the github and azure formats are the workflow commands they mean to write (values escaped by
    # workflow_value, azure_value); text, JSON, SARIF, GitLab and JUnit escaped data as they wrote it
    echo(_render(report, fmt, prefix, changed), nl=False, escaped=fmt != "markdown",
         commands=fmt in ("github", "azure"))
    if report.unreadable:
        say("the package cannot be read, so nothing was checked", "fix the problem reported above, then run again.")
    sys.exit(2 if report.unreadable else 0 if report.ok else 1)


def _render(report: Report, fmt: str, prefix: str, changed: set[tuple[str, int]] | None) -> str:
    from ..validation import formats, github, summary
    from ..validation.report import render_text

    hits = None
    if changed is not None:
        report, hits = github.changed_first(report, changed)
    if fmt == "json":
        return json_text(report.to_dict(), indent=2) + "\n"
    if fmt == "github":
        wrote = _step_summary(summary.render_markdown(report, prefix, _links(), hits))
        return github.render_github(report, prefix, summary=wrote)
    if fmt == "markdown":
        return summary.render_markdown(report, prefix, _links(), hits)
    if fmt in ("sarif", "junit", "gitlab", "azure"):
        return getattr(formats, f"render_{fmt}")(report, prefix)
    return render_text(report, colour=bool(sys.stdout) and sys.stdout.isatty())


def _prefix(given: Path) -> str:
    """The package folder as a path from the current folder (a CI's checkout root), for file names in
    the CI formats; "" when it lies elsewhere (its files are then named from the package)."""
    root = (given if given.is_dir() else given.parent).resolve()
    try:
        return root.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return ""


def _changed(given: Path, ref: str | None) -> set[tuple[str, int]] | None:
    """The lines changed since `ref`; without it, in a pull request on GitHub Actions, since the base
    branch when the clone has it (else the order stays the file order, and stderr says why)."""
    from ..base.git import changed_lines
    from ..errors import GitError

    root = given if given.is_dir() else given.parent
    if ref is not None:
        try:
            return changed_lines(root, ref)
        except GitError as e:  # a REF given by hand that git cannot use is a usage error
            say(str(e), e.hint)
            raise SystemExit(2) from None
    base = os.environ.get("GITHUB_BASE_REF")
    if not base:
        return None
    for candidate in (f"origin/{base}", base):
        try:
            return changed_lines(root, candidate)
        except GitError as e:
            why = str(e)
    echo(f"warning: the lines this pull request changed are unknown ({why}), so errors are in file "
         f"order\nhint: fetch the base branch first: git fetch --depth=1 origin {base}", err=True)
    return None


def _links() -> str | None:
    """Where the files are on GitHub, at the commit under test, when running in GitHub Actions."""
    from urllib.parse import quote

    server, repo, sha = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (server and repo and sha) or not server.startswith(("https://", "http://")):
        return None
    return f"{server.rstrip('/')}/{quote(repo)}/blob/{quote(sha)}/"


def _step_summary(text: str) -> bool:
    """Append the summary to $GITHUB_STEP_SUMMARY when it is set; a failure to write is said, not fatal."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    try:
        with open(target, "a", encoding="utf-8") as out:
            out.write(text)
    except OSError as e:
        say(f"cannot write the job summary to {target}: {e.strerror or e}", "the annotations are still shown.")
        return False
    return True
