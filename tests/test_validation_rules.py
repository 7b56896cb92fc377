"""The rule table is the one description of every error: each code documented, each emitted code listed."""

import re
from pathlib import Path

from ecocluster.validation import RULES
from ecocluster.validation.convert import render_docs

ROOT = Path(__file__).resolve().parent.parent
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
    for path in [*(SRC / "validation").glob("*.py"), SRC / "package.py"]:
        text = path.read_text(encoding="utf-8")
        emitted |= set(re.findall(r'(?:out\.(?:one|add)|Check|PackageError)\(\s*"([a-z0-9-]+)"', text))
        emitted |= set(re.findall(r'code = "([a-z0-9-]+)"', text))
        emitted |= {
            c.replace("invalid", "missing") for c in re.findall(r'_read_json\([^)]*"([a-z-]+)"', text)
        }
    emitted -= {"descriptor-missing"}  # mapped to package-not-found by the engine
    assert emitted, "the scan found no codes"
    assert emitted <= set(RULES), emitted - set(RULES)
    # and every rule in the table is emitted somewhere (no dead rules)
    checks_text = "".join(p.read_text(encoding="utf-8") for p in (SRC / "validation").glob("*.py"))
    for code in RULES:
        assert code in emitted or f'"{code}"' in checks_text.replace(f'Rule("{code}"', ""), code
