"""Word-level differences between a quoting passage and the passage it quotes."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "minor", "changed"]

_TOKEN = re.compile(r"\w+|[^\w\s]")
# Typographic variants a re-typed quotation changes without changing the words.
_FOLD = str.maketrans({"’": "'", "‘": "'", "‛": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                       "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "…": "..."})


@dataclass(frozen=True)
class Piece:
    """A stretch of one passage: ``changed`` has no counterpart on the other side, ``minor``
    differs only in case or typography, ``same`` is identical. Whitespace belongs to the
    piece it precedes, so concatenating the pieces gives the passage back."""

    text: str
    kind: Kind


def _norm(token: str) -> str:
    return unicodedata.normalize("NFKC", token).translate(_FOLD).casefold()


def _tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


def word_diff(left: str, right: str) -> tuple[list[Piece], list[Piece]]:
    """Align two passages on words; returns the pieces of each side.

    Alignment ignores case and typography (curly vs straight quotes), since
    those are not what a reader looks for; such tokens come back as ``minor``.
    """
    lt, rt = _tokens(left), _tokens(right)
    ln = [_norm(left[s:e]) for s, e in lt]
    rn = [_norm(right[s:e]) for s, e in rt]
    lkind: list[Kind] = ["changed"] * len(lt)
    rkind: list[Kind] = ["changed"] * len(rt)
    # autojunk would treat frequent words ("the") as junk and misalign long passages
    for tag, i1, i2, j1, _j2 in difflib.SequenceMatcher(None, ln, rn, autojunk=False).get_opcodes():
        if tag != "equal":
            continue
        for k in range(i2 - i1):
            (ls, le), (rs, re_) = lt[i1 + k], rt[j1 + k]
            same = left[ls:le] == right[rs:re_]
            lkind[i1 + k] = rkind[j1 + k] = "same" if same else "minor"
    return _pieces(left, lt, lkind), _pieces(right, rt, rkind)


def _pieces(text: str, spans: list[tuple[int, int]], kinds: list[Kind]) -> list[Piece]:
    out: list[Piece] = []
    pos = 0
    for (s, e), kind in zip(spans, kinds, strict=True):
        gap = text[pos:s]
        if out and out[-1].kind == kind:
            out[-1] = Piece(out[-1].text + gap + text[s:e], kind)
        else:
            if gap:
                out.append(Piece(gap, "same"))
            out.append(Piece(text[s:e], kind))
        pos = e
    if pos < len(text):
        out.append(Piece(text[pos:], "same"))
    # merge neighbouring "same" pieces created by the whitespace gaps
    merged: list[Piece] = []
    for p in out:
        if merged and merged[-1].kind == p.kind:
            merged[-1] = Piece(merged[-1].text + p.text, p.kind)
        else:
            merged.append(p)
    return merged


def changed_words(pieces: list[Piece], kind: Kind = "changed") -> int:
    return sum(len(_TOKEN.findall(p.text)) for p in pieces if p.kind == kind)


def diff_summary(left: list[Piece], right: list[Piece]) -> str:
    """"3 word(s) only in one passage, 2 differ in case or typography": the size of the change."""
    changed = changed_words(left) + changed_words(right)
    minor = changed_words(left, "minor")
    text = f"{changed} word(s) only in one passage" if changed else "same words"
    return text + (f", {minor} differ in case or typography" if minor else "")
