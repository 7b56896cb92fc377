"""Where the shipped data package lives, installed or in a source checkout."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import OutputPathError, PackageNotFound

DESCRIPTOR = "datapackage.json"


def shipped_package() -> Path:
    """Path of the shipped `datapackage.json`.

    A wheel carries the descriptor inside the `ecocluster` package; an editable
    install or a source checkout has it at the repository root, two levels up.
    """
    here = Path(__file__).resolve().parent.parent  # the `ecocluster` package folder
    for candidate in (here / DESCRIPTOR, here.parent.parent / DESCRIPTOR):
        if candidate.is_file():
            return candidate
    raise PackageNotFound(f"the shipped {DESCRIPTOR} was not found beside {here}")


def resolve_package(path: str | Path | None = None) -> Path:
    """The descriptor for `path`: a descriptor file, a folder holding one, or None for the shipped package."""
    if path is None:
        return shipped_package()
    p = Path(path)
    if p.is_dir():
        p = p / DESCRIPTOR
    if not p.is_file():
        raise PackageNotFound(f"no data package at {path}: expected {DESCRIPTOR} or a folder holding it")
    return p


def package_here(start: str | Path | None = None) -> Path:
    """The descriptor a command uses when it is given no PATH: the `datapackage.json` in `start` (the
    current folder by default) or in its nearest parent that has one, as git finds its repository;
    otherwise the shipped package. The library's own `None` still means the shipped package."""
    here = Path.cwd() if start is None else Path(start)
    here = here.resolve()
    for folder in (here, *here.parents):
        if (folder / DESCRIPTOR).is_file():
            return folder / DESCRIPTOR
    return shipped_package()


def usable_output(path: str | Path) -> Path:
    """`path`, an output folder given by the user, when the system can use it: an OutputPathError (exit
    2: fix what you gave) for a name too long for the file system or a loop of symbolic links. A folder
    that does not exist yet is fine here (a file in its way is said where it would be made)."""
    out = Path(path)
    try:
        out.resolve()
        os.stat(out)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except (OSError, RuntimeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise OutputPathError(f"the output folder {out} cannot be used: {reason}") from None
    return out
