"""Archive-ready releases: .zenodo.json holds only Zenodo's documented deposit fields, filled from the
descriptor and CITATION.cff; the copy at the repository's root (what Zenodo's GitHub integration reads)
is the one `build` writes; CITATION.cff passes `cffconvert --validate`; a build's releases.json
follows its JSON Schema."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import require

import ecocluster
from ecocluster.package import Package
from ecocluster.release import index
from ecocluster.release.zenodo import zenodo_metadata, zenodo_text

ROOT = Path(__file__).resolve().parents[2]

# Zenodo's deposit metadata as its REST API documentation lists it (developers.zenodo.org, "Deposit
# metadata"): the fields, those required, and the values of the enumerated ones this project uses.
ZENODO_FIELDS = {
    "upload_type", "publication_type", "image_type", "publication_date", "title", "creators", "description",
    "access_right", "license", "embargo_date", "access_conditions", "doi", "prereserve_doi", "keywords", "notes",
    "related_identifiers", "contributors", "references", "communities", "grants", "journal_title",
    "journal_volume", "journal_issue", "journal_pages", "conference_title", "conference_acronym",
    "conference_dates", "conference_place", "conference_url", "conference_session", "conference_session_part",
    "imprint_publisher", "imprint_isbn", "imprint_place", "partof_title", "partof_pages", "thesis_supervisors",
    "thesis_university", "subjects", "version", "language", "locations", "dates", "method",
}
ZENODO_REQUIRED = {"upload_type", "publication_date", "title", "creators", "description", "access_right"}
UPLOAD_TYPES = {"publication", "poster", "presentation", "dataset", "image", "video", "software", "lesson",
                "physicalobject", "other"}
ACCESS_RIGHTS = {"open", "embargoed", "restricted", "closed"}
RELATIONS = {
    "isCitedBy", "cites", "isSupplementTo", "isSupplementedBy", "isContinuedBy", "continues", "isDescribedBy",
    "describes", "hasMetadata", "isMetadataFor", "isNewVersionOf", "isPreviousVersionOf", "isPartOf", "hasPart",
    "isReferencedBy", "references", "isDocumentedBy", "documents", "isCompiledBy", "compiles", "isVariantFormOf",
    "isOriginalFormof", "isIdenticalTo", "isAlternateIdentifier", "isReviewedBy", "reviews", "isDerivedFrom",
    "isSourceOf", "requires", "isRequiredBy", "isObsoletedBy", "obsoletes",
}


def check_zenodo(meta: dict) -> None:
    assert set(meta) <= ZENODO_FIELDS, set(meta) - ZENODO_FIELDS
    assert ZENODO_REQUIRED <= set(meta), ZENODO_REQUIRED - set(meta)
    assert meta["upload_type"] in UPLOAD_TYPES and meta["access_right"] in ACCESS_RIGHTS
    if meta["access_right"] in ("open", "embargoed"):  # Zenodo requires a licence then
        assert meta["license"] == meta["license"].lower() and meta["license"]  # its vocabulary's ids
    assert all(set(c) <= {"name", "affiliation", "orcid", "gnd"} and c["name"] for c in meta["creators"])
    assert len(meta["publication_date"]) == 10 and meta["publication_date"][4] == "-"
    assert all(isinstance(k, str) and k for k in meta.get("keywords", []))
    for r in meta.get("related_identifiers", []):
        assert set(r) <= {"identifier", "relation", "resource_type"} and r["relation"] in RELATIONS
        assert r["identifier"].startswith(("http://", "https://"))
    assert "<" not in meta["description"] or "&lt;" in meta["description"]


def test_zenodo_json_has_only_documented_fields_from_the_descriptor_and_citation():
    pkg = Package.open(ROOT)
    meta = zenodo_metadata(pkg, yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8")))
    check_zenodo(meta)
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert meta["title"] == cff["title"] == pkg.descriptor["title"]
    assert meta["version"] == cff["version"] == pkg.version
    assert meta["creators"] == [{"name": a["name"]} for a in cff["authors"]]
    assert meta["license"] == "cc-by-4.0" and meta["publication_date"] == cff["date-released"]
    assert meta["keywords"] == pkg.descriptor["keywords"]
    assert [r["identifier"] for r in meta["related_identifiers"]] == [
        s["path"] for s in pkg.descriptor["sources"] if s.get("path", "").startswith("http")]
    assert "doi" not in meta  # Zenodo mints it; nothing is invented


def test_the_repository_copy_is_what_build_writes(tmp_path):
    """Zenodo's GitHub integration reads .zenodo.json at the repository's root."""
    expected = zenodo_text(Package.open(ROOT))
    assert (ROOT / ".zenodo.json").read_text(encoding="utf-8") == expected, (
        "regenerate it: python -c \"from ecocluster.package import Package; from ecocluster.release.zenodo import "
        "zenodo_text; open('.zenodo.json', 'w').write(zenodo_text(Package.open('.')))\"")


def test_text_from_the_descriptor_is_escaped_for_zenodo_html(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "tests" / "fixtures" / "validate" / "valid", pkg)
    dp = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    dp["description"] = "A <script>alert(1)</script> & more"
    dp["sources"] = [{"title": "x", "path": "javascript:alert(1)"}, {"title": "y", "path": "https://a.test/p"}]
    (pkg / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
    meta = zenodo_metadata(Package.open(pkg), None)
    check_zenodo(meta)
    assert meta["description"] == "A &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
    assert [r["identifier"] for r in meta["related_identifiers"]] == ["https://a.test/p"]


def test_a_build_writes_zenodo_json_and_a_releases_json_that_follows_its_schema(tmp_path):
    pkg = ROOT / "tests" / "fixtures" / "export" / "awkward"
    ecocluster.build(pkg, tmp_path / "out", validate=False, base_url="https://data.test/x/v/1.0.0/")
    check_zenodo(json.loads((tmp_path / "out" / ".zenodo.json").read_text(encoding="utf-8")))
    doc = json.loads((tmp_path / "out" / "releases.json").read_text(encoding="utf-8"))
    schema = json.loads(index.SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
    entry = doc["releases"][0]
    assert all(f["url"] == "https://data.test/x/v/1.0.0/" + f["path"] for f in entry["files"])
    for broken in ({**doc, "latest": "1.0"}, {**doc, "releases": [{**entry, "bump": "huge"}]},
                   {**doc, "releases": [{**entry, "files": [{**entry["files"][0], "path": "../x"}]}]},
                   {**doc, "releases": [{**entry, "files": [{**entry["files"][0], "sha256": "abc"}]}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


def test_changelog_section_is_the_versions_own():
    text = ("# Changelog\n\n## Unreleased\n\n- next\n\n## 0.2.0 — 2026-12-01\n\nThe audit.\n\n- a\n\n"
            "## 0.1.0 — 2026-01-01\n\n- b\n")
    assert index.changelog_section(text, "0.2.0") == "The audit.\n\n- a"
    assert index.changelog_section(text, "0.1.0") == "- b"
    assert index.changelog_section(text, "9.9.9") == ""


def cffconvert() -> str:
    """cffconvert runs in its own virtual environment (.ci/run makes it): its 2.0.0 pins jsonschema<4,
    which the test extras cannot share."""
    found = os.environ.get("ECOCLUSTER_CFFCONVERT") or shutil.which("cffconvert") or ""
    require(bool(found) and Path(found).is_file(),
            "cffconvert is not installed (.ci/run installs it in its own venv and sets ECOCLUSTER_CFFCONVERT)")
    return found


def test_citation_cff_passes_cffconvert_and_a_broken_one_does_not(tmp_path):
    tool = cffconvert()
    good = subprocess.run([tool, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    broken = tmp_path / "CITATION.cff"
    text, n = re.subn(r'(?m)^date-released: "[0-9-]+"$', 'date-released: "1 December 2026"',
                      (ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert n == 1  # whatever the release date, the broken copy really differs
    broken.write_text(text, encoding="utf-8")
    bad = subprocess.run([tool, "--validate", "-i", str(broken)], capture_output=True, text=True)
    assert bad.returncode != 0
