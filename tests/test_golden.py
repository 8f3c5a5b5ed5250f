"""The golden guard: every result table of every scenario equals what was recorded before the code was
restructured (tests/golden.py; tests/golden.json). A deliberate change of results re-records it
(``python -m tests.golden record``) in the same commit, and says why."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from tests import golden

GOLD = json.loads(golden.GOLDEN.read_text())
HAVE_SPARK = importlib.util.find_spec("pyspark") is not None


@pytest.fixture(scope="module")
def spark() -> Any:
    if not HAVE_SPARK:
        pytest.skip("pyspark is not installed: pip install 'article-dedup[spark]'")
    from dedup.engines.spark import spark_session

    with spark_session("local[2]") as session:
        yield session


def _params() -> list[Any]:
    out = []
    for name in golden.scenario_names():
        engine = name.split("/")[1]
        marks = [pytest.mark.slow] + ([pytest.mark.spark] if engine == "spark" else [])
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", _params())
def test_tables_equal_the_golden_record(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    corpus, engine, mode = name.split("/")
    if (why := golden.available(corpus)) is not None:
        pytest.skip(why)
    session = request.getfixturevalue("spark") if engine == "spark" else None
    got = golden.run_scenario(corpus, engine, mode, tmp_path, session)
    want = GOLD["scenarios"][name]
    assert got == want, f"tables differ from the golden record: {sorted(k for k in want if got.get(k) != want[k])}"


def test_reuse_digest_is_the_recorded_one() -> None:
    # The parameters that key the quotation stage's caches are unchanged by the restructuring (the
    # keys also hash the code, so cached work is redone once after any code change).
    assert golden.versions()["reuse_digest"] == GOLD["versions"]["reuse_digest"]


# Tables that hold only what was measured or cached along the way, which an incremental run legitimately
# holds more of (alignments and edits of an earlier run's texts, pairs measured then).
_WORKING_TABLES = {"alignments", "edits", "pairs"}


@pytest.mark.parametrize("corpus", sorted({n.split("/")[0] for n in golden.scenario_names()}))
def test_every_engine_and_mode_gives_the_same_results(corpus: str) -> None:
    # The record itself says that an incremental run and the Spark engine give what a fresh local
    # run gives (clusters, members, documents, quotations): checked here so that re-recording after a
    # deliberate change cannot hide a difference between engines or modes.
    scenarios = {k: v for k, v in GOLD["scenarios"].items() if k.startswith(f"{corpus}/")}
    base = scenarios[f"{corpus}/local/fresh"]
    for name, tables in scenarios.items():
        differ = sorted(t for t in base if t not in _WORKING_TABLES and tables.get(t) != base[t])
        assert not differ, f"{name} differs from {corpus}/local/fresh in {differ}"
    assert all(scenarios[f"{corpus}/spark/{mode}"].get("alignments") == scenarios[f"{corpus}/local/{mode}"]
               .get("alignments") for mode in ("fresh", "incremental") if f"{corpus}/spark/{mode}" in scenarios)
