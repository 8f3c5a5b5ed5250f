"""How much of what goes where: the budgets that keep the report readable at any corpus size.

A report of 10,000 documents cannot show every passage in full or draw every document in one
picture. The plan decides, the same way for HTML and Markdown: the strongest quotations get
full panels and the rest one row each; shared passages of a common source are told once, under
that source; the corpus is drawn as one picture only while it is small, else one picture per
group of documents joined by reuse, and a group too large or too wide to draw becomes a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dedup.report.graph import FIT_WIDTH, Graph, build_graph
from dedup.report.model import ReportData
from dedup.report.overview import ReuseGroup, reuse_groups

#: quotations shown with both passages side by side; the others get one row each
MAX_PANELS = 100
#: rows of the compact quotation table (each names ``dedup explain`` for the rest)
MAX_ROWS = 2000
#: common sources shown as cards with their passage and witnesses
MAX_SOURCE_CARDS = 60
#: clusters shown with every member's figures; the others one row each
MAX_CLUSTERS_FULL = 100
#: members and damage tables shown for one cluster
MAX_MEMBERS = 60
MAX_GAPS = 40
#: documents listed in the document table; past it only those the report mentions
MAX_DOC_ROWS = 2500
#: group pictures drawn; groups past it are one row each
MAX_GROUP_GRAPHS = 25
#: a group with more documents, or a picture wider than this, is a table instead: up to this
#: width a picture shrinks to the page, so none is ever wider than the screen
MAX_GROUP_DOCS = 40
MAX_GRAPH_WIDTH = float(FIT_WIDTH)
#: the whole corpus is one picture while it has at most this many drawn documents
SMALL_CORPUS = 60
#: outlets outside the corpus drawn in one group's picture (most cited)
MAX_GROUP_OUTLETS = 8


@dataclass
class GroupView:
    group: ReuseGroup
    graph: Graph | None  # None: too large or too wide to draw (see ``why``)
    why: str = ""


@dataclass
class Plan:
    panels: list[int] = field(default_factory=list)  # indices into data.reuses, in full
    rows: list[int] = field(default_factory=list)  # one row each
    unlisted: int = 0  # past MAX_ROWS
    covered: int = 0  # shared passages told under their common source
    whole: Graph | None = None  # the corpus in one picture, when it is small
    groups: list[GroupView] = field(default_factory=list)  # drawn or tabled, largest first
    more_groups: list[ReuseGroup] = field(default_factory=list)  # one row each

    @property
    def shown(self) -> list[int]:
        return self.panels + self.rows


def _covered(data: ReportData) -> set[int]:
    """Shared passages (``shares``) whose two documents witness one common source together."""
    by_doc: dict[str, set[int]] = {}
    for i, s in enumerate(data.sources):
        for w in s.get("witnesses", []):
            by_doc.setdefault(w["doc"], set()).add(i)
    return {i for i, r in enumerate(data.reuses)
            if r.kind == "shares" and by_doc.get(r.quoting, set()) & by_doc.get(r.source, set())}


def mentioned(data: ReportData, reuses: list[int]) -> set[str]:
    """Documents the report names outside its document table."""
    seen = {m for ci in data.clusters for m in ci.members}
    seen.update(d for i in reuses for d in (data.reuses[i].quoting, data.reuses[i].source))
    seen.update(w["doc"] for s in data.sources for w in s.get("witnesses", []))
    seen.update(c.doc for c in data.external + data.resolved)
    return seen


def make_plan(data: ReportData) -> Plan:
    """Decide what is shown how; also sets ``data.listed`` (the documents the table lists)."""
    plan = Plan()
    covered = _covered(data)
    plan.covered = len(covered)
    # data.reuses is ordered strongest first; shared passages of a source come last
    order = sorted((i for i in range(len(data.reuses)) if i not in covered),
                   key=lambda i: data.reuses[i].kind == "shares")
    plan.panels = order[:MAX_PANELS]
    plan.rows = order[MAX_PANELS:MAX_PANELS + MAX_ROWS]
    plan.unlisted = max(0, len(order) - MAX_PANELS - MAX_ROWS)
    if len(data.docs) > MAX_DOC_ROWS:
        data.listed = set(sorted(mentioned(data, plan.shown) & set(data.docs))[:MAX_DOC_ROWS])

    whole = build_graph(data) if len(data.docs) <= 4 * SMALL_CORPUS else None
    if whole is not None and sum(n.kind == "doc" for n in whole.nodes.values()) <= SMALL_CORPUS \
            and whole.width <= MAX_GRAPH_WIDTH:
        plan.whole = whole
        return plan
    groups = reuse_groups(data)
    for grp in groups[:MAX_GROUP_GRAPHS]:
        if len(grp.docs) > MAX_GROUP_DOCS:
            plan.groups.append(GroupView(grp, None, f"{len(grp.docs)} documents are too many to draw"))
            continue
        g = build_graph(data, set(grp.docs), MAX_GROUP_OUTLETS)
        if g.width > MAX_GRAPH_WIDTH:
            plan.groups.append(GroupView(grp, None, "the picture would be wider than a screen"))
        else:
            plan.groups.append(GroupView(grp, g))
    plan.more_groups = groups[MAX_GROUP_GRAPHS:]
    return plan
