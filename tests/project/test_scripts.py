"""scripts/synthesize.py and scripts/bench.py, run as a user runs them, checked by independent readers.

The synthetic package is read back with the csv module and checked against the data model's rules
(docs: /work/shared/design/data-model.md) by the plain-Python `violations` below, and against the
Table Schemas by frictionless. A clean package must pass both; a package with planted errors must show
exactly the planted errors, each at its recorded file, line and field.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from readback import raw_rows

from ecocluster.package import Package

ROOT = Path(__file__).resolve().parents[2]
SYNTHESIZE = ROOT / "scripts" / "synthesize.py"
BENCH = ROOT / "scripts" / "bench.py"

# The rules as the data model states them, written out here rather than taken from the script.
POLYMORPHIC = {("names", "entity_id"): ("organisations", "people", "projects")}
UNCITED_TABLES = {"sources", "citations"}
DATE_PAIRS = [("start_date", "end_date"), ("founded", "dissolved"), ("start_date", "target_date")]


def run_script(script: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env,
                          timeout=600)


def real_date(v: str) -> bool:
    parts = [int(p) for p in v.split("-")]
    try:
        dt.date(parts[0], *(parts[1:] + [1, 1])[:2])
    except ValueError:
        return False
    return True


def before(a: str, b: str) -> bool:
    """a is strictly before b at the precision both give (2021 is not before 2021-05)."""
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def pattern_code(f) -> str:
    """The validator's code for a cell failing its field's pattern (docs/validation.md)."""
    if f.is_date:
        return "date-invalid"
    return "language-invalid" if f.is_language else "country-invalid" if f.is_country else "pattern-mismatch"


def violations(pkg: Package) -> set[tuple[str, str, int, str | None]]:
    """Every break of the schemas' cell rules and the data model's rules, as (code, resource, line, field)."""
    rows = {r.name: list(raw_rows(pkg, r)) for r in pkg.resources}
    found: set[tuple[str, str, int, str | None]] = set()
    table_of_id: dict[str, str] = {}
    for res in pkg.resources:
        keys: set[tuple[str, ...]] = set()
        for i, row in enumerate(rows[res.name], start=2):
            assert list(row) == res.field_names
            for f in res.fields:
                v = row[f.name]
                if v == "":
                    if f.required:
                        found.add(("required-missing", res.name, i, f.name))
                    continue
                if unicodedata.normalize("NFC", v) != v or v != v.strip() or (
                        v[0] in "=+-@" and f.type == "string"):
                    found.add(("unsafe-text", res.name, i, f.name))
                if f.enum and v not in f.enum:
                    found.add(("enum-invalid", res.name, i, f.name))
                elif f.pattern and not re.search(f.pattern, v):
                    found.add((pattern_code(f), res.name, i, f.name))
                elif f.is_date and not real_date(v):
                    found.add(("date-invalid", res.name, i, f.name))
                if f.type == "number" and not (f.minimum or 0) <= float(v) <= (f.maximum or float("inf")):
                    found.add(("out-of-range", res.name, i, f.name))
            key = tuple(row[k] for k in res.primary_key)
            if key in keys:
                found.add(("primary-key-duplicate", res.name, i, res.primary_key[0]))
            keys.add(key)
            if res.primary_key == ("id",):
                if table_of_id.setdefault(row["id"], res.name) != res.name:
                    found.add(("id-duplicate-across-tables", res.name, i, "id"))
            for start, end in DATE_PAIRS:
                s, e = row.get(start), row.get(end)
                if s and e and real_date(s) and real_date(e) and before(e, s):
                    found.add(("date-order", res.name, i, end))

    ids = {r.name: {row["id"]: row for row in rows[r.name]}
           for r in pkg.resources if r.primary_key == ("id",)}
    for res in pkg.resources:
        refs = {fk.field: (fk.resource,) for fk in res.foreign_keys}
        refs.update({f: t for (r, f), t in POLYMORPHIC.items() if r == res.name})
        for i, row in enumerate(rows[res.name], start=2):
            for field, targets in refs.items():
                if row[field] and not any(row[field] in ids[t] for t in targets):
                    code = "reference-unresolved" if (res.name, field) in POLYMORPHIC else "foreign-key-missing"
                    found.add((code, res.name, i, field))

    cited = set()
    for i, c in enumerate(rows["citations"], start=2):
        table = table_of_id.get(c["record_id"])
        if table is None:
            found.add(("reference-unresolved", "citations", i, "record_id"))
        elif c["field"] != "*" and c["field"] not in pkg.resource(table).field_names:
            found.add(("citation-field-unknown", "citations", i, "field"))
        cited.add(c["record_id"])
    for name in ids:
        if name not in UNCITED_TABLES:
            for i, row in enumerate(rows[name], start=2):
                if row["id"] not in cited:
                    found.add(("row-not-cited", name, i, "id"))

    roles = defaultdict(list)
    for r in rows["roles"]:
        roles[r["person_id"], r["org_id"]].append(r)
    for i, p in enumerate(rows["agreement_parties"], start=2):
        agreement = ids["agreements"].get(p["agreement_id"])
        if not p["signatory_person_id"] or agreement is None:
            continue
        held = roles.get((p["signatory_person_id"], p["org_id"]), [])
        day = agreement["date"]
        on_day = [r for r in held
                  if not before(day, r["start_date"] or day) and not before(r["end_date"] or day, day)]
        if not held or (day and real_date(day) and not on_day):
            found.add(("signatory-no-role", "agreement_parties", i, "signatory_person_id"))

    parent, shares = defaultdict(set), Counter()
    for i, r in enumerate(rows["org_relations"], start=2):
        if r["subject_id"] == r["object_id"]:
            found.add(("self-relation", "org_relations", i, "object_id"))
        if r["kind"] == "subsidiary-of":
            parent[r["subject_id"]].add(r["object_id"])
        if r["kind"] == "shareholder-of" and r["share_percent"]:
            shares[r["object_id"]] += float(r["share_percent"])
    assert not [o for o, total in shares.items() if total > 100 + 1e-9], "shareholder percentages over 100"
    assert not has_cycle(parent), "subsidiary cycle"

    for name, field, date in (("agreements", "follows_id", "date"), ("projects", "part_of_id", None)):
        links = {k: {row[field]} for k, row in ids[name].items() if row[field]}
        assert not has_cycle(links), f"{name}.{field} cycle"
        for i, row in enumerate(rows[name], start=2):
            target = ids[name].get(row[field])
            if date and target and row[date] and target[date] and not before(target[date], row[date]):
                found.add(("follows-not-earlier", name, i, field))
    return found


def has_cycle(edges: dict[str, set[str]]) -> bool:
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        if any(visit(n) for n in edges.get(node, ())):
            return True
        state[node] = 2
        return False

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        return any(visit(n) for n in list(edges))
    finally:  # a higher limit left behind lets a later test's deep JSON overflow the C stack
        sys.setrecursionlimit(limit)


def frictionless_errors(path: Path) -> set[tuple[str, int]]:
    from frictionless import validate

    report = validate(str(path / "datapackage.json"))
    return {(task.name, err.row_number) for task in report.tasks for err in task.errors}


def test_synthesize_writes_a_clean_package_of_the_size_asked(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    result = run_script(SYNTHESIZE, "--rows", "1500", "--out", str(out), "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    shipped, pkg = Package.open(), Package.open(out)
    assert pkg.descriptor == shipped.descriptor
    assert [r.schema for r in pkg.resources] == [r.schema for r in shipped.resources]
    counts = {r.name: sum(1 for _ in raw_rows(pkg, r)) for r in pkg.resources}
    assert sum(counts.values()) == 1500
    assert min(counts.values()) >= 2
    assert counts["citations"] == max(counts.values())
    assert json.loads((out / "planted-errors.json").read_text()) == []
    assert violations(pkg) == set()
    assert frictionless_errors(out) == set()
    # The rules are exercised, not met by leaving cells empty.
    rows = {r.name: list(raw_rows(pkg, r)) for r in pkg.resources}
    dated = {a["id"] for a in rows["agreements"] if a["date"]}
    assert any(p["signatory_person_id"] and p["agreement_id"] in dated for p in rows["agreement_parties"])
    assert any(a["follows_id"] for a in rows["agreements"])
    assert any(p["part_of_id"] for p in rows["projects"])
    assert {r["kind"] for r in rows["org_relations"]} == {"subsidiary-of", "shareholder-of"}
    assert {n["entity_id"].split("-")[0] for n in rows["names"]} == {"org", "person", "project"}
    assert any(c["field"] not in ("*", "id") for c in rows["citations"])
    assert any(r["start_date"] and r["end_date"] for r in rows["roles"])
    dates = [r[f.name] for res in pkg.resources for f in res.fields if f.is_date for r in rows[res.name]]
    assert {len(d) for d in dates if d} == {4, 7, 10} and "" in dates
    assert any(r["title"] != unicodedata.normalize("NFD", r["title"]) for r in rows["sources"])
    # Conventions beyond the rules: a source without a URL has a locator; Wikidata items are not shared.
    assert all(r["url"] or r["locator"] for r in rows["sources"])
    qids = [r["wikidata_id"] for t in ("organisations", "people") for r in rows[t] if r["wikidata_id"]]
    assert qids and len(qids) == len(set(qids))


def test_synthesize_plants_each_error_alone_at_its_recorded_line(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    result = run_script(SYNTHESIZE, "--rows", "4000", "--out", str(out), "--seed", "7", "--errors", "27")
    assert result.returncode == 0, result.stderr
    planted = json.loads((out / "planted-errors.json").read_text())
    assert len(planted) == 27
    codes = Counter(p["code"] for p in planted)
    # Nine kinds, three of each; a kind's code depends on the field it lands on (docs/validation.md).
    for code in ("enum-invalid", "required-missing", "primary-key-duplicate", "date-invalid", "date-order",
                 "row-not-cited"):
        assert codes[code] == 3, code
    assert codes["pattern-mismatch"] + codes["language-invalid"] + codes["country-invalid"] == 3
    assert codes["foreign-key-missing"] + codes["reference-unresolved"] == 6
    expected = {(p["code"], p["resource"], p["row"], p["field"]) for p in planted}
    assert violations(Package.open(out)) == expected
    # What Table Schema can say, frictionless finds at the same file and line.
    seen = frictionless_errors(out)
    schema_level = {"pattern-mismatch", "language-invalid", "country-invalid", "enum-invalid",
                    "required-missing", "primary-key-duplicate", "foreign-key-missing"}
    for p in planted:
        if p["code"] in schema_level:
            assert (p["resource"], p["row"]) in seen, p


def test_synthesize_follows_the_schemas_it_is_given(tmp_path: Path) -> None:
    # A fork adds columns: the generator reads them from the schemas, nothing names them.
    fork = tmp_path / "fork"
    shipped = Package.open()
    for res in shipped.resources:
        schema = json.loads(json.dumps(res.schema))
        if res.name == "people":
            schema["fields"].append({"name": "nickname", "type": "string"})
        if res.name == "roles":
            schema["fields"].append({"name": "rank", "type": "integer", "constraints": {
                "required": True, "minimum": 1, "maximum": 5}})
        (fork / res.schema_path).parent.mkdir(parents=True, exist_ok=True)
        (fork / res.schema_path).write_text(json.dumps(schema), encoding="utf-8")
    (fork / "datapackage.json").write_text(json.dumps(shipped.descriptor), encoding="utf-8")
    out = tmp_path / "pkg"
    result = run_script(SYNTHESIZE, "--rows", "800", "--out", str(out), "--package", str(fork))
    assert result.returncode == 0, result.stderr
    pkg = Package.open(out)
    assert "nickname" in pkg.resource("people").field_names
    ranks = {r["rank"] for r in raw_rows(pkg, "roles")}
    assert ranks == {"1", "2", "3", "4", "5"}
    assert any(r["nickname"] for r in raw_rows(pkg, "people"))
    assert violations(pkg) == set()
    assert frictionless_errors(out) == set()


def test_synthesize_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run_script(SYNTHESIZE, "--rows", "600", "--out", str(tmp_path / name), "--errors", "9")
        assert result.returncode == 0, result.stderr
    for csv in (tmp_path / "a" / "data").iterdir():
        assert csv.read_bytes() == (tmp_path / "b" / "data" / csv.name).read_bytes()
    planted = [(tmp_path / name / "planted-errors.json").read_text() for name in ("a", "b")]
    assert planted[0] == planted[1] != "[]\n"


@pytest.mark.parametrize("args, message", [
    (["--rows", "20"], "--rows 20 is too small"),
    (["--rows", "300", "--errors", "500"], "raise --rows or lower --errors"),
])
def test_synthesize_refuses_what_it_cannot_make(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_script(SYNTHESIZE, *args, "--out", str(tmp_path / "pkg"))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pkg" / "datapackage.json").exists()


def test_bench_runs_at_a_small_size_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = run_script(BENCH, "--sizes", "400,0.5k", "--cache", str(tmp_path / "cache"), "--out", str(out),
                        "--frictionless-max", "450", "--repeat", "2")
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["sizes"] == [400, 500] and report["repeat"] == 2
    assert report["machine"]["cores"] == os.cpu_count()
    assert report["machine"]["packages"]["polars"]
    by = {(r["rows"], r["tool"]): r for r in report["results"]}
    assert set(by) == {(n, t) for n in (400, 500) for t in ("ecocluster", "frictionless", "floor")}
    for n in (400, 500):
        floor = by[n, "floor"]
        assert floor["status"] == "ok" and floor["seconds"] > 0 and floor["peak_memory_mb"] > 0
        assert floor["rows_per_second"] == round(n / floor["seconds"])
        assert len(floor["runs"]) == 2 and floor["seconds"] == min(floor["runs"])
        eco = by[n, "ecocluster"]
        # The synthetic package validates clean, so the validator must run, report JSON and exit 0.
        assert eco["status"] == "ok" and eco["exit_code"] == 0 and eco["reason"] == "", eco
        assert eco["seconds"] > 0 and eco["rows_per_second"] == round(n / eco["seconds"])
    assert by[400, "frictionless"]["status"] == "ok" and by[400, "frictionless"]["exit_code"] == 0
    assert by[500, "frictionless"]["status"] == "skipped"
    assert "frictionless skipped: 500 rows is above --frictionless-max 450" in result.stderr
    ratio = report["ratios"][0]
    assert ratio["rows"] == 400
    assert ratio["ecocluster_over_floor"] == round(by[400, "ecocluster"]["seconds"] / by[400, "floor"]["seconds"], 2)
    for line in ("rows  tool", "frictionless/ecocluster", "machine: "):
        assert line in result.stdout
    assert (tmp_path / "cache" / "rows-400-seed-0" / "datapackage.json").is_file()
    assert not list(tmp_path.glob(".results.json.*"))


def test_bench_leaves_the_committed_results_alone_unless_asked(tmp_path: Path) -> None:
    committed = ROOT / "bench" / "results.json"
    before = committed.read_bytes()
    result = run_script(BENCH, "--sizes", "400", "--cache", str(tmp_path / "cache"), "--tools", "floor",
                        "--repeat", "1")
    assert result.returncode == 0, result.stderr
    assert committed.read_bytes() == before
    assert json.loads((tmp_path / "cache" / "results-validate.json").read_text())["sizes"] == [400]
    clash = run_script(BENCH, "--sizes", "400", "--commit", "--out", str(tmp_path / "x.json"))
    assert clash.returncode == 2 and "--commit writes the committed results file" in clash.stderr
