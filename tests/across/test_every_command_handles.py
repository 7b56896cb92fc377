"""What validate accepts, every command handles (issue 28, class 7).

Each case below was once valid for `validate` and fatal elsewhere (an `internal error`, a raw polars or
ValueError from `load()`, a hang). Now each is either a validation error with its own documented code,
or works in every command and in `load()`. Some tests check the code and the command that used to
fail; the last runs every command on every case (about 10 s on the small fixture): validate, describe,
diff, fmt --check, docs --check, export --to all, build, and load() with and without validation.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzzcases import base

import ecocluster
from ecocluster.cli import main
from ecocluster.errors import EcoclusterError
from ecocluster.package import DATE_PATTERN
from ecocluster.package.limits import VIEW_NAMES

Edit = Callable[[Path], None]


def extra(name: str = "extra", fields: list[dict] | None = None, rows: list[list[str]] | None = None) -> Edit:
    """A table of its own beside the fixture's: `id` and `note`, or the fields given."""
    fields = fields or [{"name": "id", "type": "string"}, {"name": "note", "type": "string"}]
    rows = rows or [["x1", "a note"]]

    def edit(root: Path) -> None:
        dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        dp["resources"].append({"name": name, "path": "data/extra.csv", "schema": "schemas/extra.schema.json"})
        (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
        schema = {"fields": fields, "primaryKey": ["id"]}
        (root / "schemas" / "extra.schema.json").write_text(json.dumps(schema), encoding="utf-8")
        lines = [",".join(f["name"] for f in fields), *(",".join(r) for r in rows)]
        (root / "data" / "extra.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def descriptor_text(old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / "datapackage.json"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def descriptor_key(key: str, value: object) -> Edit:
    def edit(root: Path) -> None:
        dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        dp[key] = value
        (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")

    return edit


def bound(value_json: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / "schemas" / "org_relations.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        share = next(f for f in schema["fields"] if f["name"] == "share_percent")
        share.setdefault("constraints", {})["maximum"] = "@BOUND@"
        path.write_text(json.dumps(schema).replace('"@BOUND@"', value_json), encoding="utf-8")

    return edit


def citation(text: str) -> Edit:
    return lambda root: (root / "CITATION.cff").write_text(text, encoding="utf-8")


BOMB = "cff-version: 1.2.0\na: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)) + "title: t\n"
DATE = {"name": "when", "type": "string", "constraints": {"pattern": DATE_PATTERN}}

# name -> (edits, the codes validate reports (none: valid), validate's exit code)
CASES: dict[str, tuple[list[Edit], set[str], int]] = {
    "table-named-columns": ([extra("columns")], {"resource-name-unusable"}, 1),
    "table-name-of-41-characters": ([extra("t" * 41)], {"resource-name-unusable"}, 1),
    "table-sqlite-stat1": ([extra("sqlite_stat1")], {"resource-name-unusable"}, 1),
    "table-named-like-a-view": ([extra("cited_facts")], {"resource-name-unusable"}, 1),
    "field-named-like-a-date-bound": (
        [extra(fields=[{"name": "id", "type": "string"}, DATE, {"name": "when_earliest", "type": "string"}],
               rows=[["x1", "2024", "early"]])], {"field-name-unusable"}, 1),
    "field-name-too-long-for-postgres": (
        [extra(fields=[{"name": "id", "type": "string"}, {**DATE, "name": "w" * 55}], rows=[["x1", "2024"]])],
        {"field-name-unusable"}, 1),
    "bound-infinity": ([bound("Infinity")], {"schema-invalid"}, 2),
    "bound-of-400-digits": ([bound("9" * 400)], {"schema-invalid"}, 2),
    "descriptor-integer-of-5000-digits": ([descriptor_text("{", '{"n": ' + "7" * 5000 + ", ")],
                                          {"descriptor-invalid"}, 2),
    "cell-of-5-mb": ([extra(rows=[["x1", "y" * 5_000_000]])], {"text-too-long"}, 1),
    "created-yesterday": ([descriptor_key("created", "yesterday")], {"descriptor-field-invalid"}, 1),
    "licenses-a-string": ([descriptor_key("licenses", "CC-BY-4.0")], {"descriptor-field-invalid"}, 1),
    "sources-a-string": ([descriptor_key("sources", "the web")], set(), 0),
    # found by the fuzz test of build: `contributors` is not checked, and the release README iterated it
    "contributors-a-number": ([descriptor_key("contributors", 1e308)], set(), 0),
    "lists-of-other-things": ([descriptor_key("contributors", ["x", 3, {"title": 5}]),
                               descriptor_key("keywords", 7), descriptor_key("sources", [None, "x"])], set(), 0),
    # found by the fuzz test of build: no workbook, PostgreSQL file or UTF-8 file can hold these
    "descriptor-title-with-controls": ([descriptor_key("title", "Data\x1b[2J set\x00\x0b")],
                                       {"descriptor-text-invalid"}, 1),
    "field-texts-with-controls": ([extra(fields=[{"name": "id", "type": "string"}, {
        "name": "note", "type": "string", "title": "N\x1b]0;pwned\x07ote", "description": "a\x00b\ud800",
        "constraints": {"enum": ["a note"]}, "categories": [{"value": "a note", "label": "A\x1bnote"}]}])],
        {"descriptor-text-invalid"}, 1),
    "citation-alias-bomb": ([citation(BOMB)], set(), 0),
    "citation-nested-20000-levels": ([citation("cff-version: 1.2.0\nx: " + "[" * 20_000 + "]" * 20_000 + "\n")],
                                     set(), 0),
}


def make(tmp_path: Path, name: str) -> Path:
    root = base(tmp_path / name / "pkg")
    for edit in CASES[name][0]:
        edit(root)
    return root


def _validate(target: Path) -> tuple[int, set[str]]:
    result = CliRunner().invoke(main, ["validate", str(target), "--format", "json"])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, {e["code"] for e in json.loads(result.stdout)["errors"]}


@pytest.mark.parametrize("name", CASES)
def test_validate_reports_it_with_its_own_code(tmp_path, name):
    code, found = _validate(make(tmp_path, name))
    assert (code, found) == (CASES[name][2], CASES[name][1])


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_zip_with_two_members_of_one_name_is_refused(tmp_path):
    root = base(tmp_path / "pkg")
    archive = tmp_path / "ecocluster-0.1.0.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(root).as_posix())
        zf.writestr("data/sources.csv", "id\nsrc-other\n")  # Python warns, and writes it all the same
    code, found = _validate(archive)
    assert (code, found) == (2, {"archive-invalid"})
    result = CliRunner().invoke(main, ["describe", str(archive)])
    assert result.exit_code == 2 and "two members named `data/sources.csv`" in result.stderr


# the format each name stops, and what `export` says
STOPPED = {"table-named-columns": "xlsx", "table-name-of-41-characters": "xlsx", "table-sqlite-stat1": "sqlite",
           "table-named-like-a-view": "duckdb", "field-named-like-a-date-bound": "parquet",
           "field-name-too-long-for-postgres": "pg"}


@pytest.mark.parametrize("name", STOPPED)
def test_export_refuses_a_name_its_format_cannot_hold_before_writing(tmp_path, name):
    root = make(tmp_path, name)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", "--to", STOPPED[name], "--out", str(out), str(root)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: the {STOPPED[name]} export cannot be written: the ")
    assert CASES[name][1].pop() in result.stderr and not any(out.iterdir())
    ok = CliRunner().invoke(main, ["export", "--to", "jsonl", "--out", str(out), str(root)])
    assert ok.exit_code == 0, ok.output  # a format without that limit is written


def test_load_refuses_a_field_named_like_a_date_bound_in_its_own_words(tmp_path):
    root = make(tmp_path, "field-named-like-a-date-bound")
    with pytest.raises(EcoclusterError, match="field-name-unusable"):
        ecocluster.load(root, validate=False)
    assert "when_earliest" in ecocluster.load(root, validate=False, bounds=False)["extra"].columns
    with pytest.raises(EcoclusterError):
        ecocluster.load(root)


def test_the_view_names_are_the_views_the_sql_exports_create():
    from ecocluster.exports.sql.views import VIEWS

    assert tuple(v.name for v in VIEWS) == VIEW_NAMES


@pytest.mark.parametrize("make_out", ["too-long", "loop"])
def test_an_output_path_the_system_cannot_use_is_a_usage_error(tmp_path, make_out):
    root = base(tmp_path / "pkg")
    if make_out == "loop":
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        out = tmp_path / "a" / "out"
    else:
        out = tmp_path / ("o" * 300) / "out"
    for args in (["build", "--out", str(out)], ["export", "--to", "jsonl", "--out", str(out)],
                 ["docs", "--out", str(out)], ["docs", "--check", "--out", str(out)]):
        result = CliRunner().invoke(main, [*args, str(root)])
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith(f"error: the output folder {out} cannot be used: "), result.stderr


def test_a_current_folder_that_was_deleted_is_a_usage_error(tmp_path):
    root = base(tmp_path / "pkg")
    gone = tmp_path / "gone"
    gone.mkdir()
    here = os.getcwd()
    os.chdir(gone)
    try:
        gone.rmdir()
        result = CliRunner().invoke(main, ["validate", str(root)])
    finally:
        os.chdir(here)
    assert result.exit_code == 2 and "the current folder no longer exists" in result.stderr


COMMANDS = [["describe", "{pkg}"], ["diff", "{seed}", "{pkg}"], ["fmt", "--check", "{pkg}"],
            ["docs", "--check", "{pkg}", "--out", "{tmp}/docs"],
            ["export", "--to", "all", "--out", "{tmp}/export", "{pkg}"], ["build", "--out", "{tmp}/build", "{pkg}"]]


@pytest.mark.parametrize("name", CASES)
def test_every_command_handles_it(tmp_path, name):
    root = make(tmp_path, name)
    seed = base(tmp_path / "seed")
    valid = CASES[name][2] == 0
    for command in COMMANDS:
        args = [a.format(pkg=root, seed=seed, tmp=tmp_path) for a in command]
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "internal error" not in result.stderr and "Traceback" not in result.output, (args, result.output)
        if valid and command[0] != "docs":  # docs --check says the docs of a fresh copy are missing
            assert result.exit_code == 0, (args, result.output)
        else:
            assert result.exit_code in (0, 1, 2), (args, result.output)
    for validate in (True, False):
        try:
            tables = ecocluster.load(root, validate=validate)
        except EcoclusterError:
            assert not valid or not validate, name
        else:
            assert set(tables) >= {"sources", "organisations", "org_relations"}
    shutil.rmtree(tmp_path / "export", ignore_errors=True)
