"""The code's folders follow the data's way through it, and each stage imports only from those before it.

    0  rules, errors, datamodel, base/          the ground floor, in that order
    1  package/                                  datapackage.json + schemas -> Package
    2  tables/                                   data/*.csv -> frames
    3  validation/                               frames -> Report
    4  exports/, then loading                    frames -> files, frames -> pandas
    5  curation/                                 what curators run on a source package (fmt, diff, docs)
    6  release/                                  exports -> build/ (with the diff from the last release)
    7  cli/, then __init__ and __main__          the command, and the library's front door

Every import of an `ecocluster` module is an edge, wherever it stands (inside a function too): a lazy
import still makes the stages depend on each other. An edge may go down the stages or stay within a
module's own folder; no module may take part in a circle of imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "ecocluster"
STAGES = {
    "rules": 0.0, "errors": 0.1, "datamodel": 0.2, "base": 0.3,
    "package": 1, "tables": 2, "validation": 3, "exports": 4, "loading": 4.5,
    "curation": 5, "release": 6, "cli": 7, "__init__": 7.5, "__main__": 7.6,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """The ecocluster modules a file imports, resolved to the module (not the name taken from it)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("ecocluster"):
                continue
            for alias in node.names:  # `from . import x` may name a module
                sub = f"{target}.{alias.name}"
                found.add(sub if module_path(sub) else target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ecocluster")}
    found.discard(name)
    return {m for m in found if module_path(m)}


def module_path(name: str) -> Path | None:
    rel = Path(*name.split(".")[1:]) if "." in name else Path("__init__")
    for candidate in (SRC / rel.with_suffix(".py"), SRC / rel / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def top(name: str) -> str:
    return name.split(".")[1] if "." in name else "__init__"


def stage(name: str) -> float:
    return STAGES[top(name)]


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(SRC.rglob("*.py"))}


def test_every_folder_has_a_stage():
    tops = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in SRC.rglob("*.py")}
    assert tops <= set(STAGES), tops - set(STAGES)


def test_every_import_goes_down_the_stages_or_stays_in_its_folder():
    upward = [f"{module} -> {target}" for module, targets in graph().items() for target in targets
              if top(module) != top(target) and stage(target) >= stage(module)]
    assert not upward, upward


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_circle_of_imports():
    assert cycles(graph()) == []


@pytest.mark.parametrize("edges,expected", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
])
def test_the_circle_finder_finds_circles(edges, expected):
    assert cycles(edges) == expected


def test_the_import_reader_resolves_relative_and_lazy_imports(tmp_path):
    """It reads the files of the real tree: `from ..rules import RULES` in validation/report.py is an edge
    to ecocluster.rules, and cli/__init__'s lazy import of its commands is seen too."""
    report = imports(SRC / "validation" / "report.py")
    assert "ecocluster.rules" in report
    assert "ecocluster.cli.common" in imports(SRC / "cli" / "__init__.py")
