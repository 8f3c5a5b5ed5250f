"""The data types that flow through every stage.

One :class:`Document` travels from ingest through cleaning, fingerprinting and
clustering; each stage fills in its own fields and never needs to know which
executor (local process pool, Spark) runs it. Everything here is plain data:
dataclasses with ``to_dict`` so that JSON, SQLite and Parquet all see the same
shape.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

#: ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, with one encoder made once: dumps
#: with options builds a new encoder per call, a third of the cost of the 100k small values a
#: run serialises.
to_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode

Relation = Literal["exact", "near-duplicate", "contained"]
Direction = Literal["quotes", "unknown"]
#: What an edge's evidence shows: attributed (quotes), credited (republishes), taken without
#: attribution (reuses), or the words of a third party both carry (shares).
Kind = Literal["quotes", "republishes", "reuses", "shares"]


@dataclass(frozen=True)
class Edit:
    """One change the cleaner made, in raw-text offsets.

    ``start``/``end`` index the *raw* text that was replaced; ``replacement`` is
    what now stands there in the clean text (empty for a removal). ``rule`` is
    the registry name of the rule that made the edit, ``detail`` a short
    human explanation (for corpus furniture: the evidence, e.g. "seen in 14
    documents of atalayar").
    """

    start: int
    end: int
    rule: str
    removed: str
    replacement: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class OffsetMap(Sequence[int]):
    """The clean→raw offset map, stored as its breakpoints.

    A cleaner's map is piecewise ``raw = start + i`` (runs of kept text
    between edits), so a 3,000-character article needs a few dozen integers
    instead of a 3,000-element list; 100k documents fit in memory.
    ``m[i]`` is the raw offset of clean character i; ``len(m)`` is
    ``len(text) + 1``.
    """

    __slots__ = ("_n", "_starts", "_values")

    def __init__(self, starts: npt.NDArray[np.int64], values: npt.NDArray[np.int64], n: int) -> None:
        self._starts = starts
        self._values = values
        self._n = n

    @classmethod
    def from_list(cls, offsets: Sequence[int]) -> OffsetMap:
        if isinstance(offsets, OffsetMap):
            return offsets
        arr = np.asarray(offsets, dtype=np.int64)
        if len(arr) == 0:
            return cls(np.empty(0, np.int64), np.empty(0, np.int64), 0)
        starts = np.r_[0, np.flatnonzero(np.diff(arr) != 1) + 1].astype(np.int64)
        return cls(starts, arr[starts], len(arr))

    @classmethod
    def from_bytes(cls, blob: bytes | None) -> OffsetMap:
        if not blob:
            return cls(np.empty(0, np.int64), np.empty(0, np.int64), 0)
        packed = np.frombuffer(blob, dtype=np.int32).astype(np.int64)
        n, k = int(packed[0]), int(packed[1])
        return cls(packed[2 : 2 + k], packed[2 + k : 2 + 2 * k], n)

    def to_bytes(self) -> bytes:
        if self._n == 0:
            return b""
        head = np.array([self._n, len(self._starts)], dtype=np.int64)
        return np.concatenate([head, self._starts, self._values]).astype(np.int32).tobytes()

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...
    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        seg = bisect_right(self._starts, i) - 1  # type: ignore[arg-type]
        return int(self._values[seg] + (i - self._starts[seg]))

    def __iter__(self) -> Iterator[int]:
        return iter(self.tolist())

    def tolist(self) -> list[int]:
        idx = np.arange(self._n)
        seg = np.searchsorted(self._starts, idx, side="right") - 1
        return (self._values[seg] + (idx - self._starts[seg])).tolist()  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OffsetMap | list | tuple):
            return self.tolist() == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        return f"OffsetMap(n={self._n}, segments={len(self._starts)})"


@dataclass(frozen=True)
class Span:
    """A stretch of a document's clean text, with the same stretch in the raw text."""

    start: int
    end: int
    text: str
    raw_start: int | None = None
    raw_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        # spelled out: dataclasses.asdict deep-copies recursively, ~8x slower, and every
        # reuse and citation is serialised on every run
        return {"start": self.start, "end": self.end, "text": self.text, "raw_start": self.raw_start,
                "raw_end": self.raw_end}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(d["start"], d["end"], d["text"], d.get("raw_start"), d.get("raw_end"))


