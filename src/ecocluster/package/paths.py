"""The one check of a path inside a package folder.

Every command that reads, reports or ships a file of the package reaches it through `inside()`: the
resource and schema paths when the package is opened, each CSV when it is read (`Package.csv_path`),
and the files a package may hold beside its tables (`Package.file`: CITATION.cff, LICENSE, the
source checkout's models.py, …). So a path that leaves the package, by `..` or by a symbolic link, or
that is not a regular file, is refused in one place.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import PackageError

MAX_NAME_BYTES = 255  # a path component longer than this cannot be opened on common file systems
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
        raise PackageError("resource-path-invalid", f"{what} `{rel}` is not a file",
                           "Give the path of a file, not of a folder or a device.", resource)
    return path
