"""Prose for a `PackageDiff`: plain text for a terminal, Markdown for a changelog or a pull request.

Every name and value from the packages is escaped for its target: in the text, `printable` shows a
control or invisible character (a line break too) as an escape, so one record stays one line; in the
Markdown, each is a code span (`markdown_code`)."""

from __future__ import annotations

import json

from ..base.escape import markdown_code as _code
from ..base.escape import printable as _text
from .diff import PackageDiff, TableDiff


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _headline(d: PackageDiff) -> str:
    return _text(f"{d.old['name']} {d.old['version']} → {d.new['name']} {d.new['version']}")


def _counts(d: PackageDiff) -> str:
    s = d.summary
    added = _plural(s["rows_added"], "row")
    rows = f"{added} added, {s['rows_removed']} removed, {s['rows_changed']} changed"
    return f"{rows}; {_plural(s['schema_changes'], 'schema change')}"


def _quoted(value: str) -> str:
    # JSON quoting makes an empty cell, a trailing space or a line break visible.
    return _text(json.dumps(value, ensure_ascii=False))


def _key(key: dict[str, str]) -> str:
    return " / ".join(key.values())


def render_text(d: PackageDiff) -> str:
    if d.identical:
        return f"{_headline(d)}: no differences\n"
    out = [_headline(d), f"{_counts(d)}. Suggested version bump: {d.suggested_bump}."]
    if d.tables_added or d.tables_removed:
        out.append("")
    out += [_text(f"table added: {t.table} ({_plural(t.rows, 'row')})") for t in d.tables_added]
    out += [_text(f"table removed: {t.table} ({_plural(t.rows, 'row')})") for t in d.tables_removed]
    for t in d.tables:
        out += ["", _text(t.table), *(_text(line) for line in _text_table(t))]
    return "\n".join(out) + "\n"


def _text_table(t: TableDiff) -> list[str]:
    out = [f"  column added: {c}" for c in t.columns_added]
    out += [f"  column removed: {c}" for c in t.columns_removed]
    out += [f"  column retyped: {c.field}: {c.old} → {c.new}" for c in t.columns_retyped]
    for e in t.enum_changes:
        codes = [f"+{c}" for c in e.added] + [f"-{c}" for c in e.removed]
        out.append(f"  codes of {e.field}: {' '.join(codes)}")
    if t.primary_key:
        out.append(f"  primary key: {', '.join(t.primary_key.old)} → {', '.join(t.primary_key.new)}")
    if not t.rows_compared:
        out.append("  rows not compared: the two versions share no primary key")
    out += [f"  + {_key(r.key)}" for r in t.rows_added]
    out += [f"  - {_key(r.key)}" for r in t.rows_removed]
    for r in t.rows_changed:
        out.append(f"  ~ {_key(r.key)}")
        out += [f"      {c.field}: {_quoted(c.old)} → {_quoted(c.new)}" for c in r.changes]
    return out


def render_markdown(d: PackageDiff) -> str:
    """Every name and value from the packages is a code span (`base.escape.markdown_code`), so a pull
    request comment shows the data as written and nothing in it becomes a link, a mention or HTML."""
    old, new = (_code(f"{side['name']} {side['version']}") for side in (d.old, d.new))
    title = f"### Data changes: {old} → {new}"
    if d.identical:
        return f"{title}\n\nNo differences.\n"
    out = [title, "", f"{_counts(d)}. Suggested version bump: **{d.suggested_bump}**."]
    tables = [f"- Table {_code(t.table)} added ({_plural(t.rows, 'row')})." for t in d.tables_added]
    tables += [f"- Table {_code(t.table)} removed ({_plural(t.rows, 'row')})." for t in d.tables_removed]
    if tables:
        out += ["", *tables]
    for t in d.tables:
        out += ["", f"#### {_code(t.table)}", "", *_markdown_table(t)]
    return "\n".join(out) + "\n"


def _markdown_table(t: TableDiff) -> list[str]:
    out = [f"- Column {_code(c)} added." for c in t.columns_added]
    out += [f"- Column {_code(c)} removed." for c in t.columns_removed]
    out += [f"- Column {_code(c.field)} retyped: {_code(c.old)} → {_code(c.new)}." for c in t.columns_retyped]
    for e in t.enum_changes:
        parts = []
        if e.added:
            parts.append("added " + ", ".join(_code(c) for c in e.added))
        if e.removed:
            parts.append("removed " + ", ".join(_code(c) for c in e.removed))
        out.append(f"- Codes of {_code(e.field)}: {'; '.join(parts)}.")
    if t.primary_key:
        old, new = (", ".join(_code(k) for k in keys) for keys in (t.primary_key.old, t.primary_key.new))
        out.append(f"- Primary key changed: {old} → {new}.")
    if not t.rows_compared:
        out.append("- Rows not compared: the two versions share no primary key.")
    out += [f"- Row {_code(_key(r.key))} added." for r in t.rows_added]
    out += [f"- Row {_code(_key(r.key))} removed." for r in t.rows_removed]
    for r in t.rows_changed:
        out.append(f"- Row {_code(_key(r.key))} changed:")
        out += [f"  - {_code(c.field)}: {_code(c.old)} → {_code(c.new)}" for c in r.changes]
    return out
