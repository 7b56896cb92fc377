"""Datasette (0.65) for the SQLite export, plugin-free:

    datasette ecocluster.sqlite -m metadata.json --template-dir datasette-templates

`metadata.json` carries the descriptor's and Table Schemas' titles and descriptions (rendered as
escaped HTML: they are data), facets on every coded column (kinds, statuses, roles), `_metadata`
hidden, and canned queries for the usual questions: every fact about a record with its quote and
source, a record's names, who signed what, who held which role when. `datasette-templates/row.html`
extends Datasette's own row page with links from each row to its citations (whose `source_id`
links on to the source) and its names; without it, each table's description links to the same
canned queries, where one types the ID.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from ..base.escape import web_url
from ..base.files import write_text
from ..datamodel import CITATIONS, PROVENANCE, QUOTE_EN
from ..package import Package
from ..tables import Tables, bound_names
from . import base_name
from .sql.schema import METADATA_TABLE
from .sql.views import available_views

NAME = "datasette"
FILENAME = "metadata.json"
TEMPLATE_DIR = "datasette-templates"

# Jinja, not data: the row's one primary key goes into the URLs through Datasette's `urlencode`.
ROW_TEMPLATE = """{% extends "default:row.html" %}
{#- Written by `ecocluster export --to datasette`: each row links to the facts cited for it. -#}
{% block description_source_license %}{{ super() }}
{% if primary_key_values|length == 1 and table not in ("citations", "sources") %}
{% set id = primary_key_values[0]|urlencode %}
<p class="ecocluster-provenance">Where this comes from:
<a href="{{ urls.table(database, "citations") }}?record_id={{ id }}">citations of this row</a>
(each links to its source),
<a href="{{ urls.database(database) }}/record_facts?record_id={{ id }}">every fact with its quote and source</a>,
<a href="{{ urls.table(database, "names") }}?entity_id={{ id }}">names</a>.</p>
{% endif %}
{% endblock %}
"""


def html_text(text: str) -> str:
    """A description as HTML: escaped, Markdown code spans as <code>, blank lines as paragraphs."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
    return "".join("<p>" + re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(p)) + "</p>" for p in paragraphs)


def plain_text(text: str) -> str:
    """A description where only text shows (column descriptions): Markdown code spans unwrapped."""
    return re.sub(r"`([^`\n]+)`", r"\1", text)


def _queries(package: Package, db: str) -> dict[str, Any]:
    names = set(package.resource_names) | {v.name for v in available_views(package)}
    queries: dict[str, Any] = {}
    if "cited_facts" in names:
        en = QUOTE_EN in package.resource(CITATIONS).field_names
        queries["record_facts"] = {
            "title": "Every fact about a record, with its quote and source",
            "description": "Give a record's ID (such as org-renault-korea): every citation of it, the field "
                           "it supports (* for the whole row), the quote"
                           + (" (with the curators' English translation of a quote not in English)" if en else "")
                           + " and the source.",
            "sql": 'SELECT "field", "quote", ' + ('"quote_en", ' if en else "")
                   + '"note", "source_title", "source_url", "source_published_date", "source_id" FROM "cited_facts" '
                   'WHERE "record_id" = :record_id ORDER BY "field", "source_id"',
        }
    if "names" in names:
        queries["record_names"] = {
            "title": "Every name of an organisation, person or project",
            "description": "Give its ID (such as org-renault-korea): its names in every language, with their "
                           "kind and dates.",
            "sql": 'SELECT "id", "name", "language", "kind", "start_date", "end_date" FROM "names" '
                   'WHERE "entity_id" = :entity_id ORDER BY "start_date" NULLS LAST, "id"',
        }
    if "agreement_signatories" in names:
        queries["who_signed_what"] = {
            "title": "Who signed what",
            "description": "Each signatory of each agreement: the person, the organisation signed for, the "
                           "position held there on the day.",
            "sql": 'SELECT "agreement_date", "agreement_title", "org_name", "signatory_name", "signatory_title", '
                   '"signatory_title_local" FROM "agreement_signatories" WHERE "party_role" = \'signatory\'',
        }
    if "role_holders" in names:
        queries["who_held_which_role_when"] = {
            "title": "Who held which role when",
            "description": "Every position, by organisation, with the dates it was held (empty when no "
                           "source says).",
            "sql": 'SELECT "org_name", "person_name", "title", "title_local", "start_date", "end_date" '
                   'FROM "role_holders"',
        }
    return queries


