"""The canonical copy of a cluster, settled by how much of the other copies' text it holds, and the
metadata each copy takes from its mates.

Ranking (length, defects, date) gives a provisional canonical; length can be furniture (captions,
a weather widget, a second copy of the story on the page), so the best-ranked copies are aligned
against the others and the one holding most of their text wins. Membership does not depend on the
canonical (:mod:`dedup.cluster.components`), so changing it loses no one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from dedup.cluster.figures import Rank
from dedup.cluster.holding import Holding, holdings_of
from dedup.models import Cluster, Document, PairScore


def rank_reason(canonical: Rank, others: Sequence[Rank]) -> str:
    if not others:
        return "only copy"
    runner = min(others, key=Rank.key)
    if canonical.length != runner.length:
        return (
            f"most complete copy: longest clean text ({canonical.length} chars vs {runner.length}), "
            f"{canonical.defects} defects vs {runner.defects}"
        )
    if canonical.defects != runner.defects:
        return f"same length; fewest defects ({canonical.defects} vs {runner.defects})"
    if (canonical.date or "9999") != (runner.date or "9999"):
        return f"same length and defects; earliest date ({canonical.date})"
    return "same length, defects and date; smallest id"


#: How the reason of a composite page's cluster starts (:mod:`dedup.cluster.components`).
COMPOSITE = "composite page"
def settle_canonical(
    cluster: Cluster,
    rank_of: Callable[[str], Rank],
    pair_score: Callable[[str, str], PairScore],
    holding: Mapping[str, Holding],
) -> Cluster:
    """Let the copy that covers most of its copies' text, with least junk, be canonical.

    Among the candidates (:func:`holdings`), the mean share of each other copy's shared text held
    decides in bands of 5% (a copy that lost words in damage or truncation falls below one that
    kept them; of versions of a story, the one that holds most of each); within a band the smaller
    share of junk wins (captions, video blurbs, and in clusters of three or more the text no mate
    has), then the exact coverage, then the rank (length, defects, date). A composite page's
    cluster is settled the same way.
    """
    if len(cluster.members) < 2:
        return cluster
    scored = {m: h for m, h in holding.items() if h.covers is not None and m in cluster.members}
    best = min(scored, key=lambda m: (-round((scored[m].covers or 0.0) * 20), round(scored[m].junk, 2),
                                      -round(scored[m].covers or 0.0, 3), rank_of(m).key()))
    h = scored[best]
    said = (f"covers {h.covers or 0.0:.0%} of the text its copies share, {h.junk:.0%} of its text is "
            f"captions or in no other copy")
    if best == cluster.canonical:
        return replace(cluster, reason=f"{cluster.reason}; {said}")
    old = cluster.canonical
    pairs = [pair_score(best, m) for m in cluster.members if m != best]
    prefix = cluster.reason.split("; most complete copy")[0] + "; " if cluster.reason.startswith(COMPOSITE) else ""
    theirs = holding[old]
    covers = f"covers {theirs.covers:.0%}, " if theirs.covers is not None else ""
    reason = (f"{prefix}most complete copy: {said}; the longest copy {old} {covers}has "
              f"{theirs.junk:.0%} captions or text in no other copy ({rank_of(best).length} chars vs "
              f"{rank_of(old).length})")
    return replace(cluster, canonical=best, reason=reason, pairs=sorted(pairs, key=lambda p: (p.a, p.b)))


@dataclass(frozen=True)
class Settled:
    """A cluster of two or more with its canonical copy settled, and the metadata each member takes
    from its mates (empty for a member that states everything)."""

    cluster: Cluster
    inferred: dict[str, dict[str, str]]


#: A batch of clusters to measure (:func:`dedup.cluster.holding.holdings_of`): each cluster's
#: members and whether they are pages, the members' clean texts, the shingle size.
HoldingJob = tuple[list[tuple[Sequence[str], bool]], Mapping[str, str], int]


def holdings_job(job: HoldingJob) -> list[dict[str, Holding]]:
    """:func:`dedup.cluster.holding.holdings_of` of one batch (a module-level function, for pools)."""
    groups, texts, k = job
    return holdings_of(groups, texts, k)


def settle_clusters(
    clusters: Sequence[Cluster],
    rank_of: Callable[[str], Rank],
    docs: Mapping[str, Document],
    pair_score: Callable[[str, str], PairScore],
    align: Callable[[list[tuple[str, str]]], object],
    texts: Callable[[Sequence[str]], Mapping[str, str]],
    k: int,
    mapper: Callable[[Callable[[HoldingJob], list[dict[str, Holding]]], Iterator[HoldingJob]],
                     Iterable[list[dict[str, Holding]]]] = map,
) -> list[Settled]:
    """The one core of both engines' damage stage, for clusters of two or more members.

    ``texts(ids)`` gives documents' clean texts (asked a few thousand documents at a time);
    ``k`` is the shingle size; ``mapper`` runs :func:`holdings_job` over batches of a few thousand
    members, in order (``map``, or a process pool's). ``align(pairs)`` aligns each (member,
    canonical) pair once the canonical copies are settled, with the pairs of all clusters at once,
    so that an engine can batch, cache and fan out the alignments as it likes and keep the gaps.
    """
    chunks = _chunks([c for c in clusters if len(c.members) >= 2], 4000)

    def job(chunk: list[Cluster]) -> HoldingJob:
        groups: list[tuple[Sequence[str], bool]] = [(c.members, c.reason.startswith(COMPOSITE)) for c in chunk]
        return groups, texts(sorted({m for c in chunk for m in c.members})), k

    jobs = (job(chunk) for chunk in chunks)
    settled: dict[str, Cluster] = {}
    for chunk, measured in zip(chunks, mapper(holdings_job, jobs), strict=True):
        for c, holding in zip(chunk, measured, strict=True):
            settled[c.id] = settle_canonical(c, rank_of, pair_score, holding)
    final = [settled.get(c.id, c) for c in clusters]
    align([(m, c.canonical) for c in final for m in c.members if m != c.canonical])
    return [Settled(c, {m: infer_metadata(m, c, docs) for m in c.members}) for c in final]


def _chunks(clusters: Sequence[Cluster], members: int) -> list[list[Cluster]]:
    out: list[list[Cluster]] = [[]]
    size = 0
    for c in clusters:
        if size >= members:
            out.append([])
            size = 0
        out[-1].append(c)
        size += len(c.members)
    return [chunk for chunk in out if chunk]


def infer_metadata(member: str, cluster: Cluster, docs: Mapping[str, Document]) -> dict[str, str]:
    """Title, outlet, date, author that ``member`` does not state, taken from its cluster mates.

    The canonical copy is asked first, then the others in id order; each value
    carries ``<field>_from``. An outlet is never inferred when mates state
    different ones: copies on several sites are syndication, so no one outlet
    is this copy's.
    """
    inferred: dict[str, str] = {}
    doc = docs[member]
    order = [cluster.canonical] + [m for m in cluster.members if m != cluster.canonical]
    for name in ("title", "outlet", "date", "author"):
        if getattr(doc, name):
            continue
        stated = {getattr(docs[o], name) for o in cluster.members if getattr(docs[o], name)}
        if name == "outlet" and len(stated) > 1:
            continue
        for other in order:
            value = getattr(docs[other], name)
            if other != member and value:
                inferred[name] = value
                inferred[f"{name}_from"] = other
                break
    return inferred
