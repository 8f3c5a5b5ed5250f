"""Passage reuse on the seeds, on data-driven cases, and properties of any output."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.models import Citation, Cluster, Document, Reuse
from dedup.runtime.reuse_runner import ReuseTuning, find_reuses
from tests.conftest import SEEDS, load_cases

CONFIG = Config()


def _doc(doc_id: str, text: str, **meta: Any) -> Document:
    return Document(id=doc_id, source=doc_id, content_hash=doc_id, raw=text, text=text, **meta)


def _seed_docs_by_hand() -> list[Document]:
    """Raw seed text with the metadata a cleaner would find, set by hand."""
    meta: dict[str, dict[str, Any]] = {
        "000": {"title": "Iran and Russia gain strength in Mali | Atalayar", "date": "2022-09-17"},
        "001": {},
        "002": {"outlet": "jpost"},
        "003": {"outlet": "MENAFN", "date": "2024-08-05"},
        "004": {"outlet": "Warsaw Institute", "date": "2023-02-15"},
    }
    return [
        _doc(p.name[:3], p.read_text(encoding="utf-8"), **meta[p.name[:3]])
        for p in sorted(SEEDS.glob("*.txt"))
    ]


def _seed_docs_cleaned() -> list[Document]:
    clean_mod = pytest.importorskip("dedup.clean")
    docs = []
    for p in sorted(SEEDS.glob("*.txt")):
        raw = p.read_text(encoding="utf-8")
        res = clean_mod.clean(raw)
        docs.append(
            Document(
                id=p.name[:3], source=p.name, content_hash=p.name, raw=raw, text=res.text,
                offsets=list(res.offsets), title=res.meta.get("title"), outlet=res.meta.get("outlet"),
                date=res.meta.get("date"),
            )
        )
    return docs


SEED_CLUSTERS = [Cluster(id="c", members=["000", "001"], canonical="001", reason="test")]


def _check_seeds(docs: list[Document]) -> None:
    reuses, citations = find_reuses(docs, SEED_CLUSTERS, CONFIG)
    assert not [r for r in reuses if {"003", "004"} & {r.quoting, r.source, *r.also_in}]
    (edge,) = reuses
    assert (edge.quoting, edge.source, edge.direction, edge.quoted) == ("002", "001", "quotes", True)
    assert edge.attribution is not None
    assert (edge.attribution.outlet, edge.attribution.year) == ("Atalayar", 2022)
    assert edge.also_in == ["000"]
    q = next(d for d in docs if d.id == "002").text
    want_start = q.index("a month after French troops")
    want_end = q.index("expand its influence") + len("expand its influence")
    assert abs(edge.quoting_span.start - want_start) <= 20
    assert abs(edge.quoting_span.end - want_end) <= 20
    assert edge.confidence > 0.5 and edge.evidence
    cites = {c.outlet: c for c in citations if c.doc == "002"}
    for name in ("Tasnim", "Arab News", "VOA", "Al-Jazeera", "Al-Mashareq", "UNHCR"):
        assert name in cites, name
        assert cites[name].resolved_to is None
    assert cites["Atalayar"].resolved_to == "001"
    _check_spans(docs, reuses, citations)


def _check_spans(docs: list[Document], reuses: list[Reuse], citations: list[Citation]) -> None:
    by_id = {d.id: d for d in docs}
    for r in reuses:
        for doc_id, span in ((r.quoting, r.quoting_span), (r.source, r.source_span)):
            assert span.text == by_id[doc_id].text[span.start : span.end]
            assert span.end - span.start >= CONFIG.min_reuse_chars
    for c in citations:
        assert c.span.text == by_id[c.doc].text[c.span.start : c.span.end]


def test_seeds_raw_text() -> None:
    _check_seeds(_seed_docs_by_hand())


def test_seeds_cleaned() -> None:
    _check_seeds(_seed_docs_cleaned())


def test_seed_spans_map_to_raw() -> None:
    docs = _seed_docs_cleaned()
    reuses, _ = find_reuses(docs, SEED_CLUSTERS, CONFIG)
    raw = next(d for d in docs if d.id == "002").raw
    span = reuses[0].quoting_span
    assert span.raw_start is not None and span.raw_end is not None
    assert raw[span.raw_start : span.raw_end].startswith("a month after French troops")


def test_deterministic_and_order_free() -> None:
    docs = _seed_docs_by_hand()
    first = find_reuses(docs, SEED_CLUSTERS, CONFIG)
    second = find_reuses(list(reversed(docs)), SEED_CLUSTERS, CONFIG)
    assert [r.to_dict() for r in first[0]] == [r.to_dict() for r in second[0]]
    assert [c.to_dict() for c in first[1]] == [c.to_dict() for c in second[1]]


def test_empty_inputs() -> None:
    assert find_reuses([], [], CONFIG) == ([], [])
    assert find_reuses([_doc("a", ""), _doc("b", "   ")], [], CONFIG) == ([], [])


# ------------------------------------------------------------------ data-driven cases


@pytest.mark.parametrize("case", load_cases("reuse"))
def test_case(case: dict[str, Any]) -> None:
    docs = [_doc(d["id"], d["text"], **{k: v for k, v in d.items() if k not in ("id", "text")})
            for d in case["docs"]]
    clusters = [Cluster(id=f"c{i}", members=c["members"], canonical=c["canonical"], reason="case")
                for i, c in enumerate(case.get("clusters", []))]
    reuses, citations = find_reuses(docs, clusters, CONFIG)
    _check_spans(docs, reuses, citations)
    got = sorted((r.quoting, r.source, r.direction) for r in reuses)
    want = sorted((e["quoting"], e["source"], e["direction"]) for e in case["edges"])
    assert got == want, [r.to_dict() for r in reuses]
    for e in case["edges"]:
        r = next(x for x in reuses if (x.quoting, x.source) == (e["quoting"], e["source"]))
        if "attribution" in e:
            assert r.attribution is not None and r.attribution.outlet == e["attribution"]
        if "also_in" in e:
            assert r.also_in == e["also_in"]
        if "quoting_text" in e:
            assert r.quoting_span.text == e["quoting_text"]
    for c in case.get("citations", []):
        hits = [x for x in citations if x.doc == c["doc"] and x.outlet == c["outlet"]]
        assert hits, (c, [x.to_dict() for x in citations])
        assert hits[0].resolved_to == c.get("resolved_to")
    for c in case.get("no_citations", []):
        assert not [x for x in citations if x.doc == c["doc"] and x.outlet == c["outlet"]]


# ------------------------------------------------------------------ properties

_WORDS = st.sampled_from(
    "the minister said on monday that talks with the union would resume next week after a long "
    "dispute over pay and conditions in the northern region where workers have been on strike".split()
)
_SENTENCE = st.lists(_WORDS, min_size=4, max_size=18).map(lambda ws: " ".join(ws).capitalize() + ".")
_TEXT = st.lists(_SENTENCE, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=_TEXT,
    other=_TEXT,
    quote=st.lists(_SENTENCE, min_size=1, max_size=3).map(" ".join),
    marks=st.booleans(),
    glue=st.sampled_from([" ", "\n\n", "", " … "]),
)
def test_spans_are_text_slices(base: str, other: str, quote: str, marks: bool, glue: str) -> None:
    quoted = f"“{quote}”" if marks else quote
    docs = [
        _doc("a", base + glue + quote, outlet="Alpha Times", date="2022-01-01"),
        _doc("b", other + glue + f"According to Alpha Times, {quoted}" + glue + base[:40], date="2022-02-01"),
        _doc("c", quote + glue + other, outlet="Gamma"),
    ]
    reuses, citations = find_reuses(docs, [], CONFIG)
    _check_spans(docs, reuses, citations)
    for r in reuses:
        assert r.quoting != r.source
        assert r.direction in ("quotes", "unknown")
        assert 0.0 <= r.confidence <= 1.0
        if r.direction == "unknown":
            assert r.quoting < r.source
    assert reuses == find_reuses(docs, [], CONFIG)[0]


# ------------------------------------------------------------------ chunking and workers


def _all_cases_corpus() -> tuple[list[Document], list[Cluster]]:
    """Every data-driven case in one corpus (ids prefixed by case), with its clusters."""
    docs: list[Document] = []
    clusters: list[Cluster] = []
    for k, param in enumerate(load_cases("reuse")):
        case = param.values[0]
        for d in case["docs"]:
            meta = {key: v for key, v in d.items() if key not in ("id", "text")}
            docs.append(_doc(f"{k}-{d['id']}", d["text"], **meta))
        for i, c in enumerate(case.get("clusters", [])):
            clusters.append(Cluster(id=f"{k}-c{i}", members=[f"{k}-{m}" for m in c["members"]],
                                    canonical=f"{k}-{c['canonical']}", reason="case"))
    return docs, clusters


def test_same_result_for_any_chunking_and_workers() -> None:
    docs, clusters = _all_cases_corpus()
    want = find_reuses(docs, clusters, CONFIG)
    assert want[0]
    tuning = ReuseTuning(scan_chunk=3, prepare_chunk=2, pass2_chunk_docs=3, fp_part_bits=1, small_count=0)
    for workers in (1, 2):
        got = find_reuses(docs, clusters, CONFIG, workers=workers, tuning=tuning)
        assert [r.to_dict() for r in got[0]] == [r.to_dict() for r in want[0]]
        assert [c.to_dict() for c in got[1]] == [c.to_dict() for c in want[1]]


def test_pathological_documents_stay_fast() -> None:
    import time

    sentence = ("The minister told reporters on Tuesday that the new agreement would cut emissions"
                " across the whole region by half before the end of the decade. ")
    docs = [_doc("a", "a " * 200_000 + sentence), _doc("b", sentence + "Mr. " * 100_000),
            _doc("c", "PHOTO/" * 70_000)]
    t = time.process_time()
    reuses, _ = find_reuses(docs, [], CONFIG)
    assert time.process_time() - t < 10
    assert [(r.quoting, r.source) for r in reuses] == [("a", "b")]
