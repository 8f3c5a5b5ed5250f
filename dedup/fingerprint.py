"""Shingles, stable 64-bit shingle hashes, and datasketch-compatible MinHash.

Normalisation folds what scrapes disagree on (Unicode forms, case, curly
quotes, dashes, punctuation) so that two copies of one article shingle alike.

Shingle hashes are defined on word tokens (in scripts written without spaces,
such as Chinese, Japanese and Thai, on single characters: see NO_SPACE_RANGES):
every token gets a 64-bit hash (BLAKE2b, stable across processes and machines,
unlike ``hash()``), and a k-word shingle is a polynomial of its token hashes
mod 2**64, finished with the MurmurHash3 64-bit finaliser. Because the
polynomial is computed with numpy over whole documents at once, hashing costs a
few vector operations per document instead of one Python call per shingle.

Signatures use datasketch's ``affine32`` scheme (datasketch >= 2.0): the low
32 bits of the shingle hash are pre-mixed with fmix32 and sent through
``a*h + b mod 2**32`` permutations drawn from ``RandomState(seed)``.
:func:`datasketch_hashfunc` lets datasketch itself produce the same
signatures, which is how the tests prove compatibility.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from dedup.config import Config

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        # Non-ASCII punctuation that would otherwise count as a word character
        # (every non-ASCII character does, so that any script tokenises).
        "\u00ab": " ", "\u00bb": " ", "\u2039": " ", "\u203a": " ", "\u2026": " ", "\u00b7": " ",
        "\u2022": " ", "\u00a9": " ", "\u00ae": " ", "\u2122": " ", "\u00bf": " ", "\u00a1": " ",
        "\u00a7": " ", "\u00b6": " ", "\u00b0": " ", "\u20ac": " ", "\u00a3": " ", "\u00a0": " ",
        "\u3001": " ", "\u3002": " ", "\uff0c": " ", "\uff01": " ", "\uff1f": " ", "\u00d7": " ",
        # CJK brackets and marks and the katakana middle dot (see below).
        **{chr(c): " " for a, b in ((0x3001, 0x3004), (0x3008, 0x3020), (0x302A, 0x3030), (0x3036, 0x3037),
                                    (0x303D, 0x303F), (0x30A0, 0x30A0), (0x30FB, 0x30FB)) for c in range(a, b + 1)},
    }
)
# (CJK punctuation folds to a space rather than staying a word character: between
# characters that are each a token of their own (NO_SPACE_RANGES), 「」 and 《》 would
# otherwise be tokens too. The block's letters, 々 〆 〇 and the kana repeat marks, are
# not folded.)
_FOLD_RE = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")


def _fold_match(m: re.Match[str]) -> str:
    return str(_FOLD[ord(m.group())])


# Scripts written without spaces between words. No word list can be had for all of
# them, so each of their characters is a token of its own, and k-token shingles become
# character k-grams there: two copies of a Chinese article share most 5-grams, where
# a whole paragraph as one "word" made them share no shingle at all. Korean is not
# here (Hangul is written with spaces), nor are the scripts that are; every code
# point below is U+0E00 or above, three or four bytes in UTF-8 (batch_token_hashes
# relies on that).
NO_SPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),  # Hangzhou numerals, 〻 〼
    (0x3040, 0x309F),  # Hiragana
    (0x30A1, 0x30FA),  # Katakana (less ゠ and ・, folded to spaces)
    (0x30FC, 0x30FF),  # ー ヽ ヾ ヿ
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31FF),  # Bopomofo extended, CJK strokes, Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana (NFKC makes it full width; here for unnormalised text)
    (0x1B000, 0x1B16F),  # Kana supplement and extensions
    (0x20000, 0x3FFFF),  # CJK extensions B to I and compatibility supplement (planes 2 and 3)
)


def _merged(ranges: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """The ranges (sorted, disjoint) with neighbours joined: Thai and Lao are one range."""
    out: list[tuple[int, int]] = []
    for a, b in ranges:
        if out and out[-1][1] + 1 == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# Range edges for np.searchsorted: a code point is in a range when it falls after an odd
# number of edges (see is_no_space).
_NS_EDGES = np.array([e for a, b in _merged(NO_SPACE_RANGES) for e in (a, b + 1)], dtype=np.int64)
if not (np.all(np.diff(_NS_EDGES) > 0) and NO_SPACE_RANGES[0][0] >= 0x800):
    raise AssertionError("NO_SPACE_RANGES must be sorted, disjoint and above U+07FF")

#: The ranges as the inside of a regex character class (``[...]``), for other tokenisers.
NO_SPACE_CLASS = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in NO_SPACE_RANGES)


def _other_word_class() -> str:
    """ASCII letters and digits and every non-ASCII code point outside NO_SPACE_RANGES."""
    parts, lo = ["0-9a-z"], 0x80
    for a, b in NO_SPACE_RANGES:
        if lo < a:
            parts.append(f"\\U{lo:08x}-\\U{a - 1:08x}")
        lo = b + 1
    parts.append(f"\\U{lo:08x}-\\U0010ffff")
    return "".join(parts)


def is_no_space(codepoints: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
    """Which code points are characters of a script written without spaces (one token each)."""
    found: npt.NDArray[np.bool_] = (np.searchsorted(_NS_EDGES, codepoints, side="right") & 1).astype(bool)
    return found


# A word is a single character of a script without spaces, or else a run of ASCII
# letters/digits or of any other non-ASCII characters (so that any script
# tokenises); apostrophes inside words are dropped rather than split on, so that
# "West's", "West’s" and "Wests" (a scrape that lost the mark) agree. The
# apostrophe rule sees every word character (_W), as it did before characters
# became tokens: an apostrophe between two ideographs goes, and they split anyway.
_W = "0-9a-z\u0080-\U0010ffff"
_APOSTROPHE = re.compile(f"(?<=[{_W}])'(?=[{_W}])")
_WORD = re.compile(f"[{NO_SPACE_CLASS}]|[{_other_word_class()}]+")
# Text with no character from U+0E00 up (so none of those scripts: Latin, Cyrillic, Greek,
# Arabic, ...) takes the plain run of word characters, which finds the same tokens there
# and scans a fifth faster than _WORD's alternation of two classes.
_RUN = re.compile(f"[{_W}]+")
_FROM_THAI = re.compile("[\u0e00-\U0010ffff]")

_POLY = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so the polynomial stays well mixed
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_MASK64 = (1 << 64) - 1
# Byte polynomial for word hashes: odd, so it has an inverse mod 2**64 and a
# substring's hash can be read off prefix sums (see _token_hashes).
_BYTE_P = 0x9E3779B97F4A7C15
_BYTE_Q = pow(_BYTE_P, -1, 1 << 64)


def normalise(text: str) -> str:
    """NFKC, case-folded, quotes and dashes folded (plain lower-casing for ASCII text)."""
    if text.isascii():
        return text.lower().replace("`", "'") if "`" in text else text.lower()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    # str.translate with a dict walks every character in Python-object terms
    # (~0.2 ms an article); a regex scan only calls back on the rare hits.
    return _FOLD_RE.sub(_fold_match, text)


def tokens(text: str) -> list[str]:
    """Word tokens of the normalised text; punctuation is dropped."""
    norm = _APOSTROPHE.sub("", normalise(text))
    if norm.isascii() or _FROM_THAI.search(norm) is None:
        return _RUN.findall(norm)
    return _WORD.findall(norm)


def _fmix64_int(h: int) -> int:
    for mult in (int(_M1), int(_M2)):
        h ^= h >> 33
        h = (h * mult) & _MASK64
    return h ^ (h >> 33)


@lru_cache(maxsize=1 << 20)
def token_hash(token: str) -> int:
    """64-bit hash of one word: a byte polynomial mod 2**64, plus its length, finalised."""
    acc = 0
    power = 1
    for byte in token.encode("utf-8"):
        acc = (acc + byte * power) & _MASK64
        power = (power * _BYTE_P) & _MASK64
    return _fmix64_int((acc + len(token.encode("utf-8"))) & _MASK64)


def _fmix64(h: U64) -> U64:
    h = h ^ (h >> _S33)
    h = h * _M1
    h = h ^ (h >> _S33)
    h = h * _M2
    return h ^ (h >> _S33)


def _shingle_poly(th: U64, width: int) -> U64:
    """Hash of every window of ``width`` consecutive token hashes (not deduplicated)."""
    m = len(th) - width + 1
    acc = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            acc = acc * _POLY + th[j : j + m]
        # The width is mixed in so that a short document's single shingle
        # cannot equal a k-shingle of a longer one by construction.
        return _fmix64(acc + np.uint64(width))


def shingle_sets(texts: Sequence[str], k: int) -> list[U64]:
    """Sorted unique shingle hashes of many texts through the vectorised path (equal to shingle_hashes)."""
    allh, bounds = batch_shingles(texts, k)
    return [_sorted_unique(allh[bounds[i] : bounds[i + 1]]) for i in range(len(texts))]


def _sorted_unique(x: U64) -> U64:
    """``np.unique(x)`` by sorting: numpy 2's hash-based unique took 63 µs on an article's 600
    shingles, a sort and a comparison 14 µs (the cluster and damage stages make thousands)."""
    return drop_repeats(np.sort(x))


_A = TypeVar("_A", bound=np.generic)


def drop_repeats(x: npt.NDArray[_A]) -> npt.NDArray[_A]:
    """``x`` without its consecutive repeats: the distinct values of a sorted array."""
    if len(x) < 2:
        return x
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def shingle_hashes(toks: Sequence[str], k: int) -> U64:
    """Sorted, unique 64-bit hashes of the k-word shingles of ``toks``.

    A text shorter than k words is one shingle of all its words; an empty
    text has none.
    """
    n = len(toks)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    th = np.fromiter((token_hash(t) for t in toks), dtype=np.uint64, count=n)
    return _sorted_unique(_shingle_poly(th, min(k, n)))


def shingle_hash(shingle: Sequence[str]) -> int:
    """The same hash as :func:`shingle_hashes`, for one shingle, in pure Python."""
    acc = 0
    for t in shingle:
        acc = (acc * int(_POLY) + token_hash(t)) & _MASK64
    return _fmix64_int((acc + len(shingle)) & _MASK64)


# Bytes that belong to words: ASCII letters and digits, and every byte of a
# multi-byte UTF-8 character (so any non-ASCII character is a word character,
# as in _W). Characters of scripts without spaces are word bytes too, and are
# cut into tokens of their own by _no_space_cuts.
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[ord("0") : ord("9") + 1] = True
_WORD_BYTE[ord("a") : ord("z") + 1] = True
_WORD_BYTE[0x80:] = True
_APOS = ord("'")


def _no_space_cuts(buf: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_] | None:
    """Where a token must start in ``buf`` even if a word byte precedes: at each character of a
    script without spaces and right after it. None when the buffer has no such character.

    Every such character is three or four bytes long in UTF-8 (U+0800 and above), so it
    starts with a byte >= 0xE0, which is never a continuation byte; a buffer with none
    (all Latin, Cyrillic, Greek, Arabic, ...) is told by one pass of ``max`` and costs
    nothing more. ``buf`` must end with a NUL (batch_token_hashes' does), so the three
    bytes after a lead byte are always inside it.
    """
    if len(buf) == 0 or int(buf.max()) < 0xE0:
        return None
    lead = np.flatnonzero(buf >= 0xE0)
    b0 = buf[lead].astype(np.int64)
    b1 = buf[lead + 1].astype(np.int64) & 0x3F
    b2 = buf[lead + 2].astype(np.int64) & 0x3F
    four = b0 >= 0xF0
    cp = ((b0 & 0x0F) << 12) | (b1 << 6) | b2
    if four.any():
        b3 = buf[lead[four] + 3].astype(np.int64) & 0x3F
        cp[four] = ((b0[four] & 0x07) << 18) | (b1[four] << 12) | (b2[four] << 6) | b3
    ns = is_no_space(cp)
    if not ns.any():
        return None
    at = lead[ns]
    cut = np.zeros(len(buf), dtype=bool)
    cut[at] = True
    cut[at + np.where(four[ns], 4, 3)] = True
    return cut


_POWERS: list[U64] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]


def _powers(n: int) -> tuple[U64, U64]:
    """P**i and Q**i mod 2**64 for i < n; grown by doubling and kept, so a run computes them once."""
    if len(_POWERS[0]) < n:
        size = 1 << max(16, (n - 1).bit_length())
        _POWERS[0], _POWERS[1] = _power_table(_BYTE_P, size), _power_table(_BYTE_Q, size)
    return _POWERS[0], _POWERS[1]


def _power_table(base: int, size: int) -> U64:
    """base**i mod 2**64 for i < size (a power of two), by doubling: each half is the one before it
    times base**half. ``np.cumprod`` on uint64 gives the same numbers a hundred times slower (a
    quarter of a second a process for two million), which small runs paid in every worker."""
    out = np.empty(size, dtype=np.uint64)
    out[0] = 1
    filled = 1
    with np.errstate(over="ignore"):
        while filled < size:
            step = np.uint64(pow(base, filled, 1 << 64))
            np.multiply(out[:filled], step, out=out[filled : 2 * filled])
            filled *= 2
    return out


def batch_token_hashes(texts: Sequence[str]) -> tuple[U64, npt.NDArray[np.int64]]:
    """Token hashes of many texts at once, all in numpy; equal to ``token_hash`` of ``tokens``.

    Returns the concatenated token hashes and ``bounds`` (len(texts) + 1):
    text i's tokens are ``hashes[bounds[i]:bounds[i + 1]]``.
    """
    encoded = [normalise(t).encode("utf-8") for t in texts]
    # A token's hash does not depend on where its text sits in the buffer (prefix sums, see
    # _token_hashes), so a batch is hashed a few MB at a time: the power tables and the uint64
    # working arrays stay that size instead of eight times the batch's bytes (a cluster batch of
    # thousands of texts made tables of 2**27 entries, computed again in every worker).
    groups: list[list[bytes]] = [[]]
    size = 0
    for e in encoded:
        if size and size + len(e) >= _CHUNK_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(e)
        size += len(e) + 1
    if len(groups) == 1:
        return _token_hashes(groups[0])
    parts = [_token_hashes(g) for g in groups]
    offsets = np.cumsum([0] + [len(h) for h, _ in parts[:-1]])
    hashes = np.concatenate([h for h, _ in parts])
    bounds = np.concatenate([b[:-1] + o for (_, b), o in zip(parts, offsets, strict=True)] + [[len(hashes)]])
    return hashes, np.asarray(bounds, dtype=np.int64)


#: Bytes of normalised text hashed at once by batch_token_hashes (a text longer than this is one part).
_CHUNK_BYTES = 1 << 22


def _token_hashes(encoded: list[bytes]) -> tuple[U64, npt.NDArray[np.int64]]:
    """batch_token_hashes of the texts' normalised UTF-8 bytes, in one buffer."""
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded))
    buf = np.frombuffer(b"\x00".join(encoded) + b"\x00", dtype=np.uint8)
    doc_start = np.r_[0, np.cumsum(lengths)[:-1]]
    word = _WORD_BYTE[buf]
    apos = np.flatnonzero(buf == _APOS)
    if len(apos):
        # an apostrophe between two word bytes is dropped (as _APOSTROPHE does)
        inner = apos[(apos > 0) & (apos < len(buf) - 1)]
        inner = inner[word[inner - 1] & word[inner + 1]]
        if len(inner):
            keep = np.ones(len(buf), dtype=bool)
            keep[inner] = False
            # each text starts earlier by the apostrophes dropped before it (a search over the few
            # dropped positions, not a prefix sum over the whole buffer)
            doc_start = doc_start - np.searchsorted(inner, doc_start, side="right")
            buf = buf[keep]
            word = word[keep]
    # the buffer ends with a NUL separator, so a word never touches its end
    cut = _no_space_cuts(buf)
    if cut is None:
        # a token is a run of word bytes: it starts and ends where word-ness flips
        edge = word[1:] != word[:-1]
        flips = np.flatnonzero(edge) + 1
        if len(word) and word[0]:
            flips = np.r_[0, flips]
        starts, ends = flips[0::2], flips[1::2]
    else:
        # ... and is also cut before and after every character of a script without spaces:
        # boundary[i] says a token may not run from byte i - 1 into byte i
        boundary = cut
        boundary[1:] |= word[1:] != word[:-1]
        boundary[0] = True
        starts = np.flatnonzero(boundary & word)
        ends = np.flatnonzero(boundary[1:] & word[:-1]) + 1
    pw, qw = _powers(len(buf) + 1)
    with np.errstate(over="ignore"):
        prefix = np.empty(len(buf) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.multiply(buf, pw[: len(buf)], out=prefix[1:], dtype=np.uint64)
        np.cumsum(prefix[1:], out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * qw[starts] + (ends - starts).astype(np.uint64)
        hashes = _fmix64(raw)
    bounds = np.searchsorted(starts, np.r_[doc_start, len(buf)])
    return hashes, np.asarray(bounds, dtype=np.int64)


def batch_shingles(texts: Sequence[str], k: int) -> tuple[U64, npt.NDArray[np.int64]]:
    """Shingle hashes (not deduplicated, in text order) of many texts; ``bounds`` as above."""
    return shingles_of_tokens(*batch_token_hashes(texts), k)


def shingles_of_tokens(th: U64, tb: npt.NDArray[np.int64], k: int) -> tuple[U64, npt.NDArray[np.int64]]:
    """:func:`batch_shingles` from :func:`batch_token_hashes`' output (tokenise once, shingle twice)."""
    counts = np.diff(tb)
    n_sh = np.where(counts >= k, counts - k + 1, np.minimum(counts, 1))
    sb = np.r_[0, np.cumsum(n_sh)].astype(np.int64)
    out = np.empty(int(sb[-1]), dtype=np.uint64)
    if len(th) >= k:
        windows = _shingle_poly(th, k)
        # a window is valid when it starts at least k-1 tokens before its text's end
        owner = np.repeat(np.arange(len(counts)), counts)
        valid = np.zeros(len(windows), dtype=bool)
        if len(windows):
            valid = owner[: len(windows)] == owner[k - 1 :]
        full = counts >= k
        out_mask = np.repeat(full, n_sh)
        out[out_mask] = windows[valid]
    for i in np.flatnonzero((counts < k) & (counts > 0)):
        seg = th[tb[i] : tb[i + 1]]
        out[sb[i]] = _shingle_poly(seg, len(seg))[0]
    return out, sb


def datasketch_hashfunc(data: bytes) -> int:
    """Hash function to give ``datasketch.MinHash`` so it reproduces our signatures.

    ``data`` is a shingle's tokens joined by single spaces, UTF-8 encoded.
    """
    return shingle_hash(data.decode("utf-8").split(" ")) & 0xFFFFFFFF


_F32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _fmix32(h: U32) -> U32:
    s1, m1, s2, m2, s3 = _F32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s3)


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """datasketch's affine32 permutation parameters for (num_perm, seed)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


EMPTY = np.uint32(0xFFFFFFFF)

# Shingles hashed per pass: 256 kB of uint32, small enough to stay in L2 cache.
_CHUNK = 65_536


def signatures(hash_sets: Sequence[U64], num_perm: int, seed: int) -> U32:
    """MinHash signatures, shape (len(hash_sets), num_perm), for many documents at once."""
    if not hash_sets:
        return np.full((0, num_perm), EMPTY, dtype=np.uint32)
    lengths = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets))
    allh = np.concatenate(list(hash_sets)) if lengths.sum() else np.empty(0, np.uint64)
    return signatures_concat(allh, np.r_[0, np.cumsum(lengths)].astype(np.int64), num_perm, seed)


def signatures_concat(allh: U64, bounds: npt.NDArray[np.int64], num_perm: int, seed: int) -> U32:
    """Signatures of documents whose shingle hashes are ``allh[bounds[i]:bounds[i+1]]``.

    Duplicated shingles are harmless (a minimum is a minimum), so callers
    need not deduplicate. The loop runs over permutations, each one a pass of
    three vector operations over a cache-sized group of documents; measured
    ~5x faster than broadcasting a (shingles x permutations) matrix, which
    spills out of cache.
    """
    a, b = permutations(num_perm, seed)
    n = len(bounds) - 1
    out = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    if len(allh) == 0:
        return out
    hv = _fmix32((allh & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    docs = np.flatnonzero(np.diff(bounds) > 0)
    ends = bounds[docs + 1]
    tmp = np.empty(max(_CHUNK, int(np.diff(bounds).max())), dtype=np.uint32)
    gi = 0
    with np.errstate(over="ignore"):
        while gi < len(docs):
            lo = int(bounds[docs[gi]])
            gj = max(gi + 1, int(np.searchsorted(ends, lo + _CHUNK, side="right")))
            hi = int(ends[gj - 1])
            seg, buf = hv[lo:hi], tmp[: hi - lo]
            starts = bounds[docs[gi:gj]] - lo
            res = np.empty((num_perm, gj - gi), dtype=np.uint32)
            for k in range(num_perm):
                np.multiply(seg, a[k], out=buf)
                buf += b[k]
                res[k] = np.minimum.reduceat(buf, starts)
            out[docs[gi:gj]] = res.T
            gi = gj
    return out


def signature(hashes: U64, config: Config) -> U32:
    sig: U32 = signatures([hashes], config.num_perm, config.seed)[0]
    return sig


def estimate_jaccard(sig_a: U32, sig_b: U32) -> float:
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def band_keys(sigs: U32, bands: int, rows: int) -> U64:
    """One 64-bit key per (document, band): shape (n, bands)."""
    n = sigs.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    if n == 0:
        return keys
    with np.errstate(over="ignore"):
        for r in range(rows):
            # band b holds signature rows b*rows .. b*rows+rows-1, as datasketch's LSH does
            cols = sigs[:, np.arange(bands) * rows + r]
            keys = keys * _POLY + cols.astype(np.uint64)
        keys = _fmix64(keys + np.arange(bands, dtype=np.uint64)[None, :])
    return keys


#: A band bucket of more rows than this is paired as a star (see :func:`lsh_candidates`).
STAR_FROM = 64
#: The rows of a star bucket every other row is paired with: its first (lowest) rows.
STAR_CENTRES = 3


def in_shared_slots(slots: npt.NDArray[np.intp], slot_bits: int) -> npt.NDArray[np.int64]:
    """Positions whose slot (some ``slot_bits`` bits of a key) another position fills too: the only
    keys that can equal another, found with one count instead of a sort of them all."""
    return np.flatnonzero(np.bincount(slots, minlength=1 << slot_bits)[slots] > 1)


def lsh_candidates(keys: U64, star_from: int = STAR_FROM, centres: int = STAR_CENTRES) -> npt.NDArray[np.int64]:
    """Candidate pairs (i, j), i < j, of rows that share a band key.

    Sort-and-group in numpy: no Python object per document. A bucket of up to
    ``star_from`` rows pairs all its rows; a larger one (a story syndicated
    hundreds of times, or boilerplate many documents share) pairs each of its
    rows with its first ``centres`` rows only, so its cost grows with its size,
    not its square, and no row is left out: copies join their cluster through
    the centres they verify against, and rows that are no copies of them fail
    verification one pair each. (Rows are in id order, so the Spark engine
    picks the same centres.)
    """
    n, bands = keys.shape
    pairs: list[npt.NDArray[np.int64]] = []
    # Most band keys are unique: a key whose low bits no other key of its band shares cannot
    # pair, so only the rows of shared slots are sorted (a tenth of them, not all 64 x n).
    slot_bits = max(10, min(24, int(n).bit_length() + 3))
    mask = np.uint64((1 << slot_bits) - 1)
    for band in range(bands):
        col = keys[:, band]
        shared = in_shared_slots((col & mask).astype(np.intp), slot_bits)
        if len(shared) < 2:
            continue
        # ascending rows, so a stable sort keeps equal keys in row order (the cap below relies on it)
        order = shared[np.argsort(col[shared], kind="stable")]
        sorted_keys = col[order]
        boundaries = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
        sizes = np.diff(boundaries)
        starts = boundaries[:-1]
        # buckets of two, by far the most common, are paired with vector ops
        two = starts[sizes == 2]
        if len(two):
            a, b = order[two], order[two + 1]
            pairs.append(np.minimum(a, b) * np.int64(n) + np.maximum(a, b))
        # larger buckets a size at a time: one matrix of members per size, not a loop per bucket
        big = (sizes > 2) & (sizes <= star_from)
        big_sizes = sizes[big]
        big_starts = starts[big]
        for size in np.unique(big_sizes).tolist():
            rows = big_starts[big_sizes == size]
            members = np.sort(order[rows[:, None] + np.arange(size)[None, :]], axis=1)
            i, j = np.triu_indices(size, k=1)
            pairs.append((members[:, i] * np.int64(n) + members[:, j]).ravel())
        # star buckets: every row with each of the bucket's first rows (equal keys keep row order)
        for start, size in zip(starts[sizes > star_from].tolist(), sizes[sizes > star_from].tolist(), strict=True):
            members = order[start : start + size]
            for centre in members[:centres].tolist():
                others = members[members != centre]
                pairs.append(np.minimum(others, centre) * np.int64(n) + np.maximum(others, centre))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(pairs))
    return np.stack([codes // n, codes % n], axis=1)

