"""Copies grouped into clusters: every verified copy in its cluster, and nothing that only looks like one.

Candidate pairs from LSH are measured (:mod:`dedup.cluster.figures`) and linked into connected
components; each component is then grouped on its own, by the same function in every engine
(:func:`group_component`):

1. **Furniture-only pages** (a few words, captions; :mod:`dedup.clean.page`) never cluster: the
   same widget text or photo captions on four different stories of one site is not a copy.
2. **Each pair is decided**: the 5-gram test, or, when it fails in the grey zone, the ordered word
   alignment (:mod:`dedup.cluster.align`); the pair keeps both figures and which one decided.
3. **Composite pages** are taken out: a page whose raw text carries the item heads of a running
   file or live page, or a page that holds two documents that share next to nothing (an AP brief
   followed by a CNN story; a digest of briefs), and the near-identical copies of such a page.
   A composite is never a member or canonical copy of a story's cluster; composites cluster only
   with composites that align with them, and each says which documents it ``contains``.
4. **Union-find** over the copy pairs of what is left. Membership no longer hangs on one canonical
   copy (which let a first version of a wire story and its later write-thru end in different
   clusters because each verified only against the other's neighbours); chaining of different
   stories, which that guard was for, came through composites and furniture, now out.

The provisional canonical copy is the best :class:`Rank`; :mod:`dedup.cluster.settle` then lets
the copy that holds most of the others' text take its place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from dedup.clean.page import DIGEST, FURNITURE_ONLY, LIVE_PAGE
from dedup.cluster.align import ALIGNED_COPY
from dedup.cluster.figures import MIN_ALIGN_WORDS, Figures, Layout, Rank, cluster_id, link
from dedup.cluster.settle import COMPOSITE, rank_reason
from dedup.config import Config
from dedup.models import Cluster, PairScore

#: Two documents held by one page witness that it is a composite when the shorter of them shares
#: less than this of its 5-grams with the other, and has less than this of its words aligned into
#: it: separate stories share ~0, versions of one wire story 0.4 and more, and two copies of one
#: article that each lost a third of their words in different places share few 5-grams but align.
UNRELATED = 0.25
#: Two documents sit in different parts of a page when less than this share of the 5-grams the page
#: shares with one (the smaller set) it also shares with the other.
APART = 0.1
#: A page carries the opening of a document when at least this share of its first 5-grams is on it.
OPENS = 0.5
#: A document "holds" a shorter one that has at least this share of its words inside it.
HELD = 0.8
#: Copies of a composite page at least this similar (Jaccard) are the same page on another site, so
#: composites too; a story that fills most of a live page is not (its Jaccard with the page is lower).
SAME_PAGE = 0.9
#: Witness pairs tried per page: a page holding dozens of versions of one story stays cheap.
MAX_WITNESS_CHECKS = 200


@dataclass(frozen=True)
class CopyInputs:
    """What grouping asks of the engine; the engine decides where the answers come from (memory,
    the database's cache of earlier runs, a Spark partition).

    ``figures(a, b)`` measures any pair (a < b) on exact shingle sets; ``aligned(a, b)`` is the
    ordered word alignment of a pair (share of the shorter text); ``defects(d)`` the cleaner's
    findings of a document (the page findings among them); ``rank(d)`` its :class:`Rank`;
    ``layout(page, x, y)`` is :func:`dedup.cluster.figures.layout` on the three documents'
    exact shingle sets (asked only of a page suspected to be a composite).
    """

    config: Config
    rank: Callable[[str], Rank]
    defects: Callable[[str], Sequence[str]]
    figures: Callable[[str, str], Figures]
    aligned: Callable[[str, str], float]
    layout: Callable[[str, str, str], Layout]

    def pair(self, a: str, b: str) -> Figures:
        return self.figures(a, b) if a < b else self.figures(b, a)


class UnionFind:
    """Groups of ids joined pair by pair; each group's root is its smallest id (a deterministic order)."""

    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for x in sorted(self.parent):
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


def decide(f: Figures, inputs: CopyInputs) -> PairScore | None:
    """The pair as a copy, with what decided it, or None when it is no copy."""
    config = inputs.config
    kind = link(f, config)
    p = f.score(config)
    if kind == "copy":
        return replace(p, decided_by="5-gram")
    if kind == "grey":
        share = inputs.aligned(f.a, f.b)
        if share >= ALIGNED_COPY:
            short, long = sorted((f.n_a, f.n_b))
            rel = "near-duplicate" if short >= config.containment_threshold * long else "contained"
            return replace(p, relation=rel, aligned=share, decided_by="alignment")  # type: ignore[arg-type]
    return None


def _words(f: Figures, doc: str, k: int) -> int:
    wa, wb = f.words(k)
    return wa if doc == f.a else wb


def _held(page: str, copies: Sequence[PairScore], sizes: dict[tuple[str, str], Figures], k: int) -> list[str]:
    """The documents ``page`` holds: shorter copies with most of their words inside it."""
    out = []
    for p in copies:
        other = p.b if p.a == page else p.a
        f = sizes[(p.a, p.b)]
        if _words(f, other, k) >= _words(f, page, k) or _words(f, other, k) < MIN_ALIGN_WORDS:
            continue
        if p.containments(other)[0] >= HELD or (p.aligned or 0.0) >= HELD:
            out.append(other)
    return sorted(out)


def _carried(page: str, partners: Sequence[Figures], copies: Mapping[tuple[str, str], PairScore],
             held: list[str], k: int) -> list[str]:
    """Documents of which ``page`` carries a passage without being their copy (a digest's first
    paragraphs of a longer story): linked in the grey zone, >= MIN_ALIGN_WORDS 5-grams in common,
    and not holding the page itself."""
    out = []
    for f in partners:
        if (f.a, f.b) in copies:
            continue
        other, c_other, c_page, n_other = (f.b, f.c_ba, f.c_ab, f.n_b) if f.a == page else (f.a, f.c_ab, f.c_ba, f.n_a)
        if other in held or c_page >= HELD or c_other * n_other < MIN_ALIGN_WORDS:
            continue
        out.append(other)
    return sorted(out)


def _partners(sizes: Mapping[tuple[str, str], Figures]) -> dict[str, list[Figures]]:
    """The figures of every linked pair of each document."""
    out: dict[str, list[Figures]] = {}
    for (a, b), f in sizes.items():
        out.setdefault(a, []).append(f)
        out.setdefault(b, []).append(f)
    return out


def _witnesses(first: list[str], second: list[str], copy_pairs: Mapping[tuple[str, str], PairScore],
               inputs: CopyInputs, page: str | None = None) -> tuple[str, str] | None:
    """A document of ``first`` and another of ``second`` that share next to nothing, or None.

    With ``page`` (``second`` being documents it carries a passage of), the two must also sit in
    different parts of it (a damaged copy of a story and a digest that carries the story's first
    paragraphs share few 5-grams and align poorly with each other, but the 5-grams each shares with
    the story overlap), and the passage must open its document: a digest carries a story's first
    paragraphs, while a wire story's stock background paragraph recurs in the middle of others.
    """
    pairs = ((x, y) for i, x in enumerate(first) for y in (second[i + 1:] if first is second else second) if x != y)
    for n, (s1, s2) in enumerate(pairs):
        if n >= MAX_WITNESS_CHECKS:
            break
        if (min(s1, s2), max(s1, s2)) in copy_pairs:
            continue
        f = inputs.pair(s1, s2)
        # two heavily damaged copies of one article share few intact 5-grams: the alignment tells
        if max(f.c_ab, f.c_ba) < UNRELATED and inputs.aligned(f.a, f.b) < UNRELATED:
            if page is None:
                return s1, s2
            where = inputs.layout(page, s1, s2)
            if where.overlap < APART and where.opening >= OPENS:
                return s1, s2
    return None


def _by_doc(copies: Mapping[tuple[str, str], PairScore]) -> dict[str, list[PairScore]]:
    """The copy pairs of each document."""
    by_doc: dict[str, list[PairScore]] = {}
    for p in copies.values():
        by_doc.setdefault(p.a, []).append(p)
        by_doc.setdefault(p.b, []).append(p)
    return by_doc


def find_composites(
    members: Sequence[str], copies: dict[tuple[str, str], PairScore], sizes: dict[tuple[str, str], Figures],
    inputs: CopyInputs, by_doc: Mapping[str, list[PairScore]] | None = None,
) -> dict[str, str]:
    """Composite pages of a component, each with why (the reason a reader sees)."""
    k = inputs.config.shingle_size
    by_doc = _by_doc(copies) if by_doc is None else by_doc
    found: dict[str, str] = {}
    for d in members:
        if LIVE_PAGE in inputs.defects(d):
            found[d] = "its raw text carries the time stamps of a running file or live page"
    partners = _partners(sizes)
    items: dict[str, list[str]] = {}  # what each composite page holds
    for d in members:
        if d in found:
            continue
        held = items[d] = _held(d, by_doc.get(d, []), sizes, k)
        if not held:
            continue
        if DIGEST in inputs.defects(d):
            # a digest holding a page under a digest's title holds a copy of itself, not an item
            stories = [h for h in held if DIGEST not in inputs.defects(h)]
            found[d] = "its title names a digest, briefing or running file" + (
                f", and it holds {stories[0]}" if stories else "")
            for h in held:
                if h not in stories:
                    found.setdefault(h, f"it is a copy of the digest page {d}")
            continue
        if len(held) >= 2 and (w := _witnesses(held, held, copies, inputs)):
            found[d] = f"it holds {w[0]} and {w[1]}, which share next to nothing"
            continue
        carried = _carried(d, partners.get(d, []), copies, held, k)
        if carried and (w := _witnesses(held, carried, copies, inputs, page=d)):
            found[d] = (f"it holds {w[0]} and carries a passage of {w[1]} elsewhere on the page, "
                        "which share next to nothing")
    # a near-identical copy of a composite page is the same page on another site (but an article
    # that fills most of a digest is one of its items)
    grew = True
    while grew:
        grew = False
        for p in copies.values():
            for page, other in ((p.a, p.b), (p.b, p.a)):
                if (p.jaccard >= SAME_PAGE and page in found and other not in found
                        and other not in items.get(page, ())):
                    found[other] = f"it is a copy of the composite page {page}"
                    grew = True
    return found


def group_component(members: Sequence[str], edges: Iterable[tuple[str, str]], inputs: CopyInputs) -> list[Cluster]:
    """Clusters of one connected component of linked candidate pairs (see the module docstring)."""
    config = inputs.config
    members = sorted(members)
    furniture = {d for d in members if FURNITURE_ONLY in inputs.defects(d)}
    copies: dict[tuple[str, str], PairScore] = {}
    sizes: dict[tuple[str, str], Figures] = {}
    for a, b in sorted({(min(e), max(e)) for e in edges}):
        if a in furniture or b in furniture:
            continue
        f = sizes[(a, b)] = inputs.figures(a, b)
        p = decide(f, inputs)
        if p is not None:
            copies[(a, b)] = p
    by_doc = _by_doc(copies)
    composites = find_composites([d for d in members if d not in furniture], copies, sizes, inputs, by_doc)
    stories = UnionFind(d for d in members if d not in furniture and d not in composites)
    pages = UnionFind(composites)
    page_links: dict[tuple[str, str], PairScore] = {}
    for (a, b), p in copies.items():
        if a in stories.parent and b in stories.parent:
            stories.union(a, b)
        elif a in composites and b in composites and min(sizes[(a, b)].words(config.shingle_size)) >= MIN_ALIGN_WORDS:
            # two copies of one digest align through and through; pages that merely carry some
            # of the same headlines in another order do not
            share = p.aligned if p.aligned is not None else inputs.aligned(a, b)
            if share >= ALIGNED_COPY:
                page_links[(a, b)] = replace(p, aligned=share)
                pages.union(a, b)
    clusters = [_cluster(g, copies, inputs, "") for g in stories.groups()]
    for g in pages.groups():
        held = sorted({h for d in g for h in _held(d, by_doc.get(d, []), sizes, config.shingle_size)
                       if h not in composites})
        why = "; ".join(f"{d}: {composites[d]}" for d in g)
        clusters.append(replace(_cluster(g, page_links, inputs, f"{COMPOSITE} ({why}); kept out of copy clusters"),
                                contains=held))
    for d in sorted(furniture):
        clusters.append(Cluster(cluster_id([d]), [d], d, "furniture only (a few words or photo captions): "
                                "never clustered"))
    return clusters


def _cluster(group: list[str], links: dict[tuple[str, str], PairScore], inputs: CopyInputs, why: str) -> Cluster:
    """A cluster of ``group`` with the best-ranked copy as provisional canonical."""
    ranks = sorted((inputs.rank(d) for d in group), key=Rank.key)
    canonical = ranks[0].doc_id
    inside = set(group)
    pairs = [inputs.pair(canonical, m).score(inputs.config) for m in group if m != canonical]
    reason = rank_reason(ranks[0], ranks[1:])
    return Cluster(
        id=cluster_id(group), members=sorted(group), canonical=canonical,
        reason=f"{why}; {reason}" if why else reason,
        pairs=sorted(pairs, key=lambda p: (p.a, p.b)),
        links=[p for (a, b), p in sorted(links.items()) if a in inside and b in inside],
    )


def build_clusters(
    ids: Sequence[str], candidates: Iterable[tuple[str, str]], inputs: CopyInputs,
    done: Callable[[int], object] | None = None,
) -> tuple[list[Cluster], list[PairScore]]:
    """Clusters of every document (singletons included) and the copy pairs that hold them, sorted.

    ``candidates`` are the pairs LSH proposed; those :func:`dedup.cluster.figures.link` keeps form
    the components, each grouped by :func:`group_component`. ``done(n)``, if given, is told the
    documents of each component once it is grouped (a caller's progress).
    """
    linked = []
    for a, b in candidates:
        a, b = min(a, b), max(a, b)
        if link(inputs.figures(a, b), inputs.config) is not None:
            linked.append((a, b))
    uf = UnionFind(d for e in linked for d in e)
    for a, b in linked:
        uf.union(a, b)
    by_comp: dict[str, list[tuple[str, str]]] = {}
    for a, b in linked:
        by_comp.setdefault(uf.find(a), []).append((a, b))
    clusters: list[Cluster] = []
    for group in uf.groups():
        clusters.extend(group_component(group, by_comp[uf.find(group[0])], inputs))
        if done is not None:
            done(len(group))
    grouped = set(uf.parent)
    clusters.extend(singleton(d) for d in ids if d not in grouped)
    clusters.sort(key=lambda c: c.id)
    verified = sorted({(p.a, p.b): p for c in clusters for p in c.links}.values(), key=lambda p: (p.a, p.b))
    return clusters, verified


def singleton(doc_id: str) -> Cluster:
    """The cluster of a document that is a copy of nothing."""
    return Cluster(cluster_id([doc_id]), [doc_id], doc_id, "only copy")
