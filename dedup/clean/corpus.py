"""Corpus furniture: the lines that recur across the documents of an outlet or a corpus.

A page's own furniture (a "Follow the Daily Planet" line under every article)
is found by counting lines across documents, not by a classifier of one line.
Lines are counted under a key that ignores case, spacing and numbers
(:func:`normalise_line`); what a pipeline keeps of a document between runs is
its :func:`line_record` (a stable hash per distinct counted line), and
:func:`furniture_from_counts` decides over those counts which lines are
furniture. :func:`corpus_furniture` does the whole job over a stream of
documents, and :func:`furniture_key` is the key a pipeline stores with a
document's clean text to know when the furniture lines it holds have changed.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.clean.metadata import credit_key

_NORM_SPACE = re.compile(r"\s+")
_NORM_DIGITS = re.compile(r"\d+")


# ASCII whitespace other than the space (what \s matches besides " "), and the digits.
_ODD_SPACE_BYTES = b"\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_DIGIT_BYTES = b"0123456789"
_SPACE_DIGIT_BYTES = b" " + _ODD_SPACE_BYTES + _DIGIT_BYTES
_ZERO_TABLE = bytes.maketrans(_DIGIT_BYTES, b"0" * 10)
_ZERO_RUNS = re.compile(rb"00+")
_ASCII_BYTES = bytes(range(128))
_SPACE_OR_DIGIT = re.compile(r"[\s\d]")


def normalise_line(line: str) -> str:
    """Key under which a line is counted across documents: case, spacing and numbers ignored."""
    # Same as _NORM_DIGITS.sub("0", _NORM_SPACE.sub(" ", line).strip().lower()):
    # str.split() and strip() know whitespace exactly as \s does, and a line
    # whose only whitespace is single spaces and whose only digits are ASCII
    # needs no regex over its characters at all (nearly every line: the
    # non-ASCII characters of news are quotes, dashes and accented letters).
    if line.isascii():
        b = line.encode("ascii")
    else:
        b = line.encode("utf-8", "surrogatepass")
        # the line's non-ASCII characters alone (UTF-8 keeps each one whole)
        others = b.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
        if _SPACE_OR_DIGIT.search(others):
            return _NORM_DIGITS.sub("0", " ".join(line.split()).lower())
    if b"  " not in b and len(b.translate(None, _ODD_SPACE_BYTES)) == len(b):
        low = line.strip(" ").lower()
    else:
        low = " ".join(line.split()).lower()
    if len(b.translate(None, _DIGIT_BYTES)) == len(b):
        return low
    # Every digit to "0", then runs of "0" to one: each run of digits is "0" (lower() makes no digit).
    return _ZERO_RUNS.sub(b"0", low.encode("utf-8", "surrogatepass").translate(_ZERO_TABLE)).decode(
        "utf-8", "surrogatepass")


#: The longest line key counted for corpus furniture anywhere on a page.
MAX_FURNITURE_KEY = _MAX_KEY = 400
#: The longest key counted among a page's last EDGE_LINES lines: an outlet's "About us"
#: paragraph or disclaimer (60-150 words) under every article is furniture, but a paragraph in
#: the middle of a page is article text, which syndicated copies share (counting it would strip it).
MAX_EDGE_KEY = 1200
EDGE_LINES = 3
#: Keys longer than MAX_FURNITURE_KEY are looked up by their first HEAD characters first, so
#: the cleaner normalises a long paragraph only when a furniture line starts like it.
HEAD = 64


def _eligible(key: str, limit: int = _MAX_KEY) -> bool:
    # One-word lines ("Politics") are left to the rules.
    return 3 <= len(key) <= limit and any(c.isalpha() for c in key)


def _counted_key(line: str, limit: int = _MAX_KEY) -> str | None:
    """``normalise_line(line)`` when it is eligible for counting, else None.

    Most lines of a corpus are paragraphs far longer than any key, so they are
    turned down before they are normalised: every ASCII character that is not
    whitespace or a digit stays one character of the key.
    """
    if not line:
        return None
    if not key_may_fit(line, limit):
        return None
    key = normalise_line(line)
    return key if _eligible(key, limit) else None


def line_head(line: str) -> str:
    """``normalise_line(line)[:HEAD]``, normalising only the start of a long line.

    The key of a prefix of a line is a prefix of the line's key (a cut inside
    a run of spaces or digits only shortens its end), so when the prefix's key
    is longer than HEAD its head is the line's.
    """
    # (half as much again as HEAD is nearly always enough: prose loses only repeated spaces and digits)
    for cut in (HEAD + HEAD // 2, 4 * HEAD):
        p = normalise_line(line[:cut])
        if len(p) > HEAD:
            return p[:HEAD]
    return normalise_line(line)[:HEAD]


class FurnitureLines(dict[str, str]):
    """What corpus_furniture returns: a dict that knows a bound on its keys' length.

    ``longest`` is at least the length of every key (it only grows), so the
    cleaner need not normalise a line whose key could not be that short.
    """

    longest = 0  # (a class default: unpickling fills the dict before it sets attributes)
    #: key[:HEAD] of every key longer than MAX_FURNITURE_KEY (those do not count in ``longest``)
    heads: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._measure()

    def _measure(self) -> None:
        self.longest = max((len(k) for k in self if len(k) <= _MAX_KEY), default=0)
        self.heads = frozenset(k[:HEAD] for k in self if len(k) > _MAX_KEY)

    def _grow(self, key: str) -> None:
        if len(key) > _MAX_KEY:
            self.heads = self.heads | {key[:HEAD]}
        elif len(key) > self.longest:
            self.longest = len(key)

    def has_head(self, head: str) -> bool:
        """Whether a key longer than MAX_FURNITURE_KEY starts with ``head`` (a :func:`line_head`)."""
        return head in self.heads

    def __setitem__(self, key: str, value: str) -> None:
        self._grow(key)
        super().__setitem__(key, value)

    def setdefault(self, key: str, default: str = "") -> str:  # type: ignore[override]
        self._grow(key)
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._measure()

    def __ior__(self, other: Any) -> FurnitureLines:  # type: ignore[override,misc]
        self.update(other)
        return self


def key_may_fit(line: str, longest: int) -> bool:
    """False when normalise_line(line) is surely longer than ``longest``."""
    return len(line) <= longest or kept_chars(line) <= longest


def kept_chars(line: str) -> int:
    """How many characters of ``line`` its key surely keeps: every ASCII character that is not
    whitespace or a digit stays one character of normalise_line(line)."""
    return len(line.encode("ascii", "ignore").translate(None, _SPACE_DIGIT_BYTES))


LINE_RECORD_VERSION = "lines3"


def stable_line_hash(key: str) -> int:
    """A 64-bit hash of a line key that is the same in every process (records are kept between runs)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little",
                          signed=True)


