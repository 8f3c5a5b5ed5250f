"""find_reuses against the reference implementation (dedup.reuse.reference_reuses: serial, no
cache, pairs by their definition), and the pair counter against the definition, on generated
corpora and on the data-driven cases, with any chunking, slicing, spilling and workers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dedup.config import Config
from dedup.models import Citation, Cluster, Document, Reuse
from dedup.reuse import pass1, reference_reuses
from dedup.reuse.candidates import reference_pairs
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.runtime.blobs import MemoryCache
from dedup.runtime.metrics import RunMetrics
from dedup.runtime.reuse_runner import ReuseTuning, _Run, find_reuses
from tests.conftest import load_cases
from tests.corpora import generated, truth_clusters

CONFIG = Config()
# every knob small: many scan chunks, prepare and match tasks, pair slices with spill files
SMALL = ReuseTuning(scan_chunk=7, scan_chars=5000, prepare_chunk=3, pass2_chunk_docs=9, fp_part_bits=2,
                    small_count=0, pair_spills=3, segment_slots=40, segment_slack=1)


def _doc(doc_id: str, text: str, **meta: Any) -> Document:
    return Document(id=doc_id, source=doc_id, content_hash=doc_id, raw=text, text=text, **meta)


def _docs(records: list[dict[str, Any]]) -> list[Document]:
    return [_doc(r["id"], r["text"], outlet=r.get("outlet"), date=r.get("date"), title=r.get("title"))
            for r in records]


def _dicts(found: tuple[list[Reuse], list[Citation]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return [r.to_dict() for r in found[0]], [c.to_dict() for c in found[1]]


def _case_docs(case: dict[str, Any], prefix: str = "") -> tuple[list[Document], list[Cluster]]:
    docs = [_doc(prefix + d["id"], d["text"], **{k: v for k, v in d.items() if k not in ("id", "text")})
            for d in case["docs"]]
    clusters = [Cluster(id=f"{prefix}c{i}", members=[prefix + m for m in c["members"]],
                        canonical=prefix + c["canonical"], reason="case")
                for i, c in enumerate(case.get("clusters", []))]
    return docs, clusters


@pytest.mark.parametrize("case", load_cases("reuse"))
def test_each_case_as_the_reference_finds_it(case: dict[str, Any]) -> None:
    docs, clusters = _case_docs(case)
    assert _dicts(find_reuses(docs, clusters, CONFIG)) == _dicts(reference_reuses(docs, clusters, CONFIG))


def test_all_cases_in_one_corpus() -> None:
    docs: list[Document] = []
    clusters: list[Cluster] = []
    for k, param in enumerate(load_cases("reuse")):
        more_docs, more_clusters = _case_docs(param.values[0], f"{k}-")
        docs += more_docs
        clusters += more_clusters
    want = _dicts(reference_reuses(docs, clusters, CONFIG))
    assert want[0] and want[1]
    assert _dicts(find_reuses(docs, clusters, CONFIG)) == want
    assert _dicts(find_reuses(docs, clusters, CONFIG, workers=2, tuning=SMALL)) == want


@pytest.mark.parametrize("seed", [3, 11])
def test_generated_corpus(seed: int) -> None:
    records, groups = generated(240, seed=seed)
    docs = _docs(records)
    clusters = truth_clusters(groups, {d.id for d in docs})
    want = _dicts(reference_reuses(docs, clusters, CONFIG))
    assert want[0]
    assert _dicts(find_reuses(docs, clusters, CONFIG)) == want
    # small pieces, two workers, and an incremental run on a cache
    cache = MemoryCache()
    first = docs[:150]
    find_reuses(first, truth_clusters(groups, {d.id for d in first}), CONFIG, cache=cache, tuning=SMALL)
    metrics = RunMetrics()
    got = find_reuses(docs, clusters, CONFIG, workers=2, cache=cache, tuning=SMALL, metrics=metrics)
    assert metrics.stats["pairs_incremental"] == 1 and metrics.stats["pair_hits"] > 0
    assert _dicts(got) == want


def test_other_params_are_followed_by_both() -> None:
    records, groups = generated(150, seed=5)
    docs = _docs(records)
    clusters = truth_clusters(groups, {d.id for d in docs})
    params = ReuseParams(max_fp_groups=4, min_shared_fp=2, align_margin=10, w_attribution=0.5, window=10)
    want = _dicts(reference_reuses(docs, clusters, CONFIG, params))
    assert want != _dicts(reference_reuses(docs, clusters, CONFIG))
    assert _dicts(find_reuses(docs, clusters, CONFIG, params=params, tuning=SMALL)) == want


@pytest.mark.parametrize("params", [DEFAULT, ReuseParams(max_fp_groups=3, min_shared_fp=2)])
@pytest.mark.parametrize("tuning", [ReuseTuning(), ReuseTuning(small_count=0, fp_part_bits=1, pair_spills=1), SMALL])
def test_candidate_pairs_are_the_definition(params: ReuseParams, tuning: ReuseTuning) -> None:
    records, groups = generated(400, seed=8)
    docs = _docs(records)
    run = _Run(docs, truth_clusters(groups, {d.id for d in docs}), CONFIG, 2, None, params, tuning, RunMetrics())
    run.pool.close()
    # (the run lets its own fingerprints go once counted: the definition's are made here again)
    fps = [f for f, _ in pass1.records(docs, *pass1.scan([d.text for d in docs], params))]
    want, _ = reference_pairs(fps, run.groups.group, params)
    assert len(want) > 5
    assert np.array_equal(run.pairs, want)
