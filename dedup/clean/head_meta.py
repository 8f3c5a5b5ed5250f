"""Metadata of a text dump read from the lines the cleaner took off its head and tail.

Pure: it sees the line texts, which lines were removed and why, and where the body runs; it
knows nothing of offsets or edits. The title comes from a headline above the body (or the
first body line that looks like one), the date and author from the lines around the article's
headline (a byline, a dateline, a bare name beside a date), else from the datelines and bylines
the cleaner took off the head; the outlet from a title suffix, a source line at the end or the
organisations of the footer.

Why the headline: a naive dump of a web page starts with the page's <title>, then the whole
navigation (menus "By Role", "By Industry", sidebars of other articles with their own authors and
dates), and only then the article's headline, byline and date. The headline repeats the <title>
without its outlet suffix, so it is found by that repeat; the article's own byline and date sit
within a few lines of it, where the menus do not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from dedup.clean import furniture as _furn
from dedup.clean import metadata as _meta
from dedup.clean import notices as _notices

__all__ = ["PageView", "read_meta"]

# Rules whose lines may carry the page's date or author.
_DATE_RULES = ("dateline", "byline", "headline", "outside-main-block")
_AUTHOR_RULES = ("dateline", "byline")
# Rules of the footer whose organisations may name the outlet.
_FOOTER_RULES = ("rights-notice", "donation", "teaser-tail", "outside-main-block", "subscribe")
# Rules of lines that are never a name beside a date (menus, share rows, tags).
_NOT_NAME_RULES = frozenset(
    ("ui-chrome", "share-buttons", "subscribe", "breadcrumb", "tag-list", "teaser-marker", "cookie-consent")
)
# How far the headline's byline and date may sit from it: lines after, lines before (a date or a
# category line above the headline). Past these the lines are the article or the navigation.
_AFTER = 8
_BEFORE = 3
# How far past the head the headline may be: a dump whose body block starts at a standfirst or a
# notice puts the headline just inside the body (WCXB dev: 8 finds 2 more authors and dates than 4).
_PAST_HEAD = 8
_HEAD_SPAN = 120
# Lines longer than this in the window are prose, not a byline or a dateline.
_MAX_META_LINE = 160
# Lines read after the body's end for a post footer.
_TAIL_LINES = 6


@dataclass(frozen=True)
class PageView:
    """What the cleaner decided about one page's lines."""

    texts: Sequence[str]
    removed: Mapping[int, str]  # line index -> rule that removed it
    head_end: int  # first line of the body
    body_end: int  # last line of the body
    title_line: str | None  # the body's first line when it looks like a headline


def read_meta(view: PageView, meta: dict[str, str]) -> None:
    """Fill ``meta`` (title, date, author, outlet) with what it lacks and the page states."""
    anchors = _headlines(view)
    _read_dates_and_authors(view, anchors, meta)
    _rest_of_meta(view, meta)
    if anchors:  # the headline itself over the <title>, whose outlet part split_title may miss
        headline = _headline_title(view, anchors[0])
        if headline:
            meta["title"] = headline


def _title_key(view: PageView) -> str:
    """The key of the page's title without its outlet suffix: a bare "name" inside it is words of the
    headline ("Backup Strategy" under "Backup Strategy"), not a person."""
    return _title_key_of(view.texts[0]) if view.texts else ""


@lru_cache(maxsize=256)
def _title_key_of(first: str) -> str:
    parts = _meta.title_parts(first)  # "Title — Author Name | Outlet": the title is the longest
    return _key(max(parts, key=len)) if parts else ""


def _headline_title(view: PageView, anchor: int) -> str | None:
    """The headline as the title: the line itself when it repeats the <title> whole or begins with
    it ("The Title: and its subtitle"); the repeated part when the line only ends with it ("Blog /
    The Title")."""
    line = view.texts[anchor].strip()
    k = _key(line)
    first = view.texts[0]
    parts = [_meta.split_title(first)[0], *_meta.title_parts(first), first]
    if not any(k == _key(p) or k.startswith(_key(p)) for p in parts if len(_key(p)) >= 15 or k == _key(p)):
        tail = next((p for p in parts if len(_key(p)) >= 20 and k.endswith(_key(p))), None)
        line = tail.strip() if tail else line
    return line if _title_ok(line) and _furn.headline_like(line) else None


