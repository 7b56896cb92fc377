"""FollowTheMoney: entities as line-delimited JSON, every value as a statement naming its source, and a
data catalog describing those sources.

Entities are built and their values cleaned by the followthemoney library itself, so a value its
model rejects stops the export instead of being written. Provenance follows FollowTheMoney's own
multi-source design: each of our sources is a dataset (`ecocluster_<source id>`) and the source ID is
the statement's `origin`, so a value backed by two sources is two statements, as OpenSanctions keeps a
value seen in two datasets. An entity's `id` statement belongs to the `ecocluster` dataset.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from followthemoney.dataset import DataCatalog, Dataset
from followthemoney.statement import CSV, Statement, StatementEntity, write_statements

from ...base.files import atomic_path, write_text
from ...errors import ExportError
from ...package import Package
from ...tables import Tables
from ..records import Records, Row

NAME = "ftm"

DATASET = "ecocluster"
ID_PREFIX = "ecocluster-"
ENTITIES_FILE = "entities.ftm.json"
STATEMENTS_FILE = "statements.csv"
CATALOG_FILE = "catalog.json"
FOLDER = "ftm"

ORG_SCHEMAS = {"company": "Company", "government": "PublicBody", "public-agency": "PublicBody"}
# A role takes the schema that fits its organisation: officers of a company direct it, staff of a
# public body are employed by it, heads of associations, cooperatives and councils are members.
ROLE_SCHEMAS = {
    "Company": ("Directorship", "director", "organization"),
    "PublicBody": ("Employment", "employee", "employer"),
    "Organization": ("Membership", "member", "organization"),
}
NAME_PROPS = {"official": "name", "former": "previousName", "abbreviation": "abbreviation"}  # others: alias


def entity_id(record_id: str) -> str:
    return ID_PREFIX + record_id


def source_dataset(source_id: str) -> str:
    """The FollowTheMoney dataset name of one of our sources (dataset names are snake_case slugs)."""
    return f"{DATASET}_{source_id.removeprefix('src-').replace('-', '_')}"


def export(tables: Tables, out_dir: Path) -> list[Path]:
    package = tables.package
    records = Records.read(tables)
    entities = build(records, title=str(package.descriptor.get("title") or DATASET))
    out_dir = Path(out_dir) / FOLDER
    lines = [json.dumps(entity_dict(e), ensure_ascii=False) + "\n" for e in entities]
    paths = [write_text(out_dir / ENTITIES_FILE, "".join(lines))]
    statements = sorted((s for e in entities for s in e.statements), key=_statement_order)
    with atomic_path(out_dir / STATEMENTS_FILE) as tmp, open(tmp, "wb") as fh:
        write_statements(fh, CSV, statements)  # the library's own column order and quoting
    paths.append(out_dir / STATEMENTS_FILE)
    doc = json.dumps(catalog(records, package), ensure_ascii=False, indent=2, sort_keys=True)
    paths.append(write_text(out_dir / CATALOG_FILE, doc + "\n"))
    return paths


def catalog(records: Records, package: Package) -> dict[str, Any]:
    """A FollowTheMoney data catalog naming every statement dataset: one per source, in one collection."""
    cat = DataCatalog(Dataset, {})
    for src in records.rows("sources"):
        cat.make_dataset({
            "name": source_dataset(src["id"]), "title": src["title"], "url": src.get("url"),
            "summary": f"Found at: {src['locator']}" if src.get("locator") else None,
            "publisher": {"name": src["publisher"], "official": src.get("kind") == "government-release"}
            if src.get("publisher") else None,
        })
    d = package.descriptor
    licence = next((x.get("path") for x in package.entries("licenses") if "://" in str(x.get("path", ""))), None)
    cat.make_dataset({"name": DATASET, "title": d.get("title") or DATASET, "summary": d.get("description"),
                      "version": d.get("version") or None, "license": licence,
                      "children": [ds.name for ds in cat.datasets]})
    data = {k: v for k, v in cat.to_dict().items() if v is not None}  # its reader refuses `updated_at: null`
    for ds in data["datasets"]:
        ds["children"] = sorted(ds["children"])  # a set in the model: sorted so the file never varies
    data["datasets"].sort(key=lambda ds: ds["name"])
    return data


def entity_dict(entity: StatementEntity) -> dict[str, Any]:
    """`to_dict()` with every list sorted: the library keeps values in sets, the file must not vary."""
    data = entity.to_dict()
    out: dict[str, Any] = {"id": data.pop("id"), "schema": data.pop("schema")}
    out["properties"] = {p: sorted(v) for p, v in sorted(data.pop("properties").items())}
    for key, value in data.items():
        out[key] = sorted(value) if isinstance(value, list) else value
    return out


def _statement_order(s: Statement) -> tuple[str, ...]:
    return (s.canonical_id, "" if s.prop == Statement.BASE else s.prop, s.value, s.dataset, s.lang or "")


class _Builder:
    def __init__(self, records: Records, title: str):
        self.records = records
        self.dataset = Dataset.make({"name": DATASET, "title": title})
        self.entities: dict[str, StatementEntity] = {}

    def make(self, schema: str, record_id: str, suffix: str = "") -> StatementEntity:
        eid = entity_id(record_id) + suffix
        if eid in self.entities:
            raise ExportError(f"two rows map to the FollowTheMoney entity {eid}; IDs must be unique")
        entity = StatementEntity(self.dataset, {"schema": schema, "id": eid})
        self.entities[eid] = entity
        return entity

    def add(self, entity: StatementEntity, prop: str, value: Any, record_id: str, field: str,
            lang: str | None = None) -> None:
        """One statement per source backing `record_id.field` (none cited: one without an origin)."""
        if value is None or value == "":
            return
        text = value if isinstance(value, str) else _number_text(value)
        prop_ = entity.schema.get(prop)
        if prop_ is None:
            raise ExportError(f"{entity.schema.name} has no property {prop}")
        sources: list[str | None] = [*self.records.sources_for(record_id, field)] or [None]
        for source in sources:
            dataset = source_dataset(source) if source else DATASET
            if entity.unsafe_add(prop_, text, dataset=dataset, origin=source, lang=lang) is None:
                raise ExportError(
                    f"{record_id}: FollowTheMoney rejects `{value}` of field {field} as a {prop_.type.name} "
                    f"({entity.schema.name}.{prop}); fix the value or the mapping in "
                    f"ecocluster.exports.interchange.ftm")

    def link(self, entity: StatementEntity, prop: str, table: str, row: Row, field: str,
             *targets: str) -> StatementEntity:
        """Point `entity.prop` at the entity of the row that `row[field]` names; return that entity."""
        target = self.records.ref(table, field, row, *targets)
        self.add(entity, prop, entity_id(target["id"]), row["id"], field)
        return self.entities[entity_id(target["id"])]

    def fields(self, entity: StatementEntity, row: Row, mapping: dict[str, str]) -> None:
        for field, prop in mapping.items():
            self.add(entity, prop, row.get(field), row["id"], field)


def _number_text(value: Any) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def build(records: Records, title: str = DATASET) -> list[StatementEntity]:
    """Every entity, sorted by ID."""
    b = _Builder(records, title)
    for row in records.rows("organisations"):
        e = b.make(ORG_SCHEMAS.get(row["kind"], "Organization"), row["id"])
        b.fields(e, row, {"name": "name", "kind": "classification", "country": "country",
                          "founded": "incorporationDate", "dissolved": "dissolutionDate",
                          "website": "website", "wikidata_id": "wikidataId"})
    for row in records.rows("people"):
        e = b.make("Person", row["id"])
        b.fields(e, row, {"name": "name", "family_name": "lastName", "given_name": "firstName",
                          "wikidata_id": "wikidataId"})
    for row in records.rows("projects"):
        e = b.make("Project", row["id"])
        b.fields(e, row, {"name": "name", "kind": "keywords", "status": "status", "location": "address",
                          "start_date": "startDate", "end_date": "endDate", "description": "description"})
        if row.get("part_of_id"):
            _unknown_link(b, "projects", row, "part_of_id", "part-of", "projects")
    for row in records.rows("agreements"):
        e = b.make("Contract", row["id"])
        b.fields(e, row, {"title": "title", "title_local": "title", "kind": "type", "status": "status",
                          "date": "contractDate", "summary": "summary"})
        if row.get("follows_id"):
            _unknown_link(b, "agreements", row, "follows_id", "follows", "agreements")
    _names(b, records)
    _relations(b, records)
    _roles(b, records)
    for row in records.rows("agreement_parties"):
        award = b.make("ContractAward", row["id"])
        contract = b.link(award, "contract", "agreement_parties", row, "agreement_id", "agreements")
        b.link(award, "supplier", "agreement_parties", row, "org_id", "organisations")
        b.add(award, "role", row["role"], row["id"], "role")
        if row.get("signatory_person_id"):
            # FollowTheMoney has no signatory of a contract: a link from the person to the contract.
            sign = b.make("UnknownLink", row["id"], "-signatory")
            b.link(sign, "subject", "agreement_parties", row, "signatory_person_id", "people")
            b.add(sign, "object", contract.id, row["id"], "signatory_person_id")
            b.add(sign, "role", "signatory", row["id"], "signatory_person_id")
    for row in records.rows("project_participants"):
        p = b.make("ProjectParticipant", row["id"])
        b.link(p, "project", "project_participants", row, "project_id", "projects")
        b.link(p, "participant", "project_participants", row, "org_id", "organisations")
        b.add(p, "role", row["role"], row["id"], "role")
    for row in records.rows("agreement_projects"):
        agreement = records.ref("agreement_projects", "agreement_id", row, "agreements")
        b.link(b.entities[entity_id(agreement["id"])], "project", "agreement_projects", row, "project_id",
               "projects")
    return [b.entities[k] for k in sorted(b.entities)]


def _unknown_link(b: _Builder, table: str, row: Row, field: str, role: str, *targets: str) -> None:
    link = b.make("UnknownLink", row["id"], "-" + role)
    b.add(link, "subject", entity_id(row["id"]), row["id"], field)
    b.link(link, "object", table, row, field, *targets)
    b.add(link, "role", role, row["id"], field)


def _names(b: _Builder, records: Records) -> None:
    for row in records.rows("names"):
        target = records.ref("names", "entity_id", row, "organisations", "people", "projects")
        entity = b.entities[entity_id(target["id"])]
        prop = NAME_PROPS.get(row["kind"], "alias")
        if prop not in entity.schema.properties:
            prop = "weakAlias"  # a project has no `abbreviation`
        b.add(entity, prop, row["name"], row["id"], "name", lang=row.get("language"))


def _relations(b: _Builder, records: Records) -> None:
    for row in records.rows("org_relations"):
        subject = records.ref("org_relations", "subject_id", row, "organisations")
        obj = b.entities[entity_id(records.ref("org_relations", "object_id", row, "organisations")["id"])]
        dates = {"start_date": "startDate", "end_date": "endDate", "as_of_date": "date"}
        if row["kind"] == "shareholder-of" and obj.schema.is_a("Asset"):
            e = b.make("Ownership", row["id"])
            b.link(e, "owner", "org_relations", row, "subject_id")
            b.link(e, "asset", "org_relations", row, "object_id")
            b.fields(e, row, {"kind": "role", "share_percent": "percentage", **dates})
        elif row["kind"] == "subsidiary-of":
            e = b.make("Control", row["id"])  # the parent controls its subsidiary
            b.link(e, "controller", "org_relations", row, "object_id")
            b.add(e, "controlled", entity_id(subject["id"]), row["id"], "subject_id")
            b.fields(e, row, {"kind": "role", **dates})
        else:  # a share in a body FollowTheMoney does not see as an asset, or a new kind
            e = b.make("UnknownLink", row["id"])
            b.link(e, "subject", "org_relations", row, "subject_id")
            b.link(e, "object", "org_relations", row, "object_id")
            b.fields(e, row, {"kind": "role", **dates})


def _roles(b: _Builder, records: Records) -> None:
    for row in records.rows("roles"):
        org = b.entities[entity_id(records.ref("roles", "org_id", row, "organisations")["id"])]
        schema, person_prop, org_prop = next(v for k, v in ROLE_SCHEMAS.items() if org.schema.is_a(k))
        e = b.make(schema, row["id"])
        b.link(e, person_prop, "roles", row, "person_id", "people")
        b.link(e, org_prop, "roles", row, "org_id", "organisations")
        b.fields(e, row, {"title": "role", "title_local": "role", "start_date": "startDate",
                          "end_date": "endDate"})
