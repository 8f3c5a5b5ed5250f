"""The Spark engine through Spark Connect gives the local engine's results.

A module of its own: pyspark starts the local Connect server (``remote="local[2]"``,
offline, from the jars it ships) only when no classic session is running in the
process, so this runs after ``test_spark.py`` has stopped its shared session.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dedup.engines.local import run
from tests.conftest import SEEDS
from tests.test_spark import _assert_same, needs_spark


@pytest.mark.spark
@needs_spark
def test_spark_connect_same_as_local(tmp_path: Path) -> None:
    """Through Spark Connect: the engine uses the DataFrame API only, so the results are the same."""
    if importlib.util.find_spec("grpc") is None:
        pytest.skip("Spark Connect needs pyspark[connect] (grpcio, grpcio-status, googleapis-common-protos, zstandard)")
    from dedup.engines.spark import run_spark

    local = run([str(SEEDS)], db=str(tmp_path / "local.db"))
    on_spark = run_spark([str(SEEDS)], db=str(tmp_path / "spark.db"), remote="local[2]")
    _assert_same(local, on_spark, tmp_path / "local.db", tmp_path / "spark.db")
