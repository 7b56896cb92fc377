"""One rule of the table: its code, level, title, message template, hint and documentation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["package", "descriptor", "file", "cell", "cross"]
Reading = Literal["", "unreadable", "misshapen"]


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    title: str
    message: str
    hint: str
    doc: str
    reading: Reading = ""
