"""Common sources, speakers apart from outlets, and the schema-2 contract (issue 16)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from dedup.engines.local import run_records
from dedup.models import Reuse, Span
from dedup.reuse.align import Segment
from dedup.reuse.attribution import OutletIndex, raw_mentions, select_mentions
from dedup.reuse.direction import Verdict
from dedup.reuse.groups import corpus_outlet_names
from dedup.reuse.sources import agree_with_sources, covered, source_list, speaker_of, spread_sources, wire_credit
from dedup.store import SCHEMA_VERSION, Store

WIRE_CASES = [
    ("WASHINGTON (AP) — The president said on Monday.", "Associated Press"),
    ("By ANGELA CHARLTON Associated Press\n\nJuly 16, 2018\n\nMOSCOW — Text.", "Associated Press"),
    ("LONDON (Reuters) - Oil prices rose.", "Reuters"),
    ("Text of the story.\n\n(Reporting by Jane Roe; Editing by John Doe)", "Reuters"),
    ("Story.\n\nCopyright 2018 The Associated Press. All rights reserved.", "Associated Press"),
    ("Story.\n\nThe Associated Press contributed to this report.", "Associated Press"),
    ("By Saad Sayeed, AFP\n\nText.", "AFP"),
    ("Posted 5:57 am, July 16, 2018, by Associated Press , Updated at 06:00AM\n\nText.", "Associated Press"),
    ("A photo caption.\n\nBy The Associated Press\n\nPresident Donald Trump says", "Associated Press"),
    ("A caption (Jorge Silva/Pool Photo via AP, File)\n\nText by our reporter.", None),
    ("The claim was denied by AP, which said nothing more.", None),
    ("The AP reported nothing of the kind, said a man in a cap.", None),
    ("An ordinary article by our own reporter, with no agency in it.", None),
]


@pytest.mark.parametrize(("text", "want"), WIRE_CASES)
def test_wire_credit(text: str, want: str | None) -> None:
    assert wire_credit(text) == want


def test_a_contributed_tagline_is_a_credit_only_when_asked_for() -> None:
    # "X contributed to this report": the outlet's own story took in some agency reporting; as
    # evidence that a passage is wire copy (tagline=False) it counts for nothing, a dateline does
    tagline = "Fox's own story.\n\nThe Associated Press contributed to this report."
    assert wire_credit(tagline) == "Associated Press" and wire_credit(tagline, tagline=False) is None
    both = "WASHINGTON (AP) — A wire story.\n\nThe Associated Press contributed to this report."
    assert wire_credit(both, tagline=False) == "Associated Press"
    later = "Story.\n\nThe Associated Press contributed to this report.\n\nCopyright 2018 Reuters."
    assert wire_credit(later) == "Associated Press" and wire_credit(later, tagline=False) == "Reuters"


def test_a_byline_the_cleaner_took_out_still_credits_the_wire() -> None:
    from dedup.models import Document
    from dedup.reuse.sources import document_wire

    def doc(author: str | None, inferred: dict[str, str] | None = None) -> Document:
        return Document(id="d", source="d", content_hash="d", raw="", text="President Trump said so.",
                        author=author, inferred=inferred or {})

    assert document_wire(doc("JILL COLVIN Associated Press")) == "Associated Press"
    assert document_wire(doc(None, {"author": "ROBERT BURNS AP National"})) == "Associated Press"
    assert document_wire(doc("Jane Roe")) is None


SPEAKER_CASES = [
    ('Later, “I will absolutely ask,” Trump said on Monday.', "I will absolutely ask", "Trump"),
    ("On Monday. Sen. John Cornyn told CNN: “No way back.”", "No way back", "John Cornyn"),
    ("“We go in with low expectations,” said President Donald Trump.", "We go in with low expectations",
     "Donald Trump"),
    ("He added: “We will win this.”", "We will win this", None),
    ("“Nothing bad will come of it.” The summit opens today.", "Nothing bad will come of it", None),
    # the cue first: the name ends its sentence, the next one opens another (PolNeAR train errors)
    ("“It was offensive,” said Fleischer.  More troubling was the rest.", "It was offensive", "Fleischer"),
    ("“That is not how you win,” said Gorka.  Bolton called it a plan.", "That is not how you win", "Gorka"),
    ("“Fine,” said Sen. John Cornyn. Bolton agreed.", "Fine", "John Cornyn"),
    ("“Stop it,” said Republican Sen. John McCain. Bolton agreed.", "Stop it", "John McCain"),
    ("But Trump tweeted: “A great summit.”", "A great summit", "Trump"),
    # dotted abbreviations and initials go on, a suffix stays, a title's word ends nothing
    ("“We must act,” said U.S. Rep. Adam Schiff. Then he left.", "We must act", "Adam Schiff"),
    ("“It grows,” said J.M. Berger, a researcher.", "It grows", "Berger"),
    ("“Fine,” said Donald Trump Jr. on Monday.", "Fine", "Donald Trump Jr"),
    ("“Vote,” said Del. Stacey Plaskett. Others agreed.", "Vote", "Stacey Plaskett"),
    ("“Hold,” said Sgt. Maj. John Smith.", "Hold", "John Smith"),
    # a quotation that ends its sentence is the words of the cue before it, not of the next sentence
    ("Jack Marino said, “We speak freely.” Boreing said the members will meet.", "We speak freely.", "Jack Marino"),
    ('Trump tweeted: "Who knew?" Pence said nothing.', "Who knew?", "Trump"),
    # ... but a span that runs on past the quotation into its own cue keeps that cue
    ('As Pence told reporters, "We will win," Trump said.', '"We will win," Trump said.', "Trump"),
    ("“We go,” said John F. Kennedy. Then he left.", "We go", "John F. Kennedy"),
    # a word that opens a sentence or names a day is nobody ("When asked, ..."; "later Thursday told")
    ('When asked why, Sembler responded in a text message: "Trump will be the nominee."',
     "Trump will be the nominee", None),
    ('Priebus later Thursday told Fox News: “Both are meeting next week.”', "Both are meeting next week", None),
]


@pytest.mark.parametrize(("text", "quote", "want"), SPEAKER_CASES)
def test_speaker_of_a_quotation(text: str, quote: str, want: str | None) -> None:
    start = text.index(quote)
    assert speaker_of(text, start, start + len(quote)) == want


def test_title_suffixes_are_outlets_only_when_they_behave_like_sites() -> None:
    rows = [
        ("miamiherald.com", "Summit ends | Miami Herald", None, {}),
        ("miamiherald.com", "Talks begin | Miami Herald", None, {}),
        ("beforeitsnews.com", "Nothing bad is going to come out of it – Trump", None, {}),
        ("cnbc.com", "Trump and Putin meet - Alex Wong/Getty Images", None, {}),
        ("beforeitsnews.com", "Sanctions ahead - The BRICS Post", None, {}),
    ]
    names = corpus_outlet_names(rows)
    assert names == [["miamiherald.com", "Miami Herald"], ["miamiherald.com", "Miami Herald"],
                     ["beforeitsnews.com"], ["cnbc.com"], ["beforeitsnews.com", "The BRICS Post"]]


def _selected(text: str, names: list[str]) -> list[str]:
    index = OutletIndex()
    index.add_many([(n, g) for g, n in enumerate(names)])
    return [m.name for m in select_mentions(raw_mentions(text), index)]


def test_people_places_and_transcript_marks_are_not_cited_outlets() -> None:
    text = ("The Mueller investigation goes on. The FBI investigation too. A report on Russia was out. "
            "In an interview on Super Bowl Sunday he spoke.\n\n(CROSSTALK)\n\n"
            "Texas Republican Sen. John Cornyn says it is wrong. "
            "According to Reuters, the talks failed. The BBC report said more.")
    # "jezebel.com" once made "John Cornyn" an outlet through the initials "jc"
    assert _selected(text, ["jezebel.com", "cnn.com"]) == ["Reuters", "BBC"]
    # a reporter of an outlet names the outlet; initials and "TV" name nothing; a three-letter acronym may
    text = "The Daily Beast’s Maxwell Tani reported it first. DT said so. TV reported more. UNHCR said it."
    assert _selected(text, []) == ["The Daily Beast", "UNHCR"]


def _item(a: int, b: int, kind: str, also: set[int] | None = None) -> tuple[Segment, Verdict, Reuse]:
    seg = Segment(a, b, (0, 10), (0, 10), (0, 100), (0, 100), 10, also or set())
    ver = Verdict(a, b, "quotes", 0.35, [f"d{b} published 2018-07-15, before d{a} published 2018-07-16"], False,
                  None, False, kind)
    span = Span(0, 100, "x" * 100)
    return seg, ver, Reuse(f"d{a}", f"d{b}", "quotes", span, span, 1.0, False, None, list(ver.evidence), 0.35, [],
                           kind)  # type: ignore[arg-type]


def test_a_passage_three_outlets_carry_is_shared_not_taken() -> None:
    outlets = ["a.com", "b.com", "c.com", "a.com"]
    # d0-d1 and d0-d2 carry one passage: three outlets, no attribution -> a source they share
    items = [_item(0, 1, "reuses"), _item(0, 2, "reuses")]
    out = spread_sources(items, lambda i: i, outlets.__getitem__, 0.6)
    assert [(r.kind, r.direction, r.quoting, r.source) for _, _, r in out] == [
        ("shares", "unknown", "d0", "d1"), ("shares", "unknown", "d0", "d2")]
    assert "carried by 3 outlets" in out[0][2].evidence[-1]
    # two copies of one outlet's story are not spread; an attributed quotation stays one
    kept = spread_sources([_item(0, 3, "reuses", {3}), _item(0, 1, "quotes")], lambda i: i, outlets.__getitem__, 0.6)
    assert [(r.kind, r.direction) for _, _, r in kept] == [("reuses", "quotes"), ("quotes", "quotes")]


def test_sources_group_witnesses_earliest_first() -> None:
    def shared(q: str, s: str, qs: int, ss: int, quoted: bool) -> Reuse:
        return Reuse(q, s, "unknown", Span(qs, qs + 50, "We go in with low expectations"),
                     Span(ss, ss + 50, "We go in with low expectations"), 1.0, quoted, kind="shares")

    reuses = [shared("a", "b", 10, 200, True), shared("b", "c", 205, 0, True), shared("x", "y", 0, 0, False)]
    dates = {"a": "2018-07-16", "b": "2018-07-15", "c": None, "x": None, "y": None}
    found = source_list(reuses, dates, {"x": "Reuters"}, lambda doc, start, end: "Trump")
    assert [(s["kind"], s["name"], [w["doc"] for w in s["witnesses"]]) for s in found] == [
        ("speaker", "Trump", ["b", "a", "c"]), ("wire", "Reuters", ["x", "y"])]


def test_an_edge_whose_passage_both_witness_as_a_source_is_shared() -> None:
    def edge(q: str, s: str, qs: int, ss: int, kind: str = "reuses", direction: str = "unknown") -> Reuse:
        return Reuse(q, s, direction, Span(qs, qs + 60, "caption"), Span(ss, ss + 60, "caption"),  # type: ignore[arg-type]
                     1.0, False, kind=kind)  # type: ignore[arg-type]

    caption = {"kind": "wire", "name": "Associated Press", "venue": None, "passage": "caption", "witnesses": [
        {"doc": "c", "start": 0, "end": 60, "date": None}, {"doc": "b", "start": 100, "end": 160, "date": None},
        {"doc": "a", "start": 500, "end": 560, "date": None}]}
    reuses = [
        edge("b", "a", 110, 505),  # both witness the caption there: the source says whose it is
        edge("a", "b", 900, 100),  # a's side lies elsewhere: not the source's passage in a
        edge("a", "d", 500, 0),  # d is no witness
        Reuse("a", "b", "unknown", Span(400, 600, "x"), Span(0, 200, "x"), 1.0, False),  # the caption is 60 of 200
        edge("a", "b", 505, 100, "quotes", "quotes"),  # a directed quotation keeps its evidence
    ]
    out = agree_with_sources(reuses, [caption])
    assert [(r.quoting, r.source, r.kind, r.direction) for r in out] == [
        ("a", "b", "shares", "unknown"), ("a", "b", "reuses", "unknown"), ("a", "d", "reuses", "unknown"),
        ("a", "b", "reuses", "unknown"), ("a", "b", "quotes", "quotes")]
    assert (out[0].quoting_span.start, out[0].source_span.start) == (505, 110)
    assert out[0].evidence[-1] == ("both carry the passage of a common source (wire: Associated Press) that "
                                   "other witnesses name")


def test_run_output_is_schema_2_with_kinds_and_sources(tmp_path: Path) -> None:
    speech = ("I will absolutely, firmly ask the question about the election, and hopefully we will have a "
              "good relationship with Russia after all of this is over")
    filler = [" ".join(f"{w}{i}" for i in range(60)) for w in ("alpha", "beta", "gamma")]
    records = [{"id": f"d{i}", "outlet": f"site{i}.com", "text": f"{filler[i]}\n\n“{speech},” Trump said."}
               for i in range(3)]
    result = run_records(records, db=str(tmp_path / "r.db"))
    out = result.to_json()
    assert out["schema"] == 2
    assert {(r["kind"], r["direction"]) for r in out["reuses"]} == {("shares", "unknown")}
    assert [(s["kind"], s["name"], sorted(w["doc"] for w in s["witnesses"])) for s in out["sources"]] == [
        ("speaker", "Trump", ["d0", "d1", "d2"])]
    db = sqlite3.connect(tmp_path / "r.db")
    assert db.execute("select kind from sources").fetchall() == [("speaker",)]
    assert {k for (k,) in db.execute("select kind from reuses")} == {"shares"}
    assert json.loads(db.execute("select data from sources").fetchone()[0])["name"] == "Trump"


def test_a_schema_1_database_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute("create table meta (key text primary key, value text)")
    db.execute("insert into meta values ('schema_version', '1')")
    db.execute("create table reuses (id text primary key, quoting text, source text, direction text, data text)")
    db.execute("insert into reuses values ('e1', 'a', 'b', 'quotes', '{}')")
    db.commit()
    db.close()
    store = Store(str(path), writer=True)
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert "kind" in store.db["reuses"].columns_dict and "sources" in store.db.table_names()
    assert store.db.execute("select id, kind from reuses").fetchall() == [("e1", None)]
    store.close()


def test_a_third_copy_aligned_in_pieces_still_carries_the_passage() -> None:
    # d0-d1 share a passage (0-100 in d0); d2 holds it too, but an edited word splits d0-d2 into two
    # segments (0-55, 57-100): together they cover it, so three outlets carry it and it is shared
    outlets = ["a.com", "b.com", "c.com"]
    whole = _item(0, 1, "reuses")

    def piece(s: int, e: int) -> tuple[Segment, Verdict, Reuse]:
        seg, ver, r = _item(0, 2, "reuses")
        return replace(seg, a_chr=(s, e), b_chr=(s, e)), ver, r

    out = spread_sources([whole, piece(0, 55), piece(57, 100)], lambda i: i, outlets.__getitem__, 0.6)
    assert out[0][2].kind == "shares" and "carried by 3 outlets" in out[0][2].evidence[-1]
    # one piece alone (55 of 100) is not enough
    out = spread_sources([whole, piece(0, 55)], lambda i: i, outlets.__getitem__, 0.6)
    assert out[0][2].kind == "reuses"


def test_covered_counts_overlapping_sides_once() -> None:
    assert covered([(0, 60), (40, 100)], (0, 100)) == 1.0
    assert covered([(10, 20), (15, 18), (90, 200)], (0, 100)) == 0.2
    assert covered([], (5, 5)) == 0.0
