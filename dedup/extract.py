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


@dataclass(frozen=True)
class Extracted:
    text: str
    meta: dict[str, str] = field(default_factory=dict)


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

    The text is trafilatura's, with two corrections measured on WCXB's dev pages: its favor_recall mode
    when that finds more (the default mode drops whole prose sections next to code listings, tables and
    lists; more words from recall mode are mostly article, +0.008 F1), and the page's JSON-LD
    ``articleBody`` when the publisher states a body much longer than either extraction (pages that
    render the body by script). Metadata the page declares (JSON-LD, meta tags) wins over trafilatura's.

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
    return Extracted(text, meta)


def _paragraphs(text: str) -> str:
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
