"""Publishing a build (ecocluster.release.publish): the output folder holds the complete old build or the
complete new one at every instant, for a process killed at any moment and for a reader during the
swap; what is not ours is kept; what killed runs leave is cleaned up; a name in the way is refused
before anything changes."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzzcases import base
from outputs import complete, leftovers, tree

import ecocluster
from ecocluster.cli import main
from ecocluster.errors import ExportError
from ecocluster.release import publish

KILLS = 16  # kill -9 at random instants of a real `ecocluster build`, besides the two aimed at the swap


def _pkg(root: Path, title: str) -> Path:
    base(root)
    dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    dp["title"] = title
    (root / "datapackage.json").write_text(json.dumps(dp, indent=1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def pkgs(tmp_path_factory) -> tuple[Path, Path]:
    """Two packages that build differently (their titles, hence the manifest, site and zip differ)."""
    tmp = tmp_path_factory.mktemp("pkgs")
    return _pkg(tmp / "a", "Build A"), _pkg(tmp / "b", "Build B")


def _spawn(pkg: Path, out: Path, pause: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, publish.PAUSE_ENV: str(pause)} if pause else dict(os.environ)
    return subprocess.Popen([sys.executable, "-m", "ecocluster", "build", "--quiet", "--out", str(out), str(pkg)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _title(out: Path) -> str:
    return complete(out)["title"]


def _wait_for(condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


@pytest.mark.slow
def test_a_build_killed_at_any_instant_leaves_the_old_build_or_the_new_one(tmp_path, pkgs):
    a, b = pkgs
    out = tmp_path / "out"
    ecocluster.build(a, out)
    titles = {"Build A: build outputs", "Build B: build outputs"}
    start = time.monotonic()
    assert _spawn(b, out).wait() == 0  # how long one run takes, uncut
    duration = time.monotonic() - start
    rng = random.Random(7)
    landed = 0
    # The uncut run's time is only a guess on a shared machine: a kill that comes after its build
    # finished is tried again (up to three times as many attempts), so that KILLS kills hit running builds.
    for k in range(3 * KILLS):
        proc = _spawn(a if k % 2 else b, out, pause=rng.choice([0.0, 0.1]))
        time.sleep(rng.uniform(0, duration * 1.2))
        proc.kill()
        landed += proc.wait() == -9
        assert _title(out) in titles, k  # complete: exactly the files the manifest lists, hashes matching
        if landed == KILLS:
            break
    assert landed >= KILLS // 2  # most kills hit a running build, not one that had finished

    # aimed: killed while sleeping just before the swap (the new build is complete in its staging folder)
    before = _title(out)
    proc = _spawn(b if before.startswith("Build A") else a, out, pause=30)
    _wait_for(lambda: any((p / "manifest.json").exists() for p in out.parent.glob(f".{out.name}.staging-*")))
    proc.kill()
    proc.wait()
    assert _title(out) == before
    # aimed: killed just after the swap, before the old build is removed
    proc = _spawn(b if before.startswith("Build A") else a, out, pause=30)
    _wait_for(lambda: json.loads((out / "manifest.json").read_bytes())["title"] != before)  # the manifest alone:
    # reading the files by path too while the swap happens could straddle it (see ecocluster.release.publish)
    proc.kill()
    proc.wait()
    assert _title(out) in titles - {before}
    assert leftovers(out)  # the old build, where the killed run had swapped it
    # the next run removes what the killed ones left
    assert _spawn(a, out).wait() == 0
    assert _title(out) == "Build A: build outputs"
    assert leftovers(out) == []


def test_a_reader_during_repeated_builds_never_sees_a_mix(tmp_path, pkgs):
    a, b = pkgs
    out = tmp_path / "out"
    ecocluster.build(a, out)
    stop = threading.Event()
    seen: dict[str, int] = {}
    mixes: list[str] = []

    def reader() -> None:  # opens the folder once per look, as a reader that cd's into it does
        import hashlib

        while not stop.is_set():
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
            try:
                def opener(name, flags, fd=fd):
                    return os.open(name, flags, dir_fd=fd)

                with open("manifest.json", "rb", opener=opener) as fh:
                    manifest = json.load(fh)
                for r in manifest["resources"]:
                    with open(r["path"], "rb", opener=opener) as fh:
                        if "sha256:" + hashlib.file_digest(fh, "sha256").hexdigest() != r["hash"]:
                            mixes.append(r["path"])
                seen[manifest["title"]] = seen.get(manifest["title"], 0) + 1
            except FileNotFoundError:  # the old build, being removed after a swap: missing, never different
                seen["gone"] = seen.get("gone", 0) + 1
            finally:
                os.close(fd)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for k in range(6):
            ecocluster.build(b if k % 2 == 0 else a, out)
    finally:
        stop.set()
        thread.join()
    assert mixes == []
    assert seen.get("Build A: build outputs", 0) and seen.get("Build B: build outputs", 0), seen


def test_what_is_not_ours_is_kept_and_what_the_last_build_wrote_is_replaced(tmp_path, pkgs):
    a, b = pkgs
    out = tmp_path / "out"
    ecocluster.build(a, out)
    (out / "NOTES.md").write_text("mine\n")
    (out / "jsonl" / "mine.txt").write_text("mine too\n")
    (out / "empty").mkdir()
    (out / "link").symlink_to("NOTES.md")
    manifest = json.loads((out / "manifest.json").read_text())  # a file the previous build wrote, not this one
    (out / "jsonl" / "gone.jsonl").write_text("{}\n")
    manifest["resources"].append({"path": "jsonl/gone.jsonl"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    os.chmod(out, 0o750)
    ecocluster.build(b, out)
    assert (out / "NOTES.md").read_text() == "mine\n" and (out / "jsonl" / "mine.txt").read_text() == "mine too\n"
    assert (out / "empty").is_dir() and os.readlink(out / "link") == "NOTES.md"
    assert not (out / "jsonl" / "gone.jsonl").exists()
    assert os.stat(out).st_mode & 0o777 == 0o750
    listed = {r["path"] for r in json.loads((out / "manifest.json").read_text())["resources"]}
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir()} - listed == {
        "manifest.json", "releases.json", "NOTES.md", "jsonl/mine.txt", "link"}
    assert leftovers(out) == []


def test_export_never_replaces_what_a_build_lists_in_its_manifest(tmp_path, pkgs):
    """The manifest, the site's downloads and the zip would describe files no longer there."""
    out = tmp_path / "out"
    ecocluster.build(pkgs[0], out)
    before = tree(tmp_path)
    hint = "hint: run `ecocluster build` to write the whole folder again, or export into another folder.\n"
    for fmt, named in (("sqlite", "ecocluster.sqlite"), ("jsonl", "jsonl/org_relations.jsonl and 2 more of its files")):
        result = CliRunner().invoke(main, ["export", "--to", fmt, "--out", str(out), str(pkgs[1])])
        assert result.exit_code == 2, result.output
        assert result.stderr == (f"error: the output folder {out} holds a build: its manifest.json lists {named}, "
                                 "which this export would replace, leaving the manifest's hashes and the site's "
                                 "downloads out of date\n" + hint)
        assert tree(tmp_path) == before and leftovers(out) == []
    # a format the build left out may be added: the manifest stays true of every file it lists
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["resources"] = [r for r in manifest["resources"] if not r["path"].startswith("popolo/")]
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "popolo" / "popolo.json").unlink()
    result = CliRunner().invoke(main, ["export", "--to", "popolo", "--out", str(out), str(pkgs[1])])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out / 'popolo' / 'popolo.json'}\n"
    # a folder whose manifest cannot be read is not a build's
    (out / "manifest.json").write_text("{not json")
    result = CliRunner().invoke(main, ["export", "--to", "sqlite", "--out", str(out), str(pkgs[1])])
    assert result.exit_code == 0, result.output


