"""Pass 1 of one document: its winnowed fingerprints and its candidate mentions of an outlet.

Every document of a corpus goes through this pass once (its record is kept between runs), so it
reads the text once, vectorised over a chunk of texts (:func:`scan`): 3-word shingles winnowed so
that any 6 words two texts share give both a common fingerprint, and the phrases that may name an
outlet ("according to X", "X reported") with the span they cover (:func:`records`). Which of those
mentions name an outlet depends on the corpus (:func:`select_rows`).

Records are plain values (tuples), which unpickle ~30x faster than the dataclasses (a 100k corpus
has ~70k documents with candidate mentions).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dedup.fingerprint import batch_shingles, drop_repeats, shingles_of_tokens
from dedup.models import Document, Span
from dedup.reuse.arrays import sorted_unique
from dedup.reuse.attribution import OutletIndex, RawMention, raw_mentions, select_mentions
from dedup.reuse.params import ReuseParams

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

# A candidate mention and the span it covers: name, start, end, name start, name end, strong,
# check, then the span's text, raw start and raw end.
RawRow = tuple[str, int, int, int, int, bool, str, str, "int | None", "int | None"]
# A selected mention: name, phrase start and end, name start and end, strong.
MenRow = tuple[str, int, int, int, int, bool]
# The pass-1 record of a document: fingerprints (sorted) and candidate mention rows.
Record = tuple[U32, list[RawRow]]
# What :func:`scan` finds in a chunk of texts: the text of each fingerprint (ascending), the
# fingerprints, and the candidate mentions of each text.
Scanned = tuple[npt.NDArray[np.int32], U32, list[list[RawMention]]]


def raw_row(m: RawMention, sp: Span) -> RawRow:
    return (m.name, m.start, m.end, m.name_start, m.name_end, m.strong, m.check, sp.text, sp.raw_start, sp.raw_end)


def row_mention(r: RawRow) -> RawMention:
    return RawMention(r[0], r[1], r[2], r[3], r[4], r[5], r[6])


def row_span(r: RawRow) -> Span:
    return Span(r[1], r[2], r[7], r[8], r[9])


def winnow(sh: U64, bounds: I64, w: int) -> tuple[npt.NDArray[np.int32], U32]:
    """Distinct window minima of each text's shingle hashes (32 bits): (text, fingerprint) pairs.

    Any stretch of ``w`` + 2 words two texts share gives both the same
    minimum, so the pair is found however long the texts are; a text keeps
    about 2 / (``w`` + 1) of its shingles.
    """
    h = (sh & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    counts = np.diff(bounds)
    owner = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    if len(h) >= w:
        m = h[: len(h) - w + 1].copy()
        for j in range(1, w):
            np.minimum(m, h[j : len(h) - w + 1 + j], out=m)
        ok = owner[: len(m)] == owner[w - 1 :]
        vals, docs = m[ok], owner[: len(m)][ok]
    else:
        vals, docs = np.empty(0, np.uint32), np.empty(0, np.int32)
    # texts shorter than a window keep all their shingles
    short = np.flatnonzero((counts > 0) & (counts < w))
    if len(short):
        sel = np.isin(owner, short)
        vals, docs = np.r_[vals, h[sel]], np.r_[docs, owner[sel]]
    # (a minimum holds for several windows in a row: those repeats go before the sort, which then
    # sorts a third of the keys for the same set)
    key = sorted_unique(drop_repeats((docs.astype(np.uint64) << np.uint64(32)) | vals.astype(np.uint64)))
    return (key >> np.uint64(32)).astype(np.int32), (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def scan(texts: list[str], params: ReuseParams, tokens: tuple[U64, I64] | None = None) -> Scanned:
    """Pass 1 of a chunk of texts: fingerprints and candidate mentions.

    ``tokens``: the texts' :func:`~dedup.fingerprint.batch_token_hashes`, when the caller has them.
    """
    sh, bounds = (shingles_of_tokens(*tokens, params.passage_shingle) if tokens is not None
                  else batch_shingles(texts, params.passage_shingle))
    fp_doc, fp = winnow(sh, bounds, params.winnow)
    return fp_doc, fp, [raw_mentions(t) for t in texts]


def records(
    docs: Sequence[Document], fp_doc: npt.NDArray[np.int32], fp: U32, raws: list[list[RawMention]],
) -> list[Record]:
    """Pass-1 records of documents from :func:`scan` of their texts: fingerprints, and candidate
    mentions with the spans they cover (the spans need the offset map, which the scan does not)."""
    cuts = np.searchsorted(fp_doc, np.arange(len(docs) + 1)).tolist()
    return [
        (fp[cuts[k] : cuts[k + 1]], [raw_row(m, d.span(m.start, m.end)) for m in raws[k]])
        for k, d in enumerate(docs)
    ]


def select_rows(rows: list[RawRow], outlets: OutletIndex) -> list[MenRow]:
    """The candidate mentions of a document that name an outlet (of the corpus, or one on its own)."""
    found = select_mentions([row_mention(r) for r in rows], outlets)
    return [(m.name, m.start, m.end, m.name_start, m.name_end, m.strong) for m in found]
