"""What a run carries from stage to stage: one object instead of a dozen parameters.

A stage reads its settings (config, workers), writes to the run's database, records its time,
reports progress and problems, all through the :class:`RunContext` it is handed; what one stage
leaves for a later one (documents cleaned at ingest, quotation first-pass records) is there too.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.ingest_fields import CsvColumns
from dedup.models import Problem
from dedup.runtime.blobs import RunSpool
from dedup.runtime.inputs import LOOKUPS_BEFORE_LOAD
from dedup.store import Store

#: Documents per clean batch and per write of new inputs.
BATCH = 256

#: What ``only`` may name: "copies" is the deduplicated corpus alone (ingest, clean, cluster, the
#: canonical choice), for pipelines that want no quotations, damage alignment or citations.
ONLY = ("copies",)


def check_only(only: str | None) -> None:
    """A ConfigError naming the choices when ``only`` is not one of :data:`ONLY` (or None)."""
    if only is not None and only not in ONLY:
        from dedup.errors import ConfigError

        raise ConfigError(f"only={only!r} is not a part of the job that runs alone; choose one of: {', '.join(ONLY)}")

#: progress(stage, advance, total): a stage's total comes with its first call, or before its first
#: advance when it must be found first; a later total means more work found (:mod:`dedup.runtime.progress`)
Progress = Callable[[str, int, int | None], None]


def no_progress(stage: str, advance: int, total: int | None) -> None:
    return None


def default_workers() -> int:
    """The cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def fault_point(stage: str, ready: Callable[[], bool] | None = None) -> None:
    """Crash-safety tests stop the run here (DEDUP_FAULT=stage) to prove a re-run finishes the job.

    How, DEDUP_FAULT_SIGNAL says: KILL (the default), TERM or INT (as a user or a service manager
    would), STOP (the test signals the stopped run itself, knowing its workers), or ``crash`` (an
    exception, as a bug would raise). ``ready`` is waited for first (up to 5 s), so that a fault
    inside a pool strikes with the pool's work under way.
    """
    if os.environ.get("DEDUP_FAULT") != stage:
        return
    if ready is not None:
        end = time.monotonic() + 5
        while not ready() and time.monotonic() < end:
            time.sleep(0.01)
    how = os.environ.get("DEDUP_FAULT_SIGNAL", "KILL").upper()
    if how == "CRASH":
        raise RuntimeError(f"fault injected at {stage}")
    import signal

    os.kill(os.getpid(), getattr(signal, f"SIG{how}"))


@dataclass(frozen=True)
class Tuning:
    """How a run runs, never what it finds: sizes and switches that tests and benchmarks set
    (every value gives the same database)."""

    #: documents per clean batch (at most: fewer when that gives every worker several) and per write of new inputs
    batch: int = BATCH
    #: parse batches read in this process before ingest starts its pool
    parse_in_process: int = 1
    #: clean new documents at ingest, without furniture (off only to test that it changes nothing)
    speculate: bool = True
    #: known inputs looked up one at a time before all are read at once
    known_lookups: int = LOOKUPS_BEFORE_LOAD


@dataclass
class RunContext:
    """One run: its database and id, settings, and what its stages report and hand on."""

    store: Store
    run_id: int
    config: Config
    workers: int = 1
    report: Progress = no_progress
    encoding: str | None = None
    stdin: IO[str] | None = None
    tuning: Tuning = field(default_factory=Tuning)
    #: put before every id made from a path ("A/" gives "A/x.txt"), so two folders' files stay apart
    id_prefix: str = ""
    #: the columns of CSV inputs the user named (--text-col …); the others are found by their names
    csv_columns: CsvColumns = field(default_factory=CsvColumns)
    #: where the text of a CSV row or JSON record is split into paragraphs (--paragraph-sep), or None
    paragraph_sep: str | None = None
    #: files of the folders walked that are of no input type, by suffix (".pdf": 7): one line for the run
    ignored: Counter[str] = field(default_factory=Counter)
    #: seconds per stage, stored with the run
    timings: dict[str, float] = field(default_factory=dict)
    #: inputs skipped and documents a stage failed on, stored with the run
    problems: list[Problem] = field(default_factory=list)
    #: documents cleaned at ingest without furniture, with the hashes of the line keys cleaning looked up
    speculated: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    #: the quotation stage's cache, plus first-pass records made at ingest and cleaning for this run
    reuse_cache: RunSpool | None = None
    #: the last stage entered (:meth:`timed`): a run stopped by a signal or an error is marked with it
    stage: str = "start"
    #: "copies": ingest, clean, cluster and choose canonical copies only (:data:`ONLY`); None: the whole job
    only: str | None = None

    @property
    def copies_only(self) -> bool:
        return self.only == "copies"

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Adds the time of the block to ``timings[stage]``."""
        self.stage = stage
        t = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - t

    def spool(self) -> RunSpool:
        if self.reuse_cache is None:
            self.reuse_cache = RunSpool(self.store.cache("reuse"))
        return self.reuse_cache

    def close(self) -> None:
        if self.reuse_cache is not None:
            self.reuse_cache.close()
