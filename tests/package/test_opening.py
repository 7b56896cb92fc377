import json

import pytest
from readback import read_rows

from ecocluster.base.files import atomic_path, write_text
from ecocluster.errors import PackageError
from ecocluster.package import Package


def test_open_shipped_package():
    pkg = Package.open()
    assert len(pkg.resources) == 12
    orgs = pkg.resource("organisations")
    assert orgs.id_prefix == "org"
    assert orgs.field("founded").is_date and not orgs.field("name").is_date
    assert pkg.resource("agreements").foreign_keys[0].resource == "agreements"
    rels = {r["id"]: r for r in read_rows(pkg.root, "org_relations")}
    assert rels["rel-renault-group-shareholder-of-renault-korea"]["share_percent"] == 52.82
    assert rels["rel-renault-korea-subsidiary-of-renault-group"]["share_percent"] is None


@pytest.mark.parametrize(
    "path,code",
    [("../outside.csv", "resource-path-outside"), ("/etc/passwd", "resource-path-outside"),
     ("https://example.org/x.csv", "resource-path-remote")],
)
def test_resource_paths_stay_inside_the_package(tmp_path, path, code):
    (tmp_path / "datapackage.json").write_text(json.dumps(
        {"resources": [{"name": "t", "path": path, "schema": {"fields": [{"name": "id"}]}}]}))
    with pytest.raises(PackageError) as e:
        Package.open(tmp_path)
    assert e.value.code == code


def test_invalid_descriptor_json(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"resources": [,]}')
    with pytest.raises(PackageError) as e:
        Package.open(tmp_path)
    assert e.value.code == "descriptor-invalid" and "line 1" in e.value.message


def test_atomic_write_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "out.txt"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]
