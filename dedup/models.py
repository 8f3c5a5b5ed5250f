"""The data types that flow through every stage.

One :class:`Document` travels from ingest through cleaning, fingerprinting and
clustering; each stage fills in its own fields and never needs to know which
executor (local process pool, Spark) runs it. Everything here is plain data:
dataclasses with ``to_dict`` so that JSON, SQLite and Parquet all see the same
shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Relation = Literal["exact", "near-duplicate", "contained"]
Direction = Literal["quotes", "unknown"]


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


@dataclass(frozen=True)
class Span:
    """A stretch of a document's clean text, with the same stretch in the raw text."""

    start: int
    end: int
    text: str
    raw_start: int | None = None
    raw_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

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
    apart.
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
    offsets: list[int] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    inferred: dict[str, str] = field(default_factory=dict)

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
    """Exact figures for one verified pair of documents (a, b), a < b."""

    a: str
    b: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    relation: Relation | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Cluster:
    """A group of copies of one article, with the copy a reader should see.

    ``pairs`` are the figures of each member against the canonical member,
    which is the evidence that let it join (guard against chaining).
    """

    id: str
    members: list[str]
    canonical: str
    reason: str
    pairs: list[PairScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "members": list(self.members),
            "canonical": self.canonical,
            "reason": self.reason,
            "pairs": [p.to_dict() for p in self.pairs],
        }


@dataclass(frozen=True)
class Attribution:
    outlet: str
    year: int | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Attribution:
        return cls(d["outlet"], d.get("year"), d.get("text", ""))


@dataclass
class Reuse:
    """A passage of ``source`` that ``quoting`` reuses.

    ``direction`` is ``quotes`` only when evidence supports it; otherwise
    ``unknown`` and the pair order carries no meaning.
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "quoting": self.quoting,
            "source": self.source,
            "direction": self.direction,
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
        )


@dataclass
class Citation:
    """A document naming an outlet as its source ("according to Reuters")."""

    doc: str
    outlet: str
    span: Span
    phrase: str
    resolved_to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "outlet": self.outlet,
            "resolved_to": self.resolved_to,
            "span": self.span.to_dict(),
            "phrase": self.phrase,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        return cls(d["doc"], d["outlet"], Span.from_dict(d["span"]), d.get("phrase", ""), d.get("resolved_to"))


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
