"""One validation run: open the package, read each table once, check it, then check across tables."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from ..errors import ArchiveError, PackageError, PackageNotFound
from ..package import Package, Resource
from ..package.archive import is_archive, package_path
from ..rules import RULES
from ..tables.reader import LINE, Table, read_table, report_unreadable
from . import standards
from .checks import check_table
from .collect import Collector
from .cross import check_package, deferred_patterns, early_jobs, needed_columns
from .descriptor import check_descriptor
from .report import Report

READERS = 1  # files read at once, while the main thread checks the last one read


def _schema_problems(pkg: Package, out: Collector) -> None:
    """Schema mistakes that only show once all resources are known, reported before any data is read."""
    names = set(pkg.resource_names)
    for res in pkg.resources:
        for fk in res.foreign_keys:
            lost = [f for f in fk.reference_fields if fk.resource in names
                    and f not in pkg.resource(fk.resource).field_names]
            if lost:
                out.one(
                    "schema-invalid",
                    res.name,
                    fk.field,
                    detail=f"the foreign key on `{fk.field}` of `{res.name}` names `{fk.resource}."
                    f"{lost[0]}`, which is not a field",
                    hint=f"Name a field of `{fk.resource}` in the foreign key's `reference.fields`.",
                )
            if fk.resource not in names:
                out.one(
                    "schema-invalid",
                    res.name,
                    fk.field,
                    detail=f"the foreign key on `{fk.field}` of `{res.name}` names `{fk.resource}`, "
                    "which the package does not have",
                    hint="Name a resource of datapackage.json in the foreign key's `reference.resource`.",
                )
    # every pattern compiled in one query; one by one only to find which fails
    fields = [(res, f) for res in pkg.resources for f in res.fields if f.pattern is not None]
    if _compile([f.pattern or "" for _, f in fields]):
        return
    for res, f in fields:
        if not _compile([f.pattern or ""]):
            out.one(
                "schema-invalid",
                res.name,
                f.name,
                detail=f"the pattern of `{res.name}.{f.name}` is not a valid regular expression",
                hint="Fix the pattern: brackets and parentheses must pair up, and look-around and "
                "backreferences are not supported.",
            )


def _compile(patterns: list[str]) -> bool:
    """Whether polars accepts every one of these regular expressions."""
    try:
        pl.select([pl.lit("", pl.String).str.contains(p).alias(f"p{i}") for i, p in enumerate(patterns)])
    except pl.exceptions.PolarsError:
        return False
    return True


def _read(pkg: Package, res: Resource) -> tuple[Table | None, Collector]:
    """One table, read in the background with the problems of its file in its own collector, so a
    read started before the schema was found sound can be dropped without a trace."""
    found = Collector()
    try:
        return read_table(pkg, res, found), found
    except OSError as e:  # permission denied, a folder in the file's place, an I/O error
        report_unreadable(found, res, e)
        return None, found


def _result(future: Future, out: Collector) -> Table | None:
    """The table read in the background; its file's problems join the report."""
    table, found = future.result()
    out.frames.extend(found.frames)
    return table


def _warm_languages(pkg: Package) -> threading.Thread | None:
    """Import the language-tag registry in a thread while the CSV files are read (it takes ~40 ms), if
    a field holds language tags. The caller joins the thread, so the import never outlives the run."""
    if not any(f.is_language for r in pkg.resources for f in r.fields):
        return None
    thread = threading.Thread(target=standards.language_registry, name="ecocluster-warm-languages")
    thread.start()
    return thread


def _size(pkg: Package, res: Resource) -> int:
    try:
        return pkg.csv_path(res).stat().st_size
    except OSError:
        return 0


def _slim(pkg: Package, table: Table, keep: bool) -> Table:
    """Keep only what cross-table rules read, so ten million rows fit in memory (all of it with `keep`)."""
    needed = needed_columns(pkg, table.resource) if not keep else set(table.resource.field_names)
    table.frame = table.frame.select([*(c for c in table.frame.columns if c in needed), LINE])
    return table


