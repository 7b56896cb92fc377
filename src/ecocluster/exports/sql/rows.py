"""The rows of the SQL exports, from the typed tables: in bulk, never one Python dict per row.

SQLite takes them through `executemany` inside one transaction, DuckDB straight from Arrow
(`INSERT ... SELECT` from the registered frame), and the portable SQL file as multi-row INSERTs whose
literals polars renders column by column (`literals`), written statement by statement.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import polars as pl

from ...base.escape import quote_ident
from ...errors import ExportError
from ...package import Resource
from ...tables import Tables
from . import Dialect
from .schema import create_indexes, create_table, metadata_insert, metadata_rows, metadata_table, table_order
from .views import available_views

BATCH = 500  # rows per INSERT statement in the SQL file
# Rows per INSERT in SQLite. A CHECK (x IN (...)) builds its list once per statement run, so one row
# per statement spends half the load time on the checks; 256 rows share one build.
SQLITE_ROWS = 256
CHUNK = 102_400  # rows converted at once (400 SQLite statements), so memory stays bounded whatever the size
STORE_ROWS = 10 * CHUNK  # rows of one table loaded between two `store` calls (DuckDB's checkpoints)


class Connection(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...


def sql_frame(tables: Tables, res: Resource, dialect: Dialect) -> pl.DataFrame:
    """The table's fields as the SQL exports insert them (codes as text, booleans as 0/1 in SQLite).
    The date bounds are not among them: each database computes its own from the date."""
    return sql_rows(tables[res.name], res, dialect)


def sql_rows(rows: pl.DataFrame, res: Resource, dialect: Dialect) -> pl.DataFrame:
    """`sql_frame` of some of a table's rows (a slice), so a big table is converted part by part."""
    frame = rows.select(res.field_names)
    cols = []
    for name, dtype in frame.schema.items():
        c = pl.col(name)
        if isinstance(dtype, pl.Enum):
            c = c.cast(pl.String)
        elif dtype == pl.Date and dialect == "sqlite":
            c = c.dt.to_string("%Y-%m-%d")
        elif dtype == pl.Boolean and dialect == "sqlite":
            c = c.cast(pl.Int64)
        cols.append(c)
    return frame.select(cols)


def batches(frame: pl.DataFrame, res: Resource) -> list[pl.DataFrame]:
    """The rows in batches such that a self-reference always points to an earlier batch.

    DuckDB checks a foreign key against rows already stored, not against the same INSERT, so a row
    that `follows` another of its table must come in a later statement. Each round takes the rows
    whose target is already placed (or empty, or the row itself); chains in the data are short.
    """
    fks = [fk for fk in res.foreign_keys if fk.resource == res.name and not fk.composite]
    if not fks or frame.height == 0:
        return [frame] if frame.height else []
    out: list[pl.DataFrame] = []
    placed = {fk.reference_field: pl.Series(dtype=frame.schema[fk.reference_field]) for fk in fks}
    pending = frame
    while pending.height:
        ok = pl.all_horizontal([
            pl.col(fk.field).is_null() | pl.col(fk.field).is_in(placed[fk.reference_field].implode())
            | (pl.col(fk.field) == pl.col(fk.reference_field)) for fk in fks])
        ready = pending.filter(ok)
        if ready.height == 0:  # a dangling or circular self-reference: insert the rest, the engine refuses
            ready = pending
        out.append(ready)
        for fk in fks:
            placed[fk.reference_field] = pl.concat([placed[fk.reference_field], ready[fk.reference_field]])
        pending = pending.filter(~ok) if ready is not pending else pending.clear()
    return out


def insert_statement(res: Resource, columns: list[str], rows: int = 1) -> str:
    """A parameterised INSERT of `rows` rows (qmark style: sqlite3)."""
    cols = ", ".join(quote_ident(c) for c in columns)
    one = f"({', '.join('?' for _ in columns)})"
    return f"INSERT INTO {quote_ident(res.name)} ({cols}) VALUES {', '.join([one] * rows)}"


