"""The data package as the library sees it: descriptor, resources and their Table Schemas.

Validation, loading, exports and docs all take a `Package` from `Package.open()` rather than parsing
JSON themselves; the reading and checking is ecocluster.package.opening's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PackageError
from .opening import Entry, read_package
from .paths import MAX_READ_BYTES, inside, read_bytes

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
    """The CSV dialect a resource declares; only what the reader enforces is accepted (see
    `features.dialect_problem`)."""

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

    @classmethod
    def from_entry(cls, e: Entry) -> Resource:
        return cls(name=e.name, title=e.title, description=e.description, path=e.path, schema_path=e.schema_path,
                   fields=tuple(Field.from_descriptor(f) for f in e.schema["fields"]), primary_key=e.primary_key,
                   foreign_keys=tuple(ForeignKey(*fk) for fk in e.foreign_keys), schema=e.schema,
                   dialect=Dialect(*e.dialect))

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

    def listed(self, key: str) -> list[Any]:
        """The descriptor's list under `key` (`keywords`, …); [] when it is missing or not a list, so
        an export never iterates over a number or the letters of a string."""
        value = self.descriptor.get(key)
        return value if isinstance(value, list) else []

    def entries(self, key: str) -> list[dict[str, Any]]:
        """The objects of the descriptor's list under `key` (`licenses`, `sources`, `contributors`):
        whatever else the list holds is left out. `validate` says what is wrong with them
        (descriptor-field-invalid); every other command reads them through here."""
        return [x for x in self.listed(key) if isinstance(x, dict)]

    def resource(self, name: str) -> Resource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def resource_names(self) -> list[str]:
        return [r.name for r in self.resources]

    def csv_path(self, resource: Resource | str) -> Path:
        """The resource's CSV file (it may be missing: the reader reports that as `file-missing`)."""
        res = self.resource(resource) if isinstance(resource, str) else resource
        return inside(self.root, res.path, "path", res.name, regular=False)

    def file(self, rel: str) -> Path | None:
        """A file the package may hold beside its tables (CITATION.cff, LICENSE, …): its path when it is
        a regular file inside the package folder; None when it is missing, not a file, or leads out of
        the package, so an optional file that is not safe to read is treated as absent."""
        try:
            return inside(self.root, rel)
        except PackageError:
            return None

    def read(self, rel: str, cap: int = MAX_READ_BYTES) -> bytes | None:
        """The bytes of such a file (`file`), read through the one path check without blocking and at
        most `cap` of them; None when it is absent, not a regular file, too large or unreadable, so an
        optional file that is not safe to read is treated as absent."""
        path = self.file(rel)
        if path is None:
            return None
        try:
            return read_bytes(path, cap=cap)
        except (PackageError, OSError):
            return None

    @classmethod
    def open(cls, path: str | Path | None = None) -> Package:
        """Open the package at `path` (a descriptor or a folder holding one); None opens the shipped one."""
        descriptor_path, descriptor, entries = read_package(path)
        return cls(root=descriptor_path.parent, descriptor_path=descriptor_path, descriptor=descriptor,
                   resources=tuple(Resource.from_entry(e) for e in entries))
