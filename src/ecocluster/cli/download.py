"""`ecocluster download`: a published release archive, verified against releases.json, into a folder."""

from __future__ import annotations

from pathlib import Path

import click

from ..base.escape import printable
from .common import QUIET_HELP, echo, progress_to_stderr

EPILOG = ("Exit codes: 0 downloaded and verified; 1 the download failed (no network, cut off, wrong bytes); "
          "2 usage error: an unknown version, no address, an output folder that cannot be used.")


@click.command(epilog=EPILOG)
@click.option("--version", "version", metavar="V", help="The release to fetch, e.g. 0.2.0 (default: the newest).")
@click.option("--url", "url", metavar="URL",
              help="A release's own address instead: its folder (…/v/0.2.0/) or its archive (.zip).")
@click.option("--base-url", "base_url", metavar="URL", envvar="ECOCLUSTER_BASE_URL", show_envvar=True,
              help="The published site's address, the folder holding releases.json.")
@click.option("--out", "out", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to copy the archive into (created if missing).")
@click.option("--quiet", "-q", is_flag=True, help=QUIET_HELP)
def download(version: str | None, url: str | None, base_url: str | None, out: Path, quiet: bool) -> None:
    """Download a published release archive and check it against releases.json.

    The archive (<name>-<version>.zip, the data package that `ecocluster validate`, `build` and
    `ecocluster.load()` open) is fetched once into the user's cache folder ($ECOCLUSTER_CACHE, else the
    platform's, e.g. ~/.cache/ecocluster) and kept only if its SHA-256 is the one releases.json lists.
    The cached copy is checked again every time, so a version downloaded once is then copied from the
    cache without the network. Prints the path of the copy. Needs `pip install "ecocluster[download]"`.

    \b
    Example:
        export ECOCLUSTER_BASE_URL=<the published site's address>
        ecocluster download --version 0.2.0 --out downloads/
        ecocluster download --url <a release's folder or .zip address>
    """
    from ..base.files import atomic_path
    from ..package.remote import fetch_release, sha256_of
    from ..release import OutputPathError

    got = fetch_release(version=version, url=url, base_url=base_url, progress=progress_to_stderr(quiet))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputPathError(f"the output folder {out} cannot be created: {e.strerror}") from None
    target = out / got.path.name
    import shutil

    with atomic_path(target) as tmp:
        shutil.copyfile(got.path, tmp)
        if sha256_of(tmp) != got.entry["_archive"]["sha256"]:  # the copy, too, is what was published
            from ..errors import DownloadError

            raise DownloadError(f"the copy written to {target} does not match the published SHA-256; it was removed")
    echo(printable(str(target)))
    if not quiet:
        echo(printable(f"version {got.version}: {got.path.stat().st_size:,} bytes, SHA-256 verified "
                       f"(cached in {got.path.parent})"), err=True)
