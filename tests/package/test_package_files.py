"""Every file a command reads from a package goes through the one path check and is read safely
(issue 28, class 1): no link out of the package, regular files only, a size cap, no blocking on a FIFO;
CITATION.cff without YAML aliases or deep nesting; a descriptor's nesting measured before json parses it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pkgedits import VALID, shipped_copy

from ecocluster.errors import PackageError
from ecocluster.package import Package
from ecocluster.package.citation import parse_yaml, read_citation
from ecocluster.package.paths import read_bytes
from ecocluster.release import bundle, release_archive

CFF = "cff-version: 1.2.0\ntitle: The title\nmessage: cite it\nauthors:\n  - name: Someone\n"
BOMB = "\n".join(["cff-version: 1.2.0", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
                  *(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(8)),
                  "title: boom"]) + "\n"


@pytest.fixture
def pkg(tmp_path):
    return shipped_copy(tmp_path / "pkg")


def _members(package: Package, out: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(release_archive(package, out)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_extras_linked_to_secrets_outside_the_package_are_not_shipped(pkg, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOCLUSTER_TEST_SECRET", "token-5f1e0c")
    (pkg / "LICENSE").symlink_to("/etc/passwd")
    (pkg / "CITATION.cff").symlink_to("/proc/self/environ")
    (pkg / "DATASHEET.md").symlink_to("../../../../../../../../etc/hostname")
    members = _members(Package.open(pkg), tmp_path)
    assert not {"LICENSE-CODE.txt", "CITATION.cff", "DATASHEET.md"} & set(members)
    shipped = b"".join(members.values())
    assert b"token-5f1e0c" not in shipped and b"root:" not in shipped


def test_an_extra_that_is_a_fifo_a_folder_or_too_large_is_left_out_without_waiting(pkg, tmp_path, monkeypatch):
    os.mkfifo(pkg / "CHANGELOG.md")  # nobody ever writes to it: opening it blindly would wait forever
    (pkg / "DATASHEET.md").mkdir()
    (pkg / "LICENSE").write_text("x" * 2000, encoding="utf-8")
    monkeypatch.setattr(bundle, "EXTRA_BYTES", 1000)
    started = time.monotonic()
    members = _members(Package.open(pkg), tmp_path)
    assert time.monotonic() - started < 20
    assert not {"CHANGELOG.md", "DATASHEET.md", "LICENSE-CODE.txt"} & set(members)


def test_an_extra_at_the_cap_is_shipped_byte_for_byte(pkg, tmp_path, monkeypatch):
    (pkg / "LICENSE").write_bytes(b"y" * 1000)
    monkeypatch.setattr(bundle, "EXTRA_BYTES", 1000)
    assert _members(Package.open(pkg), tmp_path)["LICENSE-CODE.txt"] == b"y" * 1000


@pytest.mark.parametrize("make", [os.mkfifo, lambda p: p.mkdir()])
def test_read_bytes_names_what_a_special_file_is(tmp_path, make):
    target = tmp_path / "thing"
    make(target)
    with pytest.raises(PackageError) as caught:
        read_bytes(target, "schema", "schema-invalid", "people")
    assert caught.value.code == "schema-invalid" and caught.value.resource == "people"
    assert ("a FIFO" if target.is_fifo() else "a folder") in str(caught.value)


def test_a_citation_with_an_alias_bomb_or_deep_nesting_is_treated_as_absent(pkg):
    package = Package.open(pkg)
    (pkg / "CITATION.cff").write_text(CFF, encoding="utf-8")
    assert read_citation(package)["title"] == "The title"
    for text in (BOMB, "cff-version: 1.2.0\nx: " + "[" * 20_000 + "]" * 20_000 + "\n",
                 "cff-version: 1.2.0\nx: " + "{a: " * 21 + "1" + "}" * 21 + "\n"):
        (pkg / "CITATION.cff").write_text(text, encoding="utf-8")
        started = time.monotonic()
        assert read_citation(package) is None
        assert time.monotonic() - started < 5


def test_a_citation_nested_to_the_limit_is_read():
    text = "x: " + "[" * 19 + "1" + "]" * 19 + "\n"
    assert parse_yaml(text) == {"x": eval("[" * 19 + "1" + "]" * 19)}  # noqa: S307 - a literal built here


def test_a_citation_larger_than_its_cap_or_a_fifo_is_absent(pkg):
    package = Package.open(pkg)
    (pkg / "CITATION.cff").write_text(CFF + "# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    assert read_citation(package) is None
    (pkg / "CITATION.cff").unlink()
    os.mkfifo(pkg / "CITATION.cff")
    assert read_citation(package) is None


@pytest.mark.parametrize("target", ["datapackage.json", "schemas/people.schema.json"])
def test_deep_nesting_is_refused_before_parsing_whatever_the_recursion_limit(tmp_path, target):
    """With the recursion limit raised, json's C parser would overflow the C stack on 100,000 levels
    and the process would die of a segmentation fault: the depth is measured first."""
    root = tmp_path / "pkg"
    import shutil

    shutil.copytree(VALID, root)
    path = root / target
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{", '{"deep": ' + "[" * 100_000 + "]" * 100_000 + ", ", 1), encoding="utf-8")
    code = ("import sys; sys.setrecursionlimit(10**7)\n"
            "from ecocluster.package import Package\nfrom ecocluster.errors import PackageError\n"
            f"try:\n    Package.open({str(root)!r})\nexcept PackageError as e:\n    print(e.code, e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == ("descriptor-invalid" if target == "datapackage.json" else "schema-invalid")
    assert "more than 100 levels deep" in done.stdout


def test_nesting_at_the_limit_is_read(tmp_path):
    import shutil

    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    path = root / "datapackage.json"
    # the descriptor is an object (1) holding this value: 99 more levels is 100
    path.write_text(path.read_text(encoding="utf-8").replace("{", '{"deep": ' + "[" * 99 + "]" * 99 + ", ", 1),
                    encoding="utf-8")
    assert Package.open(root).descriptor["deep"] is not None
    path.write_text(path.read_text(encoding="utf-8").replace("[", "[[", 1).replace("]", "]]", 1), encoding="utf-8")
    with pytest.raises(PackageError, match="more than 100 levels"):
        Package.open(root)


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path):
    import shutil

    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    path = root / "datapackage.json"
    deep = '"' + "[{" * 300 + '\\"' + "[" * 300 + '"'
    path.write_text(path.read_text(encoding="utf-8").replace("{", '{"note": ' + deep + ", ", 1), encoding="utf-8")
    assert Package.open(root).descriptor["note"].startswith("[{[{")


def test_a_schema_that_is_a_fifo_is_refused_at_once(tmp_path):
    import shutil

    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    (root / "schemas" / "people.schema.json").unlink()
    os.mkfifo(root / "schemas" / "people.schema.json")
    started = time.monotonic()
    with pytest.raises(PackageError) as caught:
        Package.open(root)
    assert time.monotonic() - started < 10
    assert caught.value.code == "schema-invalid" and "FIFO" in str(caught.value)


def test_a_descriptor_number_of_five_thousand_digits_is_refused(tmp_path):
    import shutil

    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    path = root / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").replace("{", '{"n": ' + "9" * 5000 + ", ", 1), encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        Package.open(root)
    assert caught.value.code == "descriptor-invalid" and "4300 digits" in str(caught.value)
