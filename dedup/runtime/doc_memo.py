"""What the cluster and canonical stages compute of one document again and again, computed once.

A pair's exact figures need both documents' shingle sets, its alignment both word sequences; in a
corpus where an article has nine copies every document is in eight pairs, and the figures of each
pair were made from the two texts afresh (on a dense 20k corpus: 38k alignments tokenising 76k
texts, 17k canonical re-scorings making 35k shingle sets). The stages ask for documents cluster by
cluster, so a bounded memo of the most recent documents serves nearly every request. Results are
the same: the memo holds exactly what would be computed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from dedup import fingerprint as fp
from dedup.fingerprint import U64

#: documents kept per kind: a few clusters' worth many times over (and ~50 MB of shingles at most)
SIZE = 4096


class DocMemo:
    """Shingle sets (``k``-word) and word-token hashes of documents by id, from ``texts(ids)``."""

    def __init__(self, texts: Callable[[Iterable[str]], Mapping[str, str]], k: int, size: int = SIZE) -> None:
        self._texts = texts
        self._k = k
        self._size = size
        self._shingles: OrderedDict[str, U64] = OrderedDict()
        self._tokens: OrderedDict[str, U64] = OrderedDict()

    def shingles(self, ids: Iterable[str]) -> list[U64]:
        """Each document's sorted unique shingle hashes (:func:`dedup.fingerprint.shingle_sets`)."""
        return self._get(list(ids), self._shingles, lambda texts: fp.shingle_sets(texts, self._k))

    def tokens(self, ids: Iterable[str]) -> list[U64]:
        """Each document's word-token hashes in order (:func:`dedup.fingerprint.batch_token_hashes`)."""
        def make(texts: list[str]) -> list[U64]:
            hashes, bounds = fp.batch_token_hashes(texts)
            return [hashes[bounds[i] : bounds[i + 1]] for i in range(len(texts))]

        return self._get(list(ids), self._tokens, make)

    def _get(self, ids: list[str], memo: OrderedDict[str, U64], make: Callable[[list[str]], list[U64]]) -> list[U64]:
        missing = [d for d in dict.fromkeys(ids) if d not in memo]
        if missing:
            texts = self._texts(missing)
            for doc, value in zip(missing, make([texts[d] for d in missing]), strict=True):
                memo[doc] = value
        out = []
        for d in ids:
            memo.move_to_end(d)
            out.append(memo[d])
        while len(memo) > self._size:
            memo.popitem(last=False)
        return out
