"""Boundary tests: every rule with a threshold or an order, tried on both sides of its edge.

Each validation case is the valid fixture with one or two cells changed in tmp_path, checked through
the public `ecocluster.validate()` report as (code, resource, row, field) tuples. Expected days are
computed here with a few lines of calendar code of our own, never with `ecocluster.base.dates`.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

import ecocluster
from ecocluster.base.dates import earliest_day_expr, latest_day_expr
from ecocluster.validation import expressions as ex

FIXTURES = Path(__file__).parents[1] / "fixtures"
VALID = FIXTURES / "validate" / "valid"
INTEGERS = FIXTURES / "load" / "integers"


# --- our own calendar: the Gregorian rules, written out independently of the code under test ---

def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def expected_bounds(value: str) -> tuple[date, date]:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], days_in_month(*parts))
    d = date(*parts)
    return d, d


# --- a variant of the valid fixture, validated through the public report ---

def variant(tmp_path: Path, edits: list[tuple[str, str, str]], appends: list[tuple[str, str]] = ()) -> Path:
    root = tmp_path / "pkg"
    shutil.copytree(VALID, root)
    for table, old, new in edits:
        path = root / "data" / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (table, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    for table, line in appends:
        with open(root / "data" / f"{table}.csv", "a", encoding="utf-8", newline="") as fh:
            fh.write(line + "\n")
    return root


def errors(root: Path) -> list[tuple[str, str, int, str]]:
    report = ecocluster.validate(root)
    return sorted((e["code"], e["resource"], e["row"], e["field"]) for e in report.to_dict()["errors"])


def cite(record_id: str) -> tuple[str, str]:
    return "citations", f"{record_id},*,src-herald-2023,Busan and Renault Korea signed the MOU,dossier-summary,,"


def test_the_valid_fixture_is_valid(tmp_path: Path) -> None:
    assert errors(variant(tmp_path, [])) == []


# --- date-order: start <= end within a row, at every precision ---

DATE_ORDER = [
    ("2000-05-01", "2000-05-01", True),   # same day
    ("2000-05-01", "2000-04-30", False),  # end one day before
    ("2000-05-31", "2000-05", True),      # the end month's last day
    ("2000-06", "2000-05-31", False),
    ("2000-12-31", "2000", True),         # the end year's last day
    ("2001", "2000-12-31", False),
    ("2000", "2000", True),
    ("2001", "2000", False),
    ("2024-02-29", "2024-02", True),      # a leap month
    ("2023-03", "2023-02-28", False),
]


@pytest.mark.parametrize("founded, dissolved, ok", DATE_ORDER)
def test_date_order_boundary(tmp_path: Path, founded: str, dissolved: str, ok: bool) -> None:
    root = variant(tmp_path, [("organisations", "Renault Korea,company,KR,2000,,", f"Renault Korea,company,KR,"
                                                                               f"{founded},{dissolved},")])
    assert errors(root) == ([] if ok else [("date-order", "organisations", 4, "dissolved")])


# --- signatory-no-role: the role must cover the signing day (agreement of 2023-05-22, party line 4) ---

SIGNATORY = [
    ("2022-03-01", "2023-05-22", True),   # the role ends on the signing day: still held
    ("2022-03-01", "2023-05-21", False),  # ended the day before
    ("2023-05-22", "2025-09-01", True),   # starts on the signing day
    ("2023-05-23", "2025-09-01", False),  # starts the day after
    ("2022-03-01", "2023-05", True),      # ends some day in May 2023
    ("2022-03-01", "2023-04", False),
    ("2023-05", "2025-09-01", True),
    ("2023-06", "2025-09-01", False),
    ("2023", "2023", True),
]


@pytest.mark.parametrize("start, end, ok", SIGNATORY)
def test_signatory_role_boundary(tmp_path: Path, start: str, end: str, ok: bool) -> None:
    root = variant(tmp_path, [("roles", "사장,2022-03-01,2025-09-01", f"사장,{start},{end}")])
    expected = [] if ok else [("signatory-no-role", "agreement_parties", 4, "signatory_person_id")]
    assert errors(root) == expected


# --- follows-not-earlier: an agreement may follow one signed the same day, not one signed later ---

@pytest.mark.parametrize("earlier, ok", [("2023-05-22", True), ("2023-05-23", False), ("2023-05", True),
                                         ("2023-06", False), ("2023", True), ("2024", False)])
def test_follows_boundary(tmp_path: Path, earlier: str, ok: bool) -> None:
    root = variant(tmp_path, [("agreements", "announced,,2021-09-15", f"announced,,{earlier}")])
    assert errors(root) == ([] if ok else [("follows-not-earlier", "agreements", 3, "follows_id")])


# --- share-total-exceeded: the current shares of one object add up to at most 100 ---

def share_rows(*shares: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """Renault Group holds shares[0] of Renault Korea; each further share is held by a synthetic org."""
    edits = [("org_relations", "shareholder-of,52.82,", f"shareholder-of,{shares[0]},")]
    appends = []
    for i, share in enumerate(shares[1:], start=1):
        org, rel = f"org-test-holder-{i}", f"rel-test-holder-{i}-shareholder-of-renault-korea"
        appends += [("organisations", f"{org},Test holder {i},company,KR,,,,"), cite(org),
                    ("org_relations", f"{rel},{org},org-renault-korea,shareholder-of,{share},,,,2023"), cite(rel)]
    return edits, appends


@pytest.mark.parametrize("shares, over_line", [
    (["100"], None),
    (["100.01"], "range+total"),
    (["0"], None),
    (["-0.01"], "range"),
    (["52.82", "47.18"], None),           # exactly 100 (and exact in binary floating point too)
    (["52.82", "47.19"], 4),              # 100.01
    (["52.82", "47.18", "0"], None),
    (["52.82", "47.18", "0.01"], 5),      # the row that takes the total over 100 is reported
    (["52.82", "60"], 4),                 # 112.82
    (["82.79", "8.06", "9.01"], None),
    (["82.79", "8.06", "9.15"], None),   # exactly 100.00 in decimals (100.00000000000001 as floats)
    (["82.79", "8.06", "9.16"], 5),
])
def test_share_total_boundary(tmp_path: Path, shares: list[str], over_line: int | str | None) -> None:
    edits, appends = share_rows(*shares)
    found = errors(variant(tmp_path, edits, appends))
    if over_line is None:
        assert found == []
    elif over_line == "range":
        assert found == [("out-of-range", "org_relations", 2, "share_percent")]
    elif over_line == "range+total":  # above the maximum, and so above the total too
        assert found == [("out-of-range", "org_relations", 2, "share_percent"),
                         ("share-total-exceeded", "org_relations", 2, "share_percent")]
    else:
        assert found == [("share-total-exceeded", "org_relations", over_line, "share_percent")]


def test_ended_shareholdings_do_not_count(tmp_path: Path) -> None:
    edits, appends = share_rows("52.82", "60")
    appends[2] = ("org_relations", "rel-test-holder-1-shareholder-of-renault-korea,org-test-holder-1,"
                                   "org-renault-korea,shareholder-of,60,,2020,2021,2023")
    assert errors(variant(tmp_path, edits, appends)) == []


# --- month ends and leap days in date bounds, in Python and in the vectorised twin ---

LEAP = {"2024-02": 29, "2023-02": 28, "1900-02": 28, "2000-02": 29, "2100-02": 28, "1600-02": 29}


@pytest.mark.parametrize("value, last", LEAP.items())
def test_february_bounds(value: str, last: int) -> None:
    year, month = (int(p) for p in value.split("-"))
    assert ecocluster.date_bounds(value) == (date(year, month, 1), date(year, month, last))
    assert ecocluster.earliest_day(value) == date(year, month, 1)
    assert ecocluster.latest_day(value) == date(year, month, last)


def test_every_month_end_of_a_leap_and_a_common_year_in_python_and_polars() -> None:
    import polars as pl

    values = [f"{y}-{m:02d}" for y in (1900, 2000, 2023, 2024) for m in range(1, 13)]
    values += ["1900", "2024", "2024-02-29", "2023-12-31", "2023-01-01"]
    expected = [expected_bounds(v) for v in values]
    assert [ecocluster.date_bounds(v) for v in values] == expected
    got = pl.DataFrame({"v": values}).select(
        earliest_day_expr(pl.col("v")).alias("e"), latest_day_expr(pl.col("v")).alias("l"))
    assert list(zip(got["e"].to_list(), got["l"].to_list(), strict=True)) == expected


@pytest.mark.parametrize("value", ["2023-02-29", "1900-02-29", "2024-02-30", "2023-04-31", "2023-13", "2023-00",
                                   "2023-01-00", "23", "2023-1", "2023-01-1", ""])
def test_impossible_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        ecocluster.date_bounds(value)


def test_real_date_check_at_month_ends() -> None:
    import polars as pl

    values = ["2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2023-04-30", "2023-04-31", "2023-12-31",
              "2023-02-28", "2023", "2023-02"]
    got = pl.DataFrame({"v": values}).select(ex.is_real_date(pl.col("v")))["v"].to_list()
    assert got == [True, False, True, False, True, False, True, True, True, True]
    # the pre-filter may let real dates through, but never stops an impossible one
    pre = pl.DataFrame({"v": values}).select(ex.may_not_be_real_date(pl.col("v")))["v"].to_list()
    assert all(p for p, ok in zip(pre, got, strict=True) if not ok)
    assert pre[values.index("2023-02-28")] is False


# --- integers and nullable integers in load() ---

def test_load_keeps_integers_as_nullable_int64() -> None:
    import pandas as pd

    counts = ecocluster.load(INTEGERS, validate=False)["counts"]
    assert str(counts["n"].dtype) == "Int64"
    assert str(counts["share"].dtype) == "Float64"
    assert counts["n"].iloc[0] == 3
    assert counts["n"].iloc[1] is pd.NA
    # one above float64's 2**53: a Float64 detour would round it to -9007199254740992
    assert int(counts["n"].iloc[2]) == -9007199254740993
    assert counts["share"].iloc[2] is pd.NA


def test_load_of_the_integer_fixture_validates() -> None:
    assert ecocluster.validate(INTEGERS).ok
    assert str(ecocluster.load(INTEGERS)["counts"]["n"].dtype) == "Int64"


# --- the exact _earliest/_latest days of every date column in the Parquet export ---

def test_parquet_date_bounds_are_exact_for_every_date_column(tmp_path: Path) -> None:
    import csv

    import pyarrow.parquet as pq

    pkg = ecocluster.Package.open(VALID)
    ecocluster.export(VALID, ["parquet"], tmp_path / "out")
    files = {p.stem: p for p in (tmp_path / "out").rglob("*.parquet")}
    checked = 0
    for res in pkg.resources:
        with open(VALID / res.path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        table = pq.read_table(files[res.name]).to_pydict()
        for f in res.fields:
            if not f.is_date:
                continue
            want = [expected_bounds(r[f.name]) if r[f.name] else (None, None) for r in rows]
            assert table[f"{f.name}_earliest"] == [w[0] for w in want], (res.name, f.name)
            assert table[f"{f.name}_latest"] == [w[1] for w in want], (res.name, f.name)
            checked += sum(1 for r in rows if r[f.name])
    assert checked >= 10  # the fixture has dates of every precision


def test_parquet_date_bounds_at_month_ends_and_leap_days(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    values = ["2024-02", "2023-02", "2000-02", "2024", "2023-04", "2023-12", "2024-02-29", "2021-09-15"]
    root = variant(tmp_path, [])
    path = root / "data" / "names.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    start, end = header.index("start_date"), header.index("end_date")
    template = lines[1].split(",")
    first = template[0]
    out = [lines[0]]
    for i, v in enumerate(values):
        cells = list(template)
        cells[0] = f"{first}-{i}"
        cells[start], cells[end] = v, v
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    ecocluster.export(root, ["parquet"], tmp_path / "out")
    (parquet,) = (tmp_path / "out").rglob("names.parquet")
    table = pq.read_table(parquet).to_pydict()
    for column in ("start_date", "end_date"):
        assert table[f"{column}_earliest"] == [expected_bounds(v)[0] for v in values]
        assert table[f"{column}_latest"] == [expected_bounds(v)[1] for v in values]
        assert all(lo <= hi for lo, hi in zip(table[f"{column}_earliest"], table[f"{column}_latest"],
                                              strict=True))
        assert table[f"{column}_latest"][0] - table[f"{column}_earliest"][0] == timedelta(days=28)


# --- private-use and special subtags: each range of the rule `language-invalid`, at both edges ---

@pytest.mark.parametrize("lang,script,region,private", [
    ("qaa", "", "", True), ("qtz", "", "", True), ("pzz", "", "", False), ("qua", "", "", False),
    ("ko", "Qaaa", "", True), ("ko", "Qabx", "", True), ("ko", "Pzzz", "", False), ("ko", "Qaby", "", False),
    ("en", "", "QM", True), ("en", "", "QZ", True), ("en", "", "QL", False), ("en", "", "RA", False),
    ("en", "", "XA", True), ("en", "", "XZ", True), ("en", "", "WZ", False), ("en", "", "YA", False),
    ("en", "", "AA", True), ("en", "", "ZZ", True), ("en", "", "AB", False), ("en", "", "ZW", False),
    ("en", "Zzzz", "", True), ("en", "Zyyz", "", False), ("und", "", "", True), ("en", "Latn", "GB", False),
])
def test_private_use_ranges_at_their_edges(lang: str, script: str, region: str, private: bool) -> None:
    from ecocluster.validation.standards import _private

    assert _private(lang, script, region) is private
