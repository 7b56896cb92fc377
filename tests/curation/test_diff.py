"""`ecocluster diff`: a fixture pair with known changes gives the exact report in each format."""

import csv
import io
import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecocluster.cli import main
from ecocluster.curation.diff import diff_packages

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "diff"
OLD, NEW = str(FIXTURES / "old"), str(FIXTURES / "new")

EXPECTED_TEXT = """\
diff-fixture 1.0.0 → diff-fixture 2.0.0
2 rows added, 2 removed, 2 changed; 7 schema changes. Suggested version bump: major.

table added: fresh (1 row)
table removed: retired (2 rows)

things
  column added: colour
  column removed: note
  column retyped: size: string → integer
  codes of kind: +drink -toy
  + thing-d
  - thing-b
  ~ thing-a
      name: "Hammer" → "Sledgehammer"
      size: "10" → "12"

citations
  + thing-d / * / src-z
  - thing-b / * / src-x
  ~ thing-a / * / src-x
      quote: "A hammer." → "A sledgehammer."
"""

EXPECTED_MARKDOWN = """\
### Data changes: `diff-fixture 1.0.0` → `diff-fixture 2.0.0`

2 rows added, 2 removed, 2 changed; 7 schema changes. Suggested version bump: **major**.

- Table `fresh` added (1 row).
- Table `retired` removed (2 rows).

#### `things`

- Column `colour` added.
- Column `note` removed.
- Column `size` retyped: `string` → `integer`.
- Codes of `kind`: added `drink`; removed `toy`.
- Row `thing-d` added.
- Row `thing-b` removed.
- Row `thing-a` changed:
  - `name`: `Hammer` → `Sledgehammer`
  - `size`: `10` → `12`

#### `citations`

- Row `thing-d / * / src-z` added.
- Row `thing-b / * / src-x` removed.
- Row `thing-a / * / src-x` changed:
  - `quote`: `A hammer.` → `A sledgehammer.`
"""


def no_schema_change(table: str, **rows) -> dict:
    return {"table": table, "columns_added": [], "columns_removed": [], "columns_retyped": [],
            "enum_changes": [], "primary_key": None, "rows_compared": True, **rows}


def cite(record_id: str, source_id: str, quote: str | None = None) -> dict:
    key = {"record_id": record_id, "field": "*", "source_id": source_id}
    return key if quote is None else {"key": key, "row": {**key, "quote": quote}}


EXPECTED_JSON = {
    "identical": False,
    "old": {"name": "diff-fixture", "version": "1.0.0"},
    "new": {"name": "diff-fixture", "version": "2.0.0"},
    "suggested_bump": "major",
    "summary": {"tables_added": 1, "tables_removed": 1, "rows_added": 2, "rows_removed": 2, "rows_changed": 2,
                "schema_changes": 7},
    "tables_added": [{"table": "fresh", "rows": 1}],
    "tables_removed": [{"table": "retired", "rows": 2}],
    "tables": [
        {
            "table": "things",
            "columns_added": ["colour"],
            "columns_removed": ["note"],
            "columns_retyped": [{"field": "size", "old": "string", "new": "integer"}],
            "enum_changes": [{"field": "kind", "added": ["drink"], "removed": ["toy"]}],
            "primary_key": None,
            "rows_compared": True,
            "rows_added": [{
                "key": {"id": "thing-d"},
                "row": {"id": "thing-d", "name": "Tea", "kind": "drink", "size": "", "colour": ""},
            }],
            "rows_removed": [{
                "key": {"id": "thing-b"},
                "row": {"id": "thing-b", "name": "Kite", "kind": "toy", "size": "3", "note": ""},
            }],
            "rows_changed": [{"key": {"id": "thing-a"},
                              "changes": [{"field": "name", "old": "Hammer", "new": "Sledgehammer"},
                                          {"field": "size", "old": "10", "new": "12"}]}],
        },
        no_schema_change(
            "citations",
            rows_added=[cite("thing-d", "src-z", "Tea.")],
            rows_removed=[cite("thing-b", "src-x", "A kite.")],
            rows_changed=[{"key": cite("thing-a", "src-x"),
                           "changes": [{"field": "quote", "old": "A hammer.", "new": "A sledgehammer."}]}],
        ),
    ],
}


