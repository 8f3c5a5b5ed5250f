"""The pass-1 records of a corpus, kept between runs in segments.

A :class:`RecordSegment` holds the pass-1 records (winnowed fingerprints, candidate mentions with
spans) of up to ``segment_slots`` documents: one immutable cache entry, read whole (~4 bytes a
fingerprint occurrence), never 100k small records. Every fingerprint occurrence is sorted, so that
the documents holding given fingerprints are found by binary search.

:class:`Records` is what a run knows of its documents' records: which slot of which segment holds
each document it had before, and the records of the documents no segment held (scanned, or read
from a cache entry); it finds fingerprints and their occurrences across both, makes the new
segments and decides which to merge or rewrite (:meth:`Records.keep`).
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from dedup.reuse.arrays import member_small
from dedup.reuse.pass1 import MenRow, RawRow, Record

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
EMPTY_FP = np.empty(0, dtype=np.uint32)
# Part of the segment keys: bump when the layout changes.
SEGMENT_FORMAT = 1
# The cache key of the segment of these documents (ids and text keys, in slot order).
KeyOf = Callable[[list[str], list[str]], str]


class RecordSegment:
    """Pass-1 records of up to ``segment_slots`` documents: one immutable cache entry.

    Per slot (16 bits, in the order the documents were added): id, text key and candidate
    mentions; and every fingerprint occurrence, sorted by (fingerprint, slot), so that the
    documents holding some fingerprints are found by binary search, and the fingerprints of a
    few documents by one pass over the slot column. Stored as the number of fingerprints per
    value of their top 16 bits, their low 16 bits and the slot: 4 bytes an occurrence.
    """

    def __init__(
        self, key: str, ids: list[str], text_keys: list[str], raw: dict[int, list[RawRow]],
        fp: U32, slot: npt.NDArray[np.uint16], stored: bool = False,
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

    @classmethod
    def build(
        cls, key_of: KeyOf, ids: list[str], text_keys: list[str], raw: dict[int, list[RawRow]], fps: list[U32],
    ) -> RecordSegment:
        lengths = np.fromiter((len(f) for f in fps), dtype=np.int64, count=len(fps))
        slot = np.repeat(np.arange(len(fps), dtype=np.uint64), lengths)
        key = np.sort((np.concatenate([EMPTY_FP, *fps]).astype(np.uint64) << np.uint64(16)) | slot)
        return cls(key_of(ids, text_keys), ids, text_keys, raw,
                   (key >> np.uint64(16)).astype(np.uint32), (key & np.uint64(0xFFFF)).astype(np.uint16))

    @classmethod
    def merge(cls, key_of: KeyOf, segs: list[RecordSegment]) -> RecordSegment:
        """One segment of the slots of ``segs`` that hold a document of this run (their ``doc`` kept)."""
        ids: list[str] = []
        text_keys: list[str] = []
        raw: dict[int, list[RawRow]] = {}
        keys: list[U64] = []
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
        out = cls(key_of(ids, text_keys), ids, text_keys, raw,
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
    def unpack(cls, key: str, blob: bytes) -> RecordSegment | None:
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

    def fps_of(self, slots: Iterable[int]) -> dict[int, U32]:
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

    def find(self, look: U32) -> tuple[U32, I64]:
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
            return EMPTY_FP, np.empty(0, dtype=np.int64)
        pos = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)
        doc = self.doc[self.slot[pos]]
        keep = doc >= 0
        return self.fp[pos][keep], doc[keep]


class IndexSink:
    """Collects the sorted ``fingerprint << 32 | document`` keys of a corpus, slice by slice of the
    fingerprint range, as the (fingerprint, slot) columns of its segments (documents in order,
    ``slots`` a segment)."""

    def __init__(self, n: int, slots: int) -> None:
        self.slots = slots
        self.n_segs = max(1, -(-n // slots))
        self.fp: list[list[U32]] = [[] for _ in range(self.n_segs)]
        self.slot: list[list[npt.NDArray[np.uint16]]] = [[] for _ in range(self.n_segs)]

    def __call__(self, keys: U64) -> None:
        doc = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        seg = doc // self.slots if self.n_segs > 1 else None
        for k in range(self.n_segs):
            sel = np.flatnonzero(seg == k) if seg is not None else slice(None)
            self.fp[k].append((keys[sel] >> np.uint64(32)).astype(np.uint32))
            self.slot[k].append((doc[sel] - k * self.slots).astype(np.uint16))

    def take(self) -> Iterator[tuple[U32, npt.NDArray[np.uint16]]]:
        for k in range(self.n_segs):
            fp = np.concatenate([EMPTY_FP, *self.fp[k]])
            slot = np.concatenate([np.empty(0, np.uint16), *self.slot[k]])
            self.fp[k], self.slot[k] = [], []
            yield fp, slot


class Records:
    """The pass-1 records of a run's documents (indices into the corpus): in the previous run's
    segments (``segs``) and, for the documents none of them holds (``new_docs``), in memory."""

    def __init__(self, segs: list[RecordSegment], ids: Sequence[str], text_keys: Sequence[str]) -> None:
        self.segs = segs
        self.ids = ids
        self.text_keys = text_keys
        self.new_docs: list[int] = []
        self.new_fps: dict[int, U32] = {}
        # candidate mention rows of every document that has any
        self.raw: dict[int, list[RawRow]] = {}
        self.seg_of = np.full(len(ids), -1, dtype=np.int64)
        self.slot_of = np.full(len(ids), -1, dtype=np.int64)

    def map(self, index: Mapping[str, int]) -> list[int]:
        """Which document of this run each segment slot holds (same id and text key); returns the
        documents that none holds."""
        n = len(self.ids)
        held = np.zeros(n, dtype=bool)
        keys_now = np.asarray(self.text_keys if self.segs else [], dtype=object)
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
        for k, seg in enumerate(self.segs):
            slots = np.flatnonzero(seg.doc >= 0)
            self.seg_of[seg.doc[slots]] = k
            self.slot_of[seg.doc[slots]] = slots
        return np.flatnonzero(~held).tolist()

    def copies(self, want: dict[str, list[int]]) -> dict[int, Record]:
        """The records of the documents whose text some segment holds (an exact copy of a document
        seen before): ``want`` gives the documents of each text key, and loses those found."""
        recs: dict[int, Record] = {}
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
        return recs

    def add(self, new: list[int], recs: Mapping[int, Record]) -> None:
        """The records of the documents ``new`` no segment holds; the mention rows of all."""
        self.new_docs = new
        self.new_fps = {i: recs[i][0] for i in new}
        for seg in self.segs:
            held = seg.doc.tolist()
            for s, rows in seg.raw.items():
                if held[s] >= 0:
                    self.raw[held[s]] = rows
        for i in new:
            if recs[i][1]:
                self.raw[i] = recs[i][1]

    def drop_new_fps(self) -> None:
        """Let go of the fingerprints of the documents no segment held, once segments of them are made
        (or, without a cache, once the pairs are counted): nothing reads them after."""
        self.new_fps = {}

    def fps_of(self, docs: Iterable[int], stale: list[list[int]] | None = None) -> tuple[dict[int, U32], list[U32]]:
        """The fingerprints of some documents (a few: dirty groups, recounted pairs), and of the
        segment slots ``stale`` (per segment), read in one pass over each segment."""
        out: dict[int, U32] = {}
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
        extra: list[U32] = []
        for seg, asked in zip(self.segs, want, strict=True):
            for s, fp in seg.fps_of(asked).items():
                for i in asked[s]:
                    if i >= 0:
                        out[i] = fp
                    else:
                        extra.append(fp)
        return out, extra

    def stale_slots(self, index: Mapping[str, int]) -> list[list[int]]:
        """Per segment, the slots that held a document of the previous run that is gone or whose
        text changed (still here: this run has not written its own segments)."""
        out: list[list[int]] = []
        for seg in self.segs:
            slots = np.flatnonzero(seg.alive_last & (seg.doc < 0)).tolist()
            out.append([
                s for s in slots
                if (i := index.get(seg.ids[s])) is None or self.text_keys[i] != seg.text_keys[s]
            ])
        return out

    def occurrences(self, look: U32) -> tuple[U32, I64]:
        """Every occurrence of the fingerprints ``look`` (sorted) in the documents of this run:
        fingerprint and document."""
        fps: list[U32] = [EMPTY_FP]
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

    def segments_of_index(self, sink: IndexSink, key_of: KeyOf) -> list[RecordSegment]:
        """Segments of every document (a run from scratch), from the sorted fingerprint occurrences
        the pair count gave ``sink``: documents in order, ``sink.slots`` a segment."""
        out: list[RecordSegment] = []
        slots = sink.slots
        for k, (fp, slot) in enumerate(sink.take()):
            lo, hi = k * slots, min(len(self.ids), (k + 1) * slots)
            ids, text_keys = list(self.ids[lo:hi]), list(self.text_keys[lo:hi])
            raw = {i - lo: self.raw[i] for i in range(lo, hi) if i in self.raw}
            seg = RecordSegment(key_of(ids, text_keys), ids, text_keys, raw, fp, slot)
            seg.doc = np.arange(lo, hi, dtype=np.int64)
            out.append(seg)
        return out

    def segments_of_new(self, key_of: KeyOf, slots: int) -> list[RecordSegment]:
        """Segments of the documents no segment held."""
        out: list[RecordSegment] = []
        for lo in range(0, len(self.new_docs), slots):
            docs = self.new_docs[lo : lo + slots]
            seg = RecordSegment.build(
                key_of, [self.ids[i] for i in docs], [self.text_keys[i] for i in docs],
                {k: self.raw[i] for k, i in enumerate(docs) if i in self.raw}, [self.new_fps[i] for i in docs],
            )
            seg.doc = np.asarray(docs, dtype=np.int64)
            out.append(seg)
        return out

    def keep(self, built: list[RecordSegment], key_of: KeyOf, slots: int, slack: int) -> list[RecordSegment]:
        """The segments to keep for the next run: those holding a document of this run, one mostly of
        gone documents rewritten, and the two smallest merged while there are more than ``slack``
        beyond the fewest that could hold the corpus and they fit in one."""
        segs: list[RecordSegment] = []
        for seg in self.segs + built:
            alive = seg.alive()
            if alive == 0:
                continue
            segs.append(RecordSegment.merge(key_of, [seg]) if 2 * alive < len(seg.ids) else seg)
        total = sum(seg.alive() for seg in segs)
        while len(segs) > -(-total // slots) + slack:
            segs.sort(key=lambda seg: seg.alive())
            if segs[0].alive() + segs[1].alive() > slots:
                break
            segs = [RecordSegment.merge(key_of, segs[:2]), *segs[2:]]
        return segs
