"""What a damaged copy lost, against the canonical copy of the same article.

Both texts are cut into word tokens (case and punctuation ignored, so ``Mali,,``
and ``Mali,`` are the same word) and aligned with an LCS (Indel) alignment
from rapidfuzz, which is bit-parallel and takes about a millisecond for two
1000-word texts. Runs of canonical words that the damaged copy lacks become
gaps; a single missing word is a trivial difference and is ignored.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel

from dedup.fingerprint import NO_SPACE_CLASS, is_no_space
from dedup.models import Gap, Span

# A word is a run of word characters, or one character of a script written
# without spaces (Chinese, Japanese, Thai, ...: see dedup.fingerprint), so that
# two copies of such a text align character by character, not as one "word" a paragraph.
_WORD = re.compile(rf"[{NO_SPACE_CLASS}]|[^\W{NO_SPACE_CLASS}]+")
#: Gaps shorter than this many words are trivial differences.
MIN_GAP_WORDS = 2
#: Two gaps separated by at most this many matching words are one gap: a
#: lost clause often keeps a stray "the" that the alignment matches.
MERGE_WORDS = 1

_Ints = npt.NDArray[np.int64]

# Which bytes of an ASCII text _WORD matches, and the same text with every
# other byte blanked (str.split() then yields exactly _WORD's matches).
_ASCII_WORD = np.array([_WORD.fullmatch(chr(i)) is not None for i in range(256)], dtype=np.bool_)
_ASCII_WORD[128:] = False
_ASCII_BLANK = bytes(i if _ASCII_WORD[i] else 32 for i in range(256))
_SPACE = np.uint32(32)


@lru_cache(maxsize=1)
def _bmp_word() -> npt.NDArray[np.bool_]:
    """_WORD's verdict on every BMP code point, taken from the regex itself (built once, ~10 ms)."""
    table = np.zeros(0x10000, dtype=np.bool_)
    for m in _WORD.finditer("".join(map(chr, range(0x10000)))):
        table[m.start() : m.end()] = True
    return table


def _word_mask(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    mask: npt.NDArray[np.bool_] = _bmp_word()[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)
    if len(astral):
        # Few texts hold any (emoji): decide each distinct one with the regex.
        for c in np.unique(codes[astral]).tolist():
            mask[astral[codes[astral] == c]] = _WORD.fullmatch(chr(c)) is not None
    return mask


def _tokens_slow(text: str) -> tuple[list[str], _Ints, _Ints]:
    words, starts, ends = [], [], []
    for m in _WORD.finditer(text):
        words.append(m.group().casefold())
        starts.append(m.start())
        ends.append(m.end())
    return words, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def _tokens(text: str) -> tuple[list[str], _Ints, _Ints]:
    """``[m.group().casefold() for m in _WORD.finditer(text)]`` and the matches' starts and ends.

    A regex match object per word costs more than the alignment itself, so
    the words are found with array operations on the code points: blank every
    non-word character and split on the blanks. str.casefold() folds each
    character on its own (no context, unlike lower()), so folding the blanked
    text folds every word as the regex path would.
    """
    if text.isascii():
        raw = text.encode("ascii")
        mask = _ASCII_WORD[np.frombuffer(raw, dtype=np.uint8)]
        # For ASCII, casefold() is lower(), and bytes.lower() touches only A-Z.
        words = raw.translate(_ASCII_BLANK).lower().decode("ascii").split()
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        mask = _word_mask(codes)
        # (those scripts start at U+0E00: most texts are told by their largest code point)
        if int(codes.max()) >= 0x0E00 and (alone := is_no_space(codes)).any():
            return _tokens_cut(text, mask, alone)
        blanked = np.where(mask, codes, _SPACE).astype(np.uint32).tobytes().decode("utf-32-le")
        words = blanked.casefold().split()
    # A word starts or ends wherever the mask changes (padded with non-word at both ends).
    padded = np.zeros(len(mask) + 2, dtype=np.bool_)
    padded[1:-1] = mask
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = edges[0::2], edges[1::2]
    if len(words) != len(starts):
        # Only a fold that made whitespace could do this (none does in Unicode 15): stay exact anyway.
        return _tokens_slow(text)
    return words, starts.astype(np.int64), ends.astype(np.int64)


def _tokens_cut(text: str, mask: npt.NDArray[np.bool_], alone: npt.NDArray[np.bool_]) -> tuple[list[str], _Ints, _Ints]:
    """:func:`_tokens` of a text with characters of scripts without spaces: a word also ends
    before and after each of those (``alone``), so splitting on blanks cannot find the words."""
    n = len(mask)
    # cut[i]: a word may not run from character i - 1 into character i
    cut = np.ones(n + 1, dtype=np.bool_)
    cut[1:n] = (mask[1:] != mask[:-1]) | alone[1:] | alone[:-1]
    starts = np.flatnonzero(cut[:n] & mask)
    ends = np.flatnonzero(cut[1:] & mask) + 1
    words = [text[s:e].casefold() for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    return words, starts.astype(np.int64), ends.astype(np.int64)


def align_damage(damaged: str, canonical: str) -> tuple[list[Gap], float]:
    """Spans of ``canonical`` missing from ``damaged``, and the share of it that is present.

    ``Gap.at`` is where the text went missing in ``damaged``: the start of the
    damaged words that stand in its place (``R`` of ``R. Indeed``) or, when
    nothing stands there, the end of the last word before it. Completeness is
    measured in characters of canonical words.
    """
    dw, d_start, d_end = _tokens(damaged)
    cw, c_start, c_end = _tokens(canonical)
    if not cw:
        return [], 1.0
    if not dw:
        s, e = int(c_start[0]), int(c_end[-1])
        span = Span(s, e, canonical[s:e])
        return [Gap(0, span.end - span.start, span)], 0.0
    # Characters of canonical words before word j: matched text is a difference of two entries.
    c_chars = np.zeros(len(cw) + 1, dtype=np.int64)
    np.cumsum(c_end - c_start, out=c_chars[1:])
    chars = c_chars.tolist()
    total = chars[-1]

    # (canonical word range, damaged word position) of each run the damaged copy lacks.
    runs: list[list[int]] = []  # [c_start, c_end, d_start, d_end]
    matched = 0
    # Indel reports a replaced stretch as a delete next to an insert; the
    # deleted damaged words are what stands where the canonical text went.
    deleted_before: dict[int, int] = {}
    for op in Indel.opcodes(dw, cw):
        tag, d1, d2, c1, c2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "equal":
            matched += chars[c2] - chars[c1]
            continue
        if c2 <= c1:
            deleted_before[d2] = d1
            if runs and runs[-1][3] == d1 and runs[-1][2] == d1:
                runs[-1][3] = d2  # the delete follows the insert it stands for
            continue  # words only the damaged copy has
        if d1 in deleted_before:
            d1 = deleted_before[d1]
        if runs and c1 - runs[-1][1] <= MERGE_WORDS and d1 - runs[-1][3] <= MERGE_WORDS + 1:
            runs[-1][1] = c2
            runs[-1][3] = max(runs[-1][3], d2)
            continue
        runs.append([c1, c2, d1, d2])

    gaps: list[Gap] = []
    for c1, c2, d1, d2 in runs:
        if c2 - c1 < MIN_GAP_WORDS:
            continue
        start, end = int(c_start[c1]), int(c_end[c2 - 1])
        if d2 > d1:
            at = int(d_start[d1])
        elif d1 > 0:
            at = int(d_end[d1 - 1])
        else:
            at = 0
        gaps.append(Gap(at, end - start, Span(start, end, canonical[start:end])))
    return gaps, (matched / total if total else 1.0)
