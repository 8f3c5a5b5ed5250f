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
import tempfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.models import Attribution, Citation, Cluster, Document, Reuse, Span
from dedup.reuse import PairBatch, match_pairs, pass1, prepare
from dedup.reuse import passages as P
from dedup.reuse.align import Segment
from dedup.reuse.arrays import member, member_small, pair_codes, sorted_unique
from dedup.reuse.attribution import Mention, outlet_matches
from dedup.reuse.direction import Verdict
from dedup.reuse.edges import Item, citations, prune_quotation_clusters
from dedup.reuse.groups import build_groups, date_of, doc_date, doc_outlet_names, outlet_names
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.reuse.params import digest as _digest
from dedup.reuse.pass1 import MenRow, RawRow, Record, select_rows
from dedup.runtime.blobs import BlobCache, BlobSpool
from dedup.runtime.metrics import RunMetrics
from dedup.runtime.pool import Pool, threaded, worker_state

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
_T = TypeVar("_T")



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

# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- the detector


def _scan_task(texts: list[str]) -> pass1.Scanned:
    """:func:`~dedup.reuse.pass1.scan` in a worker of the run's pool."""
    return pass1.scan(texts, worker_state()["reuse"][1])


@dataclass
class _Task:
    """One chunk of pass 2: whole candidate group pairs with every member document."""

    docs: list[int]
    records: list[bytes]  # pickled (Document, DocPassages without grams, passage signatures)
    group: dict[int, int]
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
    # the spool holds what cannot be recomputed cheaply: grams and the normalised text are made
    # again on reading, offsets fit 32 bits
    return [
        (pickle.dumps((doc, P.compact(dp), sigs), protocol=pickle.HIGHEST_PROTOCOL), exact)
        for doc, (dp, sigs, exact) in zip(docs, prepare([d.text for d in docs], config.seed, params), strict=True)
    ]


def _match(task: _Task) -> list[tuple[tuple[int, int], list[Item]]]:
    """The results of every group pair of the task, empty ones too (they are cached as well)."""
    config, params = worker_state()["reuse"]
    docs: dict[int, Document] = {}
    passages: dict[int, P.DocPassages] = {}
    sigs: dict[int, npt.NDArray[np.uint32]] = {}
    for i, blob in zip(task.docs, task.records, strict=True):
        doc, dp, doc_sigs = pickle.loads(blob)
        docs[i], passages[i], sigs[i] = doc, P.restore(dp, doc.text, params.passage_shingle), doc_sigs
    batch = PairBatch(docs, passages, sigs, task.group, task.canonical, task.group_names, task.dates, task.mentions,
                      task.pairs, task.boiler_keys)
    by_pair: dict[tuple[int, int], list[Item]] = {(g1, g2): [] for g1, g2 in task.pairs.tolist()}
    for item in match_pairs(batch, config, params):
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


# Part of the pass-1 and pair-result keys: bump when a record's layout changes (the results do not).
PASS1_FORMAT = 2
ITEMS_FORMAT = 2
# Part of the segment and state keys: bump when their layout changes.
SEGMENT_FORMAT = 1
STATE_FORMAT = 4


def _pass1_key(params: str, text_key: str) -> str:
    return f"1:{_digest(params, PASS1_FORMAT, text_key)}"


def _pack_pass1(fp: npt.NDArray[np.uint32], raw: list[RawRow]) -> bytes:
    tail = pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL) if raw else b""
    return len(fp).to_bytes(4, "little") + fp.astype("<u4").tobytes() + tail


def _unpack_pass1(blob: bytes) -> tuple[npt.NDArray[np.uint32], list[RawRow]]:
    n = int.from_bytes(blob[:4], "little")
    fp = np.frombuffer(blob, dtype="<u4", count=n, offset=4).astype(np.uint32, copy=False)
    rest = blob[4 + 4 * n :]
    raw: list[RawRow] = pickle.loads(rest) if rest else []
    return fp, raw


def _span_row(sp: Span) -> tuple[int, int, str, int | None, int | None]:
    return (sp.start, sp.end, sp.text, sp.raw_start, sp.raw_end)


def _attr_row(a: Attribution | None) -> tuple[str, int | None, str] | None:
    return None if a is None else (a.outlet, a.year, a.text)


def _row_attr(a: tuple[str, int | None, str] | None) -> Attribution | None:
    return None if a is None else Attribution(*a)


def _pack_items(items: list[Item], ids: list[str]) -> bytes:
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


