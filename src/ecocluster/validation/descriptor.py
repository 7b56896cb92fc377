"""The descriptor's own fields, checked as `build` will use them (file names, zip timestamps, licences),
and the names of its tables and columns, checked against what the export formats can hold.

Whatever `build` needs of `datapackage.json` is checked here first, so a package that validates
also builds: `<name>-<version>.zip` must be a safe file name, `created` a zip timestamp, and the
licences a list the manifest can copy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..base.escape import printable
from ..package import Package
from ..package.limits import problems as format_limits
from .collect import Collector
from .standards import CONTROL_REGEX

# Frictionless's name rule (lowercase letters, digits, `_`, `.` and `-`); it makes a safe file name.
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
# A version is a file-name part too: semantic versions and calendar versions both fit.
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]*")
# ZIP stores MS-DOS timestamps: 1980-01-01 to 2107-12-31.
ZIP_YEARS = (1980, 2107)
# What no export carries (rules: descriptor-text-invalid): C0 controls but tab and LF, DEL, C1 controls,
# lone surrogates.
_TEXT_INVALID = re.compile(f"{CONTROL_REGEX}|[\ud800-\udfff]")
_CREATED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})")


def _bad(out: Collector, d: dict[str, Any], field: str, expected: str) -> None:
    """`field` is missing or holds a value `build` cannot use: say which, and what is expected."""
    if field not in d:
        out.one("descriptor-field-invalid", None, field, detail=f"is missing: expected {expected}")
        return
    value = d[field]
    # a lone surrogate (JSON allows `\ud800`) could not even be printed: shown as its escape; any
    # other value as JSON writes it (`null`, `2026`, `["a"]`)
    shown = (value.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(value, str)
             else json.dumps(value))[:200]
    out.one("descriptor-field-invalid", None, field, value=shown, detail=f"is `{shown}`: expected {expected}")


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string of a JSON value, keys included, with its path (`resources[2].title`)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            yield path, str(key)
            yield from _texts(item, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}[{i}]")


def _check_texts(pkg: Package, out: Collector) -> None:
    """No text of the descriptor or of a schema file holds what the exports cannot carry."""
    docs: list[tuple[str | None, str, Any]] = [(None, "", pkg.descriptor)]
    docs += [(r.name, f"{r.schema_path}: ", r.schema) for r in pkg.resources if r.schema_path]
    for resource, prefix, doc in docs:
        for where, text in _texts(doc, ""):
            if m := _TEXT_INVALID.search(text):
                what = "a lone surrogate" if 0xD800 <= ord(m.group()) <= 0xDFFF else "the control character"
                out.one("descriptor-text-invalid", resource, printable(prefix + where), value=printable(text)[:60],
                        detail=f"{what} U+{ord(m.group()):04X}")


def check_descriptor(pkg: Package, out: Collector) -> None:
    _check_texts(pkg, out)
    d = pkg.descriptor
    name = d.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name) or len(name) > 100:
        _bad(out, d, "name", "lowercase letters, digits, `_`, `.` and `-`, starting with a letter or digit")
    version = d.get("version")
    if not isinstance(version, str) or not VERSION.fullmatch(version) or len(version) > 100:
        _bad(out, d, "version", "a version such as 1.2.0: letters, digits, `.`, `+`, `_` and `-`")
    if "created" in d:
        created = d["created"]
        when = None
        if isinstance(created, str) and _CREATED.fullmatch(created):
            try:
                when = datetime.fromisoformat(created.replace("Z", "+00:00"))
            except ValueError:
                when = None
        if when is None:
            _bad(out, d, "created", "an RFC 3339 date-time such as 2026-11-28T00:00:00Z")
        elif not ZIP_YEARS[0] <= when.year <= ZIP_YEARS[1]:
            _bad(out, d, "created", f"a date-time from {ZIP_YEARS[0]} to {ZIP_YEARS[1]} (a zip timestamp)")
    if "licenses" in d:
        lic = d["licenses"]
        ok = isinstance(lic, list) and all(
            isinstance(x, dict)
            and any(isinstance(x.get(k), str) and x[k] for k in ("name", "path"))
            and all(isinstance(x[k], str) for k in ("name", "path", "title") if k in x)
            for x in lic
        )
        if not ok:
            _bad(out, d, "licenses", "a list of objects, each with a `name` or a `path` string")
    for key in ("title", "description"):
        if key in d and not isinstance(d[key], str):
            _bad(out, d, key, "a string")
    for p in format_limits(pkg):  # names an export format cannot hold (package.limits)
        code = "resource-name-unusable" if p.field is None else "field-name-unusable"
        out.one(code, p.resource, p.field, value=p.resource if p.field is None else p.field, detail=p.detail)