# What the furniture says a title never is: interface words ("Fullscreen") and share rows, which a
# dump's first line is when the page opens with a media player or a toolbar.
_NEVER_TITLE = frozenset(("ui-chrome", "share-buttons"))


def _title_ok(line: str) -> bool:
    return _meta.plausible_title(line) and _furn.classify(line) not in _NEVER_TITLE


def _read_dates_and_authors(view: PageView, anchors: list[int], meta: dict[str, str]) -> None:
    for anchor in anchors:
        if "date" in meta and "author" in meta:
            break
        _near_headline(view, anchor, meta)
    if "date" not in meta or "author" not in meta:
        _stated_in_head(view, meta)
    # then the weaker readings, each only while its field is still missing, most reliable first
    fallbacks = (("date", (_stated_at_tail, _top_of_body, _labelled_anywhere)),
                 ("author", (_author_box, _tail_byline, _biography, _label_then_name)))
    for field, readers in fallbacks:
        for read in readers:
            if field in meta:
                break
            read(view, meta)


def _rest_of_meta(view: PageView, meta: dict[str, str]) -> None:
    texts, removed = view.texts, view.removed
    pre_title = None
    # The head's datelines and bylines, when the headline gave none: only those close above the
    # body, since the head's start is the navigation ("By Role", other articles' bylines).
    near = max(0, view.head_end - _AFTER - _BEFORE)
    for i in range(0, view.head_end):
        t = texts[i]
        rule = removed.get(i)
        if pre_title is None and rule in ("headline", "outside-main-block") and _furn.headline_like(t):
            pre_title = t
        if "date" not in meta and rule in _DATE_RULES and (i >= near or i == 0):
            if _furn.dateline(t, True) or i == 0:
                _take_date(t, _meta.find_dates(t), meta, revised_too=True)
        if "author" not in meta and rule in _AUTHOR_RULES and i >= near:
            au = _meta.byline_name(t)
            if au:
                meta["author"] = au
    cand = pre_title or view.title_line
    if cand is not None:
        title, outlet = _meta.split_title(cand)
        if title and _title_ok(title):  # not "2 Hours Ago", "(68102)", "8:00 AM ET", "Fullscreen"
            meta["title"] = title
        if outlet and "outlet" not in meta and _meta.plausible_outlet(outlet, cand):
            meta["outlet"] = outlet
    if "outlet" not in meta:
        _tail_outlet(view, meta)


def _headlines(view: PageView) -> list[int]:
    """Where the article's headline may be, best first: the last repeat, near the head, of the
    <title> (the dump's first line, its outlet suffix split off), then its first repeat (a headline
    above a table of contents that repeats it); else the title line the cleaner found."""
    texts, n = view.texts, len(view.texts)
    if n < 2:
        return []
    end = min(n, view.head_end + _PAST_HEAD)
    first = texts[0]
    # the headline stands just above the body; past the last _HEAD_SPAN lines of a head is the
    # navigation (a mega-menu of hundreds of lines) and other articles' titles
    span: Sequence[int] = range(max(1, view.head_end - _HEAD_SPAN), end)
    if not any(len(texts[i]) <= _LONGEST_HEADLINE for i in span):
        span = range(0)  # paragraphs only (a text that starts with its article): no line to compare
    # A cheap first test for each line of a long head: it must hold a word of the title (and most
    # pages have no such line near the head: the title's keys are then not made at all).
    cue = _title_cue(first) if span else None
    if cue is not None:
        span = [i for i in span if len(texts[i]) <= _LONGEST_HEADLINE and _holds_cue(texts[i], cue)]
    # The <title> whole, without its outlet, and each part of it between separators ("Outlet |
    # Title", "Title: Subtitle | Outlet"): the headline may repeat any of them.
    keys = _title_keys(first) if span else frozenset()
    found: list[int] = []
    similar: list[int] = []  # lines that reword the title (an SEO <title> over the page's own headline)
    if keys and span:
        words = _title_words(first)
        shortest = min(len(k) for k in keys) * 3 // 4  # a line much shorter than any key is not it
        for i in span:
            t = texts[i]
            if len(t) < shortest or len(t) > _LONGEST_HEADLINE:
                continue
            k = _key(t)
            # "Blog / The Title" (a breadcrumb ending in the title), "The Title: and its subtitle"
            if k in keys or any(len(key) >= 20 and (k.endswith(key) or k.startswith(key)) for key in keys):
                found.append(i)
            elif not found and words and _rewords(t, words):
                similar.append(i)
    if found:
        return [found[-1]] if found[0] >= found[-1] - _AFTER else [found[-1], found[0]]
    if similar:
        return [similar[-1]]  # the last, nearest the body: related articles' titles stand above it
    if view.title_line is not None:
        for i in range(view.head_end, min(n, view.head_end + 1)):
            if texts[i] == view.title_line:
                return [i]
    return []


