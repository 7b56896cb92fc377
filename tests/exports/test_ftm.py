"""The FollowTheMoney export, read back with the followthemoney library and compared with the CSV tables."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_followthemoney

require_followthemoney()

from followthemoney import model  # noqa: E402
from followthemoney.cli.cli import cli as ftm_cli  # noqa: E402
from followthemoney.dataset import DataCatalog, Dataset  # noqa: E402
from followthemoney.statement import CSV, StatementEntity, read_path_statements  # noqa: E402
from followthemoney.statement.serialize import CSV_COLUMNS  # noqa: E402

from ecocluster.errors import EcoclusterError  # noqa: E402
from ecocluster.exports import DESCRIPTIONS, FORMATS, format_module  # noqa: E402
from ecocluster.package import Package  # noqa: E402
from ecocluster.tables import read_tables  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def E(record_id: str) -> str:
    return "ecocluster-" + record_id


# What the README promises each exported column becomes: table -> {column: FollowTheMoney property}.
# Columns not listed are documented as lost; the citations on them are the only ones not in statements.csv.
FIELDS = {
    "organisations": {"name": "name", "kind": "classification", "country": "country",
                      "founded": "incorporationDate", "dissolved": "dissolutionDate", "website": "website",
                      "wikidata_id": "wikidataId"},
    "people": {"name": "name", "family_name": "lastName", "given_name": "firstName",
               "wikidata_id": "wikidataId"},
    "projects": {"name": "name", "kind": "keywords", "status": "status", "location": "address",
                 "start_date": "startDate", "end_date": "endDate", "description": "description"},
    "agreements": {"title": "title", "title_local": "title", "kind": "type", "status": "status",
                   "date": "contractDate", "summary": "summary"},
    "agreement_parties": {"agreement_id": "contract", "org_id": "supplier", "role": "role"},
    "project_participants": {"project_id": "project", "org_id": "participant", "role": "role"},
    "roles": {"title": "role", "title_local": "role", "start_date": "startDate", "end_date": "endDate"},
    "org_relations": {"kind": "role", "share_percent": "percentage", "start_date": "startDate",
                      "end_date": "endDate", "as_of_date": "date"},
}
ID_FIELDS = {"agreement_id", "org_id", "project_id", "person_id", "subject_id", "object_id",
             "signatory_person_id", "follows_id", "part_of_id"}
LOST = {("agreements", "place"), ("agreements", "status_as_of"), ("projects", "status_as_of"),
        ("projects", "target_date"), ("names", "start_date"), ("names", "end_date"),
        ("agreement_projects", "relation"), ("agreement_projects", "amount_krw"),
        ("agreement_parties", "representative_person_id"), ("org_relations", "via_id")}
ORG_SCHEMA = {"company": "Company", "government": "PublicBody", "public-agency": "PublicBody"}
ROLE_PROPS = {"Company": ("director", "organization"), "PublicBody": ("employee", "employer")}
NAME_PROPS = {"official": "name", "former": "previousName"}
RELATION_PROPS = {"shareholder-of": {"subject_id": "owner", "object_id": "asset"},
                  "subsidiary-of": {"subject_id": "controlled", "object_id": "controller"}}


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, str]]]:
    with_ids = {}
    for path in sorted((ROOT / "data").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            with_ids[path.stem] = list(csv.DictReader(fh))
    return with_ids


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("ftm")
    written = format_module("ftm").export(read_tables(Package.open(ROOT)), out_dir)
    out_dir = out_dir / "ftm"
    assert written == [out_dir / "entities.ftm.json", out_dir / "statements.csv", out_dir / "catalog.json"]
    return out_dir


@pytest.fixture(scope="module")
def entities(out) -> list[dict]:
    return [json.loads(line) for line in (out / "entities.ftm.json").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def statements(out) -> list[dict[str, str]]:
    with open(out / "statements.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_registered():
    assert FORMATS["ftm"] == "ecocluster.exports.interchange.ftm"
    module = format_module("ftm")
    assert module.NAME == "ftm" and DESCRIPTIONS["ftm"]


def test_every_entity_loads_and_validates_with_followthemoney(entities):
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities)
    for data in entities:
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract, data["id"]
        schema.validate(data)  # raises InvalidData on a value its type rejects
        # Cleaning every value again through the model changes none of them.
        proxy = model.get_proxy(data, cleaned=False)
        assert {p: sorted(v) for p, v in proxy.properties.items()} == data["properties"], data["id"]
        for prop in schema.required:
            assert proxy.has(prop), (data["id"], prop)
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                target = by_id[value]  # no dangling edge
                assert model.get(target["schema"]).is_a(prop.range), (data["id"], prop.name, target["schema"])


def test_ftm_validate_keeps_every_value(out, entities, tmp_path):
    # `ftm validate` is FollowTheMoney's own check: it re-parses and re-cleans every value.
    result = CliRunner().invoke(ftm_cli, ["validate", "-i", str(out / "entities.ftm.json"),
                                          "-o", str(tmp_path / "valid.json")])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "valid.json").read_text(encoding="utf-8").splitlines()
    again = {d["id"]: {p: sorted(v) for p, v in d["properties"].items()} for d in map(json.loads, lines)}
    assert again == {e["id"]: e["properties"] for e in entities}


def test_entity_counts_match_the_tables(entities, tables):
    got = Counter(e["schema"] for e in entities)
    orgs = {r["id"]: ORG_SCHEMA.get(r["kind"], "Organization") for r in tables["organisations"]}
    kinds = Counter(r["kind"] for r in tables["org_relations"])
    role_schema = {"Company": "Directorship", "PublicBody": "Employment"}
    role_schemas = Counter(role_schema.get(orgs[r["org_id"]], "Membership") for r in tables["roles"])
    links = (sum(bool(r["signatory_person_id"]) for r in tables["agreement_parties"])
             + sum(bool(r["follows_id"]) for r in tables["agreements"])
             + sum(bool(r["part_of_id"]) for r in tables["projects"]))
    expected = Counter(orgs.values()) + role_schemas + Counter({
        "Person": len(tables["people"]), "Contract": len(tables["agreements"]),
        "ContractAward": len(tables["agreement_parties"]), "Project": len(tables["projects"]),
        "ProjectParticipant": len(tables["project_participants"]), "Ownership": kinds["shareholder-of"],
        "Control": kinds["subsidiary-of"], "UnknownLink": links,
    })
    assert got == expected
    assert len(entities) == sum(len(tables[t]) for t in tables if t not in {
        "sources", "citations", "names", "agreement_projects"}) + links


def _sources(tables, record_id: str, field: str) -> list[str]:
    cites = [c for c in tables["citations"] if c["record_id"] == record_id]
    own = [c["source_id"] for c in cites if c["field"] == field]
    return own or [c["source_id"] for c in cites if c["field"] == "*"]


def _expected_statements(tables):
    """(entity, prop, value as in the CSV, origin) for every exported value, from the tables alone."""
    orgs = {r["id"]: ORG_SCHEMA.get(r["kind"], "Organization") for r in tables["organisations"]}
    for table in FIELDS:
        for row in tables[table]:
            fields = dict(FIELDS[table])
            if table == "roles":
                person, org = ROLE_PROPS.get(orgs[row["org_id"]], ("member", "organization"))
                fields.update(person_id=person, org_id=org)
            if table == "org_relations":
                fields.update(RELATION_PROPS[row["kind"]])
            for field, prop in fields.items():
                if row[field]:
                    value = E(row[field]) if field in ID_FIELDS else row[field]
                    for source in _sources(tables, row["id"], field):
                        yield E(row["id"]), prop, value, source
    for row in tables["names"]:
        prop = NAME_PROPS.get(row["kind"], "alias")
        if row["kind"] == "abbreviation":
            prop = "weakAlias" if row["entity_id"].startswith("project-") else "abbreviation"
        for source in _sources(tables, row["id"], "name"):
            yield E(row["entity_id"]), prop, row["name"], source
    for row in tables["agreement_projects"]:
        for source in _sources(tables, row["id"], "project_id"):
            yield E(row["agreement_id"]), "project", E(row["project_id"]), source
    links = [(r, "signatory_person_id", "-signatory", E(r["signatory_person_id"]), E(r["agreement_id"]),
              "signatory") for r in tables["agreement_parties"] if r["signatory_person_id"]]
    links += [(r, "follows_id", "-follows", E(r["id"]), E(r["follows_id"]), "follows")
              for r in tables["agreements"] if r["follows_id"]]
    links += [(r, "part_of_id", "-part-of", E(r["id"]), E(r["part_of_id"]), "part-of")
              for r in tables["projects"] if r["part_of_id"]]
    for row, field, suffix, subject, obj, role in links:
        for source in _sources(tables, row["id"], field):
            for prop, value in (("subject", subject), ("object", obj), ("role", role)):
                yield E(row["id"]) + suffix, prop, value, source


def test_statements_are_one_per_value_and_source(statements, entities, tables):
    assert list(statements[0]) == CSV_COLUMNS  # FollowTheMoney's own column order
    values = [s for s in statements if s["prop"] != "id"]
    got = Counter((s["entity_id"], s["prop"], s["original_value"] or s["value"], s["origin"]) for s in values)
    expected = Counter(_expected_statements(tables))
    assert got == expected
    # Statement IDs are unique: two values only share a key above when their languages differ (a
    # preferred name has none, the same spelling in `names` has its language).
    assert len({s["id"] for s in statements}) == len(statements)
    # One `id` statement per entity, in the package's own dataset.
    ids = [s for s in statements if s["prop"] == "id"]
    assert sorted(s["entity_id"] for s in ids) == sorted(e["id"] for e in entities)
    assert {s["dataset"] for s in ids} == {"ecocluster"}
    # Sorted by entity, each entity's `id` statement first, then its properties by name and value.
    order = [(s["canonical_id"], s["prop"] != "id", s["prop"], s["value"]) for s in statements]
    assert order == sorted(order)
    assert [s["prop"] for s in statements[:1]] == ["id"]
    assert all(s["dataset"] == "ecocluster_" + s["origin"][4:].replace("-", "_") for s in values)


def test_every_fact_row_appears_with_its_source(statements, tables):
    by_origin: dict[str, set[str]] = {}
    for s in statements:
        by_origin.setdefault(s["origin"], set()).add(s["entity_id"])
    table_of = {r["id"]: t for t, rows in tables.items() if t != "citations" for r in rows}
    for c in tables["citations"]:
        table = table_of[c["record_id"]]
        if (table, c["field"]) in LOST:
            continue
        row = next(r for r in tables[table] if r["id"] == c["record_id"])
        owner = {"names": "entity_id", "agreement_projects": "agreement_id"}.get(table, "id")
        entity = E(row[owner])
        if c["field"] in ("signatory_person_id", "follows_id", "part_of_id"):
            entity = E(c["record_id"]) + {"signatory_person_id": "-signatory", "follows_id": "-follows",
                                          "part_of_id": "-part-of"}[c["field"]]
        assert entity in by_origin.get(c["source_id"], set()), (c["record_id"], c["field"], c["source_id"])


def test_statements_rebuild_the_entities(out, entities):
    grouped: dict[str, list] = {}
    for stmt in read_path_statements(out / "statements.csv", CSV):
        grouped.setdefault(stmt.canonical_id, []).append(stmt)
    dataset = Dataset.make({"name": "ecocluster", "title": "ecocluster"})
    rebuilt = {k: StatementEntity.from_statements(dataset, v) for k, v in grouped.items()}
    assert sorted(rebuilt) == [e["id"] for e in entities]
    for data in entities:
        entity = rebuilt[data["id"]]
        assert entity.schema.name == data["schema"]
        assert {p: sorted(v) for p, v in entity.properties.items()} == data["properties"]
        assert sorted(entity.datasets - {"ecocluster"}) == data["datasets"]


def test_catalog_describes_every_statement_dataset(out, statements, tables):
    catalog = DataCatalog(Dataset, json.loads((out / "catalog.json").read_text(encoding="utf-8")))
    collection = catalog.require("ecocluster")
    assert collection.leaf_names == {s["dataset"] for s in statements} - {"ecocluster"}
    for src in tables["sources"]:
        meta = catalog.require("ecocluster_" + src["id"][4:].replace("-", "_")).model
        assert (meta.title, meta.url or "") == (src["title"], src["url"])
        assert meta.publisher.name == src["publisher"]


def test_export_is_byte_stable(out, tmp_path):
    format_module("ftm").export(read_tables(Package.open(ROOT)), tmp_path)
    for name in ("entities.ftm.json", "statements.csv", "catalog.json"):
        assert (tmp_path / "ftm" / name).read_bytes() == (out / name).read_bytes()


def _edited_copy(tmp_path: Path, table: str, old: str, new: str) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "data", pkg / "data")
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    shutil.copy(ROOT / "datapackage.json", pkg)
    path = pkg / "data" / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return pkg


def test_a_share_in_a_non_company_is_an_unknown_link(tmp_path):
    # FollowTheMoney's Ownership needs an Asset; a cooperative is not one.
    pkg = _edited_copy(tmp_path, "org_relations", "org-samsung-card,org-renault-korea,shareholder-of",
                       "org-samsung-card,org-busan-autoparts-industries-cooperative,shareholder-of")
    format_module("ftm").export(read_tables(Package.open(pkg)), tmp_path / "out")
    lines = (tmp_path / "out" / "ftm" / "entities.ftm.json").read_text(encoding="utf-8").splitlines()
    by_id = {e["id"]: e for e in map(json.loads, lines)}
    link = by_id[E("rel-samsung-card-shareholder-of-renault-korea")]
    assert link["schema"] == "UnknownLink"
    assert link["properties"]["object"] == [E("org-busan-autoparts-industries-cooperative")]
    assert link["properties"]["role"] == ["shareholder-of"]


def test_dangling_reference_stops_the_export(tmp_path):
    pkg = _edited_copy(tmp_path, "roles", ",org-renault-korea,CEO,,", ",org-nowhere,CEO,,")
    with pytest.raises(EcoclusterError, match=r"roles row role-dominique-signora-renault-korea-ceo: org_id"):
        format_module("ftm").export(read_tables(Package.open(pkg)), tmp_path / "out")
    assert not (tmp_path / "out" / "ftm" / "entities.ftm.json").exists()
