"""Mutation testing: run mutmut over the modules the suite must guard, and print the score per module.

    pip install -e ".[test,mutation]"
    python scripts/mutation.py                      # every module in [tool.mutmut] only_mutate
    python scripts/mutation.py dates validation     # only these modules (mutmut resumes where it left off)
    python scripts/mutation.py --report             # only print the score of the last run

The score of a module is killed / (mutants - equivalent - not yet checked): a timeout counts as
killed (and is shown apart: on a loaded machine a slow test can time out), a mutant no test reaches
as survived. Survivors judged equivalent (no test can tell them from the original) are listed, each
with its reason, in `mutation-equivalent.txt` at the repository root, which this script reads.
Exits 1 when a goal is missed (90% in validation/ and dates.py, 80% overall), 2 on a usage error.
Run from the repository root; mutmut writes its work into `mutants/`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "mutation-equivalent.txt"
GOALS = {"validation": 0.90, "dates": 0.90}
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
    """`ecocluster.validation.cross.x_check__mutmut_3` -> `validation`; `ecocluster.dates.x_f__mutmut_1` -> `dates`."""
    parts = mutant.split(".")
    return parts[1] if len(parts) > 2 else parts[0]


def results(mutants_dir: Path) -> dict[str, int | None]:
    """Every mutant's exit code from mutmut's `*.meta` files."""
    codes: dict[str, int | None] = {}
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {}))
    return codes


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
    args = ap.parse_args(argv)
    if not args.report:
        globs = [f"ecocluster.{m}.*" for m in args.modules]
        cmd = [sys.executable, "-m", "mutmut", "run", *globs]
        if args.max_children:
            cmd[4:4] = ["--max-children", str(args.max_children)]
        subprocess.run(cmd, cwd=ROOT, check=False)  # survivors make mutmut exit non-zero: the score decides
    codes = results(ROOT / "mutants")
    if not codes:
        print("no mutation results in mutants/: run without --report first", file=sys.stderr)
        return 2
    text, ok = table(scores(codes, read_equivalent()))
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
