"""Popolo: one JSON file of persons, organizations, memberships and posts, each with its sources.

The file is the usual Popolo bundle (`persons`, `organizations`, `memberships`, `posts`, `areas`),
each item valid against the Popolo JSON Schema of its kind. Popolo's `sources` are links; a source
we have no web address for gets `urn:ecocluster:source:<source id>`, an identifier that names the
row of `sources.csv` rather than a guessed URL. Agreements, projects and shareholdings have no
Popolo class and are left out (the README lists what each format keeps).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...base.files import write_text
from ...tables import Tables
from ..records import Records, Row

NAME = "popolo"

FILE = "popolo.json"
FOLDER = "popolo"
SOURCE_URN = "urn:ecocluster:source:"
COUNTRY_AREA = "ocd-division/country:"  # Open Civic Data division IDs, the area IDs Popolo tools use
WIKIDATA = "wikidata"


def export(tables: Tables, out_dir: Path) -> list[Path]:
    doc = build(Records.read(tables))
    return [write_text(Path(out_dir) / FOLDER / FILE, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")]


def post_id(org_id: str, title: str) -> str:
    """A post is one title in one organisation, whoever holds it: `post-<org>-<title slug>`."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "post"
    return f"post-{org_id.removeprefix('org-')}-{slug}"


def build(records: Records) -> dict[str, list[dict[str, Any]]]:
    names: dict[str, list[Row]] = {}
    for row in records.rows("names"):
        records.ref("names", "entity_id", row, "organisations", "people", "projects")
        names.setdefault(row["entity_id"], []).append(row)

    persons = [_clean({
        "id": row["id"], "name": row["name"], "family_name": row.get("family_name"),
        "given_name": row.get("given_name"), "other_names": _other_names(records, names.get(row["id"], [])),
        "identifiers": _identifiers(row), "sources": _links(records, row["id"]),
    }) for row in records.rows("people")]

    parents = _parents(records)
    organizations: list[dict[str, Any]] = []
    areas: dict[str, dict[str, str]] = {}
    for row in records.rows("organisations"):
        if row.get("country"):
            area = COUNTRY_AREA + row["country"].lower()
            areas[area] = {"id": area, "identifier": row["country"], "classification": "country"}
        organizations.append(_clean({
            "id": row["id"], "name": row["name"], "classification": row["kind"],
            "parent_id": parents.get(row["id"]),
            "area_id": COUNTRY_AREA + row["country"].lower() if row.get("country") else None,
            "founding_date": row.get("founded"), "dissolution_date": row.get("dissolved"),
            "identifiers": _identifiers(row), "other_names": _other_names(records, names.get(row["id"], [])),
            "links": [{"url": row["website"], "note": "website"}] if row.get("website") else [],
            "sources": _links(records, row["id"]),
        }))

    memberships: list[dict[str, Any]] = []
    posts: dict[str, dict[str, Any]] = {}
    for row in records.rows("roles"):
        records.ref("roles", "person_id", row, "people")
        records.ref("roles", "org_id", row, "organisations")
        pid = post_id(row["org_id"], row["title"])
        post = posts.setdefault(pid, {"id": pid, "label": row["title"], "role": row["title"],
                                      "organization_id": row["org_id"], "other_label": [], "sources": []})
        if row.get("title_local") and row["title_local"] not in post["other_label"]:
            post["other_label"].append(row["title_local"])
        sources = _links(records, row["id"])
        post["sources"] += [s for s in sources if s not in post["sources"]]
        memberships.append(_clean({
            "id": row["id"], "person_id": row["person_id"], "organization_id": row["org_id"], "post_id": pid,
            # Popolo's `role` is the function held; the title as printed in the original language is
            # the membership's own `label`.
            "role": row["title"], "label": row.get("title_local"),
            "start_date": row.get("start_date"), "end_date": row.get("end_date"), "sources": sources,
        }))

    for post in posts.values():
        post["other_label"].sort()
        post["sources"].sort(key=lambda link: link["url"])
    return {
        "persons": persons,
        "organizations": organizations,
        "memberships": memberships,
        "posts": [_clean(posts[k]) for k in sorted(posts)],
        "areas": [areas[k] for k in sorted(areas)],
    }


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    """Leave out what we do not know (None) and empty lists, rather than writing nulls."""
    return {k: v for k, v in item.items() if v is not None and v != []}


def _identifiers(row: Row) -> list[dict[str, str]]:
    return [{"scheme": WIKIDATA, "identifier": row["wikidata_id"]}] if row.get("wikidata_id") else []


def _other_names(records: Records, rows: list[Row]) -> list[dict[str, Any]]:
    # `id`, `lang` and `sources` are not in Popolo's other_name schema, which allows extra members;
    # `lang` is the same member EveryPolitician's Popolo files use.
    return [_clean({
        "id": row["id"], "name": row["name"], "lang": row["language"], "note": row["kind"],
        "start_date": row.get("start_date"), "end_date": row.get("end_date"),
        "sources": _links(records, row["id"]),
    }) for row in rows]


def _links(records: Records, record_id: str) -> list[dict[str, str]]:
    links = []
    for source_id in records.record_sources(record_id):
        source = records.sources.get(source_id, {})
        url = source.get("url") or SOURCE_URN + source_id
        links.append(_clean({"url": url, "note": source.get("title")}))
    return sorted(links, key=lambda link: link["url"])


def _parents(records: Records) -> dict[str, str]:
    """Subsidiary -> parent. Popolo has one parent: the current one (no end date), else the first."""
    by_subject: dict[str, list[Row]] = {}
    for row in records.rows("org_relations"):
        if row["kind"] == "subsidiary-of":
            records.ref("org_relations", "object_id", row, "organisations")
            by_subject.setdefault(row["subject_id"], []).append(row)
    return {subject: (next((r for r in rows if not r.get("end_date")), rows[0]))["object_id"]
            for subject, rows in by_subject.items()}
