"""`ecocluster fmt`: rewrite the CSVs in canonical form, or check that they are."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..base.escape import printable
from .common import echo, echo_json, package_arg, say


def _shown(root: Path, rel: str) -> str:
    path = root / rel
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


@click.command(epilog="Exit codes: 0 canonical (or rewritten); 1 a file would change (--check) or "
                      "cannot be parsed; 2 no package at PATH.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True,
              help="Change nothing; list the files that would change and exit 1 if any.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format; json is exactly the library's report.")
def fmt(path: Path | None, check: bool, fmt: str) -> None:
    """Rewrite the package's CSV files in canonical form.

    Canonical: UTF-8 without BOM, LF line endings, the header in Table Schema order, rows sorted by
    the primary key, minimal quoting, NFC text, no leading or trailing spaces in a cell. Each file is
    replaced atomically; a file that cannot be parsed is reported and left as it is. PATH is a
    package folder or its datapackage.json; by default the package in the current folder or its
    nearest parent holding a datapackage.json, else the shipped package.

    \b
    Example:
        ecocluster fmt
        ecocluster fmt --check path/to/package
    """
    from ..curation.fmt import format_package

    report = format_package(package_arg(path), check=check)

    root = Path(report.root)
    if fmt == "json":
        echo_json(report.to_dict(), indent=2)
    else:
        verb = "would reformat" if check else "reformatted"
        for rel in report.changed:
            echo(printable(f"{verb} {_shown(root, rel)}"))
    for p in report.problems:
        where = f", line {p.line}" if p.line is not None else ""
        say(f"{_shown(root, p.file)}{where}: {p.message} (left unchanged)",
            "fix it by hand, then run `ecocluster fmt` again.")
    total = len(report.changed) + len(report.unchanged) + len(report.problems)
    changed = f"{len(report.changed)} would be reformatted" if check else f"{len(report.changed)} reformatted"
    echo(f"{_plural(total, 'file')} checked: {changed}, {len(report.unchanged)} already canonical, "
         f"{len(report.problems)} unreadable.", err=True)
    raise SystemExit(0 if report.ok else 1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
