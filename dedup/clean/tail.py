"""The end of an article on a scraped page: comment threads, other articles' teasers, the page's tail.

Pure functions over the cleaner's scored lines (:class:`~dedup.clean.lines.Line`, ``score`` and
``cls`` set); :func:`dedup.clean.cleaner.clean` decides where the body ends with them. They know
nothing of memos or passes: a line's class at the page's edge comes in as ``classify_edge``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import cast

from dedup.clean import furniture as _furn
from dedup.clean.lines import Line
from dedup.clean.metadata import find_dates
from dedup.clean.notices import has_bio_role

__all__ = [
    "LABEL_WITH_TEXT", "THREAD", "author_box", "back_matter", "furniture_run", "tail_kind", "teasers_after",
    "thread_start",
]

Classify = Callable[[str], "str | None"]

# "Read more: Another headline" is an inline promo, not the start of a tail.
LABEL_WITH_TEXT = re.compile(r"^[^:]{1,40}:\s*\S")
# So many commenter name lines make a comment thread.
THREAD = 3
# "3. Kellogg", "Location: Evanston": an article's own numbered section or labelled fact, never a teaser.
_SECTION_HEAD = re.compile(r"^(?:\d{1,3}[.)]\s|[^:]{1,40}:\s*\S)")
# The longest lede a teaser carries under its headline.
_LEDE_UNITS = 60
# What follows an article on its page (see furniture_run), and how close two of them stand.
_TAIL_KINDS = frozenset({
    "share-buttons", "subscribe", "donation", "tag-list", "teaser-marker", "author-bio", "call-to-action",
    "rights-notice", "comment-header", "form-notice", "cookie-consent", "ui-chrome", "disclaimer",
})
_TAIL_WINDOW = 5
# A paragraph's kind of prose furniture, by its text (a function of the text alone: memoised
# across passes and documents, like the cleaner's other line decisions).
_PROSE_KIND: dict[str, str | None] = {}
_MEMO_SIZE = 1 << 15
_UNKNOWN = object()
_furn.register_memo(_PROSE_KIND)
# Tail furniture written as prose, which a paragraph after the article may be.
_PROSE_KINDS = tuple((name, _furn.LINE_CLASSIFIERS[name]) for name in (
    "cookie-consent", "form-notice", "disclaimer", "author-bio", "rights-notice", "tag-list", "teaser-marker",
    "share-buttons", "comment-header"))
# Paragraphs longer than this hold none of the edge classifiers' tail furniture worth asking about (measured
# on WCXB dev: the same result as asking every line, at a third of the cost).
_PROSE_CHARS = 400


def _weak_comment_head(text: str) -> bool:
    """``Jill Winger says``, ``Amy said:``: a commenter's name line (believed only in a run, see THREAD)."""
    return len(text) <= 60 and text.rstrip(": ").endswith((" says", " said", " wrote")) and text[:1].isupper()


_REPLY = frozenset(("reply", "reply ↓", "reply →", "log in to reply", "reply to this comment", "reply to comment"))
# How far above the first "Reply" its comment's header (a line with the date) may be.
_COMMENT_SPAN = 8


def _reply_label(text: str) -> bool:
    """A reader comment's "Reply" button, as a line of its own."""
    return len(text) <= 24 and text.strip().casefold() in _REPLY


def thread_start(lines: list[Line], i: int, a: int, b: int, removed: Mapping[int, str]) -> int | None:
    """Where a thread of reader comments starts when line i opens one (the block runs a..b), else None:
    "Jill Winger says" over and over (from the heading above the first), or a "Reply" button under one
    comment after another (from the first comment's header, a few lines above its button)."""
    text = lines[i].text
    if _weak_comment_head(text) and sum(1 for j in range(i, b + 1) if _weak_comment_head(lines[j].text)) >= THREAD:
        return i - 1 if i - 1 > a and lines[i - 1].score < 0 and i - 1 not in removed else i
    if _reply_label(text) and sum(1 for j in range(i, b + 1) if _reply_label(lines[j].text)) >= 2:
        return _comment_start(lines, i, a)
    return None


def _comment_start(lines: list[Line], i: int, a: int) -> int:
    """The first line of the comment whose "Reply" is line i: its dated header line when one stands
    within _COMMENT_SPAN lines above, else the comment's text just above the button."""
    for j in range(i - 1, max(a, i - 1 - _COMMENT_SPAN), -1):
        t = lines[j].text
        if len(t) <= 120 and find_dates(t):
            return j
    return max(a + 1, i - 1)


def _teaser_head(line: Line) -> bool:
    return line.score < 0 and _furn.headline_like(line.text)


