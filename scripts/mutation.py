"""Mutation testing: run mutmut over the modules the suite must guard, and print the score per module.

    pip install -e ".[test,mutation]"
    python scripts/mutation.py                      # every module in [tool.mutmut] only_mutate
    python scripts/mutation.py dates validation     # only these modules (mutmut resumes where it left off)
    python scripts/mutation.py --report             # only print the score of the last run
    python scripts/mutation.py --sample 80 --seed 1 # a seeded random sample of 80 mutants per module
    python scripts/mutation.py --names FILE         # the mutants named in FILE (as --sample --list prints them)

The full run (the default, and the weekly workflow) tests every mutant, and takes hours. The sample mode
picks N mutants per module at random from mutmut's generated list (the same seed picks the same names
while the code is unchanged), runs only those (`mutmut run NAME...`), and prints the score of the sample
with a 95% Wilson interval per module; the overall line weighs each module by its number of mutants.
`--report --sample N --seed S` prints the score of that sample again without running it. To compare
before and after a change, save the names (`--sample N --seed S --list > FILE`) and test them again with
`--names FILE`: a change to the code can renumber mutants, which would change what the seed draws.

The score of a module is killed / (mutants - equivalent - not yet checked): a timeout counts as
killed (and is shown apart: on a loaded machine a slow test can time out), a mutant no test reaches
as survived. Survivors judged equivalent (no test can tell them from the original) are listed, each
with its reason, in `mutation-equivalent.txt` at the repository root, which this script reads.
Before testing, each function is credited to every test of the test files it ran in (see `widen`):
mutmut alone credits what a module-scoped fixture calls to the first test that asks for the fixture.
Exits 1 when a goal is missed (90% in validation/ and dates.py, 80% overall), 2 on a usage error.
Run from the repository root; mutmut writes its work into `mutants/`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "mutation-equivalent.txt"
GOALS = {"validation": 0.90, "base": 0.90}  # base: the date helpers (base/dates.py)
OVERALL_GOAL = 0.80
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}  # a failing test, pytest's internal error, a timeout, mypy
SURVIVED = {0, 5, 33}  # no test failed, or no test reached the mutant
NOT_CHECKED = {None, 2, 34}
WIDTHS = (12, 8, 7, 9, 9, 7, 10, 7)


def read_equivalent(path: Path = EQUIVALENT) -> dict[str, str]:
    """`mutant-name  reason` per line; `#` starts a comment line. A line without a reason is refused."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}, line {n}: `{name}` has no reason; say why it is equivalent")
        out[name] = reason.strip()
    return out


def module_of(mutant: str) -> str:
    """`ecocluster.validation.cross.x_check__mutmut_3` -> `validation`; `ecocluster.loading.x_f__mutmut_1` ->
    `loading`."""
    parts = mutant.split(".")
    return parts[1] if len(parts) > 2 else parts[0]


def results(mutants_dir: Path) -> dict[str, int | None]:
    """Every mutant's exit code from mutmut's `*.meta` files."""
    codes: dict[str, int | None] = {}
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {}))
    return codes


def generate(root: Path) -> None:
    """Let mutmut write its mutants and their `*.meta` files, and record which tests reach which function,
    without testing any mutant: the sample is drawn from them, and `widen` edits the record.

    These are the first steps of `mutmut run` (mutmut has no command for them alone); a file whose mutants
    are already written is left as it is, and only new tests are traced.
    """
    code = ("import os, mutmut.__main__ as m; m.set_mutant_under_test('mutant_generation');"
            " os.makedirs('mutants', exist_ok=True); m.copy_src_dir(); m.copy_also_copy_files();"
            " m.setup_source_paths(); m.create_mutants(os.cpu_count() or 2);"
            " m.collect_or_load_stats(m.get_mutant_runner(os.cpu_count() or 2), apply_config_invalidation=True)")
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, stdout=subprocess.DEVNULL)


def widen(stats_path: Path) -> int:
    """Credit each function to every test of the test files it ran in; return how many credits were added.

    mutmut credits a function to the test during which it ran, and tests a mutant with those tests only.
    A module-scoped fixture runs once, inside the first test that asks for it, so what it calls (an export
    of the whole package that every test of the file then reads) is credited to that one test: a mutant
    there was tested by it alone, even by a test that skips (the Popolo schema check without the schemas),
    and survived. Widening only adds tests, so a mutant still counts killed only when a test fails on it.
    """
    data = json.loads(stats_path.read_text(encoding="utf-8"))
    by_file: dict[str, set[str]] = {}
    for test in map(lambda t: t.removeprefix("mutants/"), data["duration_by_test"]):
        by_file.setdefault(test.split("::", 1)[0], set()).add(test)
    added = 0
    for function, tests in data["tests_by_mangled_function_name"].items():
        wide = set(tests).union(*(by_file.get(t.split("::", 1)[0], set()) for t in tests))
        added += len(wide) - len(set(tests))
        data["tests_by_mangled_function_name"][function] = sorted(wide)
    stats_path.write_text(json.dumps(data), encoding="utf-8")
    return added


