"""One read, one truth: for awkward CSV bytes, what `validate` reports, what `load()` returns and what
every export holds agree row for row, because every command reads through the same reader."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

import ecocluster
from ecocluster.errors import EcoclusterError

BIG = "x" * (5 * 1024 * 1024)  # a 5 MB cell: Python's csv module refuses cells over 128 KB by default

# name -> (CSV bytes, the rows every reader must see, the codes validate reports)
CASES: dict[str, tuple[bytes, list[tuple[str, str | None, int | None]], set[str]]] = {
    "lf": (b"id,text,n\na,one,1\nb,two,2\n", [("a", "one", 1), ("b", "two", 2)], set()),
    "crlf": (b"id,text,n\r\na,one,1\r\nb,two,2\r\n", [("a", "one", 1), ("b", "two", 2)], set()),
    "bom": (b"\xef\xbb\xbfid,text,n\na,one,1\n", [("a", "one", 1)], set()),
    "quoted-newlines": (b'id,text,n\na,"line 1\nline 2",1\nb,"x\r\ny",2\n',
                        [("a", "line 1\nline 2", 1), ("b", "x\r\ny", 2)], {"text-control-character"}),
    # a CR in a cell is a control character too (only tab and LF are text)
    "lone-cr": (b"id,text,n\na,x\ry,1\nb,two,2\n", [("a", "x\ry", 1), ("b", "two", 2)],
                {"line-end-invalid", "text-control-character"}),
    "quoted-lone-cr": (b'id,text,n\na,"x\ry",1\n', [("a", "x\ry", 1)],
                       {"line-end-invalid", "text-control-character"}),
    # a 5 MB cell is read whole; validate says no Excel cell can hold it (issue 28: what validate
    # accepts, every format writes), and the xlsx export refuses it in the same words
    "big-cell": (b"id,text,n\na," + BIG.encode() + b",1\n", [("a", BIG, 1)], {"text-too-long"}),
    "nul": (b"id,text,n\na,x\x00y,1\n", [("a", "x\x00y", 1)], None),  # type: ignore[dict-item]
    "empty-cells": (b'id,text,n\na,,\nb,"",2\n', [("a", None, None), ("b", None, 2)], set()),
}


def package(tmp: Path, data: bytes) -> Path:
    (tmp / "data").mkdir(parents=True)
    (tmp / "data" / "items.csv").write_bytes(data)
    fields = [{"name": "id", "type": "string", "constraints": {"required": True}},
              {"name": "text", "type": "string"}, {"name": "n", "type": "integer"}]
    (tmp / "datapackage.json").write_text(json.dumps({
        "name": "awkward", "version": "1.0.0", "created": "2026-01-01T00:00:00Z",
        "resources": [{"name": "items", "path": "data/items.csv", "schema": {"fields": fields, "primaryKey": ["id"]}}],
    }), encoding="utf-8")
    return tmp


def exported_rows(out: Path, formats: list[str]) -> dict[str, list[tuple]]:
    """Each format's rows, read back by that format's own reader."""
    got: dict[str, list[tuple]] = {}
    if "parquet" in formats:
        got["parquet"] = [tuple(r.values()) for r in pq.read_table(out / "parquet" / "items.parquet").to_pylist()]
    if "sqlite" in formats:
        con = sqlite3.connect(out / "awkward.sqlite")
        got["sqlite"] = con.execute("SELECT id, text, n FROM items ORDER BY rowid").fetchall()
    if "duckdb" in formats:
        got["duckdb"] = duckdb.connect(str(out / "awkward.duckdb"), read_only=True).execute(
            "SELECT id, text, n FROM items").fetchall()
    if "jsonl" in formats:
        with open(out / "jsonl" / "items.jsonl", encoding="utf-8", newline="") as fh:
            got["jsonl"] = [tuple(json.loads(x).values()) for x in fh.read().split("\n") if x]
    if "xlsx" in formats:
        ws = load_workbook(out / "awkward.xlsx", read_only=True)["items"]
        # a read-only sheet leaves out empty cells at a row's end
        got["xlsx"] = [(*r, *[None] * (3 - len(r))) for r in ws.iter_rows(min_row=2, values_only=True)]
    if "sql" in formats:
        mem = sqlite3.connect(":memory:")
        with open(out / "awkward.sql", encoding="utf-8", newline="") as fh:
            mem.executescript(fh.read())
        got["sql"] = mem.execute("SELECT id, text, n FROM items ORDER BY rowid").fetchall()
    return got


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_load_and_every_export_agree_row_for_row(case, tmp_path):
    data, rows, codes = CASES[case]
    root = package(tmp_path / "pkg", data)
    report = ecocluster.validate(root)
    found = {e.code for e in report.errors}
    if codes is not None:
        assert found == codes, [e.to_dict() for e in report.errors]
    assert report.stats["rows"] == len(rows)
    frame = ecocluster.load(root, validate=False)["items"]
    loaded = [tuple(None if v is None or v is pd.NA else v for v in r)
              for r in frame.astype(object).itertuples(index=False)]
    assert loaded == rows
    polars_rows = ecocluster.load(root, validate=False, engine="polars")["items"].rows()
    assert polars_rows == rows
    cells = [v for r in rows for v in r if isinstance(v, str)]
    refused = {}
    if any("\x00" in v for v in cells):  # PostgreSQL refuses NUL in text, so the SQL file does, clearly
        refused["sql"] = "NUL"
    if any("\x00" in v or "\r" in v for v in cells):  # XML keeps neither NUL nor CR
        refused["xlsx"] = "control character"
    if BIG in cells:
        refused["xlsx"] = "32,767 characters"
    for name, why in refused.items():
        with pytest.raises(EcoclusterError, match=why):
            ecocluster.export(root, [name], tmp_path / f"{name}-out")
        assert not (tmp_path / f"{name}-out" / f"awkward.{name}").exists()
    formats = [f for f in ("parquet", "sqlite", "duckdb", "jsonl", "xlsx", "sql") if f not in refused]
    ecocluster.export(root, formats, tmp_path / "out")
    for name, got in exported_rows(tmp_path / "out", formats).items():
        assert got == rows, name


def test_fmt_and_diff_read_rows_as_validate_does(tmp_path):
    # fmt rewrites a CRLF file with quoted line breaks to the same rows, and diff sees no change
    data, rows, _ = CASES["quoted-newlines"]
    root = package(tmp_path / "pkg", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    before = package(tmp_path / "before", data.replace(b"\r\n", b"\n"))
    assert ecocluster.format_package(root).ok
    assert ecocluster.load(root, validate=False, engine="polars")["items"].rows() == [
        ("a", "line 1\nline 2", 1), ("b", "x\ny", 2)]
    assert ecocluster.diff_packages(before, root).identical


def test_fmt_refuses_a_lone_cr_as_validate_does(tmp_path):
    root = package(tmp_path / "pkg", CASES["lone-cr"][0])
    report = ecocluster.format_package(root, check=True)
    assert [(p.file, p.line) for p in report.problems] == [("data/items.csv", 2)]
    assert "carriage return" in report.problems[0].message


def test_export_without_validation_keeps_a_lone_cr_in_its_cell(tmp_path):
    root = package(tmp_path / "pkg", CASES["lone-cr"][0])
    ecocluster.export(root, ["jsonl"], tmp_path / "out")
    lines = (tmp_path / "out" / "jsonl" / "items.jsonl").read_bytes().split(b"\n")
    assert json.loads(lines[0])["text"] == "x\ry"


def test_export_without_validation_refuses_an_unreadable_file(tmp_path):
    root = package(tmp_path / "pkg", b'id,text,n\na,"open quote,1\n')
    with pytest.raises(EcoclusterError, match="csv-invalid"):
        ecocluster.export(root, ["jsonl"], tmp_path / "out")
    assert not (tmp_path / "out" / "jsonl").exists()
