"""What an entity page shows, in reading order: a summary box of its own row and names, then one table
per kind of relationship (a line per related row), each value with its footnote marks.

Driven by the schemas: a related table's columns are its fields, less its key, less the column that
always names this page's entity, less columns empty in every row. Codes become their labels, IDs
become links, and an agreement named in a row brings its date (with that date's own footnotes).
"""

from __future__ import annotations

import re
from typing import Any

from ...datamodel import ENTITY_TABLES, NAMES
from ...package import Field, Resource
from .facts import WHOLE, Facts
from .labels import code_label, code_labels, country_name, hangul_lang, language_name, md_parts, number
from .model import LABEL_FIELDS, Entity, Site, file_stem, id_fields, lang_attr, web_url

LONG_FIELDS = ("summary", "description")
SHORT = 24  # characters: a value this short is not wrapped in a table
AS_OF = "_as_of"
JOINED_DATE = "date"  # an entity named in a row brings this field of its own, when its table has it
# (related table, this page's table): the table's heading. The order here is the order on the page.
CAPTIONS: dict[tuple[str, str], str] = {
    ("agreement_parties", "agreements"): "Parties",
    ("agreement_projects", "agreements"): "Projects it concerns",
    ("agreements", "agreements"): "Later agreements that build on it",
    ("roles", "people"): "Roles",
    ("agreement_parties", "people"): "Agreements signed or represented",
    ("agreement_parties", "organisations"): "Agreements",
    ("project_participants", "organisations"): "Projects",
    ("org_relations", "organisations"): "Ownership and control",
    ("roles", "organisations"): "People",
    ("project_participants", "projects"): "Participants",
    ("agreement_projects", "projects"): "Agreements about it",
    ("projects", "projects"): "Parts of this project",
}


def by_field(citations: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for c in citations:
        out.setdefault(str(c.get("field") or WHOLE), []).append(c)
    return out


def has_codes(res: Resource, f: Field) -> bool:
    return f.enum is not None or bool(code_labels(res, f.name))


def cell(site: Site, res: Resource, name: str, value: Any, here: Entity | None = None) -> dict[str, Any]:
    """One value for display: plain text, a link to the page it names, an outside link, or a label."""
    f = res.field(name)
    out: dict[str, Any] = {"text": "" if value is None else str(value), "url": None, "external": None,
                           "lang": None, "self": False, "parts": None, "num": False, "marks": [], "short": False}
    if value is None:
        return out
    _fill(out, site, res, f, value, here)
    shown = "".join(t for _, t in out["parts"]) if out["parts"] else out["text"]
    out["short"] = len(shown) <= SHORT  # kept on one line in a table: a name, a date, a short label
    return out


def _fill(out: dict[str, Any], site: Site, res: Resource, f: Field, value: Any, here: Entity | None) -> None:
    name = f.name
    if f.id_prefixes and str(value) in site.entities:
        target = site.entities[str(value)]
        out.update(text=target.label, url=target.url, self=target is here)
    elif has_codes(res, f):
        out["parts"] = md_parts(code_label(res, name, value))
    elif f.is_country:
        out["text"] = country_name(str(value))
    elif f.is_language:
        out["text"] = language_name(str(value))
    elif isinstance(value, bool | int | float):
        out.update(text=number(value), num=True)
    elif web_url(value) and (f.format == "uri" or name in ("url", "website")):
        out["external"] = value
    else:
        out["lang"] = hangul_lang(value)


def label_field(res: Resource) -> str | None:
    return next((n for n in LABEL_FIELDS if n in res.field_names), None)


def summary(site: Site, ent: Entity, facts: Facts) -> dict[str, Any]:
    """The entity's own row (less its name, which is the heading), its names and the whole-row sources."""
    res = site.tables.package.resource(ent.table)
    row, anchor = ent.row, file_stem(ent.id)
    cites = by_field(site.citations.get(ent.id, []))
    facts.cite(ent.table, ent.id, ent.label, anchor, dict(cites), {f.name: f.title or f.name for f in res.fields})
    as_of = {f.name[:-len(AS_OF)]: f.name for f in res.fields if f.name.endswith(AS_OF)}
    lines, long = [], []
    named = label_field(res)
    for f in res.fields:
        value = row.get(f.name)
        if f.name in res.primary_key or f.name.endswith(AS_OF) and f.name[:-len(AS_OF)] in res.field_names:
            continue
        if f.name == named and f.name not in cites:
            continue
        if value is None and not (f.name in as_of and row.get(as_of[f.name]) is not None):
            continue
        line = {"name": f.name, "title": f.title or f.name, "cell": cell(site, res, f.name, value, ent), "as_of": None}
        if f.name in LONG_FIELDS:
            long.append(line)  # shown after the rest, so numbered after it
            continue
        _mark(line, cites, as_of, row, facts, anchor)
        lines.append(line)
    shown_names = names(site, ent, facts)
    later = {line["name"] for line in long} | {as_of[n] for n in as_of if n in {line["name"] for line in long}}
    whole = cites.pop(WHOLE, [])
    # a cited field that is empty or not in the table: its sources still count, for the whole record
    whole += [c for name, cs in cites.items() if name not in later for c in cs]
    whole_marks = facts.marks(whole, "the whole record", anchor)
    for line in long:
        _mark(line, cites, as_of, row, facts, anchor)
    return {"anchor": anchor, "lines": lines, "long": long, "names": shown_names, "whole": whole_marks}


def _mark(line: dict[str, Any], cites: dict[str, list[dict[str, Any]]], as_of: dict[str, str],
          row: dict[str, Any], facts: Facts, anchor: str) -> None:
    name = line["name"]
    line["cell"]["marks"] = facts.marks(cites.pop(name, []), line["title"], anchor)
    if name in as_of and row.get(as_of[name]) is not None:
        line["as_of"] = {"text": str(row[as_of[name]]),
                         "marks": facts.marks(cites.pop(as_of[name], []), f"{line['title']} as of", anchor)}


def names(site: Site, ent: Entity, facts: Facts) -> list[dict[str, Any]]:
    if NAMES not in site.tables:
        return []
    res = site.tables.package.resource(NAMES)
    out = []
    for n in ent.names:
        anchor = file_stem(str(n.get("id")))
        cites = site.citations.get(str(n.get("id")), [])
        facts.cite(NAMES, str(n.get("id")), f"{ent.label}: “{n['name']}”", anchor, by_field(cites),
                   {f.name: f.title or f.name for f in res.fields})
        kind = code_label(res, "kind", n["kind"]) if n.get("kind") and "kind" in res.field_names else ""
        out.append({"name": n["name"], "lang": lang_attr(n.get("language")), "anchor": anchor,
                    "language": language_name(n.get("language")), "kind": md_parts(kind),
                    "start": n.get("start_date"), "end": n.get("end_date"),
                    "marks": facts.marks(cites, f"name “{n['name']}”", anchor)})
    return out


def relation_tables(site: Site, ent: Entity, facts: Facts) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str]] = set()
    for table, row in site.related.get(ent.id, []):
        key = (table, str(row.get("id") or id(row)))
        if table == NAMES or key in seen:
            continue
        seen.add(key)
        groups.setdefault(table, []).append(row)
    order = [t for (t, e) in CAPTIONS if e == ent.table]
    ranked = sorted(groups, key=lambda t: (order.index(t) if t in order else len(order), t))
    return [_table(site, ent, t, groups[t], facts) for t in ranked]


