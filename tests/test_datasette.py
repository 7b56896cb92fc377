"""The browsable site: Datasette serves the SQLite export with the metadata `build` writes."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from ecocluster.exports import datasette, sqlite
from ecocluster.package import Package


def test_metadata_describes_every_table_column_and_view():
    pkg = Package.open()
    meta = datasette.metadata(pkg)
    assert meta["license"] == "CC-BY-4.0"
    tables = meta["databases"]["ecocluster"]["tables"]
    for res in pkg.resources:
        assert tables[res.name]["description"] == res.description
        assert set(tables[res.name]["columns"]) == set(res.field_names)
    assert "lead: Runs the project." in tables["project_participants"]["columns"]["role"]
    for view in ("agreement_signatories", "role_holders", "project_organisations", "cited_facts"):
        assert tables[view]["title"] and tables[view]["description"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


@pytest.fixture
def served(tmp_path):
    pkg = Package.open()
    db = sqlite.export(pkg, tmp_path)[0]
    meta = datasette.export(pkg, tmp_path)[0]
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), "-m", str(meta), "--host", "127.0.0.1",
         "--port", str(port)],
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


def test_datasette_serves_tables_descriptions_and_views(served):
    db = json.loads(_get(served + "/ecocluster.json"))
    tables = {t["name"] for t in db["tables"]}
    assert {"organisations", "agreements", "citations"} <= tables
    assert {v["name"] for v in db["views"]} >= {"agreement_signatories", "role_holders",
                                                  "project_organisations", "cited_facts"}
    page = _get(served + "/ecocluster/organisations").decode()
    assert "Companies, governments, public agencies" in page
    view_page = _get(served + "/ecocluster/agreement_signatories").decode()
    assert "Who signed which agreement, for whom, in what role" in view_page
    rows = json.loads(_get(
        served + "/ecocluster/agreement_signatories.json?_shape=array"
        "&agreement_id=agreement-2023-05-22-busan-future-car-ecosystem"))
    assert {r["signatory_name"] for r in rows} == {
        "Stéphane Deblaise", "Park Heong-joon", "Kim Hyeong-gyun", None}
    assert len(rows) == 5
    site = json.loads(_get(served + "/-/metadata.json"))
    assert site["license"] == "CC-BY-4.0"
