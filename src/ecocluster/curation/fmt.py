"""The canonical form of the CSV files, so every contributor's edit looks the same in a diff.

Canonical: UTF-8 without BOM, LF line endings, the header in Table Schema order, rows sorted by the
primary key, minimal quoting (Python's csv.QUOTE_MINIMAL), every cell NFC with its leading and trailing
whitespace trimmed. Nothing else is changed: no value is retyped, reworded or dropped.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..base.files import remove_stale_temps, write_bytes
from ..errors import PackageError, TableUnreadable, UsageError
from ..package import Package, Resource
from ..package.archive import is_archive, open_package
from ..package.paths import read_bytes, special
from ..rules import MISSHAPEN, UNREADABLE
from ..tables.reader import Problem


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


_HEADER = {"header-missing-column": "missing", "header-extra-column": "unknown",
           "header-duplicate-column": "repeated"}
_WHY = {
    "file-empty": "no header row",
    "encoding-invalid": "not UTF-8; save the file as UTF-8",
}


def _unreadable(file: str, line: int, message: str, code: str) -> TableUnreadable:
    """A CSV that cannot be read reliably enough to rewrite it; `row` is the line a person sees in an editor."""
    return TableUnreadable(f"{file}, line {line}: {message}", code=code, resource=file, row=line,
                           hint="fix it by hand, then run `ecocluster fmt` again.", detail=message)


def _problem(resource: Resource, file: str, problems: list[Problem]) -> TableUnreadable:
    """The first reason the reader gave for not reading the file as its schema says, as one message."""
    header = [p for p in problems if p.code in _HEADER]
    if header:
        parts: dict[str, list[str]] = {}
        for p in header:
            parts.setdefault(_HEADER[p.code], []).append((p.detail or "").removeprefix("column ").strip("`"))
        why = "; ".join(f"{kind} column(s) {', '.join(names)}" for kind, names in parts.items())
        return _unreadable(file, 1, f"header does not match the schema of `{resource.name}`: {why}", header[0].code)
    first = problems[0]
    if first.code == "row-truncated":
        return _unreadable(file, first.line or 1, f"the row ends before {first.detail}", first.code)
    detail = first.detail if first.code in ("csv-invalid", "line-end-invalid", "row-extra-cells") else None
    return _unreadable(file, first.line or 1, detail or _WHY.get(first.code) or first.code, first.code)


def _canonical(resource: Resource, path: Path, file: str) -> bytes:
    from ..tables.reader import Problems, read_table

    problems = Problems()
    table = read_table(None, resource, problems, missing=False, path=path)
    # and a lone CR: QUOTE_MINIMAL with LF line ends would write it bare, where readers disagree
    fatal = [p for p in problems.items if p.code in UNREADABLE | MISSHAPEN or p.code == "line-end-invalid"]
    if table is None or fatal:
        raise _problem(resource, file, fatal or problems.items or [Problem("file-empty", None, 1, None)])
    import polars as pl

    names = resource.field_names
    cells = [pl.col(n).str.replace_all("\r\n", "\n", literal=True).str.normalize("NFC").str.strip_chars()
             for n in names]
    frame = table.frame.select(cells)
    key = [k for k in resource.primary_key if k in names]
    if key:  # a stable sort: rows with equal keys keep their order (the validator reports them)
        frame = frame.sort(key, maintain_order=True)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(frame.iter_rows())
    return out.getvalue().encode("utf-8")


def canonical_csv(resource: Resource, raw: bytes, file: str | None = None) -> bytes:
    """The canonical bytes of `raw`, a CSV for `resource`; raises TableUnreadable if it cannot be read.

    The bytes are read by the one reader every command uses, so `fmt` never disagrees with `validate`
    on where a row ends or what a cell holds.
    """
    with tempfile.TemporaryDirectory(prefix="ecocluster-fmt-") as tmp:
        path = Path(tmp) / "table.csv"
        path.write_bytes(raw)
        return _canonical(resource, path, file or resource.path)


def format_package(path: str | Path | None = None, check: bool = False) -> FormatReport:
    """Rewrite the package's CSVs in canonical form, each atomically; with `check`, only report.

    A file that cannot be parsed is never rewritten: it is listed in `problems` with its line and why.
    A rewritten file keeps its mode and owner; the temps a killed run left beside the CSVs are removed
    (not with `check`, which changes nothing). WriteError when a file cannot be written. A release
    archive can be checked, not rewritten (UsageError).
    """
    if path is not None and not check and is_archive(path):
        raise UsageError(f"{Path(path).name} is a release archive: `fmt` rewrites a package's files in place",
                         hint="unzip it and format the folder, or check it with `ecocluster fmt --check`.")
    with open_package(path) as pkg:
        return _format(pkg, check)


def _format(pkg: Package, check: bool) -> FormatReport:
    report = FormatReport(root=str(pkg.root), check=check)
    for res in pkg.resources:
        target = pkg.csv_path(res)
        if not check:  # what a run killed mid-write left beside the file (ecocluster.base.files)
            remove_stale_temps(target)
        try:  # never blindly: a FIFO would block, a device never end (package.paths.read_bytes)
            raw = read_bytes(target, "the CSV", cap=None)
        except PackageError:  # a FIFO, a socket, a device, a folder: said as validate says it
            report.problems.append(FormatProblem(res.path, None, f"not a regular file but {special(target)}"))
            continue
        except OSError as e:
            report.problems.append(FormatProblem(res.path, None, f"cannot read the file ({e.strerror})"))
            continue
        try:
            canonical = _canonical(res, target, res.path)
        except TableUnreadable as e:
            report.problems.append(FormatProblem(res.path, e.row, e.detail))
            continue
        if canonical == raw:
            report.unchanged.append(res.path)
            continue
        report.changed.append(res.path)
        if not check:
            write_bytes(target, canonical)
    return report
