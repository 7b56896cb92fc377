"""Issue 13: the package you are in, one voice for failures, and optional formats that are absent cleanly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ecocluster
from ecocluster.base.paths import package_here, shipped_package
from ecocluster.cli import main

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "tests" / "fixtures" / "validate" / "valid"


@pytest.fixture
def fork(tmp_path) -> Path:
    """A package that is not the shipped one (another version), with a subfolder to stand in."""
    pkg = tmp_path / "fork"
    shutil.copytree(VALID, pkg)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = "9.8.7"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    (pkg / "notes" / "deep").mkdir(parents=True)
    return pkg


# --- the package you are in ------------------------------------------------------------------------

def test_package_here_finds_the_nearest_parent_like_git_then_the_shipped_one(fork, tmp_path):
    assert package_here(fork) == fork.resolve() / "datapackage.json"
    assert package_here(fork / "notes" / "deep") == fork.resolve() / "datapackage.json"
    inner = fork / "notes" / "inner"
    inner.mkdir()
    shutil.copy(fork / "datapackage.json", inner)
    assert package_here(inner) == inner.resolve() / "datapackage.json"  # the nearest one wins
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert package_here(lonely) == shipped_package()


def test_the_library_none_still_means_the_shipped_package(fork, monkeypatch):
    import ecocluster
    from ecocluster.package import Package

    monkeypatch.chdir(fork)
    assert Package.open(None).descriptor_path == shipped_package().resolve()
    assert ecocluster.validate(None).ok


COMMANDS = {
    "validate": lambda out: ["validate"],
    "build": lambda out: ["build", "--out", str(out)],
    "export": lambda out: ["export", "--to", "jsonl", "--out", str(out)],
    "describe": lambda out: ["describe", "--format", "json"],
    "docs": lambda out: ["docs", "--check", "--out", str(out), "--readme", str(out / "README.md")],
    "fmt": lambda out: ["fmt", "--check"],
    "diff": lambda out: ["diff", str(shipped_package()), "--format", "json"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_without_path_uses_the_package_in_the_current_folder(command, fork, tmp_path, monkeypatch):
    monkeypatch.chdir(fork / "notes" / "deep")
    result = CliRunner().invoke(main, COMMANDS[command](tmp_path / "out"))
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first == f"package: {fork.resolve() / 'datapackage.json'} (version 9.8.7)", result.output
    # and it really is that package that was read
    if command == "describe":
        assert json.loads(result.stdout)["version"] == "9.8.7"
    if command == "build":
        assert (tmp_path / "out" / "ecocluster-9.8.7.zip").is_file()
    if command == "validate":
        assert result.exit_code == 0


def test_validate_reports_the_broken_edit_in_the_current_folder_not_the_shipped_data(fork, monkeypatch):
    agreements = fork / "data" / "agreements.csv"
    agreements.write_text(agreements.read_text(encoding="utf-8").replace(",memorandum-of-understanding,",
                                                                         ",bogus,", 1), encoding="utf-8")
    monkeypatch.chdir(fork)
    result = CliRunner().invoke(main, ["validate", "--format", "json"])
    assert result.exit_code == 1
    assert "bogus" in {e["value"] for e in json.loads(result.stdout)["errors"]}


def test_outside_any_package_the_shipped_one_is_announced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["describe"])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == f"package: {shipped_package()} (version {ecocluster.__version__})"


# --- one voice ---------------------------------------------------------------------------------------

def _broken(kind: str, tmp_path: Path) -> Path:
    pkg = tmp_path / kind
    if kind == "missing":
        return pkg
    shutil.copytree(VALID, pkg)
    descriptor = pkg / "datapackage.json"
    if kind == "not-json":
        descriptor.write_text("{not json", encoding="utf-8")
    else:
        data = json.loads(descriptor.read_text(encoding="utf-8"))
        data["resources"][0]["path"] = "../../etc/passwd"
        descriptor.write_text(json.dumps(data), encoding="utf-8")
    return pkg


def _run(command: str, pkg: Path, tmp_path: Path) -> list[str]:
    out = str(tmp_path / f"out-{command}")
    return {
        "validate": ["validate", str(pkg)],
        "build": ["build", "--out", out, str(pkg)],
        "export": ["export", "--to", "jsonl", "--out", out, str(pkg)],
        "describe": ["describe", str(pkg)],
        "docs": ["docs", "--check", "--out", out, str(pkg)],
        "fmt": ["fmt", "--check", str(pkg)],
        "diff": ["diff", str(pkg), str(VALID)],
    }[command]


@pytest.mark.parametrize("kind", ["missing", "not-json", "path-outside"])
def test_every_command_gives_the_same_broken_input_the_same_exit_code_and_shape(kind, tmp_path):
    pkg = _broken(kind, tmp_path)
    codes = {}
    for command in sorted(COMMANDS):
        result = CliRunner().invoke(main, _run(command, pkg, tmp_path))
        codes[command] = result.exit_code
        assert "Traceback" not in result.output, (command, result.output)
        lines = result.stderr.splitlines()
        errors = [i for i, line in enumerate(lines) if line.startswith("error: ")]
        assert errors, (command, result.stderr)
        assert lines[errors[0] + 1].startswith("hint: "), (command, result.stderr)
        assert not any(line.startswith(("Error:", "Warning:")) for line in lines), (command, result.stderr)
    assert set(codes.values()) == {2}, codes


def test_an_unexpected_exception_is_an_internal_error_with_a_hint_and_no_traceback(monkeypatch):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("ecocluster.tables.summary.describe", boom)
    result = CliRunner().invoke(main, ["describe", str(VALID)])
    assert result.exit_code == 1
    assert result.stderr == ("error: internal error: ZeroDivisionError: division by zero\n"
                             "hint: this is a bug in ecocluster; please report it to the project's issue tracker "
                             "with the command you ran (rerun with ECOCLUSTER_DEBUG=1 for the traceback).\n")
    for args, env in ((["--debug", "describe", str(VALID)], {}), (["describe", str(VALID)], {"ECOCLUSTER_DEBUG": "1"})):
        debug = CliRunner(env=env).invoke(main, args)
        assert debug.exit_code == 1 and "Traceback" in debug.stderr and "ZeroDivisionError" in debug.stderr


def test_explain_prints_a_codes_documentation_from_the_rule_table():
    from ecocluster.rules import RULES

    rule = RULES["signatory-no-role"]
    result = CliRunner().invoke(main, ["validate", "--explain", "signatory-no-role"])
    assert result.exit_code == 0
    assert result.stdout == f"signatory-no-role: {rule.title}\n\n{rule.doc}\n\nFix: {rule.hint}\n"
    unknown = CliRunner().invoke(main, ["validate", "--explain", "no-such-code"])
    assert unknown.exit_code == 2 and unknown.stderr.startswith("error: no error code `no-such-code`\nhint: ")


def test_help_points_to_documentation_a_pip_user_has():
    for args in (["--help"], ["validate", "--help"]):
        result = CliRunner().invoke(main, args)
        assert "ecocluster validate --explain" in result.stdout, args
    assert "docs/validation.md" not in CliRunner().invoke(main, ["validate", "--help"]).stdout


# --- optional formats --------------------------------------------------------------------------------

@pytest.fixture
def without_followthemoney(monkeypatch):
    """As if followthemoney were not installed: importing it raises ModuleNotFoundError."""
    for name in [m for m in sys.modules if m == "followthemoney" or m.startswith("followthemoney.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "ecocluster.exports.interchange.ftm", raising=False)
    monkeypatch.setitem(sys.modules, "followthemoney", None)
    yield
    sys.modules.pop("ecocluster.exports.interchange.ftm", None)


def test_a_format_whose_library_is_missing_is_unavailable_with_its_reason(without_followthemoney):
    from ecocluster.errors import ExportError, FormatUnavailable
    from ecocluster.exports import format_module

    with pytest.raises(FormatUnavailable) as caught:
        format_module("ftm")
    assert isinstance(caught.value, ExportError)
    assert (caught.value.name, caught.value.reason) == ("ftm", "install ecocluster[ftm]")
    assert str(caught.value) == "the ftm export is unavailable: install ecocluster[ftm]"
    assert format_module("jsonl").NAME == "jsonl"  # the others are untouched


def test_a_missing_module_that_is_not_the_optional_library_is_a_plain_import_error(monkeypatch):
    from ecocluster.errors import FormatUnavailable
    from ecocluster.exports import FORMATS, format_module

    monkeypatch.setitem(FORMATS, "ftm", "ecocluster.exports.no_such_module")
    with pytest.raises(ModuleNotFoundError) as caught:
        format_module("ftm")
    assert not isinstance(caught.value, FormatUnavailable)


def test_build_skips_an_unavailable_format_and_says_so(without_followthemoney, tmp_path):
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"), str(VALID)])
    assert result.exit_code == 0, result.output
    assert "warning: skipped the ftm export: install ecocluster[ftm]\n" in result.stderr
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["skipped"] == [{"format": "ftm", "reason": "install ecocluster[ftm]"}]
    assert not (tmp_path / "b" / "ftm").exists()


def test_the_help_and_the_command_reference_are_the_same_without_the_optional_library(without_followthemoney):
    """docs/cli.md is made from the help: it must not change with what this machine happens to have."""
    from ecocluster.cli.export import _description
    from ecocluster.cli.reference import cli_reference
    from ecocluster.exports import DESCRIPTIONS, FORMATS

    assert set(DESCRIPTIONS) == set(FORMATS)
    assert _description("ftm") == DESCRIPTIONS["ftm"] + " (needs ecocluster[ftm])"
    assert _description("jsonl") == DESCRIPTIONS["jsonl"]
    assert cli_reference() == (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def test_exporting_an_unavailable_format_says_how_to_get_it(without_followthemoney, tmp_path):
    result = CliRunner().invoke(main, ["export", "--to", "ftm", "--out", str(tmp_path / "o"), str(VALID)])
    assert result.exit_code == 1
    assert result.stderr == ("error: the ftm export is unavailable: install ecocluster[ftm]\n"
                             'hint: pip install "ecocluster[ftm]" (FollowTheMoney needs PyICU, built against '
                             "libicu-dev).\n")


def test_every_import_of_the_library_is_a_declared_dependency():
    """An import another package happens to bring (yaml came with frictionless, a test extra) breaks
    `pip install . && ecocluster build` on a fresh machine. deptry, configured in pyproject.toml, reads
    every import under src/ and fails on one that is not a runtime dependency or behind an extra."""


    deptry = shutil.which("deptry", path=os.path.dirname(sys.executable)) or shutil.which("deptry")
    assert deptry, "deptry is in the test extras"
    done = subprocess.run([deptry, "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_deptry_sees_an_import_nobody_declared(tmp_path):
    """The check above is not blind: a module importing yaml in a project that does not declare PyYAML
    (as this one did not) fails it."""


    deptry = shutil.which("deptry", path=os.path.dirname(sys.executable)) or shutil.which("deptry")
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "src" / "demo" / "__init__.py").write_text("import yaml\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\ndependencies = []\n',
                                             encoding="utf-8")
    done = subprocess.run([deptry, "."], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "DEP00" in done.stdout + done.stderr and "yaml" in done.stdout + done.stderr
