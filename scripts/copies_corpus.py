"""Generated copy corpus from real articles, with its truth, and the pairwise copy scores.

Used by ``scripts/eval-copies`` (issue 15). Everything is driven by one ``random.Random(seed)``,
so one seed gives one corpus. Articles are read in place from ``../shared/data/bbc`` (first line
the title, one folder a topic) and ``../shared/data/polnear/*/text`` (US political news, one
topic); nothing is copied into the repository. Articles that share three or more word 8-grams
with another article of the two sets are left out, so that the only copies are the planted ones.

What the corpus holds (truth = group ids; every document is in exactly one group):

* copy groups: an original plus 1-8 copies, each on another outlet, with scrape damage in
  mixes: link-text loss (1-5-word spans dropped until 10 / 20 / 35% of the words are gone:
  ``loss10`` ``loss20`` ``loss35``), glued sentences (``glued``), truncation to 60-90%
  (``truncated``), 1-5% of words replaced (``edited``), case / quote / dash changes
  (``restyled``), the copying site's furniture lines (``furniture``), or none (``clean``);
* write-thrus (``writethru``): a second version whose first 1-2 paragraphs are a new lede made
  of later sentences with their clauses swapped, and with one paragraph added at the end. A
  copy of the second version carries ``from-writethru``. All are copies of the original;
* outlet-wide boilerplate: each outlet appends its own fixed 60-80-word "About us" paragraph and
  its footer line to EVERY article it publishes, so two different articles of one outlet share
  ~75 words and must not be clustered;
* negatives: articles without copies, most published by the outlets that favour their topic,
  so many different same-topic articles share an outlet (and its boilerplate);
* composites: a digest page of 2-3 different articles, one of which has copies elsewhere; the
  others are either articles of the corpus or not. A composite is a copy of nothing (it
  *contains* them), a group of its own; a copy of the same digest on another site
  (``composite-copy``) is in the composite's group.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

KINDS = ("clean", "loss10", "loss20", "loss35", "truncated", "glued", "edited", "restyled", "furniture")
LOSS = {"loss10": 0.10, "loss20": 0.20, "loss35": 0.35}
#: primary damage of a copy, drawn from a shuffled deck so that every kind occurs in a small corpus
DECK = ("clean", "loss10", "loss10", "loss20", "loss20", "loss35", "loss35", "loss35", "truncated",
        "truncated", "glued", "edited", "edited", "restyled", "furniture")
N_COPIES = (1, 2, 3, 4, 5, 6, 7, 8)
N_COPIES_W = (25, 20, 15, 12, 10, 8, 5, 5)

# Ten outlets, each with its fixed "About us" paragraph (60-80 words) and footer line, appended to
# every article it publishes.
OUTLETS: dict[str, tuple[str, str, str]] = {
    "Harbour Times": ("harbourtimes.co.uk", (
        "About Harbour Times. Harbour Times has reported on the port city and its people since 1887, when "
        "three dock clerks printed the first four-page edition above a chandler's shop. Today our crew of "
        "forty reporters, photographers and editors publishes around the clock from the old customs house "
        "on Quay Street. We are owned by a charitable trust, take no money from political parties and "
        "answer only to our readers."),
        "© Harbour Times Ltd, Quay Street · Registered trust no. 1048832 · Tips: newsdesk@harbourtimes.co.uk"),
    "The Northern Ledger": ("northernledger.com", (
        "Who we are: The Northern Ledger is a reader-supported newsroom covering business, politics and "
        "culture across the northern counties. Founded by former regional editors, the Ledger now reaches "
        "two million people every month through its website, apps and Saturday print magazine. Our "
        "journalism is free to read because members chip in from as little as three pounds a month. "
        "Become a member today and keep independent northern reporting alive."),
        "The Northern Ledger | Support us | Newsletters | Jobs | Complaints | Northern Ledger Media Ltd"),
    "Capital Wire": ("capitalwire.org", (
        "Capital Wire is a nonpartisan digital publication dedicated to explaining government, courts and "
        "elections to busy citizens. Every story is checked by a second editor before publication, and "
        "corrections are logged publicly on our accountability page. We are a registered nonprofit funded "
        "by foundations, small donors and sponsorships that never influence coverage. Questions, tips or "
        "complaints can be sent to the standards desk, which replies within two working days."),
        "Capital Wire is published by the Civic Reporting Fund, a 501(c)(3) nonprofit. Donate · Masthead"),
    "Riverside Herald": ("riversideherald.com", (
        "The Riverside Herald is the community's oldest daily, serving the river towns, farms and suburbs "
        "of the valley with local news, sport, obituaries and weather. Our family-owned company also runs "
        "two radio stations and the annual Riverside food festival. Subscribers get unlimited digital "
        "access, the morning e-edition and puzzles, and can cancel anytime online or by phoning customer "
        "care on weekdays between eight and six."),
        "Riverside Herald — Local news since 1902 — Subscribe — Place an obituary — Advertise with us"),
    "Metro Dispatch": ("metrodispatch.net", (
        "Metro Dispatch started as a free commuter sheet handed out at tram stops and grew into the city's "
        "most-read news site. We cover transport, housing, nightlife, crime and the council with a small, "
        "stubborn team that believes local power deserves scrutiny. Metro Dispatch is part of Lantern "
        "Media Group. Read our privacy notice to learn how cookies and personal data are handled, and "
        "manage your preferences whenever you like."),
        "Metro Dispatch, a Lantern Media Group title. Cookie preferences. Terms. Send us your story."),
    "Coastal Chronicle": ("coastalchronicle.co.uk", (
        "The Coastal Chronicle brings you trusted reporting from seaside villages, fishing harbours and "
        "holiday resorts along two hundred miles of shoreline. Our correspondents live in the communities "
        "they write about, and our environment desk tracks erosion, flooding and marine life. We welcome "
        "letters, photographs and story ideas from readers; submissions may be edited for length. The "
        "Chronicle is an independent title regulated by IPSO."),
        "Coastal Chronicle Newspapers Limited, Registered in England 00417263. Contact the Chronicle"),
    "The Evening Courier": ("eveningcourier.com", (
        "Since its first edition rolled off the presses in 1921, The Evening Courier has kept the city "
        "informed after work. We publish breaking news, investigations, reviews and the famous late sports "
        "final. Our journalists follow the editors' code of practice; if you believe we have got something "
        "wrong, please contact our readers' editor. An archive of more than a century of pages is "
        "available to subscribers and local libraries."),
        "The Evening Courier :: Archive :: Readers' editor :: Puzzles :: Family notices"),
    "Valley Tribune": ("valleytribune.com", (
        "Valley Tribune is an employee-owned newspaper and website. Every staff member holds shares, and "
        "profits are reinvested in reporting rather than paid to distant investors. Our newsroom focuses "
        "on schools, health care, agriculture and the regional economy, and we host open town-hall "
        "evenings four times a year. Sign up for the Tribune Today newsletter to receive our best local "
        "stories and weather alerts each weekday morning."),
        "Valley Tribune Cooperative · Employee owned · Tribune Today sign-up · Careers at the Tribune"),
    "Globe Observer": ("globeobserver.com", (
        "Globe Observer offers international news and analysis for readers who want context, not noise. "
        "Our correspondents file from thirty capitals, and our data team builds maps and charts explaining "
        "conflicts, markets and climate. We are funded through subscriptions and a modest amount of "
        "carefully screened advertising. Opinions in commentary pieces belong to their authors. Download "
        "our podcast for a daily twenty-minute world briefing."),
        "GLOBE OBSERVER | World news with context | Podcast | Apps | Licensing"),
    "Pioneer Press Online": ("pioneerpress.online", (
        "Pioneer Press Online is the digital home of a newspaper group founded by frontier printers more "
        "than a hundred years ago, and we still believe a free press keeps communities strong. Our "
        "reporters cover statehouse politics, public safety, faith, outdoors and high school athletics. "
        "Content on this site may not be republished without written permission; for licensing and "
        "reprint requests, email our rights department with the headline and date."),
        "Pioneer Press Online © Pioneer Publishing Co. All content subject to our reprint policy."),
}

# per-copy furniture: what a copying site adds around and inside an article (generic lines)
TOP_LINES = ("Home | News | {section}", "{section} > Latest", "Share this article", "Listen to this article",
             "By {author} | {outlet}", "Published {date}")
MID_LINES = ("Advertisement", "Story continues below advertisement", "READ MORE: {other}", "Related: {other}",
             "Sign up to our free newsletter", "Image caption: {caption}")
END_LINES = ("More on this story", "Topics: {section}, news", "Comments are closed.", "Recommended: {other}",
             "Share on Facebook Share on Twitter Share via Email")
AUTHORS = ("Staff reporter", "Newsdesk", "Wire services", "Online team", "Our correspondent")
DIGESTS = ("News in brief", "The day's top stories", "Morning briefing: what you need to know", "Weekend digest",
           "Catch up: the headlines")
SUBS = {"said": "says", "says": "said", "but": "however", "also": "too", "big": "large", "large": "big",
        "would": "will", "will": "would", "more": "further", "people": "individuals", "new": "fresh",
        "told": "informed", "expected": "likely", "government": "administration",
        "firm": "company", "company": "firm", "about": "around", "last": "previous", "make": "produce",
        "show": "reveal", "help": "assist", "buy": "purchase", "rise": "increase", "fall": "decline"}
LOWER_FIRST = {"The", "A", "An", "But", "And", "In", "On", "At", "It", "He", "She", "They", "This", "That",
               "There", "However", "We", "Its", "Their", "His", "Her", "For", "If", "When", "While", "As",
               "After", "Before", "Since", "Although", "Despite", "During", "Under", "With", "By", "Earlier"}
_WORDS = re.compile(r"[a-z0-9]+")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘])|(?<=[.!?][\"”’])\s+(?=[A-Z\"“‘])")
_END = re.compile(r"[a-z0-9%)][.!?][\"”’']*$")  # a word that ends a sentence
_START = re.compile(r"[\"“‘']*[A-Z]")  # a word that starts one
_CORE = re.compile(r"^(\W*)([A-Za-z][A-Za-z'’-]*)(\W*)$")


@dataclass(frozen=True)
class Article:
    key: str  # "bbc/business/001" or "polnear/<file stem>"
    topic: str  # BBC folder, or "us-politics"
    title: str
    paras: tuple[str, ...]


@dataclass
class Doc:
    id: str
    group: str  # truth group
    outlet: str
    role: str  # original, copy, writethru, composite, composite-copy, single
    tags: tuple[str, ...]  # damage kinds of a copy; the role for the others
    source: str  # article key (" + "-joined for a composite)
    title: str
    body: str  # the article text as this site has it: damaged, before furniture and boilerplate
    text: str  # the whole page as given to the tool
    date: str
    url: str | None
    window: int = 0  # words of the source body this document covers (after truncation)
    primary: str = ""  # a copy's main damage (one of KINDS); ``tags`` adds the secondary ones

    def record(self) -> dict[str, Any]:
        r: dict[str, Any] = {"id": self.id, "text": self.text, "title": self.title, "outlet": self.outlet,
                             "date": self.date}
        if self.url:
            r["url"] = self.url
        return r


@dataclass
class Corpus:
    seed: int
    docs: list[Doc]
    articles: dict[str, Article]

    @property
    def records(self) -> list[dict[str, Any]]:
        return [d.record() for d in self.docs]

    @property
    def truth(self) -> dict[str, str]:
        return {d.id: d.group for d in self.docs}


def words(text: str) -> list[str]:
    """Lower-case word tokens (the same count as the tool's tokens on Latin text)."""
    return _WORDS.findall(text.lower())


# --------------------------------------------------------------------------- articles
@lru_cache(maxsize=4)
def load_articles(data: Path) -> tuple[Article, ...]:
    """Articles of BBC and PolNeAR with >= 3 paragraphs and 120-2,000 words that share fewer than
    three word 8-grams with any other article of the two sets (the sets hold duplicates)."""
    arts: list[Article] = []
    files = [(p, p.parent.name, f"bbc/{p.parent.name}/{p.stem}") for p in sorted((data / "bbc").glob("*/*.txt"))]
    files += [(p, "us-politics", f"polnear/{p.stem}") for p in sorted((data / "polnear").glob("*/text/*.txt"))]
    for path, topic, key in files:
        lines = [ln.strip() for ln in path.read_bytes().decode("utf-8", errors="replace").strip().splitlines()]
        paras = tuple(ln for ln in lines[1:] if ln)
        n = sum(len(p.split()) for p in paras)
        if lines and len(paras) >= 3 and 120 <= n <= 2000:
            arts.append(Article(key, topic, lines[0].rstrip("."), paras))
    vocab: dict[str, int] = {}
    grams = []
    for a in arts:  # 8-gram hashes: a polynomial of word ids, wrapping in uint64
        ids = np.array([vocab.setdefault(w, len(vocab) + 1) for w in words(" ".join(a.paras))], dtype=np.uint64)
        h = np.zeros(max(0, len(ids) - 7), dtype=np.uint64)
        for k in range(8):
            h = h * np.uint64(1_000_003) + ids[k : len(ids) - 7 + k]
        grams.append(np.unique(h))
    allg = np.concatenate(grams)
    owner = np.repeat(np.arange(len(grams)), [len(g) for g in grams])
    order = np.argsort(allg, kind="stable")
    sg = allg[order]
    dup = np.zeros(len(sg), dtype=bool)  # the 8-gram occurs in another article too
    dup[1:] |= sg[1:] == sg[:-1]
    dup[:-1] |= sg[1:] == sg[:-1]
    shared = np.bincount(owner[order][dup], minlength=len(grams))
    return tuple(a for a, n in zip(arts, shared.tolist(), strict=True) if n < 3)


# --------------------------------------------------------------------------- damage
def truncate(paras: list[list[str]], frac: float) -> list[list[str]]:
    """The first ``frac`` of the words (paragraphs as word lists)."""
    keep = max(1, round(frac * sum(map(len, paras))))
    out: list[list[str]] = []
    for p in paras:
        if keep <= 0:
            break
        out.append(p[:keep])
        keep -= len(p)
    return out


def drop_links(rng: random.Random, paras: list[list[str]], frac: float) -> list[list[str]]:
    """Drop 1-5-word spans scattered over the text (link text a scraper lost) until ``frac`` of the
    words are gone; two gaps never touch."""
    flat = [(i, w) for i, p in enumerate(paras) for w in p]
    n = len(flat)
    target = round(frac * n)
    gone = [False] * n
    lost = tries = 0
    while lost < target and tries < 200 * n:
        tries += 1
        span = min(rng.randint(1, 5), target - lost)
        i = rng.randrange(0, n - span + 1)
        if any(gone[max(0, i - 1) : i + span + 1]):
            continue
        for k in range(i, i + span):
            gone[k] = True
        lost += span
    out: list[list[str]] = [[] for _ in paras]
    for (i, w), g in zip(flat, gone, strict=True):
        if not g:
            out[i].append(w)
    return [p for p in out if p]


def edit_words(rng: random.Random, paras: list[list[str]], frac: float) -> list[list[str]]:
    """Replace ``frac`` of the words, one for one (a synonym, else another word of the text)."""
    n = sum(map(len, paras))
    # words that are one word for the tokeniser too (no hyphen, no apostrophe)
    cores = {(i, k): m.group(2) for i, p in enumerate(paras) for k, w in enumerate(p)
             if (m := _CORE.match(w)) and m.group(2).isalpha()}
    flat = sorted(cores)
    vocab = sorted({c for c in cores.values() if len(c) > 3})
    out = [list(p) for p in paras]
    for i, k in rng.sample(flat, min(len(flat), max(1, round(frac * n)))):
        m = _CORE.match(out[i][k])
        if not m or not vocab:
            continue
        core = m.group(2)
        new = SUBS.get(core.lower()) or rng.choice(vocab)
        if new.lower() == core.lower():
            new = "this" if core.lower() != "this" else "that"
        if core[0].isupper():
            new = new[0].upper() + new[1:]
        out[i][k] = m.group(1) + new + m.group(3)
    return out


def glue(rng: random.Random, paras: list[list[str]], p: float) -> list[list[str]]:
    """Remove the space between sentences (``said.The``), and some paragraph breaks (with ``p / 2``);
    at least one of them when the text has a sentence boundary."""
    flat = [(i, w) for i, para in enumerate(paras) for w in para]
    cuts = [k for k in range(1, len(flat)) if _END.search(flat[k - 1][1]) and _START.match(flat[k][1])]
    force = rng.choice(cuts) if cuts else -1
    glued = {k for k in cuts if k == force or rng.random() < (p if flat[k - 1][0] == flat[k][0] else p / 2)}
    out: list[list[str]] = []
    for k, (i, w) in enumerate(flat):
        if k in glued:
            out[-1][-1] += w
        elif k == 0 or flat[k - 1][0] != i:
            out.append([w])
        else:
            out[-1].append(w)
    return out


def restyle(rng: random.Random, title: str, body: str) -> tuple[str, str]:
    """Case, quote and dash changes, as another site's style or its scraper has them."""
    how = rng.sample(["quotes", "dashes", "case", "title"], rng.randint(1, 3))
    if "quotes" in how:
        if rng.random() < 0.5:
            body = body.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))
        else:
            body = re.sub(r'"(?=\w)', "“", body).replace('"', "”").replace("'", "’")
    if "dashes" in how:
        body = re.sub(r"\s*[—–]\s*", rng.choice([" - ", " -- ", "--"]), body) if "—" in body or "–" in body \
            else body.replace(" - ", " — ")
    if "case" in how:  # a dateline or lead-in in capitals
        k = rng.randint(1, 6)
        ws = body.split(" ")
        body = " ".join([w.upper() for w in ws[:k]] + ws[k:])
    if "title" in how:
        title = rng.choice([title.upper(), title.lower(), title.title()])
    return title, body


