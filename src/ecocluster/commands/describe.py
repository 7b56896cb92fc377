"""`ecocluster describe`: a one-screen summary of the data package."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("describe")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def describe(path: Path | None, fmt: str) -> None:
    """Summarise the data package at PATH (default: the shipped one).

    Version, licence, every table with its row count, the number of sources, the range of dates the
    data covers, and citation coverage: the share of fact rows with at least one citation and the
    share of citations that quote the source verbatim rather than the research file's summary.

    \b
    Example:
        ecocluster describe
        ecocluster describe path/to/datapackage.json --format json
    """
    from ..errors import EcoclusterError, PackageNotFound
    from ..summary import describe as summarise
    from ..summary import format_text

    try:
        result = summarise(path)
    except PackageNotFound as e:
        click.echo(f"Error: {e}. Hint: give a datapackage.json or the folder holding it.", err=True)
        raise SystemExit(2) from None
    except (EcoclusterError, OSError, UnicodeDecodeError) as e:
        click.echo(f"Error: cannot read the package: {e}", err=True)
        raise SystemExit(1) from None
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(result), nl=False)
