"""Every link in README.md and docs/*.md resolves: a file of the repository, and a heading in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from examples import PAGES, ROOT

LINK = re.compile(r"!?\[[^\]]*\]\((?:<([^>]+)>|([^)\s]+))(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces to hyphens."""
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", heading.strip().lower()))


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+)$", text, re.M)}


def links(path: Path) -> list[str]:
    return [a or b for a, b in LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_link_resolves(page: Path):
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …: not ours to check offline
            continue
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists() or ROOT.resolve() not in (dest, *dest.parents):
            broken.append(f"{target}: no such file in the repository")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: {dest.name} has no heading #{anchor}")
    assert not broken, broken


def test_the_link_checker_sees_a_broken_link_and_a_broken_anchor(tmp_path: Path):
    assert slug("How a CSV file is read") == "how-a-csv-file-is-read"
    assert slug("`ecocluster validate` and CI") == "ecocluster-validate-and-ci"
    assert slug("`org_relations`") == "org_relations"
    page = tmp_path / "p.md"
    page.write_text("# Top\n[a](missing.md) [b](#top) [c](#nowhere) ![d](<x y.png>)\n```\n[e](inside.md)\n```\n")
    assert links(page) == ["missing.md", "#top", "#nowhere", "x y.png"]
    assert anchors(page) == {"top"}

