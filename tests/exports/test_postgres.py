"""Both SQL files loaded with `psql` into a real PostgreSQL server: into their own schema, quietly,
twice, beside a user's own tables; queried through their views; the date rule and the generated bounds.

`.ci/run` starts a server and sets ECOCLUSTER_PG_DSN. Elsewhere these tests skip, saying how to run
them; under CI (CI=true) a missing server fails them instead.
"""

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from datecases import DATE_CASES
from readback import AWKWARD, ROOT, as_tuples, foreign_key_count, same_rows, tables

import ecocluster
from ecocluster.base.dates import date_bounds
from ecocluster.package import DATE_PATTERN, Package

DSN = os.environ.get("ECOCLUSTER_PG_DSN", "")
HOW = ("no PostgreSQL server: start one with `.ci/start-postgres \"$(mktemp -d)\"` and set ECOCLUSTER_PG_DSN "
       "to the address it prints (as `.ci/run` does)")


def is_date(field: dict) -> bool:
    return field.get("constraints", {}).get("pattern") == DATE_PATTERN


def require_server() -> None:
    missing = HOW if not DSN else ("`psql` is not installed" if not shutil.which("psql") else "")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)


def psql(dsn: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, *args],
                          capture_output=True, text=True, check=check, timeout=120)


def schema_of(root) -> str:
    """The schema both SQL files load into: the package's name."""
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["name"]


def query(dsn: str, sql: str, schema: str = "ecocluster"):
    """Rows as JSON, so numbers stay numbers and NULL stays None; unqualified names are the dataset's."""
    out = psql(dsn, "-At", "-c", f'SET search_path = "{schema}"',
               "-c", f"SELECT coalesce(json_agg(q), '[]') FROM ({sql}) q").stdout
    return json.loads(out)


def new_database():
    require_server()
    name = f"ecocluster_test_{uuid.uuid4().hex[:12]}"
    psql(DSN, "-c", f'CREATE DATABASE "{name}"')
    parts = urlsplit(DSN)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    psql(DSN, "-c", f'DROP DATABASE IF EXISTS "{name}"')


database = pytest.fixture(new_database)


@pytest.fixture(scope="module")
def sql_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("sql")
    return {root: ecocluster.export(root, ["sql"], out / root.name)[0] for root in (ROOT, AWKWARD)}


@pytest.mark.parametrize("root", [ROOT, AWKWARD], ids=["shipped", "awkward"])
def test_psql_loads_the_sql_file_with_every_row_and_type(database, sql_files, root):
    for _ in range(2):  # a fresh database, then one that holds the tables: replaced, never duplicated
        done = load(database, sql_files[root])
        assert done.returncode == 0 and done.stderr == "", done.stderr  # no NOTICE, no WARNING
    schema = schema_of(root)
    for name, (fields, rows) in tables(root).items():
        got = query(database, f'SELECT * FROM "{name}"', schema)
        # JSON writes the double 100.0 as 100; the column's type is checked below, the value here.
        number = {f["name"] for f in fields if f["type"] == "number"}
        names = [f["name"] for f in fields]
        got_rows = [tuple(float(r[k]) if k in number and r[k] is not None else r[k] for k in names)
                    for r in got]
        assert same_rows(got_rows, as_tuples(fields, rows)), name
        columns = query(database, "SELECT column_name, data_type FROM information_schema.columns "
                                  f"WHERE table_name = '{name}' AND table_schema = '{schema}'")
        types = {r["column_name"]: r["data_type"] for r in columns}
        pg_type = {"string": "text", "integer": "bigint", "number": "double precision"}
        # a reduced-precision date is text of the domain that states the date rule (its base type: text)
        expected = {f["name"]: pg_type[f["type"]] for f in fields}
        # each reduced-precision date has its earliest and latest day beside it, as real dates
        expected |= {f"{f['name']}_{end}": "date" for f in fields if is_date(f) for end in ("earliest", "latest")}
        assert types == expected


