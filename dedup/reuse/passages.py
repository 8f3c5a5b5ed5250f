"""Passages: the units that reuse detection fingerprints and aligns.

A document's clean text is tokenised once (word tokens with character
offsets, folded the same way as :func:`dedup.fingerprint.tokens`), then cut
into *passages*: sentences (long ones split, tiny ones merged with the next)
plus every stretch inside quotation marks and every piece of a quotation
between ellipses or square brackets. Quotations get passages of their own
because a quoted fragment is usually a part of a longer sentence on both
sides, and a whole-sentence passage would dilute its Jaccard similarity
below what LSH can find.

Passages are shingled with 3-word shingles (``passage_shingle`` of
:class:`~dedup.reuse.params.ReuseParams`, like the other sizes here) so that
one substituted word in a 20-word passage costs three shingles, not five,
and hashed with the project's shingle polynomial so that the MinHash is the
one in :mod:`dedup.fingerprint`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from dedup.fingerprint import (
    _POLY,
    NO_SPACE_CLASS,
    _fmix64,
    _powers,
    drop_repeats,
    is_no_space,
    normalise,
    token_hash,
)
from dedup.reuse.params import DEFAULT, ReuseParams

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

# Word tokens on the normalised text; an apostrophe inside a word stays
# part of it and is removed afterwards (as fingerprint.tokens does). A
# character of a script written without spaces (Chinese, Japanese, Thai, ...)
# is a token of its own, as in fingerprint.tokens, so that passages of such
# text are shingled on character n-grams.
_TOKEN = re.compile(rf"[{NO_SPACE_CLASS}]|[^\W{NO_SPACE_CLASS}]+(?:'[^\W{NO_SPACE_CLASS}]+)*")

# Sentence ends: terminal punctuation, optional closing quote/bracket, then
# whitespace before something that can start a sentence; or terminal
# punctuation glued to a capitalised word (a damaged scrape lost the space).
_SENT_END = re.compile(
    r"[.!?…]+[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-Z0-9])"
    r"|[.!?](?<=[a-z]{2}[.!?])(?=[A-Z][a-z])"
    r"|\n\s*"
)
# (Written so that every branch opens with a character test and no branch can
# start inside a run of spaces: the same match ends as the obvious
# ``(?<=[a-z]{2})[.!?]...|\s*\n\s*`` at a third of its cost.)

# Opening mark -> closing marks it accepts. Straight double quotes pair with
# themselves; ‘ only opens at a word start so that apostrophes stay out.
_QUOTE_PAIRS = {"“": "”\"", "«": "»", "„": "“”", '"': '"”', "‘": "’"}
# (‘ not after a word character, written as a lookbehind after one character
# class so that the regex engine can skip to the candidates.)
_QUOTE_OPEN = re.compile(r"[“«„\"‘](?<!\w‘)")
# Straight single quotes as a text's quotation marks ('The president's the chief negotiator, not
# me'), as British outlets print them: opened before a word, not after one; closed after a
# character that is no space, before one that is no word character, so that apostrophes
# (president's) stay inside. Read only in texts that have no double quotation marks at all.
_SINGLE_OPEN = re.compile(r"(?<![\w'’])'(?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\s'])'(?!\w)")
_DOUBLE_MARKS = re.compile(r"[\"“”„«»]")
# Where a quotation is cut: ellipses and bracketed insertions/omissions.
_QUOTE_CUT = re.compile(r"\(\s*(?:\.\s*){3}\)|\[\s*(?:\.\s*){3}\]|\[…\]|\(…\)|…|\.\.\.|\[[^\]\n]{0,60}\]")


class Tokens:
    """Word tokens of one document's clean text, with character offsets.

    ``words`` (the folded token texts) are made on first use: only the
    documents that reach alignment need them.
    """

    __slots__ = ("_norm", "_words", "ends", "hashes", "starts")

    def __init__(self, words: list[str] | None, starts: I64, ends: I64, hashes: U64, norm: str = "") -> None:
        self._words = words
        self._norm = norm
        self.starts = starts
        self.ends = ends
        self.hashes = hashes

    @property
    def words(self) -> list[str]:
        if self._words is None:
            norm = self._norm
            spans = zip(self.starts.tolist(), self.ends.tolist(), strict=True)
            self._words = [norm[s:e].replace("'", "") for s, e in spans]
        return self._words

    def word(self, t: int) -> str:
        """``words[t]`` without making the whole list."""
        if self._words is not None:
            return self._words[t]
        return self._norm[int(self.starts[t]) : int(self.ends[t])].replace("'", "")

    def __len__(self) -> int:
        return len(self.starts)


@dataclass
class DocPassages:
    """Everything reuse detection needs to know about one document."""

    tokens: Tokens
    # (n, 2) token ranges [start, end) of the passages
    ranges: I64
    # character ranges of quotations (inside the marks)
    quotes: list[tuple[int, int]] = field(default_factory=list)
    # token-level 3-gram hashes, position i = tokens i..i+2
    grams: U64 = field(default_factory=lambda: np.empty(0, dtype=np.uint64))


def tokenize(text: str) -> Tokens:
    """Tokens with offsets into ``text`` itself.

    Normalisation (NFKC, casefold) almost always keeps the length, in which
    case offsets found in the normalised text are valid for the original;
    otherwise each word is found in the original and folded alone.
    """
    norm = normalise(text)
    if len(norm) == len(text) and "_" not in norm:
        return _tokenize_fast(norm)
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    if len(norm) == len(text):
        for m in _TOKEN.finditer(norm):
            words.append(m.group().replace("'", ""))
            starts.append(m.start())
            ends.append(m.end())
    else:
        # Find words on a per-character fold that keeps length; the token
        # text itself is folded fully afterwards.
        folded = "".join(c if len(normalise(c)) != 1 else normalise(c) for c in text)
        for m in _TOKEN.finditer(folded):
            word = unicodedata.normalize("NFKC", m.group()).casefold().replace("'", "")
            for part in _TOKEN.findall(normalise(word)):
                words.append(part.replace("'", ""))
                starts.append(m.start())
                ends.append(m.end())
    hashes = np.fromiter((token_hash(w) for w in words), dtype=np.uint64, count=len(words))
    return Tokens(words, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64), hashes)


# Word characters of a normalised text below U+0080: what ``\w`` matches
# there, less "_" (texts with "_" take the regex path).
_WORD_ASCII = np.zeros(128, dtype=bool)
_WORD_ASCII[ord("0") : ord("9") + 1] = True
_WORD_ASCII[ord("a") : ord("z") + 1] = True
_APOS = ord("'")


def _cumsum0(x: npt.NDArray[np.bool_]) -> I64:
    """0 followed by the running count of ``x``."""
    out = np.zeros(len(x) + 1, dtype=np.int64)
    np.cumsum(x, out=out[1:])
    return out


def _tokenize_fast(norm: str) -> Tokens:
    r""":func:`tokenize` of a normalised text in numpy (~10x faster than the regex walk).

    Same tokens as ``_TOKEN`` (a run of word characters, apostrophes inside it
    kept in the span and dropped from the word; above U+007F a word character
    is what ``str.isalnum`` says, as for ``\w``; a character of a script without
    spaces is a token alone) and the same hashes as
    ``token_hash``: for ASCII words the byte polynomial is read off prefix
    sums of the text without its inner apostrophes, as
    :func:`dedup.fingerprint.batch_token_hashes` does; the rare words with
    other characters are hashed one by one.
    """
    cps = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
    n = len(cps)
    high = cps >= 128
    word = _WORD_ASCII[np.where(high, 0, cps)]
    alone = None  # characters of scripts without spaces: word characters, each a token alone
    if high.any():
        uniq = np.unique(cps[high])
        which = np.searchsorted(uniq, cps[high])
        alnum = np.fromiter((chr(c).isalnum() for c in uniq.tolist()), dtype=bool, count=len(uniq))
        word[high] = alnum[which]
        if (ns := is_no_space(uniq)).any():
            alone = np.zeros(n, dtype=bool)
            alone[high] = ns[which]
            word |= alone
    inner = np.zeros(n, dtype=bool)
    if n > 2:
        inner[1:-1] = (cps[1:-1] == _APOS) & word[:-2] & word[2:]
        if alone is not None:
            inner[1:-1] &= ~alone[:-2] & ~alone[2:]
    tok = word | inner
    # (np.r_ is slow Python indexing machinery: plain array ops in this per-document path)
    prev = np.zeros(n, dtype=bool)
    prev[1:] = tok[:-1]
    nxt = np.zeros(n, dtype=bool)
    nxt[:-1] = tok[1:]
    if alone is not None:
        # no token runs into or out of a character that stands alone
        prev[1:] &= ~alone[:-1] & ~alone[1:]
        nxt[:-1] &= ~alone[1:] & ~alone[:-1]
    starts = np.flatnonzero(tok & ~prev)
    ends = np.flatnonzero(tok & ~nxt) + 1
    if len(starts) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Tokens([], empty, empty, np.empty(0, dtype=np.uint64), norm)
    # positions in the text without inner apostrophes
    drop = _cumsum0(inner)
    cs, ce = starts - drop[starts], ends - drop[ends]
    kept = cps[~inner] if inner.any() else cps
    pw, qw = _powers(len(kept) + 1)
    with np.errstate(over="ignore"):
        prefix = np.empty(len(kept) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.cumsum(kept.astype(np.uint64) * pw[: len(kept)], dtype=np.uint64, out=prefix[1:])
        raw = (prefix[ce] - prefix[cs]) * qw[cs] + (ce - cs).astype(np.uint64)
        hashes = _fmix64(raw)
    if high.any():
        hi_count = _cumsum0(high)
        for t in np.flatnonzero(hi_count[ends] > hi_count[starts]).tolist():
            hashes[t] = token_hash(norm[int(starts[t]) : int(ends[t])].replace("'", ""))
    return Tokens(None, starts.astype(np.int64), ends.astype(np.int64), hashes, norm)


def positional_shingles(hashes: U64, k: int) -> U64:
    """Hash of the k-word shingle starting at each token (not deduplicated).

    Same polynomial and finaliser as :func:`dedup.fingerprint.shingle_hashes`,
    but kept in text order so that a passage's shingles are a slice.
    """
    n = len(hashes)
    if n < k:
        return np.empty(0, dtype=np.uint64)
    m = n - k + 1
    acc = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc = acc * _POLY + hashes[j : j + m]
        return _fmix64(acc + np.uint64(k))


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges inside quotation marks (marks excluded).

    A quotation left open runs to the end of its paragraph: news style opens
    every paragraph of a long quotation and closes only the last.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _QUOTE_OPEN.search(text, pos)
        if m is None:
            break
        opener = m.group()
        start = m.end()
        para_end = text.find("\n", start)
        if para_end < 0:
            para_end = n
        # Closers in order of preference: a straight quote inside “…” is a
        # nested quotation, and closes only when no ” follows.
        close = -1
        for ch in _QUOTE_PAIRS[opener]:
            close = text.find(ch, start, para_end)
            if close >= 0:
                break
        # A straight quote right before a word is an opener, right after one
        # a closer; an unmatched closer-looking opener is skipped.
        if close < 0:
            if opener == '"' and start < n and text[start : start + 1].isspace():
                pos = start
                continue
            end = para_end
            pos = para_end
        else:
            end = close
            pos = close + 1
        if end - start >= 2:
            out.append((start, end))
    if not out and "'" in text and not _DOUBLE_MARKS.search(text):
        out = _single_quoted(text)
    return out


def _single_quoted(text: str) -> list[tuple[int, int]]:
    """quote_regions of a text whose quotation marks are straight single quotes; a quotation that
    does not close in its paragraph is none ("'em"); a digit is opened by none ("the '70s")."""
    out: list[tuple[int, int]] = []
    pos = 0
    while (m := _SINGLE_OPEN.search(text, pos)) is not None:
        start = m.end()
        para_end = text.find("\n", start)
        close = _SINGLE_CLOSE.search(text, start, para_end if para_end >= 0 else len(text))
        if close is None:
            pos = start
            continue
        if close.start() - start >= 2:
            out.append((start, close.start()))
        pos = close.end()
    return out


def quote_fragments(text: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pieces of quotations between ellipses and bracketed insertions."""
    out: list[tuple[int, int]] = []
    for start, end in regions:
        cuts = [(m.start(), m.end()) for m in _QUOTE_CUT.finditer(text, start, end)]
        if not cuts:
            continue
        prev = start
        for cs, ce in cuts:
            out.append((prev, cs))
            prev = ce
        out.append((prev, end))
    return out


