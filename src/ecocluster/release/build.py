"""`export()` and `build()`: write the package in every form its users open, all or nothing.

Each run writes the complete new outputs into a staging folder beside the output folder and, only
when every step has succeeded, swaps the two folders in one step (ecocluster.release.publish), so a failed
or interrupted run leaves the previous outputs as they were, and a reader sees the old outputs or
the new, never a mix. Each file is itself written to a temporary name and renamed (ecocluster.base.files).
The output folder's rules are in outdir.py, the manifest in manifest.py, the release archive in bundle.py.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..base.files import write_text
from ..errors import EcoclusterError, ExportError, FormatUnavailable
from ..exports import FORMATS, build_skip, format_module
from ..loading import validated_tables
from ..package import Package
from ..package.archive import open_package
from ..package.limits import format_problem
from ..tables import Tables, read_tables
from . import index
from .bundle import release_archive
from .manifest import MANIFEST, add_files, file_resources, manifest_of, write_manifest
from .outdir import check_out_dir, keep_build_whole
from .publish import publication

SITE = "site"  # written last, by build_site(), so its front page can list the other files
WRITERS = 2  # exporters run at once in `build` (the machines this is built on have two cores)
# The slowest writers start first, so the two workers finish close together.
SLOWEST_FIRST = ("sqlite", "duckdb")

Progress = Callable[[str], None]
Entries = dict[Path, dict[str, Any]]  # a file written -> its manifest entry


def export(path: str | Path | Package | None, formats: Iterable[str], out_dir: str | Path,
           progress: Progress | None = None) -> list[Path]:
    """Write `formats` (names from `ecocluster.exports.FORMATS`, or "all") into `out_dir`.

    Returns the paths written. Nothing is validated here; `build()` validates first.
    """
    with _opened(path) as package:
        return _export(package, formats, out_dir, progress)


def build(path: str | Path | Package | None = None, out_dir: str | Path = "build", validate: bool = True,
          progress: Progress | None = None, want_timings: bool = False, *, previous: str | Path | None = None,
          base_url: str | None = None) -> dict[str, Any]:
    """Validate, then write every export, the release archive, `.zenodo.json`, `manifest.json` and
    `releases.json` into `out_dir`.

    Returns the manifest: a Data Package descriptor listing every file written with its `bytes`
    and `hash` (sha256); releases.json (ecocluster.release.index), written after it, lists the manifest
    too. Raises InvalidData when the package does not validate (unless `validate=False`); nothing in
    `out_dir` changes unless every step succeeds. `path` may also be a release archive, as for `validate`.

    `previous`, the release before this one (a package, archive, build folder or published address:
    ecocluster.release.changes), adds changes/<old>..<new>.csv and .jsonl and changes/history.json,
    and gives releases.json the bump and whether the schema changed. `base_url`, the address this
    folder will be published at, makes every download link absolute (the site's pages, its JSON-LD
    and DCAT, and releases.json).
    """
    if base_url is not None:
        from ..package.remote import http_url

        base_url = http_url(base_url, "the base URL")
    with _opened(path) as package:
        comparison = _compare(package, previous) if previous is not None else None
        return _build(package, out_dir, validate, progress, want_timings, comparison, base_url)


@contextlib.contextmanager
def _opened(path: str | Path | Package | None) -> Iterator[Package]:
    """The package at `path`, as `validate` opens it: a folder, a descriptor or a release archive."""
    if isinstance(path, Package):
        yield path
    else:
        with open_package(path) as package:
            yield package


def _run(name: str, tables: Tables, out: Path) -> list[Path]:
    if problem := format_problem(tables.package, name):  # validate reports it; export refuses it the same way
        raise ExportError(f"the {name} export cannot be written: the {problem}",
                          hint="rename it; `ecocluster validate` lists every such name.")
    try:
        return format_module(name).export(tables, out)
    except EcoclusterError:
        raise
    except Exception as e:  # an engine's own error (sqlite3, duckdb, pyarrow) becomes the library's
        raise ExportError(f"the {name} export failed: {type(e).__name__}: {e}") from e


def _unavailable(name: str) -> bool:
    try:
        format_module(name)
    except FormatUnavailable:
        return True
    return False


def _export(package: Package, formats: Iterable[str], out_dir: str | Path, progress: Progress | None) -> list[Path]:
    out = check_out_dir(package, Path(out_dir))
    names = list(dict.fromkeys(formats))
    if "all" in names:  # every format whose library is installed; one asked for by name must be there
        names = [n for n in FORMATS if not _unavailable(n)]
    for name in names:
        format_module(name)  # an unknown or unavailable format fails before anything is read
    tables = read_tables(package)
    written: list[Path] = []
    with publication(out, progress=progress) as stage:
        for name in names:
            if progress:
                progress(f"exporting {name}")
            written += [out / p.relative_to(stage) for p in _run(name, tables, stage)]
        keep_build_whole(out, stage)
    return written


def _compare(package: Package, previous: str | Path) -> dict[str, Any]:
    """The previous release compared with this one: the diff, and its own entity history if it has one."""
    from ..curation.diff import diff_opened
    from ..errors import PreviousError
    from .changes import open_previous

    with open_previous(previous) as before:
        if before.package.version == package.version:
            raise PreviousError(f"the previous release {previous} has this package's version, {package.version}",
                                hint="give the release before this one, or bump the version in datapackage.json.")
        return {"diff": diff_opened(before.package, package), "history": before.history}


def _build(package: Package, out_dir: str | Path, validate: bool, progress: Progress | None,
           want_timings: bool, comparison: dict[str, Any] | None = None,
           base_url: str | None = None) -> dict[str, Any]:
    out = check_out_dir(package, Path(out_dir))
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = round(now - clock, 3)
        clock = now

    if progress:
        progress("validating" if validate else "reading")
    tables = validated_tables(package, progress) if validate else read_tables(package)
    lap("validate" if validate else "read")
    skipped: list[dict[str, str]] = []
    with publication(out, MANIFEST, progress) as stage:
        entries = _write_all(package, tables, stage, skipped, timings, progress)
        lap("exports")
        history, compared = _archive_files(package, tables, stage, comparison)
        manifest = manifest_of(package, stage, entries)
        _site(tables, stage, manifest, skipped, progress, base_url, history)
        lap(SITE)
        if skipped:
            manifest["skipped"] = skipped
        write_manifest(stage, manifest)
        entry = index.release_entry(stage, manifest, package.name, package.version, compared, base_url)
        write_text(stage / index.FILE, index.dumps(index.single(entry)))
    lap("publish")
    # not in the manifest file, which must be the same for the same data; the CLI can show them
    return {**manifest, "timings": timings} if want_timings else manifest


def _write_all(package: Package, tables: Tables, stage: Path, skipped: list[dict[str, str]],
               timings: dict[str, float], progress: Progress | None) -> Entries:
    """Every format but the site, and the release archive, into `stage`: the manifest entry of each
    file written. A format left out (build_skip) is added to `skipped`, each writer's seconds to `timings`."""
    names = []
    for name in (n for n in FORMATS if n != SITE):
        reason = build_skip(name, tables.rows)
        if reason:
            skipped.append({"format": name, "reason": reason})
        else:
            names.append(name)
    # Two at a time: SQLite, DuckDB, Arrow and zlib let go of Python's lock while they write, so a
    # second writer keeps the other core busy. Each writes only its own files, from frames that
    # nobody changes. A failure stops the build as before (the staging folder is then removed).
    entries: Entries = {}
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        names.sort(key=lambda n: n not in SLOWEST_FIRST)
        jobs = [pool.submit(_timed, name, functools.partial(_run, name, tables, stage), stage, progress)
                for name in names]
        jobs.append(pool.submit(_timed, "release", functools.partial(release_archive, package, stage),
                                stage, progress))
        for job in jobs:  # in order, so the first failure reported is the first format's
            step, seconds, hashed = job.result()
            timings[step] = seconds
            entries.update(hashed)
    return entries


