"""`ecocluster build` and `ecocluster export`: what they write, what they refuse, and that a failure
leaves the previous outputs exactly as they were."""

import hashlib
import json
import shutil
import zipfile

import pytest
from click.testing import CliRunner
from readback import AWKWARD, ROOT, edit, tables

import ecocluster
from ecocluster.cli import main
from ecocluster.errors import ExportError

NEEDS_VALIDATOR = "needs ecocluster.validation, merged from the validator's branch"


ZIP = f"ecocluster-{ecocluster.__version__}.zip"  # the release archive of the shipped package

def copy_package(src, dest):
    dest.mkdir(parents=True)
    shutil.copy(src / "datapackage.json", dest)
    shutil.copytree(src / "data", dest / "data")
    shutil.copytree(src / "schemas", dest / "schemas")
    return dest


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    return ecocluster.build(ROOT, out, validate=False), out


def test_build_writes_every_export_the_archive_and_a_manifest_with_hashes(built):
    manifest, out = built
    on_disk = snapshot(out)
    assert sorted(on_disk) == sorted([r["path"] for r in manifest["resources"]] + ["manifest.json", "releases.json"])
    assert json.loads(on_disk["manifest.json"]) == manifest
    # releases.json, written last, lists every other file, the manifest too, with the same hashes
    entry = json.loads(on_disk["releases.json"])["releases"][0]
    listed = {f["path"]: f["sha256"] for f in entry["files"]}
    assert set(listed) == set(on_disk) - {"releases.json"}
    assert all(listed[p] == hashlib.sha256(data).hexdigest() for p, data in on_disk.items() if p in listed)
    for res in manifest["resources"]:
        data = on_disk[res["path"]]
        assert res["bytes"] == len(data) and res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert {"ecocluster.sqlite", "ecocluster.duckdb", "ecocluster.sql", "ecocluster.xlsx",
            ZIP, "parquet/datapackage.json", "jsonl/citations.jsonl",
            "parquet/citations.parquet"} <= set(on_disk)


# What a browser, a catalogue or a download tool should be told each written file is (written out here,
# independently of ecocluster.base.mediatypes): IANA-registered types, and for the two formats without
# one, the type their makers use.
MEDIA_TYPES = {
    "html": "text/html", "jsonld": "application/ld+json", "css": "text/css", "js": "text/javascript",
    "svg": "image/svg+xml", "csv": "text/csv", "json": "application/json", "jsonl": "application/jsonl",
    "parquet": "application/vnd.apache.parquet", "sql": "application/sql", "sqlite": "application/vnd.sqlite3",
    "duckdb": "application/vnd.duckdb", "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def test_the_manifest_gives_every_file_its_media_type(built):
    manifest, _out = built
    got = {r["path"]: r["mediatype"] for r in manifest["resources"]}
    assert {p.rsplit(".", 1)[-1] for p in got} <= set(MEDIA_TYPES)  # a new kind of file needs its type here
    for path, kind in got.items():
        # FollowTheMoney's entity file holds one JSON object per line, whatever its suffix
        expected = MEDIA_TYPES["jsonl"] if path.endswith(".ftm.json") else MEDIA_TYPES[path.rsplit(".", 1)[-1]]
        assert kind == expected, path
    assert {"text/html", "application/ld+json", "text/css", "text/javascript", "image/svg+xml"} <= set(got.values())


def test_release_archive_holds_the_descriptor_csvs_and_schemas_unchanged(built):
    _, out = built
    with zipfile.ZipFile(out / ZIP) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    expected = {"datapackage.json", *(f"data/{t}.csv" for t in tables()),
                *(f"schemas/{t}.schema.json" for t in tables()), "DATASHEET.md", "CITATION.cff", "CHANGELOG.md"}
    # at the root, no top folder: the zip opens as a data package (tests/release/test_release.py)
    assert set(members) == expected | {"README.md", "LICENSE-DATA.md", "LICENSE-CODE.txt"}
    for m in expected:
        assert members[m] == (ROOT / m).read_bytes()
    assert members["LICENSE-CODE.txt"] == (ROOT / "LICENSE").read_bytes()


def test_the_archive_and_table_files_are_byte_identical_on_rebuild(built, tmp_path):
    manifest, _ = built
    again = {r["path"]: r["hash"] for r in ecocluster.build(ROOT, tmp_path, validate=False)["resources"]}
    first = {r["path"]: r["hash"] for r in manifest["resources"]}
    for path in [ZIP, "ecocluster.sql", "ecocluster.sqlite", "parquet/agreements.parquet",
                 "jsonl/agreements.jsonl"]:
        assert again[path] == first[path], path


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), KeyboardInterrupt()],
                         ids=["error", "interrupt"])
