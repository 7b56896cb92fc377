"""The pull-request data diff: scripts/pr_comment.py writes the comment's body (run here as the workflow
runs it), .github/workflows/data-diff.yml computes it with read-only permissions, and
data-diff-comment.yml posts it, run here with a fake `gh` that answers as GitHub's API would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import require
from markdown_it import MarkdownIt
from pkgedits import shipped_copy

from ecocluster.curation.diff_report import render_markdown as render_diff

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pr_comment.py"
WORKFLOWS = ROOT / ".github" / "workflows"
HOSTILE = "@octocat <b>x</b> `tick` | [a](https://evil.example) ##[add-mask]y"


def run_script(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, env=env,
                          check=False)


def outside_code(markdown: str) -> str:
    """The text of the rendered Markdown that is not inside a code element."""
    import html.parser

    class Text(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth, self.parts, self.tags = 0, [], set()

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)
            self.depth += tag == "code"

        def handle_endtag(self, tag):
            self.depth -= tag == "code"

        def handle_data(self, data):
            if not self.depth:
                self.parts.append(data)

    page = Text()
    page.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    assert not page.tags & {"b", "script", "img"}
    return "".join(page.parts)


@pytest.fixture
def change(tmp_path) -> tuple[Path, Path]:
    """The shipped package, and a copy with one name changed to a hostile text and one broken row added."""
    base, head = shipped_copy(tmp_path / "base"), shipped_copy(tmp_path / "head")
    people = head / "data" / "people.csv"
    text = people.read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    cells = first.split(",")
    cells[1] = '"' + HOSTILE.replace('"', '""') + '"'
    people.write_text(f"{header}\n{','.join(cells)}\n{rest}person-zz-new,New Person,,,Q0\n", encoding="utf-8")
    return base, head


def test_the_body_holds_the_diff_and_the_validation_summary(change, tmp_path):
    base, head = change
    done = run_script("base", "head", "--links", "https://github.com/o/r/blob/abc/", "--out", "body.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    body = (tmp_path / "body.md").read_text(encoding="utf-8")
    from ecocluster.curation.diff import diff_packages

    assert body.startswith(render_diff(diff_packages(base, head)))  # exactly `ecocluster diff --format markdown`
    assert "1 row added, 0 removed, 1 changed; 0 schema changes. Suggested version bump: **patch**." in body
    assert "- Row `person-zz-new` added." in body
    assert "## ecocluster validate: 3 errors" in body  # the new row: a bad Wikidata ID, no citation; the text
    lines = len((head / "data" / "people.csv").read_text(encoding="utf-8").splitlines())
    assert f"(https://github.com/o/r/blob/abc/data/people.csv#L{lines})" in body
    outside = outside_code(body)
    for word in ("@octocat", "evil.example", "tick", "add-mask"):
        assert word not in outside  # the data shows only as code
    assert len(body) < 65_536


def test_a_long_diff_is_cut_at_a_line_and_says_how_to_see_it_all(tmp_path):
    base = shipped_copy(tmp_path / "base")
    head = shipped_copy(tmp_path / "head")
    citations = head / "data" / "citations.csv"
    rows = citations.read_text(encoding="utf-8").splitlines()
    citations.write_text("\n".join([rows[0], *(r.replace(",", ",x", 1) for r in rows[1:])]) + "\n", encoding="utf-8")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import pr_comment
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    body = pr_comment.comment(str(base), str(head), limit=8000)
    assert len(body) <= 8000
    assert "more lines of changes. The whole diff: `ecocluster diff base head --format markdown`." in body
    assert "ecocluster validate:" in body  # the validation summary is never cut away
    whole = pr_comment.comment(str(base), str(head))
    assert len(whole) > 8000 and len(whole) <= pr_comment.MAX_CHARS


def test_an_unreadable_side_is_said_in_the_body(tmp_path):
    base = shipped_copy(tmp_path / "base")
    done = run_script(str(base), str(tmp_path / "nowhere"))
    assert done.returncode == 0
    assert "The two versions could not be compared: `no data package at" in done.stdout
    assert "ecocluster validate:" in done.stdout
    assert run_script(str(base)).returncode == 2  # HEAD missing: usage


# --- the workflows ---------------------------------------------------------------------------------

def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def on(wf: dict) -> dict:
    return wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as True


def test_the_body_is_computed_read_only_with_the_bases_tool():
    wf = workflow("data-diff.yml")
    assert set(on(wf)) == {"pull_request"}
    assert on(wf)["pull_request"]["paths"] == ["data/**", "schemas/**", "datapackage.json"]
    assert wf["permissions"] == {"contents": "read"}
    [job] = wf["jobs"].values()
    assert "permissions" not in job
    text = (WORKFLOWS / "data-diff.yml").read_text(encoding="utf-8")
    assert "secrets." not in text and "pull_request_target" not in text
    steps = job["steps"]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert [c["with"]["path"] for c in checkouts] == ["base", "head"]
    assert all(c["with"]["persist-credentials"] is False for c in checkouts)
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "pip install ./base" in runs and "python base/scripts/pr_comment.py base head" in runs
    assert "head/" not in runs.replace("base head", "")  # nothing from the pull request is run
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "data-diff-comment"


def test_the_comment_is_posted_by_a_workflow_that_runs_nothing_from_the_pull_request():
    wf = workflow("data-diff-comment.yml")
    assert on(wf) == {"workflow_run": {"workflows": [workflow("data-diff.yml")["name"]], "types": ["completed"]}}
    assert wf["permissions"] == {}
    [job] = wf["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert job["if"] == ("github.event.workflow_run.event == 'pull_request' && "
                         "github.event.workflow_run.conclusion == 'success'")
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert uses == ["actions/download-artifact"]  # no checkout: no file of the pull request is here
    script = next(s["run"] for s in job["steps"] if "run" in s)
    for word in ("python", "pip", "ecocluster validate", "ecocluster diff", "bash comment", "source", "eval", "${{"):
        assert word not in script, word


class FakeGitHub:
    """A `gh` on PATH that answers the API calls the posting step makes, from files the test writes,
    running the step's own jq filters with jq, and records every call."""

    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "bin").mkdir(parents=True)
        gh = folder / "bin" / "gh"
        gh.write_text(f"""#!/usr/bin/env bash
printf '%s\\n' "$*" >> {folder}/calls
jq_filter=""; args=("$@")
for i in "${{!args[@]}}"; do [ "${{args[$i]}}" = --jq ] && jq_filter=${{args[$((i + 1))]}}; done
case "$*" in
  *"--method PATCH"* | *"--method POST"*) cat body.md > {folder}/posted ;;
  *"/pulls/"*) jq -r "$jq_filter" {folder}/pull.json ;;
  *"/comments"*) jq -r "$jq_filter" {folder}/comments.json ;;
esac
""", encoding="utf-8")
        gh.chmod(0o755)

    def run(self, cwd: Path, number: str, head: str, comments: list[dict], body: str = "body\n") -> tuple[int, str]:
        (cwd / "comment").mkdir(exist_ok=True)
        (cwd / "comment" / "number").write_text(number, encoding="utf-8")
        (cwd / "comment" / "body.md").write_text(body, encoding="utf-8")
        (self.folder / "pull.json").write_text(json.dumps({"head": {"sha": head}}), encoding="utf-8")
        (self.folder / "comments.json").write_text(json.dumps(comments), encoding="utf-8")
        for f in ("calls", "posted"):
            (self.folder / f).unlink(missing_ok=True)
        step = next(s for s in workflow("data-diff-comment.yml")["jobs"]["comment"]["steps"] if "run" in s)
        env = {"PATH": f"{self.folder / 'bin'}:{os.environ['PATH']}", "GH_TOKEN": "t", "REPO": "o/r",
               "HEAD_SHA": "abc123"}
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
                              check=False)
        return done.returncode, done.stdout + done.stderr

    def calls(self) -> list[str]:
        path = self.folder / "calls"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_the_posting_step_comments_once_then_updates_its_comment(tmp_path):
    require(shutil.which("jq") is not None, "jq is not installed (apt-get install jq); GitHub's runners have it")
    gh = FakeGitHub(tmp_path / "gh")
    work = tmp_path / "work"
    work.mkdir()
    code, log = gh.run(work, "7\n", "abc123", [{"id": 5, "user": {"login": "someone"}, "body": "nice"}])
    assert code == 0 and "commented on pull request 7" in log, log
    assert gh.calls()[-1] == "api --method POST repos/o/r/issues/7/comments -F body=@body.md"
    assert (tmp_path / "gh" / "posted").read_text(encoding="utf-8") == "<!-- ecocluster data diff -->\nbody\n"
    ours = {"id": 99, "user": {"login": "github-actions[bot]"}, "body": "<!-- ecocluster data diff -->\nold"}
    forged = {"id": 98, "user": {"login": "someone"}, "body": "<!-- ecocluster data diff -->\nforged"}
    code, log = gh.run(work, "7", "abc123", [forged, ours])
    assert code == 0 and "updated comment 99 on pull request 7" in log, log
    assert gh.calls()[-1] == "api --method PATCH repos/o/r/issues/comments/99 -F body=@body.md"


@pytest.mark.parametrize("number,head,body,expect", [
    ("7; touch pwned", "abc123", "x", "the artifact's pull request number is not a number"),
    ("$(touch pwned)", "abc123", "x", "the artifact's pull request number is not a number"),
    ("8", "other", "x", "pull request 8 has moved on since this run"),
    ("7", "abc123", "x" * 65_001, "the comment's body is over 65,000 bytes"),
])
def test_the_posting_step_believes_no_artifact_it_cannot_check(tmp_path, number, head, body, expect):
    require(shutil.which("jq") is not None, "jq is not installed (apt-get install jq); GitHub's runners have it")
    gh = FakeGitHub(tmp_path / "gh")
    work = tmp_path / "work"
    work.mkdir()
    code, log = gh.run(work, number, head, [], body)
    assert expect in log and code == (0 if "moved on" in expect else 1), log
    assert not any("--method" in call for call in gh.calls()) and not (work / "pwned").exists()
