"""The context each template gets: plain values, links resolved, codes as their labels, footnotes numbered."""

from __future__ import annotations

import re
from typing import Any

from ...datamodel import CITATIONS, ENTITY_TABLES, SOURCES
from ...package import Package, Resource
from ...tables import Tables
from .facts import Facts
from .labels import code_label, code_labels, md_parts
from .model import Entity, Site, file_stem, source_facts
from .views import relation_tables, row_label, summary, tagline


def table_stem(name: str) -> str:
    return file_stem(name) if re.fullmatch(r"[a-z0-9_]+", name) is None else name


def table_links(pkg: Package, tables: Tables) -> list[dict[str, Any]]:
    return [{"name": r.name, "title": r.title or r.name, "rows": tables[r.name].height,
             "url": f"tables/{table_stem(r.name)}.html"} for r in pkg.resources if r.name in tables]


def entity_context(site: Site, ent: Entity) -> dict[str, Any]:
    pkg = site.tables.package
    res = pkg.resource(ent.table)
    facts = Facts(site)
    box = summary(site, ent, facts)
    tables = relation_tables(site, ent, facts)
    quotes = _source_quotes(site, ent, facts) if ent.table == SOURCES else []
    facts.finish()
    return {"ent": ent, "res": res, "kind_title": _singular(res, ent.table), "summary": box, "tables": tables,
            "notes": [] if ent.table == SOURCES else facts.notes, "quotes": quotes, "cites": facts.cites,
            "tagline": tagline(site, ent)}


def _singular(res: Resource, table: str) -> str:
    words = {"organisations": "Organisation", "people": "Person", "agreements": "Agreement",
             "projects": "Project", "sources": "Source"}
    return words.get(table) or res.title or table


def _source_quotes(site: Site, source: Entity, facts: Facts) -> list[Any]:
    """A source page's quotes, each once, with every fact it supports (on the pages that show them)."""
    pkg = site.tables.package
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for fact in source_facts(site, source):
        c = fact["citation"]
        home = site.homes.get(fact["record"])
        table, owner = (home[0], home[1]) if home else (None, None)
        field = str(c.get("field") or "*")
        res = pkg.resource(table) if table else None
        title = "whole record" if field == "*" else (res.field(field).title if res and field in res.field_names
                                                      else field) or field
        label = fact["record"]
        if owner is not None and res is not None and table is not None:
            if owner.id == fact["record"]:
                label = owner.label
            else:
                if table not in rows:
                    rows[table] = {str(r.get("id")): r for r in site.rows.get(table, [])}
                row = rows[table].get(fact["record"])
                detail = row_label(site, res, row, owner) if row else fact["record"]
                label = f"{owner.label} · {res.title or table}: {detail}"
        facts.note(c).supports.append({"what": f"{label} · {title}", "url": fact["url"]})
    return facts.notes


def list_context(site: Site, table: str, ents: list[Entity]) -> dict[str, Any]:
    res = site.tables.package.resource(table)
    dated = "date" in res.field_names and res.field("date").is_date
    rows = []
    for e in ents:
        others = [{"name": n["name"], "lang": n.get("language")} for n in e.names if n.get("name") != e.label]
        rows.append({"label": e.label, "url": e.url, "tagline": tagline(site, e, dated), "others": others,
                     "date": e.row.get("date") if dated else None})
    rows.sort(key=lambda r: (str(r["date"] or "9999") if dated else "", str(r["label"]).casefold()))
    return {"res": res, "rows": rows, "dated": dated, "singular": _singular(res, table)}


def table_context(pkg: Package, res: Resource, rows: int, stem: str, in_build: set[str],
                  have_manifest: bool) -> dict[str, Any]:
    fields = []
    for f in res.fields:
        labels = code_labels(res, f.name)
        fields.append({"name": f.name, "title": f.title, "type": f.type, "description": md_parts(f.description),
                       "required": f.required, "unique": f.unique, "pattern": f.pattern,
                       "date": f.is_date, "enum": [{"code": c, "description": md_parts(labels.get(c, ""))}
                                                    for c in (f.enum or labels)],
                       "minimum": f.minimum, "maximum": f.maximum})
    parquet = f"parquet/{res.name}.parquet"
    archive = f"{stem}.zip"
    return {"res": res, "rows": rows, "fields": fields, "description": md_parts(res.description),
            "fks": [{"field": k.field, "resource": k.resource, "url": f"{table_stem(k.resource)}.html",
                     "reference": k.reference_field} for k in res.foreign_keys],
            "parquet": parquet, "parquet_ok": parquet in in_build or not have_manifest,
            "archive": archive, "archive_ok": archive in in_build or not have_manifest,
            "is_entity": res.name in ENTITY_TABLES}


def about_context(site: Site) -> dict[str, Any]:
    """What the about page states from the data itself: the quote kinds and their meanings."""
    kinds: list[dict[str, Any]] = []
    if CITATIONS in site.tables and "quote_kind" in site.tables[CITATIONS].columns:
        res = site.tables.package.resource(CITATIONS)
        counts = dict(site.tables[CITATIONS]["quote_kind"].value_counts().iter_rows())
        for code, text in code_labels(res, "quote_kind").items():
            kinds.append({"code": code, "label": md_parts(text), "count": int(counts.get(code, 0) or 0)})
    dated = [(r.name, f.name) for r in site.tables.package.resources if r.name in site.tables for f in r.fields
             if f.is_date]
    return {"kinds": kinds, "date_fields": len(dated)}


def partnership(site: Site) -> list[dict[str, Any]]:
    """Who signed what and what it set up, agreement by agreement (oldest first, undated last): the
    front page's reading of the partnership diagram."""
    pkg = site.tables.package
    out = []
    agreements = site.by_table.get("agreements", [])
    for ent in sorted(agreements, key=lambda e: (str(e.row.get("date") or "9999"), e.label)):
        parties, projects = [], []
        for table, row in site.related.get(ent.id, []):
            res = pkg.resource(table)
            if table == "agreement_parties" and str(row.get("org_id")) in site.entities:
                people = [{"ent": site.entities[str(row[k])], "as": (res.field(k).title or k).lower()}
                          for k in ("signatory_person_id", "representative_person_id")
                          if k in res.field_names and str(row.get(k)) in site.entities]
                parties.append({"org": site.entities[str(row["org_id"])], "people": people,
                                "role": code_label(res, "role", row["role"]) if row.get("role") else ""})
            elif table == "agreement_projects" and str(row.get("project_id")) in site.entities:
                relation = code_label(res, "relation", row["relation"]) if row.get("relation") else ""
                projects.append({"project": site.entities[str(row["project_id"])], "relation": relation})
        out.append({"ent": ent, "date": ent.row.get("date"), "parties": parties, "projects": projects})
    return out
