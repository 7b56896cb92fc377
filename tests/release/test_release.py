"""The release archive stands alone: a data package at its root that the standard tools open."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecocluster.cli import main
from ecocluster.package import Package
from ecocluster.release import release_archive

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return release_archive(Package.open(ROOT), tmp_path_factory.mktemp("release"))


def test_frictionless_opens_and_validates_the_zip(archive):
    import frictionless

    package = frictionless.Package(str(archive))
    assert [r.name for r in package.resources] == Package.open(ROOT).resource_names
    report = frictionless.validate(str(archive))
    assert report.valid, report.flatten(["type", "note"])[:5]
    rows = package.get_resource("agreements").read_rows()
    assert len(rows) == len((ROOT / "data" / "agreements.csv").read_text(encoding="utf-8").splitlines()) - 1


def test_ecocluster_validate_checks_the_zip(archive):
    result = CliRunner().invoke(main, ["validate", str(archive), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["stats"]["tables"] == len(Package.open(ROOT).resources)
    broken = archive.with_name("broken.zip")
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "data/agreements.csv":
                data = data.replace(b",memorandum-of-understanding,", b",bogus,", 1)
            dst.writestr(info, data)
    bad = CliRunner().invoke(main, ["validate", str(broken), "--format", "json"])
    assert bad.exit_code == 1 and "bogus" in {e["value"] for e in json.loads(bad.stdout)["errors"]}


def test_the_zip_is_byte_identical_when_rebuilt(archive, tmp_path):
    assert release_archive(Package.open(ROOT), tmp_path).read_bytes() == archive.read_bytes()
    with zipfile.ZipFile(archive) as zf:
        created = json.loads((ROOT / "datapackage.json").read_text("utf-8"))["created"]
        day = tuple(int(x) for x in created[:10].split("-"))
        assert {i.date_time for i in zf.infolist()} == {(*day, 0, 0, 0)}  # the descriptor's `created`
        assert zf.namelist()[0] == "datapackage.json"


def test_the_readme_is_written_for_downloaders_from_the_descriptor(archive):
    pkg = Package.open(ROOT)
    with zipfile.ZipFile(archive) as zf:
        readme = zf.read("README.md").decode("utf-8")
        data_licence = zf.read("LICENSE-DATA.md").decode("utf-8")
    assert readme.startswith(f"# {pkg.descriptor['title']}\n")
    for r in pkg.resources:  # every table, with its file and key
        assert re.search(rf"^\| {re.escape(r.name.replace('_', chr(92) + '_'))} \| ", readme, flags=re.M), r.name
    for how in ("import pandas as pd", "read.csv(", ".import --csv", "read_csv('data/", "## How to cite"):
        assert how in readme, how
    licence = pkg.descriptor["licenses"][0]
    assert licence["title"] in readme and licence["path"] in readme and licence["path"] in data_licence
    assert "CITATION.cff" in readme


def test_text_from_the_descriptor_is_escaped_in_the_readme(tmp_path):
    from ecocluster.release.readme import md

    assert md("a | b <script> *x* [l](u)") == r"a \| b \<script\> \*x\* \[l\](u)"
    assert "\n" not in md("two\nlines")


def test_the_readme_examples_load_the_tables_as_they_say(archive, tmp_path):
    """The pandas and DuckDB lines of the README, run in the unzipped archive, give back the CSV's rows."""
    import duckdb
    import pandas as pd

    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    pandas_line = next(line for line in readme.splitlines() if "pd.read_csv(" in line)
    duck_line = next(line for line in readme.splitlines() if "read_csv('" in line)
    scope: dict = {"pd": pd}
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(pandas_line, scope)
        duck = duckdb.sql(duck_line.rstrip(";")).fetchall()
    finally:
        os.chdir(here)
    name = pandas_line.split(" = ")[0]
    frame = scope[name]
    lines = (tmp_path / "data" / f"{name}.csv").read_text(encoding="utf-8").splitlines()
    assert list(frame.columns) == lines[0].split(",")
    assert len(frame) == len(duck) == len(lines) - 1


def test_the_readme_sqlite_recipe_loads_every_row_with_its_column_names(archive, tmp_path):
    """The README's SQLite recipe, run as written with the sqlite3 shell, gives every table every row of
    its CSV, with the header's column names (the CSV module counts rows, so cells with line breaks count once)."""
    import csv
    import shutil
    import sqlite3
    import subprocess

    from conftest import require

    require(shutil.which("sqlite3") is not None,
            "the sqlite3 command-line shell is not installed (apt-get install sqlite3)")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    recipe = re.search(r"```sh\n(sqlite3 .*?\nEOF)\n```", readme, flags=re.S).group(1)
    done = subprocess.run(["bash", "-e", "-c", recipe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    db = next(tmp_path.glob("*.sqlite"))
    con = sqlite3.connect(db)
    pkg = Package.open(tmp_path)
    for res in pkg.resources:
        with open(tmp_path / res.path, encoding="utf-8", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        columns = [c[1] for c in con.execute(f'PRAGMA table_info("{res.name}")')]
        assert columns == header, res.name
        assert con.execute(f'SELECT count(*) FROM "{res.name}"').fetchone()[0] == len(rows), res.name
        first = con.execute(f'SELECT * FROM "{res.name}" LIMIT 1').fetchone()
        assert list(first) == rows[0], res.name  # the first data row is kept, not taken for a header
