"""scripts/mutation.py: the score per module from mutmut's results, the equivalent-survivor list."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutation.py"
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


def names(module: str, count: int) -> list[str]:
    return [f"ecocluster.{module}.x_f__mutmut_{i}" for i in range(1, count + 1)]


def test_a_sample_is_drawn_per_module_and_the_same_seed_draws_the_same_names() -> None:
    every = names("validation", 500) + names("dates", 7)
    first = mutation.draw(every, 20, seed=3)
    assert sum(mutation.module_of(n) == "validation" for n in first) == 20
    assert [n for n in first if mutation.module_of(n) == "dates"] == sorted(names("dates", 7))  # all of a small one
    assert mutation.draw(list(reversed(every)), 20, seed=3) == first  # the order mutmut lists them in does not matter
    assert mutation.draw(every, 20, seed=4) != first
    # asking for one module draws the same names in it as asking for all
    assert mutation.draw(every, 20, seed=3, modules=["validation"]) == [n for n in first if "validation" in n]
    assert len(set(first)) == len(first)


def test_the_wilson_interval_matches_its_published_values() -> None:
    # 95% Wilson intervals (z = 1.96) of 0, 10 and 5 in 10
    for (k, n), (lo, hi) in {(0, 10): (0.0, 0.2775), (10, 10): (0.7225, 1.0), (5, 10): (0.2366, 0.7634)}.items():
        got = mutation.wilson(k, n)
        assert got == pytest.approx((lo, hi), abs=5e-5)
        assert got[0] <= k / n <= got[1]


def test_a_module_drawn_whole_has_no_interval_around_its_score() -> None:
    c = mutation.Counter({"mutants": 7, "killed": 6, "survived": 1})
    assert mutation.interval(c, population=7) == (6 / 7, 6 / 7)
    assert mutation.interval(c, population=70) == mutation.wilson(6, 7)
    assert mutation.interval(mutation.Counter({"mutants": 2, "not checked": 2}), population=9) is None


def test_the_overall_score_of_a_sample_weighs_each_module_by_its_mutants() -> None:
    by = {"validation": mutation.Counter({"mutants": 10, "killed": 5, "survived": 5}),
          "dates": mutation.Counter({"mutants": 10, "killed": 10})}
    est, (lo, hi) = mutation.overall(by, {"validation": 900, "dates": 10})
    assert est == pytest.approx((900 * 0.5 + 10 * 1.0) / 910)  # not the pooled 15/20
    assert lo < est < hi
    # the dates module was drawn whole: only the validation draw adds width, about that of 5 in 10
    v_lo, v_hi = mutation.wilson(5, 10)
    assert hi - lo == pytest.approx(v_hi - v_lo, rel=0.05)
    whole = {"dates": mutation.Counter({"mutants": 10, "killed": 9, "survived": 1})}
    assert mutation.overall(whole, {"dates": 10}) == (0.9, (0.9, 0.9))


def test_the_sample_table_says_what_was_drawn_and_flags_a_missed_goal() -> None:
    by = {"validation": mutation.Counter({"mutants": 10, "killed": 8, "survived": 1, "equivalent": 1}),
          "loading": mutation.Counter({"mutants": 4, "killed": 4, "timeouts": 1})}
    text, ok = mutation.sample_table(by, {"validation": 400, "loading": 4}, "a random sample (seed 7)")
    assert not ok  # 8 of 9 judged is under 90%
    lines = text.splitlines()
    assert lines[1].startswith("loading             4 of 4       4         1         0       0          0  100.0%")
    assert "100.0%  100.0% to 100.0%" in lines[1]
    assert lines[2].startswith("validation       10 of 400       8         0         1       1          0   88.9%")
    assert lines[2].endswith("(goal 90%)")
    assert lines[3].startswith("overall          14 of 404      12         1         1       1          0   89.0%")
    assert lines[4] == ("a random sample (seed 7): 14 of 404 mutants; overall: each module weighted by its number"
                        " of mutants")


def test_list_prints_the_drawn_names_and_runs_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    write_meta(tmp_path, "src/ecocluster/dates.py.meta", dict.fromkeys(names("dates", 5)))
    write_meta(tmp_path, "src/ecocluster/loading.py.meta", dict.fromkeys(names("loading", 50)))
    monkeypatch.setattr(mutation, "ROOT", tmp_path)
    monkeypatch.setattr(mutation, "generate", lambda root: None)
    monkeypatch.setattr(mutation.subprocess, "run", lambda *a, **k: pytest.fail("--list ran mutmut"))
    assert mutation.main(["--sample", "3", "--seed", "2", "--list"]) == 0
    out = capsys.readouterr().out.split()
    assert out == mutation.draw(names("dates", 5) + names("loading", 50), 3, 2)
    assert len(out) == 6


def test_sample_mode_usage_errors(tmp_path: Path, monkeypatch, capsys) -> None:
    for argv in (["--sample", "0"], ["--list"], ["--sample", "3", "--names", "x.txt"]):
        with pytest.raises(SystemExit) as exc:
            mutation.main(argv)
        assert exc.value.code == 2
    write_meta(tmp_path, "src/ecocluster/dates.py.meta", dict.fromkeys(names("dates", 5)))
    monkeypatch.setattr(mutation, "ROOT", tmp_path)
    assert mutation.main(["--report", "--sample", "3", "nosuch"]) == 2
    assert "no mutants in module(s) nosuch; there are: dates" in capsys.readouterr().err


def test_report_of_a_sample_scores_only_the_drawn_mutants(tmp_path: Path, monkeypatch, capsys) -> None:
    every = names("loading", 40)
    codes = {n: (0 if n.endswith("_1") else 1) for n in every}
    write_meta(tmp_path, "src/ecocluster/loading.py.meta", codes)
    monkeypatch.setattr(mutation, "ROOT", tmp_path)
    picked = mutation.draw(every, 10, 5)
    assert mutation.main(["--report", "--sample", "10", "--seed", "5"]) in (0, 1)
    out = capsys.readouterr().out
    killed = sum(codes[n] == 1 for n in picked)
    assert f"{'loading':<12} {'10 of 40':>13} {killed:>7}" in out
    assert killed < 10 or not any(n.endswith("_1") for n in picked)


def test_names_tests_the_listed_mutants_and_says_which_are_gone(tmp_path: Path, monkeypatch, capsys) -> None:
    every = names("loading", 40)
    write_meta(tmp_path, "src/ecocluster/loading.py.meta", {n: 1 for n in every})
    listed = tmp_path / "names.txt"
    listed.write_text("\n".join([every[3], every[7], "ecocluster.loading.x_gone__mutmut_1"]) + "\n", encoding="utf-8")
    ran: list[list[str]] = []
    monkeypatch.setattr(mutation, "ROOT", tmp_path)
    monkeypatch.setattr(mutation, "generate", lambda root: None)
    monkeypatch.setattr(mutation, "widen", lambda stats: 0)
    monkeypatch.setattr(mutation.subprocess, "run", lambda cmd, **k: ran.append(cmd))
    assert mutation.main(["--names", str(listed)]) == 0
    assert ran[0][-2:] == [every[3], every[7]]
    out, err = capsys.readouterr()
    assert "1 of the 3 mutants in" in err and "x_gone__mutmut_1" in err
    assert f"{'loading':<12} {'2 of 40':>13} {2:>7}" in out
    assert "the mutants listed in names.txt: 2 of 40 mutants" in out


def test_widen_credits_a_function_to_every_test_of_the_files_it_ran_in(tmp_path: Path) -> None:
    stats = tmp_path / "mutmut-stats.json"
    tests = ["tests/test_a.py::first", "tests/test_a.py::second", "tests/test_b.py::other"]
    stats.write_text(json.dumps({
        "tests_by_mangled_function_name": {"ecocluster.exports.x.x_export": ["tests/test_a.py::first"],
                                           "ecocluster.dates.x_f": ["tests/test_b.py::other"]},
        "duration_by_test": {t: 0.1 for t in tests}, "stats_time": 1.0}), encoding="utf-8")
    assert mutation.widen(stats) == 1
    data = json.loads(stats.read_text(encoding="utf-8"))
    # the module fixture ran in `first`; `second` reads its output too and is now run on the mutant
    assert data["tests_by_mangled_function_name"] == {
        "ecocluster.exports.x.x_export": ["tests/test_a.py::first", "tests/test_a.py::second"],
        "ecocluster.dates.x_f": ["tests/test_b.py::other"]}
    assert data["duration_by_test"] == {t: 0.1 for t in tests} and data["stats_time"] == 1.0  # the rest kept
    assert mutation.widen(stats) == 0  # once is enough
