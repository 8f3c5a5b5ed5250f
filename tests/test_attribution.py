"""Outlet names: fuzzy matching and citation phrases."""

from __future__ import annotations

import pytest

from dedup.attribution import OutletIndex, find_mentions, looks_like_outlet, outlet_matches


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Atalayar", "atalayar"),
        ("Atalayar", "https://www.atalayar.com/en/articles"),
        ("The Jerusalem Post", "jpost"),
        ("The Jerusalem Post", "Jerusalem Post"),
        ("The New York Times", "nytimes.com"),
        ("Voice of America", "VOA"),
        ("Associated Press", "AP"),
        ("Al-Jazeera", "Al Jazeera"),
    ],
)
def test_outlets_match(a: str, b: str) -> None:
    assert outlet_matches(a, b) and outlet_matches(b, a)


@pytest.mark.parametrize(
    ("a", "b"), [("Reuters", "AP"), ("Arab News", "Atalayar"), ("The Times", "The Post"), ("", "x")]
)
def test_outlets_differ(a: str, b: str) -> None:
    assert not outlet_matches(a, b)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("An article in Atalayar in Madrid noted in 2022 “a month after", "Atalayar"),
        ("Iran’s pro-regime Tasnim media reported that", "Tasnim"),
        ("according to a Radio Free Europe article in 2010.", "Radio Free Europe"),
        ("On May 25 VOA also reported that", "VOA"),
        ("UNHCR recently said “the conflict", "UNHCR"),
        ("Analysts were blunt (h/t Daily Ledger): “x”", "Daily Ledger"),
        ("“It is over,” Reuters reported.", "Reuters"),
        ("According to The Daily Lantern, “x”", "The Daily Lantern"),
        ("MOSCOW (Reuters) - The Kremlin said", "Reuters"),
    ],
)
def test_mentions_found(text: str, name: str) -> None:
    assert name in [m.name for m in find_mentions(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Ashtiani said Iran is prepared to share equipment.",
        "according to Russian Foreign Sergey Lavrov.",
        "Foreign Minister Sergey Lavrov said on Thursday",
        "the Russian private military company (PMC) Wagner Group",
        "An article in March noted nothing",
    ],
)
def test_people_are_not_outlets(text: str) -> None:
    assert find_mentions(text) == []


def test_known_outlets_make_weak_phrases_count() -> None:
    index = OutletIndex()
    index.add("Harbour Gazette", 1)
    assert not looks_like_outlet("Harbour")
    assert [m.name for m in find_mentions("Harbour Gazette said the talks failed.", index)] == ["Harbour Gazette"]
    assert index.lookup("harbourgazette.com") == {1}
    assert index.lookup("Harbor Gazette") == {1}
    assert index.lookup("Other Paper") == set()


def test_mention_year() -> None:
    text = "An article in March 2023 in Arab News also recently noted Iran’s role. “Iranian policy”"
    (m,) = find_mentions(text)
    assert (m.name, m.year(text)) == ("Arab News", 2023)
