"""Pool workers reuse the memory they free: a batch's numpy arrays come from the heap the last batch
gave back to the allocator, not from fresh pages (page faults) batch after batch."""

from __future__ import annotations

import multiprocessing
import resource
import sys
from typing import Any

import numpy as np
import pytest

from dedup.runtime import pool as pool_module
from dedup.runtime.pool import Pool, keep_freed_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")


def _faults_of_later_batches() -> int:
    """Minor page faults of batches 2-5, each filling three 9 MB arrays at once (a 100k benchmark
    batch's working arrays: its prefix sums are 9 MB) and dropping them."""
    def batch() -> None:
        arrays = [np.ones(9 << 20, dtype=np.uint8) for _ in range(3)]
        del arrays

    batch()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(4):
        batch()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _in_fresh_process(out: Any, keep: bool) -> None:
    if keep:
        keep_freed_memory()
    out.put(_faults_of_later_batches())


def test_keeping_freed_memory_spares_the_page_faults_of_later_batches() -> None:
    # fresh interpreters (spawned): a forked one inherits how this process's allocator has moved
    ctx = multiprocessing.get_context("spawn")
    faults = {}
    for keep in (False, True):
        out = ctx.Queue()
        proc = ctx.Process(target=_in_fresh_process, args=(out, keep))
        proc.start()
        faults[keep] = out.get(timeout=120)
        proc.join()
    if faults[False] < 50:
        pytest.skip(f"the allocator's defaults fault only {faults[False]} pages here (huge pages?)")
    assert faults[True] * 4 <= faults[False], faults


def _kept(_: int) -> bool:
    return bool(getattr(pool_module, "_KEPT_IN_TEST", False))


def test_every_pool_worker_keeps_its_freed_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    def mark() -> None:
        pool_module._KEPT_IN_TEST = True  # type: ignore[attr-defined]

    monkeypatch.setattr(pool_module, "keep_freed_memory", mark)
    with Pool(2, {}) as pool:
        assert list(pool.map(_kept, range(4))) == [True] * 4
    assert not getattr(pool_module, "_KEPT_IN_TEST", False)  # (the workers', not this process's)
