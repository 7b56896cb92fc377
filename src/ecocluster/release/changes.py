"""`build --previous`: what changed since the previous release, as files a user can review or apply.

changes/<old>..<new>.csv and .jsonl hold one row per added, removed or changed row and field, with the
old and the new value, as `ecocluster diff` finds them (rows matched by primary key, compared as the
strings in the CSV), then one row per schema change. changes/history.json chains each entity's first
and last-changed version onto the previous release's own history (ecocluster.exports.site.history).

The previous release is a package folder or descriptor, a release archive, a build folder (holding
manifest.json and the archive) or the http(s) address of a published release (its folder or its
archive, fetched and verified against its releases.json, ecocluster.package.remote). The history is taken from
the build folder, from the changes/ folder beside an archive, or from the published release's files.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..curation.diff import PackageDiff
from ..errors import PackageError, PreviousError
from ..package import Package
from ..package.archive import open_package
from ..package.opening import read_json
from ..package.remote import VERSION

FOLDER = "changes"
HISTORY = f"{FOLDER}/history.json"
COLUMNS = ("table", "key", "change", "field", "old", "new")


@dataclass
class Previous:
    package: Package
    history: dict[str, Any] | None


def _history_file(path: Path, version: str) -> dict[str, Any] | None:
    """A previous build's changes/history.json, when there is one for `version`."""
    if not os.path.lexists(path):
        return None
    try:  # as a package's JSON is read: no FIFO, no nesting that could overflow the parser
        history = read_json(path)
    except PackageError as e:
        raise PreviousError(f"{path} cannot be read as JSON: {e.message}") from None
    if not (isinstance(history, dict) and isinstance(history.get("versions"), list)
            and isinstance(history.get("tables"), dict)):
        raise PreviousError(f"{path} is not an entity history (no `versions` and `tables`)",
                            hint="give the previous release's build folder as `ecocluster build` wrote it.")
    return history if history.get("version") == version else None


@contextlib.contextmanager
def open_previous(spec: str | Path) -> Iterator[Previous]:
    """The previous release named by `spec` (see the module's docstring) and its history, if any."""
    text = str(spec)
    if text.startswith(("http://", "https://")):
        with _published(text) as previous:
            yield previous
        return
    path = Path(spec)
    archive: Path | None = None
    if path.is_dir() and not (path / "datapackage.json").exists() and (path / "manifest.json").is_file():
        archive = _build_archive(path)
        history_path = path / HISTORY
    elif path.is_file() and path.suffix.lower() == ".zip":
        archive, history_path = path, path.parent / HISTORY
    with open_package(archive or path) as package:
        history = _history_file(history_path, package.version) if archive is not None else None
        yield Previous(package, history)


def _build_archive(folder: Path) -> Path:
    try:
        manifest = read_json(folder / "manifest.json")
        name = str(manifest["name"]).removesuffix("-build")
        archive = folder / f"{name}-{manifest['version']}.zip"
    except PackageError as e:
        raise PreviousError(f"{folder / 'manifest.json'} cannot be read: {e.message}") from None
    except (KeyError, TypeError, IndexError) as e:
        raise PreviousError(f"{folder / 'manifest.json'} cannot be read: {e}") from None
    if not archive.is_file():
        raise PreviousError(f"the build folder {folder} has no release archive {archive.name}",
                            hint="give the previous release's archive or package folder instead.")
    return archive


@contextlib.contextmanager
def _published(url: str) -> Iterator[Previous]:
    from ..package.remote import archive_record, download_verified, fetch_release

    got = fetch_release(url=url)
    history = None
    record = next((f for f in got.entry.get("files", []) if isinstance(f, dict) and f.get("path") == HISTORY), None)
    with open_package(got.path) as package, tempfile.TemporaryDirectory(prefix="ecocluster-history-") as tmp:
        if record is not None:
            entry = {**got.entry, "archive": HISTORY}
            found = archive_record(entry, got.index_url)
            download_verified(found["address"], found["sha256"], Path(tmp) / "history.json", "changes/history.json")
            history = _history_file(Path(tmp) / "history.json", package.version)
        yield Previous(package, history)


def changes_stem(old: str, new: str) -> str:
    """`<old>..<new>`, both checked to be plain versions, so the name can be nothing else."""
    for v in (old, new):
        if not VERSION.fullmatch(v):
            raise PreviousError(f"version {v!r} is not MAJOR.MINOR.PATCH; the changes file is named after both "
                                "versions", hint="give both packages a version such as 0.2.0 in datapackage.json.")
    return f"{old}..{new}"


