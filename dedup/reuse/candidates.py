"""Which groups to compare, and which passages are nobody's words.

* Candidate group pairs: groups sharing at least ``min_shared_fp`` winnowed fingerprints of modest
  spread. A fingerprint in more than ``max_fp_groups`` groups is a common phrase or furniture and
  pairs nothing; copies inside one group count once, so syndication costs nothing here. The
  counting works on sorted ``fingerprint << 32 | document`` keys one slice of the fingerprint
  range at a time (:class:`KeySlices`, :func:`count_slice`), so that a caller can bound its
  temporaries and spill counts (:func:`pairs_of_counts` totals them);
  :func:`reference_pairs` is the same definition written plainly.
* Corpus boilerplate (:func:`boilerplate`): exact passage keys in many clusters of one outlet
  (its furniture) or in very many clusters of any outlets (legal notices, newsletter pitches).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations

import numpy as np
import numpy.typing as npt

from dedup.reuse.arrays import pair_codes, sorted_unique
from dedup.reuse.groups import Groups
from dedup.reuse.params import ReuseParams

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
_LOW = np.uint64(0xFFFFFFFF)


# ----------------------------------------------------------------------------- candidate group pairs
class KeySlices:
    """Sorted ``fingerprint << 32 | document`` arrays cut into ``2 ** part_bits`` slices of the
    fingerprint range as they come (:meth:`add`), each slice taken once, sorted (:meth:`take`), and
    let go: the keys of a corpus (~8 bytes a fingerprint occurrence, ~2 GB at a million articles)
    drain as the slices are counted instead of standing whole until the last one is."""

    def __init__(self, part_bits: int) -> None:
        self.part_bits = part_bits
        self.size = 0
        self._pieces: list[list[U64]] = [[] for _ in range(1 << part_bits)]

    @classmethod
    def of(cls, fp_keys: Sequence[U64], part_bits: int) -> KeySlices:
        slices = cls(part_bits)
        for keys in fp_keys:
            slices.add(keys)
        return slices

    def add(self, keys: U64) -> None:
        """One sorted array of keys; cut into slices, each piece a copy (so that the caller's array is
        freed when it lets go), or kept as it is when there is one slice."""
        self.size += len(keys)
        if self.part_bits == 0:
            if len(keys):
                self._pieces[0].append(keys)
            return
        shift = np.uint64(64 - self.part_bits)
        edges = np.searchsorted(keys, np.arange(1, 1 << self.part_bits, dtype=np.uint64) << shift)
        for part, piece in enumerate(np.split(keys, edges)):
            if len(piece):
                self._pieces[part].append(piece.copy())

    def take(self, part: int) -> U64 | None:
        """The keys of slice ``part``, sorted (None when there are none); the slice is empty after."""
        pieces, self._pieces[part] = self._pieces[part], []
        if not pieces:
            return None
        # (the pieces are sorted runs: a stable sort merges them, several times faster than a
        # quicksort, and the group codes made from them are nearly sorted as well)
        return np.sort(np.concatenate(pieces), kind="stable") if len(pieces) > 1 else pieces[0]


def count_slice(
    key: U64, group: I64, n_groups: int, params: ReuseParams,
    keep: Callable[[I64], npt.NDArray[np.bool_]] | None = None,
) -> tuple[U32, I64]:
    """The fingerprints of sorted keys (every occurrence of each) in more than ``max_fp_groups``
    groups, and the codes ``g1 * n_groups + g2`` of the group pairs the others make, each with its
    count (capped at ``min_shared_fp``) packed in one integer: code * 4 + count. ``keep``
    restricts the pairs counted."""
    groups = group[(key & _LOW).astype(np.int64)].astype(np.uint64)
    fg = sorted_unique(((key >> np.uint64(32)) << np.uint64(32)) | groups, kind="stable")
    del groups
    vals = fg >> np.uint64(32)
    grp = (fg & _LOW).astype(np.int64)
    del fg
    starts = np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])
    sizes = np.diff(np.r_[starts, len(vals)])
    common = vals[starts[sizes > params.max_fp_groups]].astype(np.uint32)
    allc = pair_codes(vals, grp, n_groups, params.max_fp_groups)
    del vals, grp
    if keep is not None and len(allc):
        allc = allc[keep(allc)]
    if len(allc) == 0:
        return common, np.empty(0, dtype=np.int64)
    allc = np.sort(allc)
    starts_c = np.flatnonzero(np.r_[True, allc[1:] != allc[:-1]])
    # (only "at least min_shared_fp" matters: the count fits in two bits)
    cnt = np.minimum(np.diff(np.r_[starts_c, len(allc)]), params.min_shared_fp)
    return common, allc[starts_c] * 4 + cnt


def pairs_of_counts(packed: I64, min_shared: int) -> I64:
    """The pair codes whose packed counts (of :func:`count_slice`, any number of slices, every
    count of one pair here) add up to at least ``min_shared``. Sorts ``packed`` in place."""
    packed.sort()
    allc = packed >> 2
    starts_c = np.flatnonzero(np.r_[True, allc[1:] != allc[:-1]])
    total = np.add.reduceat(packed & 3, starts_c)
    return allc[starts_c][total >= min_shared]


def reference_pairs(fps: Sequence[U32], group: I64, params: ReuseParams) -> tuple[I64, U32]:
    """The candidate group pairs ((g1, g2) rows, g1 < g2, in order) of documents with these
    fingerprints, and the common fingerprints (sorted): the definition, one fingerprint at a time."""
    groups_of: dict[int, set[int]] = defaultdict(set)
    for i, doc_fps in enumerate(fps):
        for f in doc_fps.tolist():
            groups_of[f].add(int(group[i]))
    shared: dict[tuple[int, int], int] = defaultdict(int)
    common = []
    for f, gs in groups_of.items():
        if len(gs) > params.max_fp_groups:
            common.append(f)
            continue
        for pair in combinations(sorted(gs), 2):
            shared[pair] += 1
    pairs = sorted(pair for pair, count in shared.items() if count >= params.min_shared_fp)
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2), np.asarray(sorted(common), dtype=np.uint32)


# ----------------------------------------------------------------------------- boilerplate
def boilerplate(
    owner: I64, exact: U64, groups: Groups, furniture_min_docs: int, params: ReuseParams, *,
    small_count: int = 1 << 62, part_bits: int = 0,
) -> I64:
    """Exact passage keys repeated across many clusters: one outlet's furniture or corpus-wide
    boilerplate (sorted, as int64).

    ``owner``/``exact``: the document and exact key of every passage of the documents that pass 2
    reads. Above ``small_count`` passages, worked in ``2 ** part_bits`` slices of the key range (a
    key is decided on its own), so that the temporaries are a fraction of the input.
    """
    group = groups.group
    limit = max(params.global_boiler_min, int(params.global_boiler_share * len(groups.members)))
    least = min(limit, max(2, furniture_min_docs))
    # A key in fewer than ``least`` passages is in fewer groups than either kind of boilerplate
    # needs. Counts of slices of the keys' bits rule most keys out in a few cheap passes (all
    # passages of a key pass or fail together, so each pass counts among the survivors).
    for shift in (0, 21, 42):
        if len(exact) == 0:
            return np.empty(0, dtype=np.int64)
        bits = int(min(21, max(10, np.ceil(np.log2(len(exact))) + 1)))
        piece = ((exact >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.intp)
        cand = np.bincount(piece, minlength=1 << bits)[piece] >= least
        del piece
        owner, exact = owner[cand], exact[cand]
    # outlet of each group left as a number (only equality matters; 0: none)
    outlet_id: dict[str | None, int] = {None: 0}
    group_outlet = np.zeros(int(group.max()) + 1 if len(group) else 1, dtype=np.int64)
    for g in np.unique(group[owner]).tolist():
        group_outlet[g] = outlet_id.setdefault(groups.outlet.get(g), len(outlet_id))
    furniture = max(2, furniture_min_docs)
    if len(exact) <= small_count:
        return _boilerplate_part(owner, exact, group, group_outlet, limit, furniture)
    parts = 1 << part_bits
    # (small integers: a stable sort of bytes is a radix sort, many times faster than of int64)
    top = (exact >> np.uint64(64 - part_bits)).astype(np.uint8 if part_bits <= 8 else np.int64)
    order = np.argsort(top, kind="stable")
    cuts = np.searchsorted(top[order], np.arange(parts + 1))
    del top
    found: list[I64] = []
    for part in range(parts):
        sel = order[cuts[part] : cuts[part + 1]]
        if len(sel):
            found.append(_boilerplate_part(owner[sel], exact[sel], group, group_outlet, limit, furniture))
    return np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)


def _boilerplate_part(owner: I64, exact: U64, group: I64, group_outlet: I64, limit: int, furniture: int) -> I64:
    """:func:`boilerplate` of some keys: in ``limit`` groups at least, or in ``furniture`` groups
    of one outlet."""
    if len(exact) == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(exact)
    ex = exact[order].astype(np.int64)
    groups = group[owner[order]]
    del order
    # keys by rank, and the distinct (key, group) pairs: sorted by key already, so the codes are
    # nearly sorted (a merge sort finds the runs)
    new = np.r_[True, ex[1:] != ex[:-1]]
    keys = ex[new]
    code = sorted_unique(((np.cumsum(new) - 1) << 32) | groups, kind="stable")
    del new, groups, ex
    rank, grp = code >> 32, code & 0xFFFFFFFF
    del code
    # clusters per key
    kstart = np.flatnonzero(np.r_[True, rank[1:] != rank[:-1]])
    counts = np.diff(np.r_[kstart, len(rank)])
    found = [keys[rank[kstart[counts >= limit]]]]
    # same outlet: key seen in >= furniture_min_docs groups of one outlet
    og = group_outlet[grp]
    mine = og != 0
    triple = np.sort((rank[mine] << 32) | og[mine], kind="stable")
    ts = np.flatnonzero(np.r_[True, triple[1:] != triple[:-1]])
    tc = np.diff(np.r_[ts, len(triple)])
    found.append(keys[triple[ts[tc >= furniture]] >> 32])
    return sorted_unique(np.concatenate(found))
