"""Generated benchmark corpora for tests (scripts/benchgen.py: deterministic, real words when
../shared/data/bbc is there, the fixtures' words otherwise)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from dedup.models import Cluster

ROOT = Path(__file__).resolve().parent.parent


def generated(n: int, seed: int) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """The records of a generated corpus of ``n`` documents, and its near-duplicate groups."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from benchgen import generate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    corpus = generate(n, seed=seed)
    return corpus.records, corpus.groups


def truth_clusters(groups: list[list[str]], present: set[str]) -> list[Cluster]:
    """The generator's near-duplicate groups as clusters of the documents ``present`` (canonical: the original)."""
    out = []
    for k, g in enumerate(groups):
        members = [m for m in g if m in present]
        if len(members) >= 2:
            out.append(Cluster(id=f"g{k}", members=members, canonical=members[0], reason="truth"))
    return out
