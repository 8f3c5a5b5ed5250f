"""Who quotes whom: the direction and kind of one aligned segment, from evidence only.

For each side x of a segment, evidence that x took the passage from the other side y: x attributes
it to y's outlet (a mention near the passage naming one of y's group's names, and not x's own), the
passage is in quotation marks in x but not in y, y was published before x by the same outlet (across
outlets the text first published is mostly a source both had), or the passage is most of y and
little of x. Attribution is near proof, publication dates and marks are strong, shares only tip a
balance already made; quotation marks alone never decide (in real scrapes both sides
often quote a speaker and one copy lost its marks). Without deciding evidence the direction is
``unknown``.

The kind says what the evidence shows (:data:`KINDS`): ``quotes`` only when x attributes the
passage to y's outlet or article, ``republishes`` when that attribution is a credit (a dateline
"(CNN)", "Source: ...", "Originally published by ..."), ``reuses`` for text taken without
attribution (directed by marks or publication dates, or undirected), and ``shares`` when the
passage is in quotation marks on both sides: the words of a third party (a speaker) that both
carry, which is no evidence that either took it from the other. Dates alone never make ``quotes``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import get_args

from dedup.models import Attribution, Document, Kind
from dedup.reuse.align import Segment
from dedup.reuse.attribution import Mention, mentions_near, outlet_matches
from dedup.reuse.params import ReuseParams
from dedup.reuse.sources import document_wire, photo_credit, speaker_of
from dedup.reuse.venues import venue_of, venue_speaker

_MARKS = re.compile("[\"“”«»„]")
# A piece of evidence that one side took the passage from the other: kind, weight, explanation.
Evidence = tuple[str, float, str]
_STRONG = frozenset({"attribution", "marks", "date"})
#: What an edge's evidence shows (see the module docstring).
KINDS: tuple[Kind, ...] = get_args(Kind)
# The text from a mention's start to its name that makes it a credit, not a quotation: a dateline
# "(CNN)", "Source: Reuters", "Originally published by ...", "Courtesy of ...", "Republished from ...".
_CREDIT = re.compile(
    r"\(|(?:source|sources|credit)\s*:|originally\s+(?:published|appeared)|(?:re)?published\s+(?:by|in|on|with)"
    r"|republished|reprinted|courtesy", re.I)


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
    kind: Kind = "reuses"


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
    common = None
    if decided is None or not any(k == "attribution" for k, _, _ in support[decided]):
        # a venue ("in an interview on CBS") already says whose words they are (its evidence is told)
        venue = any(k == "venue" for k, _, _ in fwd + bwd)
        common = "" if venue else _common_source(seg, ctx, params)
    if common is not None:
        decided = None
        if common:
            evidence.append(common)
    kind: Kind
    if decided is None:
        quoting, source = sorted((seg.a, seg.b), key=lambda i: docs[i].id)
        conf = 0.0
        direction = "unknown"
        kind = "shares" if common is not None else "reuses"
    else:
        quoting, source = decided
        mine_l = support[decided]
        theirs_l = support[(source, quoting)]
        conf = max(0.0, _noisy_or([w for _, w, _ in mine_l]) - 0.5 * _noisy_or([w for _, w, _ in theirs_l]))
        direction = "quotes"
        evidence = [e for _, _, e in mine_l] + [f"against: {e}" for _, _, e in theirs_l]
        kind = "reuses"
        if any(k == "attribution" for k, _, _ in mine_l):
            kind = "republishes" if any(k == "credit" for k, _, _ in mine_l) else "quotes"
        if kind == "republishes" and (seg.side(quoting)[1] - seg.side(quoting)[0]) < 0.5 * len(docs[quoting].text):
            # a credit says the whole text is the outlet's; another article of that outlet that shares
            # a part of it is the outlet reusing its own copy, which both carry, not its source
            conf, direction, kind = 0.0, "unknown", "shares"
            quoting, source = sorted((seg.a, seg.b), key=lambda i: docs[i].id)
            evidence = [*evidence, "the credit names the outlet whose copy both carry; the passage is a part "
                        "of each, not the article credited"]
    quoted = quoted_share(ctx.quotes[quoting], seg.side(quoting)) >= params.quoted_share
    attribution = attributions.get((quoting, source)) if direction == "quotes" else None
    return Verdict(quoting, source, direction, round(conf, 3), evidence, quoted, attribution, attribution is not None,
                   kind)


def _common_source(seg: Segment, ctx: Context, params: ReuseParams) -> str | None:
    """Why the passage is a third party's that both sides carry, if it is (then neither took it from
    the other): both quote it, both give it to the same speaker, or one credits a news agency that
    is neither side's own outlet."""
    docs = ctx.docs
    a, b = seg.a, seg.b
    if min(quoted_share(ctx.quotes[a], seg.side(a)), quoted_share(ctx.quotes[b], seg.side(b))) >= params.quoted_share:
        return f"passage is in quotation marks in both {docs[a].id} and {docs[b].id}: the words of a third party"
    # both give the words to the same person ("…," Trump said), marks or none (a copy that lost them)
    said_a = speaker_of(docs[a].text, *seg.side(a))
    said_b = speaker_of(docs[b].text, *seg.side(b)) if said_a else None
    if said_a and said_b and said_a.split()[-1].casefold() == said_b.split()[-1].casefold():
        return f"both {docs[a].id} and {docs[b].id} give the passage to {said_b}: a speaker's words"
    for x in (a, b):
        # (a caption, not a speaker's words that a photo follows)
        sx = seg.side(x)
        photo = None if _MARKS.search(docs[x].text, max(0, sx[0] - 3), sx[1] + 3) else photo_credit(docs[x].text, sx[1])
        if photo is not None:
            return f"{docs[x].id} credits the photo the passage captions to {photo}: a wire caption both carry"
    for x in (a, b):
        # words one side quotes and gives to someone are his, though the other side is wire copy
        if quoted_share(ctx.quotes[x], seg.side(x)) >= params.quoted_share and (who := speaker_of(docs[x].text,
                                                                                                 *seg.side(x))):
            return f"{docs[x].id} quotes the passage as the words of {who}: a speaker's words both carry"
    for x, y in ((a, b), (b, a)):
        # (an outlet's own story that "the AP contributed to" is no wire copy: its passages may be
        # the outlet's own, which its other pages reuse)
        wire = document_wire(docs[x], tagline=False)
        if wire is None:
            continue
        names = [*ctx.group_names.get(int(ctx.group[x]), []), *ctx.group_names.get(int(ctx.group[y]), [])]
        if not any(outlet_matches(wire, n) for n in names):
            return f"{docs[x].id} credits the news agency {wire}: wire copy that both carry"
    return None


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
    own = ctx.group_names.get(int(ctx.group[x]), [])
    if names:
        for men in mentions_near(ctx.mentions.get(x, []), sx[0], sx[1], docs[x].text):
            hit = next((n for n in names if outlet_matches(men.name, n)), None)
            if hit is None:
                continue
            credit = bool(_CREDIT.match(docs[x].text, men.start, max(men.start + 1, men.name_start)))
            # a name x goes by itself as a credit ("(CNN)" over a CNN article) says nothing of y; x naming
            # its own outlet's piece ("McFaul wrote for The Washington Post") points at y all the same
            if credit and any(outlet_matches(men.name, n) for n in own):
                continue
            venue = venue_of(docs[x].text, men.name_start, men.name_end)
            if venue is not None:
                # the outlet is where a speaker said the words, and y its own account of them:
                # both carry the speaker's words (see dedup.reuse.venues)
                who = venue_speaker(docs[x].text, men.name_start, men.name_end) or speaker_of(docs[x].text, *sx)
                ex.append(("venue", 0.0, f"{docs[x].id} gives the words to {who or 'a speaker'} ({venue!r}): "
                                         f"a speaker's words, said on {men.name}; {docs[y].id} ({hit}) is one "
                                         "more account of them, not the text either took from the other"))
                break
            year = men.year(docs[x].text, until=sx[0])
            phrase = docs[x].text[men.start : max(men.end, min(sx[0], men.end + 80))].strip(" \t\n“\"«‘'")
            if men.start > sx[0]:
                phrase = men.phrase(docs[x].text)
            attribution = Attribution(men.name, year, phrase)
            ex.append((
                "attribution", params.w_attribution,
                f"{docs[x].id} {'credits' if credit else 'attributes'} the passage to {men.name!r} ({phrase!r}), "
                f"the outlet of {docs[y].id} ({hit})",
            ))
            if credit:
                ex.append(("credit", 0.0, f"{phrase!r} is a credit line: {docs[x].id} carries {docs[y].id}'s text"))
            dy = ctx.dates.get(y)
            if year is not None and dy is not None and dy.startswith(str(year)):
                ex.append(("year", params.w_year, f"attribution year {year} matches date {dy} of {docs[y].id}"))
            break
    dx, dy = ctx.dates.get(x), ctx.dates.get(y)
    if dx and dy and dx > dy:
        if any(outlet_matches(a, b) for a in own for b in names) and seg.words >= params.min_dated_words:
            ex.append(("date", params.w_date, f"{docs[y].id} published {dy}, before {docs[x].id} published {dx}"))
        else:
            # across outlets, text published first is mostly a source both had (a wire story, a
            # speaker, a release) that the corpus does not hold: the date is told, and decides nothing
            ex.append(("earlier", 0.0, f"{docs[y].id} published {dy}, before {docs[x].id} published {dx} "
                                       "(another outlet: a date alone does not say who took from whom)"))
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


