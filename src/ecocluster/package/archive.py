"""Opening a package from a folder, a descriptor or a release archive (`ecocluster-<version>.zip`).

An archive is extracted into a temporary folder that lives as long as the `with` block. Extraction
is defensive because an archive may come from anywhere: no absolute paths, no `..`, no links, and a
cap on the total size so a zip bomb cannot fill the disk.
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from ..base.paths import DESCRIPTOR
from ..errors import ArchiveError
from . import Package

MAX_TOTAL_BYTES = 1 << 30  # far above any plausible release of this dataset
MAX_MEMBERS = 10_000


@contextmanager
def package_path(path: str | Path | None) -> Iterator[str | Path | None]:
    """The path to open for `path`: itself, or for a release archive the folder it is extracted into,
    which lives as long as the `with` block. ArchiveError when the archive cannot be used."""
    if path is not None and is_archive(path):
        with tempfile.TemporaryDirectory(prefix="ecocluster-") as tmp:
            yield extract_archive(Path(path), Path(tmp))
    else:
        yield path


@contextmanager
def open_package(path: str | Path | None) -> Iterator[Package]:
    """The package at `path`: a folder, a descriptor, a release archive, or None for the shipped one.
    Every entry point opens its input here, so each takes the same kinds of path and says the same."""
    with package_path(path) as opened:
        yield Package.open(opened)


def is_archive(path: str | Path) -> bool:
    """A file that is a zip, or is named like one (a damaged archive is then refused as an archive,
    not read as a descriptor)."""
    try:
        p = Path(path)
        return p.is_file() and (p.suffix.lower() == ".zip" or zipfile.is_zipfile(p))
    except (OSError, ValueError):
        return False


def extract_archive(archive: Path, dest: Path) -> Path:
    """Extract `archive` into `dest` and return the folder holding its datapackage.json."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                raise ArchiveError(f"{archive.name} holds {len(members)} files; a release holds far fewer")
            if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
                raise ArchiveError(f"{archive.name} would unpack to more than {MAX_TOTAL_BYTES} bytes")
            seen: set[tuple[str, ...]] = set()
            for m in members:  # one file per name: a second member of a name would silently replace the first
                parts = _safe_name(archive, m)
                if parts in seen and not m.is_dir():
                    raise ArchiveError(f"{archive.name} holds two members named `{m.filename}`; "
                                       "a release holds each file once")
                seen.add(parts)
            for m in members:
                target = dest.joinpath(*_safe_name(archive, m))
                if m.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                # ZipExtFile stops at the declared size and checks the CRC, so the cap above holds.
                with zf.open(m) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, ValueError) as e:
        raise ArchiveError(f"{archive.name} cannot be read as a zip archive: {e}") from None
    except (RuntimeError, NotImplementedError) as e:  # an encrypted member; a method such as Deflate64
        raise ArchiveError(f"{archive.name} holds a member ecocluster cannot unpack: {e}") from None
    if (dest / DESCRIPTOR).is_file():
        return dest
    # A release may wrap everything in one top-level folder (ecocluster-0.1.0/datapackage.json).
    candidates = [d for d in dest.iterdir() if d.is_dir() and (d / DESCRIPTOR).is_file()]
    if len(candidates) == 1:
        return candidates[0]
    raise ArchiveError(f"{archive.name} holds no {DESCRIPTOR} at its top level")


def _safe_name(archive: Path, m: zipfile.ZipInfo) -> tuple[str, ...]:
    name = m.filename
    parts = PurePosixPath(name).parts
    if (name.startswith(("/", "\\")) or "\\" in name or ".." in parts or (len(name) > 1 and name[1] == ":")
            or not parts):
        raise ArchiveError(f"{archive.name}: member `{name}` would land outside the extraction folder")
    if stat.S_ISLNK(m.external_attr >> 16):
        raise ArchiveError(f"{archive.name}: member `{name}` is a symbolic link; a release holds plain files")
    return parts
