"""One page's evidence: footnote numbers, the numbered Sources list (each quote once) and "cite this fact".

A page asks `Facts.marks(citations, what, anchor)` for every value it shows; each distinct quote (same
source, same words) gets one number the first time it is used, and later uses point to that number.
So a quote that supports five fields of one page is listed once, with the five facts it supports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...datamodel import CITATIONS
from .labels import code_label, hangul_lang, language_name
from .model import Site, lang_attr, web_url

WHOLE = "*"  # a citation's `field` when it supports the whole row


@dataclass
class Note:
    """One entry of the Sources list."""

    n: int
    quote: str
    kind: str  # "verbatim", "dossier-summary" or whatever the data says
    kind_label: str
    lang: str | None  # the quote's language as a `lang` attribute (the source's language)
    language: str  # its name, "Korean"
    summary_lang: str | None  # a summary's own language: Korean when it is written in Hangul, else English
    translation: str | None  # the curators' English rendering (citations.quote_en), when the data has one
    source: str
    source_url: str | None  # the source's page on this site
    publisher: str | None
    published: str | None
    external: str | None  # the source's own address
    locator: str | None
    notes: list[str] = field(default_factory=list)
    supports: list[dict[str, Any]] = field(default_factory=list)  # {"what", "anchor"}: backlinks


@dataclass
class Facts:
    site: Site
    notes: list[Note] = field(default_factory=list)
    cites: list[dict[str, Any]] = field(default_factory=list)
    _by_key: dict[tuple[str, str, str], Note] = field(default_factory=dict)

    def note(self, c: dict[str, Any]) -> Note:
        key = (str(c.get("source_id")), str(c.get("quote") or ""), str(c.get("quote_kind") or ""))
        found = self._by_key.get(key)
        if found is None:
            found = self._by_key[key] = new_note(self.site, c, len(self.notes) + 1)
            self.notes.append(found)
        if found.translation is None and isinstance(c.get("quote_en"), str) and c["quote_en"].strip():
            found.translation = c["quote_en"]  # the same words cited twice, translated on one row only
        if c.get("note") and c["note"] not in found.notes:
            found.notes.append(str(c["note"]))
        return found

    def marks(self, citations: list[dict[str, Any]], what: str, anchor: str | None) -> list[int]:
        """The footnote numbers for a value shown on the page; `what` and `anchor` say where it is."""
        numbers: list[int] = []
        for c in citations:
            n = self.note(c)
            if not any(s["anchor"] == anchor and s["what"] == what for s in n.supports):
                n.supports.append({"what": what, "anchor": anchor})
            if n.n not in numbers:
                numbers.append(n.n)
        return sorted(numbers)

    def cite(self, table: str, row_id: str, label: str, anchor: str, by_field: dict[str, list[dict[str, Any]]],
             titles: dict[str, str]) -> None:
        """Record the "cite this fact" line of one row: dataset, version, table, row, each field's sources.
        Its source numbers are given out by `finish`, once the page's values have numbered the notes in
        the order they are shown."""
        pkg = self.site.tables.package
        self.cites.append({"anchor": anchor, "label": label, "table": table, "id": row_id, "parts": [],
                           "dataset": str(pkg.descriptor.get("title") or pkg.name), "version": pkg.version,
                           "_fields": by_field, "_titles": titles})

    def finish(self) -> None:
        for cite in self.cites:
            by_field, titles = cite.pop("_fields"), cite.pop("_titles")
            for name, cs in by_field.items():
                sources: list[dict[str, Any]] = []
                for c in cs:
                    n = self.note(c)
                    if all(s["n"] != n.n for s in sources):
                        sources.append({"title": n.source, "n": n.n})
                what = "the whole row" if name == WHOLE else f"field {name} ({titles.get(name, name)})"
                cite["parts"].append({"what": what, "sources": sources})


def new_note(site: Site, c: dict[str, Any], n: int) -> Note:
    src = site.entities.get(str(c.get("source_id")))
    row = src.row if src else {}
    kind = str(c.get("quote_kind") or "")
    label = ""
    if CITATIONS in site.tables and kind:
        label = code_label(site.tables.package.resource(CITATIONS), "quote_kind", kind)
    translation = c.get("quote_en")
    return Note(
        n=n, quote=str(c.get("quote") or ""), kind=kind, kind_label=label, lang=lang_attr(row.get("language")),
        language=language_name(row.get("language")),
        summary_lang=hangul_lang(c.get("quote")),
        translation=str(translation) if isinstance(translation, str) and translation.strip() else None,
        source=src.label if src else str(c.get("source_id")), source_url=src.url if src else None,
        publisher=row.get("publisher"), published=row.get("published_date"), external=web_url(row.get("url")),
        locator=row.get("locator"))
