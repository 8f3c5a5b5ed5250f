"""Issue 19: what a page says about itself (forms, disclaimers, script data, author boxes, buttons),
lists of options, comment threads, and cleaning an extractor's output without second-guessing it."""

from __future__ import annotations

import pytest

from dedup.clean import clean
from dedup.clean.furniture import byline, classify, teaser_marker
from dedup.clean.notices import author_bio, call_to_action, disclaimer, form_notice, option_list, script_data
from dedup.clean.rules import line_score
from dedup.clean.tail import back_matter

PROSE = (
    "The council voted on Tuesday to extend the programme for another three years, after a long debate. "
    "Members said the scheme had reduced waiting times in every district where it was tried out. "
)


@pytest.mark.parametrize(("line", "expected"), [
    ("By submitting this form, you agree to receive marketing texts from Thrive Ideas.", True),
    ("This field is for validation purposes and should be left unchanged.", True),
    ("Required fields are marked *", True),
    ("By the end of the year, you agree, the council had spent its budget.", False),
    # each phrase is gated by one word of its own, so spacing inside a phrase does not hide it
    ("This  field  is\trequired", True),
    ("Your email address will not be published. Required fields are marked *", True),
    ("The field was published in a journal; thank you, said the services chief.", False),
])
def test_form_notice(line: str, expected: bool) -> None:
    assert form_notice(line) is expected


@pytest.mark.parametrize(("line", "expected"), [
    ("This article is for informational purposes only and is not intended as medical advice.", True),
    ("The views expressed on this blog are those of the author(s) and readers.", True),
    ("This post contains affiliate links, and we may earn a small commission.", True),
    ("The doctor said patients should ask for advice before changing doses.", False),
    ("As an Amazon Associate I earn from qualifying purchases.", True),
    ("We may receive a fee when you buy through links on our site.", True),
    # the words of the commission phrase without its "may": prose
    ("The commission will earn a fee from the sale, the minister said.", False),
])
def test_disclaimer(line: str, expected: bool) -> None:
    assert disclaimer(line) is expected


def test_script_data_and_option_lists() -> None:
    assert script_data('{"layoutMobile":2,"layoutDesktop":4,"buttonText":"Buy now","price":1}')
    assert not script_data("{Braces} in prose are rare, but this one is just text.")
    countries = "Select Country United States Canada Afghanistan Albania Algeria American Samoa Andorra Angola " \
                "Anguilla Antarctica Argentina Armenia Aruba Australia Austria"
    assert option_list(countries)
    assert line_score(countries) < 0
    # unpunctuated prose in another language is not a list of options
    assert not option_list("Nesta página você terá sempre a classificação atualizada da corrida e dos pilotos "
                           "que estão na disputa pelo título deste ano")
    # an article's own list, with commas
    assert not option_list("Carports, Change of Use, Concrete pads, Decks, Detached Garages, Driveways, Exterior "
                           "remodeling, Mobile Homes, New building construction, Occupancy Permits, Parking lots")


@pytest.mark.parametrize(("line", "edge", "expected"), [
    ("Maureen Salamon is the executive editor of Harvard Women's Health Watch.", False, True),
    ("Dr. Toni Golen is a physician specializing in obstetrics and gynecology.", False, True),
    ("Joe Biden is the president of the United States.", False, False),
    ("The Agency is Georgia Tech's student club; its experienced writers meet weekly.", True, False),
    ("Jane Doe has been covering technology for ten years as a reporter at the Post.", True, True),
    # in the first person or under a pronoun: a biography only at the page's edge, and only naming a job
    ("Hi, I’m Ashley Biancuzzo, and I oversee all laptop coverage as an editor at PCWorld.", True, True),
    ("He's a Google Ads expert with over 12 years of experience in running campaigns.", True, True),
    ("I am a reporter at NBC Select who covers technology and fitness.", True, True),
    ("He's a Google Ads expert with over 12 years of experience in running campaigns.", False, False),
    ("I am a mother of three and I cross the bridge every day.", True, False),
])
def test_author_bio(line: str, edge: bool, expected: bool) -> None:
    assert author_bio(line, edge) is expected


@pytest.mark.parametrize(("line", "expected", "at_edge"), [
    ("Buy Poster", True, True), ("Get started for free", True, True), ("Follow Me on Instagram", True, True),
    ("BUY NOW", True, True), ("Check the oil", False, False), ("Start with a plan", False, False),
    # a sentence is a button's label nowhere, but at a page's edge it is the site's pitch
    ("Get a free quote today.", False, True),
    ("Read more about our approach.", False, False),  # a teaser's label at the edge, not a pitch
    ("Don't miss any news from us!", False, True),
    ("Would you like to receive notifications about new posts?", False, True),
    ("Ready to get started? Talk to our team.", False, True), ("If you like it, please share it!", False, True),
    ("Tried this Recipe? Pin it for Later!", False, True),
    ("Add Newsweek as a preferred source on Google.", False, True),
    # ... and an article's closing advice is not
    ("Check the tyre pressure again after a long drive in the heat.", False, False),
    ("Would you like to know why the river floods every spring?", False, False),
])
def test_call_to_action(line: str, expected: bool, at_edge: bool) -> None:
    assert call_to_action(line) is expected
    assert (classify(line, edge=True) == "call-to-action") is at_edge


