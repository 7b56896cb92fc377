"""The exporters: behaviour the mutation score found unguarded (scripts/mutation.py, issue 18)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ecocluster.exports import format_module
from ecocluster.package import Package
from ecocluster.tables import read_tables

ROOT = Path(__file__).resolve().parents[2]
# ISO 639-1 -> ISO 639-3, the form FollowTheMoney keeps a statement's language in
ISO639_3 = {"en": "eng", "ko": "kor", "fr": "fra"}


@pytest.fixture(scope="module")
def ftm_statements(tmp_path_factory, followthemoney) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("ftm")
    format_module("ftm").export(read_tables(Package.open(ROOT)), out)
    with open(out / "ftm" / "statements.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_name_statement_carries_the_language_of_its_name(ftm_statements):
    """Guards ftm._Builder.add: a name from `names` keeps its `language` (its primary subtag: `ko-Latn` is
    Korean) as the statement's `lang`."""
    with open(ROOT / "data" / "names.csv", encoding="utf-8", newline="") as fh:
        names = list(csv.DictReader(fh))
    assert {r["language"].split("-")[0] for r in names} <= set(ISO639_3)
    got = {(s["entity_id"], s["value"], s["lang"]) for s in ftm_statements}
    missing = [r["id"] for r in names
               if (f"ecocluster-{r['entity_id']}", r["name"], ISO639_3[r["language"].split("-")[0]]) not in got]
    assert not missing


def test_the_ftm_catalog_collection_carries_the_package_title_version_and_licence(tmp_path, followthemoney):
    """Guards ftm.catalog: the `ecocluster` collection is described from datapackage.json, licence URL included."""
    import json

    format_module("ftm").export(read_tables(Package.open(ROOT)), tmp_path)
    data = json.loads((tmp_path / "ftm" / "catalog.json").read_text(encoding="utf-8"))
    [collection] = [ds for ds in data["datasets"] if ds["name"] == "ecocluster"]
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    urls = [x["path"] for x in descriptor["licenses"] if "://" in x.get("path", "")]
    assert urls, "the shipped descriptor names its licence by URL"
    assert collection["license"] == urls[0]
    assert (collection["title"], collection["version"]) == (descriptor["title"], descriptor["version"])


VALID = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"


def _export(tmp: Path, fmt: str, licences: list[dict] | None) -> str:
    """The text of one SQL export of the valid fixture package, its `licenses` replaced."""
    import json
    import shutil

    root = tmp / "pkg"
    shutil.copytree(VALID, root)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    if licences is None:
        descriptor.pop("licenses", None)
    else:
        descriptor["licenses"] = licences
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    [path] = format_module(fmt).export(read_tables(Package.open(root)), tmp / "out")
    return path.read_text(encoding="utf-8")


TWO = [{"name": "LIC-A", "path": "https://example.org/a"}, {"name": "LIC-B", "path": "https://example.org/b"}]


def test_the_sql_header_names_every_licence(tmp_path):
    """Guards sql.statements: the header's licence line lists every licence, `, ` between."""
    assert "\n-- Licence: LIC-A, LIC-B.\n" in _export(tmp_path, "sql", TWO)


@pytest.mark.parametrize("licences,about", [
    (TWO, "version {}; licence LIC-A, LIC-B.'"),
    (None, "version {}.'"),
])
def test_the_postgres_metadata_comment_names_the_licences_or_none(tmp_path, licences, about):
    """Guards pg._about: the `_metadata` table comment says the version, then the licences when there are any."""
    import json

    about = about.format(json.loads((VALID / "datapackage.json").read_text(encoding="utf-8"))["version"])
    text = _export(tmp_path, "pg", licences)
    [comment] = [line for line in text.splitlines() if line.startswith('COMMENT ON TABLE "_metadata" IS')]
    assert comment.endswith(about + ";"), comment
    assert licences or "licence" not in comment


def test_postgres_dates_take_the_domain_sqlite_the_calendar_check(tmp_path):
    """Guards schema.date_type: in the PostgreSQL file a date column's type is the domain that states the
    date rule once; the portable file gives PostgreSQL that domain and SQLite the rule as a CHECK."""
    pg = _export(tmp_path / "pg", "pg", TWO)
    assert '  "date" "reduced_date",' in pg.splitlines()
    assert pg.count("% 400 = 0") == 2  # in the body of is_reduced_date (leap years) and of latest_day
    portable = _export(tmp_path / "sql", "sql", TWO).splitlines()
    at = portable.index('  "date"')
    assert portable[at + 1] == '  /* /* */ -- */ "reduced_date"'
    assert portable[at + 2].startswith('  /* /* */ TEXT CONSTRAINT "date: YYYY, YYYY-MM or YYYY-MM-DD')
    assert "% 400 = 0" in portable[at + 2] and portable[at + 2].endswith(" /* */ -- */")


