"""Keep every release at its permanent address: the Pages deploy job's steps, each one command.

    python scripts/publish_site.py fetch SITE_URL --into DIR
        Download the deployed site (its releases.json and every release's files, each checked against
        its SHA-256) into DIR. Nothing deployed there yet (HTTP 404) leaves DIR empty; any other failure
        stops with exit 1, so a deploy never starts from a partial copy and drops a release.
    python scripts/publish_site.py previous DIR VERSION
        Print the folder of the newest release in DIR older than VERSION (for `build --previous`), or
        nothing when there is none.
    python scripts/publish_site.py add BUILD --into DIR
        Add the build folder BUILD (from `ecocluster build`) as DIR/v/<version>/, point latest/ and
        v<major>/latest/ at the newest releases and merge releases.json (ecocluster.release.published).

Exit codes: 0 ok; 1 a failed operation (a download, a published version that would change); 2 a
usage error. Errors are `error: …` and `hint: …` on stderr, as the ecocluster commands say them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="publish_site.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="download the deployed site, verified")
    fetch.add_argument("site_url")
    fetch.add_argument("--into", required=True, type=Path)
    prev = sub.add_parser("previous", help="the folder of the release before VERSION")
    prev.add_argument("site", type=Path)
    prev.add_argument("version")
    add = sub.add_parser("add", help="add a build to the site folder")
    add.add_argument("build", type=Path)
    add.add_argument("--into", required=True, type=Path)
    args = parser.parse_args(argv)

    from ecocluster.errors import EcoclusterError
    from ecocluster.release import published

    try:
        if args.command == "fetch":
            found = published.fetch_published(args.site_url, args.into)
            args.into.mkdir(parents=True, exist_ok=True)
            versions = [r["version"] for r in found["releases"]] if found else []
            print(f"deployed: {', '.join(versions) or 'nothing yet'}", file=sys.stderr)
        elif args.command == "previous":
            version = published.previous_version(args.site, args.version)
            if version:
                print(args.site / published.RELEASES / version)
        else:
            new = published.add_release(args.build, args.into)
            print(f"published: {', '.join(r['version'] for r in new['releases'])}; latest {new['latest']}",
                  file=sys.stderr)
    except EcoclusterError as e:
        print(f"error: {e}", file=sys.stderr)
        if getattr(e, "hint", ""):
            print(f"hint: {e.hint}", file=sys.stderr)  # type: ignore[attr-defined]
        return int(getattr(e, "exit_code", 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
