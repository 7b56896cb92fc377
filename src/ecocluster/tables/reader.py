"""The one CSV reader: each file is read once, with polars, all cells as strings, each row tagged
with its editor line. Validation checks these frames; exports, `load()`, the site, `fmt`, `diff` and
`describe` use the same frames (typed by `ecocluster.tables`), so every command has one definition
of a row and of a cell.

The rules, written down in docs/validation.md ("How a CSV file is read"): RFC 4180 with the
resource's dialect (delimiter and quote character; see `package.Dialect`); a row ends at LF or
CRLF outside quotes; a CR not followed by LF is refused (`line-end-invalid`), since readers
disagree on whether it ends a row; a UTF-8 byte order mark is dropped; cells may be of any size;
NUL and other characters are kept as they are (the text rules judge them).

File-level problems (missing, empty, not UTF-8, unparseable, header and row-shape mistakes) are
reported to a `Sink` (the validator's Collector, or `Problems` here for the other commands). The
slow, exact Python `csv` reader runs only to locate a problem polars has found; with lone CRs
refused, it and polars agree on where every row ends.
"""

from __future__ import annotations

import csv
import io
import mmap
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import polars as pl

from ..package import Package, Resource
from ..package.paths import open_regular

LINE = "__line"  # the editor line of each row: header = line 1, physical lines counted
# Queries over tables already in memory run on polars' in-memory engine: 10-25% faster here than the
# default (which picks the streaming engine), measured on a million rows with polars 2.1.
ENGINE: Literal["in-memory"] = "in-memory"
_TRUNCATED = "__truncated"


class Sink(Protocol):
    """Where the reader reports file-level problems (validation.collect.Collector is one)."""

    def one(self, code: str, resource: str | None = None, field: str | None = None, line: int | None = None,
            value: str | None = None, detail: str | None = None, hint: str | None = None) -> None: ...

    def add(self, code: str, resource: str | None, field: str | None, frame: pl.DataFrame) -> None: ...


@dataclass(frozen=True)
class Problem:
    code: str
    resource: str | None
    line: int | None
    detail: str | None


class Problems:
    """A Sink for commands that only need to know whether and where a file could not be read."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def one(self, code: str, resource: str | None = None, field: str | None = None, line: int | None = None,
            value: str | None = None, detail: str | None = None, hint: str | None = None) -> None:
        self.items.append(Problem(code, resource, line, detail or (f"column `{field}`" if field else None)))

    def add(self, code: str, resource: str | None, field: str | None, frame: pl.DataFrame) -> None:
        for rec in frame.iter_rows(named=True):
            self.one(code, resource, field, rec.get("line"), rec.get("value"), rec.get("detail"))


@dataclass
class Table:
    resource: Resource
    frame: pl.DataFrame  # the schema's fields found in the header, plus LINE (and _TRUNCATED while checking)
    rows: int
    bad_ids: list[str] = field(default_factory=list)  # values of `id` that fail the table's ID pattern

    def has(self, *columns: str) -> bool:
        return all(c in self.frame.columns for c in columns)


def report_unreadable(out: Sink, res: Resource, error: OSError) -> None:
    """Report a file the operating system refused to open or read (`file-unreadable`: permission
    denied, a folder in its place, an I/O error). read_table lets such an OSError through, for each
    command to decide; the validator reports it with this."""
    out.one("file-unreadable", res.name, detail=f"{res.path} cannot be read: {error.strerror or error}")


def _exact(fh: Any, res: Resource, strict: bool = False) -> Any:
    """Python's csv reader with the resource's dialect and no cell-size limit (used only to locate)."""
    csv.field_size_limit(sys.maxsize)
    d = res.dialect
    return csv.reader(fh, delimiter=d.delimiter, quotechar=d.quote_char, strict=strict)


def _header(raw: bytes, res: Resource) -> tuple[list[str], int]:
    """The header cells and how many physical lines the header takes."""
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    reader = _exact(io.StringIO(text, newline=""), res)
    cells: list[str] = next(reader, [])
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


@dataclass
class _Bytes:
    """What the reader needs to know of the raw file without scanning it: memchr-fast finds only."""

    size: int
    quoted: bool  # a quote character anywhere: cells may hold delimiters or line breaks
    crlf: bool  # a CR anywhere: line ends are not one byte each
    ends_with_newline: bool


def _bytes(path, quote: bytes) -> _Bytes:
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return _Bytes(len(mm), mm.find(quote) != -1, mm.find(b"\r") != -1, mm[-1:] == b"\n")


def _count(path, needle: bytes) -> int:
    """Occurrences of `needle` in the raw file, counted in slices of a memory map (no copy of the
    whole file); slices overlap by one byte less than the needle, so none is missed or counted twice."""
    step, over = 1 << 22, len(needle) - 1
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return sum(mm[i : i + step + over].count(needle) for i in range(0, len(mm), step))


def _lone_cr_lines(path) -> list[int]:
    """Lines holding a CR not followed by LF (only looked for when the counts say there is one)."""
    if _count(path, b"\r") == _count(path, b"\r\n"):
        return []
    data = path.read_bytes()
    lines: list[int] = []
    pos = data.find(b"\r")
    while pos != -1:
        if data[pos + 1 : pos + 2] != b"\n":
            line = data.count(b"\n", 0, pos) + 1
            if not lines or lines[-1] != line:
                lines.append(line)
        pos = data.find(b"\r", pos + 1)
    return lines


def _python_records(path, res: Resource):
    """(first line, cell count) of every record, with the exact reader; used only to locate problems."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = _exact(fh, res, strict=True)
        prev = 0
        try:
            for record in reader:
                yield prev + 1, len(record)
                prev = reader.line_num
        except csv.Error as e:
            yield -(prev + 1), str(e)


