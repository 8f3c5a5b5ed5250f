"""Edits and the clean->raw offset map.

Every character of a clean text must be traceable to the raw text (spans of
quotations and gaps are reported in raw offsets too), so the cleaner never
builds text by string surgery alone: it builds it from pieces that carry their
raw position, and the offset map falls out of the same walk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: (start, end, replacement) in the coordinates of the text being edited.
Fix = tuple[int, int, str]


# An offset map holds one int per character, and ints above 256 are new
# objects each time range() yields them: most of the cost of a map. Maps are
# built instead from slices of one shared list of those ints (same values,
# no allocation), grown on demand up to _SHARED_MAX; longer texts use range().
_SHARED_MAX = 1 << 18
_shared: list[int] = list(range(1 << 12))


def ints(start: int, stop: int) -> list[int]:
    """``list(range(start, stop))``, from the shared ints when they reach that far."""
    shared = _shared
    if stop > len(shared):
        if stop > _SHARED_MAX:
            return list(range(start, stop))
        size = len(shared)
        while size < stop:
            size *= 2
        shared.extend(range(len(shared), min(size, _SHARED_MAX)))
    if start < 0 or stop < 0:
        return list(range(start, stop))  # a slice would count these from the end
    return shared[start:stop]


def _take(src: Sequence[int], a: int, b: int) -> Sequence[int]:
    """``src[a:b]`` for 0 <= a; a range's slice as shared ints."""
    if type(src) is range and src.step == 1:
        b = min(b, len(src))
        return ints(src.start + a, src.start + b) if b > a else []
    return src[a:b]


def map_inserted(length: int, start: int, end: int) -> list[int]:
    """Raw offsets for ``length`` new characters standing in for raw[start:end].

    Characters are spread over the replaced span (one raw char each, the rest
    pinned to its last char) so that the map stays non-decreasing and a span
    that covers the replacement maps back onto the replaced raw text.
    """
    if length <= 0:
        return []
    last = max(start, end - 1)
    if end - start >= length:
        return list(range(start, start + length))
    return list(range(start, last + 1)) + [last] * (length - (last + 1 - start))


def apply_fixes(text: str, fixes: Iterable[Fix], base: Sequence[int] | None = None) -> tuple[str, list[int]]:
    """Apply non-overlapping fixes to ``text``.

    Returns the new text and, for each of its characters plus one end entry,
    the offset it came from: an index into ``text`` or, when ``base`` (an
    offset map of ``text`` with ``len(text) + 1`` entries) is given, the value
    of ``base`` at that index. Fixes that overlap an earlier one are skipped,
    so a sloppy rule can lose a fix but never corrupt the map.
    """
    out: list[str] = []
    offsets: list[int] = []
    # Built piecewise from slices of ``base`` (or shared ints): no loop per character.
    src: Sequence[int] = base if base is not None else range(len(text) + 1)
    pos = 0
    for start, end, repl in sorted(fixes, key=lambda f: (f[0], f[1])):
        if start < pos or end < start or end > len(text):
            continue
        out.append(text[pos:start])
        offsets += _take(src, pos, start)
        if repl:
            out.append(repl)
            inserted = map_inserted(len(repl), start, end)
            offsets.extend(inserted if base is None else [base[i] for i in inserted])
        pos = end
    out.append(text[pos:])
    offsets += _take(src, pos, len(text) + 1)
    return "".join(out), offsets


def compose(outer: Sequence[int], inner: Sequence[int]) -> list[int]:
    """Offsets of a text cleaned twice: ``outer`` maps text2->text1, ``inner`` text1->raw."""
    last = len(inner) - 1
    if outer and 0 <= min(outer) and max(outer) <= last:
        # No index needs clamping: one C-level lookup per entry.
        return list(map(inner.__getitem__, outer))
    return [inner[min(i, last)] for i in outer]


def raw_span(offsets: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """Map a half-open clean span to a half-open raw span."""
    last = len(offsets) - 1
    s = offsets[min(start, last)]
    if end <= start:
        return s, s
    e = offsets[min(end - 1, last)] + 1 if end - 1 < last else offsets[last]
    return s, max(s, e)


def check_offsets(offsets: Sequence[int], text: str, raw: str) -> None:
    """Raise ValueError when an offset map breaks its contract (used by tests)."""
    if len(offsets) != len(text) + 1:
        raise ValueError(f"offsets has {len(offsets)} entries for {len(text)} chars")
    prev = 0
    for i, o in enumerate(offsets):
        if not 0 <= o <= len(raw):
            raise ValueError(f"offset {o} at {i} outside raw text of {len(raw)} chars")
        if o < prev:
            raise ValueError(f"offsets decrease at {i}: {prev} -> {o}")
        prev = o


class Runs:
    """An offset map's breakpoints as it is assembled: ``raw = values[k] + (i - starts[k])`` from
    ``starts[k]`` on. Only breakpoints are kept (a value that continues the run is not one), so
    the result equals what OffsetMap.from_list makes of the per-character list."""

    __slots__ = ("starts", "values")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.values: list[int] = []

    def add(self, at: int, value: int) -> None:
        if self.starts and self.values[-1] + (at - self.starts[-1]) == value:
            return
        self.starts.append(at)
        self.values.append(value)

    def expand(self, n: int) -> list[int]:
        """The per-character list of ``n`` entries these runs stand for."""
        out: list[int] = []
        starts, values = self.starts, self.values
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else n
            out += ints(values[k], values[k] + end - start)
        return out

    def add_list(self, at: int, values: Sequence[int], n: int) -> None:
        """The first ``n`` of ``values`` (non-negative) from position ``at`` on."""
        # A line's map is a few long runs between its fixes: each run's end is found by comparing
        # slices with the shared ints (C speed), by exponential then binary search, not value by
        # value. Invariant: values[i:j] is a run, values[i:k] is not.
        i = 0
        while i < n:
            v = values[i]
            self.add(at + i, v)
            # (the whole rest at once only for the first run: after each break it made a line
            # of many short runs, a CRLF-wrapped paragraph, quadratic)
            if i == 0 and values[:n] == ints(v, v + n):
                return
            j, k, step = i + 1, n, 1
            while j + step < n and values[j : j + step] == ints(v + j - i, v + j + step - i):
                j += step
                step *= 2
            k = min(n, j + step)
            while k - j > 1:
                m = (j + k) // 2
                if values[j:m] == ints(v + j - i, v + m - i):
                    j = m
                else:
                    k = m
            i = j
