"""Reading one CSV file once, with polars, all cells as strings, each row tagged with its editor line.

File-level problems (missing, empty, not UTF-8, unparseable, header and row-shape mistakes) are
reported here. The slow, exact Python `csv` reader runs only to locate a problem polars has found.
"""

from __future__ import annotations

import csv
import io
import mmap
from dataclasses import dataclass, field

import polars as pl

from ..package import Package, Resource
from .collect import Collector

LINE = "__line"  # the editor line of each row: header = line 1, physical lines counted
_TRUNCATED = "__truncated"


@dataclass
class Table:
    resource: Resource
    frame: pl.DataFrame  # the schema's fields found in the header, plus LINE (and _TRUNCATED while checking)
    rows: int
    bad_ids: list[str] = field(default_factory=list)  # values of `id` that fail the table's ID pattern

    def has(self, *columns: str) -> bool:
        return all(c in self.frame.columns for c in columns)


def _header(raw: bytes) -> tuple[list[str], int]:
    """The header cells and how many physical lines the header takes."""
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    cells = next(reader, [])
    return cells, reader.line_num


def _bad_utf8_lines(data: bytes) -> list[int]:
    lines: list[int] = []
    pos = 0
    while True:
        try:
            data[pos:].decode("utf-8")
            return lines
        except UnicodeDecodeError as e:
            start = pos + e.start
            line = data.count(b"\n", 0, start) + 1
            if not lines or lines[-1] != line:
                lines.append(line)
            pos = pos + e.end


def _count(path) -> tuple[int, bool]:
    """Commas in the raw file, and whether it has quotes at all.

    Large files are scanned with numpy over a memory map (SIMD, no copy: three times faster than
    `bytes.count`); small ones with `bytes.count`, which spares them numpy's import time.
    """
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        quoted = mm.find(b'"') != -1
        if len(mm) < 1 << 25:
            return mm[:].count(b","), quoted
        import numpy as np

        data = np.frombuffer(mm, dtype=np.uint8)
        step = 1 << 22  # compare in slices so the temporary mask stays small
        commas = sum(int(np.count_nonzero(data[i : i + step] == ord(","))) for i in range(0, len(data), step))
        del data  # the map cannot close while a view of it is alive
    return commas, quoted


