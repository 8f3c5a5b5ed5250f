"""A Spark run without a database (issue 21): inputs read by Spark, results as Parquet tables.

``dedup run --engine spark --out DIR --only copies`` must give what the local engine's copies-only run
gives (clusters, canonical copies and their reasons, clean texts, problems, counts), read back
through the same reading commands; corpus furniture counted by Spark must equal the numpy count;
and a run stopped after clustering must resume without clustering again.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from dedup.engines.local import run
from tests.conftest import FIXTURES, SEEDS, invoke
from tests.test_spark import needs_spark


@pytest.fixture(scope="module")
def spark() -> Any:
    from dedup.engines.spark import spark_session

    with spark_session("local[2]") as session:
        yield session


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (the databases made from Parquet outputs go to the user's cache: here, the test's own)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _corpus(tmp: Path) -> Path:
    """The seeds, the wire fixture, an HTML page, JSON Lines records and a Parquet table, with inputs that
    must be skipped."""
    corpus = tmp / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copytree(FIXTURES / "wire", corpus / "wire")
    # (a name Spark's listing must give back as the local walk does: a space, an accent)
    (corpus / "wire" / "03_truncated_aggregator.txt").rename(corpus / "wire" / "03 truncated agrégateur.txt")
    shutil.copy(FIXTURES / "html" / "tram_cityportal.html", corpus / "wire" / "tram_cityportal.html")
    shutil.copy(FIXTURES / "records" / "tram.jsonl", corpus / "records.jsonl")
    # a Parquet table (no id column: rows are named by the file and their number): the wire stories again
    import pyarrow as pa
    import pyarrow.parquet as pq

    (corpus / "lake").mkdir()
    texts = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "wire").iterdir())]
    pq.write_table(pa.table({"text": texts}), corpus / "lake" / "part-00000.parquet")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4")
    (corpus / "wire" / ".hidden.txt").write_text("a hidden file is not an input\n", encoding="utf-8")
    record = {"id": "dup-1", "title": "A record", "text": "The first text of this record, long enough to keep. " * 5}
    (corpus / "a_records.jsonl").write_text(json.dumps(record) + "\n{not json\n", encoding="utf-8")
    other = {**record, "text": "Another text under the same id, which the run must not keep. " * 5}
    (corpus / "b_records.jsonl").write_text(json.dumps(record) + "\n" + json.dumps(other) + "\n", encoding="utf-8")
    return corpus


def _same_reading(db: Path, out: Path) -> None:
    """The reading commands give the same answers on the database and on the Parquet output."""
    for args in (["clusters", "--json", "--all"], ["export", "--canonical-only"], ["export", "--format", "csv"]):
        a, b = invoke(*args, "--db", str(db)), invoke(*args, "--db", str(out))
        assert a.exit_code == b.exit_code == 0, (a.output, b.output)
        assert a.output == b.output, f"dedup {' '.join(args)} differs"


@pytest.mark.spark
@needs_spark
def test_parquet_output_equals_the_local_copies_only_run(tmp_path: Path, spark: Any) -> None:
    from dedup.engines.spark_lake import run_lake

    corpus = _corpus(tmp_path)
    local = run([str(corpus)], db=str(tmp_path / "local.db"), only="copies")
    lake = run_lake([str(corpus)], out=str(tmp_path / "out"), spark=spark, only="copies")

    assert lake.counts == local.counts
    assert [str(p) for p in lake.problems] == [str(p) for p in local.problems]
    assert any("duplicate id 'dup-1' with different content" in str(p) for p in lake.problems)
    assert any("invalid JSON" in str(p) and p.line == 2 for p in lake.problems)
    assert lake.ignored == local.ignored == {".pdf": 1}
    assert lake.exit_status == local.exit_status == 1 and lake.resumed == []
    _same_reading(tmp_path / "local.db", tmp_path / "out")
    members = spark.read.parquet(str(tmp_path / "out" / "cluster_members")).collect()
    want = {m: c.id for c in local.clusters for m in c.members}
    assert {r["doc"]: r["cluster"] for r in members} == want
    assert sum(1 for c in local.clusters if len(c.members) > 1) >= 2
    held = [m for c in local.clusters if len(c.members) > 1 for m in c.members]
    assert any(m.startswith("lake/part-00000.parquet:") for m in held)
    docs = {r["id"]: r for r in spark.read.parquet(str(tmp_path / "out" / "documents")).collect()}
    assert {d.id: d.text for d in local.documents} == {k: r["text"] for k, r in docs.items()}


@pytest.mark.spark
@needs_spark
def test_a_run_stopped_after_clustering_resumes_without_clustering_again(
    tmp_path: Path, spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup.engines import spark_lake

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copytree(FIXTURES / "wire", corpus / "wire")
    out = tmp_path / "out"
    real = spark_lake._write_tables

    def killed(*args: Any) -> None:
        raise RuntimeError("the driver was killed while writing the tables")

    monkeypatch.setattr(spark_lake, "_write_tables", killed)
    with pytest.raises(RuntimeError, match="killed"):
        spark_lake.run_lake([str(corpus)], out=str(out), spark=spark, only="copies")
    # a reader refuses the folder of a run that stopped, instead of reading half-written tables
    refused = invoke("clusters", "--db", str(out))
    assert refused.exit_code == 2 and "has not finished (or it stopped); run the same command again" in refused.output
    monkeypatch.setattr(spark_lake, "_write_tables", real)
    clustered: list[str] = []
    monkeypatch.setattr(spark_lake._LakeRun, "_components",
                        lambda self, edges: clustered.append("again") or real_components(self, edges))
    real_components = spark_lake._SparkRun._components
    again = spark_lake.run_lake([str(corpus)], out=str(out), spark=spark, only="copies")
    assert again.resumed == ["inputs", "documents", "furniture", "cleaned", "results", "problems"]
    assert clustered == []
    local = run([str(corpus)], db=str(tmp_path / "local.db"), only="copies")
    assert again.counts == local.counts
    _same_reading(tmp_path / "local.db", out)
    # a finished run leaves no stage to resume from: the next run over changed inputs starts afresh
    assert not (out / "_stage").exists()


@pytest.mark.spark
@needs_spark
def test_furniture_counted_by_spark_is_the_local_count(spark: Any) -> None:
    """Outlet footers, a line every outlet carries, copies of one article (whose shared lines are not
    furniture) and documents without an outlet: the same lines and evidence as the numpy count."""
    from dedup.clean.corpus import corpus_furniture
    from dedup.engines.spark_furniture import furniture

    rng = random.Random(5)
    words = [w.strip(".,") for w in (SEEDS / sorted(p.name for p in SEEDS.iterdir())[1]).read_text().split()]

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(9, 16))).capitalize() + "."

    docs: list[tuple[str, str | None, str]] = []
    story = "\n".join(sentence() for _ in range(6))
    for i in range(60):
        outlet = [None, "Harbour Times", "northern post", " Northern Post "][i % 4]
        lines = [sentence() for _ in range(rng.randint(3, 7))]
        if outlet:
            lines.append(f"Follow {outlet.strip().title()} on social media for more local news")
        if i % 5 == 0:
            lines.append("Advertisement")
        if i % 7 == 0:
            lines.insert(0, story)  # copies of one article
        if i % 8 == 0:  # (only in documents without an outlet: furniture of the whole corpus)
            lines.append("Share this article")
        docs.append((f"d{i:03d}", outlet, "\n".join(lines)))
    want = corpus_furniture(docs)
    rows = [(d, body, json.dumps({"outlet": o} if o else {})) for d, o, body in docs]
    frame = spark.createDataFrame(rows, "id string, body string, stated string")
    got = furniture(frame)
    assert list(got.items()) == list(want.items())
    assert len(want) >= 3 and any(e.startswith("seen in") for e in want.values())
    assert any(e.startswith("in ") for e in want.values())


def test_paths_under_a_uri_are_named_as_the_local_walk_names_them() -> None:
    from dedup.engines.spark_read import Given, qualified, walk_key

    g = Given.of(0, "/data/news/")
    assert g.root == "file:/data/news" and g.shown == "/data/news/"
    assert g.relative("file:/data/news/a/b.txt") == "a/b.txt" and g.relative("file:/data/news") == ""
    assert Given.of(0, "file:///data/news").relative("file:/data/news/x.html") == "x.html"
    # a file system that lists with its authority, given without it
    assert Given.of(0, "hdfs:///corpus").relative("hdfs://namenode:8020/corpus/2024/x.jsonl") == "2024/x.jsonl"
    assert qualified("s3a://bucket/news/") == "s3a://bucket/news"
    # a folder's own files come before its sub-folders', each in name order
    names = ["z.txt", "a/y.txt", "a/b/x.txt", "a/c.txt", "b.txt"]
    assert sorted(names, key=lambda n: walk_key(n.split("/"))) == ["b.txt", "z.txt", "a/c.txt", "a/y.txt", "a/b/x.txt"]


def test_run_without_a_database_says_what_it_needs(tmp_path: Path) -> None:
    """Refused before Spark starts, each with one line that says what to do (exit 2)."""
    out = str(tmp_path / "out")
    cases = [
        (["--out", out, str(SEEDS)], "add --only copies"),
        (["--out", out, "--only", "copies", "--json", str(tmp_path / "r.json"), str(SEEDS)], "need --db"),
        (["--out", out, "--only", "copies", "-"], "standard input (-) needs --db"),
        (["--out", str(tmp_path / "corpus" / "o"), "--only", "copies", str(tmp_path / "corpus")], "inside the inputs"),
    ]
    (tmp_path / "corpus").mkdir()
    for args, message in cases:
        result = invoke("run", "--engine", "spark", *args)
        assert result.exit_code == 2, result.output
        assert message in result.output
    assert not (tmp_path / "out").exists()
