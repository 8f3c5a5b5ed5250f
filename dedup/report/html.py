"""The HTML report: one self-contained page (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dedup.models import Citation, Gap, Reuse
from dedup.report import plan as budget
from dedup.report.diff import Piece, diff_summary, word_diff
from dedup.report.escape import anchor, h, one_line, safe_url, truncate
from dedup.report.graph import render_svg
from dedup.report.model import NOT_LOOKED_FOR, ClusterInfo, DocInfo, ReportData, build
from dedup.report.overview import (
    STRENGTH_TEXT,
    appearances,
    carried_most,
    outlet_pairs,
    reuse_anchor,
    source_anchor,
    strength,
)
from dedup.report.plan import GroupView, Plan, make_plan
from dedup.report.style import CSS

if TYPE_CHECKING:
    from dedup.corpus import Corpus

# Nothing in the page may load or run anything: even if some input slipped past the
# escaping, the browser would refuse scripts, plugins and remote resources.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render_html(corpus: Corpus) -> str:
    """The whole report as one HTML document."""
    return _page(build(corpus))


# -- helpers ----------------------------------------------------------------------------------
def _doc_ref(data: ReportData, doc_id: str, *, link: bool = True, with_outlet: bool = True) -> str:
    """``id`` with its title and outlet: how every document is named in the report."""
    d = data.doc(doc_id)
    ident = f'<code class="id">{h(doc_id)}</code>'
    if link and data.is_listed(doc_id):
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


# -- the first screen ---------------------------------------------------------------------------
_TAG = {"attributed": "quotes", "credited": "republishes", "inferred": "reuses (by date or marks)",
        "undirected": "direction unknown", "common": "common source"}


def _summary(data: ReportData) -> str:
    s = data.summary
    unknown = len(data.reuses) - data.quotes
    cards = [
        ("documents", str(s["documents"])),
        ("clusters", f"{s['clusters']}"),
        ("with copies", f"{s['duplicate_clusters']}"),
        ("duplicates", str(s["duplicates"])),
        ("quotation edges", f"{len(data.reuses)}"),
        ("… with direction", f'<span title="{unknown} without a known direction">{data.quotes}</span>'),
        ("common sources", str(len(data.sources))),
        ("citations", f"{s['citations']}"),
        ("… resolved in corpus", str(len(data.resolved))),
    ]
    if data.copies_only:
        cards = [c for c in cards if c[0] not in {"quotation edges", "… with direction", "common sources", "citations",
                                                   "… resolved in corpus"}]
        cards.append(("provenance", h(NOT_LOOKED_FOR)))
    run = data.run
    small = [("run config", str(s.get("config") or "—")),
             ("run", f"#{run.get('id', '?')} · {run.get('finished') or run.get('started') or ''}"),
             ("database", data.source)]
    items = [f"<div><dt>{h(k)}</dt><dd>{v}</dd></div>" for k, v in cards]
    meta = [f'<div><dt>{h(k)}</dt><dd class="small">{h(v)}</dd></div>' for k, v in small]
    return (f'<section id="summary"><dl class="cards">{"".join(items)}</dl>'
            f'<dl class="cards meta">{"".join(meta)}</dl></section>')


def _toc(data: ReportData, plan: Plan) -> str:
    links = [("carried", "Carried most"), ("outlets", "Outlets"), ("largest", "Largest clusters"),
             ("graph", "Graph" if plan.whole else f"Groups ({len(plan.groups) + len(plan.more_groups)})"),
             ("clusters", f"Clusters ({len(data.clusters)})"), ("reuses", f"Quotations ({len(plan.shown)})"),
             ("sources", f"Common sources ({len(data.sources)})"), ("citations", "Citations"),
             ("documents", "Documents")]
    return '<nav class="toc">' + "".join(f'<a href="#{k}">{h(t)}</a>' for k, t in links) + "</nav>"


def _short_ref(data: ReportData, doc_id: str) -> str:
    d = data.doc(doc_id)
    meta = " · ".join(x for x in (d.date[:10] if d.date else None, truncate(d.outlet, 24) if d.outlet else None) if x)
    link = f'<code class="id" title="{h(doc_id)}">{h(truncate(doc_id, 16))}</code>'
    if data.is_listed(doc_id):
        link = f'<a href="#{anchor("doc", doc_id)}">{link}</a>'
    return link + (f' <span class="muted">{h(meta)}</span>' if meta else "")


def _outlet_list(outlets: tuple[str, ...], shown: int = 3) -> str:
    names = ", ".join(truncate(o, 24) for o in outlets[:shown])
    more = f" +{len(outlets) - shown}" if len(outlets) > shown else ""
    return f"{len(outlets)} <span class=muted>· {h(names)}{more}</span>" if outlets else "—"


def _carried(data: ReportData) -> str:
    rows = []
    for n, c in enumerate(carried_most(data, 10), 1):
        cls = c.kind.split(",")[0].replace(" ", "-")
        earliest = _short_ref(data, c.earliest) if c.earliest else '<span class="muted">no dates</span>'
        what = f'<a href="#{h(c.target)}">{h(truncate(c.label, 60))}</a>'
        if c.passage:
            what += f' <span class="muted">“{h(truncate(c.passage, 70))}”</span>'
        outlets = ", ".join(c.outlets)
        rows.append(f'<tr><td class="num">{n}</td><td><span class="tag {h(cls)}">{h(c.kind)}</span> {what}</td>'
                    f'<td class="num">{len(c.carriers)}</td><td class="num" title="{h(truncate(outlets, 600))}">'
                    f"{len(c.outlets)}</td><td>{earliest}</td></tr>")
    body = ("<table><thead><tr><th>#</th><th>text</th><th>docs</th><th>outlets</th>"
            "<th>earliest dated witness</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            if rows else '<p class="muted">No text is carried by more than one document.</p>')
    return ('<section id="carried"><h2>Carried most</h2><p class="caption">Stories copied or quoted by '
            "several documents, and common sources (a wire story, a speaker's words) that several carry; "
            f"by number of documents.</p>{body}</section>")


def _outlets(data: ReportData) -> str:
    rows = []
    for p in outlet_pairs(data, 10):
        arrow = "↔" if not p.directed else "→"
        cells = "".join(f'<td class="num">{p.counts[s] or ""}</td>'
                        for s in ("attributed", "credited", "inferred", "undirected"))
        rows.append(f"<tr><td>{h(truncate(p.taker, 28))} {arrow} {h(truncate(p.source, 28))}</td>{cells}</tr>")
    body = ('<table><thead><tr><th>outlet → outlet it takes from</th><th title="quotes, attributed">quotes</th>'
            '<th title="republishes with a credit">credited</th><th title="direction from dates or marks only">'
            'by date</th><th title="shared text, direction unknown">undirected</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>"
            if rows else '<p class="muted">No outlet takes text from another.</p>')
    return ('<section id="outlets"><h2>Who takes from whom, by outlet</h2><p class="caption">Passages one '
            "outlet's articles take from another's, by strength of evidence; a common source both carry is not "
            f"counted.</p>{body}</section>")


def _largest(data: ReportData) -> str:
    rows = []
    for ci in data.clusters[:10]:
        outlets = tuple(dict.fromkeys(o for m in ci.members if (o := data.doc(m).outlet)))
        title = data.doc(ci.canonical).title or "(no title)"
        rows.append(f'<tr><td><a href="#{anchor("cluster", ci.id)}">{h(truncate(title, 80))}</a></td>'
                    f'<td class="num">{len(ci.members)}</td><td>{_outlet_list(outlets)}</td>'
                    f"<td>{_short_ref(data, ci.canonical)}</td></tr>")
    body = ("<table><thead><tr><th>story (canonical title)</th><th>copies</th><th>outlets</th><th>canonical copy"
            "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            if rows else '<p class="muted">No near-duplicates found.</p>')
    return f'<section id="largest"><h2>Largest clusters of copies</h2>{body}</section>'


# -- graphs ---------------------------------------------------------------------------------------
_CAPTION = ("Boxes group near-duplicate copies (★ marks the canonical copy). Arrows run from the taking "
            "article to the one it takes from: solid orange when it attributes the text, purple for a credited "
            "republication, dashed amber when only dates or quotation marks give the direction; grey dashed "
            "lines are shared text whose direction is unknown; dotted lines lead to outlets outside the corpus. "
            "Common sources are listed under their own heading, not drawn. Click a node or edge for its section.")


def _graphs(data: ReportData, plan: Plan) -> str:
    if plan.whole is not None:
        g = plan.whole
        title = (f"Provenance graph: {len(data.docs)} documents, {len(data.clusters)} clusters of copies, "
                 f"{len(data.reuses)} quotation edges, {len(data.external)} citations of outside outlets")
        caption = _CAPTION + (f" {g.omitted} unlinked single documents are not drawn." if g.omitted else "")
        return (f'<section id="graph"><h2>Provenance graph</h2><div class="graph-wrap">{render_svg(g, title)}'
                f'</div><p class="caption">{h(caption)}</p></section>')
    parts = [f'<section id="graph"><h2>Groups of documents that take from each other</h2>'
             f'<p class="caption">{len(plan.groups) + len(plan.more_groups)} groups, largest first: documents '
             f"joined by reuse or by a citation resolved in the corpus (copies of one story count as one). "
             f"{h(_CAPTION)}</p>"]
    for n, view in enumerate(plan.groups):
        parts.append(_group(data, view, open_=n < 5))
    if plan.more_groups:
        rows = "".join(f'<tr id="{g.anchor}"><td class="num">{g.number}</td><td class="num">{len(g.docs)}</td>'
                       f'<td class="num">{len(g.reuses)}</td><td>{", ".join(_short_ref(data, d) for d in g.docs[:4])}'
                       f"{' …' if len(g.docs) > 4 else ''}</td></tr>" for g in plan.more_groups)
        parts.append(f"<h3>{len(plan.more_groups)} smaller groups</h3><table><thead><tr><th>group</th>"
                     f"<th>documents</th><th>edges</th><th>documents</th></tr></thead><tbody>{rows}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _group(data: ReportData, view: GroupView, open_: bool) -> str:
    grp = view.group
    head = (f"Group {grp.number}: {len(grp.docs)} documents, {len(grp.clusters)} clusters of copies, "
            f"{len(grp.reuses)} quotation edges")
    if view.graph is not None:
        body = f'<div class="graph-wrap">{render_svg(view.graph, head, f"graph-{grp.number}")}</div>'
        if view.graph.omitted_outlets:
            body += f'<p class="more">{view.graph.omitted_outlets} more outlets outside the corpus not drawn.</p>'
    else:
        body = f'<p class="muted">Not drawn: {h(view.why)}. Its edges:</p>' + _edge_table(data, grp.reuses)
    return (f'<details class="group" id="{grp.anchor}"{" open" if open_ else ""}><summary>{h(head)}</summary>'
            f"{body}</details>")


def _edge_table(data: ReportData, indices: list[int]) -> str:
    """Edges aggregated by document pair: the picture of a group too large to draw."""
    pairs: dict[tuple[str, str], list[int]] = {}
    for i in indices:
        r = data.reuses[i]
        pairs.setdefault((r.quoting, r.source), []).append(i)
    rows = []
    for (a, b), found in sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:300]:
        r = data.reuses[found[0]]
        s = strength(r)
        rows.append(f"<tr><td>{_short_ref(data, a)}</td><td><span class='tag {s}'>{h(_TAG[s])}</span></td>"
                    f"<td>{_short_ref(data, b)}</td><td class='num'>{len(found)}</td>"
                    f'<td><a href="#{reuse_anchor(found[0])}">#{found[0] + 1}</a></td></tr>')
    return ("<table><thead><tr><th>document</th><th>evidence</th><th>takes from / shares with</th><th>passages</th>"
            "<th>first</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


# -- clusters -------------------------------------------------------------------------------------
def _gaps(data: ReportData, gaps: Iterable[Gap]) -> str:
    rows = []
    gaps = list(gaps)
    for g in gaps[:budget.MAX_GAPS]:
        span = g.canonical_span
        rows.append(
            f'<tr><td class="num">{g.at}</td><td class="num">{g.length}</td>'
            f'<td class="num">{span.start}–{span.end}</td>'
            f'<td><span class="gap-text">{h(truncate(span.text, 300))}</span></td></tr>'
        )
    if len(gaps) > budget.MAX_GAPS:
        rows.append(f'<tr><td colspan="4" class="more">… and {len(gaps) - budget.MAX_GAPS} more gaps: '
                    "<code>dedup show ID</code> lists them all</td></tr>")
    if not rows:
        return '<p class="muted">No damage found.</p>'
    return ('<table><thead><tr><th>at (offset in this copy)</th><th>length</th><th>canonical span</th>'
            '<th>text the canonical copy has there</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")


def _cluster(data: ReportData, ci: ClusterInfo) -> str:
    rows = []
    for m in ci.members[:budget.MAX_MEMBERS]:
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
    if len(ci.members) > budget.MAX_MEMBERS:
        rows.append(f'<tr><td colspan="7" class="more">… and {len(ci.members) - budget.MAX_MEMBERS} more copies: '
                    f"<code>dedup clusters</code> lists them all</td></tr>")
    damage = []
    for m in ci.members[:budget.MAX_MEMBERS]:
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
    full = data.clusters[:budget.MAX_CLUSTERS_FULL]
    body = "".join(_cluster(data, ci) for ci in full) or '<p class="muted">No near-duplicates found.</p>'
    rest = data.clusters[budget.MAX_CLUSTERS_FULL:]
    if rest:
        rows = "".join(f'<tr id="{anchor("cluster", ci.id)}"><td><code>{h(truncate(ci.id, 20))}</code></td>'
                       f'<td class="num">{len(ci.members)}</td><td>{_short_ref(data, ci.canonical)}</td>'
                       f"<td>{h(truncate(data.doc(ci.canonical).title or '(no title)', 80))}</td></tr>" for ci in rest)
        body += (f"<h3>{len(rest)} smaller clusters</h3><table><thead><tr><th>cluster</th><th>copies</th>"
                 f"<th>canonical copy</th><th>title</th></tr></thead><tbody>{rows}</tbody></table>")
    single = ""
    if data.singletons:
        single = (f'<p class="muted">{len(data.singletons)} document(s) have no other copy in the corpus: '
                  + ", ".join(f"<code>{h(s)}</code>" for s in data.singletons[:200])
                  + (" …" if len(data.singletons) > 200 else "") + ".</p>")
    return f'<section id="clusters"><h2>Near-duplicate clusters</h2>{body}{single}</section>'


def _reuse(data: ReportData, i: int, r: Reuse) -> str:
    quoting, source = word_diff(r.quoting_span.text, r.source_span.text)
    s = strength(r)
    tag = f'<span class="tag {s}" title="{h(STRENGTH_TEXT[s])}">{h(_TAG[s])}</span>'
    if r.direction == "quotes":
        verb = {"attributed": "quotes", "credited": "republishes"}.get(s, "reuses text of")
        head = f"{tag} {_doc_ref(data, r.quoting)} {verb} {_doc_ref(data, r.source)}"
    else:
        head = f"{tag} {_doc_ref(data, r.quoting)} and {_doc_ref(data, r.source)} share a passage"
    facts = [f"similarity {r.similarity:.3f}", "in quotation marks" if r.quoted else "not in quotation marks",
             f"confidence {r.confidence:.3f}", diff_summary(quoting, source)]
    parts = [f'<article class="reuse {h(r.direction)} {s}" id="{reuse_anchor(i)}"><h3>{i + 1}. {head}</h3>',
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


def _reuses(data: ReportData, plan: Plan) -> str:
    body = "".join(_reuse(data, i, data.reuses[i]) for i in plan.panels)
    if plan.rows:
        rows = []
        for i in plan.rows:
            r = data.reuses[i]
            s = strength(r)
            rows.append(f'<tr id="{reuse_anchor(i)}"><td class="num">{i + 1}</td><td>{_short_ref(data, r.quoting)}'
                        f"</td><td><span class='tag {s}'>{h(_TAG[s])}</span></td><td>{_short_ref(data, r.source)}</td>"
                        f'<td class="num">{r.confidence:.2f}</td><td>{h(truncate(r.quoting_span.text, 80))}</td></tr>')
        body += (f"<h3>{len(plan.rows)} more, one row each</h3><p class=\"more\"><code>dedup explain A B</code> "
                 "shows any of them in full.</p><table><thead><tr><th>#</th><th>document</th><th>evidence</th>"
                 "<th>takes from / shares with</th><th>confidence</th><th>passage</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table>")
    if plan.unlisted:
        body += f'<p class="more">{plan.unlisted} more not listed: <code>dedup export</code> has them all.</p>'
    if plan.covered:
        body += (f'<p class="more">{plan.covered} passages shared because both documents carry a common source '
                 'are told once, under <a href="#sources">Common sources</a>.</p>')
    if not body:
        body = "<p class=muted>No quotation between articles found.</p>"
    return f'<section id="reuses"><h2>Quotations between articles</h2>{body}</section>'


def _source(data: ReportData, i: int, s: dict[str, Any]) -> str:
    kind = s.get("kind") or "unknown"
    name = s.get("name") or ("unnamed speaker" if kind == "speaker" else "unnamed")
    venue = f" · said on {s['venue']}" if s.get("venue") else ""
    wit = s.get("witnesses", [])
    rows = "".join(f"<tr><td>{_short_ref(data, w['doc'])}</td><td>{h(truncate(data.doc(w['doc']).title or '', 70))}"
                   f'</td><td class="num">{w["start"]}–{w["end"]}</td></tr>' for w in wit[:10])
    more = f'<p class="more">… and {len(wit) - 10} more witnesses.</p>' if len(wit) > 10 else ""
    label = {"wire": "wire story", "speaker": "speaker's words"}.get(kind, "common source")
    return (f'<details class="source" id="{source_anchor(i)}"{" open" if i < 10 else ""}><summary>'
            f'<span class="tag {h(kind)}">{h(label)}</span> {h(truncate(name, 60))}{h(venue)} · carried by '
            f"{len(wit)} documents</summary>"
            f'<p class="passage">{h(truncate(s.get("passage") or "", 400))}</p>'
            f"<table><thead><tr><th>witness (earliest first)</th><th>title</th><th>chars</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{more}</details>")


def _sources(data: ReportData) -> str:
    cards = "".join(_source(data, i, s) for i, s in enumerate(data.sources[:budget.MAX_SOURCE_CARDS]))
    rest = data.sources[budget.MAX_SOURCE_CARDS:]
    if rest:
        rows = "".join(
            f'<tr id="{source_anchor(budget.MAX_SOURCE_CARDS + k)}"><td>{h(s.get("kind") or "unknown")}</td>'
            f'<td>{h(truncate(s.get("name") or "—", 40))}</td><td class="num">{len(s.get("witnesses", []))}</td>'
            f'<td>{h(truncate(s.get("passage") or "", 120))}</td></tr>' for k, s in enumerate(rest))
        cards += (f"<h3>{len(rest)} more common sources</h3><table><thead><tr><th>kind</th><th>name</th>"
                  f"<th>witnesses</th><th>passage</th></tr></thead><tbody>{rows}</tbody></table>")
    intro = ('<p class="caption">Text that several articles carry from a third party: a wire story, a speaker\'s '
             "words. None of them took it from another, so no edge is drawn between them.</p>")
    return (f'<section id="sources"><h2>Common sources</h2>{intro}'
            f'{cards or "<p class=muted>None found.</p>"}</section>')


def _citation_rows(data: ReportData, cites: list[Citation], resolved: bool) -> str:
    rows = []
    for c in cites:
        target = f"<td>{_doc_ref(data, c.resolved_to)}</td>" if resolved and c.resolved_to else ""
        rows.append(f"<tr><td>{_doc_ref(data, c.doc)}</td><td>{h(c.outlet)}</td>"
                    f"<td><q>{h(one_line(c.phrase))}</q></td>{target}"
                    f'<td class="num">{c.span.start}</td></tr>')
    return "".join(rows)


def _citations(data: ReportData) -> str:
    by_outlet = Counter(one_line(c.outlet) for c in data.external)
    docs_of: dict[str, set[str]] = {}
    for c in data.external:
        docs_of.setdefault(one_line(c.outlet), set()).add(c.doc)
    summary = "".join(f'<tr><td>{h(o)}</td><td class="num">{n}</td><td class="num">{len(docs_of[o])}</td></tr>'
                      for o, n in sorted(by_outlet.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:40])
    ext = ("<table><thead><tr><th>outlet outside the corpus</th><th>citations</th><th>citing documents</th></tr>"
           f"</thead><tbody>{summary}</tbody></table>" if by_outlet else '<p class="muted">None.</p>')
    if data.external:
        shown = data.external[:budget.MAX_ROWS // 4]
        ext += (f"<details><summary>Every citation of an outside outlet ({len(data.external)})</summary><table><thead>"
                "<tr><th>document</th><th>outlet</th><th>phrase</th><th>at</th></tr></thead><tbody>"
                + _citation_rows(data, shown, False) + "</tbody></table>"
                + (f'<p class="more">{len(data.external) - len(shown)} more: <code>dedup export</code>.</p>'
                   if len(shown) < len(data.external) else "") + "</details>")
    res = (
        "<table><thead><tr><th>document</th><th>outlet</th><th>phrase</th><th>resolved to</th><th>at</th></tr>"
        "</thead><tbody>" + _citation_rows(data, data.resolved[:budget.MAX_ROWS], True) + "</tbody></table>"
        if data.resolved else '<p class="muted">None.</p>'
    )
    return (f'<section id="citations"><h2>Citations</h2><h3>Outlets outside the corpus</h3>{ext}'
            f"<h3>Citations resolved to corpus documents</h3>{res}</section>")


def _documents(data: ReportData, plan: Plan) -> str:
    rows = []
    multi = {ci.id for ci in data.clusters}
    seen = appearances(data, plan.shown)
    docs = [d for d in data.docs.values() if data.is_listed(d.id)]
    for d in docs:
        role = '<span class="tag">★ canonical</span>' if d.canonical else ""
        cluster = (f'<a href="#{anchor("cluster", d.cluster)}"><code>{h(truncate(d.cluster or "", 16))}</code></a>'
                   if d.cluster in multi else '<span class="muted">only copy</span>')
        # the cluster has its own column; quotations and sources, the first few
        places = [p for p in seen.get(d.id, []) if p[1] != "cluster"]
        where = " ".join(f'<a href="#{f}">{h(t)}</a>' for f, t in places[:8])
        if len(places) > 8:
            where += f" +{len(places) - 8}"
        rows.append(
            f'<tr id="{anchor("doc", d.id)}"><td><code class="id">{h(d.id)}</code></td>'
            f'<td>{_value(d, "title")}</td><td>{_value(d, "outlet")}</td><td>{_value(d, "date")}</td>'
            f'<td>{_url(d.url)}</td><td>{cluster} {role}</td><td class="num">{_pct(d.completeness)}</td>'
            f"<td>{where}</td></tr>"
        )
    note = ""
    if len(docs) < len(data.docs):
        note = (f'<p class="more">{len(data.docs) - len(docs)} documents the report does not mention are not '
                "listed: <code>dedup export</code> lists every document.</p>")
    return ('<section id="documents"><h2>Documents</h2>' + note + '<table><thead><tr><th>id</th><th>title</th>'
            '<th>outlet</th><th>date</th><th>url</th><th>cluster</th><th>complete</th><th>appears in</th></tr>'
            "</thead><tbody>" + "".join(rows) + "</tbody></table></section>")


def _page(data: ReportData) -> str:
    name = data.source.replace("\\", "/").rsplit("/", 1)[-1]
    plan = make_plan(data)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Provenance report · {h(name)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>Provenance report</h1>",
        f'<p class="sub">Near-duplicate copies and quotations in <code>{h(name)}</code>, as found by '
        "article-dedup. Nothing here is recomputed: it is what the run stored.</p>",
        _summary(data),
        _toc(data, plan),
        f'<div class="overview">{_carried(data)}{_outlets(data)}</div>',
        _largest(data),
        _graphs(data, plan),
        _clusters(data),
        _reuses(data, plan),
        _sources(data),
        _citations(data),
        _documents(data, plan),
        "</main></body></html>",
        "",
    ])
