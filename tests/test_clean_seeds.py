"""Acceptance on the five real seed documents (fixtures/seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup.clean import CleanResult, clean
from dedup.clean.damage import align_damage
from dedup.clean.offsets import check_offsets

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf8")


@pytest.fixture(scope="module")
def cleaned() -> dict[str, CleanResult]:
    return {p: clean(_seed(p)) for p in ("000", "001", "002", "003", "004")}


def test_offsets_valid(cleaned: dict[str, CleanResult]) -> None:
    for p, r in cleaned.items():
        check_offsets(r.offsets, r.text, _seed(p))
        assert r.text == r.text.strip()


def test_001_teasers_and_caption_gone(cleaned: dict[str, CleanResult]) -> None:
    text = cleaned["001"].text
    for s in ("Sinwar", "Tindouf", "Lalla", "photo_camera"):
        assert s not in text
    assert "A month after French troops officially left Mali" in text
    assert "Pyotr Ilichov" in text
    assert '"Russia and Mali have a long-standing friendly relationship' in text
    assert "thanks to Iranian and Russian assistance" in text
    assert text.endswith("in areas previously managed by French troops.")


def test_004_tail_gone(cleaned: dict[str, CleanResult]) -> None:
    text = cleaned["004"].text
    for s in ("Donations", "TAGS", "Support Us", "SOURCE: mid.ru"):
        assert s not in text
    assert text.endswith("protected the incumbent president.")


def test_000_credits_gone_and_repaired(cleaned: dict[str, CleanResult]) -> None:
    r = cleaned["000"]
    assert "PHOTO/" not in r.text and "AFP/" not in r.text
    assert "groups. Taking" in r.text
    assert ",," not in r.text
    assert r.text.endswith("in areas previously managed by French troops.")
    assert "glued-sentence" in r.defects and "doubled-punctuation" in r.defects


def test_last_sentences_kept(cleaned: dict[str, CleanResult]) -> None:
    assert cleaned["002"].text.endswith(
        "Iran’s involvement isn’t likely to help solve this growing series of conflicts."
    )
    assert cleaned["003"].text.endswith("shaping the region’s future.")


def test_metadata(cleaned: dict[str, CleanResult]) -> None:
    m = cleaned["000"].meta
    assert (m["date"], m["outlet"], m["title"]) == ("2022-09-17", "Atalayar", "Iran and Russia gain strength in Mali")
    assert cleaned["003"].meta["date"] == "2024-08-05"
    assert cleaned["003"].meta["outlet"] == "MENAFN"
    assert cleaned["003"].text.startswith("Russia has pledged")
    m = cleaned["004"].meta
    assert m["date"] == "2023-02-15"
    assert m["author"] == "Grzegorz Kuczyński"
    assert m["title"] == "Russia Boosts Presence in Mali"
    assert m["outlet"] == "Warsaw Institute"
    assert cleaned["002"].meta["outlet"] in ("jpost", "The Jerusalem Post")
    assert "date" not in cleaned["001"].meta


def test_damaged_copy_ranks_below(cleaned: dict[str, CleanResult]) -> None:
    assert len(cleaned["000"].defects) > len(cleaned["001"].defects)


def test_align_damage_000_vs_001(cleaned: dict[str, CleanResult]) -> None:
    damaged, canonical = cleaned["000"].text, cleaned["001"].text
    gaps, completeness = align_damage(damaged, canonical)
    assert len(gaps) >= 3
    assert completeness < 0.8
    at_r = [g for g in gaps if damaged[g.at :].startswith("R. Indeed")]
    assert at_r, [(g.at, damaged[g.at : g.at + 20]) for g in gaps]
    assert at_r[0].canonical_span.text.startswith("Russia and its paramilitary group Wagner continue")
    for g in gaps:
        span = g.canonical_span
        assert canonical[span.start : span.end] == span.text
        assert g.length == span.end - span.start
        assert 0 <= g.at <= len(damaged)


def test_explain_lists_rules(cleaned: dict[str, CleanResult]) -> None:
    out = cleaned["004"].explain()
    assert "donation" in out and "tag-list" in out
