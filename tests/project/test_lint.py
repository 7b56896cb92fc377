"""The checks CONTRIBUTING.md asks for run with the tests, so CI enforces them too."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "scripts"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # about 7 s of a cold type check
def test_mypy_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "src", "--cache-dir", "/dev/null"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
