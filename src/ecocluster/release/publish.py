"""Publishing a folder of outputs in one step: whoever opens it sees the old outputs or the new, never a mix.

`publication(out)` yields an empty staging folder, a sibling of `out` (`.<out>.staging-<pid>-<random>`
in the same parent, so on the same file system). The caller writes the complete new outputs there.
Then, holding a lock on the parent folder:

1. every entry of `out` that is not ours is carried over into the staging folder (hard-linked, or
   copied where a link is refused): files the caller did not write now and that the previous
   build's manifest does not list (`dropped`), say a README someone keeps in `build/`. A name
   that is a file on one side and a folder on the other is refused (OutputPathError) before
   anything in `out` changes;
2. the two folders are exchanged with Linux's `renameat2(RENAME_EXCHANGE)`: one system call, so at
   every instant the path `out` names either the complete old folder or the complete new one;
3. the old folder, now at the staging name, is removed.

A reader that opens the folder once (a directory descriptor, `cd`) sees one release throughout;
once the old one is removed its files are missing, never different. A reader that resolves
`out/...` afresh for each file can straddle a swap: manifest.json's hashes tell.

Where the exchange is not available, the fallback is said in `METHODS` and documented in the README
("Publishing"); it is never chosen silently: `progress` is told (`build` and `export` show it on a
terminal).

- `rename`: no renameat2 (not Linux, an old C library) or a file system that refuses the exchange
  (EINVAL). `out` is renamed aside to `.<out>.old-<pid>-<random>` and the new folder renamed into
  place: for an instant there is no `out` at all (still never a mix). A kill in that instant leaves
  `out` missing; the next run puts the old folder back before anything else.
- `in-place`: the parent folder cannot be written, or `out` is a mount point (a Docker volume), so
  no sibling can be made or swapped. Staging is then inside `out` and files are moved one by one:
  the old manifest first removed, the new one moved in last, so a manifest present always matches
  the files beside it; a kill in between leaves a folder without manifest.json (incomplete).

Stale staging folders (of a run killed with SIGKILL, a power cut) are removed by the next run: each
live run holds an `flock` on its staging folder, which the kernel releases when the process dies;
where a file system has no flock, the pid in the name is checked instead. A name of that shape is not
enough: every staging and old-output name carries a mark only this user's ecocluster can make
(`base.tokens`), and a folder is taken for ours only when its name verifies and this user owns it.
A user's own `build/.staging-notes/`, or a folder another user planted in a shared parent such as
/tmp under an old output's name, is never removed or adopted: it is carried over like any other.

Carried over means kept as it was: a file is hard-linked (the same inode: content, mode, owner and
times), or copied with its mode, owner and times where a link is refused; a folder of the user's is
made anew with its mode (special bits too: setgid, sticky), owner and times.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ..base.files import current_umask, pid_alive
from ..base.tokens import is_marked, mark
from ..errors import OutputPathError, WriteError

try:
    import fcntl
except ImportError:  # not a POSIX system: no locks; the pid in a staging folder's name tells runs apart
    fcntl = None  # type: ignore[assignment]

METHODS = {
    "new": "the folder did not exist: the new one was renamed into place in one step",
    "exchange": "the old and new folders were exchanged in one step (renameat2)",
    "rename": "no atomic exchange here: the folder was renamed aside, then the new one renamed into place "
              "(for an instant there was no folder; never a mix)",
    "in-place": "the folder's parent cannot hold a sibling (not writable, or the folder is a mount point): "
                "files were moved in one by one, the manifest last",
}
PAUSE_ENV = "ECOCLUSTER_TEST_PAUSE_PUBLISH"  # tests only: seconds to sleep just before and after the swap
RENAME_EXCHANGE = 2
O_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
AT_FDCWD = -100


def _stage_prefix(out: Path) -> str:
    return f".{out.name}.staging-"


def _aside_prefix(out: Path) -> str:
    return f".{out.name}.old-"


INSIDE_PREFIX = ".staging-"  # a staging folder inside `out`, where no sibling can be made


def _make(folder: Path, prefix: str) -> Path:
    """A new, private folder `<prefix><pid>-<mark>` in `folder`, made by this call (mkdir fails on
    any name that exists), whose name `_ours` will recognise."""
    while True:
        path = folder / f"{prefix}{os.getpid()}-{mark(prefix)}"
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:  # 64 random bits taken already: draw again
            continue


def _ours(path: Path, prefix: str) -> bool:
    """Whether `path` is a folder an ecocluster run of this user made with `_make(…, prefix)`: its name
    carries a mark that verifies, and this user owns it (a folder is not followed through a link)."""
    pid, _, rest = path.name.removeprefix(prefix).partition("-")
    if not path.name.startswith(prefix) or not pid.isdigit() or not is_marked(rest, prefix):
        return False
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()


def _lock(fd: int) -> bool | None:
    """Try to take an exclusive lock without waiting: True taken, False held by a live process,
    None when the file system cannot lock."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:
        return None


