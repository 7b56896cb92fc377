"""The CI workflow validates and tests before anything is published."""

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "ci.yml"
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
    steps = load()["jobs"]["checks"]["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    install = index(steps, 'pip install ".[test]"')
    fmt = index(steps, "ecocluster fmt --check")
    validate = index(steps, "ecocluster validate --format github")
    tests = index(steps, "python -m pytest")
    assert install < fmt < validate < tests
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