def _python_records(path):
    """(first line, cell count) of every record, with the exact reader; used only to locate problems."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        prev = 0
        try:
            for record in reader:
                yield prev + 1, len(record)
                prev = reader.line_num
        except csv.Error as e:
            yield -(prev + 1), str(e)


def _ragged_rows(path, name: str, header: list[str], header_lines: int, out: Collector) -> set[int]:
    """Report rows with too many or too few cells; return the lines of the short ones."""
    short = set()
    for first, n in _python_records(path):
        if not isinstance(n, int) or first <= header_lines or n in (0, len(header)):
            continue
        if n > len(header):
            out.one(
                "row-extra-cells", name, line=first, detail=f"the row has {n} cells, the header {len(header)}"
            )
        else:
            short.add(first)
            out.one("row-truncated", name, header[n], line=first)
    return short


def read_table(pkg: Package, res: Resource, out: Collector) -> Table | None:
    """The table's rows as strings (missing values as null), or None if the file cannot be used."""
    name, path = res.name, pkg.csv_path(res)
    if not path.is_file():
        out.one("file-missing", name, detail=f"{res.path} does not exist")
        return None
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.removeprefix(b"\xef\xbb\xbf").strip():
        out.one("file-empty", name)
        return None
    header, header_lines = _header(head)
    fields = res.field_names
    seen: set[str] = set()
    for cell in header:
        if cell in seen:
            out.one("header-duplicate-column", name, cell, line=1, value=cell)
        seen.add(cell)
    missing = [f for f in fields if f not in seen]
    extra = [c for c in dict.fromkeys(header) if c not in fields]
    for f in missing:
        out.one("header-missing-column", name, f, line=1)
    for c in extra:
        out.one("header-extra-column", name, c, line=1, value=c)
    if not missing and not extra and len(header) == len(fields) and header != fields:
        out.one("header-order", name, None, line=1, detail="expected " + ", ".join(fields))

    missing_values = [v for v in res.schema.get("missingValues", [""]) if isinstance(v, str)]
    options: dict = {}
    truncated: set[int] | None = None  # lines of rows with too few cells, once located
    while True:
        try:
            df = pl.read_csv(
                path,
                infer_schema=False,
                null_values=missing_values or None,
                empty_string_is_null="" in missing_values,
                raise_if_empty=False,
                **options,
            )
            break
        except pl.exceptions.PolarsError as e:  # the message says which problem polars met
            msg = str(e)
            if "utf-8" in msg and "encoding" not in options:
                data = path.read_bytes()
                for line in _bad_utf8_lines(data):
                    out.one(
                        "encoding-invalid",
                        name,
                        line=line,
                        detail=f"line {line} has bytes that are not UTF-8",
                    )
                options["encoding"] = "utf8-lossy"
            elif "more fields" in msg and "truncate_ragged_lines" not in options:
                truncated = _ragged_rows(path, name, header, header_lines, out)
                options["truncate_ragged_lines"] = True
            else:
                where = next((-line for line, n in _python_records(path) if line < 0), None)
                out.one(
                    "csv-invalid",
                    name,
                    line=where,
                    detail=f"{res.path} cannot be parsed as CSV: " + msg.splitlines()[0],
                )
                return None
    # polars gives duplicated header names its own suffixes; name columns by position, first one wins
    keep: dict[str, str] = {}
    for i, cell in enumerate(header):
        keep.setdefault(cell, f"__c{i}")
    raw_cols = [f"__c{i}" for i in range(len(header))]
    if df.width != len(raw_cols):  # polars saw another header than csv did: trust the exact reader
        out.one("csv-invalid", name, line=1, detail=f"{res.path}: the header cannot be read consistently")
        return None
    df.columns = raw_cols  # by position (renaming on read is slower, and duplicates get suffixes)

    # Row shapes and line numbers from byte counts: polars pads a short row with empty cells, so a
    # truncated row shows as missing commas (each row has len(header) - 1, plus any inside quoted
    # cells), and quoted cells with line breaks shift later rows' lines. Cells are scanned for
    # commas and line breaks only when the file has quotes at all; the exact reader then locates
    # ragged rows, if the totals say there are any.
    file_commas, quoted = _count(path)
    blank = (
        pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == "") for c in raw_cols])
        if raw_cols
        else pl.lit(False)
    )
    counts = [blank.sum().alias("blank")]
    if quoted and raw_cols:  # only a quoted cell can hold a comma or a line break
        for label, char in (("sep", ","), ("nl", "\n")):
            per_column = [pl.col(c).str.count_matches(char, literal=True).sum() for c in raw_cols]
            counts.append(pl.sum_horizontal(per_column).alias(label))
    found = df.select(counts).row(0, named=True)
    blanks_n, inside, newlines = found["blank"] or 0, found.get("sep") or 0, found.get("nl") or 0
    line_no = pl.int_range(pl.len(), dtype=pl.Int64) + header_lines + 1
    if newlines:
        nl = pl.sum_horizontal(
            [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in raw_cols]
        )
        line_no = line_no + nl.cum_sum() - nl
    df = df.with_columns(line_no.alias(LINE), blank.fill_null(False).alias("__blank"))
    expected = (df.height - blanks_n + 1) * (len(header) - 1) + inside + sum(c.count(",") for c in header)
    if truncated is None:
        truncated = _ragged_rows(path, name, header, header_lines, out) if file_commas != expected else set()
    df = df.with_columns(pl.col(LINE).is_in(sorted(truncated)).alias(_TRUNCATED))
    blanks = df.filter(pl.col("__blank"))
    out.add("row-blank", name, None, blanks.select(pl.col(LINE).alias("line")))

    present = [f for f in fields if f in keep]
    cells = [pl.col(keep[f]).alias(f) for f in present]
    if blanks.height:
        df = df.filter(~pl.col("__blank"))
    df = df.select([*cells, pl.col(LINE), pl.col(_TRUNCATED)])
    return Table(resource=res, frame=df, rows=df.height + blanks.height)