def test_postgres_views_answer_who_signed_the_2023_mou(database, sql_files):
    psql(database, "-f", str(sql_files[ROOT]))
    got = query(database, "SELECT org_name, signatory_name, signatory_title, party_role "
                          "FROM agreement_signatories WHERE agreement_date = '2023-05-22'")
    assert {(r["org_name"], r["signatory_name"], r["signatory_title"]) for r in got} == {
        ("Renault Korea", "Stéphane Deblaise", "CEO"),
        ("Busan Metropolitan City", "Park Heong-joon", "39th Mayor of Busan Metropolitan City"),
        ("Busan Techno Park", "Kim Hyeong-gyun", "President"),
        ("The South East Alliance of the Industry Academy Cooperation Foundation", None, None),
        ("Busan Autoparts Industries Cooperative Association", None, None)}
    assert {r["party_role"] for r in got} == {"signatory"}
    counts = query(database, "SELECT (SELECT count(*) FROM role_holders) AS roles, "
                             "(SELECT count(*) FROM project_organisations) AS participants, "
                             "(SELECT count(record_table) FROM cited_facts) AS facts")[0]
    t = tables()
    assert counts == {"roles": len(t["roles"][1]), "participants": len(t["project_participants"][1]),
                      "facts": len(t["citations"][1])}


def test_postgres_enforces_the_foreign_keys_and_checks(database, sql_files):
    psql(database, "-f", str(sql_files[ROOT]))
    insert = ("INSERT INTO roles (id, person_id, org_id, title) "
              "VALUES ('role-x', 'person-nobody', 'org-renault-korea', 'CEO')")
    dangling = psql(database, "-c", insert, check=False)
    assert dangling.returncode != 0 and "violates foreign key constraint" in dangling.stderr
    bad_code = psql(database, "-c", "UPDATE agreements SET kind = 'bogus'", check=False)
    assert bad_code.returncode != 0 and "violates check constraint" in bad_code.stderr
    keys = query(database, "SELECT count(*) AS n FROM information_schema.table_constraints "
                           "WHERE constraint_type = 'FOREIGN KEY'")[0]["n"]
    assert keys == foreign_key_count(ROOT)


# A user's own tables, named like the dataset's, in `public`.
USER_OBJECTS = """
CREATE TABLE public.names (id serial PRIMARY KEY, name text NOT NULL, note text);
INSERT INTO public.names (name, note) VALUES ('Renault Korea', 'mine'), ('르노코리아', NULL),
  ('O''Brien \\ "quoted"', E'tab\\there');
CREATE TABLE public.projects (id text PRIMARY KEY, target_date date);
INSERT INTO public.projects VALUES ('p1', '2024-02-29');
CREATE VIEW public.people AS SELECT name FROM public.names;
"""


def user_objects(dsn: str) -> dict:
    """The user's objects byte for byte: each table's rows as COPY's binary form, its file and the view."""
    out = {}
    for table in ("names", "projects"):
        copy = f"COPY public.{table} TO STDOUT (FORMAT binary)"
        out[table] = subprocess.run(["psql", "-X", "-q", "-d", dsn, "-c", copy],
                                    capture_output=True, check=True, timeout=60).stdout
    out["objects"] = query(dsn, "SELECT c.relname, c.relkind, c.relfilenode, pg_get_viewdef(c.oid) AS v "
                                "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1")
    return out


def test_both_files_load_twice_beside_a_users_tables_which_survive_byte_for_byte(database, sql_files, pg_files):
    """Each file goes into its own schema `ecocluster` and a reload replaces only that schema's objects."""
    psql(database, "-c", USER_OBJECTS)
    before = user_objects(database)
    assert before["names"] and len(before["objects"]) == 6  # two tables, their keys' indexes, a sequence, a view
    for path in (sql_files[ROOT], sql_files[ROOT], pg_files[ROOT], pg_files[ROOT], sql_files[ROOT]):
        done = load(database, path)
        assert done.returncode == 0 and done.stderr == "", (path.name, done.stderr)
        assert user_objects(database) == before, path.name
    assert query(database, "SELECT count(*) AS n FROM names") == [{"n": len(tables()["names"][1])}]
    assert query(database, "SELECT name FROM names WHERE note = 'mine'", "public") == [{"name": "Renault Korea"}]


