"""`ecocluster fmt`: behaviour the mutation score found unguarded (scripts/mutation.py, issue 18)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecocluster.cli import main
from ecocluster.curation.fmt import format_package

FIXTURES = Path(__file__).parents[1] / "fixtures" / "fmt"


@pytest.fixture
def pkg(tmp_path, monkeypatch) -> Path:
    """A copy of the fmt fixture package as the current folder, its `things` table saved by a spreadsheet."""
    root = tmp_path / "pkg"
    shutil.copytree(FIXTURES / "package", root)
    (root / "data" / "things.csv").write_bytes((FIXTURES / "spreadsheet.csv").read_bytes())
    monkeypatch.chdir(root)
    return root


def test_the_json_report_has_its_documented_keys_and_says_whether_it_only_checked(pkg):
    """Guards FormatReport.to_dict: the key names of `fmt --format json` (a renamed key is a broken API)."""
    for args, check in ((["--check"], True), ([], False)):
        result = CliRunner().invoke(main, ["fmt", *args, "--format", "json"])
        got = json.loads(result.stdout)
        assert set(got) == {"ok", "root", "check", "changed", "unchanged", "problems"}
        assert got["check"] is check
        assert got["changed"] == ["data/things.csv"] and got["unchanged"] == ["data/citations.csv"]
        assert got["ok"] is (not check) and got["problems"] == []
        assert Path(got["root"]) == pkg


def test_a_column_name_in_the_header_error_keeps_every_letter_of_it(pkg):
    """Guards formatting._problem: only the backquotes around a column name are stripped, never its letters."""
    (pkg / "data" / "things.csv").write_bytes(b"id,name,size,note,XtraX\n")
    report = format_package(pkg)
    [problem] = report.problems
    assert problem.message.endswith("unknown column(s) XtraX"), problem.message


def test_a_file_that_cannot_be_read_is_a_problem_named_by_its_path(pkg):
    """Guards format_package: an unreadable CSV is reported (its path, no line, the OS's reason); the rest is done."""
    (pkg / "data" / "things.csv").unlink()
    report = format_package(pkg)
    assert [(p.file, p.line, p.message) for p in report.problems] == [
        ("data/things.csv", None, "cannot read the file (No such file or directory)")]
    assert report.unchanged == ["data/citations.csv"] and not report.ok


def _resource(tmp: Path, schema: dict):
    """The one resource `t` of a package whose table has this Table Schema (its file is not needed)."""
    from ecocluster.package import Package

    (tmp / "datapackage.json").write_text(json.dumps(
        {"name": "f", "resources": [{"name": "t", "path": "data/t.csv", "schema": schema}]}), "utf-8")
    return Package.open(tmp).resource("t")


def test_rows_with_a_repeated_composite_key_keep_their_order_in_the_canonical_form(tmp_path):
    """Guards formatting._canonical: rows are sorted by the primary key, and rows whose key repeats (the
    validator reports them) stay in the order the file had them: `fmt` never reshuffles them."""
    from ecocluster.curation.fmt import canonical_csv

    res = _resource(tmp_path, {"fields": [{"name": "a"}, {"name": "b"}, {"name": "n"}], "primaryKey": ["a", "b"]})
    rows = [("ab"[i % 2], "ab"[i * 7 % 3 % 2], str(i)) for i in range(60)]
    raw = ("a,b,n\n" + "".join(f"{a},{b},{n}\n" for a, b, n in rows)).encode()
    expected = sorted(rows, key=lambda r: (r[0], r[1]))  # Python's sort is stable
    assert canonical_csv(res, raw) == ("a,b,n\n" + "".join(f"{a},{b},{n}\n" for a, b, n in expected)).encode()


def test_a_declared_missing_value_is_kept_as_written(tmp_path):
    """Guards formatting._canonical: `fmt` rewrites the file's text, not its meaning: a cell holding one of
    the schema's missingValues stays as written (it is not emptied)."""
    from ecocluster.curation.fmt import canonical_csv

    res = _resource(tmp_path, {"fields": [{"name": "id"}, {"name": "note"}], "primaryKey": ["id"],
                               "missingValues": ["", "n/a"]})
    assert canonical_csv(res, b"id,note\nr2,n/a\nr1,\n") == b"id,note\nr1,\nr2,n/a\n"
