"""The output folder's rules: where `build` and `export` may write, and what they may replace there."""

from __future__ import annotations

from pathlib import Path

from ..base.files import output_folder
from ..base.paths import usable_output
from ..errors import OutputPathError
from ..package import Package
from .manifest import MANIFEST
from .publish import listed


def check_out_dir(package: Package, out_dir: Path) -> Path:
    """The output folder, refused when it is a file or would mix outputs with the package's sources:
    when it is (or is inside) a folder of the package's files other than its root, or holds any of
    them (the whole folder is replaced on publication, ecocluster.release.publish)."""
    out = usable_output(out_dir)  # not a name too long for the file system, nor a loop of links
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"the output path {out} is a file, not a folder")
    resolved = out.resolve()
    sources = [package.descriptor_path.resolve()] + [(package.root / p).resolve()
                                                     for r in package.resources for p in (r.path, r.schema_path) if p]
    for d in {package.root} | {p.parent for p in sources}:
        if resolved == d or (d != package.root and d in resolved.parents):
            raise OutputPathError(f"the output folder {out} is the package's own folder {d}; "
                                  "choose a separate folder such as build/")
    inside = next((p for p in sources if resolved in p.parents), None)
    if inside is not None:
        raise OutputPathError(f"the output folder {out} holds the package's own file {inside}; "
                              "choose a folder outside the package such as build/")
    return output_folder(out)


def keep_build_whole(out: Path, stage: Path) -> None:
    """Refuse an export that would replace a file a build in `out` lists in its manifest: the
    manifest's hashes, the site's downloads and the release beside it would then describe files that
    are no longer there. Files the build did not write (a format it skipped) may be added."""
    ours = listed(out, MANIFEST)
    replaced = sorted(rel for p in stage.rglob("*") if p.is_file() and (rel := p.relative_to(stage).as_posix()) in ours)
    if replaced:
        more = f" and {len(replaced) - 1} more of its files" if len(replaced) > 1 else ""
        raise OutputPathError(
            f"the output folder {out} holds a build: its {MANIFEST} lists {replaced[0]}{more}, which this "
            "export would replace, leaving the manifest's hashes and the site's downloads out of date",
            hint="run `ecocluster build` to write the whole folder again, or export into another folder.")
