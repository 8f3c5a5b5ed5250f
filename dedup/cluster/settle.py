"""The canonical copy of a cluster, settled by how much of the other copies' text it holds, and the
metadata each copy takes from its mates.

Ranking (length, defects, date) gives a provisional canonical; length can be furniture (captions,
a weather widget, a second copy of the story on the page), so the best-ranked copies are aligned
against the others and the one holding most of their text wins. Membership does not depend on the
canonical (:mod:`dedup.cluster.components`), so changing it loses no one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from dedup.cluster.figures import U64, Rank
from dedup.models import Cluster, Document, PairScore

#: Copies aligned against every other member when the canonical is settled.
TOP = 3


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


def page_shares(members: Sequence[str], shingles: Mapping[str, U64]) -> dict[str, tuple[float, float]]:
    """Per member: (its 5-grams that some other member also has, as a share of the most any member
    has; the share of its own 5-grams that no other member has). The first is how much of the
    shared article a copy holds; the second what it carries that no mate does: captions, widget
    text, teasers of other stories, more rarely a paragraph only it kept."""
    sets = [shingles[m] for m in members]
    every, counts = np.unique(np.concatenate(sets), return_counts=True)
    lone = every[counts == 1]
    mine = {m: len(s) - int(np.isin(s, lone, assume_unique=True).sum()) for m, s in zip(members, sets, strict=True)}
    most = max(mine.values()) or 1
    return {m: (mine[m] / most, 1.0 - mine[m] / len(s) if len(s) else 0.0)
            for m, s in zip(members, sets, strict=True)}


def candidates(cluster: Cluster, shares: Mapping[str, tuple[float, float]], rank_of: Callable[[str], Rank],
               top: int = TOP) -> list[str]:
    """The members worth aligning against the others: those holding most of the shared text, then
    carrying least text of their own (length alone would pick the copy padded with captions)."""
    return sorted(cluster.members, key=lambda m: (-round(shares[m][0], 2), round(shares[m][1], 2),
                                                  rank_of(m).key()))[:top]


def settle_canonical(
    cluster: Cluster,
    rank_of: Callable[[str], Rank],
    pair_score: Callable[[str, str], PairScore],
    coverage: Callable[[str, str], float],
    shares: Mapping[str, tuple[float, float]],
) -> Cluster:
    """Let the copy that holds most of the others' text, and carries least text of its own, be canonical.

    The :func:`candidates` are aligned against every other member, and ``coverage(m, o)`` (the
    share of o's text that m also has) decides, in bands of 5%: within a band, the copy with the
    smaller share of text no mate has wins, so that of two copies holding the whole article the one
    without photo captions, a weather widget or teasers is shown. With two members nothing tells
    junk from text the other copy lost, so the longer copy stays canonical.
    A composite page's cluster is settled the same way.
    """
    if len(cluster.members) < 3:
        return cluster
    scores = {
        m: sum(coverage(m, o) for o in cluster.members if o != m) / (len(cluster.members) - 1)
        for m in candidates(cluster, shares, rank_of)
    }
    best = min(scores, key=lambda m: (-round(scores[m] * 20), round(shares[m][1], 2), rank_of(m).key()))
    own = f"{shares[best][1]:.0%} of its text in no other copy"
    covers = f"covers {scores[best]:.0%} of the other copies' text, {own}"
    if best == cluster.canonical:
        return replace(cluster, reason=f"{cluster.reason}; {covers}")
    old = cluster.canonical
    pairs = [pair_score(best, m) for m in cluster.members if m != best]
    prefix = cluster.reason.split("; most complete copy")[0] + "; " if cluster.reason.startswith("composite") else ""
    theirs = f"covers {scores[old]:.0%}, " if old in scores else ""
    reason = (f"{prefix}most complete copy: {covers}; the longest copy {old} {theirs}has "
              f"{shares[old][1]:.0%} of its text in no other copy ({rank_of(best).length} chars vs "
              f"{rank_of(old).length})")
    return replace(cluster, canonical=best, reason=reason, pairs=sorted(pairs, key=lambda p: (p.a, p.b)))


@dataclass(frozen=True)
class Settled:
    """A cluster of two or more with its canonical copy settled, and the metadata each member takes
    from its mates (empty for a member that states everything)."""

    cluster: Cluster
    inferred: dict[str, dict[str, str]]


def settle_clusters(
    clusters: Sequence[Cluster],
    rank_of: Callable[[str], Rank],
    docs: Mapping[str, Document],
    pair_score: Callable[[str, str], PairScore],
    align: Callable[[list[tuple[str, str]]], Mapping[tuple[str, str], float]],
    shingles: Callable[[Sequence[str]], Mapping[str, U64]],
) -> list[Settled]:
    """The one core of both engines' damage stage, for clusters of two or more members.

    ``shingles(ids)`` gives the exact 5-gram sets of documents (sorted unique hashes).
    ``align(pairs)`` aligns each (doc, against) pair and gives the share of ``against``'s text
    that ``doc`` holds; it is called twice with the pairs of all clusters at once (the top
    copies against the others, then every member against the settled canonical), so that an
    engine can batch, cache and fan out the alignments as it likes and keep the gaps they find.
    After the second call every (member, canonical) pair has been aligned.
    """
    big = [c for c in clusters if len(c.members) >= 3]
    shares: dict[str, dict[str, tuple[float, float]]] = {}
    for chunk in _chunks(big, 4000):  # the 5-gram sets of a few thousand documents at a time
        sets = shingles(sorted({m for c in chunk for m in c.members}))
        shares.update((c.id, page_shares(c.members, sets)) for c in chunk)
    coverage = align([(m, o) for c in big for m in candidates(c, shares[c.id], rank_of) for o in c.members if o != m])
    settled = {c.id: settle_canonical(c, rank_of, pair_score, lambda m, o: coverage[(m, o)], shares[c.id])
               for c in big}
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
