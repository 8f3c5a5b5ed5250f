"""Common sources: text that two articles both carry from a third party, not one from the other.

Real news shares text mostly through third parties: a wire story carried by many sites, the words
of a speaker that several articles quote. Drawing an edge "A quotes B" between two such articles
invents a relation; the truthful result is the source, with the articles that carry it as its
witnesses. Three kinds of evidence make a shared passage a common source here:

* **a wire credit** in either article (:func:`wire_credit`: "(AP) —", "By X, Associated Press",
  "Copyright 2018 The Associated Press", a Reuters "(Reporting by ...)" sign-off) when neither
  article is that wire's own;
* **quotation marks on both sides** (decided per segment in :mod:`dedup.reuse.direction`): the words
  of a speaker both quote;
* **spread** (:func:`spread_sources`): the passage is carried by three or more groups (clusters or
  single articles), and no attribution links the two.

:func:`source_list` turns the ``shares`` edges into the ``sources`` of a run: one per connected
passage, its witnesses earliest first; :func:`agree_with_sources` then makes an undirected edge
whose passage both ends witness as a source one of its ``shares`` edges. A "The Associated Press
contributed to this report" tagline names the agency of a source but makes no passage wire copy.
Everything here is pure: texts and items in, values out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dedup.models import Document, Reuse
from dedup.reuse.align import by_doc

if TYPE_CHECKING:  # (direction reads wire credits from here)
    from dedup.reuse.align import Segment
    from dedup.reuse.direction import Verdict

    Item = tuple[Segment, Verdict, Reuse]

# The agencies whose copy other sites carry, each under the name a credit gives it.
_WIRES = {
    "associated press": "Associated Press", "ap": "Associated Press", "reuters": "Reuters", "afp": "AFP",
    "agence france-presse": "AFP", "agence france presse": "AFP", "bloomberg": "Bloomberg", "dpa": "dpa",
    "efe": "EFE", "ansa": "ANSA", "xinhua": "Xinhua", "tass": "TASS", "interfax": "Interfax", "upi": "UPI",
    "united press international": "UPI", "press association": "PA", "kyodo": "Kyodo", "yonhap": "Yonhap",
    "anadolu": "Anadolu", "europa press": "Europa Press", "ria novosti": "RIA Novosti",
    # a network's syndication service: its affiliates and portals carry its copy ("(CNN)", "CNN Newsource")
    "cnn": "CNN", "cnn wire": "CNN", "cnn newsource": "CNN",
}
_WIRE_NAME = (r"(?:Associated\s+Press|AP|Reuters|REUTERS|AFP|CNN\s+(?:Wire|News[Ss]ource)|CNN"
              r"|Agence\s+France[- ]Presse|Bloomberg|dpa|EFE|ANSA|Xinhua"
              r"|TASS|Interfax|UPI|United\s+Press\s+International|Press\s+Association|Kyodo|Yonhap|Anadolu"
              r"|Europa\s+Press|RIA\s+Novosti)")
_WIRE_CREDIT = re.compile(
    rf"\(\s*(?P<dateline>{_WIRE_NAME})\s*\)"  # "WASHINGTON (AP) —", "(Reuters) -"
    # "By ANGELA CHARLTON Associated Press", "By Saad Sayeed, Reuters"
    # "Posted 5:57 am, July 16, 2018, by Associated Press , Updated ...", "By The Associated Press"
    # (a byline line, not prose: "denied by AP, which" is no credit)
    rf"|^[ \t]*(?:[^\n]{{0,60}}?(?:[Pp]osted|[Pp]ublished|[Uu]pdated)[^\n]{{0,40}}?\s)?[Bb][Yy]\s+"
    rf"(?:[^\n]{{0,80}}?[,\s]\s*)?(?:[Tt]he\s+)?(?P<byline>{_WIRE_NAME})[ \t]*(?:$|[,|])"
    rf"|^[ \t]*(?:[Tt]he\s+)?(?P<line>{_WIRE_NAME})[ \t]*$"  # a byline line that is only the agency
    rf"|(?:[Cc]opyright|©)\s*(?:\d{{4}}\s+)?(?:by\s+)?(?:[Tt]he\s+)?(?P<copyright>{_WIRE_NAME})\b"
    rf"|(?:[Tt]he\s+)?(?P<contributed>{_WIRE_NAME})\s+contributed\s+to\s+this"
    r"|(?P<signoff>\((?:[Rr]eporting|[Ww]riting|[Aa]dditional\s+reporting)\s+by\b[^)\n]{3,200}[;)])",
    re.M,
)
#: A passage this many outlets carry is a common source (a wire story, a release), not a quotation.
SPREAD_OUTLETS = 3
#: Where a credit stands: the head (byline, dateline) and the foot (copyright, sign-off) of a text.
HEAD_CHARS = 800
FOOT_CHARS = 600


@lru_cache(maxsize=4096)  # asked of each side of every segment; texts are few by comparison
def wire_credit(text: str, tagline: bool = True) -> str | None:
    """The news agency ``text`` credits as the origin of its copy, if any (see the module docstring).

    Without ``tagline``, "The Associated Press contributed to this report" is no credit: it says
    the outlet's own story took in some of the agency's reporting, not that its text is the agency's.
    """
    for part in (text[:HEAD_CHARS], text[-FOOT_CHARS:] if len(text) > HEAD_CHARS else ""):
        for m in _WIRE_CREDIT.finditer(part):
            if m.group("signoff"):
                return "Reuters"  # "(Reporting by X; Editing by Y)" is Reuters' house style
            if not tagline and m.group("contributed"):
                continue
            name = next(g for g in m.groups() if g)
            return _WIRES.get(" ".join(name.split()).lower(), name)
    return None


# A wire photo's credit after its caption: "(AP Photo/Evan Vucci)", "REUTERS/Leonhard Foeger",
# "(Photo by Jane Roe/AFP/Getty Images)"
_PHOTO_CREDIT = re.compile(r"\((?P<ap>AP)\s+Photo/|\b(?P<reuters>REUTERS)/[A-Z]|/(?P<afp>AFP)(?:/Getty\s+Images)?\)")
_PHOTO_WIRES = {"ap": "Associated Press", "reuters": "Reuters", "afp": "AFP"}


def photo_credit(text: str, end: int, reach: int = 250) -> str | None:
    """The agency credited for a photo whose caption ends at ``end`` (within ``reach`` characters),
    if any: a caption both pages carry is the agency's, not one page's."""
    m = _PHOTO_CREDIT.search(text, end, min(len(text), end + reach))
    return _PHOTO_WIRES[next(k for k, v in m.groupdict().items() if v)] if m else None


_WIRE_IN_BYLINE = re.compile(rf"\b(?P<wire>{_WIRE_NAME})\b")


def document_wire(doc: Document, tagline: bool = True) -> str | None:
    """The news agency a document credits: in its text (:func:`wire_credit`; ``tagline`` as there), in
    the text as scraped, or in the byline the cleaner took out of it ("JILL COLVIN Associated Press",
    stated or from a copy)."""
    found = wire_credit(doc.text, tagline)
    if found is not None:
        return found
    # a byline the cleaner took whole ("By Maria Keller, AFP" -> author "Maria Keller"): the text as
    # scraped still has it (an HTML page is read by its text only)
    if doc.raw and doc.raw is not doc.text and not doc.raw.lstrip()[:1] == "<":
        found = wire_credit(doc.raw, tagline)
        if found is not None:
            return found
    for author in (doc.author, doc.inferred.get("author") if doc.inferred else None):
        m = _WIRE_IN_BYLINE.search(author) if isinstance(author, str) else None
        if m:
            name = m.group("wire")
            return _WIRES.get(" ".join(name.split()).lower(), name)
    return None


def spread_sources(
    items: list[Item], group: Callable[[int], int], outlet: Callable[[int], str | None], cover: float,
) -> list[Item]:
    """``items`` with each unattributed edge whose passage three or more outlets carry made a
    ``shares`` edge (direction unknown): the spread of a passage across outlets is evidence of a
    source they all have (a wire story, a press release), not of one taking it from another.

    The carriers of a passage are the two sides, their cluster copies that hold it
    (``Segment.also_in``), and the documents of other groups whose edges with either side hold at
    least ``cover`` of that side's passage together (:func:`covered`: a copy with an edited word
    aligns in pieces); documents without an outlet count once each.
    """
    joined = by_doc(items)
    out: list[Item] = []
    for item in items:
        seg, ver, _ = item
        if ver.has_attribution or ver.kind in ("quotes", "republishes", "shares"):
            out.append(item)
            continue
        pair = {group(seg.a), group(seg.b)}
        carriers = {seg.a, seg.b} | seg.also_in
        for x in (seg.a, seg.b):
            span = seg.side(x)
            # what each other document's edges hold of the passage, together: a third copy with an
            # edited word or an inserted sentence aligns in two pieces, neither over ``cover`` alone
            pieces: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for f, _, _ in joined[x]:
                z = f.b if f.a == x else f.a
                if f is not seg and group(z) not in pair:
                    pieces[z].append(f.side(x))
            carriers.update(z for z, sides in pieces.items() if covered(sides, span) >= cover)
        outlets = {outlet(d) or f"\0{d}" for d in carriers}
        if len(outlets) < SPREAD_OUTLETS:
            out.append(item)
            continue
        why = f"the passage is carried by {len(outlets)} outlets: a source they share, not one taken from another"
        out.append(_as_shared(item, why))
    return out


def covered(sides: Sequence[tuple[int, int]], span: tuple[int, int]) -> float:
    """Share of ``span`` inside the union of ``sides`` (:func:`~dedup.reuse.align.covers` of several)."""
    inside, reach = 0, span[0]
    for s, e in sorted(sides):
        s, e = max(s, reach), min(e, span[1])
        if e > s:
            inside += e - s
            reach = e
    return inside / max(1, span[1] - span[0])


def _as_shared(item: Item, why: str) -> Item:
    """The edge of ``item`` as a ``shares`` edge: no direction (pair in id order), the reason added."""
    seg, ver, r = item
    if r.quoting > r.source:
        ver = replace(ver, quoting=ver.source, source=ver.quoting)
    evidence = [*ver.evidence, why]
    ver = replace(ver, direction="unknown", kind="shares", confidence=0.0, evidence=evidence, attribution=None)
    return seg, ver, _shared(r, evidence)


def _shared(r: Reuse, evidence: list[str]) -> Reuse:
    """``r`` as a ``shares`` edge with ``evidence``: no direction, no attribution, the pair in id order."""
    if r.quoting > r.source:
        r = replace(r, quoting=r.source, source=r.quoting, quoting_span=r.source_span, source_span=r.quoting_span)
    return replace(r, direction="unknown", kind="shares", confidence=0.0, evidence=evidence, attribution=None)


def source_list(
    reuses: Sequence[Reuse], dates: Mapping[str, str | None], wire_of: Mapping[str, str | None],
    speaker: Callable[[str, int, int], str | None] = lambda doc, start, end: None,
    venue: Callable[[str, int, int], str | None] = lambda doc, start, end: None,
) -> list[dict[str, Any]]:
    """The common sources of a run's ``shares`` edges: each set of documents joined through
    overlapping spans of shared passages is one source. Its kind is ``wire`` (named by the
    agency most of its crediting witnesses credit), else ``speaker`` when most witnesses quote it (named by the
    speaker their attribution cues name most, :func:`speaker_of`), else ``unknown``.
    Witnesses are listed earliest first (by publication date, then id); ``dates`` and
    ``wire_of`` are by document id, ``speaker`` is asked (doc, start, end) of quoted witnesses, and
    ``venue`` of a speaker's witnesses: where he said the words (an interview on CBS), when they say."""
    shared = [r for r in reuses if r.kind == "shares"]
    parent: dict[tuple[str, int], tuple[str, int]] = {}
    spans: dict[tuple[str, int], tuple[int, int, str, bool]] = {}

    def find(k: tuple[str, int]) -> tuple[str, int]:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # a node per (document, span start); spans of one document that overlap are one node
    nodes: dict[str, list[tuple[int, int, tuple[str, int]]]] = defaultdict(list)

    def node(doc: str, start: int, end: int, text: str, quoted: bool) -> tuple[str, int]:
        # one passage of a document: spans that overlap by half the shorter (a passage cut a little
        # differently against another witness), not any two that touch (which would chain the
        # passages of a whole article into one source)
        for s, e, k in nodes[doc]:
            if min(e, end) - max(s, start) >= 0.5 * min(e - s, end - start):
                return k
        k = (doc, start)
        parent[k] = k
        spans[k] = (start, end, text, quoted)
        nodes[doc].append((start, end, k))
        return k

    for r in shared:
        a = node(r.quoting, r.quoting_span.start, r.quoting_span.end, r.quoting_span.text, r.quoted)
        b = node(r.source, r.source_span.start, r.source_span.end, r.source_span.text, r.quoted)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for k in parent:
        members[find(k)].append(k)
    out: list[dict[str, Any]] = []
    for group in members.values():
        group.sort(key=lambda k: (dates.get(k[0]) or "9999", k[0], k[1]))
        # the agency most of the crediting witnesses name (one copy may credit another agency's
        # paragraph it carries: "(Reuters)" inside an AP story)
        wires = Counter(w for k in {k[0] for k in group} if (w := wire_of.get(k)))
        top = wires.most_common(1)[0] if wires else None
        quoted = [k for k in group if spans[k][3]]
        kind: str = "unknown"
        name: str | None = None
        where: str | None = None
        said = {k: n for k in group if (n := speaker(k[0], spans[k][0], spans[k][1]))}
        # words most witnesses quote and someone is named for are his, though wire copy carries them
        # (a Trump tweet inside AP copy); else the agency most crediting witnesses name; else a
        # speaker's words that most witnesses quote or give to someone ("X said ...", no marks)
        if 2 * len(quoted) > len(group) and said:
            kind = "speaker"
        elif top is not None and 2 * top[1] > sum(wires.values()):
            kind, name = "wire", top[0]
        elif 2 * len(set(quoted) | set(said)) > len(group):
            kind = "speaker"
        if kind == "speaker":
            name = Counter(said.values()).most_common(1)[0][0] if said else None
            venues = Counter(v for k in group if (v := venue(k[0], spans[k][0], spans[k][1])))
            where = venues.most_common(1)[0][0] if venues else None
        # one witness per document (two spans of it chained into one source: the first kept)
        first_of: dict[str, tuple[str, int]] = {}
        for k in group:
            first_of.setdefault(k[0], k)
        group = list(first_of.values())
        first = spans[group[0]]
        out.append({
            "kind": kind, "name": name, "venue": where, "passage": first[2],
            "witnesses": [{"doc": k[0], "start": spans[k][0], "end": spans[k][1], "date": dates.get(k[0])}
                          for k in group],
        })
    out.sort(key=lambda s: (s["witnesses"][0]["doc"], s["witnesses"][0]["start"]))
    return out



