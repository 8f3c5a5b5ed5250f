"""Classifiers for what a page says about itself rather than about its story.

Forms and their consent small print, disclaimers, the data a script left in the text, and the
author's box at the foot of a post: each is written in full sentences, so the scoring that
keeps sentences would keep them. They are told apart by their phrases, which belong to the
genre (a disclaimer says "for informational purposes only" on every site that has one), not
to any site.

Each is a line classifier ``(line, edge) -> bool`` as in :mod:`dedup.clean.furniture`, whose
registry lists them. A phrase that could also be an article's own sentence counts only at the
edge of the body. The shape helpers for long lines that are lists of options rather than
text (:func:`option_list`) serve :func:`dedup.clean.rules.line_score`.
"""

from __future__ import annotations

import re

from dedup.wordfind import WordFinder

__all__ = ["author_bio", "call_to_action", "disclaimer", "form_notice", "markup", "option_list", "script_data"]

# Each kind of notice is a few phrases. A phrase is a pattern, its key words (it must hold one) and
# groups of other words (it must hold one of each group). Every word named is one the pattern cannot
# match without: a substring of the lower-cased line wherever it matches, so neither the key words
# nor the groups ever turn a match down. The key words of all phrases are found in one pass over the
# lower-cased line by an Aho-Corasick automaton, and only the phrases whose words are all there are
# tried: most lines hold none, and one phrase's pattern costs ~9 µs over a paragraph (a case-blind
# pattern is tried at every character), where the case-blind alternation of all of them cost ~40 µs.
_Phrase = tuple["re.Pattern[str]", tuple[str, ...], tuple[tuple[str, ...], ...]]


def _phrase(pattern: str, words: tuple[str, ...], *also: tuple[str, ...]) -> _Phrase:
    return re.compile(pattern, re.IGNORECASE), words, also


_PROFESSIONS = ("legal", "medical", "financial", "tax", "investment", "professional")
_PHRASES: dict[str, tuple[_Phrase, ...]] = {
    # "By submitting this form, you agree ...", "Required fields are marked *"
    "form": (
        _phrase(r"\bby\s+(?:submitting|checking|clicking|signing\s+up|providing|entering|completing|tapping)\b"
                r"[^.]{0,200}?\b(?:you|i)\s+(?:hereby\s+)?"
                r"(?:agree|consent|authori[sz]e|acknowledge|accept|understand|confirm)",
                ("submitting", "checking", "clicking", "signing", "providing", "entering", "completing", "tapping"),
                ("by",), ("agree", "consent", "authori", "acknowledge", "accept", "understand", "confirm")),
        _phrase(r"\bthis\s+field\s+is\s+(?:for\s+validation|required)", ("field",), ("this",),
                ("validation", "required")),
        _phrase(r"\brequired\s+fields\s+are\s+marked", ("fields",), ("required",), ("marked",)),
        _phrase(r"\byour\s+email\s+address\s+will\s+not\s+be\s+published", ("published",), ("email",),
                ("address",)),
        _phrase(r"\bthank\s+you[!.,]?\s+(?:please\s+check\s+your\s+(?:inbox|email)"
                r"|your\s+(?:submission|message)\s+has\s+been)", ("thank",), ("your",),
                ("inbox", "email", "submission", "message")),
        _phrase(r"\blocation\s+services\s+(?:disabled|turned\s+off)", ("services",), ("location",),
                ("disabled", "turned")),
        _phrase(r"\bplease\s+enable\s+javascript", ("javascript",)),
        _phrase(r"\bthis\s+site\s+is\s+protected\s+by\s+recaptcha", ("recaptcha",)),
    ),
    # Phrases only a disclaimer uses: believed anywhere on a short line.
    "disclaimer": (
        _phrase(r"\bfor\s+(?:general\s+)?(?:informational|information|educational)"
                r"(?:\s+(?:and|or)\s+(?:informational|educational|entertainment))?\s+purposes\s+only", ("purposes",),
                ("only",), ("information", "educational")),
        _phrase(r"\bnot\s+(?:intended\s+(?:to\s+be\s+|as\s+)?|to\s+be\s+(?:construed|considered|relied\s+upon)\s+as\s+)"
                r"(?:a\s+substitute\s+for\s+)?(?:professional\s+)?"
                r"(?:legal|medical|financial|tax|investment|professional)\s+advice", ("advice",), ("not",),
                _PROFESSIONS),
        _phrase(r"\bdoes\s+not\s+constitute\s+(?:an?\s+)?(?:legal|medical|financial|tax|investment|professional|offer)",
                ("constitute",), ("does",), (*_PROFESSIONS, "offer")),
        _phrase(r"\b(?:views|opinions)\s+expressed\s+(?:on|in)\s+this\s+(?:blog|site|website|article|post|page|podcast)",
                ("expressed",), ("views", "opinions"), ("this",)),
        _phrase(r"\b(?:contains?|uses|may\s+contain|includes?)\s+affiliate\s+links?", ("affiliate",), ("link",),
                ("contain", "uses", "include")),
        _phrase(r"\b(?:we|i)\s+(?:may|might)\s+(?:earn|receive|get)\s+(?:a\s+)?(?:small\s+)?"
                r"(?:commission|compensation|fee)", ("commission", "compensation", "fee"), ("may", "might"),
                ("earn", "receive", "get")),
        _phrase(r"\bas\s+an\s+amazon\s+associate", ("amazon",), ("associate",)),
        _phrase(r"\breader[- ]supported\b", ("supported",), ("reader",)),
        _phrase(r"\b(?:we\s+)?independently\s+(?:test|review|research|select|choose|chosen|evaluate)"
                r"|\b(?:chosen|selected|reviewed)\s+independently\s+by\s+our\s+editors", ("independently",),
                ("test", "review", "research", "select", "choose", "chosen", "evaluate")),
    ),
}
_OPENS: dict[str, tuple[tuple[str, int], ...]] = {}
for _kind, _phrases in _PHRASES.items():
    for _k, (_pattern, _words, _also) in enumerate(_phrases):
        for _w in _words:
            _OPENS[_w] = (*_OPENS.get(_w, ()), (_kind, _k))
