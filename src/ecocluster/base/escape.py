"""Escaping text from the data or the descriptor for each format it is written into: one function per
target, used by every writer (style.md: "each output format gets one escaping function").
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any
from urllib.parse import quote

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


# What a terminal or a log could act on: C0/C1 controls (ANSI escapes start with ESC), DEL, line and
# paragraph separators, invisible format characters (bidi overrides reorder the rest of the line) and
# lone surrogates (from JSON `\ud800`; a terminal's encoder would fail on them).
_UNSAFE = re.compile(r"[^\x20-\x7e]")


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    if ord(ch) > 0x9F and unicodedata.category(ch) not in ("Cf", "Cs", "Zl", "Zp"):
        return ch  # ordinary text in any script stays readable
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def printable(text: object) -> str:
    """`text` with every control and invisible character shown as an escape (`\\x1b`, `\\u202e`): data
    reaches a terminal or a CI log as text, never as a command to it. Every CI format below starts here."""
    return _UNSAFE.sub(_escape_char, str(text))


def printable_lines(text: object) -> str:
    """`printable` for each line of a text of several (a report, a listing): its line breaks stay, and
    every other control or invisible character is shown as an escape."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


# What a CI runner reads as a command in a line of a step's log: GitHub Actions a line that starts,
# after blank space, with `::` (actions/runner, ActionCommand.TryParseV2) or that holds `##[` anywhere
# (its older syntax, TryParse, still read); Azure Pipelines `##vso[` and `##[`.
_CI_START = re.compile(r"^(\s*):")
_CI_ANYWHERE = re.compile(r"##(vso)?\[")


def ci_line(line: str) -> str:
    """A line of plain output that no CI runner takes for a command: a leading `::` becomes `\x3a:`
    and `##[` or `##vso[` becomes `##\x5b` (`##vso\x5b`), the escapes `printable` writes. Every line a
    command prints passes through it (ecocluster.cli.common.echo) but the workflow commands it means
    to write (`validate --format github` and `azure`, whose values `workflow_value` and `azure_value`
    escape)."""
    if line.lstrip().startswith("::"):
        line = _CI_START.sub(lambda m: m.group(1) + "\\x3a", line, count=1)
    return _CI_ANYWHERE.sub(lambda m: f"##{m.group(1) or ''}\\x5b", line)


def json_text(value: Any, **options: Any) -> str:
    """`value` as JSON for a terminal or a CI log: `json.dumps(…, ensure_ascii=False)`, with every
    character `printable` would escape written as a JSON escape (`\u001b`, `\u202e`), and `[` after
    `##` as `\u005b`, so no line of it is a CI command. Outside strings JSON is ASCII, so the text
    still reads back as `value`."""
    import json

    text = json.dumps(value, ensure_ascii=False, **options)
    text = _UNSAFE.sub(lambda m: m.group() if m.group() == "\n" or _escape_char(m) == m.group()
                       else f"\\u{ord(m.group()):04x}", text)  # a line break is JSON's own, between values
    return text.replace("##[", "##\\u005b").replace("##vso[", "##vso\\u005b")


def workflow_value(text: object, prop: bool = False) -> str:
    """A value in a GitHub Actions workflow command (`::error file=PROP,title=PROP::DATA`).

    The runner (actions/runner, ActionCommand.cs) reads one command per line and decodes `%25`, `%0D`,
    `%0A` in the data, and also `%3A`, `%2C` in a property, where `:` would end the properties and `,`
    start the next one. Controls are shown as escapes first (`printable`), so a value can never break the
    line and start a command of its own; nor can a runner that reads `##[` or `##vso[` anywhere in a
    line find one in it (`ci_line`)."""
    text = _CI_ANYWHERE.sub(lambda m: f"##{m.group(1) or ''}\\x5b", printable(text))  # as in ci_line
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def azure_value(text: object) -> str:
    """A property or message of an Azure Pipelines logging command (`##vso[area.event k=v;]message`).

    The agent (azure-pipelines-agent, CommandStringConvertor) splits properties on `;`, ends them at
    the first `]`, and decodes `%3B`, `%0D`, `%0A`, `%5D` and `%AZP25` (for `%`) in properties and
    message alike; controls are shown as escapes first (`printable`), so no value breaks the line."""
    text = printable(text)
    for token, code in (("%", "%AZP25"), (";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D")):
        text = text.replace(token, code)
    return text


_BACKTICKS = re.compile(r"`+")


def markdown_code(value: object, cell: bool = False) -> str:
    """Text from the data as a Markdown code span, which GitHub renders literally: no emphasis, link,
    HTML, @mention or #reference can come out of it. The fence is one backtick longer than any run
    inside; padding spaces, where needed, keep a leading or trailing backtick or space as written
    (CommonMark strips one space from each side when both have one); an empty value shows as
    *(empty)*. In a table `cell`, `|` is escaped, since GitHub splits the row on it before it reads
    the code span."""
    text = printable(value)
    if text == "":
        return "*(empty)*"
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    edges = text[0] + text[-1]
    pad = " " if text.strip(" ") and ("`" in edges or edges == "  ") else ""
    if cell:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>|#!~&])")
_MD_SPAN = re.compile(r"`([^`]+)`")


def markdown_text(value: object, spans: bool = False) -> str:
    """Text from the data as one line of Markdown prose that shows it literally: every character
    Markdown or GitHub could act on (emphasis, links, images, raw HTML, entities, tables, headings,
    code) is backslash-escaped, line breaks become spaces, controls and invisible characters are shown
    as escapes (`printable`). With `spans`, a `code span` written in the text (as the schemas'
    descriptions write names) stays one, its content literal; `|` is escaped there too, since a
    GitHub table splits its rows on it before it reads a code span."""
    text = printable(" ".join(str(value).split()))
    if not spans:
        return _MD_ACTIVE.sub(r"\\\1", text)
    parts = _MD_SPAN.split(text)  # prose, span, prose, …
    return "".join(_MD_ACTIVE.sub(r"\\\1", part) if i % 2 == 0 else "`" + part.replace("|", "\\|") + "`"
                   for i, part in enumerate(parts))


_WEB = re.compile(r"https?://[^\s\"'<>`]+")


def web_url(value: Any) -> str | None:
    """`value` when it is an http(s) address fit for a link (in HTML, Markdown or a tool's metadata),
    else None: a `javascript:`, `data:` or relative value, or one with a space, quote or bracket that
    could end the attribute or link it is written into, is never made a link."""
    return value if isinstance(value, str) and _WEB.fullmatch(value) else None


def url_path(path: str) -> str:
    """A relative file path as the path part of a URL: every character but letters, digits, `/` and
    `-._~` percent-encoded, so it can close neither a Markdown link nor an HTML attribute."""
    return quote(path, safe="/")


_XML_INVALID = re.compile("[\ufffe\uffff]")


def xml_text(text: object) -> str:
    """Text for an XML 1.0 document (JUnit): `printable` shows the controls XML forbids as escapes,
    and the two noncharacters it also forbids are shown the same way; the XML writer then escapes
    `&`, `<`, `>` and quotes."""
    return _XML_INVALID.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))
