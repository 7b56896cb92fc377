"""Faults while writing (issue 15): a full disk or a file-size limit gives a coded error naming the
file, with a hint and no traceback, and changes nothing; `fmt` keeps a file's mode and owner; what
a process killed mid-write leaves (temps, a docs journal) is cleaned up or finished by the next run."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzzcases import base
from outputs import leftovers, tree

import ecocluster
from ecocluster.base.files import JOURNAL
from ecocluster.cli import main


class _FullDisk:
    """A file open for writing on a full disk: the first write fails, as the OS says ENOSPC."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def _full_disk_for(monkeypatch, prefix: str) -> None:
    """Writing the temp file of the target named `prefix...` fails as on a full disk (every writer
    opens its file with open(), pathlib's write_text and write_bytes included)."""
    import builtins
    import io

    real = builtins.open

    def fake(file, mode="r", *args, **kwargs):
        fh = real(file, mode, *args, **kwargs)
        name = os.path.basename(os.fsdecode(file)) if isinstance(file, str | bytes | os.PathLike) else ""
        if name.startswith(f".{prefix}.") and name.endswith(".tmp") and any(m in mode for m in "wax"):
            return _FullDisk(fh)
        return fh

    monkeypatch.setattr(builtins, "open", fake)
    monkeypatch.setattr(io, "open", fake)


def _csv_pkg(root: Path) -> Path:
    base(root)
    csv = root / "data" / "sources.csv"
    csv.write_bytes(csv.read_bytes().replace(b"\n", b"\r\n"))  # not canonical: fmt rewrites it
    return root


@pytest.mark.parametrize(("command", "written"), [
    (["build"], "manifest.json"),
    (["build"], "ecocluster.sql"),
    (["export", "--to", "sql"], "ecocluster.sql"),
])
def test_a_full_disk_during_build_or_export_is_a_coded_error_and_changes_nothing(tmp_path, monkeypatch,
                                                                                  command, written):
    pkg = base(tmp_path / "pkg")
    out = tmp_path / "out"
    ecocluster.build(pkg, out)
    before = tree(tmp_path)
    _full_disk_for(monkeypatch, written)
    result = CliRunner().invoke(main, [*command, "--out", str(out), str(pkg)])
    assert result.exit_code == 1
    name = out / written
    assert result.stderr.splitlines() == [f"error: cannot write {name}: No space left on device",
                                          "hint: the disk is full: free some space (or write to another disk "
                                          "with --out) and rerun."]
    assert "Traceback" not in result.output
    assert tree(tmp_path) == before and leftovers(out) == []


