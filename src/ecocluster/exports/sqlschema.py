"""SQL for the tables of a package, generated from the Table Schemas; shared by sqlite, duckdb and sql.

One mapping from Table Schema types and constraints to SQL, three dialects: `sqlite` (what the
`sqlite3` module creates), `duckdb`, and `portable` (the SQL file that loads unchanged into
PostgreSQL and SQLite). Every identifier is quoted. CHECK constraints use only what plain SQLite
evaluates (IN, comparisons, length): no REGEXP, and a NULL always passes, as in the Table Schema.
"""

from __future__ import annotations

import json
from typing import Literal

from ..escape import quote_ident, quote_literal
from ..package import Field, Package, Resource
from ..tables import bound_names
from . import ExportError
from .views import available_views

__all__ = ["quote_ident", "quote_literal"]  # with the DDL helpers below; re-exported for the writers

Dialect = Literal["sqlite", "duckdb", "portable"]

TYPES: dict[str, dict[str, str]] = {
    "sqlite": {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER",
               "date": "TEXT", "year": "INTEGER"},
    "duckdb": {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
               "date": "DATE", "year": "BIGINT"},
    # Both PostgreSQL and SQLite accept these names (SQLite maps DOUBLE PRECISION to REAL affinity).
    "portable": {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN",
                 "date": "DATE", "year": "BIGINT"},
}

# The type of the `<date>_earliest` / `<date>_latest` columns: SQLite has none, so ISO text there.
DATE_TYPES: dict[str, str] = {"sqlite": "TEXT", "duckdb": "DATE", "portable": "DATE"}

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
        out.append(f"length({col}) IN (4, 7, 10)")
    if f.type == "boolean" and dialect == "sqlite":  # SQLite has no boolean type: 0 or 1
        out.append(f"{col} IN (0, 1)")
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


def create_table(res: Resource, dialect: Dialect) -> str:
    lines = []
    single_pk = res.primary_key[0] if len(res.primary_key) == 1 else None
    for f in res.fields:
        parts = [quote_ident(f.name), sql_type(f, dialect)]
        if f.required or f.name in res.primary_key:
            parts.append("NOT NULL")
        if f.unique and f.name != single_pk:
            parts.append("UNIQUE")
        parts += [f"CHECK ({c})" for c in checks(f, dialect)]
        lines.append(" ".join(parts))
        if f.is_date:  # the first and last day the date can mean, for date-range queries
            lines += [f"{quote_ident(b)} {DATE_TYPES[dialect]}" for b in bound_names(f)]
    if res.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(quote_ident(k) for k in res.primary_key)})")
    for fk in res.foreign_keys:
        lines.append(f"FOREIGN KEY ({quote_ident(fk.field)}) "
                     f"REFERENCES {quote_ident(fk.resource)} ({quote_ident(fk.reference_field)})")
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {quote_ident(res.name)} (\n  {body}\n)"


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
                for b, which in zip(bound_names(f), ("earliest", "latest"), strict=True):
                    rows.append((res.name, b, "column", f"{f.title} ({which} day)",
                                 f"The {which} day `{f.name}` can mean; empty when it is.", "date", None))
    for view in available_views(package):
        rows.append((view.name, "", "view", view.title, view.description, None, None))
    return rows


def metadata_insert() -> str:
    cols = ", ".join(quote_ident(c) for c in METADATA_COLUMNS)
    marks = ", ".join("?" for _ in METADATA_COLUMNS)
    return f"INSERT INTO {quote_ident(METADATA_TABLE)} ({cols}) VALUES ({marks})"


