"""The canonical form of the CSV files, so every contributor's edit looks the same in a diff.

Canonical: UTF-8 without BOM, LF line endings, the header in Table Schema order, rows sorted by the
primary key, minimal quoting (Python's csv.QUOTE_MINIMAL), every cell NFC with its leading and trailing
whitespace trimmed. Nothing else is changed: no value is retyped, reworded or dropped.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import EcoclusterError
from .io import write_bytes
from .package import Package, Resource

BOM = b"\xef\xbb\xbf"


class UnparseableCSV(EcoclusterError):
    """A CSV cannot be read reliably enough to rewrite it; `line` is the line a person sees in an editor."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}, line {line}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass(frozen=True)
class FormatProblem:
    file: str
    line: int | None  # None when the file could not be opened at all
    message: str


@dataclass
class FormatReport:
    """What `format_package` did (or, with `check`, would do). Paths are relative to the package root."""

    root: str
    check: bool
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[FormatProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file is canonical (after a rewrite: was made so) and none was unreadable."""
        return not self.problems and (not self.check or not self.changed)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "root": self.root, "check": self.check, "changed": self.changed,
                "unchanged": self.unchanged, "problems": [asdict(p) for p in self.problems]}


def _clean(cell: str) -> str:
    # A spreadsheet may save CRLF inside a quoted cell too; LF is canonical everywhere.
    return unicodedata.normalize("NFC", cell.replace("\r\n", "\n")).strip()


def canonical_csv(resource: Resource, raw: bytes, file: str | None = None) -> bytes:
    """The canonical bytes of `raw`, a CSV for `resource`; raises UnparseableCSV if it cannot be read."""
    file = file or resource.path
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        why = f"not UTF-8 (byte {raw[e.start]:#04x}); save the file as UTF-8"
        raise UnparseableCSV(file, line, why) from None

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []  # (line the record starts on, cells)
    start = 1
    try:
        for cells in reader:
            if cells:  # blank lines carry nothing; every CSV reader here skips them
                records.append((start, [_clean(c) for c in cells]))
            start = reader.line_num + 1
    except csv.Error as e:
        why = f"malformed CSV ({e}); check the quotes on this line"
        raise UnparseableCSV(file, reader.line_num, why) from None
    if not records:
        raise UnparseableCSV(file, 1, "no header row")

    header_line, header = records[0]
    expected = resource.field_names
    if sorted(header) != sorted(expected):
        missing = [n for n in expected if n not in header]
        extra = [n for n in header if n not in expected]
        dupes = sorted({n for n in header if header.count(n) > 1})
        why = "; ".join(part for part in (
            f"missing column(s) {', '.join(missing)}" if missing else "",
            f"unknown column(s) {', '.join(extra)}" if extra else "",
            f"repeated column(s) {', '.join(dupes)}" if dupes else "",
        ) if part)
        why = f"header does not match the schema of `{resource.name}`: {why}"
        raise UnparseableCSV(file, header_line, why)

    order = [header.index(n) for n in expected]
    rows: list[list[str]] = []
    for line, cells in records[1:]:
        if len(cells) != len(header):
            raise UnparseableCSV(file, line, f"{len(cells)} cells where the header has {len(header)}")
        rows.append([cells[i] for i in order])

    key = [expected.index(k) for k in resource.primary_key if k in expected]
    if key:  # a stable sort: rows with equal keys keep their order (the validator reports them)
        rows.sort(key=lambda r: [r[i] for i in key])

    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(expected)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def format_package(path: str | Path | None = None, check: bool = False) -> FormatReport:
    """Rewrite the package's CSVs in canonical form, each atomically; with `check`, only report.

    A file that cannot be parsed is never rewritten: it is listed in `problems` with its line and why.
    """
    pkg = Package.open(path)
    report = FormatReport(root=str(pkg.root), check=check)
    for res in pkg.resources:
        target = pkg.csv_path(res)
        try:
            raw = target.read_bytes()
        except OSError as e:
            report.problems.append(FormatProblem(res.path, None, f"cannot read the file ({e.strerror})"))
            continue
        try:
            canonical = canonical_csv(res, raw)
        except UnparseableCSV as e:
            report.problems.append(FormatProblem(e.file, e.line, e.message))
            continue
        if canonical == raw:
            report.unchanged.append(res.path)
            continue
        report.changed.append(res.path)
        if not check:
            write_bytes(target, canonical)
    return report
