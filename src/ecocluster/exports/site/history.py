"""When each entity first appeared and last changed, across the published versions a build knows.

`build --previous` compares the previous release with this one; the result is chained onto the
previous build's own history (changes/history.json, when the previous release has one), so the
versions known grow by one with each release. A row counts as changed when any of its own cells
changed (rows of other tables that name it do not count). The earliest version known stands for
"this version or an earlier one": nothing is known before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FORMAT = "ecocluster-history/1"


def entity_history(previous: dict[str, Any] | None, old_version: str, new_version: str,
                   present: Mapping[str, Iterable[str]], added: dict[str, set[str]],
                   changed: dict[str, set[str]]) -> dict[str, Any]:
    """The history of every row id in `present` ({table: ids in the new version}), given the ids
    `added` and `changed` since `old_version`, and `previous`, the history as of `old_version` (or None)."""
    chained = bool(previous and previous.get("version") == old_version)
    versions = [*previous["versions"], new_version] if chained and previous else [old_version, new_version]
    before = previous.get("tables", {}) if chained and previous else {}
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for table, ids in present.items():
        known = before.get(table, {})
        rows = {}
        for rid in ids:
            if rid in added.get(table, set()):
                rows[rid] = {"first": new_version, "changed": new_version}
                continue
            last = known.get(rid) or {"first": versions[0], "changed": versions[0]}
            rows[rid] = {"first": last["first"],
                         "changed": new_version if rid in changed.get(table, set()) else last["changed"]}
        tables[table] = rows
    return {"format": FORMAT, "version": new_version, "versions": versions, "tables": tables}


def seen(history: dict[str, Any] | None, table: str, rid: str) -> dict[str, Any] | None:
    """What an entity page says: first and last-changed version, and whether each is the earliest known."""
    if not history:
        return None
    row = history.get("tables", {}).get(table, {}).get(rid)
    if not row:
        return None
    earliest = history["versions"][0]
    return {**row, "first_or_earlier": row["first"] == earliest, "changed_or_earlier": row["changed"] == earliest}
