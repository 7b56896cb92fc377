"""What the commands share: which package they open, and one voice for every failure.

Every failure is reported the same way, from one place (`report_error`, called by the group in
ecocluster.cli for any exception a command lets through): `error: <what went wrong>` then
`hint: <how to fix it>` on stderr, and the exit code the exception carries (ecocluster.errors), so the
same input gets the same code from every command.

Every line a command prints goes through `echo`: text from the data (a cell, a key, a title, a file
or archive member name) reaches a terminal as text, with each control or invisible character shown as
an escape (`base.escape.printable`), and no line is a command to a CI runner (`base.escape.ci_line`);
JSON is written by `base.escape.json_text`. Only the workflow commands `validate --format github` and
`azure` mean to write pass as they are, their values escaped by `workflow_value` and `azure_value`.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ..base.escape import ci_line, json_text, printable, printable_lines
from ..errors import OS_HINTS, EcoclusterError

EPILOG = ("Exit codes: 0 ok; 1 invalid data or failed operation; 2 usage error or missing input.\n\n"
          "Without PATH, the package in the current folder (or its nearest parent holding a "
          "datapackage.json) is used, else the shipped one. Error codes: `ecocluster validate --explain CODE`.")

QUIET_HELP = "No progress on stderr (it is shown only when stderr is a terminal)."
REPORT_URL = "the project's issue tracker"
DEBUG_ENV = "ECOCLUSTER_DEBUG"


STREAMS = {"stdout_broken": False}  # set when a reader of stdout went away (`| head`): the exit code says so


def echo(text: str = "", err: bool = False, nl: bool = True, escaped: bool = False, commands: bool = False) -> None:
    """Print `text` (several lines, or one): each line with its controls shown as escapes (`escaped`:
    the text escaped them already, and may colour itself) and made no CI command (`commands`: the text
    is the workflow commands it means to be).

    A stream that breaks (its reader went away) ends the output there, quietly: what is left to say
    is dropped, the command runs to its end (an output folder is whole, old or new) and, for stdout,
    whose results did not all arrive, the exit code is at least 1 (`entry`)."""
    if not commands:
        lines = text.split("\n") if escaped else printable_lines(text).split("\n")
        text = "\n".join(ci_line(line) for line in lines)
    try:
        click.echo(text, err=err, nl=nl)
    except OSError:  # EPIPE, or an I/O error of the terminal: nothing more can be shown on that stream
        silence(2 if err else 1)
        if not err:
            STREAMS["stdout_broken"] = True


def silence(fd: int) -> None:
    """Point file descriptor `fd` (1 or 2) at /dev/null, so that writing and flushing there succeed."""
    stream = sys.stdout if fd == 1 else sys.stderr
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass
    if stream is not None:
        try:  # what is still buffered for the broken stream goes to /dev/null now
            stream.flush()
        except (OSError, ValueError):
            pass


def echo_json(value: Any, err: bool = False, **options: Any) -> None:
    """`value` as JSON (`base.escape.json_text`: no control sequence, no CI command)."""
    click.echo(json_text(value, **options), err=err)


def progress_to_stderr(quiet: bool) -> Callable[[str], None] | None:
    """The progress callback the library is given: a line on stderr per step, for a person watching a
    terminal; None (no progress) with --quiet or when stderr is a file, a pipe or a test runner."""
    if quiet or not sys.stderr or not sys.stderr.isatty():
        return None
    return lambda message: echo(f"{printable(message)}…", err=True)


def package_arg(path: str | Path | None) -> Path:
    """The package a command opens: PATH as given, or (no PATH) the one `paths.package_here` finds,
    announced on stderr with its version so nobody checks the installed copy by surprise."""
    if path is not None:
        return Path(path)
    from ..base.paths import package_here

    descriptor = package_here()
    from ..errors import PackageError
    from ..package.opening import read_json

    try:  # read as the package is opened (safely: no FIFO, no nesting that overflows the parser)
        version = read_json(descriptor).get("version") or "no version"
    except (PackageError, OSError, AttributeError):
        version = "unreadable"
    echo(printable(f"package: {descriptor} (version {version})"), err=True)
    return descriptor


def say(message: str, hint: str = "") -> None:
    """One failure, in the one shape: `error: ...` and, when there is one, `hint: ...`. Each is one
    line: a line break from the data in it is shown as `\x0a`, like any other control."""
    echo(printable(f"error: {message}"), err=True)
    if hint:
        echo(printable(f"hint: {hint}"), err=True)


def _os_hint(error: BaseException | None) -> str:
    """What to do about an OS error (a full disk, a file too large), also when wrapped by an export."""
    while error is not None and not isinstance(error, OSError):
        error = error.__cause__
    return OS_HINTS.get(error.errno or 0, "") if isinstance(error, OSError) else ""


def fail(error: EcoclusterError) -> NoReturn:
    """Report a library error on stderr and exit with the code it carries."""
    say(str(error), _os_hint(error.__cause__) or error.hint)
    raise SystemExit(error.exit_code)


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
    return printable(f"{where + ': ' if where else ''}{e.get('message', '')} [{e.get('code', '')}].{hint}")
