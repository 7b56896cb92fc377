"""The data package as the library sees it: descriptor, resources and their Table Schemas.

This is the one place that reads `datapackage.json` and `schemas/*.json`. Validation, loading,
exports and docs all take a `Package` from `Package.open()` rather than parsing JSON themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..base.paths import resolve_package
from ..errors import PackageError

# A reduced-precision ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD. A field whose pattern is this one
# holds such dates; the validator also checks they are real calendar days.
DATE_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
# A BCP 47 language tag in the shape this data model uses: language, optional script, optional region.
LANGUAGE_PATTERN = "^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"
# An ISO 3166-1 alpha-2 country code (the validator also checks the code is assigned).
COUNTRY_PATTERN = "^[A-Z]{2}$"
# An ID or a reference to IDs: `^<prefix>-…$` or `^(<prefix>|<prefix>…)-…$` with the slug tail below.
_ID_TAIL = "-[a-z0-9]+(-[a-z0-9]+)*$"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str = ""
    description: str = ""
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    # code -> its label, from the field's Table Schema v2 `categories` ({"value", "label"})
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    minimum: float | None = None
    maximum: float | None = None
    format: str | None = None
    min_length: int | None = None
    max_length: int | None = None

    @property
    def is_date(self) -> bool:
        """A reduced-precision date held as a string."""
        return self.type == "string" and self.pattern == DATE_PATTERN

    @property
    def is_language(self) -> bool:
        """A BCP 47 language tag."""
        return self.type == "string" and self.pattern == LANGUAGE_PATTERN

    @property
    def is_country(self) -> bool:
        """An ISO 3166-1 alpha-2 country code."""
        return self.type == "string" and self.pattern == COUNTRY_PATTERN

    @property
    def id_prefixes(self) -> tuple[str, ...]:
        """The ID prefixes this field's pattern allows (`("org", "person")`), or () if it holds no IDs."""
        pattern = self.pattern or ""
        if self.type != "string" or not pattern.startswith("^") or not pattern.endswith(_ID_TAIL):
            return ()
        head = pattern[1:-len(_ID_TAIL)]
        if head.startswith("(") and head.endswith(")"):
            head = head[1:-1]
        prefixes = tuple(head.split("|"))
        return prefixes if all(p.isalnum() and p.islower() for p in prefixes) else ()

    @classmethod
    def from_descriptor(cls, d: dict[str, Any]) -> Field:
        c = d.get("constraints", {})
        categories = [x if isinstance(x, dict) else {"value": x} for x in d.get("categories", [])]
        # `categories` restricts the values as an enum does (Table Schema v2); an enum beside it, a subset
        enum = c.get("enum", [x["value"] for x in categories] if "categories" in d else None)
        labels = {x["value"]: x["label"] for x in categories if "label" in x}
        if "categories" not in d:  # schemas written before 0.3 described their codes in `enumDescriptions`
            labels = dict(d.get("enumDescriptions", {}))
        return cls(
            name=d["name"], type=d.get("type", "string"), title=d.get("title", ""),
            description=d.get("description", ""), required=bool(c.get("required", False)),
            unique=bool(c.get("unique", False)), pattern=c.get("pattern"),
            enum=tuple(enum) if enum is not None else None,
            labels=labels,
            minimum=c.get("minimum"), maximum=c.get("maximum"), format=d.get("format"),
            min_length=c.get("minLength"), max_length=c.get("maxLength"),
        )


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # the referenced resource's name (never "": self-references are resolved)
    reference_fields: tuple[str, ...]

    @property
    def field(self) -> str:
        """The first (for a single-column key, the only) referencing field."""
        return self.fields[0]

    @property
    def reference_field(self) -> str:
        return self.reference_fields[0]

    @property
    def composite(self) -> bool:
        return len(self.fields) > 1


@dataclass(frozen=True)
class Dialect:
    """The CSV dialect a resource declares; only what the reader enforces is accepted (see `_dialect`)."""

    delimiter: str = ","
    quote_char: str = '"'


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    path: str  # relative to the package root, POSIX style
    schema_path: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    schema: dict[str, Any] = field(compare=False, hash=False, repr=False)
    dialect: Dialect = field(default_factory=Dialect)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def id_prefix(self) -> str | None:
        """The table's ID prefix (`org` for `org-…`), read from the `id` field's pattern."""
        if self.primary_key != ("id",) or "id" not in self.field_names:
            return None
        prefixes = self.field("id").id_prefixes
        return prefixes[0] if len(prefixes) == 1 else None


