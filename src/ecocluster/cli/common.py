"""What the commands share: which package they open, and one voice for every failure.

Every failure is reported the same way, from one place (`report_error`, called by the group in
ecocluster.cli for any exception a command lets through): `error: <what went wrong>` then
`hint: <how to fix it>` on stderr, and an exit code chosen by the kind of error alone, so the same
input gets the same code from every command.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ..errors import EcoclusterError, PackageNotFound

EPILOG = ("Exit codes: 0 ok; 1 invalid data or failed operation; 2 usage error or missing input.\n\n"
          "Without PATH, the package in the current folder (or its nearest parent holding a "
          "datapackage.json) is used, else the shipped one. Error codes: `ecocluster validate --explain CODE`.")

QUIET_HELP = "No progress on stderr (it is shown only when stderr is a terminal)."
REPORT_URL = "the project's issue tracker"
DEBUG_ENV = "ECOCLUSTER_DEBUG"

# The hint shown when an error carries none of its own, by error class name.
DEFAULT_HINTS = {
    "PackageNotFound": "give a datapackage.json or the folder holding it.",
    "UnreadableTable": "each input must be a package folder, a datapackage.json or a release .zip, "
                       "with readable UTF-8 CSV files.",
    "ArchiveError": "give a release archive made by `ecocluster build`, or the unzipped folder.",
    "OutputPathError": "choose a separate, writable folder such as build/.",
    "GraphvizError": "install Graphviz (apt-get install graphviz).",
    "FormatUnavailable": "pip install \"ecocluster[ftm]\" (FollowTheMoney needs PyICU, built against libicu-dev).",
}


def progress_to_stderr(quiet: bool) -> Callable[[str], None] | None:
    """The progress callback the library is given: a line on stderr per step, for a person watching a
    terminal; None (no progress) with --quiet or when stderr is a file, a pipe or a test runner."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"{message}…", err=True)


def package_arg(path: str | Path | None) -> Path:
    """The package a command opens: PATH as given, or (no PATH) the one `paths.package_here` finds,
    announced on stderr with its version so nobody checks the installed copy by surprise."""
    if path is not None:
        return Path(path)
    from ..base.paths import package_here

    descriptor = package_here()
    try:
        version = json.loads(descriptor.read_text(encoding="utf-8")).get("version") or "no version"
    except (OSError, ValueError, AttributeError):
        version = "unreadable"
    click.echo(f"package: {descriptor} (version {version})", err=True)
    return descriptor


def exit_code(error: BaseException) -> int:
    """2 when the input is missing or cannot be read (or the output folder cannot be used), else 1."""
    from ..curation.diff import UnreadableTable
    from ..package import PackageError
    from ..package.archive import ArchiveError
    from ..release import OutputPathError

    code = getattr(error, "exit_code", None)  # an error class that says its own code (errors.py)
    if isinstance(code, int):
        return code
    usage = (PackageNotFound, PackageError, OutputPathError, ArchiveError, UnreadableTable)
    return 2 if isinstance(error, usage) else 1


def say(message: str, hint: str = "") -> None:
    """One failure, in the one shape: `error: ...` and, when there is one, `hint: ...`."""
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)


def _os_hint(error: BaseException | None) -> str:
    """What to do about an OS error (a full disk, a file too large), also when wrapped by an export."""
    from ..base.files import HINTS

    while error is not None and not isinstance(error, OSError):
        error = error.__cause__
    return HINTS.get(error.errno or 0, "") if isinstance(error, OSError) else ""


def fail(error: EcoclusterError) -> NoReturn:
    """Report a library error on stderr and exit with its code."""
    hint = getattr(error, "hint", "") or _os_hint(error.__cause__) or DEFAULT_HINTS.get(type(error).__name__, "")
    say(str(error), hint)
    raise SystemExit(exit_code(error))


def report_error(error: Exception, debug: bool = False) -> NoReturn:
    """Any exception a command let through: a library error as `fail` says it; anything else is a
    bug in ecocluster, exit 1, with its traceback only when asked (--debug or ECOCLUSTER_DEBUG=1)."""
    if isinstance(error, EcoclusterError):
        fail(error)
    if isinstance(error, UnicodeDecodeError):  # a file the library read as it went
        say(f"cannot read the input: {error}", "check that every file the package names exists and is UTF-8.")
        raise SystemExit(1)
    if isinstance(error, OSError):  # a file read or written as the library went (writes are WriteError)
        where = f" {os.fsdecode(error.filename)}" if error.filename is not None else ""
        say(f"cannot read or write{where}: {error.strerror or error}",
            _os_hint(error) or "check that every file the package names exists and that the output folder "
                               "is writable.")
        raise SystemExit(1)
    if debug or os.environ.get(DEBUG_ENV):
        traceback.print_exception(error)
    say(f"internal error: {type(error).__name__}: {error}",
        f"this is a bug in ecocluster; please report it to {REPORT_URL} with the command you ran "
        f"(rerun with {DEBUG_ENV}=1 for the traceback).")
    raise SystemExit(1)


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
