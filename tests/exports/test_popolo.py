"""The Popolo export, checked against the Popolo project's JSON Schemas and read back into rows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import require
from jsonschema import Draft3Validator
from readback import read_rows
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from ecocluster.exports import FORMATS, format_module
from ecocluster.package import Package
from ecocluster.tables import read_tables

ROOT = Path(__file__).resolve().parents[2]
# The Popolo schemas are the Popolo project's files, kept beside the repository (CI has them there);
# ECOCLUSTER_POPOLO_SCHEMAS points elsewhere, e.g. from a git worktree.
SCHEMAS = Path(os.environ.get("ECOCLUSTER_POPOLO_SCHEMAS") or ROOT.parent / "shared" / "standards" / "popolo")
URN = "urn:ecocluster:source:"
KINDS = {"persons": "person", "organizations": "organization", "memberships": "membership", "posts": "post",
         "areas": "area"}


@pytest.fixture(scope="module")
def package() -> Package:
    return Package.open(ROOT)


@pytest.fixture(scope="module")
def doc(package, tmp_path_factory) -> dict:
    out_dir = tmp_path_factory.mktemp("popolo")
    assert format_module("popolo").export(read_tables(package), out_dir) == [out_dir / "popolo" / "popolo.json"]
    return json.loads((out_dir / "popolo" / "popolo.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft3Validator]:
    # skips on a machine without them; fails under CI=true (.ci/run fetches them at a pinned commit)
    require(SCHEMAS.is_dir() and any(SCHEMAS.glob("*.json")),
            f"the Popolo JSON Schemas are not at {SCHEMAS} (set ECOCLUSTER_POPOLO_SCHEMAS; .ci/fetch-popolo DIR)")
    schemas = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    # Every `$ref` names http://www.popoloproject.com/schemas/<file>.json#: serve them from the folder.
    registry = Registry().with_resources((s["id"].rstrip("#"), Resource.from_contents(s, DRAFT3))
                                         for s in schemas.values())
    return {name: Draft3Validator(schema, registry=registry, format_checker=Draft3Validator.FORMAT_CHECKER)
            for name, schema in schemas.items()}


def test_registered():
    assert FORMATS["popolo"] == "ecocluster.exports.interchange.popolo"
    assert format_module("popolo").NAME == "popolo"


def test_every_item_is_valid_popolo(doc, validators):
    assert set(doc) == set(KINDS)
    for key, kind in KINDS.items():
        assert doc[key], key
        for item in doc[key]:
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validators[kind].iter_errors(item)]
            assert errors == [], (key, item.get("id"), errors)


def test_the_schemas_do_reject_bad_items(validators):
    # The check above is only worth something if the $refs resolve and the rules bite.
    bad_person = {"id": "person-x", "other_names": [{"name": "X", "start_date": "21 May 2023"}],
                  "sources": [{"note": "a link without a url"}]}
    assert len(list(validators["person"].iter_errors(bad_person))) == 2


def _source_ids(links: list[dict], package: Package) -> set[str]:
    by_url = {r["url"]: r["id"] for r in read_rows(package.root, "sources") if r["url"]}
    return {by_url.get(link["url"]) or link["url"].removeprefix(URN) for link in links}


def _wikidata(record: dict) -> str | None:
    return next((i["identifier"] for i in record.get("identifiers", []) if i["scheme"] == "wikidata"), None)


def _cited(package: Package) -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for c in read_rows(package.root, "citations"):
        cited.setdefault(c["record_id"], set()).add(c["source_id"])
    return cited


def test_persons_read_back_into_people_and_names(doc, package):
    people = [{"id": p["id"], "name": p["name"], "family_name": p.get("family_name"),
               "given_name": p.get("given_name"),
               "wikidata_id": _wikidata(p)} for p in doc["persons"]]
    assert people == read_rows(package.root, "people")


def test_organizations_read_back_into_organisations(doc, package):
    areas = {a["id"]: a["identifier"] for a in doc["areas"]}
    orgs = [{"id": o["id"], "name": o["name"], "kind": o["classification"],
             "country": areas.get(o.get("area_id")),
             "founded": o.get("founding_date"), "dissolved": o.get("dissolution_date"),
             "website": next((li["url"] for li in o.get("links", []) if li.get("note") == "website"), None),
             "wikidata_id": _wikidata(o)} for o in doc["organizations"]]
    assert orgs == read_rows(package.root, "organisations")
    parents = {(o["id"], o["parent_id"]) for o in doc["organizations"] if "parent_id" in o}
    assert parents == {(r["subject_id"], r["object_id"]) for r in read_rows(package.root, "org_relations")
                       if r["kind"] == "subsidiary-of"}


def test_other_names_read_back_into_names(doc, package):
    names = [{"id": n["id"], "entity_id": record["id"], "name": n["name"], "language": n["lang"],
              "kind": n["note"], "start_date": n.get("start_date"), "end_date": n.get("end_date")}
             for record in doc["persons"] + doc["organizations"] for n in record.get("other_names", [])]
    expected = [n for n in read_rows(package.root, "names") if not n["entity_id"].startswith("project-")]
    assert sorted(names, key=lambda n: n["id"]) == expected


def test_memberships_read_back_into_roles(doc, package):
    roles = [{"id": m["id"], "person_id": m["person_id"], "org_id": m["organization_id"], "title": m["role"],
              "title_local": m.get("label"), "start_date": m.get("start_date"), "end_date": m.get("end_date")}
             for m in doc["memberships"]]
    assert roles == read_rows(package.root, "roles")


def test_posts_are_one_per_title_and_organisation(doc, package):
    posts = {p["id"]: p for p in doc["posts"]}
    assert {(p["organization_id"], p["role"]) for p in doc["posts"]} == {
        (r["org_id"], r["title"]) for r in read_rows(package.root, "roles")}
    assert len(posts) == len(doc["posts"])
    for m in doc["memberships"]:
        post = posts[m["post_id"]]
        assert (post["organization_id"], post["role"]) == (m["organization_id"], m["role"])
        if m.get("label"):
            assert m["label"] in post["other_label"]


def test_every_record_carries_its_sources(doc, package):
    cited = _cited(package)
    records = doc["persons"] + doc["organizations"] + doc["memberships"]
    records += [n for r in doc["persons"] + doc["organizations"] for n in r.get("other_names", [])]
    for record in records:
        assert _source_ids(record["sources"], package) == cited[record["id"]], record["id"]
    for post in doc["posts"]:
        held = [m["id"] for m in doc["memberships"] if m["post_id"] == post["id"]]
        assert _source_ids(post["sources"], package) == set().union(*(cited[i] for i in held))
