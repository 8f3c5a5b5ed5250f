"""Main text and metadata from HTML. The only module that imports trafilatura.

trafilatura is the best-measured main-content extractor for news pages
(0.958 F1 on the article-extraction-benchmark data in ../shared/data/aeb), so
HTML is handed to it and never parsed anywhere else in the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dedup import extract_meta
from dedup.errors import ExtractorError
from dedup.extract_gaps import restore_gaps


@dataclass(frozen=True)
class Extracted:
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    #: lines of the page put back between the extractor's paragraphs (dedup.extract_gaps)
    restored: tuple[str, ...] = ()


_SETTINGS: dict[str, Any] = {"include_comments": False, "include_tables": True, "deduplicate": False}
#: recall mode's text replaces the default's when it has this many times the words (WCXB dev: 1.05 to 1.2
#: all gain about the same; ties and near-ties keep the default, which is the more precise)
_RECALL_GAIN = 1.1
#: a JSON-LD articleBody replaces the extraction only when clearly longer: shorter ones are teasers
_BODY_GAIN = 1.5
_META_KEYS = {"title": "title", "author": "author", "date": "date", "sitename": "outlet", "url": "url"}


def _trafilatura() -> Any:
    try:
        import trafilatura  # deferred: importing it costs ~0.3 s, and text-only runs never need it
    except ImportError as exc:  # e.g. lxml 5.2+ without lxml_html_clean
        raise ExtractorError(
            f"HTML cannot be read: trafilatura does not import ({exc}); "
            "reinstall it with: pip install --force-reinstall 'trafilatura' lxml_html_clean"
        ) from None
    return trafilatura


def _words(text: str) -> int:
    return len(text.split())


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text of an HTML page (paragraphs separated by blank lines) and its metadata.

    The text is trafilatura's, with three corrections measured on WCXB's dev pages: its favor_recall mode
    when that finds more (the default mode drops whole prose sections next to code listings, tables and
    lists; more words from recall mode are mostly article, +0.008 F1), the page's JSON-LD
    ``articleBody`` when the publisher states a body much longer than either extraction (pages that
    render the body by script), and the passages the page shows between two paragraphs the extractor
    kept when they are a real share of it (lists, tables and sections it skipped inside the article:
    :mod:`dedup.extract_gaps`, +0.002 F1). Metadata the page declares (JSON-LD, meta tags) wins over
    trafilatura's.

    Raises :class:`~dedup.errors.ExtractorError` when the extractor itself is broken (not this page)."""
    traf = _trafilatura()
    doc = traf.bare_extraction(html, url=url, **_SETTINGS, with_metadata=True)
    data = (doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)) if doc is not None else {}
    text = _paragraphs(data.get("text") or "")
    recall = _paragraphs(traf.extract(html, url=url, **_SETTINGS, favor_recall=True) or "")
    if _words(recall) > _RECALL_GAIN * _words(text):
        text = recall
    meta = {ours: str(data[theirs]).strip() for theirs, ours in _META_KEYS.items() if data.get(theirs)}
    tree = extract_meta.parse(html)
    if tree is not None:
        objects = extract_meta.ld_objects(tree)
        body = _paragraphs(extract_meta.article_body(objects))
        if _words(body) > _BODY_GAIN * _words(text):
            text = body
        declared = extract_meta.page_meta(tree, objects)
        guessed = meta.get("date", "")
        if declared.get("date") and guessed and declared["date"] != guessed:
            declared["date"] = extract_meta.shown_date(declared["date"], guessed, extract_meta.visible_dates(tree))
        meta.update(declared)
    if not text.strip():  # nothing kept: no gap to restore between kept paragraphs
        return Extracted(text, meta)
    try:
        # (the page's tree, already parsed, gives html-text the same text as the page does: 4 ms, not 6)
        page = _page_text(html if tree is None else tree)
    except Exception:  # the restoring is a correction: a page html-text cannot read keeps its extraction
        return Extracted(text, meta)
    restored = restore_gaps(text, page)
    return Extracted(restored.text, meta, restored.passages)


def _page_text(page: Any) -> str:
    """The page's whole text as a scraper's dump has it (html-text, the dump WCXB and AEB define),
    cleaned as a dump is: the lines an extraction's gaps are restored from. ``page``: the HTML or
    its lxml tree (html-text cleans a copy)."""
    import html_text  # deferred with trafilatura: text-only runs never need it

    from dedup.clean import clean

    return clean(html_text.extract_text(page, guess_layout=True)).text


def _paragraphs(text: str) -> str:
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