def agree_with_sources(reuses: Sequence[Reuse], sources: Sequence[dict[str, Any]]) -> list[Reuse]:
    """``reuses`` with each undirected, unattributed ``reuses`` edge whose passage is, in both its
    documents, the passage of one common source they both witness made a ``shares`` edge: the source
    list already says where the words came from (a wire caption one witness credits, a speaker's
    words), so the edge must not say that nobody knows. Then edges and sources tell one story."""
    held: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for n, src in enumerate(sources):
        for w in src["witnesses"]:
            held[w["doc"]].append((w["start"], w["end"], n))

    def sources_of(doc: str, start: int, end: int) -> set[int]:
        # the source's passage must be most of the edge's (a long stretch of an outlet's own text
        # around one quoted sentence is not that sentence's source)
        return {n for s, e, n in held.get(doc, ()) if min(e, end) - max(s, start) >= 0.5 * max(1, end - start)}

    out: list[Reuse] = []
    for r in reuses:
        if r.kind == "reuses" and r.direction == "unknown" and r.attribution is None:
            both = sources_of(r.quoting, r.quoting_span.start, r.quoting_span.end) & sources_of(
                r.source, r.source_span.start, r.source_span.end)
            if both:
                src = sources[min(both)]
                said = f" ({src['kind']}: {src['name']})" if src["name"] else f" ({src['kind']})"
                r = _shared(r, [*r.evidence, f"both carry the passage of a common source{said} that other "
                                    "witnesses name"])
        out.append(r)
    return out


