"""Properties of clean() on arbitrary text: offsets stay valid, cleaning is idempotent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.clean import clean
from dedup.clean.offsets import check_offsets
from dedup.models import OffsetMap

# Article-like pieces mixed with arbitrary Unicode, so that rules fire.
PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "\t",
        "\u00a0",
        "\u2028",
        "\r\n",
        ".",
        ",,",
        "..",
        "...",
        "groups.Taking",
        "U.S.",
        "3.5",
        "PHOTO/French Army via AP - caption",
        "More in Politics",
        "Related posts",
        "Top",
        "Share",
        "By John Smith",
        "date 2022-09-17 ",
        "(MENAFN) ",
        "Source » jpost",
        "TAGS: a, b",
        "Support Us",
        "“Please.”",
        "Iranâ€™s",
        "Home > News > World",
        "joe says:",
        "© 2019 Foo. All rights reserved.",
        "The minister said the talks would continue next week and that both sides agreed.",
        "Analysts say the government has few options left in the north of the country.",
        "Headline In Title Case",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=40).map("".join)


def _check(raw: str) -> None:
    r = clean(raw)
    check_offsets(r.offsets, r.text, raw)
    # the map the cleaner assembles from its runs is exactly the one the per-character list gives
    assert r.offset_map().to_bytes() == OffsetMap.from_list(r.offsets).to_bytes()
    assert r.text == r.text.strip()
    assert "\n\n\n" not in r.text
    for e in r.edits:
        assert 0 <= e.start <= e.end <= len(raw)
    again = clean(r.text)
    assert again.text == r.text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_idempotent_and_offsets_on_article_like_text(raw: str) -> None:
    _check(raw)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_idempotent_and_offsets_on_any_unicode(raw: str) -> None:
    _check(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_lines_are_paragraphs(raw: str) -> None:
    r = clean(raw)
    for para in r.text.split("\n\n"):
        assert para == para.strip()
        assert not any(ch in para for ch in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