@dataclass(frozen=True)
class Gap:
    """A span the canonical copy has and a damaged copy lost.

    ``at`` is the offset in the damaged copy's clean text where the text went
    missing; ``canonical_span`` is what the fuller copy has there.
    """

    at: int
    length: int
    canonical_span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "length": self.length, "canonical_span": self.canonical_span.to_dict()}


@dataclass
class Document:
    """One article, from raw bytes to clean text and metadata.

    ``meta`` holds values *stated* in the document (title, outlet, date,
    author, url); ``inferred`` holds values borrowed from another copy in the
    same cluster, kept apart so that a reader can always tell the two kinds
    apart; ``extra`` the input's other keys or columns.
    """

    id: str
    source: str
    content_hash: str
    raw: str
    kind: Literal["text", "html"] = "text"
    text: str = ""
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    encoding: str = "utf-8"
    edits: list[Edit] = field(default_factory=list)
    # offsets[i] is the raw offset of clean character i; one extra entry at the
    # end maps the end of the clean text (so half-open spans map cleanly).
    offsets: Sequence[int] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    inferred: dict[str, str] = field(default_factory=dict)
    # the anchor keys of the clean text (dedup.cluster.anchors), set where it is fingerprinted and
    # stored with its signature: what finds a short copy inside a long page
    anchors: bytes = field(default=b"", repr=False)
    # what the input record or CSV row held besides these fields ("section", "tags", a second outlet
    # name), JSON values by key: kept and exported, never read by any stage
    extra: dict[str, Any] = field(default_factory=dict)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open clean-text span to the raw text."""
        if not self.offsets:
            return start, end
        last = len(self.offsets) - 1
        s = self.offsets[min(start, last)]
        e = self.offsets[min(end - 1, last)] + 1 if end > start else s
        return s, max(s, e)

    def span(self, start: int, end: int) -> Span:
        raw_start, raw_end = self.raw_span(start, end)
        return Span(start, end, self.text[start:end], raw_start, raw_end)


@dataclass(frozen=True)
class PairScore:
    """Exact figures for one pair of documents (a, b), a < b, and what decided that they are copies.

    ``decided_by`` is ``"5-gram"`` when the shingle figures settled it, ``"alignment"`` when
    only the ordered word alignment did (``aligned``: share of the shorter text aligned into the
    longer in runs of three words or more), None for figures that decided nothing (a member
    against a canonical it joined through another copy).
    """

    a: str
    b: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    relation: Relation | None
    aligned: float | None = None
    decided_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"a": self.a, "b": self.b, "jaccard": self.jaccard,
                               "containment_a_in_b": self.containment_a_in_b,
                               "containment_b_in_a": self.containment_b_in_a, "relation": self.relation}
        if self.decided_by is not None:
            out["aligned"], out["decided_by"] = self.aligned, self.decided_by
        return out

    def containments(self, member: str) -> tuple[float, float]:
        """(share of ``member`` found in the other document, share of the other found in ``member``)."""
        if member == self.a:
            return self.containment_a_in_b, self.containment_b_in_a
        return self.containment_b_in_a, self.containment_a_in_b


@dataclass
class Cluster:
    """A group of copies of one article, with the copy a reader should see.

    ``pairs`` are the figures of each member against the canonical member. ``links`` are the
    verified copy pairs inside the cluster, the evidence that holds it together: a member may
    have joined through another copy (a later version of a wire story that verifies against the
    first version, not against the canonical). ``contains`` is set on a composite page (a running
    file, digest or live page, kept out of copy clusters): the documents it holds.
    """

    id: str
    members: list[str]
    canonical: str
    reason: str
    pairs: list[PairScore] = field(default_factory=list)
    links: list[PairScore] = field(default_factory=list)
    contains: list[str] = field(default_factory=list)

    def joins(self) -> dict[str, PairScore]:
        """Per member other than the canonical, the verified pair through which it joined: the
        nearest copy on a shortest path from the canonical (the canonical itself when it can)."""
        nbrs: dict[str, list[tuple[str, PairScore]]] = {}
        for p in sorted(self.links, key=lambda p: (p.a, p.b)):
            nbrs.setdefault(p.a, []).append((p.b, p))
            nbrs.setdefault(p.b, []).append((p.a, p))
        out: dict[str, PairScore] = {}
        frontier = [self.canonical]
        seen = {self.canonical}
        while frontier:
            nxt = []
            for node in frontier:
                for other, p in nbrs.get(node, []):
                    if other not in seen:
                        seen.add(other)
                        out[other] = p
                        nxt.append(other)
            frontier = nxt
        return out

    def to_dict(self) -> dict[str, Any]:
        joins = self.joins()
        return {
            "id": self.id,
            "members": list(self.members),
            "canonical": self.canonical,
            "reason": self.reason,
            "pairs": [p.to_dict() for p in self.pairs],
            # each member's way in: the copy it verified against, and what decided it
            "joined_through": {m: {"via": p.b if p.a == m else p.a, "decided_by": p.decided_by,
                                   "aligned": p.aligned} for m, p in sorted(joins.items())},
            "contains": list(self.contains),
        }


@dataclass(frozen=True)
class Attribution:
    outlet: str
    year: int | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"outlet": self.outlet, "year": self.year, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Attribution:
        return cls(d["outlet"], d.get("year"), d.get("text", ""))


@dataclass
class Reuse:
    """A passage of ``source`` that ``quoting`` reuses.

    ``direction`` is ``quotes`` only when evidence supports it; otherwise
    ``unknown`` and the pair order carries no meaning. ``kind`` says what the
    evidence shows (:data:`Kind`; :mod:`dedup.reuse.direction`).
    """

    quoting: str
    source: str
    direction: Direction
    quoting_span: Span
    source_span: Span
    similarity: float
    quoted: bool
    attribution: Attribution | None = None
    evidence: list[str] = field(default_factory=list)
    confidence: float = 0.0
    also_in: list[str] = field(default_factory=list)
    kind: Kind = "reuses"

    def to_dict(self) -> dict[str, Any]:
        return {
            "quoting": self.quoting,
            "source": self.source,
            "direction": self.direction,
            "kind": self.kind,
            "quoting_span": self.quoting_span.to_dict(),
            "source_span": self.source_span.to_dict(),
            "similarity": self.similarity,
            "quoted": self.quoted,
            "attribution": self.attribution.to_dict() if self.attribution else None,
            "evidence": list(self.evidence),
            "confidence": self.confidence,
            "also_in": list(self.also_in),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reuse:
        return cls(
            quoting=d["quoting"], source=d["source"], direction=d["direction"],
            quoting_span=Span.from_dict(d["quoting_span"]), source_span=Span.from_dict(d["source_span"]),
            similarity=d["similarity"], quoted=d["quoted"],
            attribution=Attribution.from_dict(d["attribution"]) if d.get("attribution") else None,
            evidence=list(d.get("evidence", [])), confidence=d.get("confidence", 0.0),
            also_in=list(d.get("also_in", [])),
            # (rows written before kinds: an attributed edge quotes, any other reuses)
            kind=d.get("kind") or ("quotes" if d.get("attribution") else "reuses"),
        )


# What became of a citation: the article found, the outlet known but not the article, or neither.
RESOLVED = "resolved"
ARTICLE_NOT_FOUND = "outlet in corpus, article not found"
NOT_IN_CORPUS = "outlet not in corpus"


@dataclass
class Citation:
    """A document naming an outlet as its source ("according to Reuters")."""

    doc: str
    outlet: str
    span: Span
    phrase: str
    resolved_to: str | None = None
    #: RESOLVED, ARTICLE_NOT_FOUND or NOT_IN_CORPUS ("" in rows written before statuses)
    status: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "outlet": self.outlet,
            "resolved_to": self.resolved_to,
            "status": self.status,
            "span": self.span.to_dict(),
            "phrase": self.phrase,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        return cls(d["doc"], d["outlet"], Span.from_dict(d["span"]), d.get("phrase", ""), d.get("resolved_to"),
                   d.get("status") or (RESOLVED if d.get("resolved_to") else ""))


@dataclass(frozen=True)
class Problem:
    """An input that could not be used, and why. Recorded, never fatal."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


