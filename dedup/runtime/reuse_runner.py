"""Passage-level reuse: which article quotes which, in which direction, and on whose word.

Pipeline (all stages linear in the corpus except the local alignments, which
run only on candidate passage pairs):

1. :mod:`dedup.passages` cuts every clean text into passages (sentences and
   quotations) and shingles them with 3-word shingles.
2. Passages are MinHashed with :func:`dedup.fingerprint.signatures` and
   banded with :func:`dedup.fingerprint.band_keys`; passages whose exact
   signature recurs in many clusters of one outlet, or in very many clusters
   at all, are corpus boilerplate and leave the index before any pair is made.
3. :func:`dedup.fingerprint.lsh_candidates` gives candidate passage pairs;
   pairs inside one near-duplicate cluster are dropped (copies, not quotes).
4. Each candidate passage pair is aligned with rapidfuzz (LCS opcodes on
   token hashes, in a window a little wider than the passages); matching
   blocks of all windows of a document pair are chained into maximal spans,
   bridging small edits on both sides and one-sided omissions (ellipses,
   text a damaged scrape dropped).
5. Spans shorter than ``min_reuse_chars``/``min_reuse_words`` are dropped.
6. Copies: segments of all member pairs of two clusters are reported once,
   against the canonical members where possible, with the other members
   that hold the same text in ``also_in``.
7. Direction from evidence only (attribution naming the other outlet,
   quotation marks, dates, share of each text); else ``unknown``.
8. Quotation clusters: an edge between two documents that both reuse the
   same passage of an earlier third one is dropped in favour of the edges
   to that third document.

Incremental runs (``find_reuses(..., cache=...)``, a :class:`~dedup.runtime.blobs.BlobCache`
kept between runs; the pipeline passes the store's). Every entry is keyed by a
digest of what it depends on, with the digest of the :class:`~dedup.reuse.params.ReuseParams`
(:data:`~dedup.reuse.params.ALGORITHM` and every tunable), so a stale entry is never read, and ``retain`` drops the
unreferenced ones at the end of a call:

* ``s:`` segments: the pass-1 records (winnowed fingerprints, candidate
  mentions with spans) of up to ``segment_slots`` documents each, one immutable
  entry per segment (:class:`_Segment`), with every fingerprint occurrence
  sorted, so that the documents holding given fingerprints are found by
  binary search. A document is known by its id and text key
  (``docs.text_keys()`` of a store; else :func:`plain_text_key`); ids,
  names and dates come from ``docs.metadata()`` (no text). Only documents
  no segment holds are read: a text some segment holds is copied from it,
  one with a ``1:`` entry is taken from there, the rest are scanned (once
  per text, in the pool while this process goes on). They make a new
  segment; the two smallest segments are merged while there are more than
  ``segment_slack`` beyond the fewest that could hold the corpus (and the two
  fit in one), and one mostly of gone documents is rewritten. A run reads
  its segments whole (~4 bytes a fingerprint occurrence), never 100k small
  records.
* ``1:`` pass 1 of one document under its text key, as
  :func:`pass1_entries` makes them (the pipeline's cleaning workers do, while
  they have the texts): read by the next call, which keeps the record in a
  segment and lets the entry go.
* ``state:`` the previous run's segments; per segment slot, whether it held
  a document then, that document's group and the mentions selected for it;
  the candidate group pairs and the common fingerprints (in more than
  ``max_fp_groups`` groups). A group is unchanged when its members are in the
  slots that held them then, in one group of then that had no other member
  (:meth:`_Detector._dirty_groups`). Only pairs with a new or changed group
  are counted, on the occurrences of their fingerprints (and of those of
  documents gone or changed) that the segments give; pairs of unchanged
  groups are carried over, except those sharing a fingerprint whose spread
  crossed ``max_fp_groups``, which are counted again
  (:meth:`_Detector._pairs_incremental`). Exact in every case.
* ``names:``/``like:`` the outlet-name answers of the previous run's
  :class:`~dedup.attribution.OutletIndex` (fuzzy matches, and whether a name
  looks like an outlet), with the keys they were given for: reused where they
  still hold (:meth:`~dedup.attribution.OutletIndex.remember`,
  :meth:`~dedup.attribution.OutletIndex.like_changed`). A document keeps the
  mentions selected for it when every name it asks about keeps its answer;
  only the others (and new documents) are selected again.
  ``matches:`` answers of :func:`~dedup.attribution.outlet_matches` (a pure
  function of two names) that citations asked.
* ``x:`` the exact passage keys of a document, so that the corpus-wide
  boilerplate is computed without making passages of unchanged documents.
* ``p:`` the result of one candidate group pair, under a digest of
  everything its matching sees: member ids and text keys in order, which
  group each is in, canonical members, group names, dates, selected
  mentions, the boilerplate keys among the members' passages, the config.
  Only pairs not in the cache are matched.

Prune and citations stay global (cheap: no document is read for them). The
result is the one of a run without a cache (tests compare them on added,
changed and removed documents, clusters that gain or split, and fingerprints
crossing ``max_fp_groups`` both ways, segments merged and rewritten), provided
that a text key changes whenever a document's clean text or offset map can
(the store's contract) and that ``ALGORITHM`` is bumped with any change of
the code that changes results (SEGMENT_FORMAT, STATE_FORMAT, PASS1_FORMAT and
ITEMS_FORMAT with any change of a layout).
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import re
import tempfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel

from dedup import passages as P
from dedup.attribution import (
    Mention,
    OutletIndex,
    RawMention,
    mentions_near,
    outlet_matches,
    raw_mentions,
    select_mentions,
)
from dedup.config import Config
from dedup.fingerprint import band_keys, batch_shingles, normalise, shingles_of_tokens, signatures_concat
from dedup.models import Attribution, Citation, Cluster, Document, Reuse, Span
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.reuse.params import digest as _digest
from dedup.runtime.blobs import BlobCache, BlobSpool
from dedup.runtime.metrics import RunMetrics
from dedup.runtime.pool import Pool, threaded, worker_state

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
_T = TypeVar("_T")
_R = TypeVar("_R")
_A = TypeVar("_A", bound=np.generic)



@dataclass(frozen=True)
class ReuseTuning:
    """How the work is cut up and kept: none of it changes the result (tests run small values)."""

    # Documents per first-pass task, and characters: the vector pass over a chunk holds ~30 bytes
    # per character (and fingerprint's table of powers grows to the largest chunk), so chunks stay a
    # few hundred kB of text.
    scan_chunk: int = 1000
    scan_chars: int = 400_000
    # Documents to scan up to which they are read at once and scanned while the main process goes on.
    scan_ahead: int = 5000
    # Documents per task of pass 2's first step (passages and signatures).
    prepare_chunk: int = 200
    # Documents per pass-2 matching task (all members of whole group pairs).
    pass2_chunk_docs: int = 400
    # Pairing works on 2**fp_part_bits slices of the fingerprint range at a time.
    fp_part_bits: int = 6
    # Group pairs are counted in this many buckets, spilled to temporary files.
    pair_spills: int = 8
    # Fingerprint occurrences up to which pairs are counted in one slice, without spill files.
    small_count: int = 4_000_000
    # Keys per cache request.
    cache_batch: int = 10_000
    # Documents per segment of pass-1 records (slots are 16 bits: at most 1 << 16).
    segment_slots: int = 1 << 16
    # Segments kept beyond the fewest that could hold the corpus before the smallest are merged.
    segment_slack: int = 4
    # False: act as if the previous run's records of documents gone or changed since were lost, so
    # that candidate pairs are counted again on its common fingerprints (the slower exact path).
    stale_records: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.segment_slots <= 1 << 16:
            raise ValueError(f"segment_slots must be in [1, 65536], not {self.segment_slots}")


DEFAULT_TUNING = ReuseTuning()
_EMPTY_FP = np.empty(0, dtype=np.uint32)

# Function words that do not make a name phrase into prose.
_STOP = frozenset(
    "a an the of to in on at for and or but by with from as is was be has had have that this it its"
    " he she they his her their who which said".split()
)

_MARKS = re.compile("[\"“”«»„]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s+::\s+")
_URL_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/]+)")


@dataclass
class Segment:
    """One aligned stretch between documents a and b (indices into docs)."""

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


@dataclass
class _Verdict:
    quoting: int
    source: int
    direction: str
    confidence: float
    evidence: list[str]
    quoted: bool
    attribution: Attribution | None
    has_attribution: bool


_Item = tuple[Segment, _Verdict, Reuse]

# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1 << 16)
def _normalise_name(name: str) -> str:
    return normalise(name)


@lru_cache(maxsize=1 << 16)
def _iso_date(value: str) -> str | None:
    m = _ISO_DATE.search(value)
    return m.group() if m else None


def _date(doc: Document) -> str | None:
    return _date_of(doc.date, doc.inferred)


def _date_of(date: str | None, inferred: Mapping[str, Any]) -> str | None:
    for value in (date, inferred.get("date")):
        if value:
            found = _iso_date(value)
            if found:
                return found
    return None


def _title_suffix(title: str) -> str | None:
    # (the separators need one of these characters: most titles have none, and skip the regex)
    if "-" in title or "|" in title or "–" in title or "—" in title or "::" in title:
        parts = _TITLE_SPLIT.split(title.strip())
        if len(parts) > 1 and 0 < len(parts[-1].split()) <= 4:
            return parts[-1].strip()
    return None


def doc_outlet_names(doc: Document) -> list[str]:
    """Every name the document goes by: stated outlet, inferred outlet, title suffix, URL host."""
    return outlet_names(doc.outlet, doc.title, doc.url, doc.inferred)


def outlet_names(outlet: str | None, title: str | None, url: str | None, inferred: Mapping[str, Any]) -> list[str]:
    """:func:`doc_outlet_names` of a document with these fields."""
    names: list[str] = []
    for value in (outlet, inferred.get("outlet")) if inferred else (outlet,):
        if value:
            names.append(value)
    for t in (title, inferred.get("title")) if inferred else (title,):
        if t:
            suffix = _title_suffix(t)
            if suffix is not None:
                names.append(suffix)
    if url:
        m = _URL_HOST.match(url)
        if m:
            names.append(m.group(1))
    return names


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> float:
    inter = min(x[1], y[1]) - max(x[0], y[0])
    if inter <= 0:
        return 0.0
    return inter / max(1, min(x[1] - x[0], y[1] - y[0]))


def _covers(outer: tuple[int, int], inner: tuple[int, int]) -> float:
    """Share of ``inner`` that lies inside ``outer``."""
    inter = min(outer[1], inner[1]) - max(outer[0], inner[0])
    return max(0, inter) / max(1, inner[1] - inner[0])


def _quoted_share(regions: list[tuple[int, int]], span: tuple[int, int]) -> float:
    inside = 0
    for s, e in regions:
        inside += max(0, min(e, span[1]) - max(s, span[0]))
    return inside / max(1, span[1] - span[0])


def _noisy_or(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p


# --------------------------------------------------------------------------- the detector


def _sorted_unique(x: npt.NDArray[_A], kind: Literal["quicksort", "stable"] = "quicksort") -> npt.NDArray[_A]:
    """np.unique by sorting: numpy 2's hash-based unique measured ~5x slower on these key arrays.
    ``kind="stable"`` for input that is nearly sorted already (a merge sort finds the runs)."""
    x = np.sort(x, kind=kind)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


def _winnow(sh: P.U64, bounds: I64, w: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint32]]:
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
    key = _sorted_unique((docs.astype(np.uint64) << np.uint64(32)) | vals.astype(np.uint64))
    return (key >> np.uint64(32)).astype(np.int32), (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _scan(
    texts: list[str], params: ReuseParams, tokens: tuple[U64, I64] | None = None,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint32], list[list[RawMention]]]:
    """First-pass work on a chunk of texts (any process): fingerprints and candidate mentions.

    ``tokens``: the texts' :func:`~dedup.fingerprint.batch_token_hashes`, when the caller has them.
    """
    sh, bounds = (shingles_of_tokens(*tokens, params.passage_shingle) if tokens is not None
                  else batch_shingles(texts, params.passage_shingle))
    fp_doc, fp = _winnow(sh, bounds, params.winnow)
    return fp_doc, fp, [raw_mentions(t) for t in texts]


def _scan_task(texts: list[str]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint32], list[list[RawMention]]]:
    """:func:`_scan` in a worker of the run's pool."""
    return _scan(texts, worker_state()["reuse"][1])


@dataclass
class _Task:
    """One chunk of pass 2: whole candidate group pairs with every member document."""

    docs: list[int]
    records: list[bytes]  # pickled (Document, DocPassages without grams, passage signatures)
    group: dict[int, int]
    members: dict[int, list[int]]
    canonical: dict[int, int]
    group_names: dict[int, list[str]]
    dates: dict[int, str | None]
    mentions: dict[int, list[Mention]]
    pairs: I64
    boiler_keys: I64


