"""Venues, page text, author pieces and wire credits the cleaner keeps (issue 16, second part)."""

from __future__ import annotations

import pytest

from dedup.clean import clean, corpus_furniture, normalise_line
from dedup.clean.metadata import byline_name as author
from dedup.engines.local import run_records
from dedup.reuse.attribution import OutletIndex, find_mentions, mentions_near
from dedup.reuse.pagetext import page_text, reader_address, teaser_line
from dedup.reuse.venues import venue_near, venue_of, venue_speaker
from tests.test_reuse_direction import FILLER, PASSAGE, _judge

VENUE_CASES = [
    # (text, the outlet named, venue phrase or None, the speaker)
    ("In an interview on CNN’s “State of the Union,” Paul called it a waste of time", "CNN",
     "interview on CNN’s State of the Union", "Paul"),
    ("In a CBS News interview, Mr. Trump said he hadn't thought of that", "CBS News", "CBS News interview", "Trump"),
    ("In an interview on CBS News’ “Face The Nation,” Cornyn warned that", "CBS News",
     "interview on CBS News’ Face The Nation", "Cornyn"),
    ("Trump said in an interview with Fox News that he would", "Fox News", "interview with Fox News", "Trump"),
    ("Huntsman told NBC News on Sunday that it went well", "NBC News", "told NBC News", "Huntsman"),
    # a print report, an article, an "according to": the outlet's own text, no venue
    ("Trump said Friday, CNN reported.", "CNN", None, None),
    ("The Washington Post reported that the aides left", "The Washington Post", None, None),
    ("According to Reuters, the talks failed", "Reuters", None, None),
    ("An article in Atalayar noted in 2022 that", "Atalayar", None, None),
]


@pytest.mark.parametrize(("text", "name", "venue", "speaker"), VENUE_CASES)
def test_a_venue_is_where_a_speaker_said_it(text: str, name: str, venue: str | None, speaker: str | None) -> None:
    i = text.index(name)
    assert venue_of(text, i, i + len(name)) == venue
    if venue is not None:
        assert venue_speaker(text, i, i + len(name)) == speaker


def test_the_venue_near_a_quotation_is_an_outlet_not_the_interviewer() -> None:
    text = "Trump said in an interview with CBS News: “The EU is a foe.”"
    assert venue_near(text, text.index("The EU"), text.index("foe") + 3) == "CBS News"
    text = "Trump said in an interview with Jeff Glor: “The EU is a foe.”"
    assert venue_near(text, text.index("The EU"), text.index("foe") + 3) is None


def test_a_venue_attribution_is_a_speakers_words_not_a_quotation_of_the_outlet() -> None:
    # a names Fox News as where the minister spoke; b is Fox News's own account of it
    a = f"{FILLER}\n\nIn an interview on Fox News on Sunday, the minister said “{PASSAGE}.”"
    b = f"“{PASSAGE},” the minister told Fox News Sunday. {FILLER}"
    ver = _judge(a, b, outlets=(None, "Fox News"))
    assert (ver.direction, ver.kind, ver.has_attribution) == ("unknown", "shares", False)
    assert any("a speaker's words, said on Fox News" in e for e in ver.evidence)
    # the same words the outlet reported in print are a quotation of its article
    ver = _judge(f"{FILLER}\n\nFox News reported that “{PASSAGE}.”", f"{PASSAGE}. {FILLER}", outlets=(None, "Fox News"))
    assert (ver.direction, ver.kind) == ("quotes", "quotes")


def test_a_run_names_the_speaker_and_the_venue_of_a_source() -> None:
    speech = ("Russia did meddle in our elections and we had better be prepared for the next time they try "
              "because they will certainly try again")
    filler = [" ".join(f"{w}{i}" for i in range(60)) for w in ("alpha", "beta", "gamma")]
    records = [
        {"id": "cbs", "outlet": "cbsnews.com", "title": "Cornyn on Face the Nation - CBS News",
         "text": f"{filler[0]}\n\n“{speech},” Cornyn told CBS News."},
        {"id": "nmx", "outlet": "newsmax.com",
         "text": f"{filler[1]}\n\nIn an interview on CBS News’ “Face The Nation,” Cornyn warned that “{speech}.”"},
    ]
    out = run_records(records).to_json()
    assert [(r["kind"], r["direction"]) for r in out["reuses"]] == [("shares", "unknown")]
    assert [(s["kind"], s["name"], s["venue"]) for s in out["sources"]] == [("speaker", "Cornyn", "CBS News")]


