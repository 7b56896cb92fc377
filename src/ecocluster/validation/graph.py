"""Finding the edges that lie on a cycle, for subsidiary chains and self-references."""

from __future__ import annotations

import polars as pl

_PEEL_ROUNDS = 16


def _peel(edges: pl.DataFrame, src: str, dst: str) -> pl.DataFrame:
    """Drop edges that cannot be on a cycle: from a node nothing points to, or to a node that points nowhere.

    Each round is two vectorised semi-joins; chains in real data are short, so a few rounds leave
    only the (usually empty) cyclic core for the exact search below.
    """
    for _ in range(_PEEL_ROUNDS):
        before = edges.height
        edges = edges.join(edges.select(pl.col(dst).alias(src)).unique(), on=src, how="semi").join(
            edges.select(pl.col(src).alias(dst)).unique(), on=dst, how="semi"
        )
        if edges.height in (0, before):
            break
    return edges


def _strong_components(adj: dict[str, list[str]]) -> dict[str, int]:
    """Tarjan's algorithm, iterative: node -> component number."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in adj:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = adj.get(node, [])
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = index[node]
                    if w == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return comp


def cycles(edges: pl.DataFrame, src: str, dst: str) -> pl.DataFrame:
    """The edges (src, dst) on a cycle, each with `__cycle`: the members of its cycle, sorted."""
    empty = pl.DataFrame(schema={src: pl.String, dst: pl.String, "__cycle": pl.String})
    # Every edge going one way in the order of the IDs (each chain climbs or descends) leaves no room
    # for a cycle; one comparison proves it for ordered IDs, which saves the peeling below.
    down = edges.select((pl.col(src) > pl.col(dst)).all().alias("d"), (pl.col(src) < pl.col(dst)).all().alias("u"))
    if edges.height == 0 or any(down.row(0)):
        return empty
    core = _peel(edges.unique(), src, dst)
    if core.height == 0:
        return empty
    adj: dict[str, list[str]] = {}
    pairs = list(core.iter_rows())
    for a, b in pairs:
        adj.setdefault(a, []).append(b)
    comp = _strong_components(adj)
    members: dict[int, list[str]] = {}
    for node, c in comp.items():
        members.setdefault(c, []).append(node)
    rows = []
    for a, b in pairs:
        if comp.get(a) is not None and comp.get(a) == comp.get(b) and (len(members[comp[a]]) > 1 or a == b):
            ring = sorted(members[comp[a]])
            shown = ring if len(ring) <= 6 else [*ring[:5], "…"]
            rows.append((a, b, ", ".join(shown)))
    return pl.DataFrame(rows, schema=empty.schema, orient="row") if rows else empty
