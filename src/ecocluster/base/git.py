"""Which lines of a package's files a change touched, from `git diff -U0` (for `validate
--changed-from`, which puts the errors on those lines first)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from ..errors import GitError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile(rb"\\([0-7]{3}|.)")
_C_ESCAPES = {b"a": b"\a", b"b": b"\b", b"t": b"\t", b"n": b"\n", b"v": b"\v", b"f": b"\f", b"r": b"\r"}


def _unquote(name: str) -> str:
    """A path as git prints it: C-quoted (`"data/caf\\303\\251.csv"`) when it holds unusual bytes."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    raw = name[1:-1].encode("utf-8", "surrogateescape")

    def one(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        return bytes([int(code, 8)]) if len(code) == 3 else _C_ESCAPES.get(code, code)

    return _OCTAL.sub(one, raw).decode("utf-8", "replace")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), "-c", "core.quotePath=false", *args],
                              capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GitError(f"git failed in {root}: {e}") from e


def changed_lines(root: str | Path, ref: str) -> set[tuple[str, int]]:
    """`(path, line)` for every line of the working tree under `root` that differs from `ref`, the
    path relative to `root` (as a package names its files). Lines removed leave no line to point at.
    Raises GitError when git is missing, `root` is not in a repository or `ref` is not a commit."""
    if shutil.which("git") is None:
        raise GitError("git is not installed, so the changed lines are unknown")
    if not ref or ref.startswith("-"):
        raise GitError(f"`{ref}` is not a git revision")
    found = _git(Path(root), "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}")
    if found.returncode != 0:
        raise GitError(f"`{ref}` is not a commit of the repository at {root}")
    done = _git(Path(root), "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
                "--relative", "--src-prefix=a/", "--dst-prefix=b/", "-U0", found.stdout.decode().strip(), "--", ".")
    if done.returncode != 0:
        raise GitError(f"git diff failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    lines: set[tuple[str, int]] = set()
    path: str | None = None
    for raw in done.stdout.decode("utf-8", "surrogateescape").splitlines():
        if raw.startswith("+++ "):
            name = _unquote(raw[4:].rstrip("\t"))
            path = None if name == "/dev/null" else name.removeprefix("b/")
        elif path is not None and (m := _HUNK.match(raw)):
            start, count = int(m.group(1)), int(m.group(2) or 1)
            lines.update((path, n) for n in range(start, start + count))
    return lines
