"""The front page's timeline: agreements as points, projects as spans, laid out from the data.

Drawn in HTML (a list whose items carry a bar placed in percent), not as a picture, so every label is
a link, wraps instead of being cut, and reads on a phone. A reduced-precision date is placed at its
earliest day and a span runs to the latest day of its last date, so "2024" covers the year. An
agreement or project without any date is listed beside the timeline with the reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ...base.dates import date_bounds
from .labels import code_label
from .model import Entity, Site

MAX_ITEMS = 200  # beyond this the picture is unreadable; the lists on the kind pages hold everything
PROJECT_DATES = ("start_date", "target_date", "end_date")


def _bounds(value: Any) -> tuple[date, date] | None:
    try:
        return date_bounds(str(value)) if value else None
    except ValueError:  # unvalidated data: a bad date is left off the picture, not fatal
        return None


def _undated(site: Site, ent: Entity, fields: tuple[str, ...]) -> dict[str, Any]:
    """Why an item has no place on the timeline, in words, from what the data does say."""
    res = site.tables.package.resource(ent.table)
    titles = [(res.field(f).title or f).lower() for f in fields if f in res.field_names] or ["date"]
    said = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]
    why = f"no source gives its {said}{'' if said.endswith('date') else ' date'}"
    status = ent.row.get("status")
    if status and "status" in res.field_names:
        why += f"; status: {code_label(res, 'status', status).lower()}"
        if ent.row.get("status_as_of"):
            why += f" (as of {ent.row['status_as_of']})"
    links = []
    for table, row in site.related.get(ent.id, []):  # the dated agreement that set a project up
        other = site.entities.get(str(row.get("agreement_id")))
        if table == "agreement_projects" and other is not None and other.id != ent.id and other.row.get("date"):
            links.append({"label": other.label, "url": other.url, "when": str(other.row["date"]),
                          "relation": code_label(site.tables.package.resource(table), "relation", row["relation"])
                          if row.get("relation") else ""})
    return {"kind": ent.table.rstrip("s"), "label": ent.label, "url": ent.url, "why": why, "links": links}


def layout(site: Site) -> dict[str, Any] | None:
    items: list[dict[str, Any]] = []
    undated: list[dict[str, Any]] = []
    for ent in site.by_table.get("agreements", []):
        if (b := _bounds(ent.row.get("date"))) is not None:
            items.append({"kind": "agreement", "start": b[0], "end": b[1], "label": ent.label, "url": ent.url,
                          "when": str(ent.row.get("date"))})
        else:
            undated.append(_undated(site, ent, ("date",)))
    for ent in site.by_table.get("projects", []):
        bounds = [b for b in (_bounds(ent.row.get(k)) for k in PROJECT_DATES) if b]
        if bounds:
            text = [f"{k.split('_')[0]} {ent.row[k]}" for k in PROJECT_DATES if ent.row.get(k)]
            items.append({"kind": "project", "start": min(b[0] for b in bounds), "end": max(b[1] for b in bounds),
                          "label": ent.label, "url": ent.url, "when": ", ".join(text)})
        else:
            undated.append(_undated(site, ent, PROJECT_DATES))
    if not items and not undated:
        return None
    items.sort(key=lambda i: (i["start"], i["label"]))
    total = len(items)
    items = items[:MAX_ITEMS]
    years: list[dict[str, Any]] = []
    if items:
        first = date(min(i["start"] for i in items).year, 1, 1)
        last = date(max(i["end"] for i in items).year + 1, 1, 1)
        span = (last - first).days or 1

        def pct(d: date) -> float:
            return round((d - first).days / span * 100, 2)

        for i in items:
            i["left"] = pct(i["start"])
            i["width"] = max(round(pct(i["end"]) - i["left"], 2), 0.8)  # a single day still shows
        years = [{"year": y, "left": pct(date(y, 1, 1))} for y in range(first.year, last.year)]
    return {"items": items, "years": years, "total": total, "shown": len(items), "undated": undated}
