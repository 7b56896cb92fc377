"""Seeded corruptions of a small valid package, shared by the fuzz tests of `validate`
(tests/validation/test_fuzz_validate.py) and `build` (tests/release/test_fuzz_build.py): random byte corruptions of
the CSVs, JSON corruptions of the descriptor and schemas, and corruptions of a release zip."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import zipfile
from pathlib import Path

FIXTURE = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"
TABLES = ("sources", "organisations", "org_relations")
NASTY = ["\x00", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\ud800", "\r", "\n", '"', ",", "NA", "9" * 400,
         "x" * 100_000, "../../etc/passwd", "javascript:alert(1)", "0000", "9999-12-31", "-", "=1+1", "é"]


def base(root: Path) -> Path:
    for sub in ("data", "schemas"):
        (root / sub).mkdir(parents=True)
    dp = json.loads((FIXTURE / "datapackage.json").read_text(encoding="utf-8"))
    dp["resources"] = [r for r in dp["resources"] if r["name"] in TABLES]
    (root / "datapackage.json").write_text(json.dumps(dp, indent=1), encoding="utf-8")
    for t in TABLES:
        shutil.copy(FIXTURE / "data" / f"{t}.csv", root / "data")
        shutil.copy(FIXTURE / "schemas" / f"{t}.schema.json", root / "schemas")
    return root


def corrupt_bytes(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op, at = rng.random(), rng.randrange(len(b) + 1)
        if op < 0.3 and b:
            b[min(at, len(b) - 1)] = rng.randrange(256)
        elif op < 0.5:
            b[at:at] = rng.choice(NASTY).encode("utf-8", "surrogatepass")
        elif op < 0.7:
            del b[at : at + rng.randint(1, 40)]
        elif op < 0.8:
            b = b[:at]
        else:
            b[at:at] = bytes(rng.choice(b",\"\n\r") for _ in range(rng.randint(1, 5)))
    return bytes(b)


def _value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(9)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False, 0, -1, 1e308, float("inf"), 2**70])
    if kind == 2 and depth < 3:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == 3 and depth < 3:
        return {rng.choice(["name", "path", "type", "fields", "x"]): _value(rng, depth + 1)}
    if kind == 4:
        n = rng.choice([10, 300, 800])  # json.dumps itself recurses; deeper nesting is written as text
        return json.loads("[" * n + "]" * n)
    return rng.choice(NASTY + ["", "string", "data/sources.csv", "id", "^[", "(a+)+$"])


def _mutate_json(rng: random.Random, doc: object) -> object:
    """Replace, delete or retype one node found by a random walk."""
    path: list = []
    node = doc
    while isinstance(node, dict | list) and node and rng.random() < 0.75:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        path.append(key)
        node = node[key]
    if not path:
        return _value(rng)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]  # type: ignore[index]
    if rng.random() < 0.25:
        del parent[path[-1]]  # type: ignore[union-attr,arg-type]
    else:
        parent[path[-1]] = _value(rng)  # type: ignore[index]
    return doc


def json_case(rng: random.Random, root: Path) -> None:
    target = rng.choice(["datapackage.json"] + [f"schemas/{t}.schema.json" for t in TABLES])
    path = root / target
    if rng.random() < 0.3:  # raw bytes: broken syntax, NULs, truncation
        path.write_bytes(corrupt_bytes(rng, path.read_bytes()))
        return
    if rng.random() < 0.1:  # nesting far past Python's recursion limit, where a value should be
        text = path.read_text(encoding="utf-8")
        at = text.index(":") + 1
        n = rng.choice([1000, 50_000])
        path.write_text(text[:at] + "[" * n + "]" * n + text[at:].split(",", 1)[-1].join([",", ""]), encoding="utf-8")
        return
    doc = json.loads(path.read_text(encoding="utf-8"))
    for _ in range(rng.randint(1, 3)):
        doc = _mutate_json(rng, doc)
    path.write_text(json.dumps(doc, ensure_ascii=rng.random() < 0.5), encoding="utf-8", errors="surrogatepass")


def zip_case(rng: random.Random, root: Path) -> Path:
    archive = root.parent / "release.zip"
    with zipfile.ZipFile(archive, "w", rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])) as zf:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                zf.write(p, f"ecocluster-0.1.0/{p.relative_to(root).as_posix()}")
        if rng.random() < 0.2:
            zf.writestr(rng.choice(["../escape.txt", "/abs.txt", "a\\b.txt", "ecocluster-0.1.0/../x"]), "x")
    data = archive.read_bytes()
    archive.write_bytes(corrupt_bytes(rng, data) if rng.random() < 0.8 else data)
    return archive


def snapshot(*roots: Path) -> dict[str, str]:
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def corrupt(rng: random.Random, kind: int, root: Path) -> Path:
    """Corrupt the package at `root` one way (kind 0: a CSV's bytes, 1: the descriptor or a schema,
    2: a release zip made of it); returns what to open: `root`, or the zip beside it."""
    if kind == 0:
        csv = root / "data" / f"{rng.choice(TABLES)}.csv"
        csv.write_bytes(corrupt_bytes(rng, csv.read_bytes()))
    elif kind == 1:
        json_case(rng, root)
    else:
        return zip_case(rng, root)
    return root
