"""`describe`: a one-screen summary of a data package, as a plain dict (the CLI's JSON is this dict).

It reads the tables once, with the one reader (`ecocluster.tables.read_tables`), and counts in polars.
Fact rows are the rows of every table except `sources` and `citations` (the data model's rule for
what must be cited); a fact row counts as cited when a citation's `record_id` names its `id`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ..base.escape import printable
from ..datamodel import CITATIONS, QUOTE_KIND, RECORD_ID, SOURCES
from ..package import Package
from ..package.archive import open_package
from . import Tables


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _has(pkg: Package, table: str, field: str) -> bool:
    return table in pkg.resource_names and field in pkg.resource(table).field_names


def describe(package: Package | Tables | str | Path | None = None) -> dict[str, Any]:
    """Version, licence, tables with row counts, sources, date range covered and citation coverage."""
    import polars as pl

    from . import read_tables

    if isinstance(package, Tables):
        data = package
    elif isinstance(package, Package):
        data = read_tables(package)
    else:  # a folder, a descriptor or a release archive, as every command takes them
        with open_package(package) as opened:
            data = read_tables(opened)
    pkg = data.package
    d = pkg.descriptor
    tables: list[dict[str, Any]] = []
    dates: list[str] = []
    cited: set[str] = set()
    kinds: Counter[str] = Counter()
    fact_ids: list[str] = []
    for res in pkg.resources:
        frame = data.frames.get(res.name, pl.DataFrame())
        for f in res.fields:
            if f.is_date:
                bounds = frame.select(pl.col(f.name).min().alias("lo"), pl.col(f.name).max().alias("hi")).row(0)
                dates += [v for v in bounds if v is not None]
        if res.name == CITATIONS:
            if RECORD_ID in frame.columns:
                cited |= set(frame.get_column(RECORD_ID).drop_nulls().to_list())
            if QUOTE_KIND in frame.columns:
                kinds.update(frame.get_column(QUOTE_KIND).drop_nulls().cast(pl.String).to_list())
        elif res.name != SOURCES and "id" in res.primary_key and "id" in frame.columns:
            fact_ids += [i or "" for i in frame.get_column("id").to_list()]
        tables.append({"name": res.name, "title": res.title, "rows": frame.height})
    rows: dict[str, int] = {t["name"]: t["rows"] for t in tables}
    # quote kinds in the schema's code order, any unlisted ones after
    codes = pkg.resource(CITATIONS).field(QUOTE_KIND).enum if _has(pkg, CITATIONS, QUOTE_KIND) else None
    order = list(codes or ())
    kinds_sorted = sorted(kinds.items(),
                          key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
    n_cited = sum(1 for i in fact_ids if i in cited)
    n_citations = rows.get(CITATIONS, 0)
    licences = [x.get("name") or x.get("title") for x in pkg.entries("licenses")]
    return {
        "name": pkg.name,
        "title": d.get("title", ""),
        "version": pkg.version,
        "licences": [str(x) for x in licences if x],
        "tables": tables,
        "total_rows": sum(rows.values()),
        "sources": rows.get(SOURCES),
        # ISO dates of reduced precision sort as text; "2021" sorts before any day of 2021
        "date_range": {"min": min(dates), "max": max(dates)} if dates else None,
        "citations": {
            "total": n_citations,
            "fact_rows": len(fact_ids),
            "fact_rows_cited": n_cited,
            "fact_rows_cited_share": _share(n_cited, len(fact_ids)),
            "quote_kinds": dict(kinds_sorted),
            "quote_kind_shares": {k: _share(v, n_citations) for k, v in kinds_sorted},
        },
    }


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"


def format_text(summary: dict[str, Any]) -> str:
    """The summary as a few aligned lines for a terminal."""
    s, c = summary, summary["citations"]
    span = f"{s['date_range']['min']} to {s['date_range']['max']}" if s["date_range"] else "no dates"
    width = max([len(t["name"]) for t in s["tables"]] + [len("total")])
    digits = len(str(s["total_rows"]))
    lines = [  # text from the descriptor shown as text: a control or a line break as an escape
        printable(f"{s['title'] or s['name']}"),
        printable(f"package {s['name']}, version {s['version']}, licence {', '.join(s['licences']) or 'not stated'}"),
        f"sources: {s['sources'] if s['sources'] is not None else 'n/a'}; dates covered: {span}",
        "",
        f"{'table'.ljust(width)}  {'rows'.rjust(max(digits, 4))}",
        *(f"{t['name'].ljust(width)}  {str(t['rows']).rjust(max(digits, 4))}" for t in s["tables"]),
        f"{'total'.ljust(width)}  {str(s['total_rows']).rjust(max(digits, 4))}",
        "",
        f"fact rows with a citation: {c['fact_rows_cited']} of {c['fact_rows']}"
        f" ({_percent(c['fact_rows_cited_share'])})",
        f"citations: {c['total']}"
        + "".join(f"; {k} {v} ({_percent(c['quote_kind_shares'][k])})" for k, v in c["quote_kinds"].items()),
    ]
    return "\n".join(lines) + "\n"
