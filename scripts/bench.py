#!/usr/bin/env python3
"""Time `ecocluster validate`, `frictionless validate` and a bare read of the same synthetic packages;
with `--mode build`, `ecocluster build` against the same writes done with the best plain tools; with
`--mode load`, `ecocluster.load()` against `pandas.read_csv`; with `--mode hook`, the pre-commit hook
(`ecocluster validate` on the shipped package, as .pre-commit-hooks.yaml runs it) against
`python -c "import polars"`, the least any command that reads the data with polars takes.

    python scripts/bench.py                      # 10k, 100k and 1M rows
    python scripts/bench.py --sizes 10k,10M      # any sizes; frictionless is skipped past 1M
    python scripts/bench.py --sizes 1M --mode build
    python scripts/bench.py --sizes 1M --mode load
    python scripts/bench.py --mode hook --repeat 10  # the shipped package; --sizes is not used

The build baseline writes what `build`'s three biggest outputs hold, with nothing of ecocluster: DuckDB
reads every CSV into a .duckdb (`CREATE TABLE AS SELECT * FROM read_csv(...)`), pyarrow reads each
CSV and writes it as Parquet, and the sqlite3 module bulk-loads the same rows into a .sqlite in one
transaction. `build` is run with `--timings`, so each exporter's own seconds are reported too.

Each size is synthesized once into the cache folder (scripts/synthesize.py) and reused by later runs.
Every tool runs as a child process on the same files; its wall time and peak memory (ru_maxrss of the
child, from os.wait4) are measured. The tools take turns, --repeat rounds (3) of one run each, and each
tool's fastest run is reported, as the one least disturbed by other work on the machine (a run over
10 s is not repeated). The package's source is byte-compiled first, as an install would be. The floor
is a bare vectorised read: polars reads every CSV of the package with every column as a string. The
table goes to stdout, progress to stderr, and the full results with the machine they ran on to
bench/cache/results-<mode>.json (not tracked by git); `--commit` writes them to the committed
bench/results.json (bench/results-<mode>.json for the other modes) instead, which the docs quote.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNTHESIZE = ROOT / "scripts" / "synthesize.py"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
FRICTIONLESS_MAX = 1_000_000  # past this its foreign-key check takes many minutes
TOOLS = ("ecocluster", "frictionless", "floor")
MODES = {"validate": TOOLS, "build": ("build", "baseline"), "load": ("load", "pandas"),
         "hook": ("hook", "import-polars")}
REPEAT_MAX = 10.0  # seconds: a slower run is not repeated (frictionless at 1M rows takes about a minute)
PACKAGES = ("ecocluster", "polars", "numpy", "pyarrow", "duckdb", "pandera", "pandas", "frictionless",
            "click")

# The CLI of this checkout, as the `ecocluster` console script runs it (that script may be installed
# from elsewhere).
ECOCLUSTER = "from ecocluster.cli import entry; entry()"
# The floor: read every table, all columns as strings, and do nothing else.
FLOOR = """
import sys, polars as pl
print(sum(pl.read_csv(p, infer_schema=False).height for p in sys.argv[1:]))
"""


BASELINE = """
import json, sqlite3, sys
from pathlib import Path
import duckdb, pyarrow.csv as pc, pyarrow.parquet as pq
pkg, out = Path(sys.argv[1]), Path(sys.argv[2])
resources = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))["resources"]
con = duckdb.connect(str(out / "baseline.duckdb"))
for r in resources:
    path = str(pkg / r["path"]).replace("'", "''")
    con.execute(f'CREATE TABLE "{r["name"]}" AS SELECT * FROM read_csv(\\'{path}\\', all_varchar = true)')
con.close()
db = sqlite3.connect(out / "baseline.sqlite")
db.execute("BEGIN")
for r in resources:
    table = pc.read_csv(pkg / r["path"])
    pq.write_table(table, out / (r["name"] + ".parquet"), compression="zstd")
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    db.execute(f'CREATE TABLE "{r["name"]}" ({cols})')
    marks = ", ".join("?" for _ in table.column_names)
    db.executemany(f'INSERT INTO "{r["name"]}" VALUES ({marks})', zip(*(c.to_pylist() for c in table.columns)))
