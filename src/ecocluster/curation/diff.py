"""What changed in the data between two versions of the package, table by table and row by row.

Rows are matched by the table's primary key (`id`; citations by record_id, field, source_id) and
compared as the strings in the CSV, so the report shows exactly what a reader of the files sees.
Only columns both versions have are compared row by row; a column added or removed is a schema change.
`render_text` and `render_markdown` in `ecocluster.curation.diff_report` turn the result into prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..package import Package, Resource
from ..package.archive import open_package
from ..rules import UNREADABLE
from ..tables import unreadable
from ..tables.reader import Problem

BUMPS = ("none", "patch", "minor", "major")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RowRef:
    key: dict[str, str]
    row: dict[str, str]


@dataclass(frozen=True)
class RowChange:
    key: dict[str, str]
    changes: list[FieldChange]


@dataclass(frozen=True)
class EnumChange:
    field: str
    added: list[str]
    removed: list[str]


@dataclass
class TableDiff:
    table: str
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_retyped: list[FieldChange] = field(default_factory=list)
    enum_changes: list[EnumChange] = field(default_factory=list)
    primary_key: FieldChange | None = None
    rows_compared: bool = True  # False when the key columns are missing from one side
    rows_added: list[RowRef] = field(default_factory=list)
    rows_removed: list[RowRef] = field(default_factory=list)
    rows_changed: list[RowChange] = field(default_factory=list)

    @property
    def schema_changes(self) -> int:
        codes = sum(len(e.added) + len(e.removed) for e in self.enum_changes)
        columns = len(self.columns_added) + len(self.columns_removed) + len(self.columns_retyped)
        return columns + codes + (self.primary_key is not None)

    @property
    def empty(self) -> bool:
        return not (self.schema_changes or self.rows_added or self.rows_removed or self.rows_changed)

    @property
    def bump(self) -> str:
        if (self.columns_removed or self.columns_retyped or self.primary_key
                or any(e.removed for e in self.enum_changes)):
            return "major"
        if self.columns_added or any(e.added for e in self.enum_changes):
            return "minor"
        return "patch" if (self.rows_added or self.rows_removed or self.rows_changed) else "none"


@dataclass(frozen=True)
class TableRef:
    table: str
    rows: int


@dataclass
class PackageDiff:
    old: dict[str, str]  # {"name", "version"}
    new: dict[str, str]
    tables_added: list[TableRef] = field(default_factory=list)
    tables_removed: list[TableRef] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)  # only tables present in both that changed

    @property
    def identical(self) -> bool:
        return not (self.tables_added or self.tables_removed or self.tables)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "tables_added": len(self.tables_added),
            "tables_removed": len(self.tables_removed),
            "rows_added": sum(len(t.rows_added) for t in self.tables),
            "rows_removed": sum(len(t.rows_removed) for t in self.tables),
            "rows_changed": sum(len(t.rows_changed) for t in self.tables),
            "schema_changes": len(self.tables_added) + len(self.tables_removed)
            + sum(t.schema_changes for t in self.tables),
        }

    @property
    def suggested_bump(self) -> str:
        """The version bump the policy asks for (README, "Versions"): none, patch, minor or major."""
        bumps = [t.bump for t in self.tables]
        if self.tables_removed:
            bumps.append("major")
        if self.tables_added:
            bumps.append("minor")
        return max(bumps, key=BUMPS.index, default="none")

    def to_dict(self) -> dict[str, Any]:
        def ref(r: RowRef) -> dict[str, Any]:
            return {"key": r.key, "row": r.row}

        def change(c: FieldChange) -> dict[str, Any]:
            return {"field": c.field, "old": c.old, "new": c.new}

        return {
            "identical": self.identical,
            "old": self.old,
            "new": self.new,
            "suggested_bump": self.suggested_bump,
            "summary": self.summary,
            "tables_added": [{"table": t.table, "rows": t.rows} for t in self.tables_added],
            "tables_removed": [{"table": t.table, "rows": t.rows} for t in self.tables_removed],
            "tables": [
                {
                    "table": t.table,
                    "columns_added": t.columns_added,
                    "columns_removed": t.columns_removed,
                    "columns_retyped": [change(c) for c in t.columns_retyped],
                    "enum_changes": [{"field": e.field, "added": e.added, "removed": e.removed}
                                     for e in t.enum_changes],
                    "primary_key": change(t.primary_key) if t.primary_key else None,
                    "rows_compared": t.rows_compared,
                    "rows_added": [ref(r) for r in t.rows_added],
                    "rows_removed": [ref(r) for r in t.rows_removed],
                    "rows_changed": [{"key": c.key, "changes": [change(f) for f in c.changes]}
                                     for c in t.rows_changed],
                }
                for t in self.tables
            ],
        }


def diff_packages(old: str | Path, new: str | Path) -> PackageDiff:
    """Compare two packages, each a folder, a datapackage.json or a release archive (.zip).

    Raises EcoclusterError (PackageNotFound, PackageError, ArchiveError, TableUnreadable) when either
    side cannot be read; differences, however large, are the result and never an error.
    """
    with open_package(old) as a, open_package(new) as b:
        return diff_opened(a, b)


def diff_opened(old: Package, new: Package) -> PackageDiff:
    result = PackageDiff(old={"name": old.name, "version": old.version},
                         new={"name": new.name, "version": new.version})
    for res in new.resources:
        if res.name not in old.resource_names:
            result.tables_added.append(TableRef(res.name, len(_rows(new, res))))
    for res in old.resources:
        if res.name not in new.resource_names:
            result.tables_removed.append(TableRef(res.name, len(_rows(old, res))))
        else:
            table = _diff_table(old, res, new, new.resource(res.name))
            if not table.empty:
                result.tables.append(table)
    order = new.resource_names
    result.tables.sort(key=lambda t: order.index(t.table))
    return result


def _diff_table(old_pkg: Package, old: Resource, new_pkg: Package, new: Resource) -> TableDiff:
    t = TableDiff(new.name)
    old_names, new_names = old.field_names, new.field_names
    t.columns_added = [n for n in new_names if n not in old_names]
    t.columns_removed = [n for n in old_names if n not in new_names]
    common = [n for n in new_names if n in old_names]
    for name in common:
        a, b = old.field(name), new.field(name)
        if a.type != b.type:
            t.columns_retyped.append(FieldChange(name, a.type, b.type))
        codes_a, codes_b = list(a.enum or ()), list(b.enum or ())
        added = [c for c in codes_b if c not in codes_a]
        removed = [c for c in codes_a if c not in codes_b]
        if added or removed:
            t.enum_changes.append(EnumChange(name, added, removed))
    if old.primary_key != new.primary_key:
        t.primary_key = FieldChange("primaryKey", list(old.primary_key), list(new.primary_key))

    key = list(new.primary_key)
    if not key or any(k not in common for k in key):
        t.rows_compared = False
        return t
    before = _keyed(old_pkg, old, key)
    after = _keyed(new_pkg, new, key)
    for k in sorted(after.keys() - before.keys()):
        t.rows_added.append(RowRef(dict(zip(key, k, strict=True)), after[k]))
    for k in sorted(before.keys() - after.keys()):
        t.rows_removed.append(RowRef(dict(zip(key, k, strict=True)), before[k]))
    for k in sorted(before.keys() & after.keys()):
        changes = [FieldChange(n, before[k][n], after[k][n]) for n in common if before[k][n] != after[k][n]]
        if changes:
            t.rows_changed.append(RowChange(dict(zip(key, k, strict=True)), changes))
    return t


def _keyed(pkg: Package, res: Resource, key: list[str]) -> dict[tuple[str, ...], dict[str, str]]:
    # With a duplicate key the last row wins; duplicates are the validator's to report.
    return {tuple(r[k] for k in key): r for r in _rows(pkg, res)}


def _rows(pkg: Package, res: Resource) -> list[dict[str, str]]:
    """The rows as the strings in the file ("" for an empty cell), read by the one reader."""
    from ..tables.reader import Problems, read_table

    problems = Problems()
    table = read_table(pkg, res, problems, missing=False)
    # a file diff cannot read at all; header and row-shape mistakes still leave rows to compare
    fatal = [p for p in problems.items if p.code in UNREADABLE]
    if table is None or fatal:
        raise unreadable(fatal or [Problem("file-empty", res.name, 1, None)])
    names = res.field_names
    frame = table.frame
    # a column missing from the file reads as empty cells; columns beyond the schema are not compared
    return frame.select([pl.col(n).fill_null("") if n in frame.columns else pl.lit("").alias(n)
                         for n in names]).to_dicts()
