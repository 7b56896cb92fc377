"""The browsable site: Datasette serves the SQLite export with the metadata and row template `build` writes.

The HTTP tests start a real Datasette on 127.0.0.1 and follow the links a reader would click: from an
organisation's row page to its citations, from a citation to its source, to its names.
"""

import html
import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from readback import tables as csv_tables

from ecocluster.exports import datasette
from ecocluster.exports.sql import sqlite
from ecocluster.package import Package
from ecocluster.tables import read_tables

ORG = "org-renault-korea"


def test_metadata_describes_every_table_column_and_view():
    pkg = Package.open()
    meta = datasette.metadata(pkg)
    assert meta["license"] == "CC-BY-4.0"
    tables = meta["databases"]["ecocluster"]["tables"]
    for res in pkg.resources:
        assert tables[res.name]["description_html"].startswith(datasette.html_text(res.description))
        assert set(res.field_names) <= set(tables[res.name]["columns"])
        assert all("`" not in text for text in tables[res.name]["columns"].values())
    assert "lead: Runs the project" in tables["project_participants"]["columns"]["role"]
    assert ".;" not in tables["project_participants"]["columns"]["role"]
    columns = list(tables["projects"]["columns"])  # in the database's order, bounds after their date
    assert columns[columns.index("target_date"):][:3] == ["target_date", "target_date_earliest", "target_date_latest"]
    assert "<code>name</code>" in tables["organisations"]["description_html"]
    for view in ("agreement_signatories", "role_holders", "project_organisations", "cited_facts"):
        assert tables[view]["title"] and tables[view]["description_html"]
    assert tables["_metadata"] == {"hidden": True}
    assert set(tables["projects"]["facets"]) >= {"kind", "status"}
    assert set(tables["agreements"]["facets"]) >= {"kind", "status"}
    assert set(meta["databases"]["ecocluster"]["queries"]) == {
        "record_facts", "record_names", "who_signed_what", "who_held_which_role_when"}


def test_descriptions_are_escaped_html():
    assert datasette.html_text("<script>alert(1)</script> & `a<b`\n\nnext") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <code>a&lt;b</code></p><p>next</p>")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def _json(url: str):
    return json.loads(_get(url))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("datasette")
    tables = read_tables(Package.open())
    db = sqlite.export(tables, out)[0]
    meta, template = datasette.export(tables, out)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), "-m", str(meta), "--template-dir",
         str(template.parent), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("datasette did not start: " + proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _links(page: str) -> dict[str, str]:
    """The provenance links of a row page: link text -> URL."""
    block = re.search(r'<p class="ecocluster-provenance">(.*?)</p>', page, re.S)
    assert block, "the row page has no provenance links"
    return {text: html.unescape(href) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', block[1])}


def test_datasette_serves_tables_descriptions_and_views(served):
    db = _json(served + "/ecocluster.json")
    tables = {t["name"]: t for t in db["tables"]}
    assert {"organisations", "agreements", "citations"} <= set(tables)
    assert tables["_metadata"]["hidden"] and not tables["organisations"]["hidden"]
    assert {v["name"] for v in db["views"]} >= {"agreement_signatories", "role_holders",
                                                  "project_organisations", "cited_facts"}
    page = _get(served + "/ecocluster/organisations").decode()
    assert "Companies, governments, public agencies" in page
    assert "<code>name</code>" in page and "`name`" not in page
    view_page = _get(served + "/ecocluster/agreement_signatories").decode()
    assert "Who signed which agreement, for whom, in what role" in view_page
    rows = json.loads(_get(
        served + "/ecocluster/agreement_signatories.json?_shape=array"
        "&agreement_id=agreement-2023-05-22-busan-future-car-ecosystem"))
    assert {r["signatory_name"] for r in rows} == {
        "Stéphane Deblaise", "Park Heong-joon", "Kim Hyeong-gyun", None}
    assert len(rows) == 5
    site = _json(served + "/-/metadata.json")
    assert site["license"] == "CC-BY-4.0"


def test_every_row_page_leads_to_its_citations_their_sources_and_its_names(served):
    page = _get(served + f"/ecocluster/organisations/{ORG}").decode()
    links = _links(page)
    rows = csv_tables()
    cited = [c for c in rows["citations"][1] if c["record_id"] == ORG]
    assert cited
    # the citations of the row, each with a link to its source's own row page
    citations_page = _get(served + links["citations of this row"]).decode()
    sources = set(re.findall(r'href="/ecocluster/sources/([^"?#]+)"', citations_page))
    assert sources == {c["source_id"] for c in cited}
    source_id = sorted(sources)[0]
    source_page = _get(served + f"/ecocluster/sources/{urllib.parse.quote(source_id)}").decode()
    title = next(s["title"] for s in rows["sources"][1] if s["id"] == source_id)
    assert html.escape(title, quote=False) in source_page.replace("&#39;", "'")
    # every fact with its quote and source, as JSON
    facts_url = links["every fact with its quote and source"]
    facts = _json(served + facts_url.replace("/record_facts?", "/record_facts.json?_shape=array&"))
    assert sorted((f["field"], f["source_id"], f["quote"]) for f in facts) == sorted(
        (c["field"], c["source_id"], c["quote"]) for c in cited)
    assert all(f["source_title"] for f in facts)
    # its names in every language
    names_url = links["names"]
    names = _json(served + names_url.replace("/names?", "/names.json?_shape=array&"))
    assert {n["name"] for n in names} == {n["name"] for n in rows["names"][1] if n["entity_id"] == ORG}
    # every table keyed by id gets the links; citations (a composite key) does not
    agreement = rows["agreements"][1][0]["id"]
    assert "citations of this row" in _links(_get(served + f"/ecocluster/agreements/{agreement}").decode())


def test_facets_and_canned_queries_answer_the_usual_questions(served):
    projects = _json(served + "/ecocluster/projects.json")
    assert {"kind", "status"} <= set(projects["facet_results"])
    signed = _json(served + "/ecocluster/who_signed_what.json?_shape=array")
    mou = {r["signatory_name"] for r in signed if r["agreement_date"] == "2023-05-22"}
    # three named signers; the other two parties were represented, not named as signing (issue 16)
    assert mou == {"Stéphane Deblaise", "Park Heong-joon", "Kim Hyeong-gyun", None}
    roles = _json(served + "/ecocluster/who_held_which_role_when.json?_shape=array")
    assert len(roles) == len(csv_tables()["roles"][1])
    rows = _json(served + "/ecocluster/agreement_signatories.json?_shape=array"
                 "&agreement_id=agreement-2023-05-22-busan-future-car-ecosystem")
    assert {r["signatory_name"] for r in rows} == mou
