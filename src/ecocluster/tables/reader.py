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


def read_table(pkg: Package | None, res: Resource, out: Sink, missing: bool = True,
               path: Path | None = None) -> Table | None:
    """The table's rows as strings, or None if the file cannot be used.

    With `missing` (the default) the schema's missing values (`missingValues`, "" by default) are
    null; without, every cell is the string in the file ("" for an empty one), for the commands that
    rewrite or compare files as they are (`fmt`, `diff`). `path` reads another file as this resource.
    """
    name = res.name
    if path is None:
        assert pkg is not None, "read_table needs the package or the path"
        path = pkg.csv_path(res)
    sep, quote = res.dialect.delimiter, res.dialect.quote_char
    if not path.is_file():
        out.one("file-missing", name, detail=f"{res.path} does not exist")
        return None
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.removeprefix(b"\xef\xbb\xbf").strip():
        out.one("file-empty", name)
        return None
    header, header_lines = _header(head, res)
    fields = res.field_names
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

    missing_values = [v for v in res.schema.get("missingValues", [""]) if isinstance(v, str)] if missing else []
    raw = _bytes(path, quote.encode())
    lone_cr = _lone_cr_lines(path) if raw.crlf else []
    if lone_cr:
        for line in lone_cr:
            out.one("line-end-invalid", name, line=line,
                    detail=f"line {line} holds a carriage return (CR) not followed by a line feed (LF)")
    # empty_string_is_null makes an empty cell null, but not a quoted `""`: that needs "" among the
    # null values, which makes the read half as slow again, so only a file with quotes asks for it
    null_values = [v for v in missing_values if v or raw.quoted] or None
    options: dict = {}
    truncated: set[int] | None = None  # lines of rows with too few cells, once located
    while True:
        try:
            df = pl.read_csv(
                path,
                infer_schema=False,
                null_values=null_values,
                empty_string_is_null="" in missing_values,
                separator=sep,
                quote_char=quote,
                raise_if_empty=False,
                # line numbers made while reading, in the same chunks as the cells: adding a column
                # afterwards would make polars copy every cell into new chunks
                row_index_name=LINE,
                row_index_offset=header_lines + 1,
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
                truncated = _ragged_rows(path, res, header, header_lines, out)
                options["truncate_ragged_lines"] = True
            else:
                where = next((-line for line, n in _python_records(path, res) if line < 0), None)
                out.one(
                    "csv-invalid",
                    name,
                    line=where,
                    detail=f"{res.path} cannot be parsed as CSV: a quote is opened and never closed, or text "
                    "follows a closing quote (" + msg.splitlines()[0] + ")",
                )
                return None
    # polars gives duplicated header names its own suffixes; name columns by position, first one wins
    keep: dict[str, str] = {}
    for i, cell in enumerate(header):
        keep.setdefault(cell, f"__c{i}")
    raw_cols = [f"__c{i}" for i in range(len(header))]
    if df.width != len(raw_cols) + 1:  # polars saw another header than csv did: trust the exact reader
        out.one("csv-invalid", name, line=1, detail=f"{res.path}: the header cannot be read consistently")
        return None
    df.columns = [LINE, *raw_cols]  # by position (renaming on read is slower, and duplicates get suffixes)

    # Row shapes and line numbers without reading the file twice. polars pads a short row with
    # nulls, so a truncated row shows only as missing commas. In a file without quotes or CRs, each
    # byte is a cell's, a comma or a newline: if the file's size is what full rows would take, no row
    # is short (a short row can only make it smaller), and line = index + 2. Otherwise (quotes, CRs,
    # blank rows, other missing values, replaced bytes) commas are counted, those inside quoted cells
    # subtracted, and line breaks inside quoted cells shift later rows' lines; if the totals say a
    # row is short, the exact reader locates it.
    empty = [pl.col(c).is_null() | (pl.col(c) == "") for c in raw_cols]
    # a blank row starts with an empty cell: the full test runs only if some row does
    counts = [(empty[0] if empty else pl.lit(False)).sum().alias("blank")]
    if raw.quoted and raw_cols:  # only a quoted cell can hold a comma or a line break
        for label, char in (("sep", ","), ("nl", "\n")):
            per_column = [pl.col(c).str.count_matches(sep if char == "," else char, literal=True).sum()
                          for c in raw_cols]
            counts.append(pl.sum_horizontal(per_column).alias(label))
    elif raw_cols:
        counts.append(pl.sum_horizontal([pl.col(c).str.len_bytes().sum() for c in raw_cols]).alias("bytes"))
    found = df.select(counts).row(0, named=True)
    inside, newlines = found.get("sep") or 0, found.get("nl") or 0
    if newlines:
        nl = pl.sum_horizontal(
            [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in raw_cols]
        )
        df = df.with_columns(pl.col(LINE).cast(pl.Int64) + nl.cum_sum() - nl)
    blanks = df.clear().select(LINE)
    if found["blank"]:
        blanks = df.filter(pl.all_horizontal(empty)).select(LINE)
    blanks_n = blanks.height
    if truncated is None:
        full_rows = (df.height - blanks_n) * (len(header) - 1)
        # a null from a non-empty missing-value token ("NA") counts 0 bytes, so sizes cannot tell then
        tokens = any(v for v in missing_values)
        if "bytes" in found and not raw.crlf and not blanks_n and "encoding" not in options and not tokens:
            header_bytes = len(head.split(b"\n", 1)[0]) + 1
            row_ends = df.height - (0 if raw.ends_with_newline else 1)
            ragged = raw.size != header_bytes + (found["bytes"] or 0) + full_rows + row_ends
        else:
            # blank rows may hold commas, so any blank row sends the file to the exact reader
            commas = full_rows + inside + sum(c.count(sep) for c in header) + len(header) - 1
            ragged = bool(blanks_n) or _count(path, sep.encode()) != commas
        if lone_cr:  # the exact reader would end rows at those CRs; the row shapes are polars' alone
            ragged = False
        truncated = _ragged_rows(path, res, header, header_lines, out) if ragged else set()
    short = pl.col(LINE).is_in(sorted(truncated)) if truncated else pl.lit(False)
    out.add("row-blank", name, None, blanks.select(pl.col(LINE).alias("line")))

    present = [f for f in fields if f in keep]
    cells = [pl.col(keep[f]).alias(f) for f in present]
    if blanks_n:
        df = df.filter(~pl.col(LINE).is_in(blanks.get_column(LINE).implode()))
    df = df.select([*cells, pl.col(LINE).cast(pl.Int64), short.alias(_TRUNCATED)])
    return Table(resource=res, frame=df, rows=df.height + blanks_n)
