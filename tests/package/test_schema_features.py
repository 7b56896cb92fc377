"""Table Schema features are enforced as frictionless enforces them, or refused with a clear code:
never accepted and ignored (docs/validation.md, "What ecocluster enforces")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ecocluster


def package(tmp: Path, tables: dict[str, tuple[dict, bytes]], dialect: dict | None = None) -> Path:
    """A package of `tables`: name -> (Table Schema, CSV bytes)."""
    (tmp / "data").mkdir(parents=True)
    resources = []
    for name, (schema, data) in tables.items():
        (tmp / "data" / f"{name}.csv").write_bytes(data)
        res = {"name": name, "path": f"data/{name}.csv", "schema": schema}
        if dialect is not None:
            res["dialect"] = dialect
        resources.append(res)
    descriptor = {"name": "features", "version": "1.0.0", "resources": resources}
    (tmp / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    return tmp


def ours(root: Path) -> set[tuple[str | None, int | None, str | None, str]]:
    return {(e.resource, e.row, e.field, e.code) for e in ecocluster.validate(root).errors}


def theirs(root: Path) -> set[tuple[str, int | None]]:
    """(error type, row number) as frictionless reports them."""
    from frictionless import Package

    report = Package(str(root / "datapackage.json")).validate()
    return {(e.type, getattr(e, "row_number", None)) for task in report.tasks for e in task.errors}


S = {"name": "s", "type": "string"}


def test_composite_foreign_key_is_checked_on_every_column(tmp_path):
    parent = {"fields": [S, {"name": "n", "type": "integer"}], "primaryKey": ["s", "n"]}
    child = {"fields": [{"name": "id", "type": "string"}, S, {"name": "n", "type": "integer"}],
             "primaryKey": ["id"],
             "foreignKeys": [{"fields": ["s", "n"], "reference": {"resource": "parent", "fields": ["s", "n"]}}]}
    root = package(tmp_path, {
        "parent": (parent, b"s,n\na,1\nb,2\n"),
        # line 3 matches `s` of one row and `n` of another, but no row has both: only a check of the
        # whole key finds it; line 4 has an empty part and matches nothing; line 5, empty in every
        # column, is not checked (as frictionless does)
        "child": (child, b"id,s,n\nc1,a,1\nc2,a,2\nc3,,9\nc4,,\n"),
    })
    assert ours(root) == {("child", 3, "s", "foreign-key-missing"), ("child", 4, "s", "foreign-key-missing")}
    assert theirs(root) == {("foreign-key", 3), ("foreign-key", 4)}


@pytest.mark.parametrize("field,good,bad", [
    ({"name": "d", "type": "date"}, b"2024-02-29", b"2023-02-29"),
    ({"name": "d", "type": "date"}, b"2023-12-31", b"2023-1-5"),
    ({"name": "d", "type": "year"}, b"2023", b"23"),
    ({"name": "d", "type": "string", "constraints": {"minLength": 2, "maxLength": 3}}, b"abc", b"abcd"),
    ({"name": "d", "type": "string", "constraints": {"minLength": 2, "maxLength": 3}}, b"ab", b"a"),
])
def test_types_and_lengths_give_frictionless_verdict(tmp_path, field, good, bad):
    schema = {"fields": [{"name": "id", "type": "string"}, field], "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,d\nr1," + good + b"\nr2," + bad + b"\n")})
    code = "length-invalid" if field["type"] == "string" else "type-invalid"
    assert ours(root) == {("t", 3, "d", code)}
    # frictionless reads `2023-1-5` as a date; the Table Schema's default date format is YYYY-MM-DD
    # and ecocluster holds to it (stricter)
    assert {row for _, row in theirs(root)} == (set() if bad == b"2023-1-5" else {3})


def test_date_and_year_columns_load_typed(tmp_path):
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "d", "type": "date"},
                         {"name": "y", "type": "year"}], "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id,d,y\nr1,2024-02-29,2024\nr2,,\n")})
    frame = ecocluster.load(root)["t"]
    assert str(frame["d"].dtype).startswith("datetime64") and str(frame["y"].dtype) == "Int64"
    assert str(frame["d"][0].date()) == "2024-02-29" and frame["y"][0] == 2024


def test_a_dialect_delimiter_and_quote_are_followed(tmp_path):
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}], "primaryKey": ["id"]}
    root = package(tmp_path, {"t": (schema, b"id;n\n'a;b';1\nc;x\n")}, {"delimiter": ";", "quoteChar": "'"})
    assert ours(root) == {("t", 3, "n", "type-invalid")}
    assert theirs(root) == {("type-error", 3)}
    rows = ecocluster.load(root, validate=False, engine="polars")["t"].rows()
    assert rows == [("a;b", 1), ("c", None)]


@pytest.mark.parametrize("schema_edit,code,words", [
    ({"type": "datetime"}, "schema-invalid", "does not support"),
    ({"type": "geopoint"}, "schema-invalid", "does not support"),
    ({"format": "email"}, "schema-invalid", "format 'email'"),
    ({"trueValues": ["yes"]}, "schema-invalid", "trueValues"),
    ({"constraints": {"exclusiveMinimum": 1}}, "schema-invalid", "exclusiveMinimum"),
])
def test_unsupported_field_features_are_refused_not_ignored(tmp_path, schema_edit, code, words):
    field = {"name": "d", "type": "string", **schema_edit}
    root = package(tmp_path, {"t": ({"fields": [field]}, b"d\nx\n")})
    errors = ecocluster.validate(root).errors
    assert [e.code for e in errors] == [code]
    assert words in errors[0].message


@pytest.mark.parametrize("dialect,words", [
    ({"commentChar": "#"}, "commentChar"),
    ({"header": False}, "header"),
    ({"doubleQuote": False}, "doubleQuote"),
    ({"delimiter": ";;"}, "delimiter"),
    ({"delimiter": ",", "quoteChar": ","}, "delimiter and quote"),
])
def test_unsupported_dialects_are_refused(tmp_path, dialect, words):
    root = package(tmp_path, {"t": ({"fields": [S]}, b"s\nx\n")}, dialect)
    errors = ecocluster.validate(root).errors
    assert [e.code for e in errors] == ["descriptor-invalid"]
    assert words in errors[0].message


def test_a_declared_encoding_other_than_utf8_is_refused(tmp_path):
    root = package(tmp_path, {"t": ({"fields": [S]}, b"s\nx\n")})
    dp = json.loads((root / "datapackage.json").read_text("utf-8"))
    dp["resources"][0]["encoding"] = "latin-1"
    (root / "datapackage.json").write_text(json.dumps(dp), "utf-8")
    assert [e.code for e in ecocluster.validate(root).errors] == ["descriptor-invalid"]


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_symlink_out_of_the_package_is_refused(tmp_path, link):
    from click.testing import CliRunner

    from ecocluster.cli import main

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.csv").write_bytes(b"s\nsecret line\n")
    root = package(tmp_path / "pkg", {"t": ({"fields": [S]}, b"s\nx\n")})
    if link == "file":
        (root / "data" / "t.csv").unlink()
        (root / "data" / "t.csv").symlink_to(outside / "t.csv")
    else:
        for f in (root / "data").iterdir():
            f.unlink()
        (root / "data").rmdir()
        (root / "data").symlink_to(outside)
    errors = ecocluster.validate(root).errors
    assert [e.code for e in errors] == ["resource-path-outside"]
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "secret line" not in result.output
    assert not (tmp_path / "out" / "manifest.json").exists()
