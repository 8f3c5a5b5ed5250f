"""Speakers of quotations against PolNeAR's annotated attributions (scripts/_polnear.py,
``scripts/eval-reuse --polnear``). The test split was not read while the speaker rules were fixed on
train. Skipped without ../shared/data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "polnear"
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import _polnear as pn
finally:
    sys.path.remove(str(ROOT / "scripts"))

needs_data = pytest.mark.skipif(not (DATA / "test" / "attributions").is_dir(),
                                reason="../shared/data/polnear is absent")


@needs_data
@pytest.mark.parametrize(("split", "quotations", "right", "precision"), [
    ("train", 2108, 827, 0.96), ("test", 285, 106, 0.96)])
def test_speakers_named_are_the_annotated_sources(split: str, quotations: int, right: int, precision: float) -> None:
    # a name given is the annotated source (a lower bound: a pronoun or a description as the source,
    # or the outlet a quotation is relayed through, counts against a right name)
    s = pn.speaker_scores(DATA, split)
    assert sum(s.counts.values()) == quotations
    assert s.counts["named, right"] >= right
    assert s.precision >= precision


def test_a_name_matches_by_a_name_word_only() -> None:
    assert pn.name_matches("Donald Trump Jr", "Donald Trump Jr.") and pn.name_matches("Gorka", "Sebastian Gorka")
    assert not pn.name_matches("Clinton’s", "Clinton’s communications director, Jennifer Palmieri")
    assert not pn.name_matches("Del", "Del. Stacey Plaskett") and not pn.name_matches("J.J", "J.J. MacNab")
    assert not pn.name_matches("Ryan", "Bryan Smith")


def test_brat_relations_and_spans_are_read(tmp_path: Path) -> None:
    ann = tmp_path / "a_x.ann"
    ann.write_text("T1\tSource 0 5\tTrump\nT2\tCue 6 10\tsaid\nT3\tContent 11 20\t“We win.”\n"
                   "T4\tContent 1 2;4 5\tsplit\nE1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n", encoding="utf-8")
    spans, relations = pn._annotations(ann)
    assert spans["T1"] == ("Source", 0, 5, "Trump") and "T4" not in spans
    assert relations == [{"Attribution": "T2", "Content": "T3", "Cue": "T2", "Source": "T1"}]


@needs_data
def test_wire_credits_are_found_and_never_invented() -> None:
    # PolNeAR's metadata names the agency of 84 articles (AP, UPI, AFP, Reuters) and none for 780
    counts = pn.wire_scores(DATA)
    with_byline = {k: n for (how, k), n in counts.items() if how == "text+byline"}
    assert sum(n for k, n in with_byline.items() if k.startswith("none -> ") and k != "none -> none") == 0
    assert sum(n for k, n in with_byline.items() if k.split(" -> ")[0] == k.split(" -> ")[1] != "none") >= 83
