"""JSON Lines: one file per table, one object per row, keys in schema order, null for empty cells."""

from __future__ import annotations

import json
from pathlib import Path

from ..io import write_text
from ..package import Package

NAME = "jsonl"
DESCRIPTION = "a JSON Lines file per table"
FOLDER = "jsonl"


def export(package: Package, out_dir: Path) -> list[Path]:
    written = []
    for res in package.resources:
        lines = [json.dumps({f.name: row[f.name] for f in res.fields}, ensure_ascii=False)
                 for row in package.read_rows(res)]
        target = Path(out_dir) / FOLDER / f"{res.name}.jsonl"
        written.append(write_text(target, "".join(f"{x}\n" for x in lines)))
    return written
