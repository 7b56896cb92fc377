"""Every export read back by an independent reader and compared with the CSVs, row for row, type for type."""

import json
import sqlite3
from datetime import date

import pytest
from readback import (
    AWKWARD,
    ROOT,
    as_tuples,
    bounds_of,
    foreign_key_count,
    is_date,
    same_rows,
    same_typed,
    schema,
    tables,
    with_bounds,
)

import ecocluster
from ecocluster.exports import FORMATS

MOU = "agreement-2023-05-22-busan-future-car-ecosystem"
MOU_SIGNERS = {
    ("Renault Korea", "Stéphane Deblaise", "CEO"),
    ("Busan Metropolitan City", "Park Heong-joon", "39th Mayor of Busan Metropolitan City"),
    ("Busan Techno Park", "Kim Hyeong-gyun", "President"),
    # the sources name who signed for three of the five parties; the other two signed, their signer unknown
    ("The South East Alliance of the Industry Academy Cooperation Foundation", None, None),
    ("Busan Autoparts Industries Cooperative Association", None, None),
}


@pytest.fixture(scope="module", params=["shipped", "awkward"])
def exported(request, tmp_path_factory):
    root = ROOT if request.param == "shipped" else AWKWARD
    out = tmp_path_factory.mktemp(request.param)
    written = ecocluster.export(root, ["all"], out)
    return root, out, written


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("shipped-all")
    ecocluster.export(ROOT, ["all"], out)
    return out


def test_sql_schemas_put_date_bounds_right_after_their_date(exported):
    """The same date-range query in every database: `<date>_earliest`/`_latest` beside each date."""
    import duckdb

    root, out, _ = exported
    lite = sqlite_connect(out / f"{stem(root)}.sqlite")
    duck = duckdb.connect(str(out / f"{stem(root)}.duckdb"), read_only=True)
    for name, (fields, _rows) in tables(root).items():
        expected = with_bounds(fields)
        # table_xinfo, not table_info: the bounds are generated columns, which table_info leaves out
        lite_cols = [(c[1], c[2]) for c in lite.execute(f'PRAGMA table_xinfo("{name}")')]
        assert [c for c, _ in lite_cols] == expected
        duck_cols = duck.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = ? ORDER BY ordinal_position", [name]).fetchall()
        assert [c for c, _ in duck_cols] == expected
        bounds = {c for c in expected if c not in {f["name"] for f in fields}}
        assert {t for c, t in lite_cols if c in bounds} <= {"TEXT"}
        assert {t for c, t in duck_cols if c in bounds} <= {"DATE"}
    duck.close()


def stem(root):
    return json.loads((root / "datapackage.json").read_text())["name"]


def test_all_writes_every_registered_format(exported):
    root, out, written = exported
    name = stem(root)
    expected = {f"{name}.sqlite", f"{name}.duckdb", f"{name}.sql", f"{name}.xlsx", "parquet/datapackage.json",
                *(f"{d}/{t}.{d}" for t in tables(root) for d in ("parquet", "jsonl"))}
    got = {p.relative_to(out).as_posix() for p in written}
    # `all` runs every registered format, so formats added later only add files.
    assert expected <= got and {"parquet", "sqlite", "duckdb", "sql", "jsonl", "xlsx"} <= set(FORMATS)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert got == on_disk, "nothing else, no temporary file"


# --- Parquet: pyarrow and pandas -------------------------------------------------------------------