def test_a_symlinked_output_folder_stays_a_link(tmp_path, pkgs):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    ecocluster.build(pkgs[0], tmp_path / "link")
    assert (tmp_path / "link").is_symlink() and _title(real) == "Build A: build outputs"


@pytest.mark.parametrize("squat", ["ecocluster.sqlite/", "site", "parquet", "jsonl/sources.jsonl/", "manifest.json/"])
@pytest.mark.parametrize("command", [["build"], ["export", "--to", "all"]])
def test_a_name_in_the_way_is_refused_before_anything_changes(tmp_path, pkgs, squat, command):
    out = tmp_path / "out"
    ecocluster.build(pkgs[0], out)
    target = out / squat.rstrip("/")
    if target.is_dir():
        import shutil

        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    if squat.endswith("/"):
        (target / "inside").mkdir(parents=True)
        (target / "inside" / "keep.txt").write_text("keep")
    else:
        target.write_text("a file where a folder goes")
    if command[0] == "export":
        if squat.startswith("manifest"):
            return  # export writes no manifest: nothing is in its way
        (out / "manifest.json").unlink()  # no longer a build, whose files export refuses to replace
    before = tree(tmp_path)
    result = CliRunner().invoke(main, [*command, "--out", str(out), str(pkgs[1])])
    assert result.exit_code == 2, result.output
    assert f"error: {target} is a " in result.stderr and "nothing in" in result.stderr
    assert "Traceback" not in result.output
    assert tree(tmp_path) == before  # nothing changed, no staging folder left


def test_building_into_the_parent_of_a_package_folder_named_like_an_output_is_refused(tmp_path):
    pkg = _pkg(tmp_path / "x" / "parquet", "A package in a folder called parquet")
    before = tree(tmp_path)
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "x"), str(pkg)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: the output folder {tmp_path / 'x'} holds the package's own file ")
    assert tree(tmp_path) == before


