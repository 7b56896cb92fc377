"""releases.json: the machine-readable index of the published releases, one entry per version.

Each entry gives the release's date, the address, size and SHA-256 of every file, the hashes of the
descriptor and of the Table Schemas, the version bump `ecocluster diff` suggests against the previous
release and whether the schema changed, the release's CHANGELOG section and its changes/ files.

`build` writes a releases.json holding the entry of its own version. It is the last file written,
after manifest.json, so the entry lists every other file (manifest.json included) with its hash; it
cannot list itself. Publishing (ecocluster.release.published) merges the entries into the site's
releases.json, rewriting each relative address to the release's permanent folder `v/<version>/`.
An address is absolute when `build --base-url` was given, else relative to the releases.json that
holds it. The shape is releases.schema.json beside this module (JSON Schema 2020-12), shipped with
the package and copied to the site's root.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..package.remote import VERSION, sha256_of

FILE = "releases.json"
SCHEMA = Path(__file__).with_name("releases.schema.json")
FORMAT = "ecocluster-releases/1"
HEADING = re.compile(r"^## (\S+)(?: — (\d{4}-\d{2}-\d{2}))?\s*$")


def version_key(version: str) -> tuple[int, ...]:
    """MAJOR.MINOR.PATCH as numbers, so 0.10.0 sorts after 0.9.0."""
    return tuple(int(x) for x in version.split(".")) if VERSION.fullmatch(version) else (-1,)


def changelog_section(text: str, version: str) -> str:
    """The body of CHANGELOG.md's `## <version> — <date>` section (heading left out), or ""."""
    out: list[str] | None = None
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            if out is not None:
                break
            if heading.group(1) == version:
                out = []
            continue
        if out is not None:
            out.append(line)
    return "\n".join(out or []).strip("\n")


def _zip_facts(archive: Path, version: str) -> dict[str, Any]:
    """The descriptor's and the schemas' hashes, the release date and the CHANGELOG section, read
    from the release archive itself (so they describe exactly what was published)."""
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        descriptor_bytes = zf.read("datapackage.json")
        descriptor = json.loads(descriptor_bytes)
        schema_paths = sorted({str(r["schema"]) for r in descriptor.get("resources", [])
                               if isinstance(r, dict) and isinstance(r.get("schema"), str)} & names)
        schemas = [{"path": p, "sha256": hashlib.sha256(zf.read(p)).hexdigest()} for p in schema_paths]
        changelog = zf.read("CHANGELOG.md").decode("utf-8") if "CHANGELOG.md" in names else ""
        cff = zf.read("CITATION.cff").decode("utf-8") if "CITATION.cff" in names else ""
    released = re.search(r"^date-released:\s*[\"']?(\d{4}-\d{2}-\d{2})", cff, flags=re.M)
    created = str(descriptor.get("created") or "")
    date = released.group(1) if released else (created[:10] if re.match(r"\d{4}-\d{2}-\d{2}", created) else None)
    # one hash for the set: a line per schema file, in path order
    combined = hashlib.sha256("".join(f"{s['path']}\t{s['sha256']}\n" for s in schemas).encode()).hexdigest()
    return {"date": date, "descriptor": {"path": "datapackage.json",
                                         "sha256": hashlib.sha256(descriptor_bytes).hexdigest()},
            "schemas": {"sha256": combined, "files": schemas}, "changelog": changelog_section(changelog, version)}


def address(base_url: str | None, path: str) -> str:
    return base_url.rstrip("/") + "/" + path if base_url else path


def release_entry(folder: Path, manifest: dict[str, Any], name: str, version: str,
                  comparison: dict[str, Any] | None = None, base_url: str | None = None) -> dict[str, Any]:
    """The releases.json entry of the build in `folder`, whose `manifest` is written there already.

    `comparison` (from `build --previous`) holds the previous version, the bump `diff` suggests, whether
    the schema changed and the paths of the changes/ files; without it these are null and empty.
    """
    archive = f"{name}-{version}.zip"
    files = [{"path": r["path"], "url": address(base_url, r["path"]), "bytes": r["bytes"],
              "sha256": str(r["hash"]).removeprefix("sha256:"), "mediatype": r["mediatype"]}
             for r in manifest["resources"]]
    own = folder / "manifest.json"
    files.append({"path": own.name, "url": address(base_url, own.name), "bytes": own.stat().st_size,
                  "sha256": sha256_of(own), "mediatype": "application/json"})
    files.sort(key=lambda f: f["path"])
    facts = _zip_facts(folder / archive, version) if (folder / archive).is_file() else {
        "date": None, "descriptor": None, "schemas": None, "changelog": ""}
    comparison = comparison or {}
    changes = [f for f in files if f["path"] in set(comparison.get("changes", []))]
    return {
        "version": version,
        "name": name,
        "date": facts["date"],
        "url": base_url or "./",
        "archive": archive if (folder / archive).is_file() else None,
        "previous": comparison.get("previous"),
        "bump": comparison.get("bump"),
        "schema_changed": comparison.get("schema_changed"),
        "descriptor": facts["descriptor"],
        "schemas": facts["schemas"],
        "changelog": facts["changelog"],
        "changes": [{"path": f["path"], "url": f["url"]} for f in changes],
        "files": files,
    }


def single(entry: dict[str, Any]) -> dict[str, Any]:
    """The releases.json of one build: its own entry."""
    return merge(None, entry)


def rebased(entry: dict[str, Any], prefix: str) -> dict[str, Any]:
    """`entry` with each relative address put under `prefix` (the release's folder in the site)."""
    def move(url: str) -> str:
        return url if urlsplit(url).scheme else prefix + url.removeprefix("./")

    return {**entry, "url": move(entry["url"]),
            "changes": [{**c, "url": move(c["url"])} for c in entry["changes"]],
            "files": [{**f, "url": move(f["url"])} for f in entry["files"]]}


def merge(index: dict[str, Any] | None, entry: dict[str, Any]) -> dict[str, Any]:
    """`index` with `entry` added (replacing an entry of the same version), newest version first."""
    releases = [r for r in (index or {}).get("releases", []) if r["version"] != entry["version"]] + [entry]
    releases.sort(key=lambda r: version_key(r["version"]), reverse=True)
    majors: dict[str, str] = {}
    for r in releases:  # newest first, so the first of each major is its newest
        if VERSION.fullmatch(r["version"]):
            majors.setdefault(r["version"].split(".")[0], r["version"])
    return {"format": FORMAT, "name": entry["name"], "latest": releases[0]["version"],
            "latest_by_major": majors, "releases": releases}


def read(path: Path) -> dict[str, Any] | None:
    """A releases.json on disk, or None when there is none."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def dumps(index: dict[str, Any]) -> str:
    return json.dumps(index, indent=1, ensure_ascii=False) + "\n"
