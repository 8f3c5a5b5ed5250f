"""Incremental reuse detection: a run that reads earlier work from the cache gives exactly the result
of a run from scratch, and does only the new work."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

import dedup.runtime.reuse_runner as R
from dedup.config import Config
from dedup.engines.local import run
from dedup.models import Citation, Cluster, Document, Reuse
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.runtime.blobs import MemoryCache
from dedup.runtime.metrics import RunMetrics
from dedup.runtime.reuse_runner import DEFAULT_TUNING, ReuseTuning, find_reuses
from tests.corpora import generated, truth_clusters

CONFIG = Config()
# The figures of the last find_reuses call of a test (each test passes it on).
STATS: dict[str, int] = {}


def _doc(r: dict[str, Any]) -> Document:
    return Document(id=r["id"], source=r["id"], content_hash=r["id"], raw=r["text"], text=r["text"],
                    outlet=r.get("outlet"), date=r.get("date"), title=r.get("title"))


def _dicts(found: tuple[list[Reuse], list[Citation]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return [r.to_dict() for r in found[0]], [c.to_dict() for c in found[1]]


def _find(docs: list[Document], clusters: list[Cluster], cache: MemoryCache | None = None, workers: int = 1,
          params: ReuseParams = DEFAULT, tuning: ReuseTuning = DEFAULT_TUNING) -> tuple[list[Reuse], list[Citation]]:
    """find_reuses, its figures in STATS."""
    metrics = RunMetrics()
    found = find_reuses(docs, clusters, CONFIG, workers=workers, cache=cache, params=params, tuning=tuning,
                        metrics=metrics)
    STATS.clear()
    STATS.update(metrics.stats)
    return found


def _run(records: list[dict[str, Any]], groups: list[list[str]], cache: MemoryCache | None,
         workers: int = 1, params: ReuseParams = DEFAULT,
         tuning: ReuseTuning = DEFAULT_TUNING) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    docs = [_doc(r) for r in records]
    return _dicts(_find(docs, truth_clusters(groups, {d.id for d in docs}), cache, workers, params, tuning))


def _pairs(records: list[dict[str, Any]], groups: list[list[str]], cache: MemoryCache | None,
           params: ReuseParams, tuning: ReuseTuning = DEFAULT_TUNING) -> set[Any]:
    """The candidate group pairs of pass 1, as pairs of member id tuples."""
    docs = [_doc(r) for r in records]
    metrics = RunMetrics()
    run = R._Run(docs, truth_clusters(groups, {d.id for d in docs}), CONFIG, 1, cache, params, tuning, metrics)
    run.pool.close()
    STATS.clear()
    STATS.update(metrics.stats)
    name = {g: tuple(run.catalog.ids[m] for m in members) for g, members in run.groups.members.items()}
    return {(name[g1], name[g2]) for g1, g2 in run.pairs.tolist()}


def test_cached_run_equals_fresh_run_and_does_only_new_work() -> None:
    records, groups = generated(700, seed=5)
    old, new = records[:600], records[600:]
    cache = MemoryCache()
    first = _run(old, groups, cache)
    assert first == _run(old, groups, None)
    # each distinct text once (without ../shared the generator makes some exact copies)
    assert STATS["docs_scanned"] == len({R.plain_text_key(_doc(r)) for r in old})
    # a re-run on the same corpus reads everything
    assert _run(old, groups, cache) == first
    assert STATS["docs_scanned"] == 0 and STATS["pairs_matched"] == 0 and STATS["docs_prepared"] == 0
    assert STATS["pairs_incremental"] == 1 and STATS["groups_dirty"] == 0
    # added documents (copies joining old clusters, quotations of old articles) and one changed text
    changed = dict(old[7], text=old[7]["text"] + "\n\nA sentence the editor added to the article much later on.")
    final = [changed, *old[:7], *old[8:], *new]
    joined = sum(1 for g in groups if any(m in {r["id"] for r in new} for m in g)
                 and any(m in {r["id"] for r in old} for m in g))
    assert joined > 0
    got = _run(final, groups, cache)
    scanned, matched, hits, pairs = (STATS["docs_scanned"], STATS["pairs_matched"], STATS["pair_hits"],
                                     STATS["group_pairs"])
    want = _run(final, groups, None)
    assert got == want
    assert any(r["quoting"] in {x["id"] for x in new} for r in want[0])
    # what is new is every text not seen before: the added documents and the changed one, less any
    # added copy identical to an old text (the generator makes some when it has fewer words to draw on)
    seen = {R.plain_text_key(_doc(r)) for r in old}
    assert scanned == len({R.plain_text_key(_doc(r)) for r in final} - seen) >= len(new) // 2
    assert hits > 0 and matched < pairs


def _shared_sentence_corpus(rng: random.Random, n: int, start: int = 0) -> list[dict[str, Any]]:
    """Documents made of sentences drawn from one small pool, so that most fingerprints are in a
    handful of groups, near MAX_FP_GROUPS as the test sets it."""
    words = [f"w{k}" for k in range(400)]
    pool_rng = random.Random(0)
    pool = [" ".join(pool_rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(70)]
    out = []
    for k in range(start, start + n):
        sents = rng.sample(pool, 6) + [" ".join(rng.choice(words) for _ in range(12)).capitalize() + "."
                                       for _ in range(4)]
        rng.shuffle(sents)
        out.append({"id": f"s{k:04d}", "text": " ".join(sents), "outlet": f"Outlet {k % 7}",
                    "date": f"2024-01-{1 + k % 28:02d}"})
    return out


@pytest.mark.parametrize("stale_lost", [False, True])
def test_incremental_pairs_exact_when_common_fingerprints_flip(stale_lost: bool) -> None:
    """Fingerprints crossing max_fp_groups (set low here so that many do) in both directions:
    adding documents makes phrases common, removing and changing them makes phrases rare again.
    ``stale_lost``: the old records of removed documents are not used (the slower path)."""
    params = ReuseParams(max_fp_groups=6)
    tuning = ReuseTuning(stale_records=not stale_lost)
    rng = random.Random(1)
    groups = [[f"s{k:04d}", f"s{k + 1:04d}"] for k in range(0, 200, 9)]
    cache = MemoryCache()
    present = _shared_sentence_corpus(rng, 60)
    fresh = 60
    recounted = 0
    for step in range(6):
        pairs = _pairs(present, groups, cache, params, tuning)
        recounted += STATS.get("pairs_recounted", 0)
        assert pairs == _pairs(present, groups, None, params), step
        if step % 2:
            assert _run(present, groups, cache, params=params, tuning=tuning) == _run(
                present, groups, None, params=params), step
        # next corpus: documents added, removed, changed
        keep = [r for r in present if rng.random() > 0.2]
        for k in rng.sample(range(len(keep)), 3):
            keep[k] = dict(keep[k], text=keep[k]["text"] + " W1 w2 w3 w4 w5 w6 w7 w8 w9.")
        present = keep + _shared_sentence_corpus(rng, 8 + 10 * (step % 2), fresh)
        fresh += 20
    assert recounted > 0


def test_cluster_change_and_workers() -> None:
    """A cluster that gains or loses members, canonical changes, and the pool: same as from scratch."""
    tuning = ReuseTuning(pass2_chunk_docs=5)
    records, groups = generated(300, seed=4)
    cache = MemoryCache()
    docs = [_doc(r) for r in records]
    present = {d.id for d in docs}
    clusters = truth_clusters(groups, present)
    _find(docs, clusters, cache, tuning=tuning)
    # split the largest cluster, move a canonical
    big = max(clusters, key=lambda c: len(c.members))
    half = len(big.members) // 2
    changed = [c for c in clusters if c is not big]
    changed.append(Cluster(id="x1", members=big.members[:half], canonical=big.members[half - 1], reason="t"))
    if len(big.members) - half >= 2:
        changed.append(Cluster(id="x2", members=big.members[half:], canonical=big.members[half], reason="t"))
    changed[0] = Cluster(id=changed[0].id, members=changed[0].members, canonical=changed[0].members[-1],
                         reason="t")
    got = _dicts(_find(docs, changed, cache, workers=2, tuning=tuning))
    assert STATS["pair_hits"] > 0
    assert got == _dicts(_find(docs, changed))


def test_cache_does_not_grow() -> None:
    records, groups = generated(250, seed=2)
    cache = MemoryCache()
    _run(records[:200], groups, cache)
    size = len(cache.data)
    for k in range(3):
        edited = [dict(r, text=r["text"] + f" Edition {k} of this story was corrected.") if i % 10 == 0 else r
                  for i, r in enumerate(records[:200])]
        _run(edited, groups, cache)
    _run(records[:200], groups, cache)
    assert len(cache.data) == size


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def _results(db: Path, paths: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    result = run(paths, db=str(db), workers=1)
    return [r.to_dict() for r in result.reuses], [c.to_dict() for c in result.citations]


@pytest.fixture
def pipeline_stats(monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures of the quotation stage of a pipeline run in STATS (the pipeline passes no metrics)."""
    real = R.find_reuses

    def spy(*args: Any, **kwargs: Any) -> tuple[list[Reuse], list[Citation]]:
        metrics = RunMetrics()
        found = real(*args, **kwargs, metrics=metrics)
        STATS.clear()
        STATS.update(metrics.stats)
        return found

    monkeypatch.setattr(R, "find_reuses", spy)


