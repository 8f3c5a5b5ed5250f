"""Metadata a document states about itself: title, outlet, date, author.

Only stated values: a date is returned when the text says one near the head
(``date 2022-09-17``, ``Date: 15 February 2023``), never guessed from a
sentence in the body; an outlet comes from a title suffix (``Title |
Atalayar``), a ``Source » jpost`` line, a leading wire tag ``(MENAFN)`` or the
organisation a footer names (``content prepared by Warsaw Institute team``).
"""

from __future__ import annotations

import datetime
import re

_MONTH_NUM = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
#: month names and their abbreviations, full names first (an alternation takes the first that fits)
MONTH_NAMES = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_MONTH = r"(" + MONTH_NAMES + r")\.?"
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})\b", re.IGNORECASE)
_MDY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE)


def _ymd(y: int, m: int, d: int) -> str | None:
    if 1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


#: The defect of a document whose input stated a date that is none ("2018-13-45", "yesterday").
INVALID_DATE = "invalid-date"
_YEAR_MONTH = re.compile(r"\s*(?:19|20)\d\d(?:-(?:0[1-9]|1[0-2]))?\s*")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)")


def _real(y: int, m: int, d: int) -> bool:
    try:
        datetime.date(y, m, d)
    except ValueError:
        return False
    return True


def valid_date(value: str) -> bool:
    """Whether a stated date names a real day (in any form :func:`parse_date` reads), or a year or
    year-month (a partial date is a date)."""
    if _YEAR_MONTH.fullmatch(value):
        return True
    try:
        datetime.datetime.fromisoformat(value.strip())  # "2018-07-16T10:00:00Z"
        return True
    except ValueError:
        pass
    numeric = _NUMERIC_DATE.fullmatch(value.strip())
    if numeric:  # 07/16/2018 or 16.07.2018: a day in either order
        a, b, y = (int(g) for g in numeric.groups())
        return any(_real(y, m, d) for m, d in ((a, b), (b, a)))
    found = parse_date(value)
    return found is not None and _real(*(int(x) for x in found.split("-")))  # not "30 February 2023"


def parse_date(text: str) -> str | None:
    """First full date (day, month and year) stated in ``text``, as YYYY-MM-DD."""
    text = text[:300]
    found: list[tuple[int, str]] = []
    m = _ISO.search(text)
    if m:
        v = _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if v:
            found.append((m.start(), v))
    m = _DMY.search(text)
    if m:
        v = _ymd(int(m.group(3)), _MONTH_NUM[m.group(2).lower()[:3]], int(m.group(1)))
        if v:
            found.append((m.start(), v))
    m = _MDY.search(text)
    if m:
        v = _ymd(int(m.group(3)), _MONTH_NUM[m.group(1).lower()[:3]], int(m.group(2)))
        if v:
            found.append((m.start(), v))
    return min(found)[1] if found else None


# "date 2024-08-05 " at the very start of a scraped text (a scraper's field
# glued to the first line).
_DATE_PREFIX = re.compile(r"^date\s*:?\s+(\d{4}-\d{1,2}-\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\s+", re.IGNORECASE)
# "(MENAFN) " / "(Reuters) - " as the first thing of a line; upper-case initial,
# one or two words, so "(1) " or "(see above) " do not match.
_WIRE_TAG = re.compile(r"^\(([A-Z][A-Za-z&.]{1,15}(?:\s[A-Z][A-Za-z&.]{1,15})?)\)\s*(?:[-–—]\s+)?(?=\S)")


# A tag of one capitalised word of 4+ letters followed by a dash, the way some outlets write a
# dateline ("(HELSINKI) —", "(WASHINGTON) -"); wires written so are named in _AGENCY_NAME.
_DATELINE_TAG = re.compile(r"^\([A-Z]{4,}\)\s*[-–—]")
_AGENCY_NAME = re.compile(
    r"Reuters|Bloomberg|Xinhua|TASS|Interfax|Kyodo|Yonhap|Anadolu|Bernama|Antara|MENAFN|IANS|ANSA|Sputnik|WAFA",
    re.IGNORECASE,
)


def date_prefix(line: str) -> tuple[int, str] | None:
    """(length of the prefix, ISO date) for ``date 2024-08-05 Rest of line``."""
    m = _DATE_PREFIX.match(line)
    if not m:
        return None
    y, mo, d = (int(x) for x in m.group(1).split("-"))
    v = _ymd(y, mo, d)
    return (m.end(), v) if v else None


