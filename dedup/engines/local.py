"""The local engine: the whole run on this machine, its heavy work in one process pool.

ingest → furniture → clean + fingerprint → cluster → damage → quotations → store. Documents
stream through the database between stages (no stage holds the corpus in memory); the engine-
neutral stages are :mod:`dedup.engines.stages`, the algorithm is in ``clean``, ``fingerprint``,
``cluster`` and ``reuse``, and how work is kept between runs is in :mod:`dedup.runtime`.

Incremental by construction: an input whose bytes are unchanged is not read twice, a document
is cleaned again only when its bytes, the cleaning code or the corpus furniture it contains
changed, verified pair figures and alignments are kept between runs, and cluster ids derive
from membership.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import io
import json
import os
import pickle
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import IO, Any, cast

import numpy as np

from dedup import __version__
from dedup import fingerprint as fp
from dedup.clean.damage import align_damage
from dedup.clean.page import FURNITURE_ONLY, title_findings
from dedup.cluster import CopyInputs, Figures, Rank, build_clusters, link, settle_clusters
from dedup.cluster import figures as pair_figures
from dedup.cluster.align import aligned_tokens
from dedup.cluster.anchors import anchor_candidates, anchor_keys
from dedup.cluster.components import UnionFind
from dedup.cluster.figures import Layout, layout, opening
from dedup.cluster.holding import Holding
from dedup.cluster.settle import HoldingJob
from dedup.config import SCHEME, Config
from dedup.engines.stages import (
    Progress,
    RunResult,
    check_paths,
    citation_row,
    clean_batch,
    clean_version,
    common_sources,
    default_workers,
    fault_point,
    fingerprint_meta,
    finish,
    furniture_stage,
    ingest,
    no_progress,
    quotations,
    reuse_row,
    run_counts,
    singleton_results,
    source_row,
    speculation_misses,
    work_state,
)
from dedup.exits import mark_stopped
from dedup.ingest_fields import CsvColumns
from dedup.models import Citation, Cluster, PairScore, Reuse, to_json
from dedup.runtime.context import RunContext, Tuning, check_only
from dedup.runtime.doc_memo import DocMemo
from dedup.runtime.pool import Pool, batches, spread, worker_state
from dedup.runtime.progress import Meter
from dedup.runtime.signals import keep_from_children
from dedup.store import LazyDocuments, Store

_GAPS_JSON = json.JSONEncoder(ensure_ascii=False).encode


def run(
    paths: Sequence[str],
    *,
    db: str = "dedup.db",
    config: Config | None = None,
    encoding: str | None = None,
    stdin: IO[str] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    tuning: Tuning | None = None,
    id_prefix: str = "",
    csv_columns: CsvColumns | None = None,
    paragraph_sep: str | None = None,
    only: str | None = None,
) -> RunResult:
    """Run the whole job on files, folders or ``-`` (JSON Lines on ``stdin``) into database ``db``.

    ``only="copies"`` runs ingest, cleaning, clustering and the canonical choice alone: the same
    clusters and canonical copies as the whole job, without the quotation stage, the damage
    alignment of copies (their completeness and gaps stay unknown) or citations.
    ``tuning`` sets batch sizes and switches that change how the run runs, never its results.
    ``csv_columns`` names columns of CSV inputs (the others are found by their usual names);
    ``paragraph_sep`` splits the text of CSV rows and JSON records into paragraphs where it stands.
    """
    config = config or Config()
    check_only(only)
    check_paths(paths)
    store = Store(db, writer=True)
    # A run holds millions of long-lived objects (per-document records, 100k-row result
    # lists); each full pass of the cyclic collector walks all of them, which cost 2 s of a
    # 15 s incremental run. The stages make no reference cycles worth collecting mid-run
    # (reference counting frees their garbage), so the collector waits until the run ends.
    was_enabled = gc.isenabled()
    gc.disable()
    ctx: RunContext | None = None
    run_id: int | None = None
    try:
        # The run lock (the store's open lock file) is this process's alone: a forked worker left
        # alive after the run would otherwise hold it, and every rerun would be refused.
        with keep_from_children(getattr(store, "_lock", None)):
            run_id = store.start_run(__version__, config.name(), config.to_dict(), list(paths))
            ctx = RunContext(store, run_id, config, workers or default_workers(), progress or no_progress,
                             encoding, stdin, tuning or Tuning(), id_prefix=id_prefix,
                             csv_columns=csv_columns or CsvColumns(), paragraph_sep=paragraph_sep, only=only)
            ctx.spool()
            order, counts = ingest(ctx, paths)
            return finish(ctx, analyse(ctx, counts), order)
    except BaseException as exc:
        # a signal or an error: the run is marked interrupted or failed, with its stage (the pools
        # have killed their workers on the way out)
        if run_id is not None:
            mark_stopped(store, run_id, ctx.stage if ctx else "start", ctx.timings if ctx else {}, exc)
        raise
    finally:
        if ctx is not None:
            ctx.close()
        store.close()
        if was_enabled:
            gc.enable()


def run_records(
    records: Iterable[dict[str, Any]], *, config: Config | None = None, db: str | None = None,
    progress: Progress | None = None, workers: int | None = None, only: str | None = None,
) -> RunResult:
    """Run on in-memory records (dicts with ``text`` or ``html`` and optional metadata).

    Without ``db`` the results go to a temporary database removed at exit; ``only`` as :func:`run`.
    """
    if db is None:
        folder = tempfile.mkdtemp(prefix="dedup-")
        atexit.register(shutil.rmtree, folder, True)
        db = os.path.join(folder, "run.db")
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return run(["-"], db=db, config=config, stdin=io.StringIO(lines), progress=progress, workers=workers, only=only)


def analyse(ctx: RunContext, counts: dict[str, int]) -> RunResult:
    """Everything after ingest, over the whole corpus in the database."""
    store, config = ctx.store, ctx.config
    # the clean bar: without a total while the corpus furniture is found (a second on 50k documents)
    bar = Meter(ctx.report, "clean")
    with ctx.timed("furniture"):
        furniture, todo = _furniture_and_todo(ctx)
        # what cleaning at ingest looked up served only to find the documents to clean again: the
        # counts need only how many documents this run cleaned (a few hundred bytes a document let go)
        n_cleaned = len(todo | set(ctx.speculated))
        ctx.speculated.clear()
    fault_point("furniture")
    with ctx.timed("clean+fingerprint"):
        _clean_stage(ctx, furniture, todo, bar)
    with ctx.timed("signatures"):
        ids, sigs, ranks = _signatures(ctx)
    fault_point("cluster")
    with ctx.timed("cluster"):
        clusters, pairs, n_candidates = _cluster(ctx, ids, sigs, ranks)
        del sigs  # (512 bytes a document, read by no later stage)
    fault_point("damage")
    with ctx.timed("canonical" if ctx.copies_only else "damage"):
        text_keys = store.text_keys()
        clusters, damage, updates = _damage_and_inference(ctx, clusters, ranks, text_keys)
    fault_point("reuse")
    # the quotation stage sees this run's inferred metadata (dates and outlets of copies), which is
    # written to the database only with the results
    inferred = {d: json.loads(u["inferred"]) for d, u in updates.items() if u["inferred"] != "{}"}
    documents = LazyDocuments(store.path, ids, inferred=inferred, text_keys=text_keys)
    reuses: list[Reuse] = []
    citations: list[Citation] = []
    sources: list[dict[str, Any]] = []
    if not ctx.copies_only:
        reuses, citations = quotations(ctx, documents, clusters)
        with ctx.timed("reuse"):
            reuses, sources = common_sources(documents, reuses)
    fault_point("store")
    with ctx.timed("store"):
        bar = Meter(ctx.report, "store")  # (one transaction: a bar with no steps, full when it is written)
        store.save_results(clusters, updates, [reuse_row(r) for r in reuses], [citation_row(c) for c in citations],
                           [source_row(s) for s in sources])
        bar.expect(1)
        bar.close()
    # processed: documents cleaned this run, at ingest or in the clean stage
    counts = run_counts(counts, n_cleaned, len(ids), clusters, n_candidates, len(pairs),
                        reuses, citations, ctx.problems)
    # fresh reader: inferred metadata was just written
    return RunResult(config, ctx.run_id, store.path, LazyDocuments(store.path, ids), clusters, pairs, reuses,
                     citations, ctx.problems, counts, ctx.timings, damage, sources=sources)


def _furniture_and_todo(ctx: RunContext) -> tuple[dict[str, str], set[str]]:
    """Corpus furniture, and the documents to clean (again): those whose furniture lines, or the
    cleaning code, changed since they were cleaned, and those ingest cleaned without furniture
    that looked up a line the furniture holds."""
    # Corpus furniture is a property of the whole corpus, computed from what ingest stored
    # (never from what cleaning found), so a re-run finds the same.
    version = clean_version()
    keys = ctx.store.clean_keys()
    furniture, todo = furniture_stage(ctx, keys)
    todo |= {d for d, (ck, _) in keys.items() if ck != version}
    todo |= speculation_misses(ctx.speculated, furniture)
    return furniture, todo


def _clean_stage(ctx: RunContext, furniture: dict[str, str], todo: set[str], bar: Meter) -> None:
    """Clean and fingerprint the documents ``todo`` in the pool; a document that fails is a problem
    and is forgotten, so that the next run tries it again and nothing half-made stays."""
    store, config, version = ctx.store, ctx.config, clean_version()
    fingerprint = fingerprint_meta(config)
    bar.expect(len(todo))
    spool = ctx.spool()
    size = spread(len(todo), ctx.workers, ctx.tuning.batch)
    with Pool(ctx.workers, work_state(ctx, {"furniture": furniture, "config": config})) as pool:
        for n, (docs, fkeys, sig_bytes, failed, entries) in enumerate(
            pool.map(clean_batch, batches(store.iter_work(todo), size)), start=1
        ):
            sigs = np.frombuffer(sig_bytes, dtype=np.uint32).reshape(len(docs), config.num_perm)
            with store.transaction():
                store.save_cleaned(docs, ctx.run_id, version, fkeys, sigs, fingerprint, singleton_results)
            spool.spool(entries)
            if failed:
                ctx.problems.extend(p for _, p in failed)
                store.delete_documents([doc_id for doc_id, _ in failed])
            bar.add(len(docs) + len(failed))
            fault_point(f"clean:{n}")
    bar.close()
    store.set_meta("furniture", json.dumps(furniture, sort_keys=True, ensure_ascii=False))


_RankRow = tuple[str, int, int, "str | None"]


def _signatures(ctx: RunContext) -> tuple[list[str], np.ndarray, list[_RankRow]]:
    """Every document's signature under this run's settings (made again for documents signed under
    others), and (id, clean length, defects, date) of every document, read once for the stages below."""
    store, config = ctx.store, ctx.config
    ids, sigs = store.load_signatures(config.fingerprint_key)
    ranks = store.ranks()
    all_ids = [r[0] for r in ranks]
    if len(ids) != len(all_ids):
        missing = sorted(set(all_ids) - set(ids))
        bar = Meter(ctx.report, "signatures", len(missing))  # (documents signed under other settings)
        texts = store.texts(missing)
        for batch in batches(missing, 2048):
            sh, bounds = fp.batch_shingles([texts[d] for d in batch], config.shingle_size)
            store.save_signatures(batch, fp.signatures_concat(sh, bounds, config.num_perm, config.seed),
                                  config.fingerprint_key, SCHEME, config.num_perm, config.seed, config.shingle_size,
                                  anchor_keys(sh, bounds))
            bar.add(len(batch))
        bar.close()
        ids, sigs = store.load_signatures(config.fingerprint_key)
    return ids, sigs, ranks


def _by_group(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs ordered by the connected group of documents they fall in (groups by their smallest
    id), each group's pairs sorted: a deterministic order in which a batch spans few documents."""
    listed = sorted(pairs)
    groups = UnionFind(d for pair in listed for d in pair)
    for a, b in listed:
        groups.union(a, b)
    return sorted(listed, key=lambda p: (groups.find(p[0]), p))


