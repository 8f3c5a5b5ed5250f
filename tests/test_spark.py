"""The Spark engine gives exactly the local engine's results (issue 7).

Every test here runs a corpus through :func:`dedup.engines.local.run` and through
:func:`dedup.engines.spark.run_spark` into two databases and compares them
table by table (``Store.table_fingerprint``: every row of every table but the
run bookkeeping) and result by result (clusters with members, canonical and
reason, pair figures, damage, inferred metadata, reuse edges, citations).

One local Spark session (``local[2]``) is shared by the module, since starting
one costs more than most of the runs; the Spark Connect test
(``test_spark_connect.py``) starts its own server once this one is stopped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dedup.engines.local import run
from dedup.engines.stages import RunResult
from dedup.store import Store
from tests.conftest import ROOT, SEEDS

HAVE_SPARK = importlib.util.find_spec("pyspark") is not None
needs_spark = pytest.mark.skipif(
    not HAVE_SPARK, reason="pyspark is not installed: pip install 'article-dedup[spark]' (and a Java 17+ runtime)"
)


@pytest.fixture(scope="module")
def spark() -> Any:
    from dedup.engines.spark import spark_session

    with spark_session("local[2]") as session:
        yield session


def _tables(db: Path) -> dict[str, str]:
    """One fingerprint per table, minus run bookkeeping (``runs``, ``problems`` and run ids) and the
    ``cache`` table, which holds each engine's own derived records for its next incremental run."""
    store = Store(str(db))
    try:
        names = [n for n in store.db.table_names() if n not in ("runs", "problems", "cache")]
        return {n: store.table_fingerprint(exclude=tuple(o for o in store.db.table_names() if o != n)) for n in names}
    finally:
        store.close()


def _results(result: RunResult) -> dict[str, Any]:
    return {
        "clusters": [c.to_dict() for c in result.clusters],
        "pairs": [p.to_dict() for p in result.pairs],
        "reuses": sorted((r.to_dict() for r in result.reuses), key=lambda r: json.dumps(r, sort_keys=True)),
        "citations": sorted((c.to_dict() for c in result.citations), key=lambda c: json.dumps(c, sort_keys=True)),
        "damage": result.damage,
        "documents": list(result.document_records()),
        "problems": [p.to_dict() for p in result.problems],
        "counts": result.counts,
        "input_order": result.input_order,
    }


def _assert_same(local: RunResult, spark_result: RunResult, local_db: Path, spark_db: Path) -> None:
    a, b = _results(local), _results(spark_result)
    for key in a:
        assert a[key] == b[key], f"{key} differ between the local and the Spark engine"
    ta, tb = _tables(local_db), _tables(spark_db)
    assert ta == tb, f"tables differ: {sorted(n for n in ta if ta[n] != tb.get(n))}"


def _both(paths: list[str], tmp: Path, spark: Any, **kwargs: Any) -> tuple[RunResult, RunResult]:
    from dedup.engines.spark import run_spark

    local = run(paths, db=str(tmp / "local.db"), **kwargs)
    on_spark = run_spark(paths, db=str(tmp / "spark.db"), spark=spark, **kwargs)
    _assert_same(local, on_spark, tmp / "local.db", tmp / "spark.db")
    return local, on_spark


@pytest.mark.spark
@needs_spark
def test_seeds_same_as_local(tmp_path: Path, spark: Any) -> None:
    local, _ = _both([str(SEEDS)], tmp_path, spark)
    assert any(len(c.members) > 1 for c in local.clusters) and local.reuses


