"""Planted errors at scale: every error scripts/synthesize.py plants is in the validator's report.

The synthetic package records each planted error as the validator reports it (code, resource, editor
line, field). The report may hold more: consequences of a planted error (citations to a repeated ID
are `reference-ambiguous`), so the test asserts planted ⊆ reported, and that the same package
without planted errors is valid.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecocluster.package import Package
from ecocluster.validation import validate

ROOT = Path(__file__).resolve().parents[2]
SYNTHESIZE = ROOT / "scripts" / "synthesize.py"


def synthesize(out: Path, rows: int, seed: int, errors: int) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    args = ["--rows", str(rows), "--out", str(out), "--seed", str(seed), "--errors", str(errors)]
    result = subprocess.run([sys.executable, str(SYNTHESIZE), *args], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "planted-errors.json").read_text(encoding="utf-8"))


def key(e: dict) -> tuple:
    return e["code"], e["resource"], e["row"], e["field"]


@pytest.mark.parametrize("rows, seed, errors", [(600, 1, 9), (3000, 2, 27), (20_000, 3, 45)])
def test_every_planted_error_is_reported_at_its_file_and_line(tmp_path: Path, rows, seed, errors) -> None:
    assert synthesize(tmp_path / "clean", rows, seed, 0) == []
    clean = validate(tmp_path / "clean")
    assert clean.ok and clean.stats["errors"] == 0 and clean.stats["rows"] == rows

    out = tmp_path / "planted"
    planted = synthesize(out, rows, seed, errors)
    assert len(planted) == errors
    report = validate(out)
    reported = {key(e.to_dict()) for e in report.errors}
    assert report.stats["errors"] == len(report.errors)  # nothing was cut off
    missed = [p for p in planted if key(p) not in reported]
    assert missed == []
    # the file each error names is the resource's CSV in that package
    pkg = Package.open(out)
    for p in planted:
        assert report.paths[p["resource"]] == pkg.resource(p["resource"]).path
    # every kind of error was planted: no two kinds share a code on one field (a reference into names and a
    # citation's record_id are both `reference-unresolved`), and some kinds have a code per field
    assert len({(p["code"], p["field"]) for p in planted}) >= 9
