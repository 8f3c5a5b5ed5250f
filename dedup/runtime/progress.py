"""What a run tells its progress callback: one bar per stage, with its total, advanced as work comes back.

The callback is ``progress(stage, advance, total)`` (:data:`~dedup.runtime.context.Progress`). A
stage's first call gives its total (None while it is not known: standard input); a later call may
give a larger one when the stage finds more work than it first knew of (the quotation stage, once it
knows which documents and group pairs it must match). When a stage ends its advances add up to its
last total.

A :class:`Meter` is one stage's bar: it adds advances up and passes them on about a thousand times
per bar at most (and at least every ``every`` seconds), so a stage can count every document or
pair it finishes without calling the callback millions of times. :class:`IngestMeter` counts
what ingest reads: input files (when every input is a document of its own) or their bytes (when
one holds many records: JSON Lines, JSON, CSV), from a walk of the folders before reading them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from dedup.ingest import COMPRESSED, HTML_SUFFIXES, SUFFIXES, TEXT_SUFFIXES, RawInput, printable_path
from dedup.models import Problem
from dedup.runtime.context import Progress

#: Advances a meter passes on at most per bar, about (a bar is a line of 80 columns)
_STEPS = 1000


class Meter:
    """One stage's bar: its total announced as soon as it is known, advances passed on in aggregate."""

    def __init__(self, report: Progress, stage: str, total: int | None = None, every: float = 0.1) -> None:
        self.report = report
        self.stage = stage
        self.total = total
        self.every = every
        #: advances passed on, and not yet
        self.done = 0
        self.pending = 0
        self._last = time.monotonic()
        report(stage, 0, total)

    def add(self, n: int) -> None:
        """``n`` more units done (never more than the total in all)."""
        if n <= 0:
            return
        if self.total is not None:
            n = min(n, self.total - self.done - self.pending)
        self.pending += n
        if self.total is not None and self.pending * _STEPS >= self.total:
            self.flush()
        elif self.pending and time.monotonic() - self._last >= self.every:
            self.flush()

    def expect(self, total: int) -> None:
        """The stage's total is ``total`` now (it knows its work, or found more than it first knew of)."""
        self.total = max(total, self.done + self.pending)
        self.report(self.stage, self.pending, self.total)
        self.done += self.pending
        self.pending = 0
        self._last = time.monotonic()

    def grow(self, more: int) -> None:
        """The stage found ``more`` units of work than its total said."""
        if more > 0:
            self.expect((self.total or 0) + more)

    def flush(self) -> None:
        if self.pending:
            self.report(self.stage, self.pending, None)
            self.done += self.pending
            self.pending = 0
        self._last = time.monotonic()

    def close(self) -> None:
        """The stage is done: what is left of the total is done too (work it found done already); a
        total not known before is what was done."""
        if self.total is None:
            self.total = self.done + self.pending
            self.report(self.stage, self.pending, self.total)
            self.done, self.pending = self.total, 0
            return
        self.pending = self.total - self.done
        self.flush()


def _input_suffix(name: str) -> str:
    """:func:`dedup.ingest.input_suffix` of a file name, without making a Path of every name."""
    stem, suffix = os.path.splitext(name.lower())
    if suffix in COMPRESSED:
        suffix = os.path.splitext(stem)[1]
    return suffix


def _folder_files(folder: str) -> Iterator[tuple[str, int]]:
    """(path as ingest names it, size) of the input files under ``folder``: what
    :func:`dedup.ingest.iter_inputs` will read there (hidden names skipped, links to folders not
    followed, links to files outside the folder not read)."""
    top = os.path.realpath(folder)
    stack = [str(Path(folder))]
    while stack:
        where = stack.pop()
        try:
            entries = list(os.scandir(where))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    if not entry.is_symlink():
                        stack.append(entry.path)
                    continue
                if _input_suffix(entry.name) not in SUFFIXES:
                    continue
                if entry.is_symlink() and os.path.commonpath([top, os.path.realpath(entry.path)]) != top:
                    continue
                yield entry.path, entry.stat().st_size
            except (OSError, ValueError):
                continue


def input_files(paths: Sequence[str]) -> dict[str, int] | None:
    """Every input file under ``paths`` by the name ingest gives it (its ``source``), with its size;
    None when standard input is among them (its size is not known before it is read)."""
    if "-" in paths:
        return None
    found: dict[str, int] = {}
    for given in paths:
        if os.path.isdir(given):
            found.update((printable_path(path), size) for path, size in _folder_files(given))
        elif _input_suffix(os.path.basename(given)) in SUFFIXES:
            try:
                found[printable_path(str(Path(given)))] = os.stat(given).st_size
            except OSError:
                continue
    return found


#: the types of which a file is one document; any other (JSON Lines, JSON, CSV) may hold many
_SINGLE = TEXT_SUFFIXES | HTML_SUFFIXES
#: bytes of a record of a JSON Lines file recognised unread, until records of the run tell better
_RECORD_GUESS = 2000
#: how much longer the text of a compressed file is than its bytes, about
_COMPRESSION = 4


class IngestMeter:
    """Ingest's bar: input files when every input is one document, else their bytes (a record
    counts its text's length, the rest of a file when the next begins), else (standard input)
    records, with no total."""

    def __init__(self, report: Progress, paths: Sequence[str]) -> None:
        files = input_files(paths)
        self.sizes: dict[str, int] = {}
        #: "files", "bytes", or "records" (no total)
        self.unit = "records"
        if files is not None:
            if all(_input_suffix(os.path.basename(f)) in _SINGLE for f in files):
                self.unit, self.sizes = "files", dict.fromkeys(files, 1)
            else:
                self.unit, self.sizes = "bytes", files
        self.meter = Meter(report, "ingest", sum(self.sizes.values()) if files is not None else None)
        # the files not begun yet (a file named twice is counted once)
        self.unread = set(self.sizes)
        self.current: str | None = None
        self.left = 0
        self.ratio = 1
        # bytes and records of the files read to their end, for records with no text at hand
        self.bytes_read = 0
        self.records_read = 0
        self.records = 0

    def watch(self, items: Iterable[RawInput | Problem]) -> Iterator[RawInput | Problem]:
        """``items`` as they are, counted as they pass; the bar is full when they are all through."""
        for item in items:
            self.see(item)
            yield item
        self.meter.close()

    def see(self, item: RawInput | Problem) -> None:
        if self.unit == "records":
            self.meter.add(1)
            return
        source = item.source if isinstance(item, RawInput) else item.path
        if source != self.current:
            self._next(source)
        if self.unit == "files":
            self.meter.add(self.left)
            self.left = 0
            return
        if not isinstance(item, RawInput):  # a problem (of a line, of a file): no record
            return
        self.records += 1
        if item.body:
            guess = len(item.body) // self.ratio
        else:  # (recognised unread: as long as the records read so far)
            guess = self.bytes_read // self.records_read if self.records_read else _RECORD_GUESS
        # (at most half of what is left: a guess too long slows the bar down, never past the file's end)
        step = min(guess, self.left // 2)
        self.left -= step
        self.meter.add(step)

    def _next(self, source: str) -> None:
        if self.current is not None and self.current in self.sizes and self.records:
            self.bytes_read += self.sizes[self.current]
            self.records_read += self.records
        self.meter.add(self.left)
        self.current = source
        self.records = 0
        self.ratio = _COMPRESSION if os.path.splitext(source)[1].lower() in COMPRESSED else 1
        self.left = self.sizes[source] if source in self.unread else 0
        self.unread.discard(source)