def _prepare(docs: list[Document]) -> list[tuple[bytes, P.U64]]:
    """Pass 2, first step (any process): passages and signatures of documents, pickled for the
    spool, with the exact key of each passage (for the corpus-wide boilerplate)."""
    config, params = worker_state()["reuse"]
    seed = config.seed
    dps = [P.build(doc.text, params) for doc in docs]
    parts = [P.passage_shingle_concat(dp, params.passage_shingle) for dp in dps]
    offsets = np.cumsum([0] + [len(h) for h, _ in parts])
    allh = np.concatenate([h for h, _ in parts]) if parts else np.empty(0, np.uint64)
    starts = [b[:-1] + off for (_, b), off in zip(parts, offsets.tolist(), strict=False)]
    bounds = np.concatenate([*starts, offsets[-1:]])
    sigs = signatures_concat(allh, bounds.astype(np.int64), params.passage_perm, seed)
    exact = band_keys(sigs, 1, params.passage_perm)[:, 0]
    out: list[tuple[bytes, P.U64]] = []
    lo = 0
    for doc, dp in zip(docs, dps, strict=True):
        hi = lo + len(dp.ranges)
        # the spool holds what cannot be recomputed cheaply: grams and the
        # normalised text are made again on reading, offsets fit 32 bits
        dp.grams = dp.grams[:0]
        tok = dp.tokens
        tok.starts, tok.ends = tok.starts.astype(np.int32), tok.ends.astype(np.int32)
        if tok._words is None:
            tok._norm = ""
        out.append((pickle.dumps((doc, dp, sigs[lo:hi].copy()), protocol=pickle.HIGHEST_PROTOCOL), exact[lo:hi]))
        lo = hi
    return out


def _match(task: _Task) -> list[tuple[tuple[int, int], list[_Item]]]:
    """The results of every group pair of the task, empty ones too (they are cached as well)."""
    by_pair: dict[tuple[int, int], list[_Item]] = {(g1, g2): [] for g1, g2 in task.pairs.tolist()}
    config, params = worker_state()["reuse"]
    for item in _Matcher(task, config, params).run():
        ga, gb = task.group[item[0].a], task.group[item[0].b]
        by_pair[(min(ga, gb), max(ga, gb))].append(item)
    return list(by_pair.items())


# --------------------------------------------------------------------------- cache records


class _NoCache:
    """The :class:`BlobCache` of a call without one: nothing kept."""

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {}

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        return None

    def retain(self, keys: Iterable[str]) -> None:
        return None


def _get_many(cache: BlobCache, keys: Iterable[str], batch: int) -> dict[str, bytes]:
    """``cache.get_many`` in batches: a store may answer one huge request by reading its whole
    namespace, every value of it, where lookups by key read only what is asked for."""
    wanted = list(keys)
    out: dict[str, bytes] = {}
    for lo in range(0, len(wanted), batch):
        out.update(cache.get_many(wanted[lo : lo + batch]))
    return out


# A candidate mention and the span it covers, in the pass-1 record: plain values, which unpickle
# ~30x faster than the dataclasses (a 100k corpus has ~70k documents with candidates).
_RawRow = tuple[str, int, int, int, int, bool, str, str, "int | None", "int | None"]
# Part of the pass-1 and pair-result keys: bump when a record's layout changes (the results do not).
PASS1_FORMAT = 2
ITEMS_FORMAT = 2
# A pass-1 record: fingerprints (sorted) and candidate mention rows.
_Pass1 = tuple[npt.NDArray[np.uint32], list[_RawRow]]
# A selected mention: name, phrase start and end, name start and end, strong.
_MenRow = tuple[str, int, int, int, int, bool]
# Part of the segment and state keys: bump when their layout changes.
SEGMENT_FORMAT = 1
STATE_FORMAT = 4


def _pass1_key(params: str, text_key: str) -> str:
    return f"1:{_digest(params, PASS1_FORMAT, text_key)}"


def _raw_row(m: RawMention, sp: Span) -> _RawRow:
    return (m.name, m.start, m.end, m.name_start, m.name_end, m.strong, m.check, sp.text, sp.raw_start, sp.raw_end)


def _row_mention(r: _RawRow) -> RawMention:
    return RawMention(r[0], r[1], r[2], r[3], r[4], r[5], r[6])


def _row_span(r: _RawRow) -> Span:
    return Span(r[1], r[2], r[7], r[8], r[9])


def _pack_pass1(fp: npt.NDArray[np.uint32], raw: list[_RawRow]) -> bytes:
    tail = pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL) if raw else b""
    return len(fp).to_bytes(4, "little") + fp.astype("<u4").tobytes() + tail


def _unpack_pass1(blob: bytes) -> tuple[npt.NDArray[np.uint32], list[_RawRow]]:
    n = int.from_bytes(blob[:4], "little")
    fp = np.frombuffer(blob, dtype="<u4", count=n, offset=4).astype(np.uint32, copy=False)
    rest = blob[4 + 4 * n :]
    raw: list[_RawRow] = pickle.loads(rest) if rest else []
    return fp, raw


def _span_row(sp: Span) -> tuple[int, int, str, int | None, int | None]:
    return (sp.start, sp.end, sp.text, sp.raw_start, sp.raw_end)


def _attr_row(a: Attribution | None) -> tuple[str, int | None, str] | None:
    return None if a is None else (a.outlet, a.year, a.text)


def _row_attr(a: tuple[str, int | None, str] | None) -> Attribution | None:
    return None if a is None else Attribution(*a)


def _pack_items(items: list[_Item], ids: list[str]) -> bytes:
    """One group pair's results with documents named by id (indices change between runs), as plain
    values (dataclasses unpickle ~30x slower)."""
    rows = [
        (
            ids[s.a], ids[s.b], s.a_tok, s.b_tok, s.a_chr, s.b_chr, s.matched, sorted(ids[i] for i in s.also_in),
            ids[v.quoting], ids[v.source], v.direction, v.confidence, v.evidence, v.quoted, _attr_row(v.attribution),
            v.has_attribution,
            (r.quoting, r.source, r.direction, _span_row(r.quoting_span), _span_row(r.source_span), r.similarity,
             r.quoted, _attr_row(r.attribution), r.evidence, r.confidence, r.also_in),
        )
        for s, v, r in items
    ]
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack_items(blob: bytes, index: dict[str, int]) -> list[_Item]:
    out: list[_Item] = []
    for a, b, at, bt, ac, bc, m, also, q, s, direction, conf, ev, quoted, attr, has_attr, r in pickle.loads(blob):
        seg = Segment(index[a], index[b], at, bt, ac, bc, m, {index[i] for i in also})
        ver = _Verdict(index[q], index[s], direction, conf, ev, quoted, _row_attr(attr), has_attr)
        rq, rs, rd, qsp, ssp, sim, rquoted, rattr, rev, rconf, ralso = r
        reuse = Reuse(rq, rs, rd, Span(*qsp), Span(*ssp), sim, rquoted, _row_attr(rattr), rev, rconf, ralso)
        out.append((seg, ver, reuse))
    return out


def _member(x: npt.NDArray[np.uint32], sorted_set: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """``np.isin(x, sorted_set)`` for a large ``x`` of 32-bit fingerprints and a smaller set: a
    bitmap of the top bits (a few buckets per member, at most 1 << 24) rules out most of ``x``
    before any binary search."""
    out = np.zeros(len(x), dtype=bool)
    if len(sorted_set) == 0 or len(x) == 0:
        return out
    bits = int(min(24, max(16, np.ceil(np.log2(len(sorted_set))) + 3)))
    mark = np.zeros(1 << bits, dtype=bool)
    mark[(sorted_set >> (32 - bits)).astype(np.int64)] = True
    # (widened first, then shifted: about twice as fast as the other way round on 25M values)
    cand = np.flatnonzero(mark[x.astype(np.int64) >> (32 - bits)])
    xs = x[cand]
    pos = np.minimum(np.searchsorted(sorted_set, xs), len(sorted_set) - 1)
    out[cand[sorted_set[pos] == xs]] = True
    return out


def _member_small(x: npt.NDArray[np.uint32], sorted_set: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """``np.isin(x, sorted_set)`` for a small ``x``: a binary search each."""
    if len(sorted_set) == 0:
        return np.zeros(len(x), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, x), len(sorted_set) - 1)
    return np.asarray(sorted_set[pos] == x)


def _pair_codes(vals: npt.NDArray[np.uint64], grp: I64, n_groups: int, max_size: int) -> I64:
    """Codes ``g1 * n_groups + g2`` (g1 < g2) of the groups that share each value, once per value:
    ``vals`` sorted, (value, group) distinct and groups ascending inside a value."""
    if len(vals) == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])
    sizes = np.diff(np.r_[starts, len(vals)])
    codes: list[I64] = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_size)]).tolist():
        rows = starts[sizes == size]
        i, j = np.triu_indices(size, k=1)
        step = max(1, 4_000_000 // max(1, len(i)))
        for lo in range(0, len(rows), step):
            mat = grp[rows[lo : lo + step, None] + np.arange(size)[None, :]]
            codes.append(mat[:, i].ravel() * n_groups + mat[:, j].ravel())
    return np.concatenate(codes) if codes else np.empty(0, dtype=np.int64)


def _fetch(docs: Sequence[Document], indices: list[int]) -> Iterator[tuple[int, Document]]:
    """The documents at ``indices`` (ascending), each read once.

    All of them: one sequential pass. Some, from a lazy sequence with ``ids``
    and ``subset(ids)`` (a store's): a sequence of their own (the store's reads
    a chunk around each index it is asked for, so a few new documents scattered
    over the corpus would read all of it).
    """
    if len(indices) == len(docs):
        yield from enumerate(docs)
        return
    subset = getattr(docs, "subset", None)
    if subset is not None and hasattr(docs, "ids"):
        ids = docs.ids
        yield from zip(indices, subset([ids[i] for i in indices]), strict=True)
        return
    for i in indices:
        yield i, docs[i]


def plain_text_key(doc: Document) -> str:
    """The text key of a document that does not come from a store: its clean text and offset map."""
    offsets = np.asarray(doc.offsets, dtype=np.int64).tobytes()
    return hashlib.blake2b(doc.text.encode("utf-8", "surrogatepass") + b"\0" + offsets, digest_size=16).hexdigest()


def _records(
    docs: Sequence[Document], fp_doc: npt.NDArray[np.int32], fp: npt.NDArray[np.uint32],
    raws: list[list[RawMention]],
) -> list[_Pass1]:
    """Pass-1 records of documents from :func:`_scan` of their texts: fingerprints, and candidate
    mentions with the spans they cover (the spans need the offset map, which the scan does not)."""
    cuts = np.searchsorted(fp_doc, np.arange(len(docs) + 1)).tolist()
    return [
        (fp[cuts[k] : cuts[k + 1]], [_raw_row(m, d.span(m.start, m.end)) for m in raws[k]])
        for k, d in enumerate(docs)
    ]


def _scan_chunks(items: Iterable[_T], text: Callable[[_T], str], tuning: ReuseTuning) -> Iterator[list[_T]]:
    """``items`` in chunks for :func:`_scan`: at most ``scan_chunk`` documents, about ``scan_chars`` characters."""
    chunk: list[_T] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(text(item))
        if len(chunk) == tuning.scan_chunk or size >= tuning.scan_chars:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def pass1_entries(
    docs: Sequence[Document], text_keys: Sequence[str], tokens: tuple[U64, I64] | None = None, *,
    params: ReuseParams = DEFAULT, tuning: ReuseTuning = DEFAULT_TUNING,
) -> list[tuple[str, bytes]]:
    """The cache items (key, value) of the pass-1 records of ``docs`` that :func:`find_reuses` reads.

    ``text_keys[k]`` is the text key of ``docs[k]``: for documents of a store, the string its
    ``text_keys()`` gives (``f"{content_hash}:{clean_key}:{furniture_key}"``); else
    :func:`plain_text_key`. Pure, and runs in any process, e.g. a cleaning worker that has the
    clean texts and offset maps at hand: once the items are in the cache that a later call of
    :func:`find_reuses` gets, it scans none of these documents (its own scanning goes through the
    same functions, so the result is the same). The call that reads an item keeps the record in
    its own layout and lets the item go at the end (``retain``). ``tokens``, the texts'
    :func:`~dedup.fingerprint.batch_token_hashes` if the caller made them already, spares
    tokenising them again.
    """
    if len(docs) != len(text_keys):
        raise ValueError(f"{len(docs)} documents but {len(text_keys)} text keys")
    key = params.digest()
    out: list[tuple[str, bytes]] = []
    done = 0
    for chunk in _scan_chunks(zip(docs, text_keys, strict=True), lambda item: item[0].text, tuning):
        chunk_docs = [d for d, _ in chunk]
        part: tuple[U64, I64] | None = None
        if tokens is not None:
            th, tb = tokens
            lo, hi = int(tb[done]), int(tb[done + len(chunk)])
            part = (th[lo:hi], tb[done : done + len(chunk) + 1] - lo)
        done += len(chunk)
        records = _records(chunk_docs, *_scan([d.text for d in chunk_docs], params, part))
        out.extend((_pass1_key(key, k), _pack_pass1(*rec)) for (_, k), rec in zip(chunk, records, strict=True))
    return out


class _Segment:
    """Pass-1 records of up to ``segment_slots`` documents: one immutable cache entry.

    Per slot (16 bits, in the order the documents were added): id, text key and candidate
    mentions; and every fingerprint occurrence, sorted by (fingerprint, slot), so that the
    documents holding some fingerprints are found by binary search, and the fingerprints of a
    few documents by one pass over the slot column. Stored as the number of fingerprints per
    value of their top 16 bits, their low 16 bits and the slot: 4 bytes an occurrence.
    """

    def __init__(
        self, key: str, ids: list[str], text_keys: list[str], raw: dict[int, list[_RawRow]],
        fp: npt.NDArray[np.uint32], slot: npt.NDArray[np.uint16], stored: bool = False,
    ) -> None:
        self.key = key
        self.ids = ids
        self.text_keys = text_keys
        self.raw = raw
        self.fp = fp
        self.slot = slot
        self.stored = stored
        # this run's document of each slot (-1: none); from the previous run's state, per slot,
        # whether it held a document then, its group then and the mentions selected for it
        self.doc: I64 = np.full(len(ids), -1, dtype=np.int64)
        self.alive_last: npt.NDArray[np.bool_] = np.zeros(len(ids), dtype=bool)
        self.old_group: I64 = np.full(len(ids), -1, dtype=np.int64)
        self.selected: dict[int, list[_MenRow]] = {}

    @staticmethod
    def cache_key(params: str, ids: list[str], text_keys: list[str]) -> str:
        return "s:" + _digest(params, SEGMENT_FORMAT, ids, text_keys)

    @classmethod
    def build(
        cls, params: str, ids: list[str], text_keys: list[str], raw: dict[int, list[_RawRow]],
        fps: list[npt.NDArray[np.uint32]],
    ) -> _Segment:
        lengths = np.fromiter((len(f) for f in fps), dtype=np.int64, count=len(fps))
        slot = np.repeat(np.arange(len(fps), dtype=np.uint64), lengths)
        key = np.sort((np.concatenate([_EMPTY_FP, *fps]).astype(np.uint64) << np.uint64(16)) | slot)
        return cls(cls.cache_key(params, ids, text_keys), ids, text_keys, raw,
                   (key >> np.uint64(16)).astype(np.uint32), (key & np.uint64(0xFFFF)).astype(np.uint16))

    @classmethod
    def merge(cls, params: str, segs: list[_Segment]) -> _Segment:
        """One segment of the slots of ``segs`` that hold a document of this run (their ``doc`` kept)."""
        ids: list[str] = []
        text_keys: list[str] = []
        raw: dict[int, list[_RawRow]] = {}
        keys: list[npt.NDArray[np.uint64]] = []
        docs: list[I64] = []
        for seg in segs:
            keep = seg.doc >= 0
            renum = np.cumsum(keep) - 1 + len(ids)
            occ = keep[seg.slot]
            # (renumbering keeps the slot order: each part stays sorted, and the sort below merges them)
            keys.append((seg.fp[occ].astype(np.uint64) << np.uint64(16)) | renum[seg.slot[occ]].astype(np.uint64))
            for s in np.flatnonzero(keep).tolist():
                rows = seg.raw.get(s)
                if rows:
                    raw[len(ids)] = rows
                ids.append(seg.ids[s])
                text_keys.append(seg.text_keys[s])
            docs.append(seg.doc[keep])
        key = np.sort(np.concatenate([np.empty(0, np.uint64), *keys]), kind="stable")
        out = cls(cls.cache_key(params, ids, text_keys), ids, text_keys, raw,
                  (key >> np.uint64(16)).astype(np.uint32), (key & np.uint64(0xFFFF)).astype(np.uint16))
        out.doc = np.concatenate([np.empty(0, np.int64), *docs])
        return out

    def pack(self) -> bytes:
        meta = pickle.dumps((self.ids, self.text_keys, self.raw), protocol=pickle.HIGHEST_PROTOCOL)
        cuts = np.searchsorted(self.fp, np.arange(1, 1 << 16, dtype=np.uint32) << np.uint32(16))
        counts = np.diff(np.r_[0, cuts, len(self.fp)])
        head = np.array([SEGMENT_FORMAT, len(self.ids), len(self.fp), len(meta)], dtype="<u8")
        return b"".join([
            head.tobytes(), counts.astype("<u4").tobytes(), (self.fp & np.uint32(0xFFFF)).astype("<u2").tobytes(),
            self.slot.astype("<u2").tobytes(), meta,
        ])

    @classmethod
    def unpack(cls, key: str, blob: bytes) -> _Segment | None:
        fmt, _, n_occ, n_meta = np.frombuffer(blob, dtype="<u8", count=4).tolist()
        if fmt != SEGMENT_FORMAT:
            return None
        off = 32
        counts = np.frombuffer(blob, dtype="<u4", count=1 << 16, offset=off)
        off += 4 << 16
        low = np.frombuffer(blob, dtype="<u2", count=n_occ, offset=off)
        off += 2 * n_occ
        slot = np.frombuffer(blob, dtype="<u2", count=n_occ, offset=off).astype(np.uint16, copy=False)
        off += 2 * n_occ
        ids, text_keys, raw = pickle.loads(memoryview(blob)[off : off + n_meta])
        fp = np.repeat(np.arange(1 << 16, dtype=np.uint32) << np.uint32(16), counts)
        fp |= low
        return cls(key, ids, text_keys, raw, fp, slot, stored=True)

    def alive(self) -> int:
        return int(np.count_nonzero(self.doc >= 0))

    def fps_of(self, slots: Iterable[int]) -> dict[int, npt.NDArray[np.uint32]]:
        """The fingerprints of some slots (sorted, as in their pass-1 records)."""
        want = sorted(set(slots))
        if not want:
            return {}
        mark = np.zeros(len(self.ids), dtype=bool)
        mark[want] = True
        # (in slices: no temporary the size of the segment)
        step = 1 << 20
        pos = np.concatenate([np.empty(0, np.int64)] + [
            np.flatnonzero(mark[self.slot[lo : lo + step]]) + lo for lo in range(0, len(self.slot), step)
        ])
        s = self.slot[pos]
        order = np.argsort(s, kind="stable")
        s, f = s[order], self.fp[pos][order]
        w = np.asarray(want, dtype=np.int64)
        lo, hi = np.searchsorted(s, w, "left").tolist(), np.searchsorted(s, w, "right").tolist()
        return {slot: f[a:b] for slot, a, b in zip(want, lo, hi, strict=True)}

    def find(self, look: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.uint32], I64]:
        """Every occurrence of the fingerprints ``look`` (sorted) in a slot that holds a document of
        this run: fingerprint and document."""
        lo = np.searchsorted(self.fp, look, "left")
        # (most fingerprints are in one document or none: short runs are walked, not searched)
        cnt = np.zeros(len(look), dtype=np.int64)
        active = np.arange(len(look))
        n = len(self.fp)
        for step in range(3):
            pos = lo[active] + step
            active, pos = active[pos < n], pos[pos < n]
            active = active[self.fp[pos] == look[active]]
            cnt[active] += 1
        if len(active):
            cnt[active] = np.searchsorted(self.fp, look[active], "right") - lo[active]
        total = int(cnt.sum())
        if total == 0:
            return _EMPTY_FP, np.empty(0, dtype=np.int64)
        pos = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)
        doc = self.doc[self.slot[pos]]
        keep = doc >= 0
        return self.fp[pos][keep], doc[keep]