def test_parquet_read_back_with_pyarrow(exported):
    import pyarrow as pa
    import pyarrow.parquet as pq

    root, out, _ = exported
    for name, (fields, rows) in tables(root).items():
        t = pq.read_table(out / "parquet" / f"{name}.parquet")
        names = [f["name"] for f in fields]
        assert [c for c in t.column_names if not c.endswith(("_earliest", "_latest"))] == names
        got = [tuple(r[c] for c in names) for r in t.to_pylist()]
        assert same_typed(got, as_tuples(fields, rows)), name
        for f in fields:
            af = t.schema.field(f["name"])
            assert af.metadata[b"description"].decode() == f["description"]
            required = f.get("constraints", {}).get("required", False)
            assert af.nullable is not required
            enum = f.get("constraints", {}).get("enum")
            if enum:
                assert pa.types.is_dictionary(af.type)
                assert t.column(f["name"]).combine_chunks().dictionary.to_pylist() == enum
            else:
                types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64()}
                assert af.type == types[f["type"]]
            if f.get("constraints", {}).get("pattern", "").startswith("^[0-9]{4}(-"):
                assert t.schema.field(f"{f['name']}_earliest").type == pa.date32()
                for r in t.to_pylist():
                    if r[f["name"]] is None:
                        assert r[f"{f['name']}_earliest"] is None and r[f"{f['name']}_latest"] is None
                    else:
                        assert r[f"{f['name']}_earliest"].isoformat().startswith(r[f["name"]])
                        assert r[f"{f['name']}_latest"].isoformat().startswith(r[f["name"]])
        assert json.loads(t.schema.metadata[b"primary_key"]) == schema(root, name)["primaryKey"]
        assert t.schema.metadata[b"description"].decode() == next(
            r["description"] for r in json.loads((root / "datapackage.json").read_text())["resources"]
            if r["name"] == name)


def test_parquet_dates_and_categoricals_in_pandas(shipped):
    import pandas as pd

    agreements = pd.read_parquet(shipped / "parquet" / "agreements.parquet")
    assert isinstance(agreements["kind"].dtype, pd.CategoricalDtype)
    assert list(agreements["status"].cat.categories) == ["in-talks", "announced", "signed", "in-effect",
                                                          "expired", "terminated", "unknown"]
    mou = agreements.set_index("id").loc[MOU]
    assert mou["date"] == "2023-05-22" and mou["date_earliest"] == date(2023, 5, 22)
    projects = pd.read_parquet(shipped / "parquet" / "projects.parquet").set_index("id")
    aurora = projects.loc["project-aurora"]
    assert (aurora["target_date"], aurora["target_date_earliest"], aurora["target_date_latest"]) == (
        "2024", date(2024, 1, 1), date(2024, 12, 31))
    roles = pd.read_parquet(shipped / "parquet" / "roles.parquet").set_index("id")
    kim = roles.loc["role-kim-hyeong-gyun-busan-techno-park-president"]
    assert (kim["end_date"], kim["end_date_earliest"], kim["end_date_latest"]) == (
        "2024-07-01", date(2024, 7, 1), date(2024, 7, 1))
    assert pd.isna(roles.loc["role-park-heong-joon-busan-mayor", "start_date_earliest"])  # unknown stays empty
    assert isinstance(roles.index, pd.Index) and len(roles) == len(tables()["roles"][1])


def test_parquet_descriptor_lists_each_file_with_its_schema(exported):
    import pyarrow.parquet as pq

    root, out, _ = exported
    dp = json.loads((out / "parquet" / "datapackage.json").read_text())
    assert [r["name"] for r in dp["resources"]] == list(tables(root))
    for res in dp["resources"]:
        assert res["format"] == "parquet"
        assert res["mediatype"] == "application/vnd.apache.parquet"  # the IANA-registered type
        columns = pq.read_schema(out / "parquet" / res["path"]).names
        assert [f["name"] for f in res["schema"]["fields"]] == columns


def test_duckdb_queries_the_parquet_files(shipped):
    import duckdb

    glob = str(shipped / "parquet" / "agreement_parties.parquet")
    rows = duckdb.sql(f"SELECT count(*) FROM '{glob}' WHERE agreement_id = '{MOU}'").fetchall()
    assert rows == [(5,)]


# --- SQLite: the sqlite3 module --------------------------------------------------------------------

def sqlite_connect(path):
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    return con


