"""Escaping text from the data or the descriptor for each format it is written into: one function per
target, used by every writer (style.md: "each output format gets one escaping function").
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import EscapeError


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier, valid in SQLite, DuckDB and PostgreSQL whatever the name holds."""
    if "\x00" in name:
        raise EscapeError(f"the name {name!r} holds a NUL character and cannot be an SQL identifier")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: Any) -> str:
    """An SQL literal that reads back as `value` in PostgreSQL (standard strings) and SQLite."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EscapeError(f"the number {value!r} has no portable SQL literal")
        return repr(value)
    text = str(value)
    if "\x00" in text:
        raise EscapeError(f"the value {text[:40]!r} holds a NUL character, which PostgreSQL refuses")
    return "'" + text.replace("'", "''") + "'"


def sql_comment(text: str) -> str:
    """Text for a `-- ` comment line: a line break would end the comment and let the rest run as SQL,
    so every character that can end a line (in PostgreSQL, SQLite and editors) becomes a space."""
    for ch in ("\r\n", "\r", "\n", "\v", "\f", "\x85", "\u2028", "\u2029"):
        text = text.replace(ch, " ")
    return text.replace("\x00", "")


_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def file_name(name: str, suffix: str = "") -> str:
    """`name` + `suffix` as a file name inside an output folder: refused unless it is a plain name
    (letters, digits, `_`, `.`, `-`; no `/`, no `..`, no leading dot), so no write can leave the folder."""
    if not (isinstance(name, str) and _SAFE_NAME.fullmatch(name) and ".." not in name and len(name) <= 200):
        raise EscapeError(f"`{name}` is not a safe file name (letters, digits, `_`, `.` and `-` only)")
    return name + suffix
