"""Special files are refused with a file-level code that says what they are, without blocking (issue 28,
class 5): a FIFO nobody writes to, a socket, a character device that never ends (/dev/zero's numbers),
a folder, in the place of a CSV or a Table Schema. Every command answers at once; each runs in a
subprocess with a timeout, so a regression fails instead of hanging the suite."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pkgedits import VALID, package

from ecocluster.validation import validate

TIMEOUT = 60  # seconds; each answer comes in one or two


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))  # the file stays after the socket is closed
    s.close()


def _device(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device file needs the superuser")
    os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))  # a character device: /dev/zero's numbers


def _folder(path: Path) -> None:
    path.mkdir()


KINDS = {"fifo": (_fifo, "a FIFO (named pipe)"), "socket": (_socket, "a socket"),
         "device": (_device, "a character device"), "folder": (_folder, "a folder")}


def _special_csv(tmp_path: Path, kind: str, table: str = "people") -> Path:
    root = package(tmp_path, [])
    csv = root / "data" / f"{table}.csv"
    csv.unlink()
    KINDS[kind][0](csv)
    return root


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "ecocluster", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False, cwd=cwd)
    assert time.monotonic() - started < TIMEOUT
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


@pytest.mark.parametrize("kind", KINDS)
def test_a_special_csv_is_file_special_not_missing(tmp_path, kind):
    root = _special_csv(tmp_path, kind)
    done = _run("validate", str(root), "--format", "json")
    assert done.returncode == 1, done.stderr
    errors = json.loads(done.stdout)["errors"]
    special = [e for e in errors if e["resource"] == "people" and e["code"].startswith("file-")]
    assert [e["code"] for e in special] == ["file-special"]
    assert special[0]["message"] == f"data/people.csv is {KINDS[kind][1]}, not a regular file"


@pytest.mark.parametrize("command", [["fmt", "--check"], ["fmt"], ["describe"], ["export", "--to", "jsonl", "--out"],
                                     ["build", "--out"], ["diff", str(VALID)]])
def test_every_command_answers_at_once_on_a_fifo_csv(tmp_path, command):
    root = _special_csv(tmp_path, "fifo")
    args = [*command, str(tmp_path / "out")] if command[-1] == "--out" else command
    done = _run(*args, str(root))
    assert done.returncode in (1, 2), (done.returncode, done.stderr)
    assert "FIFO" in done.stderr or "file-special" in done.stderr, done.stderr


def test_fmt_check_names_the_fifo_and_leaves_it(tmp_path):
    root = _special_csv(tmp_path, "fifo")
    done = _run("fmt", "--check", str(root))
    assert done.returncode == 1
    assert "people.csv: not a regular file but a FIFO (named pipe) (left unchanged)" in done.stderr
    assert (root / "data" / "people.csv").is_fifo()


def test_a_schema_that_is_a_fifo_is_refused_at_once(tmp_path):
    root = package(tmp_path, [])
    (root / "schemas" / "people.schema.json").unlink()
    os.mkfifo(root / "schemas" / "people.schema.json")
    done = _run("validate", str(root))
    assert done.returncode == 2
    assert "people.schema.json` is a FIFO (named pipe), not a regular file" in done.stdout + done.stderr


def test_a_fifo_csv_in_the_library_is_reported_without_waiting(tmp_path):
    root = _special_csv(tmp_path, "fifo", "organisations")
    code = ("from ecocluster.validation import validate\n"
            f"r = validate({str(root)!r})\n"
            "print(sorted({e.code for e in r.errors if e.resource == 'organisations'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.stdout.strip() == "['file-special']", done.stderr


def test_a_regular_csv_is_still_read(tmp_path):
    assert validate(package(tmp_path, [])).ok


def test_a_previous_build_whose_history_is_a_fifo_is_refused_at_once(tmp_path):
    from ecocluster.release.changes import HISTORY

    root = package(tmp_path, [])
    previous = tmp_path / "previous"
    done = _run("build", "--quiet", "--out", str(previous), str(root))
    assert done.returncode == 0, done.stderr
    (previous / HISTORY).parent.mkdir(exist_ok=True)
    (previous / HISTORY).unlink(missing_ok=True)
    os.mkfifo(previous / HISTORY)
    done = _run("build", "--out", str(tmp_path / "out"), "--previous", str(previous), str(root))
    assert done.returncode == 2 and "is a FIFO (named pipe), not a regular file" in done.stderr, done.stderr