def _ragged_rows(path, res: Resource, header: list[str], header_lines: int, out: Sink) -> set[int]:
    """Report rows with too many or too few cells; return the lines of the short ones."""
    name = res.name
    short = set()
    for first, n in _python_records(path, res):
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


@dataclass(frozen=True)
class _File:
    """What the steps of `read_table` share about the file being read."""

    path: Path
    res: Resource
    head: bytes  # the first 64 KiB, where the header is read from
    header: list[str]  # the header's cells, as the exact reader reads them
    header_lines: int  # physical lines the header takes
    raw: _Bytes
    missing_values: list[str]  # the cells read as null ([] when reading cells as they are)


@dataclass(frozen=True)
class _Parsed:
    frame: pl.DataFrame
    lossy: bool  # bytes that are not UTF-8 were replaced
    truncated: set[int] | None  # lines of rows with too few cells, if they were located while parsing


def read_table(pkg: Package | None, res: Resource, out: Sink, missing: bool = True,
               path: Path | None = None) -> Table | None:
    """The table's rows as strings, or None if the file cannot be used.

    With `missing` (the default) the schema's missing values (`missingValues`, "" by default) are
    null; without, every cell is the string in the file ("" for an empty one), for the commands that
    rewrite or compare files as they are (`fmt`, `diff`). `path` reads another file as this resource.
    """
    if path is None:
        assert pkg is not None, "read_table needs the package or the path"
        path = pkg.csv_path(res)
    head = _head(path, res, out)
    if head is None:
        return None
    header, header_lines = _header(head, res)
    _check_header(header, res, out)
    raw = _bytes(path, res.dialect.quote_char.encode())
    f = _File(path, res, head, header, header_lines, raw, _missing_values(res) if missing else [])
    lone_cr = _report_lone_crs(f, out)
    parsed = _parse(f, out)
    if parsed is None:
        return None
    df = _by_position(parsed.frame, f, out)
    if df is None:
        return None
    found = _counts(df, f)
    if found.get("nl"):
        df = _shift_lines(df, f)
    blanks = _blank_rows(df, f) if found["blank"] else df.clear().select(LINE)
    truncated = parsed.truncated
    if truncated is None:
        # with lone CRs the exact reader would end rows at them: the row shapes are polars' alone
        ragged = not lone_cr and _may_be_ragged(f, df.height, blanks.height, found, parsed.lossy)
        truncated = _ragged_rows(path, res, header, header_lines, out) if ragged else set()
    out.add("row-blank", res.name, None, blanks.select(pl.col(LINE).alias("line")))
    return _table(df, f, blanks, truncated)


def _head(path: Path, res: Resource, out: Sink) -> bytes | None:
    """The file's first 64 KiB; None if there is no file (`file-missing`), if it is not a regular file
    (`file-special`: a FIFO, a socket, a device or a folder, found without opening it for good, so a
    FIFO never blocks the reader), or if it holds nothing but a byte order mark and blank space
    (`file-empty`): then there is not even a header to read."""
    try:
        with open_regular(path) as (fh, kind):
            head = fh.read(1 << 16) if kind is None else b""
    except (FileNotFoundError, NotADirectoryError):
        out.one("file-missing", res.name, detail=f"{res.path} does not exist")
        return None
    if kind is not None:
        out.one("file-special", res.name, detail=f"{res.path} is {kind}, not a regular file")
        return None
    if not head.removeprefix(b"\xef\xbb\xbf").strip():
        out.one("file-empty", res.name)
        return None
    return head


