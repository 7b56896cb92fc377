"""The static site (ecocluster.exports.site) checked from its files: pages, quotes, escaping, JSON-LD, no other host.

The expected values come from the CSVs read with the csv module, independently of the site's reader.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import html5lib
import pytest

import ecocluster
from ecocluster.errors import SiteSkipped
from ecocluster.exports.site import build_site, export
from ecocluster.exports.site.model import file_stem
from ecocluster.package import Package
from ecocluster.release import release_archive
from ecocluster.release.manifest import file_resource as _file_resource
from ecocluster.tables import read_tables

ROOT = Path(__file__).resolve().parent.parent
ENTITY_TABLES = ("organisations", "people", "agreements", "projects", "sources")


def rows(root: Path, table: str) -> list[dict[str, str]]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def parse(path: Path):
    """Parse strictly: html5lib raises on any parse error (a stray `<`, a bad nesting, a missing doctype)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def text(el) -> str:
    return "".join(el.itertext())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    package = Package.open(ROOT)
    archive = release_archive(package, out)
    manifest = {"resources": [_file_resource(archive, archive.name)]}
    build_site(read_tables(package), out, manifest)
    return out / "site"


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_entity_has_a_page_and_every_page_parses(site):
    for table in ENTITY_TABLES:
        for row in rows(ROOT, table):
            page = site / table / f"{row['id']}.html"
            assert page.is_file(), page
            title = parse(page).find(".//h1")
            label = row.get("name") or row.get("title")
            assert text(title) == label
    for res in Package.open(ROOT).resources:
        assert (site / "tables" / f"{res.name}.html").is_file()
    for page in pages(site):
        parse(page)  # raises on any error
    assert len(pages(site)) == sum(len(rows(ROOT, t)) for t in ENTITY_TABLES) + len(ENTITY_TABLES) + 12 + 1


def test_every_quote_shown_equals_the_csvs(site):
    citations = rows(ROOT, "citations")
    quotes = {c["quote"] for c in citations}
    shown: set[str] = set()
    for page in pages(site):
        for q in parse(page).iter("blockquote"):
            assert text(q) in quotes, (page, text(q))
            shown.add(text(q))
    assert shown == quotes  # every quote appears somewhere
    # and each one on its source's page, in the source's language (a research-file summary is in the
    # research file's English; a source whose language is not recorded has no lang attribute)
    languages = {s["id"]: s["language"] or None for s in rows(ROOT, "sources")}
    for c in citations:
        doc = parse(site / "sources" / f"{c['source_id']}.html")
        found = [q for q in doc.iter("blockquote") if text(q) == c["quote"]]
        lang = "en" if c["quote_kind"] == "dossier-summary" else languages[c["source_id"]]
        assert found and all(q.get("lang") == lang for q in found), c


def test_every_translation_is_shown_beside_its_quote_as_the_curators(site):
    citations = [c for c in rows(ROOT, "citations") if c["quote_en"]]
    assert citations
    label = "Curators' translation, not the source's words:"
    for c in citations:
        doc = parse(site / "sources" / f"{c['source_id']}.html")
        shown = []
        for parent in doc.iter():
            kids = list(parent)
            for quote, after in zip(kids, kids[1:], strict=False):
                if quote.tag == "blockquote" and text(quote) == c["quote"] and after.get("class") == "translation":
                    shown.append(after)
        assert shown, c
        for p in shown:
            assert text(p) == f"{label} {c['quote_en']}"
            assert [s.get("lang") for s in p.iter("span") if text(s) == c["quote_en"]] == ["en"]
    # and only there: no translation stands beside an English quote
    english = {c["quote_en"] for c in citations}
    for page in pages(site):
        for p in parse(page).iter("p"):
            if p.get("class") == "translation":
                assert text(p)[len(label) + 1:] in english, page


def test_names_carry_their_language(site):
    doc = parse(site / "organisations" / "org-renault-korea.html")
    names = {text(s): s.get("lang") for s in doc.iter("span") if s.get("class") == "name"}
    expected = {n["name"]: n["language"] for n in rows(ROOT, "names") if n["entity_id"] == "org-renault-korea"}
    assert names == expected


def test_no_request_to_another_host(site):
    allowed = {s["url"] for s in rows(ROOT, "sources") if s["url"]}
    allowed |= {x["path"] for x in Package.open(ROOT).descriptor["licenses"]}
    for page in pages(site):
        doc = parse(page)
        for el in doc.iter():
            for attr in ("src", "href"):
                value = el.get(attr)
                if value and re.match(r"([a-z][a-z0-9+.-]*:|//)", value, re.I):
                    assert el.tag == "a" and value in allowed, (page, el.tag, value)
        for el in doc.iter("script"):  # scripts and styles are the site's own files
            assert not el.get("src") or "/" not in el.get("src")
    for css in site.rglob("*.css"):
        assert "url(" not in css.read_text() and "@import" not in css.read_text()


