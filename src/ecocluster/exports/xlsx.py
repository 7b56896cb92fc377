"""Excel: one sheet per table, typed cells, widths fitted to the content, and a `columns` sheet
describing every column.

Cells are what an Excel or LibreOffice user expects: numbers are numbers, shown with thousands
separators (700,000,000,000, never 7E+11); a reduced-precision date stays the text written (`2024`
is not a number, `2021-09` not a made-up day), and beside it two real date cells, its first and last
day (`<date>_earliest`, `<date>_latest`), to sort and filter by; the header row stays frozen.

Written in openpyxl's streaming (write-only) mode, from the typed tables. The workbook is rewritten
with fixed timestamps (the package's `created`), so the same data gives the same bytes: openpyxl
stamps the save time into docProps/core.xml and into every zip entry.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from ..base.files import atomic_path
from ..errors import ExportError
from ..package import limits
from ..tables import Tables, bound_names, date_bounds_columns
from . import base_name

NAME = "xlsx"
COLUMNS_SHEET = limits.EXCEL_COLUMNS_SHEET
COLUMNS_HEADER = ["table", "column", "title", "type", "required", "description", "codes"]
SHEET_ROWS = 1_048_576  # Excel's limit per sheet, the header row included
CELL_CHARS = limits.EXCEL_CELL_CHARS
MIN_WIDTH, MAX_WIDTH = 6, 60  # characters
# Dates are kept as the text written (a year or a month is never shown as a made-up day); the
# `columns` sheet says so in each date column's type.
DATE_TYPE = "date as text: YYYY, YYYY-MM or YYYY-MM-DD"
BOUND_TYPE = "date"
# Number formats: thousands separators; decimals only where a number has them (`#,##0.##` would end
# 100 with a bare decimal point). `@` keeps a date written as text a text cell when someone edits it.
INTEGER_FORMAT, DECIMAL_FORMAT, TEXT_FORMAT, DAY_FORMAT = "#,##0", "#,##0.0#########", "@", "yyyy-mm-dd"


def _widths(frame: pl.DataFrame) -> list[float]:
    """Column widths in characters: the longest header or value (first line), within bounds."""
    out = []
    for name in frame.columns:
        c = pl.col(name).cast(pl.String).str.split("\n").list.first().str.len_chars()
        longest = frame.select(c.max()).item() or 0
        out.append(float(min(MAX_WIDTH, max(MIN_WIDTH, len(name), longest) + 2)))
    return out


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _sheet(wb: Any, title: str, frame: pl.DataFrame, bold: Any, text_columns: frozenset[str] = frozenset()) -> None:
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(title)
    for i, width in enumerate(_widths(frame)):
        ws.column_dimensions[_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if frame.width:
        ws.auto_filter.ref = f"A1:{_column_letter(frame.width - 1)}{max(frame.height + 1, 1)}"
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    texts = [n for n, t in frame.schema.items() if t == pl.String or isinstance(t, pl.Enum)]
    # how each column's values become cells: a function per column, chosen once
    makers = [_maker(ws, frame.schema[name], name in text_columns) for name in frame.columns]
    for row in frame.with_columns(pl.col(texts).cast(pl.String)).iter_rows():
        ws.append([make(v) for make, v in zip(makers, row, strict=True)])


def _maker(ws: Any, dtype: pl.DataType, as_text: bool) -> Any:
    """How a column's values become cells: numbers with their format, days as dates, text as text."""
    from openpyxl.cell import WriteOnlyCell

    def styled(value: Any, number_format: str, data_type: str | None = None) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        if data_type:
            cell.data_type = data_type
        return cell

    if dtype.is_integer():
        return lambda v: v if v is None else styled(v, INTEGER_FORMAT)
    if dtype.is_float():
        return lambda v: v if v is None else styled(v, INTEGER_FORMAT if v.is_integer() else DECIMAL_FORMAT)
    if dtype == pl.Date:
        return lambda v: v if v is None else styled(v, DAY_FORMAT)
    if as_text:  # a date written as text: a text cell, formatted as text
        return lambda v: v if v is None else styled(v, TEXT_FORMAT, "s")
    # A text starting with `=` is text, never a formula someone's spreadsheet would run.
    return lambda v: _as_text(ws, v) if isinstance(v, str) and v.startswith("=") else v