def teasers_after(lines: list[Line], j: int, b: int, removed: dict[int, str], ledes: bool) -> int:
    """Mark the teasers after a marker (lines j..b at most) as removed; returns the first line after them.

    A teaser is a headline, and may carry one short lede under it ("Smart Energy Optimization: ...",
    then its one-sentence summary). A lede is taken only between two teaser headlines, or after two
    ledes already taken: a headline with one paragraph under it is also how an article's own
    sections look."""
    taken = 0
    while j <= b:
        ln = lines[j]
        if _teaser_head(ln) and not (taken and _SECTION_HEAD.match(ln.text)):
            removed[j] = "teaser-tail"
            j += 1
            continue
        if (
            ledes and j - 1 in removed and removed[j - 1] == "teaser-tail" and _furn.units(ln.text) <= _LEDE_UNITS
            and ((j + 1 <= b and _teaser_head(lines[j + 1]) and not _SECTION_HEAD.match(lines[j + 1].text))
                 or (taken >= 2 and (j + 1 > b or lines[j + 1].score <= 0)))
        ):
            removed[j] = "teaser-tail"
            taken += 1
            j += 1
            continue
        break
    return j


def furniture_run(lines: list[Line], i: int, b: int, classify_edge: Classify) -> int:
    """How many of the few lines after line i (tail furniture itself) are furniture that follows an
    article too (share and subscribe prompts, tags, donation and contact calls, an author's box,
    the heading of other articles): one makes line i the likely start of the page's own tail."""
    return sum(1 for j in range(i + 1, min(b, i + _TAIL_WINDOW) + 1) if tail_kind(lines[j], classify_edge) is not None)


def tail_kind(line: Line, classify_edge: Classify, prose: bool = True) -> str | None:
    """The kind of furniture a line is when it follows an article, else None. Prose that reads as a
    subscription prompt only at a page's edge ("51% of people unsubscribe from newsletters ...")
    is not counted, nor a list's label ("Compare expenses beyond subscription fees:"), nor an inline
    promo ("Read more: Another headline")."""
    cls = line.cls
    if cls is None:
        if line.score > 0:
            # a paragraph: only the furniture written in prose counts (a cookie notice, an author's
            # biography, ...), asked of paragraphs of a notice's length (most lines are longer) and
            # only when asked (the scan for a tail's start asks the short lines)
            if not prose or len(line.text) > _PROSE_CHARS:
                return None
            known = _PROSE_KIND.get(line.text, _UNKNOWN)
            if known is _UNKNOWN:
                if len(_PROSE_KIND) > _MEMO_SIZE:
                    _PROSE_KIND.clear()
                known = _PROSE_KIND[line.text] = next(
                    (name for name, fn in _PROSE_KINDS if fn(line.text, True)), None)
            return cast("str | None", known)
        cls = classify_edge(line.text)
    if cls == "subscribe" and line.text.endswith(":"):
        return None
    if cls == "teaser-marker" and LABEL_WITH_TEXT.match(line.text):
        return None
    return cls if cls in _TAIL_KINDS else None


# "Karina Cohen", "Jean-Luc Aufranc (CNXSoft)", "Brian Stormont, CFP®": a person's name as a line,
# with at most a short label after it.
_NAME_LINE = re.compile(r"^([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})(?:\s*(?:,|\(|\||–|—|-)\s*.{1,50})?$")
# What comes after the name in a biography: "is the owner of", "started CNX Software in 2010".
_BIO_AFTER_NAME = re.compile(
    r"^(?:is|was|has|had|holds|joined|started|founded|co-founded|leads|lives|writes|covers|teaches|worked|works|"
    r"serves|brings|specializ\w*|oversees|manages|runs|loves|’s|'s)\b")


def author_box(lines: list[Line], i: int, b: int) -> int:
    """How many lines (from i, at most up to b) an author's box takes, or 0: a person's name as a
    line of its own, then a biography that opens with that name, or the first name, and says what
    the person does ("Karina Cohen" / "Karina Cohen is the owner of CR Maids ..."), then the
    biography's further lines opening with the first name or "He"/"She"/"They"."""
    if i + 1 > b:
        return 0
    m = _NAME_LINE.match(lines[i].text)
    if m is None or _furn.ends_sentence(lines[i].text):
        return 0
    name = m.group(1)
    first = name.split()[0]
    bio = lines[i + 1].text
    for who in (name, first):
        if bio.startswith(who + " ") and _BIO_AFTER_NAME.match(bio[len(who) + 1 :]):
            break
    else:
        return 0
    if (lines[i + 1].score <= 0 and lines[i + 1].cls != "author-bio") or not has_bio_role(bio):
        return 0
    k = i + 2
    while k <= b and lines[k].score > 0 and lines[k].text.startswith((first + " ", "He ", "She ", "They ")):
        k += 1
    return k - i


# The heading of an article's back matter: its references and footnotes, which the page prints after
# the text and an extractor's reader does not count as the article ("Notes" alone may be a recipe's).
_BACK_MATTER = re.compile(
    r"^(?:references?|sources?|footnotes?|end\s*notes?|bibliography|citations?|works\s+cited|"
    r"sources?\s+(?:and|&)\s+references?|references?\s+(?:and|&)\s+(?:further\s+reading|notes))\s*:?$",
    re.IGNORECASE)


def back_matter(text: str) -> bool:
    """``References``, ``Sources:``, ``Footnotes``: the heading of the article's back matter."""
    return len(text) <= 40 and _BACK_MATTER.match(text.strip(" #*🔗")) is not None
