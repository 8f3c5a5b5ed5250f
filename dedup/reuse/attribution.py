"""Who a document says its text comes from.

Two jobs: find *citations* (phrases such as "according to Reuters", "An
article in Atalayar noted", "Tasnim media reported", "(AP)", "h/t X") with
the outlet they name, and decide whether a name written in one document is
the outlet of another (fuzzy: case, "The", domains, "jpost" for "The
Jerusalem Post").

A name after a weak verb ("X said") is far more often a person than an
outlet, so weak patterns only count when the name looks like an outlet:
an acronym, a name with a media word (News, Post, Radio...), a domain, a
well-known wire service, or the name of an outlet present in the corpus.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from dedup.reuse.windows import ANCHORS as _ANCHORS
from dedup.reuse.windows import MEDIA_NOUNS, VERBS, anchor_windows, is_word_char
from dedup.reuse.windows import WEAK_ANCHORS as _WEAK_ANCHORS

# One capitalised word of a name: "Al-Jazeera", "Reuters", "VOA", "mid.ru"-like domains are separate.
_W = r"[A-Z][\w&'’.-]*[\w&]|[A-Z]"
# The same as the first word of a name, written to open with a plain character
# class so that the regex engine skips ahead to capitals instead of trying
# every position of the text.
_W1 = r"[A-Z](?:[\w&'’.-]*[\w&])?"
_NAME = rf"(?:{_W1}(?:\s+(?:of|the|for|de|du|del|al|el|&|and)\s+(?:{_W})|[ \t]+(?:{_W})){{0,5}})"
_DOMAIN = (
    r"(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:com|org|net|ru|es|fr|de|uk|co\.uk|info|io|news|tv|ir|il|int|eu)\b"
)
_MEDIA_NOUN = f"(?:{'|'.join(MEDIA_NOUNS)})"
_VERBS = VERBS
_VERB = f"(?:{'|'.join(_VERBS)})"
_ADV = r"(?:(?:also|recently|previously|earlier|first|further|then|later|once|had|has|have)\s+){0,2}"
_MEDIA_WORD = r"(?:media|news\s+agency|agency|newspaper|daily|website|outlet|TV|television|radio|magazine|channel)"

_STRONG_PATTERNS = [
    # "An article in Atalayar in Madrid noted", "a report at Al-Jazeera said",
    # "An article in March 2023 in Arab News", "An article at the time in Al-Jazeera"
    re.compile(
        rf"\b(?:[Aa]n?|[Tt]he|[Aa]nother|[Oo]ne|[Aa]|[Ii]n\s+an?)\s+(?:[a-z-]+\s+){{0,2}}?{_MEDIA_NOUN}\s+"
        rf"(?:(?:at|from)\s+the\s+time\s+|(?:in|from|of)\s+(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\s+|"
        rf"last\s+\w+\s+|this\s+\w+\s+|published\s+|(?:\w+\s+)?ago\s+)?"
        rf"(?:in|at|by|from|on|for)\s+(?:the\s+)?(?P<name>{_NAME}|{_DOMAIN})"
    ),
    # "a Radio Free Europe article", "the Reuters report"
    re.compile(rf"\b(?:[Aa]n?|[Tt]he)\s+(?P<name>{_NAME})\s+{_MEDIA_NOUN}\b"),
    # "Tasnim media reported", "Iranian Tasnim media said"
    re.compile(rf"(?P<name>{_NAME})\s+{_MEDIA_WORD}\s+{_ADV}{_VERB}\b"),
    # "h/t Foo", "hat tip to Foo"
    re.compile(rf"\b(?:[Hh]/[Tt]|[Hh]at\s+tip(?:\s+to)?|[Vv]ia\s+@)[:\s]+@?(?P<name>{_NAME}|{_DOMAIN}|\w+)"),
    # "Source: mid.ru", "Source » jpost"
    re.compile(rf"\b(?:SOURCE|[Ss]ource)\s*[:»]\s*(?P<name>{_DOMAIN}|[a-z][\w.-]+|{_NAME})"),
]
_WEAK_PATTERNS = [
    # "according to Reuters", "according to a report by the BBC"
    re.compile(
        rf"\b[Aa]ccording\s+to\s+(?:an?\s+|the\s+)?(?:(?:{_MEDIA_NOUN}|{_MEDIA_WORD})\s+(?:in|by|from|at)\s+(?:the\s+)?)?"
        rf"(?P<name>{_NAME}|{_DOMAIN})"
    ),
    # "VOA also reported", "UNHCR recently said"
    re.compile(rf"(?P<name>{_NAME}|{_DOMAIN})\s+{_ADV}{_VERB}\b"),
    # "..., Reuters reported." after a quotation: same pattern, kept separate for clarity
    re.compile(rf"[,”\"]\s+(?P<name>{_NAME})\s+{_VERB}\b"),
    # an author's piece in an outlet: "McFaul wrote for The Washington Post", "writing in an op-ed for X"
    re.compile(rf"\b(?:wrote|writes|writing|written)\s+(?:(?:an?\s+)?(?:op-ed|column|piece|essay)\s+)?(?:for|in)\s+"
               rf"(?:the\s+)?(?P<name>{_NAME}|{_DOMAIN})"),
    # "As the New York Times puts it"
    re.compile(rf"\b[Aa]s\s+(?:the\s+)?(?P<name>{_NAME})\s+(?:puts|put)\s+it\b"),
]
# Wire-service dateline: "(Reuters) -", "(MENAFN)" at a paragraph start.
# The text before it is a dateline (capitals, digits, punctuation), never
# prose: "the military company (PMC)" is an abbreviation, not a source.
_DATELINE = re.compile(
    r"(?:^|\n)\s*(?:[Dd]ate\b)?[^\na-z(]{0,60}?\((?P<name>[A-Z][A-Za-z&]{1,11})\)\s*[-–—:]?"
)

_MEDIA_WORDS = {
    "news", "post", "times", "journal", "radio", "tv", "agency", "press", "herald", "tribune",
    "gazette", "guardian", "telegraph", "monitor", "media", "daily", "weekly", "review", "observer",
    "express", "mail", "wire", "network", "broadcasting", "channel", "magazine", "insider",
    "chronicle", "bulletin", "today", "television", "newspaper", "reuters", "report", "standard",
    "independent", "economist", "courier", "ledger", "dispatch", "sentinel", "examiner", "inquirer",
}
# Outlets that write "X said" about themselves often enough to be known by name.
_KNOWN_OUTLETS = {
    "reuters", "ap", "afp", "bloomberg", "tass", "xinhua", "interfax", "ria novosti", "tasnim",
    "irna", "fars", "anadolu", "bbc", "cnn", "nbc", "cbs", "abc", "fox news", "politico", "axios",
    "al-jazeera", "al jazeera", "aljazeera", "sputnik", "rt", "dpa", "efe", "ansa", "kyodo",
    "yonhap", "menafn", "upi", "npr", "pbs", "voa", "rferl", "vice", "vox", "buzzfeed",
    "the hill", "breitbart", "haaretz", "atalayar", "europa press",
}
# Capitalised words that are not outlets even after "an article in".
_NOT_OUTLETS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "the", "this", "that", "it", "he", "she", "they", "we", "i", "a", "an",
    "us", "usa", "uk", "eu", "uae", "gdp", "ceo", "pm", "mp", "mr", "mrs", "ms", "dr", "one",
    "there", "here", "but", "and", "then", "also", "in", "on", "at", "however", "meanwhile",
    "sources", "officials", "experts", "analysts", "reports", "critics", "police", "his", "her",
    # a transcript's annotations, in brackets like a dateline: "(UNINTEL)", "(CROSSTALK)"
    "unintel", "unintelligible", "crosstalk", "overtalk", "inaudible", "laughter", "applause", "cheers",
}
# Words that mark a person ("Foreign Minister Lavrov said"), not an outlet.
_PERSON_WORDS = {
    "minister", "president", "secretary", "general", "spokesman", "spokeswoman", "spokesperson",
    "director", "chief", "ambassador", "senator", "governor", "mayor", "prime", "king", "queen",
    "prince", "mr", "mrs", "ms", "dr", "professor", "colonel", "leader", "chairman", "ceo",
    "commander", "officer", "judge", "foreign", "defense", "defence", "interior",
}
_DEMONYM = re.compile(r"^(?:[A-Z][a-z]+(?:ian|ese|ish|an|i))$")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_TLD = re.compile(r"\.(?:com|org|net|ru|es|fr|de|co\.uk|uk|info|io|news|tv|ir|il|int|eu)$")
_GENERIC = {"the", "post", "times", "news", "daily", "online", "journal", "media", "tv", "com"}


@dataclass(frozen=True)
class Mention:
    """A phrase in a text naming a source outlet."""

    name: str
    start: int  # phrase span in the text
    end: int
    name_start: int
    name_end: int
    strong: bool

    def phrase(self, text: str) -> str:
        return text[self.start : self.end]

    def year(self, text: str, until: int | None = None) -> int | None:
        """A year written in the phrase (or between it and ``until``): "noted in 2022"."""
        stop = self.end if until is None else max(self.end, min(until, self.end + 80))
        m = _YEAR.search(text, self.start, stop)
        return int(m.group()) if m else None


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)
def norm_outlet(name: str) -> str:
    """Comparable form: lower case, no accents, no "The", no "www."/TLD, letters and digits only."""
    s = _strip_accents(name).casefold().strip()
    s = re.sub(r"^https?://", "", s)
    s = re.sub(r"^www\.", "", s)
    s = _TLD.sub("", s.split("/")[0]) if re.fullmatch(r"[\w.-]+(?:/.*)?", s) else s
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[^0-9a-z]+", "", s)


def _words(name: str) -> list[str]:
    s = re.sub(r"^the\s+", "", _strip_accents(name).casefold().strip())
    return [w for w in re.split(r"[^0-9a-z]+", s) if w]


def _abbreviates(short: str, words: list[str]) -> bool:
    """``short`` is initials of the first words then the rest spelled out: jpost, nytimes, voa."""
    if len(words) < 2 or len(short) < 2:
        return False
    for i in range(1, len(words) + 1):
        if "".join(w[0] for w in words[:i]) + "".join(words[i:]) == short:
            return True
    content = [w for w in words if w not in {"of", "the", "and", "for"}]
    return len(content) >= 2 and "".join(w[0] for w in content) == short


@lru_cache(maxsize=1 << 16)
def outlet_matches(a: str, b: str) -> bool:
    """Whether two written names plausibly denote the same outlet."""
    na, nb = norm_outlet(a), norm_outlet(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    if min(len(na), len(nb)) >= 5 and fuzz.ratio(na, nb) >= 90:
        return True
    wa, wb = _words(a), _words(b)
    if _abbreviates(na, wb) or _abbreviates(nb, wa):
        return True
    # "The Jerusalem Post" vs "Jerusalem": equal once generic media words go.
    ca = "".join(w for w in wa if w not in _GENERIC)
    cb = "".join(w for w in wb if w not in _GENERIC)
    return len(ca) >= 4 and ca == cb


def _clean_name(name: str) -> str:
    name = name.strip(" .,'’\"-")
    name = re.sub(r"['’]s$", "", name)
    parts = name.split()
    # "Iranian Tasnim" -> "Tasnim"; "Russian Foreign" stays and is later rejected.
    while len(parts) > 1 and _DEMONYM.match(parts[0]) and parts[0].casefold() not in _KNOWN_OUTLETS:
        if parts[1].casefold() in _MEDIA_WORDS:
            break
        parts = parts[1:]
    # "On Monday VOA": sentence openers, days and months are not part of the name
    while len(parts) > 1 and (parts[0].casefold() in _NOT_OUTLETS or parts[0].casefold() in {"as", "so", "while"}):
        if parts[0].casefold() == "the" and parts[1][:1].isupper():
            break
        parts = parts[1:]
    # "The" stays when a name follows ("The Lantern"), goes when it is alone.
    if len(parts) == 1 and parts[0].casefold() == "the":
        parts = parts[1:]
    return " ".join(parts)


def _article_bound(name: str) -> bool:
    """"The Hill", "The Sun": one word that is an outlet's name only with its article; bare, it is
    a surname or a word ("Putin, Hill wrote"). Such names are keyed with the article kept."""
    return re.fullmatch(r"the\s+\S+", name.strip().casefold()) is not None


@lru_cache(maxsize=1 << 16)
def _variants(name: str) -> frozenset[str]:
    """Keys under which a known outlet is found: its normal form, core and abbreviations."""
    if _article_bound(name):
        n = norm_outlet(name)
        return frozenset({"the" + n} if n else ())
    out = {norm_outlet(name)}
    words = _words(name)
    core = "".join(w for w in words if w not in _GENERIC)
    if len(core) >= 4:
        out.add(core)
    if len(words) >= 2:
        for i in range(1, len(words) + 1):
            out.add("".join(w[0] for w in words[:i]) + "".join(words[i:]))
    out.discard("")
    return frozenset(out)


@lru_cache(maxsize=1 << 16)
def _query_keys(name: str) -> frozenset[str]:
    """The keys a name found in a text is looked up under: its variants, but no abbreviation of
    fewer than three letters ("John Cornyn" is not "jc", the initials of "jezebel.com"). "the Hill"
    finds "The Hill" and "Hill"; a bare "Hill" only "Hill"."""
    return frozenset(k for k in _variants(name) if len(k) >= 3) | {norm_outlet(name)}


@dataclass
class OutletIndex:
    """Outlet names of the corpus, each pointing at the groups (clusters) that carry it.

    Lookup is exact on a few normal forms first and fuzzy (rapidfuzz, C
    speed) only after, so that checking a name costs the same for ten
    outlets as for ten thousand.
    """

    keys: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # the groups of each name added
    _groups: dict[str, set[int]] = field(default_factory=dict, repr=False)
    _choices: list[str] | None = None
    # answers since the last add: a corpus names the same few outlets thousands of times
    _seen: dict[str, frozenset[int]] = field(default_factory=dict, repr=False, compare=False)
    _like: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    # whether a normal form has a fuzzy match (score >= 90) among the choices, since the last add
    _fuzzy: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    # the same answers for an earlier index (see :meth:`remember`): choices and answers
    _prior_choices: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _prior: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    _added: list[str] | None = field(default=None, repr=False, compare=False)
    _prior_keys: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _prior_like: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    # the keys each remembered "no" was looked up under (see :meth:`like_changed`)
    _prior_keysets: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _keys_vs_prior: str | None = field(default=None, repr=False, compare=False)

    def add(self, name: str, group: int) -> None:
        self.add_many(((name, group),))

    def add_many(self, items: Iterable[tuple[str, int]]) -> None:
        """:meth:`add` of each (name, group), in order."""
        keys = self.keys
        # (a corpus has a few thousand names for 100k groups: the keys of each name once)
        by_name: dict[str, list[int]] = {}
        for name, group in items:
            got = by_name.get(name)
            if got is None:
                if not name or not norm_outlet(name):
                    continue
                by_name[name] = got = []
                for key in _variants(name):
                    # (inserted now: the order of the keys is the order of the choices)
                    keys.setdefault(key, set())
            got.append(group)
        for name, groups in by_name.items():
            self._groups.setdefault(name, set()).update(groups)
            for key in _variants(name):
                keys[key].update(groups)
        self._choices = None
        self._seen.clear()
        self._like.clear()
        self._fuzzy.clear()
        self._added = None
        self._keys_vs_prior = None

    @property
    def names(self) -> dict[int, set[str]]:
        """The names added for each group."""
        out: dict[int, set[str]] = defaultdict(set)
        for name, groups in self._groups.items():
            for g in groups:
                out[g].add(name)
        return out

    def looks_like_outlet(self, name: str) -> bool:
        """:func:`looks_like_outlet` with this index, remembered until the next add (and, through
        :meth:`remember_like`, from an earlier index)."""
        hit = self._like.get(name)
        if hit is None:
            hit = self._prior_like_answer(name)
            if hit is None:
                hit = looks_like_outlet(name, self)
            self._like[name] = hit
        return hit

    def _prior_like_answer(self, name: str) -> bool | None:
        prior = self._prior_like.get(name)
        if prior is None or self._prior_keys is None:
            return None
        if self._keys_vs_prior is None:
            now = frozenset(self.keys)
            self._keys_vs_prior = "same" if now == self._prior_keys else (
                "more" if self._prior_keys <= now else "other")
        # with every earlier key still here, a name that looked like an outlet still does (the
        # index only answers "known", and more keys only add matches); with the same keys, the
        # same answer
        if self._keys_vs_prior == "same" or (prior and self._keys_vs_prior == "more"):
            return prior
        return None

    def like_answers(
        self, names: Iterable[str] | None = None
    ) -> tuple[frozenset[str], dict[str, bool], dict[str, tuple[str, ...]]]:
        """This index's keys, its :meth:`looks_like_outlet` answers since the last add (only those for
        ``names`` when given) and the keys each "no" was looked up under, for :meth:`remember_like`
        of a later index."""
        answers = dict(self._like) if names is None else {n: self._like[n] for n in names if n in self._like}
        prior = self._prior_keysets
        keysets = {n: prior[n] if n in prior else _keyset(n) for n, hit in answers.items() if not hit}
        return frozenset(self.keys), answers, keysets

    def remember_like(
        self, keys: frozenset[str], answers: dict[str, bool], keysets: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        """:meth:`looks_like_outlet` answers of an index with these ``keys`` (:meth:`like_answers`),
        reused once this index is complete: all of them when it has the same keys, those that
        said yes when it has more (and, after :meth:`like_changed`, every one it did not change)."""
        self._prior_keys = keys
        self._prior_like = answers
        self._prior_keysets = dict(keysets or {})
        self._keys_vs_prior = None

    def like_changed(self) -> set[str] | None:
        """The remembered :meth:`looks_like_outlet` answers (:meth:`remember_like`) this complete index
        gives differently; None when that is unknown (the index lacks a key the earlier one had).

        Afterwards every remembered name is answered from memory. Exact: with the same keys,
        every answer holds. With more keys, a "yes" holds (more keys only add matches); a "no"
        (not an outlet on its face, and unknown to the earlier index: none of its keys there, no
        fuzzy match among the earlier choices) can only turn into "yes" through one of its keys
        among the added ones, or a fuzzy match (score >= 90) with an added choice; only those
        names are asked again.
        """
        if self._prior_keys is None:
            return None
        now = frozenset(self.keys)
        if not self._prior_keys <= now:
            return None
        prior = self._prior_like
        changed: set[str] = set()
        if now != self._prior_keys:
            added = now - self._prior_keys
            added_choices = [k for k in added if len(k) >= 5]
            keysets = self._prior_keysets
            ask: set[str] = set()
            fuzzy: list[str] = []
            norms: list[str] = []
            for name, hit in prior.items():
                if hit:
                    continue
                ks = keysets[name] if name in keysets else _keyset(name)
                if not ks:
                    continue
                if not added.isdisjoint(ks):
                    ask.add(name)
                elif added_choices and len(ks[0]) >= 5:
                    fuzzy.append(name)
                    norms.append(ks[0])
            for lo in range(0, len(added_choices), 64):
                if not norms:
                    break
                scores = process.cdist(added_choices[lo : lo + 64], norms, scorer=fuzz.ratio, score_cutoff=90)
                ask.update(fuzzy[j] for j in np.flatnonzero(np.asarray(scores).any(axis=0)).tolist())
            for name in ask:
                if self.looks_like_outlet(name):
                    changed.add(name)
        for name, hit in prior.items():
            self._like.setdefault(name, hit)
        return changed

    def choices(self) -> list[str]:
        """The keys a fuzzy lookup compares with (those of five characters or more)."""
        if self._choices is None:
            self._choices = [k for k in self.keys if len(k) >= 5]
        return self._choices

    def knows(self, name: str) -> bool:
        """``bool(self.lookup(name))``, which is all :func:`looks_like_outlet` asks, without the fuzzy
        search when :meth:`remember` gave the answer for an earlier index whose choices this one keeps."""
        n = norm_outlet(name)
        if not n:
            return False
        if any(self.keys.get(key) for key in _query_keys(name)):
            return True
        if len(n) < 5:
            return False
        hit = self._fuzzy.get(n)
        if hit is None:
            hit = self._fuzzy[n] = self._fuzzy_hit(n)
        return hit

    def _fuzzy_hit(self, n: str) -> bool:
        prior = self._prior.get(n)
        if prior is not None and self._prior_choices is not None:
            if self._added is None:
                now = set(self.choices())
                # (an earlier index with a key this one lacks tells nothing)
                self._added = sorted(now - self._prior_choices) if self._prior_choices <= now else []
                if not self._prior_choices <= now:
                    self._prior_choices = None
            if self._prior_choices is not None:
                # a match among the earlier choices is still there; a new one can only be among the added
                if prior:
                    return True
                return process.extractOne(n, self._added, scorer=fuzz.ratio, score_cutoff=90) is not None
        return process.extractOne(n, self.choices(), scorer=fuzz.ratio, score_cutoff=90) is not None

    def fuzzy_answers(self) -> tuple[frozenset[str], dict[str, bool]]:
        """The choices and the fuzzy answers given since the last add, for :meth:`remember` of a later index."""
        now = frozenset(self.choices())
        answers = dict(self._fuzzy)
        prior = self._prior_choices
        if prior is not None and prior <= now:
            # the earlier answers this index did not need to ask again, where they still hold
            same = prior == now
            for n, hit in self._prior.items():
                if n not in answers and (hit or same):
                    answers[n] = hit
        return now, answers

    def remember(self, choices: frozenset[str], answers: dict[str, bool]) -> None:
        """Fuzzy answers an index with these ``choices`` gave (:meth:`fuzzy_answers`): :meth:`knows`
        reuses them once this index is complete, searching only the choices it adds. Exact: a
        name with a match (score >= 90) among choices that are all still here has one; a name
        without has one only among the added choices."""
        self._prior_choices = choices
        self._prior = answers
        self._added = None

    def lookup(self, name: str) -> frozenset[int]:
        hit = self._seen.get(name)
        if hit is None:
            hit = self._seen[name] = frozenset(self._lookup(name))
        return hit

    def _lookup(self, name: str) -> set[int]:
        n = norm_outlet(name)
        if not n:
            return set()
        hits: set[int] = set()
        for key in _query_keys(name):
            hits |= self.keys.get(key, set())
        if hits or len(n) < 5:
            return hits
        best = process.extractOne(n, self.choices(), scorer=fuzz.ratio, score_cutoff=90)
        return set(self.keys[best[0]]) if best else set()


_KNOWN_KEYS = frozenset(("the" if _article_bound(k) else "") + norm_outlet(k) for k in _KNOWN_OUTLETS)


def _keyset(name: str) -> tuple[str, ...]:
    """The keys :meth:`OutletIndex.knows` looks ``name`` up under, its normal form first; none when
    it has no normal form (it is then never known)."""
    n = norm_outlet(name)
    if not n:
        return ()
    return (n, *sorted(_variants(name) - {n}))


def looks_like_outlet(name: str, known: OutletIndex | None = None) -> bool:
    """Whether a name after a weak verb is an outlet rather than a person."""
    words = re.sub(r"^[Tt]he\s+", "", name).split()
    if not words:
        return False
    low = " ".join(words).casefold()
    if low in _NOT_OUTLETS:
        return False
    if any(w.casefold().strip(".") in _PERSON_WORDS for w in words):
        return False
    n = norm_outlet(name)
    if not {n, "the" + n if _article_bound(name) else n}.isdisjoint(_KNOWN_KEYS):
        return True
    if re.fullmatch(_DOMAIN, low):
        return True
    # an unknown acronym of three letters or more ("UNHCR said"); two are initials ("DT", "RS") or "TV"
    if len(words) == 1 and re.fullmatch(r"[A-Z]{3,7}", name):
        return True
    if any(w.casefold() in _MEDIA_WORDS for w in words[1:]) or (
        len(words) > 1 and words[0].casefold() in _MEDIA_WORDS
    ):
        return True
    return known is not None and known.knows(name)


# (The patterns run only in windows around the literals they need: dedup.reuse.windows.)

# Weak pattern 1 without its domain branch: the same matches in a window
# that holds no ".tld" (where the branch cannot match), found much faster.
_WEAK_NAME_ONLY = re.compile(rf"(?P<name>{_NAME})\s+{_ADV}{_VERB}\b")
_TLD_IN = re.compile(r"\.(?:com|org|net|ru|es|fr|de|uk|co\.uk|info|io|news|tv|ir|il|int|eu)\b")
_ANCHOR_DATELINE = re.compile(r"\([A-Z][A-Za-z&]{1,11}\)")


@dataclass(frozen=True)
class RawMention:
    """A pattern match before the corpus's outlet names decide whether it counts.

    ``check`` says what remains to test once the outlet index is complete:
    "" nothing, "weak" looks_like_outlet, "dateline" looks_like_outlet or all capitals.
    """

    name: str
    start: int
    end: int
    name_start: int
    name_end: int
    strong: bool
    check: str


_POSSESSIVE = re.compile(r"['’]s\s+(?=[A-Z])")


def raw_mentions(text: str) -> list[RawMention]:
    """Every candidate mention of ``text`` in the order find_mentions weighs them.

    Depends on the text alone, so it can run in a first pass over a corpus
    (in any process) before the corpus's outlet index exists;
    :func:`select_mentions` then gives what :func:`find_mentions` gives.
    """
    out: list[RawMention] = []

    def add(m: re.Match[str], strong: bool, check: str, phrase_start: int | None = None) -> None:
        raw = m.group("name")
        # "The Daily Beast's Maxwell Tani": the outlet, not its reporter; but before a media word the
        # possessive is the outlet's country: "U.K.'s Telegraph newspaper noted"
        name = _POSSESSIVE.split(_clean_name(raw), 1)[-1 if m.re is _STRONG_PATTERNS[2] else 0]
        if not name or re.sub(r"^the\s+", "", name.casefold()) in _NOT_OUTLETS or len(name) < 2:
            return
        if strong and check == "" and any(w.casefold() in _PERSON_WORDS for w in name.split()):
            return
        if check == "named":
            if _ACRONYM.fullmatch(name) and name.casefold() not in _KNOWN_OUTLETS:
                return
            check = "weak"  # then it must look like an outlet, as after a weak cue
        offset = m.group("name").find(name.split()[0])
        ns = m.start("name") + max(0, offset)
        ne = ns + len(name)
        # "according to the Hill": the article is part of a one-word name ("The Hill" is an outlet,
        # "Hill" a surname), though the patterns leave a lower-case "the" out; not of an acronym
        if " " not in name and not name.isupper() and ns >= 4 and text[ns - 4 : ns].casefold() == "the " and (
                ns == 4 or not is_word_char(text[ns - 5])):
            ns -= 4
            name = text[ns:ne]
        start = m.start() if phrase_start is None else phrase_start
        out.append(RawMention(name, min(start, ns), max(m.end(), ne), ns, ne, strong, check))

    all_windows, verb_windows = anchor_windows(text)
    for k, (pat, strong_windows) in enumerate(zip(_STRONG_PATTERNS, all_windows, strict=False)):
        for lo, hi in strong_windows:
            for m in pat.finditer(text, lo, hi):
                add(m, True, _strong_check(k, m))
    weak_windows = iter(all_windows[len(_ANCHORS) :])
    for k, (pat, weak_anchor) in enumerate(zip(_WEAK_PATTERNS, _WEAK_ANCHORS, strict=True)):
        windows = next(weak_windows) if weak_anchor is not None else verb_windows
        for lo, hi in windows:
            p = pat
            if k == 1 and not _TLD_IN.search(text, lo, hi):
                p = _WEAK_NAME_ONLY
            for m in p.finditer(text, lo, hi):
                add(m, False, "weak")
    if _ANCHOR_DATELINE.search(text):
        for m in _DATELINE.finditer(text):
            add(m, True, "dateline", phrase_start=m.start("name") - 1)
    return out


# Things people and institutions do as much as outlets ("the Mueller investigation", "a Putin
# interview"), and what a report is about rather than where it ran ("a report on Russia").
_NOT_ONLY_PRESS = re.compile(r"\b(?:investigation|interview|survey|analysis)\b|\s(?:on|for)\s+(?:the\s+)?$")


def _strong_check(k: int, m: re.Match[str]) -> str:
    """What a match of strong pattern ``k`` must still show: "the X report" and "an interview in X"
    name an outlet only when X looks like one, and an acronym only when it is a known outlet
    ("named"); "an article in X" does."""
    if k == 1 or (k == 0 and _NOT_ONLY_PRESS.search(m.string, m.start(), m.start("name"))):
        return "named"
    return ""


# a bare acronym: after "the ... investigation" only a listed outlet ("the FBI investigation" is none)
_ACRONYM = re.compile(r"[A-Z]{2,7}")


def select_mentions(raw: list[RawMention], known: OutletIndex | None = None) -> list[Mention]:
    """The mentions among ``raw`` that name an outlet, given the corpus's outlets ``known``."""
    found: dict[tuple[int, int], Mention] = {}
    like = known.looks_like_outlet if known is not None else looks_like_outlet
    for r in raw:
        if r.check == "weak" and not like(r.name):
            continue

        if r.check == "dateline":
            # "(CNN)", "(AFP)"; not a transcript's "(CROSSTALK)" or "(UNINTEL)"
            if not (like(r.name) or (r.name.isupper() and len(r.name) <= 5)):
                continue
            if any(w.casefold() in _PERSON_WORDS for w in r.name.split()):
                continue
        key = (r.name_start, r.name_end)
        prior = found.get(key)
        if prior is None or (r.strong and not prior.strong):
            found[key] = Mention(r.name, r.start, r.end, r.name_start, r.name_end, r.strong)
    # Overlapping names ("Arab News" and "News") keep the longest.
    out: list[Mention] = []
    for men in sorted(found.values(), key=lambda x: (x.name_start, -(x.name_end - x.name_start))):
        if out and men.name_start < out[-1].name_end:
            continue
        out.append(men)
    return out


