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


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`OverBudget` in the body once ``seconds`` have passed."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
