"""Quotation detection: which article quotes which, in which direction, and on whose word.

Pure functions over documents and passages; how they are run (pools, spools, the cache that makes
a run incremental) is :mod:`dedup.runtime.reuse_runner`, whose ``find_reuses`` is the entry point.
The steps (all linear in the corpus except the local alignments, which run only on candidate
passage pairs):

1. Pass 1, every document (:mod:`~dedup.reuse.pass1`): winnowed fingerprints of its 3-word
   shingles, and the phrases that may name an outlet; every document is in one group, its
   near-duplicate cluster or itself (:mod:`~dedup.reuse.groups`).
2. Candidate group pairs (:mod:`~dedup.reuse.candidates`): groups sharing at least
   ``min_shared_fp`` fingerprints of modest spread (a fingerprint in more than ``max_fp_groups``
   groups is a common phrase). Copies inside one group count once.
3. Pass 2, the documents of candidate pairs (:func:`prepare`): :mod:`~dedup.reuse.passages` cuts
   each clean text into passages (sentences and quotations), MinHashed; passages whose exact
   signature recurs in many clusters of one outlet, or in very many clusters at all, are corpus
   boilerplate and leave the index before any pair is made.
4. Matching (:func:`match_pairs`): passages of the paired groups meet in band buckets; each
   candidate passage pair is aligned and the blocks chained into maximal spans
   (:mod:`~dedup.reuse.align`), bridging small edits on both sides and one-sided omissions
   (ellipses, text a damaged scrape dropped); spans shorter than ``min_reuse_chars`` /
   ``min_reuse_words`` are dropped; segments of all member pairs of two clusters are reported
   once, against the canonical members where possible (:mod:`~dedup.reuse.edges`).
5. Direction from evidence only (:mod:`~dedup.reuse.direction`: attribution naming the other
   outlet, quotation marks, dates, share of each text); else ``unknown``.
6. Quotation clusters: an edge between two documents that both reuse the same passage of an
   earlier third one is dropped in favour of the edges to that third document; citations of
   outlets, resolved to documents where clear (:mod:`~dedup.reuse.edges`).

:func:`reference_reuses` puts the steps together in the plainest way, serially and without a
cache: the oracle that tests hold ``find_reuses`` to on small corpora.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.clean.page import FURNITURE_ONLY, LIVE_PAGE
from dedup.config import Config
from dedup.fingerprint import band_keys, signatures_concat
from dedup.models import Citation, Cluster, Document, Reuse
from dedup.reuse import pass1
from dedup.reuse.align import BlockMemo, Segment, align, passage_windows
from dedup.reuse.attribution import Mention, outlet_matches
from dedup.reuse.candidates import boilerplate, reference_pairs
from dedup.reuse.direction import Context, Verdict, carry_attributions, verdict
from dedup.reuse.edges import Item, citations, group_segments, make_reuse, prune_quotation_clusters
from dedup.reuse.groups import build_groups, corpus_outlet_names, doc_date, evidence_dates
from dedup.reuse.pagetext import page_text
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.reuse.passages import DocPassages, build, passage_shingle_concat
from dedup.reuse.sources import spread_sources

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]


def prepare(texts: list[str], seed: int, params: ReuseParams) -> list[tuple[DocPassages, U32, U64]]:
    """Pass 2, first step: the passages of each text, their signatures, and their exact keys (for
    the corpus-wide boilerplate). One vector pass over all the texts' passages."""
    dps = [build(text, params) for text in texts]
    parts = [passage_shingle_concat(dp, params.passage_shingle) for dp in dps]
    offsets = np.cumsum([0] + [len(h) for h, _ in parts])
    allh = np.concatenate([h for h, _ in parts]) if parts else np.empty(0, np.uint64)
    starts = [b[:-1] + off for (_, b), off in zip(parts, offsets.tolist(), strict=False)]
    bounds = np.concatenate([*starts, offsets[-1:]])
    sigs = signatures_concat(allh, bounds.astype(np.int64), params.passage_perm, seed)
    exact = band_keys(sigs, 1, params.passage_perm)[:, 0]
    out: list[tuple[DocPassages, U32, U64]] = []
    lo = 0
    for dp in dps:
        hi = lo + len(dp.ranges)
        out.append((dp, sigs[lo:hi].copy(), exact[lo:hi]))
        lo = hi
    return out


@dataclass
class PairBatch:
    """Candidate group pairs with every member document: all that matching them sees (documents
    and groups by their corpus index and id)."""

    docs: dict[int, Document]
    passages: dict[int, DocPassages]
    sigs: dict[int, U32]
    group: dict[int, int]
    canonical: dict[int, int]
    group_names: dict[int, list[str]]
    # each document's date, else its group's earliest
    dates: dict[int, str | None]
    # the mentions of an outlet each document makes (documents without any: absent)
    mentions: dict[int, list[Mention]]
    # (g1, g2) rows, g1 < g2
    pairs: I64
    # exact passage keys of the corpus boilerplate, sorted
    boiler_keys: I64