_AUTOMATON = WordFinder(list(_OPENS))
_OPENED_BY = list(_OPENS.values())
# The letters a case-blind pattern matches to an ASCII letter that lower() does not make one
# (dotted and dotless i, long s, the Kelvin sign): a line holding one has its phrases tried
# without the word groups, which would turn such a spelling down.
_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")
_NONE: dict[str, tuple[re.Pattern[str], ...]] = {}
_LAST: list[tuple[str, dict[str, tuple[re.Pattern[str], ...]]]] = [("", _NONE)]


def _open_phrases(line: str) -> dict[str, tuple[re.Pattern[str], ...]]:
    """The patterns of each kind whose words ``line`` holds (the last line's answer is kept: classify asks twice)."""
    last = _LAST[0]
    if last[0] is line:
        return last[1]
    low = line.lower()
    hits = _AUTOMATON.words_in(low)
    opened = _NONE
    if hits:
        found = {pk for w in hits for pk in _OPENED_BY[w]}
        grouped = line.isascii() or _FOLDS.search(line) is None
        kinds: dict[str, list[re.Pattern[str]]] = {}
        for kind, k in sorted(found):
            pattern, _words, also = _PHRASES[kind][k]
            if not grouped or all(any(w in low for w in group) for group in also):
                kinds.setdefault(kind, []).append(pattern)
        if kinds:
            opened = {kind: tuple(patterns) for kind, patterns in kinds.items()}
    _LAST[0] = (line, opened)
    return opened


def _says(kind: str, line: str) -> bool:
    """Whether ``line`` holds a phrase of a notice of ``kind``."""
    patterns = _open_phrases(line).get(kind)
    return patterns is not None and any(p.search(line) is not None for p in patterns)


def form_notice(line: str, edge: bool = False) -> bool:
    """A form's small print: ``By submitting this form, you agree ...``, ``Required fields are marked *``."""
    if len(line) > 1000:
        return False
    return _says("form", line)


def disclaimer(line: str, edge: bool = False) -> bool:
    """``This article is for informational purposes only ...``, ``This post contains affiliate links``."""
    if len(line) > 1500 or not _says("disclaimer", line):
        return False
    # An article may quote a disclaimer in a long paragraph; a disclaimer is its own paragraph.
    return edge or len(line.split()) <= 90


