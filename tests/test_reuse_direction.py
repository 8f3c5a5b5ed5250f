"""The direction of one segment (dedup.reuse.direction.verdict) on small hand-made cases."""

from __future__ import annotations

from dedup.models import Attribution, Document
from dedup.reuse.align import Segment
from dedup.reuse.attribution import OutletIndex, find_mentions
from dedup.reuse.direction import Context, Verdict, carry_attributions, quoted_share, verdict
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.reuse.passages import quote_regions

PASSAGE = "the minister said the talks with the union would resume next week after a long dispute"


def _doc(doc_id: str, text: str, outlet: str | None = None) -> Document:
    return Document(id=doc_id, source=doc_id, content_hash=doc_id, raw=text, text=text, outlet=outlet)


def _judge(
    a: str, b: str, *, outlets: tuple[str | None, str | None] = (None, None),
    dates: tuple[str | None, str | None] = (None, None), params: ReuseParams = DEFAULT,
) -> Verdict:
    """The verdict on the segment PASSAGE (as it appears in each text) between document 0 (text
    ``a``) and document 1 (text ``b``), each its own group, named by ``outlets``."""
    docs = {0: _doc("a", a, outlets[0]), 1: _doc("b", b, outlets[1])}
    index = OutletIndex()
    for g, name in enumerate(outlets):
        if name:
            index.add(name, g)
    sa, sb = a.index(PASSAGE), b.index(PASSAGE)
    seg = Segment(0, 1, (0, 15), (0, 15), (sa, sa + len(PASSAGE)), (sb, sb + len(PASSAGE)), 15)
    ctx = Context(
        docs=docs,
        quotes={i: quote_regions(d.text) for i, d in docs.items()},
        group={0: 0, 1: 1},
        group_names={g: [name] for g, name in enumerate(outlets) if name},
        mentions={i: found for i, d in docs.items() if (found := find_mentions(d.text, index))},
        dates={0: dates[0], 1: dates[1]},
    )
    return verdict(seg, ctx, params)


FILLER = " ".join(["Other news of the day filled the rest of the page with sport and weather."] * 6)


def test_nothing_is_unknown_with_the_pair_ordered_by_id() -> None:
    ver = _judge(f"{FILLER} {PASSAGE}.", f"{PASSAGE}. {FILLER}")
    assert (ver.direction, ver.quoting, ver.source, ver.confidence) == ("unknown", 0, 1, 0.0)
    assert ver.evidence == [] and ver.attribution is None and not ver.has_attribution
    assert ver.kind == "reuses"


def test_attribution_naming_the_other_outlet_decides() -> None:
    ver = _judge(f"{FILLER} According to the Daily Herald, {PASSAGE}.", f"{PASSAGE}. {FILLER}",
                 outlets=(None, "Daily Herald"))
    assert (ver.direction, ver.quoting, ver.source) == ("quotes", 0, 1)
    assert ver.attribution is not None and ver.attribution.outlet == "Daily Herald"
    assert ver.has_attribution
    assert ver.confidence == DEFAULT.w_attribution
    assert "attributes the passage to 'Daily Herald'" in ver.evidence[0]
    assert ver.kind == "quotes"


def test_a_credit_line_naming_the_other_outlet_republishes() -> None:
    ver = _judge(f"Source: Daily Herald. {PASSAGE}.", f"{PASSAGE}. {FILLER}", outlets=(None, "Daily Herald"))
    assert (ver.direction, ver.quoting, ver.source, ver.kind) == ("quotes", 0, 1, "republishes")
    assert ver.has_attribution and "credits the passage to 'Daily Herald'" in ver.evidence[0]


def test_a_credit_over_a_story_that_shares_a_sentence_with_another_article_of_the_outlet() -> None:
    # the credit says a's whole text is the Daily Herald's; b, another Daily Herald article, shares
    # one sentence of it: the outlet's own copy that both carry, not b as a's source
    ver = _judge(f"{FILLER}\n\nSource: Daily Herald. {PASSAGE}.", f"{PASSAGE}. {FILLER}",
                 outlets=(None, "Daily Herald"))
    assert (ver.direction, ver.kind, ver.has_attribution) == ("unknown", "shares", False)


def test_a_name_the_quoting_side_goes_by_itself_is_no_attribution() -> None:
    # a CNN article's own "(CNN)" dateline says nothing of another CNN article it shares text with
    ver = _judge(f"{FILLER}\n\nWASHINGTON (CNN) {PASSAGE}.", f"{PASSAGE}. {FILLER}", outlets=("CNN", "CNN"))
    assert ver.direction == "unknown" and not ver.has_attribution