@pytest.mark.usefixtures("pipeline_stats")
def test_pipeline_incremental_run_equals_fresh_run(tmp_path: Path) -> None:
    records, _ = generated(500, seed=6)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    old, new = records[:420], records[420:]
    _write(corpus / "a.jsonl", old)
    db = tmp_path / "inc.db"
    _results(db, [str(corpus)])
    # the clean stage made every pass-1 record (runtime.reuse_runner.pass1_entries) while it had the texts at hand
    assert STATS["docs_scanned"] == 0 and STATS["pass1_hits"] == len(old)
    # new documents in a new file, and one old text changed
    old[3] = dict(old[3], text=old[3]["text"] + "\n\nThe article was updated with a statement from the ministry.")
    _write(corpus / "a.jsonl", old)
    _write(corpus / "b.jsonl", new)
    got = _results(db, [str(corpus)])
    stats = dict(STATS)
    want = _results(tmp_path / "fresh.db", [str(corpus)])
    assert got == want
    assert want[0]
    assert stats["docs_scanned"] == 0
    assert stats["pairs_incremental"] == 1
    assert 0 < stats["pairs_matched"] < stats["group_pairs"]
    # and a re-run on an unchanged corpus does no reuse work at all
    assert _results(db, [str(corpus)]) == want
    assert STATS["docs_scanned"] == 0 and STATS["pairs_matched"] == 0 and STATS["groups_dirty"] == 0


