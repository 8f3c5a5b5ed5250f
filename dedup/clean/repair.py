"""Inline repairs of damage that scrapers leave inside sentences.

Each repair takes one whitespace-normalised line and returns fixes in that
line's coordinates; it never sees the document, so it can be tested alone.
The typical damage comes from copies that dropped the text of links:
``groups.Taking`` (the space lived in the link), ``Mali,, threatened`` (the
clause between two commas was the link), ``addition,by``.
"""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad

from dedup.clean.offsets import Fix

# Two letters, a sentence stop, two letters: the only shape a glued sentence
# can have. Fixed-width look-arounds keep the scan linear on any input.
_GLUED_STOP = re.compile(r"[.!?](?=[^\W\d_]{2})")
_GLUED_COMMA = re.compile(r",(?=[^\W\d_]{2})")
# Quick gate for mojibake: a Latin-1 lead byte followed by a continuation
# byte as CP-1252 shows it ("Ã©", "â€™", "Ð°"); ftfy's own check is slower.
_MOJI_GATE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_DOUBLED_COMMA = re.compile(r",(?:\s*,)+")
_DOUBLED_STOP = re.compile(r"\.\.+")
# ",." / ".," / ", ." are what is left when the words between two marks went.
_ORPHAN_PUNCT = re.compile(r",\s?\.|\.,")
# How far to look for the token around a candidate; bounded so that a 1 MB
# line with no spaces stays linear.
_TOKEN_WINDOW = 80


def _token_around(line: str, i: int) -> str:
    lo = max(0, i - _TOKEN_WINDOW)
    hi = min(len(line), i + _TOKEN_WINDOW)
    left = line[lo:i]
    right = line[i:hi]
    ls = max(left.rfind(" "), left.rfind("\t"))
    left = left[ls + 1 :]
    rs = right.find(" ")
    if rs >= 0:
        right = right[:rs]
    return left + right


def _looks_like_address(token: str) -> bool:
    """URLs, e-mail addresses, domains and file names keep their dots."""
    low = token.lower()
    return (
        "/" in token
        or "@" in token
        or "www" in low
        or "http" in low
        or token.count(".") + token.count("!") + token.count("?") > 1
        or "_" in token
    )


def glued_sentence(line: str) -> list[Fix]:
    """``groups.Taking`` -> ``groups. Taking``; never ``U.S.``, ``3.5``, ``e.g.``, URLs."""
    fixes: list[Fix] = []
    for m in _GLUED_STOP.finditer(line):
        i = m.start()
        if i < 2:
            continue
        a, b, c, d = line[i - 2], line[i - 1], line[i + 1], line[i + 2]
        if not (a.islower() and b.islower() and c.isupper() and d.islower()):
            continue
        if _looks_like_address(_token_around(line, i)):
            continue
        fixes.append((i + 1, i + 1, " "))
    return fixes


def glued_comma(line: str) -> list[Fix]:
    """``addition,by`` -> ``addition, by`` (letters on both sides, so never ``1,000``)."""
    fixes: list[Fix] = []
    for m in _GLUED_COMMA.finditer(line):
        i = m.start()
        if i < 2 or not (line[i - 2].isalpha() and line[i - 1].islower() and line[i + 1].islower()):
            continue
        if _looks_like_address(_token_around(line, i)):
            continue
        fixes.append((i + 1, i + 1, " "))
    return fixes


def doubled_punctuation(line: str) -> list[Fix]:
    """``Mali,, threatened`` -> ``Mali, threatened``; ``"Sahel".. Tehran`` -> one stop. Ellipses stay."""
    fixes: list[Fix] = []
    if ",," in line or ", ," in line:
        fixes.extend((m.start(), m.end(), ",") for m in _DOUBLED_COMMA.finditer(line))
    if ".." in line:
        for m in _DOUBLED_STOP.finditer(line):
            # Exactly two stops, not an ellipsis or a leader of dots.
            if m.end() - m.start() == 2 and (m.start() == 0 or line[m.start() - 1] != "…"):
                if m.end() == len(line) or line[m.end()] != "…":
                    fixes.append((m.start(), m.end(), "."))
    return fixes


def mojibake(line: str) -> list[Fix]:
    """UTF-8 read as Latin-1/CP-1252 (``Iranâ€™s``), fixed by ftfy; only where ftfy sees it."""
    if line.isascii() or not _MOJI_GATE.search(line) or not is_bad(line):
        return []
    fixed = ftfy.fix_encoding(line)
    if fixed == line:
        return []
    # One fix over the differing middle keeps unchanged characters mapped to
    # their own raw offsets.
    p = 0
    n = min(len(line), len(fixed))
    while p < n and line[p] == fixed[p]:
        p += 1
    s = 0
    while s < n - p and line[-1 - s] == fixed[-1 - s]:
        s += 1
    return [(p, len(line) - s, fixed[p : len(fixed) - s])]


def lost_link_text(line: str) -> int:
    """How many places show punctuation whose words went missing (``However,. Iran``)."""
    if ",." not in line and ".," not in line and ", ." not in line:
        return 0
    n = 0
    for m in _ORPHAN_PUNCT.finditer(line):
        s, e = m.start(), m.end()
        # ",..." is a comma before an ellipsis, "...," an ellipsis before one.
        if line[e - 1] == "." and line[e : e + 1] == ".":
            continue
        if line[s] == "." and s > 0 and line[s - 1] == ".":
            continue
        n += 1
    return n
