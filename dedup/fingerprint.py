"""Shingles, stable 64-bit shingle hashes, and datasketch-compatible MinHash.

Normalisation folds what scrapes disagree on (Unicode forms, case, curly
quotes, dashes, punctuation) so that two copies of one article shingle alike.

Shingle hashes are defined on word tokens: every token gets a 64-bit hash
(BLAKE2b, stable across processes and machines, unlike ``hash()``), and a
k-word shingle is a polynomial of its token hashes mod 2**64, finished with
the MurmurHash3 64-bit finaliser. Because the polynomial is computed with
numpy over whole documents at once, hashing costs a few vector operations per
document instead of one Python call per shingle.

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
    }
)
_FOLD_RE = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")


def _fold_match(m: re.Match[str]) -> str:
    return str(_FOLD[ord(m.group())])


# A word is a run of ASCII letters/digits or of any non-ASCII characters;
# apostrophes inside words are dropped rather than split on, so that "West's",
# "West’s" and "Wests" (a scrape that lost the mark) agree.
_W = "0-9a-z\u0080-\U0010ffff"
_APOSTROPHE = re.compile(f"(?<=[{_W}])'(?=[{_W}])")
_WORD = re.compile(f"[{_W}]+")

_POLY = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so the polynomial stays well mixed
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_MASK64 = (1 << 64) - 1
# Byte polynomial for word hashes: odd, so it has an inverse mod 2**64 and a
# substring's hash can be read off prefix sums (see _batch_token_hashes).
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
    return _WORD.findall(_APOSTROPHE.sub("", normalise(text)))


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
    return [np.unique(allh[bounds[i] : bounds[i + 1]]) for i in range(len(texts))]


def shingle_hashes(toks: Sequence[str], k: int) -> U64:
    """Sorted, unique 64-bit hashes of the k-word shingles of ``toks``.

    A text shorter than k words is one shingle of all its words; an empty
    text has none.
    """
    n = len(toks)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    th = np.fromiter((token_hash(t) for t in toks), dtype=np.uint64, count=n)
    return np.unique(_shingle_poly(th, min(k, n)))


def shingle_hash(shingle: Sequence[str]) -> int:
    """The same hash as :func:`shingle_hashes`, for one shingle, in pure Python."""
    acc = 0
    for t in shingle:
        acc = (acc * int(_POLY) + token_hash(t)) & _MASK64
    return _fmix64_int((acc + len(shingle)) & _MASK64)


# Bytes that belong to words: ASCII letters and digits, and every byte of a
# multi-byte UTF-8 character (so any non-ASCII character is a word character,
# as in _WORD).
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[ord("0") : ord("9") + 1] = True
_WORD_BYTE[ord("a") : ord("z") + 1] = True
_WORD_BYTE[0x80:] = True
_APOS = ord("'")


_POWERS: list[U64] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]


def _powers(n: int) -> tuple[U64, U64]:
    """P**i and Q**i mod 2**64 for i < n; grown by doubling and kept, so a run computes them once."""
    if len(_POWERS[0]) < n:
        size = 1 << max(16, (n - 1).bit_length())
        with np.errstate(over="ignore"):
            p = np.full(size, _BYTE_P, dtype=np.uint64)
            p[0] = 1
            q = np.full(size, _BYTE_Q, dtype=np.uint64)
            q[0] = 1
            _POWERS[0], _POWERS[1] = np.cumprod(p, dtype=np.uint64), np.cumprod(q, dtype=np.uint64)
    return _POWERS[0], _POWERS[1]


def batch_token_hashes(texts: Sequence[str]) -> tuple[U64, npt.NDArray[np.int64]]:
    """Token hashes of many texts at once, all in numpy; equal to ``token_hash`` of ``tokens``.

    Returns the concatenated token hashes and ``bounds`` (len(texts) + 1):
    text i's tokens are ``hashes[bounds[i]:bounds[i + 1]]``.
    """
    encoded = [normalise(t).encode("utf-8") for t in texts]
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
            shift = np.cumsum(~keep)
            doc_start = doc_start - shift[doc_start]
            buf = buf[keep]
            word = word[keep]
    # the buffer ends with a NUL separator, so a word never touches its end
    edge = word[1:] != word[:-1]
    flips = np.flatnonzero(edge) + 1
    if len(word) and word[0]:
        flips = np.r_[0, flips]
    starts, ends = flips[0::2], flips[1::2]
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


def lsh_candidates(keys: U64, max_bucket: int = 2000) -> npt.NDArray[np.int64]:
    """Candidate pairs (i, j), i < j, of rows that share a band key.

    Sort-and-group in numpy: no Python object per document. A bucket larger
    than ``max_bucket`` is boilerplate shared by too many documents to be one
    article's copies; only its first ``max_bucket`` rows are paired, so one
    bad band cannot make the run quadratic.
    """
    n, bands = keys.shape
    pairs: list[npt.NDArray[np.int64]] = []
    # Most band keys are unique: a key whose low bits no other key of its band shares cannot
    # pair, so only the rows of shared slots are sorted (a tenth of them, not all 64 x n).
    slot_bits = max(10, min(24, int(n).bit_length() + 3))
    mask = np.uint64((1 << slot_bits) - 1)
    for band in range(bands):
        col = keys[:, band]
        slots = (col & mask).astype(np.int64)
        shared = np.flatnonzero(np.bincount(slots, minlength=1 << slot_bits)[slots] > 1)
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
        big = sizes > 2
        capped = np.minimum(sizes[big], max_bucket)
        big_starts = starts[big]
        for size in np.unique(capped).tolist():
            rows = big_starts[capped == size]
            members = np.sort(order[rows[:, None] + np.arange(size)[None, :]], axis=1)
            i, j = np.triu_indices(size, k=1)
            pairs.append((members[:, i] * np.int64(n) + members[:, j]).ravel())
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(pairs))
    return np.stack([codes // n, codes % n], axis=1)