def sqlite_insert(con: Connection, res: Resource, frame: pl.DataFrame) -> None:
    """Insert `frame` through `executemany`, SQLITE_ROWS rows per statement, CHUNK rows of Python
    values at a time (so memory stays bounded); the last statement of a table takes the rest."""
    width = len(frame.columns)
    if not width or not frame.height:
        return
    limit = getattr(con, "getlimit", None)
    most = limit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width if limit else 999 // width
    n = max(1, min(SQLITE_ROWS, most))
    full = insert_statement(res, frame.columns, n)
    rows = max(n, CHUNK - CHUNK % n)  # whole statements per slice
    for start in range(0, frame.height, rows):
        part = frame.slice(start, rows)
        flat = list(itertools.chain.from_iterable(zip(*(c.to_list() for c in part.get_columns()), strict=True)))
        step = width * n
        whole = len(flat) // step * step
        con.executemany(full, (flat[i:i + step] for i in range(0, whole, step)))
        if whole < len(flat):
            con.execute(insert_statement(res, frame.columns, (len(flat) - whole) // width), flat[whole:])


def populate(con: Connection, tables: Tables, dialect: Dialect,
             store: Callable[[], object] | None = None) -> None:
    """Create every table, index, view and the metadata table on `con`, and insert every row;
    `store` runs once each table is loaded, and within a table every STORE_ROWS rows."""
    package = tables.package
    for res in table_order(package):
        con.execute(create_table(res, dialect))
        # part by part: the converted rows (and DuckDB's Arrow copy of them) never exist whole
        for batch in batches(tables[res.name], res):
            for start in range(0, batch.height, CHUNK):
                if store and start and start % STORE_ROWS == 0:
                    store()
                part = sql_rows(batch.slice(start, CHUNK), res, dialect)
                if dialect == "duckdb":  # DuckDB reads the Arrow table in place: no row becomes a Python object
                    duck: Any = con
                    duck.register("__rows", part.to_arrow())
                    cols = ", ".join(quote_ident(c) for c in part.columns)  # the generated bounds are left out
                    duck.execute(f"INSERT INTO {quote_ident(res.name)} ({cols}) SELECT {cols} FROM __rows")
                    duck.unregister("__rows")
                else:
                    sqlite_insert(con, res, part)
        # After the rows: one sort instead of a b-tree insert per row. Not in DuckDB, whose foreign
        # keys keep an index of their own columns already.
        for index in create_indexes(res) if dialect == "sqlite" else []:
            con.execute(index)
        if store:
            store()
    for view in available_views(package):
        con.execute(view.create(package, dialect))
    con.execute(metadata_table(dialect))
    con.executemany(metadata_insert(), metadata_rows(package))


def literals(frame: pl.DataFrame) -> pl.DataFrame:
    """Every cell as an SQL literal (`NULL`, `'text'` with quotes doubled, numbers, TRUE/FALSE), as
    `escape.quote_literal` writes them, rendered by polars column by column."""
    cols = []
    for name, dtype in frame.schema.items():
        c = pl.col(name)
        if dtype == pl.Boolean:
            text = pl.when(c).then(pl.lit("TRUE")).otherwise(pl.lit("FALSE"))
        elif dtype.is_numeric():
            if dtype.is_float() and frame.select(c.is_finite().all()).item() not in (True, None):
                raise ExportError(f"column `{name}` holds a number that is not finite; SQL has no literal for it")
            text = c.cast(pl.String)
        else:
            s = c.cast(pl.String)
            if frame.select(s.str.contains("\x00", literal=True).any()).item():
                raise ExportError(f"column `{name}` holds a NUL character, which PostgreSQL refuses")
            text = pl.lit("'") + s.str.replace_all("'", "''", literal=True) + pl.lit("'")
        cols.append(pl.when(c.is_null()).then(pl.lit("NULL")).otherwise(text).alias(name))
    return frame.select(cols)


def insert_statements(res: Resource, frame: pl.DataFrame) -> Iterator[str]:
    """Multi-row INSERTs of `frame`, BATCH rows each, rendered CHUNK rows at a time."""
    cols = ", ".join(quote_ident(c) for c in frame.columns)
    head = f"INSERT INTO {quote_ident(res.name)} ({cols}) VALUES\n  "
    for start in range(0, frame.height, CHUNK):
        part = literals(frame.slice(start, CHUNK))
        rows = part.select(
            (pl.lit("(") + pl.concat_str(pl.all(), separator=", ") + pl.lit(")")).alias("r"),
            (pl.int_range(pl.len()) // BATCH).alias("b"),
        )
        grouped = rows.group_by("b", maintain_order=True).agg(pl.col("r").str.join(",\n  "))
        for text in grouped.get_column("r"):
            yield head + text + ";\n"
