"""`ecocluster docs`: generate the data dictionary, the ER diagram and the partnership picture."""

from __future__ import annotations

from pathlib import Path

import click

from ..base.escape import printable
from .common import EPILOG, echo, echo_json, package_arg, say


@click.command("docs", epilog=EPILOG)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--out", default="docs", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the generated files into.")
@click.option("--page", "--readme", "readme", default="docs/tables.md", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The Markdown page whose block between the `ecocluster docs` markers is rewritten "
                   "(--readme is the older name).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if regenerating would change any file.")
@click.option("--force", is_flag=True, help="Re-render the pictures even when they are up to date.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def docs(path: Path | None, out: Path, readme: Path, check: bool, force: bool, fmt: str) -> None:
    """Generate the docs of the data package at PATH (default: the package in the current folder or its
    nearest parent holding a datapackage.json, else the shipped one).

    Writes OUT/data-dictionary.md (every table and column, from the Table Schemas), OUT/er-diagram.mmd,
    .dot and .svg (the tables and their keys), OUT/partnership.dot, .svg and .png (who signed what and
    who builds what, from the data), and the diagrams' block in docs/tables.md. The pictures need
    Graphviz's `dot`; without it nothing is written and the pictures it cannot draw are named. All or
    nothing: every changed file is written, or none. Only files whose content changes are written. In
    a source checkout, validation/models.py, OUT/validation.md and OUT/cli.md (this reference, from
    each command's --help) are regenerated too. With --check
    nothing is written and `dot` is not needed: the texts are compared byte for byte and each picture
    by the DOT hash stamped in it; the files regenerating would change are listed and the exit code is 1.

    \b
    Example:
        ecocluster docs
        ecocluster docs --check
        ecocluster docs path/to/datapackage.json --out build/docs --page build/tables.md
    """
    from ..curation.docgen import check_docs, generate_docs

    package = package_arg(path)
    root = package if package.is_dir() else package.parent
    extra = None
    if (root / "src" / "ecocluster" / "cli").is_dir():  # a source checkout: its command reference too
        from .reference import cli_reference

        extra = {"cli.md": cli_reference()}
    if check:
        result = check_docs(package, out, readme if readme.exists() else None, extra)
    else:
        result = generate_docs(package, out, readme, force=force, extra=extra)

    if fmt == "json":
        echo_json(result, indent=2)
    elif check:
        if result["fresh"]:
            echo(printable(f"docs are up to date ({out})"))
        for item in result["stale"]:
            echo(printable(f"{item['path']}: {item['problem']}"))
    else:
        for name in result["written"]:
            echo(printable(name))
    for warning in result.get("warnings", []):
        echo(printable(f"warning: {warning}"), err=True)
    if check and not result["fresh"]:
        say("the docs are stale", "run `ecocluster docs` and commit the result.")
        raise SystemExit(1)
