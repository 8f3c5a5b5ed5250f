"""What kind of page a scrape is, as far as copy clustering must know: two findings, kept as defects.

- ``furniture-only``: the clean text is no article at all: a few words (a widget label such as
  ``more_vert``, a teaser), or photo captions and gallery lines for the most part. Such scrapes
  are the same furniture on every page of a site, so they would glue different stories into one
  cluster; they never cluster (:mod:`dedup.cluster.components`).
- ``live-page``: the raw text carries the item heads of a running file, live blog or aggregator
  page (two or more lines that are only a time of day, or three or more relative times such as
  "19 min ago"). Such a page holds several stories; it is a composite, never a member or the
  canonical copy of one story's cluster. The raw text is read, not the clean one, because the
  cleaner may drop those lines as furniture.

Both bounds were read off real scrapes (the Helsinki summit set, issue 15): a page with two
time-only lines was a running file every time; single stories carry at most one "Updated 3:10 p.m.".
"""

from __future__ import annotations

import re

from dedup.wordfind import WordFinder

# Words as a reader counts them: a run of letters or digits, and each character of a script written
# without spaces (Thai, Lao, Myanmar, Khmer, kana, CJK) on its own, so that a Chinese article has words.
# (Not dedup.fingerprint's tokens: the cleaning stamp hashes only dedup.clean, so a change there would
# leave stale findings in documents cleaned before it.)
_NO_SPACE = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_WORD = re.compile(f"[{_NO_SPACE}]|[^\\W_{_NO_SPACE}]+")

#: Fewer words than this is not an article (a label, a teaser, a share bar).
MIN_ARTICLE_WORDS = 20
#: Share of words in caption lines from which a text is captions, not an article.
CAPTION_SHARE = 0.8
#: Item heads that make a page a running file, live blog or aggregator page.
MIN_TIME_LINES = 2
MIN_RELATIVE_TIMES = 3

# A photo caption or credit line: an agency credit in brackets or after a slash, "Photo:", or a
# gallery line ending in "less" / "... more" (the expand/collapse links of a slideshow).
_CAPTION = re.compile(
    r"\((?:AP|AFP|Reuters|Getty|EPA|Sputnik|[A-Z][\w .]*) ?(?:Photo|Images|Image|Pool)\b[^)]*\)"
    r"|\bAP Photo/|Photo: |\(Photo by |/Getty Images|/AFP\b|/Reuters\b"
    r"|[ \t](?:less|\.\.\. ?more)[ \t]*$",
    re.I | re.M,
)
# A line that is only a time of day ("1:10 p.m.", "11:56") or a relative time ("Updated 5 hours
# ago"); " ### " separates blocks in some scrape formats and counts as a line break.
_TIME_LINE = re.compile(
    r"[ \t]*(?:\d{1,2}(?::\d{2})?\s*(?:a\.m\.|p\.m\.)|\d{1,2}:\d{2}"
    r"|(?:updated\s+)?(?:less than )?\d+\s*(?:min|mins|minutes|hours?|hrs?)\s+ago)[ \t]*",
    re.I,
)
_RELATIVE = re.compile(r"\b\d+\s*(?:min|mins|minutes|hours?)\s+ago\b", re.I)
_RELATIVE_AT_END = re.compile(r"\b\d+\s*(?:min|mins|minutes|hours?)\s+ago$", re.I)
#: Longest line that can be only a time ("Updated less than 59 minutes ago" is 32 characters).
_TIME_LINE_CHARS = 40
# Substrings every caption line has one of (cheap to look for before the caption pattern runs).
# (Substring search costs little for a rare first letter; "less" would cost as much as the scan.)
_CAPTION_HINTS = ("Photo", "PHOTO", "photo", "Getty", "Image", "IMAGE", "Pool", "/AFP", "/Reuters", "... more",
                  "...more")

# The hints of a caption line, lower-case "photo" only where a credit has it ("photo:", "photo by",
# "AP photo/", "(Reuters photo)"): as a word of prose ("photographs") it is in one text in five.
_LINE_HINTS = (*(h for h in _CAPTION_HINTS if h != "photo"), "photo:", "photo by", "photo/", "photo)")
# any(hint in text for hint in _LINE_HINTS) in one scan (Aho-Corasick: 12 µs on an article, where
# the alternation of the fourteen took 20 µs and fourteen scans 27 µs)
_LINE_HINT = WordFinder(list(_LINE_HINTS))


FURNITURE_ONLY = "furniture-only"
LIVE_PAGE = "live-page"
#: A page whose title names a digest, briefing, roundup or running file (found from the title, when
#: copies are grouped: a page of several stories that holds one of them is no copy of it).
DIGEST = "digest"

# Titles of pages made of several stories, in the words news sites use for them: AP's "The Latest:"
# and "News in Brief", "Your Monday Briefing", "Weekend digest", "News roundup", "Today's top stories",
# live blogs. Tied to the formats' words, not to "briefing" or "digest" alone ("a White House press
# briefing", "hard to digest" head articles).
_DIGEST_TITLE = re.compile(
    r"^(?:the latest|in brief|briefing|digest|round-?up|live)\s*:"
    r"|\bnews in brief\b|\b(?:morning|evening|daily|weekly|weekend|your \w+day) (?:briefing|digest)\b"
    r"|\b(?:news|morning|evening|daily|weekly|weekend|week's) round-?up\b|\btop stories\b"
    r"|\blive (?:updates?|blog)\b|\bas it happened\b",
    re.I,
)