def _check_header(header: list[str], res: Resource, out: Sink) -> None:
    """Report how the header differs from the schema's fields: a column named twice, a field missing,
    a column the schema lacks, or exactly the schema's columns in another order. The rows are read
    all the same (a missing column reads as absent, an extra one is not checked)."""
    name, fields = res.name, res.field_names
    seen: set[str] = set()
    for cell in header:
        if cell in seen:
            out.one("header-duplicate-column", name, cell, line=1, value=cell)
        seen.add(cell)
    absent = [f for f in fields if f not in seen]
    extra = [c for c in dict.fromkeys(header) if c not in fields]
    for f in absent:
        out.one("header-missing-column", name, f, line=1)
    for c in extra:
        out.one("header-extra-column", name, c, line=1, value=c)
    if not absent and not extra and len(header) == len(fields) and header != fields:
        out.one("header-order", name, None, line=1, detail="expected " + ", ".join(fields))


def _missing_values(res: Resource) -> list[str]:
    """The schema's missing values (`missingValues`, "" by default): the cells read as null."""
    return [v for v in res.schema.get("missingValues", [""]) if isinstance(v, str)]


def _report_lone_crs(f: _File, out: Sink) -> list[int]:
    """Report each line holding a CR not followed by LF (`line-end-invalid`), and return those lines;
    the file is read all the same, each such CR kept as a character of its cell."""
    lone_cr = _lone_cr_lines(f.path) if f.raw.crlf else []
    for line in lone_cr:
        out.one("line-end-invalid", f.res.name, line=line,
                detail=f"line {line} holds a carriage return (CR) not followed by a line feed (LF)")
    return lone_cr


def _parse(f: _File, out: Sink) -> _Parsed | None:
    """Every cell as a string, with polars, each row tagged with its line (correct while no quoted cell
    holds a line break). Of the problems polars stops at, two are reported and read past: bytes that
    are not UTF-8 (then replaced) and rows with too many cells (located with the exact reader, then
    cut). Any other makes the file unusable: `csv-invalid`, and None."""
    d = f.res.dialect
    # empty_string_is_null makes an empty cell null, but not a quoted `""`: that needs "" among the
    # null values, which makes the read half as slow again, so only a file with quotes asks for it
    null_values = [v for v in f.missing_values if v or f.raw.quoted] or None
    options: dict = {}
    truncated: set[int] | None = None
    while True:
        try:
            df = pl.read_csv(
                f.path,
                infer_schema=False,
                null_values=null_values,
                empty_string_is_null="" in f.missing_values,
                separator=d.delimiter,
                quote_char=d.quote_char,
                raise_if_empty=False,
                # line numbers made while reading, in the same chunks as the cells: adding a column
                # afterwards would make polars copy every cell into new chunks
                row_index_name=LINE,
                row_index_offset=f.header_lines + 1,
                **options,
            )
            return _Parsed(df, "encoding" in options, truncated)
        except pl.exceptions.PolarsError as e:  # the message says which problem polars met
            msg = str(e)
            if "utf-8" in msg and "encoding" not in options:
                _report_bad_utf8(f, out)
                options["encoding"] = "utf8-lossy"
            elif "more fields" in msg and "truncate_ragged_lines" not in options:
                truncated = _ragged_rows(f.path, f.res, f.header, f.header_lines, out)
                options["truncate_ragged_lines"] = True
            else:
                _report_unparseable(f, msg, out)
                return None


def _report_bad_utf8(f: _File, out: Sink) -> None:
    """Report each line holding bytes that are not UTF-8 (`encoding-invalid`)."""
    for line in _bad_utf8_lines(f.path.read_bytes()):
        out.one("encoding-invalid", f.res.name, line=line, detail=f"line {line} has bytes that are not UTF-8")


def _report_unparseable(f: _File, msg: str, out: Sink) -> None:
    """Report a file polars cannot read to the end (`csv-invalid`), at the line where the exact reader
    stops, and with polars' first line of explanation."""
    where = next((-line for line, n in _python_records(f.path, f.res) if line < 0), None)
    out.one(
        "csv-invalid",
        f.res.name,
        line=where,
        detail=f"{f.res.path} cannot be parsed as CSV: a quote is opened and never closed, or text "
        "follows a closing quote (" + msg.splitlines()[0] + ")",
    )


def _raw_columns(header: list[str]) -> list[str]:
    """The names the cells' columns get, by position: `__c0`, `__c1`, …"""
    return [f"__c{i}" for i in range(len(header))]


def _by_position(df: pl.DataFrame, f: _File, out: Sink) -> pl.DataFrame | None:
    """The frame with its columns named by position after LINE (renaming on read is slower, and polars
    gives duplicated header names its own suffixes). None, reported as `csv-invalid`, if polars saw
    another header than the exact reader did: the exact reader is trusted."""
    raw_cols = _raw_columns(f.header)
    if df.width != len(raw_cols) + 1:
        out.one("csv-invalid", f.res.name, line=1, detail=f"{f.res.path}: the header cannot be read consistently")
        return None
    df.columns = [LINE, *raw_cols]
    return df


