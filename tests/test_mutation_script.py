"""scripts/mutation.py: the score per module from mutmut's results, the equivalent-survivor list."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "mutation.py"
spec = importlib.util.spec_from_file_location("mutation_script", SCRIPT)
assert spec and spec.loader
mutation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutation)


def write_meta(root: Path, rel: str, codes: dict) -> None:
    path = root / "mutants" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}), encoding="utf-8")


def test_scores_per_module_with_equivalents_left_out(tmp_path: Path) -> None:
    write_meta(tmp_path, "src/ecocluster/dates.py.meta",
               {f"ecocluster.dates.x_date_bounds__mutmut_{i}": code for i, code in enumerate([1, 1, 1, 0, 36, None])})
    write_meta(tmp_path, "src/ecocluster/validation/cross.py.meta",
               {"ecocluster.validation.cross.x_f__mutmut_1": 1, "ecocluster.validation.cross.x_f__mutmut_2": 0,
                "ecocluster.validation.cross.x_f__mutmut_3": 33, "ecocluster.validation.cross.x_f__mutmut_4": -11})
    eq = tmp_path / "eq.txt"
    eq.write_text("# comment\necocluster.dates.x_date_bounds__mutmut_3 the same bound either way\n", encoding="utf-8")
    by = mutation.scores(mutation.results(tmp_path / "mutants"), mutation.read_equivalent(eq))
    assert by["dates"] == {"mutants": 6, "killed": 4, "timeouts": 1, "equivalent": 1, "not checked": 1}
    assert mutation.score(by["dates"]) == 1.0
    assert by["validation"] == {"mutants": 4, "killed": 1, "timeouts": 0, "survived": 2, "suspicious": 1}
    assert mutation.score(by["validation"]) == 0.25
    text, ok = mutation.table(by)
    assert not ok
    assert "validation          4       1         0         3       0          0   25.0%  (goal 90%)" in text
    assert text.splitlines()[-1].startswith("overall            10       5")


def test_an_equivalent_mutant_needs_a_reason(tmp_path: Path) -> None:
    eq = tmp_path / "eq.txt"
    eq.write_text("ecocluster.dates.x_date_bounds__mutmut_3\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="has no reason"):
        mutation.read_equivalent(eq)


def test_the_shipped_equivalent_list_reads() -> None:
    for name, reason in mutation.read_equivalent().items():
        assert name.startswith("ecocluster.") and "__mutmut_" in name and reason


def test_report_without_results_is_a_usage_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(mutation, "ROOT", tmp_path)
    assert mutation.main(["--report"]) == 2
    assert "no mutation results" in capsys.readouterr().err
