#!/usr/bin/env python3
"""The body of the pull-request comment that .github/workflows/data-diff.yml leaves for
data-diff-comment.yml to post: what changed in the data between BASE and HEAD (`ecocluster diff
--format markdown`: rows added, removed and changed per table, schema changes, the version bump they
call for) and the validation summary of HEAD (`ecocluster validate --format markdown`).

    python scripts/pr_comment.py BASE HEAD [--links URL] [--out FILE]

BASE and HEAD are package folders (or descriptors, or release archives). The body stays under GitHub's
65,536-character limit for a comment: a long diff is cut at a line, saying how much is left out and
the command that shows it all. Exit 0 when the body is written, whatever the data holds (an unreadable
package is said in the body); 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

MAX_CHARS = 60_000  # GitHub refuses a comment over 65,536 characters; the posting step adds a marker line
SUMMARY_BUDGET = 16 * 1024  # bytes of the validation summary, whatever its size


def _diff(base: str, head: str) -> str:
    from ecocluster.base.escape import markdown_code
    from ecocluster.curation.diff import diff_packages
    from ecocluster.curation.diff_report import render_markdown
    from ecocluster.errors import EcoclusterError

    try:
        return render_markdown(diff_packages(base, head))
    except EcoclusterError as e:
        return f"### Data changes\n\nThe two versions could not be compared: {markdown_code(str(e))}\n"


def _validation(head: str, links: str | None) -> str:
    from ecocluster.validation import validate
    from ecocluster.validation.summary import render_markdown

    return render_markdown(validate(head), links=links, first=20, budget=SUMMARY_BUDGET, heading="###")


def _cut(text: str, limit: int, base: str, head: str) -> str:
    """`text` cut at the last whole line that fits in `limit` characters, with a note of what is left out."""
    if len(text) <= limit:
        return text
    lines = text.splitlines(keepends=True)
    kept, size = [], 0
    for line in lines:
        if size + len(line) > limit - 300:
            break
        kept.append(line)
        size += len(line)
    left = len(lines) - len(kept)
    return "".join(kept) + (f"\n…and {left:,} more lines of changes. The whole diff: "
                            f"`ecocluster diff {Path(base).name or base} {Path(head).name or head} "
                            "--format markdown`.\n")


def comment(base: str, head: str, links: str | None = None, limit: int = MAX_CHARS) -> str:
    validation = _validation(head, links)
    diff = _cut(_diff(base, head), limit - len(validation) - 2, base, head)
    return f"{diff}\n{validation}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base", help="the package before the change (a folder, its datapackage.json or a .zip)")
    ap.add_argument("head", help="the package after the change")
    ap.add_argument("--links", help="where HEAD's files are on the web, e.g. "
                    "https://github.com/OWNER/REPO/blob/SHA/ (errors then link to their lines)")
    ap.add_argument("--out", type=Path, help="write the body here (default: stdout)")
    args = ap.parse_args(argv)
    body = comment(args.base, args.head, args.links)
    if args.out is None:
        sys.stdout.write(body)
    else:
        args.out.write_text(body, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