READER_CASES = [
    ("Sign up for POLITICO Playbook and get the latest news, every morning — in your inbox. "
     "You can unsubscribe at any time", True),
    ("Turn on notifications? Please enable notifications or using normal browsing mode.", True),
    ("Check out this story on detroitnews.com: https://detne.ws/2zJo9Gb\n\nCancelSend\n\n"
     "A link has been sent to your friend's email address.", True),
    ("[[ This is a content summary only. Visit my website for full links, other content, and more! ]]", True),
    # a speaker talking to "you" is news, marks or none
    ("Russia, if you're listening, I hope you're able to find the 30,000 emails that are missing", False),
    ("The stories you heard about the 12 Russians yesterday took place during the Obama Administration", False),
    ("“Sign up now,” the recruiter told the crowd at the fair.", False),
    ("The minister said the talks would resume next week.", False),
]


@pytest.mark.parametrize(("passage", "want"), READER_CASES)
def test_page_text_talks_to_the_reader(passage: str, want: bool) -> None:
    assert reader_address(passage) is want


def test_a_cut_teaser_of_another_articles_opening_is_no_reuse() -> None:
    lede = "President Donald Trump has arrived in Finland for his closely watched meeting with Russian President"
    page = f"Related stories\n\nTrump Arrives in Finland\n\n{lede} Vladimir Putin. Trum . . .\n\nMore news"
    article = f"{lede} Vladimir Putin.\n\nTrump landed in the capital city late Sunday."
    ps, a0 = page.index(lede), article.index(lede)
    assert teaser_line(page, ps, ps + len(lede))
    why = page_text(page, (ps, ps + len(lede)), article, (a0, a0 + len(lede)), same_site=True)
    assert why is not None and "teaser" in why
    # between sites a line cut with an ellipsis is a speaker's (a tweet continued in the next one)
    assert page_text(page, (ps, ps + len(lede)), article, (a0, a0 + len(lede)), same_site=False) is None
    # a line that goes on is no teaser
    assert not teaser_line(article, a0, a0 + len(lede))


def _names(text: str) -> list[str]:
    return [m.name for m in find_mentions(text, OutletIndex())]


def test_an_author_piece_in_an_outlet_is_an_attribution() -> None:
    assert _names("Michael McFaul wrote for The Washington Post on Sunday that “Putin will wait”.") == [
        "The Washington Post"]
    assert _names("As the New York Times puts it, “the summit was a triumph”.") == ["New York Times"]
    assert _names("He wrote in his diary that it rained all week.") == []
    # before a media word the possessive is the outlet's country, not the outlet
    assert _names("The U.K.'s Telegraph newspaper noted that “the summit was a triumph”.") == ["Telegraph"]
    assert _names("PUTIN: (UNINTEL) the summit went well.\n\n(INAUDIBLE) we agreed.") == []


def test_an_attribution_after_the_passage_is_in_its_sentence() -> None:
    text = ("When a former officer was poisoned in Britain earlier this year, the State Department acted. "
            "Trump, The Washington Post reported, was not engaged.")
    mentions = find_mentions(text, OutletIndex())
    end = text.index(" earlier this year") + len(" earlier this year")
    assert mentions and mentions_near(mentions, text.index("a former"), end, text) == []
    text = "“The talks will resume,” The Washington Post reported."
    assert [m.name for m in mentions_near(find_mentions(text, OutletIndex()), 1, 23, text)] == ["The Washington Post"]


def test_an_outlet_naming_its_own_piece_quotes_it_but_its_dateline_does_not() -> None:
    a = f"{FILLER}\n\nMichael McFaul wrote for The Washington Post on Sunday that “{PASSAGE}.”"
    ver = _judge(a, f"{PASSAGE}. {FILLER}", outlets=("The Washington Post", "The Washington Post"))
    assert (ver.direction, ver.kind, ver.quoting) == ("quotes", "quotes", 0)
    ver = _judge(f"{FILLER}\n\nWASHINGTON (CNN) {PASSAGE}.", f"{PASSAGE}. {FILLER}", outlets=("CNN", "CNN"))
    assert ver.direction == "unknown" and not ver.has_attribution


