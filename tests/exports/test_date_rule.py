"""One date rule everywhere: the date list (datecases.py) gets the same verdict from `ecocluster validate`,
the SQLite and DuckDB exports and the portable SQL file in SQLite, each refusing by its own constraint;
PostgreSQL (both SQL files) in test_postgres.py. The bounds are the database's: a row needs its date only."""

import csv
import sqlite3

import pytest
from datecases import DATE_CASES
from readback import ROOT, copy_package

import ecocluster


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("date-rule")
    ecocluster.export(ROOT, ["sqlite", "duckdb", "sql"], out)
    return out


def test_validate_gives_the_date_list_its_verdict(tmp_path):
    """Every value in one run: appended as projects' target dates, each refused or not by a date rule."""
    root = copy_package(tmp_path / "pkg")
    path = root / "data" / "projects.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, kept = list(reader.fieldnames or []), list(reader)
    first_line = len(kept) + 2  # the header is line 1
    with open(path, "a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        for i, (value, _ok) in enumerate(DATE_CASES):
            writer.writerow({**dict.fromkeys(header, ""), "id": f"project-date-{i}", "name": f"Date {i}",
                             "kind": "other", "status": "unknown", "target_date": value})
    report = ecocluster.validate(root, max_errors=None)
    refused = {e.row for e in report.errors if e.resource == "projects" and e.field == "target_date"
               and e.code in ("date-invalid", "date-out-of-range")}
    got = [(value, first_line + i not in refused) for i, (value, _ok) in enumerate(DATE_CASES)]
    assert got == DATE_CASES


def sqlite_verdict(con: sqlite3.Connection, value: str) -> bool:
    con.execute("SAVEPOINT v")
    try:
        con.execute("UPDATE projects SET target_date = ?", (value,))
        return True
    except sqlite3.IntegrityError as e:
        assert "CHECK constraint failed: target_date: YYYY, YYYY-MM or YYYY-MM-DD" in str(e), e
        return False
    finally:
        con.execute("ROLLBACK TO v")
        con.execute("RELEASE v")


def portable_in_sqlite(out) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:", isolation_level=None)
    con.executescript((out / "ecocluster.sql").read_text(encoding="utf-8"))
    return con


@pytest.mark.parametrize("source", ["sqlite", "sql"])
def test_sqlite_gives_the_date_list_its_verdict(out, source):
    con = sqlite3.connect(out / "ecocluster.sqlite", isolation_level=None) if source == "sqlite" \
        else portable_in_sqlite(out)
    assert [(value, sqlite_verdict(con, value)) for value, _ok in DATE_CASES] == DATE_CASES
    assert sqlite_verdict(con, "") is False  # an empty text is no date (missing is NULL)


def test_duckdb_gives_the_date_list_its_verdict(out):
    import duckdb

    con = duckdb.connect(str(out / "ecocluster.duckdb"))

    def verdict(value: str) -> bool:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("UPDATE projects SET target_date = ?", [value])
            return True
        except duckdb.ConstraintException as e:
            assert "CHECK constraint failed" in str(e) and "target_date" in str(e), e
            return False
        finally:
            con.execute("ROLLBACK")

    assert [(value, verdict(value)) for value, _ok in DATE_CASES] == DATE_CASES
    assert verdict("") is False


@pytest.mark.parametrize("source", ["sqlite", "duckdb", "sql"])
def test_a_new_row_needs_its_date_only_the_database_computes_the_bounds(out, source):
    """Text in SQLite, dates in DuckDB; a bound cannot be written by hand."""
    import duckdb

    if source == "duckdb":
        con = duckdb.connect(str(out / "ecocluster.duckdb"))
        con.execute("BEGIN TRANSACTION")
    else:
        con = sqlite3.connect(out / "ecocluster.sqlite") if source == "sqlite" else portable_in_sqlite(out)
    con.execute("INSERT INTO projects (id, name, kind, status, start_date, target_date) "
                "VALUES ('project-new', 'New', 'other', 'unknown', '2023', '2024-02')")
    got = con.execute("SELECT start_date_earliest, start_date_latest, target_date_earliest, target_date_latest, "
                      "end_date_earliest FROM projects WHERE id = 'project-new'").fetchone()
    assert [str(v) if v is not None else None for v in got] == [
        "2023-01-01", "2023-12-31", "2024-02-01", "2024-02-29", None]
    error = duckdb.Error if source == "duckdb" else sqlite3.OperationalError
    with pytest.raises(error, match="generated column"):
        con.execute("UPDATE projects SET target_date_latest = '2024-12-31' WHERE id = 'project-new'")
    con.rollback() if source != "duckdb" else con.execute("ROLLBACK")
