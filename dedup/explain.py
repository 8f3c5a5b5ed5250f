"""Why two documents are (or are not) linked, from what the database holds.

Everything is read or recomputed from stored clean text and signatures with
the run's own settings, so the figures shown are the figures the run used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from dedup import fingerprint as fp
from dedup.cluster import decide, in_memory, measure, relation
from dedup.config import Config
from dedup.corpus import Corpus
from dedup.models import Edit, Reuse

# Words as dedup.clean.damage cuts them: a character of a script written without spaces
# (Chinese, Japanese, Thai, ...) is a word alone, so that such texts align at all.
_WORD = re.compile(rf"[{fp.NO_SPACE_CLASS}]|[^\W{fp.NO_SPACE_CLASS}]+")

#: aligned passages shorter than this many words are coincidences, not evidence
MIN_PASSAGE_WORDS = 8


@dataclass
class Passage:
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Explanation:
    a: str
    b: str
    config: str
    estimated_jaccard: float
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    relation: str | None
    same_cluster: bool
    cluster_a: str | None
    cluster_b: str | None
    bands_collided: list[int]
    bands: int
    passages: list[Passage] = field(default_factory=list)
    edits_that_mattered: dict[str, list[Edit]] = field(default_factory=dict)
    reuses: list[Reuse] = field(default_factory=list)
    verdict: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a, "b": self.b, "config": self.config,
            "estimated_jaccard": self.estimated_jaccard, "jaccard": self.jaccard,
            "containment_a_in_b": self.containment_a_in_b, "containment_b_in_a": self.containment_b_in_a,
            "relation": self.relation, "same_cluster": self.same_cluster,
            "cluster_a": self.cluster_a, "cluster_b": self.cluster_b,
            "bands_collided": self.bands_collided, "bands": self.bands,
            "passages": [p.to_dict() for p in self.passages],
            "edits_that_mattered": {k: [e.to_dict() for e in v] for k, v in self.edits_that_mattered.items()},
            "reuses": [r.to_dict() for r in self.reuses],
            "verdict": self.verdict,
        }


def _word_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    return [text[s:e].casefold() for s, e in spans], spans


def aligned_passages(a: str, b: str, min_words: int = MIN_PASSAGE_WORDS) -> list[Passage]:
    """Maximal runs of the same words in both texts, as character spans of each."""
    wa, sa = _word_spans(a)
    wb, sb = _word_spans(b)
    matcher = SequenceMatcher(None, wa, wb, autojunk=False)
    out = []
    for block in matcher.get_matching_blocks():
        if block.size < min_words:
            continue
        a0, a1 = sa[block.a][0], sa[block.a + block.size - 1][1]
        b0, b1 = sb[block.b][0], sb[block.b + block.size - 1][1]
        out.append(Passage(a0, a1, b0, b1, a[a0:a1], b[b0:b1]))
    return out


def explain_pair(corpus: Corpus, a: str, b: str) -> Explanation:
    run = corpus.last_run()
    config = Config.from_dict(json.loads(run["config"]))
    da, db_ = corpus.document(a), corpus.document(b)
    ha = fp.shingle_hashes(fp.tokens(da.doc.text), config.shingle_size)
    hb = fp.shingle_hashes(fp.tokens(db_.doc.text), config.shingle_size)
    sa, sb = fp.signatures([ha, hb], config.num_perm, config.seed)
    keys = fp.band_keys(np.stack([sa, sb]), config.bands, config.rows)
    collided = [int(i) for i in np.flatnonzero(keys[0] == keys[1])]
    j, c_ab, c_ba = measure(ha, hb)
    rel = relation(j, c_ab, c_ba, len(ha), len(hb), config)
    # the copy test as clustering runs it: the 5-gram figures, or the word alignment in the grey zone
    inputs = in_memory({a: da.doc.text, b: db_.doc.text}, config)
    copy = decide(inputs.pair(a, b), inputs)
    if copy is not None and copy.decided_by == "alignment":
        rel = copy.relation
    passages = aligned_passages(da.doc.text, db_.doc.text)
    mattered: dict[str, list[Edit]] = {}
    for mine, other in ((da, db_), (db_, da)):
        # an edit matters when what it removed also stands in the other copy's raw
        # text: shared furniture that, left in, would have inflated the similarity
        hits = [e for e in mine.doc.edits if len(e.removed.strip()) >= 12 and e.removed.strip() in other.doc.raw]
        if hits:
            mattered[mine.id] = hits
    reuses = [r for r in corpus.reuses() if {r.quoting, r.source} == {a, b}
              or (r.quoting in (a, b) and (set(r.also_in) & {a, b}))]
    same = da.cluster is not None and da.cluster == db_.cluster
    how = (f"{copy.relation}, decided by the {copy.decided_by} test"
           + (f" ({copy.aligned:.0%} of the shorter text aligns in order)" if copy.aligned is not None else "")
           if copy is not None else None)
    if same:
        verdict = f"same cluster {da.cluster}: {how or 'joined through other copies of the cluster'}"
    elif copy is not None:
        reasons = {c.id: c.reason for c in corpus.clusters() if c.id in (da.cluster, db_.cluster)}
        why = {reason for reason in reasons.values() if reason.startswith(("composite", "furniture"))}
        verdict = (f"the pair verifies ({how}) but the documents sit in different clusters: "
                   + ("; ".join(sorted(why)) if why else "see each cluster's reason"))
    elif not collided:
        verdict = "not a candidate: no LSH band collided, and the exact figures are below both thresholds"
    else:
        verdict = (f"candidate (bands {collided[:8]}) but below thresholds: jaccard {j:.3f} < "
                   f"{config.jaccard_threshold}, containment {max(c_ab, c_ba):.3f} < {config.containment_threshold}")
    if reuses:
        verdict += f"; {len(reuses)} quotation edge(s) link them"
    return Explanation(
        a=a, b=b, config=run["config_name"], estimated_jaccard=fp.estimate_jaccard(sa, sb),
        jaccard=round(j, 4), containment_a_in_b=round(c_ab, 4), containment_b_in_a=round(c_ba, 4),
        relation=rel, same_cluster=same, cluster_a=da.cluster, cluster_b=db_.cluster,
        bands_collided=collided, bands=config.bands, passages=passages, edits_that_mattered=mattered,
        reuses=reuses, verdict=verdict,
    )
