"""Passages an HTML extractor skipped inside the article, restored from the page's text
(dedup.extract_gaps), and the finding a document carries for them."""

from __future__ import annotations

import pytest

from dedup.engines import stages
from dedup.extract import Extracted
from dedup.extract_gaps import MIN_GAIN, RESTORED, restore_gaps
from dedup.ingest import RawInput

INTRO = "Choosing a scooter for a city commute comes down to range, weight and how well the brakes work in rain."
MIDDLE = "We rode each of these models for two weeks on the same hilly route to and from the office downtown."
OUTRO = "Whichever you pick, budget for a good lock and a helmet, and check the local rules before you ride."
ITEMS = [
    "Apex Glide 9: thirty miles of range, a folding stem and drum brakes that held up in the wet",
    "Vela Urban Two: the lightest model we tried, at twenty six pounds, with a shorter range of eighteen miles",
    "Norte Cargo: a wide deck and a basket mount for shopping trips, heavier than the rest at forty pounds",
]


def _page(*lines: str) -> str:
    return "\n\n".join(lines)


def test_a_list_the_extractor_skipped_between_two_kept_paragraphs_is_restored_in_place() -> None:
    extraction = _page(INTRO, MIDDLE, OUTRO)
    page = _page("Home", "Reviews", INTRO, MIDDLE, "Our picks", *ITEMS, OUTRO, "Related: best bikes", "Contact us")
    got = restore_gaps(extraction, page)
    assert got.text == _page(INTRO, MIDDLE, "Our picks", *ITEMS, OUTRO)
    assert got.passages == ("Our picks", *ITEMS)
    assert got.words == sum(len(x.split()) for x in ("Our picks", *ITEMS)) == 59


def test_menus_before_the_first_kept_line_and_comments_after_the_last_stay_out() -> None:
    extraction = _page(INTRO, OUTRO)
    comments = [f"Reader {i} wrote: I bought one of these last year and I still ride it every single day."
                for i in range(6)]
    page = _page(*ITEMS, INTRO, OUTRO, *comments)
    assert restore_gaps(extraction, page).text == extraction
    assert restore_gaps(extraction, page).passages == ()


def test_a_small_gap_such_as_a_caption_between_paragraphs_is_left_out() -> None:
    long_intro = " ".join([INTRO] * 4)
    extraction = _page(long_intro, MIDDLE, OUTRO)
    caption = "The Apex Glide 9 folded next to a desk."
    assert len(caption.split()) < MIN_GAIN * len(extraction.split())
    assert restore_gaps(extraction, _page(long_intro, caption, MIDDLE, OUTRO)).text == extraction


def test_a_gap_where_the_extraction_does_not_read_on_is_no_hole_in_the_article() -> None:
    # The extractor kept a sidebar box first and the article after it; on the page the box comes after
    # the reader comments that follow the article: the comments lie between kept lines, but across them
    # the extraction goes back to its first paragraph, so they are not restored.
    box = "Guides: how night mode works on the new phones, and which settings to change first for travel photos."
    extraction = _page(box, INTRO, MIDDLE, OUTRO)
    comments = [f"Reader {i}: great write-up, though I would have liked a longer look at the brakes." for i in range(8)]
    got = restore_gaps(extraction, _page(INTRO, MIDDLE, OUTRO, *comments, box))
    assert got.text == extraction
    assert got.passages == ()


@pytest.mark.parametrize("extraction, page", [("", _page(INTRO, "x", OUTRO)), (_page(INTRO, OUTRO), ""),
                                              ("Too short.", _page("Too short.", *ITEMS, "Too short."))])
def test_nothing_to_anchor_on_leaves_the_extraction_as_it_is(extraction: str, page: str) -> None:
    assert restore_gaps(extraction, page).text == extraction


def test_a_document_whose_extraction_was_restored_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _page(INTRO, MIDDLE, *ITEMS, OUTRO)
    monkeypatch.setattr(stages, "extract_html",
                        lambda html, url=None: Extracted(text, {"title": "Scooters"}, tuple(ITEMS)))
    raw = RawInput(id="p1", source="p1.html", content_hash="h", kind="html", body="<html></html>",
                   encoding="utf-8")
    doc = stages.prepare(raw, {})
    assert RESTORED in doc.defects
    assert doc.raw == text
    monkeypatch.setattr(stages, "extract_html", lambda html, url=None: Extracted(text, {}))
    assert RESTORED not in stages.prepare(raw, {}).defects


def test_a_page_whose_text_cannot_be_read_keeps_its_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    import dedup.extract as extract

    page = ("<html><head><title>Scooters</title></head><body><article><h1>Scooters</h1>"
            + "".join(f"<p>{p}</p>" for p in (INTRO, MIDDLE, OUTRO)) + "</article></body></html>")
    plain = extract.extract_html(page)

    def broken(_page: object) -> str:
        raise ValueError("unreadable")

    monkeypatch.setattr(extract, "_page_text", broken)
    got = extract.extract_html(page)
    assert INTRO in plain.text
    assert got.text == plain.text
    assert got.restored == ()
