"""The data package as the library sees it: descriptor, resources and their Table Schemas.

    model.py     Package, Resource, Field, ForeignKey: what the other stages take
    opening.py   reading datapackage.json and schemas/*.json, checked (PackageError otherwise)
    features.py  the Table Schema and CSV dialect features accepted: each enforced or refused
    paths.py     the one check of a path inside the package folder, and reading a file there safely
    limits.py    what the export formats can hold: names and cell sizes, checked by validate
    citation.py  CITATION.cff, read without YAML aliases or deep nesting
    archive.py   opening a release archive; remote.py fetching a published release
"""

from __future__ import annotations

from .features import RESERVED_PREFIX, SUPPORTED_TYPES
from .model import COUNTRY_PATTERN, DATE_PATTERN, LANGUAGE_PATTERN, Dialect, Field, ForeignKey, Package, Resource
from .opening import RESOURCE_NAME
from .paths import MAX_NAME_BYTES, inside

__all__ = ["COUNTRY_PATTERN", "DATE_PATTERN", "LANGUAGE_PATTERN", "MAX_NAME_BYTES", "RESERVED_PREFIX",
           "RESOURCE_NAME", "SUPPORTED_TYPES", "Dialect", "Field", "ForeignKey", "Package", "Resource", "inside"]
