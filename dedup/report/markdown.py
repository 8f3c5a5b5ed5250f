"""The Markdown report (GitHub-flavoured, with a Mermaid ``flowchart`` for the graph).

Input text is escaped for Markdown *and* HTML (GitHub renders inline HTML), so
the only tags in the output are the ``<br>`` the renderer writes itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dedup.models import Citation, Reuse
from dedup.report.diff import Piece, diff_summary, word_diff
from dedup.report.escape import md, md_code, md_url, safe_url, truncate
from dedup.report.graph import build_graph, render_mermaid
from dedup.report.model import ClusterInfo, DocInfo, ReportData, build

if TYPE_CHECKING:
    from dedup.corpus import Corpus


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
        ("citations", f"{s['citations']} ({len(data.external)} outside the corpus, {len(data.resolved)} resolved)"),
        ("run config", md_code(str(s.get("config") or "—"))),
        ("run", md(f"#{run.get('id', '?')} · {run.get('finished') or run.get('started') or ''}")),
    ]
    return ["## Corpus", "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]


def _graph(data: ReportData) -> list[str]:
    g = build_graph(data)
    out = [
        "## Provenance graph", "",
        "Boxes group near-duplicate copies (★ canonical copy); `-->` quotes (to the quoted article); "
        "`-.-` shared text, direction unknown; `-.->` cites an outlet (rounded nodes: outside the corpus).",
        "",
        "```mermaid", render_mermaid(g), "```", "",
    ]
    if g.omitted:
        out += [f"{g.omitted} unlinked single documents are not drawn (see Documents).", ""]
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
    for m in ci.members:
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
    out.append("")
    for m in ci.members:
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
        for g in d.gaps:
            s = g.canonical_span
            out.append(f"| {g.at} | {g.length} | {s.start}–{s.end} | {md(truncate(s.text, 300))} |")
        out.append("")
    return out


def _reuse(data: ReportData, i: int, r: Reuse) -> list[str]:
    quoting, source = word_diff(r.quoting_span.text, r.source_span.text)
    if r.direction == "quotes":
        head = f"### {i + 1}. {md_code(r.quoting)} quotes {md_code(r.source)}"
        cols = ("quoting", "quoted")
    else:
        head = f"### {i + 1}. {md_code(r.quoting)} and {md_code(r.source)} share a passage (direction unknown)"
        cols = ("one copy", "other copy")
    out = [
        head, "",
        f"{_ref(data, r.quoting)} → {_ref(data, r.source)}", "",
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
    for d in data.docs.values():
        if d.cluster in multi:
            cluster = md_code(d.cluster or "") + (" ★ canonical" if d.canonical else "")
        else:
            cluster = "only copy"
        out.append(f"| {md_code(d.id)} | {_value(d, 'title')} | {_value(d, 'outlet')} | {_value(d, 'date')} "
                   f"| {_url(d.url)} | {cluster} | {_pct(d.completeness)} |")
    out.append("")
    return out


def _render(data: ReportData) -> str:
    name = data.source.replace("\\", "/").rsplit("/", 1)[-1]
    lines = [f"# Provenance report: {md(name)}", "",
             "Near-duplicate copies and quotations as stored by `dedup run`.", ""]
    lines += _summary(data)
    lines += _graph(data)
    lines += ["## Near-duplicate clusters", ""]
    for ci in data.clusters:
        lines += _cluster(data, ci)
    if not data.clusters:
        lines += ["No near-duplicates found.", ""]
    if data.singletons:
        shown = ", ".join(md_code(s) for s in data.singletons[:200])
        lines += [f"{len(data.singletons)} document(s) have no other copy: {shown}"
                  + (" …" if len(data.singletons) > 200 else ""), ""]
    lines += ["## Quotations between articles", ""]
    for i, r in enumerate(data.reuses):
        lines += _reuse(data, i, r)
    if not data.reuses:
        lines += ["No quotation between articles found.", ""]
    lines += ["## Citations", "", "### Outlets outside the corpus", ""]
    lines += _citations(data, data.external, False)
    lines += ["### Citations resolved to corpus documents", ""]
    lines += _citations(data, data.resolved, True)
    lines += _documents(data)
    return "\n".join(lines).rstrip() + "\n"
