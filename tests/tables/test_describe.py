"""`ecocluster describe`: the summary dict, its text form and the CLI."""

import csv
import json
from pathlib import Path

from click.testing import CliRunner

import ecocluster
from ecocluster.cli import main
from ecocluster.tables.summary import describe, format_text

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "docs" / "tiny"
DATE_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"

TINY_TEXT = """\
Tiny test package
package tiny, version 1.2.3, licence CC0-1.0
sources: 2; dates covered: 1999 to 2020-02-29

table          rows
sources           2
organisations     3
citations         3
total             8

fact rows with a citation: 2 of 3 (66.7%)
citations: 3; verbatim 2 (66.7%); dossier-summary 1 (33.3%)
"""


def test_describe_tiny_fixture():
    s = describe(TINY)
    assert s["version"] == "1.2.3" and s["licences"] == ["CC0-1.0"]
    counts = [(t["name"], t["rows"]) for t in s["tables"]]
    assert counts == [("sources", 2), ("organisations", 3), ("citations", 3)]
    assert s["sources"] == 2 and s["total_rows"] == 8
    assert s["date_range"] == {"min": "1999", "max": "2020-02-29"}
    assert s["citations"] == {
        "total": 3, "fact_rows": 3, "fact_rows_cited": 2, "fact_rows_cited_share": 0.6667,
        "quote_kinds": {"verbatim": 2, "dossier-summary": 1},
        "quote_kind_shares": {"verbatim": 0.6667, "dossier-summary": 0.3333},
    }
    assert format_text(s) == TINY_TEXT


def test_describe_cli_text_is_exact():
    result = CliRunner().invoke(main, ["describe", str(TINY)])
    assert result.exit_code == 0, result.output
    assert result.stdout == TINY_TEXT
    assert result.stderr == ""


def test_describe_cli_json_equals_library_result():
    result = CliRunner().invoke(main, ["describe", str(TINY), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == describe(TINY)
    shipped = CliRunner().invoke(main, ["describe", "--format", "json"])
    assert json.loads(shipped.stdout) == ecocluster.describe()


def test_describe_shipped_matches_an_independent_count():
    """Row counts, dates and coverage recomputed with the csv module and the raw schema JSON."""
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    rows, dates = {}, []
    for res in descriptor["resources"]:
        with open(ROOT / res["path"], encoding="utf-8", newline="") as fh:
            table = list(csv.DictReader(fh))
        rows[res["name"]] = table
        schema = json.loads((ROOT / res["schema"]).read_text(encoding="utf-8"))
        date_cols = [f["name"] for f in schema["fields"]
                     if f.get("constraints", {}).get("pattern") == DATE_PATTERN]
        dates += [r[c] for r in table for c in date_cols if r[c]]
    cited = {c["record_id"] for c in rows["citations"]}
    facts = [r["id"] for name, t in rows.items() if name not in ("sources", "citations") for r in t]
    verbatim = sum(c["quote_kind"] == "verbatim" for c in rows["citations"])

    s = describe()
    assert {t["name"]: t["rows"] for t in s["tables"]} == {k: len(v) for k, v in rows.items()}
    assert s["sources"] == len(rows["sources"])
    assert s["date_range"] == {"min": min(dates), "max": max(dates)}
    assert s["citations"]["fact_rows"] == len(facts)
    assert s["citations"]["fact_rows_cited"] == sum(f in cited for f in facts)
    assert s["citations"]["quote_kinds"]["verbatim"] == verbatim
    assert s["citations"]["total"] == len(rows["citations"])


def test_describe_missing_package_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["describe", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: no data package at ")
    assert "Traceback" not in result.output


def test_describe_broken_descriptor_exits_2(tmp_path):
    # unreadable input: 2, as from every other command (tests/cli/test_bare_machine.py)
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["describe", str(tmp_path)])
    assert result.exit_code == 2
    assert "datapackage.json is not valid JSON" in result.stderr
    assert "Traceback" not in result.output
