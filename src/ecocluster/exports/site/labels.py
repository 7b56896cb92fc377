"""Words for a reader instead of codes: code labels from the schema, language and country names, numbers.

`code_label` is the one place the site reads what a code means. It accepts both ways a Table Schema
can say it: Table Schema v2 `categories` (`[{"value": …, "label": …}]`) and the older custom
`enumDescriptions` (`{code: description}`), so the site reads either shape of the schemas.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ...package import Resource

_TICKS = re.compile(r"`([^`\n]+)`")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def hangul_lang(text: object) -> str | None:
    """"ko" for text written in Hangul (only Korean is), else None: a `lang` for fonts and screen readers
    where the data gives no language."""
    return "ko" if isinstance(text, str) and _HANGUL.search(text) else None


def code_labels(res: Resource, field: str) -> dict[str, str]:
    """Every code of `field` with its label, from `categories` or `enumDescriptions` ({} if neither)."""
    for f in res.schema.get("fields") or []:
        if not isinstance(f, dict) or f.get("name") != field:
            continue
        out: dict[str, str] = {}
        for c in f.get("categories") or []:
            if isinstance(c, dict) and isinstance(c.get("label"), str) and c.get("value") is not None:
                out[str(c["value"])] = c["label"]
        described = f.get("enumDescriptions")
        if isinstance(described, dict):
            for code, text in described.items():
                if isinstance(text, str):
                    out.setdefault(str(code), text)
        return out
    return {}


def code_label(res: Resource, field: str, code: Any) -> str:
    """The label of one code, as a reader sees it (no final full stop); the code itself made readable
    (`shareholder-of` -> "shareholder of") when the schema gives no label."""
    text = code_labels(res, field).get(str(code))
    if not text:
        return str(code).replace("-", " ").replace("_", " ")
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def md_parts(text: Any) -> list[tuple[str, str]]:
    """Schema text with Markdown code spans split out: [("text", …), ("code", …)], so a template shows
    `pattern` as <code>pattern</code> (escaped like any other text) instead of literal backticks."""
    parts: list[tuple[str, str]] = []
    s = "" if text is None else str(text)
    at = 0
    for m in _TICKS.finditer(s):
        if m.start() > at:
            parts.append(("text", s[at:m.start()]))
        parts.append(("code", m.group(1)))
        at = m.end()
    if at < len(s):
        parts.append(("text", s[at:]))
    return parts


def plain(text: Any) -> str:
    """Schema text without Markdown code ticks, for attributes and meta tags."""
    return _TICKS.sub(r"\1", "" if text is None else str(text))


@lru_cache(maxsize=512)
def language_name(tag: str | None) -> str:
    """"Korean", "Korean (Latin)" for a BCP 47 tag; the tag itself when langcodes cannot name it."""
    if not tag:
        return ""
    try:
        import langcodes

        name = langcodes.Language.get(tag).display_name("en")
    except (ValueError, LookupError, ImportError):  # a malformed tag is shown as it is written
        return tag
    return name if name and not name.lower().startswith("unknown") else tag


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str:
    """"South Korea" for an ISO 3166-1 alpha-2 code; the code itself when it names no territory."""
    if not code:
        return ""
    try:
        import langcodes

        name = langcodes.Language.get(f"und-{code}").territory_name("en")
    except (ValueError, LookupError, ImportError):
        return code
    return name if name and not name.lower().startswith("unknown") else code


def number(value: Any) -> str:
    """An amount with thousands separators (700,000,000,000); floats without trailing zeros."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6f}".rstrip("0").rstrip(".")
    return str(value)