@pytest.mark.spark
@needs_spark
def test_copies_only_same_as_local(tmp_path: Path, spark: Any) -> None:
    """--only copies on Spark: the local engine's copies-only tables (no provenance, no damage of copies)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copytree(ROOT / "fixtures" / "wire", corpus / "wire")
    from dedup.engines.spark import run_spark

    local = run([str(corpus)], db=str(tmp_path / "local.db"), only="copies")
    on_spark = run_spark([str(corpus)], db=str(tmp_path / "spark.db"), spark=spark, only="copies")
    a, b = _results(local), _results(on_spark)
    assert all(a[key] == b[key] for key in a), [key for key in a if a[key] != b[key]]
    # every table alike but the alignments cache: Spark aligns copies inside its cluster tasks anyway and
    # keeps the figures for the next whole run; the local engine does not align in this mode
    ta, tb = _tables(tmp_path / "local.db"), _tables(tmp_path / "spark.db")
    assert {n: v for n, v in ta.items() if n != "alignments"} == {n: v for n, v in tb.items() if n != "alignments"}
    with Store(str(tmp_path / "local.db")) as store:
        assert store.db.execute("select count(*) from alignments").fetchone() == (0,)
    assert on_spark.only == "copies" and not on_spark.reuses and not on_spark.citations
    assert sum(1 for c in local.clusters if len(c.members) > 1) >= 2


@pytest.mark.spark
@needs_spark
def test_seeds_incremental_same_as_local(tmp_path: Path, spark: Any) -> None:
    """A re-run after inputs changed (one edited, one added): both engines agree again."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    _both([str(corpus)], tmp_path, spark)
    first, second = sorted(corpus.iterdir())[:2]
    text = first.read_text(encoding="utf-8")
    (corpus / "zz_truncated_copy.txt").write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    second.write_text(second.read_text(encoding="utf-8") + "\nOne more closing line for the edited seed.\n",
                      encoding="utf-8")
    local, on_spark = _both([str(corpus)], tmp_path, spark)
    assert on_spark.counts["unchanged"] == len(list(corpus.iterdir())) - 2
    assert any("zz_truncated_copy.txt" in c.members and len(c.members) > 1 for c in local.clusters)


