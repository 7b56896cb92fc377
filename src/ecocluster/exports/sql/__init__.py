"""The SQL exports: SQLite, DuckDB, the portable SQL file and the PostgreSQL one, from one schema
(schema.py), one set of views (views.py) and one way of writing rows (rows.py)."""

from typing import Literal

# The targets the SQL is written for; each module takes one and adapts types, checks and comments.
Dialect = Literal["sqlite", "duckdb", "portable", "postgres"]