# The cue that names who spoke quoted words: "Trump said", "said Sen. John Cornyn", "Putin told
# reporters", "he wrote in a statement" (pronouns name nobody).
#: A capitalised name of up to four words ("Sen. John Cornyn", "Mr. Trump"), as a pattern.
NAME = r"[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}"
_CUE = r"(?:said|says|told|tweeted|wrote|added|asked|declared|insisted|stated)"
_AFTER = re.compile(rf"[\s,.”\"'’]{{0,4}}(?:{_CUE}\s+(?P<a>{NAME})|(?P<b>{NAME})\s+(?:also\s+)?{_CUE})")
_BEFORE = re.compile(rf"(?P<c>{NAME})\s+(?:also\s+)?{_CUE}[^.!?“\"]{{0,60}}?[:,]?\s*[“\"]?$")
# the cue at the start of a span that runs from it ("Samuel Achterberg said the plant will close")
_LEAD = re.compile(rf"(?P<d>{NAME})\s+(?:also\s+)?{_CUE}\b[:,]?\s*[“\"]?(?=\S)")
_TITLES = re.compile(
    r"^(?:(?:President|Sen|Senator|Rep|Gov|Mr|Mrs|Ms|Dr|Prime Minister|Secretary|Ambassador|Former)\.?\s+)+")