def find_mentions(text: str, known: OutletIndex | None = None) -> list[Mention]:
    """All phrases in ``text`` that name an outlet as a source, left to right."""
    return select_mentions(raw_mentions(text), known)


_SENTENCE_BREAK = re.compile(r"[.!?][\"”’']?\s+[\"“‘']?[A-Z]")


def mentions_near(
    mentions: list[Mention], start: int, end: int, text: str, before: int = 260, after: int = 160
) -> list[Mention]:
    """Mentions that introduce or follow the span [start, end) in the same paragraph.

    Nearest first, those before the span preferred: "An article in X noted
    “...”" is the common order, "“...”, X reported" the other.
    """
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    if para_end < 0:
        para_end = len(text)
    lo = max(para_start, start - before)
    hi = min(para_end, end + after)
    near: list[tuple[int, Mention]] = []
    for men in mentions:
        if lo <= men.start and men.end <= start + 40 and men.name_end <= start + 40:
            near.append((start - men.end, men))
        elif end - 40 <= men.start and men.end <= hi and not _SENTENCE_BREAK.search(text, end + 3, men.start):
            # after the passage only in its sentence ("“…,” Reuters reported"): a mention in a later
            # sentence attributes something else
            near.append((men.start - end + 1000, men))
    return [m for _, m in sorted(near, key=lambda x: x[0])]