# More caption forms, for what a page carries besides its article: AP's "FILE - In this ... photo"
# captions, a credit "via AP" in brackets, and the "Media: Veuer" credit under a video blurb.
_CAPTION_MORE = re.compile(r"^FILE - In this\b|\([^()]*\bvia AP\b[^()]*\)|^Media: \S", re.M)
# A caption without a credit: a short line that ends in the full date the photo was taken
# ("U.S. President Donald Trump arrives in Vantaa, Finland, July 15, 2018."); prose says "on Monday".
_DATED_CAPTION = re.compile(
    r",\s+(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\s+\d{1,2},\s+\d{4}\.?[ \t]*$", re.M)
_LESS_END = re.compile(r"less[ \t]*$", re.M)
#: The longest line (in words) read as a caption by its date alone.
_DATED_CAPTION_WORDS = 40
#: A credit line of at most this many words stands under its caption: the line before it is one too.
_CREDIT_WORDS = 8


def caption_lines(text: str) -> list[str]:
    """The lines of ``text`` that are photo captions or credits, or video blurbs with their credit
    line: an agency credit in the line, a credit line of its own under its caption, or a short line
    that ends in the full date the photo was taken."""
    if not (_LINE_HINT.words_in(text) or "FILE - " in text or "via AP" in text
            or "Media: " in text or ", 20" in text or ", 19" in text or _LESS_END.search(text)):
        return []
    out: list[str] = []
    last = ""
    for line in text.split("\n"):
        if not line.strip():
            continue
        # substring tests first: nearly every line of nearly every text passes no regex
        if (((any(hint in line for hint in _LINE_HINTS) or line.rstrip().endswith("less"))
             and _CAPTION.search(line))
                or (("FILE - " in line or "via AP" in line or line.startswith("Media: "))
                    and _CAPTION_MORE.search(line))
                or ((", 20" in line or ", 19" in line) and len(line) < 12 * _DATED_CAPTION_WORDS
                    and _DATED_CAPTION.search(line) and len(_WORD.findall(line)) <= _DATED_CAPTION_WORDS)):
            if len(_WORD.findall(line)) <= _CREDIT_WORDS and last and last not in out:
                out.append(last)
            out.append(line)
        last = line
    return out


def furniture_only(text: str) -> bool:
    """True when ``text`` (clean) is a few words or mostly photo captions."""
    # Every document passes here: substring tests decide nearly all of them before any regex runs.
    if len(text) < 40 * MIN_ARTICLE_WORDS and len(_WORD.findall(text)) < MIN_ARTICLE_WORDS:
        return True
    if not _LINE_HINT.words_in(text):
        return False
    lines = [line for line in text.split("\n") if any(hint in line for hint in _LINE_HINTS) or
             line.rstrip().endswith("less")]
    captions = sum(len(_WORD.findall(line)) for line in lines if _CAPTION.search(line))
    # the text's words are counted only when there are captions to weigh against them
    return captions > 0 and captions >= CAPTION_SHARE * len(_WORD.findall(text))


def live_page(raw: str) -> bool:
    """True when ``raw`` carries the item heads of a page of several stories."""
    if ("ago" in raw or "AGO" in raw) and _relative_times(raw) >= MIN_RELATIVE_TIMES:
        return True
    if "###" in raw:
        raw = raw.replace("###", "\n")
    short = (line for line in raw.splitlines() if len(line) <= _TIME_LINE_CHARS)
    found = 0
    for line in short:
        if _TIME_LINE.fullmatch(line):
            found += 1
            if found >= MIN_TIME_LINES:
                return True
    return False


def _relative_times(raw: str) -> int:
    """``len(_RELATIVE.findall(raw))``, with the pattern run only just before each "ago"
    (common in prose: "years ago"), not at every word of the page."""
    low = raw.lower()
    count = 0
    i = low.find("ago")
    while i >= 0:
        # the pattern needs a space before "ago" and the count a word's end after it: most "ago"s of
        # prose are inside words ("Chicago", "dragon"), turned down here before the pattern runs
        if i > 0 and low[i - 1].isspace() and (i + 3 == len(low) or not (low[i + 3].isalnum() or low[i + 3] == "_")):
            start = max(0, i - 30)
            m = _RELATIVE_AT_END.search(low, start, i + 3)
            # the match ends at this "ago" and starts at a word boundary of the whole text
            if m is not None and (m.start() > start or start == 0
                                  or not (low[start - 1].isalnum() or low[start - 1] == "_")):
                count += 1
        i = low.find("ago", i + 3)
    return count


def title_findings(title: str | None) -> list[str]:
    """``[DIGEST]`` when ``title`` names a page of several stories, else ``[]``."""
    return [DIGEST] if title and _DIGEST_TITLE.search(title) else []


#: A character the input's bytes could not be decoded to (U+FFFD, one per run of them): a cut
#: multi-byte character, a stray byte of another encoding, half an emoji in a JSON string.
UNDECODABLE = "undecodable"
_REPLACED = re.compile("\ufffd+")


def page_defects(raw: str, text: str) -> list[str]:
    """The page findings of one document, as defect names (empty for an ordinary article), and one
    ``undecodable`` for each run of U+FFFD in its text."""
    found = [UNDECODABLE] * len(_REPLACED.findall(text)) if "\ufffd" in text else []
    if furniture_only(text):
        found.append(FURNITURE_ONLY)
    if live_page(raw):
        found.append(LIVE_PAGE)
    return found
