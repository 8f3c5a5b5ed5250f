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
from ftfy import chardata as _chardata
from ftfy import fixes as _ftfy_fixes
from ftfy.badness import BADNESS_RE, is_bad

from dedup.clean.offsets import Fix

#: The inline repairs run on every kept line, in this order (after mojibake).
REPAIRS = ("doubled-punctuation", "glued-sentence", "glued-comma")

# Two letters, a sentence stop, two letters: the only shape a glued sentence
# can have. Fixed-width look-arounds keep the scan linear on any input.
_GLUED_STOP = re.compile(r"[.!?](?=[^\W\d_]{2})")
# The same, one stop at a time: a pattern that starts with a literal is
# searched for far faster than one that starts with a class.
_GLUED_STOPS = tuple((c, re.compile(re.escape(c) + r"(?=[^\W\d_]{2})")) for c in ".!?")
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
    found: list[int] = []
    for c, pat in _GLUED_STOPS:
        if c in line:
            found.extend(m.start() for m in pat.finditer(line))
    if len(found) > 1:
        found.sort()  # the order _GLUED_STOP.finditer gives
    for i in found:
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


def _badness_width() -> int | None:
    """Longest match of ftfy's BADNESS_RE, when a window around non-ASCII text is enough to find it.

    That holds when every alternative of the pattern needs one non-ASCII
    character of its own, has a bounded width, and uses no look-around and no
    anchor but ``^`` (which ``search(text, pos)`` only matches at the real
    start). Anything else (a future ftfy) returns None: search the whole line.
    """
    try:
        from re import _constants as K  # type: ignore[attr-defined]
        from re import _parser as P  # type: ignore[attr-defined]

        tree = P.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
        width = tree.getwidth()[1]
        allowed = {K.LITERAL, K.NOT_LITERAL, K.IN, K.ANY, K.MAX_REPEAT, K.MIN_REPEAT, K.SUBPATTERN, K.BRANCH}

        def safe(items: object) -> bool:
            for op, av in items:  # type: ignore[attr-defined]
                if op is K.AT:
                    if av is not K.AT_BEGINNING:
                        return False
                elif op not in allowed:
                    return False
                elif op in (K.MAX_REPEAT, K.MIN_REPEAT) and not safe(av[2]):
                    return False
                elif op is K.SUBPATTERN and not safe(av[-1]):
                    return False
                elif op is K.BRANCH and not all(safe(b) for b in av[1]):
                    return False
            return True

        def non_ascii_char(op: object, av: object) -> bool:
            if op is K.LITERAL:
                return av >= 128  # type: ignore[operator]
            if op is not K.IN:
                return False
            for sop, sav in av:  # type: ignore[attr-defined]
                if sop is K.LITERAL and sav >= 128:
                    continue
                if sop is K.RANGE and sav[0] >= 128:
                    continue
                return False
            return True

        items = list(tree)
        if len(items) == 1 and items[0][0] is K.BRANCH:
            branches = items[0][1][1]
        else:
            branches = [tree]
        if width > 32 or not safe(items) or not all(any(non_ascii_char(op, av) for op, av in b) for b in branches):
            return None
        return int(width)
    except Exception:
        return None


_BAD_WIDTH = _badness_width()
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _non_ascii_runs(text: str) -> list[tuple[int, int]]:
    """Spans of non-ASCII characters. A few are found from the ASCII encoding
    (one ``?`` stands for each), which is quicker than a regex scan."""
    enc = text.encode("ascii", "replace")
    if enc.count(b"?") > 16:
        return [m.span() for m in _NON_ASCII_RUN.finditer(text)]
    runs: list[tuple[int, int]] = []
    i = enc.find(b"?")
    while i >= 0:
        if text[i] != "?":
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        i = enc.find(b"?", i + 1)
    return runs


def _is_bad(text: str, runs: list[tuple[int, int]] | None = None) -> bool:
    """``ftfy.badness.is_bad`` searching only around the non-ASCII characters (same answer)."""
    w = _BAD_WIDTH
    if w is None:
        return is_bad(text)
    n = len(text)
    lo = hi = -1
    for start, end in _non_ascii_runs(text) if runs is None else runs:
        a, b = start - w + 1, end + w - 1
        if a <= hi:
            hi = b
            continue
        if hi > lo and BADNESS_RE.search(text, max(lo, 0), min(hi, n)):
            return True
        lo, hi = a, b
    return hi > lo and BADNESS_RE.search(text, max(lo, 0), min(hi, n)) is not None


