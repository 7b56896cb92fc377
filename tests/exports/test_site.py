"""The static site (ecocluster.exports.site) checked from its files: pages, footnotes, labels, escaping,
sharing tags, JSON downloads, JSON-LD, no other host. The browser checks are in test_site_browser.py.

The expected values come from the CSVs read with the csv module, independently of the site's reader.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import html5lib
import pytest

import ecocluster
from ecocluster.errors import SiteSkipped
from ecocluster.exports.site import build_site, export
from ecocluster.exports.site.labels import code_label, code_labels, md_parts
from ecocluster.exports.site.model import file_stem
from ecocluster.package import Package
from ecocluster.release import release_archive
from ecocluster.release.manifest import file_resource as _file_resource
from ecocluster.tables import read_tables

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ROOT / "tests" / "fixtures" / "site" / "translated"
ENTITY_TABLES = ("organisations", "people", "agreements", "projects", "sources")
MOU = "agreements/agreement-2023-05-22-busan-future-car-ecosystem.html"
SITE_PAGES = ("index.html", "search.html", "about.html")


def rows(root: Path, table: str) -> list[dict[str, str]]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def parse(path: Path):
    """Parse strictly: html5lib raises on any parse error (a stray `<`, a bad nesting, a missing doctype)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def text(el) -> str:
    return "".join(el.itertext())


def classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def by_class(doc, name: str) -> list:
    return [el for el in doc.iter() if name in classes(el)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    package = Package.open(ROOT)
    archive = release_archive(package, out)
    manifest = {"resources": [_file_resource(archive, archive.name)]}
    build_site(read_tables(package), out, manifest)
    return out / "site"


@pytest.fixture(scope="module")
def translated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("translated")
    build_site(read_tables(Package.open(TRANSLATED)), out, None, base_url="https://data.example.org/eco/")
    return out / "site"


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_entity_has_a_page_and_every_page_parses(site):
    for table in ENTITY_TABLES:
        for row in rows(ROOT, table):
            page = site / table / f"{row['id']}.html"
            assert page.is_file(), page
            assert text(parse(page).find(".//h1")) == (row.get("name") or row.get("title"))
    for res in Package.open(ROOT).resources:
        assert (site / "tables" / f"{res.name}.html").is_file()
    for page in pages(site):
        parse(page)  # raises on any error
    entities = sum(len(rows(ROOT, t)) for t in ENTITY_TABLES)
    assert len(pages(site)) == entities + len(ENTITY_TABLES) + 12 + len(SITE_PAGES)


def evidence(doc) -> list[tuple[str, str]]:
    """Every quote and summary shown on a page: ("quote", text) for a blockquote, ("summary", text)."""
    found = [("quote", text(q)) for q in doc.iter("blockquote")]
    for p in by_class(doc, "dossier-summary"):
        spans = [s for s in p.iter("span") if "what" not in classes(s)]
        found.append(("summary", text(spans[-1])))
    return found


def test_quotes_and_summaries_never_look_alike_and_each_shows_once_per_page(site):
    citations = rows(ROOT, "citations")
    kind_of = {c["quote"]: c["quote_kind"] for c in citations}
    shown: set[str] = set()
    for page in pages(site):
        doc = parse(page)
        if page.parent.name == "site" and page.name == "about.html":
            continue  # the page that shows what each looks like, with made-up text
        found = evidence(doc)
        assert len(found) == len({t for _, t in found}), (page, "a quote is shown twice")
        for shape, quote in found:
            assert quote in kind_of, (page, quote)
            assert shape == ("summary" if kind_of[quote] == "dossier-summary" else "quote"), (page, quote)
            shown.add(quote)
        for p in by_class(doc, "dossier-summary"):  # a summary says what it is, in words, with no quotation marks
            assert "summary" in text(p).lower() and "not its words" in text(p)
            assert p.tag == "p" and not list(p.iter("blockquote")) and not list(p.iter("q"))
    assert shown == set(kind_of)  # every quote and summary appears somewhere
    languages = {s["id"]: s["language"] or None for s in rows(ROOT, "sources")}
    for c in citations:  # and each on its source's page, a quote in the source's language
        doc = parse(site / "sources" / f"{c['source_id']}.html")
        if c["quote_kind"] == "verbatim":
            found = [q for q in doc.iter("blockquote") if text(q) == c["quote"]]
            assert len(found) == 1 and found[0].get("lang") == languages[c["source_id"]], c
        else:
            assert ("summary", c["quote"]) in evidence(doc), c


def test_the_css_puts_quotation_marks_on_quotes_only(site):
    css = (site / "style.css").read_text(encoding="utf-8")
    assert 'blockquote.quote::before { content: "“"; }' in css
    assert not re.search(r"dossier-summary[^{]*::(before|after)", css)


def test_footnotes_are_numbered_in_order_and_every_mark_leads_to_its_source(site):
    for page in pages(site):
        if page.parent.name in ("tables", "sources") or page.name == "index.html":
            continue
        doc = parse(page)
        marks = [int(a.get("href").removeprefix("#source-")) for sup in by_class(doc, "marks") for a in sup.iter("a")]
        items = [li for ol in by_class(doc, "sources") for li in ol.iter("li")]
        numbers = [int(li.get("id").removeprefix("source-")) for li in items]
        assert numbers == list(range(1, len(numbers) + 1)), page
        assert set(marks) == set(numbers), page  # every mark has its source, every source a mark
        first_use = list(dict.fromkeys(marks))
        assert first_use == sorted(first_use), (page, "numbers follow the order the values are shown")


def test_every_related_row_carries_a_footnote_and_a_cite_line(site):
    doc = parse(site / MOU)
    cite_ids = {li.get("id") for li in doc.iter("li") if (li.get("id") or "").startswith("cite-")}
    for section in by_class(doc, "relation"):
        for tr in section.find(".//tbody").iter("tr"):
            assert by_class(tr, "marks"), text(tr)
            assert f"cite-{tr.get('id')}" in cite_ids
    version = ecocluster.__version__
    for li in doc.iter("li"):
        if (li.get("id") or "").startswith("cite-"):
            line = text(li)
            assert f"version {version}, table " in line and li.get("id").removeprefix("cite-") in line
            assert "Renault Korea × Busan clean-car partnership" in line and re.search(r"\[\d+\]", line)


def relation(doc, caption: str):
    for section in by_class(doc, "relation"):
        if text(section.find(".//h2")).startswith(caption):
            return section
    raise AssertionError(f"no table {caption!r}")


def cells(section) -> list[list[str]]:
    return [[re.sub(r"\[[\d, ]+\]", "", text(td)).strip() for td in tr.iter("td")]
            for tr in section.find(".//tbody").iter("tr")]


def test_the_mou_opens_with_its_parties_and_who_signed(site):
    doc = parse(site / MOU)
    main = doc.find(".//main")
    order = [el.get("class") or el.tag for el in main if el.tag in ("section", "h1")]
    assert order[:3] == ["h1", "summary has-long", "relation"]  # the answer first
    parties = relation(doc, "Parties")
    header = [text(th) for th in parties.iter("th")]
    assert header == ["Organisation", "Role", "Signed by", "Represented by", "Sources"]
    got = {row[0]: (row[2], row[3]) for row in cells(parties)}
    people = {p["id"]: p["name"] for p in rows(ROOT, "people")}
    orgs = {o["id"]: o["name"] for o in rows(ROOT, "organisations")}
    expected = {orgs[p["org_id"]]: (people.get(p["signatory_person_id"], ""),
                                    people.get(p["representative_person_id"], ""))
                for p in rows(ROOT, "agreement_parties") if p["agreement_id"] in MOU}
    assert got == expected
    summary = by_class(doc, "summary")[0]
    assert "2023-05-22" in text(summary) and "Eurasia Platform, Busan Station, Busan" in text(summary)


def test_a_person_page_lists_roles_and_agreements_with_dates(site):
    doc = parse(site / "people" / "person-stephane-deblaise.html")
    roles = cells(relation(doc, "Roles"))
    assert roles == [["Renault Korea", "CEO", "사장", "2022-03-01", "2025-09-01", "cite"]]
    signed = cells(relation(doc, "Agreements signed or represented"))
    assert [(r[0][:30], r[1]) for r in signed] == [("Memorandum of Understanding to", "2023-05-22"),
                                                   ("Memorandum of understanding be", "2024-03-18")]
    assert all("Stéphane Deblaise" in r for r in signed)


def test_codes_are_labels_and_no_markdown_shows(site):
    pkg = Package.open(ROOT)
    codes = {c for res in pkg.resources for f in res.fields for c in code_labels(res, f.name) if "-" in c}
    countries = {o["country"] for o in rows(ROOT, "organisations") if o["country"]}
    for page in pages(site):
        if page.parent.name == "tables":
            continue  # the data dictionaries list the codes on purpose
        body = parse(page).find(".//body")
        for el in body.iter():
            if el.tag in ("code", "script"):
                continue
            for chunk in (el.text, el.tail):
                if not chunk or (el.tag == "code" and chunk is el.text):
                    continue
                assert "`" not in chunk, (page, chunk)
                words = set(re.findall(r"[a-z]+(?:-[a-z]+)+", chunk))
                assert not words & codes, (page, chunk)
        for el in [*body.iter("td"), *body.iter("dd")]:
            assert text(el).strip() not in countries, page
        assert "The whole record:" not in text(body)
    doc = parse(site / "organisations" / "org-renault-korea.html")
    assert "South Korea" in text(by_class(doc, "summary")[0])
    assert "The subject holds shares in the object" in text(relation(doc, "Ownership and control"))


def test_labels_come_from_categories_or_enum_descriptions():
    pkg = Package.open(TRANSLATED)
    orgs, sources = pkg.resource("organisations"), pkg.resource("sources")
    assert code_labels(orgs, "kind") == {"car-maker": "Carmaker", "city": "City government"}  # v2 categories
    assert code_label(sources, "kind", "news-article") == "An article by a news outlet"  # enumDescriptions
    assert code_label(sources, "kind", "not-listed") == "not listed"
    assert code_labels(orgs, "name") == {}
    assert md_parts("a `b` c") == [("text", "a "), ("code", "b"), ("text", " c")]


def test_names_carry_their_language(site):
    doc = parse(site / "organisations" / "org-renault-korea.html")
    names = {text(s): s.get("lang") for s in doc.iter("span") if s.get("class") == "name"}
    expected = {n["name"]: n["language"] for n in rows(ROOT, "names") if n["entity_id"] == "org-renault-korea"}
    assert names == expected


def test_list_pages_say_what_each_entity_is(site):
    doc = parse(site / "agreements" / "index.html")
    body = [[text(td) for td in tr.iter("td")] for tr in doc.find(".//tbody").iter("tr")]
    dates = [r[1] for r in body]
    assert dates == sorted(dates[:-1]) + ["no date"]  # oldest first, the undated last
    assert any("A memorandum of understanding" in r[2] and "2023-05-22" == r[1] for r in body)
    people = parse(site / "people" / "index.html")
    assert "CEO, Renault Korea (2022-03-01 – 2025-09-01)" in text(people.find(".//tbody"))


def test_timeline_links_every_item_and_lists_the_undated(site):
    doc = parse(site / "index.html")
    timeline = by_class(doc, "timeline")[0]
    for li in timeline.iter("li"):
        [a] = li.iter("a")
        assert (site / a.get("href")).is_file()
    undated = text(by_class(doc, "undated")[0])
    for p in rows(ROOT, "projects"):
        if not (p["start_date"] or p["target_date"] or p["end_date"]):
            assert p["name"] in undated
    assert "Busan Eco-Cluster Center" in undated and "no source gives its start, target or end date" in undated


def test_partnership_picture_links_each_box_to_its_page(site):
    svg = (site / "partnership.svg").read_text(encoding="utf-8")
    links = re.findall(r'<a xlink:href="([^"]+)" target="_top">\s*<g id="node\d+"', svg)
    assert "organisations/org-renault-korea.html" in links and len(links) >= 20
    assert all((site / link).is_file() for link in links)
    doc = parse(site / "index.html")
    assert "Who signed what" in text(doc.find(".//main"))
    assert "partnership.svg" in {a.get("href") for a in doc.iter("a")}


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


def index_entries(site: Path) -> dict:
    js = (site / "search-index.js").read_text(encoding="utf-8")
    return json.loads(js[js.index("=") + 1:].strip().rstrip(";"))


def test_search_index_holds_every_name(site):
    index = index_entries(site)
    found = set()
    for e in index["e"]:
        url = f"{index['tables'][e[0]]}/{e[1]}.html"
        assert (site / url).is_file()
        found |= {(e[2], url)} | {(n[0], url) for n in e[5]}
    for n in rows(ROOT, "names"):
        table = {"org": "organisations", "person": "people", "project": "projects"}[n["entity_id"].split("-")[0]]
        assert (n["name"], f"{table}/{n['entity_id']}.html") in found
    mou = next(e for e in index["e"] if e[1] in MOU)
    assert "MOU" in index["words"][mou[3]] and "2023-05-22" in mou[4]  # what else people type


INDEX_BYTES_PER_ENTITY = 110  # measured 105.4 on synthetic data, at 2,000 and at 20,000 entities (docs/site.md)


def test_the_search_index_stays_small(tmp_path):
    """About 2.1 MB (0.5 MB gzipped) at the site's limit of 20,000 entities: a budget per entity."""
    import os
    import subprocess
    import sys

    from ecocluster.exports.site.model import build_model
    from ecocluster.exports.site.search import index_script

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "synthesize.py"), "--rows", "15385",
                           "--out", str(tmp_path / "pkg")], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    site = build_model(read_tables(Package.open(tmp_path / "pkg")))
    size = len(index_script(site).encode("utf-8"))
    assert 1900 <= len(site.entities) <= 2100
    assert size <= INDEX_BYTES_PER_ENTITY * len(site.entities), size / len(site.entities)


