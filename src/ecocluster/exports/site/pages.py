"""The context each template gets: plain values, links resolved, enum codes with their descriptions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...base.files import write_text
from ...package import Package, Resource
from ...tables import Tables
from ...datamodel import CITATIONS, ENTITY_TABLES, NAMES, SOURCES
from .model import Entity, Site, events, file_stem, lang_attr, source_facts
from .timeline import layout

_WEB = re.compile(r"https?://[^\s\"'<>]+")


def table_stem(name: str) -> str:
    return file_stem(name) if re.fullmatch(r"[a-z0-9_]+", name) is None else name


def table_links(pkg: Package, tables: Tables) -> list[dict[str, Any]]:
    return [{"name": r.name, "title": r.title or r.name, "rows": tables[r.name].height,
             "url": f"tables/{table_stem(r.name)}.html"} for r in pkg.resources if r.name in tables]


def write_timeline(env: Any, site: Site, root: Path) -> list[Path]:
    geometry = layout(site)
    if geometry is None:
        return []
    svg = env.get_template("timeline.svg").render(t=geometry)
    return [write_text(root / "timeline.svg", svg)]


def timeline_items(site: Site) -> dict[str, Any] | None:
    return layout(site)


def _value(site: Site, res: Resource, name: str, value: Any, here: Entity | None) -> dict[str, Any]:
    """One cell for display: text, a link to the entity it names, an external link, or an enum code."""
    f = res.field(name)
    out: dict[str, Any] = {"text": value, "url": None, "external": None, "code": None, "lang": None}
    if isinstance(value, float):
        out["text"] = f"{value:g}"
    elif isinstance(value, bool):
        out["text"] = "yes" if value else "no"
    if f.id_prefixes and name not in res.primary_key and str(value) in site.entities:
        target = site.entities[str(value)]
        out["text"], out["url"], out["self"] = target.label, target.url, target is here
    elif f.enum is not None:
        out["code"] = f.labels.get(str(value), "")
    elif isinstance(value, str) and (f.format == "uri" or name in ("url", "website")) and _WEB.fullmatch(value):
        out["external"] = value
    elif f.is_language:
        out["lang"] = lang_attr(value)
    return out


def _cite(site: Site, res: Resource | None, c: dict[str, Any]) -> dict[str, Any]:
    src = site.entities.get(str(c.get("source_id")))
    field = str(c.get("field") or "")
    title = "The whole record" if field == "*" else field
    if res is not None and field in res.field_names:
        title = res.field(field).title or field
    kind = c.get("quote_kind")
    kind_desc = ""
    if CITATIONS in site.tables and kind is not None:
        cres = site.tables.package.resource(CITATIONS)
        if "quote_kind" in cres.field_names:
            kind_desc = cres.field("quote_kind").labels.get(str(kind), "")
    row = src.row if src else {}
    url = row.get("url")
    # a research-file summary is the research file's English, whatever the page's language
    language = "en" if kind == "dossier-summary" else row.get("language")
    return {"field": field, "field_title": title, "quote": c.get("quote") or "", "kind": kind, "kind_desc": kind_desc,
            "quote_en": c.get("quote_en"), "note": c.get("note"), "lang": lang_attr(language), "language": language,
            "source": src.label if src else str(c.get("source_id")), "source_url": src.url if src else None,
            "external": url if isinstance(url, str) and _WEB.fullmatch(url) else None,
            "locator": row.get("locator"), "published": row.get("published_date")}


def _row_view(site: Site, res: Resource, row: dict[str, Any], here: Entity | None) -> dict[str, Any]:
    cites = site.citations.get(str(row.get("id")), []) if "id" in res.field_names else []
    by_field: dict[str, list[dict[str, Any]]] = {}
    for c in cites:
        by_field.setdefault(str(c.get("field")), []).append(_cite(site, res, c))
    fields = [{"name": f.name, "title": f.title or f.name, "value": _value(site, res, f.name, row[f.name], here),
               "cites": by_field.pop(f.name, [])}
              for f in res.fields if row.get(f.name) is not None and f.name != "id"]
    rest = [c for k, v in by_field.items() for c in v]  # `*` and any field not on this table
    rid = row.get("id")
    return {"id": rid, "anchor": file_stem(str(rid)) if rid else None, "fields": fields, "cites": rest,
            "table": res.title or res.name}


def _name_view(site: Site, row: dict[str, Any]) -> dict[str, Any]:
    res = site.tables.package.resource(NAMES)
    kind = row.get("kind")
    desc = res.field("kind").labels.get(str(kind), "") if "kind" in res.field_names else ""
    return {"name": row["name"], "lang": lang_attr(row.get("language")), "language": row.get("language"),
            "kind": kind, "kind_desc": desc, "start": row.get("start_date"), "end": row.get("end_date"),
            "anchor": file_stem(str(row.get("id"))),
            "cites": [_cite(site, res, c) for c in site.citations.get(str(row.get("id")), [])]}


def entity_context(site: Site, ent: Entity) -> dict[str, Any]:
    pkg = site.tables.package
    res = pkg.resource(ent.table)
    groups: dict[str, dict[str, Any]] = {}
    for table, row in site.related.get(ent.id, []):
        r = pkg.resource(table)
        groups.setdefault(table, {"title": r.title or table, "description": r.description, "rows": []})
        groups[table]["rows"].append(_row_view(site, r, row, ent))
    facts = []
    if ent.table == SOURCES:
        for fact in source_facts(site, ent):
            home = site.homes.get(fact["record"])
            rtable = home[0] if home else None
            owner = home[1] if home else None
            rres = pkg.resource(rtable) if rtable else None
            cite = _cite(site, rres, fact["citation"])
            label = fact["record"]
            if owner is not None:
                what = (rres.title if rres else "") or rtable
                label = owner.label if owner.id == fact["record"] else f"{owner.label} · {what}"
            facts.append({"record": fact["record"], "label": label, "url": fact["url"], **cite})
    return {"ent": ent, "res": res, "kind_title": res.title or ent.table, "own": _row_view(site, res, ent.row, ent),
            "names": [_name_view(site, n) for n in ent.names], "groups": list(groups.values()),
            "events": events(site, ent), "facts": facts}


def table_context(pkg: Package, res: Resource, rows: int, stem: str, in_build: set[str],
                  have_manifest: bool) -> dict[str, Any]:
    fields = []
    for f in res.fields:
        fields.append({"name": f.name, "title": f.title, "type": f.type, "description": f.description,
                       "required": f.required, "unique": f.unique, "pattern": f.pattern,
                       "date": f.is_date, "enum": [{"code": c, "description": f.labels.get(c, "")}
                                                    for c in f.enum or ()],
                       "minimum": f.minimum, "maximum": f.maximum})
    parquet = f"parquet/{res.name}.parquet"
    archive = f"{stem}.zip"
    return {"res": res, "rows": rows, "fields": fields,
            "fks": [{"field": k.field, "resource": k.resource, "url": f"{table_stem(k.resource)}.html",
                     "reference": k.reference_field} for k in res.foreign_keys],
            "parquet": parquet, "parquet_ok": parquet in in_build or not have_manifest,
            "archive": archive, "archive_ok": archive in in_build or not have_manifest,
            "is_entity": res.name in ENTITY_TABLES}


def search_index(site: Site) -> str:
    """The search index as a script (a file:// page cannot fetch JSON): every name of every entity."""
    entries = []
    for ent in site.entities.values():
        seen = set()
        variants = [(ent.label, None, "preferred")] + [(str(n["name"]), n.get("language"), n.get("kind"))
                                                        for n in ent.names]
        if ent.row.get("title_local"):
            variants.append((str(ent.row["title_local"]), None, "local title"))
        for name, lang, kind in variants:
            if name in seen:
                continue
            seen.add(name)
            entries.append({"n": name, "l": lang_attr(lang), "k": str(kind) if kind else "", "e": ent.label,
                            "t": ent.table, "u": ent.url})
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    # `</script>` cannot appear, and U+2028/2029 would end a JS line in old engines
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return ("// Generated by ecocluster: every name of every entity, for search.js.\n"
            f"window.ECOCLUSTER_INDEX = {text};\n")
