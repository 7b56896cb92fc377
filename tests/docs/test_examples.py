"""Every ```sh, ```python and ```sql block in README.md and docs/*.md runs as written (tests/docs/examples.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import require
from examples import PAGES, ROOT, MissingTool, Page, blocks, make_template, release_readme_page
from sybil.example import NotEvaluated

# README.md, docs/*.md, and the README inside the release archive
RUN = [*PAGES, release_readme_page(Path(tempfile.mkdtemp(prefix="ecocluster-docs-")))]
CASES = [(path, n) for path in RUN for n in range(len(blocks(path)))]
BLOCKS = {path: blocks(path) for path in RUN}


@pytest.fixture(scope="session")
def docs_template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("docs") / "template")


@pytest.fixture(scope="session")
def pages(docs_template, tmp_path_factory):
    opened: dict[Path, Page] = {}

    def page(path: Path) -> Page:
        if path not in opened:
            opened[path] = Page(path, docs_template, tmp_path_factory.mktemp("page") / "repo")
        return opened[path]

    yield page
    for p in opened.values():
        p.close()


def case_id(case: tuple[Path, int]) -> str:
    path, n = case
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else f"release/{path.name.removeprefix('release-')}"
    return f"{name}:{BLOCKS[path][n][1].line}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_documented_example_runs_as_written(case, pages, monkeypatch):
    path, n = case
    markers, example = BLOCKS[path][n]
    page = pages(path)
    example.namespace["page"] = page
    monkeypatch.chdir(page.cwd)
    for marker in markers:
        marker.evaluate()
    try:
        example.evaluate()
    except NotEvaluated:
        pytest.skip("marked `skip` in the page")
    except MissingTool as e:
        require(False, str(e))


def test_a_block_needs_the_tools_it_calls_after_a_keyword_or_a_pipe():
    from examples import tools_needed

    assert tools_needed("if psql -c 'select 1'; then echo ok; fi") == ["psql"]
    assert tools_needed("X=1 sqlite3 a.db 'select 1' | head -1\n! ftm validate") == ["sqlite3", "ftm"]
    assert tools_needed("echo psql") == []
    assert tools_needed("python scripts/site_screenshot.py --all --out-dir docs") == ["chromium"]