def test_the_parquet_descriptor_describes_the_files_then_the_package(tmp_path):
    """Guards parquet.export: datapackage.json beside the Parquet files says what they are."""
    import json

    format_module("parquet").export(read_tables(Package.open(VALID)), tmp_path)
    got = json.loads((tmp_path / "parquet" / "datapackage.json").read_text(encoding="utf-8"))
    source = json.loads((VALID / "datapackage.json").read_text(encoding="utf-8"))
    assert got["description"] == (f"The tables of {source['name']} {source['version']} as Parquet files. "
                                  + source["description"])


def test_rows_in_a_circular_self_reference_go_in_one_last_batch():
    """Guards sqlrows.batches: rows whose self-reference can never be placed are inserted together at the end
    (the engine then refuses them), not dropped and not an error of ours."""
    import polars as pl

    from ecocluster.exports.sql.rows import batches

    tables = read_tables(Package.open(VALID))
    res = Package.open(VALID).resource("agreements")
    [fk] = [fk for fk in res.foreign_keys if fk.resource == res.name]
    frame = tables["agreements"].head(2)
    a, b = frame["id"].to_list()
    # a follows b and b follows a: a cycle, no row can go first
    cycle = frame.with_columns(pl.Series(fk.field, [b, a], dtype=frame.schema[fk.field]))
    assert [sorted(batch["id"].to_list()) for batch in batches(cycle, res)] == [sorted([a, b])]
    # a follows b: b first, then a
    chain = frame.with_columns(pl.Series(fk.field, [b, None], dtype=frame.schema[fk.field]))
    assert [batch["id"].to_list() for batch in batches(chain, res)] == [[b], [a]]


def test_the_datasette_site_credits_the_first_source_with_a_link_and_the_licence():
    """Guards datasette.metadata: `source`/`source_url` are the descriptor's first source that has a URL."""
    import json

    from ecocluster.exports import datasette

    meta = datasette.metadata(Package.open(ROOT))
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    first = next(s for s in descriptor["sources"] if s.get("path"))
    assert (meta["source"], meta["source_url"]) == (first["title"], first["path"])
    assert (meta["license"], meta["license_url"]) == (descriptor["licenses"][0]["name"],
                                                      descriptor["licenses"][0]["path"])


