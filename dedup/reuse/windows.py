"""Where the mention patterns of :mod:`dedup.reuse.attribution` may match: windows around the literals
they need.

A pattern can only match around a literal it needs (a media noun, a verb, "Source"), so each runs in
windows around those literals instead of being tried at every position of the text (Python's re has
no fast skip for patterns that open with a name; scanning a whole article with all of them took
~1.5 ms). ``before``/``after`` bound how far a match reaches from its anchor in characters; before a
verb, and before a needle a name ends at, the window also starts no more than _VERB_WORDS words back.
One Aho-Corasick pass (:mod:`dedup.wordfind`) finds every literal.
"""

from __future__ import annotations

import re
from collections import defaultdict

from dedup.wordfind import WordFinder

__all__ = ["ANCHORS", "MEDIA_NOUNS", "VERBS", "WEAK_ANCHORS", "anchor_windows", "is_word_char"]

# The nouns of a piece of writing ("an article in X", "the X report") and the verbs that report
# ("X said"): the attribution patterns are made of these lists, and their windows open at them.
MEDIA_NOUNS = ("article", "report", "story", "piece", "editorial", "op-ed", "column", "interview", "analysis",
               "investigation", "dispatch", "survey")
VERBS = (
    "reported", "reports", "said", "says", "noted", "notes", "wrote", "writes", "stated", "states", "published",
    "revealed", "claimed", "claims", "added", "quoted", "cited", "detailed", "explained", "observed", "argued",
    "found", "told",
)
_MEDIA_WORD_NEEDLES = ["media", "agency", "TV", "television", "radio", "newspaper", "daily", "website",
                       "outlet", "magazine", "channel"]
_ARTICLE_BEFORE = re.compile(r"(?:^|\s)(?:[Aa]n?|[Tt]he|[Aa]nother|[Oo]ne|[Ii]n)(?:\s|$)")
_CAPITAL_BEFORE = re.compile(r"[A-Z]\S*$")
# the verb-window test below: a capital (name) or a dot (domain) in the last three words
_NAME_END = re.compile(r"[A-Z.]")
# (needles, reach before, reach after, what the three words before a needle
# must show for a match to end or start there: an article before "report",
# a capitalised name before "report" or "media")
ANCHORS: list[tuple[list[str], int, int, re.Pattern[str] | None]] = [
    (list(MEDIA_NOUNS), 150, 400, _ARTICLE_BEFORE),
    (list(MEDIA_NOUNS), 400, 20, _CAPITAL_BEFORE),
    (_MEDIA_WORD_NEEDLES, 400, 150, _NAME_END),
    (["/t", "/T", "tip", "@"], 20, 200, None),
    (["SOURCE", "Source", "source"], 0, 200, None),
]
WEAK_ANCHORS: list[tuple[list[str], int, int, re.Pattern[str] | None] | None] = [
    (["ccording"], 2, 400, None), None, None,
    (["wrote ", "writes ", "writing ", "written "], 2, 200, None), (["puts it", "put it"], 200, 10, None),
]
_REACH = 400
# The most whitespace-separated words a match of the verb patterns can hold before its verb: a name
# of six words and five joining words, two adverbs (13), with room to spare. Their windows start no
# earlier than the start of that many words back: no match can start before it, so the patterns,
# which try every position of a window, read a few dozen characters of it instead of _REACH.
_VERB_WORDS = 16
# The anchors (indices of ANCHORS) whose patterns end a name just before the needle ("the Reuters
# report", "Tasnim news agency said"): a match holds at most 12 words before it, so the same bound holds.
_NAME_BEFORE = frozenset({1, 2})


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


_ALL_ANCHORS = [*ANCHORS, *(a for a in WEAK_ANCHORS if a is not None)]
_NEEDLE_SETS: dict[str, list[int]] = defaultdict(list)
for _k, (_needles, *_rest) in enumerate(_ALL_ANCHORS):
    for _needle in _needles:
        _NEEDLE_SETS[_needle].append(_k)


def _last_words(text: str, i: int) -> str:
    """The (at most) three words before position i, as ``" ".join(text[i - 200 : i].split()[-3:])``."""
    return " ".join(text[max(0, i - 200) : i].rsplit(None, 3)[-3:])


def _anchor_automaton() -> tuple[WordFinder, list[tuple[tuple[int, ...], bool]]]:
    """One Aho-Corasick automaton of every anchor needle and every verb of VERBS, and what each
    of its words is (the anchors it opens, whether it is a verb): a text is read once for all of
    them (one ``str.find`` scan per needle and a regex scan for the verbs were 0.14 ms of an
    article, half of the mention scan)."""
    words: dict[str, tuple[tuple[int, ...], bool]] = {}
    for needle, needle_sets in _NEEDLE_SETS.items():
        words[needle] = (tuple(needle_sets), False)
    for verb in VERBS:
        words[verb] = (words[verb][0] if verb in words else (), True)
    return WordFinder(list(words)), list(words.values())


def anchor_windows(text: str) -> tuple[list[list[tuple[int, int]]], list[tuple[int, int]]]:
    r"""The windows of every anchor of _ALL_ANCHORS and the verb windows, from one pass.

    Every occurrence of every needle (overlapping ones too, as repeated
    ``str.find`` gives them), with one context check per hit; a verb counts
    where ``\s{verb}\b`` matches, i.e. whitespace before it and no word
    character after it.

    Verb windows are those before verbs that a name (or domain) can precede.
    A name ends in a word holding a capital, a domain in one holding a dot,
    and at most two adverbs stand between it and the verb: a verb whose
    three preceding words have neither ("the minister said") cannot end a
    match, which rules out most verbs of an article. A verb's window, and
    that of a needle a name ends at (_NAME_BEFORE), starts no earlier than
    _VERB_WORDS words back (:func:`_words_back`): the patterns try every
    position of a window, and no match starts further back.
    """
    spans: list[list[tuple[int, int]]] = [[] for _ in _ALL_ANCHORS]
    verbs: list[tuple[int, int]] = []
    n = len(text)
    # (every match, overlapping ones too; their order does not matter, the windows are merged)
    for w, i, end in _AUTOMATON.find(text):
        sets, verb = _WORDS[w]
        if verb and i > 0 and text[i - 1].isspace() and (end == n or not is_word_char(text[end])):
            v = i - 1
            if _NAME_END.search(_last_words(text, v)):
                verbs.append((_words_back(text, v), end))
        last: str | None = None
        for k in sets:
            _, before, after, check = _ALL_ANCHORS[k]
            if check is not None:
                if last is None:
                    last = _last_words(text, i)
                if not check.search(last):
                    continue
            lo = _words_back(text, i, before) if k in _NAME_BEFORE else max(0, i - before)
            spans[k].append((lo, min(n, end + after)))
    return [_merge(s) for s in spans], _merge(verbs)


def _words_back(text: str, v: int, reach: int = _REACH) -> int:
    """Where the window of the verb (or name-ending needle) at ``v`` starts: ``reach`` characters
    back, or just after what stands before the last _VERB_WORDS words before it, whichever is later."""
    lo = max(0, v - reach)
    parts = text[lo:v].rsplit(None, _VERB_WORDS)
    return lo + len(parts[0]) if len(parts) > _VERB_WORDS else lo


def is_word_char(c: str) -> bool:
    r"""What ``\w`` matches in a str pattern."""
    return c.isalnum() or c == "_"


_AUTOMATON, _WORDS = _anchor_automaton()
