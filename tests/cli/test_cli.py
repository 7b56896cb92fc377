import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import ecocluster
from ecocluster.cli import main


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"ecocluster, version {ecocluster.__version__}\n"


def test_help_lists_exit_codes():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Exit codes: 0 ok; 1 invalid data or failed operation; 2 usage error" in result.output


def test_help_imports_nothing_heavy():
    code = (
        "import sys; from ecocluster.cli import main\n"
        "try: main(['--help'])\n"
        "except SystemExit: pass\n"
        "heavy = {'pandas', 'pandera', 'pyarrow', 'polars', 'duckdb', 'frictionless'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_shipped_package_is_found():
    assert ecocluster.shipped_package().name == "datapackage.json"


def _console(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the command as the console script does (`ecocluster.cli:entry`, which ends the process at once)."""
    return subprocess.run([sys.executable, "-m", "ecocluster", *args], capture_output=True, text=True, cwd=cwd)


def test_the_console_entry_keeps_exit_codes_and_flushes_everything(tmp_path):
    valid = Path(__file__).parents[1] / "fixtures" / "validate" / "valid"
    ok = _console("validate", "--format", "json", str(valid))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True

    broken = tmp_path / "pkg"
    shutil.copytree(valid, broken)
    sources = broken / "data" / "sources.csv"
    lines = sources.read_text(encoding="utf-8").splitlines(keepends=True)
    # every row's id made invalid: a long report, all of which must reach stdout before the exit
    sources.write_text(lines[0] + "".join("X" + line for line in lines[1:]), encoding="utf-8")
    bad = _console("validate", "--format", "json", str(broken))
    assert bad.returncode == 1, bad.stderr
    report = json.loads(bad.stdout)
    assert report["ok"] is False and report["errors"]

    usage = _console("validate", "--max-errors", "x")
    assert usage.returncode == 2 and "Invalid value" in usage.stderr and "Traceback" not in usage.stderr
    assert _console("no-such-command").returncode == 2
    assert _console("--version").stdout.startswith("ecocluster, version")


def test_the_console_entry_ends_only_after_build_has_written_every_file(tmp_path):
    import hashlib
    import sqlite3

    import duckdb

    out = tmp_path / "build"
    result = _console("build", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["resources"]) > 20
    for res in manifest["resources"]:
        data = (out / res["path"]).read_bytes()
        assert len(data) == res["bytes"] and "sha256:" + hashlib.sha256(data).hexdigest() == res["hash"], res["path"]
    # the databases are closed and whole, not left to be flushed at interpreter teardown
    with duckdb.connect(str(out / "ecocluster.duckdb"), read_only=True) as db:
        assert db.execute("select count(*) from citations").fetchone()[0] > 0
    with sqlite3.connect(out / "ecocluster.sqlite") as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