@dataclass(frozen=True)
class Package:
    root: Path
    descriptor_path: Path
    descriptor: dict[str, Any] = field(repr=False)
    resources: tuple[Resource, ...]

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    def resource(self, name: str) -> Resource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def resource_names(self) -> list[str]:
        return [r.name for r in self.resources]

    def csv_path(self, resource: Resource | str) -> Path:
        res = self.resource(resource) if isinstance(resource, str) else resource
        return self.root / res.path

    @classmethod
    def open(cls, path: str | Path | None = None) -> Package:
        """Open the package at `path` (a descriptor or a folder holding one); None opens the shipped one."""
        descriptor_path = resolve_package(path).resolve()
        root = descriptor_path.parent
        descriptor = _read_json(descriptor_path, "descriptor-invalid")
        if not isinstance(descriptor, dict):
            raise PackageError("descriptor-invalid", f"{descriptor_path.name} is not a JSON object",
                               "The descriptor must be a JSON object with a `resources` list.")
        raw = descriptor.get("resources")
        if not isinstance(raw, list) or not raw:
            raise PackageError("descriptor-no-resources", f"{descriptor_path.name} names no resources",
                               "Add a `resources` list with one entry per table.")
        resources = tuple(_resource(root, r, i) for i, r in enumerate(raw))
        seen: set[str] = set()
        for res in resources:
            if res.name in seen:
                raise PackageError("resource-name-duplicate", f"two resources are named `{res.name}`",
                                   "Give each resource its own name.", res.name)
            seen.add(res.name)
        return cls(root=root, descriptor_path=descriptor_path, descriptor=descriptor, resources=resources)


# A resource name is used as a file name and an SQL name by the exporters: Frictionless's own rule.
RESOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
# Field names beginning with `__` are the validator's own working columns (line numbers, hashes).
RESERVED_PREFIX = "__"
MAX_NAME_BYTES = 255  # a path component longer than this cannot be opened on common file systems


def _read_json(path: Path, code: str, resource: str | None = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(code.replace("invalid", "missing"), f"{path.name} does not exist",
                           "Check the path in datapackage.json.", resource) from None
    except RecursionError:  # json recurses once per nested array or object
        raise PackageError(code, f"{path.name} is nested too deeply to be read",
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


def safe_member(root: Path, rel: Any, what: str, resource: str | None) -> str:
    """A path inside the package folder, or a PackageError: no URLs, no absolute paths, no `..`."""
    if not isinstance(rel, str) or not rel:
        raise PackageError("resource-path-invalid", f"{what} must be a relative path string",
                           "Give a path such as `data/table.csv`.", resource)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in rel):  # a NUL cannot reach the OS at all
        raise PackageError("resource-path-invalid", f"{what} {rel!r} holds a control character",
                           "Give a path such as `data/table.csv`.", resource)
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in rel.split("/")):
        raise PackageError("resource-path-invalid", f"{what} has a folder or file name over {MAX_NAME_BYTES} bytes",
                           "Give a path such as `data/table.csv`.", resource)
    if "://" in rel:
        raise PackageError("resource-path-remote", f"{what} `{rel}` is a URL; validation never reads the network",
                           "Put the file in the package folder and give its relative path.", resource)
    p = PurePosixPath(rel)
    if p.is_absolute() or rel.startswith("\\") or ".." in p.parts or (len(rel) > 1 and rel[1] == ":"):
        raise PackageError("resource-path-outside", f"{what} `{rel}` leaves the package folder",
                           "Use a path relative to datapackage.json, without `..` or a leading `/`.", resource)
    # The one resolved-path check every file read passes through: a symbolic link (of the file or of a
    # folder on its way) that leads out of the package is refused, so no command reads, reports or
    # ships a file from elsewhere.
    try:
        inside = (root / rel).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        inside = False
    if not inside:
        raise PackageError("resource-path-outside", f"{what} `{rel}` is a symbolic link that leads out of the "
                           "package folder", "Copy the file into the package instead of linking to it.", resource)
    return rel


# Table Schema types, and the ones the reader, validator and exporters all handle. Another type is
# refused with `schema-invalid` rather than read as text: a declared rule is enforced or refused,
# never ignored (docs/validation.md, "What ecocluster enforces").
_TYPES = {"string", "number", "integer", "boolean", "object", "array", "list", "date", "time", "datetime",
          "year", "yearmonth", "duration", "geopoint", "geojson", "any"}
SUPPORTED_TYPES = ("string", "number", "integer", "boolean", "date", "year")
_CONSTRAINTS = {"required", "unique", "pattern", "enum", "minimum", "maximum", "minLength", "maxLength"}
# Field properties of the standard that change how a value is read; ecocluster reads the defaults only.
_UNSUPPORTED_FIELD_KEYS = ("trueValues", "falseValues", "bareNumber", "decimalChar", "groupChar", "missingValues")
_FORMATS = {"string": {"default", "uri"}}  # other types: only the default format


def _field_problem(i: int, f: Any, names: list[str]) -> str | None:
    if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
        return f"field #{i + 1} has no name"
    name, c, type_ = f["name"], f.get("constraints", {}), f.get("type", "string")
    if name.startswith(RESERVED_PREFIX) or not name.isprintable():
        return (f"field {name!r} has a name the validator reserves (`{RESERVED_PREFIX}…`) or that holds "
                "control or invisible characters")
    if name in names:
        return f"field `{name}` is declared twice"
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
    problem = _categories_problem(name, f, c)
    if problem:
        return problem
    for bound in ("minimum", "maximum"):
        if bound in c and (not isinstance(c[bound], int | float) or isinstance(c[bound], bool)
                           or c[bound] != c[bound]):
            return f"the {bound} of `{name}` is not a number"
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


