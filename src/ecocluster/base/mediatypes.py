"""The media type of every kind of file the exports write: one table, used by the manifest, the Parquet
descriptor and the site's catalogue (DCAT, schema.org).

IANA-registered types wherever one exists. Two formats have none, and take the type their own
makers use: JSON Lines is `application/jsonl`, the type jsonlines.org names (and the OpenAPI media
type registry lists; `application/x-ndjson` is the older name of a twin format, and RFC 6648 retired
the `x-` prefix for new types); a DuckDB database is `application/vnd.duckdb`, the type DuckDB's own
server sends. A FollowTheMoney entity file (`*.ftm.json`) is JSON Lines despite its suffix.
"""

from __future__ import annotations

from pathlib import PurePath

MEDIA_TYPES: dict[str, str] = {
    ".csv": "text/csv",
    ".css": "text/css",
    ".html": "text/html",
    ".js": "text/javascript",  # RFC 9239
    ".json": "application/json",
    ".jsonl": "application/jsonl",
    ".jsonld": "application/ld+json",
    ".md": "text/markdown",
    ".parquet": "application/vnd.apache.parquet",
    ".png": "image/png",
    ".sql": "application/sql",  # RFC 6922
    ".sqlite": "application/vnd.sqlite3",
    ".duckdb": "application/vnd.duckdb",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}
# Whole suffixes that say more than the last one.
COMPOUND: dict[str, str] = {".ftm.json": MEDIA_TYPES[".jsonl"]}
UNKNOWN = "application/octet-stream"
# The types above that IANA has not registered (a catalogue names them as a format, not an IANA type).
UNREGISTERED = frozenset({"application/jsonl", "application/vnd.duckdb"})


def media_type(path: str | PurePath) -> str:
    """The media type of a file, by its name."""
    name = PurePath(path).name.lower()
    for suffix, kind in COMPOUND.items():
        if name.endswith(suffix):
            return kind
    return MEDIA_TYPES.get(PurePath(name).suffix, UNKNOWN)
