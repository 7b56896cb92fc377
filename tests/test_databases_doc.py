"""docs/databases.md runs as written, as TEAM's doc-test conventions say (until the docs' own runner
takes every page): in a copy of the repository where `ecocluster build` has run, python blocks in one
namespace, sql blocks in DuckDB, sh blocks with bash; psql through the PG* variables of a fresh
database of the test server. A block whose tool is missing is skipped, naming it (failed under CI=true)."""

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import require
from readback import copy_package

import ecocluster

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "databases.md"
BLOCK = re.compile(r"(<!-- skip: next \"[^\"]*\" -->\n)?```(sh|python|sql)\n(.*?)```", re.S)
TOOLS = ("psql", "sqlite3", "libreoffice")


def blocks() -> list[tuple[str, str]]:
    return [(lang, code) for skip, lang, code in BLOCK.findall(PAGE.read_text(encoding="utf-8")) if not skip]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A copy of the package with build/ written, as the docs' examples expect."""
    copy = copy_package(tmp_path_factory.mktemp("docs") / "repo")
    ecocluster.build(copy, copy / "build")
    return copy


@pytest.fixture(scope="module")
def pg_env():
    """PG* variables naming a fresh database of the test server, or None without one."""
    dsn = os.environ.get("ECOCLUSTER_PG_DSN", "")
    if not dsn or not shutil.which("psql"):
        yield None
        return
    name = f"ecocluster_doc_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", "-X", "-q", "-d", dsn, "-c", f'CREATE DATABASE "{name}"'], check=True, timeout=60)
    parts = urlsplit(dsn)
    yield {"PGHOST": parts.hostname or "", "PGPORT": str(parts.port or 5432), "PGUSER": parts.username or "",
           "PGDATABASE": name}
    subprocess.run(["psql", "-X", "-q", "-d", dsn, "-c", f'DROP DATABASE IF EXISTS "{name}"'], timeout=60)


def test_every_block_of_the_databases_page_runs(folder, pg_env, monkeypatch):
    import duckdb

    found = blocks()
    assert {lang for lang, _ in found} == {"sh", "python", "sql"}
    tools = [t for t in TOOLS if any(re.search(rf"(^|\s){t}\s", code) for _, code in found)]
    missing = [t for t in tools if shutil.which(t) is None] + (["a PostgreSQL server"] if pg_env is None else [])
    require(not missing, f"docs/databases.md needs {', '.join(missing)} (ECOCLUSTER_PG_DSN for the server)")
    monkeypatch.chdir(folder)
    env = {**os.environ, **(pg_env or {}), "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                                     os.environ.get("PATH", "")])}
    namespace: dict = {}
    for lang, code in found:
        if lang == "sh":
            done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], capture_output=True, text=True,
                                  env=env, timeout=300, check=False)
            assert done.returncode == 0, (code, done.stdout[-2000:], done.stderr[-2000:])
        elif lang == "python":
            exec(compile(code, str(PAGE), "exec"), namespace)  # noqa: S102  (the page's own examples)
        else:
            duckdb.connect().execute(code).fetchall()
