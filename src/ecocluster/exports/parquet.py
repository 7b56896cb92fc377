"""Parquet: one file per table with an Arrow schema built from the Table Schema, and a descriptor.

Enums are dictionary-encoded strings whose dictionary is every declared code in declared order, so
pandas reads them as categoricals with that order. Reduced-precision dates stay strings, with two
typed date columns beside each (`<name>_earliest`, `<name>_latest`) for range queries. Titles and
descriptions travel as field and schema metadata; `datapackage.json` describes the files for
Frictionless tools.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dates import date_bounds
from ..io import atomic_path, write_text
from ..package import Field, Package, Resource
from . import ExportError

if TYPE_CHECKING:
    import pyarrow as pa

NAME = "parquet"
DESCRIPTION = "a Parquet file per table, typed, with a descriptor"
FOLDER = "parquet"
MEDIATYPE = "application/vnd.apache.parquet"


def date_columns(f: Field) -> tuple[str, str]:
    return f"{f.name}_earliest", f"{f.name}_latest"


def _arrow_type(f: Field) -> pa.DataType:
    import pyarrow as pa

    if f.enum is not None and f.type == "string":
        return pa.dictionary(pa.int16(), pa.string())
    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
             "date": pa.date32()}
    if f.type not in types:
        raise ExportError(f"field `{f.name}` has type `{f.type}`, which the Parquet export does not map")
    return types[f.type]


def _meta(title: str, description: str, **extra: Any) -> dict[bytes, bytes]:
    meta = {"title": title, "description": description, **extra}
    return {k.encode(): (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)).encode()
            for k, v in meta.items() if v not in (None, "")}


def arrow_table(package: Package, res: Resource) -> pa.Table:
    """The table as Arrow, typed by its Table Schema."""
    import pyarrow as pa

    rows = package.read_rows(res)
    fields, arrays = [], []
    for f in res.fields:
        values = [r[f.name] for r in rows]
        required = f.required or f.name in res.primary_key
        fields.append(pa.field(f.name, _arrow_type(f), nullable=not required,
                               metadata=_meta(f.title, f.description, enum=list(f.enum) if f.enum else None)))
        if f.enum is not None and f.type == "string":
            code = {c: i for i, c in enumerate(f.enum)}
            bad = next((v for v in values if v is not None and v not in code), None)
            if bad is not None:
                raise ExportError(f"{res.name}.{f.name} holds {bad!r}, which is not one of its codes")
            indices = pa.array([None if v is None else code[v] for v in values], type=pa.int16())
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(f.enum, pa.string())))
        elif f.type == "date":  # full ISO dates arrive as text
            days = [None if v is None else date.fromisoformat(v) for v in values]
            arrays.append(pa.array(days, pa.date32()))
        else:
            arrays.append(pa.array(values, type=_arrow_type(f)))
        if f.is_date:
            try:
                bounds = [None if v is None else date_bounds(v) for v in values]
            except ValueError as e:
                raise ExportError(f"{res.name}.{f.name}: {e}") from None
            for i, (col, which) in enumerate(zip(date_columns(f), ("earliest", "latest"), strict=True)):
                if col in res.field_names:
                    raise ExportError(f"{res.name} already has a column `{col}`, "
                                      "a name the Parquet export needs")
                fields.append(pa.field(col, pa.date32(), metadata=_meta(
                    f"{f.title} ({which} day)", f"The {which} day `{f.name}` can mean; empty when it is.")))
                arrays.append(pa.array([None if b is None else b[i] for b in bounds], type=pa.date32()))
    schema = pa.schema(fields, metadata=_meta(
        res.title, res.description, primary_key=list(res.primary_key),
        foreign_keys=[{"field": fk.field, "resource": fk.resource, "reference_field": fk.reference_field}
                      for fk in res.foreign_keys]))
    return pa.Table.from_arrays(arrays, schema=schema)


def _resource_descriptor(res: Resource, path: Path) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for fd in res.schema["fields"]:
        fields.append(fd)
        f = res.field(fd["name"])
        if f.is_date:
            for col, which in zip(date_columns(f), ("earliest", "latest"), strict=True):
                fields.append({"name": col, "type": "date", "title": f"{f.title} ({which} day)",
                               "description": f"The {which} day `{f.name}` can mean; empty when it is."})
    schema = {k: v for k, v in res.schema.items() if k not in ("fields", "missingValues")}
    # No `bytes`/`hash` here: frictionless 5 cannot count the bytes of a Parquet resource and would
    # report every one as wrong. The build manifest lists both for every file.
    return {"name": res.name, "type": "table", "title": res.title, "description": res.description,
            "path": path.name, "format": "parquet", "mediatype": MEDIATYPE,
            "schema": {**schema, "fields": fields}}


def export(package: Package, out_dir: Path) -> list[Path]:
    import pyarrow.parquet as pq

    folder = Path(out_dir) / FOLDER
    written, resources = [], []
    for res in package.resources:
        target = folder / f"{res.name}.parquet"
        table = arrow_table(package, res)
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