def _as_text(ws: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _columns_frame(tables: Tables) -> pl.DataFrame:
    rows = []
    for res in tables.package.resources:
        for f in res.fields:
            codes = json.dumps({c: f.labels.get(c, "") for c in f.enum}, ensure_ascii=False) \
                if f.enum else None
            kind = DATE_TYPE if f.is_date else f.type
            rows.append((res.name, f.name, f.title, kind, f.required or f.name in res.primary_key,
                         f.description, codes))
            if f.is_date:
                for name, which in zip(bound_names(f), ("first", "last"), strict=True):
                    rows.append((res.name, name, f"{f.title or f.name} ({which} day)", BOUND_TYPE, False,
                                 f"The {which} day `{f.name}` can mean (`2024` runs from 2024-01-01 to "
                                 f"2024-12-31), as a date; empty when `{f.name}` is.", None))
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS_HEADER[:4], pl.String) | {
        "required": pl.Boolean, "description": pl.String, "codes": pl.String}, orient="row")


def _check(name: str, frame: pl.DataFrame) -> None:
    """Refuse, naming the sheet, column and row, what an Excel sheet cannot hold as it is: before the
    workbook is begun, since openpyxl cannot drop a half-written one quietly."""
    if frame.height + 1 > SHEET_ROWS:
        raise ExportError(f"table `{name}` has {frame.height:,} rows, more than an Excel sheet holds "
                          f"({SHEET_ROWS - 1:,} below its header); use the Parquet or SQLite export")
    for column, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        c = pl.col(column)
        for bad, why in ((c.str.len_chars() > CELL_CHARS, f"is longer than the {CELL_CHARS:,} characters an "
                          "Excel cell holds"),
                         (c.str.contains(r"[\x00-\x08\x0b-\x1f]"), "holds a control character (a CR among them: "
                          "XML readers turn it into LF), which an Excel sheet cannot store as it is")):
            rows = frame.with_row_index("__row").filter(bad.fill_null(False)).get_column("__row")
            if rows.len():
                raise ExportError(f"table `{name}`, column `{column}`, row {rows[0] + 1}: the value {why}; "
                                  "use the Parquet, SQLite or CSV files for it")


def _stamp(tables: Tables) -> datetime:
    created = tables.package.descriptor.get("created")
    try:
        stamp = datetime.fromisoformat(str(created).replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        stamp = datetime(1980, 1, 1)
    return max(stamp, datetime(1980, 1, 1))


def _reproducible(path: Path, stamp: datetime) -> None:
    """Rewrite the workbook with every zip entry and docProps/core.xml dated `stamp`."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{iso}\g<2>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)


def export(tables: Tables, out_dir: Path) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    package = tables.package
    names = package.resource_names
    if COLUMNS_SHEET in names or any(len(n) > limits.EXCEL_SHEET_CHARS for n in names):
        raise ExportError(f"table names must be at most 31 characters and not `{COLUMNS_SHEET}` for Excel")
    columns = _columns_frame(tables)
    title = str(package.descriptor.get("title", package.name))
    for name, frame in [*((res.name, tables[res.name]) for res in package.resources), (COLUMNS_SHEET, columns)]:
        _check(name, frame)
    if re.search("[\x00-\x08\x0b-\x1f\ud800-\udfff]", title):
        raise ExportError("the package's title holds a control character, which a workbook cannot store "
                          "(validate: descriptor-text-invalid)")
    wb = Workbook(write_only=True)
    stamp = _stamp(tables)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.title = title
    bold = Font(bold=True)
    for res in package.resources:
        dates = frozenset(f.name for f in res.fields if f.is_date)
        _sheet(wb, res.name, date_bounds_columns(tables[res.name], res), bold, dates)
    _sheet(wb, COLUMNS_SHEET, columns, bold)
    target = Path(out_dir) / f"{base_name(package)}.xlsx"
    with atomic_path(target) as tmp:
        wb.save(tmp)
        _reproducible(tmp, stamp)
    return [target]