def test_a_failed_build_leaves_the_previous_outputs_as_they_were(tmp_path, monkeypatch, failure):
    import ecocluster.exports.xlsx as xlsx

    pkg = copy_package(AWKWARD, tmp_path / "pkg")
    out = tmp_path / "out"
    ecocluster.build(pkg, out, validate=False)
    before = snapshot(out)
    edit(pkg / "data" / "order.csv", "=1+1", "changed")

    def half_then_fail(package, out_dir):  # xlsx runs last: every other format has been written by now
        (out_dir / "awkward.xlsx").write_bytes(b"half a workbook")
        raise failure

    monkeypatch.setattr(xlsx, "export", half_then_fail)
    with pytest.raises(ExportError if isinstance(failure, Exception) else KeyboardInterrupt):
        ecocluster.build(pkg, out, validate=False)
    assert snapshot(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".zenodo.json"] == []


def test_a_failed_export_leaves_earlier_files_and_says_why(tmp_path, monkeypatch):
    import ecocluster.exports.sql.sqlite as sqlite

    out = tmp_path / "out"
    args = ["export", "--to", "all", "--out", str(out), str(AWKWARD)]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = snapshot(out)

    def broken(package, out_dir):
        raise OSError("no space left on device")

    monkeypatch.setattr(sqlite, "export", broken)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr.endswith("error: the sqlite export failed: OSError: no space left on device\n")
    assert result.stdout == "" and "Traceback" not in result.output
    assert snapshot(out) == before