def _refs(res: Resource, ent: Entity) -> list[Field]:
    """The fields of `res` that can hold this entity's ID (by their ID prefixes)."""
    prefix = ent.id.split("-", 1)[0]
    return [f for f in id_fields(res) if prefix in f.id_prefixes]


def _joined(site: Site, f: Field) -> Resource | None:
    """The entity table `f` points into, when it has a JOINED_DATE field to show beside the link."""
    pkg = site.tables.package
    for table in ENTITY_TABLES:
        if table in site.tables and "id" in pkg.resource(table).field_names:
            other = pkg.resource(table)
            if set(other.field("id").id_prefixes) & set(f.id_prefixes) and JOINED_DATE in other.field_names:
                return other
    return None


def _table(site: Site, ent: Entity, table: str, rows: list[dict[str, Any]], facts: Facts) -> dict[str, Any]:
    res = site.tables.package.resource(table)
    caption = CAPTIONS.get((table, ent.table)) or res.title or table
    refs = _refs(res, ent)
    drop = set(res.primary_key) | {"id"}
    if len(refs) == 1:
        drop.add(refs[0].name)
    if table in ENTITY_TABLES:  # rows that are entities themselves: their name, their date, the link
        named = label_field(res)
        drop |= {f.name for f in res.fields if f.name not in (named, JOINED_DATE)}
    fields = [f for f in res.fields if f.name not in drop and any(r.get(f.name) is not None for r in rows)]
    columns: list[dict[str, Any]] = []
    for f in fields:
        columns.append({"title": f.title or f.name, "field": f, "joined": None})
        other = _joined(site, f) if f.id_prefixes and f not in refs else None
        if other is not None:
            columns.append({"title": other.field(JOINED_DATE).title or JOINED_DATE, "field": f, "joined": other})
    lines = [_line(site, ent, res, row, columns) for row in rows]
    lines.sort(key=lambda x: _sort_key(x["cells"], columns))
    for line in lines:  # footnotes numbered in the order the rows are shown
        _mark_line(site, ent, res, line, columns, refs, caption, facts)
    return {"caption": caption, "table": table, "description": res.description,
            "columns": [c["title"] for c in columns], "rows": lines,
            "id": "rel-" + re.sub(r"[^a-z0-9]+", "-", table.lower())}


