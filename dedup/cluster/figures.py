"""Figures of one pair of documents on exact shingle sets, and what they make of it.

MinHash only proposes pairs; every pair is then measured on the exact shingle sets (Jaccard and
containment both ways), because a truncated or damaged scrape is a copy even when its Jaccard is
low. :func:`link` says whether the figures settle the pair as a copy (``"copy"``), leave it to the
word alignment of :mod:`dedup.cluster.align` (``"grey"``: a copy that lost many words in short
gaps keeps few intact 5-grams), or rule it out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from dedup import fingerprint as fp
from dedup.config import Config
from dedup.models import PairScore, Relation

U64 = npt.NDArray[np.uint64]

#: A pair whose shorter text has fewer words than this is a copy only when near-identical
#: (Jaccard >= SHORT_JACCARD): a short teaser or widget text inside a long page is no copy of it,
#: and below this length an alignment matches by chance.
MIN_ALIGN_WORDS = 50
SHORT_JACCARD = 0.8
#: The 5-gram containment of the shorter text from which a pair that fails the 5-gram test is
#: aligned word by word: a copy that lost 35% of its words in short gaps keeps 0.37-0.5 of its 5-grams.
GREY_FLOOR = 0.3

Link = Literal["copy", "grey"]


@dataclass(frozen=True)
class Rank:
    """What makes one copy a better canonical than another, and how to say so."""

    doc_id: str
    length: int
    defects: int
    date: str | None

    def key(self) -> tuple[int, int, str, str]:
        # longest clean text, then fewest defects, then earliest date, then smallest id
        return (-self.length, self.defects, self.date or "9999-99-99", self.doc_id)


@dataclass(frozen=True)
class Figures:
    """The exact 5-gram figures of a pair ``a < b``: Jaccard, both containments, both set sizes."""

    a: str
    b: str
    jaccard: float
    c_ab: float
    c_ba: float
    n_a: int
    n_b: int

    def words(self, k: int) -> tuple[int, int]:
        """Word counts of a and b (a text of w >= k words has w - k + 1 shingles, nearly all distinct)."""
        return self.n_a + k - 1, self.n_b + k - 1

    def score(self, config: Config) -> PairScore:
        return PairScore(self.a, self.b, self.jaccard, self.c_ab, self.c_ba,
                         relation(self.jaccard, self.c_ab, self.c_ba, self.n_a, self.n_b, config))

    def smaller_in_larger(self) -> float:
        return self.c_ab if (self.n_a, self.a) <= (self.n_b, self.b) else self.c_ba


def measure(a: U64, b: U64) -> tuple[float, float, float]:
    """(jaccard, containment of a in b, containment of b in a) of two sorted unique hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - inter
    return inter / union, inter / len(a), inter / len(b)


def figures(a_id: str, b_id: str, a: U64, b: U64) -> Figures:
    """Rounded figures of a pair, ordered so that ``a < b`` (the form every engine stores)."""
    if b_id < a_id:
        a_id, b_id, a, b = b_id, a_id, b, a
    j, c_ab, c_ba = measure(a, b)
    return Figures(a_id, b_id, round(j, 4), round(c_ab, 4), round(c_ba, 4), len(a), len(b))


#: The opening of a text, for :func:`layout`: its first this many shingles.
OPENING = 10


@dataclass(frozen=True)
class Layout:
    """Where two documents ``x`` and ``y`` sit on a page that shares text with both."""

    #: of the 5-grams the page shares with x and with y, the share of the smaller set in both: ~0
    #: when x and y sit in different parts of the page, ~the surviving share when one is a damaged
    #: copy of the part the other holds
    overlap: float
    #: share of y's opening (its first OPENING 5-grams) on the page: a digest carries the first
    #: paragraphs of a story; a story that reuses a background paragraph carries its middle
    opening: float


def opening(text: str, config: Config) -> U64:
    """Sorted unique hashes of the first OPENING shingles of ``text``."""
    return fp.shingle_hashes(fp.tokens(text)[: OPENING + config.shingle_size - 1], config.shingle_size)


def layout(page: U64, x: U64, y: U64, y_opening: U64) -> Layout:
    """:class:`Layout` from sorted unique hash arrays (``y_opening``: of y's first OPENING shingles)."""
    sx = np.intersect1d(page, x, assume_unique=True)
    sy = np.intersect1d(page, y, assume_unique=True)
    both = len(np.intersect1d(sx, sy, assume_unique=True)) / min(len(sx), len(sy)) if len(sx) and len(sy) else 0.0
    opens = len(np.intersect1d(page, y_opening, assume_unique=True)) / len(y_opening) if len(y_opening) else 0.0
    return Layout(round(both, 4), round(opens, 4))


def relation(j: float, c_ab: float, c_ba: float, n_a: int, n_b: int, config: Config) -> Relation | None:
    """``exact``, ``contained`` (only the smaller text is inside the other), ``near-duplicate``, or None."""
    if min(n_a, n_b) < config.min_shingles:
        # too short to call a copy unless it is the very same text
        return "exact" if j == 1.0 and n_a == n_b and n_a > 0 else None
    if j == 1.0:
        return "exact"
    if min(n_a, n_b) + config.shingle_size - 1 < MIN_ALIGN_WORDS:
        return "near-duplicate" if j >= SHORT_JACCARD else None
    smaller_in_larger, larger_in_smaller = (c_ab, c_ba) if n_a <= n_b else (c_ba, c_ab)
    if smaller_in_larger >= config.containment_threshold > larger_in_smaller:
        return "contained"
    if j >= config.jaccard_threshold or smaller_in_larger >= config.containment_threshold:
        return "near-duplicate"
    return None


def link(f: Figures, config: Config) -> Link | None:
    """``copy`` when the 5-gram test passes, ``grey`` when only a word alignment can tell, else None."""
    if relation(f.jaccard, f.c_ab, f.c_ba, f.n_a, f.n_b, config) is not None:
        return "copy"
    if min(f.words(config.shingle_size)) >= MIN_ALIGN_WORDS and f.smaller_in_larger() >= GREY_FLOOR:
        return "grey"
    return None


def score(a_id: str, b_id: str, a: U64, b: U64, config: Config) -> PairScore:
    """Figures for the pair, ordered so that ``a < b``, with the 5-gram test's relation."""
    return figures(a_id, b_id, a, b).score(config)


def cluster_id(members: Sequence[str]) -> str:
    """Derived from the member ids only: unchanged membership keeps its id across runs."""
    digest = hashlib.sha1("\n".join(sorted(members)).encode("utf-8")).hexdigest()
    return f"c{digest[:12]}"
