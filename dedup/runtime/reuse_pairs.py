"""The candidate group pairs of a run (:mod:`dedup.reuse.candidates` says what they are), counted in
bounded memory: in threads, slice by slice of the fingerprint range, with the counts spilled to
temporary files on a large corpus; from scratch, or from the previous run's pairs, counting only
what changed (exact in every case)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from dedup.reuse.arrays import member, member_small, pair_codes, sorted_unique
from dedup.reuse.candidates import KeySlices, count_slice, pairs_of_counts
from dedup.reuse.groups import Groups
from dedup.reuse.params import ReuseParams
from dedup.runtime.pool import threaded
from dedup.runtime.reuse_segments import EMPTY_FP, IndexSink, Records, RecordSegment
from dedup.runtime.reuse_tuning import ReuseTuning

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
Bools = npt.NDArray[np.bool_]


def slice_bits(occurrences: int, tuning: ReuseTuning) -> int:
    """Slices (as bits) of the fingerprint range for this many keys: a few million at most are one
    slice, without spill files."""
    return 0 if occurrences <= tuning.small_count else tuning.fp_part_bits


def count_pairs(
    fp_keys: KeySlices, group: I64, n_groups: int, params: ReuseParams, tuning: ReuseTuning, threads: int,
    keep: Callable[[I64], Bools] | None = None, sink: Callable[[U64], None] | None = None,
) -> tuple[I64, U32]:
    """Codes ``g1 * n_groups + g2`` of the candidate group pairs (g1 < g2), sorted, and the
    fingerprints in more than ``max_fp_groups`` groups.

    ``fp_keys``: sorted ``fingerprint << 32 | document`` keys, every
    occurrence of each fingerprint they hold (the spread is counted here),
    taken slice by slice (each once: they are gone after).
    ``keep`` restricts the pairs counted; ``sink`` gets all keys, sorted, in
    slices of ascending fingerprints. Worked in slices of the fingerprint range
    (above ``small_count`` occurrences), so that the temporaries are a fraction
    of the corpus's.
    """
    part_bits = fp_keys.part_bits
    small = part_bits == 0
    spills: list[IO[bytes]] = [] if small else [
        tempfile.TemporaryFile(prefix="dedup-pairs-") for _ in range(tuning.pair_spills)
    ]
    kept: list[I64] = []
    common: list[U32] = []

    def count(part: int) -> tuple[U64, U32, I64] | None:
        """The sorted keys of one slice, its common fingerprints and its packed pair counts."""
        key = fp_keys.take(part)
        if key is None:
            return None
        part_common, packed = count_slice(key, group, n_groups, params, keep)
        return key, part_common, packed

    # slices counted in threads (numpy works without the GIL), taken in order
    for got in threaded(count, range(1 << part_bits), threads):
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
        found.append(pairs_of_counts(packed, params.min_shared_fp))
        del packed
    common_all = np.sort(np.concatenate(common)) if common else np.empty(0, np.uint32)
    if not found:
        return np.empty(0, dtype=np.int64), common_all
    return np.sort(np.concatenate(found)), common_all


def pairs_from_scratch(
    records: Records, group: I64, n_groups: int, params: ReuseParams, tuning: ReuseTuning, threads: int,
    sink: IndexSink | None,
) -> tuple[I64, U32]:
    """:func:`count_pairs` of every document (all new: a run without a previous state)."""
    n = len(records.ids)
    new_fps = records.new_fps

    def chunk_keys(lo: int) -> U64:
        """``fingerprint << 32 | document`` of the documents [lo, lo + scan_chunk), sorted."""
        fps = [new_fps[i] for i in range(lo, min(n, lo + tuning.scan_chunk))]
        lengths = np.fromiter((len(f) for f in fps), dtype=np.int64, count=len(fps))
        doc_col = np.repeat(np.arange(lo, lo + len(fps), dtype=np.uint64), lengths)
        keys = (np.concatenate([EMPTY_FP, *fps]).astype(np.uint64) << np.uint64(32)) | doc_col
        keys.sort()
        return keys

    # (numpy works without the GIL: threads use every core the pool would)
    slices = KeySlices(slice_bits(sum(len(f) for f in new_fps.values()), tuning))
    for keys in threaded(chunk_keys, range(0, n, tuning.scan_chunk), threads):
        slices.add(keys)
        del keys
    return count_pairs(slices, group, n_groups, params, tuning, threads, sink=sink)


def dirty_groups(segs: list[RecordSegment], group: I64, n_groups: int) -> tuple[Bools, I64]:
    """Which groups the previous run did not have ("dirty"), and this run's id of each of its
    groups that it did (-1: none).

    The state keeps the previous run's group of each segment slot that held a document then.
    A group is the same when all its members are in slots that held them then (the same id
    and text), all in one group of then, which had no other member. Group ids themselves
    are not comparable between runs (they depend on the order of the clusters).
    """
    n = len(group)
    old_of_doc = np.full(n, -1, dtype=np.int64)
    sizes: list[I64] = []
    for seg in segs:
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
    order = np.argsort(group, kind="stable")
    by_group, olds = group[order], old_of_doc[order]
    starts = np.flatnonzero(np.r_[True, by_group[1:] != by_group[:-1]])
    lo, hi = np.minimum.reduceat(olds, starts), np.maximum.reduceat(olds, starts)
    count = np.diff(np.r_[starts, n])
    same = (lo == hi) & (lo >= 0)
    same[same] = count[same] == old_size[lo[same]]
    groups = by_group[starts]
    dirty[groups[~same]] = True
    now_of_old[lo[same]] = groups[same]
    return dirty, now_of_old


@dataclass
class IncrementalPairs:
    """:func:`count_pairs` of the whole corpus, from the previous run's pairs and common fingerprints.

    Only the pairs of groups whose members changed ("dirty") are counted, plus the pairs of
    unchanged groups that share a fingerprint whose spread crossed ``max_fp_groups`` (a new copy
    of a common phrase): the others share exactly the fingerprints they shared, each as common as
    it was. The documents holding a fingerprint are looked up in the segments (binary search), so
    only the new documents' fingerprints are read one by one.
    """

    records: Records
    groups: Groups
    n_groups: int
    params: ReuseParams
    tuning: ReuseTuning
    threads: int
    # (the run's work counters)
    stats: dict[str, int]

    def count(self, old: dict[str, Any], index: dict[str, int]) -> tuple[I64, U32]:
        """``old``: the previous run's state; ``index``: this run's position of each document id."""
        n_groups, records = self.n_groups, self.records
        dirty, now_of_old = dirty_groups(records.segs, self.groups.group, n_groups)
        self.stats["pairs_incremental"] = 1
        self.stats["groups_dirty"] = int(dirty.sum())
        op = old["pairs"]
        carried = np.stack([now_of_old[op[:, 0]], now_of_old[op[:, 1]]], axis=1) if len(op) else op
        carried = carried[(carried >= 0).all(axis=1)] if len(carried) else np.empty((0, 2), np.int64)
        carried = np.sort(carried, axis=1)
        dirty_docs = [m for g in np.flatnonzero(dirty).tolist() for m in self.groups.members.get(g, ())]
        stale = records.stale_slots(index) if self.tuning.stale_records else None
        fps_of, stale_of = records.fps_of(dirty_docs, stale)
        dirty_fps = sorted_unique(np.concatenate([EMPTY_FP, *fps_of.values()]))
        stale_fps = None if stale is None else sorted_unique(np.concatenate([EMPTY_FP, *stale_of]))
        del fps_of, stale_of
        # (without the stale fingerprints, the old common ones are counted again: any other
        # fingerprint can only have become rarer, and it was rare)
        extra = old["common"] if stale_fps is None else stale_fps
        look = sorted_unique(np.concatenate([dirty_fps, extra]))
        fp, owner = records.occurrences(look)
        return self._recounted(fp, owner, dirty_fps, dirty, old["common"], look,
                               carried[:, 0] * n_groups + carried[:, 1])

    def _recounted(
        self, fp: U32, owner: I64, dirty_fps: U32, dirty: Bools, old_common: U32, look: U32, carried: I64,
    ) -> tuple[I64, U32]:
        """The pairs and common fingerprints, from the previous run's.

        ``look``: the fingerprints whose spread may have changed: those of the
        dirty groups (``dirty_fps``; groups the previous run did not know) and
        those of its documents that are gone or changed (or, when they are not
        known, its common fingerprints: any other can only have become rarer,
        and it was rare); ``fp``/``owner``: every occurrence of them in this
        run's documents; ``old_common``: its fingerprints in more than
        ``max_fp_groups`` groups; ``carried``: its pair codes between groups that
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
        n_groups, group = self.n_groups, self.groups.group
        low = np.uint64(0xFFFFFFFF)
        # spread of each fingerprint looked at: distinct (fingerprint, group)
        grp = group[owner]
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
        slices = KeySlices.of([sel_keys], slice_bits(len(sel_keys), self.tuning))
        codes_d, _ = count_pairs(slices, group, n_groups, self.params, self.tuning, self.threads,
                                 lambda c: dirty[c // n_groups] | dirty[c % n_groups])
        # clean pairs sharing a fingerprint whose status flipped
        was_common = member(look_fps, old_common)
        per_row = np.repeat(np.arange(len(look_fps)), spread)
        clean = ~dirty[cg]

        def sharing(which: Bools) -> I64:
            rows = which[per_row] & clean
            return sorted_unique(pair_codes(cf[rows].astype(np.uint64), cg[rows], n_groups, 1 << 30))

        went_common, went_rare = now_common & ~was_common, was_common & ~now_common
        self.stats["flipped_fps"] = int(went_common.sum() + went_rare.sum())
        recount = sharing(went_common)
        # a clean pair that was not one and only lost fingerprints is still not one
        recount = recount[np.isin(recount, carried)]
        recount = sorted_unique(np.concatenate([recount, sharing(went_rare)]))
        self.stats["pairs_recounted"] = len(recount)
        counted = self._recount(recount, common)
        kept = carried[~np.isin(carried, recount)] if len(recount) else carried
        return sorted_unique(np.concatenate([codes_d, kept, counted])), common

    def _recount(self, codes: I64, common: U32) -> I64:
        """The pair codes among ``codes`` whose groups share at least ``min_shared_fp`` fingerprints
        not in ``common``, counted pair by pair (they are few)."""
        n_groups, members = self.n_groups, self.groups.members
        pairs = [(c // n_groups, c % n_groups) for c in codes.tolist()]
        fps, _ = self.records.fps_of({m for pair in pairs for g in pair for m in members[g]})
        valid: dict[int, U32] = {}

        def of(g: int) -> U32:
            if g not in valid:
                f = sorted_unique(np.concatenate([fps[m] for m in members[g]]))
                valid[g] = f[~member_small(f, common)]
            return valid[g]

        out = [g1 * n_groups + g2 for g1, g2 in pairs
               if len(np.intersect1d(of(g1), of(g2), assume_unique=True)) >= self.params.min_shared_fp]
        return np.asarray(out, dtype=np.int64)
