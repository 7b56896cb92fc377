"""`load(version=…)`, `load(url=…)` and `ecocluster download` against a site served on 127.0.0.1: a good
download, wrong bytes, a transfer cut off mid-file, offline after caching, a damaged cache and an
unknown version. A bad download is never used nor left in the cache."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserve import no_proxy, package, serve

import ecocluster
from ecocluster.cli import main
from ecocluster.errors import DownloadError, NoReleaseAddress, UnknownVersion
from ecocluster.package.remote import BASE_ENV, CACHE_ENV, fetch_release
from ecocluster.release import published

EDIT = ("organisations", "org-renault-korea,Renault Korea,", "org-renault-korea,Renault Korea Motors,")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A site folder with 0.1.0 and 0.2.0 published (relative addresses: it is served at any port)."""
    tmp = tmp_path_factory.mktemp("site")
    folder = tmp / "site"
    for version, edits, previous in (("0.1.0", [], None), ("0.2.0", [EDIT], tmp / "build-0.1.0")):
        ecocluster.build(package(tmp / f"pkg-{version}", version, edits), tmp / f"build-{version}", previous=previous)
        published.add_release(tmp / f"build-{version}", folder)
    return folder


@pytest.fixture
def server(site, tmp_path, monkeypatch):
    no_proxy(monkeypatch)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(BASE_ENV, raising=False)
    with serve(site) as s:
        yield s


def cache_files(tmp_path: Path) -> list[str]:
    root = tmp_path / "cache"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_load_a_published_version_verified_then_offline_from_the_cache(server, site, tmp_path):
    names = ecocluster.load(version="0.2.0", base_url=server.url)["organisations"]
    assert "Renault Korea Motors" in set(names["name"])
    older = ecocluster.load(version="0.1.0", base_url=server.url, engine="polars")["organisations"]
    assert "Renault Korea Motors" not in older["name"].to_list()
    cached = [p for p in cache_files(tmp_path) if p.endswith(".zip")]
    assert [Path(p).name for p in cached] == ["ecocluster-0.1.0.zip", "ecocluster-0.2.0.zip"]
    zip_bytes = (tmp_path / "cache" / cached[1]).read_bytes()
    assert zip_bytes == (site / "v/0.2.0/ecocluster-0.2.0.zip").read_bytes()
    server.requests.clear()
    server.faults["/releases.json"] = "cut"  # the network is not asked again for a cached version
    again = ecocluster.load(version="0.2.0", base_url=server.url)
    assert server.requests == [] and list(again) == ["sources", "organisations", "org_relations"]


def test_offline_after_caching(site, tmp_path, monkeypatch):
    no_proxy(monkeypatch)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    with serve(site) as s:
        url = s.url
        monkeypatch.setenv(BASE_ENV, url)  # the address from the environment
        ecocluster.load(version="0.2.0")
        ecocluster.load(url=url + "v/0.1.0/")  # a release's own folder
        ecocluster.load(url=url + "v/0.1.0/ecocluster-0.1.0.zip")  # and an archive's address
    # the server is gone: the cached copy is checked and used
    assert "Renault Korea Motors" in set(ecocluster.load(version="0.2.0")["organisations"]["name"])
    for address in (url + "v/0.1.0/", url + "v/0.1.0/ecocluster-0.1.0.zip"):
        assert "Renault Korea Motors" not in set(ecocluster.load(url=address)["organisations"]["name"])
    with pytest.raises(DownloadError) as e:  # a version never downloaded cannot be had offline
        ecocluster.load(version="0.1.0")
    assert str(e.value).startswith("cannot reach 127.0.0.1:") and "cache" in e.value.hint
    with pytest.raises(DownloadError) as e:  # "the newest" needs the index; the hint names what is cached
        fetch_release(base_url=url)
    assert "usable offline: version 0.2.0" in e.value.hint


def test_wrong_bytes_are_refused_and_not_kept(server, tmp_path):
    server.faults["/v/0.2.0/ecocluster-0.2.0.zip"] = "wrong"
    with pytest.raises(DownloadError) as e:
        ecocluster.load(version="0.2.0", base_url=server.url)
    assert "does not match the SHA-256 releases.json lists" in str(e.value) and e.value.hint
    assert not any(p.endswith(".zip") for p in cache_files(tmp_path)) and not any(
        "tmp" in p for p in cache_files(tmp_path))


def test_a_download_cut_off_mid_file_is_refused_and_not_kept(server, tmp_path):
    server.faults["/v/0.2.0/ecocluster-0.2.0.zip"] = "cut"
    with pytest.raises(DownloadError) as e:
        ecocluster.load(version="0.2.0", base_url=server.url)
    assert "was cut off before its end; nothing was kept" in str(e.value)
    assert cache_files(tmp_path) == []
    del server.faults["/v/0.2.0/ecocluster-0.2.0.zip"]  # the next try, on a good connection, works
    assert ecocluster.load(version="0.2.0", base_url=server.url)


def test_a_damaged_cache_is_never_read_and_is_fetched_again(server, tmp_path):
    got = fetch_release(version="0.2.0", base_url=server.url)
    good = got.path.read_bytes()
    got.path.write_bytes(good[:100])  # damaged on disk
    again = fetch_release(version="0.2.0", base_url=server.url)
    assert again.path.read_bytes() == good
    again.path.write_bytes(b"x" * len(good))
    server.faults["/v/0.2.0/ecocluster-0.2.0.zip"] = "cut"  # and cannot be fetched again
    with pytest.raises(DownloadError) as e:
        fetch_release(version="0.2.0", base_url=server.url)
    assert "was damaged and has been removed" in str(e.value)
    assert not again.path.exists()


