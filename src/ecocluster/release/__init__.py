"""`export()` and `build()`: write the package in every form its users open, all or nothing.

Each run writes the complete new outputs into a staging folder beside the output folder and, only
when every step has succeeded, swaps the two folders in one step (ecocluster.release.publish), so a failed
or interrupted run leaves the previous outputs as they were, and a reader sees the old outputs or
the new, never a mix. Each file is itself written to a temporary name and renamed (ecocluster.base.files).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from ..base.files import atomic_path, write_text
from ..base.mediatypes import media_type
from ..errors import EcoclusterError, ExportError, FormatUnavailable, OutputPathError
from ..exports import FORMATS, build_skip, format_module
from ..loading import validated_tables
from ..package import Package, inside
from ..package.archive import open_package
from ..tables import Tables, read_tables
from . import index
from .publish import listed, publication

MANIFEST = "manifest.json"
ZIP_LEVEL = 4
COPY_CHUNK = 1 << 20
# Files that two builds of the same data do not give byte for byte, and why (marked in the manifest).
NOT_REPRODUCIBLE = {
    "ecocluster.duckdb": "DuckDB lays its storage blocks out differently from one run to the next, even on one "
                         "thread; the tables, keys, rows and comments are the same",
    "site/index.html": "lists the SHA-256 of ecocluster.duckdb",
    "site/dcat.jsonld": "lists the SHA-256 of ecocluster.duckdb",
}
SITE = "site"  # written last, by build_site(), so its front page can list the other files

Progress = Callable[[str], None]


__all__ = ["MANIFEST", "OutputPathError", "build", "check_out_dir", "export", "release_archive"]


def check_out_dir(package: Package, out_dir: Path) -> Path:
    """The output folder, refused when it is a file or would mix outputs with the package's sources:
    when it is (or is inside) a folder of the package's files other than its root, or holds any of
    them (the whole folder is replaced on publication, ecocluster.release.publish)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"the output path {out} is a file, not a folder")
    resolved = out.resolve()
    sources = [package.descriptor_path.resolve()] + [(package.root / p).resolve()
                                                     for r in package.resources for p in (r.path, r.schema_path) if p]
    for d in {package.root} | {p.parent for p in sources}:
        if resolved == d or (d != package.root and d in resolved.parents):
            raise OutputPathError(f"the output folder {out} is the package's own folder {d}; "
                                  "choose a separate folder such as build/")
    inside = next((p for p in sources if resolved in p.parents), None)
    if inside is not None:
        raise OutputPathError(f"the output folder {out} holds the package's own file {inside}; "
                              "choose a folder outside the package such as build/")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputPathError(f"the output folder {out} cannot be created: {e.strerror}") from None
    if not os.access(out, os.W_OK):
        raise OutputPathError(f"the output folder {out} is not writable")
    return out


def _run(name: str, tables: Tables, out: Path) -> list[Path]:
    try:
        return format_module(name).export(tables, out)
    except EcoclusterError:
        raise
    except Exception as e:  # an engine's own error (sqlite3, duckdb, pyarrow) becomes the library's
        raise ExportError(f"the {name} export failed: {type(e).__name__}: {e}") from e


WRITERS = 2  # exporters run at once in `build` (the machines this is built on have two cores)


# The slowest writers start first, so the two workers finish close together.
SLOWEST_FIRST = ("sqlite", "duckdb")


def _timed(step: str, work: Callable[[], list[Path] | Path], stage: Path,
           progress: Progress | None) -> tuple[str, float, dict[Path, dict[str, Any]]]:
    """Run one writer and hash what it wrote, in the same worker: the hashing of one file overlaps
    the writing of another. Returns the step, its seconds and the manifest entry of each file."""
    if progress:
        progress(f"exporting {step}" if step != "release" else "writing the release archive")
    start = time.perf_counter()
    written = work()
    paths = [written] if isinstance(written, Path) else written
    entries = {p: _file_resource(p, p.relative_to(stage).as_posix())
               for path in paths for p in ([path] if path.is_file() else sorted(path.rglob("*")))
               if p.is_file()}
    return step, round(time.perf_counter() - start, 3), entries


def _unavailable(name: str) -> bool:
    try:
        format_module(name)
    except FormatUnavailable:
        return True
    return False


@contextlib.contextmanager
def _opened(path: str | Path | Package | None) -> Iterator[Package]:
    """The package at `path`, as `validate` opens it: a folder, a descriptor or a release archive."""
    if isinstance(path, Package):
        yield path
    else:
        with open_package(path) as package:
            yield package


def export(path: str | Path | Package | None, formats: Iterable[str], out_dir: str | Path,
           progress: Progress | None = None) -> list[Path]:
    """Write `formats` (names from `ecocluster.exports.FORMATS`, or "all") into `out_dir`.

    Returns the paths written. Nothing is validated here; `build()` validates first.
    """
    with _opened(path) as package:
        return _export(package, formats, out_dir, progress)


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
        _keep_build_whole(out, stage)
    return written


def _keep_build_whole(out: Path, stage: Path) -> None:
    """Refuse an export that would replace a file a build in `out` lists in its manifest: the
    manifest's hashes, the site's downloads and the release beside it would then describe files that
    are no longer there. Files the build did not write (a format it skipped) may be added."""
    ours = listed(out, MANIFEST)
    replaced = sorted(rel for p in stage.rglob("*") if p.is_file() and (rel := p.relative_to(stage).as_posix()) in ours)
    if replaced:
        more = f" and {len(replaced) - 1} more of its files" if len(replaced) > 1 else ""
        raise OutputPathError(
            f"the output folder {out} holds a build: its {MANIFEST} lists {replaced[0]}{more}, which this "
            "export would replace, leaving the manifest's hashes and the site's downloads out of date",
            hint="run `ecocluster build` to write the whole folder again, or export into another folder.")


