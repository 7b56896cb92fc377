"""The published site: every release at a permanent address, the newest at latest/, and releases.json.

    releases.json           every published version's entry (ecocluster.release.index), newest first
    releases.schema.json    its JSON Schema
    index.html              leads to the newest release's site and lists every version
    v/<version>/            each release's build folder as `ecocluster build` wrote it; never changed
    latest/                 a copy of the newest release's folder
    v<major>/latest/        a copy of the newest release of each major version (v0/latest/, v1/latest/)

latest/ is a copy, not a redirect page: a static host such as GitHub Pages cannot answer with an HTTP
redirect, and an HTML meta-refresh moves only a browser that shows a page, while `curl
…/latest/ecocluster.sqlite`, `pandas.read_parquet(…/latest/parquet/…)` and a download link need the
bytes at that address. A copy serves both, from any static host and from file://. It costs one more
copy of each current release (about 3 MB here). Built with --base-url, the copy's own links (its
pages, JSON-LD, DCAT and releases.json) point to the permanent v/<version>/ addresses.

`add_release` adds one build to a site folder: it refuses to change a version already published
(the same files again is a no-op) and checks, before and after, that every version the site listed is
still there with the bytes its entry lists. `fetch_published` rebuilds a site folder from a deployed
site, every file downloaded and checked against the deployed releases.json, so a deploy job (which
uploads the whole site every time) starts from exactly what was published. A site deployed before
this layout (one build at the root, with its manifest.json) is taken in as its version's folder.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..base.files import write_text
from ..errors import DownloadError, PublishError
from ..package.remote import VERSION, sha256_of
from . import index
from .manifest import MANIFEST
from .publish import _inside, publication

RELEASES = "v"
LATEST = "latest"


def _hashes(entry: dict[str, Any]) -> dict[str, str]:
    return {f["path"]: f["sha256"] for f in entry["files"]}


def check_release(folder: Path, entry: dict[str, Any]) -> None:
    """Every file `entry` lists is in `folder` with its size and SHA-256; PublishError names the first that is not."""
    for f in entry["files"]:
        if not _inside(f["path"]):
            raise PublishError(f"version {entry['version']} lists a file outside its folder: {f['path']!r}")
        path = folder / f["path"]
        if not path.is_file() or path.stat().st_size != f["bytes"] or sha256_of(path) != f["sha256"]:
            raise PublishError(f"{path} is missing or is not the file version {entry['version']} published "
                               f"(its size and SHA-256 are in releases.json)",
                               hint="a published version never changes: restore the folder from the deployed site "
                                    "(scripts/publish_site.py fetch) before adding a release.")


def _own_entry(build: Path) -> dict[str, Any]:
    own = index.read(build / index.FILE)
    releases = own.get("releases") if isinstance(own, dict) else None
    if not isinstance(releases, list) or len(releases) != 1:
        raise PublishError(f"{build} holds no releases.json of one build",
                           hint="give a folder written by `ecocluster build`.")
    entry = releases[0]
    if not VERSION.fullmatch(str(entry.get("version"))):
        raise PublishError(f"version {entry.get('version')!r} is not MAJOR.MINOR.PATCH; only such versions get a "
                           "permanent address (v/<version>/, v<major>/latest/)")
    check_release(build, entry)
    return entry


def _copy_into(src: Path, dest: Path) -> None:
    for path in sorted(src.rglob("*")):
        target = dest / path.relative_to(src)
        if path.is_dir() and not path.is_symlink():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file() and not path.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _place(build: Path, final: Path) -> None:
    """Copy `build` to `final`, a folder that does not exist yet, in one rename at the end."""
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.adding-", dir=final.parent))
    try:
        _copy_into(build, stage)
        os.chmod(stage, 0o755)
        os.rename(stage, final)  # refused if `final` appeared meanwhile: nothing is ever replaced
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _folder_version(folder: Path) -> str | None:
    own = index.read(folder / index.FILE) if folder.is_dir() else None
    try:
        return str(own["releases"][0]["version"]) if own else None
    except (KeyError, IndexError, TypeError):
        return None


def _point(site: Path, rel: str, version: str) -> None:
    """Make site/<rel> (latest/, v<major>/latest/) a copy of v/<version>/, swapped in one step."""
    target = site / rel
    if _folder_version(target) == version:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with publication(target, MANIFEST) as stage:
        _copy_into(site / RELEASES / version, stage)


def front_page(idx: dict[str, Any], site: Path) -> str:
    """index.html at the site's root: to the newest release's site at once, with every version listed."""
    esc = html.escape
    latest = f"{LATEST}/site/index.html" if (site / LATEST / "site" / "index.html").is_file() else f"{LATEST}/"
    items = "\n".join(
        f'<li><a href="{RELEASES}/{esc(r["version"])}/">{esc(r["version"])}</a>'
        + (f' ({esc(r["date"])})' if r.get("date") else "")
        + (f' · <a href="{RELEASES}/{esc(r["version"])}/site/index.html">site</a>'
           if (site / RELEASES / r["version"] / "site" / "index.html").is_file() else "")
        + "</li>" for r in idx["releases"])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="refresh" content="0; url={esc(latest)}">\n'
            f'<title>{esc(idx["name"])} releases</title></head>\n<body>\n'
            f'<p><a href="{esc(latest)}">The newest release, {esc(idx["latest"])}</a>.</p>\n'
            f'<p>Every release stays at its own address (<a href="releases.json">releases.json</a> lists every '
            f'file with its size and SHA-256):</p>\n<ul>\n{items}\n</ul>\n</body></html>\n')


def add_release(build: str | Path, site: str | Path) -> dict[str, Any]:
    """Add the build in `build` to the site folder `site` (created if missing) and return the site's
    new releases.json. Raises PublishError when a published version would change or be lost."""
    build, site = Path(build), Path(site)
    entry = _own_entry(build)
    version = entry["version"]
    old = index.read(site / index.FILE)
    if old is None and (site / RELEASES).is_dir() and any((site / RELEASES).iterdir()):
        raise PublishError(f"{site} holds release folders but no releases.json",
                           hint="restore the deployed site with scripts/publish_site.py fetch.")
    published = {r["version"]: r for r in (old or {}).get("releases", [])}
    for v, r in published.items():  # nothing is added onto a site that lost or changed a release
        check_release(site / RELEASES / v, r)
    if version in published and _hashes(published[version]) != _hashes(entry):
        raise PublishError(f"version {version} is already published with other files; a published version never "
                           "changes", hint="bump the version in datapackage.json (and CITATION.cff, CHANGELOG.md).")
    if version in published:  # the same files again: the release stays as it is; latest/ and the rest are redone
        new = old or {}
    else:
        _place(build, site / RELEASES / version)
        new = index.merge(old, index.rebased(entry, f"{RELEASES}/{version}/"))
    _point(site, LATEST, new["latest"])
    for major, newest in new["latest_by_major"].items():
        _point(site, f"v{major}/{LATEST}", newest)
    shutil.copyfile(index.SCHEMA, site / index.SCHEMA.name)
    write_text(site / index.FILE, index.dumps(new))
    write_text(site / "index.html", front_page(new, site))
    lost = [v for v in published if v not in {r["version"] for r in new["releases"]}]
    if lost:  # cannot happen through merge(); checked because losing a release is the one thing never allowed
        raise PublishError(f"publishing {version} would drop version(s) {', '.join(lost)}")
    return new


def previous_version(site: str | Path, version: str) -> str | None:
    """The newest version published in `site` before `version` (the release `build --previous` compares with)."""
    idx = index.read(Path(site) / index.FILE) or {"releases": []}
    older = [r["version"] for r in idx["releases"] if index.version_key(r["version"]) < index.version_key(version)]
    return max(older, key=index.version_key, default=None)


# --- taking in what is deployed ----------------------------------------------------------------------------

def fetch_published(site_url: str, into: str | Path) -> dict[str, Any] | None:
    """Download the site deployed at `site_url` into the folder `into`: its releases.json and every
    release's files, each checked against it. Returns the index, or None when nothing is deployed
    there (no releases.json and no manifest.json: HTTP 404 for both). Any other failure raises."""
    from ..errors import NotFound
    from ..package.remote import fetch_index, http_url, index_url_for

    into = Path(into)
    root = http_url(site_url, "the site's address").rstrip("/") + "/"
    index_url = index_url_for(root)
    try:
        idx = fetch_index(index_url)
    except NotFound:
        return _fetch_legacy(root, into)
    for r in idx["releases"]:
        version = str(r["version"])
        if not VERSION.fullmatch(version):
            raise PublishError(f"{index_url} lists a version that is not MAJOR.MINOR.PATCH: {version!r}")
        folder = into / RELEASES / version
        _download_files(r, index_url, folder)
        _fetch_own_index(urljoin(index_url, f"{RELEASES}/{version}/{index.FILE}"), folder, r)
    write_text(into / index.FILE, index.dumps(idx))
    return idx


def _download_files(entry: dict[str, Any], base: str, folder: Path) -> None:
    from ..package.remote import download_verified

    for f in entry["files"]:
        if not _inside(f["path"]):
            raise PublishError(f"version {entry['version']} lists a file outside its folder: {f['path']!r}")
        download_verified(urljoin(base, f["url"]), f["sha256"], folder / f["path"], f["path"])


def _fetch_own_index(url: str, folder: Path, entry: dict[str, Any]) -> None:
    """A release folder's own releases.json, as deployed; it must list the same files as the site's."""
    from ..package.remote import fetch_index

    own = fetch_index(url)
    if len(own["releases"]) != 1 or _hashes(own["releases"][0]) != _hashes(entry):
        raise PublishError(f"{url} does not list the files the site's releases.json lists for {entry['version']}")
    write_text(folder / index.FILE, index.dumps(own))


def _fetch_legacy(root: str, into: Path) -> dict[str, Any] | None:
    """A site deployed before releases.json: one build at the root, described by its manifest.json."""
    import requests

    from ..package.remote import TIMEOUT, _pooch, download_verified

    with tempfile.TemporaryDirectory(prefix="ecocluster-legacy-") as tmp:
        got = Path(tmp) / MANIFEST
        try:
            _pooch().HTTPDownloader(timeout=TIMEOUT)(root + MANIFEST, str(got), None)
        except requests.HTTPError as e:
            if e.response is not None and e.response.status_code == 404:
                return None  # nothing deployed at all: the first release
            raise DownloadError(f"cannot read {root}{MANIFEST}: {e}") from None
        except (requests.RequestException, OSError) as e:
            raise DownloadError(f"cannot read {root}{MANIFEST}: {type(e).__name__}: {e}",
                                hint="check the network and the site's address; nothing was changed.") from None
        raw = got.read_bytes()
    try:
        manifest = json.loads(raw)
        version, name = str(manifest["version"]), str(manifest["name"]).removesuffix("-build")
        resources = [(str(r["path"]), str(r["hash"]).removeprefix("sha256:")) for r in manifest["resources"]]
    except (ValueError, KeyError, TypeError) as e:
        raise PublishError(f"{root}{MANIFEST} is not a build's manifest: {e}") from None
    if not VERSION.fullmatch(version):
        raise PublishError(f"the site at {root} holds a build of version {version!r}, not MAJOR.MINOR.PATCH")
    folder = into / RELEASES / version
    for path, sha in resources:
        if not _inside(path):
            raise PublishError(f"{root}{MANIFEST} lists a file outside its folder: {path!r}")
        download_verified(root + path, sha, folder / path, path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_bytes(raw)  # as deployed, byte for byte
    entry = index.release_entry(folder, manifest, name, version)
    write_text(folder / index.FILE, index.dumps(index.single(entry)))
    idx = index.merge(None, index.rebased(entry, f"{RELEASES}/{version}/"))
    write_text(into / index.FILE, index.dumps(idx))
    return idx
