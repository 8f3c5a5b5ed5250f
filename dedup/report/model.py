"""What the report shows, read once from a :class:`~dedup.corpus.Corpus`.

Both renderers (HTML, Markdown) work from this one structure, so the two
formats cannot drift apart in what they claim about the corpus.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dedup.corpus import Corpus
from dedup.models import Citation, Cluster, Gap, PairScore, Reuse

#: What a report says in place of its provenance figures when the run looked for copies only.
NOT_LOOKED_FOR = "not looked for: the run looked for copies only (dedup run --only copies)"


@dataclass(frozen=True)
class DocInfo:
    id: str
    title: str | None
    outlet: str | None
    date: str | None
    url: str | None
    cluster: str | None
    canonical: bool
    completeness: float | None
    gaps: tuple[Gap, ...] = ()
    # field -> id of the cluster mate it was borrowed from
    inferred_from: dict[str, str] = field(default_factory=dict)
    chars: int = 0

    @property
    def label(self) -> str:
        """Title, else outlet, for a one-line caption next to the id."""
        return self.title or self.outlet or ""


@dataclass(frozen=True)
class ClusterInfo:
    cluster: Cluster
    # member id -> its figures against the canonical copy (absent for the canonical itself)
    pairs: dict[str, PairScore]

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def canonical(self) -> str:
        return self.cluster.canonical

    @property
    def members(self) -> list[str]:
        """Canonical copy first, then the others by id."""
        c = self.cluster
        return [c.canonical, *sorted(m for m in c.members if m != c.canonical)]


@dataclass
class ReportData:
    source: str
    summary: dict[str, Any]
    run: dict[str, Any]
    docs: dict[str, DocInfo]
    clusters: list[ClusterInfo]  # of more than one member
    singletons: list[str]
    reuses: list[Reuse]
    external: list[Citation]  # citations of outlets outside the corpus
    resolved: list[Citation]  # citations resolved to a corpus document
    # common sources (a wire story, a speaker's words): kind, name, passage, witnesses earliest first
    sources: list[dict[str, Any]] = field(default_factory=list)
    # the documents the report's document table lists (None: all); set by the report's plan
    listed: set[str] | None = None

    def doc(self, doc_id: str) -> DocInfo:
        """The document, or a stand-in when an edge names an id the database no longer holds."""
        found = self.docs.get(doc_id)
        if found is None:
            return DocInfo(doc_id, None, None, None, None, None, False, None)
        return found

    def is_listed(self, doc_id: str) -> bool:
        """Whether a link to the document's row has a target."""
        return doc_id in self.docs and (self.listed is None or doc_id in self.listed)

    @property
    def quotes(self) -> int:
        return sum(1 for r in self.reuses if r.direction == "quotes")

    @property
    def copies_only(self) -> bool:
        """Whether the run that made the database looked for copies only (``--only copies``): no
        quotation, common source or citation was looked for, so none listed means none known."""
        try:
            counts = json.loads(self.run.get("counts") or "{}")
        except (TypeError, ValueError):
            return False
        return isinstance(counts, dict) and counts.get("only") == "copies"


def _doc_info(view: Any, multi: set[str]) -> DocInfo:
    d = view.doc
    inferred = d.inferred or {}
    values: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    for name in ("title", "outlet", "date"):
        stated = getattr(d, name)
        if stated:
            values[name] = stated
        elif inferred.get(name):
            values[name] = inferred[name]
            sources[name] = inferred.get(f"{name}_from", "")
        else:
            values[name] = None
    return DocInfo(
        id=d.id, title=values["title"], outlet=values["outlet"], date=values["date"], url=d.url,
        # every single document is the "canonical" of its own cluster; only copies make it news
        cluster=view.cluster, canonical=view.canonical and view.cluster in multi, completeness=view.completeness,
        gaps=tuple(view.gaps), inferred_from=sources, chars=len(d.text),
    )


def _reuse_key(r: Reuse) -> tuple[int, float, str, str, int]:
    # directed edges first, strongest evidence first: what a reader wants to check
    return (0 if r.direction == "quotes" else 1, -r.confidence, r.quoting, r.source, r.quoting_span.start)


def build(corpus: Corpus) -> ReportData:
    found = corpus.clusters()
    multi = {c.id for c in found if len(c.members) > 1}
    docs = {v.id: _doc_info(v, multi) for v in sorted(corpus.documents(), key=lambda v: v.id)}
    clusters: list[ClusterInfo] = []
    singletons: list[str] = []
    clustered: set[str] = set()
    for c in found:
        clustered.update(c.members)
        if len(c.members) > 1:
            pairs = {(p.b if p.a == c.canonical else p.a): p for p in c.pairs}
            clusters.append(ClusterInfo(c, pairs))
        else:
            singletons.extend(c.members)
    # a document the clustering never saw (interrupted run) still belongs in the report
    singletons.extend(d for d in docs if d not in clustered)
    clusters.sort(key=lambda ci: (-len(ci.cluster.members), ci.canonical))
    citations = sorted(corpus.citations(), key=lambda c: (c.doc, c.span.start, c.outlet))
    runs = corpus.runs()
    return ReportData(
        source=str(corpus.store.path),
        summary=corpus.summary(),
        run=runs[-1] if runs else {},
        docs=docs,
        clusters=clusters,
        singletons=sorted(set(singletons)),
        reuses=sorted(corpus.reuses(), key=_reuse_key),
        external=[c for c in citations if not c.resolved_to],
        resolved=[c for c in citations if c.resolved_to],
        # most witnesses first: the sources a reader most needs to know about
        sources=sorted(corpus.sources(), key=lambda s: (-len(s["witnesses"]), s["witnesses"][0]["doc"],
                                                        s["witnesses"][0]["start"])),
    )