def wire_tag(line: str) -> tuple[int, str] | None:
    """(length of the tag, wire name) for ``(MENAFN) Russia has ...``."""
    m = _WIRE_TAG.match(line)
    if not m or len(line) - m.end() < 20:
        return None
    if _DATELINE_TAG.match(m.group(0)) and not _AGENCY_NAME.fullmatch(m.group(1)):
        return None  # "(HELSINKI) — With rattled ...": a magazine's dateline, a place, not a wire
    return m.end(), m.group(1)


_TITLE_SEP = re.compile(r"\s+(?:\||–|—|-|::|»)\s+")
_TITLE_SEP_CHARS = "|–—-:»"


def split_title(line: str) -> tuple[str, str | None]:
    """``Iran and Russia gain strength in Mali | Atalayar`` -> (title, outlet).

    The outlet is the last separated part when it is short and the rest is
    longer; otherwise the whole line is the title.
    """
    if not any(c in line for c in _TITLE_SEP_CHARS):
        return line.strip(), None  # no separator: what the split below would find
    parts = _TITLE_SEP.split(line.strip())
    if len(parts) >= 2:
        last = parts[-1].strip()
        head_end = line.rstrip().rfind(last)
        title = _TITLE_SEP.sub(" | ", line[:head_end]).rstrip(" |–—-:»")
        title = line[: len(title)] if line.startswith(title) else title
        if (
            0 < len(last.split()) <= 4
            and len(last) <= 40
            and last[:1].isupper() | last[:1].isdigit()
            and len(title.split()) >= max(2, len(last.split()))
            and not last.endswith(".")
        ):
            return title.strip(), last
    return line.strip(), None


def title_parts(line: str) -> list[str]:
    """The parts of a <title> between its separators: ``Tastify | Top 7 Trends`` -> both."""
    return [p.strip() for p in _TITLE_SEP.split(line.strip()) if p.strip()]


# What a title suffix or a heading line is when it is not a name: a count ("(68102)"), a relative
# time ("2 Hours Ago"), a clock time ("04:15", "8:00 AM ET"). (A dateline city in capitals,
# "HELSINKI", is _CAPS_WORD's.)
_NO_NAME = re.compile(
    r"^[\W\d_]*$|^\d+\s+(?:sec|secs|second|seconds|min|mins|minute|minutes|hour|hours|hr|hrs|day|days|week|weeks)"
    r"\s+ago$"
    r"|^\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?(?:\s+[a-z]{1,4})?$",  # a clock time: "8:00 AM ET", "16.05 GMT"
    re.IGNORECASE,
)
_CAPS_WORD = re.compile(r"^[A-Z]{6,}$")
_QUOTES = re.compile("[\"“”‘’«»]")
# words a name of an outlet may have in lower case ("Voice of America", "Le Monde de l'éducation")
_NAME_GLUE = frozenset(
    "of the and for from on in at to de del della di du des la le les el los y et und van von &".split()
)


def plausible_title(title: str) -> bool:
    """Whether a heading is a title: it has letters and is not a time, a count or a relative time."""
    t = title.strip()
    if not t or _NO_NAME.match(t):
        return False
    if _HAS_DIGIT.search(t):  # a date and a time ("Jul 14, 2018 2:45 PM") are no headline either
        rest = t
        for start, end, _day in reversed(find_dates(t)):
            rest = rest[:start] + " " + rest[end:]
        rest = _CLOCK.sub(" ", rest)
        # only what stood beside a date or a time must leave a word ("G7" is a title)
        return rest == t or _TITLE_WORD.search(rest) is not None
    return True


_HAS_DIGIT = re.compile(r"\d")
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?|\b(?:[ap]\.?m\.?|gmt|utc|[ecmp][sd]?t)\b", re.IGNORECASE)
_TITLE_WORD = re.compile(r"[^\W\d_]{3,}")


def plausible_outlet(outlet: str, title: str = "") -> bool:
    """Whether the suffix of a title (``Title | Outlet``) names an outlet.

    Not when it is a time or count ("04:15"), a dateline in capitals ("HELSINKI"), a phrase with a
    verb or a possessive ("Putin makes everyone wait", "Kavanaugh's record"), or, after a dash, the
    speaker of the words the title quotes ("‘never been worse’ – Trump"). Such a value would make
    every "Trump said" in the corpus a citation of an outlet."""
    o = outlet.strip()
    if not o or _NO_NAME.match(o) or _CAPS_WORD.match(o):
        return False
    words = o.split()
    if any(w.endswith(("’s", "'s")) for w in words[:-1]):
        return False
    if len(words) >= 3 and any(w[:1].islower() and w.casefold() not in _NAME_GLUE for w in words):
        return False
    # "'quoted words' – Speaker": the dash gives the words to someone
    head = title[: title.rfind(o)] if o in title else title
    return not (_QUOTES.search(head) and re.search(r"\s[–—-]\s*$", head) and len(words) <= 3)


