"""JSON Lines: one file per table, one object per row, keys in schema order, null for empty cells."""

from __future__ import annotations

from pathlib import Path

from ..base.escape import file_name
from ..base.files import atomic_path
from ..tables import Tables

NAME = "jsonl"
FOLDER = "jsonl"


def export(tables: Tables, out_dir: Path) -> list[Path]:
    written = []
    for res in tables.package.resources:
        target = Path(out_dir) / FOLDER / file_name(res.name, ".jsonl")
        with atomic_path(target) as tmp:
            tables[res.name].write_ndjson(tmp)  # streamed by polars; enums as their codes
        written.append(target)
    return written