def _provenance(db: str, queries: dict[str, Any]) -> str:
    links = [f'<a href="/{html.escape(db)}/{name}">{html.escape(q["title"].lower())}</a>'
             for name, q in queries.items() if name in ("record_facts", "record_names")]
    return f"<p>Look up a record by its ID: {', '.join(links)}.</p>" if links else ""


def _first(value: Any, key: str = "name") -> dict[str, Any]:
    """The first entry of a descriptor list (`licenses`, `sources`) that is an object with `key`."""
    items = value if isinstance(value, list) else []
    return next((x for x in items if isinstance(x, dict) and x.get(key)), {})


def metadata(package: Package) -> dict[str, Any]:
    dp = package.descriptor
    licence = _first(dp.get("licenses"))
    source = _first(dp.get("sources"), "path")
    db = base_name(package)
    queries = _queries(package, db)
    provenance = _provenance(db, queries)
    tables: dict[str, Any] = {}
    for res in package.resources:
        columns: dict[str, str] = {}
        for f in res.fields:  # in the database's order: each date's bounds right after it
            columns[f.name] = plain_text(_column(f.description, f.labels))
            if f.is_date:
                early, late = bound_names(f)
                columns[early] = f"The first day {f.name} can mean (2024 -> 2024-01-01)."
                columns[late] = f"The last day {f.name} can mean (2024 -> 2024-12-31)."
        table: dict[str, Any] = {
            "title": res.title or res.name,
            "description_html": html_text(res.description)
            + (provenance if res.name not in PROVENANCE and res.primary_key == ("id",) else ""),
            "columns": columns,
        }
        facets = [f.name for f in res.fields if f.enum is not None]
        if facets:
            table["facets"] = facets
        label = next((c for c in ("name", "title") if c in res.field_names), None)
        if label:
            table["label_column"] = label
        tables[res.name] = table
    for view in available_views(package):
        tables[view.name] = {"title": view.title, "description_html": html_text(view.description)}
    tables[METADATA_TABLE] = {"hidden": True}
    meta: dict[str, Any] = {
        "title": str(dp.get("title") or package.name),
        "description_html": html_text(str(dp.get("description", ""))),
        # Datasette makes these links: only an http(s) address becomes one (base.escape.web_url)
        "license": str(licence.get("name", "")),
        "license_url": web_url(licence.get("path")) or "",
        "source": str(source.get("title", "")),
        "source_url": web_url(source.get("path")) or "",
        "databases": {db: {
            "title": str(dp.get("title") or package.name),
            "description_html": html_text(f"Version {package.version}. " + str(dp.get("description", ""))),
            "tables": tables,
            "queries": queries,
        }},
    }
    return {k: v for k, v in meta.items() if v != ""}


def _column(description: str, codes: dict[str, str]) -> str:
    if not codes:
        return description
    return description + " Codes: " + "; ".join(f"{code}: {text.rstrip('.')}" for code, text in codes.items()) + "."


def export(tables: Tables, out_dir: Path) -> list[Path]:
    package = tables.package
    text = json.dumps(metadata(package), indent=2, ensure_ascii=False) + "\n"
    return [write_text(Path(out_dir) / FILENAME, text),
            write_text(Path(out_dir) / TEMPLATE_DIR / "row.html", ROW_TEMPLATE)]