# a transcript's speaker label over the words ("SENATOR MARK WARNER: Well, Chuck, ...")
_LABEL = re.compile(
    r"(?:^|\n|[.?!][ \t]+)[ \t]*(?P<t>[A-Z][A-Z.'’ -]{2,60}[A-Z])[ \t]*:[ \t]*(?:\n[ \t]*)*[^\n]{0,200}$")
_SENTENCE_END = re.compile(r"[.!?]\s+")
_NOBODY = frozenset({"He", "She", "They", "It", "We", "I", "The", "This", "That", "You"})
# Capitalised words that open a sentence or name a time, never part of a speaker's name: "When
# asked, ...", "But Trump tweeted", "Priebus later Thursday told"
_OPENERS = frozenset({
    "When", "While", "But", "And", "As", "If", "After", "Before", "Asked", "Just", "More", "Another", "Others",
    "Some", "Many", "Most", "One", "Both", "Then", "So", "Yet", "Also", "Still", "Later", "Earlier", "Meanwhile",
    "Speaking", "In", "On", "At", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Today", "Yesterday",
})
# abbreviations a name goes on after: titles ("Sen. John McCain", "Sgt. Maj. John Smith"); what a
# title follows is the name
_ABBREVIATIONS = frozenset({
    "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Maj", "Sgt", "Cpl", "Pvt", "Capt", "Cmdr", "Adm", "Mr", "Mrs", "Ms",
    "Dr", "Rev", "Prof", "Pres", "Sec", "Atty", "Del", "Amb", "Supt", "Det", "Insp", "Hon", "Gens", "Reps", "Sens",
})
# name suffixes that end a name and stay in it ("Donald Trump Jr.")
_SUFFIXES = frozenset({"Jr", "Sr"})