def test_search_index_holds_every_name(site):
    js = (site / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(js[js.index("=") + 1:].strip().rstrip(";"))
    found = {(e["n"], e["u"]) for e in entries}
    for n in rows(ROOT, "names"):
        table = {"org": "organisations", "person": "people", "project": "projects"}[n["entity_id"].split("-")[0]]
        assert (n["name"], f"{table}/{n['entity_id']}.html") in found
    assert ("Park Hyeong-joon", "people/person-park-heong-joon.html") in found
    assert ("르노코리아", "organisations/org-renault-korea.html") in found


def _jsonld(site: Path) -> dict:
    doc = parse(site / "index.html")
    scripts = [s for s in doc.iter("script") if s.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    return json.loads(text(scripts[0]))


def test_schema_org_dataset(site):
    from pyld import jsonld

    s = "https://schema.org/"
    [ds] = jsonld.expand(_jsonld(site))
    assert ds["@type"] == [s + "Dataset"]
    for prop in ("name", "description", "license", "creator", "version", "temporalCoverage", "keywords",
                 "distribution"):
        assert ds.get(s + prop), prop
    assert ds[s + "version"][0]["@value"] == ecocluster.__version__
    [dist] = ds[s + "distribution"]
    assert dist["@type"] == [s + "DataDownload"]
    assert dist[s + "contentUrl"][0]["@value"] == f"../ecocluster-{ecocluster.__version__}.zip"
    assert dist[s + "encodingFormat"][0]["@value"] == "application/zip"
    archive = site.parent / f"ecocluster-{ecocluster.__version__}.zip"
    import hashlib

    assert dist[s + "sha256"][0]["@value"] == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_dcat_ap(site):
    from pyld import jsonld

    dcat, dct, spdx = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/", "http://spdx.org/rdf/terms#"
    doc = site / "dcat.jsonld"
    [ds] = jsonld.expand(json.loads(doc.read_text(encoding="utf-8")), {"base": doc.as_uri()})
    assert ds["@type"] == [dcat + "Dataset"]
    for prop in (dct + "title", dct + "description", dcat + "keyword", dct + "license", dcat + "distribution",
                 dct + "temporal", dct + "publisher"):
        assert ds.get(prop), prop
    [dist] = ds[dcat + "distribution"]
    # the relative address resolves, from the description's own place, to the archive in the build
    assert dist[dcat + "downloadURL"][0]["@id"] == (site.parent / f"ecocluster-{ecocluster.__version__}.zip").as_uri()
    assert dist[spdx + "checksum"][0][spdx + "checksumValue"][0]["@value"]


def test_table_pages_link_to_the_builds_files(site):
    doc = parse(site / "tables" / "organisations.html")
    hrefs = {a.get("href") for a in doc.iter("a")}
    assert "../../parquet/organisations.parquet" not in hrefs  # this manifest holds only the archive
    assert f"../../ecocluster-{ecocluster.__version__}.zip" in hrefs
    codes = [text(c) for c in doc.iter("code")]
    assert "public-agency" in codes and "wikidata_id" in codes


def test_export_without_manifest_says_where_downloads_are(tmp_path):
    written = export(read_tables(Package.open(ROOT)), tmp_path)
    assert all(tmp_path / "site" in p.parents for p in written)
    index = text(parse(tmp_path / "site" / "index.html").find(".//body"))
    assert "ecocluster build" in index
    assert "ecocluster build" in text(parse(tmp_path / "site" / "tables" / "people.html").find(".//body"))


HOSTILE = '<script>alert("x")</script> & </b'


def hostile_package(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "data", pkg / "data")
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title"] = "Title </script><script>alert(1)</script>"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for table, column in (("organisations", "name"), ("citations", "quote"), ("names", "name")):
        data = rows(pkg, table)
        data[0][column] = HOSTILE
        with open(pkg / "data" / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(data[0]))
            w.writeheader()
            w.writerows(data)
    return pkg


def test_data_is_escaped(tmp_path):
    pkg = hostile_package(tmp_path)
    export(read_tables(Package.open(pkg)), tmp_path / "out")
    site = tmp_path / "out" / "site"
    org = rows(pkg, "organisations")[0]["id"]
    page = site / "organisations" / f"{org}.html"
    raw = page.read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;/b" in raw
    assert text(parse(page).find(".//h1")) == HOSTILE
    quoted = rows(pkg, "citations")[0]
    source_page = parse(site / "sources" / f"{quoted['source_id']}.html")
    assert HOSTILE in [text(q) for q in source_page.iter("blockquote")]
    for p in pages(site):
        doc = parse(p)
        assert all(not s.get("src") or s.get("src").endswith(".js") for s in doc.iter("script"))
        assert "alert(1)" not in "".join(text(s) for s in doc.iter("script") if not s.get("type"))
    assert "</" not in (site / "search-index.js").read_text(encoding="utf-8")
    assert json.loads(text([s for s in parse(site / "index.html").iter("script")
                            if s.get("type") == "application/ld+json"][0]))["name"].startswith("Title </script>")


def test_hostile_ids_make_safe_file_names():
    for bad in ("../../etc/passwd", "org-a/b", "org-\u0000", "x" * 400, "ORG-A"):
        stem = file_stem(bad)
        assert re.fullmatch(r"[a-z0-9-]+", stem) and len(stem) <= 150
    assert file_stem("org-renault-korea") == "org-renault-korea"


def test_over_the_limit_the_site_is_skipped_with_a_reason(tmp_path, monkeypatch):
    tables = read_tables(Package.open(ROOT))
    with pytest.raises(SiteSkipped, match="over the limit of 5 entity pages"):
        build_site(tables, tmp_path, None, max_entities=5)
    assert not (tmp_path / "site").exists()
    import ecocluster.exports.site as site_module
    from ecocluster.release.build import _site

    monkeypatch.setattr(site_module, "MAX_ENTITIES", 5)
    manifest: dict = {"resources": []}
    skipped: list = []
    _site(tables, tmp_path, manifest, skipped, None)
    assert skipped[0]["format"] == "site" and "over the limit of 5" in skipped[0]["reason"]
    assert manifest["resources"] == []


def test_export_cli_writes_the_site(tmp_path):
    from click.testing import CliRunner

    from ecocluster.cli import main

    result = CliRunner().invoke(main, ["export", "--to", "site", "--out", str(tmp_path), str(ROOT)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "people" / "person-park-heong-joon.html").is_file()


def test_pages_workflow_validates_and_builds_before_it_deploys():
    import yaml

    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    assert wf[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as True
    steps = [s.get("run", s.get("uses", "")) for s in wf["jobs"]["build"]["steps"]]
    order = [next(i for i, s in enumerate(steps) if key in s)
             for key in ("ecocluster validate", "ecocluster build", "upload-pages-artifact")]
    assert order == sorted(order)
    assert wf["jobs"]["deploy"]["needs"] == "build"
    assert wf["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_front_page_counts_are_describes(site):
    from ecocluster.exports.site.model import counts
    from ecocluster.tables.summary import describe

    mine, theirs = counts(read_tables(Package.open(ROOT))), describe(ROOT)
    assert [(t["name"], t["rows"]) for t in mine["tables"]] == [(t["name"], t["rows"]) for t in theirs["tables"]]
    assert mine["date_range"] == theirs["date_range"] and mine["sources"] == theirs["sources"]
    assert mine["fact_rows_cited"] == theirs["citations"]["fact_rows_cited"]
    assert mine["quote_kinds"] == theirs["citations"]["quote_kinds"]
    body = text(parse(site / "index.html").find(".//body"))
    assert f"{theirs['citations']['fact_rows_cited']} of {theirs['citations']['fact_rows']} fact rows" in body


def test_partnership_picture_only_from_inside_the_package(tmp_path):
    pkg = tmp_path / "pkg"
    for name in ("data", "schemas"):
        shutil.copytree(ROOT / name, pkg / name)
    shutil.copy(ROOT / "datapackage.json", pkg)
    outside = tmp_path / "secret.svg"
    outside.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (pkg / "docs").mkdir()
    (pkg / "docs" / "partnership.svg").symlink_to(outside)
    export(read_tables(Package.open(pkg)), tmp_path / "out")
    assert not (tmp_path / "out" / "site" / "partnership.svg").exists()
    assert "partnership.svg" not in (tmp_path / "out" / "site" / "index.html").read_text(encoding="utf-8")
    # without CITATION.cff beside it, the citation comes from the descriptor
    assert "no CITATION.cff was found" in (tmp_path / "out" / "site" / "index.html").read_text(encoding="utf-8")


def test_site_page_shows_the_generated_entity_picture():
    page = (ROOT / "docs" / "site.md").read_text(encoding="utf-8")
    assert "# The website" in page and "(site-entity.png)" in page
    assert (ROOT / "docs" / "site-entity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
