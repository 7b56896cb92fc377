"""`ecocluster build`: validate, then write every export, the release archive and the manifest."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..base.escape import json_text, printable
from ..errors import InvalidData
from .common import EPILOG, QUIET_HELP, echo, echo_json, format_validation_error, package_arg, progress_to_stderr, say


@click.command(epilog=EPILOG)
@click.option("--out", "out", default="build", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write into (created if missing).")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: what was written, a line per file or folder; json: the manifest.")
@click.option("--quiet", "-q", is_flag=True, help=QUIET_HELP + " Also leaves out the closing summary.")
@click.option("--timings", is_flag=True, help="Print each step's seconds on stderr, as JSON (for scripts/bench.py).")
@click.option("--previous", metavar="PATH|URL",
              help="The release before this one (package folder, release .zip, build folder or published "
                   "address): also write changes/<old>..<new>.csv and .jsonl and the entity history.")
@click.option("--base-url", "base_url", metavar="URL",
              help="The address OUT will be published at: every download link (site, JSON-LD, DCAT, "
                   "releases.json) becomes absolute.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def build(out: Path, format_: str, quiet: bool, timings: bool, previous: str | None, base_url: str | None,
          path: Path | None) -> None:
    """Validate the data package at PATH and build every export into OUT.

    PATH is a datapackage.json, the folder holding one or a release archive; without it, the package in the current
    folder (or its nearest parent holding one), else the shipped package. Writes
    every format of `ecocluster export --to all`, the release archive <name>-<version>.zip (the
    descriptor, the CSVs and the schemas), .zenodo.json, manifest.json, a descriptor listing every file
    written with its size and SHA-256 hash, and releases.json, this version's entry of the index of
    releases (docs/downloads.md). Refuses invalid data (exit 1, the errors on stderr). Nothing in
    OUT changes unless the whole build succeeds.

    \b
    Example:
        ecocluster build
        ecocluster build --out dist/ --format json
        ecocluster build --previous old/ecocluster-0.1.0.zip --out dist/
    """
    from ..release import MANIFEST
    from ..release import build as run_build
    from ..release.index import FILE as RELEASES

    started = time.perf_counter()
    try:
        manifest = run_build(package_arg(path), out, progress=progress_to_stderr(quiet), want_timings=timings,
                             previous=previous, base_url=base_url)
    except InvalidData as e:
        report = e.report.to_dict()  # type: ignore[attr-defined]
        if format_ == "json":
            echo_json(report, err=True, indent=2)
        else:
            for error in report["errors"]:
                echo(format_validation_error(error), err=True)
        say(f"{e}; nothing was built", "fix the errors listed above (`ecocluster validate` lists them too).")
        raise SystemExit(1) from None
    steps = manifest.pop("timings", None)
    if steps is not None:
        echo("timings: " + json_text(steps), err=True)
    if format_ == "json":
        echo_json(manifest, indent=2)
    else:
        for line in _written(out, [*(r["path"] for r in manifest["resources"]), MANIFEST, RELEASES]):
            echo(printable(line))
    for skip in manifest.get("skipped", []):
        echo(printable(f"warning: skipped the {skip['format']} export: {skip['reason']}"), err=True)
    if quiet:
        return
    total = sum(r["bytes"] for r in manifest["resources"])
    echo(printable(f"built {len(manifest['resources']) + 2} files ({total:,} bytes) in {out} "
                   f"in {time.perf_counter() - started:.1f} s"), err=True)
    if any(r["path"] == "site/index.html" for r in manifest["resources"]):
        echo(printable(f"read it in a browser: {out / 'site' / 'index.html'}"), err=True)


def _written(out: Path, paths: list[str]) -> list[str]:
    """A line per file at the top of OUT and per folder, with how many files it holds (a site is
    thousands of pages: `--format json` lists every file)."""
    lines: dict[str, int] = {}
    for path in paths:
        top, sep, _ = path.partition("/")
        key = top + sep
        lines[key] = lines.get(key, 0) + 1
    return [f"{out / key}/ ({n} file{'s' if n != 1 else ''})" if key.endswith("/") else str(out / key)
            for key, n in lines.items()]
