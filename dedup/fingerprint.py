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

import hashlib
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
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
    }
)
# Apostrophes inside words are dropped rather than split on, so that
# "West's" and "West’s" and "Wests" (a scrape that lost the mark) agree.
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_WORD = re.compile(r"\w+")

_POLY = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so the polynomial stays well mixed
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_MASK64 = (1 << 64) - 1


def normalise(text: str) -> str:
    """NFKC, case-folded, quotes and dashes folded."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)


def tokens(text: str) -> list[str]:
    """Word tokens of the normalised text; punctuation is dropped."""
    return _WORD.findall(_APOSTROPHE.sub("", normalise(text)))


@lru_cache(maxsize=1 << 20)
def token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def _fmix64(h: U64) -> U64:
    h = h ^ (h >> _S33)
    h = h * _M1
    h = h ^ (h >> _S33)
    h = h * _M2
    return h ^ (h >> _S33)


def shingle_hashes(toks: Sequence[str], k: int) -> U64:
    """Sorted, unique 64-bit hashes of the k-word shingles of ``toks``.

    A text shorter than k words is one shingle of all its words; an empty
    text has none.
    """
    n = len(toks)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    th = np.fromiter((token_hash(t) for t in toks), dtype=np.uint64, count=n)
    width = min(k, n)
    m = n - width + 1
    acc = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            acc = acc * _POLY + th[j : j + m]
        # The width is mixed in so that a short document's single shingle
        # cannot equal a k-shingle of a longer one by construction.
        acc = _fmix64(acc + np.uint64(width))
    return np.unique(acc)


def shingle_hash(shingle: Sequence[str]) -> int:
    """The same hash as :func:`shingle_hashes`, for one shingle, in pure Python."""
    acc = 0
    for t in shingle:
        acc = (acc * int(_POLY) + token_hash(t)) & _MASK64
    h = (acc + len(shingle)) & _MASK64
    for mult in (int(_M1), int(_M2)):
        h ^= h >> 33
        h = (h * mult) & _MASK64
    return h ^ (h >> 33)


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

# Rows of the (shingles x permutations) matrix computed at once: bounds memory
# to ~ 32k * num_perm * 4 bytes whatever the batch size.
_CHUNK = 32_768


def signatures(hash_sets: Sequence[U64], num_perm: int, seed: int) -> U32:
    """MinHash signatures, shape (len(hash_sets), num_perm), for many documents at once."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(hash_sets), num_perm), EMPTY, dtype=np.uint32)
    if not hash_sets:
        return out
    lengths = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets))
    allh = np.concatenate([h for h in hash_sets]) if lengths.sum() else np.empty(0, np.uint64)
    hv = _fmix32((allh & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    owner = np.repeat(np.arange(len(hash_sets)), lengths)
    with np.errstate(over="ignore"):
        for lo in range(0, len(hv), _CHUNK):
            hi = min(lo + _CHUNK, len(hv))
            phv = hv[lo:hi, None] * a[None, :] + b[None, :]
            o = owner[lo:hi]
            starts = np.flatnonzero(np.r_[True, o[1:] != o[:-1]])
            mins = np.minimum.reduceat(phv, starts, axis=0)
            docs = o[starts]
            out[docs] = np.minimum(out[docs], mins)
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
    for band in range(bands):
        col = keys[:, band]
        order = np.argsort(col, kind="stable")
        sorted_keys = col[order]
        boundaries = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
        sizes = np.diff(boundaries)
        for start, size in zip(boundaries[:-1][sizes > 1], sizes[sizes > 1], strict=True):
            members = np.sort(order[start : start + min(int(size), max_bucket)])
            i, j = np.triu_indices(len(members), k=1)
            pairs.append(members[i] * np.int64(n) + members[j])
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(pairs))
    return np.stack([codes // n, codes % n], axis=1)

