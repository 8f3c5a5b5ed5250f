"""The parameters of quotation detection: what keys its caches, and what does not change results."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from dedup.errors import ConfigError
from dedup.reuse.params import DEFAULT, ReuseParams, reuse_digest
from dedup.runtime.reuse_runner import ReuseTuning


def test_default_digest_is_the_recorded_one() -> None:
    # the digest keys every cache entry of the stage: a changed default re-does all stored work
    assert reuse_digest() == DEFAULT.digest() == ReuseParams().digest() == "d95465704f3a91c4ee49f8613f5d811c"


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
