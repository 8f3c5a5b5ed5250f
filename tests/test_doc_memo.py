"""The cluster stage's memo of documents (dedup.runtime.doc_memo) and the pair order of its batches:
the same figures as computing from the texts each time, and the documents of a group together."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from dedup import fingerprint as fp
from dedup.cluster.align import aligned_texts, aligned_tokens
from dedup.engines.local import _by_group
from dedup.runtime.doc_memo import DocMemo

TEXTS = {
    "a": "The harbour ferry returned to service on Monday after six weeks in dry dock for repairs.",
    "b": "The harbour ferry returned to service on Monday after weeks in dock. Commuters cheered.",
    "c": "Farmers in the valley said the late frost destroyed most of the apricot harvest.",
    "e": "",
}


def test_the_memo_gives_what_the_texts_give_and_reads_each_text_once() -> None:
    asked: list[str] = []

    def texts(ids: Iterable[str]) -> dict[str, str]:
        ids = list(ids)
        asked.extend(ids)
        return {d: TEXTS[d] for d in ids}

    memo = DocMemo(texts, 5, size=2)
    for ids in (["a", "b"], ["b", "a"], ["a", "c"]):
        for got, want in zip(memo.shingles(ids), fp.shingle_sets([TEXTS[d] for d in ids], 5), strict=True):
            assert np.array_equal(got, want)
    assert asked == ["a", "b", "c"]  # "b" fell out (size 2) only after its last use
    assert len(memo.shingles(["b"])) == 1 and asked[-1] == "b"


def test_alignment_from_token_hashes_equals_alignment_from_texts() -> None:
    memo = DocMemo(lambda ids: {d: TEXTS[d] for d in ids}, 5)
    for x, y in (("a", "b"), ("b", "a"), ("a", "c"), ("a", "e"), ("e", "e")):
        assert aligned_tokens(*memo.tokens([x, y])) == aligned_texts(TEXTS[x], TEXTS[y]), (x, y)
    assert aligned_tokens(*memo.tokens(["a", "b"])) > 0.5


def test_batches_take_the_pairs_of_one_group_together() -> None:
    pairs = {("a1", "z1"), ("b2", "y2"), ("a1", "m1"), ("b2", "c2"), ("m1", "z1"), ("c2", "y2")}
    ordered = _by_group(pairs)
    assert ordered == [("a1", "m1"), ("a1", "z1"), ("m1", "z1"), ("b2", "c2"), ("b2", "y2"), ("c2", "y2")]
    assert _by_group(reversed(ordered)) == ordered
