"""What the interchange formats (ftm, popolo) share: every table's rows, indexed by ID, and which
sources back each value (a field-level citation where there is one, else the row's `*` citation).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..datamodel import CITATIONS, FIELD, RECORD_ID, SOURCE_ID, SOURCES
from ..errors import ExportError
from ..tables import Tables

Row = dict[str, Any]


@dataclass(frozen=True)
class Records:
    tables: dict[str, list[Row]]
    by_id: dict[str, tuple[str, Row]]  # any row ID -> (table, row)
    citations: dict[str, dict[str, list[str]]]  # record ID -> field (or "*") -> source IDs, sorted
    sources: dict[str, Row]

    @classmethod
    def read(cls, data: Tables) -> Records:
        # plain Python values, as these small formats' libraries want them: enums as their codes
        tables = {name: data[name].to_dicts() for name in data.package.resource_names if name in data}
        by_id = {row["id"]: (name, row) for name, rows in tables.items()
                 if name != CITATIONS for row in rows if row.get("id")}
        cites: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for c in tables.get(CITATIONS, []):
            cites[c[RECORD_ID]][c[FIELD]].add(c[SOURCE_ID])
        citations = {rid: {f: sorted(s) for f, s in by_field.items()} for rid, by_field in cites.items()}
        return cls(tables, by_id, citations, {r["id"]: r for r in tables.get(SOURCES, [])})

    def rows(self, table: str) -> list[Row]:
        """The table's rows sorted by ID, or none when the package lacks the table."""
        return sorted(self.tables.get(table, []), key=lambda r: r["id"])

    def sources_for(self, record_id: str, field: str) -> list[str]:
        """The sources that back one value: the field's own citations, else the whole row's."""
        by_field = self.citations.get(record_id, {})
        return by_field.get(field) or by_field.get("*", [])

    def record_sources(self, record_id: str) -> list[str]:
        """Every source cited for a row, by any field."""
        return sorted({s for ids in self.citations.get(record_id, {}).values() for s in ids})

    def ref(self, table: str, field: str, row: Row, *expected: str) -> Row:
        """The row `row[field]` points to, or an error naming the dangling reference."""
        target = row[field]
        found = self.by_id.get(target)
        if found is None or (expected and found[0] not in expected):
            where = " or ".join(expected) or "the package"
            raise ExportError(
                f"{table} row {row['id']}: {field} `{target}` is not a row of {where}; "
                "run `ecocluster validate` and fix the reference before exporting")
        return found[1]