def names_outlet(title: str, outlet: str) -> bool:
    """Whether a found title is only the outlet's name ("CBS News" of cbsnews.com, "POLITICO",
    "Reuters•"): the first line of a dump that opens with the site's logo text, not a headline."""
    t, o = _letters(title), _letters(outlet)
    if len(t) < 3 or not o:
        return False
    site = re.sub(r"(?:com|org|net|couk|co|news)$", "", o) if "." in outlet else o
    return t in (o, site) or (len(t) >= 4 and o.startswith(t) and len(o) - len(t) <= 6)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


_SOURCE_OUTLET = re.compile(r"^(?:source|sources|fuente|quelle)\s*(?:»|:|›)\s*(.{2,60}?)\s*$", re.IGNORECASE)


def source_outlet(line: str) -> str | None:
    """``Source » jpost`` -> ``jpost``."""
    m = _SOURCE_OUTLET.match(line.strip())
    return m.group(1) if m else None


_ORG = re.compile(
    r"(?:\bpublished\s+by|\bprepared\s+by|\bproduced\s+by|\bbrought\s+to\s+you\s+by|©|ⓒ|\bcopyright)\s*"
    r"(?:\(c\)\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?(?:the\s+)?"
    r"((?:[A-Z][\w&.'’-]*)(?:\s+(?:[A-Z][\w&.'’-]*|of|for|and|&))*)"
)
_ORG_WORDS = ("published", "prepared", "produced", "brought", "©", "ⓒ", "copyright")
_ORG_SUFFIX = re.compile(r"\s+(?:LLC|Inc\.?|Ltd\.?|Limited|Corp\.?|Co\.?|GmbH|S\.A\.|PLC|plc|AG)\.?$")


def footer_orgs(line: str) -> list[str]:
    """Organisation names a footer line states (``content prepared by Warsaw Institute team``)."""
    out: list[str] = []
    head = line[:600]
    if not any(w in head for w in _ORG_WORDS):
        return out  # each alternative of _ORG starts with one of these (case matters)
    for m in _ORG.finditer(head):
        name = m.group(1).split(". ")[0]
        name = _ORG_SUFFIX.sub("", name.strip(" .,&"))
        name = re.sub(r"\s+(?:of|for|and|&)$", "", name)
        if name and name.lower() not in ("all", "the", "this", "all rights", "images", "copyright"):
            out.append(name)
    return out


def pick_org(names: list[str]) -> str | None:
    """The name the footer names most: ``Warsaw Institute`` over ``Warsaw Institute Foundation``."""
    if not names:
        return None
    scored = sorted(
        {n: sum(1 for o in names if o == n or o.startswith(n + " ")) for n in names}.items(),
        key=lambda kv: (-kv[1], len(kv[0])),
    )
    return scored[0][0]


# A news agency after the name on a byline line ("By Maria Keller, AFP", "By Jill Colvin | Associated
# Press"): kept with the name, since the agency says whose copy the text is (read by provenance).
_AGENCY_AFTER = re.compile(
    r"\s*(?:[,|/–—-]\s*|\s(?:for|of)\s+)(?:the\s+)?(Associated\s+Press|AP|Reuters|AFP|Agence\s+France[- ]Presse"
    r"|Bloomberg|dpa|EFE|ANSA|Xinhua|TASS|Interfax|UPI|Press\s+Association|Kyodo|Yonhap|Anadolu)\b",
    re.IGNORECASE,
)


# A wire sign-off after the body ("(Reporting by ...; Editing by ...)", "Reuters contributed to this
# report"): the article's credit, and the evidence provenance reads that the text is the agency's
# (dedup.reuse.sources.wire_credit), so the cleaner keeps it though it lies outside the main block.
_WIRE_SIGNOFF = re.compile(
    r"\((?:Reporting|Writing|Additional reporting|Editing)\s+by\b[^()\n]{3,200}\)$"
    r"|(?:The\s+)?(?:Associated\s+Press|AP|Reuters|AFP|Agence\s+France-Presse|Bloomberg|dpa|EFE|Xinhua|UPI)"
    r"\s+contributed\s+to\s+this\s+(?:report|story|article)\.?$"
)


