"""Copies as real scrapes make them (issue 15): heavy damage verified by word alignment, write-thru
chains kept whole, composite pages and furniture-only pages kept out of story clusters."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.clean.page import FURNITURE_ONLY, LIVE_PAGE, furniture_only, live_page, page_defects
from dedup.cluster import (
    Figures,
    aligned_share,
    aligned_texts,
    build_clusters,
    decide,
    in_memory,
    link,
    token_ids,
)
from dedup.config import Config
from dedup.models import Cluster, PairScore


def words(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def text(ws: list[str]) -> str:
    # sentences of 12 words, so that the texts look like prose to the tokeniser
    return " ".join(" ".join(ws[i : i + 12]) + "." for i in range(0, len(ws), 12))


def damaged(ws: list[str], lost: float, seed: int) -> list[str]:
    """``ws`` with about ``lost`` of its words dropped in gaps of 1-4 words (lost link texts)."""
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(ws):
        if rng.random() < lost / 2.5:
            i += rng.randint(1, 4)
            continue
        out.append(ws[i])
        i += 1
    return out


def all_pairs(ids: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]


def clusters_of(docs: dict[str, str], defects: dict[str, list[str]] | None = None) -> list[Cluster]:
    ids = sorted(docs)
    inputs = in_memory(docs, Config(), defects=lambda d: (defects or {}).get(d, []))
    clusters, _ = build_clusters(ids, all_pairs(ids), inputs)
    return clusters


def groups(clusters: list[Cluster]) -> list[list[str]]:
    return sorted(c.members for c in clusters if len(c.members) > 1)


def test_aligned_share_counts_only_runs_of_three_words() -> None:
    assert aligned_share([1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7]) == 1.0
    # 1 2 3 align as a run, 9 and 5 only as single words
    assert aligned_share([1, 2, 3, 9, 5], [1, 2, 3, 8, 8, 9, 8, 5]) == 0.6
    assert aligned_share([], [1, 2]) == 0.0
    # the shorter sequence is measured, whichever side it is on
    assert aligned_share([7, 1, 2, 3, 4, 8], [1, 2, 3, 4]) == 1.0


def test_token_ids_follow_the_fingerprint_tokeniser() -> None:
    a, b = token_ids(["The Mayor's office, said: \u201cno\u201d.", "the mayors office said no"])
    assert a == b and len(a) == 5


def test_a_copy_that_lost_a_third_of_its_words_is_decided_by_alignment() -> None:
    original = words("w", 600)
    copy = damaged(original, 0.35, seed=3)
    assert 0.30 <= 1 - len(copy) / len(original) <= 0.40
    inputs = in_memory({"copy": text(copy), "orig": text(original)}, Config())
    f = inputs.figures("copy", "orig")
    assert link(f, Config()) == "grey"  # the 5-gram test alone misses it
    p = decide(f, inputs)
    assert p is not None and p.decided_by == "alignment" and p.relation == "contained"
    assert p.aligned is not None and p.aligned >= 0.9
    assert aligned_texts(text(copy), text(original)) == p.aligned


def test_same_topic_texts_sharing_a_few_phrases_are_not_aligned_into_copies() -> None:
    a = words("a", 300)
    b = words("b", 300)
    # b carries three of a's sentences: 10% of its words
    b[100:136] = a[50:86]
    inputs = in_memory({"a": text(a), "b": text(b)}, Config())
    assert link(inputs.figures("a", "b"), Config()) is None
    assert decide(inputs.figures("a", "b"), inputs) is None


def test_short_texts_are_copies_only_when_near_identical() -> None:
    f = Figures("a", "b", 0.6, 0.9, 0.65, 30, 40)  # 34 and 44 words
    assert link(f, Config()) is None
    assert link(Figures("a", "b", 0.85, 0.9, 0.9, 30, 32), Config()) == "copy"


def test_write_thru_versions_form_one_cluster_through_the_middle_version() -> None:
    # v1 -> v2 -> v3: each version rewrites the lede and adds paragraphs; v1 and v3 share too
    # little to verify directly (0.79 of v1 aligns into v3), but each verifies against v2
    body = words("body", 300)
    v1 = words("lede1x", 40) + body
    v2 = words("lede2x", 40) + body + words("add2x", 90)
    v3 = words("lede3x", 30) + body[30:] + words("add2x", 90) + words("add3x", 120)
    docs = {"v1": text(v1), "v2": text(v2), "v3": text(v3)}
    inputs = in_memory(docs, Config())
    assert decide(inputs.figures("v1", "v3"), inputs) is None
    clusters = clusters_of(docs)
    assert groups(clusters) == [["v1", "v2", "v3"]]
    (c,) = [c for c in clusters if len(c.members) == 3]
    assert sorted((p.a, p.b) for p in c.links) == [("v1", "v2"), ("v2", "v3")]
    assert all(p.decided_by == "5-gram" for p in c.links)
    # whichever copy is canonical, each member names the copy it verified against
    assert {m: {p.a, p.b} - {m} for m, p in c.joins().items()} == (
        {"v1": {"v2"}, "v3": {"v2"}} if c.canonical == "v2" else {"v2": {c.canonical}, **{
            m: {"v2"} for m in ("v1", "v3") if m != c.canonical}})


def test_a_page_of_two_stories_is_a_composite_and_glues_nothing() -> None:
    brief, story = words("brief", 130), words("story", 420)
    docs = {
        "brief": text(brief),
        "brief-copy": text(brief[:125]),
        "story": text(story),
        "story-copy": text(story[:400]),
        "page": text(brief + story),
    }
    clusters = clusters_of(docs)
    assert groups(clusters) == [["brief", "brief-copy"], ["story", "story-copy"]]
    (page,) = [c for c in clusters if c.members == ["page"]]
    assert page.reason.startswith("composite page (page: it holds ")
    assert page.contains == ["brief", "brief-copy", "story", "story-copy"]


def test_a_digest_carrying_the_opening_of_a_story_is_a_composite() -> None:
    # The page holds a brief (and its copy) and the first paragraphs of a longer story that is in
    # the corpus on its own: two stories on one page, though only the brief is held whole.
    brief, story = words("brief", 130), words("story", 400)
    docs = {"brief": text(brief), "brief-copy": text(brief[:125]), "story": text(story),
            "digest": text(brief + story[:150])}
    clusters = clusters_of(docs)
    assert groups(clusters) == [["brief", "brief-copy"]]
    (digest,) = [c for c in clusters if c.members == ["digest"]]
    assert "carries a passage of story elsewhere on the page" in digest.reason
    assert digest.contains == ["brief", "brief-copy"]


def test_a_page_titled_as_a_digest_that_holds_a_story_is_a_composite() -> None:
    # Only one of the digest's items is in the corpus: its title says what the page is.
    from dedup.clean.page import DIGEST, title_findings

    assert title_findings("AP News in Brief at 6:04 a.m. EDT | Miami Herald") == [DIGEST]
    assert title_findings("World Cup, Putin, Pakistan: Your Monday Briefing") == [DIGEST]
    assert title_findings("The Latest: Putin arrives in Helsinki late") == [DIGEST]
    for title in ("White House press briefing on Russia", "Hard to digest: the summit", "Police round up protesters",
                  "Senators urge Trump to act after the latest indictment", None):
        assert title_findings(title) == []
    brief, other = words("brief", 130), words("other", 200)
    docs = {"brief": text(brief), "brief-copy": text(brief[:125]), "digest": text(brief + other)}
    titles = {"brief": "Trump meets Putin", "brief-copy": "Trump meets Putin", "digest": "News in brief"}
    clusters = clusters_of(docs, {d: title_findings(t) for d, t in titles.items()})
    assert groups(clusters) == [["brief", "brief-copy"]]
    (digest,) = [c for c in clusters if c.members == ["digest"]]
    assert "its title names a digest" in digest.reason and digest.contains == ["brief", "brief-copy"]
    # the same page under a story's title is the brief's copy, grown
    titles["digest"] = "Trump meets Putin in Helsinki"
    assert groups(clusters_of(docs, {d: title_findings(t) for d, t in titles.items()})) == [
        ["brief", "brief-copy", "digest"]]


def test_a_story_with_a_stock_background_paragraph_is_no_composite() -> None:
    # A wire brief that ends with the background paragraph another wire story carries in its
    # middle is one story: the passage does not open the other document.
    brief, story = words("brief", 130), words("story", 400)
    docs = {"brief": text(brief), "brief-copy": text(brief[:125]), "story": text(story),
            "brief-full": text(brief + story[200:350])}
    assert groups(clusters_of(docs)) == [["brief", "brief-copy", "brief-full"]]


def test_a_story_holding_a_damaged_copy_of_itself_is_no_composite() -> None:
    # The story holds its own damaged copy, and a digest carries the story's opening: the copy and
    # the digest share little, but what each shares with the story is in the same place.
    story, other = words("story", 400), words("other", 200)
    docs = {"story": text(story), "damaged": text(damaged(story, 0.35, 3)),
            "digest": text(story[:150] + other), "other": text(other)}
    inputs = in_memory(docs, Config())
    assert inputs.layout("story", "damaged", "digest").overlap > 0.1
    clusters = clusters_of(docs)
    assert ["damaged", "story"] in groups(clusters)


def test_copies_of_one_composite_page_cluster_together_and_only_with_each_other() -> None:
    brief, story = words("brief", 130), words("story", 420)
    docs = {
        "brief": text(brief),
        "story": text(story),
        "page-a": text(brief + story),
        "page-b": text(brief + story + words("footer", 10)),
    }
    clusters = clusters_of(docs)
    assert groups(clusters) == [["page-a", "page-b"]]
    (pages,) = [c for c in clusters if len(c.members) == 2]
    assert pages.reason.startswith("composite page (")
    assert pages.contains == ["brief", "story"]


def test_a_live_page_never_joins_a_story_cluster() -> None:
    story = words("story", 300)
    docs = {"story": text(story), "copy": text(story[:280]), "live": text(story + words("item", 60))}
    clusters = clusters_of(docs, {"live": [LIVE_PAGE]})
    assert groups(clusters) == [["copy", "story"]]
    (live,) = [c for c in clusters if c.members == ["live"]]
    assert "running file or live page" in live.reason and live.contains == ["copy", "story"]


def test_furniture_only_pages_never_cluster() -> None:
    captions = text(words("caption", 80))
    docs = {"s1": captions, "s2": captions, "s3": captions}
    clusters = clusters_of(docs, {d: [FURNITURE_ONLY] for d in docs})
    assert groups(clusters) == []
    assert all(c.reason.startswith("furniture only") for c in clusters)


def test_page_findings() -> None:
    assert furniture_only("more_vert")
    captions = "\n".join(f"President Trump speaks at event number {i} in the city (AP Photo/Evan Vucci)"
                         for i in range(6))
    assert furniture_only(captions)
    article = " ".join(f"Sentence {i} of a real article about the summit in Helsinki." for i in range(10))
    assert not furniture_only(article + "\n" + captions.split("\n")[0])
    assert live_page("The Latest\n1:10 p.m.\nItem one.\n11:56 a.m.\nItem two.")
    assert live_page("a ### 19 min ago ### b 2 hours ago c 5 hours ago")
    assert not live_page("Updated 3:10 p.m. Trump met Putin at 2:00 in the palace.")
    assert page_defects("x", "more_vert") == [FURNITURE_ONLY]


def test_caption_lines() -> None:
    from dedup.clean.page import caption_lines

    text = "\n".join([
        "HELSINKI (AP) — The summit opened on Monday with a handshake in the palace, officials said.",
        "U.S. President Donald Trump arrives in Vantaa, Finland, July 15, 2018.",  # dated, no credit
        "The presidents shake hands in Helsinki.",
        "(AP Photo/Pablo Martinez Monsivais)",  # a credit line of its own: the line above is its caption
        "FILE - In this Nov. 11, 2017 file photo, the two leaders talk at the APEC summit.",
        "Putin says politics stand in the way of better relations.",
        "Media: Veuer",  # a video blurb's credit
        "He said he met the president on July 16, 2018, and that the talks went on for two hours in the "
        "palace without aides, as both sides had asked, before the news conference began later that day.",
    ])
    lines = text.split("\n")
    assert caption_lines(text) == lines[1:7]
    assert caption_lines("A story with no captions at all.") == []


def test_member_joins_name_the_copy_it_verified_against() -> None:
    p = PairScore("a", "b", 0.9, 0.9, 0.9, "near-duplicate", None, "5-gram")
    q = PairScore("b", "c", 0.2, 0.9, 0.3, "contained", 0.95, "alignment")
    c = Cluster("c1", ["a", "b", "c"], "a", "r", [], [p, q])
    assert c.joins() == {"b": p, "c": q}
    assert c.to_dict()["joined_through"] == {
        "b": {"via": "a", "decided_by": "5-gram", "aligned": None},
        "c": {"via": "b", "decided_by": "alignment", "aligned": 0.95},
    }


def test_anchor_keys_find_a_short_copy_inside_a_long_page() -> None:
    from dedup.cluster.anchors import anchor_candidates, texts_anchor_keys

    story = words("story", 1200)
    other = words("other", 1200)
    docs = [text(story), text(story[300:420]), text(other), text(other[:20] + words("x", 100))]
    blobs = texts_anchor_keys(docs, 5)
    # a 120-word brief holds ~15 anchor keys, all of them in the story; Jaccard is only ~0.1
    assert 5 <= len(blobs[1]) // 8 <= 30
    assert anchor_candidates(blobs).tolist() == [[0, 1]]
    # the keys are the text's: the same text gives the same keys, in any batch
    assert texts_anchor_keys([docs[1]], 5) == [blobs[1]]


def test_frequent_anchor_keys_propose_nothing() -> None:
    from dedup.cluster.anchors import MAX_DF, anchor_candidates, texts_anchor_keys

    boiler = words("boiler", 200)
    docs = [text(words(f"own{i}x", 20) + boiler) for i in range(MAX_DF + 1)]
    assert anchor_candidates(texts_anchor_keys(docs, 5)).tolist() == []
    assert len(anchor_candidates(texts_anchor_keys(docs[:3], 5))) == 3


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sets(st.integers(0, 60), max_size=25)), max_size=25),
       st.integers(2, 6), st.sampled_from(["small", "hashed", "top bits shared"]))
def test_anchor_candidates_are_the_pairs_sharing_enough_keys(sets: list[set[int] | None], cap: int,
                                                             spread: str) -> None:
    import numpy as np

    import dedup.cluster.anchors as anchors

    def value(k: int) -> int:
        # keys as the index sees them: small numbers (one slot), hashes (most alone in their slot), and
        # pairs of different keys in one slot (equal top bits), so the slot filter is exercised both ways
        if spread == "hashed":
            return (k * 0x9E3779B97F4A7C15 + 12345) % 2**64
        if spread == "top bits shared":
            return ((k // 2) << 56) | (k * 8 + 1)
        return k

    blobs = [None if s is None else np.array(sorted(value(k) for k in s), dtype=np.uint64).tobytes()
             for s in sets]
    held = [s or set() for s in sets]
    df: dict[int, int] = {}
    for s in held:
        for k in s:
            df[k] = df.get(k, 0) + 1
    expected = []
    for i in range(len(held)):
        for j in range(i + 1, len(held)):
            shared = sum(1 for k in held[i] & held[j] if df[k] <= cap)
            if shared >= max(2, anchors.MIN_SHARE * min(len(held[i]), len(held[j]))):
                expected.append([i, j])
    old = anchors.MAX_DF
    try:
        anchors.MAX_DF = cap  # a small cap, so that the frequency cap is exercised
        assert anchors.anchor_candidates(blobs).tolist() == expected
    finally:
        anchors.MAX_DF = old


def test_a_brief_inside_a_long_story_clusters_with_it_in_a_run(tmp_path: Path) -> None:
    from dedup.engines.local import run_records

    story, other = words("story", 1500), words("other", 700)
    records = [{"id": "story", "text": text(story)}, {"id": "brief", "text": text(story[:110])},
               {"id": "other", "text": text(other)}]
    result = run_records(records, db=str(tmp_path / "run.db"), workers=1)
    assert sorted(c.members for c in result.clusters if len(c.members) > 1) == [["brief", "story"]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["5", "12", "min", "mins", "minutes", "hour", "hours", "ago", "AGO", "Ago", "years",
                                 " ", "  ", "\n", "x", "_", "٣", "agox"]), max_size=40))
def test_relative_times_count_what_the_pattern_finds(parts: list[str]) -> None:
    from dedup.clean.page import _RELATIVE, _relative_times

    raw = "".join(parts)
    assert _relative_times(raw) == len(_RELATIVE.findall(raw))
