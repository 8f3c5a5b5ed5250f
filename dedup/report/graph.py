"""The provenance graph: which nodes and edges, where they go, and how they are drawn.

Layout is computed here, in Python, so the HTML report needs no script and the
same database always gives the same picture:

* documents are grouped by near-duplicate cluster; a cluster of several copies
  is one unit (a box) and its members stack inside it, canonical copy first;
* units are put in columns by longest path along the reuse edges, quoting
  article left of the article it quotes, so ``quotes`` arrows point right;
* outlets outside the corpus (citations nothing resolved) get a column of their
  own on the far left, next to the articles that tend to cite them;
* within a column, units are ordered by the barycenter of their neighbours
  (a few sweeps, ties by id), which removes most crossings of small graphs.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Literal

from dedup.report.escape import anchor, h, mermaid, one_line, truncate
from dedup.report.model import ReportData
from dedup.report.overview import STRENGTH_TEXT, STRENGTHS, reuse_anchor, strength

EdgeKind = Literal["quotes", "unknown", "cites"]

# Isolated single documents add nothing to the picture of who quotes whom; past
# this many they are left out of it (the tables still list them).
MAX_ISOLATED = 40

NODE_W, DOC_H = 290, 62
OUTLET_W, OUTLET_H = 190, 30
PAD, HEAD, FOOT = 12, 26, 20  # cluster box padding, caption height, line for copies not drawn
#: in a group's picture, a cluster box shows at most this many copies that have no edge of their own
QUIET_COPIES = 3
COL_GAP, ROW_GAP, OUTLET_GAP, COMP_GAP = 120, 20, 10, 44
# Up to this width the picture shrinks to the page; past it the text would get too small to
# read, so it keeps its size and the page scrolls it instead.
FIT_WIDTH = 1800
MARGIN = 24


@dataclass
class Node:
    key: str
    kind: Literal["doc", "outlet"]
    name: str  # document id, or outlet name as first cited
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    cluster: str | None = None
    canonical: bool = False
    completeness: float | None = None
    gaps: int = 0
    cited: int = 0  # outlet nodes: how many citations
    listed: bool = True  # the document has a row in the report's table to link to
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    hgt: float = 0.0


@dataclass
class Edge:
    kind: EdgeKind
    frm: str  # node keys
    to: str
    count: int = 1
    confidence: float = 0.0
    target: str = ""  # fragment of the report section that explains the edge
    strength: str = "undirected"  # :data:`dedup.report.overview.Strength`, or "cites"


@dataclass
class Group:
    cluster: str
    members: list[str]  # node keys, canonical first
    hidden: int = 0  # copies not drawn (no edge of their own): counted at the foot of the box
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    hgt: float = 0.0


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    omitted: int = 0  # isolated documents left out
    omitted_outlets: int = 0  # outlets outside the corpus left out (max_outlets)
    width: float = 0.0
    height: float = 0.0


def doc_key(doc_id: str) -> str:
    return "d:" + doc_id


def _outlet_key(outlet: str) -> str:
    return "o:" + one_line(outlet).casefold()


def build_graph(data: ReportData, docs: set[str] | None = None, max_outlets: int | None = None) -> Graph:
    """The graph of the whole corpus, or of the documents ``docs`` only (one group of the report).

    Common sources (``shares`` edges) are not drawn: two articles carrying the same wire story
    or the same speaker's words did not take from each other, and the report lists those
    sources with their witnesses instead. ``max_outlets`` keeps only the outlets outside the
    corpus cited most (the others are counted in ``omitted_outlets``)."""
    g = Graph()
    reuses = [(i, r) for i, r in enumerate(data.reuses) if r.kind != "shares"
              and (docs is None or (r.quoting in docs and r.source in docs))]
    external = [c for c in data.external if docs is None or c.doc in docs]
    resolved = [c for c in data.resolved if docs is None or (c.doc in docs and c.resolved_to in docs)]
    linked: set[str] = set()
    for _, r in reuses:
        linked.update((r.quoting, r.source))
    for c in external + resolved:
        linked.add(c.doc)
        if c.resolved_to:
            linked.add(c.resolved_to)
    scope = set(data.docs) if docs is None else set(docs)
    isolated = [d for d in data.singletons if d in scope and d not in linked]
    drop = set(isolated) if docs is None and len(isolated) > MAX_ISOLATED else set()
    g.omitted = len(drop)

    for doc_id in sorted(scope | linked):
        if doc_id in drop:
            continue
        d = data.doc(doc_id)
        g.nodes[doc_key(doc_id)] = Node(
            doc_key(doc_id), "doc", doc_id, d.title, d.outlet, d.date, d.cluster, d.canonical,
            d.completeness, len(d.gaps), listed=data.is_listed(doc_id),
        )
    for ci in data.clusters:
        if docs is None or scope.intersection(ci.members):
            g.groups.append(Group(ci.id, [doc_key(m) for m in ci.members]))

    # one arrow per document pair and kind; the sections list each passage
    merged: dict[tuple[EdgeKind, str, str], Edge] = {}
    for i, r in reuses:
        a, b = doc_key(r.quoting), doc_key(r.source)
        if r.direction != "quotes":
            a, b = min(a, b), max(a, b)  # undirected: the pair order carries no meaning
        k: tuple[EdgeKind, str, str] = (r.direction, a, b)
        s = strength(r)
        if k in merged:
            e = merged[k]
            e.count += 1
            e.confidence = max(e.confidence, r.confidence)
            if STRENGTHS.index(s) < STRENGTHS.index(e.strength):  # type: ignore[arg-type]
                e.strength = s  # the strongest evidence between the two speaks for the arrow
        else:
            merged[k] = Edge(r.direction, a, b, 1, r.confidence, reuse_anchor(i), s)
    quoted_pairs = {(e.frm, e.to) for e in merged.values() if e.kind == "quotes"}
    cited = Counter(_outlet_key(c.outlet) for c in external)
    keep = {k for k, _ in sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))[:max_outlets]} \
        if max_outlets is not None else set(cited)
    g.omitted_outlets = len(cited) - len(keep)
    for c in external:
        ok = _outlet_key(c.outlet)
        if ok not in keep:
            continue
        if ok not in g.nodes:
            g.nodes[ok] = Node(ok, "outlet", one_line(c.outlet))
        g.nodes[ok].cited += 1
        k = ("cites", doc_key(c.doc), ok)
        if k in merged:
            merged[k].count += 1
        else:
            merged[k] = Edge("cites", doc_key(c.doc), ok, 1, 0.0, "citations", "cites")
    for c in resolved:
        assert c.resolved_to is not None
        a, b = doc_key(c.doc), doc_key(c.resolved_to)
        if (a, b) in quoted_pairs:
            continue  # the quotation arrow already says it, with more evidence
        k = ("cites", a, b)
        if k in merged:
            merged[k].count += 1
        else:
            merged[k] = Edge("cites", a, b, 1, 0.0, "citations", "cites")
    order = {"cites": 0, "unknown": 1, "quotes": 2}
    g.edges = sorted(merged.values(), key=lambda e: (order[e.kind], e.frm, e.to))
    if docs is not None:
        _hide_quiet_copies(g)
    _layout(g)
    return g


def _hide_quiet_copies(g: Graph) -> None:
    """In a group's picture a story syndicated to 15 sites would be a box 15 documents tall; its
    copies without an edge of their own say nothing more than their number, so beyond a few
    they are counted at the foot of the box instead of drawn."""
    # citing an outside outlet does not make a copy speak: its copies cite the same outlets
    ends = {k for e in g.edges if not e.to.startswith("o:") for k in (e.frm, e.to)}
    gone: set[str] = set()
    for grp in g.groups:
        quiet = [m for m in grp.members[1:] if m not in ends]
        drop = set(quiet[QUIET_COPIES:])
        if not drop:
            continue
        grp.members = [m for m in grp.members if m not in drop]
        grp.hidden = len(drop)
        gone |= drop
    if not gone:
        return
    g.edges = [e for e in g.edges if e.frm not in gone and e.to not in gone]
    still = {k for e in g.edges for k in (e.frm, e.to)}
    for key in list(g.nodes):
        if key in gone or (g.nodes[key].kind == "outlet" and key not in still):
            del g.nodes[key]


# -- layout ----------------------------------------------------------------------------------
def _ranks(units: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering after dropping the back edges a DFS finds (cycles of reuse)."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in sorted(set(edges)):
        succ[a].append(b)
    state: dict[str, int] = {}
    kept: list[tuple[str, str]] = []
    for root in units:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                continue  # back edge
            else:
                kept.append((node, nxt))
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ[nxt])))
    indeg: dict[str, int] = dict.fromkeys(units, 0)
    out: dict[str, list[str]] = defaultdict(list)
    for a, b in kept:
        out[a].append(b)
        indeg[b] += 1
    rank = dict.fromkeys(units, 0)
    ready = [u for u in units if indeg[u] == 0]
    heapq.heapify(ready)
    while ready:
        u = heapq.heappop(ready)
        for v in out[u]:
            rank[v] = max(rank[v], rank[u] + 1)
            indeg[v] -= 1
            if indeg[v] == 0:
                heapq.heappush(ready, v)
    return rank


def _two_sides(units: list[str], pairs: list[tuple[str, str]]) -> dict[str, int]:
    """Shared text has no direction to layer by; put the two ends of each pair in two columns
    (a 2-colouring by breadth-first search), so edges cross between columns instead of arcing
    along one tall column."""
    near: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        if a != b:
            near[a].append(b)
            near[b].append(a)
    side: dict[str, int] = {}
    for root in units:
        if root in side:
            continue
        side[root] = 0
        queue = [root]
        while queue:
            u = queue.pop(0)
            for v in sorted(near[u]):
                if v not in side:
                    side[v] = 1 - side[u]
                    queue.append(v)
    return side


def _layout(g: Graph) -> None:
    """Lay out each connected component on its own, then pack the components in rows.

    A corpus is mostly many small unrelated groups; one set of columns for all of
    them would make a picture tens of thousands of pixels tall with every edge
    crossing the page, while packed components read like a contact sheet.
    """
    unit_of: dict[str, str] = {}
    unit_members: dict[str, list[str]] = {}
    for grp in g.groups:
        present = [m for m in grp.members if m in g.nodes]
        grp.members = present
        unit_members["c:" + grp.cluster] = present
        for m in present:
            unit_of[m] = "c:" + grp.cluster
    for key in g.nodes:
        if key not in unit_of:
            unit_of[key] = key
            unit_members[key] = [key]
    units = sorted(set(unit_of.values()))
    parent = {u: u for u in units}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for e in g.edges:
        ra, rb = find(unit_of[e.frm]), find(unit_of[e.to])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[str, list[str]] = defaultdict(list)
    for u in units:
        comps[find(u)].append(u)
    groups = {"c:" + grp.cluster: grp for grp in g.groups}
    sized = []
    for comp in comps.values():
        members = set(comp)
        edges = [e for e in g.edges if unit_of[e.frm] in members]
        w, hh = _layout_component(g, comp, edges, unit_of, unit_members, groups)
        sized.append((w, hh, comp))
    # biggest pictures first; single documents fill the last rows like a grid
    sized.sort(key=lambda t: (-len(t[2]), -t[1], t[2][0]))

    row_limit = max([1500.0] + [w for w, _, _ in sized])
    x, y, row_h, width = float(MARGIN), 0.0, 0.0, 0.0
    for w, hh, comp in sized:
        if x > MARGIN and x + w > MARGIN + row_limit:
            x, y, row_h = float(MARGIN), y + row_h + COMP_GAP, 0.0
        _shift(g, comp, unit_members, groups, x, y)
        width = max(width, x + w)
        x += w + COMP_GAP
        row_h = max(row_h, hh)
    g.width = max(width + MARGIN, 760.0)
    # the legend wraps to the final width, so only now is it known how much room it takes
    top = MARGIN + legend_height(g.width)
    _shift(g, units, unit_members, groups, 0.0, top)
    g.height = top + y + row_h + MARGIN


def _shift(g: Graph, comp: list[str], unit_members: dict[str, list[str]], groups: dict[str, Group],
           dx: float, dy: float) -> None:
    for u in comp:
        if u in groups:
            groups[u].x += dx
            groups[u].y += dy
        for m in unit_members[u]:
            g.nodes[m].x += dx
            g.nodes[m].y += dy


def _layout_component(
    g: Graph, comp: list[str], edges: list[Edge], unit_of: dict[str, str],
    unit_members: dict[str, list[str]], groups: dict[str, Group],
) -> tuple[float, float]:
    """Columns by reuse edges, outlets in a column of their own on the left; positions relative to
    the component's top-left corner. Returns the component's width and height."""
    doc_units = [u for u in comp if not g.nodes[unit_members[u][0]].kind == "outlet"]
    outlets = [u for u in comp if g.nodes[unit_members[u][0]].kind == "outlet"]
    # columns follow the direction of reuse; shared text without a direction only puts its two
    # ends side by side (layering it too would string a chain of such pairs across the screen)
    layer_edges = [(unit_of[e.frm], unit_of[e.to]) for e in edges if e.kind == "quotes"]
    rank = _ranks(doc_units, [(a, b) for a, b in layer_edges if a != b])
    directed = {u for pair in layer_edges for u in pair}
    free = [u for u in doc_units if u not in directed]
    sides = _two_sides(free, [(unit_of[e.frm], unit_of[e.to]) for e in edges if e.kind == "unknown"
                              and unit_of[e.frm] not in directed and unit_of[e.to] not in directed])
    rank.update(sides)
    shift = 1 if outlets else 0
    ncols = (max(rank.values(), default=0) + 1 if doc_units else 0) + shift
    cols: list[list[str]] = [[] for _ in range(ncols)]
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        a, b = unit_of[e.frm], unit_of[e.to]
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    for u in doc_units:
        cols[rank[u] + shift].append(u)
    if outlets:
        cols[0] = outlets

    col_of = {u: ci for ci, col in enumerate(cols) for u in col}
    for sweep in range(8):
        pos = {u: i / max(1, len(col)) for col in cols for i, u in enumerate(col)}
        seq = range(len(cols)) if sweep % 2 == 0 else range(len(cols) - 1, -1, -1)
        for ci in seq:
            col = cols[ci]

            def bary(u: str, ci: int = ci, pos: dict[str, float] = pos) -> float:
                ns = [pos[v] for v in neighbours[u] if col_of[v] != ci]
                return sum(ns) / len(ns) if ns else 2.0  # no neighbour elsewhere: keep at the end

            order = {u: i for i, u in enumerate(col)}
            col.sort(key=lambda u: (bary(u), order[u]))
            for i, u in enumerate(col):
                pos[u] = i / max(1, len(col))

    def unit_size(u: str) -> tuple[float, float]:
        if u in groups:
            n = len(unit_members[u])
            foot = FOOT if groups[u].hidden else 0
            return NODE_W + 2 * PAD, HEAD + n * DOC_H + (n - 1) * 10 + PAD + foot
        if g.nodes[u].kind == "outlet":
            return OUTLET_W, OUTLET_H
        return NODE_W, DOC_H

    gaps = [OUTLET_GAP if outlets and ci == 0 else ROW_GAP for ci in range(len(cols))]
    col_w = [max((unit_size(u)[0] for u in col), default=0.0) for col in cols]
    col_h = [sum(unit_size(u)[1] for u in col) + gaps[ci] * max(0, len(col) - 1) for ci, col in enumerate(cols)]
    full_h = max(col_h, default=0.0)
    x = 0.0
    for ci, col in enumerate(cols):
        y = (full_h - col_h[ci]) / 2
        for u in col:
            w, hh = unit_size(u)
            ux = x + (col_w[ci] - w) / 2
            if u in groups:
                grp = groups[u]
                grp.x, grp.y, grp.w, grp.hgt = ux, y, w, hh
                my = y + HEAD
                for m in unit_members[u]:
                    n = g.nodes[m]
                    n.x, n.y, n.w, n.hgt = ux + PAD, my, NODE_W, DOC_H
                    my += DOC_H + 10
            else:
                n = g.nodes[u]
                n.x, n.y, n.w, n.hgt = ux, y, w, hh
            y += hh + gaps[ci]
        x += col_w[ci] + COL_GAP
    width = max(0.0, x - COL_GAP)
    # an edge inside one column bulges out to the right (see _edge_path): leave room for it and its label
    for e in edges:
        na, nb = g.nodes[e.frm], g.nodes[e.to]
        if _sides(na, nb) == ("r", "r"):
            bulge = _bulge(abs(na.y - nb.y))
            width = max(width, max(na.x + na.w, nb.x + nb.w) + 0.75 * bulge + 60)
    return width, full_h


# -- SVG --------------------------------------------------------------------------------------
def _sides(a: Node, b: Node) -> tuple[str, str]:
    """Which side of each box an edge leaves from: facing each other, or both right in one column."""
    if b.x >= a.x + a.w:
        return "r", "l"
    if a.x >= b.x + b.w:
        return "l", "r"
    return "r", "r"


def _ports(g: Graph) -> dict[tuple[int, str], Point]:
    """Spread the ends of the edges meeting one side of a box along it, ordered by where the other
    end lies, so a fan of edges stays a fan instead of a knot."""
    by_side: dict[tuple[str, str], list[tuple[float, int, str]]] = defaultdict(list)
    for i, e in enumerate(g.edges):
        a, b = g.nodes.get(e.frm), g.nodes.get(e.to)
        if a is None or b is None:
            continue
        sa, sb = _sides(a, b)
        by_side[(a.key, sa)].append((b.y + b.hgt / 2, i, "from"))
        by_side[(b.key, sb)].append((a.y + a.hgt / 2, i, "to"))
    ports: dict[tuple[int, str], Point] = {}
    for (key, side), ends in by_side.items():
        n = g.nodes[key]
        ends.sort()
        x = n.x + n.w if side == "r" else n.x
        span = max(0.0, n.hgt - 16)
        for k, (_, i, end) in enumerate(ends):
            y = n.y + n.hgt / 2 if len(ends) == 1 else n.y + 8 + span * k / (len(ends) - 1)
            ports[(i, end)] = (x, y)
    return ports


def _bulge(dy: float) -> float:
    # capped: an arc between the ends of a tall column must not make the picture wider than a screen
    return min(50 + dy / 4, 180.0)


def _edge_path(p0: Point, p3: Point, sides: tuple[str, str]) -> tuple[str, float, float]:
    """A cubic curve between two ports; returns the path and its midpoint for the label."""
    if sides == ("r", "r"):  # same column: an arc out to the right
        bulge = _bulge(abs(p3[1] - p0[1]))
        return _curve(p0, (p0[0] + bulge, p0[1]), (p3[0] + bulge, p3[1]), p3)
    dx = (p3[0] - p0[0]) / 2
    return _curve(p0, (p0[0] + dx, p0[1]), (p3[0] - dx, p3[1]), p3)


Point = tuple[float, float]


def _curve(p0: Point, p1: Point, p2: Point, p3: Point) -> tuple[str, float, float]:
    mx = (p0[0] + 3 * p1[0] + 3 * p2[0] + p3[0]) / 8
    my = (p0[1] + 3 * p1[1] + 3 * p2[1] + p3[1]) / 8
    d = f"M{p0[0]:.1f},{p0[1]:.1f} C{p1[0]:.1f},{p1[1]:.1f} {p2[0]:.1f},{p2[1]:.1f} {p3[0]:.1f},{p3[1]:.1f}"
    return d, mx, my


def _edge_label(e: Edge) -> str:
    if e.kind == "quotes":
        verb = {"attributed": "quotes", "credited": "republishes"}.get(e.strength, "reuses")
        text = f"{verb} · {e.confidence:.2f}"
    elif e.kind == "unknown":
        text = "shared text"
    else:
        text = "cites"
    return text + (f" ×{e.count}" if e.count > 1 else "")


def _why(e: Edge) -> str:
    return f" ({h(STRENGTH_TEXT[e.strength])})" if e.strength in STRENGTH_TEXT else ""


def _doc_tooltip(n: Node) -> str:
    parts = [n.name]
    if n.title:
        parts.append(n.title)
    meta = " · ".join(x for x in (n.outlet, n.date) if x)
    if meta:
        parts.append(meta)
    if n.cluster:
        parts.append(f"cluster {n.cluster}" + (" (canonical copy)" if n.canonical else ""))
    if n.completeness is not None and not n.canonical:
        parts.append(f"{n.completeness:.0%} complete, {n.gaps} gap(s)")
    return "\n".join(one_line(p) for p in parts)


def _svg_doc(n: Node) -> list[str]:
    cls = "node doc" + (" canonical" if n.canonical else "")
    cluster_attr = f' data-cluster="{h(n.cluster)}"' if n.cluster else ""
    line2 = truncate(n.title, 42) if n.title else "(no title)"
    meta = [truncate(n.outlet, 26)] if n.outlet else []
    if n.date:
        meta.append(n.date[:10])
    if n.completeness is not None and n.completeness < 1 and not n.canonical:
        meta.append(f"{n.completeness:.0%} complete")
    x, y = n.x, n.y
    out = [
        f'<g class="{cls}" data-id="{h(n.name)}"{cluster_attr}>',
        f"<title>{h(_doc_tooltip(n))}</title>",
        f'<a href="#{anchor("doc", n.name)}">' if n.listed else "<a>",
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{n.w:.1f}" height="{n.hgt:.1f}" rx="6"/>',
        f'<text class="id" x="{x + 10:.1f}" y="{y + 18:.1f}">{h(truncate(n.name, 26 if n.canonical else 38))}</text>',
        f'<text class="{"title" if n.title else "title missing"}" x="{x + 10:.1f}" y="{y + 36:.1f}">'
        f"{h(line2)}</text>",
        f'<text class="meta" x="{x + 10:.1f}" y="{y + 53:.1f}">{h(" · ".join(meta) or "no outlet or date")}</text>',
    ]
    if n.canonical:
        bx = x + n.w - 88
        out.append(f'<rect class="badge" x="{bx:.1f}" y="{y + 6:.1f}" width="80" height="17" rx="8.5"/>')
        out.append(f'<text class="badge" x="{bx + 40:.1f}" y="{y + 18:.1f}" text-anchor="middle">★ canonical</text>')
    out.append("</a></g>")
    return out


def _svg_outlet(n: Node) -> list[str]:
    cx, cy = n.x + n.w / 2, n.y + n.hgt / 2
    cited = f" · cited {n.cited}×" if n.cited > 1 else ""
    return [
        f'<g class="node outlet" data-id="{h(n.name)}">',
        f"<title>{h(n.name)} (outlet outside the corpus, cited {n.cited}×)</title>",
        f'<rect x="{n.x:.1f}" y="{n.y:.1f}" width="{n.w:.1f}" height="{n.hgt:.1f}" rx="{n.hgt / 2:.1f}"/>',
        f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle">{h(truncate(n.name, 22))}{cited}</text>',
        "</g>",
    ]


_LEGEND = [
    ("doc", "document"),
    ("canonical", "canonical copy"),
    ("cluster", "near-duplicate cluster"),
    ("outlet", "outlet outside the corpus"),
    ("attributed", "quotes, attributed (arrow to the quoted)"),
    ("credited", "republishes, credited"),
    ("inferred", "reuses: direction from dates or marks only"),
    ("unknown", "shared text, direction unknown"),
    ("cites", "cites"),
]


def _text_width(text: str, size: float = 12.0) -> float:
    """A generous estimate of rendered width (no font metrics here): 0.6 em per character."""
    return len(text) * size * 0.6


def _swatch_width(kind: str) -> float:
    return 30.0 if kind == "outlet" else 26.0 if kind in ("doc", "canonical", "cluster") else 38.0


def _legend_rows(width: float) -> list[list[tuple[str, str]]]:
    """Legend items wrapped to the picture's width."""
    rows: list[list[tuple[str, str]]] = [[]]
    x = float(MARGIN)
    for kind, text in _LEGEND:
        item = _swatch_width(kind) + 6 + _text_width(text) + 18
        if rows[-1] and x + item > width - MARGIN:
            rows.append([])
            x = float(MARGIN)
        rows[-1].append((kind, text))
        x += item
    return rows


