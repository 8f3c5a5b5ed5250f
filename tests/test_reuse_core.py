"""The pure steps of quotation detection on small hand-made cases: pass 1, candidate pairs and
boilerplate, alignment and chaining, grouping per cluster pair, quotation clusters, citations."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.models import Cluster, Document, Reuse, Span
from dedup.reuse import PairBatch, match_pairs, prepare
from dedup.reuse.align import Segment, align, chain_runs, gap_ok, passage_windows, runs, trim
from dedup.reuse.attribution import raw_mentions
from dedup.reuse.candidates import KeySlices, boilerplate, count_slice, pairs_of_counts, reference_pairs
from dedup.reuse.direction import Verdict
from dedup.reuse.edges import Item, citations, group_segments, prune_quotation_clusters
from dedup.reuse.groups import BULK_DATE_MIN_DOCS, build_groups, evidence_dates, outlet_names
from dedup.reuse.params import DEFAULT, ReuseParams
from dedup.reuse.pass1 import raw_row, records, scan, select_rows
from dedup.reuse.passages import DocPassages
from dedup.runtime.reuse_pairs import slice_bits
from dedup.runtime.reuse_tuning import ReuseTuning

CONFIG = Config()
QUOTE = ("The minister told reporters on Tuesday that the new agreement would cut emissions across the whole"
         " region by half before the end of the decade.")


def _doc(doc_id: str, text: str, outlet: str | None = None) -> Document:
    return Document(id=doc_id, source=doc_id, content_hash=doc_id, raw=text, text=text, outlet=outlet)


# ----------------------------------------------------------------------------- runs and chains
def test_runs_merge_one_diagonal_and_drop_short_ones() -> None:
    blocks = {(0, 10, 4), (2, 12, 5), (20, 3, 1), (30, 40, 3)}
    assert runs(blocks, min_block=2) == [(0, 10, 7), (30, 40, 3)]


def test_chains_bridge_edits_and_omissions_but_not_chance() -> None:
    p = DEFAULT
    # an edit of a few tokens on both sides
    assert gap_ok(3, 4, (0, 0, 2), (10, 10, 2), p)
    # a one-sided omission between substantial runs only
    assert gap_ok(30, 1, (0, 0, 8), (38, 9, 8), p)
    assert not gap_ok(30, 1, (0, 0, 2), (38, 9, 8), p)
    assert not gap_ok(-1, 0, (0, 0, 8), (7, 8, 8), p)
    chains = chain_runs([(0, 0, 10), (12, 13, 10), (60, 200, 10)], p)
    assert chains == [[(0, 0, 10), (12, 13, 10)], [(60, 200, 10)]]
    # a short run apart from the rest at an end is chance
    assert trim([(0, 0, 2), (10, 10, 12)], p.min_omission_run) == [(10, 10, 12)]
    assert trim([(0, 0, 12), (13, 13, 2)], p.min_omission_run) == [(0, 0, 12), (13, 13, 2)]


def _prepared(docs: dict[int, Document]) -> tuple[dict[int, DocPassages], dict[int, npt.NDArray[np.uint32]]]:
    out = prepare([d.text for d in docs.values()], CONFIG.seed, DEFAULT)
    return ({i: dp for i, (dp, _, _) in zip(docs, out, strict=True)},
            {i: sigs for i, (_, sigs, _) in zip(docs, out, strict=True)})


def test_windows_and_alignment_of_a_shared_sentence() -> None:
    a = "Weather was fine in the north. " + QUOTE + " Sports results came later in the evening."
    b = "An opposition leader spoke first. Reuters reported: " + QUOTE
    docs = {0: _doc("a", a), 1: _doc("b", b)}
    passages, sigs = _prepared(docs)
    pairs = np.array([[0, 1]], dtype=np.int64)
    windows, boiler = passage_windows(passages, sigs, {0: 0, 1: 1}, pairs, np.empty(0, np.int64), DEFAULT)
    assert list(windows) == [(0, 1)] and not boiler
    (seg,) = align(0, 1, windows[(0, 1)], docs, passages, boiler, CONFIG, DEFAULT)
    for text, (start, end) in ((a, seg.a_chr), (b, seg.b_chr)):
        assert text[start:end] in QUOTE and end - start > len(QUOTE) - 10
    # not a pair pass 1 found: no window
    none, _ = passage_windows(passages, sigs, {0: 0, 1: 1}, np.empty((0, 2), np.int64), np.empty(0, np.int64), DEFAULT)
    assert none == {}
    # the sentence is boilerplate: no segment
    exact = np.unique(np.concatenate([e for _, _, e in prepare([a, b], CONFIG.seed, DEFAULT)]).astype(np.int64))
    windows, boiler = passage_windows(passages, sigs, {0: 0, 1: 1}, pairs, exact, DEFAULT)
    assert windows == {} and boiler


def test_alignment_memo_serves_copies_and_changes_nothing() -> None:
    """Two copies of a quoting article against one source: the second pair's windows are the first
    pair's word for word, so they are aligned once (the memo), and each pair's segments are what an
    alignment without the memo gives."""
    src = "Weather was fine in the north. " + QUOTE + " Sports results came later in the evening."
    quoting = ("An opposition leader spoke first, and the debate that followed ran on for most of the "
               "afternoon while members of every party waited for the vote. Reuters reported: " + QUOTE)
    # a copy word for word, as wire copies are (a copy edited within the alignment margin, 25 tokens
    # around a passage, has windows of its own)
    docs = {0: _doc("a", src), 1: _doc("b", quoting), 2: _doc("c", quoting)}
    passages, sigs = _prepared(docs)
    pairs = np.array([[0, 1]], dtype=np.int64)
    windows, boiler = passage_windows(passages, sigs, {0: 0, 1: 1, 2: 1}, pairs, np.empty(0, np.int64), DEFAULT)
    assert set(windows) == {(0, 1), (0, 2)}
    memo: dict[tuple[bytes, bytes], list[tuple[int, int, int]]] = {}
    first = align(0, 1, windows[(0, 1)], docs, passages, boiler, CONFIG, DEFAULT, memo)
    size = len(memo)
    second = align(0, 2, windows[(0, 2)], docs, passages, boiler, CONFIG, DEFAULT, memo)
    assert len(memo) == size  # nothing new to align
    assert first == align(0, 1, windows[(0, 1)], docs, passages, boiler, CONFIG, DEFAULT)
    assert second == align(0, 2, windows[(0, 2)], docs, passages, boiler, CONFIG, DEFAULT)
    (s1,), (s2,) = first, second
    assert (s1.a, s1.b, s2.a, s2.b) == (0, 1, 0, 2) and s1.b_chr == s2.b_chr and s1.a_chr == s2.a_chr


def test_match_pairs_reports_one_edge_per_passage_per_cluster_pair() -> None:
    a = "Weather was fine in the north. " + QUOTE
    docs = {0: _doc("a", a, outlet="Alpha"), 1: _doc("a2", a + " A wire copy.", outlet="Alpha Wire"),
            2: _doc("b", "According to Alpha, " + QUOTE[0].lower() + QUOTE[1:], outlet="Beta")}
    passages, sigs = _prepared(docs)
    batch = PairBatch(docs=docs, passages=passages, sigs=sigs, group={0: 3, 1: 3, 2: 2},
                      canonical={3: 0, 2: 2}, group_names={3: ["Alpha", "Alpha Wire"], 2: ["Beta"]},
                      dates={0: None, 1: None, 2: None}, mentions={}, pairs=np.array([[2, 3]], dtype=np.int64),
                      boiler_keys=np.empty(0, np.int64))
    (item,) = match_pairs(batch, CONFIG, DEFAULT)
    seg, _, reuse = item
    assert (seg.a, seg.b, seg.also_in) == (0, 2, {1})
    assert reuse.also_in == ["a2"] and {reuse.quoting, reuse.source} == {"a", "b"}


# ----------------------------------------------------------------------------- edges
def _seg(a: int, b: int, a_chr: tuple[int, int], b_chr: tuple[int, int], matched: int = 10) -> Segment:
    return Segment(a, b, (0, matched), (0, matched), a_chr, b_chr, matched)


def test_group_segments_keeps_the_canonical_pair_and_lists_the_copies() -> None:
    # documents 0 and 1 are copies (group 5, canonical 1); both share a passage with 2
    s02 = _seg(0, 2, (0, 100), (50, 150), matched=20)
    s12 = _seg(1, 2, (0, 100), (50, 150), matched=18)
    other = _seg(1, 2, (300, 400), (500, 600))
    out = group_segments([s02, s12, other], {0: 5, 1: 5, 2: 2}, {5: 1, 2: 2})
    assert out == [s12, other]
    assert s12.also_in == {0} and other.also_in == set()


def test_group_segments_reports_a_passage_of_two_copy_groups_once() -> None:
    # groups 7 = {0 canonical, 1} and 8 = {2 canonical, 3}: all four member pairs carry one passage
    # (at other offsets in each copy); the pair of the two non-canonical copies (1-3) shares no
    # document with the canonical report but is the same passage: it joins it, it is no second edge
    c02 = _seg(0, 2, (100, 300), (50, 250), matched=30)
    m12 = _seg(1, 2, (140, 340), (50, 250), matched=29)
    m03 = _seg(0, 3, (100, 300), (10, 210), matched=29)
    m13 = _seg(1, 3, (140, 340), (10, 210), matched=30)
    elsewhere = _seg(1, 3, (900, 1000), (700, 800), matched=12)  # a passage the canonical copies lack
    group, canonical = {0: 7, 1: 7, 2: 8, 3: 8}, {7: 0, 8: 2}
    out = group_segments([m13, elsewhere, m12, c02, m03], group, canonical)
    assert out == [c02, elsewhere]
    assert c02.also_in == {1, 3} and elsewhere.also_in == set()


def test_group_segments_keeps_one_passage_quoted_in_two_places_twice() -> None:
    # one document repeats a passage of the other (in its opening and near its end): two reports,
    # whichever of the two documents (0 or 1) repeats it
    repeated = (((0, 100), (500, 600)), ((2000, 2100), (500, 600)))
    for flip in (False, True):
        first, again = (Segment(0, 1, (0, 15), (0, 15), *(sides[::-1] if flip else sides), 15) for sides in repeated)
        out = group_segments([first, again], {0: 0, 1: 1}, {0: 0, 1: 1})
        assert out == [first, again] and first.also_in == set() and again.also_in == set(), flip


def _item(seg: Segment, direction: Literal["quotes", "unknown"] = "unknown", source: int | None = None,
          attributed: bool = False) -> Item:
    quoting = seg.a if source != seg.a else seg.b
    ver = Verdict(quoting, source if source is not None else seg.b, direction, 0.5, [], False, None, attributed)
    span = Span(0, 1, "x", None, None)
    return seg, ver, Reuse(str(quoting), str(ver.source), direction, span, span, 1.0, False, None, [], 0.5, [])


def test_quotation_clusters_keep_the_edges_to_the_root() -> None:
    # x (0) and y (1) both quote z (2); the x-y edge lies inside both
    xz = _item(_seg(0, 2, (0, 100), (0, 100)), "quotes", source=2)
    yz = _item(_seg(1, 2, (10, 110), (0, 100)), "quotes", source=2)
    xy = _item(_seg(0, 1, (10, 90), (20, 100)))
    dates = {0: "2022-02-01", 1: "2022-02-02", 2: "2022-01-01"}
    assert prune_quotation_clusters([xz, yz, xy], dates.get, DEFAULT.cover) == [xz, yz]
    # evidence pointing away from z keeps x-y; x is the root now, and y-z goes
    zx = _item(_seg(0, 2, (0, 100), (0, 100)), "quotes", source=0)
    assert prune_quotation_clusters([zx, yz, xy], dates.get, DEFAULT.cover) == [zx, xy]
    # an attributed edge is never explained away
    xy_attr = _item(_seg(0, 1, (10, 90), (20, 100)), attributed=True)
    assert prune_quotation_clusters([xz, yz, xy_attr], dates.get, DEFAULT.cover) == [xz, yz, xy_attr]
    # the x-y stretch mostly outside x-z: x's own words, kept
    xy_wide = _item(_seg(0, 1, (50, 400), (20, 370)))
    assert prune_quotation_clusters([xz, yz, xy_wide], dates.get, DEFAULT.cover) == [xz, yz, xy_wide]


def test_citations_resolve_only_to_an_article_holding_the_cited_text() -> None:
    docs = [_doc("a", "x", outlet="Daily Herald"), _doc("b", "x", outlet="Evening Post"),
            _doc("c", "According to the Daily Herald, the talks failed. Reuters reported nothing else.",
                 outlet="Gamma")]
    names = [outlet_names(d.outlet, d.title, d.url, d.inferred) for d in docs]
    groups = build_groups({d.id: i for i, d in enumerate(docs)}, names, [None] * 3, [])
    raw = {2: [raw_row(m, docs[2].span(m.start, m.end)) for m in raw_mentions(docs[2].text)]}
    selected = {i: sel for i, rows in raw.items() if (sel := select_rows(rows, groups.outlets))}
    cites = citations([], groups, [d.id for d in docs], selected, raw, lambda x, y: x.lower() == y.lower())
    # the Daily Herald is in the corpus, but c shares no text with its article: not resolved
    assert {(c.outlet, c.resolved_to, c.status) for c in cites} == {
        ("Daily Herald", None, "outlet in corpus, article not found"), ("Reuters", None, "outlet not in corpus")}
    assert all(c.span.text == docs[2].text[c.span.start : c.span.end] for c in cites)
    # with a passage shared between c and a, the citation is a's
    seg = Segment(0, 2, (0, 1), (0, 1), (0, 1), (0, 1), 1)
    ver = Verdict(2, 0, "quotes", 0.7, [], False, None, True, "quotes")
    cites = citations([(seg, ver, Reuse("c", "a", "quotes", docs[2].span(0, 1), docs[0].span(0, 1), 1.0, False))],
                      groups, [d.id for d in docs], selected, raw, lambda x, y: x.lower() == y.lower())
    assert ("Daily Herald", "a", "resolved") in {(c.outlet, c.resolved_to, c.status) for c in cites}
    # a passage shared far from the mention is not the text it attributes: not resolved
    far = Segment(0, 2, (0, 1), (0, 1), (0, 1), (600, 700), 1)
    cites = citations([(far, ver, Reuse("c", "a", "quotes", docs[2].span(0, 1), docs[0].span(0, 1), 1.0, False))],
                      groups, [d.id for d in docs], selected, raw, lambda x, y: x.lower() == y.lower())
    assert ("Daily Herald", None, "outlet in corpus, article not found") in {
        (c.outlet, c.resolved_to, c.status) for c in cites}


def test_an_interview_or_a_dateline_resolves_to_no_article() -> None:
    docs = [_doc("a", "x", outlet="Daily Herald"),
            _doc("c", "In an interview on the Daily Herald, the minister said the talks failed.", outlet="Gamma"),
            _doc("d", "LONDON (DH) — The talks failed, the minister said.", outlet="Gamma")]
    names = [outlet_names(d.outlet, d.title, d.url, d.inferred) for d in docs]
    names[0].append("DH")
    groups = build_groups({d.id: i for i, d in enumerate(docs)}, names, [None] * 3, [])
    raw = {i: [raw_row(m, docs[i].span(m.start, m.end)) for m in raw_mentions(docs[i].text)] for i in (1, 2)}
    selected = {i: sel for i, rows in raw.items() if (sel := select_rows(rows, groups.outlets))}
    items = []
    for i in (1, 2):
        seg = Segment(0, i, (0, 1), (0, 1), (0, 1), (30, 60), 1)
        ver = Verdict(i, 0, "quotes", 0.7, [], False, None, True, "quotes")
        items.append((seg, ver, Reuse(docs[i].id, "a", "quotes", docs[i].span(30, 60), docs[0].span(0, 1), 1.0,
                                      False)))
    cites = citations(items, groups, [d.id for d in docs], selected, raw, lambda x, y: x.lower() == y.lower())
    assert sorted((c.doc, c.outlet, c.resolved_to) for c in cites) == [("c", "Daily Herald", None), ("d", "DH", None)]


def test_groups_of_clusters_and_singletons() -> None:
    names = [["A"], ["A Wire", "A"], [], ["B"]]
    dates = ["2022-01-02", "2022-01-01", None, None]
    groups = build_groups({"a": 0, "b": 1, "c": 2, "d": 3}, names, dates,
                          [Cluster("k", ["a", "b", "x"], "b", "t"), Cluster("lone", ["c", "y"], "c", "t")])
    assert groups.group.tolist() == [4, 4, 2, 3]
    assert groups.members == {2: [2], 3: [3], 4: [0, 1]}
    assert groups.canonical == {4: 1, 2: 2, 3: 3}
    assert groups.names[4] == ["A", "A Wire"] and groups.date[4] == "2022-01-01"
    assert groups.date_of(2, dates) is None and groups.date_of(0, dates) == "2022-01-02"
    assert groups.outlets.lookup("A Wire") == {4}


# ----------------------------------------------------------------------------- pass 1 and candidates
def test_winnowing_finds_any_six_shared_words() -> None:
    shared = "the committee will publish its final report"
    texts = [f"Yesterday in parliament {shared} on Friday morning.", f"Reporters heard that {shared} soon.",
             "Nothing in common here at all, only other words entirely."]
    fp_doc, fp, raws = scan(texts, DEFAULT)
    by_doc = [set(fp[fp_doc == k].tolist()) for k in range(3)]
    assert by_doc[0] & by_doc[1] and not by_doc[0] & by_doc[2]
    assert raws == [[], [], []]
    # a text shorter than a window keeps all its shingles
    short_doc, short, _ = scan(["one two three four"], DEFAULT)
    assert len(short) == 2 and (short_doc == 0).all()


def test_records_keep_mention_spans_of_the_raw_text() -> None:
    doc = _doc("a", "Talks resumed, according to Reuters, after a long pause in the spring.")
    ((fps, rows),) = records([doc], *scan([doc.text], DEFAULT))
    assert np.all(np.diff(fps.astype(np.int64)) > 0)
    (row,) = rows
    assert row[0] == "Reuters" and doc.text[row[1] : row[2]] == row[7]


def test_slice_counts_are_the_definition() -> None:
    # documents 0-5 in groups 0, 0, 1, 2, 3, 4; fingerprint 9 is in five groups (common when the limit is 4)
    group = np.array([0, 0, 1, 2, 3, 4], dtype=np.int64)
    fps = [np.array(f, dtype=np.uint32) for f in ([1, 2, 3, 9], [1, 2, 3, 4], [1, 2, 3, 9], [2, 3, 4, 9], [9], [9])]
    params = ReuseParams(max_fp_groups=4, min_shared_fp=2)
    keys = np.sort(np.concatenate([(f.astype(np.uint64) << np.uint64(32)) | np.uint64(i) for i, f in enumerate(fps)]))
    for part_bits in (0, 1, 3):
        packed, common = [], []
        slices = KeySlices.of([keys[:7], keys[7:]], part_bits)
        for part in range(1 << part_bits):
            key = slices.take(part)
            if key is not None:
                c, p = count_slice(key, group, 5, params)
                common.append(c)
                packed.append(p)
        codes = np.sort(pairs_of_counts(np.concatenate(packed), params.min_shared_fp))
        assert [(c // 5, c % 5) for c in codes.tolist()] == [(0, 1), (0, 2), (1, 2)]
        assert np.concatenate(common).tolist() == [9]
    want, want_common = reference_pairs(fps, group, params)
    assert want.tolist() == [[0, 1], [0, 2], [1, 2]] and want_common.tolist() == [9]


def test_key_slices_give_each_slice_once_by_its_fingerprint_range() -> None:
    # keys arrive as sorted arrays (one per chunk of documents); each slice is taken once, then gone
    rng = np.random.default_rng(3)
    chunks = []
    for lo in range(0, 60, 20):
        fps = rng.integers(0, 1 << 32, size=(20, 15), dtype=np.uint64)
        fps[:, :3] = [7, 1 << 31, (1 << 32) - 1]  # fingerprints every document holds, at both ends
        chunks.append(np.sort(((fps << np.uint64(32)) | np.arange(lo, lo + 20, dtype=np.uint64)[:, None]).ravel()))
    every = np.sort(np.concatenate(chunks))
    for part_bits in (0, 1, 3, 6):
        slices = KeySlices.of(chunks, part_bits)
        assert slices.size == 900
        taken = [slices.take(part) for part in range(1 << part_bits)]
        # slice p holds the keys whose top part_bits bits are p, sorted
        top = every >> np.uint64(64 - part_bits) if part_bits else np.zeros(len(every), np.uint64)
        want = [every[top == part].tolist() or None for part in range(1 << part_bits)]
        assert [None if t is None else t.tolist() for t in taken] == want
        assert all(slices.take(part) is None for part in range(1 << part_bits))
    assert slice_bits(900, ReuseTuning(small_count=900)) == 0
    assert slice_bits(900, ReuseTuning(small_count=899, fp_part_bits=2)) == 2


def test_boilerplate_of_one_outlet_and_of_the_corpus() -> None:
    # six documents, each its own group; outlets A, A, A, B, C, C
    names = [["A"], ["A"], ["A"], ["B"], ["C"], ["C"]]
    groups = build_groups({str(i): i for i in range(6)}, names, [None] * 6, [])
    owner = np.array([0, 1, 2, 3, 4, 5, 3, 4, 0, 1], dtype=np.int64)
    exact = np.array([7, 7, 7, 8, 8, 8, 5, 5, 6, 6], dtype=np.uint64)
    # key 7 is in three groups of outlet A; key 6 in two of A; 8 in three groups of two outlets
    assert boilerplate(owner, exact, groups, 3, DEFAULT).tolist() == [7]
    assert boilerplate(owner, exact, groups, 2, DEFAULT).tolist() == [6, 7, 8]
    assert boilerplate(owner, exact, groups, 3, ReuseParams(global_boiler_min=3)).tolist() == [7, 8]
    # in slices of the key range: the same
    assert boilerplate(owner, exact, groups, 2, DEFAULT, small_count=0, part_bits=2).tolist() == [6, 7, 8]


def test_a_date_most_documents_share_is_no_evidence() -> None:
    # a crawl's scrape day written into most records as their date
    n = BULK_DATE_MIN_DOCS
    scrape = ["2018-07-16"] * (n // 2 + 1) + ["2018-07-17"] * (n // 2) + [None]
    assert evidence_dates(scrape) == [None] * (n // 2 + 1) + ["2018-07-17"] * (n // 2) + [None]
    # publication dates spread over days are all evidence; so are a few documents of one day
    spread = [f"2018-07-{d:02d}" for d in range(1, n + 1)] + ["2018-07-01"] * (n // 2)
    assert evidence_dates(spread) == spread
    few = ["2018-07-16"] * (n - 2) + ["2018-07-01"]
    assert evidence_dates(few) == few


def test_matching_blocks_are_the_equal_opcodes() -> None:
    """align reads the equal runs of an alignment as rapidfuzz's matching blocks of its edit
    operations; they are exactly the "equal" opcodes (same starts, same lengths), on copies with
    edits, insertions and deletions and on unrelated texts."""
    from rapidfuzz.distance import Indel

    rng = np.random.default_rng(7)
    for _ in range(2000):
        a = rng.integers(0, 40, int(rng.integers(20, 120))).tolist()
        b = list(a)
        for _ in range(int(rng.integers(0, 15))):
            i = int(rng.integers(0, len(b)))
            kind = rng.random()
            if kind < 0.4:
                b[i] = int(rng.integers(0, 40))
            elif kind < 0.7 and len(b) > 1:
                del b[i]
            else:
                b.insert(i, int(rng.integers(0, 40)))
        if rng.random() < 0.2:
            b = rng.integers(0, 40, len(a)).tolist()
        equal = [(op.src_start, op.dest_start, op.src_end - op.src_start)
                 for op in Indel.opcodes(a, b) if op.tag == "equal"]
        blocks = [(m.a, m.b, m.size) for m in Indel.editops(a, b).as_matching_blocks() if m.size > 0]
        assert blocks == equal


def test_within_pairs_makes_every_pair_of_every_run_once() -> None:
    """The bucket pairing makes, for many runs at once, exactly the pairs (p, q), p < q, inside each
    run; runs of sizes whose pairs pass the per-call bound come in several calls, none lost."""
    import importlib
    from itertools import combinations

    # (the module: the package's ``align`` name is the function)
    within = importlib.import_module("dedup.reuse.align")._within_pairs
    rng = np.random.default_rng(3)
    for sizes in ([2], [3, 2, 5], rng.integers(2, 30, 40).tolist(), [1500, 2, 1500]):
        sz = np.asarray(sizes, dtype=np.int64)
        starts = np.r_[0, np.cumsum(sz)[:-1]].astype(np.int64) + 4
        got: list[tuple[int, int]] = []
        for a, b in within(starts, sz):
            got.extend(zip(a.tolist(), b.tolist(), strict=True))
        want = [(s + i, s + j) for s, z in zip(starts.tolist(), sizes, strict=True)
                for i, j in combinations(range(z), 2)]
        assert sorted(got) == sorted(want) and len(got) == len(set(got))