def sentence_bounds(text: str) -> list[int]:
    """Character offsets where sentences start (always includes 0)."""
    bounds = [0]
    for m in _SENT_END.finditer(text):
        bounds.append(m.end())
    return bounds


def _char_to_token_range(tok: Tokens, start: int, end: int) -> tuple[int, int]:
    s = int(np.searchsorted(tok.starts, start, side="left"))
    e = int(np.searchsorted(tok.starts, end, side="left"))
    return s, e


def build(text: str, params: ReuseParams = DEFAULT) -> DocPassages:
    """Tokens, passages and quotation regions of one clean text."""
    max_unit, window, min_unit = params.max_unit_tokens, params.window, params.min_unit_tokens
    tok = tokenize(text)
    n = len(tok)
    if n == 0:
        return DocPassages(tok, np.empty((0, 2), dtype=np.int64))
    # Sentence units in token indices.
    bounds = np.asarray(sentence_bounds(text), dtype=np.int64)
    tb = np.searchsorted(tok.starts, bounds, side="left")  # sorted, as the bounds are
    tb = drop_repeats(tb)
    tb = tb[tb < n]
    edges = [*tb.tolist(), n]
    units: list[tuple[int, int]] = []
    pending = -1
    for s, e in pairwise(edges):
        if pending >= 0:
            s = pending
        if e - s < min_unit and e < n:
            pending = s
            continue
        pending = -1
        length = e - s
        if length > max_unit:
            pieces = -(-length // (max_unit * 3 // 5))
            step = -(-length // pieces)
            for p in range(s, e, step):
                units.append((p, min(e, p + step)))
        else:
            units.append((s, e))
    parts: list[I64] = [np.asarray(units, dtype=np.int64).reshape(-1, 2)]
    # Fixed word windows as well: a quotation of half a long sentence has a
    # window of about its own size on both sides, whatever the sentences.
    if n > window:
        ws = np.arange(0, n - window // 2, window // 2, dtype=np.int64)
        parts.append(np.stack([ws, np.minimum(n, ws + window)], axis=1))
    regions = quote_regions(text)
    quoted = [*regions, *quote_fragments(text, regions)]
    if quoted:
        q = np.asarray(quoted, dtype=np.int64).reshape(-1, 2)
        qs = np.searchsorted(tok.starts, q, side="left")
        parts.append(qs[qs[:, 1] - qs[:, 0] >= params.passage_shingle + 2])
    # distinct ranges in (start, end) order
    allr = np.concatenate(parts)
    code = np.sort(allr[:, 0] * (n + 1) + allr[:, 1])
    code = drop_repeats(code)
    arr = np.stack([code // (n + 1), code % (n + 1)], axis=1)
    return DocPassages(tok, arr, regions, positional_shingles(tok.hashes, params.passage_shingle))


def passage_shingle_concat(dp: DocPassages, k: int) -> tuple[U64, I64]:
    """:func:`passage_shingles` of every passage concatenated, and the bounds of each passage in it
    (``k``: the words per shingle that :func:`build` made ``dp.grams`` of)."""
    r = dp.ranges
    if len(r) == 0:
        return np.empty(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    span = r[:, 1] - r[:, 0]
    long_ = span >= k
    count = np.where(long_, span - k + 1, (span > 0).astype(np.int64))
    bounds = np.zeros(len(r) + 1, dtype=np.int64)
    np.cumsum(count, out=bounds[1:])
    total = int(bounds[-1])
    # position in the document's shingle array of each output slot
    first = np.where(long_, r[:, 0], 0)
    idx = np.arange(total, dtype=np.int64) - np.repeat(bounds[:-1] - first, count)
    out = dp.grams[np.minimum(idx, max(0, len(dp.grams) - 1))] if len(dp.grams) else np.zeros(total, np.uint64)
    for row in np.flatnonzero(~long_ & (span > 0)).tolist():
        s, e = int(r[row, 0]), int(r[row, 1])
        # a passage shorter than a shingle: one pseudo-shingle of its words
        out[bounds[row]] = positional_shingles(dp.tokens.hashes[s:e], e - s)[0]
    return out, bounds


def passage_shingles(dp: DocPassages, k: int) -> list[U64]:
    """Shingle hashes of each passage: slices of the document's shingle array (``k`` as in
    :func:`passage_shingle_concat`)."""
    out: list[U64] = []
    for s, e in dp.ranges.tolist():
        if e - s >= k:
            out.append(dp.grams[s : e - k + 1])
        else:
            # a passage shorter than a shingle: one pseudo-shingle of its words
            out.append(positional_shingles(dp.tokens.hashes[s:e], e - s) if e > s else dp.grams[:0])
    return out


def compact(dp: DocPassages) -> DocPassages:
    """``dp`` without what :func:`restore` makes again cheaply (the shingles and the normalised
    text), offsets in 32 bits: for keeping many documents' passages in a file."""
    dp.grams = dp.grams[:0]
    tok = dp.tokens
    tok.starts, tok.ends = tok.starts.astype(np.int32), tok.ends.astype(np.int32)
    if tok._words is None:
        tok._norm = ""
    return dp


def restore(dp: DocPassages, text: str, k: int) -> DocPassages:
    """``dp`` as :func:`build` made it from ``text`` (``k``: its words per shingle), from :func:`compact`."""
    tok = dp.tokens
    tok.starts, tok.ends = tok.starts.astype(np.int64), tok.ends.astype(np.int64)
    if tok._words is None:
        tok._norm = normalise(text)
    dp.grams = positional_shingles(tok.hashes, k)
    return dp
