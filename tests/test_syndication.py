"""A story syndicated thousands of times is one cluster (issue 21's hot buckets, in the local engine).

LSH used to pair only the first 2,000 rows of a band bucket, so a wire story carried by 2,100 sites
became a cluster of 2,000 and 100 singletons; buckets past ``fingerprint.STAR_FROM`` rows are now
paired as stars (each row with the bucket's first rows), which keeps every copy and grows linearly.
"""

from __future__ import annotations

import random

import pytest

from dedup import fingerprint as fp
from dedup.engines.local import run_records

STORY = (
    "The regional council approved the new harbour bridge on Thursday after three years of planning "
    "and two public inquiries. Engineers say construction will begin in the spring and take about four "
    "years, with one lane kept open for most of that time. The bridge replaces a ferry crossing that "
    "carries some twelve thousand passengers a day and has been closed by storms eleven times this "
    "winter alone. Opponents had argued that the cost, now put at four hundred million, would crowd "
    "out repairs to the district's schools and roads. The council leader said the money comes from a "
    "national fund for transport and cannot be spent on anything else. Residents near the southern "
    "landing will be offered new noise barriers and a one-off payment for the years of building work."
)
WORDS = ("early", "late", "local", "several", "many", "public", "major", "new", "old", "main")


def _copies(n: int, edited: bool, seed: int = 5) -> list[dict[str, str]]:
    """n copies of the story, word for word or each with one word replaced (as sites edit a wire story)."""
    rng = random.Random(seed)
    words = STORY.split()
    out = []
    for i in range(n):
        w = list(words)
        if edited:
            w[rng.randrange(len(w))] = rng.choice(WORDS)
        out.append({"id": f"s{i:05d}", "outlet": f"Site {i}", "text": " ".join(w)})
    return out


@pytest.mark.parametrize("edited", [False, True], ids=["word-for-word", "edited"])
def test_a_story_carried_by_2100_sites_is_one_cluster(edited: bool) -> None:
    """Word for word, every copy falls in one bucket of every band: the old cap left the last 100 out.
    Edited, the buckets split, and the old all-pairs pairing took ~5 minutes (here: seconds)."""
    n = 2100
    assert n > 2000 > fp.STAR_FROM  # (past the old cap, and a star bucket)
    others = [{"id": "x0", "text": "A different story about a football match that ended in a draw after "
               "extra time, with both goalkeepers saving penalties in the shoot-out and the crowd on its feet."}]
    result = run_records([*_copies(n, edited), *others], workers=1, only="copies")
    multi = [c for c in result.clusters if len(c.members) > 1]
    assert len(multi) == 1
    assert multi[0].members == sorted(f"s{i:05d}" for i in range(n))
    assert "x0" not in multi[0].members
