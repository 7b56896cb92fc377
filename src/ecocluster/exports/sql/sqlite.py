"""SQLite: one database with declared keys, enforced foreign keys, indexes, checks, views and metadata."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ...base.files import atomic_path
from ...errors import ExportError
from ...tables import Tables
from .. import base_name
from .rows import populate

NAME = "sqlite"


def export(tables: Tables, out_dir: Path) -> list[Path]:
    target = Path(out_dir) / f"{base_name(tables.package)}.sqlite"
    with atomic_path(target) as tmp:
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            # The file is a temporary one until renamed: no journal is needed to stay consistent. The
            # foreign keys are checked once, over the whole file, after the rows are in: looking each
            # reference up as its row is inserted takes four times as long on a million rows.
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
            con.execute("PRAGMA cache_size = -262144")  # 256 MB
            con.execute("BEGIN")
            populate(con, tables, "sqlite")
            dangling = con.execute("PRAGMA foreign_key_check").fetchall()
            if dangling:  # validated data has none, but a wrong file must never ship
                table, row, parent, _ = dangling[0]
                raise ExportError(f"the SQLite export has {len(dangling)} dangling foreign key(s); the first: "
                                  f"row {row} of `{table}` names no row of `{parent}` (run `ecocluster validate`)")
            con.execute("COMMIT")
        finally:
            con.close()
    return [target]
