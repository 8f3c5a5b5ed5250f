"""Passage-level reuse: which article quotes which, in which direction, and on whose word.

Pipeline (all stages linear in the corpus except the local alignments, which
run only on candidate passage pairs):

1. :mod:`dedup.passages` cuts every clean text into passages (sentences and
   quotations) and shingles them with 3-word shingles.
2. Passages are MinHashed with :func:`dedup.fingerprint.signatures` and
   banded with :func:`dedup.fingerprint.band_keys`; passages whose exact
   signature recurs in many clusters of one outlet, or in very many clusters
   at all, are corpus boilerplate and leave the index before any pair is made.
3. :func:`dedup.fingerprint.lsh_candidates` gives candidate passage pairs;
   pairs inside one near-duplicate cluster are dropped (copies, not quotes).
4. Each candidate passage pair is aligned with rapidfuzz (LCS opcodes on
   token hashes, in a window a little wider than the passages); matching
   blocks of all windows of a document pair are chained into maximal spans,
   bridging small edits on both sides and one-sided omissions (ellipses,
   text a damaged scrape dropped).
5. Spans shorter than ``min_reuse_chars``/``min_reuse_words`` are dropped.
6. Copies: segments of all member pairs of two clusters are reported once,
   against the canonical members where possible, with the other members
   that hold the same text in ``also_in``.
7. Direction from evidence only (attribution naming the other outlet,
   quotation marks, dates, share of each text); else ``unknown``.
8. Quotation clusters: an edge between two documents that both reuse the
   same passage of an earlier third one is dropped in favour of the edges
   to that third document.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel

from dedup import passages as P
from dedup.attribution import Mention, OutletIndex, find_mentions, mentions_near, outlet_matches
from dedup.config import Config
from dedup.fingerprint import band_keys, lsh_candidates, normalise, signatures
from dedup.models import Attribution, Citation, Cluster, Document, Reuse

I64 = npt.NDArray[np.int64]

# Passage MinHash: 32 permutations in 16 bands of 2 rows. A passage pair
# with Jaccard 0.3 (a quoted sentence inside a longer one) collides with
# probability 0.78, at 0.5 with 0.99; at 0.1 (a shared name) with 0.15, and
# those few are rejected by the alignment.
PASSAGE_PERM = 32
PASSAGE_BANDS = 16
PASSAGE_ROWS = 2
# Candidate passage pairs below this estimated Jaccard are not aligned: on a
# corpus of one topic, band collisions from shared names ("U.S. President
# Donald Trump") are common, while a real reuse always has some passage
# pair (a window inside it) far above this.
MIN_EST_JACCARD = 8 / PASSAGE_PERM
# Tokens of context aligned on each side of a colliding passage, so that a
# reuse crossing a passage boundary is followed into the next passage.
ALIGN_MARGIN = 25
# Matching blocks shorter than this are chance ("of the").
MIN_BLOCK = 2
# Chaining: gaps of at most this many tokens on both sides are edits...
MAX_EDIT_GAP = 6
# ... and a gap of at most ONE_SIDED_OTHER on one side with up to this many
# on the other is an omission (ellipsis, or text a scrape dropped).
MAX_OMISSION_GAP = 40
ONE_SIDED_OTHER = 2
MIN_OMISSION_RUN = 4
# A passage whose exact signature appears in this many clusters of one
# outlet is that outlet's furniture; in this many clusters of any outlets,
# corpus boilerplate (legal notices, newsletter pitches).
GLOBAL_BOILER_MIN = 25
GLOBAL_BOILER_SHARE = 0.01
# Share of an X-Y reuse that must lie inside X-Z and Y-Z for Z to explain it;
# not all: two quoting articles often share the attribution phrase as well.
COVER = 0.6
# Share of a segment that must lie in quotation marks to count as quoted.
QUOTED_SHARE = 0.6
# Evidence weights (noisy-or); attribution and dates are near proof, marks
# are strong, shares only tip a balance already made.
W_ATTRIBUTION = 0.7
W_MARKS = 0.45
W_DATE = 0.35
W_SHARE = 0.15
W_YEAR = 0.1

# Function words that do not make a name phrase into prose.
_STOP = frozenset(
    "a an the of to in on at for and or but by with from as is was be has had have that this it its"
    " he she they his her their who which said".split()
)
# Matched lowercase content words a reuse needs: "Iranian Foreign Minister
# Hossein Amir-Abdollahian to Mali" is eight tokens of names, not a quotation.
MIN_CONTENT_WORDS = 3

_MARKS = re.compile("[\"“”«»„]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


@dataclass
class Segment:
    """One aligned stretch between documents a and b (indices into docs)."""

    a: int
    b: int
    a_tok: tuple[int, int]
    b_tok: tuple[int, int]
    a_chr: tuple[int, int]
    b_chr: tuple[int, int]
    matched: int
    also_in: set[int] = field(default_factory=set)

    def side(self, doc: int) -> tuple[int, int]:
        return self.a_chr if doc == self.a else self.b_chr


@dataclass
class _Verdict:
    quoting: int
    source: int
    direction: str
    confidence: float
    evidence: list[str]
    quoted: bool
    attribution: Attribution | None
    has_attribution: bool


# --------------------------------------------------------------------------- helpers


def _date(doc: Document) -> str | None:
    for value in (doc.date, doc.inferred.get("date")):
        if value:
            m = _ISO_DATE.search(value)
            if m:
                return m.group()
    return None


def doc_outlet_names(doc: Document) -> list[str]:
    """Every name the document goes by: stated outlet, inferred outlet, title suffix, URL host."""
    names: list[str] = []
    for value in (doc.outlet, doc.inferred.get("outlet")):
        if value:
            names.append(value)
    for title in (doc.title, doc.inferred.get("title")):
        if title:
            parts = _TITLE_SPLIT.split(title.strip())
            if len(parts) > 1 and 0 < len(parts[-1].split()) <= 4:
                names.append(parts[-1].strip())
    if doc.url:
        m = re.match(r"^(?:https?://)?(?:www\.)?([^/]+)", doc.url)
        if m:
            names.append(m.group(1))
    return names


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> float:
    inter = min(x[1], y[1]) - max(x[0], y[0])
    if inter <= 0:
        return 0.0
    return inter / max(1, min(x[1] - x[0], y[1] - y[0]))


def _covers(outer: tuple[int, int], inner: tuple[int, int]) -> float:
    """Share of ``inner`` that lies inside ``outer``."""
    inter = min(outer[1], inner[1]) - max(outer[0], inner[0])
    return max(0, inter) / max(1, inner[1] - inner[0])


def _quoted_share(regions: list[tuple[int, int]], span: tuple[int, int]) -> float:
    inside = 0
    for s, e in regions:
        inside += max(0, min(e, span[1]) - max(s, span[0]))
    return inside / max(1, span[1] - span[0])


def _noisy_or(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p


# --------------------------------------------------------------------------- the detector


class _Detector:
    def __init__(self, docs: Sequence[Document], clusters: Sequence[Cluster], config: Config) -> None:
        self.docs = list(docs)
        self.config = config
        self.index = {d.id: i for i, d in enumerate(self.docs)}
        n = len(self.docs)
        # Every document belongs to exactly one group: its cluster, or itself.
        self.group = np.arange(n, dtype=np.int64)
        self.canonical: dict[int, int] = {}
        gid = n
        for c in clusters:
            members = [self.index[m] for m in c.members if m in self.index]
            if len(members) < 2:
                continue
            for m in members:
                self.group[m] = gid
            self.canonical[gid] = self.index.get(c.canonical, min(members))
            gid += 1
        self.members: dict[int, list[int]] = defaultdict(list)
        for i, g in enumerate(self.group.tolist()):
            self.members[g].append(i)
            self.canonical.setdefault(g, i)
        self.dp = [P.build(d.text) for d in self.docs]
        # Outlet names per group (copies share them: a wire copy names the
        # outlet the canonical lacks), and an index for citations.
        self.outlets = OutletIndex()
        self.group_names: dict[int, list[str]] = defaultdict(list)
        self.outlet_of_group: dict[int, str | None] = {}
        for i, d in enumerate(self.docs):
            g = int(self.group[i])
            for name in doc_outlet_names(d):
                self.outlets.add(name, g)
                if name not in self.group_names[g]:
                    self.group_names[g].append(name)
        for g, names in self.group_names.items():
            self.outlet_of_group[g] = normalise(names[0]) if names else None
        self.group_date: dict[int, str] = {}
        for i, d in enumerate(self.docs):
            dt = _date(d)
            g = int(self.group[i])
            if dt and (g not in self.group_date or dt < self.group_date[g]):
                self.group_date[g] = dt
        self._mentions: dict[int, list[Mention]] = {}

    # ----------------------------------------------------------------- dates, mentions
    def date_of(self, i: int) -> str | None:
        return _date(self.docs[i]) or self.group_date.get(int(self.group[i]))

    def mentions(self, i: int) -> list[Mention]:
        if i not in self._mentions:
            self._mentions[i] = find_mentions(self.docs[i].text, self.outlets)
        return self._mentions[i]

    # ----------------------------------------------------------------- candidates
    def candidates(self) -> dict[tuple[int, int], list[tuple[int, int, int, int]]]:
        """Candidate passage pairs grouped by document pair (a < b, other groups)."""
        owner_l: list[I64] = []
        ranges_l: list[I64] = []
        shingles: list[P.U64] = []
        for i, dp in enumerate(self.dp):
            if len(dp.ranges) == 0:
                continue
            owner_l.append(np.full(len(dp.ranges), i, dtype=np.int64))
            ranges_l.append(dp.ranges)
            shingles.extend(P.passage_shingles(dp))
        if not owner_l:
            return {}
        owner = np.concatenate(owner_l)
        ranges = np.concatenate(ranges_l)
        sigs = signatures(shingles, PASSAGE_PERM, self.config.seed)
        keep = (ranges[:, 1] - ranges[:, 0]) >= P.PASSAGE_SHINGLE + 1
        keep &= ~self._boilerplate(owner, sigs)
        self.boiler_tokens = self._boiler_token_mask(owner, ranges, keep)
        rows = np.flatnonzero(keep)
        if len(rows) < 2:
            return {}
        keys = band_keys(sigs[rows], PASSAGE_BANDS, PASSAGE_ROWS)
        pairs = rows[lsh_candidates(keys)]
        if len(pairs) == 0:
            return {}
        da, db = owner[pairs[:, 0]], owner[pairs[:, 1]]
        ok = self.group[da] != self.group[db]
        pairs, da, db = pairs[ok], da[ok], db[ok]
        est = (sigs[pairs[:, 0]] == sigs[pairs[:, 1]]).mean(axis=1)
        ok = est >= MIN_EST_JACCARD
        pairs, da, db = pairs[ok], da[ok], db[ok]
        out: dict[tuple[int, int], list[tuple[int, int, int, int]]] = defaultdict(list)
        for (pa, pb), a, b in zip(pairs.tolist(), da.tolist(), db.tolist(), strict=True):
            sa, ea = int(ranges[pa, 0]), int(ranges[pa, 1])
            sb, eb = int(ranges[pb, 0]), int(ranges[pb, 1])
            if a < b:
                out[(a, b)].append((sa, ea, sb, eb))
            else:
                out[(b, a)].append((sb, eb, sa, ea))
        return dict(out)

    def _boilerplate(self, owner: I64, sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
        """Passages repeated across many clusters: one outlet's furniture or corpus-wide boilerplate."""
        exact = band_keys(sigs, 1, PASSAGE_PERM)[:, 0]
        groups = self.group[owner]
        # distinct (passage key, group) pairs, then clusters per key
        code = np.unique(np.stack([exact.astype(np.int64), groups]).T, axis=0)
        keys, counts = np.unique(code[:, 0], return_counts=True)
        n_groups = len(self.members)
        limit = max(GLOBAL_BOILER_MIN, int(GLOBAL_BOILER_SHARE * n_groups))
        boiler_keys = set(keys[counts >= limit].tolist())
        # same outlet: key seen in >= furniture_min_docs groups of one outlet
        outlet_id: dict[str | None, int] = {}
        og = np.fromiter(
            (outlet_id.setdefault(self.outlet_of_group.get(int(g)), len(outlet_id)) for g in code[:, 1]),
            dtype=np.int64,
            count=len(code),
        )
        none_id = outlet_id.get(None, -1)
        triple = np.stack([code[:, 0], og]).T[og != none_id]
        if len(triple):
            tk, tc = np.unique(triple, axis=0, return_counts=True)
            boiler_keys |= set(tk[tc >= max(2, self.config.furniture_min_docs), 0].tolist())
        if not boiler_keys:
            return np.zeros(len(owner), dtype=bool)
        return np.isin(exact.astype(np.int64), np.fromiter(boiler_keys, dtype=np.int64))

    def _boiler_token_mask(self, owner: I64, ranges: I64, keep: npt.NDArray[np.bool_]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = defaultdict(set)
        for row in np.flatnonzero(~keep).tolist():
            s, e = int(ranges[row, 0]), int(ranges[row, 1])
            if e - s > P.PASSAGE_SHINGLE:
                out[int(owner[row])].update(range(s, e))
        return out

    # ----------------------------------------------------------------- alignment
    def align(self, a: int, b: int, pairs: list[tuple[int, int, int, int]]) -> list[Segment]:
        ta, tb = self.dp[a].tokens, self.dp[b].tokens
        ha, hb = ta.hashes, tb.hashes
        blocks: set[tuple[int, int, int]] = set()
        seen: set[tuple[int, int, int, int]] = set()
        for sa, ea, sb, eb in sorted(set(pairs)):
            wa = (max(0, sa - ALIGN_MARGIN), min(len(ta), ea + ALIGN_MARGIN))
            wb = (max(0, sb - ALIGN_MARGIN), min(len(tb), eb + ALIGN_MARGIN))
            key = (wa[0], wa[1], wb[0], wb[1])
            if key in seen:
                continue
            seen.add(key)
            xs = ha[wa[0] : wa[1]].tolist()
            ys = hb[wb[0] : wb[1]].tolist()
            for op in Indel.opcodes(xs, ys):
                if op.tag == "equal" and op.src_end - op.src_start >= MIN_BLOCK:
                    blocks.add((wa[0] + op.src_start, wb[0] + op.dest_start, op.src_end - op.src_start))
        if not blocks:
            return []
        runs = self._runs(blocks)
        chains = self._chain(runs, a, b)
        out: list[Segment] = []
        cfg = self.config
        for chain in chains:
            i0, j0 = chain[0][0], chain[0][1]
            i1, j1 = chain[-1][0] + chain[-1][2], chain[-1][1] + chain[-1][2]
            m = sum(r[2] for r in chain)
            la, lb = i1 - i0, j1 - j0
            if m < cfg.min_reuse_words or m / min(la, lb) < 0.6 or m / max(la, lb) < 0.3:
                continue
            ac = (int(ta.starts[i0]), int(ta.ends[i1 - 1]))
            bc = (int(tb.starts[j0]), int(tb.ends[j1 - 1]))
            if min(ac[1] - ac[0], bc[1] - bc[0]) < cfg.min_reuse_chars:
                continue
            # Words as a reader counts them ("Amir-Abdollahian" is one), on both sides.
            words = min(len(self.docs[a].text[ac[0] : ac[1]].split()), len(self.docs[b].text[bc[0] : bc[1]].split()))
            if words < cfg.min_reuse_words or self._content_words(a, chain) < MIN_CONTENT_WORDS:
                continue
            boiler_a = self.boiler_tokens.get(a, set())
            boiler_b = self.boiler_tokens.get(b, set())
            if boiler_a or boiler_b:
                ba = sum(1 for t in range(i0, i1) if t in boiler_a) / la
                bb = sum(1 for t in range(j0, j1) if t in boiler_b) / lb
                if max(ba, bb) >= 0.5:
                    continue
            out.append(Segment(a, b, (i0, i1), (j0, j1), ac, bc, m))
        return out

    def _content_words(self, a: int, chain: list[tuple[int, int, int]]) -> int:
        tok = self.dp[a].tokens
        text = self.docs[a].text
        n = 0
        for i, _, length in chain:
            for t in range(i, i + length):
                if text[int(tok.starts[t])].islower() and tok.words[t] not in _STOP:
                    n += 1
        return n

    @staticmethod
    def _runs(blocks: set[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """Diagonal runs (i, j, length): overlapping blocks of one diagonal merged."""
        runs: list[tuple[int, int, int]] = []
        cur: tuple[int, int, int] | None = None
        for i, j, length in sorted(blocks, key=lambda b: (b[0] - b[1], b[0])):
            if cur is not None and i - j == cur[0] - cur[1] and i <= cur[0] + cur[2]:
                cur = (cur[0], cur[1], max(cur[2], i + length - cur[0]))
                continue
            if cur is not None:
                runs.append(cur)
            cur = (i, j, length)
        if cur is not None:
            runs.append(cur)
        return sorted(r for r in runs if r[2] >= MIN_BLOCK)

    @staticmethod
    def _gap_ok(gi: int, gj: int, prev: tuple[int, int, int], run: tuple[int, int, int]) -> bool:
        if gi < 0 or gj < 0:
            return False
        if gi <= MAX_EDIT_GAP and gj <= MAX_EDIT_GAP:
            return True
        # An omission is only bridged between substantial runs: a chance
        # "in the" next to a quotation must not pull in the sentence before it.
        if min(prev[2], run[2]) < MIN_OMISSION_RUN:
            return False
        return (gi <= ONE_SIDED_OTHER and gj <= MAX_OMISSION_GAP) or (
            gj <= ONE_SIDED_OTHER and gi <= MAX_OMISSION_GAP
        )

    @staticmethod
    def _trim(chain: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """Drop short runs at either end that sit apart from the rest (chance matches)."""

        def gap(r1: tuple[int, int, int], r2: tuple[int, int, int]) -> int:
            return max(r2[0] - r1[0] - r1[2], r2[1] - r1[1] - r1[2])

        while len(chain) > 1 and chain[0][2] < MIN_OMISSION_RUN and gap(chain[0], chain[1]) >= chain[0][2]:
            chain = chain[1:]
        while len(chain) > 1 and chain[-1][2] < MIN_OMISSION_RUN and gap(chain[-2], chain[-1]) >= chain[-1][2]:
            chain = chain[:-1]
        return chain

    def _chain(self, runs: list[tuple[int, int, int]], a: int, b: int) -> list[list[tuple[int, int, int]]]:
        """Greedy left-to-right chaining of runs into maximal monotone chains."""
        chains: list[list[tuple[int, int, int]]] = []
        active: list[int] = []  # chains that can still grow: runs come in order of i
        for run in runs:
            best = -1
            best_gap = 1 << 30
            active = [c for c in active if chains[c][-1][0] + chains[c][-1][2] + MAX_OMISSION_GAP >= run[0]]
            for c in active:
                chain = chains[c]
                last = chain[-1]
                gi = run[0] - (last[0] + last[2])
                gj = run[1] - (last[1] + last[2])
                if self._gap_ok(gi, gj, last, run) and gi + gj < best_gap:
                    best, best_gap = c, gi + gj
            if best >= 0:
                chains[best].append(run)
            else:
                active.append(len(chains))
                chains.append([run])
        return [self._trim(c) for c in chains]

    # ----------------------------------------------------------------- direction
    def verdict(self, seg: Segment) -> _Verdict:
        """Evidence for "a quotes b" (positive) and "b quotes a" (negative)."""
        docs = self.docs
        support: dict[tuple[int, int], list[tuple[str, float, str]]] = {
            (seg.a, seg.b): [],
            (seg.b, seg.a): [],
        }
        attributions: dict[tuple[int, int], Attribution] = {}
        for x, y in ((seg.a, seg.b), (seg.b, seg.a)):
            sx, sy = seg.side(x), seg.side(y)
            ex = support[(x, y)]
            qx = _quoted_share(self.dp[x].quotes, sx)
            qy = _quoted_share(self.dp[y].quotes, sy)
            # Marks near the passage in y too mean both quote a third party
            # (a speaker): no evidence about x and y.
            ty = self.docs[y].text[max(0, sy[0] - 3) : sy[1] + 3]
            if qx >= QUOTED_SHARE and qy < 1 - QUOTED_SHARE and not _MARKS.search(ty):
                ex.append(("marks", W_MARKS, f"passage is in quotation marks in {docs[x].id}, not in {docs[y].id}"))
            gy = int(self.group[y])
            names = self.group_names.get(gy, [])
            if names:
                for men in mentions_near(self.mentions(x), sx[0], sx[1], docs[x].text):
                    hit = next((n for n in names if outlet_matches(men.name, n)), None)
                    if hit is None:
                        continue
                    year = men.year(docs[x].text, until=sx[0])
                    phrase = docs[x].text[men.start : max(men.end, min(sx[0], men.end + 80))].strip(" \t\n“\"«‘'")
                    if men.start > sx[0]:
                        phrase = men.phrase(docs[x].text)
                    attributions[(x, y)] = Attribution(men.name, year, phrase)
                    ex.append(
                        (
                            "attribution",
                            W_ATTRIBUTION,
                            f"{docs[x].id} attributes the passage to {men.name!r} ({phrase!r}),"
                            f" the outlet of {docs[y].id} ({hit})",
                        )
                    )
                    dy = self.date_of(y)
                    if year is not None and dy is not None and dy.startswith(str(year)):
                        ex.append(("year", W_YEAR, f"attribution year {year} matches date {dy} of {docs[y].id}"))
                    break
            dx, dy = self.date_of(x), self.date_of(y)
            if dx and dy and dx > dy:
                ex.append(("date", W_DATE, f"{docs[y].id} dated {dy}, before {docs[x].id} dated {dx}"))
            len_x, len_y = max(1, len(docs[x].text)), max(1, len(docs[y].text))
            share_x = (sx[1] - sx[0]) / len_x
            share_y = (sy[1] - sy[0]) / len_y
            if share_y >= 0.6 and share_x <= 0.25:
                ex.append(
                    (
                        "share",
                        W_SHARE,
                        f"passage is {share_y:.0%} of {docs[y].id} but {share_x:.0%} of {docs[x].id}",
                    )
                )
        fwd, bwd = support[(seg.a, seg.b)], support[(seg.b, seg.a)]
        decided: tuple[int, int] | None = None
        kinds_f = {k for k, _, _ in fwd}
        kinds_b = {k for k, _, _ in bwd}
        strong = {"attribution", "marks", "date"}
        for (x, y), mine, theirs in (((seg.a, seg.b), kinds_f, kinds_b), ((seg.b, seg.a), kinds_b, kinds_f)):
            if not mine & strong:
                continue
            if "attribution" in mine and "attribution" not in theirs:
                decided = (x, y)
            elif "attribution" in theirs:
                continue
            elif not theirs & strong and mine & {"attribution", "date", "share"}:
                # quotation marks alone do not decide: in real scrapes both
                # sides often quote a speaker and one copy lost its marks
                decided = (x, y)
            elif "date" in mine and "date" not in theirs and "marks" in mine:
                decided = (x, y)
            if decided:
                break
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
        quoted = _quoted_share(self.dp[quoting].quotes, seg.side(quoting)) >= QUOTED_SHARE
        attribution = attributions.get((quoting, source)) if direction == "quotes" else None
        return _Verdict(
            quoting, source, direction, round(conf, 3), evidence, quoted, attribution, attribution is not None
        )

    # ----------------------------------------------------------------- grouping
    def group_segments(self, segments: list[Segment]) -> list[Segment]:
        """One report per passage per pair of clusters, against canonical members where possible."""
        by_groups: dict[tuple[int, int], list[Segment]] = defaultdict(list)
        for s in segments:
            ga, gb = int(self.group[s.a]), int(self.group[s.b])
            by_groups[(min(ga, gb), max(ga, gb))].append(s)
        out: list[Segment] = []
        for (g1, g2), segs in by_groups.items():
            c1, c2 = self.canonical[g1], self.canonical[g2]

            def rank(s: Segment, c1: int = c1, c2: int = c2) -> tuple[int, int, int, int]:
                canon = (s.a in (c1, c2)) + (s.b in (c1, c2))
                return (-canon, -s.matched, s.a, s.a_tok[0])

            reps: list[Segment] = []
            for s in sorted(segs, key=rank):
                merged = False
                for r in reps:
                    shared = {r.a, r.b} & {s.a, s.b}
                    if not shared:
                        continue
                    d = next(iter(shared))
                    if _overlap(r.side(d), s.side(d)) >= 0.5:
                        r.also_in |= {s.a, s.b} - {r.a, r.b}
                        merged = True
                        break
                if not merged:
                    reps.append(s)
            out.extend(reps)
        return out

    def prune_quotation_clusters(self, reps: list[tuple[Segment, _Verdict]]) -> list[tuple[Segment, _Verdict]]:
        """Drop X-Y when X and Y both carry the same passage of a third document Z that came first.

        Z is taken as the root when the evidence of X-Z or Y-Z points at Z
        (attribution, marks or dates) and neither points away from it; the
        X-Y stretch must lie mostly (COVER) inside both, so that Y copying X's own
        words around the quotation is not explained away.
        """
        by_doc: dict[int, list[tuple[Segment, _Verdict]]] = defaultdict(list)
        for item in reps:
            by_doc[item[0].a].append(item)
            by_doc[item[0].b].append(item)
        keep: list[tuple[Segment, _Verdict]] = []
        for seg, ver in reps:
            if ver.has_attribution:
                keep.append((seg, ver))
                continue
            x, y = seg.a, seg.b
            explained = False
            for f, fv in by_doc[x]:
                z = f.b if f.a == x else f.a
                if f is seg or z == y or _covers(f.side(x), seg.side(x)) < COVER:
                    continue
                for g, gv in by_doc[y]:
                    if g is seg or z not in (g.a, g.b) or _covers(g.side(y), seg.side(y)) < COVER:
                        continue
                    rx, ry = self._root(z, x, fv), self._root(z, y, gv)
                    if min(rx, ry) >= 0 and max(rx, ry) > 0:
                        explained = True
                        break
                if explained:
                    break
            if not explained:
                keep.append((seg, ver))
        return keep

    def _root(self, z: int, other: int, ver: _Verdict) -> int:
        """+1: evidence says ``other`` took the passage from z; -1: the reverse; 0: no evidence."""
        if ver.direction == "quotes":
            return 1 if ver.source == z else -1
        dz, do = self.date_of(z), self.date_of(other)
        if dz is None or do is None or dz == do:
            return 0
        return 1 if dz < do else -1

    # ----------------------------------------------------------------- citations
    def citations(self, reps: list[tuple[Segment, _Verdict]]) -> list[Citation]:
        partners: dict[int, set[int]] = defaultdict(set)
        for seg, _ in reps:
            for d in (seg.a, seg.b, *seg.also_in):
                partners[d] |= {int(self.group[seg.a]), int(self.group[seg.b])}
        out: list[Citation] = []
        for i, doc in enumerate(self.docs):
            own = int(self.group[i])
            own_names = self.group_names.get(own, [])
            for men in self.mentions(i):
                if any(outlet_matches(men.name, n) for n in own_names):
                    continue
                groups = self.outlets.lookup(men.name) - {own}
                resolved: str | None = None
                if len(groups) == 1:
                    resolved = self.docs[self.canonical[next(iter(groups))]].id
                elif groups:
                    linked = groups & partners.get(i, set())
                    if len(linked) == 1:
                        resolved = self.docs[self.canonical[next(iter(linked))]].id
                span = doc.span(men.start, men.end)
                out.append(Citation(doc.id, men.name, span, span.text, resolved))
        return out


def find_reuses(
    docs: Sequence[Document], clusters: Sequence[Cluster], config: Config, *, workers: int = 1
) -> tuple[list[Reuse], list[Citation]]:
    """Passages reused between documents of different clusters, and outlets the documents cite.

    Deterministic: the result depends only on the inputs, and both lists are
    sorted (reuses by quoting, source, span; citations by document, span).
    """
    det = _Detector(docs, clusters, config)
    segments: list[Segment] = []
    for (a, b), pairs in sorted(det.candidates().items()):
        segments.extend(det.align(a, b, pairs))
    reps = det.group_segments(segments)
    judged = [(s, det.verdict(s)) for s in reps]
    judged = det.prune_quotation_clusters(judged)
    reuses: list[Reuse] = []
    for seg, ver in judged:
        q, s = ver.quoting, ver.source
        qd, sd = det.docs[q], det.docs[s]
        qs, ss = seg.side(q), seg.side(s)
        la = seg.a_tok[1] - seg.a_tok[0]
        lb = seg.b_tok[1] - seg.b_tok[0]
        reuses.append(
            Reuse(
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
                also_in=sorted(det.docs[i].id for i in seg.also_in - {q, s}),
            )
        )
    reuses.sort(key=lambda r: (r.quoting, r.source, r.quoting_span.start, r.source_span.start))
    citations = det.citations(judged)
    citations.sort(key=lambda c: (c.doc, c.span.start, c.outlet))
    return reuses, citations
