"""`manifest.json`: every file a build wrote, with its size, SHA-256 hash and media type.

The manifest is a Data Package descriptor of the build's outputs. Two builds of the same data give the
same manifest, but for the files listed in NOT_REPRODUCIBLE, which it marks `reproducible: false`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..base.files import write_text
from ..base.mediatypes import media_type
from ..package import Package

MANIFEST = "manifest.json"
# Files that two builds of the same data do not give byte for byte, and why (marked in the manifest).
NOT_REPRODUCIBLE = {
    "ecocluster.duckdb": "DuckDB lays its storage blocks out differently from one run to the next, even on one "
                         "thread; the tables, keys, rows and comments are the same",
    "site/index.html": "lists the SHA-256 of ecocluster.duckdb",
    "site/dcat.jsonld": "lists the SHA-256 of ecocluster.duckdb",
}


def file_resource(path: Path, rel: str) -> dict[str, Any]:
    """The manifest's entry for the file at `path`, `rel` its path in the build folder."""
    with open(path, "rb") as fh:  # streamed: a database of a million rows need not sit in memory
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    out = {"name": re.sub(r"[^a-z0-9._-]+", "-", rel.lower()), "path": rel,
           "format": path.suffix.lstrip("."),
           "mediatype": media_type(path),
           "bytes": path.stat().st_size, "hash": "sha256:" + digest}
    if rel in NOT_REPRODUCIBLE:
        out["reproducible"] = False
        out["reproducible_note"] = NOT_REPRODUCIBLE[rel]
    return out


def file_resources(stage: Path, written: Iterable[Path]) -> dict[Path, dict[str, Any]]:
    """The entry of each file written (a path given may be a folder: each file in it), by path."""
    return {p: file_resource(p, p.relative_to(stage).as_posix())
            for path in written for p in ([path] if path.is_file() else sorted(path.rglob("*")))
            if p.is_file()}


def manifest_of(package: Package, stage: Path, entries: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    """The manifest of every file in `stage`, taking the entries already hashed from `entries`."""
    files = sorted((p for p in stage.rglob("*") if p.is_file()), key=lambda p: p.relative_to(stage).as_posix())
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": f"{package.name}-build",
        "title": f"{package.descriptor.get('title', package.name)}: build outputs",
        "description": f"Every file `ecocluster build` wrote from {package.name} {package.version}, "
                       "with its size and SHA-256 hash.",
        "version": package.version,
        "licenses": package.descriptor.get("licenses", []),
        "resources": [entries.get(p) or file_resource(p, p.relative_to(stage).as_posix()) for p in files],
    }


def add_files(manifest: dict[str, Any], stage: Path, written: Iterable[Path]) -> None:
    """List files written after the manifest was made (the site's) in it, keeping it sorted by path."""
    manifest["resources"] += [file_resource(p, p.relative_to(stage).as_posix()) for p in written]
    manifest["resources"].sort(key=lambda r: r["path"])


def write_manifest(stage: Path, manifest: dict[str, Any]) -> Path:
    return write_text(stage / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