def test_export_prints_the_files_it_wrote(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", "--to", "jsonl", "--out", str(out), str(AWKWARD)])
    assert result.exit_code == 0
    assert result.stdout == f"{out}/jsonl/user.jsonl\n{out}/jsonl/order.jsonl\n"
    assert result.stderr == ""  # progress only on a terminal (tests/cli/test_progress.py)


def test_export_json_is_the_librarys_result(tmp_path):
    out = tmp_path / "a"
    args = ["export", "--to", "parquet", "--out", str(out), "--format", "json", str(AWKWARD)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [str(p) for p in ecocluster.export(AWKWARD, ["parquet"], out)]


def test_export_refuses_a_dangling_key_with_a_message_not_a_traceback(tmp_path):
    pkg = copy_package(AWKWARD, tmp_path / "pkg")
    edit(pkg / "data" / "user.csv", "u-1,o-3,", "u-1,o-404,")
    result = CliRunner().invoke(main, ["export", "--to", "sqlite", "--out", str(tmp_path / "out"), str(pkg)])
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "error: the SQLite export has 1 dangling foreign key(s); the first: row 1 of `user` names no row of "
        "`order` (run `ecocluster validate`)\n")
    assert not (tmp_path / "out" / "awkward.sqlite").exists()


@pytest.mark.parametrize("args,message", [
    (["--out", "{tmp}/o", "{tmp}/missing"], "error: no data package at {tmp}/missing: expected"),
    (["--out", "{pkg}/data", "{pkg}"], "error: the output folder {pkg}/data is the package's own folder"),
    (["--out", "{pkg}", "{pkg}"], "error: the output folder {pkg} is the package's own folder"),
])
def test_export_refuses_bad_paths_with_exit_2(tmp_path, args, message):
    pkg = copy_package(AWKWARD, tmp_path / "pkg")
    args = [a.format(tmp=tmp_path, pkg=pkg) for a in args]
    result = CliRunner().invoke(main, ["export", "--to", "sql", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(tmp=tmp_path, pkg=pkg))
    assert snapshot(pkg) == snapshot(AWKWARD)


def test_export_usage_errors_exit_2(tmp_path):
    (tmp_path / "file").write_text("x")
    assert CliRunner().invoke(main, ["export", "--to", "csv", "--out", str(tmp_path)]).exit_code == 2
    assert CliRunner().invoke(main, ["export", "--to", "sql", "--out", str(tmp_path / "file")]).exit_code == 2
    assert CliRunner().invoke(main, ["export", "--out", str(tmp_path)]).exit_code == 2


@pytest.mark.parametrize("command", ["build", "export"])
def test_commands_have_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "Exit codes:" in result.output


# The tests below run the `build` command, which validates first: they need ecocluster.validation.

def test_build_command_default_writes_build_folder_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    paths = [r["path"] for r in manifest["resources"]] + ["manifest.json", "releases.json"]
    # a line per top-level file, and per folder with how many files it holds
    folders = {p.split("/")[0] for p in paths if "/" in p}
    count = {d: sum(p.startswith(d + "/") for p in paths) for d in folders}
    expected = {f"build/{p}" for p in paths if "/" not in p} | {
        f"build/{d}/ ({n} file{'s' if n != 1 else ''})" for d, n in count.items()}
    assert set(result.stdout.splitlines()) == expected and len(result.stdout.splitlines()) == len(expected)
    assert "build/site/ (" in result.stdout
    # no progress when stderr is not a terminal: which package (none here: the shipped one), the summary
    from ecocluster.base.paths import shipped_package

    lines = result.stderr.splitlines()
    first, summary, site = lines[0], lines[-2], lines[-1]
    assert first == f"package: {shipped_package()} (version {ecocluster.__version__})" and summary.startswith("built ")
    assert site == "read it in a browser: build/site/index.html"
    # between them, only the formats whose library is missing (FollowTheMoney without the `ftm` extra)
    skipped = [f"warning: skipped the {s['format']} export: {s['reason']}" for s in manifest.get("skipped", [])]
    assert lines[1:-2] == skipped


def test_build_command_json_is_the_librarys_manifest(tmp_path, built):
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"), "--format", "json", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads((tmp_path / "b" / "manifest.json").read_text())
    stable = (ZIP, "ecocluster.sql", "parquet/citations.parquet")
    assert {r["path"]: r["hash"] for r in json.loads(result.stdout)["resources"] if r["path"] in stable} == {
        r["path"]: r["hash"] for r in built[0]["resources"] if r["path"] in stable}


def test_build_refuses_invalid_data_and_writes_nothing(tmp_path):
    pkg = copy_package(ROOT, tmp_path / "pkg")
    agreements = pkg / "data" / "agreements.csv"
    edit(agreements, ",memorandum-of-understanding,", ",bogus,")
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), str(pkg)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "agreements" in result.stderr and "kind" in result.stderr and "'bogus'" in result.stderr
    assert result.stderr.splitlines()[-2].endswith("nothing was built")
    assert result.stderr.splitlines()[-1].startswith("hint: ")
    assert not (tmp_path / "out").exists() or snapshot(tmp_path / "out") == {}


def test_readme_and_formats_page_document_the_commands_and_the_views():
    from ecocluster.exports.sql.views import VIEWS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    formats = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    for text in ["ecocluster build", "ecocluster.load()", "psql", "sqlite3"]:
        assert text in readme, text
    for text in ["ecocluster export --to", *(v.name for v in VIEWS)]:
        assert text in formats, text


@pytest.mark.parametrize("command", [["build"], ["export", "--to", "jsonl"]])
def test_an_output_folder_that_cannot_be_made_is_a_usage_error(tmp_path, command):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    result = CliRunner().invoke(main, [*command, "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("package: ")  # no PATH: it says which it opened
    assert result.stderr.splitlines()[1].startswith(f"error: the output folder {blocker / 'sub'} cannot be created")
    assert "Traceback" not in result.output


def test_build_and_export_take_a_release_archive_like_validate(built, tmp_path):
    """`validate` opens a release zip; `build` and `export` open it the same way and give the same
    outputs as from the folder it was made from."""
    _, out = built
    first = {r["path"]: r["hash"] for r in json.loads((out / "manifest.json").read_text())["resources"]}
    again = ecocluster.build(out / ZIP, tmp_path / "from-zip")
    hashes = {r["path"]: r["hash"] for r in again["resources"]}
    for path in [ZIP, "ecocluster.sql", "ecocluster.sqlite", "jsonl/citations.jsonl"]:
        assert hashes[path] == first[path], path
    written = ecocluster.export(out / ZIP, ["jsonl"], tmp_path / "exported")
    assert (tmp_path / "exported" / "jsonl" / "citations.jsonl").read_bytes() == \
        (out / "jsonl" / "citations.jsonl").read_bytes()
    assert len(written) == len(tables())


@pytest.mark.parametrize("command", ["validate", "build", "export"])
def test_a_damaged_archive_is_refused_as_an_archive_by_every_command(built, tmp_path, command):
    """A truncated zip is `archive-invalid` (exit 2) for validate, build and export alike, never read
    as a descriptor, and nothing is written."""
    _, out = built
    damaged = tmp_path / ZIP
    damaged.write_bytes((out / ZIP).read_bytes()[:300])
    args = {"validate": ["validate", str(damaged)],
            "build": ["build", str(damaged), "--out", str(tmp_path / "o")],
            "export": ["export", str(damaged), "--to", "jsonl", "--out", str(tmp_path / "o")]}[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "cannot be read as a zip archive" in result.output
    assert "JSON" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
