"""A Spark run that keeps the corpus on the cluster: ``dedup run --engine spark --out URI --only copies PATHS``.

The inputs are read by Spark itself (:mod:`dedup.engines.spark_read`: any Hadoop file system),
corpus furniture is counted by Spark (:mod:`dedup.engines.spark_furniture`), cleaning, MinHash,
candidates, components, clusters and canonical copies run as in :mod:`dedup.engines.spark`, and the
results are written as Parquet tables under ``URI`` (no SQLite database, nothing collected per
document): the driver holds counts, the furniture lines and the first problems only, so its memory
does not grow with the corpus.

Tables under ``URI``: ``documents`` (clean text, metadata, cluster, canonical flag, the record's
other keys as ``extra``), ``clusters``, ``cluster_members``, ``pairs`` (every pair measured),
``edits``, ``signatures``, ``furniture``, ``problems`` (inputs skipped, in input order) and ``run``
(one row: version, settings, paths, counts, timings). ``reuses``, ``citations`` and ``sources`` are
written empty: quotations are not looked for on this path yet (``--db`` runs them on the driver).

A run that stops (killed, a lost cluster) is resumed by the same command: every stage written
under ``URI/_stage`` with a marker naming the run (the inputs' listing, settings and code) is read
back instead of being made again, so a run killed after clustering only writes its tables.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from dedup import __version__
from dedup.clean.corpus import FurnitureLines
from dedup.config import Config
from dedup.engines import spark_furniture, stages
from dedup.engines.spark import _pyspark, _SparkRun, _write_tables, spark_session
from dedup.engines.spark_read import Given, read_inputs
from dedup.engines.stages import _ID_HINT, _path_id
from dedup.errors import ConfigError
from dedup.ingest import SUFFIXES, Reading
from dedup.ingest_fields import CsvColumns
from dedup.models import Problem
from dedup.runtime.context import Progress, no_progress

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

LAKE_ONLY = ("--out without --db writes the deduplicated corpus only so far: add --only copies, or give --db "
             "as well to find quotations (through a database on the driver)")
#: problems a run hands back to print (all of them are in the ``problems`` table)
PROBLEMS_SHOWN = 50
PROBLEM_SCHEMA = "given int, walk string, seq bigint, source string, line bigint, reason string"
# sorts after every file of a PATH: where the local walk reports a folder with no input files
_AFTER = "\uffff"


@dataclass
class LakeResult:
    """What a run hands back to the driver: where the tables are, counts, and the first problems."""

    out: str
    config: Config
    counts: dict[str, int]
    problems: list[Problem]
    ignored: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    resumed: list[str] = field(default_factory=list)
    only: str = "copies"

    @property
    def exit_status(self) -> int:
        """0: every input used; 1: some inputs were skipped (all of them in the ``problems`` table)."""
        return 1 if self.counts.get("skipped") else 0

    def ignored_line(self) -> str | None:
        return stages.ignored_line(self.ignored)


def run_lake(
    paths: Sequence[str],
    *,
    out: str,
    config: Config | None = None,
    master: str = "local[2]",
    remote: str | None = None,
    conf: dict[str, str] | None = None,
    spark: Any = None,
    checkpoint_dir: str | None = None,
    encoding: str | None = None,
    id_prefix: str = "",
    csv_columns: CsvColumns | None = None,
    paragraph_sep: str | None = None,
    only: str | None = None,
    progress: Progress | None = None,
) -> LakeResult:
    """Run the copies job on Spark from ``paths`` (any Hadoop file system URIs) into Parquet tables at ``out``.

    The clusters, canonical copies and clean texts equal those of the local engine's
    ``--only copies`` run over the same inputs (``tests/test_spark_lake.py``).
    """
    _pyspark()
    if only != "copies":
        raise ConfigError(LAKE_ONLY)
    config = config or Config()
    how = Reading(encoding, csv_columns or CsvColumns(), paragraph_sep)
    with spark_session(master, remote, conf, spark, checkpoint_dir) as session:
        lake = _LakeRun(session, config, out, progress or no_progress)
        lake.split_given = "spark.sql.files.maxPartitionBytes" in (conf or {})
        return lake.run(list(paths), how, id_prefix)


class _LakeRun(_SparkRun):
    """The stages of a lake run; the middle ones (candidates, components, clusters) are :class:`_SparkRun`'s."""

    def __init__(self, spark: Any, config: Config, out: str, report: Progress) -> None:
        from pyspark.sql import functions

        self.spark = spark
        self.config = config
        self.out = out.rstrip("/")
        self.stage = f"{self.out}/_stage"
        self.report = report
        self.timings: dict[str, float] = {}
        self.clean_key = stages.clean_version()
        self.run_id = 1  # (each output folder holds one run)
        self.F = functions
        self.key = ""
        self.resumed: list[str] = []
        self._paths: list[str] = []
        self._input_bytes = 0
        self.split_given = False  # (a maxPartitionBytes the user set is kept)

    # -- resuming ------------------------------------------------------------------
    def _done(self, name: str) -> str | None:
        """What the marker of stage ``name`` says, when this very run wrote it."""
        try:
            rows = self.spark.read.text(f"{self.stage}/_done/{name}").collect()
        except Exception:  # (no marker: the stage was never finished)
            return None
        text = rows[0][0] if rows else ""
        key, _, note = text.partition("\t")
        return note if key == self.key else None

    def _mark(self, name: str, note: str = "") -> None:
        self.spark.createDataFrame([(f"{self.key}\t{note}",)], "value string").coalesce(1).write.mode(
            "overwrite").text(f"{self.stage}/_done/{name}")

    def _written(self, name: str, df: DataFrame) -> DataFrame:
        """Stage ``name`` written once as Parquet (or read back, when a stopped run finished it) and read from there."""
        path = f"{self.stage}/{name}"
        if self._done(name) is None:
            df.write.mode("overwrite").parquet(path)
            self._mark(name)
        else:
            self.resumed.append(name)
        return self._read(path)

    def _run_key(self, paths: list[str], how: Reading, id_prefix: str) -> str:
        """Names this run: code, settings, PATHs and what is listed under them (names, sizes, times)."""
        F = self.F
        listing = []
        for p in paths:
            try:
                files = self.spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(p)
                row = files.select(F.count("*").alias("n"), F.bit_xor(F.xxhash64("path", "length",
                                   "modificationTime")).alias("x"), F.sum("length").alias("bytes")).collect()[0]
                listing.append([p, int(row["n"]), int(row["x"] or 0)])
                self._input_bytes += int(row["bytes"] or 0)
            except Exception:  # (a missing PATH: read_inputs says so)
                listing.append([p, -1, 0])
        what = [__version__, self.clean_key, self.config.to_dict(), listing, how.encoding, how.paragraph_sep,
                vars(how.csv_columns), id_prefix]
        return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:32]

    # -- the run -------------------------------------------------------------------
    def run(self, paths: list[str], how: Reading, id_prefix: str) -> LakeResult:
        F, config = self.F, self.config
        t = time.perf_counter()
        self._paths = paths
        self.key = self._run_key(paths, how, id_prefix)
        self._run_row(paths, None)
        self.report("ingest", 0, None)
        raw, missing = read_inputs(self.spark, paths, how, id_prefix)
        with _read_split(self.spark, self._input_bytes, self.split_given):
            inputs = self._written("inputs", raw)
        first, clashes = _first_of_each_id(inputs)
        # (written: furniture, cleaning and the tables all read the documents, the window once)
        docs = self._written("documents", first)
        t = self._timed("ingest", t)

        note = self._done("furniture")
        if note is None:
            found = spark_furniture.furniture(docs.where(F.col("kind") == "text"), config.furniture_min_docs)
            note = json.dumps(list(found.items()), ensure_ascii=False)
            self._mark("furniture", note)
        else:
            self.resumed.append("furniture")
        furniture = FurnitureLines(json.loads(note))
        t = self._timed("furniture", t)

        n_docs = docs.count()
        self.report("clean", 0, n_docs)
        if self._done("cleaned") is None:
            cleaned = self._clean_frame(_work(docs), n_docs, furniture, self.clean_key)
            self._mark("cleaned")
        else:
            self.resumed.append("cleaned")
            cleaned = self._read(f"{self.stage}/cleaned")
        failed = cleaned.where(F.col("problem").isNotNull()).select(
            F.lit(len(paths)).alias("given"), F.col("id").alias("walk"), F.lit(0).cast("bigint").alias("seq"),
            "source", F.lit(None).cast("bigint").alias("line"), F.col("problem").alias("reason"))
        kept = cleaned.where(F.col("problem").isNull()).drop("problem").join(docs.select("id", "extra"), "id")
        self.report("clean", n_docs, None)
        t = self._timed("clean+fingerprint", t)

        base, sigs = self._base(kept.drop("extra"), set())
        self.report("cluster", 0, None)
        note = self._done("results")
        if note is None:
            figures = self._checkpoint(self._candidates(base, sigs))
            n_candidates = figures.count()
            linked = figures.where(F.col("link").isNotNull())
            results = self._clusters(base, linked, self._components(linked.select("a", "b")))
            self._mark("results", str(n_candidates))
        else:
            self.resumed.append("results")
            n_candidates, results = int(note), self._read(f"{self.stage}/results")
        results = _copies_only(F, results)
        self.report("cluster", 1, 1)
        t = self._timed("cluster", t)

        problems = self._problems(inputs, missing, clashes, failed)
        counts = self._counts(inputs, results, kept, n_docs, n_candidates, problems)
        self.report("store", 0, None)
        shown = [Problem(r["source"], r["reason"], r["line"]) for r in problems.limit(PROBLEMS_SHOWN).collect()]
        ignored = {r["kind"]: int(r["count"]) for r in
                   inputs.where(F.col("what") == "ignored").groupBy("kind").count().collect()}
        self._write_extra(problems, furniture)
        _write_tables(self, kept, results, [], [], [])  # (it removes the stage folder)
        self._timed("store", t)
        self._run_row(paths, counts)  # (last of all: the run table says the tables are whole)
        self.report("store", 1, 1)
        return LakeResult(self.out, config, counts, shown, ignored, self.timings, self.resumed)

    def _problems(self, inputs: DataFrame, missing: list[tuple[int, Problem]], clashes: DataFrame,
                  failed: DataFrame) -> DataFrame:
        """Every input skipped, in the order the local engine meets them (written as the ``problems`` table)."""
        F = self.F
        cols = ["given", "walk", "seq", "source", "line", "reason"]
        read = inputs.where(F.col("what") == "problem").select(*cols)
        # a folder that gave no input (only files of no input type, or none at all)
        held = {(r["given"], r["what"]) for r in inputs.groupBy("given", "what").count().collect()}
        extra = [(i, "", 0, p.path, p.line, p.reason) for i, p in missing]
        absent = {i for i, _ in missing}
        for i, p in enumerate(self._paths):
            if (i, "doc") not in held and (i, "problem") not in held and i not in absent:
                reason = f"folder holds no input files ({', '.join(sorted(SUFFIXES))})"
                extra.append((i, _AFTER, 0, Given.of(i, p).shown, None, reason))
        frames = [read, clashes.select(*cols), failed.select(*cols)]
        if extra:
            frames.append(self.spark.createDataFrame(extra, PROBLEM_SCHEMA))
        out = frames[0]
        for df in frames[1:]:
            out = out.unionByName(df)
        # (read back, the order of Parquet files is not kept: every use sorts again)
        return self._written("problems", out).orderBy("given", "walk", "seq")

    def _counts(self, inputs: DataFrame, results: DataFrame, kept: DataFrame, n_docs: int, candidates: int,
                problems: DataFrame) -> dict[str, int]:
        F = self.F
        members = results.where(F.col("kind") == "member")
        sizes = members.groupBy("cluster").count()
        n = sizes.agg(F.count("*").alias("clusters"),
                      F.sum((F.col("count") > 1).cast("int")).alias("dup")).collect()[0]
        documents = kept.count()
        return {
            "inputs": n_docs, "processed": n_docs, "unchanged": 0, "documents": documents,
            "clusters": int(n["clusters"] or 0), "duplicate_clusters": int(n["dup"] or 0),
            "candidate_pairs": candidates,
            "verified_pairs": results.where(F.col("kind") == "link").select("a", "b").distinct().count(),
            "reuses": 0, "citations": 0, "skipped": problems.count(),
            "ignored": inputs.where(F.col("what") == "ignored").count(),
        }

    def _write_extra(self, problems: DataFrame, furniture: dict[str, str]) -> None:
        """The tables a database run keeps elsewhere: problems and furniture."""
        # ``n``: the position in input order (increasing along the sorted partitions), for readers that do
        # not read part files in order
        numbered = problems.withColumn("n", self.F.monotonically_increasing_id())
        numbered.select("n", "source", "line", "reason").write.mode("overwrite").parquet(f"{self.out}/problems")
        lines = self.spark.createDataFrame(list(furniture.items()), "line string, evidence string")
        lines.coalesce(1).write.mode("overwrite").parquet(f"{self.out}/furniture")

    def _run_row(self, paths: list[str], counts: dict[str, int] | None) -> None:
        """The ``run`` table: written unfinished first (readers refuse the folder while a run writes it, or
        after one stopped, instead of mixing two runs' tables), finished with the counts last of all."""
        finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if counts is not None else None
        run = {"version": __version__, "config": json.dumps(self.config.to_dict(), sort_keys=True),
               "paths": json.dumps(paths), "only": "copies", "counts": json.dumps(counts or {}, sort_keys=True),
               "timings": json.dumps(self.timings, sort_keys=True), "finished": finished}
        self.spark.createDataFrame([run], ", ".join(f"{k} string" for k in run)).coalesce(1).write.mode(
            "overwrite").parquet(f"{self.out}/run")


