"""Writing files so that nothing is ever half-written: a temp file in the target folder, then rename.

Every temp file is named `.<target name>.<pid>.<random>.tmp`, beside its target. A process killed
before its rename leaves one behind; the next write of the same target (and `fmt` and `docs`, for
every file they own) removes those of processes that are no longer running (`remove_stale_temps`).
A file that is rewritten keeps its permission bits and, where the OS allows, its owner and group.
A failure to write (a full disk, a file too large, a read-only folder) is raised as WriteError,
naming the file and the OS's reason.

The folders of many files `build` and `export` write are published in one step by
ecocluster.release.publish.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import OS_HINTS, EcoclusterError, OutputPathError, WriteError
from .paths import usable_output


def engine_errno(message: str) -> int | None:
    """The errno an engine's error message reports, for the failures a hint is known for: the OS's own
    words (DuckDB quotes them) or SQLite's "database or disk is full"."""
    if "disk is full" in message:
        return errno.ENOSPC
    return next((code for code in OS_HINTS if os.strerror(code) in message), None)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # someone else's process, or not a pid at all
        return pid > 0
    return True


def remove_stale_temps(target: str | Path) -> list[Path]:
    """Remove the temp files `atomic_path` left beside `target` in a process that has died."""
    target = Path(target)
    return _sweep(target.parent, re.escape(f".{target.name}."))


def sweep_folder(folder: str | Path) -> list[Path]:
    """Remove the temp files `atomic_path` left in `folder`, for any target, in processes that have died:
    one look at the folder for a writer of many files there (then `atomic_path(…, sweep=False)`)."""
    return _sweep(Path(folder), r"\..+\.")


def _sweep(folder: Path, head: str) -> list[Path]:
    pattern = re.compile(head + r"(\d+)\.[A-Za-z0-9_]+\.tmp")
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:  # no folder yet, or not readable: nothing of ours can be there
        return removed
    for name in names:
        m = pattern.fullmatch(name)
        if m and int(m.group(1)) != os.getpid() and not pid_alive(int(m.group(1))):
            try:
                (folder / name).unlink()
                removed.append(folder / name)
            except FileNotFoundError:  # another run removed it first
                pass
    return removed