def mutmut_run(names: list[str], max_children: int | None) -> None:
    """`mutmut run` for these mutants (all when none), after `generate` and with its test credits widened."""
    generate(ROOT)
    widen(ROOT / "mutants" / "mutmut-stats.json")
    cmd = [sys.executable, "-m", "mutmut", "run", *names]
    if max_children:
        cmd[4:4] = ["--max-children", str(max_children)]
    subprocess.run(cmd, cwd=ROOT, check=False)  # survivors make mutmut exit non-zero: the score decides


def draw(names: list[str], per_module: int, seed: int, modules: list[str] | None = None) -> list[str]:
    """`per_module` mutant names drawn at random from each module (all of a smaller one), reproducible by seed.

    Each module is drawn with its own generator, so asking for fewer modules picks the same names in the others.
    """
    by: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by.setdefault(module_of(name), []).append(name)
    picked: list[str] = []
    for module, members in sorted(by.items()):
        if modules and module not in modules:
            continue
        picked += sorted(random.Random(f"{seed}:{module}").sample(members, min(per_module, len(members))))
    return picked


def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion k/n (n > 0): sound at 0, at 1 and for small n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def interval(c: Counter, population: int) -> tuple[float, float] | None:
    """A module's interval: none when nothing was judged, the score itself when every mutant was drawn."""
    judged = c["mutants"] - c["equivalent"] - c["not checked"]
    if not judged:
        return None
    if c["mutants"] >= population and not c["not checked"]:
        return (c["killed"] / judged,) * 2
    return wilson(c["killed"], judged)


def overall(by: dict[str, Counter], population: dict[str, int]) -> tuple[float, tuple[float, float]] | None:
    """The overall score of a sample drawn per module: each module's score weighted by its number of mutants.

    The interval is Wilson's, on the effective sample size of the weighted estimate (its variance read as a
    simple random sample's); a module drawn whole adds no variance.
    """
    parts = [(population[m], c["killed"], c["mutants"] - c["equivalent"] - c["not checked"], c["mutants"])
             for m, c in by.items()]
    parts = [p for p in parts if p[2]]
    if not parts:
        return None
    total = sum(w for w, *_ in parts)
    est = sum(w / total * k / j for w, k, j, _ in parts)
    var = sum((w / total) ** 2 * (k / j) * (1 - k / j) / j for w, k, j, drawn in parts if drawn < w)
    n_eff = est * (1 - est) / var if var else sum(j for _, _, j, _ in parts)
    if not var and all(drawn >= w for w, _, _, drawn in parts):
        return est, (est, est)
    return est, wilson(est * n_eff, n_eff)


def sample_table(by: dict[str, Counter], population: dict[str, int], what: str) -> tuple[str, bool]:
    """The score of a sample per module, with its interval; a goal is missed when the sample's score is under it."""
    head = f"{'module':<12} {'sample':>13} {'killed':>7} {'timeouts':>9} {'survived':>9} {'equiv.':>7} " \
           f"{'unchecked':>10} {'score':>7}  95% interval"
    lines = [head]
    ok = True
    rows = [(m, c, interval(c, population[m])) for m, c in sorted(by.items())]
    total: Counter = sum(by.values(), Counter())
    whole = overall(by, population)
    rows.append(("overall", total, whole[1] if whole else None))
    for name, c, ci in rows:
        judged = c["mutants"] - c["equivalent"] - c["not checked"]
        s = (whole[0] if whole else None) if name == "overall" else (c["killed"] / judged if judged else None)
        pop = sum(population[m] for m in by) if name == "overall" else population[name]
        goal = GOALS.get(name, OVERALL_GOAL if name == "overall" else None)
        missed = s is not None and goal is not None and s < goal
        ok = ok and not missed
        size = f"{c['mutants']} of {pop}"
        lines.append(f"{name:<12} {size:>13} {c['killed']:>7} {c['timeouts']:>9} {c['survived'] + c['suspicious']:>9} "
                     f"{c['equivalent']:>7} {c['not checked']:>10} {'-' if s is None else f'{s:.1%}':>7}  "
                     + ("-" if ci is None else f"{ci[0]:.1%} to {ci[1]:.1%}")
                     + (f"  (goal {goal:.0%})" if missed else ""))
    lines.append(f"{what}: {total['mutants']} of {sum(population[m] for m in by)} mutants;"
                 " overall: each module weighted by its number of mutants")
    return "\n".join(lines), ok


