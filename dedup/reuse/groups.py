"""What each document is to the quotation stage: the names and date it goes by, and its group.

Every document belongs to exactly one group: its near-duplicate cluster, or itself. Copies in one
group are one source: a group knows its members, its canonical member, every outlet name its
members go by (copies share them: a wire copy names the outlet the canonical lacks) and its
earliest date.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.fingerprint import normalise
from dedup.models import Cluster, Document
from dedup.reuse.attribution import OutletIndex, looks_like_outlet

I64 = npt.NDArray[np.int64]

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s+::\s+")
_URL_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/]+)")


# ----------------------------------------------------------------------------- names and dates
@lru_cache(maxsize=1 << 16)
def _normalise_name(name: str) -> str:
    return normalise(name)


@lru_cache(maxsize=1 << 16)
def _iso_date(value: str) -> str | None:
    m = _ISO_DATE.search(value)
    return m.group() if m else None


def doc_date(doc: Document) -> str | None:
    """The document's ISO date (stated, else inferred), if it has one."""
    return date_of(doc.date, doc.inferred)


#: A date held by more than this share of a corpus's dated documents is the day the corpus was
#: collected (a scrape day written into every record), not each article's publication: it is no
#: evidence of who wrote first ...
BULK_DATE_SHARE = 0.5
#: ... in a corpus of at least this many dated documents (a few articles of one day are no scrape).
BULK_DATE_MIN_DOCS = 20


def evidence_dates(dates: Sequence[str | None]) -> list[str | None]:
    """``dates`` without a bulk date (see :data:`BULK_DATE_SHARE`): what direction may rest on."""
    dated = [d for d in dates if d]
    if len(dated) < BULK_DATE_MIN_DOCS:
        return list(dates)
    day, held = Counter(dated).most_common(1)[0]
    if held <= BULK_DATE_SHARE * len(dated):
        return list(dates)
    return [None if d == day else d for d in dates]


def date_of(date: str | None, inferred: Mapping[str, Any]) -> str | None:
    """:func:`doc_date` of a document with these fields."""
    for value in (date, inferred.get("date")):
        if value:
            found = _iso_date(value)
            if found:
                return found
    return None


def _title_suffix(title: str) -> str | None:
    # (the separators need one of these characters: most titles have none, and skip the regex)
    if "-" in title or "|" in title or "–" in title or "—" in title or "::" in title:
        parts = _TITLE_SPLIT.split(title.strip())
        if len(parts) > 1 and 0 < len(parts[-1].split()) <= 4:
            return parts[-1].strip()
    return None


def doc_outlet_names(doc: Document) -> list[str]:
    """Every name the document goes by: stated outlet, inferred outlet, title suffix, URL host."""
    return outlet_names(doc.outlet, doc.title, doc.url, doc.inferred)


def outlet_names(outlet: str | None, title: str | None, url: str | None, inferred: Mapping[str, Any]) -> list[str]:
    """:func:`doc_outlet_names` of a document with these fields (every title suffix; a corpus keeps
    only those that behave like a site's, :func:`corpus_outlet_names`)."""
    return _names(outlet, _suffixes(title, inferred), url, inferred)


