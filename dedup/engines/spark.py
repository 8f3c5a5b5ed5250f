"""The same run as :func:`dedup.engines.local.run`, on Apache Spark, with identical results.

What runs where:

- **driver** — ingest (reading the inputs into the SQLite database, exactly as
  the local engine does, so ids, content hashes and skipped inputs agree),
  corpus furniture (:func:`dedup.engines.stages.furniture_stage`, over line
  records kept in the database: cheap next to cleaning, and the only way to
  be sure the result is the local one), loading the results into SQLite
  through :class:`dedup.store.Store`, and quotation detection.
- **Spark** — cleaning, shingling and MinHash signatures (``mapInArrow`` over
  :func:`dedup.engines.stages.clean_batch`, the local engine's own batch function);
  LSH band keys (``mapInArrow`` over :func:`dedup.fingerprint.band_keys`) and
  grouping by band with Spark's own ``groupBy(band, key)``; verification of
  candidate pairs on exact shingle sets (``mapInArrow``, the local engine's
  figures); connected components of verified pairs by alternating
  large-star / small-star rounds in the DataFrame API, checkpointed every
  round; and, per component (``groupBy(component).applyInPandas``), the
  clustering of :func:`dedup.cluster.group_component` per component,
  :func:`dedup.cluster.settle_clusters` with damage alignment
  (:func:`dedup.clean.damage.align_damage`) and inferred metadata.

Only the DataFrame API is used (no RDDs, no SparkContext in the data path),
so a Spark Connect session (``remote="sc://host:15002"``) works as well as a
classic one.

Results are written as Parquet tables shaped like the SQLite tables under
``<db>.parquet/`` (documents, edits, signatures, clusters, cluster_members,
pairs, alignments, reuses, citations) and loaded into the database, so
``dedup report/export/explain/clusters`` work unchanged. The driver reads
them back through Spark, never from the file system, so ``parquet_dir`` may
be any location the cluster can write (``hdfs://``, ``s3a://``, a shared
mount).

Known gaps:

- Quotation detection (:func:`dedup.runtime.reuse_runner.find_reuses`) runs on the driver
  over the database (through :class:`dedup.store.LazyDocuments`), with the
  local process pool: it needs the whole corpus's candidate index at once and
  is not distributed yet. On the benchmark corpus it is most of the run time.
- Ingest reads the inputs on the driver; the inputs reach Spark as Parquet
  written in chunks of :data:`CHUNK` documents, so driver memory stays bounded
  but the driver's disk/network is the limit of the input rate.
- Pair figures and alignments are recomputed on Spark rather than read from
  the database's cache of earlier runs (they are deterministic, so the values
  agree with what the cache holds, and the cache is refreshed for later local
  runs).
- ``documents`` in ``<db>.parquet`` holds the documents cleaned by this run
  (all of them on a fresh database); ``first_run`` is left to the database
  (null in Parquet). On a remote ``parquet_dir`` the ``_stage`` folder of
  intermediate tables is left in place (overwritten by the next run).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from dedup import __version__
from dedup import fingerprint as fp
from dedup.cluster.anchors import MAX_DF, MIN_SHARE
from dedup.config import SCHEME, Config
from dedup.engines import stages
from dedup.engines.spark_tasks import (
    ANCHOR_SCHEMA,
    BAND_SCHEMA,
    BASE_SCHEMA,
    BATCH,
    CITATION_SCHEMA,
    CLEANED_SCHEMA,
    FIGURES_SCHEMA,
    HASH_SCHEMA,
    OUT_SCHEMA,
    REUSE_SCHEMA,
    SIG_SCHEMA,
    SOURCE_SCHEMA,
    WORK_COLUMNS,
    anchor_partition,
    arrow_schema,
    band_partition,
    clean_partition,
    component_frame,
    hash_partition,
    json_text,
    sign_partition,
    singleton_frames,
    verify_partition,
)
from dedup.errors import ConfigError
from dedup.exits import mark_stopped
from dedup.ingest_fields import CsvColumns
from dedup.models import Citation, Cluster, Document, Edit, OffsetMap, PairScore, Problem, Reuse
from dedup.runtime.context import check_only
from dedup.runtime.pool import batches as in_batches
from dedup.runtime.signals import keep_from_children
from dedup.store import LazyDocuments, Store

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SPARK_EXTRA = "the Spark engine needs the spark extra: pip install 'article-dedup[spark]'"

#: documents per Parquet chunk when the driver hands inputs to Spark (bounds driver memory)
CHUNK = 2000
#: documents a task cleans per call of the local batch function (the local engine's batch size)

def _pyspark() -> Any:
    """``pyspark.sql`` (and pyarrow, pandas), or a ConfigError that says how to install them."""
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        import pyspark.sql
    except ImportError:
        raise ConfigError(SPARK_EXTRA) from None
    return pyspark.sql


# -- session ------------------------------------------------------------------------
def _is_local(master: str) -> bool:
    return master.startswith("local")


def _is_connect(spark: Any) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


@contextmanager
def spark_session(
    master: str = "local[2]", remote: str | None = None, conf: dict[str, str] | None = None,
    session: Any = None, checkpoint_dir: str | None = None,
) -> Iterator[Any]:
    """A SparkSession for one run (stopped at the end), or ``session`` as it is (left running).

    ``checkpoint_dir`` (any Hadoop file system URI the cluster can write: ``hdfs://``, ``s3a://``,
    a shared ``file://`` folder) makes the component rounds' checkpoints reliable ones kept there, on
    any master; without it, and without a ``spark.checkpoint.dir`` in ``conf``, a cluster master
    gets local checkpoints (kept by the executors that made them, lost with them). ``conf`` wins
    over the settings below; ``checkpoint_dir`` wins over a ``spark.checkpoint.dir`` in ``conf``.

    Local masters get the settings known to work on one machine: workers run
    this very interpreter, the driver binds to 127.0.0.1, no UI, few shuffle
    partitions (the default 200 costs more in task start-up than the data
    needs), quiet logs, and a checkpoint folder under a temporary directory.
    """
    if session is not None:
        yield session
        return
    sql = _pyspark()
    tmp = tempfile.mkdtemp(prefix="dedup-spark-")
    local = (remote is None and _is_local(master)) or (remote is not None and _is_local(remote))
    settings: dict[str, str] = {
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
    }
    if (conf or {}).get("spark.pyspark.python"):
        # what spark-submit does with this setting; a session started in-process must do it itself
        # (the executors' Python is the one the driver names when it sends each task)
        os.environ["PYSPARK_PYTHON"] = (conf or {})["spark.pyspark.python"]
    if local:
        # executors are forked from this machine: they must run this interpreter, with dedup importable
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        log4j = os.path.join(tmp, "log4j2.properties")
        with open(log4j, "w", encoding="utf-8") as f:
            # the JVM logs warnings before setLogLevel can be called; this silences them from the start
            f.write("rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = console\n"
                    "appender.console.type = Console\nappender.console.name = console\n"
                    "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
                    "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex\n"
                    )
        settings.update({
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "4",
            "spark.default.parallelism": "4",
            "spark.driver.memory": "2g",
            "spark.checkpoint.dir": os.path.join(tmp, "checkpoints"),
            "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log4j}",
        })
    settings.update(conf or {})
    if checkpoint_dir:
        settings["spark.checkpoint.dir"] = checkpoint_dir
    if remote is None:
        # pyspark leaves this behind after a Connect session, and then builds every later session of the
        # process through Connect (a classic run after a Connect one failed with CONNECT_URL_NOT_SET)
        os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    builder = sql.SparkSession.builder.appName("article-dedup")
    builder = builder.remote(remote) if remote else builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        # Connect re-applies every setting as a session setting after its local server started with
        # them, and warns about each static one (driver memory, UI...); they did take effect
        warnings.filterwarnings("ignore", message="Failed to set", category=UserWarning)
        spark = builder.getOrCreate()
    if not _is_connect(spark):
        spark.sparkContext.setLogLevel("ERROR")
        if settings.get("spark.checkpoint.dir"):
            spark.sparkContext.setCheckpointDir(settings["spark.checkpoint.dir"])
    try:
        if not local:
            _ship_package(spark, tmp)
        yield spark
    finally:
        spark.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _ship_package(spark: Any, folder: str) -> None:
    """Send this very dedup package (zipped) to the executors, so a cluster runs the driver's code
    whatever is installed there; its dependencies (numpy, datasketch, rapidfuzz, trafilatura ...) come
    with the executors' Python (a virtualenv through ``spark.archives``, or installed on the nodes)."""
    import zipfile

    import dedup

    root = Path(dedup.__file__).parent
    path = os.path.join(folder, "dedup.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix in (".py", ".typed"):
                zf.write(f, str(Path("dedup") / f.relative_to(root)))
    if _is_connect(spark):
        spark.addArtifacts(path, pyfile=True)
    else:
        spark.sparkContext.addPyFile(path)


# -- the run ------------------------------------------------------------------------
def run_spark(
    paths: Sequence[str],
    *,
    db: str = "dedup.db",
    config: Config | None = None,
    master: str = "local[2]",
    remote: str | None = None,
    encoding: str | None = None,
    stdin: IO[str] | None = None,
    workers: int | None = None,
    progress: stages.Progress | None = None,
    spark: Any = None,
    conf: dict[str, str] | None = None,
    parquet_dir: str | None = None,
    checkpoint_dir: str | None = None,
    id_prefix: str = "",
    csv_columns: CsvColumns | None = None,
    paragraph_sep: str | None = None,
    only: str | None = None,
) -> stages.RunResult:
    """Run the whole job on Spark into database ``db``; the results equal :func:`dedup.engines.local.run`'s.

    ``only="copies"`` skips the quotation stage; the copies' alignments are made in the cluster tasks
    anyway, and are left out of the database so that it equals the local engine's copies-only run.

    ``master`` is any Spark master (``local[2]``, ``spark://host:7077``,
    ``yarn``, ``k8s://...``); ``remote`` a Spark Connect address
    (``sc://host:15002``, or ``local[2]`` to start a local Connect server)
    and wins over ``master``. ``spark`` is a session to use (and leave
    running) instead of starting one; ``conf`` extra Spark settings.
    ``workers`` sizes the driver's process pool (quotation detection).
    Parquet copies of the tables go to ``parquet_dir`` (``<db>.parquet``); ``checkpoint_dir`` as
    :func:`spark_session` (ignored with ``spark``, whose own checkpoint folder stands).
    """
    _pyspark()
    check_only(only)
    stages.check_paths(paths)
    config = config or Config()
    out_dir = parquet_dir or os.path.abspath(db) + ".parquet"
    store = Store(db, writer=True)
    run_id: int | None = None
    ctx: stages.RunContext | None = None
    try:
        # as in the local engine: no forked process holds the run lock, and a stopped run says so
        with keep_from_children(getattr(store, "_lock", None)):
            run_id = store.start_run(__version__, config.name(), config.to_dict(), list(paths))
            ctx = stages.RunContext(store, run_id, config, workers or stages.default_workers(),
                                    progress or stages.no_progress, encoding, stdin, id_prefix=id_prefix,
                                    csv_columns=csv_columns or CsvColumns(), paragraph_sep=paragraph_sep,
                                    only=only)
            try:
                # inputs are read on the driver, exactly as the local engine reads them (ids, hashes, problems)
                order, counts = stages.ingest(ctx, paths, clean_new=False)
                t = time.perf_counter()
                with spark_session(master, remote, conf, spark, checkpoint_dir) as session:
                    ctx.timings["spark start"] = time.perf_counter() - t
                    result = _SparkRun(session, ctx, out_dir).analyse(counts)
                return stages.finish(ctx, result, order)
            finally:
                ctx.close()
    except BaseException as exc:
        if run_id is not None:
            mark_stopped(store, run_id, ctx.stage if ctx else "start", ctx.timings if ctx else {}, exc)
        raise
    finally:
        store.close()


class _SparkRun:
    """The analysis half of a run (everything after ingest), one Spark stage after another."""

    def __init__(self, spark: Any, ctx: stages.RunContext, out_dir: str) -> None:
        self.spark = spark
        self.ctx = ctx
        self.store = ctx.store
        self.run_id = ctx.run_id
        self.config = ctx.config
        self.out = out_dir.rstrip("/")
        self.stage = f"{self.out}/_stage"
        self.workers = ctx.workers
        self.report = ctx.report
        self.timings = ctx.timings
        # after cleaning every document's clean key is this one (the ones that differed were redone)
        self.clean_key = stages.clean_version()
        from pyspark.sql import functions

        self.F = functions

    def _timed(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - since
        return now

    def _checkpoint(self, df: DataFrame) -> DataFrame:
        # cuts the lineage, so each round of components is planned on data, not on all earlier rounds
        if not _is_connect(self.spark) and self.spark.sparkContext.getCheckpointDir():
            return df.checkpoint(eager=True)
        return df.localCheckpoint(eager=True)

    def _write_chunks(self, rows: Iterable[dict[str, Any]], schema: str, path: str) -> bool:
        """Hand rows from the driver to Spark as Parquet, CHUNK rows at a time; False when there were none."""
        import pyarrow as pa

        arrow = arrow_schema(schema)
        mode = "overwrite"
        for chunk in in_batches(rows, CHUNK):
            table = pa.Table.from_pylist(chunk, schema=arrow)
            self.spark.createDataFrame(table.to_pandas(), schema=schema).write.mode(mode).parquet(path)
            mode = "append"
        return mode == "append"

    def _empty(self, schema: str) -> DataFrame:
        return self.spark.createDataFrame([], schema=schema)  # type: ignore[no-any-return]

    def _read(self, path: str) -> DataFrame:
        df: DataFrame = self.spark.read.parquet(path)
        return df

    # -- stages -----------------------------------------------------------------
    def analyse(self, counts: dict[str, int]) -> stages.RunResult:
        store, config, F = self.store, self.config, self.F
        problems = self.ctx.problems
        t = time.perf_counter()
        furniture, todo = self._furniture_and_todo()
        furniture_json = json.dumps(furniture, sort_keys=True, ensure_ascii=False)
        t = self._timed("furniture", t)

        version = stages.clean_version()
        self.report("clean", 0, len(todo))
        cleaned = self._clean(todo, furniture, version)
        t = self._timed("clean+fingerprint", t)
        self._load_cleaned(cleaned, version, problems)
        cleaned = cleaned.where(F.col("problem").isNull()).drop("problem")
        store.set_meta("furniture", furniture_json)
        self.report("clean", len(todo), None)
        t = self._timed("load cleaned", t)

        ids = [r[0] for r in store.ranks()]
        base, sigs = self._base(cleaned, set(ids) - todo)
        t = self._timed("signatures", t)

        self.report("cluster", 0, len(ids))
        figures = self._checkpoint(self._candidates(base, sigs))
        n_candidates = figures.count()
        linked = figures.where(F.col("link").isNotNull())
        components = self._components(linked.select("a", "b"))
        results = self._clusters(base, linked, components)
        t = self._timed("cluster", t)

        clusters, damage, updates, pair_rows, align_rows = _collect(self, results, figures, version)
        verified = sorted({(p.a, p.b): p for c in clusters for p in c.links}.values(), key=lambda p: (p.a, p.b))
        if store.get_meta("pairs_key") != self.config.fingerprint_key:
            # as the local engine: figures cached under other shingle settings are dropped
            store.clear_pairs()
            store.set_meta("pairs_key", self.config.fingerprint_key)
        store.save_pairs(pair_rows)
        store.save_alignments(align_rows)
        self.report("cluster", len(ids), None)
        t = self._timed("load results", t)

        inferred = {d: json.loads(u["inferred"]) for d, u in updates.items() if u["inferred"] != "{}"}
        documents = LazyDocuments(store.path, ids, inferred=inferred)
        reuses: list[Reuse] = []
        citations: list[Citation] = []
        if self.ctx.copies_only:
            _forget_damage(damage, updates)
        else:
            reuses, citations = stages.quotations(self.ctx, documents, clusters)
        t = time.perf_counter()

        reuses, sources = stages.common_sources(documents, reuses)
        reuse_rows = [stages.reuse_row(r) for r in reuses]
        citation_rows = [stages.citation_row(c) for c in citations]
        source_rows = [stages.source_row(s) for s in sources]
        self.report("store", 0, None)  # (as the local engine: a bar with no steps, full when written)
        store.save_results(clusters, updates, reuse_rows, citation_rows, source_rows)
        _write_tables(self, cleaned, results, reuse_rows, citation_rows, source_rows)
        self.report("store", 1, 1)
        self._timed("store", t)
        counts = stages.run_counts(counts, len(todo), len(ids), clusters, n_candidates, len(verified), reuses,
                               citations, problems)
        documents = LazyDocuments(store.path, ids)
        return stages.RunResult(config, self.run_id, store.path, documents, clusters, verified, reuses, citations,
                                problems, counts, self.timings, damage, sources=sources)

    def _furniture_and_todo(self) -> tuple[dict[str, str], set[str]]:
        """Corpus furniture (on the driver, from the kept line records) and the documents to clean:
        the local engine's own function."""
        keys = self.store.clean_keys()
        furniture, todo = stages.furniture_stage(self.ctx, keys)
        version = stages.clean_version()
        return furniture, todo | {d for d, (ck, _) in keys.items() if ck != version}

    def _clean(self, todo: set[str], furniture: dict[str, str], version: str) -> DataFrame:
        """Clean, shingle and sign the documents to (re)do; written once as Parquet, then read from there."""
        work_path = f"{self.stage}/work"
        schema = ", ".join(f"{c} string" for c in WORK_COLUMNS)
        rows = ({c: row[c] for c in WORK_COLUMNS} for row in self.store.iter_work(todo)) if todo else iter(())
        if not self._write_chunks(rows, schema, work_path):
            return self._empty(CLEANED_SCHEMA)
        return self._clean_frame(self._read(work_path), len(todo), furniture, version)

    def _clean_frame(self, work: DataFrame, n: int, furniture: dict[str, str], version: str) -> DataFrame:
        """Clean, shingle and sign the ``n`` documents of ``work`` (WORK_COLUMNS), written once as Parquet."""
        fn = partial(clean_partition, furniture=dict(furniture), furniture_type=type(furniture), config=self.config,
                     clean_key=version)
        cleaned = work.repartition(max(4, -(-n // 500)), "id").mapInArrow(fn, CLEANED_SCHEMA)
        cleaned.write.mode("overwrite").parquet(f"{self.stage}/cleaned")
        return self._read(f"{self.stage}/cleaned")

    def _load_cleaned(self, cleaned: DataFrame, version: str, problems: list[Problem]) -> None:
        """Cleaned documents, edits and signatures into the database, a batch per transaction.

        Documents the cleaner failed on are forgotten (the next run tries them again) and become
        problems, in id order as the local engine reports them.
        """
        config = self.config
        fingerprint = {"fingerprint_key": config.fingerprint_key, "scheme": SCHEME, "num_perm": config.num_perm,
                       "seed": config.seed, "shingle_size": config.shingle_size}
        failed: list[tuple[str, Problem]] = []
        rows = cleaned.toLocalIterator()
        for batch in in_batches(rows, BATCH):
            docs, fkeys, sigs = [], {}, []
            for r in batch:
                if r["problem"] is not None:
                    failed.append((r["id"], Problem(r["source"], r["problem"])))
                    continue
                docs.append(Document(
                    id=r["id"], source=r["source"], content_hash=r["content_hash"], raw=r["raw"] or "",
                    kind=r["kind"], text=r["text"] or "", title=r["title"], outlet=r["outlet"], date=r["date"],
                    author=r["author"], url=r["url"], encoding=r["encoding"],
                    edits=[Edit(e["start"], e["end"], e["rule"], e["removed"], e["replacement"], e["detail"])
                           for e in r["edits"] or []],
                    offsets=OffsetMap.from_bytes(r["offsets"]), defects=json.loads(r["defects"] or "[]"),
                    anchors=r["anchors"] or b"",
                ))
                fkeys[r["id"]] = r["furniture_key"] or ""
                sigs.append(np.frombuffer(r["signature"], dtype=np.uint32))
            if docs:
                self.store.save_cleaned(docs, self.run_id, version, fkeys, np.vstack(sigs), fingerprint)
        if failed:
            failed.sort(key=lambda f: f[0])
            problems.extend(p for _, p in failed)
            self.store.delete_documents([doc_id for doc_id, _ in failed])

    def _base(self, cleaned: DataFrame, unchanged: set[str]) -> tuple[DataFrame, DataFrame]:
        """Every document of the database for clustering: this run's cleaned ones and earlier ones.

        Earlier documents are handed over from the database (only on incremental runs); their
        signatures are recomputed in Spark, and stored when the database lacks them for this config.
        """
        columns = [c.split()[0] for c in BASE_SCHEMA.split(", ")]
        base = cleaned.select(*columns)
        sigs = cleaned.select("id", "signature", "anchors")
        if not unchanged:
            return base, sigs
        path = f"{self.stage}/unchanged"
        self._write_chunks(
            ({"id": d.id, "text": d.text, "title": d.title, "outlet": d.outlet, "date": d.date,
              "author": d.author, "defects": json_text(d.defects)}
             for d in LazyDocuments(self.store.path, sorted(unchanged), chunk=512)),
            BASE_SCHEMA, path,
        )
        earlier = self._read(path)
        earlier_sigs = self._checkpoint(
            earlier.select("id", "text").mapInArrow(partial(sign_partition, config=self.config), SIG_SCHEMA)
        )
        have = set(self.store.load_signatures(self.config.fingerprint_key)[0])
        missing = sorted(unchanged - have)
        if missing:
            got = {r["id"]: (r["signature"], r["anchors"]) for r in
                   earlier_sigs.where(self.F.col("id").isin(missing)).collect()}
            c = self.config
            self.store.save_signatures(
                missing, np.vstack([np.frombuffer(got[d][0], dtype=np.uint32) for d in missing]),
                c.fingerprint_key, SCHEME, c.num_perm, c.seed, c.shingle_size, [got[d][1] or b"" for d in missing],
            )
        return base.unionByName(earlier), sigs.unionByName(earlier_sigs)

    def _candidates(self, base: DataFrame, sigs: DataFrame) -> DataFrame:
        """LSH candidate pairs (grouped by Spark on (band, key)) with their exact figures."""
        F, config = self.F, self.config
        keys = sigs.mapInArrow(partial(band_partition, config=config), BAND_SCHEMA)
        buckets = (
            keys.groupBy("band", "key")
            .agg(F.sort_array(F.collect_list("id")).alias("ids"))
            .where(F.size("ids") > 1)
        )
        # as fingerprint.lsh_candidates: all pairs of a bucket up to STAR_FROM members, else each member
        # with the bucket's first STAR_CENTRES members (in id order)
        centres = F.when(F.size("ids") > fp.STAR_FROM, F.slice("ids", 1, fp.STAR_CENTRES)).otherwise(F.col("ids"))
        pairs = (
            buckets.select("ids", F.explode(centres).alias("a"))
            .select("a", F.explode("ids").alias("b"))
            .where(F.col("a") < F.col("b"))
            .unionByName(_anchor_pairs(F, sigs))
            .distinct()
        )
        # materialised: both sides of the pair join below read it, and each would redo the banding
        pairs = self._checkpoint(pairs)
        needed = pairs.select(F.col("a").alias("id")).union(pairs.select(F.col("b").alias("id"))).distinct()
        hashes = (
            base.join(F.broadcast(needed), "id", "left_semi").select("id", "text")
            .mapInArrow(partial(hash_partition, config=config), HASH_SCHEMA)
        )
        joined = (
            pairs.join(hashes.select(F.col("id").alias("a"), F.col("hashes").alias("ha")), "a")
            .join(hashes.select(F.col("id").alias("b"), F.col("hashes").alias("hb")), "b")
            .select("a", "b", "ha", "hb")
        )
        return joined.mapInArrow(partial(verify_partition, config=config), FIGURES_SCHEMA)

    def _components(self, edges: DataFrame) -> DataFrame:
        """(id, comp) for every document in a verified pair; comp is the smallest id of its component.

        Alternating large-star and small-star (Kiveris et al., "Connected Components in MapReduce
        and Beyond", 2014) until the edges form stars (every edge points from a leaf to its root),
        with a checkpoint each round so the plan does not grow with the number of rounds.
        """
        F = self.F
        e = self._checkpoint(edges.select(F.col("a").alias("src"), F.col("b").alias("dst")))
        for _ in range(100):
            # large-star: every node links its larger neighbours to its smallest neighbour (itself included)
            both = e.union(e.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
            low = both.groupBy("src").agg(F.min("dst").alias("m"))
            large = (
                both.join(low, "src").where(F.col("dst") > F.col("src"))
                .select(F.col("dst").alias("src"), F.least("m", "src").alias("dst"))
            )
            # small-star: every node links itself and its smaller neighbours to the smallest of them
            down = large.select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
            low = down.groupBy("src").agg(F.min("dst").alias("m"))
            small = (
                down.join(low, "src").where(F.col("dst") != F.col("m"))
                .select(F.col("dst").alias("src"), F.col("m").alias("dst"))
                .union(low.select("src", F.col("m").alias("dst")))
                .distinct()
            )
            e = self._checkpoint(small)
            # stars: no leaf has two roots, and no root is also a leaf
            fan_out = e.groupBy("src").agg(F.count("*").alias("n")).where(F.col("n") > 1).select("src")
            if fan_out.union(e.join(e.select(F.col("dst").alias("src")), "src", "left_semi").select("src")).isEmpty():
                break
        else:  # pragma: no cover - needs a graph deeper than 2**100
            raise RuntimeError("connected components did not converge")
        return e.select(F.col("src").alias("id"), F.col("dst").alias("comp")).union(
            e.select(F.col("dst").alias("id"), F.col("dst").alias("comp"))
        ).distinct()

    def _clusters(self, base: DataFrame, verified: DataFrame, components: DataFrame) -> DataFrame:
        """Clusters per component (applyInPandas), singletons alongside; written once as Parquet."""
        F, config = self.F, self.config
        nbrs = verified.groupBy("a").agg(F.sort_array(F.collect_list("b")).alias("nbrs"))
        grouped = (
            # components and neighbour lists hold only documents with a copy: small, so broadcast
            base.join(F.broadcast(components), "id")
            .join(F.broadcast(nbrs.withColumnRenamed("a", "id")), "id", "left")
            .select("comp", "id", "text", "title", "outlet", "date", "author", "defects", "nbrs")
            .groupBy("comp")
            # a lambda, not a partial: pyspark reads the type hints of what it is given
            .applyInPandas(lambda pdf: component_frame(pdf, config=config), OUT_SCHEMA)
        )
        singles = base.select("id").join(F.broadcast(components), "id", "left_anti").mapInPandas(
            partial(singleton_frames, config=config), OUT_SCHEMA
        )
        path = f"{self.stage}/results"
        grouped.unionByName(singles).write.mode("overwrite").parquet(path)
        return self._read(path)


def _anchor_pairs(F: Any, sigs: DataFrame) -> DataFrame:
    """(a, b) of documents sharing enough anchor keys: :func:`dedup.cluster.anchors.anchor_candidates`
    in the DataFrame API (grouped by key, frequent keys dropped, shared keys counted per pair)."""
    rows = sigs.select("id", "anchors").mapInArrow(anchor_partition, ANCHOR_SCHEMA)
    held = (
        rows.groupBy("key").agg(F.collect_list(F.struct("id", "n")).alias("docs"))
        .where((F.size("docs") >= 2) & (F.size("docs") <= MAX_DF))
    )
    pairs = (
        held.select("docs", F.explode("docs").alias("x"))
        .select("x", F.explode("docs").alias("y"))
        .where(F.col("x.id") < F.col("y.id"))
        .groupBy(F.col("x.id").alias("a"), F.col("y.id").alias("b"), F.col("x.n").alias("na"),
                 F.col("y.n").alias("nb"))
        .count()
    )
    enough = F.greatest(F.lit(2.0), F.lit(MIN_SHARE) * F.least("na", "nb").cast("double"))
    return pairs.where(F.col("count") >= enough).select("a", "b")


# The end of a run, apart from the class that runs it: results to the driver and to Parquet.
def _forget_damage(damage: dict[str, dict[str, Any]], updates: dict[str, dict[str, Any]]) -> None:
    """A copies-only run's database holds no damage figures for copies (as the local engine's)."""
    for doc, u in updates.items():
        if not u["canonical"]:
            u["completeness"], u["gaps"] = None, "[]"
            damage[doc] = {"completeness": None, "gaps": []}


def _collect(
    self: _SparkRun, results: DataFrame, figures: DataFrame, version: str,
) -> tuple[list[Cluster], dict[str, dict[str, Any]], dict[str, dict[str, Any]],
           list[tuple[Any, ...]], list[tuple[str, str, str, str, float, str]]]:
    """Clusters, damage and document updates on the driver (what ``save_results`` and reuse need)."""
    F = self.F
    members: dict[str, list[Any]] = {}
    links: dict[str, list[PairScore]] = {}
    damage: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    for r in results.where(F.col("kind").isin("member", "link")).toLocalIterator():
        if r["kind"] == "link":
            links.setdefault(r["cluster"], []).append(
                PairScore(r["a"], r["b"], r["jaccard"], r["c_ab"], r["c_ba"], r["relation"], r["aligned"],
                          r["decided_by"]))
            continue
        members.setdefault(r["cluster"], []).append(r)
        damage[r["doc"]] = {"completeness": r["completeness"], "gaps": json.loads(r["gaps"])}
        updates[r["doc"]] = {
            "cluster": r["cluster"], "canonical": int(r["doc"] == r["canonical"]),
            "completeness": r["completeness"], "gaps": r["gaps"], "inferred": r["inferred"],
        }
    clusters = []
    for cluster_id in sorted(members):
        rows = members[cluster_id]
        pairs = sorted(
            (PairScore(r["a"], r["b"], r["jaccard"], r["c_ab"], r["c_ba"], r["relation"])
             for r in rows if r["a"] is not None),
            key=lambda p: (p.a, p.b),
        )
        contains = json.loads(rows[0]["contains"]) if rows[0]["contains"] else []
        clusters.append(Cluster(cluster_id, sorted(r["doc"] for r in rows), rows[0]["canonical"],
                                rows[0]["reason"], pairs, sorted(links.get(cluster_id, []), key=lambda p: (p.a, p.b)),
                                contains))
    pair_cols = ("a", "b", "jaccard", "c_ab", "c_ba", "n_a", "n_b", "aligned")
    measured = results.where(F.col("kind") == "pair").select(*pair_cols).unionByName(
        figures.select(*pair_cols[:-1], F.lit(None).cast("double").alias("aligned")))
    pair_rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    for r in measured.toLocalIterator():
        key = (r["a"], r["b"])
        if key not in pair_rows or r["aligned"] is not None:
            pair_rows[key] = (r["a"], r["b"], r["jaccard"], r["c_ab"], r["c_ba"], int(r["n_a"]), int(r["n_b"]),
                              r["aligned"])
    text_keys = self.store.text_keys()  # as the local engine keys its alignments
    align_rows = [
        (r["doc"], r["b"], text_keys.get(r["doc"], ""), text_keys.get(r["b"], ""), r["completeness"], r["gaps"])
        for r in results.where(F.col("kind") == "align").toLocalIterator()
    ]
    return clusters, damage, updates, sorted(pair_rows.values()), align_rows

def _write_tables(
    self: _SparkRun, cleaned: DataFrame, results: DataFrame, reuses: list[dict[str, Any]],
    citations: list[dict[str, Any]], sources: list[dict[str, Any]],
) -> None:
    """The Parquet copy of the tables, shaped like the SQLite ones."""
    F, c = self.F, self.config
    members = results.where(F.col("kind") == "member")
    canon_is_a = F.col("a") == F.col("canonical")
    tables: dict[str, DataFrame] = {
        "clusters": members.groupBy(F.col("cluster").alias("id")).agg(
            F.first("canonical").alias("canonical"), F.count("*").cast("bigint").alias("size"),
            F.first("reason").alias("reason"), F.first("contains").alias("contains"),
        ),
        "cluster_members": members.select(
            "doc", "cluster", "canonical", "jaccard",
            F.when(canon_is_a, F.col("c_ba")).otherwise(F.col("c_ab")).alias("containment_in_canonical"),
            F.when(canon_is_a, F.col("c_ab")).otherwise(F.col("c_ba")).alias("containment_of_canonical"),
            "relation", "via", "decided_by", "aligned",
        ),
        "pairs": results.where(F.col("kind") == "pair").select(
            "a", "b", "jaccard", F.col("c_ab").alias("containment_a_in_b"),
            F.col("c_ba").alias("containment_b_in_a"), "n_a", "n_b", "aligned",
        ),
        "alignments": results.where(F.col("kind") == "align").select(
            "doc", F.col("b").alias("against"), F.lit(self.clean_key).alias("doc_key"),
            F.lit(self.clean_key).alias("against_key"), "completeness", "gaps",
        ),
        "documents": cleaned.drop("signature", "edits").join(
            members.select(
                F.col("doc").alias("id"), "cluster", (F.col("doc") == F.col("canonical")).cast("int")
                .alias("canonical"), "completeness", "gaps", "inferred",
            ),
            "id", "left",
        ).select(
            "*", F.lit(None).cast("bigint").alias("n_shingles"), F.lit(None).cast("bigint").alias("first_run"),
            F.lit(self.run_id).cast("bigint").alias("last_run"),
        ),
        "edits": cleaned.select(F.col("id").alias("doc"), F.posexplode("edits").alias("seq", "e")).select(
            "doc", "seq", "e.start", "e.end", "e.rule", "e.removed", "e.replacement", "e.detail"
        ),
        "signatures": cleaned.select(
            F.col("id").alias("doc"), F.lit(c.fingerprint_key).alias("fingerprint_key"),
            F.lit(SCHEME).alias("scheme"), F.lit(c.num_perm).alias("num_perm"), F.lit(c.seed).alias("seed"),
            F.lit(c.shingle_size).alias("shingle_size"), "signature",
        ),
        "reuses": self.spark.createDataFrame(reuses, schema=REUSE_SCHEMA) if reuses
        else self._empty(REUSE_SCHEMA),
        "citations": self.spark.createDataFrame(citations, schema=CITATION_SCHEMA) if citations
        else self._empty(CITATION_SCHEMA),
        "sources": self.spark.createDataFrame(sources, schema=SOURCE_SCHEMA) if sources
        else self._empty(SOURCE_SCHEMA),
    }
    for name, df in tables.items():
        df.write.mode("overwrite").parquet(f"{self.out}/{name}")
    if "://" not in self.out or self.out.startswith("file:"):
        shutil.rmtree(self.stage.removeprefix("file:"), ignore_errors=True)


__all__ = ["SPARK_EXTRA", "run_spark", "spark_session"]
