"""What the publication tests look at in an output folder (tests/release/test_publish.py, test_faults.py,
test_fuzz_build.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def complete(out: Path) -> dict:
    """The manifest of `out`, asserting that it lists exactly the files there, with their sizes and hashes."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {r["path"]: r for r in manifest["resources"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir()}
    assert on_disk == set(listed) | {"manifest.json", "releases.json"}
    for rel, r in listed.items():
        data = (out / rel).read_bytes()
        assert (len(data), "sha256:" + hashlib.sha256(data).hexdigest()) == (r["bytes"], r["hash"]), rel
    return manifest


def leftovers(out: Path) -> list[str]:
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.relative_to(out).as_posix() for p in out.rglob("*")
              if p.name.startswith(".staging-") or p.name.endswith(".tmp")]
    return beside + inside


def tree(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in folder.rglob("*")}