def legend_height(width: float) -> float:
    return 24.0 * len(_legend_rows(width)) + 12


def _legend_item(kind: str, text: str, x: float, y: float, svg_id: str) -> list[str]:
    if kind in ("doc", "canonical", "cluster", "outlet"):
        cls = "swatch " + ("doc canonical" if kind == "canonical" else kind)
        w, rx = (30, 8) if kind == "outlet" else (26, 3)
        shape = f'<g class="{cls}"><rect x="{x:.0f}" y="{y:.0f}" width="{w}" height="16" rx="{rx}"/></g>'
    else:
        arrow = "" if kind == "unknown" else f' marker-end="url(#{svg_id}-arrow-{_marker(kind)})"'
        cls = kind if kind in ("unknown", "cites") else f"quotes {kind}"
        shape = (f'<g class="swatch {cls}"><path d="M{x:.0f},{y + 8:.0f} L{x + 34:.0f},{y + 8:.0f}"'
                 f"{arrow}/></g>")
    tx = x + _swatch_width(kind) + 6
    return [shape, f'<text x="{tx:.0f}" y="{y + 12:.0f}">{h(text)}</text>']


def _marker(strength: str) -> str:
    """Which arrowhead an edge of this strength ends in (each has the colour of its line)."""
    return strength if strength in ("attributed", "credited", "inferred", "cites") else "inferred"


