"""Verify LSH candidates on exact shingle sets and group copies into clusters.

MinHash only proposes pairs; every pair is then measured on the exact
shingle sets (Jaccard and containment both ways), because a truncated or
damaged scrape is a copy even when its Jaccard is low.

Clusters are grown from connected components of verified pairs but guarded
against chaining: inside a component the best copy is chosen as canonical and
a document joins only if it verifies against that canonical copy itself.
Whatever is left forms clusters of its own by the same rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.models import Cluster, Document, PairScore, Relation

U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class Rank:
    """What makes one copy a better canonical than another, and how to say so."""

    doc_id: str
    length: int
    defects: int
    date: str | None

    def key(self) -> tuple[int, int, str, str]:
        # longest clean text, then fewest defects, then earliest date, then smallest id
        return (-self.length, self.defects, self.date or "9999-99-99", self.doc_id)


def measure(a: U64, b: U64) -> tuple[float, float, float]:
    """(jaccard, containment of a in b, containment of b in a) of two sorted unique hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - inter
    return inter / union, inter / len(a), inter / len(b)


def relation(j: float, c_ab: float, c_ba: float, n_a: int, n_b: int, config: Config) -> Relation | None:
    """``exact``, ``contained`` (only the smaller text is inside the other), ``near-duplicate``, or None."""
    if min(n_a, n_b) < config.min_shingles:
        # too short to call a copy unless it is the very same text
        return "exact" if j == 1.0 and n_a == n_b and n_a > 0 else None
    if j == 1.0:
        return "exact"
    smaller_in_larger, larger_in_smaller = (c_ab, c_ba) if n_a <= n_b else (c_ba, c_ab)
    if smaller_in_larger >= config.containment_threshold > larger_in_smaller:
        return "contained"
    if j >= config.jaccard_threshold or smaller_in_larger >= config.containment_threshold:
        return "near-duplicate"
    return None


def score(a_id: str, b_id: str, a: U64, b: U64, config: Config) -> PairScore:
    """Figures for the pair, ordered so that ``a < b``."""
    if b_id < a_id:
        a_id, b_id, a, b = b_id, a_id, b, a
    j, c_ab, c_ba = measure(a, b)
    return PairScore(
        a_id, b_id, round(j, 4), round(c_ab, 4), round(c_ba, 4),
        relation(j, c_ab, c_ba, len(a), len(b), config),
    )


def cluster_id(members: Sequence[str]) -> str:
    """Derived from the member ids only: unchanged membership keeps its id across runs."""
    digest = hashlib.sha1("\n".join(sorted(members)).encode("utf-8")).hexdigest()
    return f"c{digest[:12]}"


def _reason(canonical: Rank, others: Sequence[Rank]) -> str:
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


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


Scorer = Callable[[int, int], PairScore]


def hash_scorer(ranks: Sequence[Rank], hashes: Callable[[int], U64], config: Config) -> Scorer:
    """A scorer over documents whose exact shingle sets ``hashes(i)`` gives."""

    def pair(i: int, j: int) -> PairScore:
        return score(ranks[i].doc_id, ranks[j].doc_id, hashes(i), hashes(j), config)

    return pair


