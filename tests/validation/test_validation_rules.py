"""The rule table is the one description of every error: each code documented, each emitted code listed."""

import ast
import re
from pathlib import Path

from ecocluster.validation import RULES
from ecocluster.validation.convert import render_docs

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "ecocluster"


def test_codes_are_stable_kebab_case_with_text():
    for code, rule in RULES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", code), code
        assert rule.title and rule.message and rule.hint.endswith(".") and rule.doc.endswith("."), code


def test_every_code_is_documented_and_the_docs_are_generated_from_the_table():
    # The checkout's docs, not a path beside the installed package (CI installs a wheel).
    raw = (ROOT / "docs" / "validation.md").read_bytes()
    docs = raw.decode("utf-8")
    assert raw == render_docs(docs).encode("utf-8") and b"\r" not in raw, (
        "run `python -m ecocluster.validation.convert`")
    documented = set(re.findall(r"^#### `([a-z0-9-]+)`", docs, flags=re.M))
    assert documented == set(RULES)


def test_every_code_the_validator_can_emit_is_in_the_table():
    emitted = set()
    for path in [*(SRC / "validation").glob("*.py"), *(SRC / "package").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        emitted |= set(re.findall(r'(?:out\.(?:one|add)|Check|PackageError)\(\s*"([a-z0-9-]+)"', text))
        emitted |= set(re.findall(r'code = "([a-z0-9-]+)"', text))
        emitted |= {
            c.replace("invalid", "missing") for c in re.findall(r'_read_json\([^)]*"([a-z-]+)"', text)
        }
    emitted -= {"descriptor-missing"}  # mapped to package-not-found by the engine
    assert emitted, "the scan found no codes"
    assert emitted <= set(RULES), emitted - set(RULES)


def code_literals(path: Path) -> set[str]:
    """The string constants of a module's code (comments and docstrings aside), without the rule table's
    own `Rule("code", ...)` definitions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Rule" and node.args:
            skip.add(id(node.args[0]))
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))  # a docstring
    found = {n.value for n in ast.walk(tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip}
    # package/opening.py's `read_json(path, "x-invalid", ...)` reports a missing file as `x-missing`
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "read_json":
            found |= {a.value.replace("invalid", "missing") for a in node.args
                      if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_no_dead_rules():
    """Every rule in the table is used as a string literal in the code that can emit it."""
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        used |= code_literals(path)
    dead = [code for code in RULES if code not in used]
    assert not dead, dead


def test_a_code_only_in_a_comment_is_dead(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text('"""Docstring: date-order."""\n# emits "date-order"\nRule("date-order", "cell")\n'
                      'x = "self-relation"\n', encoding="utf-8")
    assert code_literals(module) == {"cell", "self-relation"}
