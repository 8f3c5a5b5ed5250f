"""The edited-copies corpus of ``scripts/bench --quality`` and its pairwise scores (scripts/bench_quality.py)."""

from __future__ import annotations

import itertools
import random
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bq() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_quality
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return bench_quality


def sources(bq: ModuleType, n: int) -> list[Any]:
    """n invented articles of 100-300 words (some with line breaks), so the test needs no BBC data."""
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(3000)]
    out = []
    for i in range(n):
        words = [rng.choice(vocab) for _ in range(rng.randint(100, 300))]
        body = " ".join(words[:40]) + "\n\n" + " ".join(words[40:])
        out.append(bq.Source(f"s/{i:03d}.txt", f"Title {i}", body))
    return out


@pytest.fixture(scope="module")
def made(bq: ModuleType) -> tuple[list[Any], Any]:
    src = sources(bq, 150)
    return src, bq.generate(src, 1000, seed=3)


def test_deterministic(bq: ModuleType, made: tuple[list[Any], Any]) -> None:
    src, corpus = made
    again = bq.generate(src, 1000, seed=3)
    assert again.records == corpus.records and again.truth == corpus.truth and again.cut == corpus.cut
    assert bq.generate(src, 1000, seed=4).records != corpus.records
    assert len(corpus.records) == 1000 and len({r["id"] for r in corpus.records}) == 1000


def test_about_nine_copies_per_article(bq: ModuleType, made: tuple[list[Any], Any]) -> None:
    _, corpus = made
    counts = Counter(corpus.article.values())
    assert set(counts.values()) <= {8, 9}
    assert 8.5 <= 1000 / len(counts) <= 9
    # a corpus that needs 8 or more copies of every source uses them all
    assert len(set(bq.generate(sources(bq, 100), 850, seed=1).article.values())) == 100


def copy_words(bq: ModuleType, src: list[Any], corpus: Any, record: dict[str, Any]) -> tuple[list[str], list[str]]:
    words, _ = bq.split_words(record["text"])
    original, _ = bq.split_words(src[corpus.article[record["id"]]].body)
    return words, original


def test_replaced_share_within_one_to_five_percent(bq: ModuleType, made: tuple[list[Any], Any]) -> None:
    src, corpus = made
    for record in corpus.records:
        words, original = copy_words(bq, src, corpus, record)
        changed = sum(a != b for a, b in zip(words, original, strict=False)) / len(words)
        assert changed == pytest.approx(corpus.replaced[record["id"]])
        assert 0.01 <= changed <= 0.05
    # the paragraph break survives the edits
    assert all("\n\n" in r["text"] for r in corpus.records)


def test_cut_copies(bq: ModuleType, made: tuple[list[Any], Any]) -> None:
    src, corpus = made
    for record in corpus.records:
        words, original = copy_words(bq, src, corpus, record)
        if record["id"] in corpus.cut:
            assert 0.6 <= len(words) / len(original) <= 0.9
            assert len(words) / len(original) == pytest.approx(corpus.cut[record["id"]])
        else:
            assert len(words) == len(original)
    assert 0.25 <= len(corpus.cut) / len(corpus.records) <= 0.35


def test_sources_with_one_text_share_a_truth_group(bq: ModuleType) -> None:
    src = sources(bq, 20)
    src[5] = bq.Source("s/dup.txt", "Another headline", "  ".join(src[3].body.split()))
    corpus = bq.generate(src, 200, seed=2)  # 10 copies of every source
    assert bq.exact_groups(src)[5] == 3
    assert corpus.merged == [["s/003.txt", "s/dup.txt"]]
    assert {corpus.truth[d] for d, a in corpus.article.items() if a in (3, 5)} == {3}
    assert len(set(corpus.truth.values())) == 19


def test_pairwise_scores_on_a_toy_case(bq: ModuleType) -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    pred = [1, 1, 1, 1, 2, 3]
    # truth pairs 3 + 1 = 4; predicted pairs C(4, 2) = 6; together in both: the 3 pairs of a
    assert bq.pair_counts(truth, pred) == (3, 4, 6)
    p, r, f1 = bq.pairwise_prf(truth, pred)
    assert (p, r) == (0.5, 0.75)
    assert f1 == pytest.approx(0.6)
    assert bq.pairwise_prf(truth, truth) == (1.0, 1.0, 1.0)
    assert bq.pairwise_prf(["a", "b"], [1, 2]) == (1.0, 1.0, 1.0)  # no pairs anywhere: nothing wrong
    assert bq.pairwise_prf(["a", "a"], [1, 2]) == (1.0, 0.0, 0.0)


def test_pair_counts_agree_with_listing_the_pairs(bq: ModuleType) -> None:
    rng = random.Random(1)
    truth = [rng.randrange(6) for _ in range(60)]
    pred = [rng.randrange(8) for _ in range(60)]
    pairs = list(itertools.combinations(range(60), 2))
    same_t = {(i, j) for i, j in pairs if truth[i] == truth[j]}
    same_p = {(i, j) for i, j in pairs if pred[i] == pred[j]}
    assert bq.pair_counts(truth, pred) == (len(same_t & same_p), len(same_t), len(same_p))


def test_labels_and_documents_outside_the_main_cluster(bq: ModuleType) -> None:
    ids = ["d1", "d2", "d3", "d4", "d5"]
    pred = bq.labels(ids, [["d1", "d2"], ["d4", "d5"]])
    assert pred == [0, 0, "d3", 1, 1]
    # truth: d1-d3 one article, d4-d5 another; d3 sits alone, outside its article's main cluster
    assert bq.outside_main(["x", "x", "x", "y", "y"], pred) == [2]


def test_wrong_pairs_by_the_groups_they_join(bq: ModuleType) -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    pred = [1, 1, 1, 1, 2, 3]
    # cluster 1 holds a, a, a, b: 3 wrong pairs, all joining a and b
    assert bq.wrong_pairs(truth, pred) == {("a", "b"): 3}
    both, _, in_pred = bq.pair_counts(truth, pred)
    assert sum(bq.wrong_pairs(truth, pred).values()) == in_pred - both
    body = " ".join(f"w{i}" for i in range(40))
    assert bq.containment(body, body + " more words here and there") == 1.0
    assert bq.containment(body, "other words entirely, five or more of them") == 0.0
    bodies = [body, body[: len(body) // 2], "x y z u v w"]
    assert bq.near_duplicate_share({(0, 1): 3, (0, 2): 1}, bodies) == 0.75
