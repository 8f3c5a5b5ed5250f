"""What the quotation stage keeps between runs: the cache keys, the layout of each entry, and the
state of the previous run that an incremental run starts from.

``find_reuses(..., cache=...)`` (a :class:`~dedup.runtime.blobs.BlobCache` kept between runs;
the local engine passes the store's, through the run spool). Every entry is keyed by a digest of
what it depends on, with the digest of the :class:`~dedup.reuse.params.ReuseParams`
(``ALGORITHM`` and every tunable) and of the code that makes the results (:func:`code_digest`:
editing it without bumping anything still invalidates every entry), so a stale entry is never
read, and ``retain`` drops the unreferenced ones at the end of a call (:class:`Keys` makes every
key):

* ``s:`` segments: the pass-1 records (winnowed fingerprints, candidate
  mentions with spans) of up to ``segment_slots`` documents each, one immutable
  entry per segment (:class:`~dedup.runtime.reuse_segments.RecordSegment`), with every
  fingerprint occurrence sorted, so that the documents holding given fingerprints are found by
  binary search. A document is known by its id and text key
  (``docs.text_keys()`` of a store; else :func:`~dedup.runtime.reuse_runner.plain_text_key`); ids,
  names and dates come from ``docs.naming()`` (no text). Only documents
  no segment holds are read: a text some segment holds is copied from it,
  one with a ``1:`` entry is taken from there, the rest are scanned (once
  per text, in the pool while this process goes on). They make a new
  segment; the two smallest segments are merged while there are more than
  ``segment_slack`` beyond the fewest that could hold the corpus (and the two
  fit in one), and one mostly of gone documents is rewritten. A run reads
  its segments whole (~4 bytes a fingerprint occurrence), never 100k small
  records.
* ``1:`` pass 1 of one document under its text key, as
  :func:`~dedup.runtime.reuse_runner.pass1_entries` makes them (the engine's ingest and cleaning workers
  do, while they have the texts): read by the next call, which keeps the record in a
  segment and lets the entry go.
* ``state:`` the previous run's segments; per segment slot, whether it held
  a document then, that document's group and the mentions selected for it;
  the candidate group pairs and the common fingerprints (in more than
  ``max_fp_groups`` groups). A group is unchanged when its members are in the
  slots that held them then, in one group of then that had no other member
  (:func:`~dedup.runtime.reuse_pairs.dirty_groups`). Only pairs with a new or changed group
  are counted, on the occurrences of their fingerprints (and of those of
  documents gone or changed) that the segments give; pairs of unchanged
  groups are carried over, except those sharing a fingerprint whose spread
  crossed ``max_fp_groups``, which are counted again
  (:class:`~dedup.runtime.reuse_pairs.IncrementalPairs`). Exact in every case.
* ``names:``/``like:`` the outlet-name answers of the previous run's
  :class:`~dedup.reuse.attribution.OutletIndex` (fuzzy matches, and whether a name
  looks like an outlet), with the keys they were given for: reused where they
  still hold (:meth:`~dedup.reuse.attribution.OutletIndex.remember`,
  :meth:`~dedup.reuse.attribution.OutletIndex.like_changed`). A document keeps the
  mentions selected for it when every name it asks about keeps its answer;
  only the others (and new documents) are selected again (:func:`select_mentions`).
  ``matches:`` answers of :func:`~dedup.reuse.attribution.outlet_matches` (a pure
  function of two names) that citations asked.
* ``x:`` the exact passage keys of a document, so that the corpus-wide
  boilerplate is computed without making passages of unchanged documents.
* ``p:`` the result of one candidate group pair, under a digest of
  everything its matching sees (:func:`pair_keys`): member ids and text keys in order, which
  group each is in, canonical members, group names, dates, selected
  mentions, the boilerplate keys among the members' passages, the config.
  Only pairs not in the cache are matched.

Prune and citations stay global (cheap: no document is read for them). The
result is the one of a run without a cache (tests compare them on added,
changed and removed documents, clusters that gain or split, and fingerprints
crossing ``max_fp_groups`` both ways, segments merged and rewritten), provided
that a text key changes whenever a document's clean text or offset map can
(the store's contract); a change of the code changes every key through
:func:`code_digest` (SEGMENT_FORMAT, STATE_FORMAT, PASS1_FORMAT and ITEMS_FORMAT
still name the layouts).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import pickle
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.models import Attribution, Reuse, Span
from dedup.reuse.align import Segment
from dedup.reuse.attribution import OutletIndex
from dedup.reuse.direction import Verdict
from dedup.reuse.edges import Item
from dedup.reuse.groups import Groups
from dedup.reuse.params import ReuseParams, digest
from dedup.reuse.pass1 import MenRow, RawRow, Record, select_rows
from dedup.runtime.blobs import BlobCache
from dedup.runtime.reuse_segments import SEGMENT_FORMAT, Records, RecordSegment

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
# Part of the pass-1 and pair-result keys: bump when a record's layout changes (the results do not).
PASS1_FORMAT = 2
ITEMS_FORMAT = 3
# Part of the state key's check: bump when its layout changes.
STATE_FORMAT = 4


_DEDUP = Path(__file__).resolve().parent.parent
#: Libraries whose answers the quotation results depend on.
_LIBRARIES = ("numpy", "rapidfuzz", "ahocorasick-rs")


@lru_cache(maxsize=4)
def code_digest(root: Path = _DEDUP) -> str:
    """A digest of the code that makes the quotation stage's results, read once per process:
    the source of every module of ``dedup/reuse/`` (the algorithm), ``dedup/fingerprint.py`` (its
    shingles and signatures), ``dedup/wordfind.py`` (the anchor word search) and
    ``dedup/runtime/reuse_*.py`` (how records are kept and pairs counted between runs), the
    versions of the libraries they lean on, and Python's.

    A stamp bumped by hand goes stale the first time someone edits the code and forgets it; then
    an incremental run reads cached pair results the new code would not make. ``root`` is the
    package folder (tests pass a copy)."""
    files = [*sorted((root / "reuse").glob("*.py")), root / "fingerprint.py", root / "wordfind.py",
             *sorted((root / "runtime").glob("reuse_*.py"))]
    h = hashlib.blake2b(digest_size=16)
    for path in files:
        text = path.read_text(encoding="utf-8")
        h.update(f"{path.relative_to(root)}\0{len(text)}\0{text}".encode("utf-8", "surrogatepass"))
    for lib in _LIBRARIES:
        try:
            version = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            version = ""
        h.update(f"{lib}=={version}\0".encode())
    h.update(f"python {sys.version_info[0]}.{sys.version_info[1]}".encode())
    return h.hexdigest()


class Keys:
    """Every cache key of a run with these parameters (and this code)."""

    def __init__(self, params: ReuseParams) -> None:
        self.digest = digest(params.digest(), code_digest())
        self.state = f"state:{self.digest}"
        self.names = f"names:{self.digest}"
        self.like = f"like:{self.digest}"
        self.matches = f"matches:{self.digest}"

    def pass1(self, text_key: str) -> str:
        return f"1:{digest(self.digest, PASS1_FORMAT, text_key)}"

    def segment(self, ids: list[str], text_keys: list[str]) -> str:
        return "s:" + digest(self.digest, SEGMENT_FORMAT, ids, text_keys)

    def exact_base(self, seed: int) -> str:
        """The part of every ``x:`` key of a run (then ``:text_key``)."""
        return f"x:{digest(self.digest, seed)}"

    def pair_base(self, config: Config) -> str:
        """The part of every ``p:`` key of a run (:func:`pair_keys`)."""
        return digest(self.digest, ITEMS_FORMAT, repr(config))


@dataclass
class Catalog:
    """What each document of a run is (by corpus index): its id, text key and date; and its group."""

    ids: list[str]
    text_keys: list[str]
    dates: list[str | None]
    index: dict[str, int]
    groups: Groups

    def date_of(self, i: int) -> str | None:
        return self.groups.date_of(i, self.dates)


# ----------------------------------------------------------------------------- the cache
class NoCache:
    """The :class:`BlobCache` of a call without one: nothing kept."""

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {}

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        return None

    def retain(self, keys: Iterable[str]) -> None:
        return None


def get_many(cache: BlobCache, keys: Iterable[str], batch: int) -> dict[str, bytes]:
    """``cache.get_many`` in batches: a store may answer one huge request by reading its whole
    namespace, every value of it, where lookups by key read only what is asked for."""
    wanted = list(keys)
    out: dict[str, bytes] = {}
    for lo in range(0, len(wanted), batch):
        out.update(cache.get_many(wanted[lo : lo + batch]))
    return out


# ----------------------------------------------------------------------------- entries
def pack_record(fp: U32, raw: list[RawRow]) -> bytes:
    """A ``1:`` entry: a pass-1 record."""
    tail = pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL) if raw else b""
    return len(fp).to_bytes(4, "little") + fp.astype("<u4").tobytes() + tail


def unpack_record(blob: bytes) -> Record:
    n = int.from_bytes(blob[:4], "little")
    fp = np.frombuffer(blob, dtype="<u4", count=n, offset=4).astype(np.uint32, copy=False)
    rest = blob[4 + 4 * n :]
    raw: list[RawRow] = pickle.loads(rest) if rest else []
    return fp, raw


def _span_row(sp: Span) -> tuple[int, int, str, int | None, int | None]:
    return (sp.start, sp.end, sp.text, sp.raw_start, sp.raw_end)


def _attr_row(a: Attribution | None) -> tuple[str, int | None, str] | None:
    return None if a is None else (a.outlet, a.year, a.text)


def _row_attr(a: tuple[str, int | None, str] | None) -> Attribution | None:
    return None if a is None else Attribution(*a)


def pack_items(items: list[Item], ids: list[str]) -> bytes:
    """A ``p:`` entry: one group pair's results with documents named by id (indices change between
    runs), as plain values (dataclasses unpickle ~30x slower)."""
    rows = [
        (
            ids[s.a], ids[s.b], s.a_tok, s.b_tok, s.a_chr, s.b_chr, s.matched, sorted(ids[i] for i in s.also_in),
            ids[v.quoting], ids[v.source], v.direction, v.confidence, v.evidence, v.quoted, _attr_row(v.attribution),
            v.has_attribution, v.kind,
            (r.quoting, r.source, r.direction, _span_row(r.quoting_span), _span_row(r.source_span), r.similarity,
             r.quoted, _attr_row(r.attribution), r.evidence, r.confidence, r.also_in, r.kind),
        )
        for s, v, r in items
    ]
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_items(blob: bytes, index: Mapping[str, int]) -> list[Item]:
    out: list[Item] = []
    for a, b, at, bt, ac, bc, m, also, q, s, direction, conf, ev, quoted, attr, has_attr, kind, r in pickle.loads(blob):
        seg = Segment(index[a], index[b], at, bt, ac, bc, m, {index[i] for i in also})
        ver = Verdict(index[q], index[s], direction, conf, ev, quoted, _row_attr(attr), has_attr, kind)
        rq, rs, rd, qsp, ssp, sim, rquoted, rattr, rev, rconf, ralso, rkind = r
        reuse = Reuse(rq, rs, rd, Span(*qsp), Span(*ssp), sim, rquoted, _row_attr(rattr), rev, rconf, ralso, rkind)
        out.append((seg, ver, reuse))
    return out


def boiler_of(owner: I64, exact: U64, boiler: I64) -> dict[int, list[int]]:
    """The boilerplate keys (``boiler``, sorted) among the passages of each document (``owner``/
    ``exact``: the document and exact key of every passage)."""
    hit = np.zeros(len(exact), dtype=bool)
    if len(boiler):
        ex = exact.astype(np.int64)
        hit = boiler[np.minimum(np.searchsorted(boiler, ex), len(boiler) - 1)] == ex
    out: dict[int, list[int]] = defaultdict(list)
    for i, x in zip(owner[hit].tolist(), exact[hit].astype(np.int64).tolist(), strict=True):
        out[i].append(x)
    return out


def pair_keys(
    base: str, catalog: Catalog, pairs: I64, selected: Mapping[int, list[MenRow]], involved: list[int],
    boiler: Mapping[int, list[int]],
) -> list[str]:
    """Per candidate group pair, a digest of everything matching sees of it: member ids and text
    keys in index order, which group each is in, the canonical members, group names, dates,
    selected mentions, the boilerplate keys among the members' passages (``boiler``, of
    :func:`boiler_of`), the config and parameters (``base``: :meth:`Keys.pair_base`)."""
    groups = catalog.groups
    group = groups.group.tolist()
    dates, group_date, ids, text_keys = catalog.dates, groups.date, catalog.ids, catalog.text_keys
    doc_key = {
        i: digest(ids[i], text_keys[i], dates[i] or group_date.get(group[i]), selected.get(i, []),
                  sorted(set(boiler[i])) if i in boiler else [])
        for i in involved
    }
    group_key: dict[int, str] = {}
    out: list[str] = []
    for g1, g2 in pairs.tolist():
        members = sorted(groups.members[g1] + groups.members[g2])
        # the groups in the order of their first member: group ids are not stable between runs
        first = group[members[0]]
        second = g2 if first == g1 else g1
        for g in (first, second):
            if g not in group_key:
                group_key[g] = digest(ids[groups.canonical[g]], groups.names.get(g, []))
        out.append(
            "p:" + digest(base, [(doc_key[m], group[m] == first) for m in members], group_key[first], group_key[second])
        )
    return out


# ----------------------------------------------------------------------------- the previous run
def load_state(cache: BlobCache, blob: bytes | None, batch: int) -> tuple[dict[str, Any] | None, list[RecordSegment]]:
    """The previous run's state and its segments (each with what the state says of its slots);
    None and no segment when there is none, or any part of it is missing."""
    if blob is None:
        return None, []
    state: dict[str, Any] = pickle.loads(blob)
    if state.get("format") != STATE_FORMAT:
        return None, []
    got = get_many(cache, state["segments"], batch)
    segs: list[RecordSegment] = []
    for k, key in enumerate(state["segments"]):
        seg = RecordSegment.unpack(key, got[key]) if key in got else None
        if seg is None:
            return None, []
        seg.alive_last = state["alive"][k]
        seg.old_group = state["group"][k]
        seg.selected = state["selected"][k]
        segs.append(seg)
    return state, segs


def state_entry(segs: list[RecordSegment], group: I64, selected: Mapping[int, list[MenRow]], pairs: I64,
                common: U32) -> bytes:
    """The ``state:`` entry of a run that keeps ``segs``: which slots hold a document, its group
    and the mentions selected for it, the candidate group pairs and the common fingerprints."""
    seg_of = np.full(len(group), -1, dtype=np.int64)
    slot_of = np.full(len(group), -1, dtype=np.int64)
    for k, seg in enumerate(segs):
        slots = np.flatnonzero(seg.doc >= 0)
        seg_of[seg.doc[slots]] = k
        slot_of[seg.doc[slots]] = slots
    by_seg: list[dict[int, list[MenRow]]] = [{} for _ in segs]
    for i, sel in selected.items():
        by_seg[seg_of[i]][int(slot_of[i])] = sel
    state = {"format": STATE_FORMAT, "segments": [seg.key for seg in segs],
             "alive": [seg.doc >= 0 for seg in segs],
             "group": [np.where(seg.doc >= 0, group[np.maximum(seg.doc, 0)], -1) for seg in segs],
             "selected": by_seg, "pairs": pairs, "common": common}
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def select_mentions(
    records: Records, outlets: OutletIndex, names_blob: bytes | None, like_blob: bytes | None,
) -> tuple[dict[int, list[MenRow]], int]:
    """The candidate mentions that name an outlet, per document, and how many documents were
    selected again.

    A document the previous run saw keeps its selection when every name it had to ask about
    (:func:`~dedup.reuse.attribution.looks_like_outlet`) gets the same answer now (the answers of
    the previous run's outlet index, ``names_blob``/``like_blob``, carried over where provably
    the same); the others are selected again.
    """
    # the fuzzy outlet-name answers of the previous run: only names it did not ask, and the
    # outlet keys this corpus adds, are searched (exact: OutletIndex.remember)
    if names_blob is not None:
        outlets.remember(*pickle.loads(names_blob))
    prior: dict[str, bool] = {}
    if like_blob is not None:
        like = pickle.loads(like_blob)
        prior = like[1]
        outlets.remember_like(*like)
    changed = outlets.like_changed() if like_blob is not None else None
    out: dict[int, list[MenRow]] = {}
    again = 0
    sel: list[MenRow] | None
    bad = changed if changed is not None else set()
    for seg in records.segs:
        held = seg.doc.tolist()
        alive_last = seg.alive_last.tolist() if changed is not None else [False] * len(held)
        for s, rows in seg.raw.items():
            i = held[s]
            if i < 0:
                continue
            sel = None
            if alive_last[s]:
                for r in rows:
                    if r[6] and (r[0] not in prior or r[0] in bad):
                        break
                else:
                    sel = seg.selected.get(s, [])
            if sel is None:
                sel = select_rows(rows, outlets)
                again += 1
            if sel:
                out[i] = sel
    for i in records.new_docs:
        new_rows = records.raw.get(i)
        if new_rows:
            sel = select_rows(new_rows, outlets)
            again += 1
            if sel:
                out[i] = sel
    return out, again
