"""Run the documentation's examples as a reader would: every ```sh, ```python and ```sql block.

Sybil (https://sybil.readthedocs.io) finds the blocks and the skip markers and keeps one namespace per
page for Python; this module adds the evaluators for shell and SQL, the scratch folder each page runs
in, and the system tools a block needs. Sybil was chosen over pytest-markdown-docs and pytest-examples
because it takes an evaluator per language (sh and sql as well as Python, which the other two do not
run), and because its skip marker is a visible comment in the page itself:

    <!-- skip: next "why this block must not run" -->

Conventions a page follows (docs/development.md says the same):
- every page runs in its own copy of the repository's package files, in which `ecocluster build` has
  already run, so `build/` is there; nothing is ever written into the checkout;
- `sh` blocks run with `bash -e -o pipefail`; lines starting with `$ ` are commands whose output
  follows them and is compared;
- `python` blocks share one namespace per page, in order; `>>>` lines are doctests;
- `sql` blocks run in DuckDB, in memory, from the page's folder;
- a block that calls PostgreSQL's clients, `sqlite3`, `ftm` or another system tool skips, saying why,
  when the tool is missing, and fails instead under CI=true. PostgreSQL is reached through the standard
  PG* variables, set from ECOCLUSTER_PG_DSN, with a fresh database for each page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from sybil import Document, Example, Sybil
from sybil.parsers.abstract import AbstractCodeBlockParser
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[2]
# What a page may use from the repository: the package and the files the docs talk about.
COPIED = ["datapackage.json", "data", "schemas", "docs", "scripts", "README.md", "CHANGELOG.md",
          "CITATION.cff", "DATASHEET.md", "LICENSE", "CONTRIBUTING.md", "pyproject.toml"]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# A word at the start of a command -> what it needs, as (check, reason when missing).
PG_HOW = ("no PostgreSQL server: start one with `.ci/start-postgres \"$(mktemp -d)\"` and set "
          "ECOCLUSTER_PG_DSN to the address it prints (as .ci/run does)")


def _have(tool: str) -> bool:
    return shutil.which(tool) is not None


def _have_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


TOOLS: dict[str, tuple[object, str]] = {
    "psql": (lambda: bool(os.environ.get("ECOCLUSTER_PG_DSN")) and _have("psql"), PG_HOW),
    "createdb": (lambda: bool(os.environ.get("ECOCLUSTER_PG_DSN")) and _have("createdb"), PG_HOW),
    "sqlite3": (lambda: _have("sqlite3"), "the sqlite3 command-line shell is not installed (apt-get install sqlite3)"),
    "ftm": (lambda: _have_module("followthemoney"),
            "FollowTheMoney's `ftm` is not installed: it is the `ftm` extra (pip install \".[ftm]\"), "
            "which compiles PyICU"),
    "dot": (lambda: _have("dot"), "Graphviz `dot` is not installed (apt-get install graphviz)"),
    "soffice": (lambda: _have("soffice"), "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"),
    "chromium": (lambda: (_have("chromium") or _have("chromium-browser")) and os.path.exists("/usr/bin/chromedriver")
                 and _have_module("selenium"),
                 "needs Debian's Chromium and chromedriver (apt-get install chromium chromium-driver)"),
}
# A script of the repository that drives a tool -> that tool (its first word is only `python`).
SCRIPTS = {"scripts/site_screenshot.py": "chromium"}
# a command's first word: at a line's start or after &&, ||, ;, |, ( or $(, past shell keywords
# (`if psql …`, `! sqlite3 …`) and variable assignments
_COMMAND_START = re.compile(r"(?:^|&&|\|\||[;|(]|\$\()\s*(?:(?:if|then|else|elif|do|while|until|!|time)\s+)*"
                            r"(?:[A-Z_][A-Z0-9_]*=\S*\s+)*([A-Za-z0-9_.-]+)", re.M)


def tools_needed(source: str) -> list[str]:
    """The tools of TOOLS that a shell block calls, in the order it first calls them."""
    found: list[str] = []
    for m in _COMMAND_START.finditer(source):
        word = m.group(1)
        if word in TOOLS and word not in found:
            found.append(word)
    for script, tool in SCRIPTS.items():
        if script in source and tool not in found:
            found.append(tool)
    return found


class MissingTool(Exception):
    """A block needs a tool this machine does not have (the test skips, or fails under CI=true)."""


def _check_tools(source: str) -> None:
    for tool in tools_needed(source):
        present, reason = TOOLS[tool]
        if not present():  # type: ignore[operator]
            raise MissingTool(reason)


def _transcript(source: str) -> list[tuple[str, str]] | None:
    """`$ command` lines with the output shown under each, or None when the block is a plain script."""
    if not source.lstrip().startswith("$ "):
        return None
    steps: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return [(cmd, "\n".join(out).rstrip()) for cmd, out in steps]


def _run_shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)


def evaluate_sh(example: Example) -> None:
    source = example.parsed
    _check_tools(source)
    page = example.namespace["page"]
    steps = _transcript(source)
    if steps is None:
        done = _run_shell(source, page.cwd, page.env)
        if done.returncode != 0:
            raise AssertionError(f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
        return
    for command, shown in steps:
        done = _run_shell(command, page.cwd, page.env)
        got = "\n".join(line.rstrip() for line in done.stdout.rstrip().splitlines())
        if done.returncode != 0 or got != "\n".join(line.rstrip() for line in shown.splitlines()):
            raise AssertionError(f"$ {command}\nexit {done.returncode}\n--- shown\n{shown}\n--- got\n{got}\n"
                                 f"--- stderr\n{done.stderr}")


def evaluate_sql(example: Example) -> None:
    import duckdb

    page = example.namespace["page"]
    con = duckdb.connect()
    try:
        cwd = os.getcwd()
        os.chdir(page.cwd)
        try:
            for statement in (s for s in example.parsed.split(";") if s.strip()):
                relation = con.sql(statement)
                if relation is not None:
                    relation.fetchall()
        finally:
            os.chdir(cwd)
    finally:
        con.close()


class FencedBlockParser(AbstractCodeBlockParser):
    """Sybil's Markdown code block parser, fenced blocks only: its other lexer also takes an HTML comment
    starting with `code` (`<!-- codes:end -->` in docs/validation.md) for a block."""

    def __init__(self, language: str | None = None, evaluator=None) -> None:
        super().__init__([FencedCodeBlockLexer(language=r".+", mapping={"language": "arguments", "source": "source"})],
                         language, evaluator)


class PythonBlockParser(PythonCodeBlockParser):
    codeblock_parser_class = FencedBlockParser


SYBIL = Sybil(parsers=[SkipParser(), PythonBlockParser(), FencedBlockParser("sh", evaluate_sh),
                       FencedBlockParser("sql", evaluate_sql)], patterns=["*.md"], path=str(ROOT))


def release_readme_page(folder: Path) -> Path:
    """The README a release archive carries (written from the descriptor alone), as a page to run."""
    from ecocluster.package import Package
    from ecocluster.release.readme import release_readme

    path = folder / "release-README.md"
    path.write_text(release_readme(Package.open(ROOT), ["CITATION.cff"]), encoding="utf-8")
    return path


class Page:
    """One documentation page's run: its scratch folder, its environment, its database. The release
    README runs in the unzipped release archive; every other page in a copy of the repository's files."""

    def __init__(self, path: Path, template: Path, scratch: Path):
        self.path = path
        self.cwd = scratch
        if path.name == "release-README.md":
            import zipfile

            with zipfile.ZipFile(next((template / "build").glob("*.zip"))) as zf:
                zf.extractall(scratch)
        else:
            shutil.copytree(template, scratch, symlinks=True)
        self.env = dict(os.environ)
        self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env.get('PATH', '')}"
        self.env.pop("ECOCLUSTER_DEBUG", None)
        self.database = ""
        dsn = os.environ.get("ECOCLUSTER_PG_DSN", "")
        if dsn and _have("psql"):
            self.database = f"ecocluster_docs_{uuid.uuid4().hex[:12]}"
            subprocess.run(["psql", "-X", "-q", "-d", dsn, "-c", f'CREATE DATABASE "{self.database}"'],
                           check=True, capture_output=True, timeout=60)
            parts = urlsplit(dsn)
            self.env.update(PGHOST=parts.hostname or "", PGPORT=str(parts.port or 5432),
                            PGUSER=parts.username or "", PGDATABASE=self.database)
        self.dsn = dsn

    def close(self) -> None:
        if self.database:
            subprocess.run(["psql", "-X", "-q", "-d", self.dsn, "-c", f'DROP DATABASE IF EXISTS "{self.database}"'],
                           check=False, capture_output=True, timeout=60)


def make_template(dest: Path) -> Path:
    """A copy of the repository's package files with `build/` built in it, as the first command makes it."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        elif src.is_file():
            shutil.copy2(src, dest / name)
    done = subprocess.run([sys.executable, "-m", "ecocluster", "build", "--quiet"], cwd=dest, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"`ecocluster build` failed in the docs' scratch copy:\n{done.stderr}")
    return dest


def is_marker(example: Example) -> bool:
    """A skip marker (an HTML comment), not a block of code."""
    return not isinstance(example.parsed, str)


def blocks(path: Path) -> list[tuple[list[Example], Example]]:
    """Each code block of a page with the markers that stand before it, in page order."""
    document: Document = SYBIL.parse(path)
    out: list[tuple[list[Example], Example]] = []
    markers: list[Example] = []
    for example in document.examples():
        if is_marker(example):
            markers.append(example)
        else:
            out.append((markers, example))
            markers = []
    return out
