"""The one process pool of a run: bounded, ordered, lazily started, dying with its parent.

Work is handed to workers as plain data; state a stage needs in every worker (furniture, config,
the database path) is given once when the pool starts (:func:`worker_state` reads it), so that the
stage functions never know whether they run in this process or another. With ``workers <= 1``
everything runs in this process, with the same state.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_STATE: dict[str, Any] = {}


def worker_state() -> dict[str, Any]:
    """The state the pool this process works for was started with (in this process too)."""
    return _STATE


def die_with_parent() -> None:
    """A worker whose run is killed (even by SIGKILL) must not live on holding its pipes open."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def set_state(state: dict[str, Any]) -> None:
    _STATE.clear()
    _STATE.update(state)


def _init_worker(state: dict[str, Any]) -> None:
    die_with_parent()
    set_state(state)


def close_readers() -> None:
    """Close the database readers this process opened for its state (workers' end with them)."""
    for key in [k for k in _STATE if k.startswith("reader:")]:
        _STATE.pop(key).close()


class Pool:
    """``map`` and ``submit`` in a process pool when ``workers > 1``, in this process otherwise.

    Started on first use (a stage that needs no worker forks none) and shared by the stages that
    use the same state; at most ``2 * workers`` tasks are in flight in :meth:`map`, so memory
    stays bounded whatever the size of the input; results come in input order. Workers are forked
    (they see this process's modules and state without pickling them) and die with their parent.
    """

    def __init__(self, workers: int, state: dict[str, Any] | None = None) -> None:
        self.workers = workers
        self.state = dict(state or {})
        self._executor: ProcessPoolExecutor | None = None
        if workers <= 1:
            set_state(self.state)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=get_context("fork"), initializer=_init_worker, initargs=(self.state,)
            )
        return self._executor

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        if self.workers <= 1:
            yield from map(fn, items)
            return
        pool = self._pool()
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()

    def submit(self, fn: Callable[[T], R], item: T) -> Future[R]:
        """``fn(item)`` in the pool (``workers > 1``)."""
        return self._pool().submit(fn, item)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        elif self.workers <= 1:
            close_readers()


def threaded(fn: Callable[[T], R], items: Iterable[T], threads: int) -> Iterator[R]:
    """``map(fn, items)`` in up to ``threads`` threads, in order, at most ``threads`` results ahead
    (for numpy work that releases the GIL)."""
    if threads <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(threads) as ex:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(ex.submit(fn, item))
            if len(pending) > threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