def _svg_legend(width: float, svg_id: str) -> list[str]:
    out = ['<g class="legend">']
    y = float(MARGIN)
    for row in _legend_rows(width):
        x = float(MARGIN)
        for kind, text in row:
            out += _legend_item(kind, text, x, y, svg_id)
            x += _swatch_width(kind) + 6 + _text_width(text) + 18
        y += 24
    out.append("</g>")
    return out


def render_svg(g: Graph, title: str, svg_id: str = "provenance-graph") -> str:
    """The graph as inline SVG; ``svg_id`` must be unique in the page (markers are named after it)."""
    w, hh = g.width, g.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph{" fit" if w <= FIT_WIDTH else ""}" '
        f'id="{svg_id}" role="img" '
        f'width="{w:.0f}" height="{hh:.0f}" viewBox="0 0 {w:.0f} {hh:.0f}" aria-labelledby="{svg_id}-title">',
        f'<title id="{svg_id}-title">{h(title)}</title>',
        "<defs>",
        *(f'<marker id="{svg_id}-arrow-{m}" class="arrow {m}" viewBox="0 0 10 10" refX="9" refY="5" '
          'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
          for m in ("attributed", "credited", "inferred")),
        f'<marker id="{svg_id}-arrow-cites" class="arrow cites" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,1 L9,5 L0,9"/></marker>',
        "</defs>",
    ]
    out += _svg_legend(w, svg_id)
    out.append('<g class="clusters">')
    for grp in g.groups:
        if not grp.members:
            continue
        size = len(grp.members) + grp.hidden
        out += [
            f'<g class="cluster" data-id="{h(grp.cluster)}">',
            f"<title>near-duplicate cluster {h(grp.cluster)}: {size} copies</title>",
            f'<a href="#{anchor("cluster", grp.cluster)}">',
            f'<rect x="{grp.x:.1f}" y="{grp.y:.1f}" width="{grp.w:.1f}" height="{grp.hgt:.1f}" rx="10"/>',
            f'<text x="{grp.x + PAD:.1f}" y="{grp.y + 17:.1f}">'
            f"{size} copies · cluster {h(truncate(grp.cluster, 16))}</text>",
        ]
        if grp.hidden:
            out.append(f'<text class="more" x="{grp.x + PAD:.1f}" y="{grp.y + grp.hgt - 8:.1f}">'
                       f"+ {grp.hidden} more copies with no edge of their own</text>")
        out.append("</a></g>")
    out.append("</g>")
    out.append('<g class="edges">')
    labels: list[str] = []
    ports = _ports(g)
    for i, e in enumerate(g.edges):
        a, b = g.nodes.get(e.frm), g.nodes.get(e.to)
        if a is None or b is None:
            continue
        d, mx, my = _edge_path(ports[(i, "from")], ports[(i, "to")], _sides(a, b))
        arrow = "" if e.kind == "unknown" else f' marker-end="url(#{svg_id}-arrow-{_marker(e.strength)})"'
        text = _edge_label(e)
        out += [
            f'<g class="edge {e.kind} {e.strength}" data-from="{h(a.name)}" data-to="{h(b.name)}" '
            f'data-kind="{e.kind}" data-strength="{e.strength}">',
            f"<title>{h(a.name)} {h(text)} {h(b.name)}{_why(e)}</title>",
            f'<a href="#{e.target}"><path d="{d}"{arrow}/>',
            # a wide invisible stroke, so the thin line is easy to hover and click
            f'<path class="hit" d="{d}"/></a>',
            "</g>",
        ]
        # an outlet node shows its own count; a label halfway along a fan of edges would be ambiguous
        if e.kind != "cites" or b.kind == "doc":
            labels.append(f'<text class="edge-label {e.kind}" x="{mx:.1f}" y="{my - 5:.1f}" '
                          f'text-anchor="middle">{h(text)}</text>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for n in g.nodes.values():
        out += _svg_doc(n) if n.kind == "doc" else _svg_outlet(n)
    out.append("</g>")
    out.append('<g class="edge-labels">')
    out += labels
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


# -- Mermaid ----------------------------------------------------------------------------------
def render_mermaid(g: Graph) -> str:
    """A ``flowchart`` with the same nodes, boxes and edges as the SVG (Mermaid does its own layout)."""
    ids: dict[str, str] = {}
    for key in sorted(g.nodes, key=lambda k: (g.nodes[k].kind, k)):
        ids[key] = ("d" if g.nodes[key].kind == "doc" else "o") + str(len(ids))

    def doc_node(n: Node, indent: str) -> str:
        label = mermaid(truncate(n.name, 40))
        sub = truncate(" · ".join(x for x in (n.title, n.outlet) if x), 48)
        if sub:
            label += "<br/>" + mermaid(sub)
        if n.canonical:
            label = "★ " + label
        cls = ":::canonical" if n.canonical else ""
        return f'{indent}{ids[n.key]}["{label}"]{cls}'

    lines = ["flowchart LR"]
    grouped: set[str] = set()
    for i, grp in enumerate(g.groups):
        if not grp.members:
            continue
        lines.append(f'  subgraph c{i}["near-duplicates: {mermaid(truncate(grp.cluster, 30))}"]')
        for m in grp.members:
            lines.append(doc_node(g.nodes[m], "    "))
            grouped.add(m)
        lines.append("  end")
    for key, n in g.nodes.items():
        if n.kind == "doc" and key not in grouped:
            lines.append(doc_node(n, "  "))
    for key, n in g.nodes.items():
        if n.kind == "outlet":
            lines.append(f'  {ids[key]}(["{mermaid(truncate(n.name, 40))}"]):::outlet')
    styles: list[str] = []
    for i, e in enumerate(e for e in g.edges if e.frm in ids and e.to in ids):
        a, b = ids[e.frm], ids[e.to]
        text = mermaid(_edge_label(e))
        if e.kind == "quotes" and e.strength == "inferred":
            lines.append(f'  {a} -.->|"{text}"| {b}')
            styles.append(f"  linkStyle {i} stroke:#b45309")
        elif e.kind == "quotes":
            lines.append(f'  {a} -->|"{text}"| {b}')
            colour = "#7c3aed" if e.strength == "credited" else "#c2410c"
            styles.append(f"  linkStyle {i} stroke:{colour},stroke-width:2.5px")
        elif e.kind == "unknown":
            lines.append(f'  {a} -.-|"{text}"| {b}')
        else:
            lines.append(f"  {a} -.-> {b}" if e.count == 1 else f'  {a} -.->|"{text}"| {b}')
            styles.append(f"  linkStyle {i} stroke:#9ca3af")
    lines += styles
    lines.append("  classDef canonical stroke:#1d4ed8,stroke-width:3px")
    lines.append("  classDef outlet fill:#fef3c7,stroke:#b45309,stroke-dasharray:4 3")
    return "\n".join(lines)
