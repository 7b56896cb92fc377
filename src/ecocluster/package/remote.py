"""Published releases, fetched and verified: `load(version=…)`, `ecocluster download`, `build --previous URL`.

A release is found through the releases.json of the site that publishes it (written by
ecocluster.release.index): its entry for a version gives the address, size and SHA-256 of every file,
and names the release archive. The archive is downloaded into the user's cache folder and kept only
when its SHA-256 matches; a cached copy is hashed again on every use, so a damaged one is never read
(it is removed, then downloaded again, or reported when offline). A published version never changes
(docs/downloads.md), so a verified cached copy is used without asking the network: once cached, the
call works offline.

Why pooch does the fetching: it streams to a temporary file beside the target and moves it into place
only after the hash matches (a cut-off or wrong download is deleted, never left under the real name),
it knows the platform's cache folder (platformdirs: $XDG_CACHE_HOME on Linux), and it is the kept,
widely used fetcher of scientific Python (SciPy and scikit-image fetch their data sets with it). It is
an extra, `ecocluster[download]`: `load()` of the installed copy needs no network library.

Where releases are published is a setting, never a guess: `base_url=`, else $ECOCLUSTER_BASE_URL,
else the `homepage` of the shipped datapackage.json. The project records no address yet.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..errors import DownloadError, NoReleaseAddress, NotFound, UnknownVersion

BASE_ENV = "ECOCLUSTER_BASE_URL"
CACHE_ENV = "ECOCLUSTER_CACHE"
INDEX = "releases.json"
ENTRY = "release.json"  # beside each cached archive: the entry it was verified against
OWN = "own-release"  # in a site's cache folder when its releases.json is one release's own (v/<version>/)
TIMEOUT = 30  # seconds without an answer before a download counts as failed
VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
EXTRA_HINT = 'pip install "ecocluster[download]"'

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Fetched:
    """A release archive in the cache, verified against the entry of `index_url` for `version`."""

    version: str
    path: Path
    entry: dict[str, Any]
    index_url: str


def _pooch() -> Any:
    try:
        import pooch
        import requests  # noqa: F401 - its exceptions are caught below; declared in the same extra
    except ImportError:
        raise DownloadError("downloading a published release needs the `pooch` package, which is not installed",
                            hint=EXTRA_HINT) from None
    return pooch


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _homepage() -> str | None:
    from ..base.paths import shipped_package

    try:
        value = json.loads(shipped_package().read_text(encoding="utf-8")).get("homepage")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None


def http_url(url: str, where: str) -> str:
    """`url` when it is an absolute http(s) address, else NoReleaseAddress naming `where` it came from."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in url for c in " \n\r\t"):
        raise NoReleaseAddress(f"{where} must be an http(s) address, not {url!r}",
                               hint="give an absolute address that starts with https:// (or http://).")
    return url


def release_address(base_url: str | None = None) -> str:
    """The address of the published site (the folder holding releases.json): `base_url`, else
    $ECOCLUSTER_BASE_URL, else the shipped descriptor's `homepage`; NoReleaseAddress when none is set."""
    for value, where in ((base_url, "base_url"), (os.environ.get(BASE_ENV), BASE_ENV),
                         (_homepage(), "the `homepage` of datapackage.json")):
        if value:
            return http_url(value, where)
    raise NoReleaseAddress(
        "no address is known where ecocluster's releases are published",
        hint=f"pass base_url=… (--base-url on the command line) or set {BASE_ENV} to the published site's "
             "address, the folder that holds releases.json (docs/downloads.md).")


def index_url_for(address: str) -> str:
    """The releases.json of a site address, of a release folder, or of a release archive's folder."""
    path = urlsplit(address).path
    if path.endswith(".json"):
        return address
    if path.endswith(".zip"):
        return urljoin(address, INDEX)
    return address.rstrip("/") + "/" + INDEX