def _names(outlet: str | None, suffixes: list[str], url: str | None, inferred: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for value in (outlet, inferred.get("outlet")) if inferred else (outlet,):
        if value:
            names.append(value)
    names.extend(suffixes)
    if url:
        m = _URL_HOST.match(url)
        if m:
            names.append(m.group(1))
    return names


def _suffixes(title: str | None, inferred: Mapping[str, Any]) -> list[str]:
    out = []
    for t in (title, inferred.get("title")) if inferred else (title,):
        if t:
            suffix = _title_suffix(t)
            if suffix is not None:
                out.append(suffix)
    return out


NameRow = tuple[str | None, str | None, str | None, Mapping[str, Any]]
# A title suffix that is a photo credit ("Alex Wong/Getty Images"), not the site's name.
_PHOTO_CREDIT = re.compile(r"/|\b(?:Images|Photos?|Pool)\b")


def corpus_outlet_names(rows: Sequence[NameRow]) -> list[list[str]]:
    """:func:`outlet_names` of every document of a corpus ((outlet, title, url, inferred) each),
    where a title's last part ("... | Miami Herald", "... – Trump") is a name only when it behaves
    like a site's across the corpus: it looks like an outlet's name (a wire, a media word, a
    domain), or it ends the titles of two or more documents that mostly (4 in 5) come from one
    stated outlet, or of three or more where none is stated. A speaker's name after a headline's
    dash, a photo credit or a phrase is not an outlet."""
    held: dict[str, list[str | None]] = defaultdict(list)
    suffixes = [_suffixes(title, inferred) for _, title, _, inferred in rows]
    for (outlet, _, url, _), found in zip(rows, suffixes, strict=True):
        stated = outlet or (m.group(1) if url and (m := _URL_HOST.match(url)) else None)
        for suffix in dict.fromkeys(found):
            held[suffix].append(_normalise_name(stated) if stated else None)
    sites: set[str] = set()
    for suffix, outlets in held.items():
        if (not suffix[:1].isupper() and not suffix[:1].isdigit()) or _PHOTO_CREDIT.search(suffix):
            continue
        if not any(c.isalpha() for c in suffix):
            continue
        stated = [o for o in outlets if o]
        top = Counter(stated).most_common(1)[0][1] if stated else 0
        if (looks_like_outlet(suffix) or (len(outlets) >= 2 and top >= 0.8 * len(outlets))
                or (len(outlets) >= 3 and not stated)):
            sites.add(suffix)
    return [_names(outlet, [s for s in found if s in sites], url, inferred)
            for (outlet, _, url, inferred), found in zip(rows, suffixes, strict=True)]


# ----------------------------------------------------------------------------- groups
@dataclass
class Groups:
    """The group of every document of a corpus (indices into it) and what is known of each group.

    A document alone is its own group (id: its index); a cluster of two or more documents present
    is a group with an id from ``len(corpus)`` on, in the order of the clusters.
    """

    #: the group of each document
    group: I64
    canonical: dict[int, int]
    members: dict[int, list[int]]
    #: every outlet name the members go by, in document order
    names: dict[int, list[str]]
    #: the earliest date of a member (groups with a dated member)
    date: dict[int, str]
    #: outlet names -> the groups that go by them, for citations
    outlets: OutletIndex
    #: the normalised first name of each group that has one
    outlet: dict[int, str | None]
    #: the normalised first name of each document (None: it goes by none)
    doc_outlet: list[str | None]

    def date_of(self, i: int, dates: Sequence[str | None]) -> str | None:
        """Document ``i``'s date (``dates[i]``), else its group's earliest."""
        return dates[i] or self.date.get(int(self.group[i]))


def build_groups(
    index: Mapping[str, int], names: Sequence[list[str]], dates: Sequence[str | None], clusters: Sequence[Cluster],
) -> Groups:
    """The groups of a corpus: ``index`` gives the position of each document id, ``names`` and
    ``dates`` the outlet names and date of each document."""
    n = len(names)
    group = np.arange(n, dtype=np.int64)
    canonical: dict[int, int] = {}
    gid = n
    at: list[int] = []
    ids_of: list[int] = []
    for c in clusters:
        members = [index[m] for m in c.members if m in index]
        if len(members) < 2:
            continue
        at.extend(members)
        ids_of.extend([gid] * len(members))
        canonical[gid] = index.get(c.canonical, min(members))
        gid += 1
    group[np.asarray(at, dtype=np.int64)] = np.asarray(ids_of, dtype=np.int64)
    # members, outlet names (in document order) and earliest date per group: most groups are
    # one document
    group_of = group.tolist()
    single = np.flatnonzero(group < n).tolist()
    # (a dict that makes a missing group empty, as group ids index it without checking)
    by_group: dict[int, list[int]] = defaultdict(list, {i: [i] for i in single})
    canonical.update((i, i) for i in single)
    group_names: dict[int, list[str]] = defaultdict(list, {
        i: ns if len(ns) == 1 else list(dict.fromkeys(ns)) for i in single if (ns := names[i])
    })
    group_date: dict[int, str] = {i: dt for i in single if (dt := dates[i])}
    for i in np.flatnonzero(group >= n).tolist():
        g = group_of[i]
        by_group[g].append(i)
        if names[i]:
            gnames = group_names[g]
            for name in names[i]:
                if name not in gnames:
                    gnames.append(name)
        dt = dates[i]
        if dt and (g not in group_date or dt < group_date[g]):
            group_date[g] = dt
    outlets = OutletIndex()
    outlets.add_many([(name, group_of[i]) for i, doc_names in enumerate(names) for name in doc_names])
    outlet = {g: _normalise_name(gnames[0]) if gnames else None for g, gnames in group_names.items()}
    doc_outlet = [_normalise_name(ns[0]) if ns else None for ns in names]
    return Groups(group, canonical, by_group, group_names, group_date, outlets, outlet, doc_outlet)