def _temp_beside(target: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(tmp)


def _take_mode(tmp: Path, target: Path) -> None:
    """Give the temp file the target's mode and owner when it exists, else what open() would give."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes the file private
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    try:
        os.chown(tmp, old.st_uid, old.st_gid)
    except OSError:  # only the superuser may give a file away; the mode is kept all the same
        pass


def _own(e: OSError, *paths: Path) -> bool:
    """Whether the OSError is about writing one of `paths` (or names no file), not a file read meanwhile."""
    return e.filename is None or Path(os.fsdecode(e.filename)) in paths


@contextmanager
def atomic_path(target: str | Path, sweep: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on error it is removed.

    The replaced file keeps `target`'s mode (and owner, where allowed). An OSError while writing is
    raised as WriteError naming `target`. `sweep=False` skips looking for dead runs' temp files, for
    a writer of thousands of files in one folder that has swept it once (`remove_stale_temps`).
    """
    target = Path(target)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if sweep:
            remove_stale_temps(target)
        tmp = _temp_beside(target)
        yield tmp
        _take_mode(tmp, target)
        os.replace(tmp, target)
    except OSError as e:
        if not _own(e, target, target.parent, *([tmp] if tmp else [])):
            raise
        raise WriteError(target, e) from e
    except EcoclusterError:
        raise
    except Exception as e:  # an engine writing the temp (SQLite, DuckDB) says a full disk in its own words
        code = engine_errno(str(e))
        if code is None:
            raise
        raise WriteError(target, OSError(code, os.strerror(code))) from e
    finally:
        if tmp is not None and os.path.lexists(tmp):
            tmp.unlink()


def current_umask() -> int:
    """The process's umask. Linux says it in /proc; elsewhere it is set and put back, which another
    thread (build writes two formats at once) could see for an instant, so /proc comes first."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: str | Path, text: str, sweep: bool = True) -> Path:
    """Write UTF-8 text with LF line endings, atomically."""
    with atomic_path(target, sweep) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def write_pieces(target: str | Path, pieces: Iterable[str]) -> Path:
    """Write UTF-8 text piece by piece (never whole in memory), with LF line endings, atomically."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for piece in pieces:
            fh.write(piece)
    return Path(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


JOURNAL = ".ecocluster-journal.json"
JOURNAL_BYTES = 1 << 20  # a list of a few dozen renames


def _token(st: os.stat_result) -> list[int]:
    """What proves a temp file is the one a run of ours wrote: its inode and the time of its last
    change (ctime), which the kernel sets and nothing can choose: not a checkout, not a pull request
    that adds a journal of its own."""
    return [st.st_ino, st.st_ctime_ns]


def _journal_entry(folder: Path) -> tuple[int, list[Any]] | None:
    """The journal in `folder`, read without following a link or blocking, or None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(folder / JOURNAL, flags)
    except OSError:  # none (or a link, a socket): nothing of ours to finish
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        raw = fh.read(JOURNAL_BYTES + 1)
    if len(raw) > JOURNAL_BYTES:
        return None
    try:
        entry = json.loads(raw.decode("utf-8"))
        pid, renames = int(entry["pid"]), list(entry["renames"])
    except (ValueError, KeyError, TypeError, RecursionError):  # not ours, or torn (written atomically: never)
        return None
    return pid, renames


def _ours(pid: int, rename: Any) -> tuple[Path, Path] | None:
    """A rename of the journal, when it moves a temp file of ours (named as `atomic_path` names them,
    beside its target, a regular file with the inode and change time recorded) onto its target."""
    try:
        temp, dest, token = Path(rename[0]), Path(rename[1]), [int(x) for x in rename[2]]
        st = os.lstat(temp)
    except (OSError, ValueError, TypeError, IndexError, KeyError):
        return None
    named = re.fullmatch(re.escape(f".{dest.name}.{pid}.") + r"[A-Za-z0-9_]+\.tmp", temp.name)
    if named and temp.parent == dest.parent and stat.S_ISREG(st.st_mode) and _token(st) == token:
        return temp, dest
    return None


def finish_journal(folder: str | Path) -> list[Path]:
    """Complete the renames a killed `write_all` had started (see there); returns the files renamed.

    Only renames that are provably ours are done (`_ours`): a journal shipped inside a package, or
    planted in the folder, names temps whose inode and change time it cannot know, so it renames,
    and deletes, nothing."""
    folder = Path(folder)
    found = _journal_entry(folder)
    if found is None:
        return []
    pid, renames = found
    if pid != os.getpid() and pid_alive(pid):  # that run is still going
        return []
    done, foreign = [], False
    for rename in renames:
        ours = _ours(pid, rename)
        if ours is None:  # renamed already, or not ours at all: then the journal is not ours either
            foreign = foreign or _names_a_file(rename)
            continue
        temp, dest = ours
        try:
            os.replace(temp, dest)
            done.append(dest)
        except OSError:  # the target became a folder meanwhile, say: keep the old file, drop the temp
            temp.unlink(missing_ok=True)
    if not foreign:  # a journal naming files that are not ours is left as it is, for its owner to see
        (folder / JOURNAL).unlink(missing_ok=True)
    return done


def _names_a_file(rename: Any) -> bool:
    try:
        return isinstance(rename[0], str) and os.path.lexists(rename[0])
    except (TypeError, ValueError, IndexError, KeyError):
        return False


def write_all(files: dict[Path, bytes], journal_folder: str | Path) -> None:
    """Write several files in separate folders all or nothing, as far as a file system allows.

    Each file goes to a temp beside its target first. Only when every temp is complete is a journal
    (the list of renames still to do) written into `journal_folder`, atomically; then each temp is
    renamed over its target, and the journal removed. A failure before the journal removes the
    temps and changes nothing. A kill before the journal leaves only temps, which the next run
    removes; a kill (or a failed rename) after it leaves each file old or new, and the next run's
    `finish_journal` completes the renames, so the files end all new. A reader during the renames
    can see some new and some old: they are separate files in a source tree, where no folder can be
    swapped.
    """
    temps: list[tuple[Path, Path]] = []
    journal = Path(journal_folder) / JOURNAL
    journaled = False
    try:
        for target, data in files.items():
            try:
                if target.is_dir():
                    raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
                target.parent.mkdir(parents=True, exist_ok=True)
                temp = _temp_beside(target)
                temps.append((temp, target))
                temp.write_bytes(data)
                _take_mode(temp, target)
            except OSError as e:
                raise WriteError(target, e) from e
        if not temps:
            return
        entry = {"pid": os.getpid(), "renames": [[str(t.absolute()), str(d.absolute()), _token(os.lstat(t))]
                                                 for t, d in temps]}
        write_text(journal, json.dumps(entry) + "\n")
        journaled = True
        for temp, dest in temps:
            try:
                os.replace(temp, dest)
            except OSError as e:
                error = WriteError(dest, e)
                error.hint = "rerun the same command: it finishes the renames it had started, then goes on."
                raise error from e
        journal.unlink(missing_ok=True)
    finally:
        if not journaled:
            for temp, _ in temps:
                temp.unlink(missing_ok=True)


def output_folder(out: str | Path, make: bool = True) -> Path:
    """The folder a command writes into, made if missing (with `make=False` only checked: a command that
    writes all or nothing makes it last); OutputPathError (exit 2: choose another folder) when it is a
    file, lies under a file, cannot be made or is not writable, or its name is too long or loops."""
    out = usable_output(out)
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"the output path {out} is a file, not a folder")
    if not make:
        existing = next((p for p in (out, *out.parents) if p.exists()), Path("."))
        if not existing.is_dir():
            raise OutputPathError(f"the output folder {out} cannot be created: {existing} is a file")
        if not os.access(existing, os.W_OK):
            raise OutputPathError(f"the output folder {out} is not writable")
        return out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputPathError(f"the output folder {out} cannot be created: {e.strerror}") from None
    if not os.access(out, os.W_OK):
        raise OutputPathError(f"the output folder {out} is not writable")
    return out