class _IndexSink:
    """Collects the sorted ``fingerprint << 32 | document`` keys of a corpus, slice by slice of the
    fingerprint range, as the (fingerprint, slot) columns of its segments (documents in order,
    ``slots`` a segment)."""

    def __init__(self, n: int, slots: int) -> None:
        self.slots = slots
        self.n_segs = max(1, -(-n // slots))
        self.fp: list[list[npt.NDArray[np.uint32]]] = [[] for _ in range(self.n_segs)]
        self.slot: list[list[npt.NDArray[np.uint16]]] = [[] for _ in range(self.n_segs)]

    def __call__(self, keys: npt.NDArray[np.uint64]) -> None:
        doc = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        seg = doc // self.slots if self.n_segs > 1 else None
        for k in range(self.n_segs):
            sel = np.flatnonzero(seg == k) if seg is not None else slice(None)
            self.fp[k].append((keys[sel] >> np.uint64(32)).astype(np.uint32))
            self.slot[k].append((doc[sel] - k * self.slots).astype(np.uint16))

    def take(self) -> Iterator[tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint16]]]:
        for k in range(self.n_segs):
            fp = np.concatenate([_EMPTY_FP, *self.fp[k]])
            slot = np.concatenate([np.empty(0, np.uint16), *self.slot[k]])
            self.fp[k], self.slot[k] = [], []
            yield fp, slot


