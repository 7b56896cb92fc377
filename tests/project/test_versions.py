"""One version everywhere: descriptor, pyproject, newest changelog entry, CITATION.cff and README."""

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
VERSION_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def changelog_versions() -> list[tuple[str, str]]:
    return VERSION_HEADING.findall((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))


def test_descriptor_pyproject_changelog_and_citation_agree():
    version = descriptor()["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == version
    assert changelog_versions()[0][0] == version
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"] == version


def test_changelog_is_newest_first_and_dated():
    versions = changelog_versions()
    key = [tuple(int(p) for p in v.split(".")) for v, _ in versions]
    assert key == sorted(key, reverse=True) and len(set(key)) == len(key)
    assert [d for _, d in versions] == sorted((d for _, d in versions), reverse=True)


def test_readme_shows_the_version_and_date_of_the_data():
    dp = descriptor()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Data version **{dp['version']}**, created {dp['created'][:10]}." in readme
    citation = re.escape(f"version {dp['version']})").replace(r"\ ", r"\s+")
    assert re.search(r"\(data package,\s*>?\s*" + citation, readme)  # the citation line


def test_citation_cff_describes_the_dataset():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    dp = descriptor()
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    assert cff["title"] == dp["title"]
    assert cff["license"] == dp["licenses"][0]["name"] == "CC-BY-4.0"
    assert cff["date-released"] == dp["created"][:10]
    assert cff["authors"] == [{"name": contributor["title"]} for contributor in dp["contributors"]]
    assert cff["message"] and cff["abstract"]