def build_clusters(
    ranks: Sequence[Rank],
    pair_score: Scorer,
    candidates: npt.NDArray[np.int64],
    config: Config,
) -> tuple[list[Cluster], list[PairScore]]:
    """Clusters of every document (singletons included) and the verified candidate pairs.

    ``ranks[i]`` describes document i and ``pair_score(i, j)`` measures a pair
    on exact shingle sets (the caller decides where the sets come from: memory,
    a cache of earlier runs); ``candidates`` are index pairs from LSH. Returns
    clusters sorted by id.
    """
    n = len(ranks)
    uf = _UnionFind(n)
    verified: list[PairScore] = []
    for i, j in candidates.tolist():
        pair = pair_score(i, j)
        if pair.relation is not None:
            verified.append(pair)
            uf.union(i, j)
    components: dict[int, list[int]] = {}
    for i in range(n):
        components.setdefault(uf.find(i), []).append(i)

    clusters: list[Cluster] = []
    for members in components.values():
        if len(members) == 1:  # most documents: no ranking, no pairs
            doc_id = ranks[members[0]].doc_id
            clusters.append(Cluster(cluster_id([doc_id]), [doc_id], doc_id, _reason(ranks[members[0]], []), []))
            continue
        remaining = sorted(members, key=lambda i: ranks[i].key())
        while remaining:
            head, rest = remaining[0], remaining[1:]
            joined: list[int] = [head]
            pairs: list[PairScore] = []
            left: list[int] = []
            for other in rest:
                pair = pair_score(head, other)
                if pair.relation is not None:
                    joined.append(other)
                    pairs.append(pair)
                else:
                    left.append(other)
            ids = sorted(ranks[i].doc_id for i in joined)
            clusters.append(
                Cluster(
                    id=cluster_id(ids),
                    members=ids,
                    canonical=ranks[head].doc_id,
                    reason=_reason(ranks[head], [ranks[i] for i in joined[1:]]),
                    pairs=sorted(pairs, key=lambda p: (p.a, p.b)),
                )
            )
            remaining = left
    clusters.sort(key=lambda c: c.id)
    verified.sort(key=lambda p: (p.a, p.b))
    return clusters, verified


def settle_canonical(
    cluster: Cluster,
    rank_of: Callable[[str], Rank],
    pair_score: Callable[[str, str], PairScore],
    coverage: Callable[[str, str], float],
    top: int = 3,
) -> Cluster:
    """Let the copy that holds most of the others' text be canonical.

    Length and defects choose a provisional canonical; here the ``top``
    longest members are aligned against every other member, and
    ``coverage(m, o)`` (the share of o's text that m also has) decides: a
    long copy padded with leftover furniture loses to a shorter one that
    holds the whole article. The switch happens only when the new canonical
    still verifies against every member, so the chaining guard holds. With
    two members the share each holds of the other orders them exactly as
    their lengths do, so no alignment is spent on them.
    """
    if len(cluster.members) < 3:
        return cluster
    ranked = sorted(cluster.members, key=lambda m: rank_of(m).key())
    scores = {
        m: sum(coverage(m, o) for o in cluster.members if o != m) / (len(cluster.members) - 1)
        for m in ranked[:top]
    }
    best = min(scores, key=lambda m: (-round(scores[m], 2), rank_of(m).key()))
    covers = f"covers {scores[best]:.0%} of the other copies' text"
    if best == cluster.canonical:
        return Cluster(cluster.id, cluster.members, best, f"{cluster.reason}; {covers}", cluster.pairs)
    pairs = [pair_score(best, m) for m in cluster.members if m != best]
    if any(p.relation is None for p in pairs):
        return cluster
    old = cluster.canonical
    reason = (f"most complete copy: {covers}, vs {scores.get(old, 0.0):.0%} for the longest copy {old} "
              f"({rank_of(best).length} chars vs {rank_of(old).length})")
    return Cluster(cluster.id, cluster.members, best, reason, sorted(pairs, key=lambda p: (p.a, p.b)))


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
) -> list[Settled]:
    """The one core of both engines' damage stage, for clusters of two or more members.

    ``align(pairs)`` aligns each (doc, against) pair and gives the share of ``against``'s text
    that ``doc`` holds; it is called twice with the pairs of all clusters at once (the top
    copies against the others, then every member against the settled canonical), so that an
    engine can batch, cache and fan out the alignments as it likes and keep the gaps they find.
    After the second call every (member, canonical) pair has been aligned.
    """
    big = [c for c in clusters if len(c.members) >= 3]
    coverage = align([(m, o) for c in big for m in sorted(c.members, key=lambda x: rank_of(x).key())[:3]
                      for o in c.members if o != m])
    settled = {c.id: settle_canonical(c, rank_of, pair_score, lambda m, o: coverage[(m, o)]) for c in big}
    final = [settled.get(c.id, c) for c in clusters]
    align([(m, c.canonical) for c in final for m in c.members if m != c.canonical])
    return [Settled(c, {m: infer_metadata(m, c, docs) for m in c.members}) for c in final]


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
