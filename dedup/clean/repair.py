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
_GLUED_STOP = re.compile(r"(?<=[^\W\d_]{2})[.!?](?=[^\W\d_]{2})")
_GLUED_COMMA = re.compile(r"(?<=[^\W\d_]{2}),(?=[^\W\d_]{2})")
_DOUBLED_COMMA = re.compile(r",(?:\s*,)+")
_DOUBLED_STOP = re.compile(r"(?<![.…])\.\.(?![.…])")
# ",." / ".," / ", ." are what is left when the words between two marks went.
_ORPHAN_PUNCT = re.compile(r",\s?\.(?!\.)|(?<!\.)\.,")
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
        if not (line[i - 1].islower() and line[i + 1].islower()):
            continue
        if _looks_like_address(_token_around(line, i)):
            continue
        fixes.append((i + 1, i + 1, " "))
    return fixes


def doubled_punctuation(line: str) -> list[Fix]:
    """``Mali,, threatened`` -> ``Mali, threatened``; ``"Sahel".. Tehran`` -> one stop. Ellipses stay."""
    fixes: list[Fix] = [(m.start(), m.end(), ",") for m in _DOUBLED_COMMA.finditer(line)]
    fixes.extend((m.start(), m.end(), ".") for m in _DOUBLED_STOP.finditer(line))
    return fixes


def mojibake(line: str) -> list[Fix]:
    """UTF-8 read as Latin-1/CP-1252 (``Iranâ€™s``), fixed by ftfy; only where ftfy sees it."""
    if line.isascii() or not is_bad(line):
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
    return len(_ORPHAN_PUNCT.findall(line))
