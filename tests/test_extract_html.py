"""The HTML path: what extract_html takes from a page's own declarations (JSON-LD, meta tags) and when
its text is replaced (favor_recall finding much more, a publisher's longer JSON-LD articleBody)."""

from __future__ import annotations

import json

from dedup import extract_meta
from dedup.extract import extract_html

_PROSE = (
    "<p>The harbour reopened on Tuesday after three weeks of repairs to the northern breakwater, the port "
    "authority said, and the first ferries left on time in the morning.</p>"
    "<p>Fishermen who had moored in the next town returned during the afternoon, and the market on the "
    "quay is expected to open again on Saturday for the first time since the storm.</p>"
)


def _page(head: str = "", body: str = _PROSE, title: str = "Harbour reopens | Coast Gazette") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Harbour reopens</h1>{body}</article></body></html>")


def _ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_json_ld_gives_author_published_date_headline_and_publisher() -> None:
    ld = _ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Coast Gazette Online"},
        {"@type": "NewsArticle", "headline": "Harbour reopens after repairs",
         "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Li Wei"}],
         "datePublished": "2025-03-04T08:00:00Z", "dateModified": "2025-03-06T10:00:00Z",
         "publisher": {"@type": "Organization", "name": "Coast Gazette"}}]})
    got = extract_html(_page(ld))
    assert got.meta["author"] == "Ana Ruiz, Li Wei"
    assert got.meta["date"] == "2025-03-04"  # published (as a day), never the modified date
    assert got.meta["title"] == "Harbour reopens after repairs"
    assert got.meta["outlet"] == "Coast Gazette"
    assert "harbour reopened on Tuesday" in got.text


def test_meta_tags_when_there_is_no_json_ld_and_the_site_suffix_is_stripped() -> None:
    head = ('<meta property="og:site_name" content="Coast Gazette">'
            '<meta property="og:title" content="Harbour reopens | Coast Gazette">'
            '<meta name="author" content="Ana Ruiz">'
            '<meta property="article:published_time" content="2025-03-04">'
            '<meta property="article:modified_time" content="2025-04-01">')
    got = extract_html(_page(head))
    assert (got.meta["title"], got.meta["author"], got.meta["date"], got.meta["outlet"]) == (
        "Harbour reopens", "Ana Ruiz", "2025-03-04", "Coast Gazette")


def test_an_author_that_is_a_profile_url_is_not_a_name() -> None:
    head = '<meta property="article:author" content="https://facebook.com/ana.ruiz">'
    assert extract_meta.page_meta(extract_meta.parse(_page(head)), []).get("author") is None


def test_unreadable_json_ld_is_skipped_and_raw_newlines_in_strings_are_read() -> None:
    page = _page('<script type="application/ld+json">{not json</script>'
                 '<script type="application/ld+json">{"@type": "Article", "headline": "Two\nlines"}</script>')
    objects = extract_meta.ld_objects(extract_meta.parse(page))
    assert [o["headline"] for o in objects] == ["Two\nlines"]
    assert extract_html(page).meta["title"] == "Two lines"


def test_a_longer_article_body_replaces_a_script_rendered_page_but_a_teaser_does_not() -> None:
    long_body = " ".join(["The full story as the publisher states it, sentence by sentence."] * 20)
    got = extract_html(_page(_ld({"@type": "NewsArticle", "articleBody": long_body})))
    assert got.text == long_body
    teaser = "The harbour reopened."
    assert "first ferries left" in extract_html(_page(_ld({"@type": "NewsArticle", "articleBody": teaser}))).text


def test_strip_site_keeps_a_title_that_is_only_the_site_and_titles_of_other_sites() -> None:
    assert extract_meta.strip_site("Harbour reopens - Coast Gazette", "Coast Gazette") == "Harbour reopens"
    assert extract_meta.strip_site("Coast Gazette", "Coast Gazette") == "Coast Gazette"
    assert extract_meta.strip_site("Left - Right", "Coast Gazette") == "Left - Right"
    assert extract_meta.strip_site("Harbour reopens | Coast", "") == "Harbour reopens | Coast"


def test_a_page_lxml_cannot_read_gives_no_tree() -> None:
    assert extract_meta.parse("") is None


def test_declared_dates_become_days_and_a_value_that_is_no_date_is_dropped() -> None:
    for declared, day in (("2025-03-04T23:30:00-05:00", "2025-03-04"), ("March 4, 2025", "2025-03-04"),
                          ("2025-02-30", None), ("soon", None)):
        obj = {"@type": "NewsArticle", "datePublished": declared}
        assert extract_meta.page_meta(extract_meta.parse(_page()), [obj]).get("date") == day, declared


def test_visible_dates_are_the_short_texts_a_reader_sees_not_scripts() -> None:
    page = _page(_ld({"@type": "NewsArticle", "datePublished": "2021-08-12"}),
                 body="<p class='meta'>Updated <time>February 22, 2025</time></p>" + _PROSE)
    assert extract_meta.visible_dates(extract_meta.parse(page)) == {"2025-02-22"}


def test_a_declared_date_the_page_does_not_show_yields_to_the_shown_one() -> None:
    assert extract_meta.shown_date("2021-08-12", "2025-02-22", {"2025-02-22"}) == "2025-02-22"
    assert extract_meta.shown_date("2021-08-12", "2025-02-22", {"2025-02-22", "2021-08-12"}) == "2021-08-12"
    assert extract_meta.shown_date("2021-08-12", "2025-02-22", set()) == "2021-08-12"


def test_a_found_title_that_is_only_the_outlets_name_is_dropped_a_stated_one_kept() -> None:
    from dedup.clean.metadata import names_outlet
    from dedup.engines.stages import prepare
    from dedup.ingest import RawInput

    assert names_outlet("CBS News", "cbsnews.com") and names_outlet("Reuters•", "reuters.com")
    assert names_outlet("POLITICO", "politico.com") and names_outlet("The Hill", "thehill.com")
    assert not names_outlet("Trump", "trumpnews.com") and not names_outlet("BBC Two", "bbc.co.uk")
    assert not names_outlet("Harbour reopens", "Coast Gazette")
    body = "CBS News\n\n" + "\n\n".join([
        "The harbour reopened on Tuesday after three weeks of repairs to the northern breakwater, the port "
        "authority said, and the first ferries left on time in the morning."] * 2)
    raw = RawInput(id="a", source="a.txt", content_hash="h", kind="text", body=body, encoding="utf-8",
                   outlet="cbsnews.com")
    assert prepare(raw, {}).title is None
    stated = RawInput(id="a", source="a.txt", content_hash="h", kind="text", body=body, encoding="utf-8",
                      outlet="cbsnews.com", title="CBS News")
    assert prepare(stated, {}).title == "CBS News"
