"""Synthetic reuse corpus from real BBC articles, with its truth, and the scores.

Used by ``scripts/eval-reuse``. Everything is driven by one ``random.Random``
seed so that a run is reproducible. The BBC files are read in place from
``../shared/data/bbc`` and never copied.

What the corpus holds (and why):

* sources: BBC articles, each given an outlet and a date; every outlet adds
  the same footer to its articles (furniture that must never make an edge);
* syndicated copies of some sources under aggregator outlets, with header and
  footer furniture and scrape damage (dropped link text, glued sentences,
  truncation): near-duplicates, not quotations;
* quoting articles: another BBC article of the same topic with 1-3 passages
  of a source inserted, attributed in varied ways ("An article in X noted in
  2022 “…”", "according to X", "“…,” X reported", "h/t X"), some edited
  (word changed, ellipsis omission, bracketed insertion), some without
  quotation marks;
* pairs of quoting articles quoting the same passage of one source (the
  truth links both to the source, not to each other);
* common sources (truth in ``Corpus.commons``): a speaker's statement quoted by two or three
  articles of different outlets (cues "said", "told reporters", "wrote on Twitter", a copy that
  lost its quotation marks, an interview on another witness's outlet), and a wire story carried in
  three sibling rewrites (credited by a dateline "(AP)", a byline, a "contributed" line, a Reuters
  sign-off, or not at all). Neither witness took the text from the other: no directed edge may
  join two witnesses, and the run should list the source with its kind;
* hard negatives: unrelated articles of the same topic.

Articles of the BBC set that share any 8-word shingle with another are left
out of the pool, so that the only reuse in the corpus is the reuse planted.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from dedup.config import Config
from dedup.fingerprint import band_keys, lsh_candidates, shingle_hashes, signatures, tokens
from dedup.models import Cluster, Document, PairScore

OUTLETS = [
    "Atalayar", "The Daily Ledger", "Harbour Times", "Northern Gazette", "Metro Wire", "Capital Post",
    "The Evening Courier", "Riverside Herald", "Coastal Chronicle", "Globe Dispatch", "Market Observer",
    "Valley Tribune", "Summit Review", "The Lantern", "Meridian News", "Pioneer Press",
]
AGGREGATORS = ["NewsNow Hub", "Feedly Digest", "WorldWire Aggregator", "Reader Stream"]

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


@dataclass
class Case:
    """One planted reuse: ``quoting`` reuses a passage of ``source``."""

    quoting: str
    source: str
    q_span: tuple[int, int]
    s_spans: dict[str, tuple[int, int]]  # source-side span in every copy that kept it intact
    outlet: str | None
    year: int | None
    kind: str


@dataclass
class Common:
    """One planted common source: the same third-party text in every witness."""

    kind: str  # speaker | wire
    name: str  # the speaker's surname or the agency
    witnesses: dict[str, tuple[int, int]]  # doc id -> span of the text in it
    style: str


@dataclass
class Corpus:
    records: list[dict[str, Any]]
    clusters: list[set[str]]  # truth near-duplicate groups (size >= 2)
    cases: list[Case]
    group_of: dict[str, str] = field(default_factory=dict)
    commons: list[Common] = field(default_factory=list)


def load_bbc(root: Path) -> list[tuple[str, str, str, str]]:
    """(topic, name, title, body) for every article of the BBC set that has no reuse of its own."""
    arts: list[tuple[str, str, str, str]] = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        lines = [ln.strip() for ln in raw.strip().splitlines()]
        title = lines[0]
        paras = [ln for ln in lines[1:] if ln]
        if len(paras) < 4:
            continue
        arts.append((path.parent.name, path.stem, title, "\n\n".join(paras)))
    grams = [shingle_hashes(tokens(b), 8) for _, _, _, b in arts]
    owner = np.concatenate([np.full(len(g), i) for i, g in enumerate(grams)])
    allg = np.concatenate(grams)
    order = np.argsort(allg, kind="stable")
    sg, so = allg[order], owner[order]
    dup = np.flatnonzero(sg[1:] == sg[:-1])
    bad = set(so[dup].tolist()) | set(so[dup + 1].tolist())
    return [a for i, a in enumerate(arts) if i not in bad]


def _sentences(body: str) -> list[list[str]]:
    return [_SENT.split(p) for p in body.split("\n\n")]


def _iso(d: date) -> str:
    return d.isoformat()


def _damage(rng: random.Random, body: str) -> tuple[str, str]:
    """A scrape that lost text: dropped link text, glued sentences, or a truncated end."""
    kind = rng.choice(["links", "glue", "truncate"])
    if kind == "links":
        words = body.split(" ")
        for _ in range(rng.randint(2, 5)):
            i = rng.randrange(0, max(1, len(words) - 6))
            del words[i : i + rng.randint(2, 5)]
        return " ".join(words), kind
    if kind == "glue":
        return re.sub(r"(?<=[a-z])\. (?=[A-Z])", lambda m: "." if rng.random() < 0.5 else ". ", body), kind
    cut = int(len(body) * rng.uniform(0.6, 0.85))
    return body[: body.rfind(" ", 0, cut)], kind


def _edit_quote(rng: random.Random, text: str) -> tuple[str, str]:
    """An edited quotation: a word swapped, a middle omitted with an ellipsis, or an insertion."""
    words = text.split(" ")
    kind = rng.choice(["swap", "ellipsis", "bracket", "ellipsis-paren"])
    if kind == "swap" and len(words) > 8:
        i = rng.randrange(2, len(words) - 2)
        words[i] = rng.choice(["very", "largely", "major", "new", "key", "widely"])
        return " ".join(words), kind
    if kind.startswith("ellipsis") and len(words) > 24:
        i = rng.randrange(8, len(words) - 14)
        j = i + rng.randint(3, 8)
        mark = " … " if kind == "ellipsis" else " (...) "
        return " ".join(words[:i]) + mark + " ".join(words[j:]), kind
    i = rng.randrange(3, max(4, len(words) - 3))
    words.insert(i, rng.choice(["[the company]", "[he]", "[sic]", "[the government]"]))
    return " ".join(words), "bracket"


def _domain(outlet: str) -> str:
    return re.sub(r"^the", "", re.sub(r"[^a-z]", "", outlet.lower())) + ".com"


def generate(bbc: Path, seed: int = 7, n_sources: int = 120) -> Corpus:
    rng = random.Random(seed)
    pool = load_bbc(bbc)
    rng.shuffle(pool)
    by_topic: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    sources = pool[:n_sources]
    for art in pool[n_sources:]:
        by_topic[art[0]].append(art)
    records: list[dict[str, Any]] = []
    clusters: list[set[str]] = []
    cases: list[Case] = []
    footer = {
        o: f"Support {o}: if content prepared by the {o} team is useful for you, please support our "
        f"journalism. Donations from readers are necessary for the continuation of our mission."
        for o in OUTLETS
    }
    counter = iter(range(1_000_000))

    def new_id(prefix: str) -> str:
        return f"{prefix}{next(counter):05d}"

    start = date(2022, 1, 1)
    for topic, _name, title, body in sources:
        outlet = rng.choice(OUTLETS)
        d0 = start + timedelta(days=rng.randrange(0, 600))
        sid = new_id("s")
        text = f"{title}\n\n{body}\n\n{footer[outlet]}"
        records.append({"id": sid, "text": text, "title": title, "outlet": outlet, "date": _iso(d0)})
        group = {sid}
        copies: dict[str, str] = {sid: text}
        # syndicated copies under aggregators (never quotations)
        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 2)):
                agg = rng.choice(AGGREGATORS)
                cbody = body
                if rng.random() < 0.5:
                    cbody, _kind = _damage(rng, body)
                ctext = (
                    f"Home | World | {topic.title()} | Video\n\n{title}\n\nShare this article\n\n{cbody}\n\n"
                    f"Related posts\n\nSubscribe to the {agg} newsletter for the day's top stories.\n\n"
                    f"© {d0.year} {agg}. All rights reserved."
                )
                cid = new_id("c")
                ctitle = f"{title} | {outlet}" if rng.random() < 0.5 else title
                records.append(
                    {"id": cid, "text": ctext, "title": ctitle, "outlet": agg, "date": _iso(d0 + timedelta(days=1))}
                )
                group.add(cid)
                copies[cid] = ctext
            clusters.append(group)
        # quoting articles
        sents = [s for para in _sentences(body) for s in para]
        n_quoters = 0 if rng.random() < 0.15 else (2 if rng.random() < 0.2 else 1)
        shared_passage: str | None = None
        for qn in range(n_quoters):
            pool_t = by_topic[topic]
            if not pool_t:
                break
            _qtopic, _qname, qtitle, qbody = pool_t.pop()
            qouts = [o for o in OUTLETS if o != outlet]
            qoutlet = rng.choice(qouts)
            qdate = d0 + timedelta(days=rng.randint(1, 90))
            paras = qbody.split("\n\n")
            k = 1 if qn == 1 else rng.randint(1, 3)
            # pick k non-overlapping runs of 1-3 sentences
            picks: list[str] = []
            used: set[int] = set()
            for _ in range(k * 4):
                if len(picks) >= k:
                    break
                if qn == 1 and shared_passage is not None:
                    picks = [shared_passage]
                    break
                n = rng.randint(1, 3)
                i = rng.randrange(0, max(1, len(sents) - n))
                if used & set(range(i - 1, i + n + 1)):
                    continue
                passage = " ".join(sents[i : i + n])
                if len(passage.split()) < 12 or passage not in body:
                    continue
                used |= set(range(i, i + n))
                picks.append(passage)
            if qn == 0 and picks:
                shared_passage = picks[0]
            qid = new_id("q")
            insert_at = sorted(rng.sample(range(1, len(paras) + 1), min(len(picks), len(paras))))
            out: list[str] = [qtitle, ""]
            pieces: list[tuple[str, Case | None]] = []
            pi = 0
            for j, para in enumerate(paras):
                pieces.append((para, None))
                while pi < len(picks) and insert_at[pi] == j + 1:
                    pieces.append(_render_quote(rng, picks[pi], outlet, d0, qid, sid, copies))
                    pi += 1
            text_parts: list[str] = [qtitle]
            offset = len(qtitle)
            for para, case in pieces:
                text_parts.append("\n\n")
                offset += 2
                if case is not None:
                    qs, qe = case.q_span
                    case.q_span = (offset + qs, offset + qe)
                    cases.append(case)
                text_parts.append(para)
                offset += len(para)
            del out
            qtext = "".join(text_parts) + f"\n\n{footer[qoutlet]}"
            undated = rng.random() < 0.2
            records.append(
                {"id": qid, "text": qtext, "title": qtitle, "outlet": qoutlet, "date": None if undated else _iso(qdate)}
            )
    commons = _commons(rng, by_topic, footer, start, new_id, records, n_sources)
    # hard negatives: unused articles of the same topics
    for topic in sorted(by_topic):
        for _t, _n, title, body in by_topic[topic][: max(3, n_sources // 20)]:
            outlet = rng.choice(OUTLETS)
            d = start + timedelta(days=rng.randrange(0, 600))
            records.append(
                {"id": new_id("n"), "text": f"{title}\n\n{body}\n\n{footer[outlet]}", "title": title,
                 "outlet": outlet, "date": _iso(d)}
            )
    group_of = {r["id"]: r["id"] for r in records}
    for g in clusters:
        rep = min(g)
        for m in g:
            group_of[m] = rep
    for c in cases:
        assert all(s < e for s, e in c.s_spans.values()) and c.q_span[0] < c.q_span[1]
    return Corpus(records, clusters, cases, group_of, commons)


SPEAKERS = ["Maria Keller", "Tomas Rivera", "Anita Sorensen", "Daniel Okafor", "Helen Brandt", "Victor Lindqvist",
            "Grace Mbeki", "Oliver Hastings", "Lucia Moretti", "Samuel Achterberg", "Irene Dubois", "Paul Whitcombe"]
WIRES = [("Associated Press", "AP"), ("Reuters", "Reuters"), ("AFP", "AFP")]
_CITIES = ["LONDON", "WASHINGTON", "BRUSSELS", "PARIS", "BERLIN", "GENEVA"]


def _statement(rng: random.Random, by_topic: dict[str, list[tuple[str, str, str, str]]], n: int) -> str | None:
    """``n`` consecutive sentences (at least 20 words) of an article no one else carries."""
    topics = [t for t in sorted(by_topic) if by_topic[t]]
    if not topics:
        return None
    _t, _n, _title, body = by_topic[rng.choice(topics)].pop()
    sents = [x for para in _sentences(body) for x in para]
    for i in range(len(sents) - n):
        text = " ".join(sents[i : i + n])
        if len(text.split()) >= 20 and "“" not in text and '"' not in text:
            return text
    return None


def _commons(
    rng: random.Random, by_topic: dict[str, list[tuple[str, str, str, str]]], footer: dict[str, str], start: date,
    new_id: Any, records: list[dict[str, Any]], n_sources: int,
) -> list[Common]:
    """Speakers' statements and wire stories that several articles carry (see the module docstring)."""
    out: list[Common] = []

    def host(topic: str) -> tuple[str, str] | None:
        pool_t = by_topic[topic]
        if not pool_t:
            return None
        _t, _n, title, body = pool_t.pop()
        return title, body

    def place(doc_id: str, title: str, paras: list[str], insert: str, at: int, outlet: str, day: date,
              head: str = "", foot: str = "") -> tuple[int, int]:
        paras = [*paras[:at], insert, *paras[at:]]
        prefix = f"{title}\n\n{head}" + "".join(p + "\n\n" for p in paras[:at])
        text = prefix + "\n\n".join(paras[at:]) + (f"\n\n{foot}" if foot else "") + f"\n\n{footer[outlet]}"
        records.append({"id": doc_id, "text": text, "title": title, "outlet": outlet, "date": _iso(day)})
        return len(prefix), len(prefix) + len(insert)

    for k in range(max(2, n_sources // 6)):
        stmt = _statement(rng, by_topic, 2)
        topic = rng.choice(sorted(t for t in by_topic if len(by_topic[t]) > 3))
        if stmt is None:
            continue
        full = SPEAKERS[k % len(SPEAKERS)]
        sur = full.split()[-1]
        day = start + timedelta(days=rng.randrange(0, 600))
        outlets = rng.sample(OUTLETS, 3)
        witnesses: dict[str, tuple[int, int]] = {}
        styles: list[str] = []
        for j in range(rng.choice([2, 2, 3])):
            art = host(topic)
            if art is None:
                break
            title, body = art
            paras = body.split("\n\n")
            style = rng.choice(["said", "told", "tweeted", "statement", "unmarked"] + (["venue"] if j else []))
            body_s = stmt.rstrip(".")
            if style == "said":
                lead, quote, tail = "“", body_s, f",” {sur} said on Monday."
            elif style == "told":
                lead, quote, tail = f"{full} told reporters: “", stmt, "”"
            elif style == "tweeted":
                lead, quote, tail = f"{sur} wrote on Twitter: “", stmt, "”"
            elif style == "statement":
                lead, quote, tail = f"In a statement, {full} said: \"", stmt, '"'
            elif style == "unmarked":  # a copy that lost its marks
                lead, quote, tail = f"{full} said ", stmt, ""
            else:  # the words said on the first witness's outlet
                lead, quote, tail = f"In an interview with {outlets[0]}, {sur} said: “", stmt, "”"
            did = new_id("w")
            at = rng.randrange(1, max(2, len(paras)))
            s0, _e0 = place(did, title, paras, lead + quote + tail, at, outlets[j], day + timedelta(days=j))
            witnesses[did] = (s0 + len(lead), s0 + len(lead) + len(quote))
            styles.append(style)
        if len(witnesses) >= 2:
            out.append(Common("speaker", sur, witnesses, "+".join(styles)))
    for _k in range(max(2, n_sources // 8)):
        wire, short = rng.choice(WIRES)
        story = _statement(rng, by_topic, 3)
        topic = rng.choice(sorted(t for t in by_topic if len(by_topic[t]) > 3))
        if story is None:
            continue
        day = start + timedelta(days=rng.randrange(0, 600))
        witnesses = {}
        styles = []
        for j, outlet in enumerate(rng.sample(OUTLETS, 3)):
            art = host(topic)
            if art is None:
                break
            title, body = art
            paras = body.split("\n\n")
            credits = ["dateline", "byline", "contributed", "none", *(["signoff"] if short == "Reuters" else [])]
            style = rng.choice(credits)
            head = foot = lead = ""
            at = rng.randrange(1, max(2, len(paras)))
            if style == "dateline":
                lead, at = f"{rng.choice(_CITIES)} ({short}) — ", 0
            elif style == "byline":
                head = f"By {rng.choice(SPEAKERS)}, {wire}\n\n"
            elif style == "contributed":
                foot = f"{'The ' if wire != 'Reuters' else ''}{wire} contributed to this report."
            elif style == "signoff":
                foot = f"(Reporting by {rng.choice(SPEAKERS)}; Editing by {rng.choice(SPEAKERS)})"
            did = new_id("w")
            s0, _e0 = place(did, title, paras, lead + story, at, outlet, day + timedelta(days=j), head, foot)
            witnesses[did] = (s0 + len(lead), s0 + len(lead) + len(story))
            styles.append(style)
        if len(witnesses) >= 2:
            out.append(Common("wire", wire, witnesses, "+".join(styles)))
    return out


def _render_quote(
    rng: random.Random, passage: str, outlet: str, d0: date, qid: str, sid: str, copies: dict[str, str]
) -> tuple[str, Case]:
    """A paragraph quoting ``passage``; the case's q_span is relative to the paragraph."""
    quoted = passage
    kind = "verbatim"
    if rng.random() < 0.3:
        quoted, kind = _edit_quote(rng, passage)
    name = outlet if rng.random() < 0.8 else (_domain(outlet) if rng.random() < 0.5 else outlet.removeprefix("The "))
    year = d0.year
    style = rng.choice(["article", "according", "reported-after", "hattip", "plain", "noattr"])
    if style == "article":
        lead, tail = f"An article in {name} noted in {year} “", "”"
        attr_year: int | None = year
    elif style == "according":
        lead, tail = f"According to {name}, “", ".”"
        attr_year = None
    elif style == "reported-after":
        lead, tail = "“", f",” {name} reported."
        attr_year = None
    elif style == "hattip":
        lead, tail = f"Analysts were blunt (h/t {name}): “", "”"
        attr_year = None
    elif style == "plain":
        lead, tail = f"As {name} reported last year, ", ""
        attr_year = None
        kind += "+unmarked"
    else:
        lead, tail = "Observers noted that ", ""
        attr_year = None
        kind += "+unmarked+unattributed"
    body = quoted.rstrip(".") if tail.startswith((",", ".")) else quoted
    para = lead + body + tail
    s_spans: dict[str, tuple[int, int]] = {}
    for doc_id, text in copies.items():
        at = text.find(passage)
        if at >= 0:
            s_spans[doc_id] = (at, at + len(passage.rstrip(".")) if tail.startswith((",", ".")) else at + len(passage))
    attributed = style not in ("noattr",)
    case = Case(qid, sid, (len(lead), len(lead) + len(body)), s_spans, outlet if attributed else None,
                attr_year, f"{style}/{kind}")
    return para, case


# ------------------------------------------------------------------ clustering stand-in


def standin_clusters(docs: Sequence[Document], config: Config) -> list[Cluster]:
    """Near-duplicate clusters for when the engines are not used.

    Same recipe as the project's: shingle, MinHash, LSH, verify on exact
    shingle sets (Jaccard or containment), union-find; canonical is the
    member sharing the most shingles with the others.
    """
    sets = [shingle_hashes(tokens(d.text), config.shingle_size) for d in docs]
    sigs = signatures(sets, config.num_perm, config.seed)
    pairs = lsh_candidates(band_keys(sigs, config.bands, config.rows))
    parent = list(range(len(docs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    scores: dict[tuple[int, int], PairScore] = {}
    for i, j in pairs.tolist():
        a, b = sets[i], sets[j]
        if min(len(a), len(b)) < config.min_shingles:
            continue
        inter = len(np.intersect1d(a, b, assume_unique=True))
        jac = inter / (len(a) + len(b) - inter)
        ca, cb = inter / len(a), inter / len(b)
        if jac >= config.jaccard_threshold or max(ca, cb) >= config.containment_threshold:
            parent[find(i)] = find(j)
            scores[(i, j)] = PairScore(docs[i].id, docs[j].id, jac, ca, cb, "near-duplicate")
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(docs)):
        groups[find(i)].append(i)
    out: list[Cluster] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        shared = {m: sum(len(np.intersect1d(sets[m], sets[o], assume_unique=True)) for o in members if o != m)
                  for m in members}
        canon = max(members, key=lambda m: (shared[m], -m))
        ids = sorted(docs[m].id for m in members)
        out.append(Cluster(f"k{len(out):05d}", ids, docs[canon].id, "stand-in"))
    return out


def records_to_docs(records: Sequence[dict[str, Any]]) -> list[Document]:
    return [
        Document(
            id=r["id"], source=r["id"], content_hash=r["id"], raw=r["text"], text=r["text"],
            title=r.get("title"), outlet=r.get("outlet"), date=r.get("date"),
        )
        for r in records
    ]


# ------------------------------------------------------------------ scores


def pair_prf(pred: Sequence[set[str]], truth: Sequence[set[str]]) -> tuple[float, float, float]:
    def pairs(groups: Sequence[set[str]]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for g in groups:
            s = sorted(g)
            out |= {(s[i], s[j]) for i in range(len(s)) for j in range(i + 1, len(s))}
        return out

    p, t = pairs(pred), pairs(truth)
    tp = len(p & t)
    prec = tp / len(p) if p else 1.0
    rec = tp / len(t) if t else 1.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


@dataclass
class Detection:
    quoting: str
    source: str
    q_span: tuple[int, int]
    s_span: tuple[int, int]


def _chars(doc: str, side: str, span: tuple[int, int]) -> set[tuple[str, str, int]]:
    return {(side, doc, c) for c in range(span[0], span[1])}


def pan_scores(cases: Sequence[Case], dets: Sequence[Detection], group_of: dict[str, str]) -> dict[str, float]:
    """PAN-PC measures (Potthast et al. 2010) on quoting-side and source-side characters.

    A detection of (x, y) may detect a case (q, s) when {x, y} is {q, a copy
    of s}; its characters count where they overlap the case's characters in
    those same documents (the source side only in copies that kept the
    passage intact).
    """

    def case_chars(c: Case, src_doc: str) -> set[tuple[str, str, int]]:
        out = _chars(c.quoting, "q", c.q_span)
        if src_doc in c.s_spans:
            out |= _chars(src_doc, "s", c.s_spans[src_doc])
        return out

    def orient(d: Detection, c: Case) -> tuple[tuple[int, int], str, tuple[int, int]] | None:
        if d.quoting == c.quoting and group_of.get(d.source) == group_of.get(c.source):
            return d.q_span, d.source, d.s_span
        if d.source == c.quoting and group_of.get(d.quoting) == group_of.get(c.source):
            return d.s_span, d.quoting, d.q_span
        return None

    det_hits: list[set[tuple[str, str, int]]] = [set() for _ in dets]
    case_hits: list[set[tuple[str, str, int]]] = [set() for _ in cases]
    det_sizes = [0] * len(dets)
    gran: list[int] = []
    for k, d in enumerate(dets):
        det_sizes[k] = (d.q_span[1] - d.q_span[0]) + (d.s_span[1] - d.s_span[0])
    for ci, c in enumerate(cases):
        n_det = 0
        for k, d in enumerate(dets):
            o = orient(d, c)
            if o is None:
                continue
            qs, src_doc, ss = o
            cc = case_chars(c, src_doc)
            dc = _chars(c.quoting, "q", qs) | _chars(src_doc, "s", ss)
            inter = cc & dc
            q_hit = any(x[0] == "q" for x in inter)
            if not q_hit:
                continue
            n_det += 1
            case_hits[ci] |= inter
            det_hits[k] |= inter
        if n_det:
            gran.append(n_det)
    def case_size(c: Case) -> int:
        s = c.s_spans.get(c.source, (0, 0))
        return (c.q_span[1] - c.q_span[0]) + (s[1] - s[0])

    rec = sum(min(1.0, len(case_hits[i]) / max(1, case_size(c))) for i, c in enumerate(cases)) / max(1, len(cases))
    prec = sum(len(det_hits[k]) / max(1, det_sizes[k]) for k in range(len(dets))) / max(1, len(dets)) if dets else 1.0
    g = sum(gran) / len(gran) if gran else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "granularity": g, "plagdet": f1 / math.log2(1 + g)}
