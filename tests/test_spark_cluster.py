"""The Spark engine on a real standalone cluster: a master and two workers started on 127.0.0.1 from
the installed pyspark (its ``spark-class``), each worker with one core, the run going through
``spark://127.0.0.1:7077`` with reliable checkpoints, as a cluster run is configured (issue 21).

A module of its own: it starts its own session after ``test_spark.py`` stopped the shared local one.
The executors run this interpreter (``spark.pyspark.python``), in which dedup is installed, as a
cluster's executors run a shipped virtualenv.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dedup.engines.local import run
from tests.conftest import FIXTURES, ROOT, SEEDS
from tests.test_spark import _assert_same, needs_spark

sys.path.insert(0, str(ROOT / "scripts"))
from spark_cluster import cluster_conf, free_port, stop, wait_for  # (the cluster helpers scripts/bench-spark uses too)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from spark_cluster import ClusterError, spark_home, standalone

    if spark_home() is None:
        pytest.skip("no spark-class or java to start a standalone cluster")
    try:
        with standalone(tmp_path_factory.mktemp("cluster-logs")) as master:
            yield master
    except ClusterError as exc:
        pytest.fail(str(exc))


@pytest.mark.spark
@needs_spark
@pytest.mark.parametrize("corpus", [SEEDS, FIXTURES / "wire"], ids=["seeds", "wire"])
def test_standalone_cluster_same_as_local(tmp_path: Path, cluster: str, corpus: Path) -> None:
    from dedup.engines.spark import run_spark

    local = run([str(corpus)], db=str(tmp_path / "local.db"))
    ckpt = tmp_path / "checkpoints"
    on_cluster = run_spark(
        [str(corpus)], db=str(tmp_path / "spark.db"), master=cluster, checkpoint_dir=str(ckpt),
        parquet_dir=str(tmp_path / "out"),
        conf={"spark.pyspark.python": sys.executable, "spark.driver.host": "127.0.0.1",
              "spark.executor.memory": "1g", "spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"},
    )
    _assert_same(local, on_cluster, tmp_path / "local.db", tmp_path / "spark.db")
    # the checkpoints of a cluster run are reliable ones, in the folder given
    assert any(p.name.startswith("rdd-") for p in ckpt.rglob("*"))
    assert (tmp_path / "out" / "clusters").is_dir()


@pytest.mark.spark
@needs_spark
def test_the_package_is_shipped_to_the_executors(cluster: str) -> None:
    """A cluster's executors import the driver's dedup (the zip the session sent), not whatever they have."""
    from dedup.engines.spark import spark_session

    def where(_: object) -> str:
        import dedup

        return str(dedup.__file__)

    with spark_session(cluster, conf={"spark.pyspark.python": sys.executable, "spark.driver.host": "127.0.0.1",
                                      "spark.executor.memory": "1g", "spark.ui.enabled": "false"}) as spark:
        found = spark.sparkContext.parallelize([0, 1], 2).map(where).collect()
    assert len(found) == 2 and all("dedup.zip" in f for f in found), found


@pytest.fixture(scope="module")
def connect_server(cluster: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark Connect server whose application runs on the standalone cluster (as
    ``sbin/start-connect-server.sh --master spark://…`` starts one)."""
    if importlib.util.find_spec("grpc") is None:
        pytest.skip("Spark Connect needs pyspark[connect] (grpcio, grpcio-status, googleapis-common-protos, zstandard)")
    import pyspark

    home = Path(pyspark.__file__).parent
    port = free_port()
    log = tmp_path_factory.mktemp("connect-logs") / "connect.log"
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    conf = {"spark.connect.grpc.binding.port": str(port), "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.driver.host": "127.0.0.1", "spark.executor.memory": "1g", "spark.ui.enabled": "false",
            "spark.pyspark.python": sys.executable, "spark.sql.shuffle.partitions": "4",
            # one of the two workers' cores: the server's application keeps its executors while it runs, and
            # the spark:// runs of this module need the other
            "spark.cores.max": "1"}
    args = [str(home / "bin" / "spark-submit"), "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--name", "dedup-test-connect", "--master", cluster]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        if not wait_for(listening, 120):
            pytest.fail("the Connect server did not start:\n" + log.read_text(errors="replace")[-3000:])
        yield f"sc://127.0.0.1:{port}"
    finally:
        stop([proc])


