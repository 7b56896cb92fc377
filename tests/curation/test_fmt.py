"""`ecocluster fmt`: canonical CSV form, --check, idempotence, unparseable files left alone."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecocluster.cli import main
from ecocluster.curation.fmt import canonical_csv, format_package
from ecocluster.package import Package

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "fmt"
CANONICAL = (FIXTURES / "canonical.csv").read_bytes()
SPREADSHEET = (FIXTURES / "spreadsheet.csv").read_bytes()
MISMATCH = "header does not match the schema of `things`"


@pytest.fixture
def pkg(tmp_path, monkeypatch) -> Path:
    """A copy of the fixture package as the current folder, its `things` table saved by a spreadsheet."""
    root = tmp_path / "pkg"
    shutil.copytree(FIXTURES / "package", root)
    (root / "data" / "things.csv").write_bytes(SPREADSHEET)
    monkeypatch.chdir(root)
    return root


def run(*args: str):
    return CliRunner().invoke(main, ["fmt", *args])


def test_fixtures_are_what_they_claim():
    assert SPREADSHEET.startswith(b"\xef\xbb\xbf") and SPREADSHEET.count(b"\r\n") == 5
    assert CANONICAL.count(b"\r") == 0 and not CANONICAL.startswith(b"\xef\xbb\xbf")
    assert CANONICAL == (FIXTURES / "package" / "data" / "things.csv").read_bytes()


def test_a_spreadsheet_csv_becomes_the_canonical_file_byte_for_byte(pkg):
    result = run()
    assert result.exit_code == 0, result.output
    assert result.stdout == "reformatted data/things.csv\n"
    assert result.stderr == (f"package: {pkg / 'datapackage.json'} (version 1.0.0)\n"
                             "2 files checked: 1 reformatted, 1 already canonical, 0 unreadable.\n")
    assert (pkg / "data" / "things.csv").read_bytes() == CANONICAL
    # no temp files left behind
    assert sorted(p.name for p in (pkg / "data").iterdir()) == ["citations.csv", "things.csv"]


def test_check_changes_nothing_lists_the_file_and_exits_1(pkg):
    result = run("--check")
    assert result.exit_code == 1
    assert result.stdout == "would reformat data/things.csv\n"
    assert result.stderr == (f"package: {pkg / 'datapackage.json'} (version 1.0.0)\n"
                             "2 files checked: 1 would be reformatted, 1 already canonical, 0 unreadable.\n")
    assert (pkg / "data" / "things.csv").read_bytes() == SPREADSHEET


def test_fmt_is_idempotent(pkg):
    assert run().exit_code == 0
    after_first = {p.name: p.read_bytes() for p in (pkg / "data").iterdir()}
    second = run()
    assert second.exit_code == 0 and second.stdout == ""
    assert {p.name: p.read_bytes() for p in (pkg / "data").iterdir()} == after_first
    assert run("--check").exit_code == 0
    things = Package.open(pkg).resource("things")
    assert canonical_csv(things, CANONICAL) == CANONICAL


def test_citations_are_sorted_by_their_whole_key(pkg):
    path = pkg / "data" / "citations.csv"
    canonical = path.read_bytes()
    header, *rows = canonical.decode().splitlines(keepends=True)
    path.write_text(header + "".join(reversed(rows)), newline="")
    assert run("--check").stdout.splitlines() == ["would reformat data/things.csv",
                                                  "would reformat data/citations.csv"]
    assert run().exit_code == 0
    assert path.read_bytes() == canonical


@pytest.mark.parametrize(
    "content,line,why",
    [
        (b"id,name,size,note\nthing-a,A,1,\nthing-b,B,2\n", 3, "the row ends before column `note`"),
        (b"id,name,size\nthing-a,A,1\n", 1, f"{MISMATCH}: missing column(s) note"),
        (b"id,name,size,note,extra\n", 1, f"{MISMATCH}: unknown column(s) extra"),
        (b"id,name,size,note\nthing-a,\"A\"x,1,\n", 2,
         "data/things.csv cannot be parsed as CSV: a quote is opened and never closed"),
        (b"id,name,size,note\nthing-a,A,1,\nthing-b,\xff,2,\n", 3, "not UTF-8; save the file as UTF-8"),
        (b"", 1, "no header row"),
    ],
)
def test_a_file_that_cannot_be_parsed_is_reported_and_never_rewritten(pkg, content, line, why):
    bad = pkg / "data" / "things.csv"
    bad.write_bytes(content)
    citations = pkg / "data" / "citations.csv"
    citations.write_bytes(citations.read_bytes().replace(b"\n", b"\r\n"))  # the other file is still fixed
    result = run()
    assert result.exit_code == 1
    assert result.stdout == "reformatted data/citations.csv\n"
    announce, error, hint = result.stderr.splitlines()[:3]
    assert announce.startswith("package: ") and hint.startswith("hint: ")
    assert error.startswith(f"error: data/things.csv, line {line}: {why}"), error
    assert "Traceback" not in result.output
    assert bad.read_bytes() == content
    assert b"\r" not in citations.read_bytes()


def test_no_package_is_a_usage_error(tmp_path):
    result = run(str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no data package at ")


def test_json_is_the_library_report(pkg):
    result = run("--check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == format_package(pkg, check=True).to_dict()
    assert json.loads(result.stdout)["changed"] == ["data/things.csv"]


def test_the_shipped_data_is_canonical():
    result = run("--check", str(ROOT))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    report = format_package(ROOT, check=True)
    assert report.ok and len(report.unchanged) == 12


def test_every_shipped_table_survives_a_spreadsheet_round_trip():
    pkg = Package.open(ROOT)
    for res in pkg.resources:
        raw = pkg.csv_path(res).read_bytes()
        header, *rows = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header[::-1])
        writer.writerows(row[::-1] for row in reversed(rows))
        messy = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
        assert messy != raw
        assert canonical_csv(res, messy) == raw, res.name