def test_attribution_on_both_sides_decides_nothing() -> None:
    ver = _judge(f"{FILLER} According to the Daily Herald, {PASSAGE}.",
                 f"According to the Evening Post, {PASSAGE}. {FILLER}", outlets=("Evening Post", "Daily Herald"))
    assert ver.direction == "unknown" and ver.attribution is None
    assert len(ver.evidence) == 2


def test_attribution_year_matching_the_source_date_adds_to_it() -> None:
    ver = _judge(f"{FILLER} The Daily Herald reported in 2021 that {PASSAGE}.", f"{PASSAGE}. {FILLER}",
                 outlets=(None, "Daily Herald"), dates=(None, "2021-05-02"))
    assert (ver.direction, ver.quoting, ver.source) == ("quotes", 0, 1)
    assert ver.attribution is not None and ver.attribution.year == 2021
    assert any("attribution year 2021" in e for e in ver.evidence)
    assert ver.confidence > DEFAULT.w_attribution


def test_quotation_marks_alone_do_not_decide() -> None:
    ver = _judge(f"{FILLER} He said: “{PASSAGE}”.", f"{PASSAGE}. {FILLER}")
    assert ver.direction == "unknown"
    assert any("quotation marks in a, not in b" in e for e in ver.evidence)


def test_quotation_marks_with_a_share_decide() -> None:
    # the passage is all of b and a small part of a, quoted in a only
    ver = _judge(f"{FILLER} {FILLER} He said: “{PASSAGE}”.", f"{PASSAGE}.")
    assert (ver.direction, ver.quoting, ver.source, ver.quoted, ver.kind) == ("quotes", 0, 1, True, "reuses")
    assert ver.confidence == round(1 - (1 - DEFAULT.w_marks) * (1 - DEFAULT.w_share), 3)


def test_marks_on_both_sides_are_no_evidence_but_a_shared_source() -> None:
    # both quote a speaker: neither took the words from the other
    ver = _judge(f"{FILLER} He said: “{PASSAGE}”.", f"“{PASSAGE}”. {FILLER}")
    assert (ver.direction, ver.kind) == ("unknown", "shares")
    assert ver.evidence == ["passage is in quotation marks in both a and b: the words of a third party"]


def test_straight_single_quotes_are_quotation_marks_where_a_text_has_no_double_ones() -> None:
    # British style: 'The president's the chief negotiator, not me' (the apostrophe stays inside)
    ver = _judge(f"{FILLER} He said: '{PASSAGE}'.", f"“{PASSAGE}”. {FILLER}")
    assert (ver.direction, ver.kind) == ("unknown", "shares")
    text = "Huntsman said: 'The president's the chief negotiator, not me'\n\nRock 'n' roll, the '70s, leaders' talks."
    assert [text[s:e] for s, e in quote_regions(text)] == ["The president's the chief negotiator, not me"]
    # a text that quotes with double marks keeps its single quotes as apostrophes and inner quotes
    mixed = "He said “fine” and the 'deal' stood."
    assert [mixed[s:e] for s, e in quote_regions(mixed)] == ["fine"]


def test_a_source_named_once_is_the_source_of_the_later_quotations_from_it() -> None:
    # a names b's outlet for its first quotation of b, not for the second ("McFaul explained"); a
    # third passage a does not quote, and a quotation of another document, stay undirected
    first, second, plain = "he knows the details", "Putin will be waiting for concessions", "the summit opened"
    a = f"“{first},” McFaul wrote for The Post. “{second},” McFaul explained. Then {plain} on time."
    b = f"Opinion. {first} of every file. {second} from Trump. And {plain} at noon."
    c = f"Elsewhere: {second} and more."
    docs = {0: _doc("a", a), 1: _doc("b", b, "The Post"), 2: _doc("c", c)}
    ctx = Context(docs=docs, quotes={i: quote_regions(d.text) for i, d in docs.items()}, group={0: 0, 1: 1, 2: 2},
                  group_names={1: ["The Post"]}, mentions={}, dates={0: None, 1: None, 2: None})

    def seg(x: int, y: int, phrase: str) -> Segment:
        sx, sy = docs[x].text.index(phrase), docs[y].text.index(phrase)
        return Segment(x, y, (0, 6), (0, 6), (sx, sx + len(phrase)), (sy, sy + len(phrase)), 6)

    said = Attribution("The Post", None, "wrote for The Post")
    named = Verdict(0, 1, "quotes", 0.9, ["a attributes the passage to 'The Post'"], True, said, True, "quotes")
    undirected = [Verdict(0, 1, "unknown", 0.0, [], False, None, False, "reuses"),
                  Verdict(0, 1, "unknown", 0.0, [], False, None, False, "reuses"),
                  Verdict(0, 2, "unknown", 0.0, [], False, None, False, "reuses")]
    judged = [(seg(0, 1, first), named), (seg(0, 1, second), undirected[0]), (seg(0, 1, plain), undirected[1]),
              (seg(0, 2, second), undirected[2])]
    out = carry_attributions(judged, ctx, DEFAULT)
    assert out[0] is named and out[2] is undirected[1] and out[3] is undirected[2]
    assert (out[1].quoting, out[1].source, out[1].direction, out[1].kind, out[1].attribution) == (
        0, 1, "quotes", "quotes", said)
    assert out[1].evidence[-1] == ("a attributes another passage of b to 'The Post' ('wrote for The Post') "
                                   "and quotes this one too")


