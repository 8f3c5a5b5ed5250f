"""The report on a large corpus: the first screen answers who carried what, the page stays small,
no picture is wider than a screen, no Mermaid block is too large for Mermaid.

The corpus is made by hand (:func:`scale_db`), so the figures the report must show are known:
a wire story with 80 witnesses is the text carried most, and one outlet pair takes most from
each other with attributed quotations.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from dedup.corpus import Corpus
from dedup.models import Attribution, Citation, Cluster, Document, Reuse, Span
from dedup.report import plan as budget
from dedup.report import render_html, render_markdown
from dedup.report.markdown import MAX_MERMAID
from dedup.store import Store

MAX_PAGE = 3_000_000


@dataclass
class Truth:
    docs: int
    top_source_witnesses: int
    top_pair: tuple[str, str]
    top_pair_quotes: int
    reuses: int
    shares: int


def _span(rng: random.Random, doc: str) -> Span:
    start = rng.randrange(0, 2000)
    words = " ".join(f"w{rng.randrange(10_000)}" for _ in range(30))
    return Span(start, start + len(words), f"{doc} says {words}")


def scale_db(path: Path, n: int = 3000, seed: int = 7) -> tuple[Path, Truth]:
    """``n`` documents of 60 outlets: clusters of copies (one of 40, ten of 10, 150 of 3), reuse of
    every strength, 300 common sources (one wire story carried by 80), citations of outside outlets."""
    rng = random.Random(seed)
    outlets = [f"outlet{i:02d}.example" for i in range(60)]
    docs = [Document(id=f"d{i:05d}", source=f"/in/d{i:05d}", content_hash=f"h{i}", raw="x", text="x" * 3000,
                     title=f"Story {i} of the day", outlet=rng.choice(outlets), date=f"2024-03-{1 + i % 28:02d}")
            for i in range(n)]
    ids = [d.id for d in docs]
    clusters: list[Cluster] = []
    at = 0
    for size in [40] + [10] * 10 + [3] * 150:
        members = ids[at:at + size]
        clusters.append(Cluster(f"c{at:05d}", members, members[0], "longest complete copy"))
        at += size
    clusters += [Cluster(f"c{i:05d}", [d], d, "only copy") for i, d in enumerate(ids[at:], at)]

    reuses: list[Reuse] = []

    def edge(a: str, b: str, direction: str, kind: str, attributed: bool = False) -> None:
        attr = Attribution(by_id[b].outlet or "", None, f"according to {by_id[b].outlet}") if attributed else None
        reuses.append(Reuse(a, b, direction, _span(rng, a), _span(rng, b), 0.9, attributed, attr,  # type: ignore[arg-type]
                            [f"evidence for {a} and {b}"], 0.9 if attributed else 0.35, [], kind))  # type: ignore[arg-type]

    by_id = {d.id: d for d in docs}
    # the planted pair: some 40 articles of one outlet each quote one of another's, with attribution
    takers = [d for d in docs[at:] if d.outlet == outlets[0]][:50]
    givers = [d for d in docs[at:] if d.outlet == outlets[1]][:50]
    for a, b in zip(takers, givers, strict=False):
        edge(a.id, b.id, "quotes", "quotes", attributed=True)
    for _ in range(120):
        edge(rng.choice(ids), rng.choice(ids), "quotes", "quotes", attributed=True)
    for _ in range(80):
        edge(rng.choice(ids), rng.choice(ids), "quotes", "republishes")
    for _ in range(200):
        edge(rng.choice(ids), rng.choice(ids), "quotes", "reuses")
    for _ in range(700):
        edge(rng.choice(ids), rng.choice(ids), "unknown", "reuses")
    directed = len(reuses)

    sources: list[dict[str, Any]] = []
    for k in range(300):
        size = 80 if k == 0 else rng.randrange(2, 30)
        wit = sorted(rng.sample(ids, size), key=lambda d: (by_id[d].date or "", d))
        sources.append({"id": f"s{k:03d}", "kind": ("wire", "speaker", "unknown")[k % 3],
                        "name": "Associated Press" if k == 0 else f"Speaker {k}", "venue": None,
                        "passage": f"passage of source {k} " * 8,
                        "witnesses": [{"doc": w, "start": 0, "end": 100, "date": by_id[w].date} for w in wit]})
        for a, b in itertools.pairwise(wit):
            edge(a, b, "unknown", "shares")
    citations = [Citation(rng.choice(ids), f"Outside Outlet {rng.randrange(90)}", Span(0, 10, "said Outside"),
                          "as Outside reported") for _ in range(1500)]
    citations += [Citation(a.id, b.outlet or "", Span(0, 10, "according"), "according to", resolved_to=b.id)
                  for a, b in zip(takers[:20], givers[:20], strict=False)]

    store = Store(str(path))
    run = store.start_run("test", "hand-made", {}, [])
    store.save_documents(docs, run, "key", {})
    updates = {m: {"cluster": c.id, "canonical": int(m == c.canonical), "completeness": 1.0, "gaps": "[]",
                   "inferred": "{}"} for c in clusters for m in c.members}
    store.save_results(
        clusters, updates,
        [{"id": f"r{i:05d}", "quoting": r.quoting, "source": r.source, "direction": r.direction, "kind": r.kind,
          "data": json.dumps(r.to_dict())} for i, r in enumerate(reuses)],
        [{"id": f"c{i:05d}", "doc": c.doc, "outlet": c.outlet, "resolved_to": c.resolved_to,
          "data": json.dumps(c.to_dict())} for i, c in enumerate(citations)],
        sources=[{"id": s["id"], "kind": s["kind"], "name": s["name"], "data": json.dumps(s)} for s in sources],
    )
    store.finish_run(run, {}, {}, "ok", 0)
    store.close()
    truth = Truth(n, 80, (outlets[0], outlets[1]), min(len(takers), len(givers)), directed, len(reuses) - directed)
    return path, truth


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Truth]:
    path, truth = scale_db(tmp_path_factory.mktemp("scale") / "scale.db")
    with Corpus.open(str(path)) as corpus:
        return render_html(corpus), render_markdown(corpus), truth


def test_the_first_tables_answer_who_carried_what(scaled: tuple[str, str, Truth]) -> None:
    page, md_text, truth = scaled
    tree = lxml_html.fromstring(page)
    first = tree.xpath('//section[@id="carried"]//tbody/tr')[0]
    cells = [td.text_content().strip() for td in first.xpath("./td")]
    assert cells[0] == "1" and "Associated Press" in cells[1] and cells[2] == str(truth.top_source_witnesses)
    pair = tree.xpath('//section[@id="outlets"]//tbody/tr')[0]
    cells = [td.text_content().strip() for td in pair.xpath("./td")]
    # the planted pair, with its 50 attributed quotations (plus any the random edges added)
    assert cells[0] == f"{truth.top_pair[0]} → {truth.top_pair[1]}" and int(cells[1]) >= truth.top_pair_quotes
    largest = tree.xpath('//section[@id="largest"]//tbody/tr')[0]
    assert [td.text_content().strip() for td in largest.xpath("./td")][1] == "40"
    # the same answers in Markdown
    assert re.search(r"^\| 1 \| wire \| Associated Press .*\| 80 \|", md_text, re.M)
    assert re.search(rf"^\| {re.escape(truth.top_pair[0])} → {re.escape(truth.top_pair[1])} \| \d+ \|", md_text, re.M)


def test_the_page_stays_small_and_every_picture_fits_a_screen(scaled: tuple[str, str, Truth]) -> None:
    page, md_text, truth = scaled
    assert len(page.encode()) < MAX_PAGE and len(md_text.encode()) < MAX_PAGE
    tree = lxml_html.fromstring(page)
    svgs = tree.xpath("//svg")
    assert 1 < len(svgs) <= budget.MAX_GROUP_GRAPHS  # one picture per group, not one hairball
    assert max(float(s.get("width")) for s in svgs) <= budget.MAX_GRAPH_WIDTH
    assert len({s.get("id") for s in svgs}) == len(svgs)  # marker ids are per picture
    # the strongest quotations in full, the others one row each, shared passages under their source
    assert len(tree.xpath('//article[contains(@class, "reuse")]')) == budget.MAX_PANELS
    rows = tree.xpath('//section[@id="reuses"]//tbody/tr')
    assert len(rows) == truth.reuses - budget.MAX_PANELS
    assert f"{truth.shares} passages shared because both documents carry a common source" in page
    # every common source is there, as a card or a row
    assert len(tree.xpath('//section[@id="sources"]//details[@class="source"]')) == budget.MAX_SOURCE_CARDS
    assert len(tree.xpath('//section[@id="sources"]/table/tbody/tr')) == 300 - budget.MAX_SOURCE_CARDS
    blocks = re.findall(r"```mermaid\n(.*?)\n```", md_text, re.S)
    assert blocks and max(len(b) for b in blocks) < MAX_MERMAID


def test_every_link_in_the_page_has_its_target(scaled: tuple[str, str, Truth]) -> None:
    page = scaled[0]
    tree = lxml_html.fromstring(page)
    ids = set(tree.xpath("//@id"))
    targets = {a.get("href")[1:] for a in tree.xpath('//a[starts-with(@href, "#")]')}
    assert targets - ids == set()


def test_evidence_strength_is_drawn_differently(scaled: tuple[str, str, Truth]) -> None:
    tree = lxml_html.fromstring(scaled[0])
    kinds = {g.get("data-strength") for g in tree.xpath("//svg//g[@data-strength]")}
    assert {"attributed", "credited", "inferred", "undirected"} <= kinds
    # a direction from dates alone is never drawn as an attributed quotation
    for g in tree.xpath('//svg//g[@data-strength="inferred"]'):
        assert "attributed" not in g.get("class")
        assert "arrow-inferred" in g.xpath(".//path[@marker-end]")[0].get("marker-end")
    for g in tree.xpath('//svg//g[@data-strength="undirected"]'):
        assert not g.xpath(".//path[@marker-end]")


def test_a_big_cluster_box_counts_its_quiet_copies(scaled: tuple[str, str, Truth]) -> None:
    tree = lxml_html.fromstring(scaled[0])
    hidden_seen = 0
    for svg in tree.xpath("//svg"):
        for box in svg.xpath('.//g[@class="cluster"]'):
            size = int(box.xpath(".//text")[0].text_content().split()[0])
            drawn = len(svg.xpath(f'.//g[contains(@class, "doc") and @data-cluster="{box.get("data-id")}"]'))
            more = box.xpath('.//text[@class="more"]')
            if drawn < size:
                hidden_seen += 1
                assert more and more[0].text_content().startswith(f"+ {size - drawn} more copies")
            else:
                assert not more
    assert hidden_seen  # the 40-copy story is in a group, and most of its copies are counted, not drawn
