"""Rules across rows and tables, as joins and anti-joins over the tables read once: which run when,
and what they read. The rules themselves are in keys.py (repeated IDs), references.py (foreign keys,
references to any table, citations) and relations.py (the data model's relations between rows).

A rule runs only when every table and column it needs was read; a missing file or column is
reported once by the reader rather than as a flood of broken references.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..datamodel import CITATIONS, SOURCES
from ..package import Package, Resource
from ..tables.reader import Table
from .collect import Collector
from .keys import Registry, check_ids
from .references import check_citations_cover, check_foreign_keys, check_references
from .relations import check_org_relations, check_self_references, check_signatories, check_translations

# Columns the rules read besides keys and references (which every table keeps for them).
USED_COLUMNS = {
    SOURCES: {"language"},
    CITATIONS: {"field", "quote_kind", "quote_en"},
    "org_relations": {"kind", "share_percent", "end_date"},
    "agreements": {"date"},
    "roles": {"start_date", "end_date"},
}


def needed_columns(pkg: Package, res: Resource) -> set[str]:
    """What cross-table rules read of a table: keys, references and the columns they name."""
    refs = {f.name for f in res.fields if f.id_prefixes} | {f for fk in res.foreign_keys for f in fk.fields}
    # columns other tables' composite keys point at
    targets = {f for r in pkg.resources for fk in r.foreign_keys if fk.resource == res.name
               for f in fk.reference_fields}
    return set(res.primary_key) | refs | targets | {"id"} | USED_COLUMNS.get(res.name, set())


def deferred_patterns(pkg: Package) -> dict[str, set[str]]:
    """Reference fields whose pattern is checked with their references, on the few rows that need it,
    not per table.

    A reference that resolves to a valid ID of a table its pattern allows matches that pattern
    (the ID patterns are `^<prefix>-…$`, the reference's `^(<prefixes>)-…$`), so only the rows that
    resolve nowhere or to an ID failing its own pattern can fail: a regular expression over
    millions of references becomes one over a handful, with the same errors reported.
    """
    by_prefix = {r.id_prefix: r for r in pkg.resources if r.id_prefix}
    out: dict[str, set[str]] = {}
    for res in pkg.resources:
        fks = {fk.field: fk for fk in res.foreign_keys if not fk.composite}
        for f in res.fields:
            if not f.id_prefixes or (f.name,) == res.primary_key:
                continue
            if f.name in fks:
                target = by_prefix.get(f.id_prefixes[0]) if len(f.id_prefixes) == 1 else None
                fk = fks[f.name]
                ok = target is not None and fk.resource == target.name and fk.reference_field == "id"
            else:
                ok = all(p in by_prefix for p in f.id_prefixes)
            if ok:
                out.setdefault(res.name, set()).add(f.name)
    return out


@dataclass(frozen=True)
class Job:
    """A rule across a few tables, run as soon as the tables it `needs` are read and checked, beside
    the reading of the others (missing tables count as read: the rule then skips itself)."""

    needs: frozenset[str]
    run: Callable[[dict[str, Table], Collector], None]


def _self_references(pkg: Package, name: str, tables: dict[str, Table], out: Collector) -> None:
    check_self_references(pkg, tables, out, name)


def _foreign_keys(
    pkg: Package, deferred: dict[str, set[str]], name: str, tables: dict[str, Table], out: Collector
) -> None:
    check_foreign_keys(pkg, tables, out, deferred, name)


def early_jobs(pkg: Package, deferred: dict[str, set[str]]) -> list[Job]:
    """The rules that need no Registry of every ID: declared foreign keys, self-references, the
    relations between organisations, the signatories' roles and the quotes' translations."""
    names = set(pkg.resource_names)
    jobs = [
        Job(frozenset({"org_relations"}) & names, check_org_relations),
        Job(frozenset({"agreement_parties", "roles", "agreements"}) & names, check_signatories),
        Job(frozenset({CITATIONS, SOURCES}) & names, check_translations),
    ]
    for res in pkg.resources:
        targets = frozenset(fk.resource for fk in res.foreign_keys) & names
        if res.name in targets:
            run = functools.partial(_self_references, pkg, res.name)
            jobs.append(Job(frozenset({res.name}), run))
        if res.foreign_keys:
            run = functools.partial(_foreign_keys, pkg, deferred, res.name)
            jobs.append(Job(frozenset({res.name}) | targets, run))
    return jobs


def check_package(
    pkg: Package, tables: dict[str, Table], out: Collector, deferred: dict[str, set[str]] | None = None
) -> None:
    """The rules that need every table with IDs: repeated IDs, references to any table, citations."""
    deferred = deferred or {}
    # Two threads, so one runs its queries while the other is in Python between queries (polars
    # releases the GIL); the rules only add to `out`, which sorts at the end.
    reg = Registry(pkg, tables)
    with ThreadPoolExecutor(max_workers=1) as pool:
        side = pool.submit(check_citations_cover, pkg, tables, reg, out)
        check_ids(reg, out)
        check_references(pkg, tables, reg, out, deferred)
        side.result()