def carry_attributions(judged: list[tuple[Segment, Verdict]], ctx: Context, params: ReuseParams) -> list[Verdict]:
    """The verdicts of ``judged`` (the segments of whole document pairs), each undirected edge made a
    quotation where its document pair already has one by attribution and the passage is in quotation
    marks on that quotation's quoting side only: an article that names its source once ("McFaul wrote
    for The Washington Post") does not name it again for each later quotation ("McFaul explained")."""
    named: dict[tuple[int, int], Verdict] = {}
    for _, ver in judged:
        if ver.kind == "quotes" and ver.attribution is not None:
            named.setdefault((ver.quoting, ver.source), ver)
    out: list[Verdict] = []
    for seg, ver in judged:
        if ver.direction == "unknown" and ver.kind == "reuses":
            for x, y in ((seg.a, seg.b), (seg.b, seg.a)):
                first = named.get((x, y))
                if first is None or first.attribution is None:
                    continue
                if (quoted_share(ctx.quotes[x], seg.side(x)) >= params.quoted_share
                        and quoted_share(ctx.quotes[y], seg.side(y)) < 1 - params.quoted_share):
                    docs = ctx.docs
                    why = (f"{docs[x].id} attributes another passage of {docs[y].id} to "
                           f"{first.attribution.outlet!r} ({first.attribution.text!r}) and quotes this one too")
                    ver = Verdict(x, y, "quotes", first.confidence, [*ver.evidence, why], True, first.attribution,
                                  True, "quotes")
                    break
        out.append(ver)
    return out


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