def test_the_xlsx_columns_sheet_marks_required_and_primary_key_columns(tmp_path):
    """Guards xlsx._columns_frame: `required` is true for a column the schema requires or the primary key holds."""
    import json

    from openpyxl import load_workbook

    [path] = format_module("xlsx").export(read_tables(Package.open(VALID)), tmp_path)
    wb = load_workbook(path)
    got = {(r[0], r[1]): r[4] for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    expected = {}
    descriptor = json.loads((VALID / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        schema = res["schema"]
        if isinstance(schema, str):
            schema = json.loads((VALID / schema).read_text(encoding="utf-8"))
        key = schema.get("primaryKey", [])
        key = [key] if isinstance(key, str) else key
        for f in schema["fields"]:
            expected[(res["name"], f["name"])] = bool(f.get("constraints", {}).get("required")) or f["name"] in key
            if f.get("constraints", {}).get("pattern", "").startswith("^[0-9]{4}(-"):  # a date's bounds: derived
                expected |= {(res["name"], f"{f['name']}_{end}"): False for end in ("earliest", "latest")}
    assert got == expected
    # both ways occur: key columns, and required columns outside the key
    assert any(v for (_, c), v in expected.items() if c == "id")
    assert any(v for (_, c), v in expected.items() if c != "id")


def test_xlsx_widths_count_only_the_first_line_of_a_multiline_value(tmp_path):
    """Guards xlsx._widths: a value's width is that of its first line, not of all its lines run together."""
    import polars as pl

    from ecocluster.exports.xlsx import MAX_WIDTH, MIN_WIDTH, _widths

    frame = pl.DataFrame({"note": ["short\n" + "x" * 30, "tiny"], "n": [1, 22]})
    assert _widths(frame) == [float(max(MIN_WIDTH, len("short"), len("note")) + 2), float(max(MIN_WIDTH, 2) + 2)]
    assert MAX_WIDTH > 12


def test_a_popolo_record_names_its_wikidata_item_under_the_wikidata_scheme():
    """Guards popolo._identifiers: no shipped row has a wikidata_id yet, so the export never reached this."""
    from ecocluster.exports.interchange.popolo import _identifiers

    assert _identifiers({"wikidata_id": "Q1"}) == [{"scheme": "wikidata", "identifier": "Q1"}]
    assert _identifiers({"wikidata_id": None}) == [] and _identifiers({}) == []


def test_a_popolo_post_whose_title_has_no_latin_letter_or_digit_is_named_post():
    """Guards popolo.post_id: a title that slugs to nothing (Hangul only, punctuation) still gives a readable
    ID, `post-<org>-post`, the same for every such title of one organisation."""
    from ecocluster.exports.interchange.popolo import post_id

    assert post_id("org-busan-city", "부산시장") == "post-busan-city-post"
    assert post_id("org-busan-city", " -- ") == "post-busan-city-post"
    assert post_id("org-busan-city", "Vice-Mayor (Economy)") == "post-busan-city-vice-mayor-economy"


def test_every_datasette_canned_query_has_a_title_a_description_and_its_sql():
    """Guards datasette._queries: Datasette shows a canned query's `title` and `description` (its own key
    names) above the form; a misspelt key is silently ignored, so the page would explain nothing."""
    from ecocluster.exports import datasette

    queries = datasette.metadata(Package.open(ROOT))["databases"]["ecocluster"]["queries"]
    assert queries
    for name, query in queries.items():
        assert set(query) == {"title", "description", "sql"}, name
        assert all(isinstance(v, str) and v.strip() for v in query.values()), name


def test_a_project_start_and_end_date_become_its_ftm_start_and_end_date(tmp_path, followthemoney):
    """Guards ftm.build: no shipped project has a start or end date yet, so a copy of the valid fixture
    gives one both; each becomes a `startDate` / `endDate` statement of the Project, as the README says."""
    import shutil

    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    path = root / "data" / "projects.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[1].update(start_date="2024-05", end_date="2025")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    format_module("ftm").export(read_tables(Package.open(root)), tmp_path / "out")
    with open(tmp_path / "out" / "ftm" / "statements.csv", encoding="utf-8", newline="") as fh:
        got = {(s["entity_id"], s["prop"], s["original_value"] or s["value"]) for s in csv.DictReader(fh)
               if s["prop"] in ("startDate", "endDate")}
    expected = {(f"ecocluster-{r['id']}", prop, r[column]) for r in rows
                for column, prop in (("start_date", "startDate"), ("end_date", "endDate")) if r[column]}
    assert {(e, p, v) for e, p, v in got if e.startswith("ecocluster-project-")} == expected
    assert len(expected) == 3  # the fixture's own start date, and the two set here


def test_every_resource_of_the_parquet_descriptor_is_a_parquet_table(tmp_path):
    """Guards parquet._resource_descriptor: each resource says it is tabular data (Data Package `type`
    "table", lower case as the standard spells it), in Parquet, with its own file name."""
    import json

    format_module("parquet").export(read_tables(Package.open(VALID)), tmp_path)
    got = json.loads((tmp_path / "parquet" / "datapackage.json").read_text(encoding="utf-8"))
    names = [r.name for r in Package.open(VALID).resources]
    assert [r["name"] for r in got["resources"]] == names
    for r in got["resources"]:
        assert (r["type"], r["format"], r["path"]) == ("table", "parquet", f"{r['name']}.parquet"), r["name"]


def test_the_datasette_database_is_titled_and_described_from_the_descriptor():
    """Guards datasette.metadata: the database page carries the package title, and its description starts
    with the version."""
    import json

    from ecocluster.exports import datasette

    pkg = Package.open(ROOT)
    [db] = datasette.metadata(pkg)["databases"].values()
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert db["title"] == descriptor["title"]
    assert db["description_html"].startswith(f"<p>Version {descriptor['version']}. ")


def test_a_column_comment_reads_title_description_and_codes_as_sentences():
    """Guards sqlschema.comment_text: one full stop after the title and after the list of codes, none
    doubled; a code without a description is listed alone."""
    from ecocluster.exports.sql.schema import comment_text

    codes = '{"company": "A business.", "other": ""}'
    assert comment_text("Kind.", "What the row is.", codes) == (
        "Kind. What the row is. Codes: company: A business; other.")
    assert comment_text("", "What the row is.") == "What the row is."


@pytest.mark.parametrize("where", ["cell", "field title", "package title"])
def test_a_workbook_the_data_cannot_fill_is_refused_before_it_is_begun(tmp_path, where):
    """Guards xlsx.export: what a sheet cannot hold (a control character, here an escape) is refused
    before openpyxl starts the workbook; started, a failure left half-written sheets that printed
    "Exception ignored" tracebacks when collected (with lxml installed)."""
    import json
    import shutil
    import subprocess
    import sys

    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    if where == "cell":
        csv_path = root / "data" / "people.csv"
        lines = csv_path.read_text(encoding="utf-8").splitlines()
        lines[1] = lines[1].replace(",", ",\x1b[2J", 1)
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif where == "field title":
        path = root / "schemas" / "people.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema["fields"][1]["title"] = "Name\x1b[2J"
        path.write_text(json.dumps(schema), encoding="utf-8")
    else:
        path = root / "datapackage.json"
        dp = json.loads(path.read_text(encoding="utf-8"))
        dp["title"] = "Data\x00"
        path.write_text(json.dumps(dp), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ecocluster", "export", "--to", "xlsx", "--out", str(tmp_path / "o"),
                           str(root)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "control character" in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not any((tmp_path / "o").rglob("*.xlsx"))
