"""Stage 6: the exports made into a release, written all or nothing.

    build.py      `build()` and `export()`: the steps, in order, into a staging folder
    outdir.py     the output folder's rules (`check_out_dir`)
    manifest.py   manifest.json: every file with its size, hash, media type and reproducibility
    bundle.py     the release archive `<name>-<version>.zip`, with its README and licences
    publish.py    the staging folder swapped in at once; published.py, index.py, changes.py,
                  zenodo.py and readme.py the published releases and what describes them
"""

from __future__ import annotations

from ..errors import OutputPathError
from .build import build, export
from .bundle import release_archive
from .manifest import MANIFEST
from .outdir import check_out_dir

__all__ = ["MANIFEST", "OutputPathError", "build", "check_out_dir", "export", "release_archive"]
