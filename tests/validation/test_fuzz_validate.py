"""Seeded fuzzing of `ecocluster validate` (issue 15): random byte corruptions of the CSVs, JSON
corruptions of the descriptor and schemas, and corruptions of a release zip. For every case the
library returns a report (never raises, never `internal-error`), the CLI exits 0, 1 or 2 without a
traceback, and nothing outside the case's folder changes.

ECOCLUSTER_FUZZ_CASES=20000 runs a bigger campaign (default 2,000; about 30 s). The package is three
tables of the valid fixture, so each case costs milliseconds and every rule still has data to see. The
corruptions are in tests/support/fuzzcases.py (the fuzz test of `build` uses them too); a quarter of
the cases are the traps of issue 28 (links out, special files, YAML bombs, hostile text, names the
formats cannot hold), and every CLI output is checked to show data as text: no control character, no
command a CI runner would act on but the github format's own.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
from ci_parsers import assert_shown_as_text
from click.testing import CliRunner
from fuzzcases import FIXTURE, KINDS, SECRET, base, corrupt, deadline, snapshot

from ecocluster.cli import main
from ecocluster.rules import RULES
from ecocluster.validation import validate

REPO = Path(__file__).resolve().parents[2]
CASES = int(os.environ.get("ECOCLUSTER_FUZZ_CASES", "2000"))
CLI_EVERY = 40  # the CLI runs on every 40th case (CliRunner costs more than the validation)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Duplicate name")  # a zip of two members of one name, on purpose
def test_fuzz_validate_never_raises_and_touches_nothing_outside(tmp_path: Path) -> None:
    rng = random.Random(15)
    guarded = [REPO / "data", REPO / "schemas", FIXTURE]
    before = snapshot(*guarded) | {str(REPO / "datapackage.json"): (REPO / "datapackage.json").read_text()}
    sentinel = tmp_path / "sentinel.txt"
    sentinel.write_text("untouched")
    runner = CliRunner()
    codes: dict[str, int] = {}
    for i in range(CASES):
        case = tmp_path / "case"
        shutil.rmtree(case, ignore_errors=True)
        root = case / "pkg"
        base(root)
        kind = i % KINDS
        with deadline(120, f"case {i}"):
            target = corrupt(rng, kind, root)
            traps = snapshot(case / "outside")  # what the traps of this case lead to (none for other kinds)
            report = validate(target)  # must not raise
        assert SECRET not in json.dumps([e.to_dict() for e in report.errors], default=str), i
        assert all(e.code in RULES for e in report.errors)
        assert "internal-error" not in report.stats["by_code"], (i, kind, report.errors[0].message)
        for e in report.errors:
            codes[e.code] = codes.get(e.code, 0) + 1
        if i % CLI_EVERY == 0:
            fmt = rng.choice(["text", "github", "json", "markdown"])
            result = runner.invoke(main, ["validate", str(target), "--format", fmt])
            assert result.exit_code in (0, 1, 2), (i, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (i, result.exception)
            assert "Traceback" not in result.output
            ours = frozenset({"error", "warning", "group", "endgroup", "stop-commands"}) if fmt == "github" else None
            assert_shown_as_text(result.stdout, ours or frozenset())
            assert_shown_as_text(result.stderr)
        assert snapshot(case / "outside") == traps, i
        assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "sentinel.txt"], i
        assert sorted(p.name for p in case.iterdir() if p.name != "outside") in (["pkg"], ["pkg", "release.zip"]), i
    assert sentinel.read_text() == "untouched"
    after = snapshot(*guarded) | {str(REPO / "datapackage.json"): (REPO / "datapackage.json").read_text()}
    assert after == before
    assert len(codes) >= 15, codes  # the corruptions reach many rules, not one error path
