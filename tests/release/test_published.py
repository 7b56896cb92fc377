"""Permanent addresses (ecocluster.release.published, scripts/publish_site.py): three versions published in a
row into a folder served over HTTP on 127.0.0.1 all stay reachable at /v/<version>/, byte for byte;
latest/ and v<major>/latest/ follow the newest; releases.json lists every file with hashes that match
the bytes served; a published version never changes and is never dropped, also when the deploy starts
from the deployed site."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import jsonschema
import pytest
from httpserve import no_proxy, package, serve

import ecocluster
from ecocluster.errors import DownloadError, PublishError
from ecocluster.release import index, published

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "publish_site.py"
RENAME = ("organisations", "org-renault-korea,Renault Korea,", "org-renault-korea,Renault Korea Motors,")
ADD = ("organisations", "org-busan-city,Busan Metropolitan City,government,KR,,,,\n",
       "org-busan-city,Busan Metropolitan City,government,KR,,,,\norg-new-partner,New Partner,company,KR,,,,\n")
VERSIONS = [("0.1.0", []), ("0.2.0", [RENAME]), ("1.0.0", [RENAME, ADD])]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # only ever 127.0.0.1 here
        return response.read()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def publish_in_a_row(tmp_path: Path, site: Path, url: str, versions=VERSIONS) -> dict[str, dict[str, bytes]]:
    """Build and add each version, the previous published one as --previous; the published folders as
    they were right after each was added."""
    frozen = {}
    for version, edits in versions:
        pkg = package(tmp_path / f"pkg-{version}", version, edits)
        before = published.previous_version(site, version)
        out = tmp_path / f"build-{version}"
        ecocluster.build(pkg, out, previous=site / "v" / before if before else None, base_url=f"{url}v/{version}/")
        published.add_release(out, site)
        frozen[version] = tree(site / "v" / version)
    return frozen


@pytest.fixture
def three(tmp_path, monkeypatch):
    no_proxy(monkeypatch)
    site = tmp_path / "site"
    site.mkdir()
    with serve(site) as server:
        frozen = publish_in_a_row(tmp_path, site, server.url)
        yield site, server, frozen


def test_three_versions_stay_reachable_and_latest_follows_the_newest(three):
    site, server, frozen = three
    for version, files in frozen.items():  # nothing published earlier changed when a later one came
        assert tree(site / "v" / version) == files, version
    idx = json.loads(get(server.url + "releases.json"))
    jsonschema.validate(idx, json.loads(index.SCHEMA.read_text(encoding="utf-8")),
                        format_checker=jsonschema.FormatChecker())
    assert [r["version"] for r in idx["releases"]] == ["1.0.0", "0.2.0", "0.1.0"]
    assert idx["latest"] == "1.0.0" and idx["latest_by_major"] == {"1": "1.0.0", "0": "0.2.0"}
    served = 0
    for release in idx["releases"]:
        for f in release["files"]:  # every address answers with exactly the bytes listed
            assert f["url"] == f"{server.url}v/{release['version']}/{f['path']}"
            data = get(f["url"])
            assert (len(data), hashlib.sha256(data).hexdigest()) == (f["bytes"], f["sha256"]), f["url"]
            served += 1
    assert served > 3 * 20
    for folder, version in (("latest", "1.0.0"), ("v1/latest", "1.0.0"), ("v0/latest", "0.2.0")):
        manifest = json.loads(get(f"{server.url}{folder}/manifest.json"))
        assert manifest["version"] == version, folder
        archive = get(f"{server.url}{folder}/ecocluster-{version}.zip")
        assert archive == frozen[version][f"ecocluster-{version}.zip"]
    front = get(server.url).decode("utf-8")  # the root page leads to the newest site and lists every version
    assert 'content="0; url=latest/site/index.html"' in front
    assert all(f'href="v/{v}/"' in front for v, _ in VERSIONS)
    assert json.loads(get(server.url + "releases.schema.json")) == json.loads(index.SCHEMA.read_text("utf-8"))


def test_each_release_carries_its_changes_bump_and_history(three):
    site, server, _ = three
    idx = json.loads((site / "releases.json").read_text(encoding="utf-8"))
    by = {r["version"]: r for r in idx["releases"]}
    assert by["0.1.0"]["previous"] is None and by["0.1.0"]["bump"] is None and by["0.1.0"]["changes"] == []
    assert (by["0.2.0"]["previous"], by["0.2.0"]["bump"], by["0.2.0"]["schema_changed"]) == ("0.1.0", "patch", False)
    assert [c["path"] for c in by["0.2.0"]["changes"]] == ["changes/0.1.0..0.2.0.csv", "changes/0.1.0..0.2.0.jsonl"]
    csv_text = get(by["0.2.0"]["changes"][0]["url"]).decode("utf-8")
    assert csv_text == ("table,key,change,field,old,new\n"
                        'organisations,"{""id"":""org-renault-korea""}",value-changed,name,Renault Korea,'
                        "Renault Korea Motors\n")
    assert by["0.2.0"]["changelog"] == "- Release 0.2.0."
    assert by["1.0.0"]["previous"] == "0.2.0"
    history = json.loads((site / "v/1.0.0/changes/history.json").read_text(encoding="utf-8"))
    assert history["versions"] == ["0.1.0", "0.2.0", "1.0.0"]  # chained through the three releases
    orgs = history["tables"]["organisations"]
    assert orgs["org-renault-korea"] == {"first": "0.1.0", "changed": "0.2.0"}
    assert orgs["org-new-partner"] == {"first": "1.0.0", "changed": "1.0.0"}
    assert orgs["org-busan-city"] == {"first": "0.1.0", "changed": "0.1.0"}
    page = (site / "v/1.0.0/site/organisations/org-renault-korea.html").read_text(encoding="utf-8")
    assert ("<dt>In the data</dt>\n<dd>since version 0.1.0 or earlier; its row last changed in 0.2.0</dd>") in page
    # the site's own download links and metadata are absolute, at the permanent address
    dcat = json.loads((site / "latest/site/dcat.jsonld").read_text(encoding="utf-8"))
    urls = {d["dcat:downloadURL"]["@id"] for d in dcat["dcat:distribution"]}
    assert f"{server.url}v/1.0.0/ecocluster-1.0.0.zip" in urls and all(u.startswith(server.url + "v/1.0.0/")
                                                                       for u in urls)
    front = (site / "v/1.0.0/site/index.html").read_text(encoding="utf-8")
    assert f'href="{server.url}v/1.0.0/changes/0.2.0..1.0.0.csv"' in front


def test_a_published_version_never_changes(three, tmp_path):
    site, _, frozen = three
    before = tree(site)
    again = tmp_path / "build-0.2.0"  # the same build again: nothing to do
    assert published.add_release(again, site)["latest"] == "1.0.0"
    assert tree(site) == before
    other = package(tmp_path / "other", "0.2.0", [RENAME, ADD])  # the same version with other data
    ecocluster.build(other, tmp_path / "other-build")
    with pytest.raises(PublishError, match="already published with other files"):
        published.add_release(tmp_path / "other-build", site)
    assert tree(site) == before
    (site / "v/0.1.0/ecocluster.sqlite").write_bytes(b"tampered")  # a damaged site is not built on
    fourth = package(tmp_path / "pkg-1.1.0", "1.1.0", [RENAME, ADD])
    ecocluster.build(fourth, tmp_path / "build-1.1.0")
    with pytest.raises(PublishError, match="v/0.1.0/ecocluster.sqlite is missing or is not the file"):
        published.add_release(tmp_path / "build-1.1.0", site)
    assert not (site / "v/1.1.0").exists()


def test_the_deploy_starts_from_the_deployed_site_and_drops_nothing(three, tmp_path, monkeypatch):
    """The deploy job's path: fetch what is deployed (verified), add the new build, and every version
    deployed before is there byte for byte; the script does the same with its exit codes."""
    site, server, frozen = three
    fresh = tmp_path / "fresh"
    idx = published.fetch_published(server.url, fresh)
    assert [r["version"] for r in idx["releases"]] == ["1.0.0", "0.2.0", "0.1.0"]
    for version, files in frozen.items():
        assert tree(fresh / "v" / version) == files, version
    assert not (fresh / "latest").exists()  # deploying the same build again redoes latest/ and the front page
    published.add_release(tmp_path / "build-1.0.0", fresh)
    assert tree(fresh / "latest") == tree(site / "latest") and (fresh / "index.html").is_file()
    assert published.previous_version(fresh, "1.1.0") == "1.0.0"
    assert published.previous_version(fresh, "0.2.1") == "0.2.0"  # a patch to an older line
    assert published.previous_version(fresh, "0.0.9") is None
    pkg = package(tmp_path / "pkg-1.1.0", "1.1.0", [RENAME, ADD])
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    run = [sys.executable, str(SCRIPT)]
    prev = subprocess.run([*run, "previous", str(fresh), "1.1.0"], capture_output=True, text=True, env=env)
    assert (prev.returncode, prev.stdout.strip()) == (0, str(fresh / "v" / "1.0.0"))
    ecocluster.build(pkg, tmp_path / "build-1.1.0", previous=prev.stdout.strip())
    done = subprocess.run([*run, "add", str(tmp_path / "build-1.1.0"), "--into", str(fresh)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "published: 1.1.0, 1.0.0, 0.2.0, 0.1.0; latest 1.1.0\n"
    for version, files in frozen.items():
        assert tree(fresh / "v" / version) == files, version
    assert json.loads((fresh / "latest/manifest.json").read_text())["version"] == "1.1.0"
    history = json.loads((fresh / "v/1.1.0/changes/history.json").read_text(encoding="utf-8"))
    assert history["versions"] == ["0.1.0", "0.2.0", "1.0.0", "1.1.0"]
    again = subprocess.run([*run, "add", str(tmp_path / "build-1.1.0"), "--into", str(site / "v" / "0.1.0")],
                           capture_output=True, text=True, env=env)
    assert again.returncode == 1 and again.stderr.startswith("error: ") and "\nhint: " in again.stderr


def test_a_failed_fetch_stops_the_deploy_and_only_a_404_means_nothing_deployed(tmp_path, monkeypatch):
    no_proxy(monkeypatch)
    empty = tmp_path / "empty"
    empty.mkdir()
    with serve(empty) as server:
        assert published.fetch_published(server.url, tmp_path / "into") is None
        url = server.url
    with pytest.raises(DownloadError, match="cannot reach 127.0.0.1"):  # the server is gone: not "nothing"
        published.fetch_published(url, tmp_path / "into2")
    done = subprocess.run([sys.executable, str(SCRIPT), "fetch", url, "--into", str(tmp_path / "into3")],
                          capture_output=True, text=True, env={**os.environ, "NO_PROXY": "127.0.0.1"})
    assert done.returncode == 1 and "error: cannot reach 127.0.0.1" in done.stderr


def test_a_site_deployed_before_releases_json_is_taken_in_as_its_version(tmp_path, monkeypatch):
    """The old Pages layout: one build at the root. Its files move to v/<version>/ unchanged."""
    no_proxy(monkeypatch)
    old = tmp_path / "old-site"
    ecocluster.build(package(tmp_path / "pkg", "0.1.0"), old)
    (old / "releases.json").unlink()  # as a build made before this index existed
    with serve(old) as server:
        idx = published.fetch_published(server.url, tmp_path / "site")
    assert [r["version"] for r in idx["releases"]] == ["0.1.0"]
    jsonschema.validate(idx, json.loads(index.SCHEMA.read_text(encoding="utf-8")))
    assert tree(tmp_path / "site" / "v" / "0.1.0") == {**tree(old), "releases.json": (
        tmp_path / "site" / "v" / "0.1.0" / "releases.json").read_bytes()}
    published.check_release(tmp_path / "site" / "v" / "0.1.0", idx["releases"][0])
