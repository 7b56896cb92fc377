"""The exporters: behaviour the mutation score found unguarded (scripts/mutation.py, issue 18)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ecocluster.exports import format_module
from ecocluster.package import Package
from ecocluster.tables import read_tables

ROOT = Path(__file__).resolve().parent.parent
# ISO 639-1 -> ISO 639-3, the form FollowTheMoney keeps a statement's language in
ISO639_3 = {"en": "eng", "ko": "kor", "fr": "fra"}


@pytest.fixture(scope="module")
def ftm_statements(tmp_path_factory) -> list[dict[str, str]]:
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


def test_the_ftm_catalog_collection_carries_the_package_title_version_and_licence(tmp_path):
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
