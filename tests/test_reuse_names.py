"""Fuzzy outlet-name answers carried between runs (OutletIndex.remember): the same answers as an index
that searches everything."""

from __future__ import annotations

import random

from dedup.reuse.attribution import OutletIndex
from dedup.runtime.reuse_state import pack_items, unpack_items, unpack_record

_WORDS = ["times", "herald", "post", "daily", "news", "gazette", "tribune", "journal", "observer", "chronicle",
          "telegraph", "courier", "monitor", "express", "guardian"]


def _names(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = rng.sample(_WORDS, rng.randint(1, 3))
        name = " ".join(w.capitalize() for w in words)
        if rng.random() < 0.5:  # a typo: found by the fuzzy search only
            k = rng.randrange(len(name))
            name = name[:k] + rng.choice("aeiou") + name[k + 1 :]
        out.append(name)
    return out


def _index(names: list[str]) -> OutletIndex:
    idx = OutletIndex()
    for g, name in enumerate(names):
        idx.add(name, g)
    return idx


def test_remembered_fuzzy_answers_are_exact() -> None:
    rng = random.Random(3)
    for _ in range(30):
        base = _names(rng, rng.randint(1, 12))
        asked = _names(rng, 40)
        first = _index(base)
        answers_first = [first.knows(q) for q in asked]
        assert answers_first == [bool(first.lookup(q)) for q in asked]
        # names that look like an outlet on their own ("Daily ...") and names that need the index
        extra = ["Daily Heral", "Reuters", "Mr Smith", "Gazete Observer", "Chronicle Times"]
        for q in asked + extra:
            first.looks_like_outlet(q)
        first_like = first.like_answers()
        # later corpora: names added, names removed, both
        for later in (base + _names(rng, 5), base[: len(base) // 2], base[1:] + _names(rng, 3), list(base)):
            fresh = _index(later)
            carried = _index(later)
            carried.remember(*first.fuzzy_answers())
            expect = [bool(fresh.lookup(q)) for q in asked]
            assert [carried.knows(q) for q in asked] == expect
            assert [carried.looks_like_outlet(q) for q in asked] == [fresh.looks_like_outlet(q) for q in asked]
            # whole answers carried as well, and carried on once more
            liked = _index(later)
            liked.remember(*first.fuzzy_answers())
            liked.remember_like(*first_like)
            every = asked + extra
            assert [liked.looks_like_outlet(q) for q in every] == [fresh.looks_like_outlet(q) for q in every]
            later2 = later + _names(rng, 2)
            again = _index(later2)
            again.remember(*liked.fuzzy_answers())
            again.remember_like(*liked.like_answers())
            fresh2 = _index(later2)
            assert [again.looks_like_outlet(q) for q in every] == [fresh2.looks_like_outlet(q) for q in every]
            assert [again.knows(q) for q in every] == [bool(fresh2.lookup(q)) for q in every]


def test_changed_like_answers_are_exact() -> None:
    """OutletIndex.like_changed: the remembered answers that a later index gives differently, and
    every other one kept; None when the later index lost a key."""
    rng = random.Random(5)
    extra = ["Daily Heral", "Reuters", "Mr Smith", "Gazete Observer", "Chronicle Times", "Heraldpost", "Dr No",
             "Times", "The Monitor", "Courier Dail"]
    saw_change = saw_none = False
    for _ in range(40):
        base = _names(rng, rng.randint(1, 12))
        asked = _names(rng, 40) + extra
        first = _index(base)
        for q in asked:
            first.looks_like_outlet(q)
        for later in (base + _names(rng, 4), list(base), base[1:], [*base, rng.choice(asked)]):
            fresh = _index(later)
            carried = _index(later)
            carried.remember(*first.fuzzy_answers())
            carried.remember_like(*first.like_answers())
            changed = carried.like_changed()
            want = {q: fresh.looks_like_outlet(q) for q in asked}
            if changed is None:
                saw_none = True
                assert not set(first.keys) <= set(carried.keys)
            else:
                prior = first.like_answers()[1]
                assert changed == {q for q in asked if want[q] != prior[q]}
                saw_change |= bool(changed)
            assert {q: carried.looks_like_outlet(q) for q in asked} == want
            # and carried on once more, with the keys each "no" was looked up under
            again = _index([*later, "Evening Gazette"])
            again.remember_like(*carried.like_answers(asked))
            if again.like_changed() is not None:
                fresh2 = _index([*later, "Evening Gazette"])
                assert [again.looks_like_outlet(q) for q in asked] == [fresh2.looks_like_outlet(q) for q in asked]
    assert saw_change and saw_none


def test_an_add_after_remember_is_seen() -> None:
    first = _index(["Daily Herald"])
    assert not first.knows("Morning Chronicle")
    idx = _index(["Daily Herald"])
    idx.remember(*first.fuzzy_answers())
    assert not idx.knows("Morning Chronicle")
    idx.add("Morning Chronicl", 7)
    assert idx.knows("Morning Chronicle")


def test_pair_results_round_trip() -> None:
    # the compact record of a pair's results gives back equal objects
    from dedup.models import Attribution, Reuse, Span
    from dedup.reuse.align import Segment
    from dedup.reuse.direction import Verdict

    ids = ["a", "b", "c"]
    index = {d: i for i, d in enumerate(ids)}
    attr = Attribution("Daily Herald", 2020, "the Daily Herald reported")
    seg = Segment(0, 1, (1, 9), (3, 11), (10, 60), (20, 70), 8, {2})
    ver = Verdict(0, 1, "quotes", 0.8, ["attribution"], True, attr, True)
    reuse = Reuse("a", "b", "quotes", Span(10, 60, "x" * 50, 12, 62), Span(20, 70, "y" * 50, None, None), 0.9,
                  True, attr, ["attribution"], 0.8, ["c"])
    back = unpack_items(pack_items([(seg, ver, reuse)], ids), index)
    assert back == [(seg, ver, reuse)]
    assert unpack_record(b"\x00\x00\x00\x00")[1] == []