@contextmanager
def _read_split(spark: Any, total: int, given: bool) -> Iterator[None]:
    """Files packed into read tasks of at most total/64 bytes (1 MiB to Spark's own 128 MiB) while the
    inputs are read: with the default, a corpus of a few hundred MB of small files is read by a task
    or two, one core parsing while the others wait. A size the run's settings give is kept."""
    key = "spark.sql.files.maxPartitionBytes"
    if given:
        yield
        return
    before = spark.conf.get(key, None)
    spark.conf.set(key, str(min(128 << 20, max(1 << 20, total // 64))))
    try:
        yield
    finally:
        if before is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, before)


def _first_of_each_id(inputs: DataFrame) -> tuple[DataFrame, DataFrame]:
    """The documents of the run: of several inputs with one id, the first in input order (the same
    content named twice is one document; other content is a problem, as the local engine says it)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = Window.partitionBy("id").orderBy("given", "walk", "seq")
    docs = inputs.where(F.col("what") == "doc")
    ranked = (docs.withColumn("_n", F.row_number().over(order))
              .withColumn("_hash", F.first("content_hash").over(order))
              .withColumn("first_source", F.first("source").over(order)))
    first = ranked.where(F.col("_n") == 1).drop("_n", "_hash", "first_source")
    clashes = ranked.where((F.col("_n") > 1) & (F.col("content_hash") != F.col("_hash"))).select(
        "given", "walk", "seq", "id", "source", "first_source").mapInPandas(_clash_frames, PROBLEM_SCHEMA)
    return first, clashes


def _clash_frames(frames: Any) -> Any:
    import pandas as pd

    for pdf in frames:
        yield pd.DataFrame({
            "given": pdf["given"], "walk": pdf["walk"], "seq": pdf["seq"], "source": pdf["source"],
            "line": pd.Series([None] * len(pdf), dtype=object),
            "reason": [_clash(r) for r in pdf.itertuples(index=False)],
        })


def _clash(r: pd.Series | Any) -> str:
    hint = _ID_HINT if _path_id(SimpleNamespace(id=r.id, source=r.source)) else ""  # type: ignore[arg-type]
    return f"duplicate id {r.id!r} with different content (first seen in {r.first_source}); kept the first{hint}"


def _work(docs: DataFrame) -> DataFrame:
    """The rows the cleaner takes (WORK_COLUMNS), as the database holds a pending document."""
    from pyspark.sql import functions as F

    html = F.col("kind") == "html"
    return docs.select("id", "source", "content_hash", "kind", "encoding",
                       F.when(html, F.lit("")).otherwise(F.col("body")).alias("raw"),
                       F.when(html, F.col("body")).otherwise(F.lit(None)).alias("html"), "stated")


def _copies_only(F: Any, results: DataFrame) -> DataFrame:
    """As a copies-only database run: no damage figures for copies, no alignments cache."""
    copy = (F.col("kind") == "member") & (F.col("doc") != F.col("canonical"))
    return (results.where(F.col("kind") != "align")
            .withColumn("completeness", F.when(copy, F.lit(None).cast("double")).otherwise(F.col("completeness")))
            .withColumn("gaps", F.when(copy, F.lit("[]")).otherwise(F.col("gaps"))))


__all__ = ["LAKE_ONLY", "LakeResult", "run_lake"]