#: below this many grey pairs, aligning them in the main process as grouping asks costs less than a pool
_POOL_ALIGNMENTS = 500


def _align_pairs_batch(job: tuple[str, list[tuple[str, str]]]) -> list[tuple[str, str, float]]:
    """Ordered word alignments of pairs (any process), each document tokenised once per batch."""
    path, pairs = job
    texts = _worker_reader(path).texts({d for pair in pairs for d in pair})
    order = sorted(texts)
    hashes, bounds = fp.batch_token_hashes([texts[d] for d in order])
    tokens = {d: hashes[bounds[i] : bounds[i + 1]] for i, d in enumerate(order)}
    return [(a, b, aligned_tokens(tokens[a], tokens[b])) for a, b in pairs]


def _measure_batch(job: tuple[str, int, list[tuple[str, str]]]) -> list[tuple[Any, ...]]:
    """Exact figures of candidate pairs (any process): the texts come from the database, not the caller."""
    path, shingle_size, pairs = job
    texts = _worker_reader(path).texts({d for pair in pairs for d in pair})
    order = sorted(texts)
    sets = dict(zip(order, fp.shingle_sets([texts[d] for d in order], shingle_size), strict=True))
    out = []
    for a, b in pairs:
        f = pair_figures(a, b, sets[a], sets[b])
        out.append((a, b, f.jaccard, f.c_ab, f.c_ba, f.n_a, f.n_b, None))
    return out