DATED = ReuseParams(min_dated_words=15)  # (PASSAGE is 15 words; by default a date directs 30 or more)


def test_words_both_give_to_one_speaker_are_his_not_taken_from_each_other() -> None:
    # one copy lost its quotation marks; both still say who spoke
    ver = _judge(f"{FILLER} “{PASSAGE},” Trump said on Monday.", f"{PASSAGE}, President Donald Trump said. {FILLER}",
                 dates=("2022-03-02", "2022-03-01"), outlets=("Evening Post", "Daily Herald"))
    assert (ver.direction, ver.kind) == ("unknown", "shares")
    assert ver.evidence[-1] == "both a and b give the passage to Donald Trump: a speaker's words"


def test_an_earlier_publication_date_of_the_same_outlet_directs_a_reuse_never_a_quotation() -> None:
    ver = _judge(f"{FILLER} {PASSAGE}.", f"{PASSAGE}. {FILLER}", dates=("2022-03-02", "2022-03-01"),
                 outlets=("Daily Herald", "Daily Herald"), params=DATED)
    assert (ver.direction, ver.quoting, ver.source, ver.kind) == ("quotes", 0, 1, "reuses")
    assert ver.confidence == DEFAULT.w_date and ver.attribution is None
    assert ver.evidence == ["b published 2022-03-01, before a published 2022-03-02"]
    # the same day is no evidence; nor is a short passage (an outlet's own furniture)
    assert _judge(f"{FILLER} {PASSAGE}.", f"{PASSAGE}. {FILLER}", dates=("2022-03-01", "2022-03-01"),
                  outlets=("Daily Herald", "Daily Herald"), params=DATED).direction == "unknown"
    assert _judge(f"{FILLER} {PASSAGE}.", f"{PASSAGE}. {FILLER}", dates=("2022-03-02", "2022-03-01"),
                  outlets=("Daily Herald", "Daily Herald")).direction == "unknown"


def test_across_outlets_an_earlier_date_decides_nothing() -> None:
    # text first published elsewhere is mostly a source both had (a wire story, a speaker)
    ver = _judge(f"{FILLER} {PASSAGE}.", f"{PASSAGE}. {FILLER}", dates=("2022-03-02", "2022-03-01"),
                 outlets=("Evening Post", "Daily Herald"), params=DATED)
    assert (ver.direction, ver.kind, ver.confidence) == ("unknown", "reuses", 0.0)
    assert ver.evidence == ["b published 2022-03-01, before a published 2022-03-02 (another outlet: a date alone "
                            "does not say who took from whom)"]


def test_a_date_against_an_attribution_is_told() -> None:
    # a attributes the passage to b's outlet, but b is dated after a: told as evidence against; across
    # outlets a date weighs nothing, within one it lowers the confidence
    ver = _judge(f"{FILLER} According to the Daily Herald, {PASSAGE}.", f"{PASSAGE}. {FILLER}",
                 outlets=("Evening Post", "Daily Herald"), dates=("2022-01-01", "2022-02-01"), params=DATED)
    assert (ver.direction, ver.quoting, ver.source, ver.kind) == ("quotes", 0, 1, "quotes")
    assert ver.confidence == DEFAULT.w_attribution
    assert any(e.startswith("against: ") for e in ver.evidence)


def test_shares_alone_do_not_decide() -> None:
    ver = _judge(f"{FILLER} {FILLER} {PASSAGE}.", f"{PASSAGE}.")
    assert ver.direction == "unknown"
    assert any(e.startswith("passage is 99% of b") for e in ver.evidence)


def test_weights_come_from_the_params() -> None:
    params = ReuseParams(w_date=0.5, min_dated_words=15)
    ver = _judge(f"{FILLER} {PASSAGE}.", f"{PASSAGE}. {FILLER}", dates=("2022-03-02", "2022-03-01"), params=params,
                 outlets=("Daily Herald", "Daily Herald"))
    assert ver.confidence == 0.5


def test_quoted_share() -> None:
    assert quoted_share([(10, 20)], (10, 20)) == 1.0
    assert quoted_share([(10, 20)], (15, 25)) == 0.5
    assert quoted_share([], (0, 10)) == 0.0
    assert quoted_share([(0, 5)], (3, 3)) == 0.0