def counted_keys(raw: str) -> list[str]:
    """The distinct line keys of ``raw`` that corpus furniture counts, in first-seen order.

    Lines up to MAX_FURNITURE_KEY anywhere; up to MAX_EDGE_KEY among the last
    EDGE_LINES non-empty lines (the footer, where outlets put their long boilerplate: the head of
    a page is its article's first paragraphs, which copies share).
    """
    lines = raw.splitlines()
    keys = [_counted_key(line) for line in lines]
    seen = 0
    for i in range(len(lines) - 1, -1, -1):  # the last EDGE_LINES non-empty lines
        if seen == EDGE_LINES:
            break
        if lines[i] and not lines[i].isspace():
            seen += 1
            if keys[i] is None:
                keys[i] = _counted_key(lines[i], MAX_EDGE_KEY)
    return list(dict.fromkeys(k for k in keys if k is not None))


def line_record(raw: str) -> bytes:
    """What corpus furniture needs of one document, small enough to keep: for each distinct eligible
    line, its stable hash and whether it is a long line (eight or more words)."""
    keys = counted_keys(raw)
    hashes = np.fromiter((stable_line_hash(k) for k in keys), dtype=np.int64, count=len(keys))
    longs = np.fromiter((k.count(" ") >= 7 for k in keys), dtype=np.bool_, count=len(keys))
    return hashes.tobytes() + longs.tobytes()


@dataclass
class LineCounts:
    """The counted lines of a corpus, document after document, as flat arrays (100k documents: ~30 MB)."""

    hashes: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    long: npt.NDArray[np.bool_] = field(default_factory=lambda: np.empty(0, np.bool_))
    ends: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    outlets: list[str | None] = field(default_factory=list)

    @classmethod
    def from_records(cls, records: Iterable[tuple[str | None, bytes]]) -> LineCounts:
        """From (outlet a record stated, :func:`line_record`) per document, in document order."""
        # joined as bytes and read once: two numpy views per record cost ~5 us, 0.5 s per 100k
        hashes: list[bytes] = []
        longs: list[bytes] = []
        sizes: list[int] = []
        outlets: list[str | None] = []
        for outlet, blob in records:
            n = len(blob) // 9
            hashes.append(blob[: 8 * n])
            longs.append(blob[8 * n :])
            sizes.append(n)
            outlets.append(outlet)
        if not sizes:
            return cls()
        return cls(np.frombuffer(b"".join(hashes), dtype=np.int64).copy(),
                   np.frombuffer(b"".join(longs), dtype=np.bool_).copy(),
                   np.cumsum(np.asarray(sizes, dtype=np.int64)), outlets)


