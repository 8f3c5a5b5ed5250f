"""How the quotation stage cuts up and keeps its work: sizes that change its speed and memory,
never its result (tests run it with small values to prove that)."""

from __future__ import annotations

from dataclasses import dataclass

from dedup.errors import ConfigError


@dataclass(frozen=True)
class ReuseTuning:
    """How the work is cut up and kept: none of it changes the result."""

    # Documents per first-pass task, and characters: the vector pass over a chunk holds ~30 bytes
    # per character (and fingerprint's table of powers grows to the largest chunk), so chunks stay a
    # few hundred kB of text.
    scan_chunk: int = 1000
    scan_chars: int = 400_000
    # Documents to scan up to which they are read at once and scanned while the main process goes on.
    scan_ahead: int = 5000
    # Documents per task of pass 2's first step (passages and signatures).
    prepare_chunk: int = 200
    # Documents per pass-2 matching task (all members of whole group pairs), and document pairs (a
    # task's matching costs about its document pairs' alignments; its preparation, its documents').
    pass2_chunk_docs: int = 400
    pass2_chunk_pairs: int = 4000
    # Pairing works on 2**fp_part_bits slices of the fingerprint range at a time (and the corpus
    # boilerplate on as many slices of the passage keys).
    fp_part_bits: int = 6
    # Group pairs are counted in this many buckets, spilled to temporary files.
    pair_spills: int = 8
    # Fingerprint occurrences (passages, for the boilerplate) up to which the work is one slice,
    # without spill files.
    small_count: int = 4_000_000
    # Keys per cache request.
    cache_batch: int = 10_000
    # Documents per segment of pass-1 records (slots are 16 bits: at most 1 << 16).
    segment_slots: int = 1 << 16
    # Segments kept beyond the fewest that could hold the corpus before the smallest are merged.
    segment_slack: int = 4
    # False: act as if the previous run's records of documents gone or changed since were lost, so
    # that candidate pairs are counted again on its common fingerprints (the slower exact path).
    stale_records: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.segment_slots <= 1 << 16:
            raise ConfigError(f"segment_slots must be in [1, 65536], not {self.segment_slots}")
        if self.pass2_chunk_pairs < 1:
            raise ConfigError(f"pass2_chunk_pairs must be at least 1, not {self.pass2_chunk_pairs}")
        if not 1 <= self.fp_part_bits <= 16:
            raise ConfigError(f"fp_part_bits must be in [1, 16], not {self.fp_part_bits}")


DEFAULT_TUNING = ReuseTuning()