#: no headline is longer than this many characters
_LONGEST_HEADLINE = 300
_NON_WORD = re.compile(r"[\W_]+")
_TITLE_WORD = re.compile(r"[^\W\d_]{4,}")


@lru_cache(maxsize=256)
def _title_keys(first: str) -> frozenset[str]:
    title, _ = _meta.split_title(first)
    keys = {k for k in (_key(first), _key(title)) if k}
    keys.update(k for k in map(_key, _meta.title_parts(first)) if len(k) >= 15)
    return frozenset(keys)


def _holds_cue(line: str, cue: tuple[str, ...]) -> bool:
    low = line.casefold()
    return cue[0] in low or (len(cue) > 1 and any(w in low for w in cue[1:]))


@lru_cache(maxsize=256)  # (a page's later passes read the same first line)
def _title_cue(title: str) -> tuple[str, ...] | None:
    """The longest word of each part of the <title>, case folded: any repeat of a part holds it."""
    words = set()
    for part in _meta.title_parts(title) or [title]:
        longest = _longest_word(part)
        if longest is None:
            return None  # a part without a long word: no cheap test
        words.add(longest.casefold())
    return tuple(words)


def _longest_word(part: str) -> str | None:
    """``max(_TITLE_WORD.findall(part), key=len)`` (the first of the longest), or None when there is
    none. A word lies inside one whitespace-separated token, so only a token longer than the longest
    word so far is searched: a first line that is a paragraph has a hundred words, not one title's."""
    best: str | None = None
    for token in part.split():
        if len(token) > (len(best) if best is not None else 3):
            for word in _TITLE_WORD.findall(token):
                if best is None or len(word) > len(best):
                    best = word
    return best


_WORDS = re.compile(r"[^\W_]{2,}")
# Share of the title's words a headline that rewords it keeps ("Top 11 SEO Strategies for 2025" /
# "11 SEO Strategies for 2025 to Boost Rankings and Stay Ahead"), and how many at least (WCXB dev:
# 0.5 and 0.6 differ by a title and an author, both right).
_REWORD_SHARE = 0.5
_REWORD_MIN = 3


@lru_cache(maxsize=256)
def _title_words(title: str) -> frozenset[str]:
    """The words of the longest part of the <title> (the headline's part, not the outlet's)."""
    parts = _meta.title_parts(title) or [title]
    return frozenset(_WORDS.findall(max(parts, key=len).casefold()))


def _rewords(line: str, words: frozenset[str]) -> bool:
    """Whether a heading line keeps most of the title's words (in any form of the sentence)."""
    if not _furn.headline_like(line):
        return False
    shared = len(words.intersection(_WORDS.findall(line.casefold())))
    return shared >= _REWORD_MIN and shared >= _REWORD_SHARE * len(words)


def _key(line: str) -> str:
    """A line's letters and digits, case folded: "Beginner’s Guide" and "Beginner's Guide" are one."""
    return _NON_WORD.sub("", line.casefold())