def _grouped_median(group: npt.NDArray[np.int64], values: npt.NDArray[Any], n_groups: int) -> npt.NDArray[np.float64]:
    """statistics.median of ``values`` per group (NaN for an empty group)."""
    order = np.lexsort((values, group))
    v = values[order].astype(np.float64)
    sizes = np.bincount(group, minlength=n_groups)
    first = np.cumsum(sizes) - sizes
    out = np.full(n_groups, np.nan)
    has = sizes > 0
    lo = first[has] + (sizes[has] - 1) // 2
    hi = first[has] + sizes[has] // 2
    out[has] = (v[lo] + v[hi]) / 2
    return out


#: A line this many words long that recurs across outlets is a paragraph several sites carry (a wire
#: story's), which copies and provenance are about, not furniture; one outlet's long line still is.
PROSE_WORDS = 20


def _furniture_text(key: str, evidence: str) -> bool:
    """Whether a recurring line (its key and why it recurs) may be furniture by its text: not a wire
    credit, and not a prose paragraph found only across outlets."""
    if credit_key(key):
        return False
    return not (evidence.startswith("in ") and key.count(" ") >= PROSE_WORDS - 1)


def furniture_from_counts(
    counts: LineCounts,
    name: Callable[[list[tuple[int, int]]], Mapping[int, str]],
    min_docs: int = 3,
    min_share: float = 0.02,
) -> FurnitureLines:
    """The decision of :func:`corpus_furniture` over counted lines (see there), in numpy.

    ``name`` is given (line hash, index of the first document holding it) for
    every line found and returns the line keys: only furniture lines are ever
    named, so the text of the corpus's lines need not be kept.
    """
    n_docs = len(counts.ends)
    if n_docs < min_docs or n_docs == 0:
        return FurnitureLines()
    hashes = counts.hashes
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(np.r_[0, counts.ends]))
    uniq, inv, cnt = np.unique(hashes, return_inverse=True, return_counts=True)
    inv = inv.astype(np.int64)
    df = cnt[inv]

    # Typical frequency of a document's own lines: ~1 for a unique article,
    # ~c for each of c copies of one article (long lines only when it has any).
    has_long = np.bincount(doc_of[counts.long], minlength=n_docs) > 0
    used = counts.long | ~has_long[doc_of]
    typical = _grouped_median(doc_of[used], df[used], n_docs)
    typical[np.isnan(typical)] = 1.0

    held = df >= min_docs
    h_inv, h_doc = inv[held], doc_of[held]
    copies = _grouped_median(h_inv, typical[h_doc], len(uniq))
    candidate = np.flatnonzero(cnt > 2 * np.nan_to_num(copies, nan=np.inf))
    if len(candidate) == 0:
        return FurnitureLines()
    # holders of the candidate lines, in document order
    keep = np.isin(h_inv, candidate)
    c_inv, c_doc = h_inv[keep], h_doc[keep]
    order = np.lexsort((c_doc, c_inv))
    c_inv, c_doc = c_inv[order], c_doc[order]
    bounds = np.flatnonzero(np.r_[True, c_inv[1:] != c_inv[:-1], True])

    norm = [(o or "").strip().lower() for o in counts.outlets]
    outlet_size = Counter(norm)
    found: list[tuple[int, int, str]] = []
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        u = int(c_inv[a])
        idx = c_doc[a:b].tolist()
        n = int(cnt[u])
        copies_u = float(copies[u])
        per_outlet: Counter[str] = Counter(norm[i] for i in idx if norm[i])
        evidence = line_evidence(LineSeen(n, n_docs, copies_u, per_outlet.most_common(3)), outlet_size, min_docs,
                                 min_share)
        if evidence is not None:
            found.append((idx[0], int(uniq[u]), evidence))
    names = name([(h, first) for first, h, _ in found])
    return furniture_lines((first, names[h], evidence) for first, h, evidence in found)