def change_rows(diff: PackageDiff) -> Iterator[dict[str, Any]]:
    """One dict per change: a row added or removed (a line per non-empty field), a value changed, or a
    schema change (a table, column, type, code or key)."""
    for ref in diff.tables_added:
        yield {"table": ref.table, "key": None, "change": "table-added", "field": None, "old": None, "new": None}
    for ref in diff.tables_removed:
        yield {"table": ref.table, "key": None, "change": "table-removed", "field": None, "old": None, "new": None}
    for t in diff.tables:
        yield from _rows(t.table, t.rows_added, "row-added", "new")
        yield from _rows(t.table, t.rows_removed, "row-removed", "old")
        for c in t.rows_changed:
            for f in c.changes:
                yield {"table": t.table, "key": c.key, "change": "value-changed", "field": f.field,
                       "old": f.old or None, "new": f.new or None}
        yield from _schema(t)


def _rows(table: str, refs: list[Any], change: str, side: str) -> Iterator[dict[str, Any]]:
    for ref in refs:
        for name, value in ref.row.items():
            if value not in ("", None):
                yield {"table": table, "key": ref.key, "change": change, "field": name,
                       "old": value if side == "old" else None, "new": value if side == "new" else None}


def _schema(t: Any) -> Iterator[dict[str, Any]]:
    def row(change: str, field: str | None, old: Any = None, new: Any = None) -> dict[str, Any]:
        return {"table": t.table, "key": None, "change": change, "field": field, "old": old, "new": new}

    for name in t.columns_added:
        yield row("column-added", name)
    for name in t.columns_removed:
        yield row("column-removed", name)
    for c in t.columns_retyped:
        yield row("column-retyped", c.field, c.old, c.new)
    for e in t.enum_changes:
        for code in e.added:
            yield row("code-added", e.field, None, code)
        for code in e.removed:
            yield row("code-removed", e.field, code, None)
    if t.primary_key is not None:
        yield row("primary-key-changed", None, ",".join(t.primary_key.old), ",".join(t.primary_key.new))


def _key_text(key: dict[str, str] | None) -> str:
    return json.dumps(key, ensure_ascii=False, separators=(",", ":")) if key else ""


def render_csv(rows: list[dict[str, Any]]) -> str:
    """The changes as CSV: `key` as compact JSON (a key may have several columns), empty for none.
    Values are written as they are in the data's own CSVs, not altered for spreadsheets (the .xlsx is
    the file for those)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r["table"], _key_text(r["key"]), r["change"], r["field"] or "",
                         "" if r["old"] is None else r["old"], "" if r["new"] is None else r["new"]])
    return buf.getvalue()


def render_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps({c: r[c] for c in COLUMNS}, ensure_ascii=False) + "\n" for r in rows)


def write_changes(diff: PackageDiff, folder: Path) -> list[Path]:
    """changes/<old>..<new>.csv and .jsonl in `folder`; returns their paths."""
    from ..base.files import write_text

    stem = changes_stem(diff.old["version"], diff.new["version"])
    rows = list(change_rows(diff))
    return [write_text(folder / FOLDER / f"{stem}.csv", render_csv(rows)),
            write_text(folder / FOLDER / f"{stem}.jsonl", render_jsonl(rows))]


def history_of(diff: PackageDiff, previous: dict[str, Any] | None, package: Package,
               tables: Any) -> dict[str, Any]:
    """changes/history.json's content: every table keyed by a single `id` column, chained onto `previous`."""
    from ..exports.site.history import entity_history

    keyed = [r for r in package.resources if list(r.primary_key) == ["id"] and r.name in tables]
    present = {r.name: [str(v) for v in tables[r.name]["id"].to_list() if v is not None] for r in keyed}
    by_name = {t.table: t for t in diff.tables}
    added = {r.name: {k.key["id"] for k in by_name[r.name].rows_added} if r.name in by_name else set()
             for r in keyed}
    for t in diff.tables_added:
        added[t.table] = set(present.get(t.table, []))
    changed = {r.name: {c.key["id"] for c in by_name[r.name].rows_changed} if r.name in by_name else set()
               for r in keyed}
    return entity_history(previous, diff.old["version"], diff.new["version"], present, added, changed)
