"""The dataset described for people (how to cite it) and for machines (schema.org and DCAT-AP JSON-LD).

Both JSON-LD documents carry their context inline (`@vocab` / prefixes), so nothing is fetched to read
them. Download URLs are relative to the site's pages unless a base URL is given (a relative
`contentUrl` resolves against the page it is read from, which is where the files are).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...base.mediatypes import UNREGISTERED, media_type
from ...package import Package
from ...package.citation import read_citation as read_citation  # read in one place, for the site and zenodo

SITE = "site"


def _authors(package: Package, cff: dict[str, Any] | None) -> list[str]:
    names: list[str] = []
    for a in (cff or {}).get("authors") or []:
        if isinstance(a, dict):
            name = a.get("name") or " ".join(str(a[k]) for k in ("given-names", "family-names") if a.get(k))
            if name:
                names.append(str(name))
    if not names:
        names = [str(c.get("title")) for c in package.entries("contributors")
                 if c.get("title")]
    return names


def citation(package: Package, cff: dict[str, Any] | None) -> dict[str, Any]:
    """The parts of a reference: authors, year, title, version, a DOI or URL when CITATION.cff has one."""
    d = package.descriptor
    c = cff or {}
    released = str(c.get("date-released") or d.get("created") or "")
    return {
        "authors": _authors(package, cff),
        "year": released[:4] if re.match(r"\d{4}", released) else "",
        "date": released[:10],
        "title": str(c.get("title") or d.get("title") or package.name),
        "version": str(c.get("version") or package.version),
        "doi": str(c["doi"]) if c.get("doi") else "",
        "url": str(c.get("url") or c.get("repository-code") or ""),
        "from_cff": cff is not None,
    }


def licences(package: Package) -> list[dict[str, str]]:
    out = []
    for x in package.entries("licenses"):
        if x.get("name") or x.get("title"):
            out.append({"name": str(x.get("name") or x.get("title")), "title": str(x.get("title") or x.get("name")),
                        "url": str(x.get("path") or "")})
    return out


def downloads(manifest: dict[str, Any] | None, base_url: str | None) -> list[dict[str, Any]]:
    """The build's files from the manifest (the site's own files left out), with their URLs: relative to
    the site's pages (`../<path>`), or absolute under `base_url`, the build folder's published address."""
    out = []
    for r in (manifest or {}).get("resources") or []:
        path = str(r.get("path", ""))
        if not path or path.startswith(f"{SITE}/") or ".." in Path(path).parts or path.startswith("/"):
            continue
        digest = str(r.get("hash", ""))
        url = (base_url.rstrip("/") + "/" + path) if base_url else f"../{path}"
        out.append({"path": path, "bytes": r.get("bytes"), "sha256": digest.removeprefix("sha256:"),
                    "mediatype": str(r.get("mediatype") or media_type(path)), "href": url, "url": url})
    return out


def _temporal(date_range: dict[str, str] | None) -> str | None:
    return f"{date_range['min']}/{date_range['max']}" if date_range else None


def schema_org(package: Package, cite: dict[str, Any], date_range: dict[str, str] | None,
               files: list[dict[str, Any]]) -> dict[str, Any]:
    d = package.descriptor
    doc: dict[str, Any] = {
        "@context": {"@vocab": "https://schema.org/"},
        "@type": "Dataset",
        "name": str(d.get("title") or package.name),
        "description": str(d.get("description") or d.get("title") or package.name),
        "version": package.version,
        "keywords": [str(k) for k in package.listed("keywords")],
        "license": [lic["url"] or lic["name"] for lic in licences(package)],
        "creator": [{"@type": "Organization", "name": a} for a in cite["authors"]],
        "isAccessibleForFree": True,
        "distribution": [{"@type": "DataDownload", "name": f["path"], "contentUrl": f["url"],
                          "encodingFormat": f["mediatype"], "contentSize": f"{f['bytes']} B",
                          "sha256": f["sha256"]} for f in files],
    }
    if cite["date"]:
        doc["datePublished"] = cite["date"]
    if temporal := _temporal(date_range):
        doc["temporalCoverage"] = temporal
    if cite["doi"]:
        doc["identifier"] = f"https://doi.org/{cite['doi']}"
    return doc


DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
}


def dcat(package: Package, cite: dict[str, Any], date_range: dict[str, str] | None,
         files: list[dict[str, Any]]) -> dict[str, Any]:
    """A DCAT-AP Dataset with one Distribution per download (access and download URL, checksum, size)."""
    d = package.descriptor
    lic = [{"@id": x["url"]} if x["url"] else x["name"] for x in licences(package)]
    doc: dict[str, Any] = {
        "@context": DCAT_CONTEXT,
        "@type": "dcat:Dataset",
        "dct:title": {"@value": str(d.get("title") or package.name), "@language": "en"},
        "dct:description": {"@value": str(d.get("description") or d.get("title") or package.name), "@language": "en"},
        "dcat:keyword": [{"@value": str(k), "@language": "en"} for k in package.listed("keywords")],
        "dcat:version": package.version,
        "dct:identifier": package.name,
        "dct:publisher": [{"@type": "foaf:Agent", "foaf:name": a} for a in cite["authors"]],
        "dct:license": lic,
        "dcat:distribution": [{
            "@type": "dcat:Distribution", "dct:title": f["path"],
            "dcat:accessURL": {"@id": f["url"]}, "dcat:downloadURL": {"@id": f["url"]},
            **({"dct:format": f["mediatype"]} if f["mediatype"] in UNREGISTERED else
               {"dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{f['mediatype']}"}}),
            "dcat:byteSize": {"@value": str(f["bytes"]), "@type": "xsd:nonNegativeInteger"},
            "dct:license": lic,
            "spdx:checksum": {"@type": "spdx:Checksum", "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                              "spdx:checksumValue": {"@value": f["sha256"], "@type": "xsd:hexBinary"}},
        } for f in files],
    }
    if cite["date"]:
        doc["dct:issued"] = {"@value": cite["date"], "@type": "xsd:date"}
    if date_range:
        doc["dct:temporal"] = {"@type": "dct:PeriodOfTime", "dcat:startDate": date_range["min"],
                               "dcat:endDate": date_range["max"]}
    return doc


def script_json(doc: dict[str, Any]) -> str:
    """JSON for a <script> element: `<`, `>` and `&` escaped so data cannot close the element."""
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
