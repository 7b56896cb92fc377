"""The workbook opened by LibreOffice Calc (headless), each sheet converted to CSV and compared with the
data's CSVs: the same text in every cell, amounts as numbers, each date's bounds as real days.

Needs `soffice` (apt-get install libreoffice-calc-nogui); skipped without it, failed under CI=true.
"""

import csv
import shutil
import subprocess

import pytest
from conftest import require
from readback import AWKWARD, ROOT, bounds_of, is_date, tables, with_bounds

import ecocluster

# LibreOffice's CSV filter: comma, double quote, UTF-8 (76), header line 1, default cell formats,
# language default, quoted fields not forced to text, special numbers detected, cell contents as
# stored (false) or as shown (true), no formulas, spaces kept, every sheet (-1) into its own file.
FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,{shown},false,false,-1"


def soffice_csv(xlsx, out, profile, shown: bool) -> dict[str, list[list[str]]]:
    """Each sheet of the workbook as LibreOffice writes it to CSV: sheet -> rows of strings."""
    require(shutil.which("soffice") is not None,
            "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    out.mkdir()
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         FILTER.format(shown="true" if shown else "false"), "--outdir", str(out), str(xlsx)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    sheets = {}
    for path in out.glob(f"{xlsx.stem}-*.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            sheets[path.stem.removeprefix(f"{xlsx.stem}-")] = list(csv.reader(fh))
    return sheets


@pytest.fixture(scope="module", params=["shipped", "awkward"])
def workbook(request, tmp_path_factory):
    root = ROOT if request.param == "shipped" else AWKWARD
    tmp = tmp_path_factory.mktemp(f"lo-{request.param}")
    [xlsx] = ecocluster.export(root, ["xlsx"], tmp / "out")
    return root, soffice_csv(xlsx, tmp / "csv", tmp / "profile", shown=False)


def test_libreoffice_reads_every_cell_as_the_csvs_hold_it(workbook):
    root, stored = workbook
    assert set(stored) == {*tables(root), "columns"}
    for name, (fields, _rows) in tables(root).items():
        with open(root / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            source = list(csv.DictReader(fh))
        header, *rows = stored[name]
        assert header == with_bounds(fields), name
        assert len(rows) == len(source), name
        for got, want in zip(rows, source, strict=True):
            cells = dict(zip(header, got, strict=True))
            for f in fields:
                value = want[f["name"]]
                if f.get("type") in ("integer", "number") and value:
                    assert float(cells[f["name"]]) == float(value), (name, f["name"])
                else:
                    assert cells[f["name"]] == value, (name, f["name"])  # `2024` stays 2024, text stays text
                if is_date(f):
                    first, last = bounds_of(value or None)
                    assert cells[f"{f['name']}_earliest"] == (first.isoformat() if first else ""), (name, f["name"])
                    assert cells[f"{f['name']}_latest"] == (last.isoformat() if last else ""), (name, f["name"])


def test_libreoffice_shows_amounts_with_thousands_separators(tmp_path):
    [xlsx] = ecocluster.export(ROOT, ["xlsx"], tmp_path / "out")
    shown = soffice_csv(xlsx, tmp_path / "csv", tmp_path / "profile", shown=True)["agreement_projects"]
    column = shown[0].index("amount_krw")
    assert "700,000,000,000" in [row[column] for row in shown[1:]]