def reword(rng: random.Random, sentence: str) -> str:
    """A sentence with its clauses swapped: 'X said Y.' -> 'Y, X said.'; 'A, B.' -> 'B, A.'."""
    s = sentence.strip()
    end = s[-1] if s[-1:] in (".", "!", "?") else "."
    core = s[:-1] if s[-1:] in (".", "!", "?") else s

    def low(x: str) -> str:
        first = x.split(" ", 1)[0]
        return x[0].lower() + x[1:] if first in LOWER_FIRST else x

    def cap(x: str) -> str:
        return x[0].upper() + x[1:]

    said = re.match(r"^(.{3,60}?) (said|says|told \w+|added) (?:that )?([^\"“”]{15,})$", core)
    if said:
        return f"{cap(said.group(3))}, {low(said.group(1))} {said.group(2)}{end}"
    comma = re.match(r"^([^,]{12,}), ([^,]{12,})$", core)
    if comma:
        return f"{cap(comma.group(2))}, {low(comma.group(1))}{end}"
    lead = rng.choice(["Separately,", "It emerged that", "Officials confirmed that", "Meanwhile,"])
    return f"{lead} {low(core)}{end}"


def writethru(rng: random.Random, paras: Sequence[str], added: str) -> list[str]:
    """A second version: the first 1-2 paragraphs replaced by a new lede made of later sentences,
    reworded, and ``added`` as a new last paragraph."""
    k = 2 if len(paras) >= 6 and rng.random() < 0.5 else 1
    later = [s for p in paras[k + 1 :] for s in _SENT.split(p) if len(s.split()) >= 8] or \
        [s for p in paras[k:] for s in _SENT.split(p)]
    picks = sorted(rng.sample(range(len(later)), min(len(later), 2 + k)))
    new = [reword(rng, later[i]) for i in picks]
    lede = [" ".join(new)] if k == 1 else [" ".join(new[:2]), " ".join(new[2:])]
    return lede + list(paras[k:]) + [added]