@pytest.mark.spark
@needs_spark
def test_spark_connect_on_the_cluster_same_as_local(tmp_path: Path, connect_server: str) -> None:
    """Through a Connect server whose executors are the cluster's (the package sent as an artifact)."""
    from dedup.engines.spark import run_spark

    local = run([str(SEEDS)], db=str(tmp_path / "local.db"))
    on_connect = run_spark([str(SEEDS)], db=str(tmp_path / "spark.db"), remote=connect_server,
                           parquet_dir=str(tmp_path / "out"))
    _assert_same(local, on_connect, tmp_path / "local.db", tmp_path / "spark.db")


def _lake_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copytree(FIXTURES / "wire", corpus / "wire")
    return corpus


@pytest.mark.spark
@needs_spark
@pytest.mark.parametrize("via", ["master", "connect"])
def test_parquet_run_on_the_cluster_same_as_local(
    tmp_path: Path, via: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a database: the cluster's executors read the inputs and write the tables (issue 21), through
    ``spark://`` with reliable checkpoints, or through a Connect server on the cluster with ``file://`` URIs."""
    from dedup.engines.spark_lake import run_lake
    from tests.test_spark_lake import _same_reading

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    corpus = _lake_corpus(tmp_path)
    local = run([str(corpus)], db=str(tmp_path / "local.db"), only="copies")
    if via == "master":
        lake = run_lake([str(corpus)], out=str(tmp_path / "out"), master=request.getfixturevalue("cluster"),
                        checkpoint_dir=str(tmp_path / "ckpt"), conf=cluster_conf(), only="copies")
    else:
        lake = run_lake([f"file://{corpus}"], out=f"file://{tmp_path / 'out'}",
                        remote=request.getfixturevalue("connect_server"), only="copies")
    assert lake.counts == local.counts and lake.counts["duplicate_clusters"] >= 2
    _same_reading(tmp_path / "local.db", tmp_path / "out")


@pytest.fixture(scope="module")
def corpus_3k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    """3,000 generated documents (syndicated, truncated and damaged copies, quotations) and the local
    engine's whole run of them."""
    import json

    from tests.corpora import generated

    tmp = tmp_path_factory.mktemp("corpus-3k")
    records, _ = generated(3000, seed=11)
    src = tmp / "generated.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    local = run([str(src)], db=str(tmp / "local.db"))
    assert local.counts["duplicate_clusters"] > 100 and local.counts["reuses"] > 50
    return src, tmp / "local.db", local


@pytest.mark.spark
@needs_spark
@pytest.mark.parametrize("via", ["master", "connect"])
def test_3k_corpus_on_the_cluster_same_as_local(
    tmp_path: Path, via: str, request: pytest.FixtureRequest, corpus_3k: tuple[Path, Path, Any]
) -> None:
    """Clusters, canonical copies, damage, reuses and citations of 3,000 documents, on the cluster
    (``spark://`` with reliable checkpoints, or a Connect server whose application runs there)."""
    from dedup.engines.spark import run_spark

    src, local_db, local = corpus_3k
    if via == "master":
        on_cluster = run_spark([str(src)], db=str(tmp_path / "spark.db"), master=request.getfixturevalue("cluster"),
                               checkpoint_dir=str(tmp_path / "ckpt"), conf=cluster_conf())
    else:
        on_cluster = run_spark([str(src)], db=str(tmp_path / "spark.db"),
                               remote=request.getfixturevalue("connect_server"), parquet_dir=str(tmp_path / "out"))
    _assert_same(local, on_cluster, local_db, tmp_path / "spark.db")