@dataclass(frozen=True)
class LineSeen:
    """What the furniture decision knows of one candidate line: the documents holding it (``n`` of
    ``n_docs``), the typical number of copies of its holders' articles, and the (outlet, holders) of
    the three outlets holding it most, most first (ties: the outlet seen first in document order)."""

    n: int
    n_docs: int
    copies: float
    top_outlets: list[tuple[str, int]]


def line_evidence(seen: LineSeen, outlet_size: Mapping[str, int], min_docs: int, min_share: float) -> str | None:
    """Why a candidate line is furniture (the evidence kept with it), or None: held by enough of one
    outlet's documents, or of the whole corpus's (the one rule of every engine)."""
    for o, c in seen.top_outlets:
        if c >= min_docs and c >= min_share * outlet_size[o] and c > 2 * seen.copies:
            return f"seen in {c} documents of outlet {o}"
    if seen.n >= max(min_docs, min_share * seen.n_docs):
        return f"in {seen.n} of {seen.n_docs} documents"
    return None


def furniture_lines(found: Iterable[tuple[Any, str, str]]) -> FurnitureLines:
    """The furniture of (first holder's position, line key, evidence) of each line found: in the order of
    the first document holding each line, then the line; lines whose text rules them out left out."""
    ordered = sorted((first, key, evidence) for first, key, evidence in found if _furniture_text(key, evidence))
    return FurnitureLines((key, evidence) for _first, key, evidence in ordered)


def corpus_furniture(
    docs: Iterable[tuple[str, str | None, str]],
    min_docs: int = 3,
    min_share: float = 0.02,
) -> FurnitureLines:
    """Lines that recur across documents of one outlet (or the whole corpus).

    A line counts as furniture when it appears in at least ``min_docs``
    documents of an outlet and in at least ``min_share`` of them (or in that
    share of the whole corpus), *and* recurs more often than the copies of
    the documents that hold it explain: copies of one article share every
    line, so for each document we take the typical document frequency of its
    own lines, and a line must be seen in more than twice that many documents.
    Returns normalised line -> evidence.

    ``docs`` is read once, as a stream. What is kept per document is small
    (:func:`line_record`: a stable 64-bit hash and a long-line flag per
    distinct eligible line); the text of a line is kept only once ``min_docs``
    documents hold it, since no rarer line can be furniture. A pipeline that
    keeps the records between runs calls :func:`furniture_from_counts` itself.
    """
    capture_at = max(min_docs, 1)
    df: Counter[int] = Counter()
    texts: dict[int, str] = {}

    def records() -> Iterator[tuple[str | None, bytes]]:
        for _doc_id, outlet, raw in docs:
            keys = counted_keys(raw)
            hashes = [stable_line_hash(k) for k in keys]
            for k, h in zip(keys, hashes, strict=True):
                df[h] += 1
                if df[h] == capture_at:
                    texts[h] = k
            yield outlet, (np.asarray(hashes, dtype=np.int64).tobytes()
                           + np.fromiter((k.count(" ") >= 7 for k in keys), np.bool_, len(keys)).tobytes())

    counts = LineCounts.from_records(records())
    return furniture_from_counts(counts, lambda wanted: {h: texts[h] for h, _ in wanted}, min_docs, min_share)


def furniture_key(raw: str, furniture: Mapping[str, str]) -> str:
    """The furniture key stored with a document's clean text: the text is made again when it changes.

    The corpus furniture lines that ``raw`` holds as raw lines (under their
    :func:`normalise_line` keys), as :func:`furniture_digest`; "" when there is
    no furniture or ``raw`` holds none of it. The evidence strings are not
    part of the key. A pipeline's furniture stage finds the same lines from
    the documents' :func:`line_record` (counted over the same raw lines) and
    compares their digest with this key, so the two must stay alike.

    Known gap: clean() also looks up lines that are not raw lines (a line
    joined from a hard-wrapped one, the first line without its scraper prefix,
    a line after its inline repairs: :func:`dedup.clean.cleaner.reachable_furniture`).
    A furniture line found only that way is not in the key, so a document
    holding it is not cleaned again when it becomes furniture; checking for
    it would cost ~0.27 ms a document.
    """
    if not furniture:
        return ""
    return furniture_digest(k for k in counted_keys(raw) if k in furniture)


def furniture_digest(lines: Iterable[str]) -> str:
    """The stored furniture key of a document holding these furniture lines ("" for none)."""
    present = sorted(lines)
    return hashlib.sha1("\n".join(present).encode("utf-8")).hexdigest()[:12] if present else ""
