"""`ecocluster describe`: a one-screen summary of the data package."""

from __future__ import annotations

from pathlib import Path

import click

from .common import EPILOG, echo, echo_json, package_arg


@click.command("describe", epilog=EPILOG)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def describe(path: Path | None, fmt: str) -> None:
    """Summarise the data package at PATH (default: the package in the current folder or
    its nearest parent holding a datapackage.json, else the shipped one).

    Version, licence, every table with its row count, the number of sources, the range of dates the
    data covers, and citation coverage: the share of fact rows with at least one citation and the
    share of citations that quote the source verbatim rather than the research file's summary.

    \b
    Example:
        ecocluster describe
        ecocluster describe path/to/datapackage.json --format json
    """
    from ..tables.summary import describe as summarise
    from ..tables.summary import format_text

    result = summarise(package_arg(path))
    if fmt == "json":
        echo_json(result, indent=2)
    else:
        echo(format_text(result), nl=False)