def _empty_cells(raw_cols: list[str]) -> list[pl.Expr]:
    return [pl.col(c).is_null() | (pl.col(c) == "") for c in raw_cols]


def _counts(df: pl.DataFrame, f: _File) -> dict[str, Any]:
    """What the row shapes and line numbers are judged from, counted in one pass over the cells:
    `blank`, the rows starting with an empty cell (a blank row does, so the full test for blank rows
    runs only if some row does); in a file with quotes (only a quoted cell can hold a separator or a
    line break) `sep` and `nl`, the separators and line breaks inside cells; without quotes `bytes`,
    the size of every cell together."""
    raw_cols = _raw_columns(f.header)
    empty = _empty_cells(raw_cols)
    counts = [(empty[0] if empty else pl.lit(False)).sum().alias("blank")]
    sep = f.res.dialect.delimiter
    if f.raw.quoted and raw_cols:
        for label, char in (("sep", ","), ("nl", "\n")):
            per_column = [pl.col(c).str.count_matches(sep if char == "," else char, literal=True).sum()
                          for c in raw_cols]
            counts.append(pl.sum_horizontal(per_column).alias(label))
    elif raw_cols:
        counts.append(pl.sum_horizontal([pl.col(c).str.len_bytes().sum() for c in raw_cols]).alias("bytes"))
    return df.select(counts).row(0, named=True)


def _shift_lines(df: pl.DataFrame, f: _File) -> pl.DataFrame:
    """Each row's line moved on by the line breaks inside the quoted cells of the rows before it."""
    nl = pl.sum_horizontal(
        [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in _raw_columns(f.header)]
    )
    return df.with_columns(pl.col(LINE).cast(pl.Int64) + nl.cum_sum() - nl)


def _blank_rows(df: pl.DataFrame, f: _File) -> pl.DataFrame:
    """The LINE of every row whose cells are all empty (`row-blank`)."""
    return df.filter(pl.all_horizontal(_empty_cells(_raw_columns(f.header)))).select(LINE)


def _may_be_ragged(f: _File, rows: int, blanks: int, found: dict[str, Any], lossy: bool) -> bool:
    """Whether some row may have too few cells, judged from sizes and counts without reading the file
    again; if so, the exact reader locates the short rows.

    polars pads a short row with nulls, so a truncated row shows only as missing separators. In a
    file without quotes or CRs, each byte is a cell's, a separator or a newline: if the file's size is
    what full rows would take, no row is short (a short row can only make it smaller). Otherwise
    (quotes, CRs, blank rows, other missing values, replaced bytes) the separators are counted, those
    inside quoted cells subtracted."""
    sep = f.res.dialect.delimiter
    full_rows = (rows - blanks) * (len(f.header) - 1)
    # a null from a non-empty missing-value token ("NA") counts 0 bytes, so sizes cannot tell then
    tokens = any(v for v in f.missing_values)
    if "bytes" in found and not f.raw.crlf and not blanks and not lossy and not tokens:
        header_bytes = len(f.head.split(b"\n", 1)[0]) + 1
        row_ends = rows - (0 if f.raw.ends_with_newline else 1)
        return f.raw.size != header_bytes + (found["bytes"] or 0) + full_rows + row_ends
    # blank rows may hold separators, so any blank row sends the file to the exact reader
    inside = found.get("sep") or 0
    commas = full_rows + inside + sum(c.count(sep) for c in f.header) + len(f.header) - 1
    return bool(blanks) or _count(f.path, sep.encode()) != commas


def _table(df: pl.DataFrame, f: _File, blanks: pl.DataFrame, truncated: set[int]) -> Table:
    """The schema's fields found in the header, by name (of a column named twice, the first), without
    the blank rows, with LINE and whether each row was short (_TRUNCATED)."""
    keep: dict[str, str] = {}
    for i, cell in enumerate(f.header):
        keep.setdefault(cell, f"__c{i}")
    short = pl.col(LINE).is_in(sorted(truncated)) if truncated else pl.lit(False)
    cells = [pl.col(keep[name]).alias(name) for name in f.res.field_names if name in keep]
    if blanks.height:
        df = df.filter(~pl.col(LINE).is_in(blanks.get_column(LINE).implode()))
    df = df.select([*cells, pl.col(LINE).cast(pl.Int64), short.alias(_TRUNCATED)])
    return Table(resource=f.res, frame=df, rows=df.height + blanks.height)
