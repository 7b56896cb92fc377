"""Parquet: one file per table straight from the typed Arrow tables, and a descriptor for them.

Enums are dictionary-encoded strings whose dictionary is every declared code in declared order, so
pandas reads them as categoricals with that order. Reduced-precision dates stay strings, with two
typed date columns beside each (`<name>_earliest`, `<name>_latest`) for range queries. Titles and
descriptions travel as field and schema metadata; `datapackage.json` describes the files for
Frictionless tools.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.escape import file_name
from ..base.files import atomic_path, write_text
from ..base.mediatypes import MEDIA_TYPES
from ..errors import ExportError
from ..package import Field, Resource
from ..tables import Tables, bound_clashes, bound_names, date_bounds_columns

if TYPE_CHECKING:
    import pyarrow as pa

NAME = "parquet"
FOLDER = "parquet"
MEDIATYPE = MEDIA_TYPES[".parquet"]


def _arrow_type(f: Field) -> pa.DataType:
    import pyarrow as pa

    if f.enum is not None and f.type == "string":
        return pa.dictionary(pa.int16(), pa.string())
    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
             "date": pa.date32(), "year": pa.int64()}
    if f.type not in types:
        raise ExportError(f"field `{f.name}` has type `{f.type}`, which the Parquet export does not map")
    return types[f.type]


def _meta(title: str, description: str, **extra: Any) -> dict[bytes, bytes]:
    meta = {"title": title, "description": description, **extra}
    return {k.encode(): (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)).encode()
            for k, v in meta.items() if v not in (None, "")}


def arrow_table(tables: Tables, res: Resource) -> pa.Table:
    """The table as Arrow, typed by its Table Schema, with each date's bounds."""
    import pyarrow as pa

    clash = bound_clashes(res)
    if clash:
        raise ExportError(f"{res.name} already has a column `{clash[0]}`, a name the Parquet export needs")
    data = date_bounds_columns(tables[res.name], res).to_arrow()
    fields = []
    for f in res.fields:
        # required fields are declared non-null, unless unvalidated data (`export`) has empty cells there
        required = (f.required or f.name in res.primary_key) and data.column(f.name).null_count == 0
        fields.append(pa.field(f.name, _arrow_type(f), nullable=not required,
                               metadata=_meta(f.title, f.description, enum=list(f.enum) if f.enum else None)))
        if f.is_date:
            for col, which in zip(bound_names(f), ("earliest", "latest"), strict=True):
                fields.append(pa.field(col, pa.date32(), metadata=_meta(
                    f"{f.title} ({which} day)", f"The {which} day `{f.name}` can mean; empty when it is.")))
    schema = pa.schema(fields, metadata=_meta(
        res.title, res.description, primary_key=list(res.primary_key),
        foreign_keys=[{"field": fk.field, "resource": fk.resource, "reference_field": fk.reference_field}
                      for fk in res.foreign_keys]))
    arrays = [data.column(i).cast(field.type) for i, field in enumerate(schema)]
    return pa.Table.from_arrays(arrays, schema=schema)


def _resource_descriptor(res: Resource, path: Path) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for fd in res.schema["fields"]:
        fields.append(fd)
        f = res.field(fd["name"])
        if f.is_date:
            for col, which in zip(bound_names(f), ("earliest", "latest"), strict=True):
                fields.append({"name": col, "type": "date", "title": f"{f.title} ({which} day)",
                               "description": f"The {which} day `{f.name}` can mean; empty when it is."})
    schema = {k: v for k, v in res.schema.items() if k not in ("fields", "missingValues")}
    # Parquet holds real nulls, but frictionless reads a table through pandas, where an empty number
    # becomes NaN and then the text "nan": it must be told that is a missing value
    schema["missingValues"] = ["", "nan"]
    # No `bytes`/`hash` here: frictionless 5 cannot count the bytes of a Parquet resource and would
    # report every one as wrong. The build manifest lists both for every file.
    return {"name": res.name, "type": "table", "title": res.title, "description": res.description,
            "path": path.name, "format": "parquet", "mediatype": MEDIATYPE,
            "schema": {**schema, "fields": fields}}


def export(tables: Tables, out_dir: Path) -> list[Path]:
    import pyarrow.parquet as pq

    package = tables.package
    folder = Path(out_dir) / FOLDER
    written, resources = [], []
    for res in package.resources:
        target = folder / file_name(res.name, ".parquet")
        table = arrow_table(tables, res)
        with atomic_path(target) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        written.append(target)
        resources.append(_resource_descriptor(res, target))
    descriptor = {k: v for k, v in package.descriptor.items() if k != "resources"}
    descriptor["description"] = (f"The tables of {package.name} {package.version} as Parquet files. "
                                 + str(package.descriptor.get("description", ""))).strip()
    descriptor["resources"] = resources
    written.append(write_text(folder / "datapackage.json",
                              json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"))
    return written