def wire_signoffs(lines: list[str], first: int = 0) -> list[int]:
    """The indexes (from ``first``) of the ``lines`` that are a wire sign-off."""
    return [first + k for k, line in enumerate(lines) if _WIRE_SIGNOFF.match(line.strip())]


# A wire credit recurs on every page that carries the agency's copy, yet it is the evidence that the
# text is the agency's (dedup.reuse.sources.wire_credit reads it): corpus furniture never takes it.
_CREDIT_KEY = re.compile(
    r"contributed to this (?:report|story|article)|^\((?:reporting|writing|additional reporting|editing) by\b"
    r"|(?:copyright|©)\s*(?:0+\s+)?(?:the\s+)?(?:associated press|reuters|afp|agence france)"
)


def credit_key(key: str) -> bool:
    """Whether a line key (lowercase, digits as 0: dedup.clean.corpus.normalise_line) is a wire credit."""
    return _CREDIT_KEY.search(key) is not None


# --------------------------------------------------------------------------- dates and bylines near a title
# (dedup.clean.head_meta reads them in the few lines around the article's headline)

_MON_ALT = "(?:" + MONTH_NAMES + ")"
# Every form a page header writes a full date in, each with named groups y, m (number) or mon (name),
# d. The numeric forms: 2025.12.17 and 2025/12/17 (year first), 16.07.2018 (dot: day first),
# 07/16/2018 (slash: month first, as US pages write it), each read the other way when the first
# field cannot be a month. "19-Dec-2025", "25.Jun.2019", "2023 Jan 7", "Jul. 11. 2025" as well.
_DATE_FORMS = re.compile(
    r"\b(?P<iy>(?:19|20)\d\d)[-./•](?P<im>\d{1,2})[-./•](?P<id>\d{1,2})\b"
    r"|\b(?P<nd>\d{1,2})(?P<sep>[./-])(?P<nm>\d{1,2})(?P=sep)(?P<ny>(?:19|20)\d\d)\b"
    r"|\b(?P<dd>\d{1,2})(?:st|nd|rd|th)?[\s.-]+(?:of\s+)?(?P<dmon>" + _MON_ALT + r")\.?[\s.,-]+(?P<dy>(?:19|20)\d\d)\b"
    r"|\b(?P<mmon>" + _MON_ALT + r")\.?\s*(?P<md>\d{1,2})(?:st|nd|rd|th)?[.,]?\s*,?\s+(?P<my>(?:19|20)\d\d)\b"
    r"|\b(?P<yy>(?:19|20)\d\d)\s+(?P<ymon>" + _MON_ALT + r")\.?\s+(?P<yd>\d{1,2})\b",
    re.IGNORECASE,
)


