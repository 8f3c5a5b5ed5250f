"""The one process pool of a run: bounded, ordered, lazily started, dying with its parent.

Work is handed to workers as plain data; state a stage needs in every worker (furniture, config,
the database path) is given once when the pool starts (:func:`worker_state` reads it), so that the
stage functions never know whether they run in this process or another. With ``workers <= 1``
everything runs in this process, with the same state.

A run that is stopped (a signal, an error) ends its workers at once (:meth:`Pool.close` with
``abort``, :func:`kill_workers` from a signal handler); a run that is killed outright loses them too
(:func:`die_with_parent`). Workers ignore Ctrl-C: the terminal sends it to the whole process group,
and the run's own process stops them and reports once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_STATE: dict[str, Any] = {}

#: Pools of this process with workers started, for :func:`kill_workers`.
_LIVE: weakref.WeakSet[Pool] = weakref.WeakSet()

#: Seconds between a worker's checks that its parent is still alive (the fallback of the death signal).
_WATCH_SECONDS = 0.25


def worker_state() -> dict[str, Any]:
    """The state the pool this process works for was started with (in this process too)."""
    return _STATE


def die_with_parent(parent: int | None = None, forked_by_main_thread: bool = True) -> None:
    """A worker whose run is killed (even by SIGKILL) must not live on holding its pipes open.

    ``parent`` is the pid of the process that started the pool. Linux's parent-death signal is the
    quick way, but it follows the *thread* that forked: it is asked for only when that was the main
    thread (whose end is the process's), else the pool's workers would die with a thread that
    merely started it. A watchdog thread covers what the signal does not: a pool started by another
    thread, a parent that died before prctl took effect (an orphan is adopted by a subreaper, not
    always pid 1), a libc without prctl.
    """
    parent = os.getppid() if parent is None else parent
    libc = _libc() if forked_by_main_thread else None
    if libc is not None:
        try:
            libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except AttributeError:
            pass
    if os.getppid() != parent:  # the parent died before this worker could watch it
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="dedup-watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


def set_state(state: dict[str, Any]) -> None:
    _STATE.clear()
    _STATE.update(state)


def _worker_signals() -> None:
    # Ctrl-C reaches every process of the terminal's foreground group: the run's process stops the
    # workers and reports once, so a worker neither stops on its own nor prints a traceback for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A handler the run's process installed (inherited by fork) is not a worker's: it just ends.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if callable(signal.getsignal(signum)):
            signal.signal(signum, signal.SIG_DFL)


def _init_worker(state: dict[str, Any], parent: int | None = None, forked_by_main_thread: bool = True) -> None:
    _worker_signals()
    die_with_parent(parent, forked_by_main_thread)
    keep_freed_memory()
    set_state(state)


# glibc's mallopt parameters
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: A worker's allocator keeps this much freed memory at the top of its heap before it gives any back,
_TRIM_BYTES = 32 << 20
#: ... and takes blocks up to this size from its heap, not from a fresh mapping of their own.
_MMAP_BYTES = 16 << 20


def _libc() -> Any:
    """Linux's C library (ctypes), or None elsewhere: what a worker asks of it at start is Linux's."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


def keep_freed_memory() -> None:
    """Have this process's allocator (glibc) reuse the memory it frees instead of handing it back.

    A worker fingerprints a batch at a time in numpy arrays of a few MB (a batch's token hashes,
    their prefix sums), and cleans documents in between. With glibc's defaults the heap's top was
    given back between batches and the next batch's arrays came from fresh pages: on the 100k
    benchmark ~9 page faults an article in the ingest workers, 0.85 million in all, 1.6 s of system
    time (measured with /proc/PID/stat; d64a25e's workers had 0.06 million). Kept, a worker's memory
    stays at most _TRIM_BYTES above what it uses. Elsewhere (another libc, another OS) nothing changes.
    """
    libc = _libc()
    if libc is None:
        return
    try:
        # (setting either turns off glibc's moving thresholds, so both are set)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_BYTES)
    except AttributeError:  # a C library without mallopt (musl)
        pass


def give_back_freed_memory() -> None:
    """Hand the pages this process's allocator (glibc) holds free back to the system, wherever they
    are in its heap: after a step that made many mid-sized temporaries, before the pool forks workers
    that would share those pages and the next step grows again. Elsewhere nothing happens."""
    libc = _libc()
    if libc is None:
        return
    try:
        libc.malloc_trim(0)
    except AttributeError:  # a C library without malloc_trim (musl)
        pass


def kill_workers() -> None:
    """Kill every pool worker of this process now: the first thing a run does when it is stopped,
    so that no worker finishes a task nobody will read, or outlives the run. Safe in a signal handler."""
    for pool in list(_LIVE):
        executor = pool._executor
        if executor is not None:
            _kill(executor)


def _kill(executor: ProcessPoolExecutor) -> None:
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        try:
            process.kill()  # (sends nothing to a worker already reaped, whose pid may be reused)
        except (OSError, ValueError, AttributeError):
            pass
    # A worker killed while it wrote a result leaves the executor's manager thread reading the rest
    # of that message for ever: this process holds the pipe's write end too, so no end of file comes,
    # and shutdown (or the interpreter's exit) waits for that thread (seen: a SIGTERM in the clean
    # stage that took the 20 s watchdog). Closing our write end lets the read end in EOF once the
    # killed workers' ends are gone: the manager marks the pool broken and finishes. Only workers
    # write results, and a killed pool takes no more work.
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    if writer is not None:
        try:
            writer.close()
        except OSError:
            pass


def _fault(name: str, future: Future[Any]) -> None:
    """Crash-safety tests stop a run here, in a pool with work under way (DEDUP_FAULT=<name>:pool)."""
    if name and os.environ.get("DEDUP_FAULT") == f"{name}:pool":
        from dedup.runtime.context import fault_point

        fault_point(f"{name}:pool", ready=lambda: future.running() or future.done())


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
    ``name`` names the pool's fault point for crash-safety tests (``DEDUP_FAULT=<name>:pool``).
    """

    def __init__(self, workers: int, state: dict[str, Any] | None = None, name: str = "") -> None:
        self.workers = workers
        self.state = dict(state or {})
        self.name = name
        self._executor: ProcessPoolExecutor | None = None
        if workers <= 1:
            set_state(self.state)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # leaving on an exception (a signal, an error): the results are not wanted, the workers go now
        self.close(abort=exc_type is not None)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            main = threading.current_thread() is threading.main_thread()
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=get_context("fork"), initializer=_init_worker,
                initargs=(self.state, os.getpid(), main),
            )
            _LIVE.add(self)
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
                if len(pending) == 1:
                    _fault(self.name, pending[0])
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()

    def submit(self, fn: Callable[[T], R], item: T) -> Future[R]:
        """``fn(item)`` in the pool (``workers > 1``)."""
        future = self._pool().submit(fn, item)
        _fault(self.name, future)
        return future

    def close(self, abort: bool = False) -> None:
        """Shut the pool down once its tasks are done; with ``abort`` (the run is being stopped), kill
        its workers first: a stopped run neither waits for work it throws away nor leaves one behind."""
        if self._executor is not None:
            if abort:
                _kill(self._executor)
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            _LIVE.discard(self)
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


def spread(n: int, workers: int, most: int) -> int:
    """Items per task for ``n`` items: at most ``most``, and few enough that every worker gets about
    eight tasks, so that no worker waits while another does the last long one and the stage's bar
    moves as tasks come back (181 pages to clean by two workers were one task of 13 s)."""
    return max(1, min(most, -(-n // (8 * max(1, workers)))))


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
