"""SQL for the tables of a package, generated from the Table Schemas; shared by sqlite, duckdb and sql.

One mapping from Table Schema types and constraints to SQL, four dialects: `sqlite` (what the
`sqlite3` module creates), `duckdb`, `portable` (the SQL file that loads unchanged into PostgreSQL
and SQLite) and `postgres` (the file made for PostgreSQL only). Every identifier is quoted. CHECK
constraints use only what plain SQLite evaluates (IN, comparisons, length), except in `postgres`,
where a date column's CHECK accepts exactly the real reduced-precision dates; a NULL always passes.

Every reduced-precision date column `f` (text) is followed by two columns `f_earliest` and
`f_latest`, the first and last day it can mean (DATE; ISO text in SQLite), so a date-range query is
the same in every database: `WHERE target_date_latest >= '2024-01-01'`. The row writers fill them
from `ecocluster.tables.date_bounds_columns`.
"""

from __future__ import annotations

import json
from typing import Literal

from ...base.escape import quote_ident, quote_literal
from ...package import DATE_PATTERN, Field, ForeignKey, Package, Resource
from ...tables import bound_names
from ...errors import ExportError
from . import Dialect
from .views import available_views

__all__ = ["quote_ident", "quote_literal"]  # re-exported with the DDL helpers below, for the writers


TYPES: dict[str, dict[str, str]] = {
    "sqlite": {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER",
               "date": "TEXT", "year": "INTEGER"},
    "duckdb": {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
               "date": "DATE", "year": "BIGINT"},
    # Both PostgreSQL and SQLite accept these names (SQLite maps DOUBLE PRECISION to REAL affinity).
    "portable": {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN",
                 "date": "DATE", "year": "BIGINT"},
    "postgres": {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN",
                 "date": "DATE", "year": "BIGINT"},
}

# Table and column descriptions, kept inside each database so they travel with it.
METADATA_TABLE = "_metadata"
METADATA_COLUMNS = ("table_name", "column_name", "kind", "title", "description", "data_type", "codes")


def sql_type(f: Field, dialect: Dialect) -> str:
    try:
        return TYPES[dialect][f.type]
    except KeyError:
        raise ExportError(f"field `{f.name}` has type `{f.type}`, which the SQL exports do not map") from None


def checks(f: Field, dialect: Dialect) -> list[str]:
    """CHECK expressions for a field's constraints that every dialect can evaluate."""
    col = quote_ident(f.name)
    out = []
    if f.enum is not None:
        out.append(f"{col} IN ({', '.join(quote_literal(c) for c in f.enum)})")
    if f.minimum is not None:
        out.append(f"{col} >= {quote_literal(f.minimum)}")
    if f.maximum is not None:
        out.append(f"{col} <= {quote_literal(f.maximum)}")
    if f.is_date:
        out.append(_real_date(col) if dialect == "postgres" else f"length({col}) IN (4, 7, 10)")
    if f.type == "boolean" and dialect == "sqlite":  # SQLite has no boolean type: 0 or 1
        out.append(f"{col} IN (0, 1)")
    return out


def _real_date(col: str) -> str:
    """True exactly for `YYYY`, `YYYY-MM` and real `YYYY-MM-DD` days (PostgreSQL).

    Plain arithmetic instead of to_date()/make_date(), which raise an error on `2023-02-30` rather
    than failing the CHECK; CASE fixes the order, so the casts only ever see digits.
    """
    year, month, day = f"substr({col}, 1, 4)::int", f"substr({col}, 6, 2)", f"substr({col}, 9, 2)::int"
    leap = f"({year} % 4 = 0 AND ({year} % 100 <> 0 OR {year} % 400 = 0))"
    last = (f"CASE {month} WHEN '02' THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
            f"WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END")
    return (f"CASE WHEN {col} !~ {quote_literal(DATE_PATTERN)} OR substr({col}, 1, 4) = '0000' THEN FALSE "
            f"WHEN length({col}) < 10 THEN TRUE ELSE {day} <= {last} END")


def _bounds_agree(f: Field) -> str:
    """True when `f_earliest` and `f_latest` are the first and last day of `f` (all three NULL, or none).

    Earliest is `f` padded with -01; latest starts with `f` and the day after it no longer does.
    """
    col, (early, late) = quote_ident(f.name), (quote_ident(n) for n in bound_names(f))
    agree = (f"to_char({early}, 'YYYY-MM-DD') = {col} || substr('-01-01', length({col}) - 3) "
             f"AND starts_with(to_char({late}, 'YYYY-MM-DD'), {col}) "
             f"AND NOT starts_with(to_char({late} + 1, 'YYYY-MM-DD'), {col})")
    return f"COALESCE({agree}, {col} IS NULL AND {early} IS NULL AND {late} IS NULL)"


def columns(res: Resource) -> list[tuple[str, Field | None]]:
    """Every column of the table as the SQL exports create it: (name, its field, or None for a bound)."""
    out: list[tuple[str, Field | None]] = []
    for f in res.fields:
        out.append((f.name, f))
        if f.is_date:
            out += [(name, None) for name in bound_names(f)]
    names = [n for n, _ in out]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ExportError(f"table `{res.name}` has a field named like a date bound column: {', '.join(clash)}")
    return out


def table_order(package: Package) -> list[Resource]:
    """Resources with every referenced table before the tables that reference it."""
    done: list[Resource] = []
    pending = list(package.resources)
    while pending:
        created = {d.name for d in done}
        ready = [r for r in pending if all(fk.resource in (r.name, *created) for fk in r.foreign_keys)]
        if not ready:
            names = ", ".join(r.name for r in pending)
            raise ExportError(f"the foreign keys of {names} form a cycle or name a table the package lacks")
        done += ready
        pending = [r for r in pending if r not in ready]
    return done


