"""Who quotes whom: the direction of one aligned segment, from evidence only.

For each side x of a segment, evidence that x took the passage from the other side y: x attributes
it to y's outlet (a mention near the passage naming one of y's group's names), the passage is in
quotation marks in x but not in y, y is dated before x, or the passage is most of y and little of
x. Attribution and dates are near proof, marks are strong, shares only tip a balance already made;
quotation marks alone never decide (in real scrapes both sides often quote a speaker and one copy
lost its marks). Without deciding evidence the direction is ``unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dedup.models import Attribution, Document
from dedup.reuse.align import Segment
from dedup.reuse.attribution import Mention, mentions_near, outlet_matches
from dedup.reuse.params import ReuseParams

_MARKS = re.compile("[\"“”«»„]")
# A piece of evidence that one side took the passage from the other: kind, weight, explanation.
Evidence = tuple[str, float, str]
_STRONG = frozenset({"attribution", "marks", "date"})


@dataclass
class Verdict:
    """The direction of a segment: who quotes whom, how sure, on what evidence."""

    quoting: int
    source: int
    direction: str
    confidence: float
    evidence: list[str]
    quoted: bool
    attribution: Attribution | None
    has_attribution: bool


@dataclass(frozen=True)
class Context:
    """What the verdict may know of the documents of a segment (keyed by corpus index)."""

    docs: Mapping[int, Document]
    # character ranges inside quotation marks (:func:`dedup.reuse.passages.quote_regions`)
    quotes: Mapping[int, list[tuple[int, int]]]
    # each document's group (its cluster, or itself) and the outlet names of each group
    group: Mapping[int, int]
    group_names: Mapping[int, list[str]]
    # the mentions of an outlet each document makes (none: absent)
    mentions: Mapping[int, list[Mention]]
    # each document's date, else its group's earliest (none: absent)
    dates: Mapping[int, str | None]


def verdict(seg: Segment, ctx: Context, params: ReuseParams) -> Verdict:
    """Evidence for "a quotes b" and for "b quotes a", weighed."""
    docs = ctx.docs
    support: dict[tuple[int, int], list[Evidence]] = {}
    attributions: dict[tuple[int, int], Attribution | None] = {}
    for x, y in ((seg.a, seg.b), (seg.b, seg.a)):
        support[(x, y)], attributions[(x, y)] = _evidence(seg, x, y, ctx, params)
    fwd, bwd = support[(seg.a, seg.b)], support[(seg.b, seg.a)]
    decided = _decide(seg, {k for k, _, _ in fwd}, {k for k, _, _ in bwd})
    evidence = [e for _, _, e in fwd + bwd]
    if decided is None:
        quoting, source = sorted((seg.a, seg.b), key=lambda i: docs[i].id)
        conf = 0.0
        direction = "unknown"
    else:
        quoting, source = decided
        mine_l = support[decided]
        theirs_l = support[(source, quoting)]
        conf = max(0.0, _noisy_or([w for _, w, _ in mine_l]) - 0.5 * _noisy_or([w for _, w, _ in theirs_l]))
        direction = "quotes"
        evidence = [e for _, _, e in mine_l] + [f"against: {e}" for _, _, e in theirs_l]
    quoted = quoted_share(ctx.quotes[quoting], seg.side(quoting)) >= params.quoted_share
    attribution = attributions.get((quoting, source)) if direction == "quotes" else None
    return Verdict(quoting, source, direction, round(conf, 3), evidence, quoted, attribution, attribution is not None)


def _evidence(
    seg: Segment, x: int, y: int, ctx: Context, params: ReuseParams,
) -> tuple[list[Evidence], Attribution | None]:
    """The evidence that x took the passage from y, and x's attribution of it to y's outlet."""
    docs = ctx.docs
    sx, sy = seg.side(x), seg.side(y)
    ex: list[Evidence] = []
    attribution: Attribution | None = None
    qx = quoted_share(ctx.quotes[x], sx)
    qy = quoted_share(ctx.quotes[y], sy)
    # Marks near the passage in y too mean both quote a third party
    # (a speaker): no evidence about x and y.
    ty = docs[y].text[max(0, sy[0] - 3) : sy[1] + 3]
    if qx >= params.quoted_share and qy < 1 - params.quoted_share and not _MARKS.search(ty):
        ex.append(("marks", params.w_marks, f"passage is in quotation marks in {docs[x].id}, not in {docs[y].id}"))
    names = ctx.group_names.get(int(ctx.group[y]), [])
    if names:
        for men in mentions_near(ctx.mentions.get(x, []), sx[0], sx[1], docs[x].text):
            hit = next((n for n in names if outlet_matches(men.name, n)), None)
            if hit is None:
                continue
            year = men.year(docs[x].text, until=sx[0])
            phrase = docs[x].text[men.start : max(men.end, min(sx[0], men.end + 80))].strip(" \t\n“\"«‘'")
            if men.start > sx[0]:
                phrase = men.phrase(docs[x].text)
            attribution = Attribution(men.name, year, phrase)
            ex.append((
                "attribution", params.w_attribution,
                f"{docs[x].id} attributes the passage to {men.name!r} ({phrase!r}), the outlet of {docs[y].id} ({hit})",
            ))
            dy = ctx.dates.get(y)
            if year is not None and dy is not None and dy.startswith(str(year)):
                ex.append(("year", params.w_year, f"attribution year {year} matches date {dy} of {docs[y].id}"))
            break
    dx, dy = ctx.dates.get(x), ctx.dates.get(y)
    if dx and dy and dx > dy:
        ex.append(("date", params.w_date, f"{docs[y].id} dated {dy}, before {docs[x].id} dated {dx}"))
    len_x, len_y = max(1, len(docs[x].text)), max(1, len(docs[y].text))
    share_x = (sx[1] - sx[0]) / len_x
    share_y = (sy[1] - sy[0]) / len_y
    if share_y >= 0.6 and share_x <= 0.25:
        ex.append(("share", params.w_share,
                   f"passage is {share_y:.0%} of {docs[y].id} but {share_x:.0%} of {docs[x].id}"))
    return ex, attribution


def _decide(seg: Segment, kinds_f: set[str], kinds_b: set[str]) -> tuple[int, int] | None:
    """(quoting, source) when the kinds of evidence each way decide, else None."""
    for (x, y), mine, theirs in (((seg.a, seg.b), kinds_f, kinds_b), ((seg.b, seg.a), kinds_b, kinds_f)):
        if not mine & _STRONG:
            continue
        if "attribution" in mine and "attribution" not in theirs:
            return (x, y)
        if "attribution" in theirs:
            continue
        if not theirs & _STRONG and mine & {"attribution", "date", "share"}:
            # quotation marks alone do not decide: in real scrapes both
            # sides often quote a speaker and one copy lost its marks
            return (x, y)
        if "date" in mine and "date" not in theirs and "marks" in mine:
            return (x, y)
    return None


def quoted_share(regions: list[tuple[int, int]], span: tuple[int, int]) -> float:
    """Share of ``span`` inside the quotation ``regions``."""
    inside = 0
    for s, e in regions:
        inside += max(0, min(e, span[1]) - max(s, span[0]))
    return inside / max(1, span[1] - span[0])


def _noisy_or(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p