def release_archive(package: Package, out_dir: Path) -> Path:
    """`<name>-<version>.zip`: a data package that stands alone, `datapackage.json` at its root.

    It holds the descriptor, the CSVs and the schemas, a README for downloaders (what the tables are,
    how to load them, how to cite: ecocluster.release.readme), the data licence and, when the package
    has them, the code licence (LICENSE), DATASHEET.md, CITATION.cff and CHANGELOG.md. Entries carry the
    package's creation date instead of the clock and are sorted, so a rebuild is byte-identical.
    """
    from .readme import CODE_LICENSE, DATA_LICENSE, EXTRAS, data_license_text, release_readme

    stem = f"{package.name}-{package.version}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem):
        raise ExportError(f"`{stem}` (name-version) is not a safe file name for the release archive")
    # member -> a file to copy (streamed: a table of ten million rows never sits in memory) or bytes
    files: dict[str, Path | bytes] = {package.descriptor_path.name: package.descriptor_path}
    for rel in sorted({p for r in package.resources for p in (r.path, r.schema_path) if p}):
        files[rel] = inside(package.root, rel, regular=False)
    # The extras are optional: one that is missing, not a file or not safe to read is left out.
    for name in EXTRAS:
        if (path := package.file(name)) is not None:
            files[name] = path
    for name in ("LICENSE", CODE_LICENSE):  # a release unpacked and built again keeps its code licence
        if (path := package.file(name)) is not None:
            files[CODE_LICENSE] = path
            break
    files[DATA_LICENSE] = data_license_text(package).encode("utf-8")
    files["README.md"] = release_readme(package, sorted(files)).encode("utf-8")
    created = str(package.descriptor.get("created", ""))
    try:
        stamp = datetime.fromisoformat(created.replace("Z", "+00:00")).timetuple()[:6]
    except ValueError:
        stamp = (1980, 1, 1, 0, 0, 0)
    if stamp[0] < 1980:  # the zip format cannot hold earlier dates
        stamp = (1980, 1, 1, 0, 0, 0)
    target = Path(out_dir) / f"{stem}.zip"
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for member in sorted(files, key=lambda m: (m != package.descriptor_path.name, m)):
            info = zipfile.ZipInfo(member, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            # level 4: a twentieth bigger than zlib's default 6 on CSV text, in less than half the time.
            # Python 3.13 names the attribute compress_level; 3.11 and 3.12 read only _compresslevel.
            setattr(info, "compress_level" if sys.version_info >= (3, 13) else "_compresslevel", ZIP_LEVEL)
            info.external_attr = 0o644 << 16
            source = files[member]
            if isinstance(source, bytes):
                zf.writestr(info, source)
            else:
                big = source.stat().st_size >= zipfile.ZIP64_LIMIT
                with open(source, "rb") as src, zf.open(info, "w", force_zip64=big) as dst:
                    shutil.copyfileobj(src, dst, COPY_CHUNK)
    return target


def _file_resource(path: Path, rel: str) -> dict[str, Any]:
    with open(path, "rb") as fh:  # streamed: a database of a million rows need not sit in memory
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    out = {"name": re.sub(r"[^a-z0-9._-]+", "-", rel.lower()), "path": rel,
           "format": path.suffix.lstrip("."),
           "mediatype": media_type(path),
           "bytes": path.stat().st_size, "hash": "sha256:" + digest}
    if rel in NOT_REPRODUCIBLE:
        out["reproducible"] = False
        out["reproducible_note"] = NOT_REPRODUCIBLE[rel]
    return out


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


def _compare(package: Package, previous: str | Path) -> dict[str, Any]:
    """The previous release compared with this one: the diff, and its own entity history if it has one."""
    from ..curation.diff import diff_opened
    from .changes import PreviousError, open_previous

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
        entries: dict[Path, dict[str, Any]] = {}
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
        lap("exports")
        history, compared = _archive_files(package, tables, stage, comparison)
        files = sorted((p for p in stage.rglob("*") if p.is_file()),
                       key=lambda p: p.relative_to(stage).as_posix())
        manifest = {
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
            "name": f"{package.name}-build",
            "title": f"{package.descriptor.get('title', package.name)}: build outputs",
            "description": f"Every file `ecocluster build` wrote from {package.name} {package.version}, "
                           "with its size and SHA-256 hash.",
            "version": package.version,
            "licenses": package.descriptor.get("licenses", []),
            "resources": [entries.get(p) or _file_resource(p, p.relative_to(stage).as_posix()) for p in files],
        }
        _site(tables, stage, manifest, skipped, progress, base_url, history)
        lap(SITE)
        if skipped:
            manifest["skipped"] = skipped
        write_text(stage / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        entry = index.release_entry(stage, manifest, package.name, package.version, compared, base_url)
        write_text(stage / index.FILE, index.dumps(index.single(entry)))
    lap("publish")
    # not in the manifest file, which must be the same for the same data; the CLI can show them
    return {**manifest, "timings": timings} if want_timings else manifest


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
    manifest["resources"] += [_file_resource(p, p.relative_to(stage).as_posix()) for p in written]
    manifest["resources"].sort(key=lambda r: r["path"])