def _timed(step: str, work: Callable[[], list[Path] | Path], stage: Path,
           progress: Progress | None) -> tuple[str, float, Entries]:
    """Run one writer and hash what it wrote, in the same worker: the hashing of one file overlaps
    the writing of another. Returns the step, its seconds and the manifest entry of each file."""
    if progress:
        progress(f"exporting {step}" if step != "release" else "writing the release archive")
    start = time.perf_counter()
    written = work()
    entries = file_resources(stage, [written] if isinstance(written, Path) else written)
    return step, round(time.perf_counter() - start, 3), entries


def _archive_files(package: Package, tables: Tables, stage: Path, comparison: dict[str, Any] | None,
                   ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """.zenodo.json and, with a previous release, the changes/ files: (the entity history for the site,
    what releases.json says of the comparison)."""
    from .changes import HISTORY, history_of, write_changes
    from .zenodo import FILE, zenodo_text

    write_text(stage / FILE, zenodo_text(package))
    if comparison is None:
        return None, None
    diff = comparison["diff"]
    written = write_changes(diff, stage)
    history = history_of(diff, comparison["history"], package, tables)
    write_text(stage / HISTORY, json.dumps(history, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return history, {"previous": diff.old["version"], "bump": diff.suggested_bump,
                     "schema_changed": diff.summary["schema_changes"] > 0,
                     "changes": [p.relative_to(stage).as_posix() for p in written]}


def _site(tables: Tables, stage: Path, manifest: dict[str, Any], skipped: list[dict[str, str]],
          progress: Progress | None, base_url: str | None = None, history: dict[str, Any] | None = None) -> None:
    """The website, last, from the manifest of the other files; its own files are then added to the
    manifest. A skip (over the site's limit) is recorded with the other formats left out."""
    from ..errors import SiteSkipped
    from ..exports.site import build_site

    if progress:
        progress("writing the site")
    try:
        written = build_site(tables, stage, manifest, base_url=base_url, history=history)
    except SiteSkipped as e:
        skipped.append({"format": SITE, "reason": e.reason})
        return
    except EcoclusterError:
        raise
    except Exception as e:  # a template or engine error becomes the library's
        raise ExportError(f"the site export failed: {type(e).__name__}: {e}") from e
    add_files(manifest, stage, written)
