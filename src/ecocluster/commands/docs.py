"""`ecocluster docs`: generate the data dictionary, the ER diagram and the partnership picture."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("docs")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--out", default="docs", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the generated files into.")
@click.option("--readme", default="README.md", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="README whose block between the `ecocluster docs` markers is rewritten.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if regenerating would change any file.")
@click.option("--force", is_flag=True, help="Re-render the pictures even when they are up to date.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def docs(path: Path | None, out: Path, readme: Path, check: bool, force: bool, fmt: str) -> None:
    """Generate the docs of the data package at PATH (default: the shipped one).

    Writes OUT/data-dictionary.md (every table and column, from the Table Schemas), OUT/er-diagram.mmd,
    .dot and .svg (the tables and their keys), OUT/partnership.dot, .svg and .png (who signed what and
    who builds what, from the data), and the diagrams' block in the README. The pictures need
    Graphviz's `dot`. Only files whose content changes are written. With --check nothing is written:
    the files regenerating would change are listed and the exit code is 1.

    \b
    Example:
        ecocluster docs
        ecocluster docs --check
        ecocluster docs path/to/datapackage.json --out build/docs --readme build/README.md
    """
    from ..docgen import check_docs, generate_docs
    from ..errors import EcoclusterError, PackageNotFound

    try:
        if check:
            result = check_docs(path, out, readme if readme.exists() else None)
        else:
            result = generate_docs(path, out, readme, force=force)
    except PackageNotFound as e:
        click.echo(f"Error: {e}. Hint: give a datapackage.json or the folder holding it.", err=True)
        raise SystemExit(2) from None
    except EcoclusterError as e:
        click.echo(f"Error: {e}", err=True)
        raise SystemExit(1) from None

    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif check:
        if result["fresh"]:
            click.echo(f"docs are up to date ({out})")
        for item in result["stale"]:
            click.echo(f"{item['path']}: {item['problem']}")
    else:
        for name in result["written"]:
            click.echo(name)
    for warning in result.get("warnings", []):
        click.echo(f"Warning: {warning}", err=True)
    if check and not result["fresh"]:
        click.echo("Error: the docs are stale; run `ecocluster docs` and commit the result.", err=True)
        raise SystemExit(1)
