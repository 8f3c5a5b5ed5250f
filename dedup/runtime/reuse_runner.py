"""How quotation detection runs over a corpus: :func:`find_reuses`, the stage's entry point, and
:func:`pass1_entries`, the pass-1 records a cleaning worker makes ahead of it.

The algorithm is :mod:`dedup.reuse` (pure functions of plain data); this module runs it in bounded
memory and as little work as a run can do:

* pass 1 (:class:`_Run`): what each document is (ids, text keys, names, dates; from a store
  without reading texts), the previous run's state and segments (:mod:`~dedup.runtime.reuse_state`,
  :mod:`~dedup.runtime.reuse_segments`), the records of the documents no segment holds (copied,
  read from a ``1:`` entry, or scanned in the process pool while this process goes on), groups,
  mentions, and the candidate group pairs (:mod:`~dedup.runtime.reuse_pairs`), from scratch or
  from the previous run's; this run's state written;
* pass 2 (:class:`_Pass2`): the involved documents' passages and signatures onto a spool file, the
  corpus boilerplate, each group pair's result from the cache or matched in the pool in chunks of
  whole pairs (workers get plain data: :class:`_Task`);
* quotation clusters pruned and citations found on the whole result, which is sorted.

With ``workers > 1`` the process pool (:class:`~dedup.runtime.pool.Pool`) scans, prepares and
matches; numpy work (pair counting) runs in threads. Neither the pool nor the cache changes the
result; the figures of a call go to a :class:`~dedup.runtime.metrics.RunMetrics`.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.models import Citation, Cluster, Document, Reuse
from dedup.reuse import PairBatch, match_pairs, pass1, prepare
from dedup.reuse import passages as P
from dedup.reuse.attribution import Mention, outlet_matches
from dedup.reuse.candidates import boilerplate
from dedup.reuse.edges import Item, citations, prune_quotation_clusters
from dedup.reuse.groups import NameRow, build_groups, corpus_outlet_names, date_of, doc_date, evidence_dates
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.reuse.pass1 import Record
from dedup.reuse.sources import spread_sources
from dedup.runtime.blobs import BlobCache, BlobSpool
from dedup.runtime.context import Progress, no_progress
from dedup.runtime.metrics import RunMetrics
from dedup.runtime.pool import Pool, give_back_freed_memory, worker_state
from dedup.runtime.progress import Meter
from dedup.runtime.reuse_pairs import IncrementalPairs, pairs_from_scratch
from dedup.runtime.reuse_segments import IndexSink, Records, RecordSegment
from dedup.runtime.reuse_state import (
    Catalog,
    Keys,
    NoCache,
    boiler_of,
    get_many,
    load_state,
    pack_items,
    pack_record,
    pair_keys,
    select_mentions,
    state_entry,
    unpack_items,
    unpack_record,
)
from dedup.runtime.reuse_tuning import DEFAULT_TUNING, ReuseTuning

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
_T = TypeVar("_T")


# ----------------------------------------------------------------------------- in the workers
# (the pool's state holds the run's (config, params): given once, not with every task)
def _scan_task(texts: list[str]) -> pass1.Scanned:
    """:func:`~dedup.reuse.pass1.scan` in a worker of the run's pool."""
    return pass1.scan(texts, worker_state()["reuse"][1])


def _prepare_task(docs: list[Document]) -> list[tuple[bytes, U64]]:
    """Pass 2, first step (any process): passages and signatures of documents, pickled for the
    spool, with the exact key of each passage (for the corpus-wide boilerplate)."""
    config, params = worker_state()["reuse"]
    # the spool holds what cannot be recomputed cheaply: grams and the normalised text are made
    # again on reading, offsets fit 32 bits
    return [
        (pickle.dumps((doc, P.compact(dp), sigs), protocol=pickle.HIGHEST_PROTOCOL), exact)
        for doc, (dp, sigs, exact) in zip(docs, prepare([d.text for d in docs], config.seed, params), strict=True)
    ]