def _near_headline(view: PageView, anchor: int, meta: dict[str, str]) -> None:
    """The date and author stated within a few lines of the headline (after it first, then above)."""
    texts, n = view.texts, len(view.texts)
    order = [*range(anchor + 1, min(n, anchor + 1 + _AFTER)), *range(anchor - 1, max(0, anchor - _BEFORE) - 1, -1)]
    date_at: dict[int, bool] = {}  # line -> whether it states a date (for a bare name beside one)
    for i in order:
        t = texts[i]
        if _prose(t) and not (i == anchor + 1 and _meta.byline_name(t[:120])):
            date_at[i] = False  # a standfirst or the article; a long "Posted by X on Y in ..." line still counts
            continue
        dates = _meta.find_dates(t)
        date_at[i] = bool(dates)
        if dates and "date" not in meta:
            # The publication date, not the revision: "Updated on January 12, 2026" is skipped here
            # (on WCXB's dev split a revision date beside the headline was the gold date on fewer
            # pages than it was not; the head's fallback below may still take it). Of several
            # dates the publication is the earliest ("July 4, 2025 February 9, 2026").
            published = [d for s, _e, d in dates if not (_meta.revision_date(t[:s]) or _revision_line(texts, i))]
            if published:
                meta["date"] = min(published)
        if "author" not in meta:
            au = _meta.byline_name(t)
            if au is None and _bare_by(t) and i + 1 < n:
                au = _after_bare_by(texts[i + 1])  # "By" / "Author" on a line, the name on the next
            if au is not None:
                meta["author"] = au
    if "author" not in meta:
        au = _name_beside_dates(view, order, date_at, anchor)
        if au is None and any(date_at.values()) and anchor + 2 < n:
            # the name alone right under the headline (or under its standfirst) of a dated article
            tk = _title_key(view)
            au = _name_line(texts[anchor + 1], tk) or (
                _name_line(texts[anchor + 2], tk) if _prose(texts[anchor + 1]) else None)
        if au is None:
            au = _name_beside_dates(view, order, date_at, anchor, one_word=True)
        if au is not None:
            meta["author"] = au


def _prose(line: str) -> bool:
    """A line of the article or a standfirst, never a byline or a dateline."""
    return len(line) > _MAX_META_LINE or (_furn.is_sentence(line) and _furn.units(line) > 12)


def _name_beside_dates(view: PageView, order: Sequence[int], date_at: Mapping[int, bool], anchor: int,
                       one_word: bool = False) -> str | None:
    """A bare name beside a date line ("Santiago Parra" / "January 19, 2023"), or on the date's line
    before the date ("Ahmet Serhan January 23, 2025 10:01 am"); a single word only right above the
    date ("Wyndo" / "Dec 04, 2025"), as a blog's one-name author stands, and only with ``one_word``
    (the caller's other readings first)."""
    texts, removed, n = view.texts, view.removed, len(view.texts)
    dated = [i for i in order if date_at.get(i)]
    if not dated:
        return None
    tk = _title_key(view)
    for i in dated:
        au = _name_before_date(texts[i])
        for j in (i - 1, i + 1):
            if au is None and j != anchor and 0 <= j < n and removed.get(j) not in _NOT_NAME_RULES:
                au = _name_line(texts[j], tk)
        if au is not None:
            return au
    for i in dated if one_word else ():  # a full name beside any date first, then a one-word name
        j = i - 1
        if j != anchor and j >= 0 and removed.get(j) not in _NOT_NAME_RULES:
            au = _one_name(texts, j, tk)
            if au is not None:
                return au
        first = _meta.find_dates(texts[i])[0][0]  # "Susan December 9, 2024 0 Comments"
        if 3 <= first <= 21:
            au = _one_name(texts, i, tk, word=_SEGMENT.split(texts[i][:first])[0].strip(" |•·⋅∙,-–—"))
            if au is not None:
                return au
    return None


# A label that makes a date the publication date wherever it stands ("Published on", "Posted:").
_PUBLISHED = re.compile(r"\b(?:published|posted|first\s+published|created|date\s+published|publication\s+date)\b",
                        re.IGNORECASE)


