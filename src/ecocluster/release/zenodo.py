""".zenodo.json: the deposit metadata Zenodo reads when it archives a release, from the descriptor and CITATION.cff.

Only fields of Zenodo's documented deposit metadata are written (developers.zenodo.org, "Deposit
metadata"): upload_type, publication_date, title, creators, description, access_right, license,
keywords, version and related_identifiers, each from what the descriptor or CITATION.cff states:

- the licence is the descriptor's SPDX identifier in lower case, the form of Zenodo's licence
  vocabulary (`cc-by-4.0`; Zenodo refuses `CC-BY-4.0` with "The license ID you have selected is not
  present in our system");
- the description is HTML on Zenodo, so the text is HTML-escaped;
- related identifiers are the sources the descriptor lists with an http(s) address (`isDerivedFrom`:
  the data is taken from them) and CITATION.cff's `repository-code` (`isSupplementTo`), when present.
  Each is an identifier and a relation only: Zenodo's documentation lists no other attribute but an
  optional resource_type, and detects the kind of identifier itself. No DOI is written: Zenodo mints
  one for each version, and CITATION.cff records none yet.

A copy is kept at the repository's root, where Zenodo's GitHub integration reads it (a test keeps it
equal to what `build` writes).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..base.escape import web_url
from ..package import Package

FILE = ".zenodo.json"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def zenodo_metadata(package: Package, cff: dict[str, Any] | None) -> dict[str, Any]:
    from ..exports.site.metadata import citation

    d = package.descriptor
    c = cff or {}
    cite = citation(package, cff)
    title = cite["title"]
    meta: dict[str, Any] = {
        "upload_type": "dataset",
        "title": title,
        "version": package.version,
        "creators": [{"name": name} for name in cite["authors"]],
        "description": html.escape(" ".join(str(c.get("abstract") or d.get("description") or title).split())),
        "access_right": "open",
    }
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cite["date"]):
        meta["publication_date"] = cite["date"]
    licences = [x for x in package.entries("licenses") if x.get("name")]
    if licences:
        meta["license"] = str(licences[0]["name"]).lower()
    keywords = [str(k) for k in package.listed("keywords") or _list(c.get("keywords")) if str(k).strip()]
    if keywords:
        meta["keywords"] = list(dict.fromkeys(keywords))
    related = [{"identifier": url, "relation": "isDerivedFrom"}
               for s in package.entries("sources") if (url := web_url(s.get("path")))]
    if code := web_url(c.get("repository-code")):
        related.append({"identifier": code, "relation": "isSupplementTo"})
    if related:
        meta["related_identifiers"] = related
    return meta


def zenodo_text(package: Package) -> str:
    from ..exports.site.metadata import read_citation

    return json.dumps(zenodo_metadata(package, read_citation(package)), indent=2, ensure_ascii=False) + "\n"
