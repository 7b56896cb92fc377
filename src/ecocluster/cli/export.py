"""`ecocluster export`: the package in one format, or all of them."""

from __future__ import annotations

from pathlib import Path

import click

from ..base.escape import printable
from ..exports import DESCRIPTIONS, FORMATS, OPTIONAL
from .common import EPILOG, QUIET_HELP, echo, echo_json, package_arg, progress_to_stderr


def _description(name: str) -> str:
    """The format's line, the same on every machine (the docs are made from it)."""
    extra = OPTIONAL.get(name, ("", ""))[1]
    return DESCRIPTIONS[name] + (f" (needs ecocluster[{extra}])" if extra else "")


def _formats_help() -> str:
    lines = [f"  {name:<8} {_description(name)}" for name in FORMATS]
    return "\b\nFormats:\n" + "\n".join(lines) + "\n  all      every format above\n\n" + EPILOG


@click.command(epilog=_formats_help())
@click.option("--to", "to", required=True, type=click.Choice([*FORMATS, "all"]), help="The format to write.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write into (created if missing).")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How to list the files written on stdout.")
@click.option("--quiet", "-q", is_flag=True, help=QUIET_HELP)
@click.argument("path", required=False, type=click.Path(path_type=Path))
def export(to: str, out: Path, format_: str, quiet: bool, path: Path | None) -> None:
    """Write the data package at PATH in one format (or all) into OUT.

    PATH is a datapackage.json, the folder holding one or a release archive; without it, the package in the current
    folder (or its nearest parent holding one), else the shipped package. The data
    is not validated here (`ecocluster build` validates first). Every file is written to a temporary
    name and renamed into place only when the whole format succeeded, so a failed export leaves
    earlier files as they were. A file that a build's manifest.json in OUT lists is not replaced
    (the manifest would be wrong): export into another folder, or run `ecocluster build`. Prints the
    paths written, one per line.

    \b
    Example:
        ecocluster export --to sqlite --out exports/
        sqlite3 exports/ecocluster.sqlite 'select * from agreement_signatories'
    """
    from ..release import export as run_export

    written = run_export(package_arg(path), [to], out, progress=progress_to_stderr(quiet))
    if format_ == "json":
        echo_json([str(p) for p in written], indent=2)
    else:
        for p in written:
            echo(printable(str(p)))