def _fix_encoding_step(text: str, bad: bool = False) -> str:
    """One step of ``ftfy.fix_encoding`` (ftfy 6.3, default configuration) with the windowed badness check.

    ``bad`` says the caller already knows ``text`` is non-empty, not ASCII and bad.
    """
    if not text or _chardata.possible_encoding(text, "ascii"):
        return text
    runs = _non_ascii_runs(text)
    if not bad and not _is_bad(text, runs):
        return text
    possible_1byte_encodings = []
    for encoding in _chardata.CHARMAP_ENCODINGS:
        if _chardata.possible_encoding(text, encoding):
            possible_1byte_encodings.append(encoding)
            encoded_bytes = text.encode(encoding)
            try:
                decoding = "utf-8"
                if encoding != "macroman" and _altered_utf8(encoded_bytes, runs):
                    encoded_bytes = _ftfy_fixes.restore_byte_a0(encoded_bytes)
                if encoding.startswith("sloppy"):
                    encoded_bytes = _ftfy_fixes.replace_lossy_sequences(encoded_bytes)
                if 0xED in encoded_bytes or 0xC0 in encoded_bytes:
                    decoding = "utf-8-variants"
                return encoded_bytes.decode(decoding)
            except UnicodeDecodeError:
                pass
    if _chardata.UTF8_DETECTOR_RE.search(text):
        fixed = _ftfy_fixes.decode_inconsistent_utf8(text)
        if fixed != text:
            return fixed
    if "latin-1" in possible_1byte_encodings:
        if "windows-1252" in possible_1byte_encodings:
            return text
        try:
            return text.encode("latin-1").decode("windows-1252")
        except UnicodeDecodeError:
            pass
    if _chardata.C1_CONTROL_RE.search(text):
        return _ftfy_fixes.fix_c1_controls(text)
    return text


# ftfy 6.3's pattern for UTF-8 whose 0xA0 byte became a space: every
# alternative starts at a byte of 0x80 or more and spans at most four bytes.
_ALTERED_KNOWN = _chardata.ALTERED_UTF8_RE.pattern == (
    b"[\xc2\xc3\xc5\xce\xd0\xd9][ ]|[\xe2\xe3][ ][\x80-\x84\x86-\x9f\xa1-\xbf]|"
    b"[\xe0-\xe3][\x80-\x84\x86-\x9f\xa1-\xbf][ ]|[\xf0][ ][\x80-\xbf][\x80-\xbf]|"
    b"[\xf0][\x80-\xbf][ ][\x80-\xbf]|[\xf0][\x80-\xbf][\x80-\xbf][ ]"
)


def _altered_utf8(encoded: bytes, runs: list[tuple[int, int]]) -> bool:
    """``ALTERED_UTF8_RE.search(encoded)``, looking only where the high bytes are.

    ``encoded`` is a one-byte-per-character encoding of a text whose
    non-ASCII characters (its only high bytes) lie in ``runs``.
    """
    if not _ALTERED_KNOWN:
        return _chardata.ALTERED_UTF8_RE.search(encoded) is not None
    search = _chardata.ALTERED_UTF8_RE.search
    n = len(encoded)
    return any(search(encoded, a, min(b + 3, n)) for a, b in runs)


# The step above restates ftfy 6.3's own; any other version is called as it is.
_FTFY_STEP_VERIFIED = ftfy.__version__.startswith("6.3.") and _BAD_WIDTH is not None


def fix_encoding(text: str, bad: bool = False) -> str:
    """``ftfy.fix_encoding(text)``, faster on long lines with a little mojibake.

    ``bad`` says ``text`` is known to be non-ASCII and bad (saves one check).
    """
    if not _FTFY_STEP_VERIFIED:
        return ftfy.fix_encoding(text)
    while True:
        fixed = _fix_encoding_step(text, bad)
        bad = False
        if fixed == text:
            return text
        text = fixed


def mojibake(line: str) -> list[Fix]:
    """UTF-8 read as Latin-1/CP-1252 (``Iranâ€™s``), fixed by ftfy; only where ftfy sees it."""
    if line.isascii() or not _MOJI_GATE.search(line) or not _is_bad(line):
        return []
    fixed = fix_encoding(line, bad=True)
    if fixed == line:
        return []
    # One fix over the differing middle keeps unchanged characters mapped to
    # their own raw offsets.
    n = min(len(line), len(fixed))
    # Longest common prefix, then suffix (of what is left), by bisection on
    # slices: the same answer as a character loop, without the loop.
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line[lo:mid] == fixed[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    p = lo
    lo, hi = 0, n - p
    la, lb = len(line), len(fixed)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line[la - mid : la - lo] == fixed[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    s = lo
    return [(p, len(line) - s, fixed[p : len(fixed) - s])]


# What every inline repair and lost_link_text needs somewhere in the line: a
# stop or comma followed by two letters (glued), by a comma or stop, maybe
# after spaces (doubled, orphaned). One scan that finds none of these spares
# the line all of them; most lines of prose hold none.
_REPAIR_SCREEN = re.compile(r"[.!?,](?:[^\W\d_]{2}|\s*,|\.|\s?\.)")


def may_need_repair(line: str) -> bool:
    """False when no inline repair can fix anything in ``line`` and lost_link_text finds nothing."""
    return _REPAIR_SCREEN.search(line) is not None


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
