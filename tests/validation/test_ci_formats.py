"""`ecocluster validate --format sarif|junit|gitlab|azure|markdown|github`, each read by its consumer's
own schema or parser: the SARIF 2.1.0 schema, GitLab's Code Quality schema (tests/fixtures/ci-schemas,
with their sources), junitparser, ports of the GitHub runner's and the Azure agent's command parsers
(tests/support/ci_parsers.py) and a CommonMark renderer. Each on the shipped package, on a synthetic package
with 300 planted errors (347 found), and on a report whose values and file names are hostile.
"""

from __future__ import annotations

import html.parser
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from ci_parsers import azure_commands, github_commands
from click.testing import CliRunner

from ecocluster.base.escape import printable
from ecocluster.cli import main
from ecocluster.rules import RULES
from ecocluster.validation import validate
from ecocluster.validation.formats import path_of, render_azure, render_gitlab, render_junit, render_sarif
from ecocluster.validation.github import render_github
from ecocluster.validation.report import Report, ValidationError
from ecocluster.validation.summary import render_markdown

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "fixtures" / "ci-schemas"
FORMATS = ["sarif", "junit", "gitlab", "azure", "markdown", "github"]
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}  # GitLab's documented values

HOSTILE = ("x::warning::pwned,##[add-mask]y;]##vso[task.setvariable variable=a]1%0A::error::z\r\n"
           "::set-output name=q::1 | @octocat `tick` <b>bold</b> [link](https://evil.example) "
           "\u202e\x1b[2J 50% \ufffe &amp;")
HOSTILE_PATH = "data/a:b,c%0A::error::x;y].csv"


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """A synthetic package of 2000 rows with 300 planted errors (scripts/synthesize.py)."""
    out = tmp_path_factory.mktemp("broken") / "pkg"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synthesize.py"), "--rows", "2000", "--out", str(out),
                    "--errors", "300"], check=True, capture_output=True)
    return out


def hostile_report(n: int = 15) -> Report:
    errors = [ValidationError("enum-invalid", "t", 2 + i, "kind", HOSTILE, f"`{HOSTILE}` is not one of: a, b",
                              "Use one of the listed codes exactly.") for i in range(n - 1)]
    errors.append(ValidationError("descriptor-invalid", None, None, None, None, f"bad {HOSTILE}", ""))
    return Report(errors=errors, stats={"errors": n, "rows": 20, "tables": 1, "by_code": {"enum-invalid": n - 1,
                  "descriptor-invalid": 1}, "by_resource": {"t": n - 1}}, paths={"t": HOSTILE_PATH})


def reports(broken: Path) -> dict[str, Report]:
    return {"shipped": validate(), "broken": validate(broken), "hostile": hostile_report()}


def said(e: ValidationError) -> str:
    """What every CI format says of an error: where in the file, what, and the hint."""
    where = f"line {e.row}" if e.row is not None else "file" if e.resource else "package"
    field = f", field `{e.field}`" if e.field else ""
    hint = f" (hint: {e.hint})" if e.hint else ""
    return printable(f"{where}{field}: {e.message}{hint}")


# --- each format, by its consumer ----------------------------------------------------------------

