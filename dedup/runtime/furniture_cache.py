"""Corpus furniture as a run keeps it between runs: per-document line records, the last run's line
counts, the stage that finds the furniture and the documents to clean again, and the probe that
lets ingest clean new documents before the furniture is known.

The algorithm (which line is furniture, from counts) is :mod:`dedup.clean.corpus`; this module
keeps its inputs in the database's cache so that an incremental run reads only new texts.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from dedup.clean.corpus import (
    HEAD,
    LINE_RECORD_VERSION,
    MAX_FURNITURE_KEY,
    FurnitureLines,
    LineCounts,
    counted_keys,
    furniture_digest,
    furniture_from_counts,
    line_record,
    stable_line_hash,
)
from dedup.runtime.context import RunContext
from dedup.runtime.pool import Pool, batches


class Probe(FurnitureLines):
    """An empty furniture mapping that records what cleaning looks up in it.

    Truthy, so that the cleaner consults it; ``get`` always misses, so the
    result is that of cleaning with no furniture at all. Its bound on key
    length is that of any corpus furniture (only lines counted for it can
    become it), so the cleaner skips the lines no furniture can hold, as it
    does with the real furniture.
    """

    def __init__(self) -> None:
        super().__init__()
        self.longest = MAX_FURNITURE_KEY
        # any head may start a long furniture line: the cleaner asks has_head of every long line
        self.heads = frozenset({""})
        self.asked: set[int] = set()

    def __bool__(self) -> bool:
        return True

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        # hash(): compared only within this run, between forked processes (same hash seed)
        self.asked.add(hash(key))
        return default

    def has_head(self, head: str) -> bool:
        self.asked.add(hash(_HEAD_MARK + head))
        return False


# what a Probe records for a head asked about, apart from any key
_HEAD_MARK = "\x00head\x00"


def speculation_misses(
    speculated: Mapping[str, npt.NDArray[np.int64]], furniture: Mapping[str, str]
) -> set[str]:
    """Documents cleaned at ingest that looked up a line the corpus furniture holds."""
    if not speculated or not furniture:
        return set()
    asks = [hash(k) for k in furniture] + [hash(_HEAD_MARK + k[:HEAD]) for k in furniture if len(k) > MAX_FURNITURE_KEY]
    wanted = np.asarray(asks, dtype=np.int64)
    ids = list(speculated)
    asked = [speculated[d] for d in ids]
    hit = np.isin(np.concatenate(asked), wanted)
    owner = np.repeat(np.arange(len(ids)), [len(a) for a in asked])
    return {ids[i] for i in np.unique(owner[hit]).tolist()}


def record_name(content_hash: str) -> str:
    return f"{LINE_RECORD_VERSION}:{content_hash}"


def _line_records(sources: list[tuple[str, str | None, str]]) -> list[tuple[str, str | None, bytes]]:
    return [(doc_id, outlet, line_record(raw)) for doc_id, outlet, raw in sources]


def pack_outlet(outlet: str | None) -> bytes:
    data = (outlet or "").encode("utf-8", "surrogatepass")
    return len(data).to_bytes(4, "little") + data


def unpack_outlet(value: bytes) -> tuple[str | None, bytes]:
    n = int.from_bytes(value[:4], "little")
    return value[4 : 4 + n].decode("utf-8", "surrogatepass") or None, value[4 + n :]


class CountsSnapshot:
    """The line counts of the last run, with the record name of each document: a run reads the
    records of only the documents they lack, and gathers the rest with numpy (reading and joining
    100k records cost 0.6 s of an incremental run)."""

    def __init__(self, names: list[str], counts: LineCounts) -> None:
        self.names = names
        self.counts = counts
        self._held: set[str] | None = None

    @classmethod
    def load(cls, blob: bytes | None) -> CountsSnapshot:
        if not blob:
            return cls([], LineCounts())
        names, outlets, hashes, long, ends = pickle.loads(blob)
        return cls(names, LineCounts(np.frombuffer(hashes, dtype=np.int64), np.frombuffer(long, dtype=np.bool_),
                                     np.frombuffer(ends, dtype=np.int64), outlets))

    def dump(self) -> bytes:
        c = self.counts
        return pickle.dumps((self.names, c.outlets, c.hashes.tobytes(), c.long.tobytes(), c.ends.tobytes()),
                            protocol=pickle.HIGHEST_PROTOCOL)

    @property
    def held(self) -> set[str]:
        if self._held is None:
            self._held = set(self.names)
        return self._held

    def lacking(self, names: list[str]) -> list[str]:
        return [n for n in names if n not in self.held]

    def counts_of(self, names: list[str], records: Mapping[str, bytes]) -> LineCounts:
        """The counts of the documents ``names``: from this snapshot where it holds them, else from
        ``records``; the same arrays :meth:`LineCounts.from_records` makes of all their records."""
        if names == self.names:
            return self.counts
        at = {n: i for i, n in enumerate(self.names)}
        new = [n for n in names if n not in at]
        extra = LineCounts.from_records(unpack_outlet(records[n]) for n in new)
        base = len(self.counts.hashes)
        old_starts = np.r_[0, self.counts.ends[:-1]] if len(self.names) else np.empty(0, np.int64)
        new_starts = np.r_[0, extra.ends[:-1]] if new else np.empty(0, np.int64)
        old_sizes = np.diff(np.r_[0, self.counts.ends])
        new_sizes = np.diff(np.r_[0, extra.ends]) if new else np.empty(0, np.int64)
        j = np.fromiter((at.get(n, -1) for n in names), dtype=np.int64, count=len(names))
        held = j >= 0
        src = np.empty(len(names), dtype=np.int64)
        size = np.empty(len(names), dtype=np.int64)
        src[held], size[held] = old_starts[j[held]], old_sizes[j[held]]
        src[~held], size[~held] = base + new_starts, new_sizes
        fresh = iter(extra.outlets)
        outlets = [self.counts.outlets[k] if k >= 0 else next(fresh) for k in j.tolist()]
        ends = np.cumsum(size)
        # position p of the result comes from src[doc] + (p - start of doc)
        gather = np.repeat(src - (ends - size), size) + np.arange(int(ends[-1]) if len(ends) else 0)
        hashes = np.concatenate([self.counts.hashes, extra.hashes])[gather]
        long = np.concatenate([self.counts.long, extra.long])[gather]
        return LineCounts(hashes, long, ends, outlets)


def furniture_stage(
    ctx: RunContext, keys: Mapping[str, tuple[str | None, str | None]]
) -> tuple[FurnitureLines, set[str]]:
    """Corpus furniture, and the documents whose furniture lines changed since they were cleaned.

    Each text document's line record (a hash per distinct line) is kept in
    the cache under its content hash, so a run reads the raw text only of
    documents it has not seen; the counting itself is a few numpy passes.
    """
    store, config = ctx.store, ctx.config
    inputs = store.furniture_inputs()
    cache = store.cache("furniture")
    # the outlet a record states is part of what its content hash names, so it is kept with the record
    names = [record_name(content_hash) for _, content_hash in inputs]
    snapshot = store.cache("furniture-counts")
    prior = CountsSnapshot.load(snapshot.get("last"))
    # records the last run's counts do not hold (all of them on a first run)
    records = cache.get_many(prior.lacking(names))
    missing = {doc_id: name for (doc_id, _), name in zip(inputs, names, strict=True)
               if name not in records and name not in prior.held}
    if missing:
        # one streamed read of the raw texts not seen before; records are made in the pool (~0.04 ms a document)
        sources = store.iter_furniture_sources(None if len(missing) > len(inputs) // 2 else missing)
        pending: list[tuple[str, bytes]] = []
        with Pool(ctx.workers if len(missing) > 1000 else 1, {}) as pool:
            for made in pool.map(_line_records, batches(sources, 512)):
                pending.extend((missing[d], pack_outlet(outlet) + rec) for d, outlet, rec in made if d in missing)
                if len(pending) >= 8192:
                    cache.put_many(pending)
                    records.update(pending)
                    pending = []
        cache.put_many(pending)
        records.update(pending)
    if cache.count() > len(set(names)):
        cache.retain(names)
    counts = prior.counts_of(names, records)
    if names != prior.names:
        snapshot.put_many([("last", CountsSnapshot(names, counts).dump())])
    ids = [doc_id for doc_id, _ in inputs]

    def name(found: list[tuple[int, int]]) -> dict[int, str]:
        sources = store.raw_texts(ids[i] for _, i in found)
        out: dict[int, str] = {}
        for h, i in found:
            out[h] = next(k for k in counted_keys(sources[ids[i]][1]) if stable_line_hash(k) == h)
        return out

    furniture = furniture_from_counts(counts, name, min_docs=config.furniture_min_docs)
    # documents whose furniture lines differ from those they were cleaned with
    todo: set[str] = set()
    if furniture or any(fk for _, fk in keys.values()):
        by_hash = {stable_line_hash(k): k for k in furniture}
        hit = np.isin(counts.hashes, np.fromiter(by_hash, dtype=np.int64, count=len(by_hash)))
        doc_of = np.repeat(np.arange(len(ids)), np.diff(np.r_[0, counts.ends]))
        present: dict[int, list[str]] = {}
        for i, h in zip(doc_of[hit].tolist(), counts.hashes[hit].tolist(), strict=True):
            present.setdefault(i, []).append(by_hash[h])
        for i, doc_id in enumerate(ids):
            want = furniture_digest(present.get(i, ()))
            if (keys.get(doc_id, (None, None))[1] or "") != want:
                todo.add(doc_id)
    return furniture, todo
