"""The provenance report: who copies and who quotes whom, as a page to read.

::

    from dedup import Corpus
    from dedup.report import write_report

    with Corpus.open("dedup.db") as corpus:
        write_report(corpus, "report.html")   # or report.md

The HTML page is self-contained (inline CSS, inline SVG pictures laid out in
Python, no script); the Markdown file draws each group as a Mermaid flowchart.
Both read only what ``dedup run`` stored. The first screen answers who carried
what and who takes from whom (:mod:`dedup.report.overview`); budgets keep any
corpus readable (:mod:`dedup.report.plan`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dedup.report.html import render_html
from dedup.report.markdown import render_markdown

if TYPE_CHECKING:
    from dedup.corpus import Corpus

__all__ = ["FORMATS", "render_html", "render_markdown", "report_format", "write_report"]

#: file suffix -> format name
FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def report_format(path: str | Path) -> str:
    """The format the suffix of ``path`` names ("html" or "markdown"); ValueError for any other."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown report format {path.suffix or '(no suffix)'!r}; use .html or .md")
    return fmt


def write_report(corpus: Corpus, path: str | Path) -> Path:
    """Write the report to ``path``; the format follows the suffix (.html/.htm or .md)."""
    path = Path(path)
    fmt = report_format(path)
    text = render_html(corpus) if fmt == "html" else render_markdown(corpus)
    path.write_text(text, encoding="utf-8")
    return path
