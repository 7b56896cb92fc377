"""`ecocluster validate`: check a data package and report every error with its file, line and fix."""

from __future__ import annotations

import json
import sys

import click

from .common import QUIET_HELP, package_arg, progress_to_stderr, say


def _explain(code: str) -> None:
    from ..rules import RULES

    rule = RULES.get(code)
    if rule is None:
        say(f"no error code `{code}`", "the codes are: " + ", ".join(sorted(RULES)))
        raise SystemExit(2)
    click.echo(f"{rule.code}: {rule.title}\n\n{rule.doc}\n\nFix: {rule.hint}")


@click.command(epilog="Exit codes: 0 valid; 1 invalid data; 2 usage error or unreadable package.")
@click.argument("path", required=False, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: grouped by file; json: the library's report; github: workflow annotations.",
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
def validate(ctx: click.Context, path: str | None, fmt: str, max_errors: int | None, explain: str | None,
             quiet: bool, debug: bool) -> None:
    """Validate the data package at PATH (a folder, its datapackage.json or a release .zip).

    Without PATH: the package in the current folder or its nearest parent that holds a
    datapackage.json, else the shipped one. Checks every table against its Table Schema and the data
    model's rules across tables, and lists every error found, in one run. Each error has a code;
    `--explain CODE` prints what it means and how to fix it.

    \b
    Example:
        ecocluster validate
        ecocluster validate path/to/fork --format json
        ecocluster validate . --format github --max-errors 50
        ecocluster validate --explain signatory-no-role
    """
    if explain is not None:
        _explain(explain)
        return
    ctx.meta["ecocluster.debug"] = debug or ctx.meta.get("ecocluster.debug", False)
    from ..validation import validate as run
    from ..validation.report import render_github, render_text

    # a release archive is opened by the library, which reports a damaged one as `archive-invalid`
    report = run(package_arg(path), max_errors=max_errors, progress=progress_to_stderr(quiet))
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "github":
        click.echo(render_github(report), nl=False)
    else:
        click.echo(render_text(report, colour=sys.stdout.isatty()), nl=False)
    if report.unreadable:
        say("the package cannot be read, so nothing was checked", "fix the problem reported above, then run again.")
    sys.exit(2 if report.unreadable else 0 if report.ok else 1)