class _Detector:
    def __init__(
        self, docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, workers: int,
        cache: BlobCache | None = None, params: ReuseParams = DEFAULT, tuning: ReuseTuning = DEFAULT_TUNING,
        metrics: RunMetrics | None = None,
    ) -> None:
        self.source = docs
        self.config = config
        self.params = params
        self.tuning = tuning
        self.metrics = metrics if metrics is not None else RunMetrics()
        # (the workers' functions read the config and parameters from the pool's state)
        self.pool = Pool(workers, state={"reuse": (config, params)})
        self.cache: BlobCache = cache if cache is not None else _NoCache()
        self.caching = cache is not None
        self.keep_keys: list[str] = []
        try:
            self._pass1_all(docs, clusters)
        except BaseException:
            self.pool.close()
            raise

    def _pass1_all(self, docs: Sequence[Document], clusters: Sequence[Cluster]) -> None:
        """Pass 1: what each document is, its group, fingerprints and mentions, the candidate group
        pairs; this run's state written."""
        n = len(docs)
        self.metrics.start()
        # ---- what each document is: its id, a key of its clean text, names and dates
        ids: list[str] = []
        names: list[list[str]] = []
        dates: list[str | None] = []
        text_keys: list[str]
        if hasattr(docs, "text_keys") and hasattr(docs, "naming"):
            # a store: keys from one query, names and dates without text
            text_keys = list(docs.text_keys())
            for doc_id, outlet, title, url, date, inferred in docs.naming():
                ids.append(doc_id)
                names.append(outlet_names(outlet, title, url, inferred))
                dates.append(_date_of(date, inferred))
        else:
            text_keys = []
            for d in docs:
                ids.append(d.id)
                names.append(doc_outlet_names(d))
                dates.append(_date(d))
                text_keys.append(plain_text_key(d))
        self.text_keys = text_keys
        self.ids = ids
        self.dates = dates
        self.index = {d: i for i, d in enumerate(ids)}
        self.metrics.tick("pass1_metadata")
        # ---- the previous run's state and the pass-1 records it keeps; pass 1 of the other documents
        self.digest = self.params.digest()
        self.state_key = f"state:{self.digest}"
        names_key, like_key = f"names:{self.digest}", f"like:{self.digest}"
        self.matches_key = f"matches:{self.digest}"
        self.keep_keys.extend([self.state_key, names_key, like_key, self.matches_key])
        got = (_get_many(self.cache, [self.state_key, names_key, like_key, self.matches_key], self.tuning.cache_batch)
               if self.caching else {})
        # outlet_matches answers of the previous run (a pure function of two names)
        self.matches_prior: dict[tuple[str, str], bool] = (
            pickle.loads(got[self.matches_key]) if self.matches_key in got else {}
        )
        self.matches_asked: dict[tuple[str, str], bool] = {}
        self.segs: list[_Segment] = []
        self.state = self._load_state(got.get(self.state_key))
        new = self._map_segments()
        # (the documents to scan, if a few, are scanned in the pool while this process goes on)
        pending = self._pass1(new)
        self.metrics.tick("pass1_read")
        # Every document belongs to exactly one group: its cluster, or itself.
        self.group = np.arange(n, dtype=np.int64)
        self.canonical: dict[int, int] = {}
        gid = n
        index = self.index
        at: list[int] = []
        ids_of: list[int] = []
        for c in clusters:
            members = [index[m] for m in c.members if m in index]
            if len(members) < 2:
                continue
            at.extend(members)
            ids_of.extend([gid] * len(members))
            self.canonical[gid] = index.get(c.canonical, min(members))
            gid += 1
        self.group[np.asarray(at, dtype=np.int64)] = np.asarray(ids_of, dtype=np.int64)
        # members, outlet names (in document order) and earliest date per group: most groups are
        # one document
        group = self.group.tolist()
        single = np.flatnonzero(self.group < n).tolist()
        self.members: dict[int, list[int]] = defaultdict(list, {i: [i] for i in single})
        self.canonical.update((i, i) for i in single)
        self.group_names: dict[int, list[str]] = defaultdict(list, {
            i: ns if len(ns) == 1 else list(dict.fromkeys(ns)) for i in single if (ns := names[i])
        })
        self.group_date: dict[int, str] = {i: dt for i in single if (dt := dates[i])}
        by_group, group_names, group_date = self.members, self.group_names, self.group_date
        for i in np.flatnonzero(self.group >= n).tolist():
            g = group[i]
            by_group[g].append(i)
            if names[i]:
                gnames = group_names[g]
                for name in names[i]:
                    if name not in gnames:
                        gnames.append(name)
            dt = dates[i]
            if dt and (g not in group_date or dt < group_date[g]):
                group_date[g] = dt
        # Outlet names per group (copies share them: a wire copy names the
        # outlet the canonical lacks), and an index for citations.
        self.outlets = OutletIndex()
        self.outlets.add_many([(name, group[i]) for i, doc_names in enumerate(names) for name in doc_names])
        self.outlet_of_group: dict[int, str | None] = {
            g: _normalise_name(gnames[0]) if gnames else None for g, gnames in group_names.items()
        }
        self.metrics.tick("pass1_groups")
        # the fingerprints of the documents no segment holds; candidate mentions of all
        recs = pending()
        self.new_docs = new
        self.new_fps: dict[int, npt.NDArray[np.uint32]] = {i: recs[i][0] for i in new}
        self.raw: dict[int, list[_RawRow]] = {}
        for seg in self.segs:
            held = seg.doc.tolist()
            for s, rows in seg.raw.items():
                if held[s] >= 0:
                    self.raw[held[s]] = rows
        for i in new:
            if recs[i][1]:
                self.raw[i] = recs[i][1]
        del recs
        self.metrics.tick("pass1_scan")
        # ---- mentions that name an outlet
        self._select_mentions(got.get(names_key), got.get(like_key))
        # (written with the state, in one transaction)
        self.puts: list[tuple[str, bytes]] = []
        if self.caching:
            check_names = {r[0] for rows in self.raw.values() for r in rows if r[6]}
            self.puts += [
                (names_key, pickle.dumps(self.outlets.fuzzy_answers(), protocol=pickle.HIGHEST_PROTOCOL)),
                (like_key, pickle.dumps(self.outlets.like_answers(check_names), protocol=pickle.HIGHEST_PROTOCOL)),
            ]
        del got
        self.metrics.tick("pass1_mentions")
        self.pairs = self._candidate_pairs()
        self.metrics.tick("pass1_index")

    # ----------------------------------------------------------------- the previous run's state
    def _load_state(self, blob: bytes | None) -> dict[str, Any] | None:
        """The previous run's state, with its segments (``self.segs``); None when there is none, or
        any part of it is missing."""
        if blob is None:
            return None
        state: dict[str, Any] = pickle.loads(blob)
        if state.get("format") != STATE_FORMAT:
            return None
        got = _get_many(self.cache, state["segments"], self.tuning.cache_batch)
        segs: list[_Segment] = []
        for k, key in enumerate(state["segments"]):
            seg = _Segment.unpack(key, got[key]) if key in got else None
            if seg is None:
                return None
            seg.alive_last = state["alive"][k]
            seg.old_group = state["group"][k]
            seg.selected = state["selected"][k]
            segs.append(seg)
        self.segs = segs
        self.metrics.stats["segments_read"] = len(segs)
        return state

    def _map_segments(self) -> list[int]:
        """Which document of this run each segment slot holds (same id and text key); returns the
        documents that none holds."""
        n = len(self.ids)
        held = np.zeros(n, dtype=bool)
        index, text_keys = self.index, self.text_keys
        keys_now = np.asarray(text_keys if self.segs else [], dtype=object)
        for seg in self.segs:
            doc = np.fromiter((index.get(d, -1) for d in seg.ids), dtype=np.int64, count=len(seg.ids))
            known = np.flatnonzero(doc >= 0)
            # (same text: compared in one pass over object arrays)
            moved = known[keys_now[doc[known]] != np.asarray(seg.text_keys, dtype=object)[known]]
            doc[moved] = -1
            # (one slot per document: the first segment's)
            slots = np.flatnonzero(doc >= 0)
            slots = slots[~held[doc[slots]]]
            _, first = np.unique(doc[slots], return_index=True)
            slots = slots[first]
            seg.doc = np.full(len(seg.ids), -1, dtype=np.int64)
            seg.doc[slots] = doc[slots]
            held[doc[slots]] = True
        # where each held document is
        self.seg_of = np.full(n, -1, dtype=np.int64)
        self.slot_of = np.full(n, -1, dtype=np.int64)
        for k, seg in enumerate(self.segs):
            slots = np.flatnonzero(seg.doc >= 0)
            self.seg_of[seg.doc[slots]] = k
            self.slot_of[seg.doc[slots]] = slots
        return np.flatnonzero(~held).tolist()

    def _pass1(self, new: list[int]) -> Callable[[], dict[int, _Pass1]]:
        """Pass-1 records of the documents ``new``: of a text some segment holds (an exact copy of a
        document seen before), from the cache (:func:`pass1_entries`), else scanned (once per text).

        Returns the function that gives them: up to self.tuning.scan_ahead documents to scan are read now and
        scanned in the pool until it is called; more are scanned when it is called."""
        recs: dict[int, _Pass1] = {}
        want: dict[str, list[int]] = defaultdict(list)
        for i in new:
            want[self.text_keys[i]].append(i)
        for seg in self.segs:
            if not want:
                break
            hits: dict[str, int] = {}
            for s, k in enumerate(seg.text_keys):
                if k in want and k not in hits:
                    hits[k] = s
            if hits:
                fps = seg.fps_of(hits.values())
                for k, s in hits.items():
                    rec = (fps[s], seg.raw.get(s, []))
                    for i in want.pop(k):
                        recs[i] = rec
        if want and self.caching:
            keys = {k: _pass1_key(self.digest, k) for k in want}
            got = _get_many(self.cache, keys.values(), self.tuning.cache_batch)
            for k, key in keys.items():
                blob = got.get(key)
                if blob is not None:
                    rec = _unpack_pass1(blob)
                    for i in want.pop(k):
                        recs[i] = rec
            del got
        todo = sorted(docs[0] for docs in want.values())
        self.metrics.stats["docs"] = len(self.ids)
        self.metrics.stats["pass1_hits"] = len(self.ids) - len(todo)
        self.metrics.stats["docs_scanned"] = len(todo)
        scanned: Iterable[tuple[int, _Pass1]]
        if len(todo) <= self.tuning.scan_ahead and self.pool.workers > 1:
            chunks = list(_scan_chunks(_fetch(self.source, todo), lambda item: item[1].text, self.tuning))
            futures = [self.pool.submit(_scan_task, [d.text for _, d in chunk]) for chunk in chunks]

            def ahead() -> Iterator[tuple[int, _Pass1]]:
                for chunk, future in zip(chunks, futures, strict=True):
                    yield from zip((i for i, _ in chunk), _records([d for _, d in chunk], *future.result()),
                                   strict=True)

            scanned = ahead()
        else:
            scanned = self._scan_docs(todo)

        def finish() -> dict[int, _Pass1]:
            for i, rec in scanned:
                for j in want[self.text_keys[i]]:
                    recs[j] = rec
            return recs

        return finish

    def _scan_docs(self, todo: list[int]) -> Iterator[tuple[int, _Pass1]]:
        """Pass 1 of the documents ``todo`` (ascending), read once, scanned in the pool."""
        in_flight: deque[list[tuple[int, Document]]] = deque()

        def chunks() -> Iterator[list[str]]:
            for chunk in _scan_chunks(_fetch(self.source, todo), lambda item: item[1].text, self.tuning):
                in_flight.append(chunk)
                yield [d.text for _, d in chunk]

        for scanned in self.pool.map(_scan_task, chunks()):
            chunk = in_flight.popleft()
            yield from zip((i for i, _ in chunk), _records([d for _, d in chunk], *scanned), strict=True)

    def _fps_of(
        self, docs: Iterable[int], stale: list[list[int]] | None = None,
    ) -> tuple[dict[int, npt.NDArray[np.uint32]], list[npt.NDArray[np.uint32]]]:
        """The fingerprints of some documents (a few: dirty groups, recounted pairs), and of the
        segment slots ``stale`` (per segment), read in one pass over each segment."""
        out: dict[int, npt.NDArray[np.uint32]] = {}
        want: list[dict[int, list[int]]] = [defaultdict(list) for _ in self.segs]
        for i in docs:
            fp = self.new_fps.get(i)
            if fp is not None:
                out[i] = fp
            else:
                want[int(self.seg_of[i])][int(self.slot_of[i])].append(i)
        for k, stale_slots in enumerate(stale or []):
            for s in stale_slots:
                want[k][s].append(-1)
        extra: list[npt.NDArray[np.uint32]] = []
        for seg, asked in zip(self.segs, want, strict=True):
            for s, fp in seg.fps_of(asked).items():
                for i in asked[s]:
                    if i >= 0:
                        out[i] = fp
                    else:
                        extra.append(fp)
        return out, extra

    def _stale_slots(self) -> list[list[int]] | None:
        """Per segment, the slots that held a document of the previous run that is gone or whose
        text changed (still here: this run has not written its own segments); None if unknown."""
        out: list[list[int]] = []
        for seg in self.segs:
            slots = np.flatnonzero(seg.alive_last & (seg.doc < 0)).tolist()
            out.append([
                s for s in slots
                if (i := self.index.get(seg.ids[s])) is None or self.text_keys[i] != seg.text_keys[s]
            ])
        return out

    # ----------------------------------------------------------------- mentions
    def _select_mentions(self, names_blob: bytes | None, like_blob: bytes | None) -> None:
        """The candidate mentions that name an outlet, per document (``self._sel``).

        A document the previous run saw keeps its selection when every name it had to ask about
        (:func:`~dedup.attribution.looks_like_outlet`) gets the same answer now (the answers of
        the previous run's outlet index, carried over where provably the same); the others are
        selected again.
        """
        # the fuzzy outlet-name answers of the previous run: only names it did not ask, and the
        # outlet keys this corpus adds, are searched (exact: OutletIndex.remember)
        if names_blob is not None:
            self.outlets.remember(*pickle.loads(names_blob))
        prior: dict[str, bool] = {}
        if like_blob is not None:
            like = pickle.loads(like_blob)
            prior = like[1]
            self.outlets.remember_like(*like)
        changed = self.outlets.like_changed() if like_blob is not None else None
        outlets = self.outlets
        self._sel: dict[int, list[_MenRow]] = {}
        self._mention_objs: dict[int, list[Mention]] = {}

        def select(rows: list[_RawRow]) -> list[_MenRow]:
            found = select_mentions([_row_mention(r) for r in rows], outlets)
            return [(m.name, m.start, m.end, m.name_start, m.name_end, m.strong) for m in found]

        again = 0
        sel: list[_MenRow] | None
        bad = changed if changed is not None else set()
        for seg in self.segs:
            held = seg.doc.tolist()
            alive_last = seg.alive_last.tolist() if changed is not None else [False] * len(held)
            for s, rows in seg.raw.items():
                i = held[s]
                if i < 0:
                    continue
                sel = None
                if alive_last[s]:
                    for r in rows:
                        if r[6] and (r[0] not in prior or r[0] in bad):
                            break
                    else:
                        sel = seg.selected.get(s, [])
                if sel is None:
                    sel = select(rows)
                    again += 1
                if sel:
                    self._sel[i] = sel
        for i in self.new_docs:
            new_rows = self.raw.get(i)
            if new_rows:
                sel = select(new_rows)
                again += 1
                if sel:
                    self._sel[i] = sel
        self.metrics.stats["mentions_selected"] = again

    def mentions(self, i: int) -> list[Mention]:
        got = self._mention_objs.get(i)
        if got is None:
            got = self._mention_objs[i] = [Mention(*t) for t in self._sel.get(i, ())]
        return got

    # ----------------------------------------------------------------- candidate group pairs
    def _candidate_pairs(self) -> I64:
        """Group pairs sharing at least self.params.min_shared_fp fingerprints of modest spread.

        From scratch, or, from the previous run's state, only the pairs of groups whose
        members changed ("dirty") are counted, plus the pairs of unchanged groups that share a
        fingerprint whose spread crossed self.params.max_fp_groups (a new copy of a common phrase): the
        others share exactly the fingerprints they shared, each as common as it was. The
        documents holding a fingerprint are looked up in the segments (binary search), so only
        the new documents' fingerprints are read one by one. Writes this run's state.
        """
        n = len(self.ids)
        n_groups = int(self.group.max()) + 1 if n else 1
        old = self.state
        built: list[_Segment] = []
        if old is None:
            self.metrics.stats["pairs_incremental"] = 0
            new_fps = self.new_fps

            def chunk_keys(lo: int) -> npt.NDArray[np.uint64]:
                """``fingerprint << 32 | document`` of the documents [lo, lo + self.tuning.scan_chunk), sorted."""
                fps = [new_fps[i] for i in range(lo, min(n, lo + self.tuning.scan_chunk))]
                lengths = np.fromiter((len(f) for f in fps), dtype=np.int64, count=len(fps))
                doc_col = np.repeat(np.arange(lo, lo + len(fps), dtype=np.uint64), lengths)
                keys = (np.concatenate([_EMPTY_FP, *fps]).astype(np.uint64) << np.uint64(32)) | doc_col
                keys.sort()
                return keys

            # (numpy works without the GIL: threads use every core the pool would)
            chunks = list(threaded(chunk_keys, range(0, n, self.tuning.scan_chunk), self.pool.workers))
            index = _IndexSink(n, self.tuning.segment_slots) if self.caching else None
            codes, common = self._count_pairs(chunks, n_groups, sink=index)
            del chunks
            self.metrics.stats["groups_dirty"] = len(self.members)
            if index is not None:
                built = self._segments_of_index(index)
        else:
            dirty, now_of_old = self._dirty_groups(n_groups)
            self.metrics.stats["pairs_incremental"] = 1
            self.metrics.stats["groups_dirty"] = int(dirty.sum())
            op = old["pairs"]
            carried = np.stack([now_of_old[op[:, 0]], now_of_old[op[:, 1]]], axis=1) if len(op) else op
            carried = carried[(carried >= 0).all(axis=1)] if len(carried) else np.empty((0, 2), np.int64)
            carried = np.sort(carried, axis=1)
            dirty_docs = [m for g in np.flatnonzero(dirty).tolist() for m in self.members.get(g, ())]
            stale = self._stale_slots() if self.tuning.stale_records else None
            fps_of, stale_of = self._fps_of(dirty_docs, stale)
            dirty_fps = _sorted_unique(np.concatenate([_EMPTY_FP, *fps_of.values()]))
            stale_fps = None if stale is None else _sorted_unique(np.concatenate([_EMPTY_FP, *stale_of]))
            del fps_of, stale_of
            # (without the stale fingerprints, the old common ones are counted again: any other
            # fingerprint can only have become rarer, and it was rare)
            extra = old["common"] if stale_fps is None else stale_fps
            look = _sorted_unique(np.concatenate([dirty_fps, extra]))
            fp, owner = self._occurrences(look)
            codes, common = self._pairs_incremental(
                fp, owner, dirty_fps, dirty, old["common"], look, carried[:, 0] * n_groups + carried[:, 1], n_groups,
            )
            del fp, owner
            built = self._segments_of_new()
        pairs = np.stack([codes // n_groups, codes % n_groups], axis=1)
        if self.caching:
            self._save_state(pairs, common, built)
        self.metrics.stats["group_pairs"] = len(pairs)
        return pairs

    def _dirty_groups(self, n_groups: int) -> tuple[npt.NDArray[np.bool_], I64]:
        """Which groups the previous run did not have ("dirty"), and this run's id of each of its
        groups that it did (-1: none).

        The state keeps the previous run's group of each segment slot that held a document then.
        A group is the same when all its members are in slots that held them then (the same id
        and text), all in one group of then, which had no other member. Group ids themselves
        are not comparable between runs (they depend on the order of the clusters).
        """
        n = len(self.ids)
        old_of_doc = np.full(n, -1, dtype=np.int64)
        sizes: list[I64] = []
        for seg in self.segs:
            was = seg.old_group[seg.alive_last]
            sizes.append(was)
            now = np.flatnonzero((seg.doc >= 0) & seg.alive_last)
            old_of_doc[seg.doc[now]] = seg.old_group[now]
        allwas = np.concatenate([np.empty(0, np.int64), *sizes])
        old_size = np.bincount(allwas, minlength=1) if len(allwas) else np.zeros(1, dtype=np.int64)
        dirty = np.zeros(n_groups, dtype=bool)
        now_of_old = np.full(len(old_size), -1, dtype=np.int64)
        if n == 0:
            return dirty, now_of_old
        order = np.argsort(self.group, kind="stable")
        by_group, olds = self.group[order], old_of_doc[order]
        starts = np.flatnonzero(np.r_[True, by_group[1:] != by_group[:-1]])
        lo, hi = np.minimum.reduceat(olds, starts), np.maximum.reduceat(olds, starts)
        count = np.diff(np.r_[starts, n])
        same = (lo == hi) & (lo >= 0)
        same[same] = count[same] == old_size[lo[same]]
        groups = by_group[starts]
        dirty[groups[~same]] = True
        now_of_old[lo[same]] = groups[same]
        return dirty, now_of_old

    def _occurrences(self, look: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.uint32], I64]:
        """Every occurrence of the fingerprints ``look`` (sorted) in the documents of this run:
        fingerprint and document."""
        fps: list[npt.NDArray[np.uint32]] = [_EMPTY_FP]
        docs: list[I64] = [np.empty(0, dtype=np.int64)]
        for seg in self.segs:
            f, d = seg.find(look)
            fps.append(f)
            docs.append(d)
        if self.new_docs:
            allnew = np.concatenate([self.new_fps[i] for i in self.new_docs])
            owner = np.repeat(np.asarray(self.new_docs, dtype=np.int64),
                              [len(self.new_fps[i]) for i in self.new_docs])
            hit = _member_small(allnew, look)
            fps.append(allnew[hit])
            docs.append(owner[hit])
        return np.concatenate(fps), np.concatenate(docs)

    def _segments_of_index(self, index: _IndexSink) -> list[_Segment]:
        """Segments of every document (a run from scratch), from the sorted fingerprint occurrences
        :meth:`_count_pairs` gave ``index``: documents in order, ``segment_slots`` a segment."""
        out: list[_Segment] = []
        for k, (fp, slot) in enumerate(index.take()):
            lo, hi = k * self.tuning.segment_slots, min(len(self.ids), (k + 1) * self.tuning.segment_slots)
            ids, text_keys = self.ids[lo:hi], self.text_keys[lo:hi]
            raw = {i - lo: self.raw[i] for i in range(lo, hi) if i in self.raw}
            seg = _Segment(_Segment.cache_key(self.digest, ids, text_keys), ids, text_keys, raw, fp, slot)
            seg.doc = np.arange(lo, hi, dtype=np.int64)
            out.append(seg)
        return out

    def _segments_of_new(self) -> list[_Segment]:
        """Segments of the documents no segment held."""
        out: list[_Segment] = []
        for lo in range(0, len(self.new_docs), self.tuning.segment_slots):
            docs = self.new_docs[lo : lo + self.tuning.segment_slots]
            seg = _Segment.build(
                self.digest, [self.ids[i] for i in docs], [self.text_keys[i] for i in docs],
                {k: self.raw[i] for k, i in enumerate(docs) if i in self.raw}, [self.new_fps[i] for i in docs],
            )
            seg.doc = np.asarray(docs, dtype=np.int64)
            out.append(seg)
        return out

    def _save_state(self, pairs: I64, common: npt.NDArray[np.uint32], built: list[_Segment]) -> None:
        """This run's state: its segments (those holding a document of this run; the two smallest
        merged while there are more than self.tuning.segment_slack beyond the fewest that could hold the corpus
        and they fit in one, and one mostly of gone documents rewritten), which slots hold a
        document, its group and the mentions selected for it, the candidate group pairs and the
        common fingerprints."""
        segs: list[_Segment] = []
        for seg in self.segs + built:
            alive = seg.alive()
            if alive == 0:
                continue
            segs.append(_Segment.merge(self.digest, [seg]) if 2 * alive < len(seg.ids) else seg)
        total = sum(seg.alive() for seg in segs)
        while len(segs) > -(-total // self.tuning.segment_slots) + self.tuning.segment_slack:
            segs.sort(key=lambda seg: seg.alive())
            if segs[0].alive() + segs[1].alive() > self.tuning.segment_slots:
                break
            segs = [_Segment.merge(self.digest, segs[:2]), *segs[2:]]
        self.metrics.stats["segments"] = len(segs)
        puts = [(seg.key, seg.pack()) for seg in segs if not seg.stored]
        seg_of = np.full(len(self.ids), -1, dtype=np.int64)
        slot_of = np.full(len(self.ids), -1, dtype=np.int64)
        for k, seg in enumerate(segs):
            slots = np.flatnonzero(seg.doc >= 0)
            seg_of[seg.doc[slots]] = k
            slot_of[seg.doc[slots]] = slots
        selected: list[dict[int, list[_MenRow]]] = [{} for _ in segs]
        for i, sel in self._sel.items():
            selected[seg_of[i]][int(slot_of[i])] = sel
        state = {"format": STATE_FORMAT, "segments": [seg.key for seg in segs],
                 "alive": [seg.doc >= 0 for seg in segs],
                 "group": [np.where(seg.doc >= 0, self.group[np.maximum(seg.doc, 0)], -1) for seg in segs],
                 "selected": selected, "pairs": pairs, "common": common}
        puts.append((self.state_key, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)))
        self.keep_keys.extend(seg.key for seg in segs)
        self.cache.put_many(self.puts + puts)
        self.puts = []

    def _count_pairs(
        self, fp_keys: list[npt.NDArray[np.uint64]], n_groups: int,
        keep: Callable[[I64], npt.NDArray[np.bool_]] | None = None,
        sink: Callable[[npt.NDArray[np.uint64]], None] | None = None,
    ) -> tuple[I64, npt.NDArray[np.uint32]]:
        """Codes of the group pairs (g1 < g2) that share at least self.params.min_shared_fp fingerprints of
        modest spread, and the fingerprints in more than self.params.max_fp_groups groups.

        ``fp_keys``: sorted ``fingerprint << 32 | document`` arrays, every
        occurrence of each fingerprint they hold (the spread is counted here).
        ``keep`` restricts the pairs counted; ``sink`` gets all keys, sorted, in
        slices of ascending fingerprints. A fingerprint in more than
        self.params.max_fp_groups groups is a common phrase or furniture and pairs nothing;
        copies inside one group count once, so syndication costs nothing here.
        Worked in slices of the fingerprint range, so that the temporaries are
        a fraction of the corpus's.
        """
        # (a few million keys at most: one slice, and no spill files)
        small = sum(len(k) for k in fp_keys) <= self.tuning.small_count
        part_bits = 0 if small else self.tuning.fp_part_bits
        spills: list[IO[bytes]] = [] if small else [
            tempfile.TemporaryFile(prefix="dedup-pairs-") for _ in range(self.tuning.pair_spills)
        ]
        kept: list[I64] = []
        low = np.uint64(0xFFFFFFFF)
        shift = 64 - part_bits
        common: list[npt.NDArray[np.uint32]] = []

        def count(part: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32], I64] | None:
            """The sorted keys of one slice of the fingerprint range, its common fingerprints, and
            its group pairs with their counts packed (pair code * 4 + count)."""
            pieces = []
            for keys in fp_keys:
                a = 0 if part == 0 else int(np.searchsorted(keys, np.uint64(part << shift)))
                last = part == (1 << part_bits) - 1
                b = len(keys) if last else int(np.searchsorted(keys, np.uint64((part + 1) << shift)))
                if b > a:
                    pieces.append(keys[a:b])
            if not pieces:
                return None
            # (the pieces are sorted runs: a stable sort merges them, several times faster than a
            # quicksort, and the group codes made from them are nearly sorted as well)
            key = np.sort(np.concatenate(pieces), kind="stable") if len(pieces) > 1 else pieces[0]
            del pieces
            groups = self.group[(key & low).astype(np.int64)].astype(np.uint64)
            fg = _sorted_unique(((key >> np.uint64(32)) << np.uint64(32)) | groups, kind="stable")
            del groups
            vals = fg >> np.uint64(32)
            grp = (fg & low).astype(np.int64)
            del fg
            starts = np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])
            sizes = np.diff(np.r_[starts, len(vals)])
            part_common = vals[starts[sizes > self.params.max_fp_groups]].astype(np.uint32)
            allc = _pair_codes(vals, grp, n_groups, self.params.max_fp_groups)
            del vals, grp
            if keep is not None and len(allc):
                allc = allc[keep(allc)]
            if len(allc) == 0:
                return key, part_common, np.empty(0, dtype=np.int64)
            allc = np.sort(allc)
            starts_c = np.flatnonzero(np.r_[True, allc[1:] != allc[:-1]])
            # pair code and its count in this slice (only "at least self.params.min_shared_fp" matters) in one integer
            cnt = np.minimum(np.diff(np.r_[starts_c, len(allc)]), self.params.min_shared_fp)
            return key, part_common, allc[starts_c] * 4 + cnt

        # slices counted in threads (numpy works without the GIL), taken in order
        for got in threaded(count, range(1 << part_bits), self.pool.workers):
            if got is None:
                continue
            key, part_common, packed = got
            if sink is not None:
                sink(key)
            del key
            common.append(part_common)
            if len(packed) == 0:
                continue
            if small:
                kept.append(packed)
                continue
            # spilled by pair bucket: on a large corpus the group pairs that
            # share one common phrase are tens of millions
            bucket = (packed >> 2) % len(spills)
            for q, spill in enumerate(spills):
                packed[bucket == q].tofile(spill)
            del packed, bucket
        found: list[I64] = []

        def buckets() -> Iterator[I64]:
            yield from kept
            for spill in spills:
                spill.seek(0)
                yield np.fromfile(spill, dtype=np.int64)
                spill.close()

        for packed in buckets():
            if len(packed) == 0:
                continue
            packed.sort()
            allc = packed >> 2
            starts_c = np.flatnonzero(np.r_[True, allc[1:] != allc[:-1]])
            total = np.add.reduceat(packed & 3, starts_c)
            found.append(allc[starts_c][total >= self.params.min_shared_fp])
            del packed, allc, starts_c, total
        common_all = np.sort(np.concatenate(common)) if common else np.empty(0, np.uint32)
        if not found:
            return np.empty(0, dtype=np.int64), common_all
        return np.sort(np.concatenate(found)), common_all

    def _pairs_incremental(
        self, fp: npt.NDArray[np.uint32], owner: I64, dirty_fps: npt.NDArray[np.uint32],
        dirty: npt.NDArray[np.bool_], old_common: npt.NDArray[np.uint32], look: npt.NDArray[np.uint32],
        carried: I64, n_groups: int,
    ) -> tuple[I64, npt.NDArray[np.uint32]]:
        """:meth:`_count_pairs` of the whole corpus, from the previous run's result.

        ``look``: the fingerprints whose spread may have changed: those of the
        dirty groups (``dirty_fps``; groups the previous run did not know) and
        those of its documents that are gone or changed (or, when they are not
        known, its common fingerprints: any other can only have become rarer,
        and it was rare); ``fp``/``owner``: every occurrence of them in this
        run's documents; ``old_common``: its fingerprints in more than
        self.params.max_fp_groups groups; ``carried``: its pair codes between groups that
        are still there (in this run's group ids).

        A fingerprint not in ``look`` is in exactly the groups it was in (a
        document of a group that is gone is in a dirty group now, unless it is
        gone or changed itself), so its spread and status are unchanged. Pairs
        with a dirty side are counted on the fingerprints of dirty groups
        (every pair they make has one). Pairs of clean groups are the previous
        run's, except where a fingerprint they share changed status: those
        that were pairs and share one that became common, and those that share
        one that became rare, are counted again.
        """
        low = np.uint64(0xFFFFFFFF)
        # spread of each fingerprint looked at: distinct (fingerprint, group)
        grp = self.group[owner]
        # (``fp`` is a few runs of ascending fingerprints: a merge sort finds them)
        code = _sorted_unique((fp.astype(np.uint64) << np.uint64(32)) | grp.astype(np.uint64), kind="stable")
        del grp
        cf, cg = (code >> np.uint64(32)).astype(np.uint32), (code & low).astype(np.int64)
        del code
        starts = np.flatnonzero(np.r_[True, cf[1:] != cf[:-1]]) if len(cf) else np.empty(0, np.int64)
        spread = np.diff(np.r_[starts, len(cf)])
        look_fps = cf[starts]
        now_common = spread > self.params.max_fp_groups
        common = _sorted_unique(np.concatenate([old_common[~_member(old_common, look)], look_fps[now_common]]))
        # pairs with a dirty side, on every occurrence of the dirty groups' fingerprints
        sel = _member(fp, dirty_fps)
        sel_keys = np.sort((fp[sel].astype(np.uint64) << np.uint64(32)) | owner[sel].astype(np.uint64), kind="stable")
        codes_d, _ = self._count_pairs(
            [sel_keys], n_groups, lambda c: dirty[c // n_groups] | dirty[c % n_groups]
        )
        # clean pairs sharing a fingerprint whose status flipped
        was_common = _member(look_fps, old_common)
        per_row = np.repeat(np.arange(len(look_fps)), spread)
        clean = ~dirty[cg]

        def sharing(which: npt.NDArray[np.bool_]) -> I64:
            rows = which[per_row] & clean
            return _sorted_unique(_pair_codes(cf[rows].astype(np.uint64), cg[rows], n_groups, 1 << 30))

        went_common, went_rare = now_common & ~was_common, was_common & ~now_common
        self.metrics.stats["flipped_fps"] = int(went_common.sum() + went_rare.sum())
        recount = sharing(went_common)
        # a clean pair that was not one and only lost fingerprints is still not one
        recount = recount[np.isin(recount, carried)]
        recount = _sorted_unique(np.concatenate([recount, sharing(went_rare)]))
        self.metrics.stats["pairs_recounted"] = len(recount)
        counted = self._recount(recount, common, n_groups)
        kept = carried[~np.isin(carried, recount)] if len(recount) else carried
        return _sorted_unique(np.concatenate([codes_d, kept, counted])), common

    def _recount(self, codes: I64, common: npt.NDArray[np.uint32], n_groups: int) -> I64:
        """The pair codes among ``codes`` whose groups share at least self.params.min_shared_fp fingerprints not in
        ``common``, counted pair by pair (they are few)."""
        pairs = [(c // n_groups, c % n_groups) for c in codes.tolist()]
        fps, _ = self._fps_of({m for pair in pairs for g in pair for m in self.members[g]})
        valid: dict[int, npt.NDArray[np.uint32]] = {}

        def of(g: int) -> npt.NDArray[np.uint32]:
            if g not in valid:
                f = _sorted_unique(np.concatenate([fps[m] for m in self.members[g]]))
                valid[g] = f[~_member_small(f, common)]
            return valid[g]

        out = [g1 * n_groups + g2 for g1, g2 in pairs
               if len(np.intersect1d(of(g1), of(g2), assume_unique=True)) >= self.params.min_shared_fp]
        return np.asarray(out, dtype=np.int64)

    # ----------------------------------------------------------------- dates, mentions
    def date_of(self, i: int) -> str | None:
        return self.dates[i] or self.group_date.get(int(self.group[i]))

    def _prepare_into(
        self, spool: BlobSpool, todo: list[int], where: dict[int, tuple[int, int]],
    ) -> Iterator[tuple[int, P.U64]]:
        """Passages and signatures of the documents ``todo`` (ascending) onto the spool; yields the
        exact passage keys of each."""
        order: list[int] = []

        def batches() -> Iterator[list[Document]]:
            batch: list[Document] = []
            for i, d in _fetch(self.source, todo):
                order.append(i)
                batch.append(d)
                if len(batch) == self.tuning.prepare_chunk:
                    yield batch
                    batch = []
            if batch:
                yield batch

        done = 0
        for recs in self.pool.map(_prepare, batches()):
            for blob, exact in recs:
                i = order[done]
                done += 1
                where[i] = spool.append(blob)
                yield i, exact
        self.metrics.stats["docs_prepared"] = self.metrics.stats.get("docs_prepared", 0) + done

    def pass2(self) -> list[_Item]:
        """Reuses between the documents of the candidate group pairs, in bounded memory.

        The documents whose exact passage keys the cache lacks are read once
        more: their passages and signatures go to a spool file (the corpus-wide
        boilerplate needs the exact passage keys of all involved documents
        before any pair is judged). Each group pair's result is cached under a
        digest of everything its matching sees; the pairs not in the cache are
        cut into chunks of at most self.tuning.pass2_chunk_docs documents, read back from
        the spool (documents not yet there are prepared first) and matched in
        the worker pool; results are put together in pair order, so the output
        depends neither on ``workers`` nor on what the cache held.
        """
        self.metrics.stats["pairs_matched"] = 0
        self.metrics.stats["pair_hits"] = 0
        self.metrics.stats["docs_prepared"] = 0
        if len(self.pairs) == 0:
            return []
        involved = sorted({m for g in np.unique(self.pairs).tolist() for m in self.members[g]})
        seed = self.config.seed
        x_base = _digest(self.digest, seed)
        x_keys = {i: f"x:{x_base}:{self.text_keys[i]}" for i in involved}
        self.keep_keys.extend(x_keys.values())
        got = _get_many(self.cache, x_keys.values(), self.tuning.cache_batch) if self.caching else {}
        exact_of: dict[int, P.U64] = {}
        for i in involved:
            blob = got.get(x_keys[i])
            if blob is not None:
                exact_of[i] = np.frombuffer(blob, dtype="<u8").astype(np.uint64, copy=False)
        del got
        todo = [i for i in involved if i not in exact_of]
        where: dict[int, tuple[int, int]] = {}
        self.metrics.tick("pass2_read")
        with BlobSpool("dedup-reuse-") as spool:
            puts: list[tuple[str, bytes]] = []
            for i, exact in self._prepare_into(spool, todo, where):
                exact_of[i] = exact
                if self.caching:
                    puts.append((x_keys[i], exact.astype("<u8").tobytes()))
                    if len(puts) >= 2000:
                        self.cache.put_many(puts)
                        puts = []
            self.cache.put_many(puts)
            self.metrics.tick("pass2_prepare")
            owner = np.repeat(np.asarray(involved, dtype=np.int64), [len(exact_of[i]) for i in involved])
            allx = np.concatenate([exact_of[i] for i in involved])
            boiler = self._boilerplate(owner, allx)
            pair_keys = self._pair_keys(involved, owner, allx, boiler) if self.caching else [""] * len(self.pairs)
            del owner, allx, exact_of
            got = _get_many(self.cache, pair_keys, self.tuning.cache_batch) if self.caching else {}
            self.keep_keys.extend(pair_keys)
            results: list[list[_Item] | None] = [None] * len(pair_keys)
            missing: list[tuple[int, int]] = []
            slot: dict[tuple[int, int], int] = {}
            for k, ((g1, g2), key) in enumerate(zip(self.pairs.tolist(), pair_keys, strict=True)):
                blob = got.get(key)
                if blob is None:
                    missing.append((g1, g2))
                    slot[(g1, g2)] = k
                else:
                    results[k] = _unpack_items(blob, self.index)
            del got
            self.metrics.stats["pair_hits"] = len(pair_keys) - len(missing)
            self.metrics.stats["pairs_matched"] = len(missing)
            self.metrics.tick("pass2_keys")
            need = sorted({m for pair in missing for g in pair for m in self.members[g]} - where.keys())
            for _ in self._prepare_into(spool, need, where):
                pass
            self.metrics.tick("pass2_prepare")

            def read(i: int) -> bytes:
                return spool.read(*where[i])

            def tasks() -> Iterator[_Task]:
                for chunk in self._chunks(missing):
                    docs = sorted({m for g1, g2 in chunk for g in (g1, g2) for m in self.members[g]})
                    groups = sorted({g for pair in chunk for g in pair})
                    yield _Task(
                        docs=docs,
                        records=[read(i) for i in docs],
                        group={i: int(self.group[i]) for i in docs},
                        members={g: self.members[g] for g in groups},
                        canonical={g: self.canonical[g] for g in groups},
                        group_names={g: self.group_names.get(g, []) for g in groups},
                        dates={i: self.date_of(i) for i in docs},
                        mentions={i: self.mentions(i) for i in docs if i in self._sel},
                        pairs=np.asarray(chunk, dtype=np.int64).reshape(-1, 2),
                        boiler_keys=boiler,
                    )

            puts = []
            for found in self.pool.map(_match, tasks()):
                for pair, items in found:
                    k = slot[pair]
                    results[k] = items
                    if self.caching:
                        puts.append((pair_keys[k], _pack_items(items, self.ids)))
                if len(puts) >= 2000:
                    self.cache.put_many(puts)
                    puts = []
            self.cache.put_many(puts)
        self.metrics.tick("pass2_match")
        return [item for items in results if items for item in items]

    def _pair_keys(self, involved: list[int], owner: I64, exact: P.U64, boiler: I64) -> list[str]:
        """Per candidate group pair, a digest of everything :class:`_Matcher` sees of it: member ids
        and text keys in index order, which group each is in, the canonical members, group names,
        dates, selected mentions, the boilerplate keys among the members' passages, the config."""
        hit = np.zeros(len(exact), dtype=bool)
        if len(boiler):
            ex = exact.astype(np.int64)
            hit = boiler[np.minimum(np.searchsorted(boiler, ex), len(boiler) - 1)] == ex
        boiler_of: dict[int, list[int]] = defaultdict(list)
        for i, x in zip(owner[hit].tolist(), exact[hit].astype(np.int64).tolist(), strict=True):
            boiler_of[i].append(x)
        group = self.group.tolist()
        dates, group_date, sel = self.dates, self.group_date, self._sel
        doc_key = {
            i: _digest(self.ids[i], self.text_keys[i], dates[i] or group_date.get(group[i]), sel.get(i, []),
                       sorted(set(boiler_of[i])) if i in boiler_of else [])
            for i in involved
        }
        group_key: dict[int, str] = {}
        # (the parts common to every pair, once)
        base = _digest(self.digest, ITEMS_FORMAT, repr(self.config))
        out: list[str] = []
        for g1, g2 in self.pairs.tolist():
            members = sorted(self.members[g1] + self.members[g2])
            # the groups in the order of their first member: group ids are not stable between runs
            first = group[members[0]]
            second = g2 if first == g1 else g1
            for g in (first, second):
                if g not in group_key:
                    group_key[g] = _digest(self.ids[self.canonical[g]], self.group_names.get(g, []))
            out.append(
                "p:" + _digest(base, [(doc_key[m], group[m] == first) for m in members],
                               group_key[first], group_key[second])
            )
        return out

    def _chunks(self, pairs: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
        """Group pairs in order, cut into chunks of at most self.tuning.pass2_chunk_docs documents
        (a single pair of larger groups is a chunk of its own)."""
        chunk: list[tuple[int, int]] = []
        seen: set[int] = set()
        for g1, g2 in pairs:
            new = {m for g in (g1, g2) for m in self.members[g]} - seen
            if chunk and len(seen) + len(new) > self.tuning.pass2_chunk_docs:
                yield chunk
                chunk, seen = [], set()
                new = {m for g in (g1, g2) for m in self.members[g]}
            chunk.append((g1, g2))
            seen |= new
        if chunk:
            yield chunk

    def _boilerplate(self, owner: I64, exact: P.U64) -> I64:
        """Exact passage keys repeated across many clusters: one outlet's furniture or corpus-wide boilerplate.

        ``owner``/``exact``: the document and exact key of every passage of the documents that pass 2 reads.
        """
        n_groups = len(self.members)
        limit = max(self.params.global_boiler_min, int(self.params.global_boiler_share * n_groups))
        least = min(limit, max(2, self.config.furniture_min_docs))
        # A key in fewer than ``least`` passages is in fewer groups than either kind of boilerplate
        # needs. Counts of slices of the keys' bits rule most keys out in a few cheap passes (all
        # passages of a key pass or fail together, so each pass counts among the survivors).
        for shift in (0, 21, 42):
            if len(exact) == 0:
                return np.empty(0, dtype=np.int64)
            bits = int(min(21, max(10, np.ceil(np.log2(len(exact))) + 1)))
            piece = ((exact >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.intp)
            cand = np.bincount(piece, minlength=1 << bits)[piece] >= least
            del piece
            owner, exact = owner[cand], exact[cand]
        # outlet of each group left as a number (only equality matters; 0: none)
        outlet_id: dict[str | None, int] = {None: 0}
        group_outlet = np.zeros(int(self.group.max()) + 1 if len(self.group) else 1, dtype=np.int64)
        for g in np.unique(self.group[owner]).tolist():
            group_outlet[g] = outlet_id.setdefault(self.outlet_of_group.get(g), len(outlet_id))
        if len(exact) <= self.tuning.small_count:
            return self._boilerplate_part(owner, exact, group_outlet)
        # Worked in slices of the key range (a key is decided on its own), so
        # that the temporaries are a fraction of the input.
        parts = 1 << self.tuning.fp_part_bits
        # (small integers: a stable sort of bytes is a radix sort, many times faster than of int64)
        bits = self.tuning.fp_part_bits
        top = (exact >> np.uint64(64 - bits)).astype(np.uint8 if bits <= 8 else np.int64)
        order = np.argsort(top, kind="stable")
        cuts = np.searchsorted(top[order], np.arange(parts + 1))
        del top
        found: list[I64] = []
        for part in range(parts):
            sel = order[cuts[part] : cuts[part + 1]]
            if len(sel):
                found.append(self._boilerplate_part(owner[sel], exact[sel], group_outlet))
        return np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)

    def _boilerplate_part(self, owner: I64, exact: P.U64, group_outlet: I64) -> I64:
        if len(exact) == 0:
            return np.empty(0, dtype=np.int64)
        order = np.argsort(exact)
        ex = exact[order].astype(np.int64)
        groups = self.group[owner[order]]
        del order
        # keys by rank, and the distinct (key, group) pairs: sorted by key already, so the codes are
        # nearly sorted (a merge sort finds the runs)
        new = np.r_[True, ex[1:] != ex[:-1]]
        keys = ex[new]
        code = _sorted_unique(((np.cumsum(new) - 1) << 32) | groups, kind="stable")
        del new, groups, ex
        rank, grp = code >> 32, code & 0xFFFFFFFF
        del code
        # clusters per key
        kstart = np.flatnonzero(np.r_[True, rank[1:] != rank[:-1]])
        counts = np.diff(np.r_[kstart, len(rank)])
        limit = max(self.params.global_boiler_min, int(self.params.global_boiler_share * len(self.members)))
        found = [keys[rank[kstart[counts >= limit]]]]
        # same outlet: key seen in >= furniture_min_docs groups of one outlet
        og = group_outlet[grp]
        mine = og != 0
        triple = np.sort((rank[mine] << 32) | og[mine], kind="stable")
        ts = np.flatnonzero(np.r_[True, triple[1:] != triple[:-1]])
        tc = np.diff(np.r_[ts, len(triple)])
        found.append(keys[triple[ts[tc >= max(2, self.config.furniture_min_docs)]] >> 32])
        return _sorted_unique(np.concatenate(found))

    def prune_quotation_clusters(
        self, reps: list[tuple[Segment, _Verdict, Reuse]]
    ) -> list[tuple[Segment, _Verdict, Reuse]]:
        """Drop X-Y when X and Y both carry the same passage of a third document Z that came first.

        Z is taken as the root when the evidence of X-Z or Y-Z points at Z
        (attribution, marks or dates) and neither points away from it; the
        X-Y stretch must lie mostly (self.params.cover) inside both, so that Y copying X's own
        words around the quotation is not explained away.
        """
        by_doc: dict[int, list[tuple[Segment, _Verdict, Reuse]]] = defaultdict(list)
        for item in reps:
            by_doc[item[0].a].append(item)
            by_doc[item[0].b].append(item)
        keep: list[tuple[Segment, _Verdict, Reuse]] = []
        for item in reps:
            seg, ver = item[0], item[1]
            if ver.has_attribution:
                keep.append(item)
                continue
            x, y = seg.a, seg.b
            explained = False
            for f, fv, _ in by_doc[x]:
                z = f.b if f.a == x else f.a
                if f is seg or z == y or _covers(f.side(x), seg.side(x)) < self.params.cover:
                    continue
                for g, gv, _ in by_doc[y]:
                    if g is seg or z not in (g.a, g.b) or _covers(g.side(y), seg.side(y)) < self.params.cover:
                        continue
                    rx, ry = self._root(z, x, fv), self._root(z, y, gv)
                    if min(rx, ry) >= 0 and max(rx, ry) > 0:
                        explained = True
                        break
                if explained:
                    break
            if not explained:
                keep.append(item)
        return keep

    def _root(self, z: int, other: int, ver: _Verdict) -> int:
        """+1: evidence says ``other`` took the passage from z; -1: the reverse; 0: no evidence."""
        if ver.direction == "quotes":
            return 1 if ver.source == z else -1
        dz, do = self.date_of(z), self.date_of(other)
        if dz is None or do is None or dz == do:
            return 0
        return 1 if dz < do else -1

    # ----------------------------------------------------------------- citations
    def citations(self, reps: list[tuple[Segment, _Verdict, Reuse]]) -> list[Citation]:
        partners: dict[int, set[int]] = defaultdict(set)
        for seg, _, _ in reps:
            for d in (seg.a, seg.b, *seg.also_in):
                partners[d] |= {int(self.group[seg.a]), int(self.group[seg.b])}
        out: list[Citation] = []
        prior, asked = self.matches_prior, self.matches_asked

        def matches(name: str, other: str) -> bool:
            key = (name, other)
            hit = asked.get(key)
            if hit is None:
                hit = prior.get(key)
                asked[key] = hit = outlet_matches(name, other) if hit is None else hit
            return hit

        for i in sorted(self._sel):
            sel = self._sel[i]
            wanted = {(t[1], t[2]) for t in sel}
            spans = {(r[1], r[2]): r for r in self.raw[i] if (r[1], r[2]) in wanted}
            own = int(self.group[i])
            own_names = self.group_names.get(own, [])
            for name, start, end, *_ in sel:
                if any(matches(name, n) for n in own_names):
                    continue
                # (a wire service's name is in thousands of groups: no copy of that set per mention)
                hits = self.outlets.lookup(name)
                others = len(hits) - (own in hits)
                resolved: str | None = None
                if others == 1:
                    resolved = self.ids[self.canonical[next(g for g in hits if g != own)]]
                elif others:
                    linked = (partners.get(i, set()) & hits) - {own}
                    if len(linked) == 1:
                        resolved = self.ids[self.canonical[next(iter(linked))]]
                span = _row_span(spans[(start, end)])
                out.append(Citation(self.ids[i], name, span, span.text, resolved))
        return out




class _Matcher:
    """Pass 2 on one chunk of candidate group pairs (any process): every document of those groups,
    its passages and signatures, and what the verdicts need to know about the rest of the corpus."""

    def __init__(self, task: _Task, config: Config, params: ReuseParams) -> None:
        self.config = config
        self.params = params
        self.docs: dict[int, Document] = {}
        self.dp: dict[int, P.DocPassages] = {}
        self.sigs: dict[int, npt.NDArray[np.uint32]] = {}
        for i, blob in zip(task.docs, task.records, strict=True):
            doc, dp, sigs = pickle.loads(blob)
            tok = dp.tokens
            tok.starts, tok.ends = tok.starts.astype(np.int64), tok.ends.astype(np.int64)
            if tok._words is None:
                tok._norm = normalise(doc.text)
            dp.grams = P.positional_shingles(tok.hashes, self.params.passage_shingle)
            self.docs[i], self.dp[i], self.sigs[i] = doc, dp, sigs
        self.group = task.group
        self.members = task.members
        self.canonical = task.canonical
        self.group_names = task.group_names
        self.dates = task.dates
        self._mentions = task.mentions
        self.pairs = task.pairs
        self.boiler_keys = task.boiler_keys
        self.boiler_tokens: dict[int, set[int]] = {}

    def date_of(self, i: int) -> str | None:
        return self.dates.get(i)

    def mentions(self, i: int) -> list[Mention]:
        return self._mentions.get(i, [])

    def run(self) -> list[tuple[Segment, _Verdict, Reuse]]:
        segments: list[Segment] = []
        for (a, b), pairs in self.candidates().items():
            segments.extend(self.align(a, b, pairs))
        out: list[tuple[Segment, _Verdict, Reuse]] = []
        for seg in self.group_segments(segments):
            ver = self.verdict(seg)
            out.append((seg, ver, self.reuse(seg, ver)))
        return out

    def reuse(self, seg: Segment, ver: _Verdict) -> Reuse:
        q, s = ver.quoting, ver.source
        qd, sd = self.docs[q], self.docs[s]
        qs, ss = seg.side(q), seg.side(s)
        la = seg.a_tok[1] - seg.a_tok[0]
        lb = seg.b_tok[1] - seg.b_tok[0]
        return Reuse(
            quoting=qd.id,
            source=sd.id,
            direction=ver.direction,  # type: ignore[arg-type]
            quoting_span=qd.span(*qs),
            source_span=sd.span(*ss),
            similarity=round(2 * seg.matched / (la + lb), 3),
            quoted=ver.quoted,
            attribution=ver.attribution,
            evidence=ver.evidence,
            confidence=ver.confidence,
            also_in=sorted(self.docs[i].id for i in seg.also_in - {q, s}),
        )

    # ----------------------------------------------------------------- candidates
    def candidates(self) -> dict[tuple[int, int], list[tuple[int, int, int, int]]]:
        """Candidate passage pairs grouped by document pair (a < b, groups that pass 1 paired)."""
        owner_l: list[I64] = []
        ranges_l: list[I64] = []
        for i, dp in self.dp.items():
            if len(dp.ranges) == 0:
                continue
            owner_l.append(np.full(len(dp.ranges), i, dtype=np.int64))
            ranges_l.append(dp.ranges)
        if not owner_l:
            return {}
        owner = np.concatenate(owner_l)
        ranges = np.concatenate(ranges_l)
        sigs = np.concatenate([self.sigs[i] for i in self.dp if len(self.dp[i].ranges)])
        keep = (ranges[:, 1] - ranges[:, 0]) >= self.params.passage_shingle + 1
        exact = band_keys(sigs, 1, self.params.passage_perm)[:, 0]
        if len(self.boiler_keys):
            keep &= ~np.isin(exact.astype(np.int64), self.boiler_keys)
        self.boiler_tokens = self._boiler_token_mask(owner, ranges, keep)
        rows = np.flatnonzero(keep)
        if len(rows) < 2:
            return {}
        # Band keys meet only inside the document pairs of the group pairs
        # that pass 1 found, so neither syndicated copies (the same passage
        # in every member) nor common phrases make buckets to pair up. One
        # sort of every (band key, passage) of the kept passages, then the
        # pairs of each bucket across groups that pass 1 paired.
        keys = band_keys(sigs[rows], self.params.passage_bands, self.params.passage_rows)  # (len(rows), bands)
        found = self._passage_pairs(rows, owner, keys, sigs)
        out: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
        if len(found) == 0:
            return out
        px, py = found[:, 0], found[:, 1]
        dx, dy = owner[px], owner[py]
        rx, ry = ranges[px], ranges[py]
        cols = np.stack([dx, dy, rx[:, 0], rx[:, 1], ry[:, 0], ry[:, 1]], axis=1)
        cols = cols[np.lexsort(cols.T[::-1])]
        cuts = np.flatnonzero(np.r_[True, (cols[1:, :2] != cols[:-1, :2]).any(axis=1), True])
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            block = cols[lo:hi]
            out[(int(block[0, 0]), int(block[0, 1]))] = [
                (sa, ea, sb, eb) for _, _, sa, ea, sb, eb in block.tolist()
            ]
        return out

    def _passage_pairs(self, rows: I64, owner: I64, keys: P.U64, sigs: npt.NDArray[np.uint32]) -> I64:
        """Passage row pairs (x, y), owner x < owner y, that share a band key, pass the estimated
        Jaccard, and lie in two documents of a group pair that pass 1 found."""
        empty = np.empty((0, 2), dtype=np.int64)
        if len(self.pairs) == 0 or len(rows) < 2:
            return empty
        n_groups = int(self.pairs.max()) + 1
        pair_codes = np.sort(self.pairs[:, 0] * n_groups + self.pairs[:, 1])
        doc_ids = np.fromiter(self.dp, dtype=np.int64, count=len(self.dp))
        doc_grp = np.fromiter((self.group[i] for i in self.dp), dtype=np.int64, count=len(self.dp))
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
            # at most MAX_BUCKET_ROWS_PER_DOC rows of one document per bucket
            doc = row_doc[ent]
            o = np.lexsort((ent, doc, bucket))
            ent, bucket, doc = ent[o], bucket[o], doc[o]
            first = np.r_[True, (bucket[1:] != bucket[:-1]) | (doc[1:] != doc[:-1])]
            run_start = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0))
            keep = (np.arange(len(first)) - run_start) < self.params.max_bucket_rows_per_doc
            ent, bucket = ent[keep], bucket[keep]
            bs = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
            bz = np.diff(np.r_[bs, len(ent)])
            for sz in np.unique(bz[bz >= 2]).tolist():
                firsts = bs[bz == sz]
                i, j = np.triu_indices(sz, k=1)
                # bound the temporary: many buckets of one size in slices
                step = max(1, 1_000_000 // max(1, len(i)))
                for lo in range(0, len(firsts), step):
                    base = firsts[lo : lo + step][:, None]
                    a, b = ent[base + i[None, :]].ravel(), ent[base + j[None, :]].ravel()
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
        codes = _sorted_unique(cand[:, 0] * width + cand[:, 1])
        cand = np.stack([codes // width, codes % width], axis=1)
        est = np.empty(len(cand))
        for lo in range(0, len(cand), 100_000):
            c = cand[lo : lo + 100_000]
            est[lo : lo + 100_000] = (sigs[c[:, 0]] == sigs[c[:, 1]]).mean(axis=1)
        return cand[est >= self.params.min_est_jaccard]

    def _boiler_token_mask(self, owner: I64, ranges: I64, keep: npt.NDArray[np.bool_]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = defaultdict(set)
        for row in np.flatnonzero(~keep).tolist():
            s, e = int(ranges[row, 0]), int(ranges[row, 1])
            if e - s > self.params.passage_shingle:
                out[int(owner[row])].update(range(s, e))
        return out

    # ----------------------------------------------------------------- alignment
    def align(self, a: int, b: int, pairs: list[tuple[int, int, int, int]]) -> list[Segment]:
        ta, tb = self.dp[a].tokens, self.dp[b].tokens
        ha, hb = ta.hashes, tb.hashes
        blocks: set[tuple[int, int, int]] = set()
        seen: set[tuple[int, int, int, int]] = set()
        for sa, ea, sb, eb in sorted(set(pairs)):
            wa = (max(0, sa - self.params.align_margin), min(len(ta), ea + self.params.align_margin))
            wb = (max(0, sb - self.params.align_margin), min(len(tb), eb + self.params.align_margin))
            key = (wa[0], wa[1], wb[0], wb[1])
            if key in seen:
                continue
            seen.add(key)
            xs = ha[wa[0] : wa[1]].tolist()
            ys = hb[wb[0] : wb[1]].tolist()
            for op in Indel.opcodes(xs, ys):
                if op.tag == "equal" and op.src_end - op.src_start >= self.params.min_block:
                    blocks.add((wa[0] + op.src_start, wb[0] + op.dest_start, op.src_end - op.src_start))
        if not blocks:
            return []
        runs = self._runs(blocks)
        chains = self._chain(runs, a, b)
        out: list[Segment] = []
        cfg = self.config
        for chain in chains:
            i0, j0 = chain[0][0], chain[0][1]
            i1, j1 = chain[-1][0] + chain[-1][2], chain[-1][1] + chain[-1][2]
            m = sum(r[2] for r in chain)
            la, lb = i1 - i0, j1 - j0
            if m < cfg.min_reuse_words or m / min(la, lb) < 0.6 or m / max(la, lb) < 0.3:
                continue
            ac = (int(ta.starts[i0]), int(ta.ends[i1 - 1]))
            bc = (int(tb.starts[j0]), int(tb.ends[j1 - 1]))
            if min(ac[1] - ac[0], bc[1] - bc[0]) < cfg.min_reuse_chars:
                continue
            # Words as a reader counts them ("Amir-Abdollahian" is one), on both sides.
            words = min(len(self.docs[a].text[ac[0] : ac[1]].split()), len(self.docs[b].text[bc[0] : bc[1]].split()))
            if words < cfg.min_reuse_words or self._content_words(a, chain) < self.params.min_content_words:
                continue
            boiler_a = self.boiler_tokens.get(a, set())
            boiler_b = self.boiler_tokens.get(b, set())
            if boiler_a or boiler_b:
                ba = sum(1 for t in range(i0, i1) if t in boiler_a) / la
                bb = sum(1 for t in range(j0, j1) if t in boiler_b) / lb
                if max(ba, bb) >= 0.5:
                    continue
            out.append(Segment(a, b, (i0, i1), (j0, j1), ac, bc, m))
        return out

    def _content_words(self, a: int, chain: list[tuple[int, int, int]]) -> int:
        """Matched lowercase content words of ``a`` in the chain, counted up to self.params.min_content_words."""
        tok = self.dp[a].tokens
        text = self.docs[a].text
        n = 0
        for i, _, length in chain:
            for t, start in enumerate(tok.starts[i : i + length].tolist(), start=i):
                if text[start].islower() and tok.word(t) not in _STOP:
                    n += 1
                    if n >= self.params.min_content_words:
                        return n
        return n

    def _runs(self, blocks: set[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """Diagonal runs (i, j, length): overlapping blocks of one diagonal merged."""
        runs: list[tuple[int, int, int]] = []
        cur: tuple[int, int, int] | None = None
        for i, j, length in sorted(blocks, key=lambda b: (b[0] - b[1], b[0])):
            if cur is not None and i - j == cur[0] - cur[1] and i <= cur[0] + cur[2]:
                cur = (cur[0], cur[1], max(cur[2], i + length - cur[0]))
                continue
            if cur is not None:
                runs.append(cur)
            cur = (i, j, length)
        if cur is not None:
            runs.append(cur)
        return sorted(r for r in runs if r[2] >= self.params.min_block)

    def _gap_ok(self, gi: int, gj: int, prev: tuple[int, int, int], run: tuple[int, int, int]) -> bool:
        if gi < 0 or gj < 0:
            return False
        if gi <= self.params.max_edit_gap and gj <= self.params.max_edit_gap:
            return True
        # An omission is only bridged between substantial runs: a chance
        # "in the" next to a quotation must not pull in the sentence before it.
        if min(prev[2], run[2]) < self.params.min_omission_run:
            return False
        return (gi <= self.params.one_sided_other and gj <= self.params.max_omission_gap) or (
            gj <= self.params.one_sided_other and gi <= self.params.max_omission_gap
        )

    def _trim(self, chain: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """Drop short runs at either end that sit apart from the rest (chance matches)."""

        def gap(r1: tuple[int, int, int], r2: tuple[int, int, int]) -> int:
            return max(r2[0] - r1[0] - r1[2], r2[1] - r1[1] - r1[2])

        while len(chain) > 1 and chain[0][2] < self.params.min_omission_run and gap(chain[0], chain[1]) >= chain[0][2]:
            chain = chain[1:]
        while (len(chain) > 1 and chain[-1][2] < self.params.min_omission_run
               and gap(chain[-2], chain[-1]) >= chain[-1][2]):
            chain = chain[:-1]
        return chain

    def _chain(self, runs: list[tuple[int, int, int]], a: int, b: int) -> list[list[tuple[int, int, int]]]:
        """Greedy left-to-right chaining of runs into maximal monotone chains."""
        chains: list[list[tuple[int, int, int]]] = []
        active: list[int] = []  # chains that can still grow: runs come in order of i
        for run in runs:
            best = -1
            best_gap = 1 << 30
            active = [c for c in active if chains[c][-1][0] + chains[c][-1][2] + self.params.max_omission_gap >= run[0]]
            for c in active:
                chain = chains[c]
                last = chain[-1]
                gi = run[0] - (last[0] + last[2])
                gj = run[1] - (last[1] + last[2])
                if self._gap_ok(gi, gj, last, run) and gi + gj < best_gap:
                    best, best_gap = c, gi + gj
            if best >= 0:
                chains[best].append(run)
            else:
                active.append(len(chains))
                chains.append([run])
        return [self._trim(c) for c in chains]

    # ----------------------------------------------------------------- direction
    def verdict(self, seg: Segment) -> _Verdict:
        """Evidence for "a quotes b" (positive) and "b quotes a" (negative)."""
        docs = self.docs
        support: dict[tuple[int, int], list[tuple[str, float, str]]] = {
            (seg.a, seg.b): [],
            (seg.b, seg.a): [],
        }
        attributions: dict[tuple[int, int], Attribution] = {}
        for x, y in ((seg.a, seg.b), (seg.b, seg.a)):
            sx, sy = seg.side(x), seg.side(y)
            ex = support[(x, y)]
            qx = _quoted_share(self.dp[x].quotes, sx)
            qy = _quoted_share(self.dp[y].quotes, sy)
            # Marks near the passage in y too mean both quote a third party
            # (a speaker): no evidence about x and y.
            ty = self.docs[y].text[max(0, sy[0] - 3) : sy[1] + 3]
            if qx >= self.params.quoted_share and qy < 1 - self.params.quoted_share and not _MARKS.search(ty):
                ex.append(("marks", self.params.w_marks,
                           f"passage is in quotation marks in {docs[x].id}, not in {docs[y].id}"))
            gy = int(self.group[y])
            names = self.group_names.get(gy, [])
            if names:
                for men in mentions_near(self.mentions(x), sx[0], sx[1], docs[x].text):
                    hit = next((n for n in names if outlet_matches(men.name, n)), None)
                    if hit is None:
                        continue
                    year = men.year(docs[x].text, until=sx[0])
                    phrase = docs[x].text[men.start : max(men.end, min(sx[0], men.end + 80))].strip(" \t\n“\"«‘'")
                    if men.start > sx[0]:
                        phrase = men.phrase(docs[x].text)
                    attributions[(x, y)] = Attribution(men.name, year, phrase)
                    ex.append(
                        (
                            "attribution",
                            self.params.w_attribution,
                            f"{docs[x].id} attributes the passage to {men.name!r} ({phrase!r}),"
                            f" the outlet of {docs[y].id} ({hit})",
                        )
                    )
                    dy = self.date_of(y)
                    if year is not None and dy is not None and dy.startswith(str(year)):
                        ex.append(("year", self.params.w_year,
                                   f"attribution year {year} matches date {dy} of {docs[y].id}"))
                    break
            dx, dy = self.date_of(x), self.date_of(y)
            if dx and dy and dx > dy:
                ex.append(("date", self.params.w_date, f"{docs[y].id} dated {dy}, before {docs[x].id} dated {dx}"))
            len_x, len_y = max(1, len(docs[x].text)), max(1, len(docs[y].text))
            share_x = (sx[1] - sx[0]) / len_x
            share_y = (sy[1] - sy[0]) / len_y
            if share_y >= 0.6 and share_x <= 0.25:
                ex.append(
                    (
                        "share",
                        self.params.w_share,
                        f"passage is {share_y:.0%} of {docs[y].id} but {share_x:.0%} of {docs[x].id}",
                    )
                )
        fwd, bwd = support[(seg.a, seg.b)], support[(seg.b, seg.a)]
        decided: tuple[int, int] | None = None
        kinds_f = {k for k, _, _ in fwd}
        kinds_b = {k for k, _, _ in bwd}
        strong = {"attribution", "marks", "date"}
        for (x, y), mine, theirs in (((seg.a, seg.b), kinds_f, kinds_b), ((seg.b, seg.a), kinds_b, kinds_f)):
            if not mine & strong:
                continue
            if "attribution" in mine and "attribution" not in theirs:
                decided = (x, y)
            elif "attribution" in theirs:
                continue
            elif not theirs & strong and mine & {"attribution", "date", "share"}:
                # quotation marks alone do not decide: in real scrapes both
                # sides often quote a speaker and one copy lost its marks
                decided = (x, y)
            elif "date" in mine and "date" not in theirs and "marks" in mine:
                decided = (x, y)
            if decided:
                break
        evidence = [e for _, _, e in fwd + bwd]
        if decided is None:
            quoting, source = sorted((seg.a, seg.b), key=lambda i: docs[i].id)
            conf = 0.0
            direction = "unknown"
        else:
            quoting, source = decided
            mine_l = support[decided]
            theirs_l = support[(source, quoting)]
            conf = max(0.0, _noisy_or([w for _, w, _ in mine_l]) - 0.5 * _noisy_or([w for _, w, _ in theirs_l]))
            direction = "quotes"
            evidence = [e for _, _, e in mine_l] + [f"against: {e}" for _, _, e in theirs_l]
        quoted = _quoted_share(self.dp[quoting].quotes, seg.side(quoting)) >= self.params.quoted_share
        attribution = attributions.get((quoting, source)) if direction == "quotes" else None
        return _Verdict(
            quoting, source, direction, round(conf, 3), evidence, quoted, attribution, attribution is not None
        )

    # ----------------------------------------------------------------- grouping
    def group_segments(self, segments: list[Segment]) -> list[Segment]:
        """One report per passage per pair of clusters, against canonical members where possible."""
        by_groups: dict[tuple[int, int], list[Segment]] = defaultdict(list)
        for s in segments:
            ga, gb = int(self.group[s.a]), int(self.group[s.b])
            by_groups[(min(ga, gb), max(ga, gb))].append(s)
        out: list[Segment] = []
        for (g1, g2), segs in by_groups.items():
            c1, c2 = self.canonical[g1], self.canonical[g2]

            def rank(s: Segment, c1: int = c1, c2: int = c2) -> tuple[int, int, int, int]:
                canon = (s.a in (c1, c2)) + (s.b in (c1, c2))
                return (-canon, -s.matched, s.a, s.a_tok[0])

            reps: list[Segment] = []
            for s in sorted(segs, key=rank):
                merged = False
                for r in reps:
                    shared = {r.a, r.b} & {s.a, s.b}
                    if not shared:
                        continue
                    d = next(iter(shared))
                    if _overlap(r.side(d), s.side(d)) >= 0.5:
                        r.also_in |= {s.a, s.b} - {r.a, r.b}
                        merged = True
                        break
                if not merged:
                    reps.append(s)
            out.extend(reps)
        return out


def find_reuses(
    docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, *, workers: int = 1,
    cache: BlobCache | None = None, params: ReuseParams = DEFAULT, tuning: ReuseTuning = DEFAULT_TUNING,
    metrics: RunMetrics | None = None,
) -> tuple[list[Reuse], list[Citation]]:
    """Passages reused between documents of different clusters, and outlets the documents cite.

    Deterministic: the result depends only on the inputs, and both lists are
    sorted (reuses by quoting, source, span; citations by document, span).
    With a ``cache`` (kept between runs), the work already done for unchanged
    documents and group pairs is read from it instead of redone, with the same
    result; entries no longer referenced are dropped at the end. ``params``: what the result
    depends on; ``tuning``: how the work is cut up (not the result); ``metrics``, if given, gets the
    figures of this call.
    """
    metrics = metrics if metrics is not None else RunMetrics()
    metrics.clear()
    # The cyclic collector would walk the ever larger heap of per-document records again and
    # again (1-2 s of an incremental run on 100k documents); this code makes no garbage cycles
    # worth collecting mid-call.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _find_reuses(docs, clusters, config, workers, cache, params, tuning, metrics)
    finally:
        if was_enabled:
            gc.enable()


def _find_reuses(
    docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, workers: int, cache: BlobCache | None,
    params: ReuseParams, tuning: ReuseTuning, metrics: RunMetrics,
) -> tuple[list[Reuse], list[Citation]]:
    det = _Detector(docs, clusters, config, workers, cache, params, tuning, metrics)
    try:
        judged = det.prune_quotation_clusters(det.pass2())
    finally:
        det.pool.close()
    reuses = [r for _, _, r in judged]
    reuses.sort(key=lambda r: (r.quoting, r.source, r.quoting_span.start, r.source_span.start))
    citations = det.citations(judged)
    citations.sort(key=lambda c: (c.doc, c.span.start, c.outlet))
    if cache is not None:
        cache.put_many([(det.matches_key, pickle.dumps(det.matches_asked, protocol=pickle.HIGHEST_PROTOCOL))])
        cache.retain(det.keep_keys)
    metrics.tick("pass2_verdicts")
    return reuses, citations