_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,10}(?:\s[^<>]{0,200})?/?>")


def markup(line: str, edge: bool = False) -> bool:
    """HTML source shown as text, as a "republish this article" box gives it: ``<h1>...</h1> <p class=...``."""
    if line.count("<") < 3:
        return False
    tags = _TAG.findall(line[:3000])
    return len(tags) >= 3 and sum(map(len, tags)) * 10 >= min(len(line), 3000)


def script_data(line: str, edge: bool = False) -> bool:
    """A JSON object or array a script left in the text: ``{"layoutMobile":2,"buttonText":"Buy now",...}``."""
    head = line[:2]
    if head not in ('{"', "[{", "[[", '["') and not line.startswith(("{ \"", "[ {")):
        return False
    return line.count('":') + line.count('",') >= 3


# "Jane Doe is a freelance writer ...", "Dr. Toni Golen is a physician ...": the name first, then
# what the person is.
_BIO = re.compile(
    r"^(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+[A-Z][\w'’.-]*|(?!(?:The|This|That|Our|Its|Their|Each|Every)\b)[A-Z][\w'’.-]*"
    r"(?:\s+[A-Z][\w'’.-]*){1,3})\s+"
    r"(?:is|was|has\s+been|holds|joined|writes|covers|brings|leads|serves)\b"
)
# A biography in the first person or under a pronoun: "I am a reporter at ...", "Hi, I'm Ashley ...".
_BIO_SELF = re.compile(
    r"^(?:hi|hello|hey)?[,!]?\s*(?:i['’]m\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)?\s*[,.]|"
    r"i\s+am\s+an?\s|(?:he|she)(?:['’]s|\s+is)\s+an?\s)",
    re.IGNORECASE,
)
_BIO_VERB = re.compile(r" (?:is|was|has been|holds|joined|writes|covers|brings|leads|serves) ")
_BIO_ROLE = re.compile(
    r"\b(?:writer|editor|journalist|author|reporter|contributor|columnist|correspondent|blogger|copywriter|"
    r"freelancer?|physician|attorney|lawyer|expert|specialist|founder|co-founder|ceo|strategist|consultant|"
    r"analyst|researcher|professor|marketer|coach|nutritionist|dietitian)\b",
    re.IGNORECASE,
)


def has_bio_role(text: str) -> bool:
    """Whether a text names what a person does for a living (writer, editor, founder, ...)."""
    return _BIO_ROLE.search(text) is not None or _MORE_ROLES.search(text) is not None


# Jobs a biography names that the bio classifier does not count on (they describe people in articles too).
_MORE_ROLES = re.compile(
    r"\b(?:manager|director|head\s+of|co-?host|host|president|officer|owner|designer|developer|engineer|"
    r"photographer|chef|teacher|editor-in-chief)\b",
    re.IGNORECASE,
)


def author_bio(line: str, edge: bool = False) -> bool:
    """An author's box at the foot of a post: a name, then what the person is and has done; at a
    page's edge also in the first person or under a pronoun ("Hi, I'm Ashley Biancuzzo, and I
    oversee ...", "He's a Google Ads expert with over 12 years of experience ...")."""
    if len(line) > 1200 or not line[:1].isupper():
        return False
    if edge and _BIO_SELF.match(line) is not None and _BIO_ROLE.search(line) is not None:
        return True
    if _BIO_VERB.search(line, 0, 80) is None:
        return False
    m = _BIO.match(line)
    if m is None:
        return False
    if edge:
        return _BIO_ROLE.search(line) is not None
    # Inside the body only the plain form: "Jane Doe is a freelance writer ...", "... is the executive editor of".
    return _BIO_CLOSE.match(line, m.end()) is not None


# "Buy Poster", "Get started for free", "Read The Review", "Follow Me on Instagram": a button's
# label, an imperative of commerce with its object; a heading of a how-to ("Check the oil") names
# no such object.
_CTA = re.compile(
    r"^(?:buy|shop|order|download|subscribe|join|apply|contact|request|view|see|explore|learn|read|get|try|book|"
    r"call|follow|check|compare|start|take|discover|find|sign|watch|listen|claim|schedule|register|pin|save)\b"
    r"(?:.*\b(?:now|today|free|all|more|us|me|here|online|prices?|deals?|list|review|reviews|quote|demo|trial|"
    r"started|next\s+step|poster|instagram|facebook|twitter|youtube|pinterest|tiktok|linkedin|categories|"
    r"consultation|appointment|offer|store|shop|later)\b)",
    re.IGNORECASE,
)


