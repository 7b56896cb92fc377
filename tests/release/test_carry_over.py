"""Carry over means carry over (issue 28, class 2): what a user keeps in the output folder comes back
with its name, content, mode, owner, times and special bits; staging and old-output names are ours
only when this user's ecocluster made them (a mark no package or other user can forge), never by
their shape; a folder planted under such a name in a shared parent is never adopted or removed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ecocluster.base.tokens import is_marked, mark
from ecocluster.release import publish

OTHER_UID, OTHER_GID = 4321, 8765  # not this process's user (the tests run as root, which may give files away)
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs the superuser")


def _publish(out: Path, text: str = "new") -> None:
    out.mkdir(exist_ok=True)  # as check_out_dir makes it before a build
    with publication(out) as stage:
        (stage / "manifest.json").write_text('{"resources": [{"path": "data.txt"}]}')
        (stage / "data.txt").write_text(text)


def publication(out: Path):
    return publish.publication(out, "manifest.json")


def _meta(path: Path) -> tuple[int, int, int, int]:
    st = os.lstat(path)
    return st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns


def test_a_users_folder_named_like_a_stage_is_carried_over_not_deleted(tmp_path):
    out = tmp_path / "out"
    _publish(out, "old")
    for name in (".staging-mine", f".staging-999999999-{'0' * 16}-{'0' * 24}", ".staging-999999999-dead"):
        (out / name).mkdir()
        (out / name / "notes.txt").write_text(f"kept {name}\n")
    beside = [tmp_path / ".out.staging-999999999-dead", tmp_path / ".out.old-999999999-dead"]
    for folder in beside:
        folder.mkdir()
        (folder / "f").write_text("someone's")
    _publish(out)
    assert (out / "data.txt").read_text() == "new"
    for name in (".staging-mine", f".staging-999999999-{'0' * 16}-{'0' * 24}", ".staging-999999999-dead"):
        assert (out / name / "notes.txt").read_text() == f"kept {name}\n"
    assert all((folder / "f").read_text() == "someone's" for folder in beside)


@root_only
@pytest.mark.parametrize("method", ["exchange", "rename", "in-place", "copy"])
def test_a_private_folder_keeps_its_mode_owner_setgid_and_times(tmp_path, monkeypatch, method):
    if method == "rename":
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    elif method == "in-place":
        monkeypatch.setattr(publish, "_sibling_possible", lambda out: False)
    elif method == "copy":  # a file system that refuses hard links: files are copied
        def no_link(*args, **kwargs):
            raise OSError(1, "no hard links here")

        monkeypatch.setattr(os, "link", no_link)
    out = tmp_path / "out"
    _publish(out, "old")
    private = out / "private"
    (private / "inner").mkdir(parents=True)
    (private / "inner" / "key.txt").write_text("secret\n")
    os.chmod(private / "inner" / "key.txt", 0o600)
    os.chown(private / "inner" / "key.txt", OTHER_UID, OTHER_GID)
    os.chown(private / "inner", OTHER_UID, OTHER_GID)
    os.chmod(private / "inner", 0o2750)
    os.chown(private, OTHER_UID, OTHER_GID)
    os.chmod(private, 0o2700)  # setgid: files made inside take the folder's group
    (out / "empty").mkdir(mode=0o1711)
    os.chmod(out / "empty", 0o1711)  # the sticky bit
    for p in (private / "inner" / "key.txt", private / "inner", private, out / "empty"):
        os.utime(p, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = {p: _meta(out / p) for p in ("private", "private/inner", "private/inner/key.txt", "empty")}
    _publish(out)
    assert (out / "data.txt").read_text() == "new"
    assert {p: _meta(out / p) for p in before} == before
    assert stat.S_IMODE(before["private"][0]) == 0o2700 and before["private"][1:3] == (OTHER_UID, OTHER_GID)
    assert (out / "private" / "inner" / "key.txt").read_text() == "secret\n"


def test_a_folder_planted_under_an_old_output_name_in_a_shared_parent_is_never_adopted(tmp_path):
    shared = tmp_path / "tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # world-writable and sticky, as /tmp
    out = shared / "out"
    out.mkdir()  # empty: what a killed `rename` fallback leaves, and what a planted old output would fill
    planted = [shared / f".out.old-999999999-{'a' * 16}-{'b' * 24}", shared / ".out.old-999999999-x",
               shared / f".out.old-1-{mark('.out.old-').replace('-', '-0', 1)[:41]}"]
    for folder in planted:
        folder.mkdir()
        (folder / "manifest.json").write_text('{"resources": [{"path": "evil.html"}]}')
        (folder / "evil.html").write_text("<script>steal()</script>")
    _publish(out)
    assert sorted(p.name for p in out.iterdir()) == ["data.txt", "manifest.json"]
    assert all((folder / "evil.html").exists() for folder in planted)


@root_only
def test_a_marked_folder_of_another_owner_is_not_ours(tmp_path):
    shared = tmp_path / "tmp"
    shared.mkdir()
    out = shared / "out"
    out.mkdir()
    planted = shared / f".out.old-999999999-{mark('.out.old-')}"  # as if another user had our secret
    planted.mkdir()
    (planted / "evil.html").write_text("x")
    os.chown(planted, OTHER_UID, OTHER_GID)
    _publish(out)
    assert sorted(p.name for p in out.iterdir()) == ["data.txt", "manifest.json"] and planted.is_dir()


def test_our_marks_verify_and_nothing_else_does(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOCLUSTER_CACHE", str(tmp_path / "cache"))
    token = mark(".out.staging-")
    assert is_marked(token, ".out.staging-")
    assert not is_marked(token, ".out.old-")  # a mark is for one kind of name
    assert not is_marked(token[:-1] + ("0" if token[-1] != "0" else "1"), ".out.staging-")
    assert oct(os.stat(tmp_path / "cache" / "name-secret").st_mode & 0o777) == "0o600"
    monkeypatch.setenv("ECOCLUSTER_CACHE", str(tmp_path / "another-user"))
    assert not is_marked(token, ".out.staging-")  # another secret: another user's names are not ours


def test_a_stale_stage_of_ours_is_still_removed(tmp_path):
    out = tmp_path / "out"
    _publish(out, "old")
    stale = tmp_path / f".out.staging-999999999-{mark('.out.staging-')}"
    stale.mkdir()
    (stale / "half.txt").write_text("a killed run's")
    _publish(out)
    assert not stale.exists()
