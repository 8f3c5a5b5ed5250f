"""Settings that cannot work are a ConfigError (a DedupError) naming the setting, from the library and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

import dedup
from dedup.config import Config
from dedup.errors import ConfigError, DedupError
from tests.conftest import SEEDS, invoke


@pytest.mark.parametrize(("changes", "message"), [
    ({"bands": 0}, "bands must be at least 1, got 0"),
    ({"rows": 0}, "rows must be at least 1, got 0"),
    ({"seed": -1}, "seed must not be negative, got -1"),
    ({"num_perm": 2.5}, "num_perm must be a whole number, got 2.5"),
    ({"shingle_size": "5"}, "shingle_size must be a whole number, got '5'"),
    ({"jaccard_threshold": 1.5}, r"jaccard_threshold must be in \(0, 1\], got 1.5"),
    ({"bands": 100}, r"bands\*rows \(100\*2\) exceeds num_perm \(128\); lower --bands or --rows"),
    ({"colour": "red"}, "unknown setting 'colour'"),
])
def test_bad_settings_are_config_errors(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config().with_(**changes)


def test_library_callers_catch_dedup_error(tmp_path: Path) -> None:
    with pytest.raises(DedupError):
        dedup.run([str(SEEDS)], db=str(tmp_path / "x.db"), config=Config(bands=0))
    assert Config(jaccard_threshold=1, containment_threshold=0.9).jaccard_threshold == 1


def test_cli_says_usage_error(tmp_path: Path) -> None:
    result = invoke("run", str(SEEDS), "--db", str(tmp_path / "x.db"), "--bands", "0")
    assert result.exit_code == 2
    assert "bands must be at least 1, got 0" in result.output
