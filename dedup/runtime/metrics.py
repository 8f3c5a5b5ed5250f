"""What a run of a stage cost and did: per-step CPU, wall-clock and peak memory, and work counters.

A :class:`RunMetrics` belongs to one call (the caller may pass its own to read it afterwards), so
that no figure outlives the run that made it or mixes with another's.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field


@dataclass
class RunMetrics:
    """Figures of one run, step by step (``tick`` closes a step), and counters (``stats``)."""

    #: CPU seconds (this process) of each step.
    timings: dict[str, float] = field(default_factory=dict)
    #: Wall-clock seconds of each step (workers included).
    wall: dict[str, float] = field(default_factory=dict)
    #: Peak RSS (MB, this process) at the end of each step.
    peak_rss: dict[str, int] = field(default_factory=dict)
    #: Work done (documents scanned, pairs matched, cache hits...), for tests and benchmarks.
    stats: dict[str, int] = field(default_factory=dict)
    _clock: tuple[float, float] = (0.0, 0.0)

    def clear(self) -> None:
        self.timings.clear()
        self.wall.clear()
        self.peak_rss.clear()
        self.stats.clear()

    def start(self) -> None:
        """Start the clock of the first step."""
        self._clock = (time.process_time(), time.perf_counter())

    def tick(self, step: str) -> None:
        """Close ``step`` (its figures add up when it comes again) and start the next."""
        now, wall = time.process_time(), time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - self._clock[0]
        self.wall[step] = self.wall.get(step, 0.0) + wall - self._clock[1]
        self.peak_rss[step] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        self._clock = (now, wall)
