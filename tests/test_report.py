"""The provenance report (HTML and Markdown): contents on the seeds, layout, diff, escaping.

Databases other than the seeds are filled by hand through Store.save_results, so each
case states exactly which clusters, quotations and citations the report must show.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from dedup.corpus import Corpus
from dedup.models import Attribution, Citation, Cluster, Document, Gap, PairScore, Reuse, Span
from dedup.report import render_html, render_markdown, write_report
from dedup.report.diff import word_diff
from dedup.report.escape import md, md_code, mermaid, safe_url
from dedup.store import Store
from tests.conftest import invoke, seed_id

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_OUTLET = "<img src=x onerror=alert(2)>"
# an id (file name) with every character that matters to HTML, Markdown or Mermaid
HOSTILE_ID = "q\"'<b>&|`]) ;#.txt"


# -- building databases by hand ------------------------------------------------------------------
def _doc(doc_id: str, text: str, **meta: Any) -> Document:
    return Document(id=doc_id, source=f"/in/{doc_id}", content_hash=f"h-{doc_id}", raw=text, text=text, **meta)


def make_db(
    path: Path,
    docs: list[Document],
    clusters: list[Cluster],
    reuses: list[Reuse] = (),  # type: ignore[assignment]
    citations: list[Citation] = (),  # type: ignore[assignment]
    gaps: dict[str, list[Gap]] | None = None,
    inferred: dict[str, dict[str, str]] | None = None,
) -> Path:
    """A database as ``dedup run`` would leave it, with exactly these results."""
    store = Store(str(path))
    run = store.start_run("test", "hand-made", {}, [])
    store.save_documents(docs, run, "key", {})
    updates: dict[str, dict[str, Any]] = {}
    for c in clusters:
        for m in c.members:
            g = (gaps or {}).get(m, [])
            lost = sum(x.length for x in g)
            updates[m] = {
                "cluster": c.id, "canonical": int(m == c.canonical),
                "completeness": round(1 - lost / max(1, lost + 100), 4) if g else 1.0,
                "gaps": json.dumps([x.to_dict() for x in g]),
                "inferred": json.dumps((inferred or {}).get(m, {})),
            }
    store.save_results(
        clusters, updates,
        [{"id": f"r{i:03d}", "quoting": r.quoting, "source": r.source, "direction": r.direction,
          "data": json.dumps(r.to_dict())} for i, r in enumerate(reuses)],
        [{"id": f"c{i:03d}", "doc": c.doc, "outlet": c.outlet, "resolved_to": c.resolved_to,
          "data": json.dumps(c.to_dict())} for i, c in enumerate(citations)],
    )
    store.finish_run(run, {}, {}, "ok", 0)
    store.close()
    return path


def _single(doc_id: str) -> Cluster:
    return Cluster("c-" + doc_id, [doc_id], doc_id, "only copy")


def hostile_db(tmp_path: Path) -> Path:
    """Every text field carries markup, script URLs, Markdown and Mermaid syntax."""
    a = _doc("a.txt", "Alpha text. <svg onload=alert(3)> more", title=HOSTILE_TITLE, outlet=HOSTILE_OUTLET,
             url="javascript:alert(4)", date="2020-01-01")
    b = _doc(HOSTILE_ID, "Alpha text. more", title='[click](javascript:alert(5)) "]; click d0 call alert(6) %%',
             outlet="Out|let *bold* _x_ ~~y~~ `code`", url=" JaVaScRiPt:alert(7)")
    c = _doc("c.txt", "He wrote: “Alpha <i>text</i>.”", title="- 1. # heading?", outlet="Fine & Co",
             url="https://example.org/a?b=1&c=<x>\"onmouseover=alert(8)")
    cluster = Cluster("cl<1>\"", [a.id, b.id], a.id, "reason <u>x</u>",
                      [PairScore(a.id, b.id, 0.5, 0.9, 0.6, "contained")])
    gap = Gap(12, 22, Span(12, 34, "<svg onload=alert(9)>"))
    reuse = Reuse(
        quoting="c.txt", source="a.txt", direction="quotes",
        quoting_span=Span(11, 30, "Alpha <i>text</i>.\u201d"), source_span=Span(0, 11, "Alpha text."),
        similarity=0.9, quoted=True,
        attribution=Attribution("<iframe src=javascript:alert(10)>", 2020, "as <b onmouseover=alert(11)>said"),
        evidence=["<script>alert(12)</script> evidence"], confidence=0.8, also_in=[HOSTILE_ID],
    )
    unknown = Reuse("a.txt", HOSTILE_ID, "unknown", Span(0, 5, "Alpha"), Span(0, 5, "Alpha"), 1.0, False)
    cites = [
        Citation("c.txt", '"]) ; <script>alert(13)</script>', Span(0, 8, "He wrote"), "<a href=javascript:x>y</a>"),
        Citation("c.txt", "Atlas", Span(0, 8, "He wrote"), "per | Atlas", resolved_to=HOSTILE_ID),
    ]
    return make_db(tmp_path / "hostile.db", [a, b, c], [cluster, _single("c.txt")], [reuse, unknown], cites,
                   gaps={HOSTILE_ID: [gap]})


def toy_db(tmp_path: Path) -> Path:
    """Two copies of one article, a third that quotes the damaged copy with edits, one unrelated
    article sharing a sentence with unknown direction, and citations of both kinds."""
    base = "The minister said the talks were useful and would continue next week in the capital."
    docs = [
        _doc("p1.txt", base + " Extra closing line.", title="Talks go on", outlet="Paper One", date="2023-01-02"),
        _doc("p2.txt", base, title="Talks go on", outlet="Paper One"),
        _doc("q.txt", "According to Paper One, “the talks were useful and would continue soon in the capital”.",
             title="Quoting piece", outlet="Other Daily", url="https://other.example/q"),
        _doc("u.txt", "Unrelated. The talks were useful and would continue.", title="Unrelated", outlet="Third"),
    ]
    cluster = Cluster("cl1", ["p1.txt", "p2.txt"], "p1.txt", "most complete copy",
                      [PairScore("p1.txt", "p2.txt", 0.8, 0.8, 1.0, "contained")])
    quote = Reuse(
        "q.txt", "p2.txt", "quotes",
        Span(28, 89, "the talks were useful and would continue soon in the capital"),
        Span(18, 85, "the talks were useful and would continue next week in the capital"),
        0.85, True, Attribution("Paper One", None, "According to Paper One"),
        ["passage is in quotation marks in q.txt", "q.txt names Paper One"], 0.9, ["p1.txt"],
    )
    shared = Reuse("u.txt", "p1.txt", "unknown", Span(11, 52, "The talks were useful and would continue"),
                   Span(13, 53, "the talks were useful and would continue"), 0.95, False)
    cites = [
        Citation("q.txt", "Reuters", Span(0, 9, "According"), "as Reuters reported"),
        Citation("q.txt", "Paper One", Span(0, 22, "According to Paper One"), "According to Paper One",
                 resolved_to="p2.txt"),
        Citation("u.txt", "Paper One", Span(0, 10, "Unrelated."), "Paper One wrote", resolved_to="p1.txt"),
    ]
    gaps = {"p2.txt": [Gap(85, 20, Span(85, 105, " Extra closing line."))]}
    return make_db(tmp_path / "toy.db", docs, [cluster, _single("q.txt"), _single("u.txt")], [quote, shared],
                   cites, gaps=gaps, inferred={"p2.txt": {"date": "2023-01-02", "date_from": "p1.txt"}})


def _tree(text: str) -> Any:
    return lxml_html.fromstring(text)


def _edges(tree: Any, kind: str) -> list[Any]:
    found: list[Any] = tree.xpath(f'//svg//g[contains(@class, "edge") and contains(@class, "{kind}")]')
    return found


def _mermaid_block(text: str) -> str:
    m = re.search(r"```mermaid\n(.*?)\n```", text, re.S)
    assert m, "no mermaid block"
    return m.group(1)


# -- the seeds: acceptance ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_reports(seeds_run: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("report")
    with Corpus.open(str(seeds_run["db"])) as corpus:
        paths = {fmt: write_report(corpus, out / f"report.{fmt}") for fmt in ("html", "md")}
    assert all(p.exists() for p in paths.values())
    return {fmt: p.read_text(encoding="utf-8") for fmt, p in paths.items()}


def test_seeds_reports_name_every_document(seed_reports: dict[str, str]) -> None:
    for fmt, text in seed_reports.items():
        for prefix in ("000", "001", "002", "003", "004"):
            assert seed_id(prefix) in text, (fmt, prefix)
    tree = _tree(seed_reports["html"])
    drawn = {g.get("data-id") for g in tree.xpath('//svg//g[contains(@class, "node") and contains(@class, "doc")]')}
    assert {seed_id(p) for p in ("000", "001", "002", "003", "004")} <= drawn
    # titles and outlets stand next to the ids
    assert "Iran and Russia gain strength in Mali" in seed_reports["html"]
    assert "Warsaw Institute" in seed_reports["md"] and "jpost" in seed_reports["md"]


def test_seeds_cluster_with_canonical_001(seed_reports: dict[str, str], seeds_run: dict[str, Any]) -> None:
    with Corpus.open(str(seeds_run["db"])) as corpus:
        (stored,) = [c for c in corpus.clusters() if len(c.members) > 1]
        damaged = corpus.document(seed_id("000"))
    tree = _tree(seed_reports["html"])
    s000, s001 = seed_id("000"), seed_id("001")
    cluster = {g.get("data-id"): g.get("data-cluster") for g in tree.xpath("//svg//g[@data-cluster]")}
    assert cluster[s000] == cluster[s001]
    canonical = [g.get("data-id") for g in tree.xpath('//svg//g[contains(@class, "canonical") and @data-id]')]
    assert canonical == [s001]  # single documents are not marked canonical
    boxes = tree.xpath('//svg//g[@class="cluster" and @data-id]')
    assert [b.get("data-id") for b in boxes] == [cluster[s001]]
    article = tree.xpath('//article[@class="cluster"]')[0].text_content()
    assert f"Canonical copy: {s001}" in article and s000 in article
    (pair,) = stored.pairs
    for figure in (pair.jaccard, pair.containment_a_in_b, pair.containment_b_in_a):
        assert f"{figure:.3f}" in article
    # the damage in 000, with the text 001 has there
    assert damaged.gaps and f"{len(damaged.gaps)} gap(s)" in article
    assert all(g.canonical_span.text[:60] in article for g in damaged.gaps)

    mmd = _mermaid_block(seed_reports["md"])
    sub = re.search(r"subgraph .*?\n(.*?)\n  end", mmd, re.S)
    assert sub and s000 in sub.group(1) and s001 in sub.group(1)
    assert re.search(rf'"★ {re.escape(s001)}', sub.group(1))
    assert "Canonical copy: `" + s001 + "`" in seed_reports["md"]


def test_seeds_quotation_002_to_001(seed_reports: dict[str, str]) -> None:
    s001, s002 = seed_id("001"), seed_id("002")
    tree = _tree(seed_reports["html"])
    edges = tree.xpath(f'//svg//g[contains(@class, "edge") and @data-from="{s002}" and @data-to="{s001}"]')
    assert len(edges) == 1 and "quotes" in edges[0].get("class").split()
    assert edges[0].xpath(".//path[@marker-end]")
    (article,) = tree.xpath('//article[contains(@class, "reuse")]')
    quoting, source = article.xpath('.//figure[contains(@class, "side")]')
    assert quoting.get("data-doc") == s002 and source.get("data-doc") == s001
    for side in (quoting, source):
        assert "officially left Mali, the country continues to prepare" in side.text_content()
    text = article.text_content()
    assert "An article in Atalayar in Madrid noted in 2022" in text
    assert "0.851" in text and "attribution year 2022 matches date" in text
    # outlets outside the corpus are their own kind of node, citations their own tables
    outlets = {g.get("data-id") for g in tree.xpath('//svg//g[contains(@class, "outlet") and @data-id]')}
    assert {"Tasnim", "Al-Jazeera", "VOA"} <= outlets and "Atalayar" not in outlets
    assert "Tasnim media reported" in tree.xpath('//section[@id="citations"]')[0].text_content()

    md_text = seed_reports["md"]
    ids = dict(re.findall(r'^\s*(d\d+)\["(?:★ )?([^"<]+)', _mermaid_block(md_text), re.M))
    by_name = {v: k for k, v in ids.items()}
    assert f"{by_name[s002]} -->" in md_text and re.search(rf"{by_name[s002]} -->\|[^|]*\| {by_name[s001]}", md_text)
    row = next(line for line in md_text.splitlines() if line.startswith("| a month after French troops"))
    assert row.count("officially left Mali, the country continues to prepare") == 2


def test_summary_figures(seed_reports: dict[str, str]) -> None:
    tree = _tree(seed_reports["html"])
    cards = {dt.text_content(): dt.getnext().text_content() for dt in tree.xpath('//section[@id="summary"]//dt')}
    assert cards["documents"] == "5" and cards["clusters"] == "4" and cards["duplicates"] == "1"
    assert cards["quotation edges"] == "1" and cards["citations"] == "10"
    assert cards["run config"].startswith("affine32-")
    assert "| run config | `affine32-" in seed_reports["md"]


def test_cli_report(seeds_run: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = invoke("report", "--db", str(seeds_run["db"]), "-o", str(out))
    assert result.exit_code == 0 and out.read_text().startswith("# Provenance report")


# -- hand-made corpora -----------------------------------------------------------------------------
def test_edge_kinds_diff_and_citations(tmp_path: Path) -> None:
    with Corpus.open(str(toy_db(tmp_path))) as corpus:
        page, md_text = render_html(corpus), render_markdown(corpus)
    tree = _tree(page)
    (quotes,) = tree.xpath('//svg//g[contains(@class, "edge") and contains(@class, "quotes")]')
    assert (quotes.get("data-from"), quotes.get("data-to")) == ("q.txt", "p2.txt")
    (unknown,) = tree.xpath('//svg//g[contains(@class, "edge") and contains(@class, "unknown")]')
    assert not unknown.xpath(".//path[@marker-end]")  # no arrowhead where the direction is unknown
    # the resolved citation of q → p2 is said by the quotation arrow; u → p1 is drawn as a citation
    cites = {(g.get("data-from"), g.get("data-to")) for g in _edges(tree, "cites")}
    assert cites == {("q.txt", "Reuters"), ("u.txt", "p1.txt")}

    article = tree.xpath('//article[contains(@class, "reuse") and contains(@class, "quotes")]')[0]
    assert [e.text_content() for e in article.xpath('.//p[@class="passage"]//ins')] == ["soon"]
    assert [e.text_content() for e in article.xpath('.//p[@class="passage"]//del')] == ["next week"]
    assert "According to Paper One" in article.text_content()
    assert "passage is in quotation marks in q.txt" in article.text_content()
    unknown_article = tree.xpath('//article[contains(@class, "unknown")]')[0].text_content()
    assert "direction unknown" in unknown_article
    # minor differences (case) are marked, not counted as changed words
    assert tree.xpath('//article[contains(@class, "unknown")]//span[@class="minor"]')[0].text_content() == "The"

    citations = tree.xpath('//section[@id="citations"]')[0]
    tables = citations.xpath(".//table")
    # outside outlets counted first (citations, citing documents), then every citation, then the resolved ones
    assert [td.text_content() for td in tables[0].xpath(".//tbody//td")] == ["Reuters", "1", "1"]
    assert "Reuters" in tables[1].text_content() and "as Reuters reported" in tables[1].text_content()
    assert "p2.txt" in tables[2].text_content() and "Talks go on" in tables[2].text_content()
    # a date borrowed from a cluster mate is shown as inferred, with where it came from
    assert "2023-01-02 (inferred from p1.txt)" in tree.xpath('//section[@id="documents"]')[0].text_content()

    assert "| the talks were useful and would continue **soon** in the capital |" in md_text
    assert "~~next week~~" in md_text
    assert re.search(r'd\d+ -\.-\|"shared text"\| d\d+', md_text)
    assert re.search(r'o\d+\(\["Reuters"\]\):::outlet', md_text)


def test_layout_is_deterministic_and_readable(tmp_path: Path) -> None:
    with Corpus.open(str(toy_db(tmp_path))) as corpus:
        first, second = render_html(corpus), render_html(corpus)
    assert first == second
    tree = _tree(first)
    boxes = {}
    for g in tree.xpath('//svg//g[contains(@class, "node") and @data-id]'):
        r = g.xpath(".//rect")[0]
        boxes[g.get("data-id")] = tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
    names = sorted(boxes)
    for i, a in enumerate(names):
        ax, ay, aw, ah = boxes[a]
        for b in names[i + 1:]:
            bx, by, bw, bh = boxes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, f"{a} overlaps {b}"
    assert boxes["q.txt"][0] + boxes["q.txt"][2] < boxes["p2.txt"][0]  # quoting left of quoted
    assert boxes["Reuters"][0] < boxes["q.txt"][0]  # outside outlets in their own column
    cluster = tree.xpath('//svg//g[@class="cluster"]/a/rect')[0]
    cx, cw = float(cluster.get("x")), float(cluster.get("width"))
    for m in ("p1.txt", "p2.txt"):
        assert cx < boxes[m][0] and boxes[m][0] + boxes[m][2] < cx + cw


def test_cycles_and_missing_documents_do_not_break_the_report(tmp_path: Path) -> None:
    docs = [_doc("x.txt", "one two three"), _doc("y.txt", "one two three")]
    s = Span(0, 13, "one two three")
    loop = [Reuse("x.txt", "y.txt", "quotes", s, s, 1.0, True), Reuse("y.txt", "x.txt", "quotes", s, s, 1.0, True),
            Reuse("x.txt", "gone.txt", "quotes", s, s, 1.0, True)]
    db = make_db(tmp_path / "loop.db", docs, [_single("x.txt"), _single("y.txt")], loop)
    with Corpus.open(str(db)) as corpus:
        tree = _tree(render_html(corpus))
        md_text = render_markdown(corpus)
    pairs = {(g.get("data-from"), g.get("data-to")) for g in _edges(tree, "quotes")}
    assert pairs == {("x.txt", "y.txt"), ("y.txt", "x.txt"), ("x.txt", "gone.txt")}
    assert "gone.txt" in md_text


def test_empty_results(tmp_path: Path) -> None:
    db = make_db(tmp_path / "one.db", [_doc("solo.txt", "just me")], [_single("solo.txt")])
    with Corpus.open(str(db)) as corpus:
        page, md_text = render_html(corpus), render_markdown(corpus)
    assert "No quotation between articles found." in page and "No near-duplicates found." in md_text
    assert 'data-id="solo.txt"' in page


def test_write_report_format_from_suffix(tmp_path: Path) -> None:
    db = make_db(tmp_path / "one.db", [_doc("solo.txt", "just me")], [_single("solo.txt")])
    with Corpus.open(str(db)) as corpus:
        assert write_report(corpus, tmp_path / "R.HTM").read_text().startswith("<!DOCTYPE html>")
        assert write_report(corpus, str(tmp_path / "r.md")) == tmp_path / "r.md"
        for bad in ("r.txt", "report", "r.pdf"):
            with pytest.raises(ValueError, match=r"\.html or \.md"):
                write_report(corpus, tmp_path / bad)
            assert not (tmp_path / bad).exists()


# -- escaping --------------------------------------------------------------------------------------
def test_html_escapes_every_input(tmp_path: Path) -> None:
    with Corpus.open(str(hostile_db(tmp_path))) as corpus:
        page = render_html(corpus)
    tree = _tree(page)
    assert not tree.xpath("//script | //img | //iframe | //b | //i | //u | //foreignObject")
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<iframe" not in page.lower()
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name.lower() in ("href", "src", "xlink:href", "action"):
                assert value.startswith("#") or value.startswith(("http://", "https://")), value
            assert "javascript:" not in value.lower() or name in ("title", "data-id", "data-from", "data-to"), \
                (el.tag, name, value)
    # the values are all there, as text, and attributes round-trip exactly
    body = tree.text_content()
    for text in (HOSTILE_TITLE, HOSTILE_OUTLET, "javascript:alert(4)", "<svg onload=alert(9)>",
                 "<iframe src=javascript:alert(10)>", "<script>alert(12)</script> evidence"):
        assert text in body, text
    assert tree.xpath("//svg//g[@data-id=$v]", v=HOSTILE_ID)
    links = [a.get("href") for a in tree.xpath("//a[@href]") if not a.get("href").startswith("#")]
    assert links == ['https://example.org/a?b=1&c=<x>"onmouseover=alert(8)']
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", e.get("id")) for e in tree.xpath("//*[@id]"))


def test_markdown_escapes_every_input(tmp_path: Path) -> None:
    with Corpus.open(str(hostile_db(tmp_path))) as corpus:
        text = render_markdown(corpus)
    mmd = _mermaid_block(text)
    prose = text.replace(mmd, "")
    # outside code spans, the only tag is none at all: every < of the input is an entity
    without_code = re.sub(r"(`+)(?:(?!\1).)+?\1", "", prose)
    assert not re.search(r"<[A-Za-z/!?]", without_code), re.findall(r"<[A-Za-z/!?][^ ]*", without_code)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in prose
    assert "&lt;img src=x onerror=alert(2)&gt;" in prose
    assert "javascript" not in "".join(re.findall(r"(?<!\\)\]\(([^)]*)\)", prose)).lower()  # no such link target
    assert re.search(r"\[https://example\.org/a\?b=1&amp;c=&lt;x&gt;", prose)  # the http(s) one is a link
    assert "\\[click\\](javascript:alert(5))" in prose  # Markdown link syntax from input is inert
    # every table keeps its column count: input pipes are escaped
    for block in re.split(r"\n\n", prose):
        rows = [r for r in block.splitlines() if r.startswith("|")]
        widths = {len(re.findall(r"(?<!\\)\|", r)) for r in rows}
        assert len(widths) <= 1, block
    # Mermaid: each statement stays one statement; labels hold no quote, bracket, backtick or tag
    assert "`" not in mmd and "<script" not in mmd
    # "click d0 call alert(6)" from a title must stay label text, never become a statement
    assert not re.search(r"^\s*click\b", mmd, re.M) and "click d0 call" in mmd
    for line in mmd.splitlines()[1:]:
        stripped = re.sub(r'"[^"]*"', '""', line)
        assert stripped.count('"') % 2 == 0
        for label in re.findall(r'"([^"]*)"', line):
            plain = re.sub(r"#\d+;", "", label.replace("<br/>", ""))  # Mermaid's own entity codes
            assert not re.search(r"[\[\]{}()|;`<>#]", plain), label


@pytest.mark.parametrize(
    ("url", "ok"),
    [("https://example.org/x", True), ("HTTP://EXAMPLE.ORG", True), ("javascript:alert(1)", False),
     (" JavaScript:alert(1)", False), ("java\tscript:alert(1)", False), ("data:text/html,<b>", False),
     ("//evil.example/x", False), ("vbscript:x", False), ("http:///nohost", False), ("", False), (None, False)],
)
def test_safe_url(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_escape_helpers() -> None:
    assert md("a|b *c* <d> & [e](f)") == "a\\|b \\*c\\* &lt;d&gt; &amp; \\[e\\](f)"
    assert md("1. not a list") == "1\\. not a list" and md("- no") == "\\- no"
    assert md_code("a`b|c") == "``a`b\\|c``"
    assert mermaid('x"];y') == "x#34;#93;#59;y"


def test_word_diff() -> None:
    left, right = word_diff("The cat sat on the mat.", "the cat sat on a red mat!")
    assert [p.text for p in left if p.kind == "changed"] == ["the", "."]
    assert [p.text for p in right if p.kind == "changed"] == ["a red", "!"]
    assert [p.text for p in left if p.kind == "minor"] == ["The"]
    assert "".join(p.text for p in left) == "The cat sat on the mat."
    q, s = word_diff("the West’s withdrawal", "the West's withdrawal")
    assert all(p.kind != "changed" for p in q + s)
