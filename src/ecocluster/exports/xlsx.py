"""Excel: one sheet per table, typed cells, and a `columns` sheet describing every column."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ..io import atomic_path
from ..package import Package
from . import ExportError, base_name

NAME = "xlsx"
DESCRIPTION = "an Excel workbook: a sheet per table and a `columns` sheet"
COLUMNS_SHEET = "columns"
COLUMNS_HEADER = ["table", "column", "title", "type", "required", "description", "codes"]


def _append(ws: Any, values: list[Any]) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        # A text starting with `=` is text, never a formula someone's spreadsheet would run.
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def export(package: Package, out_dir: Path) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = package.resource_names
    if COLUMNS_SHEET in names or any(len(n) > 31 for n in names):
        raise ExportError(f"table names must be at most 31 characters and not `{COLUMNS_SHEET}` for Excel")
    wb = Workbook()
    wb.remove(wb.active)
    created = package.descriptor.get("created")
    if isinstance(created, str):  # a fixed date keeps rebuilt workbooks comparable
        stamp = datetime.fromisoformat(created.replace("Z", "+00:00")).replace(tzinfo=None)
        wb.properties.created = wb.properties.modified = stamp
    wb.properties.title = str(package.descriptor.get("title", package.name))
    bold = Font(bold=True)
    for res in package.resources:
        ws = wb.create_sheet(res.name)
        ws.append(res.field_names)
        for cell in ws[1]:
            cell.font = bold
        for row in package.read_rows(res):
            _append(ws, [row[f.name] for f in res.fields])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    ws = wb.create_sheet(COLUMNS_SHEET)
    ws.append(COLUMNS_HEADER)
    for cell in ws[1]:
        cell.font = bold
    for res in package.resources:
        for f in res.fields:
            codes = json.dumps({c: f.enum_descriptions.get(c, "") for c in f.enum}, ensure_ascii=False) \
                if f.enum else None
            _append(ws, [res.name, f.name, f.title, f.type, f.required or f.name in res.primary_key,
                         f.description, codes])
    ws.freeze_panes = "A2"
    target = Path(out_dir) / f"{base_name(package)}.xlsx"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return [target]
