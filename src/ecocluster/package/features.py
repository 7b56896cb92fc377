"""The Table Schema and CSV dialect features ecocluster accepts: each is enforced or refused, never ignored.

A feature the reader, validator and exporters all handle is accepted; any other (a type, a format, a
constraint, a field or dialect property of the standard) makes the schema or descriptor unusable, so
a declared rule is never silently dropped (docs/validation.md, "What ecocluster enforces"). Each
function here says what is wrong, as text, or None; the opening (ecocluster.package.opening) raises it.
"""

from __future__ import annotations

import json
from typing import Any

# Field names beginning with `__` are the validator's own working columns (line numbers, hashes).
RESERVED_PREFIX = "__"

# Table Schema types, and the ones the reader, validator and exporters all handle. Another type is
# refused with `schema-invalid` rather than read as text.
_TYPES = {"string", "number", "integer", "boolean", "object", "array", "list", "date", "time", "datetime",
          "year", "yearmonth", "duration", "geopoint", "geojson", "any"}
SUPPORTED_TYPES = ("string", "number", "integer", "boolean", "date", "year")
_CONSTRAINTS = {"required", "unique", "pattern", "enum", "minimum", "maximum", "minLength", "maxLength"}
# Field properties of the standard that change how a value is read; ecocluster reads the defaults only.
_UNSUPPORTED_FIELD_KEYS = ("trueValues", "falseValues", "bareNumber", "decimalChar", "groupChar", "missingValues")
_FORMATS = {"string": {"default", "uri"}}  # other types: only the default format

# CSV dialect properties (Table Dialect / CSV Dialect): the ones the reader follows, and for the rest
# the only value it reads correctly; anything else is refused.
_DIALECT_DEFAULTS: dict[str, Any] = {"doubleQuote": True, "header": True, "skipInitialSpace": False,
                                     "headerRows": [1], "caseSensitiveHeader": True}
_DIALECT_IGNORED = {"$schema", "csvddfVersion", "lineTerminator"}  # lineTerminator is a writing hint


def key_list(value: Any) -> list[Any]:
    """A key's fields as a list: Table Schema allows one field name as a string."""
    return [value] if isinstance(value, str) else value


def schema_problem(schema: dict[str, Any]) -> str | None:
    """What makes a Table Schema unusable (its shape, not its data), or None."""
    names: list[str] = []
    for i, f in enumerate(schema["fields"]):
        problem = _field_problem(i, f, names)
        if problem:
            return problem
        names.append(f["name"])
    return _table_problem(schema, names) or _foreign_keys_problem(schema, names)


def _field_problem(i: int, f: Any, names: list[str]) -> str | None:
    if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
        return f"field #{i + 1} has no name"
    name = f["name"]
    if name.startswith(RESERVED_PREFIX) or not name.isprintable():
        return (f"field {name!r} has a name the validator reserves (`{RESERVED_PREFIX}…`) or that holds "
                "control or invisible characters")
    if name in names:
        return f"field `{name}` is declared twice"
    return _type_problem(name, f) or _constraints_problem(name, f)


def _type_problem(name: str, f: dict[str, Any]) -> str | None:
    """The field's type, format and the properties that change how a value is read."""
    type_ = f.get("type", "string")
    if not isinstance(type_, str) or type_ not in _TYPES:
        return f"field `{name}` has an unknown type {type_!r}"
    if type_ not in SUPPORTED_TYPES:
        return (f"field `{name}` has type `{type_}`, which ecocluster does not support (it reads "
                f"{', '.join(SUPPORTED_TYPES)})")
    for key in ("title", "description", "format"):
        if key in f and not isinstance(f[key], str):
            return f"the {key} of `{name}` is not a string"
    fmt = f.get("format", "default")
    if fmt not in _FORMATS.get(type_, {"default"}):
        return f"field `{name}` has format {fmt!r}, which ecocluster does not support for type `{type_}`"
    for key in _UNSUPPORTED_FIELD_KEYS:
        if key in f:
            return f"field `{name}` sets `{key}`, which ecocluster does not support"
    return None


def _constraints_problem(name: str, f: dict[str, Any]) -> str | None:
    c = f.get("constraints", {})
    if not isinstance(c, dict):
        return f"the constraints of `{name}` are not an object"
    unknown = sorted(set(c) - _CONSTRAINTS)
    if unknown:
        return f"field `{name}` has the constraint `{unknown[0]}`, which ecocluster does not support"
    if "pattern" in c and not isinstance(c["pattern"], str):
        return f"the pattern of `{name}` is not a string"
    if "enum" in c and not (isinstance(c["enum"], list) and all(isinstance(v, str) for v in c["enum"])):
        return f"the enum of `{name}` is not a list of strings"
    if "enum" in c and len(set(c["enum"])) != len(c["enum"]):
        return f"the enum of `{name}` lists a code twice"  # a typed enum column cannot hold repeats
    for flag in ("required", "unique"):
        if flag in c and not isinstance(c[flag], bool):
            return f"`{flag}` of `{name}` is not true or false"
    return _categories_problem(name, f, c) or _bounds_problem(name, c)


