"""The front page's timeline: agreements as points, projects as spans, laid out from the data.

Only geometry is computed here; `timeline.svg` (a Jinja2 template, autoescaped) draws it. A
reduced-precision date is placed at its earliest day; a span runs from a project's start to its end
(or target) date, and a project with a single known date is drawn as a point.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ...base.dates import date_bounds
from .model import Site

MAX_ITEMS = 200  # beyond this the picture is unreadable; the lists on the kind pages hold everything
ROW, TOP, LEFT, WIDTH, LABEL = 24, 40, 24, 540, 440


def _day(value: Any) -> date | None:
    try:
        return date_bounds(str(value))[0] if value else None
    except ValueError:  # unvalidated data: a bad date is left off the picture, not fatal
        return None


def layout(site: Site) -> dict[str, Any] | None:
    items: list[dict[str, Any]] = []
    for ent in site.by_table.get("agreements", []):
        if (d := _day(ent.row.get("date"))) is not None:
            items.append({"kind": "agreement", "start": d, "end": d, "label": ent.label, "url": ent.url,
                          "when": str(ent.row.get("date"))})
    for ent in site.by_table.get("projects", []):
        days = [d for d in (_day(ent.row.get(k)) for k in ("start_date", "end_date", "target_date")) if d]
        if days:
            text = [str(ent.row[k]) for k in ("start_date", "end_date", "target_date") if ent.row.get(k)]
            items.append({"kind": "project", "start": min(days), "end": max(days), "label": ent.label,
                          "url": ent.url, "when": " – ".join(dict.fromkeys(text))})
    if not items:
        return None
    items.sort(key=lambda i: (i["start"], i["label"]))
    total = len(items)
    items = items[:MAX_ITEMS]
    first = date(min(i["start"] for i in items).year, 1, 1)
    last = date(max(i["end"] for i in items).year + 1, 1, 1)
    span = (last - first).days or 1

    def x(d: date) -> float:
        return round(LEFT + (d - first).days / span * WIDTH, 1)

    for n, i in enumerate(items):
        i["x1"], i["x2"], i["y"] = x(i["start"]), max(x(i["end"]), x(i["start"]) + 4), TOP + n * ROW
    years = [{"year": y, "x": x(date(y, 1, 1))} for y in range(first.year, last.year + 1)]
    return {"items": items, "years": years, "width": LEFT + WIDTH + LABEL, "height": TOP + len(items) * ROW + 10,
            "label_x": LEFT + WIDTH + 10, "axis_y": TOP - 22, "total": total, "shown": len(items)}