def _left(prefix: str, pid: int = 999_999_999) -> str:
    """The name of a folder a run of this user made (ecocluster.base.tokens), with the pid of a dead run."""
    from ecocluster.base.tokens import mark

    return f"{prefix}{pid}-{mark(prefix)}"


def test_the_next_run_removes_stale_staging_folders_but_not_a_live_one(tmp_path, pkgs):
    out = tmp_path / "out"
    ecocluster.build(pkgs[0], out)
    dead = [tmp_path / _left(".out.staging-"), tmp_path / _left(".out.old-"), out / _left(".staging-")]
    for d in dead:
        (d / "sub").mkdir(parents=True)
        (d / "sub" / "f").write_text("left by a killed run")
    live = tmp_path / _left(".out.staging-", pid=1)
    live.mkdir()
    hold = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); "
            "print('locked', flush=True); time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        ecocluster.build(pkgs[1], out)
        assert [d for d in dead if d.exists()] == []
        assert live.is_dir()  # a concurrent run's staging folder: its owner holds the lock
    finally:
        holder.kill()
        holder.wait()
    ecocluster.build(pkgs[1], out)
    assert not live.exists() and leftovers(out) == []


def test_an_output_folder_moved_aside_by_a_killed_run_is_put_back_first(tmp_path, pkgs, monkeypatch):
    import ecocluster.exports.xlsx as xlsx

    out = tmp_path / "out"
    ecocluster.build(pkgs[0], out)
    (out / "NOTES.md").write_text("mine\n")
    os.rename(out, tmp_path / _left(".out.old-"))  # the `rename` fallback, killed between its two renames
    out.mkdir()  # what check_out_dir makes of a missing folder; empty, so the old one may take its place

    def fail(tables, out_dir):
        raise RuntimeError("stop")

    monkeypatch.setattr(xlsx, "export", fail)
    with pytest.raises(ExportError):
        ecocluster.build(pkgs[1], out)
    assert (out / "NOTES.md").read_text() == "mine\n"
    (out / "NOTES.md").unlink()
    assert _title(out) == "Build A: build outputs" and leftovers(out) == []


@pytest.mark.parametrize("method", ["rename", "in-place"])
def test_the_fallbacks_publish_whole_builds_and_say_so(tmp_path, pkgs, monkeypatch, method):
    if method == "rename":
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)  # no renameat2, or EINVAL
    else:
        monkeypatch.setattr(publish, "_sibling_possible", lambda out: False)  # a mount point, a read-only parent
    out = tmp_path / "out"
    ecocluster.build(pkgs[0], out)
    (out / "NOTES.md").write_text("mine\n")
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "jsonl" / "gone.jsonl").write_text("{}\n")
    manifest["resources"].append({"path": "jsonl/gone.jsonl"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    said: list[str] = []
    ecocluster.build(pkgs[1], out, progress=said.append)
    assert f"published: {publish.METHODS[method]}" in said
    assert (out / "NOTES.md").read_text() == "mine\n" and not (out / "jsonl" / "gone.jsonl").exists()
    (out / "NOTES.md").unlink()
    assert _title(out) == "Build B: build outputs" and leftovers(out) == []
    (out / "site").rename(tmp_path / "site")  # a name in the way, in this method too: refused, nothing changed
    (out / "site").write_text("x")
    before = tree(tmp_path)
    with pytest.raises(publish.OutputPathError):
        ecocluster.build(pkgs[0], out)
    assert tree(tmp_path) == before


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux's")
def test_the_exchange_is_what_linux_uses_and_it_goes_unannounced(tmp_path, pkgs, monkeypatch):
    real, results = publish._exchange, []
    monkeypatch.setattr(publish, "_exchange", lambda a, b: results.append(real(a, b)) or results[-1])
    said: list[str] = []
    out = tmp_path / "out"
    ecocluster.build(pkgs[0], out)
    ecocluster.build(pkgs[1], out, progress=said.append)
    assert results == [True, True] and not [m for m in said if m.startswith("published")]
    assert complete(out)["title"] == "Build B: build outputs"


@pytest.mark.parametrize("in_place", [False, True])
def test_a_hostile_previous_manifest_cannot_drop_files_outside_the_folder(tmp_path, pkgs, monkeypatch, in_place):
    if in_place:
        monkeypatch.setattr(publish, "_sibling_possible", lambda out: False)
    out = tmp_path / "out"
    ecocluster.build(pkgs[0], out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "elsewhere").symlink_to(tmp_path)  # someone's link out of the folder
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["resources"] += [{"path": p} for p in ["../victim.txt", str(victim), "jsonl/../../victim.txt",
                                                     "elsewhere/victim.txt", None, 7]]
    (out / "manifest.json").write_text(json.dumps(manifest))
    ecocluster.build(pkgs[1], out)
    assert victim.read_text() == "keep me" and (out / "elsewhere").is_symlink()