db.commit()
print("ok")
"""
LOAD = """
import sys, ecocluster
print(sum(len(df) for df in ecocluster.load(sys.argv[1]).values()))
"""
PANDAS = """
import json, sys
from pathlib import Path
import pandas as pd
pkg = Path(sys.argv[1])
resources = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))["resources"]
print(sum(len(pd.read_csv(pkg / r["path"])) for r in resources))
"""


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def child_env() -> dict[str, str]:
    # The children use this checkout's library, as the tests do.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return env


def run(cmd: list[str], timeout: float) -> dict:
    """Run `cmd`; wall seconds, peak memory of the child in MB, exit code, stdout and the tail of stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=child_env())
        except OSError as e:
            return {"seconds": None, "peak_mb": None, "exit_code": None, "stdout": "", "stderr": str(e)}
        deadline, status, usage = start + timeout, None, None
        while status is None:
            pid, status_, usage_ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status, usage = status_, usage_
            elif time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"seconds": None, "peak_mb": None, "exit_code": None, "stdout": "",
                        "stderr": f"timed out after {timeout:.0f} s"}
            else:
                time.sleep(0.01)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-12:]
    return {"seconds": round(seconds, 3), "peak_mb": round(usage.ru_maxrss / 1024, 1),
            "exit_code": proc.returncode, "stdout": stdout, "stderr": "\n".join(tail)}


def synthesize(rows: int, seed: int, cache: Path, fresh: bool, timeout: float) -> Path:
    out = cache / f"rows-{rows}-seed-{seed}"
    # synthesize.py writes datapackage.json last, so its presence means the package is complete.
    if fresh or not (out / "datapackage.json").is_file():
        if out.exists():
            shutil.rmtree(out)
        print(f"synthesizing {rows:,} rows into {out}", file=sys.stderr)
        cmd = [sys.executable, str(SYNTHESIZE), "--rows", str(rows), "--out", str(out), "--seed", str(seed)]
        r = run(cmd, timeout)
        if r["exit_code"] != 0:
            raise SystemExit(f"bench: synthesize failed at {rows} rows: {r['stderr']}")
        print(f"  {r['seconds']} s", file=sys.stderr)
    return out


def commands(pkg_dir: Path, scratch: Path | None = None) -> dict[str, list[str]]:
    descriptor = json.loads((pkg_dir / "datapackage.json").read_text(encoding="utf-8"))
    csvs = [str(pkg_dir / r["path"]) for r in descriptor["resources"]]
    friction = shutil.which("frictionless")
    scratch = scratch or Path(tempfile.gettempdir())
    return {
        # each run writes into a folder of its own, emptied by `prepare` before the run
        "build": [sys.executable, "-c", ECOCLUSTER, "build", str(pkg_dir), "--out", str(scratch / "build"),
                  "--timings", "--quiet", "--format", "json"],
        "baseline": [sys.executable, "-c", BASELINE, str(pkg_dir), str(scratch / "baseline")],
        "load": [sys.executable, "-c", LOAD, str(pkg_dir)],
        "pandas": [sys.executable, "-c", PANDAS, str(pkg_dir)],
        "ecocluster": [sys.executable, "-c", ECOCLUSTER, "validate", str(pkg_dir), "--format", "json"],
        "frictionless": [friction, "validate", str(pkg_dir / "datapackage.json")] if friction
        else [sys.executable, "-m", "frictionless", "validate", str(pkg_dir / "datapackage.json")],
        "floor": [sys.executable, "-c", FLOOR, *csvs],
        # what the pre-commit hook runs (.pre-commit-hooks.yaml), text report, in the package's folder
        "hook": [sys.executable, "-c", ECOCLUSTER, "validate", str(pkg_dir)],
        "import-polars": [sys.executable, "-c", "import polars"],
    }


def measure(tool: str, runs: list[dict], rows: int) -> dict:
    """The result of a tool from its runs: the fastest, as the one least disturbed by other work on a
    shared machine. Every run's time is kept in `runs`."""
    r = min(runs, key=lambda x: x["seconds"] if x["exit_code"] in (0, 1) else float("inf"))
    result = {"rows": rows, "tool": tool, "seconds": r["seconds"], "rows_per_second": None,
              "peak_memory_mb": max(x["peak_mb"] or 0 for x in runs) or None, "exit_code": r["exit_code"],
              "status": "ok", "reason": "", "runs": [x["seconds"] for x in runs]}
    # Exit 1 means the tool ran and found invalid data: still a valid timing. 2 or a crash is not.
    if r["exit_code"] not in (0, 1):
        result.update(status="failed", seconds=None, peak_memory_mb=None,
                      reason=f"failed: {r['stderr'] or 'exit code ' + str(r['exit_code'])}")
    elif tool == "hook" and not r["stdout"].startswith(("valid: ", "invalid: ")) and "\ninvalid: " not in r["stdout"]:
        result.update(status="failed", seconds=None, peak_memory_mb=None,
                      reason=f"failed: no validation report on stdout: {(r['stdout'] or r['stderr'])[-300:]!r}")
    elif tool in ("ecocluster", "build") and not is_json(r["stdout"]):
        # `--format json` must give the report; anything else means the command did not really run.
        result.update(status="failed", seconds=None, peak_memory_mb=None,
                      reason=f"failed: no JSON report on stdout: {(r['stdout'] or r['stderr'])[-300:]!r}")
    elif r["exit_code"] == 1 and tool in ("ecocluster", "frictionless"):
        result["reason"] = "reported invalid data"
    elif r["exit_code"] != 0:
        result.update(status="failed", seconds=None, reason=f"failed: {r['stderr'][-300:]}")
    if tool == "build" and result["status"] == "ok":
        # the fastest run's own split: each step's seconds, and what the build left out and why
        for line in r["stderr"].splitlines():
            if line.startswith("timings: "):
                result["steps"] = json.loads(line.removeprefix("timings: "))
        result["skipped"] = json.loads(r["stdout"]).get("skipped", [])
    if result["seconds"] and rows:
        result["rows_per_second"] = round(rows / result["seconds"])
    return result


