"""Broken variants of the small valid fixture: edits to its CSVs, descriptor and schemas, a copy with
the edits applied, and a report's errors as tuples (tests/validation/test_validate.py, test_hostile_validation.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

VALID = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"
Edit = Callable[[Path], None]


def sub(table: str, old: str, new: str) -> Edit:
    """Replace `old` (which must occur exactly once) in data/<table>.csv; a lone surrogate in `new`
    becomes the byte it stands for, so a test can plant bytes that are not UTF-8."""

    def edit(root: Path) -> None:
        path = root / "data" / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (table, old)
        path.write_bytes(text.replace(old, new).encode("utf-8", "surrogateescape"))

    return edit


def append(table: str, *lines: str) -> Edit:
    def edit(root: Path) -> None:
        with open(root / "data" / f"{table}.csv", "a", encoding="utf-8", newline="") as fh:
            fh.writelines(line + "\n" for line in lines)

    return edit


def write(rel: str, data: bytes) -> Edit:
    def edit(root: Path) -> None:
        (root / rel).write_bytes(data)

    return edit


def descriptor(change: Callable[[dict], None]) -> Edit:
    def edit(root: Path) -> None:
        dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        change(dp)
        (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")

    return edit


def schema(table: str, change: Callable[[dict], None]) -> Edit:
    def edit(root: Path) -> None:
        path = root / "schemas" / f"{table}.schema.json"
        s = json.loads(path.read_text(encoding="utf-8"))
        change(s)
        path.write_text(json.dumps(s), encoding="utf-8")

    return edit


def shipped_copy(dest: Path) -> Path:
    """A private copy of the shipped package (descriptor, data, schemas) in `dest`, which a test may edit."""
    root = Path(__file__).resolve().parents[2]
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "datapackage.json", dest)
    shutil.copytree(root / "data", dest / "data")
    shutil.copytree(root / "schemas", dest / "schemas")
    return dest


def package(tmp_path: Path, edits: list[Edit]) -> Path:
    """A copy of the valid fixture with `edits` applied."""
    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    for edit in edits:
        edit(root)
    return root


def found(report) -> list[tuple]:
    return [(e.code, e.resource, e.row, e.field) for e in report.errors]
