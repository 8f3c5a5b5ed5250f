"""One frozen configuration per run.

Its :meth:`Config.name` is a short string that names every setting that can
change a result; it is stored with the run (and with signatures), so that a
database always says how its figures were made and an incremental run can
refuse to mix signatures made under another scheme.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from dedup.errors import ConfigError

#: Signature scheme: datasketch's affine permutations over a 32-bit range,
#: fed with our own 64-bit shingle hashes (see fingerprint.py).
SCHEME = "affine32"
#: Anchor keys stored with the signatures (dedup.cluster.anchors): each anchor 5-gram a key.
ANCHORS = "a1"


@dataclass(frozen=True)
class Config:
    # Fingerprints
    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    # LSH banding: bands * rows must not exceed num_perm. Few rows per band so
    # that truncated copies (low Jaccard, high containment) still collide; a
    # short copy inside a long page is found by anchor keys (dedup.cluster.anchors).
    # 96 bands of 192 permutations found more of the copies that lost a third
    # of their words (recall 0.94 against 0.87 on scripts/eval-copies, with
    # outlet boilerplate removed) for a third more signature and banding work:
    # left to --num-perm 192 --bands 96 until the run is measured with it.
    bands: int = 64
    rows: int = 2
    # Verification on exact shingle sets
    jaccard_threshold: float = 0.5
    containment_threshold: float = 0.8
    # Documents with fewer shingles than this never join a cluster: a
    # ten-word text is "contained" in too many articles to mean anything.
    min_shingles: int = 10
    # Reuse (quotation) detection
    min_reuse_chars: int = 40
    min_reuse_words: int = 8
    # Corpus furniture: a line seen in at least this many documents
    furniture_min_docs: int = 3

    def __post_init__(self) -> None:
        # Every problem is a ConfigError (a DedupError), so that a library caller's
        # `except DedupError` also covers a bad Config; the CLI shows it as a usage error.
        for f in fields(self):
            value = getattr(self, f.name)
            want = float if f.type in (float, "float") else int
            if isinstance(value, bool) or not isinstance(value, (int, float) if want is float else int):
                raise ConfigError(f"{f.name} must be {'a number' if want is float else 'a whole number'}, "
                                  f"got {value!r}")
        for name in ("shingle_size", "num_perm", "bands", "rows", "min_reuse_chars", "min_reuse_words",
                     "furniture_min_docs"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("seed", "min_shingles"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.bands * self.rows > self.num_perm:
            raise ConfigError(
                f"bands*rows ({self.bands}*{self.rows}) exceeds num_perm ({self.num_perm}); "
                "lower --bands or --rows"
            )
        for name in ("jaccard_threshold", "containment_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_(self, **changes: Any) -> Config:
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}; known: {', '.join(f.name for f in fields(self))}")
        return replace(self, **changes)

    @property
    def fingerprint_key(self) -> str:
        """What a stored signature depends on; signatures with another key are recomputed."""
        return f"{SCHEME}-k{self.shingle_size}-p{self.num_perm}-s{self.seed}-{ANCHORS}"

    def name(self) -> str:
        digest = hashlib.sha1(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
        return (
            f"{self.fingerprint_key}-b{self.bands}x{self.rows}"
            f"-j{self.jaccard_threshold:g}-c{self.containment_threshold:g}-{digest}"
        )

    def __str__(self) -> str:
        return self.name()
