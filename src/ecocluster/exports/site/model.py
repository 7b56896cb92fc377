"""What the site shows, computed once from the typed frames: entities, their pages, rows, citations, events.

Everything here is plain dicts and lists for the templates; nothing is HTML (the templates escape).
The shape is driven by the schemas: a row is related to an entity when one of its ID fields
(a field whose pattern holds ID prefixes, `Field.id_prefixes`) names that entity.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ...base.escape import web_url as web_url  # the one check of a link from the data
from ...datamodel import CITATIONS, ENTITY_TABLES, NAMES
from ...package import LANGUAGE_PATTERN, Field, Resource
from ...tables import Tables

# The tables whose rows get a page of their own, in the order the site lists them.
LABEL_FIELDS = ("name", "title")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_LANG = re.compile(LANGUAGE_PATTERN)


def lang_attr(tag: Any) -> str | None:
    """A BCP 47 tag fit for a `lang` attribute, or None (a malformed tag would mislead screen readers)."""
    return tag if isinstance(tag, str) and _LANG.fullmatch(tag) else None


def file_stem(value: str) -> str:
    """A safe file name for an ID: the ID itself when it is a plain slug, else a hash of it."""
    if _SLUG.fullmatch(value) and len(value) <= 150:
        return value
    return "id-" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:20]


@dataclass
class Entity:
    table: str
    id: str
    label: str
    url: str  # relative to the site root
    row: dict[str, Any]
    names: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Site:
    tables: Tables
    entities: dict[str, Entity]  # id -> entity (the first row with that id)
    by_table: dict[str, list[Entity]]
    rows: dict[str, list[dict[str, Any]]]  # table -> rows as dicts (CSV order)
    citations: dict[str, list[dict[str, Any]]]  # record_id -> citations (CSV order)
    anchors: dict[str, str]  # any row id -> the page (and #anchor) that shows it
    related: dict[str, list[tuple[str, dict[str, Any]]]]  # entity id -> (table, row) naming it
    by_source: dict[str, list[dict[str, Any]]]  # source id -> citations using it (CSV order)
    homes: dict[str, tuple[str, Entity]]  # any row id -> (its table, the entity whose page shows it)


def _label(res: Resource, row: dict[str, Any]) -> str:
    for name in LABEL_FIELDS:
        if row.get(name):
            return str(row[name])
    return str(row.get("id") or "")


def id_fields(res: Resource) -> list[Field]:
    """The fields that name other rows (not the table's own key)."""
    return [f for f in res.fields if f.id_prefixes and f.name not in res.primary_key]


def build_model(tables: Tables) -> Site:
    pkg = tables.package
    rows = {name: frame.to_dicts() for name, frame in tables.frames.items()}
    entities: dict[str, Entity] = {}
    by_table: dict[str, list[Entity]] = {}
    used: set[str] = set()
    for table in ENTITY_TABLES:
        if table not in tables or "id" not in pkg.resource(table).field_names:
            continue
        res = pkg.resource(table)
        by_table[table] = []
        for row in rows[table]:
            rid = row.get("id")
            if not rid:
                continue
            stem = file_stem(str(rid))
            while f"{table}/{stem}" in used:  # a repeated ID (unvalidated data) still gets its own page
                stem += "-again"
            used.add(f"{table}/{stem}")
            ent = Entity(table, str(rid), _label(res, row), f"{table}/{stem}.html", row)
            entities.setdefault(ent.id, ent)
            by_table[table].append(ent)
    for row in rows.get(NAMES, []):
        named = entities.get(str(row.get("entity_id")))
        if named is not None and row.get("name"):
            named.names.append(row)
    citations: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows.get(CITATIONS, []):
        citations[str(row.get("record_id"))].append(row)
        by_source[str(row.get("source_id"))].append(row)
    # Rows that are not entities are shown on the page of the first entity they name, at #their-id.
    anchors = {eid: e.url for eid, e in entities.items()}
    homes: dict[str, tuple[str, Entity]] = {eid: (e.table, e) for eid, e in entities.items()}
    related: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for res in pkg.resources:
        if res.name in (NAMES, CITATIONS) or res.name not in tables:
            continue
        fields = id_fields(res)
        for row in rows[res.name]:
            home: Entity | None = None
            for f in fields:
                target = row.get(f.name)
                if target in entities and target != row.get("id"):
                    related[str(target)].append((res.name, row))
                    home = home or entities[str(target)]
            rid = row.get("id")
            if rid and rid not in anchors and home:
                anchors[str(rid)] = f"{home.url}#{file_stem(str(rid))}"
                homes[str(rid)] = (res.name, home)
    for row in rows.get(NAMES, []):
        named = entities.get(str(row.get("entity_id")))
        if named is not None and row.get("id") and row["id"] not in anchors:
            anchors[str(row["id"])] = f"{named.url}#{file_stem(str(row['id']))}"
            homes[str(row["id"])] = (NAMES, named)
    return Site(tables, entities, by_table, rows, dict(citations), anchors, dict(related), dict(by_source), homes)


def source_facts(site: Site, source: Entity) -> list[dict[str, Any]]:
    """Every citation that uses `source`, with the page of the record it supports."""
    return [{"citation": c, "record": str(c.get("record_id")), "url": site.anchors.get(str(c.get("record_id")))}
            for c in site.by_source.get(source.id, [])]


def counts(tables: Tables) -> dict[str, Any]:
    """The front page's counts: `ecocluster describe`'s, so the two can never say different things."""
    from ...tables.summary import describe

    s = describe(tables)
    c = s["citations"]
    return {"tables": s["tables"], "total_rows": s["total_rows"], "sources": s["sources"],
            "date_range": s["date_range"], "citations": c["total"], "fact_rows": c["fact_rows"],
            "fact_rows_cited": c["fact_rows_cited"], "quote_kinds": c["quote_kinds"]}