def test_a_full_disk_during_fmt_names_the_file_and_leaves_it_and_no_temp(tmp_path, monkeypatch):
    pkg = _csv_pkg(tmp_path / "pkg")
    before = tree(tmp_path)
    _full_disk_for(monkeypatch, "sources.csv")
    result = CliRunner().invoke(main, ["fmt", str(pkg)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write {pkg / 'data' / 'sources.csv'}: No space left on device\n"
                                    "hint: the disk is full")
    assert tree(tmp_path) == before


def test_a_full_disk_during_docs_writes_nothing(tmp_path, monkeypatch):
    pkg = base(tmp_path / "pkg")
    docs = pkg / "docs"
    docs.mkdir()
    (docs / "data-dictionary.md").write_text("stale\n")
    (docs / "er-diagram.mmd").write_text("stale\n")
    monkeypatch.setattr("ecocluster.curation.docgen._stale_pictures", lambda texts, out_dir, force=False: [])
    before = tree(tmp_path)
    _full_disk_for(monkeypatch, "er-diagram.mmd")
    result = CliRunner().invoke(main, ["docs", str(pkg), "--out", str(docs), "--readme", str(pkg / "README.md")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write {docs / 'er-diagram.mmd'}: No space left on device\n")
    assert tree(tmp_path) == before


def _limit_file_size(limit: int):
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_file_size_limit_in_a_real_build_is_a_coded_error_and_changes_nothing(tmp_path):
    pytest.importorskip("resource", reason="RLIMIT_FSIZE needs a POSIX system")
    pkg = base(tmp_path / "pkg")
    out = tmp_path / "out"
    ecocluster.build(pkg, out)
    before = tree(tmp_path)
    done = subprocess.run([sys.executable, "-m", "ecocluster", "build", "--quiet", "--out", str(out), str(pkg)],
                          capture_output=True, text=True, preexec_fn=_limit_file_size(150_000), check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    # DuckDB quotes the OS (EFBIG); SQLite says only "database or disk is full", taken as ENOSPC
    efbig = [f"error: cannot write {out / 'ecocluster.duckdb'}: File too large",
             "hint: the file is larger than this process may write (`ulimit -f`): raise the limit and rerun."]
    enospc = [f"error: cannot write {out / 'ecocluster.sqlite'}: No space left on device",
              "hint: the disk is full: free some space (or write to another disk with --out) and rerun."]
    assert done.stderr.splitlines() in (efbig, enospc), done.stderr
    assert tree(tmp_path) == before and leftovers(out) == []


def test_fmt_keeps_the_mode_and_owner_of_the_file_it_rewrites(tmp_path):
    pkg = _csv_pkg(tmp_path / "pkg")
    csv = pkg / "data" / "sources.csv"
    os.chmod(csv, 0o600)
    owner = (12345, 12345) if os.geteuid() == 0 else (os.getuid(), os.getgid())  # only root may give files away
    os.chown(csv, *owner)
    result = CliRunner().invoke(main, ["fmt", str(pkg)])
    assert result.exit_code == 0 and result.stdout.startswith("reformatted ")
    st = os.stat(csv)
    assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o600, *owner)
    assert b"\r\n" not in csv.read_bytes()


def _killed_mid_write(target: Path) -> None:
    """A real process killed with SIGKILL while writing `target` through ecocluster.base.files."""
    code = ("import os, signal, sys; from ecocluster.base.files import atomic_path; "
            "tmp = atomic_path(sys.argv[1]).__enter__(); tmp.write_text('half'); os.kill(os.getpid(), signal.SIGKILL)")
    assert subprocess.run([sys.executable, "-c", code, str(target)], check=False).returncode == -signal.SIGKILL


def test_temps_of_a_fmt_killed_mid_write_are_gone_after_the_next_run(tmp_path):
    pkg = _csv_pkg(tmp_path / "pkg")
    data = pkg / "data"
    _killed_mid_write(data / "sources.csv")
    _killed_mid_write(data / "organisations.csv")  # a file fmt leaves alone: its temp goes too
    assert len(list(data.glob(".*.tmp"))) == 2
    rng = random.Random(3)
    for _ in range(6):  # and real `ecocluster fmt` runs killed at random instants
        proc = subprocess.Popen([sys.executable, "-m", "ecocluster", "fmt", str(pkg)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=rng.uniform(0.05, 1.5))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        _csv_pkg_again(data)
    result = CliRunner().invoke(main, ["fmt", str(pkg)])
    assert result.exit_code == 0
    assert [p.name for p in data.iterdir() if p.name.startswith(".")] == []
    assert b"\r\n" not in (data / "sources.csv").read_bytes()


def _csv_pkg_again(data: Path) -> None:
    csv = data / "sources.csv"
    raw = csv.read_bytes()
    if b"\r\n" not in raw:
        csv.write_bytes(raw.replace(b"\n", b"\r\n"))


def test_a_docs_run_killed_while_renaming_is_finished_by_the_next(tmp_path, monkeypatch):
    from ecocluster.base.files import write_all
    from ecocluster.curation.docgen import generate_docs, generate_texts

    pkg = base(tmp_path / "pkg")
    docs = pkg / "docs"
    docs.mkdir()
    texts = generate_texts(pkg)
    names = sorted(texts)
    for name in names:
        (docs / name).write_text("stale\n")
    real_replace = os.replace
    renamed: list[str] = []

    def killed_after_two(src, dst):  # as a kill -9 after the second rename: the rest never happen
        if str(dst).endswith(JOURNAL) or len(renamed) < 2:
            renamed.append(str(dst))
            return real_replace(src, dst)
        raise SystemExit("killed")

    monkeypatch.setattr(os, "replace", killed_after_two)
    with pytest.raises(SystemExit):
        write_all({docs / n: texts[n].encode() for n in names}, docs)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (docs / JOURNAL).exists()
    states = {n: (docs / n).read_text() == texts[n] for n in names}
    assert sorted(states.values()) == [False, False, False, True]  # each file old or new, never torn
    assert json.loads((docs / JOURNAL).read_text())["pid"] == os.getpid()
    monkeypatch.setattr("ecocluster.curation.docgen._stale_pictures", lambda texts, out_dir, force=False: [])
    generate_docs(pkg, docs)  # the next run finishes the renames first (else the temps and journal would stay)
    assert all((docs / n).read_text() == texts[n] for n in names)
    assert [p.name for p in docs.iterdir() if p.name.startswith(".")] == []
