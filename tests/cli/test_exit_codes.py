"""Every command gives the same broken input the same exit code, from the code the error carries
(ecocluster.errors): 2 when the input cannot be used, 1 when the data is invalid; and `--format json`
of validate is the library's own report."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecocluster.cli import COMMANDS, main
from ecocluster.validation import validate

VALID = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "valid"

# the broken input -> the exit code every command gives it
KINDS = {"missing-csv": 1, "damaged-zip": 2, "not-json": 2, "no-package": 2}


def broken(kind: str, tmp_path: Path) -> Path:
    if kind == "no-package":
        return tmp_path / "nowhere"
    if kind == "damaged-zip":
        archive = tmp_path / "ecocluster-9.9.9.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("datapackage.json", "{}")
        archive.write_bytes(archive.read_bytes()[:40])  # cut off: not a zip any more
        return archive
    pkg = tmp_path / kind
    shutil.copytree(VALID, pkg)
    if kind == "missing-csv":
        (pkg / "data" / "people.csv").unlink()
    else:
        (pkg / "datapackage.json").write_text("{not json", encoding="utf-8")
    return pkg


def args(command: str, pkg: Path, out: Path) -> list[str]:
    return {
        "validate": ["validate", str(pkg)],
        "build": ["build", "--out", str(out), str(pkg)],
        "export": ["export", "--to", "jsonl", "--out", str(out), str(pkg)],
        "describe": ["describe", str(pkg)],
        "docs": ["docs", "--check", "--out", str(out), str(pkg)],
        "fmt": ["fmt", "--check", str(pkg)],
        "diff": ["diff", str(VALID), str(pkg)],
        "download": ["download", "--url", str(pkg), "--out", str(out)],
    }[command]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_command_gives_a_broken_input_one_exit_code(kind, tmp_path):
    pkg = broken(kind, tmp_path)
    codes = {}
    for command in sorted(set(COMMANDS) - {"download"}):  # download fetches a published release, not a path
        result = CliRunner().invoke(main, args(command, pkg, tmp_path / f"out-{command}"))
        codes[command] = result.exit_code
        assert "Traceback" not in result.output, (command, result.output)
        if command != "validate":  # validate reports its errors in its report; the others in one shape
            lines = result.stderr.splitlines()
            first = next((i for i, line in enumerate(lines) if line.startswith("error: ")), None)
            assert first is not None and lines[first + 1].startswith("hint: "), (command, result.stderr)
    assert codes == dict.fromkeys(codes, KINDS[kind]), codes


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_validate_json_is_the_librarys_report(kind, tmp_path):
    pkg = broken(kind, tmp_path)
    result = CliRunner().invoke(main, ["validate", str(pkg), "--format", "json"])
    assert json.loads(result.stdout) == validate(pkg).to_dict()
    assert result.exit_code == KINDS[kind]


@pytest.mark.parametrize("command", ["build", "export", "docs"])
def test_an_output_folder_that_cannot_be_written_is_a_usage_error_everywhere(command, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    argv = {"build": ["build", "--out", str(blocker / "out"), str(VALID)],
            "export": ["export", "--to", "jsonl", "--out", str(blocker / "out"), str(VALID)],
            "docs": ["docs", "--out", str(blocker / "out"), "--page", str(tmp_path / "none.md"), str(VALID)]}[command]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, (command, result.stderr)
    assert result.stderr.splitlines()[-2].startswith("error: ") and result.stderr.splitlines()[-1].startswith("hint: ")
