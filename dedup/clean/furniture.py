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

:data:`LINE_CLASSIFIERS` is their registry, in order, and :func:`classify`
asks them. Lines that are furniture because they recur across documents are
found by :mod:`dedup.clean.corpus`, not here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from dedup.clean import notices as _notices

# --- shape helpers ---------------------------------------------------------

_CLOSERS = "\"'”’»)]}*"
_STOPS = ".!?。！？…"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=16384)
def units(line: str) -> int:
    """Length in words; scripts written without spaces count one word per two characters."""
    n = line.count(" ") + 1 if line else 0
    if not line.isascii():
        cjk = len(_CJK.findall(line))
        if cjk:
            n = max(n, n + cjk // 2 - cjk // 8)
    return n


def ends_sentence(line: str) -> bool:
    """Ends in a full stop, question or exclamation mark, maybe inside quotes or brackets."""
    s = line.rstrip(_CLOSERS)
    return bool(s) and s[-1] in _STOPS


def has_lower(line: str) -> bool:
    # map() over the characters: no generator frame per character.
    return any(map(str.islower, line[:400]))


@lru_cache(maxsize=16384)
def lower(line: str) -> str:
    return line.lower()


def _any_in(line: str, needles: tuple[str, ...]) -> bool:
    """Cheap substring gate before a costly regex (most lines hold none of the needles)."""
    return any(map(lower(line).__contains__, needles))


_DIGIT = re.compile(r"\d")


def _has_digit(line: str) -> bool:
    """``_DIGIT.search(line)``; for ASCII text a byte scan."""
    if line.isascii():
        b = line.encode("ascii")
        return len(b.translate(None, b"0123456789")) != len(b)
    return _DIGIT.search(line) is not None


_MEMOS: list[dict[str, Any] | set[str]] = []


def register_memo(*memos: dict[str, Any] | set[str]) -> None:
    """Have clear_caches() empty these memos of line decisions too."""
    _MEMOS.extend(memos)


def clear_caches() -> None:
    """Forget memoised line shapes and decisions (for honest timing of distinct texts)."""
    units.cache_clear()
    lower.cache_clear()
    is_sentence.cache_clear()
    words.cache_clear()
    for memo in _MEMOS:
        memo.clear()


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


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# _WORD on lower-cased ASCII text, where its letter class is [a-z]: the
# negated class with categories costs several times more per character.
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _words(line: str) -> list[str]:
    low = line.lower()
    return _ASCII_WORD.findall(low) if low.isascii() else _WORD.findall(low)


@lru_cache(maxsize=16384)
def words(line: str) -> tuple[str, ...]:
    """The words of a short line, lower-cased (memoised: two classifiers ask)."""
    return tuple(_words(line[:300]))


def _all_in(line: str, vocab: frozenset[str], max_words: int) -> bool:
    if len(line) > 12 * max_words:
        return False
    if len(line) <= 300:
        # The first word alone turns most lines down, without finding the others.
        low = lower(line)
        first = (_ASCII_WORD if low.isascii() else _WORD).search(low)
        if first is None or first.group() not in vocab:
            return False
    words_ = words(line)
    if not words_ or len(words_) > max_words:
        return False
    return all(w in vocab for w in words_)


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


_CREDIT_WORD_RE = re.compile(_CREDIT_WORD)


def _credit_prefix(prefix: str) -> bool:
    words = prefix.split()
    if not words or len(words) > 8 or ends_sentence(prefix):
        return False
    low = prefix.lower()
    credit_word = _CREDIT_WORD_RE.match(low) is not None
    if not ("/" in prefix or " via " in low or " vía " in low or credit_word):
        return False  # not marked as a credit (decided before counting letters)
    letters = [c for c in prefix if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper * 2 >= len(letters) or credit_word


def caption_credit(line: str, edge: bool = False) -> bool:
    """Photo captions and credits: ``PHOTO/French Army via AP - ...``, ``... - MAJDI FATHI / NurPhoto vía AFP``."""
    if len(line) > 600:
        return False
    if _CREDIT_HEAD.match(line):
        return not (ends_sentence(line) and units(line) > 40)
    m = _CREDIT_DASH.match(line) if ("-" in line or "–" in line or "—" in line) else None
    if m and _credit_prefix(m.group(1)):
        return True
    if not ends_sentence(line) and _credit_tail(line[-80:]):
        return True
    return _labelled_credit(line)


# The names _CREDIT_TAIL ends with (it is case-sensitive): a tail that ends
# with none of them, after a bracket and spaces, cannot match.
_AGENCIES = tuple(
    "AFP AP Photo Reuters REUTERS EFE EPA Getty Images Shutterstock NurPhoto Xinhua ANSA dpa DPA Bloomberg "
    "Anadolu Agency IANS PTI ANI TASS Sputnik Pool Handout Press Alamy iStock iStockphoto Wikimedia Commons "
    "Twitter Facebook Instagram".split()
)


# A caption that ends with its labelled credit: "... a soft place to land. Credit: Adam and Elizabeth
# Paashaus", "... St. Stephen's Basilica in Budapest. Photo by: 'Elio Santos'.", "(Photo: Getty Images)".
# The label follows a sentence's end (or a bracket) and the credit is a name: a few capitalised
# words. "Source:" is left out: a chart's source line is part of what an article says.
_LABELLED_CREDIT = re.compile(
    r"(?:[.!?\"”’)]\s+|\(|^)"
    r"(?i:(?:photo|image|picture)\s+credits?|credits?|photo(?:graph)?s?|pictures?|images?)(?:\s+(?i:by))?\s*:\s*"
    r"['‘\"“]?[A-Z0-9][\w.&'’-]*(?:\s+(?:(?:and|of|for|via|&|/)\s+)?[A-Z0-9][\w.&'’-]*){0,5}['’\"”]?\.?\)?\s*$"
)
_BULLETS = ("- ", "• ", "* ", "– ", "· ")
#: The longest caption (in words) read as one by its labelled credit.
_CAPTION_WORDS = 60


def _labelled_credit(line: str) -> bool:
    start = max(0, len(line) - 90)
    if ":" not in line[start:] or line.startswith(_BULLETS):
        return False  # (a list item with its picture's credit is a teaser of the list, not a caption)
    return _LABELLED_CREDIT.search(line, start) is not None and units(line) <= _CAPTION_WORDS


def _credit_tail(tail: str) -> bool:
    end = tail.rstrip()
    if end.endswith(")"):
        end = end[:-1]
    return end.endswith(_AGENCIES) and _CREDIT_TAIL.search(tail) is not None


# A byline's opening words ("By", "Written by", "Medically reviewed by" ...) and the separator after them.
_BYLINE_LEAD = (
    r"^(?:by|written by|words by|reported by|story by|published by|posted by|author|autor|autora|por|par|von|di|"
    r"(?:(?:medically|clinically|legally|expert)\s+)?reviewed by|fact[- ]checked by|edited by)"
    r"\s*[:|]?\s+"
)
_BYLINE_OPENS = re.compile(_BYLINE_LEAD, re.IGNORECASE)
_BYLINE = re.compile(
    _BYLINE_LEAD +
    r"[A-Z\u00c0-\u024f][\w.'’-]*(?:\s+(?:[A-Z\u00c0-\u024f][\w.'’-]*|and|&|de|van|von|da|del|y|e|,))*"
    r"(?:\s*[|,·•-]\s*.{0,60})?$",
    re.IGNORECASE,
)


# The credits health and finance sites chain in one line: "Medically reviewed by X — Written by Y — Updated on
# March 7, 2025".
_CREDIT_SEP = re.compile(r"\s+[—|•·]\s+")
_CREDIT_DATE = re.compile(r"^(?:updated|published|posted|last updated)(?:\s+on)?:?\s+\S", re.IGNORECASE)


def _credit_chain(line: str) -> bool:
    # (most lines this long are prose: the anchored opening turns them down before any split)
    if _BYLINE_OPENS.match(line) is None:
        return False
    parts = _CREDIT_SEP.split(line.strip())
    return len(parts) >= 2 and all(
        (_BYLINE.match(part) is not None and units(part) <= 14) or _CREDIT_DATE.match(part) is not None
        for part in parts
    ) and _BYLINE.match(parts[0]) is not None


def byline(line: str, edge: bool = False) -> bool:
    """``By Sarah E. Needleman``, ``Author: X``; short and without a full stop. A chain of credits
    (reviewed by, written by, updated on) may be longer."""
    n = units(line)
    if len(line) > 250 or n > 40:
        return False
    if n > (14 if edge else 10) or len(line) > 160:
        return _credit_chain(line)
    # The anchored pattern first: almost every line fails at its first word.
    if _BYLINE.match(line) is None:
        return False
    return not (line.rstrip().endswith(".") and not re.search(r"\b[A-Z]\.$", line.rstrip()))


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_ALTS = (
    r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
    r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b",
    r"(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?\b",
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r")\.?,?(?:\s+\d{4})?\b",
    r"(?:" + _MONTHS + r")\.?\s+\d{4}\b",
)
_DATE_TOKEN = re.compile("|".join(r"\b" + alt for alt in _DATE_ALTS), re.IGNORECASE)
# The same matches at the same places, found 2-3x faster: every alternative
# starts with a digit or a month's first letter, and testing that class
# before the alternatives spares the engine trying all five at every other
# position (the class is matched with the same IGNORECASE folding).
_DATE_FIRST = "".join(sorted({month[0] for month in _MONTHS.split("|")}))
_DATE_TOKEN_FAST = re.compile(r"(?=[\d" + _DATE_FIRST + r"])\b(?:" + "|".join(_DATE_ALTS) + ")", re.IGNORECASE)
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
    # The sentence test first: it turns a line down as surely as a missing date
    # token does, and costs far less than the search for one.
    if len(line) > 200 or not _has_digit(line) or units(line) > 20 or (ends_sentence(line) and units(line) > 8):
        return False
    if not _DATE_TOKEN_FAST.search(line):
        return False
    rest = _AUTHOR_LABEL.sub(" ", line)
    rest = _DATE_TOKEN_FAST.sub(" ", rest)
    rest = _DATE_FILLER.sub(" ", rest)
    return len(rest.split()) <= (3 if edge else 1)


_SHARE = frozenset(
    """share shares shared sharing tweet tweets twitter x facebook email e mail mail print whatsapp linkedin
    pinterest reddit telegram copy copied link url comments comment save saved this article story post page on
    via messenger flipboard pocket gift tumblr vk sms the to with your friends follow us and or google
    bookmark click opens open in new window a friend pin pint it send instagram youtube rss feed permalink
    compartir compartilhar partager teilen baixar download stumbleupon digg bluesky threads mastodon nextdoor""".split()
)
_UI = frozenset(
    """advertisement advertisements advertising ad ads sponsored sponsor content menu search home close skip to main
    navigation nav top back next previous prev loading continue reading the story log in sign out register
    subscribe subscribed login logout more show hide toggle edition english watch video videos listen audio play
    photos photo gallery view comments comment open app download click here expand collapse site index
    account my profile settings sections section news latest print today's paper of up now free trial already
    a subscriber jump scroll full screen fullscreen enable notifications notification accept cookies ok got it
    page image images credit caption icon logo arrow left right up down back permalink feed for view all
    print this caret chevron hamburger below above blog recent footer article continues message
    affiliate disclosure""".split()
)


def share_buttons(line: str, edge: bool = False) -> bool:
    """``Share Tweet Email``, ``Share this article``, ``Follow us on Facebook``."""
    return _all_in(line, _SHARE, 12)


def ui_chrome(line: str, edge: bool = False) -> bool:
    """Interface words only: ``Advertisement``, ``Skip to content``, ``Continue reading the main story``, ``Top``."""
    return _all_in(line, _UI, 8)


_SUBSCRIBE = re.compile(
    r"\b(?:newsletters?|subscribe|subscribers?|subscription|sign[ -]?up|sign\s+me\s+up|sign[ -]?in|log[ -]?in|inbox|"
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
    if n > (40 if edge else 30) or (n > 14 and not edge and _INVITE.match(line) is None):
        return False
    if not _any_in(line, _SUBSCRIBE_NEEDLES):
        # a newsletter box's heading names no list: "Get the latest insights", "Keep up with the latest
        # and greatest in growth marketing" (never a sentence: "Keep up with the latest guidelines." advises)
        return n <= 14 and "latest" in line and _INVITE.match(line) is not None and not is_sentence(line)
    m = _SUBSCRIBE.search(line)
    if m is None:
        return False
    # A reported fact ("the paper lost 3,000 subscribers.") is prose; an invitation is not.
    if not edge and is_sentence(line) and n > 8:
        return _INVITE.match(line) is not None or _OWN_LIST.search(line) is not None
    return True


# "Thanks for reading! Subscribe for free to ...", "Want more? Sign up for our newsletter, ...": the
# site's own list offered anywhere in a short text (a reported fact names somebody else's).
_OWN_LIST = re.compile(
    r"\b(?:sign\s+up\s+for\s+(?:our|my)\s+(?:free\s+)?(?:\w+\s+)?newsletters?|subscribe\s+for\s+free|"
    r"subscribe\s+to\s+(?:our|my)\s+(?:free\s+)?(?:\w+\s+)?(?:newsletters?|blog|channel|list)|"
    r"delivered\s+(?:straight\s+|directly\s+)?to\s+your\s+inbox)\b",
    re.IGNORECASE,
)


# "Sign up for the latest insights ...", "Join our mailing list": an invitation, even as a sentence.
_INVITE = re.compile(
    r"^(?:sign\s+up\b|subscribe\b|join\s+(?:our|the)\b|get\s+the\s+latest|keep\s+up\s+with|"
    r"be\s+the\s+first\s+to\s+know|stay\s+(?:up\s+to\s+date|updated|informed|in\s+the\s+loop)|for\s+daily\b)",
    re.IGNORECASE,
)


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
    r"related\s+(?:tags|topics|terms|companies|brands|products|categories|searches)|"
    r"etiquetas|temas|schlagw(?:ö|o)rter|mots[- ]cl(?:é|e)s)\s*[:»|-]",
    re.IGNORECASE,
)


def tag_list(line: str, edge: bool = False) -> bool:
    """``TAGS: migration crisis, NATO, Belarus``."""
    if len(line) > 600:
        return False
    if _TAGS.match(line) is not None and (not ends_sentence(line.rstrip(" ,")) or units(line) <= 25):
        return True
    return edge and line.strip().lower().rstrip(":") in ("tags", "related tags", "topics", "keywords")


_TEASER = re.compile(
    r"^(?:more\s+(?:in|from|on|about|stories|news|articles|videos|to\s+read|content|posts|recipes|guides)|related(?:\s+(?:posts?|articles?|stories|"
    r"news|content|coverage|topics|reading|links|videos|items))?|read\s+(?:more|also|next)|also\s+read|see\s+also|"
    r"you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested)|recommended(?:\s+(?:for\s+you|stories|"
    r"reading|articles|videos))?|most\s+(?:popular|read|viewed|shared|emailed|commented)|trending(?:\s+now)?|"
    r"latest\s+(?:news|stories|articles|posts|headlines|videos)|top\s+(?:stories|news|headlines)|"
    r"further\s+reading|other\s+(?:articles|stories|news|posts|content|recipes|guides)|popular(?:\s+(?:posts|stories|articles|now))?|"
    r"editor['’]?s\s+picks?|don['’]?t\s+miss|what\s+to\s+read\s+next|up\s+next|next\s+(?:article|story|post)|"
    r"previous\s+(?:article|story|post)|leer\s+m[aá]s|m[aá]s\s+en|lire\s+aussi|weitere\s+artikel|"
    r"(?:\d+\s+)?comments?|leave\s+a\s+(?:comment|reply)|join\s+the\s+(?:conversation|discussion)|"
    r"show\s+comments|post\s+a\s+comment|share\s+your\s+thoughts|discussion|more\s+coverage|in\s+other\s+news|"
    r"around\s+the\s+web|from\s+the\s+web|sponsored\s+(?:links|stories|content)|promoted\s+(?:links|stories|content)|"
    r"you\s+may\s+have\s+missed|trending\s+stories|explore\s+more|keep\s+reading|"
    # the headings of other articles' teasers as sites word them today
    r"read\s+this\s+next|your\s+next\s+read|top\s+trending|recently\s+by\s|more\s+by\s+(?:this\s+)?author|(?:the\s+)?latest\s+from\s+(?:the|our)\s+blog|(?:also|more)\s+in\s+the\s+news|more\s+(?:related|like\s+this|reading|resources|insights|blogs?)|"
    r"(?:latest|recent|similar)\s+(?:insights|blogs?|resources|reviews|posts|articles|stories|guides)|"
    r"related\s+(?:resources|guides|reads|insights|blogs?)|next\s+(?:story|article|post|read)\s*:|"
    r"(?:you['’]?ll|you\s+will)\s+also\s+(?:like|enjoy)|continue\s+reading\s*:|"
    # the boxes that close a post: its author, the site's pledge, a rating of the post
    r"about\s+the\s+(?:authors?|reviewers?|writers?|experts?|contributors?)|meet\s+the\s+(?:author|writer)s?|"
    r"why\s+trust\s+us|was\s+this\s+(?:page|article|post|guide|information)\s+(?:helpful|useful)|"
    r"did\s+you\s+find\s+this\s+(?:page|article|post|helpful|useful)|how\s+was\s+this\s+(?:issue|article|post|newsletter))\b",
    re.IGNORECASE,
)


# "Related: Another Article's Headline" inside the body: a link to another article under its label.
_INLINE_PROMO = re.compile(
    r"^(?i:related|read\s+(?:more|also|next)|also\s+read|see\s+also|you\s+(?:may|might)\s+also\s+like|recommended|more)\s*:\s*"
    r"[\"“‘'(]?[A-Z0-9]",
)


def _inline_promo(line: str) -> bool:
    """A longer "Related: Headline" line: at most 20 words, a headline's capital after the label and a
    headline's ending, not a sentence's stop ("Recommended: use a 2-inch brush." is the article's advice)."""
    return units(line) <= 20 and _INLINE_PROMO.match(line) is not None and not line.rstrip().endswith(".")


_LEAD_SYMBOLS = re.compile(r"^[^\w\"“‘'(\[]+")


def teaser_marker(line: str, edge: bool = False) -> bool:
    """The heading of a block of other articles: ``More in Politics``, ``Related posts``, ``Read more: ...``."""
    if len(line) > 200 or (units(line) > (12 if edge else 8) and not _inline_promo(line)):
        return False
    if _TEASER.match(line) is None and (line[:1].isalnum() or _TEASER.match(_LEAD_SYMBOLS.sub("", line)) is None):
        return False  # (an emoji or a bullet may lead the heading: "🔥 Recommended Posts")
    if is_sentence(line) and units(line) > 4 and not line.rstrip().endswith(("...", "…")):
        # "Related reports say ..." is prose; "Read more: A headline." is not,
        # but only the label form may end with a stop.
        return re.match(r"^\S+(?:\s+\S+)?\s*:", line) is not None
    return True


_BREAD_SEP = re.compile(r"\s(?:>|»|›|/|\||•|·|::|→)\s")
# A character every separator holds: one class scan turns most lines down.
_BREAD_CHAR = re.compile(r"[>»›/|•·:→]")


def breadcrumb(line: str, edge: bool = False) -> bool:
    """``Home > News > World`` / ``Politics | Africa | Mali``."""
    if len(line) > 200 or ends_sentence(line):
        return False
    if line[:1] == "|" or line[-1:] == "|":
        return False  # a table row
    if _BREAD_CHAR.search(line) is None:
        return False  # no separator: one part
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


# _COMMENT_HEAD ends with its verb (then only spaces and a colon): a line
# whose end holds no verb is turned down without the lazy scan from its start.
_COMMENT_VERBS = ("says", "said", "wrote", "writes", "commented", "replied", "responded", "on")
_COMMENT_VERB_END = re.compile("(?:" + "|".join(_COMMENT_VERBS) + ")$", re.IGNORECASE)


def _ends_with_comment_verb(line: str) -> bool:
    end = line.rstrip()
    if end.endswith(":"):
        end = end[:-1].rstrip()
    tail = end[-13:]
    if tail.isascii():
        # ASCII letters fold only to ASCII letters: lower() is IGNORECASE here.
        return tail.lower().endswith(_COMMENT_VERBS)
    return _COMMENT_VERB_END.search(tail) is not None


def comment_header(line: str, edge: bool = False) -> bool:
    """``Gary M on September 17, 2018 at 8:50 pm said:``, ``joetoronto says:``."""
    if len(line) > 140 or units(line) > 16 or not _ends_with_comment_verb(line) or _COMMENT_HEAD.match(line) is None:
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


def _cap_start(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit() or word[:1] in "$‘'\"“"


def _capitalised_run(words: list[str]) -> bool:
    """Four or more leading capitalised words, a function word among them, and prose after."""
    caps = run = 0
    for w in words:
        if not _cap_start(w):
            break
        run += 1
        if w in _FUNCTION_CAPS and run > 1:
            caps += 1
    return run >= 4 and caps >= 1 and run < len(words)


def teaser_like(line: str) -> bool:
    """A headline glued to its lead sentence, as lists of other articles show them.

    Headlines capitalise words that prose leaves lower-case ("Bill At Troy",
    "Return To"), and a lead quoted in a list keeps its dateline ("... from
    US NEW DELHI: Their American dream ...").
    """
    # The capitalised run must reach four words: prose breaks it within the
    # first four, which are cut off alone before the full twelve are.
    if all(_cap_start(w) for w in line.split(None, 4)[:4]) and _capitalised_run(line.split(None, 12)[:12]):
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
    "form-notice": _notices.form_notice,
    "disclaimer": _notices.disclaimer,
    "script-data": _notices.script_data,
    "markup": _notices.markup,
    "author-bio": _notices.author_bio,
    "call-to-action": _notices.call_to_action,
    "donation": donation,
    "tag-list": tag_list,
    "teaser-marker": teaser_marker,
    "breadcrumb": breadcrumb,
    "source-line": source_line,
    "rights-notice": rights_notice,
    "comment-header": comment_header,
}


# The longest line each classifier can claim: its own first test turns longer
# lines down, so classify() need not call it for them (most article lines are
# longer than most of these).
_LENGTH_CAP = {
    "caption-credit": 600, "byline": 250, "dateline": 200, "share-buttons": 12 * 12, "ui-chrome": 12 * 8,
    "subscribe": 500, "cookie-consent": 1200, "donation": 800, "tag-list": 600, "teaser-marker": 200,
    "breadcrumb": 200, "source-line": 120, "rights-notice": 800, "comment-header": 140,
    "form-notice": 1000, "disclaimer": 1500, "author-bio": 1200, "call-to-action": 200,
}  # fmt: skip
_NO_CAP = 1 << 62


# And the most words (units) each can claim, strictly and at the edge: the
# same kind of first test, made on units(line).
_UNITS_CAP = {
    "byline": (40, 40), "dateline": (20, 20), "subscribe": (30, 40), "cookie-consent": (120, 120),
    "donation": (4, 70), "teaser-marker": (20, 20), "source-line": (8, 8), "rights-notice": (25, 60),
    "comment-header": (16, 16), "form-notice": (200, 200), "disclaimer": (90, 300), "author-bio": (150, 200),
    "call-to-action": (7, 25),
}  # fmt: skip
_CAPPED = tuple(
    tuple((_LENGTH_CAP.get(name, _NO_CAP), _UNITS_CAP.get(name, (_NO_CAP, _NO_CAP))[edge], name, fn)
          for name, fn in LINE_CLASSIFIERS.items())
    for edge in (0, 1)
)  # fmt: skip


def _bucket_table(steps: list[int]) -> list[int]:
    """For each length up to the largest step (plus one), how many steps lie below it."""
    return [sum(s < i for s in steps) for i in range(steps[-1] + 2)]


# The caps split lengths and unit counts into a few buckets, within which the
# same classifiers are eligible: classify() looks its candidates up instead of
# testing fourteen caps per line (a line longer than every cap gets none).
_LEN_STEPS = sorted(set(_LENGTH_CAP.values()))
_UNIT_STEPS = sorted({u for pair in _UNITS_CAP.values() for u in pair})
_LEN_BUCKET = _bucket_table(_LEN_STEPS)
_UNIT_BUCKET = _bucket_table(_UNIT_STEPS)


def _widest(steps: list[int], bucket: int) -> int:
    """The largest value in ``bucket``: a classifier whose cap admits it admits the whole bucket."""
    return steps[bucket] if bucket < len(steps) else steps[-1] + 1


_CANDIDATES = tuple(
    tuple(
        tuple(
            tuple((name, fn) for cap, ucap, name, fn in _CAPPED[edge]
                  if _widest(_LEN_STEPS, lb) <= cap and _widest(_UNIT_STEPS, ub) <= ucap)
            for ub in range(len(_UNIT_STEPS) + 1)
        )
        for lb in range(len(_LEN_STEPS) + 1)
    )
    for edge in (0, 1)
)  # fmt: skip


def classify(line: str, edge: bool = False) -> str | None:
    """Name of the first classifier that calls ``line`` furniture, or None."""
    n = len(line)
    u = units(line)
    lb = _LEN_BUCKET[n] if n < len(_LEN_BUCKET) else len(_LEN_STEPS)
    ub = _UNIT_BUCKET[u] if u < len(_UNIT_BUCKET) else len(_UNIT_STEPS)
    for name, fn in _CANDIDATES[1 if edge else 0][lb][ub]:
        if fn(line, edge):
            return name
    return None


# Classifiers whose answer (and caps) do not depend on ``edge``.
EDGE_BLIND = frozenset(
    {"caption-credit", "share-buttons", "ui-chrome", "cookie-consent", "breadcrumb", "source-line", "comment-header",
     "form-notice"}
)
_ORDER = {name: i for i, name in enumerate(LINE_CLASSIFIERS)}


def classify_edge_knowing(line: str, strict: str | None) -> str | None:
    """``classify(line, edge=True)``, given that ``classify(line)`` returned ``strict``.

    The strict pass already turned the line down for every classifier before
    ``strict`` (all of them when None): the edge-blind ones among those need
    not be asked again. Most lines cut at the head or tail are decided by
    the few classifiers that are bolder at the edge.
    """
    n = len(line)
    u = units(line)
    lb = _LEN_BUCKET[n] if n < len(_LEN_BUCKET) else len(_LEN_STEPS)
    ub = _UNIT_BUCKET[u] if u < len(_UNIT_BUCKET) else len(_UNIT_STEPS)
    known = _ORDER[strict] if strict is not None else len(_ORDER)
    for name, fn in _CANDIDATES[1][lb][ub]:
        if name in EDGE_BLIND and _ORDER[name] < known:
            continue
        if fn(line, True):
            return name
    return None
