"""The Markdown report (GitHub-flavoured, with a Mermaid ``flowchart`` per group of documents).

Mermaid refuses a diagram of more than 50,000 characters by default, so no block may reach
:data:`MAX_MERMAID`; a group whose diagram would is given as a table instead.

Input text is escaped for Markdown *and* HTML (GitHub renders inline HTML), so
the only tags in the output are the ``<br>`` the renderer writes itself.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from dedup.models import Citation, Reuse
from dedup.report import plan as budget
from dedup.report.diff import Piece, diff_summary, word_diff
from dedup.report.escape import md, md_code, md_url, one_line, safe_url, truncate
from dedup.report.graph import Graph, render_mermaid
from dedup.report.model import NOT_LOOKED_FOR, ClusterInfo, DocInfo, ReportData, build
from dedup.report.overview import STRENGTH_TEXT, carried_most, outlet_pairs, strength
from dedup.report.plan import Plan, make_plan

if TYPE_CHECKING:
    from dedup.corpus import Corpus


#: the largest Mermaid block written (Mermaid's default maxTextSize is 50,000)
MAX_MERMAID = 45_000


def render_markdown(corpus: Corpus) -> str:
    return _render(build(corpus))


def _ref(data: ReportData, doc_id: str) -> str:
    """``id`` with its title and outlet, safe in a table cell."""
    d = data.doc(doc_id)
    extra = []
    if d.title:
        extra.append(f"“{md(truncate(d.title, 80))}”")
    if d.outlet:
        extra.append(f"*{md(truncate(d.outlet, 40))}*")
    return md_code(doc_id) + (" " + " · ".join(extra) if extra else "")


def _value(d: DocInfo, name: str) -> str:
    value: str | None = getattr(d, name)
    if not value:
        return "—"
    src = d.inferred_from.get(name)
    if src is not None:
        return f"*{md(value)}* (inferred" + (f" from {md_code(src)})" if src else ")")
    return md(value)


def _url(url: str | None) -> str:
    if not url:
        return "—"
    safe = safe_url(url)
    if safe is None:
        return md_code(truncate(url, 60)) + " (not linked)"
    return f"[{md(truncate(url, 60))}]({md_url(safe)})"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _passage(pieces: list[Piece], marker: str) -> str:
    """A passage in one table cell: changed words wrapped in ``marker`` (``**`` insert, ``~~`` delete).

    Emphasis only works when the markers hug the words, so whitespace is kept
    outside them and collapsed to one space.
    """
    parts: list[str] = []
    space = False
    for p in pieces:
        core = md(p.text)
        space = space or p.text[:1].isspace()
        if not core:
            continue
        if parts and space:
            parts.append(" ")
        parts.append(f"{marker}{core}{marker}" if p.kind == "changed" else core)
        space = p.text[-1:].isspace()
    return "".join(parts)


def _summary(data: ReportData) -> list[str]:
    s = data.summary
    unknown = len(data.reuses) - data.quotes
    run = data.run
    rows = [
        ("documents", str(s["documents"])),
        ("clusters (with copies)", f"{s['clusters']} ({s['duplicate_clusters']})"),
        ("duplicates", str(s["duplicates"])),
        ("quotation edges", f"{len(data.reuses)} ({data.quotes} with direction, {unknown} unknown)"),
        ("common sources", str(len(data.sources))),
        ("citations", f"{s['citations']} ({len(data.external)} outside the corpus, {len(data.resolved)} resolved)"),
        ("run config", md_code(str(s.get("config") or "—"))),
        ("run", md(f"#{run.get('id', '?')} · {run.get('finished') or run.get('started') or ''}")),
    ]
    if data.copies_only:
        rows[3:6] = [("quotations, common sources, citations", NOT_LOOKED_FOR)]
    return ["## Corpus", "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]


_LEGEND = ("Boxes group near-duplicate copies (★ canonical copy); `-->` takes from (to the source): thick when "
           "attributed, `-.->` when only dates or quotation marks give the direction; `-.-` shared text, direction "
           "unknown; dotted arrows to rounded nodes cite an outlet outside the corpus. Common sources are listed "
           "under their own heading, not drawn.")


def _overview(data: ReportData) -> list[str]:
    out = ["## Carried most", "",
           "Stories copied or quoted by several documents, and common sources (a wire story, a speaker's words) "
           "that several carry; by number of documents.", ""]
    rows = carried_most(data, 10)
    if rows:
        out += ["| # | kind | text | docs | outlets | earliest dated witness |", "|--:|---|---|--:|--:|---|"]
        for n, c in enumerate(rows, 1):
            what = md(truncate(c.label, 60)) + (f" “{md(truncate(c.passage, 70))}”" if c.passage else "")
            first = _short(data, c.earliest) if c.earliest else "no dates"
            out.append(f"| {n} | {md(c.kind)} | {what} | {len(c.carriers)} | {len(c.outlets)} | {first} |")
    else:
        out.append("No text is carried by more than one document.")
    out += ["", "## Who takes from whom, by outlet", "",
            "Passages one outlet's articles take from another's, by strength of evidence; a common source both "
            "carry is not counted.", ""]
    pairs = outlet_pairs(data, 10)
    if pairs:
        out += ["| outlet → outlet it takes from | quotes | credited | by date | undirected |", "|---|--:|--:|--:|--:|"]
        for p in pairs:
            arrow = "→" if p.directed else "↔"
            cells = " | ".join(str(p.counts[s] or "") for s in ("attributed", "credited", "inferred", "undirected"))
            out.append(f"| {md(truncate(p.taker, 30))} {arrow} {md(truncate(p.source, 30))} | {cells} |")
    else:
        out.append("No outlet takes text from another.")
    out += ["", "## Largest clusters of copies", ""]
    if data.clusters:
        out += ["| story (canonical title) | copies | outlets | canonical copy |", "|---|--:|--:|---|"]
        for ci in data.clusters[:10]:
            outlets = {o for m in ci.members if (o := data.doc(m).outlet)}
            title = data.doc(ci.canonical).title or "(no title)"
            out.append(f"| {md(truncate(title, 80))} | {len(ci.members)} | {len(outlets)} "
                       f"| {_short(data, ci.canonical)} |")
    else:
        out.append("No near-duplicates found.")
    return [*out, ""]


def _short(data: ReportData, doc_id: str) -> str:
    d = data.doc(doc_id)
    meta = " · ".join(x for x in (d.date[:10] if d.date else None, d.outlet) if x)
    return md_code(truncate(doc_id, 28)) + (f" {md(truncate(meta, 40))}" if meta else "")


def _mermaid(g: Graph) -> list[str] | None:
    text = render_mermaid(g)
    return None if len(text) > MAX_MERMAID else ["```mermaid", text, "```", ""]


def _edge_rows(data: ReportData, indices: list[int]) -> list[str]:
    out = ["| document | evidence | takes from / shares with | passages |", "|---|---|---|--:|"]
    pairs: dict[tuple[str, str], list[int]] = {}
    for i in indices:
        r = data.reuses[i]
        pairs.setdefault((r.quoting, r.source), []).append(i)
    for (a, b), found in sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:300]:
        s = strength(data.reuses[found[0]])
        out.append(f"| {_short(data, a)} | {md(STRENGTH_TEXT[s])} | {_short(data, b)} | {len(found)} |")
    return [*out, ""]


def _graph(data: ReportData, plan: Plan) -> list[str]:
    if plan.whole is not None:
        block = _mermaid(plan.whole)
        out = ["## Provenance graph", "", _LEGEND, ""]
        out += block or ["The graph is too large for one Mermaid diagram; see the sections below.", ""]
        if plan.whole.omitted:
            out += [f"{plan.whole.omitted} unlinked single documents are not drawn (see Documents).", ""]
        return out
    out = ["## Groups of documents that take from each other", "",
           f"{len(plan.groups) + len(plan.more_groups)} groups, largest first: documents joined by reuse or by a "
           "citation resolved in the corpus (copies of one story count as one). " + _LEGEND, ""]
    for view in plan.groups:
        grp = view.group
        out += [f"### Group {grp.number}: {len(grp.docs)} documents, {len(grp.clusters)} clusters of copies, "
                f"{len(grp.reuses)} quotation edges", ""]
        block = _mermaid(view.graph) if view.graph is not None else None
        if block is None:
            why = view.why or "its diagram is too large for Mermaid"
            out += [f"Not drawn: {md(why)}. Its edges:", "", *_edge_rows(data, grp.reuses)]
        else:
            out += block
    if plan.more_groups:
        out += [f"### {len(plan.more_groups)} smaller groups", "", "| group | documents | edges | first documents |",
                "|--:|--:|--:|---|"]
        out += [f"| {g.number} | {len(g.docs)} | {len(g.reuses)} | {', '.join(md_code(d) for d in g.docs[:4])} |"
                for g in plan.more_groups]
        out.append("")
    return out


def _cluster(data: ReportData, ci: ClusterInfo) -> list[str]:
    canon = data.doc(ci.canonical)
    out = [
        f"### Cluster {md_code(ci.id)}: {len(ci.members)} copies of “{md(truncate(canon.title or '(no title)', 90))}”",
        "",
        f"Canonical copy: {_ref(data, ci.canonical)}. Why: {md(ci.cluster.reason)}",
        "",
        "| member | relation | jaccard | containment in canonical | containment of canonical | complete | gaps |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for m in ci.members[:budget.MAX_MEMBERS]:
        d = data.doc(m)
        p = ci.pairs.get(m)
        if m == ci.canonical:
            figures = "★ canonical | | | |"
        elif p is None:
            figures = "— | — | — | — |"
        else:
            in_canon, of_canon = p.containments(m)
            figures = f"{md(p.relation or '—')} | {p.jaccard:.3f} | {in_canon:.3f} | {of_canon:.3f} |"
        out.append(f"| {_ref(data, m)} | {figures} {_pct(d.completeness)} | {len(d.gaps)} |")
    if len(ci.members) > budget.MAX_MEMBERS:
        out.append(f"| … and {len(ci.members) - budget.MAX_MEMBERS} more copies (`dedup clusters`) | | | | | | |")
    out.append("")
    for m in ci.members[:budget.MAX_MEMBERS]:
        d = data.doc(m)
        if m == ci.canonical or not d.gaps:
            continue
        out += [
            f"Damage in {md_code(m)}: {len(d.gaps)} gap(s), {sum(g.length for g in d.gaps)} characters missing, "
            f"{_pct(d.completeness)} complete.",
            "",
            "| at | length | canonical span | text the canonical copy has there |",
            "|--:|--:|--:|---|",
        ]
        for g in d.gaps[:budget.MAX_GAPS]:
            s = g.canonical_span
            out.append(f"| {g.at} | {g.length} | {s.start}–{s.end} | {md(truncate(s.text, 300))} |")
        if len(d.gaps) > budget.MAX_GAPS:
            out.append(f"| … | | | {len(d.gaps) - budget.MAX_GAPS} more gaps: `dedup show {md(m)}` |")
        out.append("")
    return out


def _reuse(data: ReportData, i: int, r: Reuse) -> list[str]:
    quoting, source = word_diff(r.quoting_span.text, r.source_span.text)
    if r.direction == "quotes":
        verb = {"attributed": "quotes", "credited": "republishes"}.get(strength(r), "reuses text of")
        head = f"### {i + 1}. {md_code(r.quoting)} {verb} {md_code(r.source)}"
        cols = ("quoting", "quoted")
    else:
        head = f"### {i + 1}. {md_code(r.quoting)} and {md_code(r.source)} share a passage (direction unknown)"
        cols = ("one copy", "other copy")
    out = [
        head, "",
        f"{_ref(data, r.quoting)} → {_ref(data, r.source)}", "",
        f"evidence: {md(STRENGTH_TEXT[strength(r)])} · "
        f"similarity {r.similarity:.3f} · {'in' if r.quoted else 'not in'} quotation marks · "
        f"confidence {r.confidence:.3f} · {diff_summary(quoting, source)}",
        "",
    ]
    if r.attribution:
        a = r.attribution
        year = f", {a.year}" if a.year is not None else ""
        out += [f"Attribution: “{md(a.text)}” (names {md(a.outlet)}{year})", ""]
    else:
        out += ["No attribution phrase found.", ""]
    out += [
        f"| {cols[0]}: {md_code(r.quoting)} (chars {r.quoting_span.start}–{r.quoting_span.end}) "
        f"| {cols[1]}: {md_code(r.source)} (chars {r.source_span.start}–{r.source_span.end}) |",
        "|---|---|",
        f"| {_passage(quoting, '**')} | {_passage(source, '~~')} |",
        "",
        "**bold**: only in the quoting text · ~~struck~~: only in the quoted text.",
        "",
        f"Evidence for the direction (confidence {r.confidence:.3f}):",
        "",
    ]
    out += [f"- {md(e)}" for e in r.evidence] or ["- none recorded"]
    out.append("")
    if r.also_in:
        out += ["Also in: " + ", ".join(_ref(data, d) for d in r.also_in), ""]
    return out


def _citations(data: ReportData, cites: list[Citation], resolved: bool) -> list[str]:
    if not cites:
        return ["None.", ""]
    head = "| document | outlet | phrase |" + (" resolved to |" if resolved else "") + " at |"
    out = [head, "|---|---|---|" + ("---|" if resolved else "") + "--:|"]
    for c in cites:
        target = f" {_ref(data, c.resolved_to)} |" if resolved and c.resolved_to else ""
        out.append(f"| {_ref(data, c.doc)} | {md(c.outlet)} | “{md(c.phrase)}” |{target} {c.span.start} |")
    out.append("")
    return out


def _documents(data: ReportData) -> list[str]:
    multi = {ci.id for ci in data.clusters}
    out = ["## Documents", "", "| id | title | outlet | date | url | cluster | complete |",
           "|---|---|---|---|---|---|--:|"]
    docs = [d for d in data.docs.values() if data.is_listed(d.id)]
    if len(docs) < len(data.docs):
        out.insert(2, f"{len(data.docs) - len(docs)} documents the report does not mention are not listed: "
                      "`dedup export` lists every document.\n")
    for d in docs:
        if d.cluster in multi:
            cluster = md_code(d.cluster or "") + (" ★ canonical" if d.canonical else "")
        else:
            cluster = "only copy"
        out.append(f"| {md_code(d.id)} | {_value(d, 'title')} | {_value(d, 'outlet')} | {_value(d, 'date')} "
                   f"| {_url(d.url)} | {cluster} | {_pct(d.completeness)} |")
    out.append("")
    return out


def _reuses(data: ReportData, plan: Plan) -> list[str]:
    out = ["## Quotations between articles", ""]
    for i in plan.panels:
        out += _reuse(data, i, data.reuses[i])
    if plan.rows:
        out += [f"### {len(plan.rows)} more, one row each", "", "`dedup explain A B` shows any of them in full.", "",
                "| # | document | evidence | takes from / shares with | confidence | passage |",
                "|--:|---|---|---|--:|---|"]
        for i in plan.rows:
            r = data.reuses[i]
            out.append(f"| {i + 1} | {_short(data, r.quoting)} | {md(STRENGTH_TEXT[strength(r)])} | "
                       f"{_short(data, r.source)} | {r.confidence:.2f} | {md(truncate(r.quoting_span.text, 110))} |")
        out.append("")
    if plan.unlisted:
        out += [f"{plan.unlisted} more not listed: `dedup export` has them all.", ""]
    if plan.covered:
        out += [f"{plan.covered} passages shared because both documents carry a common source are told once, "
                "under Common sources.", ""]
    if len(out) == 2:
        out += ["No quotation between articles found.", ""]
    return out


def _sources(data: ReportData) -> list[str]:
    out = ["## Common sources", "", "Text that several articles carry from a third party: a wire story, a speaker's "
           "words. None of them took it from another, so no edge is drawn between them.", ""]
    for i, s in enumerate(data.sources[:budget.MAX_SOURCE_CARDS]):
        out += _source(data, i, s)
    rest = data.sources[budget.MAX_SOURCE_CARDS:]
    if rest:
        out += [f"### {len(rest)} more common sources", "", "| kind | name | witnesses | passage |",
                "|---|---|--:|---|"]
        out += [f"| {md(s.get('kind') or 'unknown')} | {md(truncate(s.get('name') or '—', 40))} | "
                f"{len(s.get('witnesses', []))} | {md(truncate(s.get('passage') or '', 120))} |" for s in rest]
        out.append("")
    if not data.sources:
        out += ["None found.", ""]
    return out


def _source(data: ReportData, i: int, s: dict[str, Any]) -> list[str]:
    kind = s.get("kind") or "unknown"
    label = {"wire": "wire story", "speaker": "speaker's words"}.get(kind, "common source")
    name = s.get("name") or ("unnamed speaker" if kind == "speaker" else "unnamed")
    venue = f", said on {md(s['venue'])}" if s.get("venue") else ""
    wit = s.get("witnesses", [])
    out = [f"### Source {i + 1}: {label}, {md(truncate(name, 60))}{venue} · carried by {len(wit)} documents", "",
           f"> {md(truncate(s.get('passage') or '', 400))}", "", "| witness (earliest first) | date | chars |",
           "|---|---|--:|"]
    out += [f"| {_ref(data, w['doc'])} | {md(w.get('date') or '—')} | {w['start']}–{w['end']} |" for w in wit[:12]]
    if len(wit) > 12:
        out.append(f"| … and {len(wit) - 12} more witnesses | | |")
    return [*out, ""]


def _external(data: ReportData) -> list[str]:
    by_outlet = Counter(one_line(c.outlet) for c in data.external)
    if not by_outlet:
        return ["None.", ""]
    docs_of: dict[str, set[str]] = {}
    for c in data.external:
        docs_of.setdefault(one_line(c.outlet), set()).add(c.doc)
    out = ["| outlet outside the corpus | citations | citing documents |", "|---|--:|--:|"]
    for o, n in sorted(by_outlet.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:40]:
        out.append(f"| {md(o)} | {n} | {len(docs_of[o])} |")
    out.append("")
    shown = data.external[:budget.MAX_ROWS // 4]
    out += [f"Every citation of an outside outlet ({len(data.external)}):", ""]
    out += _citations(data, shown, False)
    if len(shown) < len(data.external):
        out += [f"{len(data.external) - len(shown)} more: `dedup export`.", ""]
    return out


def _render(data: ReportData) -> str:
    name = data.source.replace("\\", "/").rsplit("/", 1)[-1]
    plan = make_plan(data)
    lines = [f"# Provenance report: {md(name)}", "",
             "Near-duplicate copies and quotations as stored by `dedup run`.", ""]
    lines += _summary(data)
    lines += _overview(data)
    lines += _graph(data, plan)
    lines += ["## Near-duplicate clusters", ""]
    for ci in data.clusters[:budget.MAX_CLUSTERS_FULL]:
        lines += _cluster(data, ci)
    rest = data.clusters[budget.MAX_CLUSTERS_FULL:]
    if rest:
        lines += [f"### {len(rest)} smaller clusters", "", "| cluster | copies | canonical copy |", "|---|--:|---|"]
        lines += [f"| {md_code(ci.id)} | {len(ci.members)} | {_short(data, ci.canonical)} |" for ci in rest]
        lines.append("")
    if not data.clusters:
        lines += ["No near-duplicates found.", ""]
    if data.singletons:
        shown = ", ".join(md_code(s) for s in data.singletons[:200])
        lines += [f"{len(data.singletons)} document(s) have no other copy: {shown}"
                  + (" …" if len(data.singletons) > 200 else ""), ""]
    lines += _reuses(data, plan)
    lines += _sources(data)
    lines += ["## Citations", "", "### Outlets outside the corpus", ""]
    lines += _external(data)
    lines += ["### Citations resolved to corpus documents", ""]
    lines += _citations(data, data.resolved[:budget.MAX_ROWS], True)
    lines += _documents(data)
    return "\n".join(lines).rstrip() + "\n"
