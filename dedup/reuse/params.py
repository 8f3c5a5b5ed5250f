"""The parameters of quotation detection: everything that changes its result.

:class:`ReuseParams` holds :data:`ALGORITHM` and every tunable the result depends on; its
:meth:`~ReuseParams.digest` is part of every cache key of the stage, so that a result made with
other parameters is never read. How the work is cut up and run (chunk sizes, slices, spills) does
not change the result and lives apart, in :class:`dedup.runtime.reuse_tuning.ReuseTuning`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields

# Part of every cache key (the runtime adds a digest of the code itself, so a code change needs no bump).
ALGORITHM = "reuse-2"


def digest(*parts: object) -> str:
    """A short stable digest of plain values (str, int, float, tuples, lists, frozen dataclasses)."""
    # repr of these is deterministic
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class ReuseParams:
    """Every value the result of quotation detection depends on (field order is part of the digest)."""

    algorithm: str = ALGORITHM
    # Pass 1 (every document): 3-word shingles winnowed over windows of ``winnow`` shingles, so
    # that any 6 words two texts share give a common fingerprint.
    winnow: int = 4
    # A fingerprint in more groups than this is a common phrase or boilerplate.
    max_fp_groups: int = 25
    # Groups sharing fewer fingerprints are not compared further.
    min_shared_fp: int = 3
    # Passage MinHash: 32 permutations in 16 bands of 2 rows. A passage pair with Jaccard 0.3 (a
    # quoted sentence inside a longer one) collides with probability 0.78, at 0.5 with 0.99; at
    # 0.1 (a shared name) with 0.15, and those few are rejected by the alignment.
    passage_perm: int = 32
    passage_bands: int = 16
    passage_rows: int = 2
    # Candidate passage pairs below this estimated Jaccard are not aligned: on a corpus of one
    # topic, band collisions from shared names ("U.S. President Donald Trump") are common, while a
    # real reuse always has some passage pair (a window inside it) far above this.
    min_est_jaccard: float = 8 / 32
    # Tokens of context aligned on each side of a colliding passage, so that a reuse crossing a
    # passage boundary is followed into the next passage.
    align_margin: int = 25
    # Matching blocks shorter than this are chance ("of the").
    min_block: int = 2
    # Chaining: gaps of at most this many tokens on both sides are edits...
    max_edit_gap: int = 6
    # ... and a gap of at most ``one_sided_other`` on one side with up to this many on the other
    # is an omission (ellipsis, or text a scrape dropped), between runs of ``min_omission_run``.
    max_omission_gap: int = 40
    one_sided_other: int = 2
    min_omission_run: int = 4
    # A passage whose exact signature appears in furniture_min_docs clusters of one outlet is that
    # outlet's furniture; in this many clusters (or this share of them) of any outlets, corpus
    # boilerplate (legal notices, newsletter pitches).
    global_boiler_min: int = 25
    global_boiler_share: float = 0.01
    # Share of an X-Y reuse that must lie inside X-Z and Y-Z for Z to explain it; not all: two
    # quoting articles often share the attribution phrase as well.
    cover: float = 0.6
    # Share of a segment that must lie in quotation marks to count as quoted.
    quoted_share: float = 0.6
    # Evidence weights (noisy-or); attribution and dates are near proof, marks are strong, shares
    # only tip a balance already made.
    w_attribution: float = 0.7
    w_marks: float = 0.45
    w_date: float = 0.35
    w_share: float = 0.15
    w_year: float = 0.1
    # Matched lowercase content words a reuse needs: "Iranian Foreign Minister Hossein
    # Amir-Abdollahian to Mali" is eight tokens of names, not a quotation.
    min_content_words: int = 3
    # Words an edge without attribution needs (an attributed one needs the config's minimum, 8):
    # "on charges of hacking the Democratic National Committee" recurs in stories that took nothing
    # from each other, and stock phrases of a news week are that long, real reuse longer.
    min_unattributed_words: int = 15
    # Words a passage needs for a publication date (within one outlet) to direct it: shorter text an
    # outlet repeats is mostly its own furniture (a share widget, a "content summary" notice).
    min_dated_words: int = 30
    # Rows of one document kept per band bucket: a passage repeated over and over in one text (a
    # damaged scrape) must not make a bucket quadratic.
    max_bucket_rows_per_doc: int = 32
    # Words per passage shingle. Passages are ~10-30 words: 5-word shingles would leave too few
    # shared shingles after light editing, while 1-2 word shingles make every passage on one
    # topic look alike.
    passage_shingle: int = 3
    # Longest sentence kept as one passage; longer ones are cut in even pieces so that a quoted
    # half-sentence still has a passage of comparable size.
    max_unit_tokens: int = 40
    # Word windows (stride half of it) added to the sentence passages.
    window: int = 12
    # Shorter sentences are merged with the following one.
    min_unit_tokens: int = 6

    def digest(self) -> str:
        """The digest of every field, in order: part of every cache key of the stage."""
        return digest(*(getattr(self, f.name) for f in fields(self)))


#: The parameters of a run that sets none.
DEFAULT = ReuseParams()


def reuse_digest() -> str:
    """The digest of the default parameters (recorded by the golden guard)."""
    return DEFAULT.digest()
