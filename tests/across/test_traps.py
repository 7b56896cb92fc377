"""`build`, `export`, `docs` and `fmt` never read, copy, rename or delete a file outside the package
and the output folder (issue 28), whatever traps a package holds: extras and CITATION.cff linked to
secrets, a FIFO extra, a picture and a docs page linked out, a forged docs journal, a CSV or a schema
linked out; and in the output folder's parent, a folder planted under an old output's name, while a
folder of the user's named like a staging folder sits in the output folder.

The commands run in a subprocess (tests/support/trapwatch.py) whose audit hook records every file
Python opens, renames, removes, links, copies or lists, with links followed. No event may reach the
folder the traps lead to, and every write must land in the package, an output folder, a staging
folder of ours beside one, the system temp folder or the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fuzzcases import base

from ecocluster.base.files import JOURNAL
from ecocluster.curation.docgen import BEGIN, END

WATCH = Path(__file__).resolve().parents[1] / "support" / "trapwatch.py"
SECRET = "secret-5c1f3e9a"


def _state(folder: Path) -> dict[str, tuple]:
    """Every entry with its kind, content hash, mode, inode and times."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        data = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else None
        out[p.relative_to(folder).as_posix()] = (st.st_mode, st.st_ino, st.st_mtime_ns, data)
    return out


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET + "\n")
    (outside / "secret.csv").write_text(f"id,title\nsrc-x,{SECRET}\n")
    (outside / "secret.schema.json").write_text('{"fields": [{"name": "id"}]}')
    (outside / "evil.svg").write_text(f"<svg xmlns='http://www.w3.org/2000/svg'><text>{SECRET}</text></svg>")
    (outside / "page.md").write_text(f"{BEGIN}\n{SECRET}\n{END}\n")  # the markers `docs` rewrites between
    (outside / "victim.txt").write_text("victim\n")
    (outside / ".victim.txt.999999999.abc.tmp").write_text("planted temp\n")
    return outside


def _trapped(root: Path, outside: Path) -> Path:
    base(root)
    (root / "LICENSE").symlink_to(outside / "secret.txt")
    (root / "CITATION.cff").symlink_to("/proc/self/environ")
    (root / "DATASHEET.md").symlink_to(outside / "folder")
    os.mkfifo(root / "CHANGELOG.md")
    docs = root / "docs"
    docs.mkdir()
    (docs / "partnership.svg").symlink_to(outside / "evil.svg")
    (docs / "tables.md").symlink_to(outside / "page.md")
    (docs / JOURNAL).write_text(json.dumps({"pid": 999_999_999, "renames": [
        [str(outside / "secret.txt"), str(docs / "stolen.txt"), [0, 0]],
        [str(outside / ".victim.txt.999999999.abc.tmp"), str(outside / "victim.txt"), [1, 1]],
    ]}))
    return root


