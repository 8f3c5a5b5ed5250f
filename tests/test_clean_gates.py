"""The cleaner's shortcuts never change an answer: the word gates in front of the notice phrases,
the memos of furniture lookups, and the offset map kept as runs until the per-character list is asked for."""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.clean import clean
from dedup.clean.corpus import FurnitureLines, key_may_fit, line_head, normalise_line
from dedup.clean.furniture import clear_caches
from dedup.clean.offsets import Runs
from dedup.models import OffsetMap
from dedup.runtime.furniture_cache import Probe

notices = sys.modules["dedup.clean.notices"]

# Every word of every notice phrase, in several cases, with the spacing and punctuation the patterns
# allow or refuse, and the letters a case-blind pattern folds (dotless i, long s, the Kelvin sign).
_WORDS = sorted({w for phrases in notices._PHRASES.values() for _p, words, also in phrases
                 for w in (*words, *(x for group in also for x in group))}
                | {"by", "you", "i", "we", "this", "is", "are", "for", "an", "as", "be", "will", "not", "our",
                   "editors", "please", "check", "has", "been", "up", "off", "only", "to", "a", "small", "hereby",
                   "fields", "links", "purposes", "advice", "site", "blog", "the", "of"})
_SEPS = st.sampled_from([" ", "  ", "\t", "-", ", ", ". ", "! ", "\u00a0"])


@st.composite
def _phrase_soup(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14))
    out = []
    for w in words:
        case = draw(st.sampled_from(["low", "title", "upper", "fold"]))
        if case == "title":
            w = w.title()
        elif case == "upper":
            w = w.upper()
        elif case == "fold":
            w = w.replace("s", "\u017f").replace("k", "\u212a").replace("i", "\u0131")
        out.append(w)
        out.append(draw(_SEPS))
    return "".join(out).strip()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_phrase_soup())
def test_the_word_gates_never_turn_a_phrase_down(line: str) -> None:
    for kind, phrases in notices._PHRASES.items():
        plain = any(p.search(line) is not None for p, words, _also in phrases
                    if any(w in line.lower() for w in words))
        assert notices._says(kind, line) is plain, (kind, line)


def test_a_folded_letter_still_reaches_the_pattern() -> None:
    # "ſ" (long s) matches "s" in a case-blind pattern but lower() keeps it: the groups are not asked
    assert notices.form_notice("By clicking here you con\u017fent to the terms.")
    assert not notices.form_notice("By clicking here you will see the terms.")


def _probe_asks(text: str) -> tuple[str, list[int]]:
    probe = Probe()
    r = clean(text, furniture=probe)
    return r.text, sorted(probe.asked)


def test_memoised_lookups_ask_the_furniture_the_same_questions() -> None:
    long_tail = "About the Daily Planet: " + "an independent newspaper serving the valley since 1921, " * 12
    text = ("Council extends the programme\n\n" + "The council voted on Tuesday to extend it for three years. " * 8
            + "\n\nShare this article\n\n" + long_tail)
    clear_caches()
    first = _probe_asks(text)
    again = _probe_asks(text)  # every line now answered from the memos
    clear_caches()
    assert first == again == _probe_asks(text)
    # and with a real mapping holding the long tail, it goes (found through its head) either way
    furniture = FurnitureLines({normalise_line(long_tail): "seen in 40 documents"})
    clear_caches()
    cold = clean(text, furniture=furniture)
    warm = clean(text, furniture=furniture)
    assert "Daily Planet" not in cold.text and cold == warm
    assert [e.rule for e in cold.edits].count("corpus-furniture") == 1


@given(st.text(alphabet=st.sampled_from("ab 1\t\u00e9\u4e2d"), max_size=600), st.integers(0, 500))
def test_line_helpers_agree_with_the_key(line: str, longest: int) -> None:
    if not key_may_fit(line, longest):
        assert len(normalise_line(line)) > longest
    assert normalise_line(line).startswith(line_head(line))


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 1000)), max_size=30), st.integers(0, 40))
def test_runs_expand_to_the_list_they_stand_for(pieces: list[tuple[int, int]], tail: int) -> None:
    values: list[int] = []
    for length, start in pieces:
        values += range(start, start + length)
    values += range(tail, tail + 1)
    runs = Runs()
    for i, v in enumerate(values):
        runs.add(i, v)
    assert runs.expand(len(values)) == values


def test_the_offset_list_is_made_only_when_asked_and_matches_the_map() -> None:
    raw = "Headline here\n\nBy Jane Doe\n\nFirst  paragraph,, with damage.\n\nSecond paragraph of text here.\n"
    r = clean(raw)
    assert r._offsets is None  # one pass: kept as runs
    assert OffsetMap.from_list(r.offsets).to_bytes() == r.offset_map().to_bytes()
    assert len(r.offsets) == len(r.text) + 1
    assert all(raw[r.offsets[i]] == ch for i, ch in enumerate(r.text) if ch not in "\n ,")


@given(st.text(alphabet=st.sampled_from("abcdéÉxyz1_-' \t\u00a0.,ΩЖ中"), max_size=80))
def test_the_longest_title_word_is_the_first_of_the_longest_words(part: str) -> None:
    from dedup.clean.head_meta import _TITLE_WORD, _longest_word

    found = _TITLE_WORD.findall(part)
    assert _longest_word(part) == (max(found, key=len) if found else None)
