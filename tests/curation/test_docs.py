"""`ecocluster docs`: the generated files are committed, fresh, complete and readable by other tools.

The drift checks need no Graphviz: texts are compared byte for byte, pictures by their stamped DOT hash.
Drawing needs Graphviz's `dot` (the `graphviz` fixture skips without it, fails under CI=true); .ci/run
installs it (with a CJK font) after a first run of the tests on a PATH without it.
"""

import csv
import json
import os
import re
import shutil
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecocluster.cli import COMMANDS, main
from ecocluster.cli.reference import cli_reference
from ecocluster.curation.docgen import BEGIN, END, check_docs, generate_docs, generate_texts, layout_problems
from ecocluster.curation.docgen.graphviz import dot_sha256, read_stamp
from ecocluster.package import Package

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
TEXTS = ["data-dictionary.md", "er-diagram.mmd", "er-diagram.dot", "partnership.dot"]
PICTURES = {"er-diagram.svg": "er-diagram.dot", "partnership.svg": "partnership.dot",
            "partnership.png": "partnership.dot"}


def copy_package(dest: Path, with_docs: bool = True) -> Path:
    """A private copy of the shipped package (and its docs and README) that a test may edit."""
    shutil.copy(ROOT / "datapackage.json", dest)
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    shutil.copytree(ROOT / "data", dest / "data")
    if with_docs:
        shutil.copytree(DOCS, dest / "docs")
        shutil.copy(ROOT / "README.md", dest)
    return dest


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """An independent PNG reader: every chunk, each CRC checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        out.append((kind, body))
        pos += 12 + length
    return out


# --- the committed files -------------------------------------------------------------------------

@pytest.mark.parametrize("name", TEXTS)
def test_committed_text_outputs_match_a_fresh_generation(name):
    """Regenerating must not change a byte: change a schema or the data, then run `ecocluster docs`."""
    assert (DOCS / name).read_bytes() == generate_texts()[name].encode("utf-8"), (
        f"docs/{name} is stale: run `ecocluster docs` and commit the result")


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_committed_pictures_were_drawn_from_the_current_dot(name):
    stamp = read_stamp((DOCS / name).read_bytes())
    assert stamp == dot_sha256(generate_texts()[PICTURES[name]]), (
        f"docs/{name} was drawn from an older DOT: run `ecocluster docs` and commit the result")


def test_tables_page_block_is_fresh_and_check_docs_agrees():
    assert check_docs(None, DOCS, DOCS / "tables.md") == {"out": str(DOCS), "fresh": True, "stale": []}
    page = (DOCS / "tables.md").read_text(encoding="utf-8")
    block = page[page.index(BEGIN):page.index(END)]
    assert generate_texts()["er-diagram.mmd"] in block
    assert "](partnership.png)" in block


# --- drift is caught -----------------------------------------------------------------------------

def test_changing_a_field_description_stales_the_dictionary_only(tmp_path):
    pkg = copy_package(tmp_path)
    assert check_docs(pkg, pkg / "docs", pkg / "docs" / "tables.md")["fresh"]

    schema_path = pkg / "schemas" / "people.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f["name"] == "family_name")
    field["description"] = "Surname, as the person writes it (changed by a test)."
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")

    texts = generate_texts(pkg)
    row = ("| `family_name` | Family name | string | no | — | — | "
           "Surname, as the person writes it (changed by a test). |")
    assert row in texts["data-dictionary.md"]
    report = check_docs(pkg, pkg / "docs", pkg / "docs" / "tables.md")
    assert report["stale"] == [{"path": str(pkg / "docs" / "data-dictionary.md"), "problem": "differs"}]


def test_changing_data_stales_the_partnership_picture_but_not_the_dictionary(tmp_path):
    pkg = copy_package(tmp_path)
    path = pkg / "data" / "people.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Oh Lin-tae,Oh,Lin-tae", "Oh Rin-tae,Oh,Rin-tae"), encoding="utf-8")

    report = check_docs(pkg, pkg / "docs", pkg / "docs" / "tables.md")
    assert sorted((Path(s["path"]).name, s["problem"]) for s in report["stale"]) == [
        ("partnership.dot", "differs"), ("partnership.png", "stale-picture"),
        ("partnership.svg", "stale-picture")]


# --- generation, end to end through the CLI -----------------------------------------------------

def test_docs_command_writes_every_file_then_nothing(tmp_path, graphviz):
    (tmp_path / "pkg").mkdir()
    pkg = copy_package(tmp_path / "pkg", with_docs=False)
    out, readme = tmp_path / "site" / "docs", tmp_path / "site" / "README.md"
    readme.parent.mkdir()
    readme.write_text(f"# Intro\n\n{BEGIN}\nold text\n{END}\n\n## After\n", encoding="utf-8")
    runner = CliRunner()

    first = runner.invoke(main, ["docs", str(pkg), "--out", str(out), "--readme", str(readme)])
    assert first.exit_code == 0, first.output
    names = [*TEXTS, "er-diagram.svg", "partnership.svg", "partnership.png"]
    assert first.stdout == "".join(f"{out / n}\n" for n in names) + f"{readme}\n"
    assert first.stderr == ""

    again = runner.invoke(main, ["docs", str(pkg), "--out", str(out), "--readme", str(readme)])
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    check = runner.invoke(main, ["docs", str(pkg), "--out", str(out), "--readme", str(readme), "--check"])
    assert (check.exit_code, check.stdout) == (0, f"docs are up to date ({out})\n")

    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Intro\n\n") and text.endswith(f"{END}\n\n## After\n") and "old text" not in text
    assert "](docs/partnership.png)" in text and "```mermaid\nerDiagram\n" in text

    # the pictures, read back by independent readers
    for name in ("er-diagram.svg", "partnership.svg"):
        svg = ET.parse(out / name).getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    titles = {t.text for t in ET.parse(out / "partnership.svg").getroot().iter("{http://www.w3.org/2000/svg}title")}
    assert {"org-renault-korea", "person-stephane-deblaise", "project-eco-cluster-center"} <= titles
    chunks = png_chunks((out / "partnership.png").read_bytes())
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    channels = {2: 3, 6: 4}[colour]
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert depth == 8 and len(pixels) == height * (1 + width * channels) and width > 1000
    stamp = b"ecocluster-dot-sha256\0" + dot_sha256(generate_texts(pkg)["partnership.dot"]).encode()
    assert (b"tEXt", stamp) in chunks


def test_docs_check_fails_with_exit_1_and_lists_stale_files(tmp_path, graphviz):
    pkg = copy_package(tmp_path)
    (pkg / "docs" / "er-diagram.svg").unlink()
    (pkg / "docs" / "er-diagram.mmd").write_text("erDiagram\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", str(pkg), "--out", str(pkg / "docs"),
                                       "--page", str(pkg / "docs" / "tables.md"), "--check"])
    assert result.exit_code == 1
    docs = pkg / "docs"
    assert result.stdout == f"{docs / 'er-diagram.mmd'}: differs\n{docs / 'er-diagram.svg'}: missing\n"
    assert result.stderr == "error: the docs are stale\nhint: run `ecocluster docs` and commit the result.\n"
    assert (pkg / "docs" / "er-diagram.mmd").read_text(encoding="utf-8") == "erDiagram\n"  # nothing written

    fixed = CliRunner().invoke(main, ["docs", str(pkg), "--out", str(pkg / "docs"),
                                      "--page", str(pkg / "docs" / "tables.md")])
    assert fixed.stdout == f"{pkg / 'docs' / 'er-diagram.mmd'}\n{pkg / 'docs' / 'er-diagram.svg'}\n"
    assert check_docs(pkg, pkg / "docs", pkg / "docs" / "tables.md")["fresh"]


def test_docs_json_equals_the_library_result(tmp_path):
    pkg = copy_package(tmp_path)
    args = ["docs", str(pkg), "--out", str(pkg / "docs"), "--page", str(pkg / "docs" / "tables.md")]
    result = CliRunner().invoke(main, [*args, "--check", "--format", "json"])
    assert json.loads(result.stdout) == check_docs(pkg, pkg / "docs", pkg / "docs" / "tables.md")
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert json.loads(result.stdout) == generate_docs(pkg, pkg / "docs", pkg / "docs" / "tables.md")


def test_readme_without_markers_is_left_alone_with_a_warning(tmp_path, graphviz):
    readme = tmp_path / "README.md"
    readme.write_text("# No markers here\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path / "docs"), "--readme", str(readme)])
    assert result.exit_code == 0
    announce, warning = result.stderr.splitlines()[:2]
    assert announce.startswith("package: ")  # no PATH given: it says which package it opened
    assert warning.startswith(f"warning: {readme}: not updated: it does not exist or lacks the marker")
    assert readme.read_text(encoding="utf-8") == "# No markers here\n"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_without_graphviz_docs_names_what_it_cannot_draw_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("ecocluster.curation.docgen.shutil.which", lambda name: None)
    monkeypatch.setattr("ecocluster.curation.docgen.graphviz.shutil.which", lambda name: None)
    pkg = copy_package(tmp_path)
    # the data changes: the partnership texts and both its pictures are stale, the ER picture is not
    path = pkg / "data" / "people.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Oh Lin-tae,Oh,Lin-tae", "Oh Rin-tae,Oh,Rin-tae"),
                    encoding="utf-8")
    (pkg / "docs" / "er-diagram.mmd").write_text("erDiagram\n", encoding="utf-8")
    before = _snapshot(pkg)
    result = CliRunner().invoke(main, ["docs", str(pkg), "--out", str(pkg / "docs"),
                                       "--page", str(pkg / "docs" / "tables.md")])
    assert result.exit_code == 1 and result.stdout == ""
    docs = pkg / "docs"
    assert result.stderr == (f"error: Graphviz `dot` is not on PATH, so {docs / 'partnership.svg'}, "
                             f"{docs / 'partnership.png'} cannot be drawn; nothing was written. Install Graphviz "
                             "(apt-get install graphviz), or check the texts with `ecocluster docs --check`\n"
                             "hint: install Graphviz (apt-get install graphviz).\n")
    assert _snapshot(pkg) == before  # the stale texts were not written either: all or nothing


def test_docs_writes_all_or_nothing_when_one_file_fails(tmp_path, monkeypatch):
    pkg = copy_package(tmp_path)
    for name in ("er-diagram.mmd", "data-dictionary.md"):
        (pkg / "docs" / name).write_text("stale\n", encoding="utf-8")
    real_replace = os.replace
    calls = []

    def replace(src, dst):  # the second rename fails: the first must not have happened either
        calls.append(dst)
        if len(calls) == 1:
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    before = _snapshot(pkg)
    monkeypatch.setattr("ecocluster.curation.docgen.os.replace", replace)
    result = CliRunner().invoke(main, ["docs", str(pkg), "--out", str(pkg / "docs"),
                                       "--page", str(pkg / "docs" / "tables.md")])
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot write ")
    assert _snapshot(pkg) == before  # no temporary files left behind, no file changed


def test_docs_check_needs_no_graphviz_and_covers_models_and_validation_docs(tmp_path, monkeypatch):
    monkeypatch.setattr("ecocluster.curation.docgen.shutil.which", lambda name: None)
    monkeypatch.setattr("ecocluster.curation.docgen.graphviz.shutil.which", lambda name: None)
    assert check_docs(ROOT, DOCS, DOCS / "tables.md") == {"out": str(DOCS), "fresh": True, "stale": []}
    # a source checkout's other generated files: a CRLF models.py and an edited code section are stale
    pkg = copy_package(tmp_path)
    models = pkg / "src" / "ecocluster" / "validation" / "models.py"
    models.parent.mkdir(parents=True)
    models.write_bytes((ROOT / "src" / "ecocluster" / "validation" / "models.py").read_bytes()
                       .replace(b"\n", b"\r\n"))
    (pkg / "docs" / "validation.md").write_bytes((DOCS / "validation.md").read_bytes()
                                                 .replace(b"*Fix:*", b"*Fix it:*", 1))
    stale = check_docs(pkg, pkg / "docs", pkg / "docs" / "tables.md")["stale"]
    assert stale == [{"path": str(models), "problem": "differs"},
                     {"path": str(pkg / "docs" / "validation.md"), "problem": "differs"}]


def test_missing_package_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["docs", str(tmp_path / "nowhere"), "--check"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: no data package at ")


# --- what the outputs say ------------------------------------------------------------------------

def test_dictionary_explains_every_table_column_and_code():
    pkg = Package.open()
    text = generate_texts(pkg)["data-dictionary.md"]
    for res in pkg.resources:
        assert f"\n## `{res.name}`\n" in text
        for f in res.fields:
            row = next(line for line in text.split(f"\n## `{res.name}`\n")[1].splitlines()
                       if line.startswith(f"| `{f.name}` |"))
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
            assert cells[2] == f.type and cells[3] == ("yes" if f.required else "no")
            assert cells[6].replace("\\|", "|") == " ".join(f.description.split())
            for code in f.enum or ():
                assert f"| `{code}` | {f.labels[code]} |" in text
        for fk in res.foreign_keys:
            assert f"[`{fk.resource}`](#{fk.resource}).`{fk.reference_field}`" in text
    assert "`id` of [`organisations`](#organisations), [`people`](#people) or [`projects`](#projects)" in text


def test_mermaid_has_every_table_and_reference():
    pkg = Package.open()
    mmd = generate_texts(pkg)["er-diagram.mmd"]
    entities = re.findall(r"^    (\w+) \{$", mmd, flags=re.M)
    assert entities == pkg.resource_names
    relations = set(re.findall(r'^    (\w+) \|[|o](?:--|\.\.)o\{ (\w+) : "(\w+)"$', mmd, flags=re.M))
    declared = {(fk.resource, r.name, fk.field) for r in pkg.resources for fk in r.foreign_keys}
    assert declared <= relations
    soft = {(t, "names", "entity_id") for t in ("organisations", "people", "projects")}
    assert relations - declared == soft


def test_partnership_dot_draws_every_role_party_and_link():
    pkg = Package.open()
    dot = generate_texts(pkg)["partnership.dot"]
    tables = ("people", "roles", "agreement_parties", "agreement_projects", "agreements", "projects")
    rows = {}
    for name in tables:
        with open(ROOT / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            rows[name] = list(csv.DictReader(fh))
    names = {p["id"]: p["name"] for p in rows["people"]}
    for p in rows["people"] + rows["agreements"] + rows["projects"]:
        assert re.search(rf'^\s+"{p["id"]}" \[shape=', dot, flags=re.M), p["id"]
    for r in rows["roles"]:
        assert f'"{r["person_id"]}" -> "{r["org_id"]}" [label="{r["title"]}' in dot
    for p in rows["agreement_parties"]:
        who = f': {names[p["signatory_person_id"]]}' if p["signatory_person_id"] else ""
        assert f'"{p["org_id"]}" -> "{p["agreement_id"]}" [label="{p["role"]}{who}"' in dot
    for link in rows["agreement_projects"]:
        assert f'"{link["agreement_id"]}" -> "{link["project_id"]}" [label="{link["relation"]}"' in dot
    for a in rows["agreements"]:
        if a["follows_id"]:
            assert f'"{a["follows_id"]}" -> "{a["id"]}" [style=dashed, dir=back' in dot
    assert "부산에코클러스터센터" in dot and "박형준" in dot  # Korean names beside the English ones
    assert "34.02% held by Geely Automobile Holdings (as of" in dot


def test_field_id_prefixes():
    pkg = Package.open()
    assert pkg.resource("names").field("entity_id").id_prefixes == ("org", "person", "project")
    assert pkg.resource("roles").field("person_id").id_prefixes == ("person",)
    assert pkg.resource("citations").field("field").id_prefixes == ()
    assert pkg.resource("organisations").field("country").id_prefixes == ()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example_and_a_section_in_the_reference(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout and f"ecocluster {name}" in result.stdout
    assert f"\n## ecocluster {name}\n" in (DOCS / "cli.md").read_text(encoding="utf-8")


def test_the_command_reference_is_the_commands_own_help():
    """docs/cli.md is regenerated by `ecocluster docs` in a source checkout; stale, it fails here."""
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is stale: run `ecocluster docs` and commit the result")
    assert check_docs(ROOT, DOCS, DOCS / "tables.md", {"cli.md": cli_reference() + "changed"})["stale"] == [
        {"path": str(DOCS / "cli.md"), "problem": "differs"}]


# --- readability of the pictures -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["partnership.dot", "er-diagram.dot"])
def test_pictures_have_no_overlapping_text(name, graphviz_cjk):
    """No box or label overlaps another and no line runs through a label (checked on Graphviz's layout)."""
    assert layout_problems(generate_texts()[name]) == []


def test_the_overlap_check_sees_a_line_through_a_label(graphviz_cjk):
    dot = generate_texts()["partnership.dot"]
    # an edge that ignores ranks, as ownership edges once were: it runs across the role labels (with the
    # data of 0.3.0 Graphviz routes Renault Group -> Renault Korea around them, Busan Techno Park's not)
    bad = dot.replace("\n}\n", '\n    "org-busan-techno-park" -> "org-renault-korea" [constraint=false];\n}\n')
    problems = layout_problems(bad)
    assert problems and all(p.startswith("the line org-busan-techno-park -> org-renault-korea crosses label")
                            for p in problems)


def test_unwritable_out_folder_is_a_clear_error(tmp_path, graphviz):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    out = tmp_path / "a-file" / "docs"
    result = CliRunner().invoke(main, ["docs", "--out", str(out), "--readme", str(tmp_path / "R.md")])
    assert result.exit_code == 2  # an output folder that cannot be used, as for build and export
    blocker = tmp_path / "a-file"
    assert result.stderr.splitlines()[1] == f"error: the output folder {out} cannot be created: {blocker} is a file"