def test_a_byline_keeps_its_agency_and_the_cleaner_keeps_a_wire_sign_off() -> None:
    assert author("By Maria Keller, AFP") == "Maria Keller, AFP"
    assert author("By Jane Roe | Reuters") == "Jane Roe, Reuters"
    assert author("By Jane Roe, Staff Writer") == "Jane Roe"
    assert author("By Sarah E. Needleman") == "Sarah E. Needleman"
    body = " ".join(["The central bank raised rates on Tuesday, surprising most economists who had expected a pause "
                     "until the autumn."] * 4)
    raw = (f"Rates rise again\n\n{body}\n\n{body}\n\n(Reporting by Jane Roe; Editing by John Doe)\n\n"
           "Support us: donations from readers are necessary for the continuation of our mission.")
    assert "(Reporting by Jane Roe; Editing by John Doe)" in clean(raw).text


def test_planted_common_sources_are_listed_and_never_drawn_as_quotation() -> None:
    """The evaluation corpus (scripts/gen_reuse_corpus.py) plants speakers' statements and wire
    stories in several articles: each is one source of its kind, with no directed edge inside."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    bbc = root.parent / "shared" / "data" / "bbc"
    if not bbc.is_dir():
        pytest.skip("BBC data not found")
    sys.path.insert(0, str(root / "scripts"))
    try:
        from gen_reuse_corpus import generate
    finally:
        sys.path.remove(str(root / "scripts"))
    corpus = generate(bbc, seed=5, n_sources=36)
    result = run_records(corpus.records)
    assert len(corpus.commons) >= 8
    common_of = {d: k for k, c in enumerate(corpus.commons) for d in c.witnesses}
    assert not [r for r in result.reuses if r.direction == "quotes"
                and common_of.get(r.quoting, -1) == common_of.get(r.source, -2)]
    for c in corpus.commons:
        best = max(result.sources, key=lambda s: len(set(c.witnesses) & {w["doc"] for w in s["witnesses"]}))
        assert set(c.witnesses) <= {w["doc"] for w in best["witnesses"]}, (c.style, best)
        credited = c.kind == "speaker" or set(c.style.split("+")) != {"none"}
        assert best["kind"] == (c.kind if credited else "unknown"), (c.style, best)


def test_a_transcripts_speaker_label_names_the_speaker() -> None:
    from dedup.reuse.sources import speaker_of

    text = "Have you been reassured? SENATOR MARK WARNER:Well, Chuck, I'd feel a lot better if he sat in."
    i = text.index("I'd feel")
    assert speaker_of(text, i, i + 30) == "Mark Warner"
    text = "CHUCK TODD:\n\nWill he make the ask?\n\nAMBASSADOR JON HUNTSMAN:\n\nI don't know if he'll make the ask."
    i = text.index("I don't")
    assert speaker_of(text, i, i + 30) == "Jon Huntsman"
    text = "It was a GOOD DAY: we won, and I'd feel a lot better about it."
    assert speaker_of(text, text.index("I'd"), len(text)) is None


def test_wire_photo_captions_and_network_syndication_are_common_sources() -> None:
    from dedup.reuse.sources import photo_credit, wire_credit

    caption = "Trump and Niinisto talk on the balcony.\n\n(AP Photo/Pablo Martinez Monsivais)"
    assert photo_credit(caption, caption.index(".")) == "Associated Press"
    assert photo_credit("A view of the port REUTERS/Leonhard Foeger", 10) == "Reuters"
    assert photo_credit("A view of the port (Photo by Jane Roe/AFP/Getty Images)", 10) == "AFP"
    assert photo_credit("A plain sentence with no photograph after it at all.", 5) is None
    assert wire_credit("WASHINGTON (CNN) The president said so.") == "CNN"
    assert wire_credit("Text.\n\nCopyright 2018 by CNN NewSource. All rights reserved.") == "CNN"


def _span(text: str, part: str) -> tuple[int, int]:
    return text.index(part), text.index(part) + len(part)


def test_a_headline_line_both_pages_of_a_site_show_is_a_link_not_reuse() -> None:
    head = "Trump suggests he will bring up indicted Russians with Putin, says it's something he 'hadn't thought of'"
    a = f"Other news of the day.\n\n{head}\n\nThe summit opens on Monday."
    b = f"Related\n\n{head}\n\nMore from the site."
    sa, sb = _span(a, head), _span(b, head)
    assert page_text(a, sa, b, sb, same_site=True) is not None
    assert page_text(a, sa, b, sb, same_site=False) is None
    # a paragraph that ends its sentence is text, not a link; nor is a span over two lines
    para = "The summit opens on Monday in Helsinki, where both leaders will meet alone."
    a2 = f"Intro.\n\n{para}\n\nMore."
    s2 = _span(a2, para)
    assert page_text(a2, s2, a2, s2, same_site=True) is None


def test_a_teaser_cut_inside_a_word_is_page_text_across_sites_too() -> None:
    lede = "U.S. President Donald Trump blamed U.S. foolishness and stupidity for bad relations between Washington"
    page = f"Trump Blames Foolishness\n\n{lede} and Moscow on T . . .\n\nMore"
    article = f"{lede} and Moscow on Twitter hours before the summit.\n\nMore text."
    sp, sa = _span(page, lede), _span(article, lede)
    assert page_text(page, sp, article, sa, same_site=False) is not None
    # a speaker's own ellipsis at the end of a word the other side ends too is his (a tweet chain)
    tweet = f"{lede} and Moscow..."
    st = _span(tweet, lede)
    other = f"{lede} and Moscow.\n\nMore text."
    assert page_text(tweet, st, other, (0, len(lede)), same_site=False) is None


def test_a_wire_paragraph_several_outlets_carry_is_not_corpus_furniture() -> None:
    wire = ("The minimum wage will rise in October, benefiting more than a million workers, the government "
            "said on Monday after the low pay commission reported its findings to ministers.")
    box = "Support our journalism: donations from readers are necessary for the continuation of our mission."
    def own(i: int) -> str:
        # (digits are no difference to the furniture key: the stories differ in words)
        return "\n\n".join(f"Paragraph {'abc'[k]} of story {chr(97 + i)} is told in words of its own, as every "
                             "story's are." for k in range(3))

    docs = [(f"d{i}", f"site{i}.com", f"{own(i)}\n\n{wire}\n\n{own(10 + i)}") for i in range(4)]
    docs += [(f"e{i}", "one.com", f"{own(20 + i)}\n\n{box}") for i in range(4)]
    found = corpus_furniture(docs, min_docs=3, min_share=0.02)
    # the paragraph four outlets carry is text they share (copies and provenance are about it);
    # one outlet's recurring box is furniture; a wire credit line never is
    assert normalise_line(wire) not in found
    assert normalise_line(box) in found
    credit = [(f"c{i}", f"s{i}.com", f"Own text {i}.\n\nThe Associated Press contributed to this report.")
              for i in range(5)]
    assert not corpus_furniture(credit, min_docs=3, min_share=0.02)


def test_words_most_witnesses_quote_are_the_speakers_though_wire_copy_carries_them() -> None:
    from dedup.models import Reuse, Span
    from dedup.reuse.sources import source_list

    def shared(q: str, s: str, qs: int, ss: int, quoted: bool) -> Reuse:
        text = "Received many calls from leaders of NATO countries thanking me"
        return Reuse(q, s, "unknown", Span(qs, qs + 60, text), Span(ss, ss + 60, text), 1.0, quoted, kind="shares")

    dates = {"a": "2018-07-15", "b": "2018-07-16", "c": "2018-07-16"}
    # a and b are AP copies; all three quote the tweet, which Trump wrote; b holds it twice, both
    # joined to a's passage: one source, b once
    reuses = [shared("a", "b", 10, 200, True), shared("b", "c", 205, 0, True), shared("a", "b", 12, 900, True)]
    found = source_list(reuses, dates, {"a": "Associated Press", "b": "Associated Press"},
                        lambda doc, start, end: "Trump")
    assert [(s["kind"], s["name"], len(s["witnesses"])) for s in found] == [("speaker", "Trump", 3)]
    assert all(len({w["doc"] for w in s["witnesses"]}) == len(s["witnesses"]) for s in found)
    # the same passage as narration (no marks) in the AP copies is the agency's
    found = source_list([shared("a", "b", 10, 200, False)], dates, {"a": "Associated Press", "b": "Associated Press"},
                        lambda doc, start, end: None)
    assert [(s["kind"], s["name"]) for s in found] == [("wire", "Associated Press")]
