"""Datasette metadata for the SQLite export: `datasette ecocluster.sqlite -m metadata.json`.

Titles and descriptions come from the descriptor and Table Schemas, the views' from
`exports.views`, so the browsable site says exactly what the data dictionary says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..io import write_text
from ..package import Package
from ..tables import Tables
from . import base_name
from .views import available_views

NAME = "datasette"
DESCRIPTION = "Datasette metadata (metadata.json) describing the SQLite export"
FILENAME = "metadata.json"


def metadata(package: Package) -> dict[str, Any]:
    dp = package.descriptor
    licence = (dp.get("licenses") or [{}])[0]
    source: dict[str, Any] = next((s for s in dp.get("sources", []) if s.get("path")), {})
    tables: dict[str, Any] = {}
    for res in package.resources:
        tables[res.name] = {
            "title": res.title or res.name,
            "description": res.description,
            "columns": {f.name: _column(f.description, f.enum_descriptions) for f in res.fields},
        }
    for view in available_views(package):
        tables[view.name] = {"title": view.title, "description": view.description}
    meta: dict[str, Any] = {
        "title": dp.get("title", package.name),
        "description": dp.get("description", ""),
        "license": licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "source": source.get("title", ""),
        "source_url": source.get("path", ""),
        "databases": {base_name(package): {
            "title": dp.get("title", package.name),
            "description": f"Version {package.version}. " + str(dp.get("description", "")),
            "tables": tables,
        }},
    }
    return {k: v for k, v in meta.items() if v != ""}


def _column(description: str, codes: dict[str, str]) -> str:
    if not codes:
        return description
    return description + " Codes: " + "; ".join(f"{code}: {text}" for code, text in codes.items())


def export(tables: Tables, out_dir: Path) -> list[Path]:
    text = json.dumps(metadata(tables.package), indent=2, ensure_ascii=False) + "\n"
    return [write_text(Path(out_dir) / FILENAME, text)]
