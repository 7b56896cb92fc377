"""The one check of a path inside a package folder.

Every command that reads, reports or ships a file of the package reaches it through `inside()`: the
resource and schema paths when the package is opened, each CSV when it is read (`Package.csv_path`),
and the files a package may hold beside its tables (`Package.file`: CITATION.cff, LICENSE, the
source checkout's models.py, …). So a path that leaves the package, by `..` or by a symbolic link, or
that is not a regular file, is refused in one place. `read_bytes()` then reads such a file whole,
without blocking on a FIFO or a device and with a size cap, so an optional file (CITATION.cff, a
picture) can never hang a command, fill the memory, or turn out to be something else than was checked.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ..errors import PackageError

MAX_NAME_BYTES = 255  # a path component longer than this cannot be opened on common file systems
MAX_READ_BYTES = 64 << 20  # the most `read_bytes` reads of a file: a descriptor, a schema, an extra
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symbolic link"))
_HINT = "Give a path such as `data/table.csv`."


def inside(root: Path, rel: Any, what: str = "path", resource: str | None = None, *,
           regular: bool = True) -> Path:
    """`root / rel`, for a `rel` that stays inside the package folder `root`; else a PackageError:
    resource-path-invalid (not a relative path string, a control character, a name too long),
    resource-path-remote (a URL) or resource-path-outside (absolute, `..`, or a symbolic link of the
    file or of a folder on its way that leads out). With `regular`, a path that is not a regular file
    (missing, a folder, a device) is refused too (resource-path-invalid). `what` and `resource` name
    the path in the message ("schema" of `projects`)."""
    if not isinstance(rel, str) or not rel:
        raise PackageError("resource-path-invalid", f"{what} must be a relative path string", _HINT, resource)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in rel):  # a NUL cannot reach the OS at all
        raise PackageError("resource-path-invalid", f"{what} {rel!r} holds a control character", _HINT, resource)
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in rel.split("/")):
        raise PackageError("resource-path-invalid", f"{what} has a folder or file name over {MAX_NAME_BYTES} bytes",
                           _HINT, resource)
    if "://" in rel:
        raise PackageError("resource-path-remote", f"{what} `{rel}` is a URL; validation never reads the network",
                           "Put the file in the package folder and give its relative path.", resource)
    p = PurePosixPath(rel)
    if p.is_absolute() or rel.startswith("\\") or ".." in p.parts or (len(rel) > 1 and rel[1] == ":"):
        raise PackageError("resource-path-outside", f"{what} `{rel}` leaves the package folder",
                           "Use a path relative to datapackage.json, without `..` or a leading `/`.", resource)
    # The resolved path: a symbolic link (of the file or of a folder on its way) that leads out of the
    # package is refused, so no command reads, reports or ships a file from elsewhere.
    path = root / rel
    try:
        within = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        within = False
    if not within:
        raise PackageError("resource-path-outside", f"{what} `{rel}` is a symbolic link that leads out of the "
                           "package folder", "Copy the file into the package instead of linking to it.", resource)
    if regular and not path.is_file():
        kind = special(path)
        raise PackageError("resource-path-invalid", f"{what} `{rel}` is {kind or 'missing'}, not a regular file",
                           "Give the path of a file, not of a folder or a device.", resource)
    return path


def special(path: Path | str) -> str | None:
    """What the path is when it exists and is not a regular file ("a FIFO (named pipe)", "a socket",
    "a character device", "a folder", …), in words for a message; None for a regular file or none."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return kind_of(mode)


def kind_of(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


@contextmanager
def open_regular(path: Path | str) -> Iterator[tuple[BinaryIO, str | None]]:
    """The file at `path` opened for reading, and None; or, when it is not a regular file, what it is
    (`kind_of`) and nothing read. Looked at before it is opened (a socket cannot be opened at all) and
    opened without blocking (a FIFO would wait for a writer), then looked at again through the open
    file. An OSError (missing, permission denied) goes to the caller."""
    kind = kind_of(os.stat(path).st_mode)
    if kind is not None:
        yield io.BytesIO(), kind
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        yield fh, kind_of(os.fstat(fd).st_mode)


def read_bytes(path: Path, what: str = "file", code: str = "resource-path-invalid", resource: str | None = None,
               cap: int | None = MAX_READ_BYTES) -> bytes:
    """The bytes of the regular file at `path` (a path `inside` gave), read whole.

    It is looked at before it is opened and opened without blocking (O_NONBLOCK: opening a FIFO for
    reading would otherwise wait for a writer forever), then looked at again through the open file,
    so a FIFO, a socket, a device or a folder is refused (PackageError `code`, naming what it is)
    even if it was swapped in after the check. More than `cap` bytes (None: no cap) is refused the
    same way. An OSError (missing, permission denied) is the caller's to report."""
    with open_regular(path) as (fh, kind):
        data = b"" if kind is not None else fh.read() if cap is None else fh.read(cap + 1)
    name = Path(path).name
    if kind is not None:
        raise PackageError(code, f"{what} `{name}` is {kind}, not a regular file",
                           "Replace it with a regular file.", resource)
    if cap is not None and len(data) > cap:
        raise PackageError(code, f"{what} `{name}` is larger than {cap:,} bytes",
                           "A package's descriptor, schemas and extra files are far smaller; check the file.",
                           resource)
    return data