def check_sarif(text: str, report: Report) -> None:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(text)
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    assert len(run["results"]) == len(report.errors)
    prints = [r["partialFingerprints"]["ecoclusterFinding/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints)
    for result, e in zip(run["results"], report.errors, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == e.code
        region = result["locations"][0]["physicalLocation"].get("region")
        assert region == ({"startLine": e.row} if e.row is not None else None)
        assert "startColumn" not in json.dumps(result)  # never a column we do not know


def check_gitlab(text: str, report: Report) -> None:
    assert not text.startswith("\ufeff")  # GitLab's parser refuses a byte order mark
    schema = json.loads((SCHEMAS / "gitlab-codeclimate.json").read_text(encoding="utf-8"))
    issues = json.loads(text)
    assert isinstance(issues, list) and len(issues) == len(report.errors)
    validator = jsonschema.Draft7Validator(schema)
    for issue in issues:
        validator.validate(issue)
        # the fields GitLab's documentation requires beyond its parser's schema
        assert isinstance(issue["check_name"], str) and issue["check_name"] in RULES
        assert isinstance(issue["location"]["path"], str) and issue["location"]["path"]
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
        assert issue["severity"] in SEVERITIES
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab keeps one issue per fingerprint


def check_junit(text: str, report: Report) -> None:
    from junitparser import Failure, JUnitXml

    xml = JUnitXml.fromstring(text.encode("utf-8"))  # as a CI reads the file: bytes, with the declaration
    failures = [(suite.name, case.name, r) for suite in xml for case in suite for r in case.result
                if isinstance(r, Failure)]
    assert len(failures) == len(report.errors)
    got = sorted((suite, case, failure.type, failure.message) for suite, case, failure in failures)
    xml_escaped = lambda text: text.replace("\ufffe", "\\ufffe")  # noqa: E731 (a noncharacter XML refuses)
    assert got == sorted((printable(e.resource or "package"), e.code, e.code,
                          xml_escaped(f"{path_of(report, e)}: {said(e)}")) for e in report.errors)
    cases = {(suite.name, case.name) for suite in xml for case in suite}
    assert len(cases) == sum(1 for suite in xml for _ in suite)  # one test case per table and rule
    stated = [(s.tests, s.failures) for s in xml]
    for suite in xml:
        suite.update_statistics()
    assert stated == [(s.tests, s.failures) for s in xml]  # our counts are junitparser's


def check_azure(text: str, report: Report) -> None:
    commands = azure_commands(text)
    lines = text.splitlines()
    assert len(commands) == len(lines) == len(report.errors) + (report.stats["errors"] > len(report.errors))
    for (start, cmd), e in zip(commands, report.errors, strict=False):
        assert start == 0 and cmd.name == "task.logissue"
        assert cmd.props["type"] == "error" and cmd.props["code"] == e.code
        assert cmd.props["sourcepath"] == printable(path_of(report, e))
        assert cmd.props.get("linenumber") == (str(e.row) if e.row is not None else None)
        assert printable(e.message) in cmd.data


class _Html(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.outside_code: list[str] = []
        self.rows: list[int] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append(0)
        if tag in ("td", "th"):
            self.rows[-1] += 1

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if "code" not in self.stack:
            self.outside_code.append(data)


def check_markdown(text: str, report: Report, links: bool = False) -> None:
    from markdown_it import MarkdownIt

    assert len(text.encode("utf-8")) < 1024 * 1024  # GitHub's limit for a step summary
    page = _Html()
    page.feed(MarkdownIt("commonmark").enable("table").render(text))
    assert set(page.tags) <= {"h2", "h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code", "em",
                              *(["a"] if links else [])}
    assert set(page.rows) <= {2, 3, 4}, page.rows  # no `|` from the data split a row
    outside = "".join(page.outside_code)
    for word in ("@octocat", "evil.example", "pwned", "tick"):
        assert word not in outside  # data shows only as code: no mention, link or markup comes out of it
    if report.stats.get("errors"):
        assert f"{report.stats['errors']:,} errors" in outside


def check_github(text: str, report: Report) -> None:
    commands = github_commands(text)
    total = report.stats["errors"]
    errors = [c for c in commands if c.name == "error"]
    assert len(errors) == min(10, len(report.errors))
    for cmd, e in zip(errors, report.errors, strict=False):
        assert cmd.props["file"] == printable(path_of(report, e)) and cmd.props["title"] == e.code
        assert cmd.props.get("line") == (str(e.row) if e.row is not None else None)
    names = [c.name for c in commands]
    if total <= 10:
        assert names == ["error"] * total
    else:
        assert names[:12] == ["error"] * 10 + ["warning", "group"]
        assert f"{total - 10} more errors" in commands[10].data
        assert names[12] == "stop-commands" and names[13:] == [commands[12].data, "endgroup"]
    assert not {"add-mask", "set-output", "set-env", "add-path", "save-state"} & set(names)


CHECKS = {"sarif": check_sarif, "gitlab": check_gitlab, "junit": check_junit, "azure": check_azure,
          "markdown": check_markdown, "github": check_github}
RENDER = {"sarif": render_sarif, "gitlab": render_gitlab, "junit": render_junit, "azure": render_azure,
          "markdown": render_markdown, "github": render_github}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_passes_its_consumers_check(fmt, broken):
    for name, report in reports(broken).items():
        if name == "broken":
            assert report.stats["errors"] >= 300
        CHECKS[fmt](RENDER[fmt](report), report)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_cli_writes_the_format_and_exits_as_validate_does(fmt, broken, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    for target, code in ((str(ROOT), 0), (str(broken), 1)):
        result = CliRunner().invoke(main, ["validate", target, "--format", fmt])
        assert result.exit_code == code, result.output
        report = validate(target)
        prefix = Path(target).resolve().relative_to(Path.cwd().resolve()).as_posix() \
            if Path(target).resolve().is_relative_to(Path.cwd().resolve()) else ""
        expected = RENDER[fmt](report, prefix)
        if fmt == "github":  # the resume token is random
            assert github_commands(result.stdout)[:11] == github_commands(expected)[:11]
        else:
            assert result.stdout == expected


def test_sarif_fingerprints_stay_when_rows_are_added_above(tmp_path):
    from pkgedits import package, sub

    broken = sub("organisations", "government", "Government")
    added = sub("organisations", "wikidata_id\n", "wikidata_id\norg-aaa,AAA,company,KR,,,,\n")
    before = json.loads(render_sarif(validate(package(tmp_path / "a", [broken]))))["runs"][0]["results"]
    after = json.loads(render_sarif(validate(package(tmp_path / "b", [broken, added]))))["runs"][0]["results"]
    key = lambda r: r["partialFingerprints"]["ecoclusterFinding/v1"]  # noqa: E731
    line = lambda r: r["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
    [old] = before
    [new] = [r for r in after if key(r) == key(old)]
    assert (old["ruleId"], line(old)) == ("enum-invalid", 2) and (new["ruleId"], line(new)) == ("enum-invalid", 3)
    assert sorted(r["ruleId"] for r in after) == ["enum-invalid", "row-not-cited"]


def test_paths_are_given_from_the_ci_root(tmp_path, monkeypatch, broken):
    import shutil

    shutil.copytree(broken, tmp_path / "sub" / "pkg")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "sub/pkg", "--format", "gitlab"])
    paths = {i["location"]["path"] for i in json.loads(result.stdout)}
    assert paths and all(p.startswith("sub/pkg/data/") for p in paths)
    monkeypatch.chdir(tmp_path / "sub" / "pkg")
    result = CliRunner().invoke(main, ["validate", ".", "--format", "gitlab"])
    assert all(i["location"]["path"].startswith("data/") for i in json.loads(result.stdout))


def test_markdown_escapes_every_value_and_links_only_real_files():
    report = hostile_report()
    text = render_markdown(report, links="https://github.com/o/r/blob/abc/")
    check_markdown(text, report, links=True)
    assert "](https://github.com/o/r/blob/abc/data/a%3Ab%2Cc%250A%3A%3Aerror%3A%3Ax%3By%5D.csv#L2)" in text
    assert text.count("](https://github.com/") == 14  # the error of the package as a whole has no file to link


def test_the_summary_stays_within_its_budget():
    long = ValidationError("enum-invalid", "t", 2, "kind", "x" * 10**6, "`" + "x" * 10**6 + "` is bad", "")
    report = Report(errors=[long] * 400, stats={"errors": 400, "by_code": {"enum-invalid": 400}}, paths={"t": "t.csv"})
    text = render_markdown(report, first=400, budget=64 * 1024)
    assert len(text.encode("utf-8")) <= 64 * 1024 and text.endswith("see every error with its hint.\n")
    assert len(render_markdown(report).encode()) < 1024 * 1024


def test_hostile_values_start_no_command_in_any_format():
    report = hostile_report()
    names = [c.name for c in github_commands(render_github(report, token="cafe"))]
    assert names == ["error"] * 10 + ["warning", "group", "stop-commands", "cafe", "endgroup"]
    assert [c.name for _, c in azure_commands(render_azure(report))] == ["task.logissue"] * 15
    junit = render_junit(report)
    assert "\x1b" not in junit and "\ufffe" not in junit and "\u202e" not in junit


# --- GitHub: changed lines first, the cap, the job summary ---------------------------------------

def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, broken, monkeypatch) -> Path:
    """A git repository whose main branch holds the broken package in pkg/; the work tree then adds two
    people with a bad Wikidata ID at the end of data/people.csv, far down the file order."""
    import shutil

    from conftest import require

    require(shutil.which("git") is not None, "git is not installed")
    shutil.copytree(broken, tmp_path / "pkg")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    with open(tmp_path / "pkg" / "data" / "people.csv", "a", encoding="utf-8") as out:
        out.write("person-new-one,New One,,,Q0\nperson-new-two,New Two,,,Q0\n")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def annotated(stdout: str) -> list[tuple[str, str, str]]:
    return [(c.props["file"], c.props.get("line", ""), c.props["title"]) for c in github_commands(stdout)
            if c.name == "error"]


def test_errors_on_changed_lines_are_annotated_first(repo):
    lines = sum(1 for _ in open(repo / "pkg" / "data" / "people.csv", encoding="utf-8"))
    new = {str(lines - 1), str(lines)}
    plain = CliRunner().invoke(main, ["validate", "pkg", "--format", "github"])
    assert plain.exit_code == 1 and not {line for f, line, _ in annotated(plain.stdout)
                                         if f == "pkg/data/people.csv"} & new
    result = CliRunner().invoke(main, ["validate", "pkg", "--format", "github", "--changed-from", "main"])
    assert result.exit_code == 1, result.output
    first = annotated(result.stdout)
    assert len(first) == 10
    # the two new rows: each a bad Wikidata ID and no citation
    assert sorted(first[:4]) == sorted(("pkg/data/people.csv", line, code) for line in new
                                       for code in ("pattern-mismatch", "row-not-cited"))
    assert first[4:] == annotated(plain.stdout)[:6]
    total = validate(repo / "pkg").stats["errors"]
    warning = [c for c in github_commands(result.stdout) if c.name == "warning"]
    assert len(warning) == 1 and warning[0].data.startswith(f"{total - 10} more errors are not annotated")


def test_in_a_pull_request_the_base_branch_is_the_default(repo, monkeypatch):
    monkeypatch.setenv("GITHUB_BASE_REF", "main")  # no origin/main in this clone: `main` is used
    result = CliRunner().invoke(main, ["validate", "pkg", "--format", "github"])
    assert annotated(result.stdout)[0][0] == "pkg/data/people.csv"
    monkeypatch.setenv("GITHUB_BASE_REF", "release")  # not fetched: file order, and stderr says why
    result = CliRunner().invoke(main, ["validate", "pkg", "--format", "github"])
    assert result.exit_code == 1 and annotated(result.stdout)[0][0] == "pkg/data/sources.csv"
    assert "warning: the lines this pull request changed are unknown" in result.stderr
    assert "git fetch --depth=1 origin release" in result.stderr


def test_a_bad_changed_from_is_a_usage_error(repo):
    for ref in ("no-such-branch", "--output=/tmp/x"):
        result = CliRunner().invoke(main, ["validate", "pkg", "--format", "github", "--changed-from", ref])
        assert result.exit_code == 2 and "Traceback" not in result.stderr and "hint:" in result.stderr, result.output
    result = CliRunner().invoke(main, ["validate", "pkg", "--format", "sarif", "--changed-from", "main"])
    assert result.exit_code == 2 and "--changed-from orders the github and markdown formats only" in result.stderr


def test_the_job_summary_is_written_within_githubs_limit(repo, monkeypatch):
    summary = repo / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/fork")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    result = CliRunner().invoke(main, ["validate", "pkg", "--format", "github", "--changed-from", "main"])
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## ecocluster validate: ")  # appended, as GitHub expects
    assert len(text.encode("utf-8")) < 1024 * 1024
    total = validate(repo / "pkg").stats["errors"]
    assert f"**Invalid**: {total} errors" in text
    assert "4 errors on lines this change touched, listed first." in text
    lines = sum(1 for _ in open(repo / "pkg" / "data" / "people.csv", encoding="utf-8"))
    assert f"(https://github.com/someone/fork/blob/0123abc/pkg/data/people.csv#L{lines - 1})" in text
    assert "see the job summary and the group" in result.stdout
    check_markdown(text.removeprefix("earlier step\n"), validate(repo / "pkg"), links=True)