@dataclass
class _Task:
    """One chunk of pass 2: whole candidate group pairs with every member document, still as
    spooled records (the worker fills the batch's documents, passages and signatures in)."""

    docs: list[int]
    records: list[bytes]  # pickled (Document, compacted DocPassages, passage signatures)
    batch: PairBatch


def _match_task(task: _Task) -> list[tuple[tuple[int, int], list[Item]]]:
    """The results of every group pair of the task, empty ones too (they are cached as well)."""
    config, params = worker_state()["reuse"]
    batch = task.batch
    for i, blob in zip(task.docs, task.records, strict=True):
        doc, dp, sigs = pickle.loads(blob)
        batch.docs[i], batch.passages[i], batch.sigs[i] = doc, P.restore(dp, doc.text, params.passage_shingle), sigs
    by_pair: dict[tuple[int, int], list[Item]] = {(g1, g2): [] for g1, g2 in batch.pairs.tolist()}
    for item in match_pairs(batch, config, params):
        ga, gb = batch.group[item[0].a], batch.group[item[0].b]
        by_pair[(min(ga, gb), max(ga, gb))].append(item)
    return list(by_pair.items())


# ----------------------------------------------------------------------------- documents
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


def _naming(docs: Sequence[Document]) -> tuple[list[str], list[str], list[list[str]], list[str | None]]:
    """What each document is: its id, a key of its clean text, the names and the date it goes by."""
    ids: list[str] = []
    rows: list[NameRow] = []
    dates: list[str | None] = []
    text_keys: list[str]
    if hasattr(docs, "text_keys") and hasattr(docs, "naming"):
        # a store: keys from one query, names and dates without text
        text_keys = list(docs.text_keys())
        for doc_id, outlet, title, url, date, inferred in docs.naming():
            ids.append(doc_id)
            rows.append((outlet, title, url, inferred))
            dates.append(date_of(date, inferred))
    else:
        text_keys = []
        for d in docs:
            ids.append(d.id)
            rows.append((d.outlet, d.title, d.url, d.inferred))
            dates.append(doc_date(d))
            text_keys.append(plain_text_key(d))
    # title suffixes that behave like a site's name; a scrape day most records carry is no publication date
    return ids, text_keys, corpus_outlet_names(rows), evidence_dates(dates)


def _scan_chunks(items: Iterable[_T], text: Callable[[_T], str], tuning: ReuseTuning) -> Iterator[list[_T]]:
    """``items`` in chunks for a scan: at most ``scan_chunk`` documents, about ``scan_chars`` characters."""
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
    keys = Keys(params)
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
        out.extend((keys.pass1(k), pack_record(*rec)) for (_, k), rec in zip(chunk, records, strict=True))
    return out