def _cluster(
    ctx: RunContext, ids: list[str], sigs: np.ndarray, ranks: list[_RankRow]
) -> tuple[list[Cluster], list[PairScore], int]:
    """LSH candidates, exact figures and alignments (kept between runs), clusters
    (:func:`dedup.cluster.build_clusters`)."""
    store, config = ctx.store, ctx.config
    # the bar: candidate pairs to measure, then every document as its component is grouped
    bar = Meter(ctx.report, "cluster")
    # LSH for copies of similar length, anchor keys for a short copy inside a long page
    # the anchor index is built in a thread beside the banding: both are numpy sorts, which let go of
    # the GIL, and nothing else runs in this stage until the candidates are known (~0.8 s of 100k)
    with ThreadPoolExecutor(1) as side:
        anchored = side.submit(anchor_candidates, store.load_anchors(config.fingerprint_key))
        banded = fp.lsh_candidates(fp.band_keys(sigs, config.bands, config.rows))
        candidates = np.unique(np.concatenate([banded, anchored.result()]).reshape(-1, 2), axis=0)
    if store.get_meta("pairs_key") != config.fingerprint_key:
        # cached figures were measured on shingles of another size: measure again
        store.clear_pairs()
        store.set_meta("pairs_key", config.fingerprint_key)
    rank_of = {doc_id: Rank(doc_id, length, defects, date) for doc_id, length, defects, date in ranks}
    known = store.load_pairs()
    new_rows: dict[tuple[str, str], tuple[Any, ...]] = {}

    # figures of the new candidate pairs in the pool, each batch reading its own texts: the pairs of
    # one group of candidates together, so that a batch makes each document's shingles once, not once
    # per pair (9 copies of an article are 36 pairs)
    pairs = sorted({(ids[min(i, j)], ids[max(i, j)]) for i, j in candidates.tolist()})
    todo = _by_group(set(pairs) - known.keys())
    bar.expect(len(todo) + len(ids))
    jobs = [(store.path, config.shingle_size, batch) for batch in batches(todo, 1024)]
    with Pool(ctx.workers if len(todo) > 2000 else 1, {}) as pool:
        for rows in pool.map(_measure_batch, jobs):
            for row in rows:
                known[(row[0], row[1])] = row[2:]
                new_rows[(row[0], row[1])] = row
            bar.add(len(rows))

    memo = DocMemo(store.texts, config.shingle_size)

    def figures(a: str, b: str) -> Figures:
        if (a, b) not in known:  # a pair that was no candidate (a composite's witnesses)
            ha, hb = memo.shingles([a, b])
            f = pair_figures(a, b, ha, hb)
            known[(a, b)] = (f.jaccard, f.c_ab, f.c_ba, f.n_a, f.n_b, None)
            new_rows[(a, b)] = (a, b, *known[(a, b)])
        jac, c_ab, c_ba, n_a, n_b, _ = known[(a, b)]
        return Figures(a, b, jac, c_ab, c_ba, n_a, n_b)

    def aligned(a: str, b: str) -> float:
        jac, c_ab, c_ba, n_a, n_b, share = known[(a, b)]
        if share is None:
            share = aligned_tokens(*memo.tokens([a, b]))
            known[(a, b)] = (jac, c_ab, c_ba, n_a, n_b, share)
            new_rows[(a, b)] = (a, b, *known[(a, b)])
        return float(share)

    def where(page: str, x: str, y: str) -> Layout:
        # asked only of pages suspected to be composites: not worth keeping between runs
        hp, hx, hy = memo.shingles([page, x, y])
        return layout(hp, hx, hy, opening(store.texts([y])[y], config))

    kinds = {p: link(figures(*p), config) for p in pairs}
    linked = [p for p in pairs if kinds[p] is not None]
    bar.add(len(ids) - len({d for p in linked for d in p}))  # (the documents that are copies of none)
    # the cleaner's page findings, and what a page's title says (a digest or briefing)
    stored = store.findings_and_titles({d for p in linked for d in p})
    defects = {d: found + title_findings(title) for d, (found, title) in stored.items()}
    # the pairs only a word alignment decides (the grey zone), aligned in the pool before grouping asks
    # for them one by one: exactly the pairs grouping aligns (documents of furniture only never join)
    grey = [p for p in linked if known[p][5] is None and kinds[p] == "grey"
            and FURNITURE_ONLY not in defects[p[0]] and FURNITURE_ONLY not in defects[p[1]]]
    if len(grey) > _POOL_ALIGNMENTS and ctx.workers > 1:
        with Pool(ctx.workers, {}) as pool:
            for rows in pool.map(_align_pairs_batch, [(store.path, b) for b in batches(_by_group(grey), 512)]):
                for a, b, share in rows:
                    known[(a, b)] = (*known[(a, b)][:5], share)
                    new_rows[(a, b)] = (a, b, *known[(a, b)])
    inputs = CopyInputs(config, rank_of.__getitem__, defects.__getitem__, figures, aligned, where)
    clusters, verified = build_clusters(ids, linked, inputs, done=bar.add)
    store.save_pairs(sorted(new_rows.values()))
    bar.close()
    return clusters, verified, len(candidates)