def measure_all(cmds: dict[str, list[str]], rows: int, timeout: float, repeat: int) -> dict[str, dict]:
    """Run every tool `repeat` times, taking turns (ecocluster, frictionless, floor, ecocluster, ...), so
    that a slow spell of a shared machine falls on all of them rather than on one. A tool whose run
    failed or took over REPEAT_MAX seconds is not run again."""
    runs: dict[str, list[dict]] = {tool: [] for tool in cmds}
    for turn in range(max(repeat, 1)):
        for tool, cmd in cmds.items():
            done = runs[tool]
            if done and (done[-1]["exit_code"] not in (0, 1) or done[-1]["seconds"] is None
                         or done[-1]["seconds"] > REPEAT_MAX):
                continue
            print(f"{tool} at {rows:,} rows, run {turn + 1} ...", file=sys.stderr)
            for folder in cmd[-1:] if tool == "baseline" else cmd[cmd.index("--out") + 1:][:1] \
                    if tool == "build" else []:
                shutil.rmtree(folder, ignore_errors=True)
                Path(folder).mkdir(parents=True)
            done.append(run(cmd, timeout))
            print(f"  {done[-1]['seconds']} s", file=sys.stderr)
    return {tool: measure(tool, r, rows) for tool, r in runs.items()}


def is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def ratios(results: list[dict], sizes: list[int]) -> list[dict]:
    out = []
    for rows in sizes:
        sec = {r["tool"]: r["seconds"] for r in results if r["rows"] == rows}
        div = lambda a, b: round(a / b, 2) if a and b else None  # noqa: E731
        out.append({"rows": rows,
                    "frictionless_over_ecocluster": div(sec.get("frictionless"), sec.get("ecocluster")),
                    "ecocluster_over_floor": div(sec.get("ecocluster"), sec.get("floor")),
                    "build_over_baseline": div(sec.get("build"), sec.get("baseline")),
                    "load_over_pandas": div(sec.get("load"), sec.get("pandas")),
                    "hook_over_import_polars": div(sec.get("hook"), sec.get("import-polars"))})
    return out


def machine() -> dict:
    cpu, ram = platform.processor() or platform.machine(), None
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
        with open("/proc/meminfo") as fh:
            kb = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal"))
        ram = round(kb / 1024**2, 1)
    except (OSError, StopIteration):
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or None
    # The load when the run started: on a shared machine it explains much of the noise.
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {"cores": os.cpu_count(), "ram_gb": ram, "cpu": cpu, "system": platform.platform(),
            "python": platform.python_version(), "packages": versions, "commit": commit, "load_average": load}


def _rows(rows: int) -> str:
    return f"{rows:,}" if rows else "shipped"  # 0: the shipped package (--mode hook)


