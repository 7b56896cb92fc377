"""Run `ecocluster` commands in this process and record every file the Python side touches
(tests/across/test_traps.py): `python trapwatch.py LOG.json -- ARGS… [-- ARGS…]`.

An audit hook (PEP 578) sees each `open`, rename, removal, link, copy, mode or owner change and
directory listing, with its path. Each command runs through click's CliRunner, in this process, so
the hook sees everything the library does in Python; what native code (polars, SQLite, DuckDB)
reads or writes it does not see, and that is only the CSVs the one path check gave and the output
files the library named. The log holds, per command, its exit code and each event with its path
resolved (links followed), so a link out of the package shows as the file it leads to.
"""

from __future__ import annotations

import json
import os
import sys

WATCHED = {"open", "os.rename", "os.remove", "os.rmdir", "shutil.rmtree", "os.link", "os.symlink",
           "shutil.copyfile", "os.chmod", "os.chown", "os.utime", "os.truncate", "os.listdir", "os.scandir",
           "os.mkdir", "sqlite3.connect"}
MUTATING = WATCHED - {"open", "os.listdir", "os.scandir", "sqlite3.connect"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

events: list[dict] = []
recording = False


# event -> (index of a path, index of the folder descriptor it is relative to, or None), per path
PATH_ARGS = {"os.rename": ((0, 2), (1, 3)), "os.link": ((0, 2), (1, 3)), "os.symlink": ((1, 2),),
             "shutil.copyfile": ((0, None), (1, None)), "os.remove": ((0, 1),), "os.rmdir": ((0, 1),),
             "os.mkdir": ((0, 2),), "os.chmod": ((0, 2),), "os.chown": ((0, 3),), "os.utime": ((0, 3),)}

NAME_ONLY = {"os.rename", "os.remove", "os.rmdir", "os.link", "os.symlink"}


def _paths(event: str, args: tuple) -> list[str]:
    out = []
    for at, fd_at in PATH_ARGS.get(event, ((0, None),)):
        p = args[at] if at < len(args) else None
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        if isinstance(p, os.PathLike):
            p = os.fspath(p)
        if not isinstance(p, str) or p in (":memory:", ""):
            continue
        fd = args[fd_at] if fd_at is not None and fd_at < len(args) else None
        if isinstance(fd, int) and fd >= 0 and not os.path.isabs(p):  # relative to an open folder (rmtree)
            p = os.path.join(os.readlink(f"/proc/self/fd/{fd}"), p)
        if event in NAME_ONLY:  # acts on the name itself, not on what a link there leads to
            out.append(os.path.join(os.path.realpath(os.path.dirname(p) or "."), os.path.basename(p)))
        else:
            out.append(os.path.realpath(p))
    return out


def _writes(event: str, args: tuple) -> bool:
    if event in MUTATING:
        return True
    if event == "open" and len(args) >= 3:
        mode, flags = args[1], args[2]
        return bool((isinstance(mode, str) and any(c in mode for c in "wax+")) or
                    (isinstance(flags, int) and flags & WRITE_FLAGS))
    return event == "sqlite3.connect"


def hook(event: str, args: tuple) -> None:
    global recording
    if not recording or event not in WATCHED:
        return
    recording = False  # realpath and the like raise no watched event; this keeps it so
    try:
        for path in _paths(event, args):
            events.append({"event": event, "path": path, "writes": _writes(event, args)})
    finally:
        recording = True


def main(argv: list[str]) -> int:
    global recording
    from click.testing import CliRunner

    from ecocluster.cli import main as cli

    log, commands = argv[0], []
    for arg in argv[1:]:
        if arg == "--":
            commands.append([])
        else:
            commands[-1].append(arg)
    sys.addaudithook(hook)
    results = []
    for args in commands:
        events.clear()
        recording = True
        result = CliRunner().invoke(cli, args)
        recording = False
        results.append({"args": args, "exit_code": result.exit_code, "output": result.output[-3000:],
                        "exception": repr(result.exception) if result.exception else None,
                        "events": list(events)})
    with open(log, "w", encoding="utf-8") as fh:
        json.dump(results, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