def test_every_page_has_a_search_box_and_a_description(site):
    for page in pages(site):
        doc = parse(page)
        forms = [f for f in doc.iter("form") if f.get("role") == "search"]
        assert forms and all(f.find(".//input").get("name") == "q" for f in forms), page
        assert all(f.get("action", "").endswith("search.html") for f in forms), page
        meta = {m.get("name") or m.get("property"): m.get("content") for m in doc.iter("meta")}
        assert 0 < len(meta["description"]) <= 200, page
        for tag in ("og:title", "og:description", "og:type", "og:site_name"):
            assert meta[tag], (page, tag)
        assert "og:url" not in meta  # no public address was given
        [canonical] = [link for link in doc.iter("link") if link.get("rel") == "canonical"]
        assert canonical.get("href") == page.name


def test_with_a_base_url_addresses_are_absolute(translated):
    page = translated / "organisations" / "org-acme.html"
    doc = parse(page)
    [canonical] = [link for link in doc.iter("link") if link.get("rel") == "canonical"]
    assert canonical.get("href") == "https://data.example.org/eco/site/organisations/org-acme.html"
    meta = {m.get("property"): m.get("content") for m in doc.iter("meta") if m.get("property")}
    assert meta["og:url"] == canonical.get("href") and meta["og:type"] == "article"
    cite = [li for li in doc.iter("li") if li.get("id") == "cite-org-acme"][0]
    assert text(cite).endswith("https://data.example.org/eco/site/organisations/org-acme.html#org-acme")


