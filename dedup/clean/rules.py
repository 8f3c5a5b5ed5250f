"""The registry of named cleaning rules.

Every edit the cleaner makes carries the name of the rule that made it, and
every name here is a small pure function that can be called (and tested) on
its own:

* line classifiers ``(line, edge) -> bool`` from :mod:`dedup.clean.furniture`;
* inline repairs ``(line) -> list[Fix]`` from :mod:`dedup.clean.repair`;
* prefix rules ``(line) -> list[Fix]`` that strip a scraper's field glued to
  the first line (``date 2024-08-05 (MENAFN) Russia has ...``);
* structure rules that decide which lines form the article body:
  :func:`line_score` and :func:`main_block`.

Names that appear in edits but are not functions of one line are listed in
:data:`POSITIONAL` with the reason they exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dedup.clean import furniture, metadata, notices, repair
from dedup.clean.offsets import Fix

# Scores in "words": a sentence line earns its length, a menu-like line costs
# a few words, a line a classifier calls furniture costs a paragraph's worth.
FURNITURE_COST = 10.0
SHORT_LINE_COST = 3.0
DATA_LINE_COST = 0.5
LONG_UNPUNCTUATED = 15


def date_prefix(line: str) -> list[Fix]:
    """``date 2024-08-05 Russia has ...`` -> drop the scraper's date field."""
    found = metadata.date_prefix(line)
    return [(0, found[0], "")] if found else []


def wire_tag(line: str) -> list[Fix]:
    """``(MENAFN) Russia has ...`` -> drop the leading wire tag (its name goes to meta)."""
    found = metadata.wire_tag(line)
    return [(0, found[0], "")] if found else []


def no_text(line: str, edge: bool = False) -> bool:
    """A line without a letter or digit (``|``, ``•••``, ``* * *``)."""
    if line[:1].isalnum():
        return False  # most lines open with a word
    return not any(map(str.isalnum, line[:200])) and (len(line) <= 200 or not any(map(str.isalnum, line)))


def line_score(line: str, furniture_name: str | None = None) -> float:
    """How much a line argues for being inside the article body.

    Sentences (even one-word quotes) never cost anything, so the body block
    cannot shed a short closing paragraph; menu items and headings cost a
    little, furniture a lot.
    """
    if furniture_name is not None:
        return -max(FURNITURE_COST, furniture.units(line) / 2)
    n = furniture.units(line)
    if furniture.is_sentence(line):
        if furniture.teaser_like(line):
            return -SHORT_LINE_COST
        return float(n)
    if n >= LONG_UNPUNCTUATED and notices.option_list(line):
        # a drop-down's options or a tag cloud: long, yet no text
        return -min(FURNITURE_COST, max(SHORT_LINE_COST, n / 10))
    if n >= LONG_UNPUNCTUATED and furniture.has_lower(line):
        return n / 2
    # Menus are capitalised labels; table cells, list items and schedules
    # carry numbers or running lower-case words, and cost little.
    head = line[:80]
    if head.isascii():
        raw = head.encode("ascii")
        if len(raw.translate(None, b"0123456789")) != len(raw):
            return -DATA_LINE_COST
    elif any(c.isdigit() for c in head):
        return -DATA_LINE_COST
    if n >= 4 and sum(w[:1].islower() for w in line.split()) * 2 >= n:
        return -DATA_LINE_COST
    return -SHORT_LINE_COST


def main_block(scores: Sequence[float]) -> tuple[int, int, float]:
    """The contiguous run of lines with the highest total score (Kadane).

    Ties extend the run (a zero-sum prefix is kept), so cleaning the result
    again selects all of it. Returns (first, last, total); (0, -1, 0.0) when
    no line scores above zero.
    """
    best = (0, -1, 0.0)
    run_start, run = 0, 0.0
    for i, s in enumerate(scores):
        if run < 0:
            run_start, run = i, 0.0
        run += s
        if run > 0 and run >= best[2]:
            best = (run_start, i, run)
    return best


RULES: dict[str, Callable[..., Any]] = {
    # prefixes of the first line
    "date-prefix": date_prefix,
    "wire-tag": wire_tag,
    # line classifiers
    **furniture.LINE_CLASSIFIERS,
    "no-text": no_text,
    "headline": furniture.headline_like,
    # inline repairs
    "mojibake": repair.mojibake,
    "doubled-punctuation": repair.doubled_punctuation,
    "glued-sentence": repair.glued_sentence,
    "glued-comma": repair.glued_comma,
    # structure
    "line-score": line_score,
    "main-block": main_block,
}

#: Rule names used in edits that are decisions about position, not a line's content.
POSITIONAL = {
    "outside-main-block": "before or after the highest-scoring run of sentence lines (menus, footers)",
    "teaser-tail": "after a 'More in ...'/'Related' marker in the second half: other articles' teasers",
    "headline": "a title or heading line before the first paragraph (its text becomes meta title)",
    "repeated-headline": "a line equal to the title, after the head",
    "repeated-block": "a run of lines the page prints a second time (evidence: the line it repeats)",
    "corpus-furniture": "a line recurring across many documents (evidence in the edit's detail)",
    "comments": "a reader-comment section after the article",
    "page-tail": "after the article, where furniture stands close together with little prose after it",
    "table-of-contents": "a run of short lines near the top naming the section headings the text prints below",
    "back-matter": "a references or footnotes heading, and what follows it at the end of the article",
}

INLINE_REPAIRS = ("doubled-punctuation", "glued-sentence", "glued-comma")