def run(*args: str):
    return CliRunner().invoke(main, ["diff", *args])


@pytest.mark.parametrize("fmt,expected", [("text", EXPECTED_TEXT), ("markdown", EXPECTED_MARKDOWN)])
def test_fixture_pair_gives_the_exact_report(fmt, expected):
    result = run(OLD, NEW, "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout == expected
    assert result.stderr == ""


def test_fixture_pair_gives_the_exact_json_which_is_the_library_result():
    result = run(OLD, NEW, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == EXPECTED_JSON
    assert json.loads(result.stdout) == diff_packages(OLD, NEW).to_dict()


def test_text_is_the_default_and_descriptors_are_accepted():
    result = run(str(FIXTURES / "old" / "datapackage.json"), str(FIXTURES / "new" / "datapackage.json"))
    assert result.exit_code == 0 and result.stdout == EXPECTED_TEXT


def test_identical_packages_exit_0():
    result = run(OLD, OLD)
    assert result.exit_code == 0
    assert result.stdout == "diff-fixture 1.0.0 → diff-fixture 1.0.0: no differences\n"
    md = run(OLD, OLD, "--format", "markdown")
    assert md.stdout == "### Data changes: `diff-fixture 1.0.0` → `diff-fixture 1.0.0`\n\nNo differences.\n"
    assert json.loads(run(OLD, OLD, "--format", "json").stdout)["identical"] is True


def test_the_reverse_diff_mirrors_the_forward_one():
    back = diff_packages(NEW, OLD).to_dict()
    assert back["tables_added"] == [{"table": "retired", "rows": 2}]
    things = back["tables"][0]
    assert things["columns_added"] == ["note"] and things["columns_removed"] == ["colour"]
    assert back["tables"][0]["rows_changed"][0]["changes"][0] == {"field": "name", "old": "Sledgehammer",
                                                                 "new": "Hammer"}


def zip_package(src: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(src).as_posix())
    return target


def test_release_archives_are_compared_like_folders(tmp_path):
    old_zip = zip_package(Path(OLD), tmp_path / "ecocluster-1.0.0.zip")
    new_zip = zip_package(Path(NEW), tmp_path / "ecocluster-2.0.0.zip", prefix="ecocluster-2.0.0/")
    result = run(str(old_zip), str(new_zip))
    assert result.exit_code == 0 and result.stdout == EXPECTED_TEXT
    assert run(str(old_zip), NEW, "--format", "json").stdout == run(OLD, NEW, "--format", "json").stdout


def unsafe_zip(path: Path, name: str, link: bool = False) -> Path:
    zip_package(Path(OLD), path)
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo(name)
        if link:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd" if link else "pwned")
    return path


@pytest.mark.parametrize("name,link,why", [
    ("../evil.txt", False, "would land outside the extraction folder"),
    ("/tmp/evil.txt", False, "would land outside the extraction folder"),
    ("data/link.csv", True, "is a symbolic link"),
])
def test_an_unsafe_archive_is_refused_and_nothing_lands_outside(tmp_path, name, link, why):
    archive = unsafe_zip(tmp_path / "ecocluster-1.0.0.zip", name, link)
    result = run(str(archive), NEW)
    assert result.exit_code == 2
    assert why in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("make,code", [("missing", 2), ("not-a-zip-package", 2), ("not-utf8", 1),
                                       ("bad-descriptor", 2)])
def test_unreadable_input_exits_as_validate_does_without_a_traceback(tmp_path, make, code):
    """No package to open exits 2; a package whose CSV cannot be read is invalid data, exit 1, as in
    `validate` and every other command."""
    bad = tmp_path / "bad"
    shutil.copytree(NEW, bad)
    target = {"missing": tmp_path / "nowhere", "not-a-zip-package": tmp_path / "empty.zip"}.get(make, bad)
    if make == "not-a-zip-package":
        zipfile.ZipFile(target, "w").writestr("readme.txt", "no package here")
    elif make == "not-utf8":
        (bad / "data" / "fresh.csv").write_bytes(b"id,label\nfresh-1,\xff\n")
    elif make == "bad-descriptor":
        (bad / "datapackage.json").write_text("{", encoding="utf-8")
    result = run(OLD, str(target))
    assert result.exit_code == code
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    assert result.stdout == ""


def test_one_corrected_fact_in_the_shipped_package_is_named(tmp_path):
    copy = tmp_path / "corrected"
    copy.mkdir()
    shutil.copy(ROOT / "datapackage.json", copy)
    shutil.copytree(ROOT / "data", copy / "data")
    shutil.copytree(ROOT / "schemas", copy / "schemas")
    path = copy / "data" / "agreements.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["id"] == "agreement-2023-05-22-busan-future-car-ecosystem")
    old_place, new_place = row["place"], row["place"] + " (corrected)"
    row["place"] = new_place
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")

    result = diff_packages(ROOT, copy).to_dict()
    assert result["summary"] == {"tables_added": 0, "tables_removed": 0, "rows_added": 0, "rows_removed": 0,
                                 "rows_changed": 1, "schema_changes": 0}
    assert result["suggested_bump"] == "patch"
    assert result["tables"] == [no_schema_change("agreements", rows_added=[], rows_removed=[], rows_changed=[
        {"key": {"id": row["id"]}, "changes": [{"field": "place", "old": old_place, "new": new_place}]}])]
    text = run(str(ROOT), str(copy)).stdout
    assert f"  ~ {row['id']}\n      place: {json.dumps(old_place, ensure_ascii=False)} → " \
           f"{json.dumps(new_place, ensure_ascii=False)}\n" in text
    markdown = run(str(ROOT), str(copy), "--format", "markdown").stdout
    assert f"- Row `{row['id']}` changed:\n  - `place`: `{old_place}` → `{new_place}`\n" in markdown


def edited_copy(tmp_path: Path, table: str, edit) -> Path:
    """A copy of the old fixture with one schema edited by `edit(schema_dict)`."""
    copy = tmp_path / "edited"
    shutil.copytree(OLD, copy)
    path = copy / "schemas" / f"{table}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")
    return copy


def test_the_suggested_bump_follows_the_version_policy(tmp_path):
    def add_code(s):
        s["fields"][2]["constraints"]["enum"].append("gift")

    minor = edited_copy(tmp_path, "things", add_code)
    assert diff_packages(OLD, minor).suggested_bump == "minor"
    assert diff_packages(minor, OLD).suggested_bump == "major"  # a code removed

    rows_only = tmp_path / "rows-only"
    shutil.copytree(OLD, rows_only)
    with open(rows_only / "data" / "retired.csv", "a", encoding="utf-8") as fh:
        fh.write("retired-3\n")
    assert diff_packages(OLD, rows_only).suggested_bump == "patch"
    assert diff_packages(OLD, OLD).suggested_bump == "none"


def test_a_changed_primary_key_is_a_major_schema_change(tmp_path):
    def rekey(s):
        s["primaryKey"] = ["id", "name"]

    result = diff_packages(OLD, edited_copy(tmp_path, "things", rekey))
    assert result.suggested_bump == "major"
    assert result.to_dict()["tables"] == [no_schema_change(
        "things", primary_key={"field": "primaryKey", "old": ["id"], "new": ["id", "name"]},
        rows_added=[], rows_removed=[], rows_changed=[])]
    assert "- Primary key changed: `id` → `id`, `name`.\n" in run(OLD, str(tmp_path / "edited"),
                                                                  "--format", "markdown").stdout


def test_rows_of_a_table_without_a_shared_key_are_not_compared(tmp_path):
    def unkey(s):
        del s["primaryKey"]

    edited = edited_copy(tmp_path, "retired", unkey)
    (edited / "data" / "retired.csv").write_text("id\nretired-9\n", encoding="utf-8")
    table = diff_packages(OLD, edited).to_dict()["tables"][0]
    assert table["rows_compared"] is False and table["rows_removed"] == []
    assert "  rows not compared: the two versions share no primary key\n" in run(OLD, str(edited)).stdout


@pytest.mark.parametrize("command", ["fmt", "diff"])
def test_help_ends_with_an_example_and_lists_exit_codes(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:\n" in result.output and "Exit codes: 0 " in result.output