def _unpack_items(blob: bytes, index: dict[str, int]) -> list[Item]:
    out: list[Item] = []
    for a, b, at, bt, ac, bc, m, also, q, s, direction, conf, ev, quoted, attr, has_attr, r in pickle.loads(blob):
        seg = Segment(index[a], index[b], at, bt, ac, bc, m, {index[i] for i in also})
        ver = Verdict(index[q], index[s], direction, conf, ev, quoted, _row_attr(attr), has_attr)
        rq, rs, rd, qsp, ssp, sim, rquoted, rattr, rev, rconf, ralso = r
        reuse = Reuse(rq, rs, rd, Span(*qsp), Span(*ssp), sim, rquoted, _row_attr(rattr), rev, rconf, ralso)
        out.append((seg, ver, reuse))
    return out


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
        records = pass1.records(chunk_docs, *pass1.scan([d.text for d in chunk_docs], params, part))
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
        self, key: str, ids: list[str], text_keys: list[str], raw: dict[int, list[RawRow]],
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
        self.selected: dict[int, list[MenRow]] = {}

    @staticmethod
    def cache_key(params: str, ids: list[str], text_keys: list[str]) -> str:
        return "s:" + _digest(params, SEGMENT_FORMAT, ids, text_keys)

    @classmethod
    def build(
        cls, params: str, ids: list[str], text_keys: list[str], raw: dict[int, list[RawRow]],
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
        raw: dict[int, list[RawRow]] = {}
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
                dates.append(date_of(date, inferred))
        else:
            text_keys = []
            for d in docs:
                ids.append(d.id)
                names.append(doc_outlet_names(d))
                dates.append(doc_date(d))
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
        self.groups = groups = build_groups(self.index, names, dates, clusters)
        self.group, self.canonical, self.members = groups.group, groups.canonical, groups.members
        self.group_names, self.group_date = groups.names, groups.date
        self.outlets, self.outlet_of_group = groups.outlets, groups.outlet
        self.metrics.tick("pass1_groups")
        # the fingerprints of the documents no segment holds; candidate mentions of all
        recs = pending()
        self.new_docs = new
        self.new_fps: dict[int, npt.NDArray[np.uint32]] = {i: recs[i][0] for i in new}
        self.raw: dict[int, list[RawRow]] = {}
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

    def _pass1(self, new: list[int]) -> Callable[[], dict[int, Record]]:
        """Pass-1 records of the documents ``new``: of a text some segment holds (an exact copy of a
        document seen before), from the cache (:func:`pass1_entries`), else scanned (once per text).

        Returns the function that gives them: up to self.tuning.scan_ahead documents to scan are read now and
        scanned in the pool until it is called; more are scanned when it is called."""
        recs: dict[int, Record] = {}
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
        scanned: Iterable[tuple[int, Record]]
        if len(todo) <= self.tuning.scan_ahead and self.pool.workers > 1:
            chunks = list(_scan_chunks(_fetch(self.source, todo), lambda item: item[1].text, self.tuning))
            futures = [self.pool.submit(_scan_task, [d.text for _, d in chunk]) for chunk in chunks]

            def ahead() -> Iterator[tuple[int, Record]]:
                for chunk, future in zip(chunks, futures, strict=True):
                    yield from zip((i for i, _ in chunk), pass1.records([d for _, d in chunk], *future.result()),
                                   strict=True)

            scanned = ahead()
        else:
            scanned = self._scan_docs(todo)

        def finish() -> dict[int, Record]:
            for i, rec in scanned:
                for j in want[self.text_keys[i]]:
                    recs[j] = rec
            return recs

        return finish

    def _scan_docs(self, todo: list[int]) -> Iterator[tuple[int, Record]]:
        """Pass 1 of the documents ``todo`` (ascending), read once, scanned in the pool."""
        in_flight: deque[list[tuple[int, Document]]] = deque()

        def chunks() -> Iterator[list[str]]:
            for chunk in _scan_chunks(_fetch(self.source, todo), lambda item: item[1].text, self.tuning):
                in_flight.append(chunk)
                yield [d.text for _, d in chunk]

        for scanned in self.pool.map(_scan_task, chunks()):
            chunk = in_flight.popleft()
            yield from zip((i for i, _ in chunk), pass1.records([d for _, d in chunk], *scanned), strict=True)

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
        self._sel: dict[int, list[MenRow]] = {}
        self._mention_objs: dict[int, list[Mention]] = {}

        def select(rows: list[RawRow]) -> list[MenRow]:
            return select_rows(rows, outlets)

        again = 0
        sel: list[MenRow] | None
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
            dirty_fps = sorted_unique(np.concatenate([_EMPTY_FP, *fps_of.values()]))
            stale_fps = None if stale is None else sorted_unique(np.concatenate([_EMPTY_FP, *stale_of]))
            del fps_of, stale_of
            # (without the stale fingerprints, the old common ones are counted again: any other
            # fingerprint can only have become rarer, and it was rare)
            extra = old["common"] if stale_fps is None else stale_fps
            look = sorted_unique(np.concatenate([dirty_fps, extra]))
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
            hit = member_small(allnew, look)
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
        selected: list[dict[int, list[MenRow]]] = [{} for _ in segs]
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
            fg = sorted_unique(((key >> np.uint64(32)) << np.uint64(32)) | groups, kind="stable")
            del groups
            vals = fg >> np.uint64(32)
            grp = (fg & low).astype(np.int64)
            del fg
            starts = np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])
            sizes = np.diff(np.r_[starts, len(vals)])
            part_common = vals[starts[sizes > self.params.max_fp_groups]].astype(np.uint32)
            allc = pair_codes(vals, grp, n_groups, self.params.max_fp_groups)
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
        code = sorted_unique((fp.astype(np.uint64) << np.uint64(32)) | grp.astype(np.uint64), kind="stable")
        del grp
        cf, cg = (code >> np.uint64(32)).astype(np.uint32), (code & low).astype(np.int64)
        del code
        starts = np.flatnonzero(np.r_[True, cf[1:] != cf[:-1]]) if len(cf) else np.empty(0, np.int64)
        spread = np.diff(np.r_[starts, len(cf)])
        look_fps = cf[starts]
        now_common = spread > self.params.max_fp_groups
        common = sorted_unique(np.concatenate([old_common[~member(old_common, look)], look_fps[now_common]]))
        # pairs with a dirty side, on every occurrence of the dirty groups' fingerprints
        sel = member(fp, dirty_fps)
        sel_keys = np.sort((fp[sel].astype(np.uint64) << np.uint64(32)) | owner[sel].astype(np.uint64), kind="stable")
        codes_d, _ = self._count_pairs(
            [sel_keys], n_groups, lambda c: dirty[c // n_groups] | dirty[c % n_groups]
        )
        # clean pairs sharing a fingerprint whose status flipped
        was_common = member(look_fps, old_common)
        per_row = np.repeat(np.arange(len(look_fps)), spread)
        clean = ~dirty[cg]

        def sharing(which: npt.NDArray[np.bool_]) -> I64:
            rows = which[per_row] & clean
            return sorted_unique(pair_codes(cf[rows].astype(np.uint64), cg[rows], n_groups, 1 << 30))

        went_common, went_rare = now_common & ~was_common, was_common & ~now_common
        self.metrics.stats["flipped_fps"] = int(went_common.sum() + went_rare.sum())
        recount = sharing(went_common)
        # a clean pair that was not one and only lost fingerprints is still not one
        recount = recount[np.isin(recount, carried)]
        recount = sorted_unique(np.concatenate([recount, sharing(went_rare)]))
        self.metrics.stats["pairs_recounted"] = len(recount)
        counted = self._recount(recount, common, n_groups)
        kept = carried[~np.isin(carried, recount)] if len(recount) else carried
        return sorted_unique(np.concatenate([codes_d, kept, counted])), common

    def _recount(self, codes: I64, common: npt.NDArray[np.uint32], n_groups: int) -> I64:
        """The pair codes among ``codes`` whose groups share at least self.params.min_shared_fp fingerprints not in
        ``common``, counted pair by pair (they are few)."""
        pairs = [(c // n_groups, c % n_groups) for c in codes.tolist()]
        fps, _ = self._fps_of({m for pair in pairs for g in pair for m in self.members[g]})
        valid: dict[int, npt.NDArray[np.uint32]] = {}

        def of(g: int) -> npt.NDArray[np.uint32]:
            if g not in valid:
                f = sorted_unique(np.concatenate([fps[m] for m in self.members[g]]))
                valid[g] = f[~member_small(f, common)]
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

    def pass2(self) -> list[Item]:
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
            results: list[list[Item] | None] = [None] * len(pair_keys)
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
        code = sorted_unique(((np.cumsum(new) - 1) << 32) | groups, kind="stable")
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
        return sorted_unique(np.concatenate(found))

    def matches(self, name: str, other: str) -> bool:
        """:func:`~dedup.reuse.attribution.outlet_matches`, answered by the previous run where it asked."""
        key = (name, other)
        hit = self.matches_asked.get(key)
        if hit is None:
            hit = self.matches_prior.get(key)
            self.matches_asked[key] = hit = outlet_matches(name, other) if hit is None else hit
        return hit


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
        judged = prune_quotation_clusters(det.pass2(), det.date_of, params.cover)
    finally:
        det.pool.close()
    reuses = [r for _, _, r in judged]
    reuses.sort(key=lambda r: (r.quoting, r.source, r.quoting_span.start, r.source_span.start))
    cited = citations(judged, det.groups, det.ids, det._sel, det.raw, det.matches)
    cited.sort(key=lambda c: (c.doc, c.span.start, c.outlet))
    if cache is not None:
        cache.put_many([(det.matches_key, pickle.dumps(det.matches_asked, protocol=pickle.HIGHEST_PROTOCOL))])
        cache.retain(det.keep_keys)
    metrics.tick("pass2_verdicts")
    return reuses, cited