def test_comment_thread_without_a_marker_is_cut() -> None:
    thread = "\n".join(
        f"{name} says\n{text}\nreply to comment"
        for name, text in [("Amy Hill", "Mine too, the cabbage is enormous this year!"),
                           ("Tammy Lee", "Does the flour work for all bugs? I have never tried it."),
                           ("Jill Winger", "Yes, it works well for me, thanks for asking about it.")]
    )
    raw = "How to keep pests away\n" + PROSE * 3 + "\n" + PROSE * 2 + "\nReader Interactions\n" + thread
    r = clean(raw)
    assert "Tammy" not in r.text and "Reader Interactions" not in r.text
    assert r.text.endswith("tried out.")
    assert {e.rule for e in r.edits} >= {"comments"}


def test_extracted_text_keeps_its_list_and_headings() -> None:
    """An extractor's output: its list of brands after a short introduction stays whole."""
    intro = ("I have been looking for affordable and sustainable clothing brands for years, "
             "and here is the list I keep for myself and my friends.")
    brands = "\n".join(f"Brand {c}\n- organic cotton\n- hemp\n- recycled" for c in "ABCDEFGH")
    note = "This post contains affiliate links, and we may earn a small commission."
    raw = PROSE + "\n" + intro + "\n" + brands + "\n" + note
    extracted = clean(raw, extracted=True)
    assert "Brand H" in extracted.text and "- hemp" in extracted.text
    assert "affiliate" not in extracted.text  # sure furniture still goes
    dump = clean(raw)
    assert "Brand H" not in dump.text  # on a whole page's text the list reads as a menu


@pytest.mark.parametrize(("line", "expected"), [
    ("Sign up for the latest insights and best practices to elevate your social marketing, commerce, and care.",
     "subscribe"),
    ("Subscribers rose by a third last year, the paper said in its annual report to shareholders.", None),
    ("We independently test everything we recommend.", "disclaimer"),
    ("We are a reader-supported website and do not accept payment from manufacturers.", "disclaimer"),
    ("Pin this for later!", "call-to-action"),
    ('<h1>Tutoring was supposed to save kids</h1> <p class="byline">by Jill Barshay</p> <p>As the pandemic', "markup"),
    ("In HTML a paragraph is written <p> and closed </p>, as the guide explains.", None),
])
def test_notices_in_the_registry(line: str, expected: str | None) -> None:
    assert classify(line) == expected


@pytest.mark.parametrize(("line", "expected"), [
    ("Related posts:", True), ("Read This Next", True), ("🔥 Recommended Posts", True), ("• You may also like", True),
    ("About the Author", True), ("Why trust us?", True), ("Was this page helpful?", True), ("Top Trending Terms", True),
    ("Recently by Jeffrey Zeldman", True), ("The latest from the blog", True),
    ("Read more of our articles...", True),
    ("You might also like: The Challenges of Sustainable Palm Oil Production and Consumption", True),
    ("Related: What is the Crypto Travel Rule? An Overview", True),
    # headings and sentences of an article
    ("Related reports say the council knew of the cracks in 2019.", False), ("About the bridge", False),
    ("Why the bridge closes", False), ("🔥 Hot weather ahead", False),
    ("Recommended: keep the lid on the pot for the first ten minutes so that the steam cooks the rice.", False),
    ("Related: the council says the bridge was inspected in 2019 and again in 2022 and 2024 by two firms", False),
])
def test_teaser_marker(line: str, expected: bool) -> None:
    assert teaser_marker(line, True) is expected


@pytest.mark.parametrize(("line", "expected"), [
    ("References", True), ("Sources:", True), ("Footnotes 🔗", True), ("## Bibliography", True), ("Works cited", True),
    ("Notes", False), ("References to the bridge in old maps", False), ("Sources say the council will vote", False),
])
def test_back_matter(line: str, expected: bool) -> None:
    assert back_matter(line) is expected


@pytest.mark.parametrize(("line", "expected"), [
    ("By Sarah E. Needleman", True), ("Published by Damien Walter", True),
    ("Posted By: Kiersten · In: Sides, Sourdough", True),
    ("Published by the city council in 1931, the report was lost.", False),
    ("Medically reviewed by Kim Rose-Francis RDN, CDCES — Written by Jillian Kubala, MS, RD — Updated on March 7, 2025",
     True),
    ("Reviewed by Monika Nemcova", True), ("Edited by: Keri Stooksbury", True),
    ("Fact checked by Suzanne Kvilhaug", True),
    ("By the numbers — the year in review — Updated on March 7", False),
    ("Reviewed by Justin C. Meserole, Trial Attorney at Morgan & Morgan, on December 9, 2024.", False),
])
def test_byline(line: str, expected: bool) -> None:
    assert byline(line, True) is expected




@pytest.mark.parametrize(("line", "expected"), [
    ("Get the latest insights", "subscribe"), ("Keep up with the latest and greatest in growth marketing", "subscribe"),
    ("Related Companies: A. O. Smith Water Products Co., Bradford White Water Heaters, Electrolux", "tag-list"),
    # advice and prose
    ("Keep up with the latest guidelines from your doctor.", None),
    ("Get the latest version of the app before you start.", None),
])
def test_newsletter_headings_and_related_lists(line: str, expected: str | None) -> None:
    assert classify(line) == expected