def _stated_in_head(view: PageView, meta: dict[str, str]) -> None:
    """What the head states so plainly that its place does not matter: a byline with a date on its
    line or the next ("By Jane Doe | March 3, 2025"), "By" on a line and a name on the next, a date
    labelled "Published". The navigation's menus ("By Role") have neither date nor person's name."""
    texts, n = view.texts, len(view.texts)
    end = min(n, view.head_end + _PAST_HEAD)
    for i in range(max(0, view.head_end - _HEAD_SPAN), end):
        t = texts[i]
        if len(t) > _MAX_META_LINE:
            continue
        if _HEAD_CUE.search(t.lower()) is None:
            continue  # the cheap test: no "by", "author", "published" or "posted", nothing to read
        dates = _meta.find_dates(t) if _HAS_DIGIT.search(t) else []
        if "author" not in meta:
            if _bare_by(t) and i + 1 < n:
                au = _after_bare_by(texts[i + 1])
                if au is not None:
                    meta["author"] = au
            else:
                au = _meta.byline_name(t)
                # dated, or a byline line of its own where the body starts (the navigation's menus,
                # "By Role", stand far above it)
                own = i >= view.head_end - 2 and len(t) <= _OWN_BYLINE and t[:3].casefold() == "by "
                if au is not None and (dates or own or (i + 1 < n and _meta.find_dates(texts[i + 1][:60]))):
                    meta["author"] = au
                    if "date" not in meta:  # "By Daniel Renfrow April 12, 2024": the byline's date
                        _take_date(t, dates, meta)
        if "date" not in meta and dates and _PUBLISHED.search(t[:40]):
            _take_date(t, dates, meta)
        if "date" in meta and "author" in meta:
            return
    if "author" not in meta:
        # no headline found: a bare name beside a date just above the body
        order = range(max(0, view.head_end - _AFTER - _BEFORE), end)
        # (a line longer than _MAX_META_LINE is prose: no need to look for its digits)
        date_at = {i: bool(len(texts[i]) <= _MAX_META_LINE and _HAS_DIGIT.search(texts[i]) and not _prose(texts[i])
                           and _meta.find_dates(texts[i])) for i in order}
        au = _name_beside_dates(view, order, date_at, -1) or _name_beside_dates(view, order, date_at, -1, True)
        if au is not None:
            meta["author"] = au


_HAS_DIGIT = re.compile(r"\d")
# What a line of the head must hold to be read as a byline or a labelled date (substring tests,
# cheaper than any pattern over the hundreds of lines of a long head).
_HEAD_CUE = re.compile("by|aut|publi|posted|created|por |par |von ")


def _take_date(line: str, dates: list[tuple[int, int, str]], meta: dict[str, str], revised_too: bool = False) -> None:
    """The first date of a line that is not a revision's (else, with ``revised_too``, the revision's)."""
    published = [d for s, _e, d in dates if not _meta.revision_date(line[:s])]
    if published:
        meta["date"] = min(published)  # the publication precedes every revision
        return
    if revised_too and dates:
        meta["date"] = dates[0][2]


# How far around the body's end an author box is looked for (lines before, lines after).
_BOX_BEFORE = 12
_BOX_AFTER = 12
def _role_line(line: str) -> bool:
    """A line that is only a label or a job title under a name: "Author", "Writer", "SEO Copywriter",
    "Editor in Chief", "Former McKinsey Consultant"."""
    t = line.strip()
    if t.casefold() in _AUTHOR_LABELS:
        return True
    return len(t.split()) <= 5 and not t.endswith(".") and _notices.has_bio_role(t)


_AUTHOR_LABELS = frozenset(("author", "writer", "the author", "about the author", "written by", "staff writer",
                            "contributor", "editor", "autor", "autora", "auteur"))
_BIO_START = re.compile(r"^(?:is|was|has|writes|covers|joined|leads|serves|holds|brings|loves|’s|'s)\b")


