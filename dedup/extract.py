"""Main text and metadata from HTML. The only module that imports trafilatura.

trafilatura is the best-measured main-content extractor for news pages
(0.958 F1 on the article-extraction-benchmark data in ../shared/data/aeb), so
HTML is handed to it and never parsed anywhere else in the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dedup.errors import ExtractorError


@dataclass(frozen=True)
class Extracted:
    text: str
    meta: dict[str, str] = field(default_factory=dict)


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


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text of an HTML page (paragraphs separated by blank lines) and its metadata.

    Raises :class:`~dedup.errors.ExtractorError` when the extractor itself is broken (not this page)."""
    doc = _trafilatura().bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    if doc is None:
        return Extracted("", {})
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = "\n\n".join(line.strip() for line in (data.get("text") or "").splitlines() if line.strip())
    meta = {ours: str(data[theirs]).strip() for theirs, ours in _META_KEYS.items() if data.get(theirs)}
    return Extracted(text, meta)
