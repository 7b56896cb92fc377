"""The rule table: every error the validator can report, described once.

Each rule has a stable kebab-case `code`, a `title`, a `message` template (filled with the error's
`value`, `field` and `detail`), a `hint` that says how to fix it, and a `doc` paragraph for
docs/validation.md (generated from this table). Engines only say *which* rule failed where.

`level` decides the exit code: "package" errors (nothing could be checked) exit 2, all others 1.
`reading` says what a file-level error leaves for a command that reads without validating (fmt, diff,
export, load(validate=False)): "unreadable", no rows at all; "misshapen", rows, but not in the shape
the Table Schema gives them (so no typed table can be built); "" otherwise.
"""

from __future__ import annotations

from .content import RULES as _CONTENT
from .opening import RULES as _OPENING
from .rule import Level, Reading, Rule

__all__ = ["LEVELS", "MISSHAPEN", "RULES", "UNREADABLE", "Level", "Reading", "Rule", "checked_in", "render_codes"]

_RULES = [*_OPENING, *_CONTENT]  # in this order: SARIF's rule indexes follow it

RULES: dict[str, Rule] = {r.code: r for r in _RULES}
UNREADABLE = frozenset(r.code for r in _RULES if r.reading == "unreadable")
MISSHAPEN = frozenset(r.code for r in _RULES if r.reading == "misshapen")

LEVELS = {
    "package": "The package (exit code 2: nothing could be checked)",
    "descriptor": "The descriptor's own fields, and the names the export formats can hold",
    "file": "Files, headers and row shapes",
    "cell": "Cells, by the Table Schema and the data model's text conventions",
    "cross": "Across rows and tables",
}


# Where each level's rules are checked: the only modules that may emit its codes (paths under
# src/ecocluster/, a folder ending in "/"). tests/validation/test_rule_placement.py holds the code to it, and
# docs/validation.md says it under each code, so a rule is found by its folder.
CHECKED_IN: dict[str, tuple[str, ...]] = {
    # the engine reports what stops a run before any package is open: no package, an archive that
    # cannot be unpacked, its own failure; and the schema mistakes seen only across resources
    "package": ("package/", "validation/engine.py"),
    "descriptor": ("validation/descriptor.py",),
    "file": ("tables/reader.py",),
    "cell": ("validation/checks.py",),
    "cross": ("validation/keys.py", "validation/references.py", "validation/relations.py"),
}


def checked_in(level: str) -> str:
    """Where a level's rules are checked, as docs/validation.md says it."""
    return ", ".join(f"`ecocluster/{module}`" for module in CHECKED_IN[level])


def render_codes() -> str:
    """The error-code section of docs/validation.md, generated from the rule table."""
    out = []
    for level, heading in LEVELS.items():
        out += [f"### {heading}", ""]
        for rule in _RULES:
            if rule.level == level:
                out += [f"#### `{rule.code}`: {rule.title}", "", rule.doc, "", f"*Fix:* {rule.hint}", "",
                        f"*Checked in:* {checked_in(level)}", ""]
    return "\n".join(out)