def _name_after_cue(words: str) -> str:
    """The name a cue opens ("said Gorka. Bolton called ..." names Gorka): up to the first full stop
    that is not a title's, an initial's ("John F. Kennedy") or a dotted abbreviation's ("U.S.",
    "J.J."), after the last title ("Republican Sen. John McCain" is John McCain), without leading
    dotted abbreviations ("U.S. Attorney Jeff Sessions", "J.M. Berger" is Berger)."""
    out: list[str] = []
    for w in words.split():
        out.append(w)
        if w.endswith("."):
            stem = w[:-1]
            if stem in _ABBREVIATIONS:
                out = []
            elif stem in _SUFFIXES or (len(stem) > 1 and "." not in stem):
                break
    while len(out) > 1 and "." in out[0][:-1]:
        out.pop(0)
    return " ".join(out).rstrip(".")


def person(name: str, nobody: frozenset[str] = _NOBODY) -> str | None:
    """``name`` without its titles ("Sen. John Cornyn" -> "John Cornyn"); None for a pronoun or a
    word in ``nobody``."""
    bare = _TITLES.sub("", name).strip(" .")
    return bare if bare and bare.split()[0] not in nobody else None


def speaker_of(text: str, start: int, end: int) -> str | None:
    """The speaker an attribution cue right after or before the quoted span [start, end) of
    ``text`` names ("...," Trump said; Putin told reporters: "..."), without titles; None when
    the cue names nobody (a pronoun) or there is none."""
    # the cue may lie inside an aligned span that runs on past the quotation ("...,” Trump said")
    close = max(text.rfind("”", start, end), text.rfind('"', start + 1, end))
    opening = max(text.find("“", start, end), -1)
    before = _BEFORE.search(text, max(0, start - 120), start)
    # a quotation that ends its sentence belongs to the cue that opened it: the name and cue after
    # it start the next sentence (Marino said, “... freely.” Boreing said the members ...)
    # (the quotation, not the span: a span may run on past it into its cue, "“...,” Trump said.")
    quotation = text[start : close + 1] if close > start else text[start:end]
    ends_sentence = quotation.rstrip().rstrip("”\"'’").endswith((".", "?", "!"))
    m = (_LEAD.match(text, start, min(len(text), start + 80))
         or (before if ends_sentence else None)
         or _AFTER.match(text, end, min(len(text), end + 80))
         or (_AFTER.match(text, close + 1, min(len(text), close + 81)) if close > start else None)
         or before
         or (_BEFORE.search(text, start, opening) if opening > start else None))
    if m is None:
        label = _LABEL.search(text, max(0, start - 260), start)
        if label is None or label.group("t").split()[-1] in ("Q", "A"):
            return None
        name = _TITLES.sub("", label.group("t").title()).strip(" .")
        return name or None
    if m.groupdict().get("a"):
        name = _name_after_cue(m.group("a"))
    else:
        # (a name before its cue starts after a full stop: "Monday. Sen. John Cornyn told" names John Cornyn)
        name = _SENTENCE_END.split(next(g for g in m.groups() if g))[-1]
    words = name.split()
    while words and words[0] in _OPENERS:
        words.pop(0)
    return person(" ".join(words)) if words else None