def _form_date(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    if g["iy"]:
        y, mo, d = int(g["iy"]), int(g["im"]), int(g["id"])
    elif g["ny"]:
        a, b, y = int(g["nd"]), int(g["nm"]), int(g["ny"])
        mo, d = (b, a) if g["sep"] == "." else (a, b)
        if mo > 12:
            mo, d = d, mo
    elif g["dy"]:
        y, mo, d = int(g["dy"]), _MONTH_NUM[g["dmon"].lower()[:3]], int(g["dd"])
    elif g["my"]:
        y, mo, d = int(g["my"]), _MONTH_NUM[g["mmon"].lower()[:3]], int(g["md"])
    else:
        y, mo, d = int(g["yy"]), _MONTH_NUM[g["ymon"].lower()[:3]], int(g["yd"])
    return f"{y:04d}-{mo:02d}-{d:02d}" if _real(y, mo, d) else None


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Every full date ``text`` states, as (start, end, YYYY-MM-DD), in order (the first 300 characters)."""
    out = []
    for m in _DATE_FORMS.finditer(text[:300]):
        v = _form_date(m)
        if v:
            out.append((m.start(), m.end(), v))
    return out


# What a label before a date says the date is: a revision, or the first publication.
_UPDATED_LABEL = re.compile(
    r"(?:updated|modified|revised|edited|reviewed|refreshed|last\s+update|aktualisiert|actualizado|mis\s+à\s+jour)"
    r"\W*(?:on|at|:)?\W*$",
    re.IGNORECASE,
)


def revision_date(before: str) -> bool:
    """Whether the text just before a date labels it a revision (``Updated on``, ``Last modified:``)."""
    return _UPDATED_LABEL.search(before[-30:]) is not None


# A byline's opening words: "By", "Written by", "Posted by", "Author:", "Words by", "Story by".
_BY_OPEN = re.compile(
    r"(?:^|(?<=[\s|•·,–—-]))(?:(?:written|posted|published|words|story|article|reported|authored|guide|review|"
    r"analysis|opinion|commentary|column|essay|interview|recipe|feature|post)\s+by|by|"
    r"author(?=\s*:)|autor(?=\s*:)|autora(?=\s*:)|por|par|von)\s*[:|]?\s+",
    re.IGNORECASE,
)
# Where a byline's name ends: a date, a separator, a label, a count ("4 Comments").
_NAME_END = re.compile(
    r"\s*(?:[|•·⋅∙»/—–]|\s-\s|\d|\bon\b|\bin\b|\bat\b|\bposted\b|\bpublished\b|\bupdated\b|\blast\b|\breviewed\b"
    r"|\bedited\b|\bfact\b|\bview\b|\bread\b|\bfollow\b|\bshare\b|\bcomments?\b|\bmins?\b|\bfiled\b|\bphotos?\b"
    r"|\b" + _MON_ALT + r"\b\.?(?=\s*\d))",
    re.IGNORECASE,
)
# A role after the comma of a byline that is the newsroom's, not the author's credential: dropped
# ("By Jane Roe, Staff Writer" -> "Jane Roe"), where "Rebecca Lake, CEPF®" keeps its credential.
_NEWSROOM_ROLE = re.compile(
    r",\s*(?:(?:the\s+)?(?:senior\s+|chief\s+|special\s+|contributing\s+|associate\s+|deputy\s+|managing\s+|"
    r"executive\s+|digital\s+|news\s+|staff\s+)*(?:staff\s+writer|writer|reporter|correspondent|contributor|"
    r"editor|columnist|producer|journalist)s?)$",
    re.IGNORECASE,
)
# Lower-case words a name, a list of names or a credential may hold ("Jared Newman and Sam Singleton",
# "Ludwig van Beethoven", "CEO of CaseBasix").
_NAME_LOWER = frozenset("and & with of de van von der den da del della di du la le y e et bin al to for the".split())
_NAME_WORD = re.compile(r"^[\w.'’®&()-]+,?$")


def name_like(text: str, max_words: int = 8) -> bool:
    """Whether ``text`` reads as a person's (or a team's) name: capitalised words, no sentence."""
    words = text.split()
    if not words or len(words) > max_words or len(text) > 80 or not text[:1].isupper():
        return False
    caps = 0
    for w in words:
        if not _NAME_WORD.match(w):
            return False
        if w[:1].isupper():
            caps += 1
        elif w.casefold().rstrip(",") not in _NAME_LOWER:
            return False
    return (caps >= 1 and not text.rstrip().endswith((".", ":"))) or bool(re.search(r"\b[A-Z]\.$", text))


# Words before a mid-line "by" that make it no byline: a reviewer, a picture's credit, a sponsor, a
# menu ("Fact Checked by: X", "Hero image by X", "Powered by Outside", "Platforms by Industry").
_BY_AFTER_DATE = re.compile(r"(?:\d|\b[ap]\.?m\.?|[|•·⋅∙–—,-])\s*$", re.IGNORECASE)


def byline_name(line: str) -> str | None:
    """The name a byline states in a short line (``By Kathy Owen January 21, 2025``, ``Written by
    Rebecca Lake, CEPF®``, ``Posted by X on Y``, ``May 3, 2017 By Erin Spain 4 Comments``): up to a
    date, a separator or a label. A "by" inside the line counts only after a date or a separator. A
    news agency after the name stays with it."""
    head = line[:300]
    for m in _BY_OPEN.finditer(head):
        if m.start() == 0 or _BY_AFTER_DATE.search(head[: m.start()]):
            break
    else:
        return None
    rest = head[m.end():]
    cut = _NAME_END.search(rest)
    raw = rest[: cut.start()] if cut else rest
    name = raw.strip(" ,;:-–—")
    name = _NEWSROOM_ROLE.sub("", name).strip(" ,")
    words = name.split()
    if len(words) > 2:  # the first two words are the name whatever they say; a role may follow
        name = (" ".join(words[:2]) + _ROLE_AFTER.sub("", " " + " ".join(words[2:]))).strip(" ,")
        words = name.split()
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        name = " ".join(words[:half])  # "Colin Gray Colin Gray": a name and its link
    if len(name) < 2 or not name_like(name, 12) or name.split()[0].casefold() in NOT_NAME_WORDS:
        return None
    agency = _AGENCY_AFTER.match(head, m.end() + len(raw))
    if agency and agency.group(1).casefold() not in name.casefold():
        return f"{name}, {agency.group(1)}"
    return name


# A job title after a name, with or without a comma ("Catherine Boeckmann Executive Digital Editor",
# "Claire Wilson, Co-Founder & COO"): the author is the name. A credential ("CEPF®", "MD") stays.
_ROLE_AFTER = re.compile(
    r"(?:,\s*|\s+)(?:former\s+|senior\s+|chief\s+|executive\s+|managing\s+|deputy\s+|associate\s+|"
    r"co-?)?(?:[A-Z][\w&-]*\s+){0,3}(?:editor|writer|director|officer|columnist|founder|ceo|coo|cto|manager|"
    r"reporter|correspondent|contributor|gardener|head\s+of|president|specialist|strategist|analyst|"
    r"marketer|lead)\b.*$",
    re.IGNORECASE,
)
# Words that are labels of a page, not names: a bare line "Posted On", "Get Started", "No Comments".
NOT_NAME_WORDS = frozenset(
    """posted written by on in at get started no comments comment read more share expert reviewed updated
    published min mins home menu search sign log subscribe contact about blog news latest related tags
    tag category categories type industry role region guide step insights all the a an our your this
    press release sponsored advertisement learn view follow us table contents back top next previous
    trends tools analytics mental health welcome updates update english deutsch español français
    editorial essay received accepted revised submitted review reviews opinion analysis feature features
    interview column""".split()
)


def bare_name(line: str) -> str | None:
    """A line that is only a person's name (``Santiago Parra``, ``LEONARDO GARCIA``): two or three
    capitalised words, no label word among them; or a list of such names (``Rui Ma, Heba Ledwon &
    Suparn Patra``), or one with a short role after a comma (``Mike Marshall, Shipping Expert``)."""
    t = line.strip()
    if len(t) > 120:
        return None
    if " | " in t:  # "Manoj Jain and Jagpreet Chhatwal | Guest Columnists": the names before the role
        t = t.split(" | ")[0]
    parts = [p for p in _NAME_LIST_SEP.split(t) if p]
    if len(parts) == 2 and _person(parts[0]) and "," in t and 1 <= len(parts[1].split()) <= 4:
        role = parts[1].split()
        if all(w[:1].isupper() or w in ("and", "&", "of") for w in role):
            return t  # "Name, Role": the role is part of what the page states
    return t if all(_person(p) for p in parts) else None


def name_with_role(line: str) -> str | None:
    """``Mateusz Haberny Founder at Oakywood``, ``Keith Barry, Senior Autos Reporter`` -> the name: two
    or three name words and a job title after them."""
    words = line.split()
    if len(words) < 3 or len(line) > 80:
        return None
    for n in (2, 3):  # two name words first: a role often has a capitalised word before its noun
        if len(words) > n and _ROLE_AFTER.fullmatch(" " + " ".join(words[n:])):
            name = " ".join(words[:n]).rstrip(",")
            if _person(name):
                return name
    return None


_NAME_LIST_SEP = re.compile(r"\s*(?:,|&|\band\b)\s*")


def _person(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and len(text) <= 40 and all(
        w.casefold() not in NOT_NAME_WORDS and _person_word(w) for w in words)


_PERSON_WORD = re.compile(r"^(?:[A-Z]\.|(?:Mc|Mac|De|Di|Da|La|Le|Van|Von|Fitz)[A-Z][a-z]+|[A-Z]{2,})$")
_NAME_PART = re.compile(r"[-'’]")


def _person_word(word: str) -> bool:
    """A word of a person's name in any alphabet: "Průša", "O'Neil", "Jean-Luc", "J.", "McCain", "BURNS"."""
    if _PERSON_WORD.match(word) or (len(word) >= 2 and word.isalpha() and word.isupper()):
        return True
    parts = _NAME_PART.split(word)
    first = parts[0]
    head = first.isalpha() and first[0].isupper() and (first[1:].islower() if len(first) >= 2 else len(parts) > 1)
    return head and all(p.isalpha() and (len(p) == 1 or p[1:].islower()) for p in parts[1:])
