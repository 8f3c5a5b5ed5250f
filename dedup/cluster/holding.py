"""What each copy of a cluster holds of the article its copies share, and how much junk it carries:
the figures the canonical copy is chosen by (:func:`dedup.cluster.settle.settle_canonical`).

Measured on exact 5-gram sets of the clean texts without photo captions and video blurbs
(:func:`dedup.clean.page.caption_lines`): syndicated captions recur on several sites, so sharing
does not make them article text. Text only one copy has is junk when two or more other copies agree
on the rest (widget text, teasers of other stories); of two copies nothing tells junk from text
the shorter one lost, and on snapshots of a running file or live page the newest items are only on
the latest snapshot, so there only captions are junk. A copy's junk is left out of what the others
are asked to cover, so that one copy's teasers do not lower its rivals' scores.

The clusters of a batch are measured together in numpy (one sort of all their 5-grams), so that
fourteen thousand small clusters do not cost fourteen thousand rounds of small array calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dedup import fingerprint as fp
from dedup.clean.page import caption_lines

#: Copies whose coverage of every other member is measured (chosen by the share of the cluster's
#: shared text they hold), so that a cluster of n costs ~TOP * n.
TOP = 4


@dataclass(frozen=True)
class Holding:
    """What a copy holds of its cluster's article, for the choice of the canonical copy."""

    #: share of the cluster's shared text (5-grams two or more members have) this copy has
    held: float
    #: share of its 5-grams that are junk: photo captions and video blurbs, and (in clusters of
    #: three or more) text no other copy has (widget text, teasers of other stories)
    junk: float
    #: mean share of each other member's text, but junk, that this copy has (None: not a candidate)
    covers: float | None = None


def _without_captions(text: str) -> tuple[str, int]:
    """The text without its caption lines, and the words those took."""
    cap = caption_lines(text)
    if not cap:
        return text, 0
    dropped = set(cap)
    return "\n".join(line for line in text.split("\n") if line not in dropped), sum(len(fp.tokens(x)) for x in cap)


def holdings(members: Sequence[str], texts: Mapping[str, str], k: int, top: int = TOP,
             pages: bool = False) -> dict[str, Holding]:
    """:class:`Holding` of each member of one cluster (``pages``: snapshots of a page of items)."""
    return holdings_of([(members, pages)], texts, k, top)[0]


def holdings_of(groups: Sequence[tuple[Sequence[str], bool]], texts: Mapping[str, str], k: int,
                top: int = TOP) -> list[dict[str, Holding]]:
    """:class:`Holding` of each member of each cluster (its members, and whether they are pages)."""
    out: list[dict[str, Holding]] = [{} for _ in groups]
    cleaned = {m: _without_captions(texts[m]) for members, _ in groups for m in members}
    big = [i for i, (members, _) in enumerate(groups) if len(members) >= 3]
    for i, (members, _) in enumerate(groups):
        if len(members) == 2:
            # each holds all the two share and covers all of the other's shared text; only captions are junk
            for m in members:
                words, cap = len(fp.tokens(cleaned[m][0])) if cleaned[m][1] else 0, cleaned[m][1]
                size = max(words - k + 1, 1) + cap
                out[i][m] = Holding(1.0, cap / size if cap else 0.0, 1.0)
        elif len(members) == 1:
            out[i][members[0]] = Holding(1.0, 0.0, 1.0)
    if big:
        _measure([groups[i] for i in big], cleaned, k, top, [out[i] for i in big])
    return out


def _measure(groups: Sequence[tuple[Sequence[str], bool]], cleaned: Mapping[str, tuple[str, int]], k: int,
             top: int, out: list[dict[str, Holding]]) -> None:
    """Clusters of three or more, all at once (see the module docstring)."""
    docs = [m for members, _ in groups for m in members]
    cluster_of = np.repeat(np.arange(len(groups)), [len(members) for members, _ in groups])
    pages = np.array([p for _, p in groups], dtype=bool)
    sets = fp.shingle_sets([cleaned[m][0] for m in docs], k)
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    caps = np.array([cleaned[m][1] for m in docs], dtype=np.int64)
    owner = np.repeat(np.arange(len(docs)), sizes)
    hashes = np.concatenate(sets) if sets else np.empty(0, np.uint64)
    order = np.lexsort((hashes, cluster_of[owner]))
    h, d = hashes[order], owner[order]
    c = cluster_of[d]
    starts = np.r_[True, (h[1:] != h[:-1]) | (c[1:] != c[:-1])] if len(h) else np.empty(0, bool)
    run = np.cumsum(starts) - 1
    run_len = np.bincount(run)
    held_by = run_len[run]  # how many members of its cluster hold each 5-gram
    shared = held_by >= 2
    lone = (held_by == 1) & ~pages[c]
    n = len(docs)
    mine = np.bincount(d, shared, n)
    alone = np.bincount(d, lone, n)
    n_shared = np.bincount(c[starts], run_len >= 2, len(groups))[cluster_of]
    held = np.where(n_shared > 0, mine / np.maximum(n_shared, 1), 1.0)
    junk = np.where(sizes + caps > 0, (alone + caps) / np.maximum(sizes + caps, 1), 0.0)
    # what the others are asked to cover: each member's text but its junk
    cover = ~lone
    cover_size = np.bincount(d, cover, n)

    first = np.r_[0, np.cumsum([len(members) for members, _ in groups])[:-1]]
    picked = np.full((len(groups), top), -1, dtype=np.int64)
    for g, (members, _) in enumerate(groups):
        idx = range(first[g], first[g] + len(members))
        best = sorted(idx, key=lambda x: (-round(float(held[x]), 2), round(float(junk[x]), 2)))[:top]
        picked[g, : len(best)] = best
    covers = np.full(n, np.nan)
    for j in range(top):
        cand = picked[:, j]
        has = np.zeros(len(run_len), dtype=bool)
        has[run[d == cand[c]]] = True
        others = d != cand[c]
        hits = np.bincount(d, cover & others & has[run], n)
        share = np.where(cover_size > 0, hits / np.maximum(cover_size, 1), 1.0)
        not_cand = np.arange(n) != cand[cluster_of]
        total = np.bincount(cluster_of, np.where(not_cand, share, 0.0), len(groups))
        ok = cand >= 0
        covers[cand[ok]] = total[ok] / (np.bincount(cluster_of, minlength=len(groups))[ok] - 1)
    for g, (members, _) in enumerate(groups):
        for x, m in enumerate(members):
            i = first[g] + x
            out[g][m] = Holding(float(held[i]), float(junk[i]), None if np.isnan(covers[i]) else float(covers[i]))


__all__ = ["TOP", "Holding", "holdings", "holdings_of"]