def test_sqlite_rows_and_types(exported):
    root, out, _ = exported
    con = sqlite_connect(out / f"{stem(root)}.sqlite")
    for name, (fields, rows) in tables(root).items():
        cols = ", ".join(f'"{f["name"]}"' for f in fields)
        got = con.execute(f'SELECT {cols} FROM "{name}"').fetchall()
        assert same_rows(got, as_tuples(fields, rows)), name


def test_sqlite_keys_indexes_and_checks(exported):
    root, out, _ = exported
    con = sqlite_connect(out / f"{stem(root)}.sqlite")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    ddl = " ".join(sql for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    assert "regexp" not in ddl.lower()
    for name, (fields, _rows) in tables(root).items():
        declared_schema = schema(root, name)
        info = con.execute(f'PRAGMA table_xinfo("{name}")').fetchall()  # with the generated bounds
        assert [(c[1], c[5] > 0) for c in info] == [
            (col, col in declared_schema["primaryKey"]) for col in with_bounds(fields)]
        declared = {(fk["fields"][0], fk["reference"]["resource"] or name)
                    for fk in declared_schema.get("foreignKeys", [])}
        assert {(r[3], r[2]) for r in con.execute(f'PRAGMA foreign_key_list("{name}")')} == declared
        indexed = {con.execute(f'PRAGMA index_info("{ix[1]}")').fetchone()[2]
                   for ix in con.execute(f'PRAGMA index_list("{name}")')}
        assert {col for col, _ in declared} <= indexed, name


def test_sqlite_refuses_a_dangling_reference_and_a_bad_code(shipped):
    con = sqlite_connect(shipped / "ecocluster.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        con.execute("INSERT INTO agreement_parties (id, agreement_id, org_id, role) "
                    "VALUES ('party-x', 'agreement-nope', 'org-renault-korea', 'signatory')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("INSERT INTO agreement_parties (id, agreement_id, org_id, role) "
                    f"VALUES ('party-x', '{MOU}', 'org-renault-korea', 'bystander')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE org_relations SET share_percent = 101 WHERE share_percent IS NOT NULL")
    con.execute("INSERT INTO agreement_parties (id, agreement_id, org_id, role) "
                f"VALUES ('party-x', '{MOU}', 'org-renault-korea', 'witness')")


def test_sqlite_views_answer_who_signed_the_2023_mou(shipped):
    con = sqlite_connect(shipped / "ecocluster.sqlite")
    got = con.execute("SELECT org_name, signatory_name, signatory_title FROM agreement_signatories "
                      "WHERE agreement_date = '2023-05-22'").fetchall()
    assert set(got) == MOU_SIGNERS
    assert con.execute("SELECT count(*) FROM role_holders").fetchone()[0] == len(tables()["roles"][1])
    assert con.execute("SELECT count(*) FROM project_organisations").fetchone()[0] == len(
        tables()["project_participants"][1])
    facts = con.execute("SELECT count(*), count(record_table), count(source_title) "
                        "FROM cited_facts").fetchone()
    assert facts == (len(tables()["citations"][1]),) * 3


def test_sqlite_metadata_describes_every_table_and_column(exported):
    root, out, _ = exported
    con = sqlite_connect(out / f"{stem(root)}.sqlite")
    rows = con.execute('SELECT table_name, column_name, description FROM "_metadata"')
    meta = {(t, c): d for t, c, d in rows}
    for name, (fields, _rows) in tables(root).items():
        for f in fields:
            assert meta[(name, f["name"])] == f["description"]
        assert (name, "") in meta


# --- DuckDB ----------------------------------------------------------------------------------------

def test_duckdb_rows_types_keys_and_views(exported):
    import duckdb

    root, out, _ = exported
    con = duckdb.connect(str(out / f"{stem(root)}.duckdb"), read_only=True)
    for name, (fields, rows) in tables(root).items():
        cols = ", ".join(f'"{f["name"]}"' for f in fields)
        got = con.execute(f'SELECT {cols} FROM "{name}"').fetchall()
        assert same_rows(got, as_tuples(fields, rows)), name
    fks = con.execute("SELECT count(*) FROM duckdb_constraints() "
                      "WHERE constraint_type = 'FOREIGN KEY'").fetchone()[0]
    assert fks == foreign_key_count(root)
    comments = {(t, c): text for t, c, text in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE comment IS NOT NULL").fetchall()}
    for name, (fields, _rows) in tables(root).items():
        for f in fields:
            assert comments[(name, f["name"])] == f"{f['title']}. {f['description']}"
    if root == ROOT:
        got = con.execute("SELECT org_name, signatory_name, signatory_title FROM agreement_signatories "
                          "WHERE agreement_date = '2023-05-22'").fetchall()
        assert set(got) == MOU_SIGNERS


def test_duckdb_refuses_a_dangling_reference(shipped):
    import duckdb

    con = duckdb.connect(str(shipped / "ecocluster.duckdb"))
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO roles (id, person_id, org_id, title) VALUES ('role-x', 'person-nobody', "
                    "'org-renault-korea', 'CEO')")


def test_the_database_files_attach_as_ecocluster_beside_a_users_own_tables(shipped, tmp_path):
    """SQLite's and DuckDB's files are the dataset's own: attached to a working database under the
    dataset's name, their tables and views are `ecocluster.<name>` (the views reading the dataset's
    tables, not the user's of the same name), and the user's own tables stay as they were."""
    import duckdb

    mine = [(1, "mine")]
    lite = sqlite3.connect(tmp_path / "work.sqlite", isolation_level=None)
    duck = duckdb.connect(str(tmp_path / "work.duckdb"))
    for con in (lite, duck):
        con.execute("CREATE TABLE names (id INTEGER, name TEXT)")
        con.execute("CREATE TABLE agreement_parties (id INTEGER)")
        con.execute("INSERT INTO names VALUES (1, 'mine')")
    for _ in range(2):
        lite.execute(f"ATTACH DATABASE '{shipped / 'ecocluster.sqlite'}' AS ecocluster")
        duck.execute(f"ATTACH '{shipped / 'ecocluster.duckdb'}' AS ecocluster (READ_ONLY)")
        for con in (lite, duck):
            assert con.execute("SELECT count(*) FROM ecocluster.names").fetchone() == (len(tables()["names"][1]),)
            got = con.execute("SELECT org_name, signatory_name, signatory_title FROM ecocluster.agreement_signatories "
                              "WHERE agreement_date = '2023-05-22'").fetchall()
            assert set(got) == MOU_SIGNERS
            assert con.execute("SELECT * FROM names").fetchall() == mine
            con.execute("DETACH ecocluster" if con is duck else "DETACH DATABASE ecocluster")


# --- Portable SQL into SQLite (PostgreSQL: test_postgres.py) ---------------------------------------

def test_sql_file_loads_into_sqlite_twice_with_the_same_rows(exported):
    root, out, _ = exported
    script = (out / f"{stem(root)}.sql").read_text(encoding="utf-8")
    con = sqlite3.connect(":memory:")
    con.execute("PRAGMA foreign_keys = ON")
    con.executescript(script)
    con.executescript(script)  # it drops what it creates, so a reload is clean
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    for name, (fields, rows) in tables(root).items():
        cols = ", ".join(f'"{f["name"]}"' for f in fields)
        got = con.execute(f'SELECT {cols} FROM "{name}"').fetchall()
        assert same_rows(got, as_tuples(fields, rows)), name


# --- JSON Lines: the json module -------------------------------------------------------------------

def test_jsonl_rows_and_types(exported):
    root, out, _ = exported
    for name, (fields, rows) in tables(root).items():
        lines = (out / "jsonl" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        objs = [json.loads(line) for line in lines]
        assert all(list(o) == [f["name"] for f in fields] for o in objs)
        assert same_typed([tuple(o.values()) for o in objs], as_tuples(fields, rows)), name


# --- Excel: openpyxl -------------------------------------------------------------------------------

def test_xlsx_sheets_rows_bounds_and_column_descriptions(exported):
    from datetime import datetime

    from openpyxl import load_workbook

    root, out, _ = exported
    wb = load_workbook(out / f"{stem(root)}.xlsx")
    assert wb.sheetnames == [*tables(root), "columns"]
    for name, (fields, rows) in tables(root).items():
        got = list(wb[name].iter_rows(values_only=True))
        assert got[0] == tuple(with_bounds(fields))  # each date followed by its first and last day
        # Excel keeps one number type: integers come back as int, numbers as int or float.
        want = []
        for r in rows:
            cells = []
            for f in fields:
                v = r[f["name"]]
                cells.append(int(v) if isinstance(v, float) and v.is_integer() else v)
                if is_date(f):  # real dates (openpyxl reads a day as a datetime at midnight)
                    cells += [datetime(d.year, d.month, d.day) if d else None for d in bounds_of(v)]
            want.append(tuple(cells))
        assert got[1:] == want, name
        assert all(c.data_type != "f" for row in wb[name].iter_rows() for c in row), "no cell is a formula"
    described = {(r[0], r[1]): r[5] for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    fields_described = {k: v for k, v in described.items() if k[1] in {f["name"] for f in tables(root)[k[0]][0]}}
    assert fields_described == {(n, f["name"]): f["description"] for n, (fs, _r) in tables(root).items() for f in fs}
    assert set(described) == {(n, c) for n, (fs, _r) in tables(root).items() for c in with_bounds(fs)}


def test_xlsx_cells_are_numbers_dates_and_text_as_an_excel_user_expects(shipped):
    """Amounts are numbers with thousands separators (never 7E+11); a year or a month written as a date
    is a text cell (`2024` stays 2024); its bounds are date cells; the header row stays."""
    from openpyxl import load_workbook

    wb = load_workbook(shipped / "ecocluster.xlsx")
    amounts = [c for (c,) in wb["agreement_projects"].iter_rows(min_row=2, min_col=5, max_col=5) if c.value]
    assert wb["agreement_projects"]["E1"].value == "amount_krw" and 700_000_000_000 in [c.value for c in amounts]
    assert all(c.data_type == "n" and c.number_format == "#,##0" for c in amounts)
    shares = [c for (c,) in wb["org_relations"].iter_rows(min_row=2, min_col=5, max_col=5) if c.value is not None]
    assert shares and all(c.data_type == "n" and c.number_format.startswith("#,##0") for c in shares)
    ws = wb["projects"]
    header = [c.value for c in ws[1]]
    col = header.index("target_date") + 1
    year_only = [c for (c,) in ws.iter_rows(min_row=2, min_col=col, max_col=col) if c.value == "2024"]
    assert year_only and all(c.data_type == "s" and c.number_format == "@" for c in year_only)
    latest = ws.cell(row=year_only[0].row, column=col + 2)
    assert latest.is_date and latest.number_format == "yyyy-mm-dd" and latest.value.date() == date(2024, 12, 31)
    assert all(wb[n].freeze_panes == "A2" for n in wb.sheetnames)


def test_pandas_reads_dates_as_written_with_the_documented_argument(shipped):
    """pandas turns a column of text cells like `2024` into 2024.0 on its own; `dtype=object`
    (docs/databases.md) keeps every cell as the workbook holds it."""
    import pandas as pd

    guessed = pd.read_excel(shipped / "ecocluster.xlsx", sheet_name="projects")
    assert 2024.0 in guessed["target_date"].tolist()  # what the issue saw
    sheets = pd.read_excel(shipped / "ecocluster.xlsx", sheet_name=None, dtype=object)
    projects = sheets["projects"]
    assert "2024" in projects["target_date"].tolist() and 2024.0 not in projects["target_date"].tolist()
    assert 700_000_000_000 in sheets["agreement_projects"]["amount_krw"].tolist()
    want = {r["id"]: r["target_date"] for r in tables()["projects"][1]}
    got = {i: (None if pd.isna(v) else v) for i, v in zip(projects["id"], projects["target_date"], strict=True)}
    assert got == want


def test_frictionless_accepts_the_parquet_descriptor(shipped):
    from frictionless import Package

    report = Package(str(shipped / "parquet" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type"])


def test_two_builds_in_different_folders_are_byte_identical(tmp_path):
    import ecocluster

    first = ecocluster.build(None, tmp_path / "a")
    second = ecocluster.build(None, tmp_path / "elsewhere" / "b")
    # every file but those the manifest marks as not reproducible, with why (the README says it too)
    hashes = [{r["path"]: r["hash"] for r in m["resources"] if r.get("reproducible", True)} for m in (first, second)]
    assert hashes[0] == hashes[1] and len(hashes[0]) > 30
    marked = {r["path"] for r in first["resources"] if r.get("reproducible") is False}
    assert marked == {"ecocluster.duckdb", "site/index.html", "site/dcat.jsonld"}
    assert all(r["reproducible_note"] for r in first["resources"] if r["path"] in marked)


def test_parquet_date_bounds_read_as_datetime64_with_the_readme_argument(shipped):
    import pandas as pd
    import pyarrow.parquet as pq

    df = pq.read_table(shipped / "parquet" / "agreements.parquet").to_pandas(date_as_object=False)
    assert str(df["date_latest"].dtype).startswith("datetime64")
    assert (df["date_latest"] >= pd.Timestamp("2023-01-01")).sum() >= 2


def test_xlsx_columns_fit_their_content_and_the_header_stays(shipped):
    from openpyxl import load_workbook

    wb = load_workbook(shipped / "ecocluster.xlsx")
    for name, (fields, rows) in tables(ROOT).items():
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        by_name = {f["name"]: f for f in fields}
        for i, column in enumerate(with_bounds(fields)):
            letter = ws.cell(row=1, column=i + 1).column_letter
            if column in by_name:
                values = [len(str(r[column]).split("\n")[0]) for r in rows if r[column] is not None]
            else:  # a date bound, shown as yyyy-mm-dd
                values = [10 for r in rows if r[column.rsplit("_", 1)[0]] is not None]
            longest = max([len(column)] + values)
            width = ws.column_dimensions[letter].width
            assert width == min(60, max(6, longest) + 2), (name, column)  # fitted, capped at 60
    kinds = {(r[0], r[1]): r[3] for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    assert kinds[("agreements", "date")] == "date as text: YYYY, YYYY-MM or YYYY-MM-DD"


@pytest.mark.parametrize("chunk", [3, 257])
def test_databases_loaded_in_small_parts_hold_every_row(tmp_path, monkeypatch, chunk):
    """Big tables go in part by part (sqlrows.CHUNK rows; DuckDB checkpointed every STORE_ROWS): with
    tiny parts, so that every table is split and stored mid-way and SQLite's last statement of a part
    is a short one, both databases still hold exactly the CSV's rows, and no reference dangles."""
    import duckdb

    from ecocluster.exports.sql import rows as sqlrows

    monkeypatch.setattr(sqlrows, "CHUNK", chunk)
    monkeypatch.setattr(sqlrows, "STORE_ROWS", 2 * chunk)
    monkeypatch.setattr(sqlrows, "SQLITE_ROWS", 2)
    ecocluster.export(ROOT, ["sqlite", "duckdb"], tmp_path)
    lite = sqlite_connect(tmp_path / f"{stem(ROOT)}.sqlite")
    duck = duckdb.connect(str(tmp_path / f"{stem(ROOT)}.duckdb"), read_only=True)
    for name, (fields, rows) in tables(ROOT).items():
        cols = ", ".join(f'"{f["name"]}"' for f in fields)
        expected = as_tuples(fields, rows)
        assert same_rows(lite.execute(f'SELECT {cols} FROM "{name}"').fetchall(), expected), name
        assert same_rows(duck.execute(f'SELECT {cols} FROM "{name}"').fetchall(), expected), name
    assert lite.execute("PRAGMA foreign_key_check").fetchall() == []