def test_segments_split_merge_and_rewrite_exactly() -> None:
    """Pass-1 records in many small segments (segment_slots set low): a corpus from scratch in
    several, new documents in new ones, the smallest merged, mostly gone ones rewritten, copies of
    a text read before taken from a segment; every run equal to one from scratch."""
    tuning = ReuseTuning(segment_slots=16, segment_slack=1)
    records, groups = generated(260, seed=7)
    rng = random.Random(2)
    cache = MemoryCache()
    present = records[:100]
    spare = records[100:]
    seen_segments = set()
    for step in range(7):
        got = _run(present, groups, cache, workers=2 if step % 2 else 1, tuning=tuning)
        stats = dict(STATS)
        assert got == _run(present, groups, None), step
        # more than segment_slack beyond the fewest only while no two of them fit in one
        assert stats["segments"] <= max(-(-len(present) // 16) + 1, 2 * len(present) // 16 + 1), (step, stats)
        seen_segments.add(stats["segments"])
        if step:
            assert stats["pairs_incremental"] == 1
        # next corpus: documents added, removed (most of some segment), changed, copied
        keep = [r for k, r in enumerate(present) if not (20 <= k < 34) and rng.random() > 0.1]
        for k in rng.sample(range(len(keep)), 3):
            keep[k] = dict(keep[k], text=keep[k]["text"] + f" A correction was added in step {step}.")
        copy = dict(rng.choice(keep), id=f"copy-{step}")
        present = keep + spare[: 25] + [copy]
        spare = spare[25:]
    assert len(seen_segments) > 1
    assert not any(k.startswith("1:") for k in cache.data)