def scores(codes: dict[str, int | None], equivalent: dict[str, str]) -> dict[str, Counter]:
    by: dict[str, Counter] = {}
    for name, code in codes.items():
        c = by.setdefault(module_of(name), Counter())
        c["mutants"] += 1
        if code in NOT_CHECKED:
            c["not checked"] += 1
        elif name in equivalent and code in SURVIVED:
            c["equivalent"] += 1
        elif code in KILLED:
            c["killed"] += 1
            c["timeouts"] += code not in (1, 3, 37)
        elif code in SURVIVED:
            c["survived"] += 1
        else:
            c["suspicious"] += 1  # a crash of the test process: counted against the score
    return by


def score(c: Counter) -> float | None:
    judged = c["mutants"] - c["equivalent"] - c["not checked"]
    return c["killed"] / judged if judged else None


def table(by: dict[str, Counter]) -> tuple[str, bool]:
    total: Counter = sum(by.values(), Counter())
    head = ("module", "mutants", "killed", "timeouts", "survived", "equiv.", "unchecked", "score")
    lines = [" ".join(f"{h:<12}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(head, WIDTHS, strict=True)))]
    ok = True
    for name, c in sorted(by.items()) + [("overall", total)]:
        s = score(c)
        goal = GOALS.get(name, OVERALL_GOAL if name == "overall" else None)
        missed = s is not None and goal is not None and s < goal
        ok = ok and not missed
        lines.append(f"{name:<12} {c['mutants']:>8} {c['killed']:>7} {c['timeouts']:>9} "
                     f"{c['survived'] + c['suspicious']:>9} "
                     f"{c['equivalent']:>7} {c['not checked']:>10} "
                     f"{'-' if s is None else f'{s:.1%}':>7}" + (f"  (goal {goal:.0%})" if missed else ""))
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", help="modules to mutate, e.g. dates validation exports (default: all)")
    ap.add_argument("--report", action="store_true", help="only print the score of the last run")
    ap.add_argument("--max-children", type=int, default=None, help="mutants tested at once (default: cores)")
    ap.add_argument("--sample", type=int, metavar="N", help="test only N mutants per module, drawn at random")
    ap.add_argument("--seed", type=int, default=1, help="the seed of the sample (default: 1)")
    ap.add_argument("--list", action="store_true", help="with --sample: print the names drawn, and run nothing")
    ap.add_argument("--names", type=Path, metavar="FILE",
                    help="test the mutants named in FILE (as --list prints them) instead of drawing a sample")
    args = ap.parse_args(argv)
    if args.sample is not None and args.sample < 1:
        ap.error("--sample takes a number of mutants per module, at least 1")
    if args.list and args.sample is None:
        ap.error("--list goes with --sample")
    if args.names and args.sample is not None:
        ap.error("--names replaces --sample: give one of them")
    if args.sample is not None or args.names:
        return run_sample(args)
    if not args.report:
        mutmut_run([f"ecocluster.{m}.*" for m in args.modules], args.max_children)
    codes = results(ROOT / "mutants")
    if not codes:
        print("no mutation results in mutants/: run without --report first", file=sys.stderr)
        return 2
    text, ok = table(scores(codes, read_equivalent()))
    print(text)
    return 0 if ok else 1


def run_sample(args: argparse.Namespace) -> int:
    mutants = ROOT / "mutants"
    if not args.report:
        generate(ROOT)  # the mutants to draw from
    codes = results(mutants)
    if not codes:
        print("no mutants in mutants/: run without --report first", file=sys.stderr)
        return 2
    known = {module_of(n) for n in codes}
    unknown = sorted(set(args.modules) - known)
    if unknown:
        print(f"no mutants in module(s) {', '.join(unknown)}; there are: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    if args.names:
        wanted = [n for n in args.names.read_text(encoding="utf-8").split() if not args.modules
                  or module_of(n) in args.modules]
        gone = [n for n in wanted if n not in codes]
        if gone:  # the code changed: mutmut no longer makes these (a function renamed, removed or rewritten)
            print(f"{len(gone)} of the {len(wanted)} mutants in {args.names} are no longer generated: "
                  + " ".join(gone), file=sys.stderr)
        picked = [n for n in wanted if n in codes]
        what = f"the mutants listed in {args.names.name}"
    else:
        picked = draw(list(codes), args.sample, args.seed, args.modules)
        what = f"a random sample (seed {args.seed}, {args.sample} per module)"
    if not picked:
        print("no mutants to test", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(picked))
        return 0
    if not args.report:
        start = time.monotonic()
        mutmut_run(picked, args.max_children)
        took = time.monotonic() - start
        codes = results(mutants)
    population = Counter(module_of(n) for n in codes)
    text, ok = sample_table(scores({n: codes[n] for n in picked}, read_equivalent()), dict(population), what)
    print(text)
    if not args.report:
        print(f"mutmut took {took / 60:.1f} min for {len(picked)} mutants ({took / len(picked):.1f} s each, wall clock,"
              " with its start: stats of new tests and one clean run of the tests the sample reaches)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