def test_an_unknown_version_names_the_published_ones(server):
    with pytest.raises(UnknownVersion) as e:
        ecocluster.load(version="9.9.9", base_url=server.url)
    assert str(e.value) == f"version 9.9.9 is not published at {server.url}releases.json (published: 0.2.0, 0.1.0)"
    with pytest.raises(UnknownVersion, match="is not a release version"):
        ecocluster.load(version="../0.2.0", base_url=server.url)


def test_load_url_takes_a_release_folder_or_its_archive(server):
    by_folder = ecocluster.load(url=server.url + "v/0.1.0/")
    by_archive = ecocluster.load(url=server.url + "v/0.2.0/ecocluster-0.2.0.zip")
    assert "Renault Korea Motors" not in set(by_folder["organisations"]["name"])
    assert "Renault Korea Motors" in set(by_archive["organisations"]["name"])
    with pytest.raises(UnknownVersion, match="is not a file of any release"):
        ecocluster.load(url=server.url + "v/0.2.0/other.zip")


def test_no_address_is_a_clear_usage_error_and_nothing_is_invented(monkeypatch):
    monkeypatch.delenv(BASE_ENV, raising=False)
    with pytest.raises(NoReleaseAddress) as e:
        ecocluster.load(version="0.2.0")
    assert BASE_ENV in e.value.hint
    result = CliRunner().invoke(main, ["download", "--version", "0.2.0"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no address is known where ecocluster's releases are published\nhint: ")
    assert "homepage" not in json.loads((Path(__file__).parents[2] / "datapackage.json").read_text())


def test_download_command_copies_the_verified_archive(server, site, tmp_path):
    out = tmp_path / "downloads"
    result = CliRunner().invoke(main, ["download", "--base-url", server.url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out / 'ecocluster-0.2.0.zip'}\n"  # without --version: the newest
    data = (out / "ecocluster-0.2.0.zip").read_bytes()
    entry = json.loads((site / "releases.json").read_text())["releases"][0]
    listed = next(f for f in entry["files"] if f["path"] == "ecocluster-0.2.0.zip")
    assert hashlib.sha256(data).hexdigest() == listed["sha256"]
    assert "SHA-256 verified" in result.stderr
    older = CliRunner().invoke(main, ["download", "--base-url", server.url, "--version", "0.1.0", "-q",
                                      "--out", str(out)])
    assert (older.exit_code, older.stderr) == (0, "")
    unknown = CliRunner().invoke(main, ["download", "--base-url", server.url, "--version", "3.0.0"])
    assert unknown.exit_code == 2 and "hint: choose one of the published versions" in unknown.stderr
    server.faults["/v/0.2.0/ecocluster-0.2.0.zip"] = "wrong"
    CliRunner().invoke(main, ["download", "--base-url", server.url, "--out", str(tmp_path / "x")])
    bad = CliRunner().invoke(main, ["download", "--base-url", server.url, "--out", str(tmp_path / "y"),
                                    "--version", "0.2.0"])
    assert bad.exit_code == 0  # cached before the fault: the verified copy answers
    server.faults["/v/0.1.0/ecocluster-0.1.0.zip"] = "wrong"
    (tmp_path / "cache").rename(tmp_path / "cache-old")
    failed = CliRunner().invoke(main, ["download", "--base-url", server.url, "--version", "0.1.0",
                                       "--out", str(tmp_path / "z")])
    assert failed.exit_code == 1 and "does not match the SHA-256" in failed.stderr
    assert not (tmp_path / "z" / "ecocluster-0.1.0.zip").exists() and "Traceback" not in failed.output


def test_without_pooch_the_message_says_which_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pooch(name, *args, **kwargs):
        if name == "pooch":
            raise ImportError("No module named 'pooch'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pooch)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    with pytest.raises(DownloadError) as e:
        ecocluster.load(version="0.2.0", base_url="http://127.0.0.1:9/")
    assert "needs the `pooch` package" in str(e.value) and e.value.hint == 'pip install "ecocluster[download]"'


def test_build_previous_takes_a_published_address_and_chains_its_history(server, tmp_path):
    pkg = package(tmp_path / "pkg-0.3.0", "0.3.0", [EDIT, ("organisations", "Busan Metropolitan City", "Busan City")])
    out = tmp_path / "build-0.3.0"
    ecocluster.build(pkg, out, previous=server.url + "v/0.2.0/")
    assert (out / "changes/0.2.0..0.3.0.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        'organisations,"{""id"":""org-busan-city""}",value-changed,name,Busan Metropolitan City,Busan City']
    history = json.loads((out / "changes/history.json").read_text(encoding="utf-8"))
    assert history["versions"] == ["0.1.0", "0.2.0", "0.3.0"]
    assert history["tables"]["organisations"]["org-renault-korea"] == {"first": "0.1.0", "changed": "0.2.0"}
    entry = json.loads((out / "releases.json").read_text(encoding="utf-8"))["releases"][0]
    assert (entry["previous"], entry["bump"], entry["schema_changed"]) == ("0.2.0", "patch", False)


def test_build_refuses_a_bad_previous_or_base_url_as_usage_errors(server, tmp_path):
    pkg = package(tmp_path / "pkg", "0.2.0", [EDIT])
    same = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "o1"), "--previous", server.url + "v/0.2.0/",
                                     str(pkg)])
    assert same.exit_code == 2 and "has this package's version, 0.2.0" in same.stderr
    assert "hint: " in same.stderr and not (tmp_path / "o1").exists()
    bad = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "o2"), "--base-url", "javascript:alert(1)",
                                    str(pkg)])
    assert bad.exit_code == 2 and "the base URL must be an http(s) address" in bad.stderr
    gone = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "o3"), "--previous", str(tmp_path / "nope"),
                                     str(pkg)])
    assert gone.exit_code == 2 and "Traceback" not in gone.output