def _author_box(view: PageView, meta: dict[str, str]) -> None:
    """An author box: a name alone on a line, and within the next lines a biography that starts with
    that name ("Alban Brooke" / "Alban Brooke is the Head of Marketing at ..."; "Paul Frew" /
    "Security Expert" / "With over a decade ..., Paul is ..."). Read just under the headline and
    around the body's end, where pages put it."""
    texts, n = view.texts, len(view.texts)
    spans = (range(max(0, view.head_end - 4), min(n, view.head_end + 4)),
             range(max(0, view.body_end - _BOX_BEFORE), min(n, view.body_end + _BOX_AFTER)))
    tk: str | None = None
    for span in spans:
        for i in span:
            t = texts[i]
            if len(t) > 40 or " " not in t or not t[:1].isupper():
                continue
            if i + 1 < n and _role_line(texts[i + 1]):
                if tk is None:
                    tk = _title_key(view)
                name = _bare_name(t, tk)
                if name is not None:  # "Nawaz Dhandala" / "Author": an author card
                    meta["author"] = name
                    return
            first = t.split()[0]
            # the biography: the first long line of the next three
            bio = next((texts[j] for j in range(i + 1, min(n, i + 4)) if len(texts[j]) >= 40), "")
            if not bio or first not in bio[:200]:
                continue  # the cheap test before the name's
            if tk is None:
                tk = _title_key(view)
            name = _bare_name(t, tk)
            if name is None or "," in name:
                continue
            for who in (name, first):
                if bio.startswith(who + " ") and _BIO_START.match(bio[len(who) + 1:]):
                    meta["author"] = name
                    return
            if (" " + first + " is ") in bio[:200] or (" " + first + " has ") in bio[:200]:
                meta["author"] = name
                return


def _stated_at_tail(view: PageView, meta: dict[str, str]) -> None:
    """A blog's post footer right after the body: "Posted on April 13, 2023", "Stef Keegan August 5,
    2024", "By: Ray Ansari". Only a few lines around the body's end are read."""
    texts, n = view.texts, len(view.texts)
    for i in range(max(view.head_end, view.body_end - 2), min(n, view.body_end + _TAIL_LINES)):
        t = texts[i]
        if len(t) > _MAX_META_LINE or not _HAS_DIGIT.search(t):
            continue
        dates = _meta.find_dates(t)
        if not dates:
            continue
        labelled = _PUBLISHED.search(t[:40]) is not None
        au = _meta.byline_name(t) if _by_start(t) else None
        au = au or _name_before_date(t)
        if "date" not in meta and (labelled or au):
            _take_date(t, dates, meta)
        if "author" not in meta and au and (labelled or ("date" in meta and meta["date"] == dates[0][2])):
            meta["author"] = au
        if "date" in meta:
            return


# A line that is only the label of a publication date ("Published", "Publish date:", "Date published").
_PUBLISHED_LABEL = re.compile(r"^(?:published(?:\s+on)?|publish(?:ed)?\s+date|date\s+published|publication\s+date|"
                              r"first\s+published(?:\s+on)?)\s*:?$", re.IGNORECASE)


_ORIGINALLY = re.compile(r"\b(?:originally|first)\s+published\b", re.IGNORECASE)


def _labelled_anywhere(view: PageView, meta: dict[str, str]) -> None:
    """A date the page labels its publication's ("Published: Nov. 19, 2025", or "Published" on a line and
    the date on the next), wherever the page puts it: the label says what the date is. The first one
    counts (a sidebar's teasers come after the article's own)."""
    texts, n = view.texts, len(view.texts)
    for i, t in enumerate(texts):
        if len(t) > _MAX_META_LINE or ("ublish" not in t and "osted" not in t and "ublication" not in t):
            continue
        if _PUBLISHED_LABEL.match(t.strip()):
            for j in range(i + 1, min(n, i + 3)):
                dates = _meta.find_dates(texts[j]) if len(texts[j]) <= 40 else []
                if dates:
                    _take_date(texts[j], dates, meta)
                    return
            continue
        if _HAS_DIGIT.search(t) is None:
            continue
        if _PUBLISHED.search(t[:40]):
            dates = _meta.find_dates(t)
        elif (m := _ORIGINALLY.search(t)) is not None:
            # "Updated November 11, 2022 Originally published November 9, 2022": the date after the phrase
            dates = [d for d in _meta.find_dates(t) if d[0] >= m.end()][:1]
        else:
            continue
        if dates:
            _take_date(t, dates, meta)
            if "date" in meta:
                return