def run(
    path: str | Path | Package | None = None,
    max_errors: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Validate, never raising: any input the checks below did not foresee becomes `internal-error`."""
    try:
        if path is not None and not isinstance(path, Package) and is_archive(path):
            return _run_archive(Path(path), max_errors, progress)
        return check(path, max_errors, progress)[0]
    except Exception as e:  # a bug in the validator, not in the data: a report entry, not a traceback
        out = Collector()
        out.one("internal-error", detail=f"{type(e).__name__}: {e}"[:500])
        return out.report([], {"tables": 0, "rows": 0}, max_errors)


def _run_archive(path: Path, max_errors: int | None, progress: Callable[[str], None] | None) -> Report:
    """A release archive, opened as every command opens it (ecocluster.package.archive)."""
    try:
        with package_path(path) as root:
            return check(root, max_errors, progress)[0]
    except ArchiveError as e:  # the same message every other command gives for this archive
        out = Collector()
        out.one("archive-invalid", detail=str(e)[:500])
        return out.report([], {"tables": 0, "rows": 0}, max_errors)


def check(
    path: str | Path | Package | None = None,
    max_errors: int | None = None,
    progress: Callable[[str], None] | None = None,
    keep: bool = False,
) -> tuple[Report, dict[str, Table]]:
    """The report, and with `keep` every table as read and checked (whole, for the exporters); without
    `keep` only what the rules across tables need is held, so ten million rows fit in memory."""
    out = Collector()
    try:
        pkg = path if isinstance(path, Package) else Package.open(path)
    except PackageNotFound as e:
        out.one("package-not-found", detail=str(e))
        return out.report([], {"tables": 0, "rows": 0}, max_errors), {}
    except PackageError as e:
        # package.py's codes are the rule table's; a descriptor that vanished mid-read is "not found"
        code = e.code if e.code in RULES else "package-not-found"
        out.one(code, e.resource, detail=e.message, hint=e.hint or None)
        return out.report([], {"tables": 0, "rows": 0}, max_errors), {}
    except (OSError, ValueError) as e:  # a path the OS refuses: a NUL byte, a name too long, no permission
        out.one("package-not-found", detail=f"no data package at {str(path)[:200]!r}: {e}")
        return out.report([], {"tables": 0, "rows": 0}, max_errors), {}

    resources = [(r.name, r.field_names, r.path) for r in pkg.resources]
    # The next table is read while this one is checked: reading waits on the disk and on one thread
    # of polars' pool for part of the time, checking leaves the other core idle between queries.
    # Largest file first, so its checks overlap the reading of the others rather than nothing; its
    # reading starts at once, beside the checks of the schema (dropped if those fail). Later files
    # are read ahead as long as those waiting to be checked are no larger together than the first,
    # so memory holds about two of the largest table, not all of them; small tables, whose checks
    # take less than their reading, then do not wait for each other.
    # A rule across a few tables runs on a third thread as soon as they are checked (foreign keys,
    # self-references, ...), beside the reading of the rest; those that need every ID run last.
    order = sorted(pkg.resources, key=lambda r: -_size(pkg, r))
    sizes = [_size(pkg, r) for r in order]
    warming = None
    try:
        with ThreadPoolExecutor(max_workers=READERS) as pool, ThreadPoolExecutor(max_workers=1) as side:
            ahead: list[Future] = [pool.submit(_read, pkg, order[0])] if order else []
            warming = _warm_languages(pkg)
            _schema_problems(pkg, out)
            if out.frames:
                pool.shutdown(cancel_futures=True)
                return out.report(resources, {"tables": len(resources), "rows": 0}, max_errors), {}
            check_descriptor(pkg, out)
            tables, counted = _check_tables(pkg, order, sizes, ahead, pool, side, out, keep, progress)
    finally:
        if warming is not None:
            warming.join()
    rows = {r.name: counted.get(r.name, 0) for r in pkg.resources}
    stats = {"tables": len(resources), "rows": sum(rows.values()), "rows_by_resource": rows}
    return out.report(resources, stats, max_errors), tables


def _check_tables(
    pkg: Package,
    order: list[Resource],
    sizes: list[int],
    ahead: list[Future],
    pool: ThreadPoolExecutor,
    side: ThreadPoolExecutor,
    out: Collector,
    keep: bool,
    progress: Callable[[str], None] | None,
) -> tuple[dict[str, Table], dict[str, int]]:
    """Read (the first read already started), check and keep each table in `order`, then check across.
    Returns the tables and the rows read per table (0 for a file that could not be read)."""
    tables: dict[str, Table] = {}
    deferred = deferred_patterns(pkg)
    rows: dict[str, int] = {}
    jobs = early_jobs(pkg, deferred)
    started: list[Future] = []
    nxt = len(ahead)
    for i, res in enumerate(order):
        while nxt < len(order) and (nxt <= i or sum(sizes[i + 1 : nxt + 1]) <= sizes[0]):
            ahead.append(pool.submit(_read, pkg, order[nxt]))
            nxt += 1
        if progress:
            progress(f"reading {res.path} ({i + 1}/{len(order)})")
        table = _result(ahead.pop(0), out)
        rows[res.name] = table.rows if table else 0
        if table is not None:
            check_table(table, out, deferred.get(res.name, set()))
            tables[res.name] = _slim(pkg, table, keep)
        for job in [j for j in jobs if j.needs <= rows.keys()]:
            jobs.remove(job)
            started.append(side.submit(job.run, tables, out))
    if progress:
        progress("checking across tables")
    check_package(pkg, tables, out, deferred)
    for future in started:
        future.result()
    return tables, rows
