"""Rules one at a time, offsets, corpus furniture, damage alignment, speed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup.clean import RULES, clean, corpus_furniture, normalise_line, repair
from dedup.clean import furniture as F
from dedup.clean import metadata as M
from dedup.clean.damage import align_damage
from dedup.clean.offsets import apply_fixes, check_offsets, map_inserted

PARA = (
    "The ministry did not answer questions about the contracts, which were signed in December "
    "and have not been published, officials in the capital said on Tuesday."
)


def test_registry_names_and_callables() -> None:
    for name in (
        "caption-credit",
        "byline",
        "dateline",
        "share-buttons",
        "subscribe",
        "cookie-consent",
        "donation",
        "tag-list",
        "teaser-marker",
        "breadcrumb",
        "source-line",
        "rights-notice",
        "glued-sentence",
        "doubled-punctuation",
        "mojibake",
        "date-prefix",
        "wire-tag",
        "main-block",
    ):
        assert callable(RULES[name]), name


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        ("caption-credit", "PHOTO/French Army via AP - This undated file photo shows three mercenaries", True),
        ("caption-credit", "ORTM via REUTERS - Bus burned after an attack by gunmen near Bankass", True),
        ("caption-credit", "AFP/ OUSMANE MAKAVELI - Supporters wave Russian flags in Bamako", True),
        ("caption-credit", "Photo: John Smith/Getty Images", True),
        ("caption-credit", "The mayor told AFP that the bridge would reopen - eventually.", False),
        ("byline", "By Sarah E. Needleman", True),
        ("byline", "By the end of the year prices had risen sharply across the region.", False),
        ("dateline", "Nov. 19, 2019 8:03 am ET", True),
        ("dateline", "Date: 15 February 2023 Author: Grzegorz Kuczyński", True),
        ("dateline", "On 15 February 2023 the junta expelled the head of the UN rights division.", False),
        ("share-buttons", "Share Tweet Email", True),
        ("share-buttons", "Share your thoughts with the minister before Friday.", False),
        ("subscribe", "Sign up for our newsletter", True),
        ("cookie-consent", "We use cookies to give you the best experience on our website.", True),
        ("cookie-consent", "The bakery sold cookies.", False),
        ("tag-list", "TAGS: migration crisis, NATO, Belarus, Russia", True),
        ("teaser-marker", "More in Politics", True),
        ("teaser-marker", "Related posts", True),
        ("teaser-marker", "Related reports say the talks have stalled since the spring elections.", False),
        ("breadcrumb", "Home > News > World", True),
        ("breadcrumb", "| 1 | Kyle Busch | 5040 |", False),
        ("source-line", "Source » jpost", True),
        ("source-line", "SOURCE: mid.ru", True),
        ("rights-notice", "© 2019 CNBC LLC. All Rights Reserved.", True),
        ("ui-chrome", "Advertisement", True),
        ("ui-chrome", "Continue reading the main story", True),
        ("comment-header", "joetoronto says:", True),
        ("comment-header", "He said, she said", False),
    ],
)
def test_line_classifier(name: str, line: str, expected: bool) -> None:
    assert RULES[name](line) is expected


def test_edge_is_bolder() -> None:
    line = "If content prepared by our team is useful for you, please support our actions. Donations are necessary."
    assert not F.donation(line, edge=False)
    assert F.donation(line, edge=True)


def test_quotes_are_not_furniture() -> None:
    r = clean(f"{PARA}\n\n“Continue.”\n\n{PARA}")
    assert "“Continue.”" in r.text


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("jihadist groups.Taking advantage", "jihadist groups. Taking advantage"),
        ("the U.S. Army", None),
        ("grew 3.5 percent", None),
        ("e.g. This", None),
        ("see www.example.com/Path.Name now", None),
        ("mail john.Smith@example.com now", None),
    ],
)
def test_glued_sentence(text: str, fixed: str | None) -> None:
    fixes = repair.glued_sentence(text)
    if fixed is None:
        assert fixes == []
    else:
        assert apply_fixes(text, fixes)[0] == fixed


def test_doubled_punctuation_and_lost_link_text() -> None:
    text = 'left Mali,, threatened. "the Sahel".. Tehran... However,. Iran'
    out, _ = apply_fixes(text, repair.doubled_punctuation(text))
    assert out == 'left Mali, threatened. "the Sahel". Tehran... However,. Iran'
    assert repair.lost_link_text(out) == 1


def test_mojibake_rule() -> None:
    fixes = repair.mojibake("Iranâ€™s role")
    assert apply_fixes("Iranâ€™s role", fixes)[0] == "Iran’s role"
    assert repair.mojibake("Iran’s role") == []
    r = clean("Iranâ€™s involvement isnâ€™t likely to help, officials said on Monday, after a week of talks "
              "in Vienna that ended without any agreement on the next steps.")
    assert r.defects == ["mojibake"]


def test_metadata_helpers() -> None:
    assert M.parse_date("Nov. 19, 2019 8:03 am ET") == "2019-11-19"
    assert M.parse_date("15 February 2023") == "2023-02-15"
    assert M.parse_date("2024-08-05") == "2024-08-05"
    assert M.parse_date("no date here") is None
    assert M.split_title("Iran and Russia gain strength in Mali | Atalayar") == (
        "Iran and Russia gain strength in Mali",
        "Atalayar",
    )
    assert M.split_title("Just a title") == ("Just a title", None)
    assert M.source_outlet("Source » jpost") == "jpost"
    assert M.wire_tag("(MENAFN) Russia has pledged to enhance its support") == (9, "MENAFN")
    assert M.wire_tag("(1) First item of a list") is None
    assert M.pick_org(["Warsaw Institute", "Warsaw Institute Foundation"]) == "Warsaw Institute"


def test_main_block_keeps_ties() -> None:
    assert RULES["main-block"]([-3, 5, 0, 4, -10, 2]) == (1, 3, 9)
    assert RULES["main-block"]([-1, -2]) == (0, -1, 0.0)


def test_map_inserted_monotonic() -> None:
    assert map_inserted(3, 5, 6) == [5, 5, 5]
    assert map_inserted(2, 5, 9) == [5, 6]
    assert map_inserted(1, 4, 4) == [4]


def test_edits_point_at_raw() -> None:
    raw = f"Home\nWorld\nSport\n\n{PARA}\n\nShare Tweet Email\n\n{PARA}\n\nTop"
    r = clean(raw)
    check_offsets(r.offsets, r.text, raw)
    for e in r.edits:
        assert raw[e.start : e.end] == e.removed
    for i, ch in enumerate(r.text):
        if not ch.isspace():
            assert raw[r.offsets[i]] == ch


def test_corpus_furniture() -> None:
    docs = []
    topics = ["harvest", "election", "railway", "drought", "festival", "bridge"]
    for i, topic in enumerate(topics):
        body = f"This article is about the {topic} and says something different from all the others here."
        docs.append((f"d{i}", "Daily Planet", f"{body}\n\nFollow the Daily Planet on social networks\n\n{body} Again."))
    # Three copies of one article in the same outlet: their shared lines are not furniture.
    copy = "This syndicated paragraph is the same in all three copies of the article, word for word here."
    for j in range(3):
        shared = "Another shared sentence of that same article, also copied."
        docs.append((f"c{j}", "Daily Planet", f"{copy}\n\n{shared}\n\nFollow the Daily Planet on social networks"))
    # A short quote shared by two articles of different outlets.
    docs.append(("q1", "A", "“We will win.”\n\nText one."))
    docs.append(("q2", "B", "“We will win.”\n\nText two."))
    fur = corpus_furniture(docs, min_docs=3)
    key = normalise_line("Follow the Daily Planet on social networks")
    assert key in fur
    assert "9 documents" in fur[key] or "of outlet" in fur[key]
    assert normalise_line(copy) not in fur
    assert normalise_line("“We will win.”") not in fur
    raw = f"{PARA}\n\nFollow the Daily Planet on social networks\n\n{PARA}"
    r = clean(raw, furniture=fur)
    assert "Follow the Daily Planet" not in r.text
    (edit,) = [e for e in r.edits if e.rule == "corpus-furniture"]
    assert edit.detail == fur[key]


def test_align_damage_basics() -> None:
    canonical = "One two three four five six seven eight nine ten eleven twelve."
    damaged = "One two three eight nine ten eleven twelve."
    gaps, completeness = align_damage(damaged, canonical)
    assert len(gaps) == 1
    assert gaps[0].canonical_span.text == "four five six seven"
    assert damaged[gaps[0].at - 5 : gaps[0].at] == "three"
    assert 0.5 < completeness < 1.0
    # A single missing word and punctuation are trivial.
    assert align_damage("One two four, five.", "One two three four five")[0] == []
    assert align_damage(canonical, canonical) == ([], 1.0)


def test_align_damage_is_fast() -> None:
    words = [f"w{i % 397}x{i % 13}" for i in range(1000)]
    canonical = " ".join(words)
    damaged = " ".join(w for i, w in enumerate(words) if i % 50 > 5)
    start = time.perf_counter()
    gaps, completeness = align_damage(damaged, canonical)
    assert time.perf_counter() - start < 0.5
    assert len(gaps) >= 15 and completeness < 0.95


@pytest.mark.parametrize(
    "line",
    [
        "a" * 1_000_000,
        "a." * 500_000,
        "Aa.Bb" * 200_000,
        ",," * 500_000,
        " , ." * 250_000,
        "By " + "Abc " * 250_000,
        "Home > " * 140_000,
        "1 January 2020 " * 70_000,
        "(" * 1_000_000,
        "â€™" * 300_000,
        "word says" * 110_000 + ":",
        "photo_camera " + "AB/" * 300_000,
    ],
    ids=lambda s: repr(s[:12]),
)
def test_adversarial_megabyte_line_is_fast(line: str) -> None:
    start = time.perf_counter()
    r = clean(line)
    assert time.perf_counter() - start < 5.0
    check_offsets(r.offsets, r.text, line)


def test_typical_article_under_a_millisecond_or_so() -> None:
    raw = "\n\n".join(f"{PARA} Paragraph {i} adds one more sentence to it." for i in range(20))
    clean(raw)
    start = time.perf_counter()
    for _ in range(50):
        clean(raw)
    per_doc = (time.perf_counter() - start) / 50
    assert per_doc < 0.01  # generous for slow CI; eval-clean prints the real figure


def test_eval_clean_skips_without_data(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parent.parent / "scripts" / "eval-clean"
    out = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "absent")], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0
    assert "skipping" in out.stdout