def _label_then_name(view: PageView, meta: dict[str, str]) -> None:
    """A byline label on a line of its own ("Written by", "Article by:", "Author") and a name on the
    next line, wherever the page puts them: the label says what the name is."""
    texts, n = view.texts, len(view.texts)
    for i in range(0, n - 1):
        t = texts[i]
        if len(t) <= 20 and _bare_by(t):
            nxt = texts[i + 1]
            au = _after_bare_by(nxt) if _furn.classify(nxt) is None else None
            if au is not None and (" " in au or _bare_name(nxt) is not None):  # not "Venue"
                meta["author"] = au
                return


def _biography(view: PageView, meta: dict[str, str]) -> None:
    """The subject of the author's biography near the article's end: a line the cleaner removed as an
    author bio ("Julia Gralberg is a freelance travel writer, ..."), or a biography opening with the
    very name the line above it holds alone ("Alban Brooke" / "Alban Brooke is the Head of Marketing
    at ..."). Not inside the article: "Professor Stephen Cohen is a premier expert" there is a source
    the article cites."""
    texts, removed = view.texts, view.removed
    tk: str | None = None
    for i in range(max(1, view.head_end, view.body_end - _BIO_BEFORE), len(texts)):
        t = texts[i]
        if len(t) < 40 or not t[:1].isupper():
            continue
        bio = removed.get(i) == "author-bio"
        # a heading and a paragraph that opens with it ("Power BI" / "Power BI is a ...") is a product
        # section unless the paragraph says what the person does (writer, founder, editor, ...)
        if not bio and not (len(texts[i - 1]) <= 40 and t.startswith(texts[i - 1].strip() + " ")
                            and _notices.has_bio_role(t[:200])):
            continue
        m = _BIO_SUBJECT.match(t)
        if m is None:
            continue
        if tk is None:
            tk = _title_key(view)
        name = _bare_name(m.group(1), tk)
        if name is not None:
            meta["author"] = name
            return


# How far before the body's end an author's biography may stand (FAQs and calls to action follow it).
_BIO_BEFORE = 20
_BIO_SUBJECT = re.compile(r"^((?:[A-Z][\w'’.-]*\s+){1,3}[A-Z][\w'’.-]*)\s+(?:is|was|has\s+been|holds|joined|writes|"
                          r"covers|leads|serves)\s")


def _tail_byline(view: PageView, meta: dict[str, str]) -> None:
    """A byline on a line of its own at the body's end ("Written by Melissa", "By Jane Roe")."""
    texts, n = view.texts, len(view.texts)
    for i in range(max(view.head_end, view.body_end - 2), min(n, view.body_end + _TAIL_LINES)):
        t = texts[i]
        if len(t) <= _OWN_BYLINE and _by_start(t) and _BY_LINE.match(t):
            au = _meta.byline_name(t)
            if au is not None:
                meta["author"] = au
                return


# A byline standing alone: short, opening with the by-phrase.
_OWN_BYLINE = 60
_BY_LINE = re.compile(r"(?:(?:written|posted|words|story|article)\s+)?by\b", re.IGNORECASE)


def _top_of_body(view: PageView, meta: dict[str, str]) -> None:
    """A dateline the cleaner took out of the first lines of the body (a page whose headline was not
    found): its publication date."""
    texts, removed = view.texts, view.removed
    for i in range(view.head_end, min(len(texts), view.head_end + _TOP_LINES)):
        if removed.get(i) in ("dateline", "byline") and len(texts[i]) <= _MAX_META_LINE:
            dates = _meta.find_dates(texts[i])
            if dates:
                # publication dates only: taking a revision date here too found 7 more gold dates on
                # WCXB dev but added a wrong one, and dates from dumps must not grow more wrong values
                _take_date(texts[i], dates, meta)
                return


# How many lines of the body's top may hold its dateline.
_TOP_LINES = 6


def _by_start(line: str) -> bool:
    """A cheap test before the byline pattern: the line says "by" or "author" at all."""
    low = line[:80].casefold()
    return "by" in low or "author" in low


