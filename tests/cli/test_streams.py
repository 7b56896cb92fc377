"""Streams (issue 28, class 6): a closed or broken stdout or stderr ends a command quietly, with the
documented exit code (docs/cli.md, "Output streams"), and the output folder whole; an output encoding
that lacks a character gets an escape, not an error. Each case runs the real console entry point in a
subprocess, where the standard streams are the operating system's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fuzzcases import base
from outputs import complete
from pkgedits import package, shipped_copy, sub

TIMEOUT = 300


def _sh(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`script` run by sh with $0 the Python interpreter, so `"$0" -m ecocluster …` is the command."""
    return subprocess.run(["sh", "-c", script, sys.executable, *args], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False, env={**os.environ, **(env or {})})


def _quiet(stderr: str) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr and "Exception ignored" not in stderr, stderr


@pytest.fixture(scope="module")
def pkgs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("streams")
    bad = package(tmp / "bad", [sub("organisations", "Busan Metropolitan City", " Busan Metropolitan City")])
    return {"good": base(tmp / "good"), "bad": bad}


@pytest.mark.parametrize(("command", "expected"), [
    (["validate", "{good}"], 0), (["validate", "{bad}"], 1), (["validate", "{bad}", "--format", "json"], 1),
    (["describe", "{good}"], 0), (["diff", "{good}", "{bad}"], 0), (["fmt", "--check", "{good}"], 0),
])
def test_a_closed_stdout_is_quiet_and_keeps_the_exit_code(pkgs, command, expected):
    args = [a.format(**pkgs) for a in command]
    done = _sh('"$0" -m ecocluster "$@" >&-', *args)
    assert done.returncode == expected, done.stderr
    _quiet(done.stderr)


@pytest.mark.parametrize("closed", [">&-", "2>&-", ">&- 2>&-"])
def test_a_good_build_with_a_closed_stream_succeeds_and_writes_only_its_files(pkgs, tmp_path, closed):
    out = tmp_path / "out"
    done = _sh(f'"$0" -m ecocluster build --out "$1" "$2" {closed}', str(out), str(pkgs["good"]))
    assert done.returncode == 0, done.stderr
    _quiet(done.stderr)
    complete(out)  # exactly the files the manifest lists, each with its hash: no text meant for a stream
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_bad_build_with_a_closed_stderr_still_fails(pkgs, tmp_path):
    done = _sh('"$0" -m ecocluster build --out "$1" "$2" 2>&-', str(tmp_path / "out"), str(pkgs["bad"]))
    assert done.returncode == 1


def _cut_off(args: list[str], after: int = 10) -> tuple[int, str]:
    """Run `ecocluster ARGS`, read `after` bytes of its stdout, then close it (as `| head -c` does)."""
    proc = subprocess.Popen([sys.executable, "-m", "ecocluster", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    if after:
        proc.stdout.read(after)
    proc.stdout.close()  # with `after` 0, before the command has written anything
    err = proc.stderr.read().decode("utf-8", "replace")
    return proc.wait(timeout=TIMEOUT), err


def test_a_reader_that_stops_reading_ends_the_command_quietly_with_exit_1(tmp_path):
    root = shipped_copy(tmp_path / "pkg")
    code, err = _cut_off(["validate", str(root), "--format", "json"], after=10)
    # the shipped package is valid: its report is short, and may well be written whole before the
    # reader stops; the exit code is then the report's. A long listing is cut off for sure:
    assert code in (0, 1)
    _quiet(err)
    big = package(tmp_path / "big", [lambda r: (r / "data" / "people.csv").write_text(
        (r / "data" / "people.csv").read_text(encoding="utf-8")
        + "".join(f"person-x{i},  Name {i}  ,,,,\n" for i in range(3000)), encoding="utf-8")])
    code, err = _cut_off(["validate", str(big)], after=10)
    assert code == 1
    _quiet(err)
    assert err == ""  # quietly: no message about the pipe


def test_a_build_whose_reader_stops_is_published_whole(pkgs, tmp_path):
    out = tmp_path / "out"
    code, err = _cut_off(["build", "--out", str(out), "--format", "json", str(pkgs["good"])], after=0)
    assert code == 1  # the manifest printed on stdout did not all arrive
    _quiet(err)
    complete(out)


@pytest.mark.parametrize("command", [["validate", "{bad}"], ["validate", "{bad}", "--format", "json"],
                                     ["diff", "{good}", "{korean}"], ["describe", "{korean}"]])
def test_an_encoding_without_the_characters_gets_escapes(pkgs, tmp_path, command):
    korean = shipped_copy(tmp_path / "korean")
    pkgs = {**pkgs, "korean": str(korean)}
    args = [a.format(**pkgs) for a in command]
    done = subprocess.run([sys.executable, "-m", "ecocluster", *args], capture_output=True, timeout=TIMEOUT,
                          check=False, env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    stderr = done.stderr.decode("latin-1")
    _quiet(stderr)
    assert done.returncode in (0, 1), stderr
    if command[0] == "diff":
        assert b"\\u" in done.stdout  # Korean names of the shipped package, written as escapes
    done.stdout.decode("latin-1")  # and every byte is latin-1