def _key_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else value


def _schema_problem(schema: dict[str, Any]) -> str | None:
    """What makes a Table Schema unusable (its shape, not its data), or None."""
    names: list[str] = []
    for i, f in enumerate(schema["fields"]):
        problem = _field_problem(i, f, names)
        if problem:
            return problem
        names.append(f["name"])
    pk = _key_list(schema.get("primaryKey", []))
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
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        return "foreignKeys is not a list"
    for fk in fks:
        fields = _key_list(fk.get("fields")) if isinstance(fk, dict) else None
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


# CSV dialect properties (Table Dialect / CSV Dialect): the ones the reader follows, and for the rest
# the only value it reads correctly; anything else is refused.
_DIALECT_DEFAULTS: dict[str, Any] = {"doubleQuote": True, "header": True, "skipInitialSpace": False,
                                     "headerRows": [1], "caseSensitiveHeader": True}
_DIALECT_IGNORED = {"$schema", "csvddfVersion", "lineTerminator"}  # lineTerminator is a writing hint


def _dialect(r: dict[str, Any], name: str) -> Dialect:
    d = r.get("dialect", {})
    if not isinstance(d, dict):
        raise PackageError("descriptor-invalid", f"the dialect of `{name}` is not an object",
                           "Give a CSV dialect object, e.g. {\"delimiter\": \";\"}, or leave it out.", name)
    for key, value in d.items():
        if key in ("delimiter", "quoteChar"):
            if not (isinstance(value, str) and len(value) == 1 and value.isascii() and value not in "\r\n"):
                raise PackageError("descriptor-invalid", f"the dialect of `{name}`: {key} must be one ASCII "
                                   "character other than a line break", "Use a single character such as `;`.", name)
        elif key in _DIALECT_DEFAULTS:
            if value != _DIALECT_DEFAULTS[key]:
                raise PackageError("descriptor-invalid", f"the dialect of `{name}` sets {key} = "
                                   f"{json.dumps(value)}, which ecocluster does not support",
                                   f"Write the file with {key} = {json.dumps(_DIALECT_DEFAULTS[key])}.", name)
        elif key not in _DIALECT_IGNORED:
            raise PackageError("descriptor-invalid", f"the dialect of `{name}` sets `{key}`, which ecocluster "
                               "does not support", "Remove it and write the file in the default CSV dialect.", name)
    dialect = Dialect(d.get("delimiter", ","), d.get("quoteChar", '"'))
    if dialect.delimiter == dialect.quote_char:
        raise PackageError("descriptor-invalid", f"the dialect of `{name}` uses one character as delimiter "
                           "and quote", "Give them different characters.", name)
    return dialect


def _resource(root: Path, r: Any, index: int) -> Resource:
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
    path = safe_member(root, r.get("path"), "path", name)
    encoding = r.get("encoding", "utf-8")
    if not isinstance(encoding, str) or encoding.lower().replace("-", "") != "utf8":
        raise PackageError("descriptor-invalid", f"`{name}` declares the encoding {encoding!r}; ecocluster reads "
                           "UTF-8 only", "Save the file as UTF-8 and remove `encoding` (or set it to utf-8).", name)
    schema_ref = r.get("schema")
    if isinstance(schema_ref, dict):
        schema, schema_path = schema_ref, ""
    else:
        schema_path = safe_member(root, schema_ref, "schema", name)
        schema = _read_json(root / schema_path, "schema-invalid", name)
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise PackageError("schema-invalid", f"the schema of `{name}` has no `fields` list",
                           "A Table Schema is a JSON object with a `fields` list.", name)
    problem = _schema_problem(schema)
    if problem:
        raise PackageError("schema-invalid", f"the schema of `{name}`: {problem}",
                           "Fix the Table Schema (https://datapackage.org/standard/table-schema/).", name)
    fields = tuple(Field.from_descriptor(f) for f in schema["fields"])
    pk = schema.get("primaryKey", [])
    pk = (pk,) if isinstance(pk, str) else tuple(pk)
    fks = []
    try:
        for fk in schema.get("foreignKeys", []):
            fields_ = _key_list(fk["fields"])
            ref = fk["reference"]
            ref_fields = _key_list(ref["fields"])
            if (not isinstance(ref_fields, list) or len(ref_fields) != len(fields_)
                    or not all(isinstance(x, str) for x in ref_fields)
                    or not isinstance(ref.get("resource", ""), str)):
                raise TypeError
            fks.append(ForeignKey(tuple(fields_), ref.get("resource") or name, tuple(ref_fields)))
    except (KeyError, TypeError, IndexError, AttributeError):
        raise PackageError("schema-invalid", f"a foreign key of `{name}` is malformed",
                           "A foreign key needs `fields` and a `reference` with `resource` and as many `fields`.",
                           name) from None
    return Resource(name=name, title=r.get("title", ""), description=r.get("description", ""), path=path,
                    schema_path=schema_path, fields=fields, primary_key=pk, foreign_keys=tuple(fks), schema=schema,
                    dialect=_dialect(r, name))
