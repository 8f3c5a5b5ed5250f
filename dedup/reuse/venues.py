"""Venues: where a speaker said the words an article quotes ("in an interview on CBS News' Face the
Nation", "told CNN", "a Fox News interview").

A mention of an outlet near a quotation usually says where the quoting article read the words; but
when the outlet is the *venue* of an interview or a broadcast, the words are the speaker's, and the
outlet's own article about its interview is one more witness of them, not the text the other
article took. Newsmax writing "In an interview on CNN's State of the Union, Paul called it a waste
of time" has Paul's words from the broadcast (its quotation has words CNN's write-up lacks); drawing
"Newsmax quotes cnn.com" would credit the write-up with a broadcast. So a venue makes the pair a
common source: the speaker's words, said on that outlet.

Everything here is pure text in, values out.
"""

from __future__ import annotations

import re

from dedup.reuse.attribution import looks_like_outlet
from dedup.reuse.sources import NAME, person

# How a speaker's words reach an outlet: said to it, on it, in its interview.
_BEFORE_NAME = re.compile(
    r"(?:\binterview(?:ed|s)?\b(?:\s+\w+){0,2}\s+(?:on|with|by|to|for)\s+|\bappear(?:ed|ing|ance|s)?\s+on\s+"
    r"|\b(?:spoke|speaking|said|says|saying|talking|talked)\s+(?:on|to|with)\s+|\btold\s+|\btelling\s+)"
    r"(?:the\s+)?$",
    re.I,
)
# "a CBS News interview", "CNN's State of the Union" (a show title in marks), "on Fox News Sunday"
_AFTER_NAME = re.compile(
    r"^(?:['’]s?)?\s*(?:(?:\w+\s+){0,1}(?:interview|broadcast|show|program|programme|podcast|appearance)\b"
    r"|[“\"][A-Z][^”\"\n]{1,40}[”\"])"
)
_SHOW = re.compile(
    r"\b(?:Face\s+the\s+Nation|Meet\s+the\s+Press|State\s+of\s+the\s+Union|This\s+Week|Fox\s+News\s+Sunday"
    r"|Sunday\s+Morning\s+Futures|Good\s+Morning\s+America|60\s+Minutes|Morning\s+Joe|Fox\s+&\s+Friends"
    r"|Hardball|Hannity|Tucker\s+Carlson\s+Tonight|The\s+View|Today\s+show)\b",
    re.I,
)
_CUES = (r"(?:said|says|told|warned|called|argued|added|noted|insisted|claimed|conceded|admitted|explained"
         r"|suggested|acknowledged|declared|replied|responded|answered|stated)")
# (after a venue a sentence may go on with a word no speaker is: "In an interview ..., On Sunday")
_NOBODY = frozenset({"He", "She", "They", "It", "We", "I", "The", "This", "That", "You", "In", "On", "But"})
_SUBJECT_AFTER = re.compile(rf"[^.\n]{{0,60}}?[,”\"]\s*(?P<n>{NAME})\s+(?:\w+\s+)?{_CUES}\b")
_SUBJECT_BEFORE = re.compile(rf"(?P<n>{NAME})\s+{_CUES}\b[^.\n]{{0,40}}$")


def venue_of(text: str, name_start: int, name_end: int) -> str | None:
    """The venue phrase when the outlet named at [name_start, name_end) of ``text`` is where a
    speaker said something (an interview, a show, "told CNN"), else None."""
    line_start = text.rfind("\n", 0, name_start) + 1
    before = text[max(line_start, name_start - 60) : name_start]
    after = text[name_end : name_end + 60]
    mb = _BEFORE_NAME.search(before)
    ma = _AFTER_NAME.match(after) or _SHOW.match(after.lstrip("'’s “\""))
    if mb is None and ma is None:
        return None
    lo = name_start - len(before) + mb.start() if mb else name_start
    hi = name_end + (after.find(ma.group(0)) + len(ma.group(0)) if ma else 0)
    return " ".join(re.sub("[“”\"]", "", text[lo:hi]).split()).strip(" ,")


def venue_speaker(text: str, name_start: int, name_end: int) -> str | None:
    """Who spoke at the venue named at [name_start, name_end): the subject of the cue after the
    venue ("In an interview on CBS, Cornyn warned") or before it ("Trump said in an interview with
    CBS"), without titles; None for a pronoun or no cue."""
    line_start = text.rfind("\n", 0, name_start) + 1
    m = _SUBJECT_AFTER.match(text, name_end, min(len(text), name_end + 120))
    if m is None:
        m = _SUBJECT_BEFORE.search(text, max(line_start, name_start - 120), name_start)
    if m is None:
        return None
    return person(m.group("n"), _NOBODY)


_ANY_VENUE = re.compile(
    rf"\binterview(?:ed)?\s+(?:\w+\s+){{0,2}}?(?:on|with|by)\s+(?:the\s+)?(?P<a>{NAME})"
    rf"|\b(?:an?|the|in\s+an?)\s+(?P<b>{NAME})\s+interview\b"
    rf"|\b(?:appear(?:ed|ing|ance)\s+on|told|speaking\s+(?:to|on|with))\s+(?:the\s+)?(?P<c>{NAME})"
    rf"(?=['’]s?\s+[“\"]?(?:[A-Z]|interview)|\s+(?:interview|show|program))"
)


def venue_near(text: str, start: int, end: int) -> str | None:
    """The outlet (or show) named as the venue of the words at [start, end), within the paragraph
    around them: "Trump said in an interview with CBS News ..." gives "CBS News"."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    lo, hi = max(para_start, start - 200), min(para_end, end + 160)
    for m in _ANY_VENUE.finditer(text, lo, hi):
        name = re.sub(r"['’]s?$", "", person(next(g for g in m.groups() if g), frozenset()) or "").strip(" .,")
        if looks_like_outlet(name):  # not the interviewer ("an interview with Jeff Glor")
            return name
    return None
