"""Each rule's code is emitted only in the modules its level names (`rules.CHECKED_IN`), so a rule is
found by its folder; docs/validation.md says the same under each code, from the same table.

A code is emitted where it is a string constant among the arguments of an emitting call: a report's
`out.one(...)` / `out.add(...)`, a table pass's `Check(...)` or `duplicate(...)`, `_add_by_table(...)`,
`_report_cycles(...)`, `PackageError(...)`, `read_bytes(path, what, "x")`, or
`read_json(path, "x-invalid")` (which also reports `x-missing`). A name passed instead
(`Check(code, ...)`) counts with the constants bound to it in the same function
(`code = "id-invalid" if ... else "pattern-mismatch"`, `for code, regex in (("text-control-character", ...`).
The exception classes of errors.py only declare their codes; the modules that raise them and the
engine that reports them are where those codes are emitted.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ecocluster.rules import CHECKED_IN, LEVELS, RULES, checked_in, render_codes

SRC = Path(__file__).resolve().parents[2] / "src" / "ecocluster"
EMITTERS = {"one", "add", "Check", "duplicate", "_add_by_table", "_report_cycles", "PackageError", "read_json",
            "read_bytes"}


def _callee(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _codes_in(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in RULES}


def _bound(scope: ast.AST, name: str) -> set[str]:
    """The codes among the values a name is given in `scope`: assignments, loops and comprehensions."""
    found: set[str] = set()
    for node in ast.walk(scope):
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, (ast.For, ast.comprehension)):
            pairs = [(node.target, node.iter)]
        for target, value in pairs:
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)):
                found |= _codes_in(value)
    return found


def emitted(path: Path) -> set[str]:
    """The rule codes a module emits."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    found: set[str] = set()
    for scope in [tree, *scopes]:
        for call in ast.walk(scope):
            if not isinstance(call, ast.Call) or _callee(call) not in EMITTERS:
                continue
            args = [*call.args, *(k.value for k in call.keywords)]
            codes = set().union(*(_codes_in(a) for a in args))
            for arg in args:
                if isinstance(arg, ast.Name) and scope is not tree:
                    codes |= _bound(scope, arg.id)
            if _callee(call) == "read_json":
                codes |= {c.replace("-invalid", "-missing") for c in codes} & set(RULES)
            found |= codes
    return found


def _allowed(module: str, level: str) -> bool:
    return any(module == place or (place.endswith("/") and module.startswith(place)) for place in CHECKED_IN[level])


def misplaced(root: Path) -> list[str]:
    """`module: code` for every code a module under `root` emits outside the modules its level names."""
    out = []
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root).as_posix()
        for code in sorted(emitted(path)):
            level = RULES[code].level
            if not _allowed(module, level):
                out.append(f"{module}: emits `{code}`, a {level} rule, checked only in {', '.join(CHECKED_IN[level])}")
    return out


def test_every_code_is_emitted_only_where_its_level_says():
    wrong = misplaced(SRC)
    assert not wrong, "move the check, or fix the rule's level in rules/:\n" + "\n".join(wrong)


def test_the_scan_sees_every_code_emitted():
    # a code the scan cannot see would pass the placement test unchecked
    seen: set[str] = set()
    for path in SRC.rglob("*.py"):
        seen |= emitted(path)
    assert seen == set(RULES), sorted(set(RULES) - seen)


def test_every_level_has_places_that_exist():
    assert set(CHECKED_IN) == set(LEVELS)
    for level, places in CHECKED_IN.items():
        for place in places:
            assert (SRC / place).is_dir() if place.endswith("/") else (SRC / place).is_file(), (level, place)


def test_the_docs_say_where_each_code_is_checked():
    docs = render_codes()
    for code, rule in RULES.items():
        section = docs.split(f"#### `{code}`:", 1)[1].split("####", 1)[0]
        assert f"*Checked in:* {checked_in(rule.level)}" in section, code
    assert "`ecocluster/validation/checks.py`" in checked_in("cell")


def test_a_code_emitted_in_the_wrong_module_is_named(tmp_path: Path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "validation").mkdir()
    (tmp_path / "tables" / "reader.py").write_text(
        'def f(out):\n    out.one("file-empty", "t")\n    code = "row-blank" if out else "date-order"\n'
        '    out.add(code, "t", None, None)\n', encoding="utf-8")
    (tmp_path / "validation" / "checks.py").write_text(
        '"""Emits date-order? Only in this docstring."""\n# out.one("file-missing")\n'
        'def g(out):\n    out.one("required-missing")\n    return [Check(c, "x") for c in ("file-empty",)]\n',
        encoding="utf-8")
    assert misplaced(tmp_path) == [
        "tables/reader.py: emits `date-order`, a cross rule, checked only in "
        "validation/keys.py, validation/references.py, validation/relations.py",
        "validation/checks.py: emits `file-empty`, a file rule, checked only in tables/reader.py",
    ]
