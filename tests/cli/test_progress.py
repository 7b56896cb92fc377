"""Progress on long work: the library reports steps through a callback; the commands show them on
stderr only when it is a terminal and not with --quiet."""

from __future__ import annotations

import io
import sys

import pytest
from click.testing import CliRunner
from readback import AWKWARD, ROOT

from ecocluster.cli import main
from ecocluster.cli.common import progress_to_stderr
from ecocluster.package import Package
from ecocluster.release import export
from ecocluster.validation import validate


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_validate_calls_the_callback_once_per_table_then_for_the_rules_across_tables() -> None:
    calls: list[str] = []
    report = validate(ROOT, progress=calls.append)
    assert report.ok
    resources = Package.open(ROOT).resources
    n = len(resources)
    # one call per table, numbered in order (the largest files are read first), then the rules across tables
    assert calls[-1] == "checking across tables"
    paths = [r.path for r in resources]
    assert len(calls) == n + 1
    for i, call in enumerate(calls[:-1], 1):
        path, count = call.removeprefix("reading ").rsplit(" ", 1)
        assert count == f"({i}/{n})"
        paths.remove(path)
    assert paths == []


def test_export_calls_the_callback_per_format(tmp_path) -> None:
    calls: list[str] = []
    export(AWKWARD, ["jsonl", "sql"], tmp_path / "out", progress=calls.append)
    assert calls == ["exporting jsonl", "exporting sql"]


@pytest.mark.parametrize("args", [["validate", str(ROOT)], ["validate", str(ROOT), "--quiet"],
                                  ["validate", str(ROOT), "--format", "json"]])
def test_validate_command_shows_no_progress_when_stderr_is_not_a_terminal(args) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_export_command_shows_no_progress_when_stderr_is_not_a_terminal(tmp_path, quiet) -> None:
    result = CliRunner().invoke(main, ["export", "--to", "jsonl", "--out", str(tmp_path), *quiet, str(AWKWARD)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_progress_goes_to_a_terminal_unless_quiet(monkeypatch) -> None:
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert progress_to_stderr(quiet=True) is None
    show = progress_to_stderr(quiet=False)
    assert show is not None
    show("reading data/names.csv (4/12)")
    assert term.getvalue() == "reading data/names.csv (4/12)…\n"
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a file or a pipe
    assert progress_to_stderr(quiet=False) is None
