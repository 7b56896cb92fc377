"""Sharing, citing and correcting: each page's description, preview tags and canonical address; the
"report a problem" link; the JSON download of an entity's rows and citations.

A page's address is absolute only when the site's public address is known (`base_url`: where the
build folder is published; the site is its `site/` folder). Without it the canonical link is the
page's own file name, which resolves wherever the folder is opened.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

from ...datamodel import CITATIONS, NAMES
from ...package import Package
from .labels import plain
from .model import Entity, Site, web_url

DESCRIPTION_CHARS = 200
_FORGES = re.compile(r"https://(github\.com|gitlab\.com|codeberg\.org)/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def page_url(base_url: str | None, rel: str) -> str | None:
    return f"{base_url.rstrip('/')}/site/{rel}" if base_url else None


def describe(*parts: Any) -> str:
    """A page description of at most DESCRIPTION_CHARS characters, cut at a word."""
    text = " ".join(plain(p).strip() for p in parts if p and str(p).strip())
    text = re.sub(r"\s+", " ", text)
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:·–-")
    return cut + "…"


def repository(package: Package, cff: dict[str, Any] | None) -> str | None:
    """The repository the data is kept in, if the descriptor (`homepage`) or CITATION.cff
    (`repository-code`) names one on a forge whose issue form can be pre-filled; never guessed."""
    for value in (package.descriptor.get("homepage"), (cff or {}).get("repository-code")):
        if isinstance(value, str) and (m := _FORGES.match(value.strip())):
            return m.group(0)
    return None


def report_link(repo: str | None, title: str, where: str) -> str | None:
    """An address that opens a new issue with the page named in it (GitHub, Codeberg, GitLab forms)."""
    if not repo:
        return None
    body = (f"Page: {where}\n\nWhat is wrong:\n\n\nWhat it should say, and the source that says so "
            "(a link or the publication, date and page):\n")
    subject = f"Correction: {title}"
    if repo.startswith("https://gitlab.com/"):
        return f"{repo}/-/issues/new?" + urlencode({"issue[title]": subject, "issue[description]": body},
                                                     quote_via=quote)
    return f"{repo}/issues/new?" + urlencode({"title": subject, "body": body}, quote_via=quote)


def maintainers(package: Package) -> list[dict[str, str | None]]:
    """Who the descriptor names as contributors, with an address only where it gives one."""
    out = []
    for c in package.entries("contributors"):
        if c.get("title"):
            email = c.get("email") if isinstance(c.get("email"), str) and "@" in c["email"] else None
            out.append({"title": str(c["title"]), "email": email, "path": web_url(c.get("path"))})
    return out


def entity_json(site: Site, ent: Entity, page: str) -> str:
    """The entity's row, its names, every row that names it, and every citation of those rows."""
    pkg = site.tables.package
    related: dict[str, list[dict[str, Any]]] = {}
    ids = [ent.id] + [str(n["id"]) for n in ent.names if n.get("id")]
    for table, row in site.related.get(ent.id, []):
        if table == NAMES:
            continue
        related.setdefault(table, [])
        if row not in related[table]:
            related[table].append(row)
            if row.get("id"):
                ids.append(str(row["id"]))
    citations = [c for i in dict.fromkeys(ids) for c in site.citations.get(i, [])]
    if ent.table == "sources":
        citations += [c for c in site.by_source.get(ent.id, []) if c not in citations]
    sources = {str(c.get("source_id")): site.entities[str(c.get("source_id"))].row for c in citations
               if str(c.get("source_id")) in site.entities}
    doc = {
        "dataset": str(pkg.descriptor.get("title") or pkg.name), "name": pkg.name, "version": pkg.version,
        "licenses": pkg.entries("licenses"), "page": page, "table": ent.table, "id": ent.id,
        "record": ent.row, NAMES: ent.names, "related": related, CITATIONS: citations,
        "sources": list(sources.values()),
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
