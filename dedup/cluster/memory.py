""":class:`CopyInputs` over texts in memory: what tests, ``dedup explain`` and a Spark partition use
(the local engine answers the same questions from its database's cache of earlier runs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from dedup import fingerprint as fp
from dedup.cluster.align import aligned_share, token_ids
from dedup.cluster.components import CopyInputs
from dedup.cluster.figures import Figures, Rank, figures, layout, opening
from dedup.config import Config


def in_memory(
    texts: Mapping[str, str],
    config: Config,
    *,
    rank: Callable[[str], Rank] | None = None,
    defects: Callable[[str], Sequence[str]] | None = None,
) -> CopyInputs:
    """Inputs that shingle, measure and align ``texts`` on demand, each at most once.

    ``rank`` defaults to the clean length (no defects, no date); ``defects`` to the cleaner's page
    findings of nothing (no document is furniture or a live page).
    """
    hashes: dict[str, npt.NDArray[np.uint64]] = {}
    measured: dict[tuple[str, str], Figures] = {}
    aligned: dict[tuple[str, str], float] = {}

    def hashes_of(doc: str) -> npt.NDArray[np.uint64]:
        if doc not in hashes:
            hashes[doc] = fp.shingle_hashes(fp.tokens(texts[doc]), config.shingle_size)
        return hashes[doc]

    def measure(a: str, b: str) -> Figures:
        if (a, b) not in measured:
            measured[(a, b)] = figures(a, b, hashes_of(a), hashes_of(b))
        return measured[(a, b)]

    def align(a: str, b: str) -> float:
        if (a, b) not in aligned:
            ta, tb = token_ids([texts[a], texts[b]])
            aligned[(a, b)] = round(aligned_share(ta, tb), 4)
        return aligned[(a, b)]

    return CopyInputs(
        config=config,
        rank=rank or (lambda d: Rank(d, len(texts[d]), 0, None)),
        defects=defects or (lambda d: ()),
        figures=measure,
        aligned=align,
        layout=lambda page, x, y: layout(hashes_of(page), hashes_of(x), hashes_of(y), opening(texts[y], config)),
    )
