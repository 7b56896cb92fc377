"""Checking a Graphviz layout for text that would be hard to read: overlapping boxes and labels, and
lines drawn across another edge's label.

Graphviz places labels well but does not promise this (an edge that ignores ranks can run through a
label), and whether it happens depends on the data. `ecocluster docs` warns and a test fails, so a
data change that spoils the picture is seen before it is committed.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from typing import Any

from ...errors import GraphvizError
from .graphviz import dot_exe

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points


def _overlap(a: Box, b: Box, pad: float = 0.0) -> bool:
    return a[0] < b[2] - pad and b[0] < a[2] - pad and a[1] < b[3] - pad and b[1] < a[3] - pad


def _text_boxes(ops: list[dict[str, Any]]) -> list[tuple[str, Box]]:
    size, out = 14.0, []
    for op in ops:
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T":
            (x, y), w = op["pt"], float(op["width"])
            x0 = {"l": x, "r": x - w}.get(op["align"], x - w / 2)
            # from a little below the baseline to the top of capitals
            out.append((op["text"], (x0, y - 0.25 * size, x0 + w, y + 0.8 * size)))
    return out


def _curve_points(ops: list[dict[str, Any]], steps: int = 20) -> list[tuple[float, float]]:
    points = []
    for op in ops:
        if op["op"] not in ("b", "B"):
            continue
        p = op["points"]
        for i in range(0, len(p) - 3, 3):
            p0, p1, p2, p3 = p[i:i + 4]
            for k in range(steps + 1):
                t = k / steps
                c = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3)
                points.append(tuple(sum(ci * q[j] for ci, q in zip(c, (p0, p1, p2, p3), strict=True))
                                    for j in (0, 1)))
    return points  # type: ignore[return-value]


def layout_problems(dot: str) -> list[str]:
    """Overlaps in the layout Graphviz makes of `dot`, in words; [] when every text stands clear."""
    done = subprocess.run([dot_exe(), "-Tjson"], input=dot.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise GraphvizError(f"Graphviz `dot -Tjson` failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    graph = json.loads(done.stdout)
    nodes: list[tuple[str, Box]] = []
    for o in graph.get("objects", []):
        if "pos" in o and "nodes" not in o:  # a node, not a subgraph
            x, y = map(float, o["pos"].split(","))
            w, h = float(o["width"]) * 36, float(o["height"]) * 36  # half sizes, inches -> points
            nodes.append((o["name"], (x - w, y - h, x + w, y + h)))
    names = {o["_gvid"]: o.get("name", "") for o in graph.get("objects", [])}
    labels = [(e["_gvid"], text, box)
              for e in graph.get("edges", []) for text, box in _text_boxes(e.get("_ldraw_", []))]
    problems = set()
    for (a, text_a, box_a), (b, text_b, box_b) in itertools.combinations(labels, 2):
        if a != b and _overlap(box_a, box_b):
            problems.add(f"label {text_a!r} overlaps label {text_b!r}")
    for _, text, box in labels:
        problems.update(f"label {text!r} overlaps node {name}" for name, node in nodes if _overlap(box, node))
    for (name_a, box_a), (name_b, box_b) in itertools.combinations(nodes, 2):
        if _overlap(box_a, box_b):
            problems.add(f"node {name_a} overlaps node {name_b}")
    for e in graph.get("edges", []):
        points = _curve_points(e.get("_draw_", []))
        for owner, text, box in labels:
            # a line may touch a label's corner; only one through its inside counts
            if owner != e["_gvid"] and any(box[0] + 1 < x < box[2] - 1 and box[1] + 1 < y < box[3] - 1
                                           for x, y in points):
                line = f"{names.get(e['tail'])} -> {names.get(e['head'])}"
                problems.add(f"the line {line} crosses label {text!r}")
    return sorted(problems)
