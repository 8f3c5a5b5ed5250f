"""What the first screen of the report answers, computed once for both formats.

A reader of a large corpus asks three things before anything else: which texts were carried
most (and who had them first), which outlets take from which, and which stories were copied
most. Below that, the provenance is split into *groups*: documents joined by reuse between
articles (not by a common source both carry, which would glue every article that quotes the
same speaker into one hairball), each small enough to draw.

Everything here is pure: it reads a :class:`~dedup.report.model.ReportData` and returns rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from dedup.models import Reuse
from dedup.report.escape import anchor
from dedup.report.model import ReportData

#: How strong the evidence of an edge is, weakest last; each is drawn differently.
Strength = Literal["attributed", "credited", "inferred", "undirected", "common"]
STRENGTHS: tuple[Strength, ...] = ("attributed", "credited", "inferred", "undirected", "common")
STRENGTH_TEXT: dict[str, str] = {
    "attributed": "quotes, attributed",
    "credited": "republishes, credited",
    "inferred": "reuses, direction from dates or marks only",
    "undirected": "shared text, direction unknown",
    "common": "both carry a common source",
}


def strength(r: Reuse) -> Strength:
    """The class of evidence behind an edge: what the reader should weigh it as."""
    if r.kind == "shares":
        return "common"
    if r.kind == "republishes":
        return "credited"
    if r.direction != "quotes":
        return "undirected"
    if r.kind == "quotes" or r.attribution is not None:
        return "attributed"
    return "inferred"


# -- sources carried most ----------------------------------------------------------------------
@dataclass(frozen=True)
class Carried:
    """One text carried by several documents: a story with its copies and takers, or a common source."""

    kind: str  # "copies", "quoted", "wire", "speaker", "common source"
    label: str  # the canonical copy's title, or the source's name
    carriers: tuple[str, ...]  # document ids, earliest first
    earliest: str | None  # the earliest dated carrier, else None
    outlets: tuple[str, ...]  # distinct outlets, most documents first
    target: str  # report fragment (cluster-…, source-…, doc-…) without '#'
    passage: str = ""


def _date_key(data: ReportData, doc_id: str) -> tuple[str, str]:
    return (data.doc(doc_id).date or "9999", doc_id)


def _outlets(data: ReportData, docs: Iterable[str]) -> tuple[str, ...]:
    counts = Counter(o for d in docs if (o := data.doc(d).outlet))
    return tuple(o for o, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold())))


def _carried(data: ReportData, kind: str, label: str, docs: Iterable[str], target: str,
             passage: str = "") -> Carried:
    ordered = tuple(sorted(set(docs), key=lambda d: _date_key(data, d)))
    dated = next((d for d in ordered if data.doc(d).date), None)
    return Carried(kind, label, ordered, dated, _outlets(data, ordered), target, passage)


def carried_most(data: ReportData, limit: int = 12) -> list[Carried]:
    """The texts carried by most documents: copy clusters with the articles that take from them,
    and common sources with their witnesses; largest first."""
    cluster_of = {d.id: d.cluster for d in data.docs.values() if d.cluster}
    members = {ci.id: set(ci.members) for ci in data.clusters}
    takers: dict[str, set[str]] = defaultdict(set)  # story unit -> documents that take from it
    for r in data.reuses:
        if r.direction == "quotes" and r.kind != "shares":
            unit = cluster_of.get(r.source, r.source)
            takers[unit if unit in members else r.source].add(r.quoting)
    rows: list[Carried] = []
    for ci in data.clusters:
        docs = members[ci.id] | takers.get(ci.id, set())
        kind = "copies" if not takers.get(ci.id) else "copies, quoted"
        title = data.doc(ci.canonical).title or "(no title)"
        rows.append(_carried(data, kind, title, docs, anchor("cluster", ci.id)))
    for unit, who in takers.items():
        if unit in members:
            continue
        title = data.doc(unit).title or "(no title)"
        rows.append(_carried(data, "quoted", title, who | {unit}, anchor("doc", unit)))
    for i, s in enumerate(data.sources):
        kind = {"wire": "wire", "speaker": "speaker"}.get(s.get("kind") or "", "common source")
        name = s.get("name") or ("unnamed speaker" if kind == "speaker" else "unnamed source")
        rows.append(_carried(data, kind, name, (w["doc"] for w in s["witnesses"]), source_anchor(i),
                             s.get("passage") or ""))
    rows = [r for r in rows if len(r.carriers) > 1]
    rows.sort(key=lambda r: (-len(r.carriers), -len(r.outlets), r.target))
    return rows[:limit]


def source_anchor(index: int) -> str:
    return f"source-{index + 1}"


def reuse_anchor(index: int) -> str:
    return f"reuse-{index + 1}"


# -- outlets -------------------------------------------------------------------------------------
@dataclass
class OutletPair:
    """What one outlet's articles take from another's, by strength of evidence."""

    taker: str
    source: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def directed(self) -> int:
        return sum(self.counts[s] for s in ("attributed", "credited", "inferred"))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def outlet_pairs(data: ReportData, limit: int = 12) -> list[OutletPair]:
    """Outlet → outlet, most directed reuse first (then undirected shared text); common sources
    are not counted: carrying the same wire story is not taking from each other."""
    pairs: dict[tuple[str, str], OutletPair] = {}
    for r in data.reuses:
        s = strength(r)
        if s == "common":
            continue
        a = data.doc(r.quoting).outlet or "(no outlet)"
        b = data.doc(r.source).outlet or "(no outlet)"
        if s == "undirected":
            a, b = sorted((a, b), key=str.casefold)  # the pair order carries no meaning
        key = (a, b)
        if key not in pairs:
            pairs[key] = OutletPair(a, b)
        pairs[key].counts[s] += 1
    ranked = sorted(pairs.values(), key=lambda p: (-p.directed, -p.total, p.taker.casefold(), p.source.casefold()))
    return ranked[:limit]


# -- groups ------------------------------------------------------------------------------------------
@dataclass
class ReuseGroup:
    """Documents joined by reuse between articles or resolved citations (copies count as one)."""

    docs: list[str]
    reuses: list[int]  # indices into data.reuses (common sources excluded)
    clusters: list[str]  # clusters with copies that take part
    number: int = 0

    @property
    def anchor(self) -> str:
        return f"group-{self.number}"


def reuse_groups(data: ReportData) -> list[ReuseGroup]:
    """Connected groups, largest first. A cluster of copies is one unit, so a story and the
    articles quoting any of its copies land in one group."""
    cluster_of = {d.id: d.cluster for d in data.docs.values() if d.cluster}
    multi = {ci.id: ci.members for ci in data.clusters}

    def unit(doc: str) -> str:
        c = cluster_of.get(doc)
        return "c:" + c if c in multi else "d:" + doc

    parent: dict[str, str] = {}

    def find(u: str) -> str:
        parent.setdefault(u, u)
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    linked: list[tuple[str, str, int | None]] = []
    for i, r in enumerate(data.reuses):
        if r.kind != "shares":
            linked.append((r.quoting, r.source, i))
    for c in data.resolved:
        if c.resolved_to:
            linked.append((c.doc, c.resolved_to, None))
    for a, b, _ in linked:
        join(unit(a), unit(b))
    found: dict[str, ReuseGroup] = {}
    for a, _b, idx in linked:
        root = find(unit(a))
        grp = found.setdefault(root, ReuseGroup([], [], []))
        if idx is not None:
            grp.reuses.append(idx)
    for root, grp in found.items():
        units = {u for u in parent if find(u) == root}
        docs: set[str] = set()
        for u in units:
            if u.startswith("c:"):
                grp.clusters.append(u[2:])
                docs.update(multi[u[2:]])
            else:
                docs.add(u[2:])
        grp.docs = sorted(docs)
        grp.clusters.sort()
    groups = sorted(found.values(), key=lambda g: (-len(g.docs), -len(g.reuses), g.docs[0]))
    for n, grp in enumerate(groups, 1):
        grp.number = n
    return groups


# -- where each document appears ----------------------------------------------------------------
def appearances(data: ReportData, shown_reuses: Iterable[int]) -> dict[str, list[tuple[str, str]]]:
    """Document id -> (fragment, label) of every place the report discusses it, so a reader can
    follow one article through its cluster, its quotations and the sources it carries."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    multi = {ci.id for ci in data.clusters}
    for d in data.docs.values():
        if d.cluster in multi:
            out[d.id].append((anchor("cluster", d.cluster or ""), "cluster"))
    for i in shown_reuses:
        r = data.reuses[i]
        for doc in (r.quoting, r.source):
            out[doc].append((reuse_anchor(i), f"#{i + 1}"))
    for i, s in enumerate(data.sources):
        for w in s["witnesses"]:
            out[w["doc"]].append((source_anchor(i), f"source {i + 1}"))
    return out


def source_witnesses(source: dict[str, Any]) -> list[str]:
    return [w["doc"] for w in source.get("witnesses", [])]