def match_pairs(batch: PairBatch, config: Config, params: ReuseParams) -> list[Item]:
    """The judged segments of the group pairs of ``batch``."""
    windows, boiler_tokens = passage_windows(
        batch.passages, batch.sigs, batch.group, batch.pairs, batch.boiler_keys, params
    )
    segments: list[Segment] = []
    memo: BlockMemo = {}  # (a batch holds whole group pairs: every pair of their copies meets here)
    for (a, b), pairs in windows.items():
        segments.extend(align(a, b, pairs, batch.docs, batch.passages, boiler_tokens, config, params, memo))
    ctx = Context(batch.docs, {i: dp.quotes for i, dp in batch.passages.items()}, batch.group, batch.group_names,
                  batch.mentions, batch.dates)
    judged: list[tuple[Segment, Verdict]] = []
    for seg in group_segments(segments, batch.group, batch.canonical):
        da, db = batch.docs[seg.a], batch.docs[seg.b]
        if page_text(da.text, seg.side(seg.a), db.text, seg.side(seg.b), _same_site(da, db)):
            continue  # a share box or a teaser both pages show: no one's text (dedup.reuse.pagetext)
        ver = verdict(seg, ctx, params)
        if ver.has_attribution or _worth_an_unattributed_edge(seg, batch.docs, params):
            judged.append((seg, ver))
    # (a batch holds whole group pairs, so every segment of a document pair is here)
    verdicts = carry_attributions(judged, ctx, params)
    return [(seg, ver, make_reuse(seg, ver, batch.docs)) for (seg, _), ver in zip(judged, verdicts, strict=True)]


def _same_site(a: Document, b: Document) -> bool:
    return bool(a.outlet and b.outlet and outlet_matches(a.outlet, b.outlet))


#: Pages whose shared text is no evidence of reuse without an attribution: a page of captions or a
#: few words, and a live page or aggregator (its teasers are other stories' openings).
_NOT_WITNESSES = frozenset({FURNITURE_ONLY, LIVE_PAGE})


def _worth_an_unattributed_edge(seg: Segment, docs: Mapping[int, Document], params: ReuseParams) -> bool:
    """An unattributed passage is reported when it is long enough to be more than a stock phrase of
    the day (``min_unattributed_words``) and neither side is a caption page or aggregator."""
    return seg.words >= params.min_unattributed_words and not any(
        _NOT_WITNESSES.intersection(docs[i].defects) for i in (seg.a, seg.b))


def reference_reuses(
    docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, params: ReuseParams = DEFAULT,
) -> tuple[list[Reuse], list[Citation]]:
    """What ``dedup.runtime.reuse_runner.find_reuses`` finds, by the plainest composition of the
    steps: serial, every document read at once, no cache, candidate pairs by their definition
    (:func:`~dedup.reuse.candidates.reference_pairs`), all pairs matched in one batch. A test
    oracle for small corpora."""
    ids = [d.id for d in docs]
    index = {d: i for i, d in enumerate(ids)}
    dates = evidence_dates([doc_date(d) for d in docs])
    names = corpus_outlet_names([(d.outlet, d.title, d.url, d.inferred) for d in docs])
    groups = build_groups(index, names, dates, clusters)
    records = pass1.records(docs, *pass1.scan([d.text for d in docs], params))
    raw = {i: rows for i, (_, rows) in enumerate(records) if rows}
    selected = {i: sel for i, rows in raw.items() if (sel := pass1.select_rows(rows, groups.outlets))}
    pairs, _ = reference_pairs([fps for fps, _ in records], groups.group, params)
    items: list[Item] = []
    if len(pairs):
        involved = sorted({m for g in np.unique(pairs).tolist() for m in groups.members[g]})
        prepared = prepare([docs[i].text for i in involved], config.seed, params)
        owner = np.repeat(np.asarray(involved, dtype=np.int64), [len(exact) for _, _, exact in prepared])
        boiler = boilerplate(owner, np.concatenate([exact for _, _, exact in prepared]), groups,
                             config.furniture_min_docs, params)
        group = {i: int(groups.group[i]) for i in involved}
        batch = PairBatch(
            docs={i: docs[i] for i in involved},
            passages={i: dp for i, (dp, _, _) in zip(involved, prepared, strict=True)},
            sigs={i: sigs for i, (_, sigs, _) in zip(involved, prepared, strict=True)}, group=group,
            canonical=groups.canonical, group_names=groups.names,
            dates={i: groups.date_of(i, dates) for i in involved},
            mentions={i: [Mention(*t) for t in selected[i]] for i in involved if i in selected},
            pairs=pairs, boiler_keys=boiler,
        )
        # in the order of the pairs, as a run that matches them in chunks puts them together
        by_pair: dict[tuple[int, int], list[Item]] = {(g1, g2): [] for g1, g2 in pairs.tolist()}
        for item in match_pairs(batch, config, params):
            ga, gb = group[item[0].a], group[item[0].b]
            by_pair[(min(ga, gb), max(ga, gb))].append(item)
        items = [item for found in by_pair.values() for item in found]
    judged = spread_sources(prune_quotation_clusters(items, lambda i: groups.date_of(i, dates), params.cover),
                            lambda i: int(groups.group[i]), groups.doc_outlet.__getitem__, params.cover)
    reuses = sorted((r for _, _, r in judged),
                    key=lambda r: (r.quoting, r.source, r.quoting_span.start, r.source_span.start))
    cited = sorted(citations(judged, groups, ids, selected, raw, outlet_matches),
                   key=lambda c: (c.doc, c.span.start, c.outlet))
    return reuses, cited


__all__ = [
    "DEFAULT", "Item", "PairBatch", "ReuseParams", "Segment", "Verdict", "match_pairs", "prepare", "reference_reuses",
]