# ----------------------------------------------------------------------------- pass 1
class _Run:
    """One call of :func:`find_reuses`: its pool and cache, and pass 1 (made on construction): what
    each document is, its group, fingerprints and mentions, the candidate group pairs; this run's
    state written."""

    def __init__(
        self, docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, workers: int,
        cache: BlobCache | None, params: ReuseParams, tuning: ReuseTuning, metrics: RunMetrics,
        bar: Meter | None = None,
    ) -> None:
        self.source = docs
        # the stage's bar, in units of about a millisecond of work: a tenth of the documents for what pass 1
        # does over the whole corpus, one per document it scans and per document pass 2 prepares, two
        # per group pair it matches (or finds in the cache)
        self.bar = bar if bar is not None else Meter(no_progress, "quotations")
        self.config = config
        self.params = params
        self.tuning = tuning
        self.metrics = metrics
        self.keys = Keys(params)
        # (the workers' functions read the config and parameters from the pool's state)
        self.pool = Pool(workers, state={"reuse": (config, params)}, name="reuse")
        self.cache: BlobCache = cache if cache is not None else NoCache()
        self.caching = cache is not None
        self.keep_keys: list[str] = []
        # outlet_matches answers: of the previous run (a pure function of two names), and asked now
        self.matches_prior: dict[tuple[str, str], bool] = {}
        self.matches_asked: dict[tuple[str, str], bool] = {}
        self._mention_objs: dict[int, list[Mention]] = {}
        try:
            self._pass1(docs, clusters)
        except BaseException:
            self.pool.close(abort=True)  # (a signal or an error: no worker finishes, or outlives, the run)
            raise

    def _pass1(self, docs: Sequence[Document], clusters: Sequence[Cluster]) -> None:
        metrics, keys = self.metrics, self.keys
        metrics.start()
        # ---- what each document is: its id, a key of its clean text, names and dates
        ids, text_keys, names, dates = _naming(docs)
        index = {d: i for i, d in enumerate(ids)}
        whole = 1 + len(ids) // 10
        self.bar.expect(whole)
        metrics.tick("pass1_metadata")
        # ---- the previous run's state and the pass-1 records it keeps; pass 1 of the other documents
        self.keep_keys.extend([keys.state, keys.names, keys.like, keys.matches])
        got = (get_many(self.cache, [keys.state, keys.names, keys.like, keys.matches], self.tuning.cache_batch)
               if self.caching else {})
        if keys.matches in got:
            self.matches_prior = pickle.loads(got[keys.matches])
        self.state, segs = load_state(self.cache, got.get(keys.state), self.tuning.cache_batch)
        if self.state is not None:
            metrics.stats["segments_read"] = len(segs)
        self.records = records = Records(segs, ids, text_keys)
        new = records.map(index)
        # (the documents to scan, if a few, are scanned in the pool while this process goes on)
        pending = self._read_or_scan(new)
        metrics.tick("pass1_read")
        # Every document belongs to exactly one group: its cluster, or itself.
        self.groups = groups = build_groups(index, names, dates, clusters)
        self.catalog = Catalog(ids, text_keys, dates, index, groups)
        metrics.tick("pass1_groups")
        # the fingerprints of the documents no segment holds; candidate mentions of all
        records.add(new, pending())
        metrics.tick("pass1_scan")
        # ---- mentions that name an outlet
        self.selected, metrics.stats["mentions_selected"] = select_mentions(
            records, groups.outlets, got.get(keys.names), got.get(keys.like)
        )
        # (written with the state, in one transaction)
        self.puts: list[tuple[str, bytes]] = []
        if self.caching:
            check_names = {r[0] for rows in records.raw.values() for r in rows if r[6]}
            self.puts += [
                (keys.names, pickle.dumps(groups.outlets.fuzzy_answers(), protocol=pickle.HIGHEST_PROTOCOL)),
                (keys.like, pickle.dumps(groups.outlets.like_answers(check_names), protocol=pickle.HIGHEST_PROTOCOL)),
            ]
        del got
        metrics.tick("pass1_mentions")
        self.bar.add(whole // 2)
        self.pairs = self._candidate_pairs()
        self.bar.add(whole - whole // 2)
        metrics.tick("pass1_index")

    def _read_or_scan(self, new: list[int]) -> Callable[[], dict[int, Record]]:
        """Pass-1 records of the documents ``new``: of a text some segment holds (an exact copy of a
        document seen before), from the cache (:func:`pass1_entries`), else scanned (once per text).

        Returns the function that gives them: up to ``scan_ahead`` documents to scan are read now and
        scanned in the pool until it is called; more are scanned when it is called."""
        text_keys = self.records.text_keys
        want: dict[str, list[int]] = defaultdict(list)
        for i in new:
            want[text_keys[i]].append(i)
        recs = self.records.copies(want)
        if want and self.caching:
            keys = {k: self.keys.pass1(k) for k in want}
            got = get_many(self.cache, keys.values(), self.tuning.cache_batch)
            for k, key in keys.items():
                blob = got.get(key)
                if blob is not None:
                    rec = unpack_record(blob)
                    for i in want.pop(k):
                        recs[i] = rec
            del got
        todo = sorted(docs[0] for docs in want.values())
        n = len(text_keys)
        self.bar.grow(len(todo))
        self.metrics.stats.update(docs=n, pass1_hits=n - len(todo), docs_scanned=len(todo))
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
            scanned = self._scan(todo)

        def finish() -> dict[int, Record]:
            for i, rec in scanned:
                for j in want[text_keys[i]]:
                    recs[j] = rec
                self.bar.add(1)
            return recs

        return finish

    def _scan(self, todo: list[int]) -> Iterator[tuple[int, Record]]:
        """Pass 1 of the documents ``todo`` (ascending), read once, scanned in the pool."""
        in_flight: deque[list[tuple[int, Document]]] = deque()

        def chunks() -> Iterator[list[str]]:
            for chunk in _scan_chunks(_fetch(self.source, todo), lambda item: item[1].text, self.tuning):
                in_flight.append(chunk)
                yield [d.text for _, d in chunk]

        for scanned in self.pool.map(_scan_task, chunks()):
            chunk = in_flight.popleft()
            yield from zip((i for i, _ in chunk), pass1.records([d for _, d in chunk], *scanned), strict=True)

    def _candidate_pairs(self) -> I64:
        """The candidate group pairs ((g1, g2) rows, in order): from scratch, or from the previous
        run's state; this run's state written."""
        n = len(self.catalog.ids)
        group = self.groups.group
        n_groups = int(group.max()) + 1 if n else 1
        stats, threads, tuning = self.metrics.stats, self.pool.workers, self.tuning
        built: list[RecordSegment] = []
        if self.state is None:
            stats["pairs_incremental"] = 0
            sink = IndexSink(n, tuning.segment_slots) if self.caching else None
            codes, common = pairs_from_scratch(self.records, group, n_groups, self.params, tuning, threads, sink)
            # nothing after the count reads the fingerprints of the documents no segment held (the
            # segments made of the sink hold them): ~4 bytes an occurrence, let go before those are made
            self.records.drop_new_fps()
            give_back_freed_memory()  # (and the count's slices of keys, tens of kB each, from the heap)
            stats["groups_dirty"] = len(self.groups.members)
            if sink is not None:
                built = self.records.segments_of_index(sink, self.keys.segment)
        else:
            codes, common = IncrementalPairs(
                self.records, self.groups, n_groups, self.params, tuning, threads, stats
            ).count(self.state, self.catalog.index)
            built = self.records.segments_of_new(self.keys.segment, tuning.segment_slots)
            self.records.drop_new_fps()  # (as above: the new segments hold them now)
        pairs = np.stack([codes // n_groups, codes % n_groups], axis=1)
        if self.caching:
            self._save_state(pairs, common, built)
        stats["group_pairs"] = len(pairs)
        # what the count and the state's packing freed, handed back before pass 2 forks its workers:
        # it no longer stands in the stage's peak
        give_back_freed_memory()
        return pairs

    def _save_state(self, pairs: I64, common: U32, built: list[RecordSegment]) -> None:
        """This run's state and its segments (with the outlet-name answers, in one transaction)."""
        segs = self.records.keep(built, self.keys.segment, self.tuning.segment_slots, self.tuning.segment_slack)
        self.metrics.stats["segments"] = len(segs)
        self.keep_keys.extend(seg.key for seg in segs)

        def puts() -> Iterator[tuple[str, bytes]]:
            # each segment packed as the cache takes it: packed all at once, their bytes (~6 bytes a
            # fingerprint occurrence of the corpus) stood beside the segments themselves at the
            # quotation stage's peak of memory
            yield from self.puts
            for seg in segs:
                if not seg.stored:
                    yield seg.key, seg.pack()
            yield self.keys.state, state_entry(segs, self.groups.group, self.selected, pairs, common)

        self.cache.put_many(puts())
        self.puts = []

    # ----------------------------------------------------------------- what pass 2 and citations ask
    def mentions(self, i: int) -> list[Mention]:
        got = self._mention_objs.get(i)
        if got is None:
            got = self._mention_objs[i] = [Mention(*t) for t in self.selected.get(i, ())]
        return got

    def matches(self, name: str, other: str) -> bool:
        """:func:`~dedup.reuse.attribution.outlet_matches`, answered by the previous run where it asked."""
        key = (name, other)
        hit = self.matches_asked.get(key)
        if hit is None:
            hit = self.matches_prior.get(key)
            self.matches_asked[key] = hit = outlet_matches(name, other) if hit is None else hit
        return hit


# ----------------------------------------------------------------------------- pass 2
class _Pass2:
    """Reuses between the documents of the candidate group pairs, in bounded memory.

    The documents whose exact passage keys the cache lacks are read once
    more: their passages and signatures go to a spool file (the corpus-wide
    boilerplate needs the exact passage keys of all involved documents
    before any pair is judged). Each group pair's result is cached under a
    digest of everything its matching sees; the pairs not in the cache are
    cut into chunks of at most ``pass2_chunk_docs`` documents, read back from
    the spool (documents not yet there are prepared first) and matched in
    the worker pool; results are put together in pair order, so the output
    depends neither on ``workers`` nor on what the cache held.
    """

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.members = run.groups.members
        self.stats = run.metrics.stats
        self.where: dict[int, tuple[int, int]] = {}

    def items(self) -> list[Item]:
        run, stats = self.run, self.stats
        stats.update(pairs_matched=0, pair_hits=0, docs_prepared=0)
        if len(run.pairs) == 0:
            return []
        involved = sorted({m for g in np.unique(run.pairs).tolist() for m in self.members[g]})
        base = run.keys.exact_base(run.config.seed)
        x_keys = {i: f"{base}:{run.catalog.text_keys[i]}" for i in involved}
        run.keep_keys.extend(x_keys.values())
        got = get_many(run.cache, x_keys.values(), run.tuning.cache_batch) if run.caching else {}
        exact_of: dict[int, U64] = {}
        for i in involved:
            blob = got.get(x_keys[i])
            if blob is not None:
                exact_of[i] = np.frombuffer(blob, dtype="<u8").astype(np.uint64, copy=False)
        del got
        todo = [i for i in involved if i not in exact_of]
        run.bar.grow(len(todo) + 2 * len(run.pairs))
        run.metrics.tick("pass2_read")
        with BlobSpool("dedup-reuse-") as spool:
            puts: list[tuple[str, bytes]] = []
            for i, exact in self._prepare(spool, todo):
                exact_of[i] = exact
                if run.caching:
                    puts.append((x_keys[i], exact.astype("<u8").tobytes()))
                    if len(puts) >= 2000:
                        run.cache.put_many(puts)
                        puts = []
            run.cache.put_many(puts)
            run.metrics.tick("pass2_prepare")
            owner = np.repeat(np.asarray(involved, dtype=np.int64), [len(exact_of[i]) for i in involved])
            allx = np.concatenate([exact_of[i] for i in involved])
            boiler = boilerplate(owner, allx, run.groups, run.config.furniture_min_docs, run.params,
                                 small_count=run.tuning.small_count, part_bits=run.tuning.fp_part_bits)
            keys = (pair_keys(run.keys.pair_base(run.config), run.catalog, run.pairs, run.selected, involved,
                              boiler_of(owner, allx, boiler))
                    if run.caching else [""] * len(run.pairs))
            del owner, allx, exact_of
            items = self._match(spool, keys, boiler)
        run.metrics.tick("pass2_match")
        return items

    def _match(self, spool: BlobSpool, keys: list[str], boiler: I64) -> list[Item]:
        """The results of every pair (under ``keys``): from the cache, or matched in the pool."""
        run, stats = self.run, self.stats
        got = get_many(run.cache, keys, run.tuning.cache_batch) if run.caching else {}
        run.keep_keys.extend(keys)
        results: list[list[Item] | None] = [None] * len(keys)
        missing: list[tuple[int, int]] = []
        slot: dict[tuple[int, int], int] = {}
        for k, ((g1, g2), key) in enumerate(zip(run.pairs.tolist(), keys, strict=True)):
            blob = got.get(key)
            if blob is None:
                missing.append((g1, g2))
                slot[(g1, g2)] = k
            else:
                results[k] = unpack_items(blob, run.catalog.index)
        del got
        stats["pair_hits"] = len(keys) - len(missing)
        stats["pairs_matched"] = len(missing)
        run.bar.add(2 * (len(keys) - len(missing)))
        run.metrics.tick("pass2_keys")
        need = sorted({m for pair in missing for g in pair for m in self.members[g]} - self.where.keys())
        run.bar.grow(len(need))
        for _ in self._prepare(spool, need):
            pass
        run.metrics.tick("pass2_prepare")
        puts: list[tuple[str, bytes]] = []
        for found in run.pool.map(_match_task, self._tasks(spool, missing, boiler)):
            run.bar.add(2 * len(found))
            for pair, items in found:
                k = slot[pair]
                results[k] = items
                if run.caching:
                    puts.append((keys[k], pack_items(items, run.catalog.ids)))
            if len(puts) >= 2000:
                run.cache.put_many(puts)
                puts = []
        run.cache.put_many(puts)
        return [item for items in results if items for item in items]

    def _prepare(self, spool: BlobSpool, todo: list[int]) -> Iterator[tuple[int, U64]]:
        """Passages and signatures of the documents ``todo`` (ascending) onto the spool; yields the
        exact passage keys of each."""
        run = self.run
        order: list[int] = []

        def batches() -> Iterator[list[Document]]:
            batch: list[Document] = []
            for i, d in _fetch(run.source, todo):
                order.append(i)
                batch.append(d)
                if len(batch) == run.tuning.prepare_chunk:
                    yield batch
                    batch = []
            if batch:
                yield batch

        done = 0
        for recs in run.pool.map(_prepare_task, batches()):
            run.bar.add(len(recs))
            # one write a batch: a write a document cost ~50 us each of this (the busiest) process
            places = spool.append_many([blob for blob, _ in recs])
            for (_, exact), where in zip(recs, places, strict=True):
                i = order[done]
                done += 1
                self.where[i] = where
                yield i, exact
        self.stats["docs_prepared"] = self.stats.get("docs_prepared", 0) + done

    def _tasks(self, spool: BlobSpool, missing: list[tuple[int, int]], boiler: I64) -> Iterator[_Task]:
        run, groups = self.run, self.run.groups
        for chunk in self._chunks(missing):
            docs = sorted({m for g1, g2 in chunk for g in (g1, g2) for m in self.members[g]})
            chunk_groups = sorted({g for pair in chunk for g in pair})
            batch = PairBatch(
                docs={}, passages={}, sigs={},
                group={i: int(groups.group[i]) for i in docs},
                canonical={g: groups.canonical[g] for g in chunk_groups},
                group_names={g: groups.names.get(g, []) for g in chunk_groups},
                dates={i: run.catalog.date_of(i) for i in docs},
                mentions={i: run.mentions(i) for i in docs if i in run.selected},
                pairs=np.asarray(chunk, dtype=np.int64).reshape(-1, 2),
                boiler_keys=boiler,
            )
            yield _Task(docs, [spool.read(*self.where[i]) for i in docs], batch)

    def _chunks(self, pairs: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
        """Group pairs in order, cut into chunks of at most ``pass2_chunk_docs`` documents and
        ``pass2_chunk_pairs`` document pairs (a single pair of larger groups is a chunk of its own).

        Matching costs about a document pair's alignments: without the second bound, the pairs of a
        corpus's largest groups made one task of 14 s on 612 articles (a worker idle, the bar still)."""
        tuning = self.run.tuning
        chunk: list[tuple[int, int]] = []
        seen: set[int] = set()
        work = 0
        for g1, g2 in pairs:
            new = {m for g in (g1, g2) for m in self.members[g]} - seen
            cost = len(self.members[g1]) * len(self.members[g2])
            if chunk and (len(seen) + len(new) > tuning.pass2_chunk_docs or work + cost > tuning.pass2_chunk_pairs):
                yield chunk
                chunk, seen, work = [], set(), 0
                new = {m for g in (g1, g2) for m in self.members[g]}
            chunk.append((g1, g2))
            seen |= new
            work += cost
        if chunk:
            yield chunk


# ----------------------------------------------------------------------------- the stage
def find_reuses(
    docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, *, workers: int = 1,
    cache: BlobCache | None = None, params: ReuseParams = DEFAULT, tuning: ReuseTuning = DEFAULT_TUNING,
    metrics: RunMetrics | None = None, progress: Progress | None = None,
) -> tuple[list[Reuse], list[Citation]]:
    """Passages reused between documents of different clusters, and outlets the documents cite.

    Deterministic: the result depends only on the inputs, and both lists are
    sorted (reuses by quoting, source, span; citations by document, span).
    With a ``cache`` (kept between runs), the work already done for unchanged
    documents and group pairs is read from it instead of redone, with the same
    result; entries no longer referenced are dropped at the end. ``params``: what the result
    depends on; ``tuning``: how the work is cut up (not the result); ``metrics``, if given, gets the
    figures of this call; ``progress`` (:mod:`dedup.runtime.progress`), if given, bars of the stages
    "quotations" and "citations".
    """
    metrics = metrics if metrics is not None else RunMetrics()
    metrics.clear()
    # The cyclic collector would walk the ever larger heap of per-document records again and
    # again (1-2 s of an incremental run on 100k documents); this code makes no garbage cycles
    # worth collecting mid-call.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _find_reuses(docs, clusters, config, workers, cache, params, tuning, metrics, progress or no_progress)
    finally:
        if was_enabled:
            gc.enable()


def _find_reuses(
    docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, workers: int, cache: BlobCache | None,
    params: ReuseParams, tuning: ReuseTuning, metrics: RunMetrics, progress: Progress,
) -> tuple[list[Reuse], list[Citation]]:
    run = _Run(docs, clusters, config, workers, cache, params, tuning, metrics, Meter(progress, "quotations"))
    try:
        judged = spread_sources(prune_quotation_clusters(_Pass2(run).items(), run.catalog.date_of, params.cover),
                                lambda i: int(run.groups.group[i]), run.groups.doc_outlet.__getitem__, params.cover)
    except BaseException:
        run.pool.close(abort=True)  # (a signal or an error: no worker finishes, or outlives, the run)
        raise
    else:
        run.pool.close()
    run.bar.close()
    reuses = [r for _, _, r in judged]
    reuses.sort(key=lambda r: (r.quoting, r.source, r.quoting_span.start, r.source_span.start))
    # (one step: the documents whose mentions name an outlet, judged at once)
    bar = Meter(progress, "citations", len(run.selected))
    cited = citations(judged, run.groups, run.catalog.ids, run.selected, run.records.raw, run.matches)
    cited.sort(key=lambda c: (c.doc, c.span.start, c.outlet))
    bar.close()
    if cache is not None:
        cache.put_many([(run.keys.matches, pickle.dumps(run.matches_asked, protocol=pickle.HIGHEST_PROTOCOL))])
        cache.retain(run.keep_keys)
    metrics.tick("pass2_verdicts")
    return reuses, cited


__all__ = ["DEFAULT_TUNING", "ReuseTuning", "find_reuses", "pass1_entries", "plain_text_key"]