def create_table(res: Resource, dialect: Dialect, foreign_keys: bool = True) -> str:
    """CREATE TABLE with keys and checks; `foreign_keys=False` leaves them to `add_foreign_keys`."""
    lines = []
    single_pk = res.primary_key[0] if len(res.primary_key) == 1 else None
    for name, f in columns(res):
        if f is None:  # a date bound: ISO text in SQLite, which has no date type
            lines.append(f"{quote_ident(name)} {TYPES[dialect]['date']}")
            continue
        parts = [quote_ident(f.name), sql_type(f, dialect)]
        if f.required or f.name in res.primary_key:
            parts.append("NOT NULL")
        if f.unique and f.name != single_pk:
            parts.append("UNIQUE")
        parts += [f"CHECK ({c})" for c in checks(f, dialect)]
        lines.append(" ".join(parts))
    if res.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(quote_ident(k) for k in res.primary_key)})")
    if dialect == "postgres":
        lines += [f"CONSTRAINT {quote_ident(f'{res.name}_{f.name}_bounds')} CHECK ({_bounds_agree(f)})"
                  for f in res.fields if f.is_date]
    for fk in res.foreign_keys if foreign_keys else ():
        lines.append(_foreign_key(fk))
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {quote_ident(res.name)} (\n  {body}\n)"


def _foreign_key(fk: ForeignKey) -> str:
    return (f"FOREIGN KEY ({quote_ident(fk.field)}) "
            f"REFERENCES {quote_ident(fk.resource)} ({quote_ident(fk.reference_field)})")


def add_foreign_keys(res: Resource) -> list[str]:
    """The table's foreign keys as ALTER TABLE, for files that load every row first (as pg_dump does)."""
    return [f"ALTER TABLE {quote_ident(res.name)} ADD {_foreign_key(fk)}" for fk in res.foreign_keys]


def create_indexes(res: Resource) -> list[str]:
    """One index per foreign-key column, so joins and the engines' key checks stay fast."""
    return [f"CREATE INDEX {quote_ident(f'{res.name}_{fk.field}_idx')} ON {quote_ident(res.name)} "
            f"({quote_ident(fk.field)})" for fk in res.foreign_keys]


def metadata_table(dialect: Dialect) -> str:
    text = TYPES[dialect]["string"]
    return (f"CREATE TABLE {quote_ident(METADATA_TABLE)} (\n"
            f"  {quote_ident('table_name')} {text} NOT NULL,\n"
            f"  {quote_ident('column_name')} {text} NOT NULL,\n"
            f"  {quote_ident('kind')} {text} NOT NULL\n"
            f"    CHECK ({quote_ident('kind')} IN ('table', 'view', 'column')),\n"
            f"  {quote_ident('title')} {text},\n"
            f"  {quote_ident('description')} {text},\n"
            f"  {quote_ident('data_type')} {text},\n"
            f"  {quote_ident('codes')} {text},\n"
            f"  PRIMARY KEY ({quote_ident('table_name')}, {quote_ident('column_name')})\n)")


def metadata_rows(package: Package) -> list[tuple[str, str, str, str, str, str | None, str | None]]:
    """(table, column, kind, title, description, Table Schema type, enum codes as JSON {code: meaning}).

    `column_name` is '' on the row that describes the table or view itself.
    """
    rows: list[tuple[str, str, str, str, str, str | None, str | None]] = []
    for res in package.resources:
        rows.append((res.name, "", "table", res.title, res.description, None, None))
        for f in res.fields:
            codes = json.dumps({c: f.enum_descriptions.get(c, "") for c in f.enum}, ensure_ascii=False) \
                if f.enum is not None else None
            rows.append((res.name, f.name, "column", f.title, f.description, f.type, codes))
            if f.is_date:
                for name, which in zip(bound_names(f), ("first", "last"), strict=True):
                    rows.append((res.name, name, "column", f"{f.title or f.name} ({which} day)",
                                 f"The {which} day `{f.name}` can mean (`2024` runs from 2024-01-01 to "
                                 f"2024-12-31); empty when `{f.name}` is.", "date", None))
    for view in available_views(package):
        rows.append((view.name, "", "view", view.title, view.description, None, None))
    return rows


def comment_text(title: str, description: str, codes: str | None = None) -> str:
    """What `COMMENT ON` says about a table, view or column: title, description and enum codes."""
    parts = [title.rstrip(".") + "." if title else "", description]
    if codes:
        parts.append("Codes: " + "; ".join(f"{c}: {t.rstrip('.')}" if t else c
                                        for c, t in json.loads(codes).items()) + ".")
    return " ".join(p for p in parts if p)


def metadata_literal_insert(package: Package) -> str:
    """The metadata rows as one INSERT with literal values (no `;`), for the SQL files."""
    cols = ", ".join(quote_ident(c) for c in METADATA_COLUMNS)
    values = ",\n  ".join("(" + ", ".join(quote_literal(v) for v in row) + ")" for row in metadata_rows(package))
    return f"INSERT INTO {quote_ident(METADATA_TABLE)} ({cols}) VALUES\n  {values}"


def metadata_insert() -> str:
    cols = ", ".join(quote_ident(c) for c in METADATA_COLUMNS)
    marks = ", ".join("?" for _ in METADATA_COLUMNS)
    return f"INSERT INTO {quote_ident(METADATA_TABLE)} ({cols}) VALUES ({marks})"