def call_to_action(line: str, edge: bool = False) -> bool:
    """A button's label: ``Buy Poster``, ``See List``, ``Get started for free``, ``Contact Us``; at a
    page's edge also the site's pitch to the reader in a sentence or two (``Get a free quote today.``,
    ``Don't miss any news from us!``, ``Would you like to receive notifications about new posts?``)."""
    # ("Read more: Another headline" stays a teaser's label)
    if edge and len(line) <= 200 and _first_word(line) in _PITCH_OPENERS and _PITCH.match(line) is not None and (
            len(line.split()) <= _PITCH_WORDS and _TEASER_LABEL.match(line) is None):
        return True
    if len(line) > 80 or line.rstrip().endswith((".", "?", ":", ",", ";")):
        return False
    if len(line.split()) > 7:
        return False
    return _CTA.match(line) is not None


def _first_word(line: str) -> str:
    return line[: line.find(" ")].casefold() if " " in line else line.casefold()


_TEASER_LABEL = re.compile(r"^(?:read|see)\s+(?:more|also|next|this)\b", re.IGNORECASE)
# The longest pitch: a button's sentence, not an article's closing paragraph.
_PITCH_WORDS = 25
_PITCH = re.compile(
    _CTA.pattern + r"|^(?:don['’]?t\s+miss|be\s+the\s+first\s+to\s+know|"
    r"would\s+you\s+like\s+to\s+(?:receive|get|be\s+notified)|"
    r"(?:need|want)\s+(?:more|help|to\s+(?:learn|know|keep\s+up|stay))\b.*\?|ready\s+to\s+(?:get\s+started|start|grow|take)\b|"
    r"let\s+us\s+help|talk\s+to\s+(?:our|an?)\s+(?:experts?|team|specialists?|advisors?)|"
    # the reader's turn: "What do you think?", "Add Newsweek as a preferred source on Google ..."
    r"what\s+do\s+you\s+think\W*$|let\s+us\s+know\s+(?:in\s+the\s+comments|what\s+you\s+think)|"
    r"add\s+.{1,40}\s+as\s+a\s+(?:preferred|trusted)\s+(?:news\s+)?source|"
    # a plea to pass the post on: "If you like it, please share it!", "Tried this recipe? Pin it ..."
    r"if\s+you\s+(?:like|liked|enjoyed|found)\b.{0,60}\b(?:share|subscribe|follow)|please\s+share\b|"
    r"help\s+(?:me|us)\s+spread\s+the\s+word|tried\s+this\s+recipe)",
    re.IGNORECASE,
)
# The first words _PITCH can open with (a set lookup turns most lines down before the regex runs).
_PITCH_OPENERS = frozenset(
    "buy shop order download subscribe join apply contact request view see explore learn read get try book call "
    "follow check compare start take discover find sign watch listen claim schedule register pin save don't don’t "
    "dont be would need want ready let talk what add if please help tried".split()
)


# after the verb: an article and at most three words before the role
_BIO_CLOSE = re.compile(r"\s*(?:an?|the)\s+(?:[\w-]+\s+){0,3}?(?:" + _BIO_ROLE.pattern + ")", re.IGNORECASE)


def option_list(line: str) -> bool:
    """A long run of labels without a sentence: a drop-down's options, a tag cloud, a month archive.

    ``Select Country United States Canada Afghanistan ...``. Prose, even unpunctuated and in any
    language written in cases, runs on lower-case words (articles, verbs, prepositions) and commas;
    a list of options is nearly all capitalised labels.
    """
    toks = line.split()
    n = len(toks)
    if n < 15:
        return False
    if line.count(",") * 10 >= n:
        return False  # "Carports, Change of Use, Concrete pads, ...": a list the article gives
    cased = [w for w in toks if w[:1].isalpha() and w[:1].lower() != w[:1].upper()]
    if len(cased) * 2 < n:
        return False  # numbers, symbols, or a script without case
    lower = sum(1 for w in cased if w[:1].islower())
    return lower * 8 < len(cased)
