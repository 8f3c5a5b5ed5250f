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
    batch (installing one costs ~30 us), the timer armed for each document (:meth:`document`: 0.8 us a
    document, 2 us when it was also disarmed after each)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.enabled = (seconds > 0 and hasattr(signal, "setitimer")
                        and threading.current_thread() is threading.main_thread())
        self._previous: Any = None
        self._inside = False
        self._document = _Document(self)

    def __enter__(self) -> Budget:
        if self.enabled:
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        # an alarm between two documents (the timer is left running after each) is no document's
        if self._inside:
            raise OverBudget(self.seconds)

    def document(self) -> _Document:
        """Raise :class:`OverBudget` in the body once the budget has passed."""
        return self._document


class _Document:
    """One document's turn: arming the timer restarts it, and it is disarmed only when the batch
    ends (one timer call a document, not two; an alarm outside a document is ignored)."""

    __slots__ = ("budget",)

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def __enter__(self) -> None:
        budget = self.budget
        if budget.enabled:
            signal.setitimer(signal.ITIMER_REAL, budget.seconds)
            budget._inside = True

    def __exit__(self, *exc: object) -> None:
        self.budget._inside = False