def test_report_link_prefills_an_issue_in_the_named_repository(translated):
    doc = parse(translated / "organisations" / "org-acme.html")
    [report] = [a for a in doc.iter("a") if "report" in classes(a)]
    url = urlsplit(report.get("href"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://github.com/example/translated-data/issues/new"
    query = parse_qs(url.query)
    assert query["title"] == ["Correction: Acme Motors"]
    assert "https://data.example.org/eco/site/organisations/org-acme.html" in query["body"][0]


def test_without_a_repository_the_about_page_says_where_to_report(site):
    doc = parse(site / "index.html")
    [report] = [a for a in doc.iter("a") if "report" in classes(a)]
    assert report.get("href") == "about.html#report"  # the descriptor names no repository: none is invented
    about = text([s for s in parse(site / "about.html").iter("section") if s.get("aria-labelledby") == "report"][0])
    assert "does not name a repository" in about and "ecocluster contributors (with no address)" in about


def test_about_page_explains_dates_quotes_and_curation(site):
    doc = parse(site / "about.html")
    ids = {h.get("id") for h in doc.iter("h2")}
    assert {"dates", "quotes", "curation", "search", "report"} <= ids
    body = text(doc.find(".//main"))
    kinds = [c["quote_kind"] for c in rows(ROOT, "citations")]
    assert f"{kinds.count('verbatim')} verbatim quotes" in body
    assert f"{kinds.count('dossier-summary')} research-file summaries" in body
    assert "2024-03" in body and "never a guessed day" in body


def test_each_entity_has_a_json_download_of_its_rows_and_citations(site):
    page = parse(site / MOU)
    [link] = [a for a in page.iter("a") if (a.get("href") or "").endswith(".json")]
    doc = json.loads((site / "agreements" / link.get("href")).read_text(encoding="utf-8"))
    [row] = [r for r in rows(ROOT, "agreements") if r["id"] == doc["id"]]
    assert {k: v for k, v in doc["record"].items() if v is not None} == {k: v for k, v in row.items() if v}
    assert doc["version"] == ecocluster.__version__ and doc["table"] == "agreements"
    parties = [p["id"] for p in rows(ROOT, "agreement_parties") if p["agreement_id"] == doc["id"]]
    assert sorted(p["id"] for p in doc["related"]["agreement_parties"]) == sorted(parties)
    expected = [c for c in rows(ROOT, "citations") if c["record_id"] in [doc["id"], *parties]
                or c["record_id"] in {r["id"] for rs in doc["related"].values() for r in rs}]
    assert sorted((c["record_id"], c["field"], c["source_id"]) for c in doc["citations"]) == \
        sorted((c["record_id"], c["field"], c["source_id"]) for c in expected)
    assert {s["id"] for s in doc["sources"]} == {c["source_id"] for c in expected}
    for table in ENTITY_TABLES:  # every entity has one
        for r in rows(ROOT, table):
            assert json.loads((site / table / f"{r['id']}.json").read_text(encoding="utf-8"))["id"] == r["id"]


def test_translations_and_source_addresses_from_the_data(translated):
    doc = parse(translated / "organisations" / "org-acme.html")
    items = [li for ol in by_class(doc, "sources") for li in ol.iter("li")]
    quoted = {text(li.find(".//blockquote")): li for li in items}
    plant = quoted["에이크미자동차가 부산에 공장을 열었다"]  # one quote, cited twice, listed once
    [translation] = by_class(plant, "translation")
    assert "English translation by the curators, not the source’s words:" in text(translation)
    english = [text(s) for s in translation.iter("span") if s.get("lang") == "en"]
    assert english == ["Acme Motors opened a plant in Busan"]
    assert plant.find(".//blockquote").get("lang") == "ko"
    assert "https://news.example.org/acme-plant" in {a.get("href") for a in plant.iter("a")}
    assert not by_class(quoted["에이크미자동차"], "translation")  # an empty quote_en adds nothing
    summary = text(by_class(doc, "summary")[0])
    assert "Carmaker" in summary and "South Korea" in summary and "official name" in summary
    assert "car-maker" not in text(doc.find(".//body"))
    source = parse(translated / "sources" / "src-busan-daily.html")
    assert "An article by a news outlet" in text(by_class(source, "summary")[0])
    assert "https://news.example.org/acme-plant" in {a.get("href") for a in source.iter("a")}


def test_translations_only_where_the_data_has_them(site):
    """Before and after the data gains `citations.quote_en`: one translation per translated quote."""
    translated = {(c["source_id"], c["quote"], c["quote_kind"]) for c in rows(ROOT, "citations")
                  if (c.get("quote_en") or "").strip()}
    shown = sum(len(by_class(parse(p), "translation")) for p in (site / "sources").glob("src-*.html"))
    assert shown == len(translated)


def test_schema_org_dataset(site):
    from pyld import jsonld

    s = "https://schema.org/"
    doc = parse(site / "index.html")
    [script] = [x for x in doc.iter("script") if x.get("type") == "application/ld+json"]
    [ds] = jsonld.expand(json.loads(text(script)))
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
    assert "`" not in text(doc.find(".//main"))  # the schema's Markdown code spans are <code>


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
    descriptor["homepage"] = "javascript:alert(1)"
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
    assert ("summary" if quoted["quote_kind"] == "dossier-summary" else "quote", HOSTILE) in evidence(source_page)
    for p in pages(site):
        doc = parse(p)
        assert all(not s.get("src") or s.get("src").endswith(".js") for s in doc.iter("script"))
        assert "alert(1)" not in "".join(text(s) for s in doc.iter("script") if not s.get("type"))
        assert not any((a.get("href") or "").startswith("javascript:") for a in doc.iter("a"))
    assert "</" not in (site / "search-index.js").read_text(encoding="utf-8")
    assert json.loads(text([s for s in parse(site / "index.html").iter("script")
                            if s.get("type") == "application/ld+json"][0]))["name"].startswith("Title </script>")
    assert json.loads((site / "organisations" / f"{org}.json").read_text(encoding="utf-8"))["record"]["name"] == HOSTILE


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


def test_the_readme_and_the_site_page_show_the_generated_pictures():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "site.md").read_text(encoding="utf-8")
    assert "(docs/site-entity.png)" in readme and "# The website" in page
    shown = re.findall(r"\]\((site-[a-z]+-[0-9]+\.png)\)", page)
    assert len(shown) >= 20  # every kind of page at 1280 and 390 px
    for name in ["site-entity.png", *shown]:
        assert (ROOT / "docs" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_temps_of_a_site_export_killed_mid_write_are_gone_after_the_next(tmp_path):
    """The site looks for dead runs' temp files once per folder, not once per page: they still go."""
    import signal
    import subprocess
    import sys

    folder = tmp_path / "out" / "site" / "people"
    folder.mkdir(parents=True)
    code = ("import os, signal, sys; from ecocluster.base.files import atomic_path; "
            "tmp = atomic_path(sys.argv[1]).__enter__(); tmp.write_text('half'); os.kill(os.getpid(), signal.SIGKILL)")
    for name in ("person-park-heong-joon.html", "person-park-heong-joon.json", "index.html"):
        done = subprocess.run([sys.executable, "-c", code, str(folder / name)], check=False)
        assert done.returncode == -signal.SIGKILL
    assert len(list(folder.glob(".*.tmp"))) == 3
    export(read_tables(Package.open(ROOT)), tmp_path / "out")
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
