"""The portable SQL file loaded with `psql` into a real PostgreSQL server and queried through its views.

`.ci/run` starts a server and sets ECOCLUSTER_PG_DSN. Elsewhere these tests skip, saying how to run
them; under CI (CI=true) a missing server fails them instead.
"""

import json
import os
import shutil
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from readback import AWKWARD, ROOT, as_tuples, foreign_key_count, same_rows, tables

import ecocluster

DSN = os.environ.get("ECOCLUSTER_PG_DSN", "")
HOW = ("no PostgreSQL server: start one with `.ci/start-postgres \"$(mktemp -d)\"` and set ECOCLUSTER_PG_DSN "
       "to the address it prints (as `.ci/run` does)")


def require_server() -> None:
    missing = HOW if not DSN else ("`psql` is not installed" if not shutil.which("psql") else "")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)


def psql(dsn: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, *args],
                          capture_output=True, text=True, check=check, timeout=120)


def query(dsn: str, sql: str):
    """Rows as JSON, so numbers stay numbers and NULL stays None."""
    out = psql(dsn, "-At", "-c", f"SELECT coalesce(json_agg(q), '[]') FROM ({sql}) q").stdout
    return json.loads(out)


@pytest.fixture
def database():
    require_server()
    name = f"ecocluster_test_{uuid.uuid4().hex[:12]}"
    psql(DSN, "-c", f'CREATE DATABASE "{name}"')
    parts = urlsplit(DSN)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    psql(DSN, "-c", f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="module")
def sql_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("sql")
    return {root: ecocluster.export(root, ["sql"], out / root.name)[0] for root in (ROOT, AWKWARD)}


@pytest.mark.parametrize("root", [ROOT, AWKWARD], ids=["shipped", "awkward"])
def test_psql_loads_the_sql_file_with_every_row_and_type(database, sql_files, root):
    psql(database, "-f", str(sql_files[root]))
    psql(database, "-f", str(sql_files[root]))  # loading twice replaces, never duplicates
    for name, (fields, rows) in tables(root).items():
        got = query(database, f'SELECT * FROM "{name}"')
        # JSON writes the double 100.0 as 100; the column's type is checked below, the value here.
        number = {f["name"] for f in fields if f["type"] == "number"}
        names = [f["name"] for f in fields]
        got_rows = [tuple(float(r[k]) if k in number and r[k] is not None else r[k] for k in names)
                    for r in got]
        assert same_rows(got_rows, as_tuples(fields, rows)), name
        columns = query(database, "SELECT column_name, data_type FROM information_schema.columns "
                                  f"WHERE table_name = '{name}'")
        types = {r["column_name"]: r["data_type"] for r in columns}
        pg_type = {"string": "text", "integer": "bigint", "number": "double precision"}
        assert types == {f["name"]: pg_type[f["type"]] for f in fields}


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
