import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the helpers every folder of tests shares (tests/support/: readback, pkgedits, golden, …)
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# A test gets the marker of the system tool it needs (see pyproject.toml's markers), from the fixture
# it asks for or the module it is in, so `pytest -m "not browser"` leaves those out.
TOOL_MARKERS = {"graphviz": "graphviz", "graphviz_cjk": "graphviz", "driver": "browser", "database": "postgres"}
TOOL_MODULES = {"test_site_browser.py": "browser", "test_postgres.py": "postgres"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = {TOOL_MARKERS[f] for f in getattr(item, "fixturenames", ()) if f in TOOL_MARKERS}
        if item.path.name in TOOL_MODULES:
            names.add(TOOL_MODULES[item.path.name])
        if "browser" in names:
            names.add("slow")  # a browser starts per test: seconds each, so the quick loop leaves them out
        for name in sorted(names):
            item.add_marker(name)


def require(present: bool, reason: str) -> None:
    """Skip with a one-line reason when a system tool is missing; under CI=true fail instead, so a
    machine that lacks it cannot pass by skipping."""
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


FTM_REASON = ("the FollowTheMoney library is not installed: it is the `ftm` extra (pip install \".[ftm]\"), "
              "which needs PyICU, compiled with a C++ compiler and the ICU headers (libicu-dev)")


def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def require_followthemoney() -> None:
    """For a module of FollowTheMoney tests (at import: allowed at module level)."""
    if has_module("followthemoney"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {FTM_REASON}", pytrace=False)
    pytest.skip(FTM_REASON, allow_module_level=True)


@pytest.fixture(scope="session")
def followthemoney() -> None:
    """For a test that exports FollowTheMoney."""
    require_followthemoney()


def has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    done = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, check=False)
    return bool(done.stdout.strip())


@pytest.fixture
def graphviz() -> None:
    """For tests that draw pictures: Graphviz `dot` on PATH."""
    require(shutil.which("dot") is not None, "Graphviz `dot` is not on PATH (apt-get install graphviz)")


@pytest.fixture
def graphviz_cjk(graphviz) -> None:
    """For tests that check a drawn layout: `dot` and a Korean font, as the labels are measured in it."""
    require(has_cjk_font(), "no CJK font for the Korean labels (apt-get install fonts-noto-cjk)")