def _bounds_problem(name: str, c: dict[str, Any]) -> str | None:
    for bound in ("minimum", "maximum"):
        if bound in c and (not isinstance(c[bound], int | float) or isinstance(c[bound], bool)
                           or c[bound] != c[bound]):
            return f"the {bound} of `{name}` is not a number"
        # a bound is compared with 64-bit numbers: `Infinity`, or an integer of more digits, has no place there
        if bound in c and (c[bound] in (float("inf"), float("-inf"))
                           or (isinstance(c[bound], int) and not -(2**63) <= c[bound] < 2**63)):
            return f"the {bound} of `{name}` is not a finite number that fits in 64 bits"
    for bound in ("minLength", "maxLength"):
        if bound in c and (not isinstance(c[bound], int) or isinstance(c[bound], bool) or c[bound] < 0):
            return f"the {bound} of `{name}` is not a non-negative integer"
    return None


def _categories_problem(name: str, f: dict[str, Any], c: dict[str, Any]) -> str | None:
    """What makes a field's `categories` (Table Schema v2) or legacy `enumDescriptions` unusable."""
    descriptions = f.get("enumDescriptions", {})
    if not isinstance(descriptions, dict) or not all(isinstance(v, str) for v in descriptions.values()):
        return f"the enumDescriptions of `{name}` are not an object of strings"
    if "categories" not in f:
        return None
    cats = f["categories"]
    if f.get("type", "string") != "string":
        return f"field `{name}` has categories, which ecocluster reads on string fields only"
    if not isinstance(cats, list) or not cats or not all(
            isinstance(x, str) or (isinstance(x, dict) and isinstance(x.get("value"), str)
                                   and isinstance(x.get("label", ""), str)) for x in cats):
        return (f"the categories of `{name}` are not a list of strings or of objects with a string `value` "
                "(and an optional string `label`)")
    values = [x if isinstance(x, str) else x["value"] for x in cats]
    labels = [x["label"] for x in cats if isinstance(x, dict) and "label" in x]
    if len(set(values)) != len(values) or len(set(labels)) != len(labels):
        return f"the categories of `{name}` list a value or a label twice"
    extra = [v for v in c.get("enum", []) if v not in values] if isinstance(c.get("enum"), list) else []
    if extra:
        return f"the enum of `{name}` holds `{extra[0]}`, which its categories do not list"
    return None


def _table_problem(schema: dict[str, Any], names: list[str]) -> str | None:
    """The schema's own properties: its primary key, missing values and header rule."""
    pk = key_list(schema.get("primaryKey", []))
    if not isinstance(pk, list) or any(k not in names for k in pk):
        return "its primaryKey names a field it does not have"
    if len(set(pk)) != len(pk):
        return "its primaryKey names a field twice"
    mv = schema.get("missingValues", [""])
    if not isinstance(mv, list) or not all(isinstance(v, str) for v in mv):
        return "missingValues is not a list of strings"
    for key in ("uniqueKeys",):
        if key in schema:
            return f"it sets `{key}`, which ecocluster does not support"
    if schema.get("fieldsMatch", "exact") != "exact":
        return "its fieldsMatch is not `exact`, the only header rule ecocluster enforces"
    return None


def _foreign_keys_problem(schema: dict[str, Any], names: list[str]) -> str | None:
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        return "foreignKeys is not a list"
    for fk in fks:
        fields = key_list(fk.get("fields")) if isinstance(fk, dict) else None
        if not isinstance(fields, list) or not fields or any(not isinstance(f, str) or f not in names
                                                             for f in fields):
            return "a foreign key names a field it does not have"
        ref = fk.get("reference")
        ref_fields = ref.get("fields") if isinstance(ref, dict) else None
        ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields
        if (not isinstance(ref, dict) or not isinstance(ref.get("resource", ""), str)
                or not isinstance(ref_fields, list) or not ref_fields
                or not all(isinstance(f, str) for f in ref_fields)):
            return "a foreign key's reference is not a resource name and a list of field names"
    return None


def dialect_problem(name: str, d: Any) -> tuple[str, str] | None:
    """What makes resource `name`'s CSV dialect `d` unusable, and the hint, or None."""
    if not isinstance(d, dict):
        return (f"the dialect of `{name}` is not an object",
                "Give a CSV dialect object, e.g. {\"delimiter\": \";\"}, or leave it out.")
    for key, value in d.items():
        if key in ("delimiter", "quoteChar"):
            if not (isinstance(value, str) and len(value) == 1 and value.isascii() and value not in "\r\n"):
                return (f"the dialect of `{name}`: {key} must be one ASCII character other than a line break",
                        "Use a single character such as `;`.")
        elif key in _DIALECT_DEFAULTS:
            if value != _DIALECT_DEFAULTS[key]:
                return (f"the dialect of `{name}` sets {key} = {json.dumps(value)}, which ecocluster does not "
                        "support", f"Write the file with {key} = {json.dumps(_DIALECT_DEFAULTS[key])}.")
        elif key not in _DIALECT_IGNORED:
            return (f"the dialect of `{name}` sets `{key}`, which ecocluster does not support",
                    "Remove it and write the file in the default CSV dialect.")
    if d.get("delimiter", ",") == d.get("quoteChar", '"'):
        return (f"the dialect of `{name}` uses one character as delimiter and quote",
                "Give them different characters.")
    return None
