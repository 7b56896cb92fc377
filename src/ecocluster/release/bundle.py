"""The release archive, `<name>-<version>.zip`: the data package as one download that stands alone.

It holds the descriptor, the CSVs and the schemas, a README for downloaders (what the tables are,
how to load them, how to cite: ecocluster.release.readme), the data licence and, when the package
has them, the code licence (LICENSE), DATASHEET.md, CITATION.cff and CHANGELOG.md. Entries carry the
package's creation date instead of the clock and are sorted, so a rebuild is byte-identical.
"""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from ..base.files import atomic_path
from ..errors import ExportError
from ..package import Package, inside
from .readme import CODE_LICENSE, DATA_LICENSE, EXTRAS, data_license_text, release_readme

ZIP_LEVEL = 4
COPY_CHUNK = 1 << 20
EXTRA_BYTES = 16 << 20  # LICENSE, DATASHEET.md, CHANGELOG.md, CITATION.cff: texts of kilobytes
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def release_archive(package: Package, out_dir: Path) -> Path:
    """Write `<name>-<version>.zip` into `out_dir`, `datapackage.json` at its root; return its path."""
    stem = f"{package.name}-{package.version}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem):
        raise ExportError(f"`{stem}` (name-version) is not a safe file name for the release archive")
    files = _members(package)
    stamp = _stamp(package)
    target = Path(out_dir) / f"{stem}.zip"
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for member in sorted(files, key=lambda m: (m != package.descriptor_path.name, m)):
            info = zipfile.ZipInfo(member, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            # level 4: a twentieth bigger than zlib's default 6 on CSV text, in less than half the time.
            # Python 3.13 names the attribute compress_level; 3.11 and 3.12 read only _compresslevel.
            setattr(info, "compress_level" if sys.version_info >= (3, 13) else "_compresslevel", ZIP_LEVEL)
            info.external_attr = 0o644 << 16
            source = files[member]
            if isinstance(source, bytes):
                zf.writestr(info, source)
            else:
                big = source.stat().st_size >= zipfile.ZIP64_LIMIT
                with open(source, "rb") as src, zf.open(info, "w", force_zip64=big) as dst:
                    shutil.copyfileobj(src, dst, COPY_CHUNK)
    return target


def _members(package: Package) -> dict[str, Path | bytes]:
    """member -> a file to copy (streamed: a table of ten million rows never sits in memory) or bytes."""
    files: dict[str, Path | bytes] = {package.descriptor_path.name: package.descriptor_path}
    for rel in sorted({p for r in package.resources for p in (r.path, r.schema_path) if p}):
        files[rel] = inside(package.root, rel, regular=False)
    # The extras are optional: one that is missing, not a regular file inside the package, larger than
    # EXTRA_BYTES or unreadable is left out. Each is read once, through the one path check, and the
    # zip gets those bytes: what was checked is what ships.
    for name in EXTRAS:
        if (data := package.read(name, EXTRA_BYTES)) is not None:
            files[name] = data
    for name in ("LICENSE", CODE_LICENSE):  # a release unpacked and built again keeps its code licence
        if (data := package.read(name, EXTRA_BYTES)) is not None:
            files[CODE_LICENSE] = data
            break
    files[DATA_LICENSE] = data_license_text(package).encode("utf-8")
    files["README.md"] = release_readme(package, sorted(files)).encode("utf-8")
    return files


def _stamp(package: Package) -> tuple[int, int, int, int, int, int]:
    """Every entry's time: the package's `created` date, not the clock, so a rebuild is byte-identical."""
    created = str(package.descriptor.get("created", ""))
    try:
        stamp = datetime.fromisoformat(created.replace("Z", "+00:00")).timetuple()[:6]
    except ValueError:
        return _EPOCH
    return _EPOCH if stamp[0] < 1980 else stamp  # the zip format cannot hold earlier dates
