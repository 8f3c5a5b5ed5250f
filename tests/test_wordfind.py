"""dedup.wordfind: every occurrence of many words, as repeated str.find gives them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.wordfind import WordFinder

WORDS = ["said", "aid", "reported", "ported", "field", "fields", "TV", "é"]


def _reference(text: str) -> list[tuple[int, int, int]]:
    out = []
    for k, w in enumerate(WORDS):
        i = text.find(w)
        while i >= 0:
            out.append((k, i, i + len(w)))
            i = text.find(w, i + 1)
    return sorted(out)


def test_overlapping_occurrences_and_indices_of_the_text() -> None:
    text = "😀 she said, “it is reported” in the fields of TV; é"
    assert sorted(WordFinder(WORDS).find(text)) == _reference(text)
    assert [text[s:e] for _, s, e in sorted(WordFinder(WORDS).find(text), key=lambda m: m[1])][:2] == ["said", "aid"]


def test_a_lone_surrogate_changes_no_match() -> None:
    text = "\ud800said\udfff reported \ud83d"
    assert sorted(WordFinder(WORDS).find(text)) == _reference(text)


@given(st.text(alphabet=st.sampled_from(list("saidreportedfl TVé\ud800😀")), max_size=60))
def test_any_text_as_str_find(text: str) -> None:
    assert sorted(WordFinder(WORDS).find(text)) == _reference(text)


@given(st.text(alphabet=st.sampled_from(list("saidreportedfl TV")), max_size=60))
def test_an_ascii_text_as_str_find(text: str) -> None:
    # (an ASCII text is searched as bytes: its byte indices are its character indices)
    assert text.isascii() and sorted(WordFinder(WORDS).find(text)) == _reference(text)


@given(st.text(alphabet=st.sampled_from(list("saidreportedfl TVé\ud800\udfff😀\u00e9\u0301")), max_size=60))
def test_words_in_are_the_words_str_find_finds(text: str) -> None:
    assert WordFinder(WORDS).words_in(text) == {k for k, _, _ in _reference(text)}
