"""Clusters: verified on exact shingle sets, guarded against chaining, canonical with a reason."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import fingerprint as fp
from dedup.cluster import Rank, build_clusters, in_memory, measure, score
from dedup.config import Config
from tests.conftest import load_cases


def _cluster(docs: dict[str, str], config: Config) -> tuple[list[Any], list[Any]]:
    ids = sorted(docs)
    hashes = [fp.shingle_hashes(fp.tokens(docs[i]), config.shingle_size) for i in ids]
    sigs = fp.signatures(hashes, config.num_perm, config.seed)
    candidates = fp.lsh_candidates(fp.band_keys(sigs, config.bands, config.rows))
    pairs = [(ids[i], ids[j]) for i, j in candidates.tolist()]
    return build_clusters(ids, pairs, in_memory(docs, config))


@pytest.mark.parametrize("case", load_cases("cluster"))
def test_cluster_cases(case: dict[str, Any]) -> None:
    clusters, _ = _cluster(case["docs"], Config())
    multi = sorted(c.members for c in clusters if len(c.members) > 1)
    assert multi == sorted(case["clusters"])
    # every document is in exactly one cluster
    assert sorted(m for c in clusters for m in c.members) == sorted(case["docs"])
    by_member = {m: c for c in clusters for m in c.members}
    for member, canonical in case["canonical"].items():
        assert by_member[member].canonical == canonical
    pairs = {(p.a, p.b): p.relation for c in clusters for p in c.pairs}
    for key, relation in case["relations"].items():
        a, b = key.split("|")
        assert pairs[(a, b)] == relation


def test_canonical_reason_is_stated() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    clusters, _ = _cluster({"long": text, "short": " ".join(text.split()[:120])}, Config())
    (c,) = [c for c in clusters if len(c.members) == 2]
    assert c.canonical == "long"
    assert c.reason.startswith("most complete copy: longest clean text")


def test_ties_go_to_earliest_date_then_smallest_id() -> None:
    assert sorted([Rank("b", 10, 0, "2024-01-01"), Rank("a", 10, 0, None)], key=Rank.key)[0].doc_id == "b"
    assert sorted([Rank("b", 10, 0, None), Rank("a", 10, 0, None)], key=Rank.key)[0].doc_id == "a"
    assert sorted([Rank("b", 10, 0, None), Rank("a", 10, 2, None)], key=Rank.key)[0].doc_id == "b"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=0, max_size=60, unique=True),
    st.lists(st.integers(0, 40), min_size=0, max_size=60, unique=True),
)
def test_similarity_is_symmetric(a: list[int], b: list[int]) -> None:
    ha, hb = np.unique(np.array(a, dtype=np.uint64)), np.unique(np.array(b, dtype=np.uint64))
    j1, ab1, ba1 = measure(ha, hb)
    j2, ab2, ba2 = measure(hb, ha)
    assert j1 == j2 and ab1 == ba2 and ba1 == ab2
    assert score("x", "y", ha, hb, Config()) == score("y", "x", hb, ha, Config())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu",
                                 "one two three four five six seven eight nine ten eleven twelve",
                                 "red green blue cyan magenta yellow black white grey pink brown"]),
                min_size=1, max_size=8))
def test_clusters_partition_the_documents(parts: list[str]) -> None:
    docs = {f"d{i}": " ".join(parts[i:] + parts[:i]) for i in range(len(parts))}
    clusters, _ = _cluster(docs, Config())
    members = [m for c in clusters for m in c.members]
    assert sorted(members) == sorted(docs)
    for c in clusters:
        assert c.canonical in c.members


def test_copy_holding_the_whole_article_beats_a_longer_padded_one() -> None:
    # Three sites carry the whole article; a fourth lost a fifth of it but kept a long
    # furniture tail, so it is the longest. The copy that holds most of the others' text wins.
    from dedup.cluster import settle_canonical
    from dedup.cluster.holding import holdings
    from dedup.models import Cluster

    sentences = [f"sentence{i} of the article body." for i in range(60)]
    body = " ".join(sentences)
    padded = " ".join(sentences[:48]) + " " + " ".join(f"menu{i} link" for i in range(110))
    docs = {"a-padded": padded, "b-full": body, "c-full": body, "d-full": body}
    config = Config(containment_threshold=0.5, jaccard_threshold=0.3)
    hashes = {k: fp.shingle_hashes(fp.tokens(v), 5) for k, v in docs.items()}
    ranks = {k: Rank(k, len(v), 0, None) for k, v in docs.items()}
    assert len(padded) > len(body)
    provisional = Cluster("c1", sorted(docs), "a-padded", "longest", [])

    def pair(a: str, b: str) -> Any:
        return score(a, b, hashes[a], hashes[b], config)

    holding = holdings(sorted(docs), docs, 5)
    settled = settle_canonical(provisional, ranks.__getitem__, pair, holding)
    assert settled.canonical == "b-full"
    assert settled.reason == ("most complete copy: covers 100% of the text its copies share, 0% of its text is "
                              "captions or in no other copy; the longest copy a-padded covers 80%, has 48% "
                              "captions or text in no other copy (1909 chars vs 2845)")
    assert {(p.a, p.b) for p in settled.pairs} == {("a-padded", "b-full"), ("b-full", "c-full"), ("b-full", "d-full")}


def test_photo_captions_are_junk_even_when_several_copies_carry_them() -> None:
    # Syndicated AP captions recur on several sites: sharing does not make them article text, so
    # of copies holding the whole story, the one without the caption is canonical.
    from dedup.cluster.holding import holdings
    from dedup.cluster.settle import settle_canonical
    from dedup.models import Cluster

    story = "\n\n".join(f"Paragraph {i} tells the reader part {i} of what happened at the summit today."
                         for i in range(12))
    caption = ("FILE - In this Nov. 11, 2017 file photo, the two presidents talk during a session. "
               "(Jorge Silva/Pool Photo via AP, File)")
    credit_pair = "The presidents shake hands in Helsinki on Monday.\n\n(AP Photo/Pablo Martinez Monsivais)"
    docs = {"a": caption + "\n\n" + story, "b": caption + "\n\n" + story, "c": story + "\n\n" + credit_pair,
            "d": story}
    hashes = {k: fp.shingle_hashes(fp.tokens(v), 5) for k, v in docs.items()}
    ranks = {k: Rank(k, len(v), 0, None) for k, v in docs.items()}
    holding = holdings(sorted(docs), docs, 5)
    assert holding["a"].junk > 0 and holding["c"].junk > 0 and holding["d"].junk == 0
    settled = settle_canonical(Cluster("c1", sorted(docs), "a", "longest", []), ranks.__getitem__,
                               lambda x, y: score(x, y, hashes[x], hashes[y], Config()), holding)
    assert settled.canonical == "d"


def test_latest_snapshot_of_a_running_file_is_canonical() -> None:
    # Snapshots of a running file: the latest holds every item of the earlier ones and new items
    # no other snapshot has; on pages of several items that is content, not junk.
    from dedup.cluster.holding import holdings
    from dedup.cluster.settle import settle_canonical
    from dedup.models import Cluster

    items = [f"Item {i}: the minister said on day {i} that talks on topic {i} will go on for weeks." for i in range(9)]
    docs = {"early": "\n\n".join(items[:5]), "mid": "\n\n".join(items[:7]), "late": "\n\n".join(items)}
    hashes = {k: fp.shingle_hashes(fp.tokens(v), 5) for k, v in docs.items()}
    ranks = {k: Rank(k, len(v), 0, None) for k, v in docs.items()}
    pair = lambda x, y: score(x, y, hashes[x], hashes[y], Config())  # noqa: E731
    as_pages = holdings(sorted(docs), docs, 5, pages=True)
    assert settle_canonical(Cluster("c1", sorted(docs), "mid", "composite page (...)", []), ranks.__getitem__,
                            pair, as_pages).canonical == "late"
    assert as_pages["late"].junk == 0


def test_pair_containments_are_read_from_the_member_side() -> None:
    from dedup.models import PairScore

    p = PairScore("a", "b", 0.5, 0.9, 0.6, "contained")
    assert p.containments("a") == (0.9, 0.6)
    assert p.containments("b") == (0.6, 0.9)


def test_holdings_of_many_clusters_at_once_are_those_of_each_alone() -> None:
    # The batch measures every cluster's 5-grams in one sort: no cluster may see another's text
    # (the same paragraphs recur across clusters here, as boilerplate does across stories).
    from dedup.cluster.holding import holdings, holdings_of

    rng = random.Random(5)
    paras = [" ".join(rng.choice(["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"]) for _ in range(20))
             for _ in range(12)]
    texts: dict[str, str] = {}
    groups: list[tuple[list[str], bool]] = []
    for g in range(6):
        members = [f"g{g}m{i}" for i in range(rng.randint(2, 5))]
        for m in members:
            texts[m] = "\n\n".join(rng.sample(paras, rng.randint(3, 8)))
        groups.append((members, g % 3 == 0))
    together = holdings_of(groups, texts, 5)
    assert together == [holdings(members, texts, 5, pages=pages) for members, pages in groups]
    assert all(h.covers is not None for got in together for h in got.values() if len(got) <= 4)
