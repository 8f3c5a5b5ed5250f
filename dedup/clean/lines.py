"""Splitting a text into lines: the unit every cleaning decision is taken on.

A line is a run of text between line breaks, its spacing made regular (runs of white space and
invisible characters become one space) with the raw offset of every character kept, so that
edits and the clean text map back to the raw input. Lines that a scraper hard-wrapped inside a
sentence are joined again.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence

from dedup.clean import furniture as _furn
from dedup.clean.offsets import Fix, apply_fixes, ints

__all__ = ["Line", "regular", "repeated_runs", "split_lines"]

# Line breaks are every character str.splitlines() breaks on, so that a clean
# text never holds a break that a second pass would split on.
_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# Whitespace other than a lone space, and invisible characters scrapers leave.
_IRREGULAR = re.compile(r"[\t\x1f\xa0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff\u00ad]")
_SPACE_RUN = re.compile(r"(?:\s|[\u200b\u2060\ufeff\u00ad])+")


class Line:
    """One non-blank line: normalised text and the raw offset of each character."""

    __slots__ = ("base", "cls", "dirty", "end", "score", "start", "text")

    def __init__(self, text: str, start: int, end: int, base: list[int] | None) -> None:
        self.text = text
        self.start = start
        self.end = end
        # None means the text is raw[start:end] verbatim (the common case).
        self.base = base
        self.cls: str | None = None
        self.score = 0.0
        # Set once a fix changed the text: it may no longer be what split_lines makes of it.
        self.dirty = False

    def offsets(self) -> Sequence[int]:
        if self.base is not None:
            return self.base
        return range(self.start, self.end + 1)

    def fix(self, fixes: list[Fix]) -> None:
        self.text, self.base = apply_fixes(self.text, fixes, self.offsets())
        self.start = self.base[0]
        self.dirty = True


def regular(seg: str) -> bool:
    """No space at either end, no two spaces, no irregular whitespace: the line is its own text."""
    if seg[0] == " " or seg[-1] == " " or "  " in seg:
        return False
    if seg.isascii():
        # The only ASCII characters of _IRREGULAR; two substring scans beat a regex scan.
        return "\t" not in seg and "\x1f" not in seg
    return not _IRREGULAR.search(seg)


# The runs of _SPACE_RUN that are not one lone space (the only ones a line
# in the middle needs fixed): two or more characters, or one odd one. A lone
# space is never matched, so every match starts where its run starts.
_ODD_SPACE_RUN = re.compile(r"(?:\s|[\u200b\u2060\ufeff\u00ad]){2,}|[^\S ]|[\u200b\u2060\ufeff\u00ad]")


def _space_fixes(seg: str) -> list[Fix]:
    """Fixes that drop spacing at both ends of ``seg`` and make each inner run of it one space."""
    fixes: list[Fix] = []
    n = len(seg)
    if seg[0] == " " and (n == 1 or not _SPACE_RUN.match(seg, 1, 2)):
        fixes.append((0, 1, ""))  # a lone space opening the line
    for w in _ODD_SPACE_RUN.finditer(seg):
        s, e = w.span()
        fixes.append((s, e, "" if s == 0 or e == n else " "))
    if n > 1 and seg[-1] == " " and not _SPACE_RUN.match(seg, n - 2, n - 1):
        fixes.append((n - 1, n, ""))  # a lone space closing it
    return fixes


def split_lines(raw: str) -> list[Line]:
    lines: list[Line] = []
    # the lines of the paragraph being read, joined once it ends: joining each wrapped line to the
    # text before it copied the paragraph at every line (a 400 KB paragraph took 10 s)
    run: list[Line] = []
    run_len = 0
    prev_end = -1
    joinable = False
    pos = 0
    crlf = "\r\n" in raw
    # Most documents hold no irregular whitespace anywhere: then a line is
    # regular unless it starts or ends with a space, decided without a scan.
    if raw.isascii():
        uniform = "  " not in raw and "\t" not in raw and "\x1f" not in raw
    else:
        uniform = "  " not in raw and not _IRREGULAR.search(raw)
    # str.splitlines breaks on exactly the characters _LINE excludes; the
    # position of each line is recovered from the lengths (a break is one
    # character, or the two of "\r\n").
    for seg in raw.splitlines():
        if not seg:
            pos += 2 if crlf and raw.startswith("\r\n", pos) else 1
            continue
        a = pos
        end = a + len(seg)
        pos = end + (2 if crlf and raw.startswith("\r\n", end) else 1)
        # A single line break (not a blank line) may be a wrapped paragraph.
        single_break = joinable and (
            a - prev_end == 1 or (a - prev_end == 2 and crlf and raw.startswith("\r\n", prev_end))
        )
        prev_end = end
        if (seg[0] != " " and seg[-1] != " ") if uniform else regular(seg):
            line = Line(seg, a, end, None)
        else:
            fixes = _space_fixes(seg)
            text, base = apply_fixes(seg, fixes, range(a, end + 1))
            if not text:
                joinable = False
                continue
            # The end entry points past the last kept char, not past trailing space.
            base[-1] = base[-2] + 1
            line = Line(text, base[0], base[-1], base)
        if single_break and run and _wrapped_run(run, run_len, line.text):
            run.append(line)
            run_len += 1 + len(line.text)
        else:
            if run:
                lines.append(_join(run))
            run, run_len = [line], len(line.text)
        joinable = True
    if run:
        lines.append(_join(run))
    return lines


_NO_WRAP_END = ".!?:;…|•·"


def _wrapped(prev: str, nxt: str) -> bool:
    """``nxt`` continues the sentence ``prev`` left open (hard-wrapped text, a split caption)."""
    if not nxt[0].islower() or prev.rstrip(_furn._CLOSERS)[-1:] in _NO_WRAP_END or prev[-1:] in _NO_WRAP_END:
        return False
    return not (_furn.dateline(nxt, True) or _furn.dateline(prev, True))


def _wrapped_run(run: list[Line], run_len: int, nxt: str) -> bool:
    """:func:`_wrapped` of the lines of ``run`` joined (``run_len`` characters), without joining them
    unless the joined text is short enough to be a dateline."""
    if len(run) == 1:
        return _wrapped(run[0].text, nxt)
    last = run[-1].text
    if not nxt[0].islower() or last[-1:] in _NO_WRAP_END:
        return False
    # the joined text stripped of closers ends in the last line, or in the space before it
    tail = last.rstrip(_furn._CLOSERS)[-1:] or " "
    if tail in _NO_WRAP_END:
        return False
    prev_dateline = run_len <= 200 and _furn.dateline(" ".join(x.text for x in run), True)
    return not (_furn.dateline(nxt, True) or prev_dateline)


def _join(run: list[Line]) -> Line:
    """The lines of a wrapped paragraph as one line, with a space for each break."""
    if len(run) == 1:
        return run[0]
    base: list[int] = []
    for i, x in enumerate(run):
        if x.base is not None:
            base += x.base if i == len(run) - 1 else x.base[:-1]
        else:
            base += ints(x.start, x.end + 1 if i == len(run) - 1 else x.end)
        if i < len(run) - 1:
            base.append(x.end)
    return Line(" ".join(x.text for x in run), run[0].start, run[-1].end, base)


#: A block rendered twice: at least this many lines in a row, and this many words, repeating an earlier
#: run line for line (WCXB dev: a body or a promo block a responsive page prints twice; single repeated
#: lines are often the article's own, the rows of a training plan or a listing's recurring blurb).
REPEAT_LINES = 3
REPEAT_WORDS = 50


def repeated_runs(texts: Sequence[str]) -> dict[int, int]:
    """Which lines repeat an earlier run of lines verbatim (case aside; lines as :func:`split_lines`
    makes them, their spacing regular): line index -> the index of the line it repeats. Only runs of
    REPEAT_LINES lines and REPEAT_WORDS words count."""
    keys = [t.casefold() for t in texts]
    if len(set(keys)) == len(keys):
        return {}  # (most texts: no line twice)
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    found: dict[int, int] = {}
    i, n = 0, len(keys)
    while i < n:
        p = first[keys[i]]
        if p == i:
            i += 1
            continue
        # follow the earlier run while the lines keep matching it, never into the repeat itself
        j = i
        while j < n and p + (j - i) < i and keys[j] == keys[p + (j - i)]:
            j += 1
        if j - i >= REPEAT_LINES and sum(len(k.split()) for k in keys[i:j]) >= REPEAT_WORDS:
            found.update((k, p + (k - i)) for k in range(i, j))
        i = max(j, i + 1)
    return found


# A table of contents: at least this many entries in a row, most of them headings the text prints again.
CONTENTS_ENTRIES = 3
_CONTENTS_HEAD = re.compile(
    r"^(?:table\s+of\s+contents?|contents|in\s+this\s+(?:article|post|guide)|on\s+this\s+page|"
    r"jump\s+to(?:\s+(?:chapter|section|the\s+list))?|what['’]?s\s+inside|article\s+contents|quick\s+links)\W*$",
    re.IGNORECASE,
)
_ENTRY_NUMBER = re.compile(r"^(?:\d{1,2}[.)]|[-•·*])\s*")


def _entry_key(text: str) -> str | None:
    """The heading a table-of-contents entry names ("2. Coffee regions" -> "coffee regions"), or None
    when the line is no entry (a sentence, a long line)."""
    if len(text) > 100 or text.endswith((".", ",", ";")) or text.count(" ") > 13:
        return None
    if text[:1].isalpha():
        return text.casefold()  # (no number or bullet to strip: most lines)
    return _ENTRY_NUMBER.sub("", text).strip().casefold() or None


def contents_lines(texts: Sequence[str], dropped: Container[int] = ()) -> list[int]:
    """The lines of a table of contents in the first half of a text: a run of short lines, most of
    which the text prints once again further down as the headings of its sections (a paragraph
    under each), and the run's own
    heading ("Table of Contents", "In this article") above it. Lines in ``dropped`` (already cut)
    are no entries but still count as the text's. Indexes into ``texts``."""
    keys = [_entry_key(t) for t in texts]
    n = len(texts)
    later: dict[str, int] = {}
    count: dict[str, int] = {}
    kept = [i for i in range(n) if i not in dropped]
    for k in keys:
        if k is not None:
            count[k] = count.get(k, 0) + 1
    for i in kept:
        if (k := keys[i]) is not None:
            later[k] = i  # the last kept line with this key (a block printed twice keeps its first copy)
    after = {i: (kept[r + 1] if r + 1 < len(kept) else None) for r, i in enumerate(kept)}

    def heads_text(i: int) -> bool:
        """Whether kept line i heads a section: a paragraph (no entry) follows it."""
        nxt = after[i]
        return nxt is not None and keys[nxt] is None

    found: list[int] = []
    r = 0
    while r < len(kept) // 2:
        # a run of entries, up to the first that repeats one of the run (the first section heading)
        run: list[int] = []
        names: set[str] = set()
        while r < len(kept) and (k := keys[kept[r]]) is not None and k not in names:
            run.append(kept[r])
            names.add(k)
            r += 1
        # entries whose heading stands once again below the run (a list whose items recur under
        # every product, "Unexpected charges", is no table of contents)
        again = [i for i in run if later[keys[i]] > run[-1] and count[keys[i]] == 2  # type: ignore[index]
                 and heads_text(later[keys[i]])]  # type: ignore[index]
        if len(again) >= CONTENTS_ENTRIES and len(again) * 3 >= len(run) * 2:
            first = run.index(again[0])
            if first > 0 and _CONTENTS_HEAD.match(texts[run[first - 1]].strip()):
                first -= 1
            found.extend(run[first:])
        if not run:
            r += 1
    return found
