"""Where two documents share text: candidate passage pairs → aligned runs → chained spans.

The passages of the documents of candidate group pairs meet in MinHash band buckets
(:func:`passage_windows`); each colliding passage pair is aligned with rapidfuzz in a window a
little wider than the passages, and the matching blocks of all windows of a document pair are
merged into diagonal runs (:func:`runs`) and chained into maximal spans (:func:`chain_runs`),
bridging small edits on both sides and one-sided omissions; a chain long enough, and not mostly
boilerplate, is a :class:`Segment` (:func:`align`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel

from dedup.config import Config
from dedup.fingerprint import band_keys
from dedup.models import Document
from dedup.reuse.arrays import sorted_unique
from dedup.reuse.params import ReuseParams
from dedup.reuse.passages import DocPassages, Tokens

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
# A run of matching tokens: start in a, start in b, length.
Run = tuple[int, int, int]
# A candidate passage pair: token range in a, token range in b.
Window = tuple[int, int, int, int]

# Function words that do not make a name phrase into prose.
_STOP = frozenset(
    "a an the of to in on at for and or but by with from as is was be has had have that this it its"
    " he she they his her their who which said".split()
)


@dataclass
class Segment:
    """One aligned stretch between documents a and b (indices into the corpus)."""

    a: int
    b: int
    a_tok: tuple[int, int]
    b_tok: tuple[int, int]
    a_chr: tuple[int, int]
    b_chr: tuple[int, int]
    matched: int
    also_in: set[int] = field(default_factory=set)

    def side(self, doc: int) -> tuple[int, int]:
        return self.a_chr if doc == self.a else self.b_chr

    @property
    def words(self) -> int:
        """Words of the passage on its shorter side."""
        return min(self.a_tok[1] - self.a_tok[0], self.b_tok[1] - self.b_tok[0])


SegmentItem = TypeVar("SegmentItem", bound=tuple[Any, ...])


def by_doc(items: Iterable[SegmentItem]) -> dict[int, list[SegmentItem]]:
    """Judged items (tuples that start with their :class:`Segment`) by each document they join."""
    out: dict[int, list[SegmentItem]] = defaultdict(list)
    for item in items:
        out[item[0].a].append(item)
        out[item[0].b].append(item)
    return out


def covers(outer: tuple[int, int], inner: tuple[int, int]) -> float:
    """Share of the span ``inner`` that lies inside ``outer``."""
    return max(0, min(outer[1], inner[1]) - max(outer[0], inner[0])) / max(1, inner[1] - inner[0])


# ----------------------------------------------------------------------------- candidate passage pairs
def passage_windows(
    passages: Mapping[int, DocPassages], sigs: Mapping[int, U32], group: Mapping[int, int], pairs: I64,
    boiler_keys: I64, params: ReuseParams,
) -> tuple[dict[tuple[int, int], I64], dict[int, set[int]]]:
    """Candidate passage pairs grouped by document pair (a < b, of the group ``pairs`` that pass 1
    found; each pair's windows as the rows ``(start a, end a, start b, end b)`` of an array), and per
    document the tokens of its boilerplate passages (exact key in ``boiler_keys``).

    ``passages``/``sigs``: every member document of those groups, its passages and their signatures.
    """
    owner_l: list[I64] = []
    ranges_l: list[I64] = []
    for i, dp in passages.items():
        if len(dp.ranges) == 0:
            continue
        owner_l.append(np.full(len(dp.ranges), i, dtype=np.int64))
        ranges_l.append(dp.ranges)
    if not owner_l:
        return {}, {}
    owner = np.concatenate(owner_l)
    ranges = np.concatenate(ranges_l)
    allsigs = np.concatenate([sigs[i] for i in passages if len(passages[i].ranges)])
    keep = (ranges[:, 1] - ranges[:, 0]) >= params.passage_shingle + 1
    exact = band_keys(allsigs, 1, params.passage_perm)[:, 0]
    if len(boiler_keys):
        keep &= ~np.isin(exact.astype(np.int64), boiler_keys)
    boiler_tokens = _boiler_tokens(owner, ranges, keep, params.passage_shingle)
    rows = np.flatnonzero(keep)
    if len(rows) < 2:
        return {}, boiler_tokens
    # Band keys meet only inside the document pairs of the group pairs
    # that pass 1 found, so neither syndicated copies (the same passage
    # in every member) nor common phrases make buckets to pair up. One
    # sort of every (band key, passage) of the kept passages, then the
    # pairs of each bucket across groups that pass 1 paired.
    keys = band_keys(allsigs[rows], params.passage_bands, params.passage_rows)  # (len(rows), bands)
    doc_ids = np.fromiter(passages, dtype=np.int64, count=len(passages))
    doc_grp = np.fromiter((group[i] for i in passages), dtype=np.int64, count=len(passages))
    found = _bucket_pairs(rows, owner, keys, allsigs, doc_ids, doc_grp, pairs, params)
    out: dict[tuple[int, int], I64] = {}
    if len(found) == 0:
        return out, boiler_tokens
    px, py = found[:, 0], found[:, 1]
    dx, dy = owner[px], owner[py]
    rx, ry = ranges[px], ranges[py]
    cols = np.stack([dx, dy, rx[:, 0], rx[:, 1], ry[:, 0], ry[:, 1]], axis=1)
    cols = cols[np.lexsort(cols.T[::-1])]
    cuts = np.flatnonzero(np.r_[True, (cols[1:, :2] != cols[:-1, :2]).any(axis=1), True])
    for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        # (each document pair's windows as rows of an array: align widens them all at once)
        out[(int(cols[lo, 0]), int(cols[lo, 1]))] = cols[lo:hi, 2:]
    return out, boiler_tokens


def _bucket_pairs(
    rows: I64, owner: I64, keys: U64, sigs: U32, doc_ids: I64, doc_grp: I64, pairs: I64, params: ReuseParams,
) -> I64:
    """Passage row pairs (x, y), owner x < owner y, that share a band key, pass the estimated
    Jaccard, and lie in two documents of a group pair that pass 1 found (``doc_ids``/``doc_grp``:
    the group of each document)."""
    empty = np.empty((0, 2), dtype=np.int64)
    if len(pairs) == 0 or len(rows) < 2:
        return empty
    n_groups = int(pairs.max()) + 1
    pair_codes = np.sort(pairs[:, 0] * n_groups + pairs[:, 1])
    o = np.argsort(doc_ids)
    doc_ids, doc_grp = doc_ids[o], doc_grp[o]
    row_grp = doc_grp[np.searchsorted(doc_ids, owner[rows])]
    row_doc = owner[rows]
    found: list[I64] = []
    for band in range(keys.shape[1]):
        col = keys[:, band]
        order = np.argsort(col)  # order inside a bucket does not matter: sorted again below
        sk = col[order]
        start = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
        size = np.diff(np.r_[start, len(sk)])
        multi = size >= 2
        start, size = start[multi], size[multi]
        if len(start) == 0:
            continue
        # entries of buckets that hold at least two groups
        idx = np.repeat(start, size) + (np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size))
        bucket = np.repeat(np.arange(len(start)), size)
        ent = order[idx]
        grp = row_grp[ent]
        bstart = np.r_[0, np.cumsum(size)[:-1]]
        mixed = (np.minimum.reduceat(grp, bstart) != np.maximum.reduceat(grp, bstart))[bucket]
        ent, bucket = ent[mixed], bucket[mixed]
        if len(ent) == 0:
            continue
        # at most max_bucket_rows_per_doc rows of one document per bucket
        doc = row_doc[ent]
        o = np.lexsort((ent, doc, bucket))
        ent, bucket, doc = ent[o], bucket[o], doc[o]
        first = np.r_[True, (bucket[1:] != bucket[:-1]) | (doc[1:] != doc[:-1])]
        run_start = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0))
        keep = (np.arange(len(first)) - run_start) < params.max_bucket_rows_per_doc
        ent, bucket = ent[keep], bucket[keep]
        bs = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
        bz = np.diff(np.r_[bs, len(ent)])
        multi = bz >= 2
        for a_pos, b_pos in _within_pairs(bs[multi], bz[multi]):
            a, b = ent[a_pos], ent[b_pos]
            ga, gb = row_grp[a], row_grp[b]
            code = np.minimum(ga, gb) * n_groups + np.maximum(ga, gb)
            pos = np.minimum(np.searchsorted(pair_codes, code), len(pair_codes) - 1)
            ok = (ga != gb) & (pair_codes[pos] == code)
            a, b = rows[a[ok]], rows[b[ok]]
            swap = owner[a] > owner[b]
            found.append(np.stack([np.where(swap, b, a), np.where(swap, a, b)], axis=1))
    if not found:
        return empty
    cand = np.concatenate(found)
    width = int(rows.max()) + 1
    codes = sorted_unique(cand[:, 0] * width + cand[:, 1])
    cand = np.stack([codes // width, codes % width], axis=1)
    est = np.empty(len(cand))
    for lo in range(0, len(cand), 100_000):
        c = cand[lo : lo + 100_000]
        est[lo : lo + 100_000] = (sigs[c[:, 0]] == sigs[c[:, 1]]).mean(axis=1)
    return cand[est >= params.min_est_jaccard]


#: The most pairs _within_pairs makes at a time (bounds its temporaries).
_PAIRS_AT_ONCE = 1_000_000


def _within_pairs(starts: I64, sizes: I64) -> Iterator[tuple[I64, I64]]:
    """Every pair (p, q), p < q, of positions inside each run ``starts[k] .. starts[k] + sizes[k]``,
    made for many runs at once (one numpy pass per ~million pairs, not a loop per bucket size)."""
    npairs = sizes * (sizes - 1) // 2
    cum = np.cumsum(npairs)
    lo = 0
    while lo < len(starts):
        base = int(cum[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cum, base + _PAIRS_AT_ONCE, side="right")))
        st, sz = starts[lo:hi], sizes[lo:hi]
        # each position of a run, and how many positions of its run follow it
        first = np.repeat(st, sz)
        elem = first + (np.arange(int(sz.sum())) - np.repeat(np.cumsum(sz) - sz, sz))
        after = np.repeat(sz, sz) - 1 - (elem - first)
        a_pos = np.repeat(elem, after)
        b_pos = a_pos + (np.arange(int(after.sum())) - np.repeat(np.cumsum(after) - after, after) + 1)
        yield a_pos, b_pos
        lo = hi


def _boiler_tokens(owner: I64, ranges: I64, keep: npt.NDArray[np.bool_], shingle: int) -> dict[int, set[int]]:
    """Per document, the tokens of its passages left out (boilerplate) that are longer than a shingle."""
    out: dict[int, set[int]] = defaultdict(set)
    for row in np.flatnonzero(~keep).tolist():
        s, e = int(ranges[row, 0]), int(ranges[row, 1])
        if e - s > shingle:
            out[int(owner[row])].update(range(s, e))
    return out


# ----------------------------------------------------------------------------- alignment
#: The columns of a window that are starts (widened down to 0; the ends up to the text's length).
_STARTS = np.array([True, False, True, False])
#: Equal blocks (i, j, length) of two windows of token hashes, keyed by the windows' contents.
BlockMemo = dict[tuple[bytes, bytes], list[tuple[int, int, int]]]
#: Window pairs a memo keeps (~2 KB each) before it starts again: copies of one story meet within a
#: match batch, and most window pairs are met once (a copy edited within the margin has its own).
MEMO_SIZE = 20_000


def align(
    a: int, b: int, windows: I64 | list[Window], docs: Mapping[int, Document], passages: Mapping[int, DocPassages],
    boiler_tokens: Mapping[int, set[int]], config: Config, params: ReuseParams, memo: BlockMemo | None = None,
) -> list[Segment]:
    """The segments documents ``a`` and ``b`` share, from their candidate passage pairs.

    ``memo``: the equal blocks of window pairs already aligned (in other documents). The copies of
    one story carry the same passage word for word, so the same two windows of tokens come back for
    every pair of copies of two clusters: aligned once, the blocks are the same at any position.
    """
    memo = {} if memo is None else memo
    if len(memo) > MEMO_SIZE:
        memo.clear()
    ta, tb = passages[a].tokens, passages[b].tokens
    ha, hb = ta.hashes, tb.hashes
    na, nb = len(ta), len(tb)
    margin = params.align_margin
    # each distinct window pair once, widened by the margin (a set: the order changes nothing)
    w = np.asarray(windows, dtype=np.int64).reshape(-1, 4)
    wide = np.where(_STARTS, np.maximum(w - margin, 0), np.minimum(w + margin, (na, na, nb, nb)))
    wins = set(map(tuple, wide.tolist()))
    # the hashes as bytes and as ints once per document pair, sliced per window
    bytes_a, bytes_b = ha.tobytes(), hb.tobytes()
    size = ha.itemsize
    ints_a: list[int] | None = None
    ints_b: list[int] | None = None
    blocks: set[tuple[int, int, int]] = set()
    for a0, a1, b0, b1 in wins:
        mkey = (bytes_a[a0 * size : a1 * size], bytes_b[b0 * size : b1 * size])
        found = memo.get(mkey)
        if found is None:
            if ints_a is None or ints_b is None:
                ints_a, ints_b = ha.tolist(), hb.tolist()
            # the equal runs of the LCS alignment, read as matching blocks: the same runs as the
            # "equal" opcodes, without making an object for every edit between them
            found = memo[mkey] = [
                (blk.a, blk.b, blk.size)
                for blk in Indel.editops(ints_a[a0:a1], ints_b[b0:b1]).as_matching_blocks()
                if blk.size >= params.min_block
            ]
        for i, j, length in found:
            blocks.add((a0 + i, b0 + j, length))
    if not blocks:
        return []
    chains = chain_runs(runs(blocks, params.min_block), params)
    out: list[Segment] = []
    for chain in chains:
        i0, j0 = chain[0][0], chain[0][1]
        i1, j1 = chain[-1][0] + chain[-1][2], chain[-1][1] + chain[-1][2]
        m = sum(r[2] for r in chain)
        la, lb = i1 - i0, j1 - j0
        if m < config.min_reuse_words or m / min(la, lb) < 0.6 or m / max(la, lb) < 0.3:
            continue
        ac = (int(ta.starts[i0]), int(ta.ends[i1 - 1]))
        bc = (int(tb.starts[j0]), int(tb.ends[j1 - 1]))
        if min(ac[1] - ac[0], bc[1] - bc[0]) < config.min_reuse_chars:
            continue
        # Words as a reader counts them ("Amir-Abdollahian" is one), on both sides.
        words = min(len(docs[a].text[ac[0] : ac[1]].split()), len(docs[b].text[bc[0] : bc[1]].split()))
        if words < config.min_reuse_words:
            continue
        if content_words(ta, docs[a].text, chain, params.min_content_words) < params.min_content_words:
            continue
        boiler_a = boiler_tokens.get(a, set())
        boiler_b = boiler_tokens.get(b, set())
        if boiler_a or boiler_b:
            ba = sum(1 for t in range(i0, i1) if t in boiler_a) / la
            bb = sum(1 for t in range(j0, j1) if t in boiler_b) / lb
            if max(ba, bb) >= 0.5:
                continue
        out.append(Segment(a, b, (i0, i1), (j0, j1), ac, bc, m))
    return out


def content_words(tok: Tokens, text: str, chain: list[Run], enough: int) -> int:
    """Matched lowercase content words of the ``a`` side of the chain, counted up to ``enough``."""
    n = 0
    for i, _, length in chain:
        for t, start in enumerate(tok.starts[i : i + length].tolist(), start=i):
            if text[start].islower() and tok.word(t) not in _STOP:
                n += 1
                if n >= enough:
                    return n
    return n


def runs(blocks: set[tuple[int, int, int]], min_block: int) -> list[Run]:
    """Diagonal runs (i, j, length): overlapping blocks of one diagonal merged."""
    out: list[Run] = []
    cur: Run | None = None
    for i, j, length in sorted(blocks, key=lambda b: (b[0] - b[1], b[0])):
        if cur is not None and i - j == cur[0] - cur[1] and i <= cur[0] + cur[2]:
            cur = (cur[0], cur[1], max(cur[2], i + length - cur[0]))
            continue
        if cur is not None:
            out.append(cur)
        cur = (i, j, length)
    if cur is not None:
        out.append(cur)
    return sorted(r for r in out if r[2] >= min_block)


def gap_ok(gi: int, gj: int, prev: Run, run: Run, params: ReuseParams) -> bool:
    """Whether a gap of ``gi`` tokens in a and ``gj`` in b between two runs is bridged."""
    if gi < 0 or gj < 0:
        return False
    if gi <= params.max_edit_gap and gj <= params.max_edit_gap:
        return True
    # An omission is only bridged between substantial runs: a chance
    # "in the" next to a quotation must not pull in the sentence before it.
    if min(prev[2], run[2]) < params.min_omission_run:
        return False
    return (gi <= params.one_sided_other and gj <= params.max_omission_gap) or (
        gj <= params.one_sided_other and gi <= params.max_omission_gap
    )


def trim(chain: list[Run], min_run: int) -> list[Run]:
    """Drop short runs (under ``min_run``) at either end that sit apart from the rest (chance matches)."""

    def gap(r1: Run, r2: Run) -> int:
        return max(r2[0] - r1[0] - r1[2], r2[1] - r1[1] - r1[2])

    while len(chain) > 1 and chain[0][2] < min_run and gap(chain[0], chain[1]) >= chain[0][2]:
        chain = chain[1:]
    while len(chain) > 1 and chain[-1][2] < min_run and gap(chain[-2], chain[-1]) >= chain[-1][2]:
        chain = chain[:-1]
    return chain


def chain_runs(sorted_runs: list[Run], params: ReuseParams) -> list[list[Run]]:
    """Greedy left-to-right chaining of runs (in order of i) into maximal monotone chains."""
    chains: list[list[Run]] = []
    active: list[int] = []  # chains that can still grow: runs come in order of i
    for run in sorted_runs:
        best = -1
        best_gap = 1 << 30
        active = [c for c in active if chains[c][-1][0] + chains[c][-1][2] + params.max_omission_gap >= run[0]]
        for c in active:
            last = chains[c][-1]
            gi = run[0] - (last[0] + last[2])
            gj = run[1] - (last[1] + last[2])
            if gap_ok(gi, gj, last, run, params) and gi + gj < best_gap:
                best, best_gap = c, gi + gj
        if best >= 0:
            chains[best].append(run)
        else:
            active.append(len(chains))
            chains.append([run])
    return [trim(c, params.min_omission_run) for c in chains]
