import subprocess
import sys

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
