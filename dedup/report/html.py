"""The HTML report: one self-contained page (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dedup.models import Citation, Gap, Reuse
from dedup.report.diff import Piece, diff_summary, word_diff
from dedup.report.escape import anchor, h, one_line, safe_url, truncate
from dedup.report.graph import build_graph, render_svg, reuse_anchor
from dedup.report.model import ClusterInfo, DocInfo, ReportData, build

if TYPE_CHECKING:
    from dedup.corpus import Corpus

# Nothing in the page may load or run anything: even if some input slipped past the
# escaping, the browser would refuse scripts, plugins and remote resources.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CSS = """
:root { --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#1d4ed8;
        --quote:#c2410c; --outlet:#b45309; --ins:#dafbe1; --del:#ffebe9; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
       color:var(--ink); background:#fff; }
main { max-width:1280px; margin:0 auto; padding:24px 28px 64px; }
h1 { font-size:26px; margin:0 0 4px; } h2 { font-size:20px; margin:40px 0 12px;
     padding-bottom:6px; border-bottom:1px solid var(--line); }
h3 { font-size:16px; margin:24px 0 8px; } h3 .muted, h4 .muted { font-weight:400; }
h4 { font-size:14.5px; margin:18px 0 6px; }
.sub { color:var(--muted); margin:0 0 20px; }
code, .id { font-family: ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:0.9em; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(170px,1fr)); gap:12px; margin:0; }
.cards div { background:var(--bg); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.cards dt { color:var(--muted); font-size:13px; } .cards dd { margin:0; font-size:22px; font-weight:600; }
.cards dd.small { font-size:13px; font-weight:500; word-break:break-all; }
table { border-collapse:collapse; width:100%; margin:8px 0 16px; font-size:14px; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:var(--bg); font-weight:600; } td.num { text-align:right; font-variant-numeric:tabular-nums; }
.muted { color:var(--muted); } .inferred { color:var(--muted); font-style:italic; }
.tag { display:inline-block; padding:0 7px; border-radius:10px; font-size:12px; font-weight:600;
       background:#dbeafe; color:var(--accent); }
.tag.quotes { background:#ffedd5; color:var(--quote); } .tag.unknown { background:#e5e7eb; color:#374151; }
.graph-wrap { overflow:auto; border:1px solid var(--line); border-radius:8px; background:#fcfcfd; }
svg.graph.fit { max-width:100%; height:auto; }
svg.graph { display:block; font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
svg.graph text { font-size:12px; fill:var(--ink); }
svg.graph .legend text { font-size:12px; fill:var(--muted); }
svg.graph .node.doc rect, svg.graph .swatch.doc rect { fill:#fff; stroke:#8c959f; stroke-width:1.2; }
svg.graph .node.doc.canonical > a > rect:first-of-type, svg.graph .swatch.canonical rect
  { stroke:var(--accent); stroke-width:2.6; }
svg.graph .node.doc text.id { font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
svg.graph .node.doc text.title { font-size:12.5px; }
svg.graph .node.doc text.missing { fill:var(--muted); font-style:italic; }
svg.graph .node.doc text.meta { font-size:11px; fill:var(--muted); }
svg.graph rect.badge { fill:#dbeafe; stroke:none; } svg.graph text.badge { font-size:10.5px; font-weight:600;
  fill:var(--accent); }
svg.graph .cluster rect, svg.graph .swatch.cluster rect { fill:#eef4ff; stroke:#93b4f0; stroke-width:1.2; }
svg.graph .cluster text { font-size:11.5px; font-weight:600; fill:#3b5ba9; }
svg.graph .node.outlet rect, svg.graph .swatch.outlet rect { fill:#fef3c7; stroke:var(--outlet); stroke-dasharray:4 3; }
svg.graph .node.outlet text { fill:#78350f; }
svg.graph .edge path, svg.graph .swatch path { fill:none; }
svg.graph .edge path.hit { stroke:transparent; stroke-width:12; }
svg.graph .edge.quotes path:not(.hit), svg.graph .swatch.quotes path { stroke:var(--quote); stroke-width:2.4; }
svg.graph .edge.unknown path:not(.hit), svg.graph .swatch.unknown path
  { stroke:#6b7280; stroke-width:2; stroke-dasharray:7 5; }
svg.graph .edge.cites path:not(.hit), svg.graph .swatch.cites path
  { stroke:#b8bfc8; stroke-width:1.2; stroke-dasharray:2 3; }
svg.graph .edge:hover path:not(.hit) { stroke-width:3.5; }
svg.graph #arrow-quotes path { fill:var(--quote); }
svg.graph #arrow-cites path { fill:none; stroke:#9ca3af; stroke-width:1.5; }
svg.graph text.edge-label { font-size:11.5px; font-weight:600; paint-order:stroke; stroke:#fff;
  stroke-width:4px; stroke-linejoin:round; }
svg.graph text.edge-label.quotes { fill:var(--quote); } svg.graph text.edge-label.unknown { fill:#4b5563; }
svg.graph text.edge-label.cites { fill:#6b7280; font-weight:400; }
.caption { color:var(--muted); font-size:13px; margin:6px 0 0; }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:14px; margin:10px 0; }
.pair figure { margin:0; border:1px solid var(--line); border-radius:8px; overflow:hidden; }
.pair figcaption { background:var(--bg); padding:6px 12px; font-size:13px; border-bottom:1px solid var(--line); }
.passage { padding:10px 14px; white-space:pre-wrap; font-size:14.5px; line-height:1.6; margin:0; }
ins { background:var(--ins); text-decoration:none; border-radius:2px; }
del { background:var(--del); text-decoration:line-through; text-decoration-color:#cf222e; border-radius:2px; }
.minor { text-decoration:underline dotted #8c959f; }
.reuse { border-left:4px solid var(--quote); padding:2px 0 2px 16px; margin:24px 0 32px; }
.reuse.unknown { border-left-color:#9ca3af; }
.evidence li { margin:2px 0; }
.gap-text { background:var(--del); padding:1px 3px; border-radius:3px; }
.keys { font-size:13px; color:var(--muted); }
@media (max-width:800px) { .pair { grid-template-columns:1fr; } }
"""


def render_html(corpus: Corpus) -> str:
    """The whole report as one HTML document."""
    return _page(build(corpus))


# -- helpers ----------------------------------------------------------------------------------
def _doc_ref(data: ReportData, doc_id: str, *, link: bool = True, with_outlet: bool = True) -> str:
    """``id`` with its title and outlet: how every document is named in the report."""
    d = data.doc(doc_id)
    ident = f'<code class="id">{h(doc_id)}</code>'
    if link and doc_id in data.docs:
        ident = f'<a href="#{anchor("doc", doc_id)}">{ident}</a>'
    extra = []
    if d.title:
        extra.append(f"“{h(truncate(d.title, 90))}”")
    if with_outlet and d.outlet:
        extra.append(f"<span class=muted>{h(truncate(d.outlet, 40))}</span>")
    return ident + (" " + " · ".join(extra) if extra else "")


def _value(d: DocInfo, name: str) -> str:
    value: str | None = getattr(d, name)
    if not value:
        return '<span class="muted">—</span>'
    src = d.inferred_from.get(name)
    if src is not None:
        via = f" from {src}" if src else ""
        return f'<span class="inferred" title="inferred{h(via)}">{h(value)} (inferred{h(via)})</span>'
    return h(value)


def _url(url: str | None) -> str:
    if not url:
        return '<span class="muted">—</span>'
    safe = safe_url(url)
    if safe is None:
        # shown, never linked: a javascript: or data: URL must stay text
        return f'<span class="muted" title="not linked: not an http(s) URL">{h(truncate(url, 60))}</span>'
    return f'<a href="{h(safe)}" rel="noopener noreferrer nofollow">{h(truncate(url, 60))}</a>'


def _pieces(pieces: Iterable[Piece], changed_tag: str) -> str:
    out = []
    for p in pieces:
        if p.kind == "same":
            out.append(h(p.text))
        elif p.kind == "minor":
            out.append(f'<span class="minor" title="differs in case or typography">{h(p.text)}</span>')
        else:
            out.append(f"<{changed_tag}>{h(p.text)}</{changed_tag}>")
    return "".join(out)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


# -- sections ---------------------------------------------------------------------------------
def _summary(data: ReportData) -> str:
    s = data.summary
    unknown = len(data.reuses) - data.quotes
    cards = [
        ("documents", str(s["documents"])),
        ("clusters", f"{s['clusters']}"),
        ("with copies", f"{s['duplicate_clusters']}"),
        ("duplicates", str(s["duplicates"])),
        ("quotation edges", f"{len(data.reuses)}"),
        ("… with direction", f"{data.quotes}" + (f" <small class=muted>({unknown} unknown)</small>"
                                                 if unknown else "")),
        ("citations", f"{s['citations']}"),
        ("… resolved in corpus", str(len(data.resolved))),
    ]
    run = data.run
    small = [("run config", str(s.get("config") or "—")),
             ("run", f"#{run.get('id', '?')} · {run.get('finished') or run.get('started') or ''}"),
             ("database", data.source)]
    items = [f"<div><dt>{h(k)}</dt><dd>{v}</dd></div>" for k, v in cards]
    items += [f'<div><dt>{h(k)}</dt><dd class="small">{h(v)}</dd></div>' for k, v in small]
    return f'<section id="summary"><h2>Corpus</h2><dl class="cards">{"".join(items)}</dl></section>'


def _graph(data: ReportData) -> str:
    g = build_graph(data)
    title = (f"Provenance graph: {len(data.docs)} documents, {len(data.clusters)} clusters of copies, "
             f"{len(data.reuses)} quotation edges, {len(data.external)} citations of outside outlets")
    caption = ("Boxes group near-duplicate copies (★ marks the canonical copy). Arrows run from the quoting "
               "article to the one it quotes; dashed lines are shared text whose direction is unknown; dotted "
               "lines lead to outlets outside the corpus. Click a node or edge for its section.")
    if g.omitted:
        caption += f" {g.omitted} unlinked single documents are not drawn (see the document list)."
    return (f'<section id="graph"><h2>Provenance graph</h2><div class="graph-wrap">{render_svg(g, title)}</div>'
            f'<p class="caption">{h(caption)}</p></section>')


def _documents(data: ReportData) -> str:
    rows = []
    multi = {ci.id for ci in data.clusters}
    for d in data.docs.values():
        role = '<span class="tag">★ canonical</span>' if d.canonical else ""
        cluster = (f'<a href="#{anchor("cluster", d.cluster)}"><code>{h(d.cluster)}</code></a>'
                   if d.cluster in multi else
                   '<span class="muted">only copy</span>')
        rows.append(
            f'<tr id="{anchor("doc", d.id)}"><td><code class="id">{h(d.id)}</code></td><td>{_value(d, "title")}</td>'
            f'<td>{_value(d, "outlet")}</td><td>{_value(d, "date")}</td><td>{_url(d.url)}</td>'
            f'<td>{cluster} {role}</td><td class="num">{_pct(d.completeness)}</td></tr>'
        )
    return ('<section id="documents"><h2>Documents</h2><table><thead><tr><th>id</th><th>title</th><th>outlet</th>'
            '<th>date</th><th>url</th><th>cluster</th><th>complete</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></section>")


def _gaps(data: ReportData, gaps: Iterable[Gap]) -> str:
    rows = []
    for g in gaps:
        span = g.canonical_span
        rows.append(
            f'<tr><td class="num">{g.at}</td><td class="num">{g.length}</td>'
            f'<td class="num">{span.start}–{span.end}</td>'
            f'<td><span class="gap-text">{h(truncate(span.text, 400))}</span></td></tr>'
        )
    if not rows:
        return '<p class="muted">No damage found.</p>'
    return ('<table><thead><tr><th>at (offset in this copy)</th><th>length</th><th>canonical span</th>'
            '<th>text the canonical copy has there</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")


def _cluster(data: ReportData, ci: ClusterInfo) -> str:
    rows = []
    for m in ci.members:
        d = data.doc(m)
        p = ci.pairs.get(m)
        if m == ci.canonical:
            figures = '<td colspan="4" class="muted">canonical copy</td>'
        elif p is None:
            figures = '<td colspan="4" class="muted">no figures stored</td>'
        else:
            in_canon, of_canon = p.containments(m)
            figures = (f'<td>{h(p.relation or "—")}</td><td class="num">{p.jaccard:.3f}</td>'
                       f'<td class="num">{in_canon:.3f}</td><td class="num">{of_canon:.3f}</td>')
        tag = ' <span class="tag">★ canonical</span>' if m == ci.canonical else ""
        rows.append(f"<tr><td>{_doc_ref(data, m)}{tag}</td>{figures}"
                    f'<td class="num">{_pct(d.completeness)}</td><td class="num">{len(d.gaps)}</td></tr>')
    damage = []
    for m in ci.members:
        d = data.doc(m)
        if m == ci.canonical or not d.gaps:
            continue
        lost = sum(g.length for g in d.gaps)
        damage.append(f"<h4>Damage in {_doc_ref(data, m, with_outlet=False)}: {len(d.gaps)} gap(s), "
                      f"{lost} characters missing, {_pct(d.completeness)} complete</h4>{_gaps(data, d.gaps)}")
    canon = data.doc(ci.canonical)
    return (
        f'<article class="cluster" id="{anchor("cluster", ci.id)}">'
        f"<h3>Cluster <code>{h(ci.id)}</code>: {len(ci.members)} copies of "
        f"“{h(truncate(canon.title or '(no title)', 90))}”</h3>"
        f"<p>Canonical copy: {_doc_ref(data, ci.canonical)}. <span class=muted>Why: {h(ci.cluster.reason)}</span></p>"
        "<table><thead><tr><th>member</th><th>relation</th><th>jaccard</th>"
        '<th title="share of this copy found in the canonical copy">containment in canonical</th>'
        '<th title="share of the canonical copy found in this copy">containment of canonical</th>'
        "<th>complete</th><th>gaps</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{''.join(damage)}</article>"
    )


def _clusters(data: ReportData) -> str:
    body = "".join(_cluster(data, ci) for ci in data.clusters) or '<p class="muted">No near-duplicates found.</p>'
    single = ""
    if data.singletons:
        single = (f'<p class="muted">{len(data.singletons)} document(s) have no other copy in the corpus: '
                  + ", ".join(f"<code>{h(s)}</code>" for s in data.singletons[:200])
                  + (" …" if len(data.singletons) > 200 else "") + ".</p>")
    return f'<section id="clusters"><h2>Near-duplicate clusters</h2>{body}{single}</section>'


def _reuse(data: ReportData, i: int, r: Reuse) -> str:
    quoting, source = word_diff(r.quoting_span.text, r.source_span.text)
    if r.direction == "quotes":
        head = (f'<span class="tag quotes">quotes</span> {_doc_ref(data, r.quoting)} quotes '
                f"{_doc_ref(data, r.source)}")
    else:
        head = (f'<span class="tag unknown">direction unknown</span> {_doc_ref(data, r.quoting)} and '
                f"{_doc_ref(data, r.source)} share a passage")
    facts = [f"similarity {r.similarity:.3f}", "in quotation marks" if r.quoted else "not in quotation marks",
             f"confidence {r.confidence:.3f}", diff_summary(quoting, source)]
    parts = [f'<article class="reuse {h(r.direction)}" id="{reuse_anchor(i)}"><h3>{head}</h3>',
             f'<p class="keys">{" · ".join(h(f) for f in facts)}</p>']
    if r.attribution:
        a = r.attribution
        year = f", {a.year}" if a.year is not None else ""
        parts.append(f"<p>Attribution: <q>{h(one_line(a.text))}</q> <span class=muted>(names "
                     f"{h(a.outlet)}{h(year)})</span></p>")
    else:
        parts.append('<p class="muted">No attribution phrase found.</p>')
    left_role = "quoting" if r.direction == "quotes" else "one copy"
    right_role = "quoted" if r.direction == "quotes" else "other copy"
    parts.append(
        '<div class="pair">'
        f'<figure class="side quoting" data-doc="{h(r.quoting)}"><figcaption>{h(left_role)}: '
        f"{_doc_ref(data, r.quoting)} <span class=muted>· chars "
        f"{r.quoting_span.start}–{r.quoting_span.end}</span></figcaption>"
        f'<p class="passage">{_pieces(quoting, "ins")}</p></figure>'
        f'<figure class="side source" data-doc="{h(r.source)}"><figcaption>{h(right_role)}: '
        f"{_doc_ref(data, r.source)} <span class=muted>· chars "
        f"{r.source_span.start}–{r.source_span.end}</span></figcaption>"
        f'<p class="passage">{_pieces(source, "del")}</p></figure></div>'
    )
    parts.append('<p class="keys"><ins>green</ins>: only in the quoting text · <del>red</del>: only in the quoted '
                 'text · <span class="minor">dotted</span>: case or typography differs</p>')
    evidence = "".join(f"<li>{h(e)}</li>" for e in r.evidence) or '<li class="muted">none recorded</li>'
    parts.append(f'<p>Evidence for the direction (confidence {r.confidence:.3f}):</p><ul class="evidence">'
                 f"{evidence}</ul>")
    if r.also_in:
        parts.append("<p>The same text is also in " + ", ".join(_doc_ref(data, d) for d in r.also_in) + ".</p>")
    parts.append("</article>")
    return "".join(parts)


def _reuses(data: ReportData) -> str:
    body = "".join(_reuse(data, i, r) for i, r in enumerate(data.reuses))
    return (f'<section id="reuses"><h2>Quotations between articles</h2>'
            f'{body or "<p class=muted>No quotation between articles found.</p>"}</section>')


def _citation_rows(data: ReportData, cites: list[Citation], resolved: bool) -> str:
    rows = []
    for c in cites:
        target = f"<td>{_doc_ref(data, c.resolved_to)}</td>" if resolved and c.resolved_to else ""
        rows.append(f"<tr><td>{_doc_ref(data, c.doc)}</td><td>{h(c.outlet)}</td>"
                    f"<td><q>{h(one_line(c.phrase))}</q></td>{target}"
                    f'<td class="num">{c.span.start}</td></tr>')
    return "".join(rows)


def _citations(data: ReportData) -> str:
    ext = (
        "<table><thead><tr><th>document</th><th>outlet</th><th>phrase</th><th>at</th></tr></thead><tbody>"
        + _citation_rows(data, data.external, False) + "</tbody></table>"
        if data.external else '<p class="muted">None.</p>'
    )
    res = (
        "<table><thead><tr><th>document</th><th>outlet</th><th>phrase</th><th>resolved to</th><th>at</th></tr>"
        "</thead><tbody>" + _citation_rows(data, data.resolved, True) + "</tbody></table>"
        if data.resolved else '<p class="muted">None.</p>'
    )
    return (f'<section id="citations"><h2>Citations</h2><h3>Outlets outside the corpus</h3>{ext}'
            f"<h3>Citations resolved to corpus documents</h3>{res}</section>")


def _page(data: ReportData) -> str:
    name = data.source.replace("\\", "/").rsplit("/", 1)[-1]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Provenance report · {h(name)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        "<h1>Provenance report</h1>",
        f'<p class="sub">Near-duplicate copies and quotations in <code>{h(name)}</code>, as found by '
        "article-dedup. Nothing here is recomputed: it is what the run stored.</p>",
        _summary(data),
        _graph(data),
        _clusters(data),
        _reuses(data),
        _citations(data),
        _documents(data),
        "</main></body></html>",
        "",
    ])
