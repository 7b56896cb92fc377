"""Seeded corruptions of a small valid package, shared by the fuzz tests of `validate`
(tests/validation/test_fuzz_validate.py) and `build` (tests/release/test_fuzz_build.py): random byte corruptions of
the CSVs, JSON corruptions of the descriptor and schemas, corruptions of a release zip, and the traps
of issue 28 (`trap_case`): files linked out of the package or special (FIFO, socket, folder), YAML
bombs, a hostile SVG, a forged docs journal, names and numbers the formats cannot hold, and text
meant for a terminal or a CI runner rather than for a person."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import socket
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIXTURE = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"
TABLES = ("sources", "organisations", "org_relations")
# text for a terminal or a CI runner, not for a person: an OSC title, clear-screen, an OSC 52 clipboard
# write, a bidi override, an 8-bit CSI, forged workflow commands after a line break, Markdown and HTML
HOSTILE_TEXT = ["\x1b]0;pwned\x07", "\x1b[2J", "\x1b]52;c;ZXZpbA==\x07", "\u202e", "\x9b31m",
                "\n::error file=x::forged", "\n::add-mask::secret", "\r##[error]v1", "##vso[task.setvariable]x",
                "``<img src=https://evil.example/x onerror=alert(1)>``", "[l](javascript:alert(1))"]
NASTY = ["\x00", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\ud800", "\r", "\n", '"', ",", "NA", "9" * 400,
         "x" * 100_000, "../../etc/passwd", "javascript:alert(1)", "0000", "9999-12-31", "-", "=1+1", "é",
         *HOSTILE_TEXT]
SECRET = "fuzz-secret-7c1e"  # in every file a trap points at: it must never reach an output


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
            zf.writestr(rng.choice(["../escape.txt", "/abs.txt", "a\\b.txt", "ecocluster-0.1.0/../x",
                                    "ecocluster-0.1.0/datapackage.json", "../" + rng.choice(HOSTILE_TEXT)]), "x")
    data = archive.read_bytes()
    archive.write_bytes(corrupt_bytes(rng, data) if rng.random() < 0.8 else data)
    return archive


def outside(case: Path) -> Path:
    """The folder beside the package that the traps lead to, with a secret in every file."""
    folder = case / "outside"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("secret.txt", "secret.csv", "page.md"):
        (folder / name).write_text(f"id,title\nsrc-x,{SECRET}\n", encoding="utf-8")
    (folder / "secret.schema.json").write_text('{"fields": [{"name": "id"}], "x": "' + SECRET + '"}', encoding="utf-8")
    (folder / ".victim.txt.999999999.abc.tmp").write_text(SECRET, encoding="utf-8")
    return folder


_BOMB = "cff-version: 1.2.0\na: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
_SVG = ("<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' onload='alert(1)'>"
        "<script>alert(2)</script><image xlink:href='https://evil.example/t.png'/>"
        "<g id='node1' class='node'><title>org-busan-city</title><text>x</text></g></svg>")


def _editable(path: Path) -> Path:
    """`path` when an earlier trap left it a regular file; an earlier trap's FIFO would block the
    reading here (the test, not the code under test), and its link would edit a file outside."""
    if path.is_symlink() or not path.is_file():
        raise FileNotFoundError(path)
    return path


def _writable(path: Path) -> Path:
    """`path` when nothing or a regular file is there (an earlier trap's FIFO or link is left alone)."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise FileExistsError(path)
    return path


def _json_edit(path: Path, change) -> None:
    doc = json.loads(_editable(path).read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _rename_relations(root: Path, name: str) -> None:
    _json_edit(root / "datapackage.json",
               lambda dp: next(r for r in dp["resources"] if r["name"] == "org_relations").__setitem__("name", name))


def _bound_named_field(root: Path) -> None:
    _json_edit(root / "schemas" / "org_relations.schema.json",
               lambda s: s["fields"].append({"name": "start_date_earliest", "type": "string"}))
    csv = _editable(root / "data" / "org_relations.csv")
    csv.write_text("".join(line + ",\n" for line in csv.read_text(encoding="utf-8").splitlines()), encoding="utf-8")


def _special(path: Path, kind: str) -> None:
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()
    else:
        path.mkdir()


def trap_case(rng: random.Random, root: Path) -> None:
    """Plant one to three of the traps of issue 28 in the package at `root` (outside: `outside(root.parent)`)."""
    out = outside(root.parent)
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    table = rng.choice(TABLES)
    traps = [
        lambda: (root / rng.choice(["LICENSE", "DATASHEET.md", "CHANGELOG.md", "CITATION.cff"])).symlink_to(
            rng.choice([out / "secret.txt", Path("/proc/self/environ"), out])),
        lambda: os.mkfifo(root / rng.choice(["LICENSE", "CHANGELOG.md", "CITATION.cff"])),
        lambda: _writable(root / "CITATION.cff").write_text(rng.choice(
            [_BOMB, "x: " + "[" * 20_000 + "]" * 20_000 + "\n", "title: " + rng.choice(HOSTILE_TEXT) + "\n"])),
        lambda: _writable(docs / "partnership.svg").write_text(_SVG),
        lambda: (docs / "partnership.svg").symlink_to(out / "secret.txt"),
        lambda: (docs / "tables.md").symlink_to(out / "page.md"),
        lambda: _writable(docs / ".ecocluster-journal.json").write_text(json.dumps({"pid": 999_999_999, "renames": [
            [str(out / "secret.txt"), str(docs / "stolen.txt"), [0, 0]],
            [str(out / ".victim.txt.999999999.abc.tmp"), str(out / "victim.txt"), [1, 1]]]})),
        lambda: _special(root / "data" / f"{table}.csv", rng.choice(["fifo", "socket", "folder"])),
        lambda: _special(root / "schemas" / f"{table}.schema.json", rng.choice(["fifo", "folder"])),
        lambda: (root / "data" / f"{table}.csv").unlink() or (root / "data" / f"{table}.csv").symlink_to(
            out / "secret.csv"),
        lambda: _rename_relations(root, rng.choice(["columns", "sqlite_stat1", "t" * 41, "cited_facts", "r" * 70])),
        lambda: _bound_named_field(root),
        lambda: _json_edit(root / "datapackage.json", lambda dp: dp.update(rng.choice(
            [{"created": "yesterday"}, {"licenses": "CC-BY-4.0"}, {"title": rng.choice(HOSTILE_TEXT)},
             {"version": "1.0" + rng.choice(HOSTILE_TEXT)}, {"sources": [{"title": "x", "path": "javascript:x"}]}]))),
        lambda: (root / "datapackage.json").write_text((root / "datapackage.json").read_text(encoding="utf-8").replace(
            "{", rng.choice(['{"n": ' + "9" * 5000 + ", ", '{"deep": ' + "[" * 100_000 + "]" * 100_000 + ", "]), 1)),
        lambda: _json_edit(root / "schemas" / "org_relations.schema.json", lambda s: next(
            f for f in s["fields"] if f["name"] == "share_percent")["constraints"].update(
            maximum=rng.choice([float("inf"), 10 ** 400, -(2 ** 63) - 1]))),
        lambda: _cell(rng, root, rng.choice(HOSTILE_TEXT + ["y" * 40_000])),
    ]
    for trap in rng.sample(traps, rng.randint(1, 3)):
        try:
            trap()
        except (FileExistsError, FileNotFoundError, NotADirectoryError, StopIteration, KeyError, ValueError,
                RecursionError, OSError):
            pass  # an earlier trap took the file: this one does not apply


def _cell(rng: random.Random, root: Path, text: str) -> None:
    """`text` as the name of the first organisation, quoted as CSV quotes it."""
    csv = _editable(root / "data" / "organisations.csv")
    lines = csv.read_text(encoding="utf-8").split("\n")
    cells = lines[1].split(",")
    cells[1] = '"' + text.replace('"', '""') + '"'
    lines[1] = ",".join(cells)
    csv.write_text("\n".join(lines), encoding="utf-8")


@contextmanager
def deadline(seconds: int, what: str) -> Iterator[None]:
    """Fail with `what` (the case number) instead of hanging CI when a case blocks, on a FIFO say."""
    def _expired(signum, frame):
        raise AssertionError(f"{what} was still running after {seconds} s (blocked?)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(*roots: Path) -> dict[str, str]:
    """Every entry under `roots`: a file's hash, a link's target, or what else it is (never read)."""
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            if ".git" in p.parts or "__pycache__" in p.parts:
                continue
            if p.is_symlink():
                out[str(p)] = "link to " + os.readlink(p)
            elif p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[str(p)] = "folder" if p.is_dir() else "special"
    return out


KINDS = 4


def corrupt(rng: random.Random, kind: int, root: Path) -> Path:
    """Corrupt the package at `root` one way (kind 0: a CSV's bytes, 1: the descriptor or a schema,
    2: a release zip made of it, 3: traps); returns what to open: `root`, or the zip beside it."""
    if kind == 0:
        csv = root / "data" / f"{rng.choice(TABLES)}.csv"
        csv.write_bytes(corrupt_bytes(rng, csv.read_bytes()))
    elif kind == 1:
        json_case(rng, root)
    elif kind == 2:
        return zip_case(rng, root)
    else:
        trap_case(rng, root)
    return root