def cache_root() -> Path:
    """$ECOCLUSTER_CACHE, else the user's cache folder for ecocluster (platformdirs, as pooch finds it)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(_pooch().os_cache("ecocluster")).expanduser()


def _site_folder(index_url: str) -> Path:
    """The cache folder of one published site: a readable, file-name-safe form of its address and a
    short hash, so two sites that both publish a 0.2.0 never share a folder."""
    parts = urlsplit(index_url)
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{parts.netloc}{parts.path.rsplit('/', 1)[0]}").strip("-.")[:60]
    return cache_root() / f"{readable or 'site'}-{hashlib.sha256(index_url.encode()).hexdigest()[:12]}"


def _version(version: str) -> str:
    if not (isinstance(version, str) and VERSION.fullmatch(version)):
        raise UnknownVersion(f"{version!r} is not a release version (MAJOR.MINOR.PATCH, e.g. 0.2.0)",
                             hint="`ecocluster download` without --version fetches the newest release.")
    return version


# --- network ------------------------------------------------------------------------------------------------

def _failure(error: Exception, url: str, what: str) -> DownloadError:
    """One of requests' or pooch's exceptions as a DownloadError saying what to do."""
    import requests

    host = urlsplit(url).netloc
    if isinstance(error, requests.HTTPError):
        status = error.response.status_code if error.response is not None else "?"
        return (NotFound if status == 404 else DownloadError)(
            f"{what} is not at {url} (HTTP {status})",
            hint="check the address; a release's files stay at the address releases.json gives.")
    if isinstance(error, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return DownloadError(f"the download of {what} from {url} was cut off before its end; nothing was kept",
                             hint="try again; if it keeps stopping, the server or a proxy is cutting the transfer.")
    if isinstance(error, requests.ConnectionError | requests.Timeout):
        return DownloadError(f"cannot reach {host} to download {what} (no network, or the server does not answer)",
                             hint="check the network connection and try again; a version downloaded once is then "
                                  "used from the cache without the network.")
    if isinstance(error, ValueError):  # pooch: the downloaded file's hash is not the known one
        return DownloadError(f"the {what} downloaded from {url} does not match the SHA-256 releases.json lists for "
                             "it; it was deleted, not kept",
                             hint="the server sent other bytes than were published (a damaged mirror, a proxy or a "
                                  "replaced file): try again later, and report it if it persists.")
    return DownloadError(f"downloading {what} from {url} failed: {type(error).__name__}: {error}")


def fetch_index(index_url: str) -> dict[str, Any]:
    """The releases.json at `index_url`, parsed and checked for the shape this module reads."""
    import tempfile

    pooch = _pooch()
    import requests

    with tempfile.TemporaryDirectory(prefix="ecocluster-index-") as tmp:
        target = Path(tmp) / INDEX
        try:
            pooch.HTTPDownloader(timeout=TIMEOUT)(index_url, str(target), None)
        except (requests.RequestException, OSError) as e:
            raise _failure(e, index_url, "releases.json") from None
        try:
            index = json.loads(target.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise DownloadError(f"the releases.json at {index_url} cannot be read as JSON: {e}",
                                hint="check the address: it is the published site's folder holding releases.json.") \
                from None
    releases = index.get("releases") if isinstance(index, dict) else None
    if not isinstance(releases, list) or not all(isinstance(r, dict) and isinstance(r.get("version"), str)
                                                  and isinstance(r.get("files"), list) for r in releases):
        raise DownloadError(f"{index_url} is not a releases index (no `releases` list of versions with files)",
                            hint="check the address: it is the published site's folder holding releases.json.")
    return index


def find_entry(index: dict[str, Any], index_url: str, version: str | None) -> dict[str, Any]:
    """The entry for `version` (None: the newest), or UnknownVersion listing the published ones."""
    releases = index["releases"]
    if not releases:
        raise UnknownVersion(f"no release is published at {index_url} yet")
    if version is None:
        latest = index.get("latest") or (releases[0]["version"] if releases else None)
        version = latest if isinstance(latest, str) else None
    for entry in releases:
        if entry["version"] == version:
            return entry
    known = ", ".join(r["version"] for r in releases) or "none"
    raise UnknownVersion(f"version {version} is not published at {index_url} (published: {known})",
                         hint="choose one of the published versions (`ecocluster download --version V`).")


def archive_record(entry: dict[str, Any], index_url: str, url: str | None = None) -> dict[str, Any]:
    """The entry's file record of the release archive (or of `url`), with its absolute address."""
    wanted = entry.get("archive")
    for f in entry["files"]:
        if not isinstance(f, dict):
            continue
        address = urljoin(index_url, str(f.get("url") or f.get("path") or ""))
        if (url is not None and address == url) or (url is None and f.get("path") == wanted):
            sha = str(f.get("sha256", ""))
            if not re.fullmatch(r"[0-9a-f]{64}", sha):
                break
            return {**f, "address": address, "sha256": sha}
    what = url or f"the release archive {wanted!r}"
    raise DownloadError(f"releases.json at {index_url} lists no SHA-256 for {what} of version {entry['version']}",
                        hint="give the address of a release archive that releases.json lists, or the site's address.")


def download_verified(url: str, sha256: str, target: Path, what: str) -> Path:
    """Download `url` to `target`, kept only if its SHA-256 is `sha256` (pooch removes anything else)."""
    pooch = _pooch()
    import requests

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=target.name, path=target.parent,
                       downloader=pooch.HTTPDownloader(timeout=TIMEOUT), progressbar=False)
    except (requests.RequestException, ValueError, OSError) as e:
        raise _failure(e, url, what) from None
    return target


# --- the cache ----------------------------------------------------------------------------------------------

