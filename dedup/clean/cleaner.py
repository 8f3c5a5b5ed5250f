"""clean() itself: split a text into lines, decide which lines go, repair the rest, map offsets.

Inputs are mostly text a scraper already produced, so the cleaner works on
lines: it scores every line (sentences for, menus and furniture against),
keeps the best-scoring run of lines as the article body, peels furniture off
the head and tail of that run more boldly than from its middle, and repairs
damage inside the kept lines. Every removal or repair is an
:class:`~dedup.models.Edit` in raw offsets, and the clean text carries an
offset map back to the raw text.

Whitespace layout (runs of spaces, blank lines, the ``\\n\\n`` between
paragraphs) is normalised without an edit record: it changes no word, and the
offset map still says where every character came from.

What a line is (:mod:`~dedup.clean.furniture` classifiers), how it scores
(:mod:`~dedup.clean.rules`) and how it is repaired (:mod:`~dedup.clean.repair`)
live in their own modules; this one holds the passes over a document and the
memos of line decisions that later passes and documents share.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import numpy as np

from dedup.clean import furniture as _furn
from dedup.clean import metadata as _meta
from dedup.clean import repair as _repair
from dedup.clean import tail as _tail
from dedup.clean.corpus import EDGE_LINES, FurnitureLines, kept_chars, key_may_fit, line_head, normalise_line
from dedup.clean.head_meta import PageView, read_meta
from dedup.clean.lines import Line as _Line
from dedup.clean.lines import contents_lines as _contents_lines
from dedup.clean.lines import regular as _regular
from dedup.clean.lines import repeated_runs as _repeated_runs
from dedup.clean.lines import split_lines as _split
from dedup.clean.offsets import Fix, Runs, apply_fixes, compose
from dedup.clean.page import page_defects
from dedup.clean.rules import POSITIONAL, RULES, SHORT_LINE_COST, line_score, main_block, no_text
from dedup.models import Edit, OffsetMap

__all__ = ["CleanResult", "clean", "reachable_furniture"]

_QUOTE_OPEN = "\"“‘«„'"
# A teaser tail is only cut once this share of the body precedes the marker.
_TAIL_SHARE = 0.5
# ... and only when the prose after it is this small a share of the prose before.
_TAIL_PROSE = 0.25
# ... or this share, when three pieces of tail furniture stand within a few lines (see _tail.furniture_run).
_DENSE_TAIL_PROSE = 0.75
# The most words of a line at the very end of the page that goes with the furniture above it.
_UNDER_FURNITURE = 6
# Below this many words of prose there is no article body to pick out.
_MIN_PROSE = 30.0
_HAS_DIGIT = re.compile(r"\d")
# A comment-section heading that needs no comment below it to be believed.
_STRONG_COMMENTS = re.compile(
    r"^(?:\d+\s+(?:comments?|responses?|replies|thoughts)|top\s+rated\s+comments|comments\s+are\s+closed|"
    r"leave\s+a\s+(?:comment|reply)|reader\s+comments)\b",
    re.IGNORECASE,
)
_MAX_PASSES = 4
# On an extractor's output, the share of prose (or words) outside the best block above which the
# block is not the article but a part of it (a list, table or code splits the text).
_EXTRACTED_OUTSIDE = 0.15
# "Read more" alone is a link under one item, not the heading of a list of teasers.
_READ_MORE = re.compile(r"^read\s+more\W*$", re.IGNORECASE)
# A thread of comments, or a strong comment heading ("59 Comments on ..."), is cut once this share of
# the block's prose precedes it: a lively thread holds more prose than the article above it.
_COMMENTS_SHARE = 0.1
# What the cleaner removes from inside the body an HTML extractor chose: the rules that measured
# more help than harm on extractor output (WCXB dev), where a heading, a date or a list item about
# subscriptions is far more often the article's own than on a raw text dump.
_SURE = frozenset({
    "outside-main-block", "headline", "corpus-furniture", "no-text", "caption-credit", "byline", "cookie-consent",
    "form-notice", "disclaimer", "author-bio", "donation", "rights-notice", "comments", "comment-header",
    "repeated-block",
})


class CleanResult:
    """What :func:`clean` makes of a text: the clean text, the edits (in raw offsets), the metadata
    the text states, the defects found, and the clean->raw offset map.

    ``offsets`` holds one raw offset per character of ``text`` plus one for its end. The cleaner
    keeps the map as its runs (``runs``, a few breakpoints a line), and the per-character list is
    made from them when first asked for: a pipeline that stores the map as an
    :class:`~dedup.models.OffsetMap` never needs it.
    """

    __slots__ = ("_length", "_offsets", "defects", "edits", "meta", "runs", "text")

    def __init__(
        self, text: str, edits: list[Edit] | None = None, offsets: list[int] | None = None,
        meta: dict[str, str] | None = None, defects: list[str] | None = None, runs: Runs | None = None,
    ) -> None:
        self.text = text
        self.edits = edits if edits is not None else []
        self.meta = meta if meta is not None else {}
        self.defects = defects if defects is not None else []
        self.runs = runs
        self._offsets = offsets
        self._length = len(offsets) if offsets is not None else len(text) + 1

    @property
    def offsets(self) -> list[int]:
        if self._offsets is None:
            self._offsets = self.runs.expand(self._length) if self.runs is not None else []
        return self._offsets

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CleanResult):
            return NotImplemented
        return (self.text, self.edits, self.offsets, self.meta, self.defects) == (
            other.text, other.edits, other.offsets, other.meta, other.defects)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"CleanResult(text={self.text!r}, edits={self.edits!r}, offsets={self.offsets!r}, "
                f"meta={self.meta!r}, defects={self.defects!r})")

    def offset_map(self) -> OffsetMap:
        """``offsets`` as an :class:`~dedup.models.OffsetMap`."""
        if self.runs is None or not self.runs.starts:
            return OffsetMap.from_list(self.offsets)
        return OffsetMap(np.array(self.runs.starts, dtype=np.int64), np.array(self.runs.values, dtype=np.int64),
                         self._length)

    def explain(self) -> str:
        """One line per edit: raw span, rule, what went and what came."""
        if not self.edits:
            return "no edits"
        out = []
        for e in self.edits:
            removed = e.removed if len(e.removed) <= 70 else e.removed[:50] + " … " + e.removed[-15:]
            line = f"{e.start:>7}-{e.end:<7} {e.rule:<20} {removed!r}"
            if e.replacement:
                line += f" -> {e.replacement!r}"
            if e.detail:
                line += f"  ({e.detail})"
            out.append(line)
        if self.meta:
            out.append("meta: " + ", ".join(f"{k}={v!r}" for k, v in sorted(self.meta.items())))
        if self.defects:
            out.append("defects: " + ", ".join(f"{k}×{v}" for k, v in sorted(Counter(self.defects).items())))
        return "\n".join(out)


def _edit(raw: str, start: int, end: int, rule: str, replacement: str = "", detail: str = "") -> Edit:
    return Edit(start, end, rule, raw[start:end], replacement, detail)


def _line_fix_edits(raw: str, line: _Line, fixes: list[Fix], rule: str, detail: str = "") -> list[Edit]:
    base = line.offsets()
    edits = []
    for s, e, repl in fixes:
        rs = base[s]
        re_ = base[e - 1] + 1 if e > s else rs
        edits.append(_edit(raw, rs, re_, rule, repl, detail))
    return edits


def _title_anchor(lines: list[_Line], prose: float) -> int:
    """Index of the line that repeats the page title above the body, or -1."""
    if len(lines) < 3 or prose <= 0:
        return -1
    title, _outlet = _meta.split_title(lines[0].text)
    if len(title) < 15 or len(title) > 250:
        return -1
    key = title.lower()
    after = prose
    best = -1
    for j, ln in enumerate(lines):
        # Lengths first: most lines are far longer than a title, and need no slice.
        if j and len(title) <= len(ln.text) < len(title) + 40 and ln.text[: len(title)].lower() == key:
            if after >= 0.5 * prose:
                best = j
        if ln.score > 0:
            after -= ln.score
    return best


def _drops_prose(lines: list[_Line], a: int, b: int, prose: float) -> bool:
    """True when the lines outside ``a..b`` hold more than a little of the prose: on an extractor's
    output that is the article's list, table or code splitting its text, not a page's furniture."""
    outside = sum(ln.score for k, ln in enumerate(lines) if ln.score > 0 and not a <= k <= b)
    if outside > _EXTRACTED_OUTSIDE * prose:
        return True
    # ... or much of its words: a list of brands or books after a short introduction
    words = [len(ln.text.split()) for ln in lines]
    return sum(words[:a]) + sum(words[b + 1 :]) > _EXTRACTED_OUTSIDE * sum(words)


def _no_class(_text: str) -> None:
    return None


def _is_body_start(line: _Line) -> bool:
    return _furn.is_sentence(line.text) and _furn.units(line.text) >= 8


# Line decisions are functions of the line's text alone, so they are memoised
# across documents too: page furniture repeats from page to page, and so does
# every line of a syndicated copy. The memos are emptied when they grow past
# _MEMO_SIZE lines, and by furniture.clear_caches().
_MEMO_SIZE = 1 << 15
_STRICT: dict[str, tuple[str | None, float]] = {}
_EDGE: dict[str, str | None] = {}
# Lines in which the repairs found nothing to do.
_SOUND: set[str] = set()
# (comments marker, teaser marker at the edge, donation, back matter) of a line, for the tail scan.
_TAIL: dict[str, tuple[bool, bool, bool, bool]] = {}
# What a furniture lookup needs of a line: the characters its key surely keeps (key_may_fit), its
# key, and the head of its key (line_head). Every pass and every copy of a line asks again.
_KEPT: dict[str, int] = {}
_KEYS: dict[str, str] = {}
_HEADS: dict[str, str] = {}
_MEMOS: tuple[dict[str, Any] | set[str], ...] = (_STRICT, _EDGE, _SOUND, _TAIL, _KEPT, _KEYS, _HEADS)
_furn.register_memo(*_MEMOS)


def _tail_flags(text: str) -> tuple[bool, bool, bool, bool]:
    """(comments marker, teaser marker at the edge, donation, back matter) of a line _TAIL does not hold
    yet, kept there."""
    if len(text) > 160 and _furn.units(text) > 4:
        # What the markers test first: each turns such a line down.
        flags = _NO_TAIL_FLAGS
    else:
        flags = (_furn.comments_marker(text), _furn.teaser_marker(text, True), _furn.donation(text, False),
                 _tail.back_matter(text))
    _TAIL[text] = flags
    return flags


_NO_TAIL_FLAGS = (False, False, False, False)


_T = TypeVar("_T")
# What a memo lookup gives for a line it does not hold (a memo's value may be None).
_UNKNOWN = object()


def _remembered(memo: dict[str, _T], text: str, of: Callable[[str], _T]) -> _T:
    """``of(text)``, kept in ``memo`` (whose values are never None)."""
    # (get, not a KeyError caught: most lines are new, and raising the error costs more than the lookup)
    value = memo.get(text)
    if value is None:
        value = memo[text] = of(text)
    return value


class _Cache:
    """Memo of line decisions, so later passes (and documents) re-decide only new lines."""

    __slots__ = ("edge", "extracted", "sound", "strict")

    def __init__(self, extracted: bool = False) -> None:
        if max(map(len, _MEMOS)) > _MEMO_SIZE:
            for memo in _MEMOS:
                memo.clear()
        self.strict = _STRICT
        self.edge = _EDGE
        self.sound = _SOUND
        # the text is an extractor's output (see clean()): only sure furniture goes from inside its body
        self.extracted = extracted

    def classify_edge(self, text: str) -> str | None:
        known = self.edge.get(text, _UNKNOWN)
        if known is not _UNKNOWN:
            return cast("str | None", known)
        strict = self.strict.get(text)
        # The strict memo holds classify(text) unless no_text or a quote decided it.
        if strict is not None and strict[0] != "no-text" and text[0] not in _QUOTE_OPEN:
            cls = self.edge[text] = _furn.classify_edge_knowing(text, strict[0])
        else:
            cls = self.edge[text] = _furn.classify(text, edge=True)
        return cls

    @staticmethod
    def key(text: str) -> str:
        """normalise_line(text), the key a furniture mapping holds lines under."""
        return _remembered(_KEYS, text, normalise_line)

    @staticmethod
    def may_fit(text: str, longest: int) -> bool:
        """key_may_fit(text, longest)."""
        return len(text) <= longest or _remembered(_KEPT, text, kept_chars) <= longest

    @staticmethod
    def head(text: str) -> str:
        """line_head(text)."""
        return _remembered(_HEADS, text, line_head)


def _decide(
    lines: list[_Line], furniture: Mapping[str, str] | None, cache: _Cache
) -> tuple[dict[int, str], dict[int, str], int, int, str | None]:
    """Steps 2-5 of a pass: which lines go, and why.

    Returns (removed line index -> rule, line index -> evidence, last line of
    the body, end of the head, the title line or None). Depends on nothing
    but the lines' texts, so a text made of the kept lines of a pass can be
    decided again without splitting it.
    """
    # 2. Classify and score every line.
    details: dict[int, str] = {}
    longest = furniture.longest if isinstance(furniture, FurnitureLines) else -1
    long_keys = furniture if isinstance(furniture, FurnitureLines) and furniture.heads else None
    # long furniture (an outlet's "About us" paragraph) is counted only in a page's last lines
    edge = len(lines) - EDGE_LINES
    strict = cache.strict
    looked_up = bool(furniture)
    for i, ln in enumerate(lines):
        t = ln.text
        if (
            looked_up
            and furniture is not None
            and (longest < 0 or cache.may_fit(t, longest)
                 or (long_keys is not None and i >= edge and long_keys.has_head(cache.head(t))))
            and (ev := furniture.get(cache.key(t))) is not None
        ):
            ln.cls = "corpus-furniture"
            details[i] = ev
            ln.score = line_score(t, ln.cls)
            continue
        hit = strict.get(t)
        if hit is None:
            cls = None
            if no_text(t):
                cls = "no-text"
            elif t[0] not in _QUOTE_OPEN:
                cls = _furn.classify(t)
            hit = strict[t] = (cls, line_score(t, cls))
        ln.cls, ln.score = hit

    # 3. The article body: the best-scoring run of lines. A text with little
    # prose (a table, a schedule, a list) has no body to choose: keep it whole.
    n = len(lines)
    prose = sum(ln.score for ln in lines if ln.score > 0)
    # A page states its title first and again right above the article: the
    # body starts after the last repeat that still has most prose below it.
    anchor = _title_anchor(lines, prose)
    a, b, total = main_block([ln.score for ln in lines[anchor + 1 :]])
    a, b = a + anchor + 1, b + anchor + 1
    if total <= 0 or prose < _MIN_PROSE or (cache.extracted and _drops_prose(lines, a, b, prose)):
        a, b = 0, n - 1
    block = (a, b)
    removed: dict[int, str] = {}
    for i in range(a):
        removed[i] = cache.classify_edge(lines[i].text) or lines[i].cls or "outside-main-block"
    for i in range(b + 1, n):
        removed[i] = cache.classify_edge(lines[i].text) or lines[i].cls or "outside-main-block"

    # 4. Tail: a bare "More in ..." marker late in the body, followed by little
    # prose, starts other articles' teasers: cut there. Elsewhere a marker
    # takes only itself and the headlines right after it.
    prose_before = 0.0
    prose_total = sum(ln.score for ln in lines[a : b + 1] if ln.score > 0) or 1.0
    tail = _TAIL
    seen: set[str] = set()  # the kinds of furniture the article carries in its body (per-item buttons)
    i = a
    while i <= b:
        ln = lines[i]
        flags = tail.get(ln.text)
        comments, teaser, donation, back = flags if flags is not None else _tail_flags(ln.text)
        early = prose_before >= _COMMENTS_SHARE * prose_total and prose_before >= _MIN_PROSE
        late = prose_before >= _TAIL_SHARE * prose_total  # the article's second half
        start = _tail.thread_start(lines, i, a, b, removed) if early else None
        if start is not None:
            for j in range(start, b + 1):
                removed[j] = lines[j].cls or "comments"
            b = start - 1
            break
        if (ln.cls == "comment-header" or comments) and early:
            strong = _STRONG_COMMENTS.match(ln.text) is not None
            heads = sum(1 for j in range(i, b + 1) if lines[j].cls == "comment-header") if late or strong else 0
            if (late and heads >= 2) or (comments and (heads >= 1 or strong)):
                for j in range(i, b + 1):
                    removed[j] = lines[j].cls or "comments"
                b = i - 1
                break
        if late and (box := _tail.author_box(lines, i, b)):
            for j in range(i, i + box):
                removed[j] = "author-bio"
            i += box
            continue
        if teaser or donation or back:
            rule = "teaser-marker" if teaser else "donation" if donation else "back-matter"
            bare = back or not _tail.LABEL_WITH_TEXT.match(ln.text)
            after = prose_total - prose_before
            if bare and late and after < _TAIL_PROSE * prose_before:
                removed[i] = rule
                for j in range(i + 1, b + 1):
                    removed[j] = lines[j].cls or ("back-matter" if back else "teaser-tail")
                b = i - 1
                break
            if back:
                removed[i] = rule
                i += 1
                continue
            if bare:
                removed[i] = rule
                # ledes only under a heading of teasers in the article's second half: a "Read more"
                # link, or a marker early on, sits among the article's own headed paragraphs
                ledes = late and not _READ_MORE.match(ln.text)
                i = _tail.teasers_after(lines, i + 1, b, removed, ledes)
                continue
        # 4b. The page's own tail: furniture close together (share, tags, a subscription prompt)
        # with little prose after it (less than the article's, when the furniture is dense). A
        # kind the article already carried (a "Book now" under every item) is the article's.
        # (in the article's first half only a line's own class counts: the edge classifiers are not
        # asked of every line)
        kind = _tail.tail_kind(ln, cache.classify_edge if late else _no_class, prose=False)
        if kind is not None:
            run = _tail.furniture_run(lines, i, b, cache.classify_edge) if late and kind not in seen else 0
            if run and sum(lines[j].score for j in range(i, b + 1) if lines[j].score > 0) < (
                    _DENSE_TAIL_PROSE if run >= 2 else _TAIL_PROSE) * prose_before:
                for j in range(i, b + 1):
                    removed[j] = lines[j].cls or cache.classify_edge(lines[j].text) or "page-tail"
                b = i - 1
                break
            seen.add(kind)
        if ln.score > 0:
            prose_before += ln.score
        i += 1
    while b >= a:
        t = lines[b].text
        cls = lines[b].cls or cache.classify_edge(t)
        if cls is None and lines[b].score <= -SHORT_LINE_COST and _furn.headline_like(t):
            cls = "outside-main-block"
        if (
            cls is None and b - 1 > a and _furn.units(t) <= _UNDER_FURNITURE
            and (lines[b - 1].cls or cache.classify_edge(lines[b - 1].text)) is not None
        ):
            cls = "outside-main-block"  # a page's last words under its furniture ("How can we help?")
        if cls is None:
            break
        removed[b] = cls
        b -= 1

    # 5. Head: until the first paragraph, headings and furniture go (the first
    # heading is the title). Data lines (dates of a schedule, table rows) stay.
    title_line: str | None = None
    head_end = a
    for i in range(a, b + 1):
        ln = lines[i]
        if _is_body_start(ln):
            break
        head_end = i + 1
        cls = ln.cls or cache.classify_edge(ln.text)
        if (
            cls is None
            and _furn.headline_like(ln.text)
            and (ln.score <= -SHORT_LINE_COST or not _HAS_DIGIT.search(ln.text))
        ):
            cls = "headline"
            if title_line is None:
                title_line = ln.text
        if cls is not None:
            removed[i] = cls
    for i in range(head_end, b + 1):
        if lines[i].cls is not None and i not in removed:
            removed[i] = lines[i].cls or ""
    keep = set(_meta.wire_signoffs([ln.text for ln in lines[b + 1 : b + 4]], b + 1))  # the article's credit
    removed = {i: r for i, r in removed.items() if i not in keep or r != "outside-main-block"}
    if cache.extracted:
        # An extractor already chose this body: inside it, only what is surely not the article goes.
        removed = {i: r for i, r in removed.items() if r in _SURE or not block[0] <= i <= block[1]}
    return removed, details, b, head_end, title_line


def _clean_once(
    raw: str, furniture: Mapping[str, str] | None, cache: _Cache
) -> tuple[str, list[Edit], dict[str, str], list[str], list[_Line], Runs]:
    lines = _split(raw)
    edits: list[Edit] = []
    meta: dict[str, str] = {}
    defects: list[str] = []
    if not lines:
        return "", edits, meta, defects, [], _empty_map()

    # 1. A scraper's fields glued to the first line: "date 2024-08-05 (MENAFN) ...".
    first = lines[0]
    for name in ("date-prefix", "wire-tag"):
        fixes = RULES[name](first.text)
        if not fixes:
            continue
        if name == "date-prefix":
            found = _meta.date_prefix(first.text)
            if found:
                meta["date"] = found[1]
        else:
            tag = _meta.wire_tag(first.text)
            if tag:
                meta["outlet"] = tag[1]
        edits.extend(_line_fix_edits(raw, first, fixes, name))
        first.fix(fixes)
    if not first.text:
        lines = lines[1:]
        if not lines:
            return "", edits, meta, defects, [], _empty_map()

    removed, details, b, head_end, title_line = _decide(lines, furniture, cache)

    # 6. Metadata from what the head and tail said (dedup.clean.head_meta), then a later repeat of
    # the title in the body is the title again.
    texts = [ln.text for ln in lines]
    read_meta(PageView(texts, removed, head_end, b, title_line), meta)
    if title_line is not None and "title" in meta:
        tkey = normalise_line(meta["title"])
        # A line whose key is surely longer than the title's is not normalised.
        longest = len(tkey)
        may_fit = key_may_fit
        for i in range(head_end, b + 1):
            t = texts[i]
            if i not in removed and may_fit(t, longest) and normalise_line(t) == tkey:
                removed[i] = "repeated-headline"
    # A block the page printed twice (a responsive layout's second copy of the body or of a promo) is
    # kept once: the later copy goes, with the line it repeats as evidence.
    kept = [i for i in range(len(lines)) if i not in removed]
    repeats = _repeated_runs([texts[i] for i in kept])
    for k, orig in repeats.items():
        removed[kept[k]] = "repeated-block"
        if repeats.get(k - 1) != orig - 1:  # a run's first line: one edit per run, its evidence here
            shown = texts[kept[orig]]
            details[kept[k]] = f"repeats the block above from “{shown[:60]}{'…' if len(shown) > 60 else ''}”"

    # A table of contents near the top names the sections the text prints below: it goes.
    if not cache.extracted:
        for i in _contents_lines(texts, removed):
            removed[i] = "table-of-contents"

    # 7. Edits for removed lines (runs of one rule merged), repairs in kept lines.
    run: list[int] = []

    def flush() -> None:
        if run:
            s, e = lines[run[0]].start, lines[run[-1]].end
            rule = removed[run[0]]
            edits.append(_edit(raw, s, e, rule, "", details.get(run[0], _detail(rule))))
            run.clear()

    pieces: list[_Line] = []
    for i, ln in enumerate(lines):
        if i in removed:
            if run and (removed[run[-1]] != removed[i] or run[-1] != i - 1 or i in details):
                flush()
            run.append(i)
            continue
        if run:
            flush()
        if ln.text not in cache.sound:
            _repair_line(raw, ln, edits, defects, cache)
        if ln.text:
            pieces.append(ln)
    flush()
    edits.sort(key=lambda e: (e.start, e.end))

    # 8. Assemble: paragraphs joined by a blank line, every char mapped. The map is also kept as
    # its runs (see OffsetMap), which cost a few entries per line here and save converting a
    # per-character list later.
    out: list[str] = []
    runs = Runs()
    at = 0  # characters of the clean text so far
    for k, ln in enumerate(pieces):
        if k:
            out.append("\n\n")
            sep = pieces[k - 1].end
            runs.add(at, sep)
            runs.add(at + 1, sep)
            at += 2
        out.append(ln.text)
        if ln.base is None:
            runs.add(at, ln.start)
            at += ln.end - ln.start
        else:
            runs.add_list(at, ln.base, len(ln.base) - 1)
            at += len(ln.base) - 1
    runs.add(at, pieces[-1].end if pieces else 0)
    return "".join(out), edits, meta, defects, pieces, runs


def _empty_map() -> Runs:
    """The offset map of an empty clean text: its one end entry, at 0."""
    runs = Runs()
    runs.add(0, 0)
    return runs


def _detail(rule: str) -> str:
    return POSITIONAL.get(rule, "")


def _repair_line(raw: str, ln: _Line, edits: list[Edit], defects: list[str], cache: _Cache) -> None:
    fixes = _repair.mojibake(ln.text)
    if fixes:
        defects.append("mojibake")
        edits.extend(_line_fix_edits(raw, ln, fixes, "mojibake"))
        ln.fix(fixes)
    all_fixes: list[Fix] = []
    t = ln.text
    lost = 0
    if _repair.may_need_repair(t):
        for name in _repair.REPAIRS:
            found = RULES[name](t)
            if found:
                defects.extend([name] * len(found))
                edits.extend(_line_fix_edits(raw, ln, found, name))
                all_fixes.extend(found)
        lost = _repair.lost_link_text(t)
        if lost:
            defects.extend(["lost-link-text"] * lost)
    if all_fixes:
        ln.fix(all_fixes)
    elif not fixes and not lost:
        # Nothing to repair and no defect to report: the memo may skip it next time.
        cache.sound.add(t)


_BREAKS = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_ASCII_BREAKS = b"\n\r\x0b\x0c\x1c\x1d\x1e"


def _splits_to_itself(text: str) -> bool:
    """_split(text) is [text] itself: no line break, and _regular (spacing already normal)."""
    if not text or not _regular(text):
        return False
    if text.isascii():
        b = text.encode("ascii")
        return len(b.translate(None, _ASCII_BREAKS)) == len(b)
    return _BREAKS.search(text) is None


def _settled(pieces: list[_Line], furniture: Mapping[str, str] | None, cache: _Cache) -> bool:
    """True when another pass over the kept lines would keep them all, unchanged.

    A pass over ``text`` (the kept lines joined by blank lines) splits it back
    into those very lines, unless a fix left a line that _split would change,
    so its decisions can be taken on the lines themselves: no prefix field, no
    line removed, no repair to make means the pass returns ``text`` again.
    That saves re-splitting, re-mapping and re-hashing every line.
    """
    if not pieces:
        return False
    if any(ln.dirty and not _splits_to_itself(ln.text) for ln in pieces):
        return False
    # _decide reads only each line's text (and sets cls and score on every
    # one before reading them), and nothing reads the pieces after this check.
    lines = pieces
    first = lines[0].text
    if RULES["date-prefix"](first) or RULES["wire-tag"](first):
        return False
    removed = _decide(lines, furniture, cache)[0]
    if removed:
        return False
    for ln in lines:
        t = ln.text
        if t in cache.sound:
            continue
        if _repair.mojibake(t):
            return False
        screened = _repair.may_need_repair(t)
        if screened and any(RULES[name](t) for name in _repair.REPAIRS):
            return False
        if not (screened and _repair.lost_link_text(t)):
            cache.sound.add(t)
    return True


def reachable_furniture(raw: str, furniture: Mapping[str, str]) -> set[str]:
    """The furniture lines (keys of ``furniture``) that clean(raw, furniture=furniture) may look up.

    A line is looked up as a raw line, as the cleaner splits and joins the
    text, as the first line without its scraper prefix, or after its inline
    repairs. The stored :func:`dedup.clean.corpus.furniture_key` holds only
    the first kind; the others are its known gap.
    """
    if not furniture:
        return set()
    longest = furniture.longest if isinstance(furniture, FurnitureLines) else -1
    heads = furniture.heads if isinstance(furniture, FurnitureLines) else frozenset()
    return {k for k in _furniture_candidates(raw, longest, heads) if k in furniture}


def _furniture_candidates(raw: str, longest: int = -1, heads: frozenset[str] = frozenset()) -> set[str]:
    """Normalised lines that clean(raw) may look up in a furniture mapping (for reachable_furniture).

    With ``longest`` (a bound on the mapping's key length), lines whose keys
    cannot be that short are passed over, repaired forms included: a repair
    removes at most a comma or full stop per fix, and no other character that
    key_may_fit counts.
    """

    def fits(t: str, slack: int = 0) -> bool:
        return longest < 0 or key_may_fit(t, longest + slack) or (bool(heads) and line_head(t) in heads)

    keys = {normalise_line(ln) for ln in raw.splitlines() if ln and fits(ln)}
    lines = _split(raw)
    if lines:
        first = lines[0].text
        for name in ("date-prefix", "wire-tag"):
            fixes = RULES[name](first)
            if fixes:
                first = apply_fixes(first, fixes)[0]
        if fits(first):
            keys.add(normalise_line(first))
    for ln in lines:
        t = ln.text
        if not fits(t, t.count(",") + t.count(".")):
            continue
        keys.add(normalise_line(t))
        fixes = _repair.mojibake(t)
        if fixes:
            t = apply_fixes(t, fixes)[0]
            keys.add(normalise_line(t))
        more = [f for name in _repair.REPAIRS for f in RULES[name](t)]
        if more:
            keys.add(normalise_line(apply_fixes(t, more)[0]))
    return keys


def clean(raw: str, *, furniture: Mapping[str, str] | None = None, extracted: bool = False) -> CleanResult:
    """Clean one document; see the module docstring.

    ``extracted``: ``raw`` is what an HTML extractor (trafilatura) kept of a page, not a whole page's
    text. The extractor's choice of body is trusted: inside it only furniture of the sure kinds
    (consent, disclaimers, credits, corpus furniture, ...) goes, never a heading, date or list item.
    """
    # Lines that survive a pass are classified again in the next; the cache
    # makes the fixed-point check cost little more than one pass.
    cache = _Cache(extracted)
    text, edits, meta, defects, pieces, first = _clean_once(raw, furniture, cache)
    runs: Runs | None = first
    if not edits:
        # Nothing removed or repaired: the next pass would see the same lines.
        return CleanResult(text=text, edits=edits, meta=meta, defects=defects + page_defects(raw, text), runs=runs)
    # Removing furniture can expose new furniture (a heading that now starts
    # the text); cleaning to a fixed point makes clean() idempotent. A pass
    # that would change nothing is decided on the kept lines, not run.
    offsets: list[int] | None = None
    for _ in range(_MAX_PASSES - 1):
        if _settled(pieces, furniture, cache):
            break
        text2, edits2, meta2, _defects2, pieces, runs2 = _clean_once(text, furniture, cache)
        if text2 == text:
            break
        if offsets is None:
            offsets = first.expand(len(text) + 1)
        last = len(offsets) - 1
        for e in edits2:
            s = offsets[min(e.start, last)]
            en = offsets[min(e.end - 1, last)] + 1 if e.end > e.start else s
            edits.append(Edit(s, max(s, en), e.rule, raw[s : max(s, en)], e.replacement, e.detail))
        edits.sort(key=lambda e: (e.start, e.end))
        offsets = compose(runs2.expand(len(text2) + 1), offsets)
        runs = None
        text = text2
        for k, v in meta2.items():
            meta.setdefault(k, v)
        # Defects describe the input; a later pass can only re-find them.
    return CleanResult(text=text, edits=edits, offsets=offsets, meta=meta,
                       defects=defects + page_defects(raw, text), runs=runs)
