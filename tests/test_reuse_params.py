"""The parameters of quotation detection: what keys its caches, and what does not change results."""

from __future__ import annotations

import shutil
from dataclasses import fields, replace
from pathlib import Path

import pytest

from dedup.errors import ConfigError
from dedup.reuse.params import DEFAULT, ReuseParams, reuse_digest
from dedup.runtime.reuse_runner import ReuseTuning


def test_default_digest_is_the_recorded_one() -> None:
    # the digest keys every cache entry of the stage: a changed default re-does all stored work
    assert reuse_digest() == DEFAULT.digest() == ReuseParams().digest() == "4aa3aeb77de4ad597725c2d63de396d9"


def test_every_parameter_changes_the_digest() -> None:
    seen = {DEFAULT.digest()}
    for f in fields(ReuseParams):
        value = getattr(DEFAULT, f.name)
        other: object = value + "x" if isinstance(value, str) else value + 1
        seen.add(replace(DEFAULT, **{f.name: other}).digest())  # type: ignore[arg-type]
    assert len(seen) == len(fields(ReuseParams)) + 1


def test_tuning_checks_its_sizes() -> None:
    for bad in ({"segment_slots": 1 << 17}, {"segment_slots": 0}, {"fp_part_bits": 0}, {"fp_part_bits": 17}):
        with pytest.raises(ConfigError):
            ReuseTuning(**bad)  # type: ignore[arg-type]


def test_cache_keys_follow_the_code(tmp_path: Path) -> None:
    # Editing the quotation code without touching ALGORITHM must still invalidate cached results;
    # editing code that does not make them (the pool) must not.
    import dedup.runtime.reuse_state as state
    from dedup.runtime.reuse_state import Keys, code_digest

    root = Path(state.__file__).resolve().parent.parent
    copy = tmp_path / "dedup"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
    base = code_digest(copy)
    assert base == code_digest(root) and Keys(DEFAULT).digest != DEFAULT.digest()
    for path, edit in [("reuse/direction.py", "W = 0.71\n"), ("fingerprint.py", "X = 1\n"),
                       ("runtime/reuse_pairs.py", "Y = 2\n"), ("wordfind.py", "V = 4\n")]:
        target = copy / path
        original = target.read_text()
        target.write_text(original + edit)
        code_digest.cache_clear()
        assert code_digest(copy) != base, f"editing {path} must change the cache keys"
        target.write_text(original)
    (copy / "runtime" / "pool.py").write_text((copy / "runtime" / "pool.py").read_text() + "Z = 3\n")
    code_digest.cache_clear()
    assert code_digest(copy) == base
