"""Opening a package: reading `datapackage.json` and `schemas/*.json`, checking them, or a PackageError.

This is the one place that reads the descriptor and the Table Schemas. It hands each resource over
checked (its paths inside the package, its schema usable, its keys and dialect well formed) as an
`Entry`, from which `Package.open` (ecocluster.package.model) makes the library's objects.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from ..base.paths import resolve_package
from ..errors import PackageError
from .features import dialect_problem, key_list, schema_problem
from .paths import inside, read_bytes

# How deep a descriptor or a Table Schema may nest arrays and objects. Both are a few levels deep;
# json's C parser recurses once per level and, with a raised recursion limit (a user's program may set
# one), overflows the C stack and kills the process far below what it would refuse. So the depth is
# measured first, without recursion (`_depth`), whatever the recursion limit.
MAX_DEPTH = 100
_JSON_TOKENS = re.compile(r'[\[\]{}"\\]')

# A resource name is used as a file name and an SQL name by the exporters: Frictionless's own rule.
RESOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")

ForeignKeyEntry = tuple[tuple[str, ...], str, tuple[str, ...]]  # (fields, resource, reference fields)


class Entry(NamedTuple):
    """One resource of the descriptor, checked: what a `Resource` is made from."""

    name: str
    title: str
    description: str
    path: str  # relative to the package root, POSIX style
    schema_path: str  # "" for a schema given inline
    schema: dict[str, Any]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKeyEntry, ...]  # self-references resolved to the resource's own name
    dialect: tuple[str, str]  # (delimiter, quote character)


def read_package(path: str | Path | None) -> tuple[Path, dict[str, Any], tuple[Entry, ...]]:
    """The descriptor at `path` (a descriptor or a folder holding one; None for the shipped one), its
    content and its resources, each checked; a PackageError for the first problem."""
    descriptor_path = resolve_package(path).resolve()
    root = descriptor_path.parent
    descriptor = read_json(descriptor_path, "descriptor-invalid")
    if not isinstance(descriptor, dict):
        raise PackageError("descriptor-invalid", f"{descriptor_path.name} is not a JSON object",
                           "The descriptor must be a JSON object with a `resources` list.")
    raw = descriptor.get("resources")
    if not isinstance(raw, list) or not raw:
        raise PackageError("descriptor-no-resources", f"{descriptor_path.name} names no resources",
                           "Add a `resources` list with one entry per table.")
    entries = tuple(_entry(root, r, i) for i, r in enumerate(raw))
    seen: set[str] = set()
    for entry in entries:
        if entry.name in seen:
            raise PackageError("resource-name-duplicate", f"two resources are named `{entry.name}`",
                               "Give each resource its own name.", entry.name)
        seen.add(entry.name)
    return descriptor_path, descriptor, entries


def _depth(text: str, limit: int = MAX_DEPTH) -> int:
    """The deepest nesting of arrays and objects in JSON `text`, brackets inside strings not counted;
    it stops as soon as `limit` is passed. A walk over the brackets, quotes and backslashes only."""
    if text.count("[") + text.count("{") <= limit:
        return 0  # cannot nest deeper than it has brackets
    depth = peak = 0
    in_string = False
    skip = -1  # the character a backslash escapes, inside a string
    for m in _JSON_TOKENS.finditer(text):
        at, ch = m.start(), m.group()
        if at == skip:
            continue
        if in_string:
            if ch == "\\":
                skip = at + 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return depth
            peak = max(peak, depth)
        elif ch in "]}":
            depth -= 1
    return peak


def read_json(path: Path, code: str = "descriptor-invalid", resource: str | None = None) -> Any:
    """The JSON document at `path`: a regular file (no FIFO or device, read without blocking), at most
    `paths.MAX_READ_BYTES`, nested at most MAX_DEPTH levels; else a PackageError `code`."""
    try:
        text = read_bytes(path, "file", code, resource).decode("utf-8")
        if _depth(text) > MAX_DEPTH:
            raise RecursionError
        return json.loads(text)
    except FileNotFoundError:
        raise PackageError(code.replace("invalid", "missing"), f"{path.name} does not exist",
                           "Check the path in datapackage.json.", resource) from None
    except RecursionError:  # nested deeper than MAX_DEPTH (json would recurse once per level)
        raise PackageError(code, f"{path.name} nests arrays or objects more than {MAX_DEPTH} levels deep",
                           "A descriptor or Table Schema is a few levels deep; remove the nesting.",
                           resource) from None
    except OSError as e:  # permission denied, a folder in its place, a name too long, an I/O error
        raise PackageError(code, f"{path.name} cannot be read: {e.strerror or e}",
                           "Check that the file exists, is a file, and is readable.", resource) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        raise PackageError(code, f"{path.name} is not valid JSON{where}: {e}",
                           "Fix the JSON syntax; a trailing comma or a missing quote is the usual cause.",
                           resource) from None
    except ValueError as e:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise PackageError(code, f"{path.name} holds a number that cannot be read: {str(e).split(';')[0]}",
                           "Write numbers with at most a few dozen digits.", resource) from None


def _entry(root: Path, r: Any, index: int) -> Entry:
    if not isinstance(r, dict) or not isinstance(r.get("name"), str):
        raise PackageError("descriptor-invalid", f"resource #{index + 1} has no name",
                           "Each resource needs a `name`, a `path` and a `schema`.")
    name = r["name"]
    if not RESOURCE_NAME.fullmatch(name):
        raise PackageError("resource-name-invalid", f"resource #{index + 1} is named {name!r}",
                           "Name resources with lowercase letters, digits, `_`, `.` and `-`, starting with a letter "
                           "or digit (e.g. `org_relations`): the name becomes a file name and an SQL table name.",
                           None)
    for key in ("title", "description"):
        if key in r and not isinstance(r[key], str):
            raise PackageError("descriptor-invalid", f"the {key} of resource `{name}` is not a string",
                               "Give the resource's title and description as strings.", name)
    # regular=False: a missing CSV is the reader's `file-missing`, a missing schema `schema-missing` below
    path = r.get("path")
    inside(root, path, "path", name, regular=False)  # so a non-empty str from here on
    encoding = r.get("encoding", "utf-8")
    if not isinstance(encoding, str) or encoding.lower().replace("-", "") != "utf8":
        raise PackageError("descriptor-invalid", f"`{name}` declares the encoding {encoding!r}; ecocluster reads "
                           "UTF-8 only", "Save the file as UTF-8 and remove `encoding` (or set it to utf-8).", name)
    schema, schema_path = _schema(root, r.get("schema"), name)
    return Entry(name=name, title=r.get("title", ""), description=r.get("description", ""), path=str(path),
                 schema_path=schema_path, schema=schema, primary_key=tuple(key_list(schema.get("primaryKey", []))),
                 foreign_keys=_foreign_keys(schema, name), dialect=_dialect(r, name))


def _schema(root: Path, ref: Any, name: str) -> tuple[dict[str, Any], str]:
    """The resource's Table Schema, given inline or by a path inside the package, and that path ("" inline)."""
    if isinstance(ref, dict):
        schema, schema_path = ref, ""
    else:
        schema_path = ref
        schema_file = inside(root, ref, "schema", name, regular=False)
        schema = read_json(schema_file, "schema-invalid", name)
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise PackageError("schema-invalid", f"the schema of `{name}` has no `fields` list",
                           "A Table Schema is a JSON object with a `fields` list.", name)
    problem = schema_problem(schema)
    if problem:
        raise PackageError("schema-invalid", f"the schema of `{name}`: {problem}",
                           "Fix the Table Schema (https://datapackage.org/standard/table-schema/).", name)
    return schema, schema_path


def _foreign_keys(schema: dict[str, Any], name: str) -> tuple[ForeignKeyEntry, ...]:
    fks = []
    try:
        for fk in schema.get("foreignKeys", []):
            fields = key_list(fk["fields"])
            ref = fk["reference"]
            ref_fields = key_list(ref["fields"])
            if (not isinstance(ref_fields, list) or len(ref_fields) != len(fields)
                    or not all(isinstance(x, str) for x in ref_fields)
                    or not isinstance(ref.get("resource", ""), str)):
                raise TypeError
            fks.append((tuple(fields), ref.get("resource") or name, tuple(ref_fields)))
    except (KeyError, TypeError, IndexError, AttributeError):
        raise PackageError("schema-invalid", f"a foreign key of `{name}` is malformed",
                           "A foreign key needs `fields` and a `reference` with `resource` and as many `fields`.",
                           name) from None
    return tuple(fks)


def _dialect(r: dict[str, Any], name: str) -> tuple[str, str]:
    d = r.get("dialect", {})
    problem = dialect_problem(name, d)
    if problem:
        message, hint = problem
        raise PackageError("descriptor-invalid", message, hint, name)
    return d.get("delimiter", ","), d.get("quoteChar", '"')