def table(report: dict) -> str:
    head = f"{'rows':>10}  {'tool':<12} {'seconds':>9} {'rows/s':>11} {'peak MB':>9}  status"
    lines = [head, "-" * len(head)]
    for r in report["results"]:
        num = lambda v, f: format(v, f) if v is not None else "-"  # noqa: E731
        # A failure's last stderr line says why (click's "Error: No such command ..." comes last).
        status = r["status"] if not r["reason"] else r["reason"].splitlines()[-1][:90]
        if r["status"] == "failed":
            status = f"failed: {status.removeprefix('failed: ')}"
        elif r["status"] == "ok" and r["reason"]:
            status = f"ok ({status})"
        lines.append(f"{_rows(r['rows']):>10}  {r['tool']:<12} {num(r['seconds'], '.2f'):>9} "
                     f"{num(r['rows_per_second'], ',d'):>11} {num(r['peak_memory_mb'], '.0f'):>9}  {status}")
        if r.get("steps"):
            lines.append(" " * 12 + "steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["steps"].items()))
        for item in r.get("skipped", []):
            lines.append(" " * 12 + f"skipped {item['format']}: {item['reason']}")
    lines.append("")
    names = {"frictionless_over_ecocluster": "frictionless/ecocluster", "ecocluster_over_floor": "ecocluster/floor",
             "build_over_baseline": "build/baseline", "load_over_pandas": "load/pandas.read_csv",
             "hook_over_import_polars": "hook/import polars"}
    for q in report["ratios"]:
        shown = [f"{label} {q[key]}x" for key, label in names.items() if q.get(key)]
        lines.append(f"{_rows(q['rows']):>10}  " + "   ".join(shown or ["-"]))
    m = report["machine"]
    lines += ["", f"machine: {m['cores']} cores, {m['ram_gb']} GB RAM, {m['cpu']}, load {m['load_average']}; "
              f"Python {m['python']}; "
              + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                    help="comma-separated row counts, e.g. 10k,100k,1M,10M")
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "cache", help="where packages are kept")
    ap.add_argument("--out", type=Path, default=None,
                    help="where the results go (default: bench/cache/results-<mode>.json, not tracked by git)")
    ap.add_argument("--commit", action="store_true",
                    help="write the results to the committed bench/results.json (results-<mode>.json for other "
                         "modes), which docs/benchmark.md quotes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mode", choices=sorted(MODES), default="validate",
                    help="validate (default), build (ecocluster build against plain tools) or load")
    ap.add_argument("--tools", default=None, help="which tools of the mode to run (validate: "
                    "ecocluster,frictionless,floor; build: build,baseline; load: load,pandas)")
    ap.add_argument("--frictionless-max", type=parse_size, default=FRICTIONLESS_MAX,
                    help="skip frictionless above this many rows")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a run is stopped")
    ap.add_argument("--repeat", type=int, default=3,
                    help=f"runs per tool and size; the fastest is reported (a run over {REPEAT_MAX:.0f} s is not "
                         "repeated)")
    ap.add_argument("--fresh", action="store_true", help="synthesize again even if the cache has the size")
    args = ap.parse_args(argv)
    if args.out is None:
        committed = ROOT / "bench" / ("results.json" if args.mode == "validate" else f"results-{args.mode}.json")
        args.out = committed if args.commit else args.cache / f"results-{args.mode}.json"
    elif args.commit:
        ap.error("--commit writes the committed results file: give it without --out")
    try:
        sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error(f"--sizes: not a list of row counts: {args.sizes}")
    allowed = MODES[args.mode]
    tools = [t for t in (args.tools or ",".join(allowed)).split(",") if t]
    if unknown := set(tools) - set(allowed):
        ap.error(f"--tools: unknown {', '.join(sorted(unknown))}; choose from {', '.join(allowed)}")

    sys.path.insert(0, str(ROOT / "src"))
    from ecocluster.base.files import write_text

    # The children import this checkout's source, which an install would have byte-compiled (pip does);
    # without it every run would compile the package again (and PYTHONDONTWRITEBYTECODE keeps it so).
    compileall.compile_dir(ROOT / "src" / "ecocluster", quiet=1)

    report = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "sizes": sizes,
              "repeat": args.repeat, "mode": args.mode,
              "machine": machine(), "results": []}
    scratch = Path(tempfile.mkdtemp(prefix="ecocluster-bench-"))
    if args.mode == "hook":  # the shipped package, as a contributor's pre-commit hook checks it
        sizes = [0]
        report["sizes"] = sizes
    for rows in sizes:
        pkg_dir = ROOT if args.mode == "hook" else synthesize(rows, args.seed, args.cache, args.fresh, args.timeout)
        cmds = {}
        for tool, cmd in commands(pkg_dir, scratch).items():
            if tool not in tools:
                continue
            if tool == "frictionless" and rows > args.frictionless_max:
                reason = f"skipped: {rows:,} rows is above --frictionless-max {args.frictionless_max:,}"
                print(f"frictionless {reason}", file=sys.stderr)
                report["results"].append({"rows": rows, "tool": tool, "seconds": None,
                                          "rows_per_second": None, "peak_memory_mb": None, "exit_code": None,
                                          "status": "skipped", "reason": reason})
                continue
            cmds[tool] = cmd
        for tool, result in measure_all(cmds, rows, args.timeout, args.repeat).items():
            why = result["reason"].splitlines()[-1] if result["reason"] else ""
            print(f"{tool} at {rows:,} rows: {result['seconds']} s {why}".rstrip(), file=sys.stderr)
            report["results"].append(result)
    shutil.rmtree(scratch, ignore_errors=True)
    report["ratios"] = ratios(report["results"], sizes)
    write_text(args.out, json.dumps(report, indent=2) + "\n")
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
