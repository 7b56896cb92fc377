"""The `ecocluster` command: a thin Click layer over the library.

Each subcommand lives in its own module under `ecocluster.cli` and is
imported only when it runs, so `ecocluster --help` answers at once.

Exit codes: 0 ok; 1 invalid data or failed operation; 2 usage error or missing input.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from ..base.version import VERSION

# name -> "module:attribute"; each module imports its heavy dependencies inside the command.
COMMANDS: dict[str, tuple[str, str]] = {
    "fmt": ("ecocluster.cli.fmt:fmt", "Rewrite the CSVs in canonical form (--check: only report)."),
    "diff": ("ecocluster.cli.diff:diff", "Compare two versions of the package, row by row."),
    "build": ("ecocluster.cli.build:build", "Validate, then write every export and a release."),
    "export": ("ecocluster.cli.export:export", "Write one format (Parquet, SQLite, SQL, FtM, Popolo, …)."),
    "describe": ("ecocluster.cli.describe:describe", "One-screen summary: tables, dates, citations."),
    "docs": ("ecocluster.cli.docs:docs", "Generate the data dictionary and the diagrams."),
    "download": ("ecocluster.cli.download:download", "Fetch a published release, verified against releases.json."),
    "validate": ("ecocluster.cli.validate:validate", "Check the data package; report every error."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module, attr = COMMANDS[name][0].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        # The one place any failure becomes a message and an exit code (see commands._common).
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.Abort, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as e:
            from .common import report_error

            report_error(e, debug=bool(ctx.meta.get("ecocluster.debug")))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from the table, so listing commands imports nothing.
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


EPILOG = ("Exit codes: 0 ok; 1 invalid data or failed operation; 2 usage error or missing input. "
          "Without PATH, a command uses the package in the current folder (or its nearest parent holding a "
          "datapackage.json), else the shipped one. What an error code means: "
          "`ecocluster validate --explain CODE`.")


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, "--version", prog_name="ecocluster")
@click.option("--debug", is_flag=True, help="On an internal error, show the traceback (or set ECOCLUSTER_DEBUG=1).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Validate and export the ecocluster data package.

    \b
    Example:
        ecocluster --version
        ecocluster validate --explain date-invalid
    """
    ctx.meta["ecocluster.debug"] = debug
    try:  # every relative path (the package, --out) is read from the current folder
        os.getcwd()
    except OSError:
        from ..errors import InputError

        raise InputError("the current folder no longer exists (it was deleted or moved away)",
                         hint="change to an existing folder (cd) and run the command again.") from None


JEMALLOC = "dirty_decay_ms:1000,muzzy_decay_ms:0"


def entry() -> None:
    """The `ecocluster` console script (and `python -m ecocluster`): run a command, then end the
    process at once.

    Tearing the interpreter down, freeing every module and object polars and pyarrow made, takes
    50-80 ms here, longer than validating the shipped package; by then there is nothing left to do:
    every file a command writes is closed and renamed into place before the command returns, and
    stdout and stderr are flushed below. mypy does the same (its `--fast-exit`). `main` itself, as
    the tests and the library's users call it, ends as usual.
    """
    _streams()
    # polars' allocator (jemalloc) keeps freed memory for 10 s before giving it back; a command that
    # frees a table's working copies and then loads the next holds both. Given back within a second,
    # the peak of `build` at 10M rows is lower; at once (0 ms) it would cost validate 15% in page faults.
    # Set before polars is imported; a user's own setting wins.
    os.environ.setdefault("_RJEM_MALLOC_CONF", JEMALLOC)
    try:
        main(prog_name="ecocluster")
        code = 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:  # sys.exit("message"): print it as Python would
            print(e.code, file=sys.stderr)
            code = 1
    from .common import STREAMS, silence

    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream: nothing more can be shown
            silence(fd)
            STREAMS["stdout_broken"] |= fd == 1
    if STREAMS["stdout_broken"]:  # the results did not all reach their reader
        code = code or 1
    os._exit(code)


def _streams() -> None:
    """Standard streams a command can always write to, in any encoding.

    A stream closed by the caller (`ecocluster validate >&-`) is opened on /dev/null: what would go
    there is dropped, the exit code is the command's own, and no file the command opens can take its
    number (a database written into the output folder must never receive the text meant for stdout).
    A character the output's encoding lacks (PYTHONIOENCODING=latin-1 and Korean text) is written as
    an escape (`\ud55c`), never an error."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDWR)
            except OSError:
                continue
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = getattr(sys, name)
        if stream is None:  # Python found the descriptor closed when it started
            setattr(sys, name, open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False))
        elif hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
