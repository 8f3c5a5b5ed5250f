"""Shared text that is the page's, not the article's: no edge and no source is drawn from it.

Two pages of one site (or of one publishing network) share text that no one quotes: the share
widget ("Check out this story on detroitnews.com ... A link has been sent to your friend's email
address"), the paywall and notification prompts ("Turn on notifications? Please enable
notifications"), the newsletter box ("Sign up for POLITICO Playbook ... in your inbox"), and the
related-stories list, whose teasers are the opening lines of the site's other articles cut short
("President Donald Trump has arrived in Finland for his closely watched me . . ."). The cleaner
removes most such lines by counting them across a corpus; the ones it leaves (seen on two or
three pages only) are found here by what they are, not by how often they recur:

* :func:`reader_address`: a passage that talks to the reader (second person, or an imperative of
  the page's interface: sign up, check out, watch, visit, turn on...) in most of its sentences,
  outside quotation marks (a speaker's "Russia, if you're listening" is news);
* :func:`teaser_line`: a passage that is a line of its own, cut off with an ellipsis, whose other
  side is the opening of an article: a link to that article, not a reuse of it.

Pure functions of texts and offsets.
"""

from __future__ import annotations

import re

_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_YOU = re.compile(r"\b(?:you|your|yours|you're|you’re|you'll|you’ll|you've|you’ve)\b", re.I)
_IMPERATIVE = re.compile(
    r"^(?:please\s+)?(?:sign\s+up|sign\s+in|subscribe|check\s+out|click|tap|watch|visit|turn\s+on|enable|follow"
    r"|share|download|join|register|log\s+in|cancel|send|see\s+more|read\s+more|learn\s+more|get\s+the)\b",
    re.I,
)
# what a page's interface talks about; a speaker addressing "you" talks of other things
_INTERFACE = re.compile(
    r"\b(?:link|e-?mail|inbox|notifications?|website|newsletters?|subscri\w*|browser|browsing|app|account"
    r"|sign\s+(?:up|in)|click|download|unsubscribe|share|comments?|log\s+in|privacy)\b",
    re.I,
)
_MARKS = re.compile("[\"“”«»„]")
# what a teaser line ends with after its cut: an ellipsis (". . .", "...", "…"), maybe a "more" link
_CUT = re.compile(r"[^\n]{0,40}?\s*(?:\.\s?\.\s?\.|…)\s*(?:(?:read\s+)?more\W*)?$", re.I)
#: How far into an article its opening runs (a teaser repeats the opening lines).
OPENING_CHARS = 600


def reader_address(passage: str) -> bool:
    """Whether ``passage`` is page text talking to its reader (see the module docstring): most of
    its sentences give the reader an order of the interface ("Sign up", "Check out") or speak to
    "you" of the interface (a link, an inbox, notifications), and no quotation mark is near."""
    if _MARKS.search(passage):
        return False
    sentences = [s.strip(" [](){}") for s in _SENTENCES.split(passage) if any(c.isalpha() for c in s)]
    if not sentences:
        return False
    addressed = sum(1 for s in sentences if _IMPERATIVE.match(s) or (_YOU.search(s) and _INTERFACE.search(s)))
    return 2 * addressed >= len(sentences)


def teaser_line(text: str, start: int, end: int) -> bool:
    """Whether [start, end) of ``text`` is a teaser: the start of a line of its own whose rest is a
    few characters cut off with an ellipsis."""
    line_start, line_end = _line_around(text, start, end)
    if text[line_start:start].strip():
        return False
    cut = _CUT.match(text, end, line_end)
    return cut is not None and cut.end() == line_end


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The start of the line holding ``start`` and the end of the line holding ``end``."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


def page_text(
    text_a: str, span_a: tuple[int, int], text_b: str, span_b: tuple[int, int], same_site: bool,
) -> str | None:
    """Why the passage shared at ``span_a`` of ``text_a`` and ``span_b`` of ``text_b`` is page text
    and no evidence of reuse, else None. Teasers are looked for between pages of one site only
    (``same_site``): a related-stories list links the site's own articles, while a line cut with
    an ellipsis between sites is a speaker's (a tweet continued in the next one)."""
    # (with a few characters each side: an aligned span often stops inside a quotation's marks)
    if reader_address(text_a[max(0, span_a[0] - 3) : span_a[1] + 3]) or \
            reader_address(text_b[max(0, span_b[0] - 3) : span_b[1] + 3]):
        return "the passage talks to the reader (a share, subscription or notification box): page text"
    for (tx, sx), (ty, sy) in (((text_a, span_a), (text_b, span_b)), ((text_b, span_b), (text_a, span_a))):
        if teaser_line(tx, *sx) and sy[0] < OPENING_CHARS and (same_site or _cut_in_a_word(tx, sx[1], ty, sy[1])):
            return "the passage is a cut teaser of the other article's opening (a related-stories link)"
        if same_site and _link_line(tx, *sx):
            return "the passage is a headline line both pages show (a related-story link)"
    return None


def _cut_in_a_word(tx: str, x_end: int, ty: str, y_end: int) -> bool:
    """Whether the line of ``tx`` after ``x_end`` stops inside a word that ``ty`` goes on with: a
    teaser cut at a fixed length ("... on T . . ." of "on Twitter"), not a speaker's own ellipsis."""
    rest = re.split(r"\s*(?:\.\s?\.\s?\.|…)", tx[x_end : x_end + 60], maxsplit=1)[0]
    goes_on = ty[y_end : y_end + len(rest) + 1]
    return bool(rest.strip()) and goes_on.startswith(rest) and goes_on[len(rest) :][:1].isalnum()


_LINK_END = re.compile(r"[.!?:][\"”’')]*\s*$")


def _link_line(text: str, start: int, end: int) -> bool:
    """Whether [start, end) is a whole line of its own that does not end a sentence: a headline, as
    a related-story link shows it (an aligned span may run a word into the next line)."""
    nl = text.find("\n", start, end)
    if 0 <= nl and len(text[nl:end].split()) <= 1:
        end = nl
    line_start, line_end = _line_around(text, start, end)
    line = text[line_start:line_end]
    return ("\n" not in line and not text[line_start:start].strip() and len(text[end:line_end].strip()) <= 2
            and not _LINK_END.search(line) and len(line.split()) <= 30)
