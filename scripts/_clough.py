"""Real text reuse at labelled levels: Clough & Stevenson's corpus of short answers
(``../shared/data/clough-stevenson``: 95 answers to five questions, each written from a Wikipedia
text by cut and paste, light revision, heavy revision, or without it; the five texts are in the
corpus too). ``scripts/eval-reuse --clough`` runs the pipeline on it and prints :func:`clough_scores`.

An answer counts as related to the text it was written from when the two are in one cluster or an
edge of any kind joins their clusters (copies are grouped, and a reader follows an edge from a
cluster to its members). Nothing in the tool was tuned on this corpus.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dedup.models import Cluster, Document, Reuse

#: The corpus's reuse levels, most reused first ("orig" marks the five source texts).
LEVELS = ("cut", "light", "heavy", "non")


@dataclass
class CloughScores:
    answers: dict[str, int] = field(default_factory=dict)  # level -> answers
    related: dict[str, Counter[str]] = field(default_factory=dict)  # level -> how related -> answers
    missed: dict[str, list[str]] = field(default_factory=dict)  # level -> answers related to nothing of theirs
    between: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind/direction, labels) -> edges
    composites: dict[str, list[str]] = field(default_factory=dict)  # page -> what it holds

    def found(self, level: str) -> int:
        return sum(self.related[level].values())

    def prf(self) -> tuple[float, float, float]:
        """Reused (cut, light, heavy) against written without, over answers related to their source."""
        tp = sum(self.found(lv) for lv in LEVELS if lv != "non")
        fn = sum(self.answers[lv] - self.found(lv) for lv in LEVELS if lv != "non")
        fp = self.found("non")
        p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
        return p, r, 2 * p * r / max(1e-9, p + r)


def clough_records(folder: Path) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """The texts of ``folder`` as records (id: the file's stem; the corpus has no metadata) and each
    id's (task, level) from ``file_information.csv``."""
    labels: dict[str, tuple[str, str]] = {}
    with (folder / "file_information.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels[Path(row["File"]).stem] = (row["Task"], row["Category"])
    records = []
    for doc_id in sorted(labels):
        data = (folder / f"{doc_id}.txt").read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        records.append({"id": doc_id, "text": text})
    return records, labels


def clough_scores(labels: dict[str, tuple[str, str]], docs: Sequence[Document], clusters: Sequence[Cluster],
                  reuses: Sequence[Reuse]) -> CloughScores:
    group = {d.id: d.id for d in docs}
    for c in clusters:
        for m in c.members:
            group[m] = c.id
    linked: dict[frozenset[str], set[str]] = {}
    for r in reuses:
        linked.setdefault(frozenset((group[r.quoting], group[r.source])), set()).add(f"{r.kind}/{r.direction}")
    out = CloughScores(composites={c.canonical: list(c.contains) for c in clusters if c.contains})
    for level in LEVELS:
        ids = sorted(d for d, (_, lv) in labels.items() if lv == level)
        out.answers[level] = len(ids)
        out.related[level] = Counter()
        out.missed[level] = []
        for d in ids:
            src = f"orig_task{labels[d][0]}"
            if group[d] == group[src]:
                out.related[level]["same cluster"] += 1
            elif kinds := linked.get(frozenset((group[d], group[src]))):
                out.related[level]["+".join(sorted(kinds))] += 1
            else:
                out.missed[level].append(d)
    for r in reuses:
        if labels[r.quoting][1] == "orig" or labels[r.source][1] == "orig":
            continue
        both = "non" not in (labels[r.quoting][1], labels[r.source][1])
        out.between[(f"{r.kind}/{r.direction}", "both from the source" if both else "one or both without it")] += 1
    return out


def print_clough(s: CloughScores, verbose: bool = False) -> None:
    print("\nanswer related to the text it was written from (one cluster, or an edge between their clusters):")
    print(f"  {'level':6} {'answers':>7} {'related':>7} {'share':>6}  how")
    for level in LEVELS:
        n, found = s.answers[level], s.found(level)
        print(f"  {level:6} {n:7} {found:7} {found / max(1, n):6.2f}  "
              + (", ".join(f"{k} {v}" for k, v in s.related[level].most_common()) or "-"))
        if verbose and s.missed[level] and level != "non":
            print(f"         not related: {', '.join(s.missed[level])}")
    p, r, f1 = s.prf()
    print(f"  reused (cut, light, heavy) against written without: P {p:.3f}  R {r:.3f}  F1 {f1:.3f}")
    print("\nedges between two answers (answers that both took the source carry it: `shares` says so):")
    for (kind, both), n in sorted(s.between.items()):
        print(f"  {kind:16} {both:24} {n}")
    for page, held in sorted(s.composites.items()):
        print(f"composite page: {page} (holds {', '.join(held)})")
