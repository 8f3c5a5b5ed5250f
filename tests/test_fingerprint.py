"""Fingerprints: stable shingle hashes and datasketch-compatible signatures."""

from __future__ import annotations

import datasketch
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import fingerprint as fp
from dedup.config import Config
from tests.conftest import SEEDS


def _datasketch_signature(text: str, config: Config) -> np.ndarray:
    toks = fp.tokens(text)
    k = min(config.shingle_size, len(toks))
    m = datasketch.MinHash(num_perm=config.num_perm, seed=config.seed, hashfunc=fp.datasketch_hashfunc)
    for i in range(len(toks) - k + 1):
        m.update(" ".join(toks[i : i + k]).encode("utf-8"))
    return m.hashvalues


def test_signatures_are_bit_identical_to_datasketch() -> None:
    config = Config()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir())]
    ours = fp.signatures([fp.shingle_hashes(fp.tokens(t), 5) for t in texts], config.num_perm, config.seed)
    for text, sig in zip(texts, ours, strict=True):
        assert np.array_equal(_datasketch_signature(text, config), sig)


def test_other_seed_and_size_still_match_datasketch() -> None:
    config = Config(num_perm=64, seed=42, bands=32, rows=2, shingle_size=3)
    text = "the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat"
    ours = fp.signatures([fp.shingle_hashes(fp.tokens(text), 3)], 64, 42)[0]
    assert np.array_equal(_datasketch_signature(text, config), ours)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=12))
def test_numpy_tokeniser_equals_reference(texts: list[str]) -> None:
    # the vectorised byte tokeniser must agree with the regex reference on any Unicode text
    hashes, bounds = fp.batch_token_hashes(texts)
    for i, text in enumerate(texts):
        assert hashes[bounds[i] : bounds[i + 1]].tolist() == [fp.token_hash(t) for t in fp.tokens(text)]
    shingles, sb = fp.batch_shingles(texts, 3)
    for i, text in enumerate(texts):
        assert np.array_equal(np.unique(shingles[sb[i] : sb[i + 1]]), fp.shingle_hashes(fp.tokens(text), 3))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh ", min_size=1, max_size=8), min_size=1, max_size=30))
def test_batch_equals_one_at_a_time(words: list[str]) -> None:
    texts = [" ".join(words[: i + 1]) for i in range(len(words))]
    hashes = [fp.shingle_hashes(fp.tokens(t), 5) for t in texts]
    batch = fp.signatures(hashes, 32, 7)
    for h, row in zip(hashes, batch, strict=True):
        assert np.array_equal(fp.signatures([h], 32, 7)[0], row)


def test_normalisation_folds_what_scrapes_disagree_on() -> None:
    a = "Russia’s “security” role — in the West’s absence."
    b = "RUSSIA'S \"security\" role - in the Wests absence"
    assert fp.tokens(a) == fp.tokens(b) == ["russias", "security", "role", "in", "the", "wests", "absence"]
    # a glued sentence still splits into its words
    assert fp.tokens("jihadist groups.Taking advantage") == ["jihadist", "groups", "taking", "advantage"]


def test_shingle_hash_is_stable_across_processes() -> None:
    # Fixed values: Python's hash() changes with PYTHONHASHSEED; stored signatures must not.
    shingle = ["a", "month", "after", "french", "troops"]
    assert fp.token_hash("mali") == 0xFBCAAFF62C324131
    assert fp.shingle_hash(shingle) == 0xD685BA6F8C4CD083 == int(fp.shingle_hashes(shingle, 5)[0])


def test_empty_and_short_texts() -> None:
    assert len(fp.shingle_hashes([], 5)) == 0
    assert len(fp.shingle_hashes(["one", "two"], 5)) == 1
    empty = fp.signatures([fp.shingle_hashes([], 5)], 16, 1)[0]
    assert (empty == fp.EMPTY).all()


def test_lsh_candidates_find_shared_bands_only() -> None:
    sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 3, 4], [5, 6, 8, 0]], dtype=np.uint32)
    keys = fp.band_keys(sigs, bands=2, rows=2)
    pairs = {tuple(p) for p in fp.lsh_candidates(keys).tolist()}
    assert pairs == {(0, 1), (0, 2)}


def test_lsh_candidates_pair_a_large_bucket_as_a_star() -> None:
    """Up to STAR_FROM rows a bucket pairs all its rows; past it, each row with the bucket's first
    STAR_CENTRES rows: linear in the bucket's size, and no row left out (issue 21: a 2,000-row cap
    made a story syndicated 2,100 times a cluster of 2,000 and 100 singletons)."""
    small = np.zeros((fp.STAR_FROM, 1), dtype=np.uint64)
    assert len(fp.lsh_candidates(small)) == fp.STAR_FROM * (fp.STAR_FROM - 1) // 2
    n = 2100
    keys = np.zeros((n, 2), dtype=np.uint64)
    keys[:, 1] = np.arange(n)  # the second band: all keys unique, no pair
    pairs = fp.lsh_candidates(keys)
    centres = set(range(fp.STAR_CENTRES))
    assert all(int(a) in centres for a, _ in pairs.tolist())  # every pair holds a centre (the lowest rows)
    assert {int(b) for _, b in pairs.tolist()} | centres == set(range(n))  # and every row is in one
    assert len(pairs) == sum(n - 1 - c for c in range(fp.STAR_CENTRES))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=20), st.integers(1, 200))
def test_token_hashes_do_not_depend_on_how_a_batch_is_cut(texts: list[str], chunk: int) -> None:
    # a batch is hashed a few MB at a time; any cut (down to one text a part) gives the same arrays
    whole = fp.batch_token_hashes(texts)
    old = fp._CHUNK_BYTES
    fp._CHUNK_BYTES = chunk
    try:
        cut = fp.batch_token_hashes(texts)
    finally:
        fp._CHUNK_BYTES = old
    assert np.array_equal(whole[0], cut[0]) and np.array_equal(whole[1], cut[1])
    assert whole[1].dtype == cut[1].dtype == np.int64


def test_power_tables_by_doubling_equal_running_products() -> None:
    with np.errstate(over="ignore"):
        for base in (fp._BYTE_P, fp._BYTE_Q, 3):
            p = np.full(1 << 17, base, dtype=np.uint64)
            p[0] = 1
            assert np.array_equal(fp._power_table(base, 1 << 17), np.cumprod(p, dtype=np.uint64))
