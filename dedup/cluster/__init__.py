"""Copies: pair figures, ordered word alignment, grouping into clusters, and the settled canonical copy.

Pure functions over what an engine hands them (:class:`CopyInputs`): nothing here knows where
texts, figures or alignments are kept.
"""

from dedup.cluster.align import ALIGNED_COPY, MIN_RUN, aligned_share, aligned_texts, token_ids
from dedup.cluster.components import CopyInputs, build_clusters, decide, find_composites, group_component, singleton
from dedup.cluster.figures import (
    GREY_FLOOR,
    MIN_ALIGN_WORDS,
    Figures,
    Rank,
    cluster_id,
    figures,
    link,
    measure,
    relation,
    score,
)
from dedup.cluster.memory import in_memory
from dedup.cluster.settle import Settled, infer_metadata, rank_reason, settle_canonical, settle_clusters

__all__ = [
    "ALIGNED_COPY", "GREY_FLOOR", "MIN_ALIGN_WORDS", "MIN_RUN", "CopyInputs", "Figures", "Rank", "Settled",
    "aligned_share", "aligned_texts", "build_clusters", "cluster_id", "decide", "figures", "find_composites",
    "group_component", "in_memory", "infer_metadata", "link", "measure", "rank_reason", "relation", "score",
    "settle_canonical", "settle_clusters", "singleton", "token_ids",
]
