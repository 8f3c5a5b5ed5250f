"""Candidate pairs for a short copy inside a long page, which MinHash banding rarely proposes.

A 120-word brief inside an 800-word story has a Jaccard of ~0.1 with it, and 96 bands of two rows
propose such a pair with probability ~0.6 — a coin toss decided by the permutations, not by the
texts. Containment needs an index of content, not of the whole set: every document keeps its
*anchors*, the 5-grams whose hash is divisible by :data:`EVERY` (a sample that depends only on the
text, so two copies sample the same places); the anchors are its keys. Two documents that share at
least :data:`MIN_SHARE` of the shorter one's anchors (and at least two) are a candidate pair, to be
measured like any other (passim's frequency caps: a key found in more than :data:`MAX_DF`
documents is boilerplate and proposes nothing). Each anchor is a key of its own, not a pair of
successive anchors: a copy that lost a third of its words in short gaps keeps ~45% of its 5-grams
but only ~20% of successive pairs of them, and pairs missed such copies that banding also missed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dedup import fingerprint as fp

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

#: One 5-gram in this many is an anchor: ~80 anchors in a 650-word article, ~15 in a brief.
EVERY = 8
#: Share of the shorter document's anchor keys that the longer must hold to make a candidate.
MIN_SHARE = 0.3
#: An anchor key in more documents than this is boilerplate (a wire credit, a share bar).
MAX_DF = 50


def anchor_keys(sh: U64, sb: I64) -> list[bytes]:
    """Each text's distinct anchors (sorted uint64, as bytes) from its shingle hashes in text order
    (:func:`dedup.fingerprint.shingles_of_tokens`: text i's are ``sh[sb[i]:sb[i + 1]]``)."""
    n = len(sb) - 1
    if len(sh) == 0:
        return [b""] * n
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(sb))
    pick = (sh & np.uint64(EVERY - 1)) == 0
    keys, ko = sh[pick], owner[pick]
    order = np.lexsort((keys, ko))
    keys, ko = keys[order], ko[order]
    keep = np.r_[True, (keys[1:] != keys[:-1]) | (ko[1:] != ko[:-1])] if len(keys) else np.empty(0, bool)
    keys, ko = keys[keep], ko[keep]
    bounds = np.searchsorted(ko, np.arange(n + 1))
    return [keys[bounds[i] : bounds[i + 1]].tobytes() for i in range(n)]


def texts_anchor_keys(texts: Sequence[str], k: int) -> list[bytes]:
    """:func:`anchor_keys` of texts."""
    if not texts:
        return []
    return anchor_keys(*fp.batch_shingles(texts, k))


def anchor_candidates(blobs: Sequence[bytes | None]) -> I64:
    """Index pairs (i < j) of documents sharing enough anchor keys (see the module docstring), sorted."""
    # (one buffer for all: an array per document cost a second per 100k documents)
    nk = np.fromiter((len(b) if b else 0 for b in blobs), dtype=np.int64, count=len(blobs)) // 8
    if nk.sum() == 0:
        return np.empty((0, 2), dtype=np.int64)
    keys = np.frombuffer(b"".join(b for b in blobs if b), dtype=np.uint64)
    order = _maybe_shared(keys)
    order = order[np.argsort(keys[order], kind="stable")]
    ks = keys[order]
    # Most keys are held by one document: only the runs of equal keys are read on (eq holds p where
    # key p of the sorted keys equals key p + 1; a run of r such places is a key of r + 1 documents).
    # Passes over all the keys cost ~0.1 s each per 100k documents, and the cluster stage waits on them.
    eq = np.flatnonzero(ks[1:] == ks[:-1])
    if not len(eq):
        return np.empty((0, 2), dtype=np.int64)
    first = np.r_[True, np.diff(eq) != 1]
    starts = eq[first]
    sizes = np.diff(np.r_[np.flatnonzero(first), len(eq)]) + 1
    owner = np.repeat(np.arange(len(blobs), dtype=np.int64), nk)
    codes = []
    n = np.int64(len(blobs))
    for size in np.unique(sizes[sizes <= MAX_DF]).tolist():
        # every key held by exactly `size` documents at once: a (groups, size) matrix of owners
        members = owner[order[starts[sizes == size][:, None] + np.arange(size)]]
        i, j = np.triu_indices(size, 1)
        lo, hi = np.minimum(members[:, i], members[:, j]), np.maximum(members[:, i], members[:, j])
        codes.append((lo * n + hi).ravel())
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    pairs, shared = np.unique(np.concatenate(codes), return_counts=True)
    a, b = pairs // n, pairs % n
    keep = shared >= np.maximum(2, MIN_SHARE * np.minimum(nk[a], nk[b]))
    return np.stack([a[keep], b[keep]], axis=1)


#: The largest table of key slots :func:`_maybe_shared` counts in (2**24 slots: 128 MB for a moment).
_SLOT_BITS = 24


def _maybe_shared(keys: U64) -> I64:
    """Positions of the keys that another key may equal: all of them, or, where a table of twice as
    many slots as keys fits, only those whose slot (top bits) another key fills too. Most keys are held
    by one document, and sorting only the rest saves a fifth of this stage (as in lsh_candidates)."""
    bits = max(10, len(keys).bit_length() + 1)
    if bits > _SLOT_BITS:
        return np.arange(len(keys), dtype=np.int64)
    return fp.in_shared_slots((keys >> np.uint64(64 - bits)).astype(np.intp), bits)
