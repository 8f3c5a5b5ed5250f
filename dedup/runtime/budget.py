"""A time budget for one document: a page that would take minutes (a pathological regex case, a
megabyte of one wrapped paragraph) becomes a reported problem and the run goes on.

The budget is a real-time interval timer (SIGALRM) armed around the work, so it works in the pool's
workers and in a run without workers alike; where no timer can be armed (another thread, another
OS) the work runs without one. Python handles the signal between bytecodes, so a single call into C
that never returns is not cut short: the budget bounds Python loops, which is where cleaning spends
its time.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

#: Seconds one document may take to clean and fingerprint (a 20 MB document, the largest read,
#: takes ~20 s); DEDUP_DOCUMENT_SECONDS overrides it (0: no budget).
DEFAULT_SECONDS = 120.0


class OverBudget(Exception):
    """The document took longer than its budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than {seconds:g} s")
        self.seconds = seconds


def document_seconds() -> float:
    try:
        return float(os.environ.get("DEDUP_DOCUMENT_SECONDS", DEFAULT_SECONDS))
    except ValueError:
        return DEFAULT_SECONDS


class Budget:
    """The time budget of each document of a batch: the alarm's handler is installed once for the
    batch (installing one costs ~30 us, a document's whole budget check ~4 us), the timer armed
    around each document (:meth:`document`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.enabled = (seconds > 0 and hasattr(signal, "setitimer")
                        and threading.current_thread() is threading.main_thread())
        self._previous: Any = None

    def __enter__(self) -> Budget:
        if self.enabled:
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        raise OverBudget(self.seconds)

    @contextmanager
    def document(self) -> Iterator[None]:
        """Raise :class:`OverBudget` in the body once the budget has passed."""
        if not self.enabled:
            yield
            return
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