def _line(site: Site, ent: Entity, res: Resource, row: dict[str, Any], columns: list[dict[str, Any]]) -> dict[str, Any]:
    """One related row's cells, before its footnotes are numbered."""
    rid = str(row.get("id") or "")
    cells = []
    for col in columns:
        f = col["field"]
        if col["joined"] is not None:
            target = site.entities.get(str(row.get(f.name))) if row.get(f.name) is not None else None
            cells.append(cell(site, col["joined"], JOINED_DATE, target.row.get(JOINED_DATE) if target else None))
            continue
        c = cell(site, res, f.name, row.get(f.name), ent)
        if res.name in ENTITY_TABLES and f.name == label_field(res):
            c.update(url=site.entities[rid].url if rid in site.entities else None, self=False)
        cells.append(c)
    return {"row": row, "id": rid, "anchor": file_stem(rid) if rid else None, "cells": cells, "marks": [],
            "label": row_label(site, res, row, ent)}


def _mark_line(site: Site, ent: Entity, res: Resource, line: dict[str, Any], columns: list[dict[str, Any]],
               refs: list[Field], caption: str, facts: Facts) -> None:
    rid, anchor, label, row = line["id"], line["anchor"], line["label"], line.pop("row")
    cites = by_field(site.citations.get(rid, [])) if rid else {}
    if res.name in ENTITY_TABLES:  # another entity: only the sources of its link to this one, and its date
        cites = {k: v for k, v in cites.items() if k in {f.name for f in refs} | {JOINED_DATE}}
    if rid:
        facts.cite(res.name, rid, label, anchor or "", dict(cites), {f.name: f.title or f.name for f in res.fields})
    for col, c in zip(columns, line["cells"], strict=True):
        f = col["field"]
        if col["joined"] is not None:  # the date of the agreement named in the row, with its own sources
            target = site.entities.get(str(row.get(f.name))) if row.get(f.name) is not None else None
            own = by_field(site.citations.get(target.id, [])).get(JOINED_DATE, []) if target else []
            c["marks"] = facts.marks(own, f"{label} · {col['title']}", anchor)
        else:
            c["marks"] = facts.marks(cites.pop(f.name, []), f"{caption}: {label} · {f.title or f.name}", anchor)
    rest = [c for cs in cites.values() for c in cs]  # whole-row sources, and those of dropped columns
    line["marks"] = facts.marks(rest, f"{caption}: {label}", anchor)


def row_label(site: Site, res: Resource, row: dict[str, Any], here: Entity) -> str:
    """How a related row is named in backlinks: the entities it names other than this page's, its title."""
    bits = [site.entities[str(row[f.name])].label for f in id_fields(res)
            if str(row.get(f.name)) in site.entities and row.get(f.name) != here.id]
    named = label_field(res)
    if named and row.get(named):
        bits.insert(0, str(row[named]))
    return " · ".join(dict.fromkeys(bits)) or str(row.get("id") or res.name)


def _sort_key(cells: list[dict[str, Any]], columns: list[dict[str, Any]]) -> tuple[str, str]:
    dates = [c["text"] for c, col in zip(cells, columns, strict=True)
             if c["text"] and (col["joined"] is not None or col["field"].is_date)]
    return (dates[0] if dates else "9999", " ".join(c["text"] for c in cells).casefold())


def tagline(site: Site, ent: Entity, dated: bool = False) -> str:
    """One line saying what the entity is, for list pages and page descriptions (without its date when
    the list shows it already: `dated`)."""
    res = site.tables.package.resource(ent.table)
    row = ent.row
    bits: list[str] = []
    if "roles" in site.tables:
        for table, r in site.related.get(ent.id, []):
            if table == "roles" and r.get("title"):
                org = site.entities.get(str(r.get("org_id")))
                when = " – ".join(str(r[k]) if r.get(k) else "" for k in ("start_date", "end_date")).strip(" –")
                if r.get("start_date") and not r.get("end_date"):
                    when = f"from {r['start_date']}"
                elif r.get("end_date") and not r.get("start_date"):
                    when = f"until {r['end_date']}"
                bits.append(", ".join(x for x in (str(r["title"]), org.label if org else "") if x)
                            + (f" ({when})" if when else ""))
    for f in res.fields:
        value = row.get(f.name)
        if value is None or f.name in res.primary_key or f.name.endswith(AS_OF):
            continue
        if has_codes(res, f):
            text = code_label(res, f.name, value)
            as_of = row.get(f.name + AS_OF)
            bits.append(text + (f" (as of {as_of})" if as_of else ""))
        elif f.is_country or f.is_language:
            bits.append(country_name(value) if f.is_country else language_name(value))
        elif f.is_date and not dated:
            bits.append(str(value))
            dated = True
        elif f.name == "publisher":
            bits.append(str(value))
    return " · ".join(b.replace("`", "") for b in bits)