def _watch(tmp_path: Path, commands: list[list[str]]) -> list[dict]:
    log = tmp_path / "log.json"
    argv = [sys.executable, str(WATCH), str(log)]
    for command in commands:
        argv += ["--", *command]
    env = {**os.environ, "TMPDIR": str(tmp_path / "systemp"), "ECOCLUSTER_CACHE": str(tmp_path / "cache"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    (tmp_path / "systemp").mkdir(exist_ok=True)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(log.read_text(encoding="utf-8"))


def _check(results: list[dict], tmp_path: Path, outside: Path, writable: list[Path]) -> None:
    banned = [str(outside.resolve()), os.path.realpath("/etc/passwd")]
    allowed = [str(p.resolve()) for p in writable] + [str((tmp_path / d).resolve()) for d in ("systemp", "cache")]
    for r in results:
        assert r["exception"] is None or r["exception"].startswith("SystemExit"), r
        assert r["exit_code"] in (0, 1, 2), r
        assert "internal error" not in r["output"] and "Traceback" not in r["output"], r["output"]
        for e in r["events"]:
            path = e["path"]
            assert not any(path == b or path.startswith(b + os.sep) for b in banned), (r["args"], e)
            assert not (path.startswith("/proc/") and path.endswith("/environ")), (r["args"], e)
            if e["writes"] and path != os.devnull:
                beside = os.path.relpath(path, tmp_path.resolve()).split(os.sep)[0]  # a staging folder of ours
                ours = any(path == a or path.startswith(a + os.sep) for a in allowed) or (
                    not beside.startswith("..") and beside.startswith((".out.", ".out2.")))
                assert ours, (r["args"], e)


def test_no_command_follows_a_trap_out_of_the_package(tmp_path):
    outside = _outside(tmp_path)
    pkg = _trapped(tmp_path / "pkg", outside)
    out, out2 = tmp_path / "out", tmp_path / "out2"
    (out / ".staging-mine").mkdir(parents=True)
    (out / ".staging-mine" / "notes.txt").write_text("mine\n")
    planted = tmp_path / f".out2.old-999999999-{'a' * 16}-{'b' * 24}"
    planted.mkdir()
    (planted / "manifest.json").write_text('{"resources": []}')
    before = _state(outside)
    docs = pkg / "docs"
    results = _watch(tmp_path, [
        ["validate", str(pkg)], ["describe", str(pkg)], ["diff", str(pkg), str(pkg)],
        ["build", "--out", str(out), str(pkg)],
        ["export", "--to", "all", "--out", str(out2), str(pkg)],
        ["docs", str(pkg), "--out", str(docs), "--page", str(docs / "tables.md")],
        ["docs", "--check", str(pkg), "--out", str(docs), "--page", str(docs / "tables.md")],
        ["fmt", "--check", str(pkg)], ["fmt", str(pkg)],
    ])
    _check(results, tmp_path, outside, [pkg, out, out2])
    codes = {r["args"][0] + (" --check" if "--check" in r["args"] else ""): r["exit_code"] for r in results}
    assert codes["build"] == 0 and codes["export"] == 0 and codes["fmt"] == 0, results
    assert _state(outside) == before  # nothing read into, renamed out of, or deleted from it
    assert (out / ".staging-mine" / "notes.txt").read_text() == "mine\n"
    assert planted.is_dir() and not (out2 / "manifest.json").exists()  # never adopted: no build of ours
    with zipfile.ZipFile(next(out.glob("*.zip"))) as zf:
        shipped = b"".join(zf.read(n) for n in zf.namelist())
    assert SECRET.encode() not in shipped and b"ECOCLUSTER_CACHE" not in shipped
    for folder in (out, out2, docs):
        for p in folder.rglob("*"):
            if p.is_file() and not p.is_symlink():
                assert SECRET.encode() not in p.read_bytes(), p
    assert (docs / "tables.md").is_symlink() and not (docs / "stolen.txt").exists()


@pytest.mark.parametrize("trap", ["csv", "schema"])
def test_a_table_linked_out_of_the_package_is_refused_without_reading_it(tmp_path, trap):
    outside = _outside(tmp_path)
    pkg = base(tmp_path / "pkg")
    target = pkg / ("data/sources.csv" if trap == "csv" else "schemas/sources.schema.json")
    target.unlink()
    target.symlink_to(outside / ("secret.csv" if trap == "csv" else "secret.schema.json"))
    before = _state(outside)
    results = _watch(tmp_path, [["validate", str(pkg)], ["build", "--out", str(tmp_path / "out"), str(pkg)],
                                ["export", "--to", "all", "--out", str(tmp_path / "out2"), str(pkg)],
                                ["docs", "--check", str(pkg), "--out", str(tmp_path / "docs")],
                                ["fmt", "--check", str(pkg)], ["fmt", str(pkg)]])
    _check(results, tmp_path, outside, [pkg, tmp_path / "out", tmp_path / "out2", tmp_path / "docs"])
    assert all(r["exit_code"] == 2 for r in results), [(r["args"][0], r["exit_code"]) for r in results]
    assert all("resource-path-outside" in r["output"] or "leads out of the package" in r["output"]
               for r in results), [r["output"] for r in results]
    assert _state(outside) == before