@contextlib.contextmanager
def _parent_lock(folder: Path) -> Iterator[None]:
    """Serialise the short steps (clean-up, creating a stage, carrying over, the swap) between runs."""
    try:
        fd = os.open(folder, O_DIR)
    except OSError:  # an unreadable parent: then only the flock on each stage tells runs apart
        yield
        return
    try:
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: no fcntl
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _dead(path: Path) -> bool:
    """Whether the run that made staging folder `path` has ended (its lock is free, or its pid gone)."""
    try:
        fd = os.open(path, O_DIR)
    except OSError:
        return False
    try:
        taken = _lock(fd)
        if taken is not None:
            return taken
        pid = path.name.rsplit("-", 3)[-3]  # <prefix><pid>-<nonce>-<mac>
        return pid.isdigit() and not pid_alive(int(pid))
    finally:
        os.close(fd)


def _remove_stale(out: Path) -> None:
    """Remove what killed runs left: staging folders beside and inside `out`, and put back an `out` a
    run killed mid-rename had moved aside. Only folders that are provably ours (`_ours`)."""
    parent, prefix, aside = out.parent, _stage_prefix(out), _aside_prefix(out)
    candidates = []
    for folder, prefixes in ((parent, (prefix, aside)), (out, (INSIDE_PREFIX,))):
        with contextlib.suppress(OSError):
            candidates += [folder / n for n in os.listdir(folder)
                           if any(n.startswith(p) and _ours(folder / n, p) for p in prefixes)]
    for path in sorted(candidates):
        if not _dead(path):
            continue
        if path.name.startswith(aside) and _empty_or_missing(out):
            # the old outputs, moved aside by a run killed before it renamed the new in (`out` is then
            # missing, or the empty folder check_out_dir made): a folder may replace an empty one
            os.rename(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _empty_or_missing(folder: Path) -> bool:
    try:
        return not folder.is_symlink() and not os.listdir(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _kind(path: Path) -> str:
    try:
        return "folder" if stat.S_ISDIR(os.lstat(path).st_mode) else "file"
    except FileNotFoundError:
        return ""


def _carry(old: Path, new: Path, dropped: set[str], rel: str = "", copy: bool = True) -> None:
    """Carry every entry of `old` the new outputs do not replace into `new` (or, with copy=False, only
    check that none is in the way). Raises OutputPathError on a file/folder clash."""
    try:
        entries = sorted(os.scandir(old / rel), key=lambda e: e.name)
    except FileNotFoundError:
        return
    for entry in entries:
        r = f"{rel}{entry.name}"
        here, there = _kind(Path(entry.path)), _kind(new / r)
        if (r in dropped and here == "file") or (not rel and _ours(Path(entry.path), INSIDE_PREFIX)):
            continue  # a file the previous build wrote (a folder of that name is someone's), or a stage
        if there and here != there:
            what = {"folder": "a folder", "file": "a file"}
            raise OutputPathError(f"{old / r} is {what[here]}, where the new outputs have {what[there]} of that "
                                  f"name; move it away (nothing in {old} was changed)")
        if here == "folder" and os.path.ismount(entry.path):  # removing the old folder would empty it
            raise OutputPathError(f"{old / r} is a mount point inside the output folder; unmount it or "
                                  "choose another folder (nothing was changed)")
        if here == "folder":
            made = copy and not there  # a folder of someone's: made anew, then given its old metadata
            if made:
                os.mkdir(new / r, 0o700)
            _carry(old, new, dropped, r + "/", copy)
            if made:
                _same_metadata(Path(entry.path), new / r)
        elif not there and copy:
            _link(Path(entry.path), new / r)


def _link(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest, follow_symlinks=False)  # the same inode: content, mode, owner, times
    except OSError:  # a file system without hard links, or one that refuses them for this file
        if src.is_symlink():
            os.symlink(os.readlink(src), dest)
        else:
            shutil.copyfile(src, dest, follow_symlinks=False)
        _same_metadata(src, dest)


def _same_metadata(src: Path, dest: Path) -> None:
    """Give `dest` the owner, mode (with setuid, setgid and sticky bits) and times of `src`. The owner
    first: changing it may clear the special bits, which the mode then sets again. Only the superuser
    may give a file away; where that is refused the rest is kept all the same."""
    st = os.lstat(src)
    with contextlib.suppress(OSError, NotImplementedError):
        os.chown(dest, st.st_uid, st.st_gid, follow_symlinks=False)
    if not stat.S_ISLNK(st.st_mode):
        os.chmod(dest, stat.S_IMODE(st.st_mode))
    with contextlib.suppress(OSError, NotImplementedError):
        os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False when this system or file system cannot."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _pause() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


def listed(out: Path, manifest: str) -> set[str]:
    """The files inside `out` that its manifest lists (none if it has no readable manifest)."""
    try:
        doc = json.loads((out / manifest).read_text(encoding="utf-8"))
        paths = {r["path"] for r in doc["resources"] if isinstance(r.get("path"), str)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {p for p in paths if _inside(p)}


def _previous(out: Path, manifest: str | None) -> set[str]:
    """The files the previous build listed in its manifest (and the manifest): ours to drop."""
    if manifest is None:
        return set()
    return {manifest} | listed(out, manifest) if (out / manifest).is_file() else set()


def _inside(rel: str) -> bool:
    """A manifest's path that can only name a file inside the folder: relative, plain, no `..`."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and "\0" not in rel and all(
        p not in ("", ".", "..") for p in parts)


def _sibling_possible(out: Path) -> bool:
    parent = out.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        return False
    try:  # a mount point cannot be renamed; it is on another device than its parent (or the same inode)
        return not os.path.ismount(out)
    except OSError:
        return False


@contextlib.contextmanager
def publication(out: str | Path, manifest: str | None = None,
                progress: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds its contents become `out` in one step.

    `manifest` names the file that lists the outputs (build's manifest.json): the files the previous
    one lists are dropped, not carried over, and in-place it is moved in last. On an error or an
    interruption the staging folder is removed and `out` is as it was. OSErrors become WriteError.
    """
    out = Path(out).resolve()  # a symbolic link to the folder stays one: the folder it names is swapped
    parent = out.parent
    sibling = _sibling_possible(out)
    fd = -1
    try:
        with _parent_lock(parent):
            _remove_stale(out)
            if sibling:
                try:
                    stage = _make(parent, _stage_prefix(out))
                except OSError:  # the parent refused after all (a read-only or full file system): stage inside
                    sibling = False
            if not sibling:
                stage = _make(out, INSIDE_PREFIX)
            with contextlib.suppress(OSError):  # a system that cannot open a folder: no lock, the pid tells
                fd = os.open(stage, O_DIR)
                _lock(fd)
    except OSError as e:
        raise WriteError(e.filename or out, e) from e
    try:
        try:
            yield stage
        except WriteError as e:  # name the file as the user knows it, not its staging path
            raise _as_published(e, stage, out) from e
        _pause()
        with _parent_lock(parent):
            method = _swap(out, stage, manifest) if sibling else _in_place(out, stage, manifest)
        if progress and method not in ("exchange", "new"):  # a weaker method is never chosen silently
            progress(f"published: {METHODS[method]}")
        _pause()
    except OSError as e:
        raise WriteError(e.filename or out, e) from e
    finally:
        if fd >= 0:
            os.close(fd)
        shutil.rmtree(stage, ignore_errors=True)  # the staging folder on failure; the old outputs on success


def _as_published(error: WriteError, stage: Path, out: Path) -> WriteError:
    path = Path(error.path)
    if not path.is_relative_to(stage):
        return error
    named = WriteError(out / path.relative_to(stage), OSError(error.errno, error.reason))
    named.hint = error.hint
    return named


def _swap(out: Path, stage: Path, manifest: str | None) -> str:
    _carry(out, stage, _previous(out, manifest))
    if os.path.lexists(out):
        with contextlib.suppress(OSError):  # the staging folder is private; keep the folder's owner and mode
            os.chown(stage, (old := os.stat(out)).st_uid, old.st_gid)
        os.chmod(stage, stat.S_IMODE(os.stat(out).st_mode))
    else:
        os.chmod(stage, 0o777 & ~current_umask())
        os.rename(stage, out)
        return "new"
    if _exchange(stage, out):
        return "exchange"
    aside = _make(out.parent, _aside_prefix(out))
    os.rename(out, aside)  # onto the empty folder mkdtemp made: a folder may replace an empty one
    os.rename(stage, out)
    os.rename(aside, stage)
    return "rename"


def _in_place(out: Path, stage: Path, manifest: str | None) -> str:
    previous = _previous(out, manifest)
    _carry(out, stage, previous, copy=False)  # only the clash check: nothing is moved before it passes
    rels = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if not p.is_dir())
    if manifest:
        (out / manifest).unlink(missing_ok=True)  # from here until the new one is in, no manifest at all
    for rel in previous - set(rels):  # the previous build's files this one did not write
        path = out / rel
        if path.parent.resolve().is_relative_to(out) and _kind(path) == "file":  # not through someone's link
            with contextlib.suppress(OSError):
                path.unlink()
    for rel in sorted(rels, key=lambda r: r == manifest):  # the manifest last
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / rel, out / rel)
    return "in-place"

