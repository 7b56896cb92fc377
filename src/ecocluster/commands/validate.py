"""`ecocluster validate`: check a data package and report every error with its file, line and fix."""

from __future__ import annotations

import json
import sys
import traceback

import click

from ._common import QUIET_HELP, progress_to_stderr


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
@click.option("--quiet", "-q", is_flag=True, help=QUIET_HELP)
@click.option("--debug", is_flag=True, help="Show a traceback if the validator itself fails.")
def validate(path: str | None, fmt: str, max_errors: int | None, quiet: bool, debug: bool) -> None:
    """Validate the data package at PATH (a folder or its datapackage.json; default: the shipped one).

    Checks every table against its Table Schema and the data model's rules across tables, and
    lists every error found, in one run. See docs/validation.md for each error code.

    \b
    Example:
        ecocluster validate
        ecocluster validate path/to/fork --format json
        ecocluster validate . --format github --max-errors 50
    """
    from ecocluster.errors import EcoclusterError
    from ecocluster.validation import validate as run
    from ecocluster.validation.report import render_github, render_text

    try:
        report = run(path, max_errors=max_errors, progress=progress_to_stderr(quiet))
    except EcoclusterError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    except Exception as e:  # a bug in the validator, not in the data: no traceback unless asked
        if debug:
            traceback.print_exc()
        click.echo(
            f"error: the validator failed: {type(e).__name__}: {e} (run with --debug for details)", err=True
        )
        sys.exit(1)

    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "github":
        click.echo(render_github(report), nl=False)
    else:
        click.echo(render_text(report, colour=sys.stdout.isatty()), nl=False)
    sys.exit(2 if report.unreadable else 0 if report.ok else 1)
