"""The exact errors every broken variant reports: code, resource, row, field, value, message and hint.

tests/validation/test_validate.py and tests/validation/test_hostile_validation.py compare each variant's report with its
entry in tests/golden/<suite>.json, so a changed message, detail, hint or value fails a test and shows
as a diff to review. After changing a message on purpose, write the files again and read the diff:

    python tests/support/golden.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TESTS = HERE.parent
SUITES = ("test_validate", "test_hostile_validation")  # in tests/validation/


def messages(report: Any, root: Path) -> list[dict[str, Any]]:
    """The report's errors as dicts, with the variant's own folder written as `<package>`."""
    def plain(v: Any) -> Any:
        return v.replace(str(root), "<package>") if isinstance(v, str) else v

    return [{k: plain(v) for k, v in e.to_dict().items()} for e in report.errors]


def path(suite: str) -> Path:
    return TESTS / "golden" / f"{suite}.json"


def expected(suite: str, name: str) -> list[dict[str, Any]]:
    entries = json.loads(path(suite).read_text(encoding="utf-8"))
    assert name in entries, f"{name} has no entry in {path(suite).name}: run `python tests/support/golden.py`"
    return entries[name]


def write(suite: str) -> int:
    """Validate every variant of `suite` and write what it reports; return the number of variants."""
    sys.path[:0] = [str(HERE), str(TESTS / "validation")]
    module = __import__(suite)
    from pkgedits import package

    from ecocluster.validation import validate

    out = {}
    for name in sorted(module.CASES):
        with tempfile.TemporaryDirectory() as tmp:
            root = package(Path(tmp), module.CASES[name][0])
            out[name] = messages(validate(root), root)
    path(suite).write_text(json.dumps(out, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return len(out)


if __name__ == "__main__":
    for suite in SUITES:
        print(f"{path(suite).relative_to(TESTS.parent)}: {write(suite)} variants")
