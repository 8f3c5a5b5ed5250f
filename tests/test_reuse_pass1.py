"""reuse_runner.pass1_entries: the pass-1 records that a cleaning worker makes while it has the clean texts;
find_reuses then reads them instead of scanning any document, with the same result."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from dedup.config import Config
from dedup.engines.stages import prepare
from dedup.ingest import RawInput
from dedup.models import Citation, Document, Reuse
from dedup.runtime.blobs import MemoryCache
from dedup.runtime.metrics import RunMetrics
from dedup.runtime.reuse_runner import find_reuses, pass1_entries, plain_text_key
from tests.corpora import generated, truth_clusters

CONFIG = Config()
# The figures of the last find_reuses call of a test.
STATS: dict[str, int] = {}


def _prepared(records: list[dict[str, Any]]) -> list[Document]:
    """Cleaned documents whose offset maps are not the identity (doubled spaces, soft hyphens and
    page furniture the cleaner removes), so that the spans in the records map to other raw offsets."""
    out = []
    for k, r in enumerate(records):
        body = r["text"]
        if k % 3 == 0:
            body = body.replace(". ", ".  ", 3).replace(" the ", " the\u00ad ", 2)
            body += "\n\nAdvertisement\n\nShare this article on Facebook"
        raw = RawInput(id=r["id"], source=f"{r['id']}.txt", content_hash=r["id"], kind="text", body=body,
                       encoding="utf-8", title=r.get("title"), outlet=r.get("outlet"), date=r.get("date"))
        out.append(prepare(raw, {}))
    return out


def _run(docs: list[Document], groups: list[list[str]], cache: MemoryCache | None,
         workers: int = 1) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    metrics = RunMetrics()
    found: tuple[list[Reuse], list[Citation]] = find_reuses(
        docs, truth_clusters(groups, {d.id for d in docs}), CONFIG, workers=workers, cache=cache, metrics=metrics
    )
    STATS.clear()
    STATS.update(metrics.stats)
    return [r.to_dict() for r in found[0]], [c.to_dict() for c in found[1]]


def _entries(docs: list[Document]) -> list[tuple[str, bytes]]:
    return pass1_entries(docs, [plain_text_key(d) for d in docs])


def test_entries_spare_every_scan_and_give_the_same_result() -> None:
    records, groups = generated(400, seed=8)
    docs = _prepared(records)
    assert any(list(d.offsets) != list(range(len(d.offsets))) for d in docs)
    want = _run(docs, groups, None)
    assert want[0] and want[1]
    assert STATS["docs_scanned"] == len({plain_text_key(d) for d in docs})
    # made in other processes, in batches, as cleaning workers make them
    cache = MemoryCache()
    with ProcessPoolExecutor(max_workers=2) as pool:
        for entries in pool.map(_entries, [docs[lo : lo + 70] for lo in range(0, len(docs), 70)]):
            cache.put_many(entries)
    assert _run(docs, groups, cache, workers=2) == want
    assert STATS["docs_scanned"] == 0 and STATS["pass1_hits"] == len(docs)
    # the call keeps the records in its own layout and lets the entries go
    assert not any(k.startswith("1:") for k in cache.data)
    # a later run with added documents, entries for the added ones only: nothing scanned either
    more, _ = generated(480, seed=8)
    added = _prepared(more[400:])
    cache.put_many(_entries(added))
    got = _run(docs + added, groups, cache)
    scanned, incremental = STATS["docs_scanned"], STATS["pairs_incremental"]
    assert got == _run(docs + added, groups, None)
    assert scanned == 0 and incremental == 1


def test_entries_do_not_depend_on_batches() -> None:
    records, _ = generated(60, seed=9)
    docs = _prepared(records)
    keys = [plain_text_key(d) for d in docs]
    whole = pass1_entries(docs, keys)
    assert len(whole) == len(docs) and len({k for k, _ in whole}) == len(set(keys))
    assert pass1_entries(docs[:17], keys[:17]) + pass1_entries(docs[17:], keys[17:]) == whole
    assert pass1_entries([], []) == []
    with pytest.raises(ValueError):
        pass1_entries(docs, keys[:-1])


def test_a_partial_set_of_entries_scans_the_rest() -> None:
    records, groups = generated(200, seed=10)
    docs = _prepared(records)
    cache = MemoryCache()
    cache.put_many(_entries(docs[::2]))
    got = _run(docs, groups, cache)
    # (a text of an odd document that an even one has too is not scanned either)
    odd, even = {plain_text_key(d) for d in docs[1::2]}, {plain_text_key(d) for d in docs[::2]}
    assert STATS["docs_scanned"] == len(odd - even)
    assert got == _run(docs, groups, None)
