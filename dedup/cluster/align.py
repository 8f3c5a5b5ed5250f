"""Ordered word alignment of a pair: how much of the shorter text runs, in order, through the longer.

A scrape that lost its link texts, had sentences glued and a few words edited keeps few intact
5-grams (its 5-gram containment falls to 0.4-0.5 at a third of the words lost) while nearly every
word it kept still appears, in order, in the original. The alignment is an LCS of the two word
sequences (rapidfuzz, bit-parallel: ~0.2 ms for two 800-word texts) in which only aligned runs of
at least :data:`MIN_RUN` words count, so that a short text laid against a long page does not
match by chance one common word here and there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import LCSseq

from dedup import fingerprint as fp

#: Aligned runs shorter than this many words are chance matches ("the", "of the said").
MIN_RUN = 3
#: Share of the shorter text aligned in runs from which a pair is a copy.
ALIGNED_COPY = 0.8


def token_ids(texts: Sequence[str]) -> list[list[int]]:
    """Each text's word tokens (as :mod:`dedup.fingerprint` cuts them) as small ints, shared across the texts.

    rapidfuzz hashes any sequence element; small ints are the cheapest it takes.
    """
    hashes, bounds = fp.batch_token_hashes(texts)
    if len(hashes) == 0:
        return [[] for _ in texts]
    _, ids = np.unique(hashes, return_inverse=True)
    return [ids[bounds[i] : bounds[i + 1]].tolist() for i in range(len(texts))]


def aligned_share(a: Sequence[int], b: Sequence[int], min_run: int = MIN_RUN) -> float:
    """Share of the shorter sequence's words aligned, in order, into the longer in runs of ``min_run`` or more."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return 0.0
    matched = 0
    for op in LCSseq.opcodes(short, long):
        if op.tag == "equal" and op.src_end - op.src_start >= min_run:
            matched += op.src_end - op.src_start
    return matched / len(short)


def aligned_texts(a: str, b: str) -> float:
    """:func:`aligned_share` of two texts."""
    hashes, bounds = fp.batch_token_hashes([a, b])
    return aligned_tokens(hashes[: bounds[1]], hashes[bounds[1] : bounds[2]])


def aligned_tokens(a: fp.U64, b: fp.U64) -> float:
    """:func:`aligned_texts` of two texts given as their word-token hashes
    (:func:`dedup.fingerprint.batch_token_hashes`), made once per text by a caller that aligns it often."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    _, ids = np.unique(np.concatenate([a, b]), return_inverse=True)
    return round(aligned_share(ids[: len(a)].tolist(), ids[len(a) :].tolist()), 4)
