"""`ecocluster diff`: what changed in the data between two versions of the package."""

from __future__ import annotations

import click

from .common import echo, echo_json, package_arg


@click.command(epilog="Exit codes: 0 compared (whether or not they differ); 2 an input cannot be read.")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="json is exactly the library's result; markdown is ready for a "
                                      "changelog entry or a pull request comment.")
def diff(old: str, new: str | None, fmt: str) -> None:
    """Compare two versions of the package, table by table and row by row.

    OLD and NEW are each a package folder, a datapackage.json or a release archive
    (ecocluster-<version>.zip); without NEW, the package in the current folder (or its nearest
    parent holding a datapackage.json), else the shipped one. Rows are matched by primary key and
    reported as added, removed or changed with each field's old and new value; schema changes (tables
    and columns added or removed, columns retyped, enum codes added or removed) come with the version
    bump the policy suggests.
    Differences are the result, not a failure: the exit code is 0 either way.

    \b
    Example:
        git worktree add /tmp/v0.1.0 v0.1.0
        ecocluster diff /tmp/v0.1.0 . --format markdown
        ecocluster diff build/ecocluster-0.1.0.zip build/ecocluster-0.2.0.zip
    """
    from ..curation.diff import diff_packages
    from ..curation.diff_report import render_markdown, render_text

    result = diff_packages(old, package_arg(new))
    if fmt == "json":
        echo_json(result.to_dict(), indent=2)
    else:
        echo(render_markdown(result) if fmt == "markdown" else render_text(result), nl=False)
