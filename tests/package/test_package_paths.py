"""The one check of a path inside a package (ecocluster.package.paths.inside): every file a command
reads, reports or ships from the package passes it, so a link out of the package is refused alike."""

from __future__ import annotations

import zipfile

import pytest
from pkgedits import shipped_copy

from ecocluster.errors import PackageError
from ecocluster.exports.site.metadata import read_citation
from ecocluster.package import Package, inside
from ecocluster.release import release_archive

CFF = "cff-version: 1.2.0\ntitle: Outside\nmessage: from outside the package\n"


@pytest.fixture
def pkg(tmp_path):
    root = shipped_copy(tmp_path / "pkg")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "CITATION.cff").write_text(CFF, encoding="utf-8")
    (outside / "LICENSE").write_text("a licence from elsewhere\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(("rel", "code"), [
    ("", "resource-path-invalid"), ("data/\x00.csv", "resource-path-invalid"), ("a" * 256, "resource-path-invalid"),
    ("https://example.org/t.csv", "resource-path-remote"), ("../outside/LICENSE", "resource-path-outside"),
    ("/etc/passwd", "resource-path-outside"), ("C:/t.csv", "resource-path-outside"),
    ("link/LICENSE", "resource-path-outside"), ("data", "resource-path-invalid"),
    ("data/absent.csv", "resource-path-invalid"),
])
def test_inside_refuses_a_path_that_leaves_the_package_or_is_not_a_file(pkg, rel, code):
    (pkg / "link").symlink_to(pkg.parent / "outside")
    with pytest.raises(PackageError) as caught:
        inside(pkg, rel)
    assert caught.value.code == code


def test_inside_gives_a_file_of_the_package_and_a_link_that_stays_inside(pkg):
    (pkg / "alias.json").symlink_to("datapackage.json")
    assert inside(pkg, "datapackage.json") == pkg / "datapackage.json"
    assert inside(pkg, "alias.json") == pkg / "alias.json"
    assert inside(pkg, "data/absent.csv", regular=False) == pkg / "data" / "absent.csv"  # the reader says missing


def test_optional_files_that_are_missing_folders_or_links_out_are_absent(pkg):
    (pkg / "CITATION.cff").symlink_to(pkg.parent / "outside" / "CITATION.cff")
    (pkg / "LICENSE").symlink_to(pkg.parent / "outside" / "LICENSE")
    (pkg / "CHANGELOG.md").mkdir()
    package = Package.open(pkg)
    assert [package.file(n) for n in ("CITATION.cff", "LICENSE", "CHANGELOG.md", "DATASHEET.md")] == [None] * 4
    assert read_citation(package) is None
    with zipfile.ZipFile(release_archive(package, pkg.parent)) as zf:
        names = set(zf.namelist())
    assert not names & {"CITATION.cff", "LICENSE-CODE.txt", "CHANGELOG.md", "DATASHEET.md"}


def test_a_csv_swapped_for_a_link_out_after_opening_is_refused(pkg):
    package = Package.open(pkg)
    csv = pkg / package.resources[0].path
    csv.unlink()
    csv.symlink_to(pkg.parent / "outside" / "LICENSE")
    with pytest.raises(PackageError) as caught:
        package.csv_path(package.resources[0])
    assert caught.value.code == "resource-path-outside"
