"""From judged segments to the edges reported: one per passage per cluster pair, quotation clusters
pruned to their root, and the outlets documents cite.

* :func:`group_segments`: segments of all member pairs of two groups are reported once, against
  the canonical members where possible, with the other members that hold the same text in
  ``also_in``.
* :func:`prune_quotation_clusters`: an edge between two documents that both carry the same passage
  of an earlier third one is dropped in favour of the edges to that third document.
* :func:`citations`: every selected mention that does not name the document's own group, resolved
  to the one group it names when that is clear.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from dedup.models import ARTICLE_NOT_FOUND, NOT_IN_CORPUS, RESOLVED, Citation, Document, Reuse
from dedup.reuse.align import Segment, by_doc, covers
from dedup.reuse.direction import Verdict
from dedup.reuse.groups import Groups
from dedup.reuse.pass1 import MenRow, RawRow, row_span

# A judged segment and the edge it is reported as.
Item = tuple[Segment, Verdict, Reuse]


def make_reuse(seg: Segment, ver: Verdict, docs: Mapping[int, Document]) -> Reuse:
    """The edge of a judged segment, with spans in both texts."""
    q, s = ver.quoting, ver.source
    qd, sd = docs[q], docs[s]
    qs, ss = seg.side(q), seg.side(s)
    la = seg.a_tok[1] - seg.a_tok[0]
    lb = seg.b_tok[1] - seg.b_tok[0]
    return Reuse(
        quoting=qd.id,
        source=sd.id,
        direction=ver.direction,  # type: ignore[arg-type]
        quoting_span=qd.span(*qs),
        source_span=sd.span(*ss),
        similarity=round(2 * seg.matched / (la + lb), 3),
        quoted=ver.quoted,
        attribution=ver.attribution,
        evidence=ver.evidence,
        confidence=ver.confidence,
        also_in=sorted(docs[i].id for i in seg.also_in - {q, s}),
        kind=ver.kind,
    )


def group_segments(segments: list[Segment], group: Mapping[int, int], canonical: Mapping[int, int]) -> list[Segment]:
    """One report per passage per pair of groups, against canonical members where possible (the
    other members holding it go to ``also_in`` of the one kept)."""
    by_groups: dict[tuple[int, int], list[Segment]] = defaultdict(list)
    for s in segments:
        ga, gb = int(group[s.a]), int(group[s.b])
        by_groups[(min(ga, gb), max(ga, gb))].append(s)
    out: list[Segment] = []
    for (g1, g2), segs in by_groups.items():
        c1, c2 = canonical[g1], canonical[g2]

        def rank(s: Segment, c1: int = c1, c2: int = c2) -> tuple[int, int, int, int]:
            canon = (s.a in (c1, c2)) + (s.b in (c1, c2))
            return (-canon, -s.matched, s.a, s.a_tok[0])

        # A segment joins a report when it lies on the report's passage in a document both hold
        # (in both, when it has both: one text quoting one passage in two places is two reports).
        # Each report also knows where its passage lies in every member that joined it, so that a
        # segment of two other members (m1-n1, after c1-c2, m1-c2 and c1-n1 joined) is recognised
        # as the same passage although it shares no document with the report itself.
        reps: list[tuple[Segment, dict[int, tuple[int, int]]]] = []
        for s in sorted(segs, key=rank):
            for r, known in reps:
                ends = [d for d in (s.a, s.b) if d in (r.a, r.b)]
                if ends:
                    same = all(_overlap(r.side(d), s.side(d)) >= 0.5 for d in ends)
                else:
                    same = any(d in known and _overlap(known[d], s.side(d)) >= 0.5 for d in (s.a, s.b))
                if same:
                    r.also_in |= {s.a, s.b} - {r.a, r.b}
                    for d in (s.a, s.b):
                        known.setdefault(d, s.side(d))
                    break
            else:
                reps.append((s, {s.a: s.side(s.a), s.b: s.side(s.b)}))
        out.extend(r for r, _ in reps)
    return out


def prune_quotation_clusters(items: list[Item], date_of: Callable[[int], str | None], cover: float) -> list[Item]:
    """Drop X-Y when X and Y both carry the same passage of a third document Z that came first.

    Z is taken as the root when the evidence of X-Z or Y-Z points at Z
    (attribution, marks or dates) and neither points away from it; the
    X-Y stretch must lie mostly (``cover``) inside both, so that Y copying X's own
    words around the quotation is not explained away.
    """
    joined = by_doc(items)
    keep: list[Item] = []
    for item in items:
        seg, ver = item[0], item[1]
        if ver.has_attribution:
            keep.append(item)
            continue
        x, y = seg.a, seg.b
        explained = False
        for f, fv, _ in joined[x]:
            z = f.b if f.a == x else f.a
            if f is seg or z == y or covers(f.side(x), seg.side(x)) < cover:
                continue
            for g, gv, _ in joined[y]:
                if g is seg or z not in (g.a, g.b) or covers(g.side(y), seg.side(y)) < cover:
                    continue
                rx, ry = _root(z, x, fv, date_of), _root(z, y, gv, date_of)
                if min(rx, ry) >= 0 and max(rx, ry) > 0:
                    explained = True
                    break
            if explained:
                break
        if not explained:
            keep.append(item)
    return keep


def _root(z: int, other: int, ver: Verdict, date_of: Callable[[int], str | None]) -> int:
    """+1: evidence says ``other`` took the passage from z; -1: the reverse; 0: no evidence."""
    if ver.direction == "quotes":
        return 1 if ver.source == z else -1
    dz, do = date_of(z), date_of(other)
    if dz is None or do is None or dz == do:
        return 0
    return 1 if dz < do else -1


#: How far before (after) the passage it attributes a citing mention may stand (as mentions_near).
CITED_BEFORE = 260
CITED_AFTER = 160
_BROADCAST = re.compile(r"\binterview|\btold\b|\bappear(?:ed|ing|ance)\b|\bshow\b|\bbroadcast", re.I)


def citations(
    items: list[Item], groups: Groups, ids: Sequence[str], selected: Mapping[int, list[MenRow]],
    raw: Mapping[int, list[RawRow]], matches: Callable[[str, str], bool],
) -> list[Citation]:
    """The outlets documents cite (``selected``: their mentions that name an outlet; ``raw``: the
    candidate rows they were selected from), resolved to an article only when the cited text is
    there: the one group going by the name that the citing document shares a passage with. An
    outlet in the corpus is not its article: "according to Reuters" in a story on the summit is no
    citation of the one Reuters article on oil prices (status "outlet in corpus, article not found").
    ``matches``: :func:`~dedup.reuse.attribution.outlet_matches` (or a memo of it)."""
    group = groups.group
    # the passages each document shares, and with which group: a mention cites the article whose
    # passage it stands by (the words it attributes), not any article the document shares text with
    shared: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for seg, _, _ in items:
        for d, other in ((seg.a, seg.b), (seg.b, seg.a)):
            shared[d].append((*seg.side(d), int(group[other])))
    out: list[Citation] = []
    for i in sorted(selected):
        sel = selected[i]
        wanted = {(t[1], t[2]) for t in sel}
        spans = {(r[1], r[2]): r for r in raw[i] if (r[1], r[2]) in wanted}
        own = int(group[i])
        own_names = groups.names.get(own, [])
        for name, start, end, *_ in sel:
            if any(matches(name, n) for n in own_names):
                continue
            # (a wire service's name is in thousands of groups: no copy of that set per mention)
            hits = groups.outlets.lookup(name)
            others = len(hits) - (own in hits)
            resolved: str | None = None
            status = NOT_IN_CORPUS
            span = row_span(spans[(start, end)])
            if others:
                status = ARTICLE_NOT_FOUND
                # (an interview or a show cites a broadcast, which no article of the outlet is; a
                # dateline "(CNN) —" credits the document's own text, citing no other article)
                linked = set() if _BROADCAST.search(span.text) or span.text.startswith("(") else {
                    g for s, e, g in shared.get(i, []) if s - CITED_BEFORE <= end and start <= e + CITED_AFTER}
                linked = (linked & hits) - {own}
                if len(linked) == 1:
                    resolved = ids[groups.canonical[next(iter(linked))]]
                    status = RESOLVED
            out.append(Citation(ids[i], name, span, span.text, resolved, status))
    return out


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> float:
    inter = min(x[1], y[1]) - max(x[0], y[0])
    if inter <= 0:
        return 0.0
    return inter / max(1, min(x[1] - x[0], y[1] - y[0]))