def _revision_line(texts: Sequence[str], i: int) -> bool:
    """Whether the line before a bare date is the label "Updated on" (a label and a date on two lines)."""
    return i > 0 and len(texts[i - 1]) < 30 and _meta.revision_date(texts[i - 1])


_BY_WORDS = frozenset(
    w + c for w in ("by", "author", "authors", "written by", "article by", "posted by", "text by", "words by",
                    "story by", "published by", "about the author")
    for c in ("", ":")
)


def _bare_by(line: str) -> bool:
    return line.strip().casefold() in _BY_WORDS


def _after_bare_by(line: str) -> str | None:
    """The name on the line after a bare "By": the line read as a byline ("Gabriel Gonzalez in
    Uncategorized" -> "Gabriel Gonzalez")."""
    return _bare_name(line) or (_meta.byline_name("By " + line) if len(line) <= _MAX_META_LINE else None)


def _bare_name(line: str, title_key: str = "") -> str | None:
    """A line that is only a person's name, no line of furniture and no words of the title."""
    t = _meta.bare_name(line)
    if t is None or _furn.classify(t) is not None or (title_key and _key(t) in title_key):
        return None
    return t


def _name_line(line: str, title_key: str = "") -> str | None:
    """A line that is a person's name, alone or with a job title after it ("Mateusz Haberny Founder
    at Oakywood" -> "Mateusz Haberny")."""
    au = _bare_name(line, title_key)
    if au is None and _furn.classify(line) is None:
        au = _meta.name_with_role(line)
        if au is not None and title_key and _key(au) in title_key:
            return None
    return au


def _one_name(texts: Sequence[str], j: int, title_key: str, word: str | None = None) -> str | None:
    """A blog's one-word author right above its date ("Wyndo" / "Dec 04, 2025"): a capitalised word
    that is no label of a page, no word of the title, no furniture, and that the page never writes in
    lower case: a category above a date ("Marketing", "Security", "Updates") is a common noun the
    page's sentences also use; a name is not."""
    t = (texts[j] if word is None else word).strip()
    if not (3 <= len(t) <= 20 and t.isalpha() and t[0].isupper() and (t[1:].islower() or t[1:].isalpha())):
        return None
    if t.casefold() in _meta.NOT_NAME_WORDS or _MONTH_WORD.fullmatch(t) or _key(t) in title_key:
        return None
    if _furn.classify(t) is not None:
        return None
    lower = re.compile(r"\b" + re.escape(t.lower()) + r"\b")
    return None if any(lower.search(line) for line in texts) else t


_MONTH_WORD = re.compile(
    r"(?:" + _meta.MONTH_NAMES + r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed"
    r"|thu|thur|thurs|fri|sat|sun|today|yesterday)",
    re.IGNORECASE)


def _name_before_date(line: str) -> str | None:
    """``Ahmet Serhan January 23, 2025 10:01 am`` -> ``Ahmet Serhan``: a name, then the date."""
    dates = _meta.find_dates(line)
    if not dates or dates[0][0] < 5:
        return None
    # "David Hartshorne • Updated on Jul 4, 2024": the name is the first part before the date
    head = _SEGMENT.split(line[: dates[0][0]])[0]
    return _bare_name(head.strip(" |•·⋅∙,-–—"))


_SEGMENT = re.compile(r"\s[|•·⋅∙]\s|\s[–—-]\s")


def _tail_outlet(view: PageView, meta: dict[str, str]) -> None:
    texts, removed, n = view.texts, view.removed, len(view.texts)
    # The last kept line, found from the end (the tail is short).
    last_kept = next((i for i in range(n - 1, -1, -1) if i not in removed), -1)
    for i in range(max(last_kept, 0), n):
        o = _meta.source_outlet(texts[i])
        if o and _meta.plausible_outlet(o):
            meta["outlet"] = o
            return
    orgs: list[str] = []
    for i in range(view.body_end + 1, n):
        if removed.get(i) in _FOOTER_RULES:
            orgs.extend(_meta.footer_orgs(texts[i]))
    org = _meta.pick_org(orgs)
    if org and _meta.plausible_outlet(org):
        meta["outlet"] = org