# --------------------------------------------------------------------------- the corpus
class _Builder:
    def __init__(self, data: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.pool = list(load_articles(data))
        self.rng.shuffle(self.pool)
        self.topics = sorted({a.topic for a in self.pool})
        names = sorted(OUTLETS)
        self.home = {t: self.rng.sample(names, 3) for t in self.topics}
        self.docs: list[Doc] = []
        self.used: dict[str, Article] = {}

    def take(self, topic: str | None = None) -> Article:
        """The next unused article (of ``topic`` when one is left)."""
        if not self.pool:
            raise ValueError("the article pool is exhausted: ask for fewer documents")
        i = next((i for i, a in enumerate(self.pool) if a.topic == topic), 0)
        a = self.pool.pop(i)
        self.used[a.key] = a
        return a

    def outlet(self, topic: str, taken: Iterable[str] = ()) -> str:
        free = [o for o in sorted(OUTLETS) if o not in set(taken)] or sorted(OUTLETS)
        home = [o for o in self.home[topic] if o in free]
        return self.rng.choice(home if home and self.rng.random() < 0.7 else free)

    def day(self, a: Article) -> date:
        if a.topic == "us-politics":
            return date(2015, 11, 8) + timedelta(days=self.rng.randrange(0, 366))
        return date(2004, 1, 1) + timedelta(days=self.rng.randrange(0, 700))

    def page(self, outlet: str, title: str, body: str, topic: str, day: date, furniture: bool) -> str:
        _, about, footer = OUTLETS[outlet]
        paras = body.split("\n\n")
        head, tail = [], []
        if furniture:
            fill = {"section": topic.title(), "author": self.rng.choice(AUTHORS), "outlet": outlet,
                    "date": day.strftime("%d %B %Y"), "other": self.pool[self.rng.randrange(len(self.pool))].title,
                    "caption": self.rng.choice(paras).split(". ")[0][:80]}
            head = [x.format(**fill) for x in self.rng.sample(TOP_LINES, self.rng.randint(1, 3))]
            for _ in range(self.rng.randint(1, 3)):
                fill["other"] = self.pool[self.rng.randrange(len(self.pool))].title
                paras.insert(self.rng.randint(1, len(paras)), self.rng.choice(MID_LINES).format(**fill))
            tail = [x.format(**fill) for x in self.rng.sample(END_LINES, self.rng.randint(1, 2))]
        return "\n\n".join([*head, title, *paras, *tail, about, footer])

    def add(self, group: str, outlet: str, role: str, tags: Sequence[str], source: Article | str, title: str,
            body: str, day: date, window: int, furniture: bool = False) -> Doc:
        topic = source.topic if isinstance(source, Article) else "news"
        key = source.key if isinstance(source, Article) else source
        slug = "-".join(words(title)[:8])
        url = f"https://www.{OUTLETS[outlet][0]}/{day.year}/{day.month:02d}/{slug}" if self.rng.random() < 0.8 \
            else None
        doc = Doc("", group, outlet, role, tuple(tags), key, title, body,
                  self.page(outlet, title, body, topic, day, furniture), day.isoformat(), url, window)
        self.docs.append(doc)
        return doc

    def copy_of(self, group: str, a: Article, paras: Sequence[str], title: str, day: date, kind: str,
                taken: list[str], extra: Sequence[str] = ()) -> Doc:
        """One damaged copy of ``paras`` under another outlet: ``kind`` plus secondary damage."""
        rng = self.rng
        ws = [p.split() for p in paras]
        tags = [kind, *extra]
        if kind == "truncated" or (kind != "loss35" and rng.random() < 0.15):
            ws = truncate(ws, rng.uniform(0.6, 0.9))
            tags.append("truncated")
        window = sum(map(len, ws))
        if kind in LOSS:
            ws = drop_links(rng, ws, LOSS[kind])
        if kind == "edited":
            ws = edit_words(rng, ws, rng.uniform(0.02, 0.05))
        elif rng.random() < 0.25:
            ws = edit_words(rng, ws, rng.uniform(0.01, 0.02))
            tags.append("edited")
        if kind == "glued" or rng.random() < 0.35:
            ws = glue(rng, ws, rng.uniform(0.3, 0.8))
            tags.append("glued")
        body = "\n\n".join(" ".join(p) for p in ws)
        if kind == "restyled" or rng.random() < 0.3:
            title, body = restyle(rng, title, body)
            tags.append("restyled")
        furniture = kind == "furniture" or rng.random() < 0.4
        if furniture:
            tags.append("furniture")
        outlet = self.outlet(a.topic, taken)
        taken.append(outlet)
        if rng.random() < 0.3:
            title = f"{title} | {outlet}"
        doc_tags = tuple(dict.fromkeys(t for t in tags if t != "clean" or len(tags) == 1))
        doc = self.add(group, outlet, "copy", doc_tags, a, title, body, day + timedelta(days=rng.randint(0, 3)),
                       window, furniture)
        doc.primary = kind
        return doc


def generate(data: Path, seed: int = 7, n_docs: int = 1500) -> Corpus:
    """About ``n_docs`` documents: ~60% in copy groups, ~4% composites and their copies, the rest
    articles without copies. Document ids are opaque and the records shuffled."""
    b = _Builder(data, seed)
    rng = b.rng
    deck: list[str] = []
    originals: list[Doc] = []
    n_group_docs = round(0.6 * n_docs)
    gi = 0
    while len(b.docs) < n_group_docs:
        a = b.take()
        group = f"g{gi:04d}"
        day = b.day(a)
        outlet = b.outlet(a.topic)
        orig = b.add(group, outlet, "original", ("original",), a, a.title, "\n\n".join(a.paras), day,
                     sum(len(p.split()) for p in a.paras), furniture=rng.random() < 0.2)
        originals.append(orig)
        taken = [outlet]
        n = min(rng.choices(N_COPIES, N_COPIES_W)[0], max(1, n_group_docs - len(b.docs)))
        versions: list[Sequence[str]] = [a.paras]
        if gi % 4 == 0 and len(a.paras) >= 4:
            added = rng.choice(b.take(a.topic).paras[1:])
            v2 = writethru(rng, a.paras, added)
            versions.append(v2)
            wo = b.outlet(a.topic, taken)
            taken.append(wo)
            b.add(group, wo, "writethru", ("writethru",), a, a.title, "\n\n".join(v2), day,
                  sum(len(p.split()) for p in v2))
            n -= 1
        for _ in range(max(0, n)):
            if not deck:
                deck = list(DECK)
                rng.shuffle(deck)
            src = versions[1] if len(versions) > 1 and rng.random() < 0.3 else versions[0]
            b.copy_of(group, a, src, a.title, day, deck.pop(), taken,
                      ("from-writethru",) if src is not versions[0] else ())
        gi += 1

    n_comp = max(2, round(0.03 * n_docs))
    singles_in_comp: list[Article] = []
    for ci in range(n_comp):
        group = f"x{ci:04d}"
        host = rng.choice(originals)
        ha = b.used[host.source]
        # the item with copies elsewhere (whole, or its first paragraphs), and 1-2 other articles
        items = [(ha, ha.paras if rng.random() < 0.5 else ha.paras[: rng.randint(3, 5)])]
        for _ in range(rng.randint(1, 2)):
            other = b.take(ha.topic if rng.random() < 0.5 else None)
            if rng.random() < 0.5:
                singles_in_comp.append(other)  # also published on its own
            items.append((other, other.paras[: rng.randint(2, 4)]))
        rng.shuffle(items)
        body = "\n\n".join("\n\n".join([a.title, *p]) for a, p in items)
        title = f"{rng.choice(DIGESTS)}: {host.date}" if rng.random() < 0.5 else rng.choice(DIGESTS)
        day = date.fromisoformat(host.date) + timedelta(days=rng.randint(0, 2))
        source = " + ".join(a.key for a, _ in items)
        outlet = b.outlet(ha.topic, [host.outlet])
        b.add(group, outlet, "composite", ("composite",), source, title, body, day, 0)
        if ci % 3 == 0:  # the same digest on another site
            ws = [p.split() for p in body.split("\n\n")]
            kind = rng.choice(["glued", "restyled", "furniture", "loss10", "clean"])
            ws = drop_links(rng, ws, 0.1) if kind == "loss10" else glue(rng, ws, 0.5) if kind == "glued" else ws
            cbody = "\n\n".join(" ".join(p) for p in ws)
            ctitle = title
            if kind == "restyled":
                ctitle, cbody = restyle(rng, title, cbody)
            o2 = b.outlet(ha.topic, [host.outlet, outlet])
            b.add(group, o2, "composite-copy", ("composite-copy", kind), source, ctitle, cbody,
                  day + timedelta(days=1), 0, furniture=kind == "furniture")

    si = 0
    queue = list(singles_in_comp)
    while len(b.docs) < n_docs:
        a = queue.pop(0) if queue else b.take()
        b.add(f"s{si:04d}", b.outlet(a.topic), "single", ("single",), a, a.title, "\n\n".join(a.paras), b.day(a),
              sum(len(p.split()) for p in a.paras), furniture=rng.random() < 0.2)
        si += 1

    rng.shuffle(b.docs)
    for k, d in enumerate(b.docs):
        d.id = f"d{k:05d}"
    return Corpus(seed, b.docs, dict(b.used))


# --------------------------------------------------------------------------- scores
def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def predicted_of(truth: Mapping[str, str], clusters: Iterable[Sequence[str]]) -> dict[str, str]:
    """Predicted cluster of every document of ``truth`` (a document in no cluster is alone)."""
    pred: dict[str, str] = {}
    for k, c in enumerate(clusters):
        for m in c:
            if m in truth:
                pred[m] = f"c{k}"
    return {d: pred.get(d, f"alone:{d}") for d in truth}


def pair_prf(truth: Mapping[str, str], clusters: Iterable[Sequence[str]]) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of same-cluster pairs against same-group pairs."""
    pred = predicted_of(truth, clusters)
    tp = sum(_pairs(n) for n in Counter((truth[d], pred[d]) for d in truth).values())
    t = sum(_pairs(n) for n in Counter(truth.values()).values())
    p = sum(_pairs(n) for n in Counter(pred.values()).values())
    prec = tp / p if p else 1.0
    rec = tp / t if t else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1, "true_pairs": t, "predicted_pairs": p, "correct_pairs": tp}


def recall_by_kind(truth: Mapping[str, str], tags: Mapping[str, Sequence[str]],
                   clusters: Iterable[Sequence[str]], original: Mapping[str, str] | None = None
                   ) -> dict[str, dict[str, float | int]]:
    """For each damage kind: recall of the truth pairs with a member of that kind; with
    ``original`` (group -> original's id) also of the pairs (copy of that kind, its original)."""
    pred = predicted_of(truth, clusters)
    members: dict[str, list[str]] = {}
    for d in sorted(truth):
        members.setdefault(truth[d], []).append(d)
    out: dict[str, dict[str, float | int]] = {}
    for kind in sorted({k for d in truth for k in tags.get(d, ())}):
        n = found = n_o = found_o = 0
        for ms in members.values():
            for i, x in enumerate(ms):
                for y in ms[i + 1 :]:
                    if kind in tags.get(x, ()) or kind in tags.get(y, ()):
                        n += 1
                        found += pred[x] == pred[y]
        if original:
            for d in truth:
                o = original.get(truth[d])
                if kind in tags.get(d, ()) and o and o != d:
                    n_o += 1
                    found_o += pred[d] == pred[o]
        out[kind] = {"pairs": n, "recall": found / n if n else 1.0, "pairs_vs_original": n_o,
                     "recall_vs_original": found_o / n_o if n_o else 1.0}
    return out


def glued_clusters(truth: Mapping[str, str], outlet: Mapping[str, str | None],
                   clusters: Iterable[Sequence[str]], composites: Iterable[str] = ()) -> list[list[str]]:
    """Predicted clusters holding documents of >= 2 truth groups that share an outlet. A cluster that
    holds one of ``composites`` is not counted: a composite chains the stories it holds, whatever
    their outlet (that is counted by :func:`composites_with_others`)."""
    comp = set(composites)
    out = []
    for c in clusters:
        if comp & set(c):
            continue
        groups_by_outlet: dict[str | None, set[str]] = {}
        for m in c:
            if m in truth:
                groups_by_outlet.setdefault(outlet.get(m), set()).add(truth[m])
        if any(o is not None and len(g) >= 2 for o, g in groups_by_outlet.items()):
            out.append(sorted(c))
    return out


def mixed_clusters(truth: Mapping[str, str], clusters: Iterable[Sequence[str]]) -> list[list[str]]:
    """Predicted clusters holding documents of >= 2 truth groups."""
    return [sorted(c) for c in clusters if len({truth[m] for m in c if m in truth}) >= 2]


def composites_with_others(composites: Iterable[str], clusters: Iterable[Sequence[str]]) -> list[str]:
    """Composites placed in a cluster that also holds a document that is not a composite."""
    comp = set(composites)
    return sorted(m for c in clusters if any(x not in comp for x in c) for m in c if m in comp)
