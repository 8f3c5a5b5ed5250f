"""Which field of a record or CSV row is the text, the id, the outlet…; what else it holds (``extra``);
and paragraphs a scraper flattened into one field.

Both readers share this: the CSV reader (:mod:`dedup.ingest_csv`) maps columns once per file, the JSON
reader (:func:`dedup.ingest.record_input`) maps keys per record. Nothing here reads files.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

#: The document fields a record or row can state, in the order problems list them.
FIELDS = ("text", "html", "id", "title", "outlet", "date", "url", "author")

#: Default column names of each field, matched case-insensitively, the first found winning. JSON keeps
#: the keys it always read first (:data:`dedup.ingest.JSON_KEYS`) and falls back to these.
DEFAULTS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "maintext"),
    "html": ("html", "raw_html"),
    "id": ("id", "doc_id", "article_id"),
    "title": ("title", "headline"),
    "outlet": ("outlet", "publisher", "source", "site", "domain", "site_name"),
    # (published_at: JSON records have always been read with it)
    "date": ("date", "published", "published_at", "publish_date", "date_published", "pubdate"),
    "url": ("url", "link"),
    "author": ("author", "authors", "byline"),
}

#: When the page was fetched, under the names scrapers give it: kept (``stated.fetched``, and in
#: ``extra``, since no document field shows it), never taken for a publication date.
FETCHED = ("scraped_at", "fetched_at", "scrape_time", "crawled_at", "retrieved_at", "fetch_time")


@dataclass(frozen=True)
class CsvColumns:
    """Columns named by the user (``--text-col`` …), each None for "find it by its default names"."""

    text: str | None = None
    html: str | None = None
    id: str | None = None
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None

    def named(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name))}


def option_name(field: str) -> str:
    """The command's option that names a field's column: ``--text-col``."""
    return f"--{field}-col"


def resolve_columns(header: list[str], columns: CsvColumns) -> tuple[dict[str, str], str | None]:
    """Field -> column of a CSV header, or why the file cannot be read (one line, naming the columns
    it has and the option to use). A named column is matched exactly, else ignoring case."""
    by_lower: dict[str, str] = {}
    for name in header:
        by_lower.setdefault(name.lower(), name)
    have = ", ".join(header) or "(none)"
    found: dict[str, str] = {}
    for field, wanted in columns.named().items():
        column = wanted if wanted in header else by_lower.get(wanted.lower())
        if column is None:
            return {}, f"no column {wanted!r} (named by {option_name(field)}) among {have}"
        found[field] = column
    for field in FIELDS:
        if field in found:
            continue
        taken = set(found.values())  # (a column named for one field is not another's default)
        present = [by_lower[a] for a in DEFAULTS[field] if a in by_lower]
        column = next((c for c in present if c not in taken), None)
        if column is not None:
            found[field] = column
    if "text" not in found and "html" not in found:
        return {}, f"no text column among {have}; name it with {option_name('text')}"
    return found, None


def split_paragraphs(text: str, sep: str | None) -> str:
    """``text`` with each ``sep`` a paragraph break (a blank line), the pieces stripped: scrapes that
    flattened an article into one field (" ### ") keep the paragraphs cleaning and quoting need."""
    if not sep or sep not in text:
        return text
    return "\n\n".join(part for piece in text.split(sep) if (part := piece.strip()))


def split_hash(content_hash: str, sep: str) -> str:
    """The content hash of an input whose text ``sep`` split: another body than the input read without
    it, so another hash (a rerun with or without --paragraph-sep stores the new text)."""
    return hashlib.sha256(f"{content_hash}\0paragraph-sep\0{sep}".encode("utf-8", "surrogatepass")).hexdigest()


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_extra(extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` as it can be stored: a lone surrogate (legal in JSON, "\\ud83d") anywhere in it, key
    or value, nested or not, becomes U+FFFD, as in every other string read."""
    if not extra:
        return {}
    text = json.dumps(extra, ensure_ascii=False)
    if not _SURROGATE.search(text):
        return dict(extra)
    loaded: dict[str, Any] = json.loads(_SURROGATE.sub("\ufffd", text))
    return loaded
