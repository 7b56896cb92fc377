"""One terminal escape and one CI escape for every message that can carry data (issue 28, class 3).

A package whose cells, keys, column names, title and version, and a release archive whose member
names, hold terminal control sequences (an OSC title change, clear-screen, an OSC 52 clipboard write,
a bidi override, an 8-bit CSI) and forged CI commands after a line break (`::error`, `::add-mask`,
`##[error]`, `##vso[`): every command, in every format, prints them as text. No control or invisible
character reaches the terminal, and no line is a command a GitHub or Azure runner would act on, but
the workflow commands `validate --format github` and `azure` mean to write.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from ci_parsers import assert_shown_as_text, azure_commands, github_commands
from click.testing import CliRunner
from fuzzcases import base

from ecocluster.cli import main

EVIL = ("\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u202e\x9b31m\n::error file=x::forged\n"
        "::add-mask::secret\r##[error]v1 forged ##vso[task.setvariable variable=x]y")


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def hostile(root: Path, header: bool = False) -> Path:
    """The fuzz fixture with EVIL in a cell, a key, the title and the version (and, with `header`, a
    column name of organisations.csv)."""
    base(root)
    dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    dp["title"], dp["version"] = "Title " + EVIL, "0.1.0" + EVIL
    (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
    orgs = root / "data" / "organisations.csv"
    rows = _rows(orgs)
    rows[1][1] = "Name " + EVIL
    rows.append(["org-" + EVIL, "Planted", *rows[1][2:]])
    if header:
        rows[0].append("extra " + EVIL)
    _write(orgs, rows)
    return root


def archive(root: Path) -> Path:
    root.mkdir(parents=True)
    zipped = root.parent / "release.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("ecocluster-0.1.0/datapackage.json", "{}")
        zf.writestr("../" + EVIL, "x")
    return zipped


@pytest.fixture(scope="module")
def pkgs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    old = base(tmp / "old")
    new = hostile(tmp / "new")
    headed = hostile(tmp / "headed", header=True)
    return {"old": old, "new": new, "headed": headed, "zip": archive(tmp / "zipped" / "pkg"), "tmp": tmp}


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


GITHUB = frozenset({"error", "warning", "group", "endgroup", "stop-commands"})
COMMANDS = [
    *([["validate", "{new}", "--format", f]] for f in ["text", "json", "markdown", "sarif", "junit", "gitlab"]),
    (["validate", "{new}", "--format", "github"], GITHUB),
    (["validate", "{new}", "--format", "azure"], frozenset({"azure"})),
    (["validate", "{zip}"],),
    (["describe", "{new}"],), (["describe", "{new}", "--format", "json"],), (["describe", "{zip}"],),
    (["diff", "{old}", "{new}"],), (["diff", "{old}", "{new}", "--format", "json"],),
    (["diff", "{old}", "{new}", "--format", "markdown"],), (["diff", "{zip}", "{new}"],),
    (["fmt", "--check", "{headed}"],), (["fmt", "--check", "{headed}", "--format", "json"],),
    (["build", "{new}", "--out", "{tmp}/build"],), (["build", "{new}", "--out", "{tmp}/build", "--format", "json"],),
    (["build", "{zip}", "--out", "{tmp}/build"],), (["export", "--to", "csv", "--out", "{tmp}/export", "{zip}"],),
    (["docs", "--check", "{new}", "--out", "{tmp}/docs"],),
]


@pytest.mark.parametrize("case", COMMANDS, ids=lambda c: " ".join(c[0]).replace("{", "").replace("}", ""))
def test_every_command_and_format_shows_data_as_text(pkgs, case):
    args = [a.format(**pkgs) for a in case[0]]
    code, out, err = _run(args)
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    allowed = case[1] if len(case) > 1 else frozenset()
    assert_shown_as_text(out, allowed)
    assert_shown_as_text(err)
    assert "pwned" in out + err or case[0][0] in ("fmt", "docs") or "{zip}" in case[0]  # the data is shown


def test_the_github_format_writes_only_its_own_commands(pkgs):
    _, out, _ = _run(["validate", str(pkgs["new"]), "--format", "github"])
    names = [c.name for c in github_commands(out)]
    assert names and set(names) <= GITHUB and "add-mask" not in names


def test_the_package_line_shows_the_version_as_text(pkgs, monkeypatch):
    monkeypatch.chdir(pkgs["new"])
    code, out, err = _run(["describe"])
    assert code == 0
    assert err.startswith(f"package: {pkgs['new'] / 'datapackage.json'} (version 0.1.0\\x1b]0;pwned\\x07")
    assert_shown_as_text(out)
    assert_shown_as_text(err)


def test_archive_member_names_are_shown_as_text(pkgs):
    code, _, err = _run(["describe", str(pkgs["zip"])])
    assert code == 2 and "\\x1b]0;pwned\\x07" in err and "\\x0a::error" in err
    assert_shown_as_text(err)


def test_a_line_break_from_the_data_stays_inside_its_line(pkgs):
    _, out, _ = _run(["diff", str(pkgs["old"]), str(pkgs["new"])])
    added = [line for line in out.splitlines() if line.startswith("  + org-")]
    assert len(added) == 1 and "\\x0a::error file=x::forged\\x0a::add-mask::secret\\x0d##\\x5berror]" in added[0]


@pytest.mark.parametrize("line", ["::error::x", "  ::add-mask::y", "text ##[error]z", "##vso[task.x]w"])
def test_ci_line_leaves_no_command(line):
    from ecocluster.base.escape import ci_line

    assert github_commands(ci_line(line)) == [] and azure_commands(ci_line(line)) == []


def test_json_text_reads_back_as_the_value():
    from ecocluster.base.escape import json_text

    value = {"k" + EVIL: [EVIL, "\ud800", "한국어 \u2028"]}
    text = json_text(value, indent=2)
    assert json.loads(text) == value
    assert_shown_as_text(text)
