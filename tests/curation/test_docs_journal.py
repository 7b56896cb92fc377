"""The docs journal is followed only for renames that are provably ours (issue 28, classes 1 and 2): a
journal shipped inside a package (a pull request can add docs/.ecocluster-journal.json) renames and
deletes nothing, inside the package or out of it. A run killed while renaming is still finished by the
next (tests/across/test_faults.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fuzzcases import base
from outputs import tree

from ecocluster.base.files import JOURNAL, finish_journal, write_all
from ecocluster.curation.docgen import generate_docs


def _forged(docs: Path, renames: list[list]) -> None:
    (docs / JOURNAL).write_text(json.dumps({"pid": 999_999_999, "renames": renames}), encoding="utf-8")


def test_a_journal_shipped_in_the_package_renames_and_deletes_nothing(tmp_path, monkeypatch):
    pkg = base(tmp_path / "pkg")
    docs = pkg / "docs"
    docs.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    (outside / ".victim.txt.999999999.abc.tmp").write_text("planted temp\n")
    (outside / "victim.txt").write_text("victim\n")
    (pkg / "data" / ".sources.csv.999999999.abc.tmp").write_text("id\n")
    renames = [
        [str(outside / "secret.txt"), str(docs / "stolen.txt"), [0, 0]],  # would copy a secret into the docs
        [str(outside / ".victim.txt.999999999.abc.tmp"), str(outside / "victim.txt"),
         [os.lstat(outside / ".victim.txt.999999999.abc.tmp").st_ino, 0]],  # right inode, a guessed ctime
        [str(pkg / "data" / ".sources.csv.999999999.abc.tmp"), str(pkg / "data" / "sources.csv"), "x"],
        [str(tmp_path / "missing"), str(outside / "secret.txt"), [1, 2]],
        "not a rename", [1, 2, 3],
    ]
    _forged(docs, renames)
    before = tree(tmp_path)
    assert finish_journal(docs) == []
    assert tree(tmp_path) == before  # nothing renamed, and the journal that names others' files is kept
    monkeypatch.setattr("ecocluster.curation.docgen._stale_pictures", lambda texts, out_dir, force=False: [])
    generate_docs(pkg, docs)
    assert (outside / "secret.txt").read_text() == "secret\n" and (outside / "victim.txt").read_text() == "victim\n"
    assert (outside / ".victim.txt.999999999.abc.tmp").exists() and not (docs / "stolen.txt").exists()


def test_a_forged_journal_cannot_follow_a_link_or_hang_on_a_fifo(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "elsewhere.json").write_text(json.dumps({"pid": 1, "renames": []}))
    (docs / JOURNAL).symlink_to(tmp_path / "elsewhere.json")
    assert finish_journal(docs) == [] and (docs / JOURNAL).is_symlink()
    (docs / JOURNAL).unlink()
    os.mkfifo(docs / JOURNAL)
    assert finish_journal(docs) == []


def test_a_journal_of_ours_is_finished_and_removed(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    real = os.replace

    def killed(src, dst):  # the journal is written, then the process dies before any rename
        if str(dst).endswith(JOURNAL):
            return real(src, dst)
        raise SystemExit("killed")

    monkeypatch.setattr(os, "replace", killed)
    try:
        write_all({docs / "a.md": b"new a\n", docs / "b.md": b"new b\n"}, docs)
    except SystemExit:
        pass
    monkeypatch.setattr(os, "replace", real)
    entry = json.loads((docs / JOURNAL).read_text())
    assert all(len(r) == 3 for r in entry["renames"])  # temp, target, and the token that proves the temp ours
    assert sorted(p.name for p in finish_journal(docs)) == ["a.md", "b.md"]
    assert (docs / "a.md").read_text() == "new a\n" and sorted(p.name for p in docs.iterdir()) == ["a.md", "b.md"]
