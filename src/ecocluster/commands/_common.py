"""What the commands share: one way to report that the library could not run, with its exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from ..errors import EcoclusterError, PackageNotFound

EPILOG = "Exit codes: 0 ok; 1 invalid data or failed operation; 2 usage error or missing input."


QUIET_HELP = "No progress on stderr (it is shown only when stderr is a terminal)."


def progress_to_stderr(quiet: bool) -> Callable[[str], None] | None:
    """The progress callback the library is given: a line on stderr per step, for a person watching a
    terminal; None (no progress) with --quiet or when stderr is a file, a pipe or a test runner."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"{message}…", err=True)


def fail(error: EcoclusterError) -> NoReturn:
    """Print the error (and its hint, when it has one) on stderr and exit: 2 for missing input, else 1."""
    from ..release import OutputPathError

    click.echo(f"error: {error}", err=True)
    hint = getattr(error, "hint", "")
    if hint:
        click.echo(f"hint: {hint}", err=True)
    raise SystemExit(2 if isinstance(error, PackageNotFound | OutputPathError) else 1)


def format_validation_error(e: dict[str, Any]) -> str:
    """One validation error as a line a person can act on: where, what, and how to fix it."""
    where = ", ".join(str(x) for x in [
        e.get("resource") or "",
        f"row {e['row']}" if e.get("row") not in (None, "") else "",
        f"field {e['field']}" if e.get("field") else "",
        f"value {e['value']!r}" if e.get("value") not in (None, "") else "",
    ] if x)
    hint = f" Hint: {e['hint']}" if e.get("hint") else ""
    return f"{where + ': ' if where else ''}{e.get('message', '')} [{e.get('code', '')}].{hint}"