@pytest.mark.spark
@needs_spark
def test_generated_corpus_same_as_local(tmp_path: Path, spark: Any) -> None:
    """2,000 generated news records: syndicated, truncated and damaged copies, and quotations."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from benchgen import generate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    corpus = generate(2000, seed=7)
    src = tmp_path / "generated.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus.records), encoding="utf-8")
    _, on_spark = _both([str(src)], tmp_path, spark)
    assert on_spark.counts["duplicate_clusters"] > 100 and on_spark.counts["reuses"] > 50

    # the Parquet copy has the tables' shape and content
    tables = spark.read.parquet(str(tmp_path / "spark.db.parquet" / "clusters"))
    store = Store(str(tmp_path / "spark.db"))
    try:
        want = sorted((r["id"], r["canonical"], r["size"], r["reason"]) for r in store.load_clusters())
        members_cols = set(store.db["cluster_members"].columns_dict)
    finally:
        store.close()
    assert sorted((r["id"], r["canonical"], r["size"], r["reason"]) for r in tables.collect()) == want
    got_cols = set(spark.read.parquet(str(tmp_path / "spark.db.parquet" / "cluster_members")).columns)
    assert got_cols == members_cols
    for name in ("documents", "edits", "signatures", "reuses", "citations"):
        assert (tmp_path / "spark.db.parquet" / name).is_dir()


@pytest.mark.spark
@needs_spark
def test_star_buckets_same_as_local(tmp_path: Path, spark: Any) -> None:
    """A story carried by more sites than fingerprint.STAR_FROM: band buckets paired as stars, with the
    same centres (the first ids) in both engines, so both give one cluster of every copy."""
    from dedup import fingerprint as fp
    from tests.test_syndication import _copies

    n = fp.STAR_FROM + 16
    src = tmp_path / "syndicated.jsonl"
    records = [*_copies(n, edited=False), *_copies(n, edited=True, seed=9)[: n // 2]]
    for k, r in enumerate(records[n:]):
        r["id"] = f"e{k:05d}"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    local, _ = _both([str(src)], tmp_path, spark)
    multi = [c for c in local.clusters if len(c.members) > 1]
    assert len(multi) == 1 and len(multi[0].members) == len(records)


def test_import_dedup_does_not_import_pyspark() -> None:
    code = ("import sys, dedup, dedup.engines, dedup.engines.local; "
            "assert 'pyspark' not in sys.modules, 'pyspark imported'")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_without_the_extra_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dedup.engines import engine
    from dedup.errors import ConfigError

    for name in ("pyspark", "pyspark.sql"):
        monkeypatch.setitem(sys.modules, name, None)
    message = r"^the Spark engine needs the spark extra: pip install 'article-dedup\[spark\]'$"
    with pytest.raises(ConfigError, match=message):
        engine("spark")([str(SEEDS)], db=str(tmp_path / "x.db"))
    assert not (tmp_path / "x.db").exists()


@needs_spark
def test_a_spark_run_that_fails_is_marked_failed_with_its_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    from dedup.engines import spark as spark_engine

    @contextmanager
    def no_cluster(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the cluster is gone")
        yield

    monkeypatch.setattr(spark_engine, "spark_session", no_cluster)
    db = tmp_path / "s.db"
    with pytest.raises(RuntimeError, match="the cluster is gone"):
        spark_engine.run_spark([str(SEEDS)], db=str(db))
    store = Store(str(db), writer=True)  # the lock is free
    try:
        (row,) = store.runs()
        assert row["status"] == "failed"
        assert json.loads(row["counts"]) == {"stage": "ingest", "error": "RuntimeError: the cluster is gone"}
    finally:
        store.close()


@pytest.mark.spark
@needs_spark
def test_cli_passes_spark_settings_and_writes_parquet_where_asked(
    tmp_path: Path, spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--conf` (repeatable), `--checkpoint-dir` and `--out` reach the session and the output; the Parquet
    cluster tables hold the seeds' copy cluster, as the database does."""
    from contextlib import contextmanager

    import pyarrow.parquet as pq

    from dedup.engines import spark as spark_engine
    from tests.conftest import invoke, seed_id

    asked: dict[str, Any] = {}

    @contextmanager
    def this_session(master: str, remote: Any, conf: Any, session: Any, checkpoint_dir: Any) -> Any:
        asked.update(master=master, conf=conf, checkpoint_dir=checkpoint_dir)
        yield spark

    monkeypatch.setattr(spark_engine, "spark_session", this_session)
    out, ckpt = tmp_path / "lake" / "run1", tmp_path / "ckpt"
    result = invoke("run", str(SEEDS), "--db", str(tmp_path / "s.db"), "--engine", "spark", "-q",
                    "--conf", "spark.executor.memory=2g", "--conf", "spark.sql.shuffle.partitions=3",
                    "--conf", "spark.sql.shuffle.partitions=5", "--checkpoint-dir", str(ckpt), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert asked == {"master": "local[2]", "checkpoint_dir": str(ckpt),
                     "conf": {"spark.executor.memory": "2g", "spark.sql.shuffle.partitions": "5"}}
    assert not (tmp_path / "s.db.parquet").exists()
    members = pq.read_table(out / "cluster_members").to_pylist()
    by_cluster: dict[str, list[str]] = {}
    for row in members:
        by_cluster.setdefault(row["cluster"], []).append(row["doc"])
    assert sorted(sorted(m) for m in by_cluster.values() if len(m) > 1) == [sorted([seed_id("000"), seed_id("001")])]
    assert {row["id"] for row in pq.read_table(out / "documents", columns=["id"]).to_pylist()} == {
        seed_id(n) for n in ("000", "001", "002", "003", "004")}


@pytest.mark.spark
@needs_spark
def test_checkpoint_dir_gives_reliable_checkpoints(tmp_path: Path) -> None:
    """A run of its own (a session with the folder set from the start): the component rounds' checkpoints are
    written to the folder given, not kept on the executors, and the results are the local engine's."""
    ckpt = tmp_path / "ckpt"
    db = tmp_path / "s.db"
    proc = subprocess.run(
        [sys.executable, "-m", "dedup", "run", str(SEEDS), "--db", str(db), "--engine", "spark", "-q",
         "--checkpoint-dir", str(ckpt), "--conf", "spark.sql.shuffle.partitions=3"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    written = [p for p in ckpt.rglob("*") if p.is_dir() and p.name.startswith("rdd-")]
    assert written, sorted(str(p) for p in ckpt.rglob("*"))[:20]
    local = run([str(SEEDS)], db=str(tmp_path / "l.db"))
    assert _tables(db) == _tables(tmp_path / "l.db")
    assert local.clusters


@pytest.mark.spark
@needs_spark
def test_parquet_input_same_as_local(tmp_path: Path, spark: Any) -> None:
    """A Parquet table of articles (the seeds, one row each) through both engines: the same tables."""
    pytest.importorskip("pyarrow")
    from tests.conftest import seeds_parquet

    path = seeds_parquet(tmp_path / "in" / "seeds.parquet")
    local, _ = _both([str(path)], tmp_path, spark)
    assert any(len(c.members) > 1 for c in local.clusters) and local.reuses