def test_a_reload_stops_rather_than_drop_a_users_object_that_depends_on_the_dataset(database, pg_files):
    assert load(database, pg_files[ROOT]).returncode == 0
    psql(database, "-c", "CREATE VIEW public.my_projects AS SELECT id FROM ecocluster.projects")
    done = load(database, pg_files[ROOT])
    assert done.returncode != 0 and "depend" in done.stderr, done.stderr
    assert query(database, "SELECT count(*) AS n FROM public.my_projects") == [{"n": len(tables()["projects"][1])}]


# The file made for PostgreSQL (ecocluster.pg.sql): comments, date bounds, real-date checks, settings.

def load(dsn: str, path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Load a file as a user would: psql, stop at the first error, no -q so any NOTICE would show."""
    return subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(path)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def pg_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("pg")
    return {root: ecocluster.export(root, ["pg"], out / root.name)[0] for root in (ROOT, AWKWARD)}


@pytest.mark.parametrize("root", [ROOT, AWKWARD], ids=["shipped", "awkward"])
def test_pg_file_loads_quietly_with_every_row_and_its_date_bounds(database, pg_files, root):
    for _ in range(2):  # a fresh database, then one that already holds the tables
        done = load(database, pg_files[root])
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""  # no NOTICE, no WARNING
    for name, (fields, rows) in tables(root).items():
        got = query(database, f'SELECT * FROM "{name}"', schema_of(root))
        number = {f["name"] for f in fields if f["type"] == "number"}
        names = [f["name"] for f in fields]
        got_rows = [tuple(float(r[k]) if k in number and r[k] is not None else r[k] for k in names) for r in got]
        assert same_rows(got_rows, as_tuples(fields, rows)), name
        for f in filter(is_date, fields):
            for r in got:
                bounds = date_bounds(r[f["name"]]) if r[f["name"]] else (None, None)
                assert (r[f"{f['name']}_earliest"], r[f"{f['name']}_latest"]) == tuple(
                    b.isoformat() if b else None for b in bounds)


def test_pg_comments_describe_every_table_view_and_column(database, pg_files):
    assert load(database, pg_files[ROOT]).returncode == 0
    described = query(database, """
        SELECT c.relname AS rel, c.relkind AS kind, a.attname AS col, d.description AS text
        FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND (a.attnum > 0 AND NOT a.attisdropped)
        LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass
                                   AND d.objsubid = a.attnum
        WHERE c.relnamespace = 'ecocluster'::regnamespace AND c.relkind = 'r'""")
    assert described and all(r["text"] for r in described), [r for r in described if not r["text"]][:3]
    relations = query(database, """
        SELECT c.relname AS rel, c.relkind AS kind, obj_description(c.oid, 'pg_class') AS text
        FROM pg_class c WHERE c.relnamespace = 'ecocluster'::regnamespace AND c.relkind IN ('r', 'v')""")
    assert all(r["text"] for r in relations)
    assert {r["rel"] for r in relations if r["kind"] == "v"} == {
        "agreement_signatories", "role_holders", "project_organisations", "cited_facts"}
    pkg = Package.open()
    text = {(r["rel"], r["col"]): r["text"] for r in described}
    projects = pkg.resource("projects")
    assert projects.field("target_date").description in text[("projects", "target_date")]
    assert "target_date" in text[("projects", "target_date_latest")]
    assert "lead: Runs the project" in text[("project_participants", "role")]
    tables_text = {r["rel"]: r["text"] for r in relations}
    assert projects.description in tables_text["projects"]
    assert f"version {pkg.version}; licence CC-BY-4.0." in tables_text["_metadata"]


def test_pg_date_bounds_answer_date_range_queries(database, pg_files):
    assert load(database, pg_files[ROOT]).returncode == 0
    got = query(database, "SELECT id, target_date, target_date_latest FROM projects "
                          "WHERE target_date_latest >= DATE '2024-01-01' ORDER BY id")
    expected = sorted((r["id"], r["target_date"]) for r in tables()["projects"][1]
                      if r["target_date"] and date_bounds(r["target_date"])[1].isoformat() >= "2024-01-01")
    assert [(r["id"], r["target_date"]) for r in got] == expected and expected
    assert all(r["target_date_latest"] == date_bounds(r["target_date"])[1].isoformat() for r in got)
    # the bounds are real dates: date arithmetic works where `target_date::date` fails on "2024"
    span = query(database, "SELECT target_date_latest - target_date_earliest AS days FROM projects "
                           "WHERE target_date = '2024' LIMIT 1")
    assert span == [{"days": 365}]


@pytest.fixture(scope="module")
def loaded(pg_files):
    """One database holding the shipped pg file, for tests that only try changes and roll them back."""
    for dsn in new_database():
        assert load(dsn, pg_files[ROOT]).returncode == 0
        yield dsn


def try_sql(dsn: str, sql: str) -> subprocess.CompletedProcess:
    """Run `sql` in a transaction that is always rolled back."""
    return psql(dsn, "-c", f"BEGIN; {sql}; ROLLBACK", check=False)


def verdict(dsn: str, value: str) -> bool:
    """Whether the database takes `value` as a project's target date (in a transaction rolled back); a
    refusal must come from the date rule, never from another error."""
    done = try_sql(dsn, f"SET search_path = ecocluster; UPDATE projects SET target_date = {sql_literal(value)}")
    if done.returncode == 0:
        return True
    assert "violates check constraint" in done.stderr and "YYYY, YYYY-MM or YYYY-MM-DD" in done.stderr, done.stderr
    return False


@pytest.fixture(scope="module")
def loaded_sql(sql_files):
    """One database holding the shipped portable file."""
    for dsn in new_database():
        assert load(dsn, sql_files[ROOT]).returncode == 0
        yield dsn


@pytest.mark.parametrize("value, ok", DATE_CASES)
def test_both_sql_files_give_the_date_list_its_verdict(loaded, loaded_sql, value, ok):
    """The same list in SQLite, DuckDB and `ecocluster validate`: tests/exports/test_date_rule.py."""
    assert verdict(loaded, value) is ok
    assert verdict(loaded_sql, value) is ok


@pytest.mark.parametrize("file", ["pg", "sql"])
def test_a_row_needs_only_its_date_the_database_computes_the_bounds(loaded, loaded_sql, file):
    dsn = loaded if file == "pg" else loaded_sql
    insert = ("SET search_path = ecocluster; INSERT INTO projects (id, name, kind, status, target_date) "
              "VALUES ('project-new', 'New', 'other', 'unknown', '2024-02'); "
              "SELECT target_date_earliest || ' ' || target_date_latest FROM projects WHERE id = 'project-new'")
    done = psql(dsn, "-At", "-c", f"BEGIN; {insert}; ROLLBACK", check=False)
    assert done.returncode == 0 and "2024-02-01 2024-02-29" in done.stdout.split("\n"), done.stderr
    # the bounds are the database's: writing one by hand is refused
    done = try_sql(dsn, "UPDATE ecocluster.projects SET target_date_latest = DATE '2024-12-31'")
    assert done.returncode != 0 and "generated column" in done.stderr, done.stderr


def test_pg_states_the_date_rule_once_and_describes_projects_in_a_screen(loaded):
    """`\\d+ projects` was 112 lines when each date column repeated the calendar in a CHECK; now the
    rule is the domain's (stated once), the bounds are generated, and a person can read it."""
    described = psql(loaded, "-c", "SET search_path = ecocluster", "-c", "\\d+ projects").stdout
    assert "CASE" not in described and "reduced_date" in described and "generated always as" in described
    # one line per column, index and constraint: the only CHECKs left are the two code lists
    assert [line for line in described.splitlines() if "CHECK" in line] == [
        line for line in described.splitlines() if "_check\" CHECK (" in line and "= ANY (ARRAY[" in line]
    assert len(described.splitlines()) <= 36, described
    domain = query(loaded, "SELECT count(*) AS n FROM pg_constraint WHERE contypid = 'reduced_date'::regtype")
    assert domain == [{"n": 1}]
    comments = query(loaded, "SELECT obj_description('reduced_date'::regtype, 'pg_type') AS d, "
                             "obj_description('earliest_day(text)'::regprocedure, 'pg_proc') AS f")[0]
    assert "YYYY-MM-DD" in comments["d"] and "first day" in comments["f"]


def sql_literal(text: str) -> str:
    """Written out here rather than with the library's quote_literal, so the test checks it independently."""
    return "'" + text.replace("'", "''") + "'"


ATTACK = 'Harmless.\nDROP TABLE "people"; --'
VALUE = "O\\'Brien \\\\ it''s \\n 'end'"


def hostile_copy(tmp_path):
    """The shipped package with a description that would run SQL from a `--` comment, and a value
    holding a backslash before a quote (which parses differently with standard strings off)."""
    root = tmp_path / "hostile"
    root.mkdir()
    shutil.copy(ROOT / "datapackage.json", root)
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    dp = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in dp["resources"] if r["name"] == "organisations")["description"] = ATTACK
    (root / "datapackage.json").write_text(json.dumps(dp), encoding="utf-8")
    schema_path = root / "schemas" / "organisations.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"][1]["description"] = ATTACK
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    with open(root / "data" / "organisations.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["name"] = VALUE
    with open(root / "data" / "organisations.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root, rows[0]["id"]


def test_pg_text_never_escapes_its_literal_even_with_standard_strings_off(database, tmp_path):
    root, org_id = hostile_copy(tmp_path)
    path = ecocluster.export(root, ["pg"], tmp_path / "out")[0]
    assert "DROP TABLE \"people\"" not in [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    done = load(database, path, {"PGOPTIONS": "-c standard_conforming_strings=off"})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert query(database, "SELECT count(*) AS n FROM people") == [{"n": len(tables()["people"][1])}]
    assert query(database, f"SELECT name FROM organisations WHERE id = {sql_literal(org_id)}") == [{"name": VALUE}]
    comments = query(database, "SELECT obj_description('organisations'::regclass, 'pg_class') AS t, "
                               "col_description('organisations'::regclass, 2) AS c")[0]
    assert comments["t"].endswith(ATTACK) and comments["c"].endswith(ATTACK)


def test_views_come_in_the_same_order_in_sqlite_and_postgres(database, sql_files, pg_files):
    """Rows with no date, and names beyond ASCII, sort the same way in both databases."""
    assert load(database, pg_files[ROOT]).returncode == 0
    lite = sqlite3.connect(":memory:")
    lite.executescript(sql_files[ROOT].read_text(encoding="utf-8"))
    keys = {"agreement_signatories": "party_id", "role_holders": "role_id",
            "project_organisations": "participant_id", "cited_facts": "record_id, field, source_id"}
    for view, key in keys.items():
        in_pg = [tuple(r.values()) for r in query(database, f"SELECT {key} FROM {view}")]
        in_sqlite = lite.execute(f"SELECT {key} FROM {view}").fetchall()
        assert in_pg == in_sqlite, view
    undated = lite.execute("SELECT count(*) FROM agreement_signatories WHERE agreement_date IS NULL").fetchone()[0]
    if undated:
        last = lite.execute("SELECT agreement_date FROM agreement_signatories").fetchall()[-undated:]
        assert set(last) == {(None,)}


def test_portable_file_keeps_descriptions_out_of_sql_comments(database, tmp_path):
    """A description holding a newline and SQL loads as text into SQLite and PostgreSQL, never as SQL."""
    root, _org_id = hostile_copy(tmp_path)
    path = ecocluster.export(root, ["sql"], tmp_path / "out")[0]
    lite = sqlite3.connect(":memory:")
    lite.executescript(path.read_text(encoding="utf-8"))
    assert lite.execute("SELECT count(*) FROM people").fetchone()[0] == len(tables()["people"][1])
    assert lite.execute("SELECT description FROM _metadata WHERE table_name = 'organisations' "
                        "AND column_name = ''").fetchone() == (ATTACK,)
    psql(database, "-f", str(path))
    assert query(database, "SELECT count(*) AS n FROM people") == [{"n": len(tables()["people"][1])}]
