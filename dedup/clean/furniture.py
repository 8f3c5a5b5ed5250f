"""Line classifiers: what a page puts around an article.

Every classifier takes one whitespace-normalised line and ``edge`` (True when
the line sits in the head or tail of the document, outside the article body)
and answers whether the line is furniture. At the edges the classifiers are
bolder, because a wrong removal there costs a caption or a footer sentence,
while in the middle it would cost a paragraph of the article.

The patterns are shapes, not site lists: a credit is upper-case words with a
slash or "via" before a dash; a tag list is a label and a colon; a teaser
tail starts at a short "More in ..." / "Related posts" marker line. All regexes
are anchored or bounded so that a megabyte-long line stays linear.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from statistics import median

# --- shape helpers ---------------------------------------------------------

_CLOSERS = "\"'”’»)]}*"
_STOPS = ".!?。！？…"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=16384)
def units(line: str) -> int:
    """Length in words; scripts written without spaces count one word per two characters."""
    n = line.count(" ") + 1 if line else 0
    if not line.isascii() and max(line) >= "\u3040" and _CJK.search(line):
        cjk = len(_CJK.findall(line))
        if cjk:
            n = max(n, n + cjk // 2 - cjk // 8)
    return n


def ends_sentence(line: str) -> bool:
    """Ends in a full stop, question or exclamation mark, maybe inside quotes or brackets."""
    s = line.rstrip(_CLOSERS)
    return bool(s) and s[-1] in _STOPS


def has_lower(line: str) -> bool:
    return any(c.islower() for c in line[:400])


@lru_cache(maxsize=16384)
def lower(line: str) -> str:
    return line.lower()


def _any_in(line: str, needles: tuple[str, ...]) -> bool:
    """Cheap substring gate before a costly regex (most lines hold none of the needles)."""
    low = lower(line)
    return any(n in low for n in needles)


_DIGIT = re.compile(r"\d")


def clear_caches() -> None:
    """Forget memoised line shapes (for honest timing of distinct texts)."""
    units.cache_clear()
    lower.cache_clear()
    is_sentence.cache_clear()


@lru_cache(maxsize=16384)
def is_sentence(line: str) -> bool:
    """Prose: ends like a sentence and has lower-case letters (or is CJK), not a menu label."""
    if not ends_sentence(line):
        return False
    return has_lower(line) or bool(_CJK.search(line[:200]))


def headline_like(line: str) -> bool:
    """A title or sub-heading: short, starts with a capital or digit, no full stop."""
    if not line or len(line) > 200:
        return False
    w = units(line)
    if w > 20:
        return False
    first = line.lstrip("\"'“‘«(")[:1]
    if not first or not (first.isupper() or first.isdigit()):
        return False
    s = line.rstrip(_CLOSERS)
    return bool(s) and s[-1] not in ".。:;,"


def _words(line: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", line.lower())


def _all_in(line: str, vocab: frozenset[str], max_words: int) -> bool:
    if len(line) > 12 * max_words:
        return False
    words = _words(line[:300])
    if not words or len(words) > max_words:
        return False
    return all(w in vocab for w in words)


# --- classifiers -----------------------------------------------------------

_CREDIT_WORD = r"(?:photo|foto|image|picture|pic|photograph|credit|credits|source|fuente)"
_CREDIT_HEAD = re.compile(
    r"^(?:photo_camera\s+)?(?:\(?\s*" + _CREDIT_WORD + r"s?\b\s*[:/]|\(?\s*"
    r"(?:photo|image|picture)s?\s+(?:by|courtesy|credit|copyright|caption)\b|image\s+copyright\b|image\s+caption\b|"
    r"photo_camera\b|©)",
    re.IGNORECASE,
)
# Upper-case credit, then a dash and the caption: "AFP/ OUSMANE MAKAVELI - ...".
_CREDIT_DASH = re.compile(r"^(?:photo_camera\s+)?([^\s-][^-–—]{1,60}?)\s+[-–—]\s+\S")
_CREDIT_TAIL = re.compile(
    r"(?:[-–—/|]\s*|\b(?:via|vía|por|by|courtesy(?:\s+of)?)\s+)"
    r"(?:AFP|AP|AP Photo|Reuters|REUTERS|EFE|EPA|Getty(?: Images)?|Shutterstock|NurPhoto|"
    r"Xinhua|ANSA|dpa|DPA|Bloomberg|Anadolu(?: Agency)?|IANS|PTI|ANI|TASS|Sputnik|Pool|Handout|"
    r"Europa Press|Alamy|iStock(?:photo)?|Wikimedia(?: Commons)?|Twitter|Facebook|Instagram)\)?\s*$"
)


def _credit_prefix(prefix: str) -> bool:
    words = prefix.split()
    if not words or len(words) > 8 or ends_sentence(prefix):
        return False
    low = prefix.lower()
    letters = [c for c in prefix if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    marked = "/" in prefix or " via " in low or " vía " in low or re.match(_CREDIT_WORD, low) is not None
    return marked and (upper * 2 >= len(letters) or re.match(_CREDIT_WORD, low) is not None)


def caption_credit(line: str, edge: bool = False) -> bool:
    """Photo captions and credits: ``PHOTO/French Army via AP - ...``, ``... - MAJDI FATHI / NurPhoto vía AFP``."""
    if len(line) > 600:
        return False
    if _CREDIT_HEAD.match(line):
        return not (ends_sentence(line) and units(line) > 40)
    m = _CREDIT_DASH.match(line)
    if m and _credit_prefix(m.group(1)):
        return True
    if not ends_sentence(line) and _CREDIT_TAIL.search(line[-80:]):
        return True
    return False


_BYLINE = re.compile(
    r"^(?:by|written by|words by|reported by|story by|author|autor|autora|por|par|von|di)\s*[:|]?\s+"
    r"[A-Z\u00c0-\u024f][\w.'’-]*(?:\s+(?:[A-Z\u00c0-\u024f][\w.'’-]*|and|&|de|van|von|da|del|y|e|,))*"
    r"(?:\s*[|,-]\s*.{0,60})?$",
    re.IGNORECASE,
)


def byline(line: str, edge: bool = False) -> bool:
    """``By Sarah E. Needleman``, ``Author: X``; short and without a full stop."""
    if len(line) > 160 or units(line) > (14 if edge else 10):
        return False
    if line.rstrip().endswith(".") and not re.search(r"\b[A-Z]\.$", line.rstrip()):
        return False
    return _BYLINE.match(line) is not None and _BYLINE.match(line) is not None


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_TOKEN = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b|"
    r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|"
    r"\b(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?\b|"
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r")\.?,?(?:\s+\d{4})?\b|"
    r"\b(?:" + _MONTHS + r")\.?\s+\d{4}\b",
    re.IGNORECASE,
)
_DATE_FILLER = re.compile(
    r"\b(?:date|dated|published|updated|posted|last|modified|on|at|am|pm|a\.m|p\.m|et|est|edt|gmt|utc|bst|cet|cest|ist|"
    r"pst|pdt|ct|cst|cdt|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
    r"fri|sat|sun|today|yesterday|ago|hours?|minutes?|mins?|days?|read|reading|time|min|and|by|author|"
    r"news|desk|staff|reporter|correspondent|editor|updated|first)\b|\d+|[^\w\s]",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(r"\b(?i:author|by|autor|por)\s*:?\s+((?:[A-Z\u00c0-\u024f][\w.'’-]*\s*){1,4})")


def dateline(line: str, edge: bool = False) -> bool:
    """A line that is a date, a time, or a date with labels/author: ``Date: 15 February 2023 Author: X``."""
    if len(line) > 200 or not _DIGIT.search(line) or units(line) > 20 or not _DATE_TOKEN.search(line):
        return False
    if ends_sentence(line) and units(line) > 8:
        return False
    rest = _AUTHOR_LABEL.sub(" ", line)
    rest = _DATE_TOKEN.sub(" ", rest)
    rest = _DATE_FILLER.sub(" ", rest)
    return len(rest.split()) <= (3 if edge else 1)


_SHARE = frozenset(
    """share shares shared sharing tweet tweets twitter x facebook email e mail mail print whatsapp linkedin
    pinterest reddit telegram copy copied link url comments comment save saved this article story post page on
    via messenger flipboard pocket gift tumblr vk sms the to with your friends follow us and or google
    bookmark click opens open in new window a friend pin pint it send instagram youtube rss feed permalink
    compartir compartilhar partager teilen baixar download""".split()
)
_UI = frozenset(
    """advertisement advertisements advertising ad ads sponsored sponsor content menu search home close skip to main
    navigation nav top back next previous prev loading continue reading the story log in sign out register
    subscribe subscribed login logout more show hide toggle edition english watch video videos listen audio play
    photos photo gallery view comments comment open app download click here expand collapse site index
    account my profile settings sections section news latest print today's paper of up now free trial already
    a subscriber jump scroll full screen fullscreen enable notifications notification accept cookies ok got it
    page image images credit caption icon logo arrow left right up down back permalink feed for view all
    print this""".split()
)


def share_buttons(line: str, edge: bool = False) -> bool:
    """``Share Tweet Email``, ``Share this article``, ``Follow us on Facebook``."""
    return _all_in(line, _SHARE, 12)


def ui_chrome(line: str, edge: bool = False) -> bool:
    """Interface words only: ``Advertisement``, ``Skip to content``, ``Continue reading the main story``, ``Top``."""
    return _all_in(line, _UI, 8)


_SUBSCRIBE = re.compile(
    r"\b(?:newsletters?|subscribe|subscribers?|subscription|sign[ -]?up|sign[ -]?in|log[ -]?in|inbox|"
    r"unsubscribe|register\s+(?:now|for\s+free|here)|create\s+(?:an\s+)?(?:free\s+)?account|"
    r"delivered\s+(?:straight\s+)?to\s+your|download\s+(?:our|the)\s+app|push\s+notifications?)\b",
    re.IGNORECASE,
)


_SUBSCRIBE_NEEDLES = ("newsletter", "subscri", "sign", "log", "inbox", "regist", "account", "deliver", "app", "notific")


def subscribe(line: str, edge: bool = False) -> bool:
    """Newsletter, subscription and sign-in prompts."""
    if line[:1] in '"“‘«' or len(line) > 500:
        return False
    n = units(line)
    if n > (40 if edge else 14):
        return False
    if not _any_in(line, _SUBSCRIBE_NEEDLES):
        return False
    m = _SUBSCRIBE.search(line)
    if m is None:
        return False
    # A reported fact ("the paper lost 3,000 subscribers.") is prose.
    if not edge and is_sentence(line) and n > 8:
        return False
    return True


_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:accept|consent|policy|settings|preferences|browsing|experience|agree|use|uses|website|site|"
    r"privacy|personali[sz]e|partners|continuing)\b",
    re.IGNORECASE,
)


def cookie_consent(line: str, edge: bool = False) -> bool:
    """Cookie banners and consent notices."""
    if len(line) > 1200 or ("ookie" not in line and "OOKIE" not in line) or units(line) > 120:
        return False
    return _COOKIE.search(line) is not None and len(_COOKIE_CONTEXT.findall(line)) >= 2


_DONATE = re.compile(
    r"\b(?:donat(?:e|es|ion|ions|ing)|support\s+us|support\s+our|please\s+support|become\s+a\s+(?:member|patron|"
    r"supporter|subscriber)|patreon|paypal|chip\s+in|make\s+a\s+contribution|contribute\s+(?:now|today))\b",
    re.IGNORECASE,
)


def donation(line: str, edge: bool = False) -> bool:
    """``Support Us`` / ``Donations from private persons are necessary ...`` appeals."""
    if len(line) > 800:
        return False
    n = units(line)
    if n > (70 if edge else 4):
        return False
    if not _any_in(line, ("donat", "support", "patr", "paypal", "chip in", "contribut", "become a")):
        return False
    return _DONATE.search(line) is not None or (edge and line.strip().lower() in ("support", "donate"))


_TAGS = re.compile(
    r"^(?:tags?|tagged(?:\s+(?:with|in))?|topics?|keywords?|filed\s+(?:under|in)|categor(?:y|ies)|"
    r"related\s+(?:tags|topics|terms)|etiquetas|temas|schlagw(?:ö|o)rter|mots[- ]cl(?:é|e)s)\s*[:»|-]",
    re.IGNORECASE,
)


def tag_list(line: str, edge: bool = False) -> bool:
    """``TAGS: migration crisis, NATO, Belarus``."""
    if len(line) > 600:
        return False
    if (_TAGS.match(line) is not None and not ends_sentence(line.rstrip(" ,"))) or (
        _TAGS.match(line) is not None and units(line) <= 25
    ):
        return True
    return edge and line.strip().lower().rstrip(":") in ("tags", "related tags", "topics", "keywords")


_TEASER = re.compile(
    r"^(?:more\s+(?:in|from|on|about|stories|news|articles|videos|to\s+read)|related(?:\s+(?:posts?|articles?|stories|"
    r"news|content|coverage|topics|reading|links|videos|items))?|read\s+(?:more|also|next)|also\s+read|see\s+also|"
    r"you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested)|recommended(?:\s+(?:for\s+you|stories|"
    r"reading|articles|videos))?|most\s+(?:popular|read|viewed|shared|emailed|commented)|trending(?:\s+now)?|"
    r"latest\s+(?:news|stories|articles|posts|headlines|videos)|top\s+(?:stories|news|headlines)|"
    r"further\s+reading|other\s+(?:articles|stories|news)|popular(?:\s+(?:posts|stories|articles|now))?|"
    r"editor['’]?s\s+picks?|don['’]?t\s+miss|what\s+to\s+read\s+next|up\s+next|next\s+(?:article|story|post)|"
    r"previous\s+(?:article|story|post)|leer\s+m[aá]s|m[aá]s\s+en|lire\s+aussi|weitere\s+artikel|"
    r"(?:\d+\s+)?comments?|leave\s+a\s+(?:comment|reply)|join\s+the\s+(?:conversation|discussion)|"
    r"show\s+comments|post\s+a\s+comment|share\s+your\s+thoughts|discussion|more\s+coverage|in\s+other\s+news|"
    r"around\s+the\s+web|from\s+the\s+web|sponsored\s+(?:links|stories|content)|promoted\s+(?:links|stories|content)|"
    r"you\s+may\s+have\s+missed|trending\s+stories|explore\s+more|keep\s+reading)\b",
    re.IGNORECASE,
)


def teaser_marker(line: str, edge: bool = False) -> bool:
    """The heading of a block of other articles: ``More in Politics``, ``Related posts``, ``Read more: ...``."""
    if len(line) > 160 or units(line) > (12 if edge else 8) or _TEASER.match(line) is None:
        return False
    if is_sentence(line) and units(line) > 4:
        # "Related reports say ..." is prose; "Read more: A headline." is not,
        # but only the label form may end with a stop.
        return re.match(r"^\S+(?:\s+\S+)?\s*:", line) is not None
    return True


_BREAD_SEP = re.compile(r"\s(?:>|»|›|/|\||•|·|::|→)\s")


def breadcrumb(line: str, edge: bool = False) -> bool:
    """``Home > News > World`` / ``Politics | Africa | Mali``."""
    if len(line) > 200 or ends_sentence(line):
        return False
    if line[:1] == "|" or line[-1:] == "|":
        return False  # a table row
    parts = _BREAD_SEP.split(line)
    if len(parts) < 3:
        return False
    if sum(1 for p in parts if _DIGIT.search(p)) >= 2:
        return False  # a row of figures
    return all(0 < units(p) <= 4 for p in parts)


_SOURCE = re.compile(r"^(?:source|sources|fuente|fuentes|quelle|via|from)\s*(?::|»|›|>|-)\s*\S", re.IGNORECASE)


def source_line(line: str, edge: bool = False) -> bool:
    """``Source » jpost``, ``SOURCE: mid.ru``."""
    return len(line) <= 120 and units(line) <= 8 and _SOURCE.match(line) is not None


_RIGHTS = re.compile(
    r"©|ⓒ|\(c\)\s*\d{4}|\bcopyright\b|\ball\s+rights\s+reserved\b|\bmay\s+not\s+be\s+(?:reproduced|republished|"
    r"redistributed|rewritten|used|copied|published)\b|\bwithout\s+(?:prior\s+)?(?:written\s+)?permission\b|"
    r"\bterms\s+(?:of\s+(?:use|service)|and\s+conditions)\b|\bprivacy\s+policy\b|\bmay\s+be\s+disseminated\b|"
    r"\bprovided\s+that\s+(?:the\s+)?(?:source|origin)\b",
    re.IGNORECASE,
)


_RIGHTS_NEEDLES = (
    "©", "ⓒ", "(c)", "copyright", "rights", "may not", "permission", "terms", "privacy", "disseminat", "provided",
)  # fmt: skip


def rights_notice(line: str, edge: bool = False) -> bool:
    """Copyright, reproduction terms and policy links."""
    if len(line) > 800:
        return False
    n = units(line)
    if n > (60 if edge else 25):
        return False
    if not _any_in(line, _RIGHTS_NEEDLES):
        return False
    found = _RIGHTS.findall(line)
    if not found:
        return False
    return edge or len(found) >= 2 or not is_sentence(line) or n <= 12


_COMMENT_HEAD = re.compile(
    r"^[^.!?]{1,80}?\b(?:says|said|wrote|writes|commented(?:\s+on)?|replied|responded)\s*:?$", re.IGNORECASE
)
_COMMENT_COUNT = re.compile(
    r"^(?:\d+\s+)?(?:comments?|responses?|replies|thoughts|reactions?)(?:\s+(?:to|on)\b.*)?$|"
    r"^(?:leave\s+a\s+(?:comment|reply)|comments\s+are\s+closed|post\s+a\s+comment|add\s+a\s+comment|"
    r"join\s+the\s+(?:conversation|discussion)|top\s+rated\s+comments|reader\s+comments|show\s+comments)\b",
    re.IGNORECASE,
)


def comment_header(line: str, edge: bool = False) -> bool:
    """``Gary M on September 17, 2018 at 8:50 pm said:``, ``joetoronto says:``."""
    if len(line) > 140 or units(line) > 16 or _COMMENT_HEAD.match(line) is None:
        return False
    return line.endswith(":") or _DIGIT.search(line) is not None


def comments_marker(line: str) -> bool:
    """``34 responses to "..."``, ``Leave a Reply``, ``8 comments``: the start of a comment section."""
    return len(line) <= 160 and _COMMENT_COUNT.match(line) is not None


_FUNCTION_CAPS = frozenset(
    "To In At Of For The And With On After From By Is Are As Over Into A An Its Up Out Off Be Not Vs".split()
)
# "... HEADLINE text NEW DELHI: lead sentence" -- a dateline in mid-line.
_MID_DATELINE = re.compile(r"[a-z,;”\"’)](?:\s+[A-Z]{1,3})?\s+[A-Z][A-Z.]{2,}(?:\s+[A-Z][A-Z.]{2,})?\s*:\s+[A-Z]")


def teaser_like(line: str) -> bool:
    """A headline glued to its lead sentence, as lists of other articles show them.

    Headlines capitalise words that prose leaves lower-case ("Bill At Troy",
    "Return To"), and a lead quoted in a list keeps its dateline ("... from
    US NEW DELHI: Their American dream ...").
    """
    words = line.split(None, 12)[:12]
    caps = run = 0
    for w in words:
        if not (w[:1].isupper() or w[:1].isdigit() or w[:1] in "$‘'\"“"):
            break
        run += 1
        if w in _FUNCTION_CAPS and run > 1:
            caps += 1
    if run >= 4 and caps >= 1 and run < len(words):
        return True
    head = line[:200]
    # The dateline's colon is a cheap gate before a regex that tries every position.
    return ":" in head and _MID_DATELINE.search(head) is not None


# Ordered: the first classifier that claims a line names the edit.
LINE_CLASSIFIERS = {
    "caption-credit": caption_credit,
    "byline": byline,
    "dateline": dateline,
    "share-buttons": share_buttons,
    "ui-chrome": ui_chrome,
    "subscribe": subscribe,
    "cookie-consent": cookie_consent,
    "donation": donation,
    "tag-list": tag_list,
    "teaser-marker": teaser_marker,
    "breadcrumb": breadcrumb,
    "source-line": source_line,
    "rights-notice": rights_notice,
    "comment-header": comment_header,
}


def classify(line: str, edge: bool = False) -> str | None:
    """Name of the first classifier that calls ``line`` furniture, or None."""
    for name, fn in LINE_CLASSIFIERS.items():
        if fn(line, edge):
            return name
    return None


# --- corpus-level furniture -------------------------------------------------

_NORM_SPACE = re.compile(r"\s+")
_NORM_DIGITS = re.compile(r"\d+")


def normalise_line(line: str) -> str:
    """Key under which a line is counted across documents: case, spacing and numbers ignored."""
    return _NORM_DIGITS.sub("0", _NORM_SPACE.sub(" ", line).strip().lower())


def _eligible(key: str) -> bool:
    # One-word lines ("Politics") and long paragraphs are left to the rules:
    # counting them across a corpus would strip syndicated article text.
    return 3 <= len(key) <= 400 and any(c.isalpha() for c in key)


def corpus_furniture(
    docs: Iterable[tuple[str, str | None, str]],
    min_docs: int = 3,
    min_share: float = 0.02,
) -> dict[str, str]:
    """Lines that recur across documents of one outlet (or the whole corpus).

    A line counts as furniture when it appears in at least ``min_docs``
    documents of an outlet and in at least ``min_share`` of them (or in that
    share of the whole corpus), *and* recurs more often than the copies of
    the documents that hold it explain: copies of one article share every
    line, so for each document we take the typical document frequency of its
    own lines, and a line must be seen in more than twice that many documents.
    Returns normalised line -> evidence.
    """
    doc_lines: list[tuple[str, list[str]]] = []
    outlet_size: Counter[str] = Counter()
    for _doc_id, outlet, raw in docs:
        found = {normalise_line(ln) for ln in raw.splitlines()}
        o = (outlet or "").strip().lower()
        doc_lines.append((o, sorted(k for k in found if _eligible(k))))
        outlet_size[o] += 1
    n_docs = len(doc_lines)
    if n_docs < min_docs:
        return {}
    df: Counter[str] = Counter()
    for _o, doc_keys in doc_lines:
        df.update(doc_keys)
    # Typical frequency of a document's own lines: ~1 for a unique article,
    # ~c for each of c copies of one article.
    typical: list[float] = []
    for _o, doc_keys in doc_lines:
        long_keys = [k for k in doc_keys if k.count(" ") >= 7] or doc_keys
        typical.append(median(df[k] for k in long_keys) if long_keys else 1.0)
    holders: defaultdict[str, list[int]] = defaultdict(list)
    for i, (_o, doc_keys) in enumerate(doc_lines):
        for k in doc_keys:
            if df[k] >= min_docs:
                holders[k].append(i)
    out: dict[str, str] = {}
    for key, idx in holders.items():
        copies = median(typical[i] for i in idx)
        if df[key] <= 2 * copies:
            continue
        best: tuple[int, str] | None = None
        per_outlet: Counter[str] = Counter(doc_lines[i][0] for i in idx if doc_lines[i][0])
        for o, c in per_outlet.most_common(3):
            if c >= min_docs and c >= min_share * outlet_size[o] and c > 2 * copies:
                best = (c, f"seen in {c} documents of outlet {o}")
                break
        if best is None and df[key] >= max(min_docs, min_share * n_docs):
            best = (df[key], f"in {df[key]} of {n_docs} documents")
        if best is not None:
            out[key] = best[1]
    return out
