"""Which table a column points at: declared foreign keys, and ID columns that admit several tables.

`names.entity_id` and `citations.record_id` cannot be Table Schema foreign keys (they point at more
than one table); their pattern names the ID prefixes they admit, and each prefix belongs to one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...package import Field, Package, Resource


@dataclass(frozen=True)
class Reference:
    tables: tuple[str, ...]  # referenced resource names, in package order
    field: str  # the referenced column (always the key `id` for ID-prefix references)
    declared: bool  # a Table Schema foreign key, rather than read from the ID pattern
    any_table: bool = False  # the column admits the ID of every table that has one


def prefix_tables(package: Package) -> dict[str, str]:
    """ID prefix -> resource name, for every table keyed by a prefixed `id`."""
    return {r.id_prefix: r.name for r in package.resources if r.id_prefix}


def reference(package: Package, resource: Resource, field: Field) -> Reference | None:
    for fk in resource.foreign_keys:
        if fk.field == field.name:
            return Reference((fk.resource,), fk.reference_field, declared=True)
    owners = prefix_tables(package)
    prefixes = field.id_prefixes
    if not prefixes or prefixes == (resource.id_prefix,) or not all(p in owners for p in prefixes):
        return None  # the table's own key, or not an ID column
    tables = tuple(r.name for r in package.resources if r.id_prefix in prefixes)
    return Reference(tables, "id", declared=False, any_table=set(prefixes) == set(owners))
