"""DuckDB: the same tables, keys, checks, views and metadata as SQLite, plus COMMENT ON each object."""

from __future__ import annotations

from pathlib import Path

from ...base.escape import quote_ident, quote_literal
from ...base.files import atomic_path
from ...tables import Tables
from .. import base_name
from .rows import populate
from .schema import METADATA_TABLE, metadata_rows

NAME = "duckdb"
DB = "export"


def export(tables: Tables, out_dir: Path) -> list[Path]:
    import duckdb

    package = tables.package
    target = Path(out_dir) / f"{base_name(package)}.duckdb"
    with atomic_path(target) as tmp:
        tmp.unlink()  # DuckDB refuses to open an empty file as a database
        # no progress bar: it would be printed on stdout, which carries results only
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        # One thread: the load is bound by building the key indexes, which a second thread barely
        # speeds up (measured at 1M rows: 4.6-5.6 s on one thread, 5.0-6.4 s on two), and `build`
        # runs another writer beside this one on the second core.
        con.execute("SET threads = 1")
        try:
            # Small blocks keep a 400-row database near 1 MB instead of 14 MB (one block per column
            # segment and index); v1.2.0 storage opens in every DuckDB since 1.2.
            con.execute(f"ATTACH {quote_literal(str(tmp))} AS {quote_ident(DB)} "
                        "(BLOCK_SIZE 16384, STORAGE_VERSION 'v1.2.0')")
            con.execute(f"USE {quote_ident(DB)}")
            con.execute("BEGIN TRANSACTION")

            def store() -> None:
                # Written out as it loads (after each table, and every million rows of a big one): the
                # key indexes written then leave memory. At 1M rows that is 130 MB less at the peak;
                # at 10M, checkpointing every million rows took the build's peak from 4,069 to 3,279 MiB.
                # The file is a temporary one until renamed, so committing part of it is harmless.
                con.execute("COMMIT")
                con.execute(f"CHECKPOINT {quote_ident(DB)}")
                con.execute("BEGIN TRANSACTION")

            populate(con, tables, "duckdb", store=store)
            for table, column, kind, title, description, _type, _codes in metadata_rows(package):
                comment = quote_literal(" ".join(filter(None, [title + "." if title else "", description])))
                if kind == "column":
                    con.execute(f"COMMENT ON COLUMN {quote_ident(table)}.{quote_ident(column)} IS {comment}")
                else:
                    con.execute(f"COMMENT ON {kind.upper()} {quote_ident(table)} IS {comment}")
            con.execute(f"COMMENT ON TABLE {quote_ident(METADATA_TABLE)} IS "
                        f"{quote_literal('Titles and descriptions of every table, view and column.')}")
            con.execute("COMMIT")
            con.execute(f"CHECKPOINT {quote_ident(DB)}")
        finally:
            con.close()
        wal = tmp.with_name(tmp.name + ".wal")
        if wal.exists():  # fully checkpointed above, so the log holds nothing the file lacks
            wal.unlink()
    return [target]