def _damage_and_inference(
    ctx: RunContext, clusters: list[Cluster], ranks: list[_RankRow], text_keys: Mapping[str, str]
) -> tuple[list[Cluster], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Settle canonicals of larger clusters, align copies against them, infer metadata from mates.

    What this gives for a cluster depends only on its members' texts (and
    what cleaning read from them), so it is kept in the cache under the
    cluster, its canonical and its members' text keys: an incremental run
    works only on the clusters that gained, lost or changed a member.
    Alignments are kept too (per pair, by both texts' keys).
    """
    cache = ctx.store.cache("clusters")
    multi = [c for c in clusters if len(c.members) > 1]
    # a copies-only run settles canonicals without aligning copies: its entries are its own
    salt = ctx.config.name() + (" copies-only" if ctx.copies_only else "")
    keys = {
        c.id: hashlib.sha1("\n".join(
            [salt, c.id, c.canonical, c.reason, *(f"{m}\t{text_keys.get(m, '')}" for m in c.members)]
        ).encode("utf-8", "surrogatepass")).hexdigest()
        for c in multi
    }
    found = {name: pickle.loads(blob) for name, blob in cache.get_many(keys.values()).items()}
    todo = [c for c in multi if keys[c.id] not in found]
    # the bar: each member of a cluster to settle is measured, and aligned against its canonical
    steps = sum(len(c.members) if ctx.copies_only else 2 * len(c.members) - 1 for c in todo)
    bar = Meter(ctx.report, "canonical" if ctx.copies_only else "damage", steps)
    fresh = _settle_and_align(ctx, todo, text_keys, ranks, bar)
    bar.close()
    cache.put_many((keys[c.id], pickle.dumps(fresh[c.id], protocol=pickle.HIGHEST_PROTOCOL)) for c in todo)
    if cache.count() > len(keys):
        cache.retain(keys.values())

    damage: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    out: list[Cluster] = []
    for c in clusters:
        if len(c.members) == 1:
            out.append(c)
            damage[c.canonical] = {"completeness": 1.0, "gaps": []}
            updates[c.canonical] = singleton_results(c.canonical, c.id)
            continue
        settled, cluster_damage, cluster_updates = fresh.get(c.id) or found[keys[c.id]]
        # what holds the cluster and what a composite holds may change with documents outside it
        # (a new copy of a story a composite page carries): never taken from the cache
        out.append(replace(settled, links=c.links, contains=c.contains))
        damage.update(cluster_damage)
        updates.update(cluster_updates)
    return out, damage, updates


# A cluster of two or more as the cache keeps it: settled, with each member's damage and result columns.
_Settled = tuple[Cluster, dict[str, dict[str, Any]], dict[str, dict[str, Any]]]


def _settle_and_align(
    ctx: RunContext, multi: list[Cluster], text_keys: Mapping[str, str], ranks: list[_RankRow], bar: Meter,
) -> dict[str, _Settled]:
    """Per cluster of two or more (:func:`dedup.cluster.settle_clusters`): the settled cluster, and
    each member's damage and result columns. Alignments are read from the database where both
    texts are unchanged, the rest are made in the pool and stored."""
    if not multi:
        return {}
    store, config = ctx.store, ctx.config
    members = sorted({m for c in multi for m in c.members})
    # metadata and ranks only: texts are read just for the alignments not in the cache
    # inferred={}: this stage infers them again, so the stored ones are not even parsed
    docs = {d.id: d for d in LazyDocuments(store.path, members, inferred={}).metadata()}
    rank_of = {r[0]: Rank(*r) for r in ranks if r[0] in docs}
    keys = {d: text_keys.get(d, "") for d in docs}
    cache = store.load_alignments(members)
    # (doc, against) -> completeness, gaps, gaps as JSON
    fresh: dict[tuple[str, str], tuple[float, list[dict[str, Any]], str]] = {}
    pool = Pool(ctx.workers, {})

    def align(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
        if ctx.copies_only:
            return {}  # (the copies' damage is not measured: completeness and gaps stay unknown)
        jobs = []
        for doc_id, against in pairs:
            hit = cache.get((doc_id, against))
            if hit and hit[0] == keys.get(doc_id) and hit[1] == keys.get(against):
                fresh[(doc_id, against)] = (hit[2], json.loads(hit[3]), hit[3])
            elif (doc_id, against) not in fresh:
                jobs.append((doc_id, against))
        bar.add(len(pairs) - len(jobs))
        if jobs:
            # forking a pool costs more than a few hundred alignments of ~0.15 ms
            many = len(jobs) > 500 and ctx.workers > 1
            texts = None if many else store.texts({d for job in jobs for d in job})
            run_map = pool.map if many else map
            for batch in run_map(_align_batch, ((store.path, b, texts) for b in batches(jobs, 256))):
                rows = []
                for doc_id, against, completeness, gaps, gaps_json in batch:
                    fresh[(doc_id, against)] = (completeness, gaps, gaps_json)
                    rows.append((doc_id, against, keys.get(doc_id) or "", keys.get(against) or "",
                                 completeness, gaps_json))
                store.save_alignments(rows)
                bar.add(len(rows))
        return {pair: fresh[pair][0] for pair in pairs}

    memo = DocMemo(store.texts, config.shingle_size)
    # the figures the cluster stage measured (nearly every pair of a cluster was an LSH candidate): the
    # same rounded figures the shingles would give, without making them again; read on first need,
    # since only a cluster whose canonical copy changes asks
    figures_of: dict[tuple[str, str], tuple[float, float, float, int, int, float | None]] = {}

    # pairs no stage had measured (a member against a canonical copy it was no candidate with: in a star
    # bucket, members meet only the bucket's first ids), kept in the pairs cache as the Spark engine does
    new_pairs: list[tuple[Any, ...]] = []

    def pair_score(a: str, b: str) -> PairScore:
        if not figures_of:
            figures_of.update(store.load_pairs())
        key = (a, b) if a < b else (b, a)
        stored = figures_of.get(key)
        if stored is not None:
            return Figures(*key, *stored[:3], stored[3], stored[4]).score(config)
        f = pair_figures(a, b, *memo.shingles([a, b]))  # (ordered a < b, as stored)
        figures_of[key] = (f.jaccard, f.c_ab, f.c_ba, f.n_a, f.n_b, None)
        new_pairs.append((*key, *figures_of[key]))
        return f.score(config)

    out: dict[str, _Settled] = {}
    # many members: measured in the pool (see measured), and their texts read there
    pooled = len(members) > 8000 and ctx.workers > 1
    # what each copy holds is measured a few thousand members at a time, in the pool (shared with
    # the alignments, forked on first use) when there are many
    def measured(fn: Callable[[HoldingJob], list[dict[str, Holding]]],
                 jobs: Iterator[HoldingJob]) -> Iterator[list[dict[str, Holding]]]:
        # (the bar advances by the members of each batch as it comes back)
        sizes: deque[int] = deque()

        def counted() -> Iterator[HoldingJob]:
            for job in jobs:
                sizes.append(sum(len(members) for members, _ in job[0]))
                yield job

        for out in (pool.map if pooled else map)(fn, counted()):
            bar.add(sizes.popleft())
            yield out

    with pool:
        # in the pool, a batch's worker reads its texts: the main process neither reads nor pickles them
        texts = cast(Callable[[Sequence[str]], Mapping[str, str]],
                     partial(_StoredTexts, store.path) if pooled else store.texts)
        results = settle_clusters(multi, rank_of.__getitem__, docs, pair_score, align, texts,
                                  config.shingle_size, measured)
    store.save_pairs(new_pairs)
    for settled in results:
        c = settled.cluster
        damage: dict[str, dict[str, Any]] = {}
        updates: dict[str, dict[str, Any]] = {}
        for m in c.members:
            info: dict[str, Any] = {"completeness": 1.0, "gaps": []}
            gaps_json = "[]"
            if m != c.canonical and ctx.copies_only:
                info = {"completeness": None, "gaps": []}
            elif m != c.canonical:
                completeness, gaps, gaps_json = fresh[(m, c.canonical)]
                info = {"completeness": round(completeness, 4), "gaps": gaps}
            inferred = settled.inferred[m]
            damage[m] = info
            updates[m] = {
                "cluster": c.id, "canonical": int(m == c.canonical),
                "completeness": info["completeness"],
                "gaps": gaps_json if info["gaps"] else "[]",
                "inferred": to_json(inferred) if inferred else "{}",
            }
        out[c.id] = (c, damage, updates)
    return out


def _align_batch(
    job: tuple[str, list[tuple[str, str]], Mapping[str, str] | None],
) -> list[tuple[str, str, float, list[dict[str, Any]], str]]:
    """Alignments of (doc, against) pairs: completeness, gaps and the gaps' JSON. A pool worker
    reads the texts itself (``texts`` None): sending them cost the main process a pickle of two
    texts per pair."""
    path, pairs, texts = job
    if texts is None:
        texts = _worker_reader(path).texts({d for pair in pairs for d in pair})
    out = []
    for doc_id, against in pairs:
        gaps, completeness = align_damage(texts[doc_id], texts[against])
        found = [g.to_dict() for g in gaps]
        out.append((doc_id, against, completeness, found, _GAPS_JSON(found) if found else "[]"))
    return out


class _StoredTexts(Mapping[str, str]):
    """Documents' clean texts, read from the run's database on first use: pickled as the path and
    the ids, so that a pool worker reads its batch itself."""

    def __init__(self, path: str, ids: Sequence[str]) -> None:
        self.path, self.ids = path, ids
        self._texts: dict[str, str] | None = None

    def _read(self) -> dict[str, str]:
        if self._texts is None:
            self._texts = _worker_reader(self.path).texts(self.ids)
        return self._texts

    def __getitem__(self, doc_id: str) -> str:
        return self._read()[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __getstate__(self) -> tuple[str, Sequence[str]]:
        return self.path, self.ids

    def __setstate__(self, state: tuple[str, Sequence[str]]) -> None:
        self.path, self.ids = state
        self._texts = None


def _worker_reader(path: str) -> Store:
    """A pool worker's read-only view of the run's database, opened once per worker."""
    key = f"reader:{path}"
    state = worker_state()
    reader = state.get(key)
    if reader is None:
        reader = state[key] = Store(path)
    return cast(Store, reader)


