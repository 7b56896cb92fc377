"""The descriptor's own fields, checked as `build` will use them (file names, zip timestamps, licences),
and the names of its tables and columns, checked against what the export formats can hold.

Whatever `build` needs of `datapackage.json` is checked here first, so a package that validates
also builds: `<name>-<version>.zip` must be a safe file name, `created` a zip timestamp, and the
licences a list the manifest can copy.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ..package import Package
from ..package.limits import problems as format_limits
from .collect import Collector

# Frictionless's name rule (lowercase letters, digits, `_`, `.` and `-`); it makes a safe file name.
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
# A version is a file-name part too: semantic versions and calendar versions both fit.
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]*")
# ZIP stores MS-DOS timestamps: 1980-01-01 to 2107-12-31.
ZIP_YEARS = (1980, 2107)
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


def check_descriptor(pkg: Package, out: Collector) -> None:
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