def _cached(folder: Path, version: str) -> tuple[Fetched | None, Path | None]:
    """(the cached archive of `version`, None) when it is there and still matches the entry it was
    verified against; (None, path) when a damaged copy was found, and removed; (None, None) if none."""
    here = folder / version
    try:
        entry = json.loads((here / ENTRY).read_text(encoding="utf-8"))
        kept = entry["_archive"]
        path = here / kept["file"]
        ok = path.is_file() and sha256_of(path) == kept["sha256"]
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError, KeyError, TypeError):
        ok, path = False, here / ENTRY
    if ok:
        return Fetched(version, path, entry, kept["index_url"]), None
    shutil.rmtree(here, ignore_errors=True)  # never read, never left: it is downloaded again or reported
    return None, path


def _own_release(folder: Path) -> str | None:
    """The version whose own folder `folder` caches (see OWN), or None."""
    try:
        version = (folder / OWN).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return version if VERSION.fullmatch(version) else None


def cached_versions(index_url: str) -> list[str]:
    """The versions of the site at `index_url` that are in the cache (not checked here)."""
    try:
        folder = _site_folder(index_url)
        found = [p.name for p in folder.iterdir() if (p / ENTRY).is_file() and VERSION.fullmatch(p.name)]
    except (OSError, DownloadError):
        return []
    return sorted(found, key=lambda v: tuple(int(x) for x in v.split(".")))


def _quiet_pooch() -> None:
    """pooch logs each download at INFO on stderr; the library never prints (the CLI shows progress)."""
    import logging

    logger = _pooch().get_logger()
    if logger.level < logging.WARNING:
        logger.setLevel(logging.WARNING)


def fetch_release(version: str | None = None, url: str | None = None, base_url: str | None = None,
                  progress: Progress | None = None) -> Fetched:
    """The release archive of `version` (None: the newest) published at `base_url` (see
    `release_address`), or the release at `url` (a site, a release folder, a releases.json or an
    archive's address), downloaded once into the cache and verified against releases.json on every use.

    Raises UnknownVersion (not published), DownloadError (no network, cut off, wrong bytes, a damaged
    cached copy that cannot be fetched again) and NoReleaseAddress (no address known).
    """
    if version is not None:
        _version(version)
    if url is not None:
        address = http_url(url, "url")
        index_url = index_url_for(address)
        wanted = address if urlsplit(address).path.endswith(".zip") else None
    else:
        index_url, wanted = index_url_for(release_address(base_url)), None
    folder = _site_folder(index_url)
    _quiet_pooch()
    damaged: Path | None = None
    if version is None and wanted is None:  # a release's own folder, fetched before, names its one version
        version = _own_release(folder)
    if wanted is not None:
        for cached in cached_versions(index_url):
            hit, _ = _cached(folder, cached)
            if hit is not None and hit.entry["_archive"]["url"] == wanted:
                return hit
    elif version is not None:  # a published version never changes: the cache answers first
        hit, damaged = _cached(folder, version)
        if hit is not None:
            return hit
    try:
        if progress:
            progress(f"reading {index_url}")
        index = fetch_index(index_url)
        entry = _entry_of(index, index_url, version, wanted)
        version = _version(entry["version"])
        record = archive_record(entry, index_url, wanted)
        name = Path(urlsplit(record["address"]).path).name
        if not name.endswith(".zip") or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise DownloadError(f"the release archive of {version} at {record['address']} is not a plain .zip name")
        if damaged is None:
            hit, damaged = _cached(folder, version)
            if hit is not None and hit.entry["_archive"]["sha256"] == record["sha256"]:
                return hit
        if progress:
            progress(f"downloading {record['address']}")
        target = download_verified(record["address"], record["sha256"], folder / version / name,
                                   f"release archive of {version}")
    except DownloadError as e:
        if damaged is not None:
            e.args = (f"the cached copy of version {version} ({damaged}) was damaged and has been removed; "
                      f"downloading it again failed: {e}",)
        elif version is None and wanted is None and (have := cached_versions(index_url)):
            e.hint += f" In the cache, usable offline: version {', '.join(have)} (give version=… / --version)."
        raise
    kept = {**entry, "_archive": {"file": name, "sha256": record["sha256"], "url": record["address"],
                                  "index_url": index_url}}
    from ..base.files import write_text

    write_text(folder / version / ENTRY, json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
    if len(index["releases"]) == 1 and urljoin(index_url, str(entry.get("url") or "")) == urljoin(index_url, "./"):
        write_text(folder / OWN, version + "\n")  # this index is one release's own: it never changes
    return Fetched(version, target, kept, index_url)


def _entry_of(index: dict[str, Any], index_url: str, version: str | None, wanted: str | None) -> dict[str, Any]:
    if wanted is None:
        return find_entry(index, index_url, version)
    entry = next((r for r in index["releases"] if any(
        urljoin(index_url, str(f.get("url") or f.get("path") or "")) == wanted
        for f in r["files"] if isinstance(f, dict))), None)
    if entry is None:
        raise UnknownVersion(f"{wanted} is not a file of any release listed in {index_url}",
                             hint="give the address of a release archive as releases.json lists it, or the site's.")
    if version is not None and entry["version"] != version:
        raise UnknownVersion(f"{wanted} is version {entry['version']}, not {version}")
    return entry
