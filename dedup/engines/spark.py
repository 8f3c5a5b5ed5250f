"""The same run as :func:`dedup.pipeline.run`, on Apache Spark, with identical results.

What runs where:

- **driver** — ingest (reading the inputs into the SQLite database, exactly as
  the local engine does, so ids, content hashes and skipped inputs agree),
  corpus furniture (the local engine's own ``pipeline._furniture``, over line
  records kept in the database: cheap next to cleaning, and the only way to
  be sure the result is the local one), loading the results into SQLite
  through :class:`dedup.store.Store`, and quotation detection.
- **Spark** — cleaning, shingling and MinHash signatures (``mapInArrow`` over
  :func:`dedup.pipeline._clean_batch`, the local engine's own batch function);
  LSH band keys (``mapInArrow`` over :func:`dedup.fingerprint.band_keys`) and
  grouping by band with Spark's own ``groupBy(band, key)``; verification of
  candidate pairs on exact shingle sets (``mapInArrow``, the local engine's
  figures); connected components of verified pairs by alternating
  large-star / small-star rounds in the DataFrame API, checkpointed every
  round; and, per component (``groupBy(component).applyInPandas``), the
  guarded clustering of :func:`dedup.cluster.build_clusters`,
  :func:`dedup.cluster.settle_canonical`, damage alignment
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

- Quotation detection (:func:`dedup.reuse.find_reuses`) runs on the driver
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
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dedup import __version__
from dedup import fingerprint as fp
from dedup import pipeline as pl
from dedup.clean.damage import align_damage
from dedup.cluster import Rank, build_clusters, measure, relation, score, settle_canonical
from dedup.config import SCHEME, Config
from dedup.errors import ConfigError
from dedup.models import Cluster, Document, Edit, OffsetMap, PairScore, Problem
from dedup.runtime.pool import batches as in_batches
from dedup.runtime.pool import set_state
from dedup.store import LazyDocuments, Store

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from pyspark.sql import DataFrame

SPARK_EXTRA = "the Spark engine needs the spark extra: pip install 'article-dedup[spark]'"

#: documents per Parquet chunk when the driver hands inputs to Spark (bounds driver memory)
CHUNK = 2000
#: documents a task cleans per call of the local batch function (the local engine's batch size)
BATCH = pl.BATCH
#: an LSH bucket larger than this pairs only its first members (``fingerprint.lsh_candidates``' default)
MAX_BUCKET = 2000

_EDIT_TYPE = "struct<start:bigint,`end`:bigint,rule:string,removed:string,replacement:string,detail:string>"
_WORK_COLUMNS = ("id", "source", "content_hash", "kind", "encoding", "raw", "html", "stated")
_CLEANED_SCHEMA = (
    "id string, source string, content_hash string, kind string, encoding string, raw string, html string, "
    "text string, title string, outlet string, date string, author string, url string, defects string, "
    f"offsets binary, clean_key string, stated string, furniture_key string, signature binary, "
    f"edits array<{_EDIT_TYPE}>, problem string"
)
_BASE_SCHEMA = "id string, text string, title string, outlet string, date string, author string, defects string"
_SIG_SCHEMA = "id string, signature binary"
_HASH_SCHEMA = "id string, n bigint, hashes array<bigint>"
_BAND_SCHEMA = "band int, key bigint, id string"
_FIGURES_SCHEMA = (
    "a string, b string, jaccard double, c_ab double, c_ba double, n_a bigint, n_b bigint, relation string"
)
# One schema for everything a component yields; ``kind`` says which columns mean something:
#   member: doc, cluster, canonical, reason, the member's pair with the canonical (a, b, figures,
#           relation), completeness, gaps, inferred
#   pair:   a, b, figures, n_a, n_b (every pair measured while clustering: the ``pairs`` cache)
#   align:  doc, b (= against), completeness (unrounded), gaps (the ``alignments`` cache)
_OUT_SCHEMA = (
    "kind string, doc string, cluster string, canonical string, reason string, a string, b string, "
    "jaccard double, c_ab double, c_ba double, n_a bigint, n_b bigint, relation string, "
    "completeness double, gaps string, inferred string"
)
_REUSE_SCHEMA = "id string, quoting string, source string, direction string, data string"
_CITATION_SCHEMA = "id string, doc string, outlet string, resolved_to string, data string"


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
    session: Any = None,
) -> Iterator[Any]:
    """A SparkSession for one run (stopped at the end), or ``session`` as it is (left running).

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
        if local:
            spark.sparkContext.setCheckpointDir(settings["spark.checkpoint.dir"])
    try:
        yield spark
    finally:
        spark.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# -- work done inside Spark tasks ---------------------------------------------------
# Module-level functions (bound with functools.partial), so that cloudpickle
# ships them by reference and the executors import this module: the code that
# runs is the installed one, the same as the local engine's.
def _lists(col: pa.ListArray) -> list[npt.NDArray[np.uint64]]:
    """The rows of an Arrow list<bigint> column as uint64 arrays (the hashes' own type)."""
    values = col.values.to_numpy(zero_copy_only=False).view(np.uint64)
    offsets = col.offsets.to_numpy()
    return [values[offsets[i] : offsets[i + 1]] for i in range(len(col))]


def _clean_partition(
    batches: Iterable[pa.RecordBatch], *, furniture: dict[str, str], furniture_type: type[dict[str, str]],
    config: Config, clean_key: str,
) -> Iterator[pa.RecordBatch]:
    """Clean, shingle and sign documents with the local engine's own batch function.

    A document the cleaner fails on comes out with only ``id``, ``source`` and ``problem`` set.
    """
    import pyarrow as pa

    # rebuilt as the driver's type (the cleaner may use what a subclass knows), shipped as a plain dict
    lines = furniture if furniture_type is dict else furniture_type(furniture)
    set_state({"furniture": lines, "config": config})
    for batch in batches:
        rows = batch.to_pylist()
        for chunk in in_batches(rows, BATCH):
            docs, fkeys, sig_bytes, failed, _ = pl._clean_batch(chunk)
            sigs = np.frombuffer(sig_bytes, dtype=np.uint32).reshape(len(docs), config.num_perm)
            html = {r["id"]: r["html"] for r in chunk}
            stated = {r["id"]: r["stated"] for r in chunk}
            out = [
                {
                    "id": d.id, "source": d.source, "content_hash": d.content_hash, "kind": d.kind,
                    "encoding": d.encoding, "raw": d.raw, "html": html[d.id], "text": d.text,
                    "title": d.title, "outlet": d.outlet, "date": d.date, "author": d.author, "url": d.url,
                    "defects": _json(d.defects), "offsets": OffsetMap.from_list(d.offsets).to_bytes(),
                    "clean_key": clean_key, "stated": stated[d.id], "furniture_key": fkeys.get(d.id, ""),
                    "signature": sigs[i].tobytes(), "edits": [e.to_dict() for e in d.edits],
                }
                for i, d in enumerate(docs)
            ]
            # a document the cleaner failed on becomes a problem of the run, as in the local engine
            out.extend({"id": doc_id, "source": p.path, "problem": p.reason} for doc_id, p in failed)
            yield pa.RecordBatch.from_pylist(out, schema=_arrow_schema(_CLEANED_SCHEMA))


def _sign_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """Signatures of texts cleaned by an earlier run (the local engine redoes them the same way)."""
    import pyarrow as pa

    for batch in batches:
        texts = [t or "" for t in batch.column("text").to_pylist()]
        sh, bounds = fp.batch_shingles(texts, config.shingle_size)
        sigs = fp.signatures_concat(sh, bounds, config.num_perm, config.seed)
        yield pa.RecordBatch.from_arrays(
            [batch.column("id"), pa.array([s.tobytes() for s in sigs], type=pa.binary())], names=["id", "signature"]
        )


def _band_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """One row per (document, band): the band key of :func:`dedup.fingerprint.band_keys`."""
    import pyarrow as pa

    for batch in batches:
        ids = np.asarray(batch.column("id").to_pylist(), dtype=object)
        blob = b"".join(batch.column("signature").to_pylist())
        sigs = np.frombuffer(blob, dtype=np.uint32).reshape(len(ids), config.num_perm)
        keys = fp.band_keys(sigs, config.bands, config.rows)
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(np.tile(np.arange(config.bands, dtype=np.int32), len(ids))),
                pa.array(keys.reshape(-1).view(np.int64)),
                pa.array(np.repeat(ids, config.bands), type=pa.string()),
            ],
            names=["band", "key", "id"],
        )


def _hash_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """Exact shingle sets, as the local engine measures pairs (sorted unique uint64, stored as bigint)."""
    import pyarrow as pa

    for batch in batches:
        sets = [fp.shingle_hashes(fp.tokens(t or ""), config.shingle_size) for t in batch.column("text").to_pylist()]
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        offsets = np.r_[0, np.cumsum(lengths)].astype(np.int32)
        values = np.concatenate(sets).view(np.int64) if len(sets) and lengths.sum() else np.empty(0, np.int64)
        yield pa.RecordBatch.from_arrays(
            [batch.column("id"), pa.array(lengths), pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))],
            names=["id", "n", "hashes"],
        )


def _figures(ha: npt.NDArray[np.uint64], hb: npt.NDArray[np.uint64]) -> tuple[float, float, float, int, int]:
    """The figures the local engine stores for a pair: rounded, then judged (see ``pipeline._cluster``)."""
    jac, c_ab, c_ba = measure(ha, hb)
    return round(jac, 4), round(c_ab, 4), round(c_ba, 4), len(ha), len(hb)


def _verify_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """Figures of candidate pairs on exact shingle sets."""
    import pyarrow as pa

    for batch in batches:
        out: dict[str, list[Any]] = {k: [] for k in ("a", "b", "jaccard", "c_ab", "c_ba", "n_a", "n_b", "relation")}
        for a, b, ha, hb in zip(batch.column("a").to_pylist(), batch.column("b").to_pylist(),
                                _lists(batch.column("ha")), _lists(batch.column("hb")), strict=True):
            jac, c_ab, c_ba, n_a, n_b = _figures(ha, hb)
            for key, value in zip(out, (a, b, jac, c_ab, c_ba, n_a, n_b,
                                        relation(jac, c_ab, c_ba, n_a, n_b, config)), strict=True):
                out[key].append(value)
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_schema(_FIGURES_SCHEMA))


def _text(value: Any) -> str | None:
    # pandas hands nulls of string columns over as None or NaN depending on the path
    return value if isinstance(value, str) else None


def _component_frame(pdf: pd.DataFrame, *, config: Config) -> pd.DataFrame:
    """One connected component of verified pairs: clusters, settled canonicals, damage, inferred metadata.

    The same steps as ``pipeline._cluster`` and ``pipeline._damage_and_inference`` restricted to one
    component; every cluster lies inside one component, so nothing here needs another component.
    """

    pdf = pdf.sort_values("id", kind="stable")
    ids: list[str] = pdf["id"].tolist()
    index = {d: i for i, d in enumerate(ids)}
    docs = {
        row.id: Document(
            id=row.id, source="", content_hash="", raw="", text=_text(row.text) or "", title=_text(row.title),
            outlet=_text(row.outlet), date=_text(row.date), author=_text(row.author),
            defects=json.loads(_text(row.defects) or "[]"),
        )
        for row in pdf.itertuples(index=False)
    }
    ranks = [Rank(d, len(docs[d].text), len(docs[d].defects), docs[d].date) for d in ids]
    hashes: dict[str, npt.NDArray[np.uint64]] = {}

    def hashes_of(doc_id: str) -> npt.NDArray[np.uint64]:
        if doc_id not in hashes:
            hashes[doc_id] = fp.shingle_hashes(fp.tokens(docs[doc_id].text), config.shingle_size)
        return hashes[doc_id]

    measured: dict[tuple[str, str], tuple[float, float, float, int, int]] = {}

    def figures(i: int, j: int) -> PairScore:
        key = (ids[i], ids[j]) if ids[i] < ids[j] else (ids[j], ids[i])
        if key not in measured:
            measured[key] = _figures(hashes_of(key[0]), hashes_of(key[1]))
        jac, c_ab, c_ba, n_a, n_b = measured[key]
        return PairScore(*key, jac, c_ab, c_ba, relation(jac, c_ab, c_ba, n_a, n_b, config))

    edges = [
        (index[a], index[b])
        for a, nbrs in zip(ids, pdf["nbrs"].tolist(), strict=True)
        if nbrs is not None and not isinstance(nbrs, float)
        for b in nbrs
    ]
    candidates = np.asarray(sorted(edges), dtype=np.int64).reshape(-1, 2)
    clusters, _ = build_clusters(ranks, figures, candidates, config)

    # -- damage and inference, as pipeline._damage_and_inference does it
    fresh: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}

    def aligned(pairs: Iterable[tuple[str, str]]) -> None:
        for doc_id, against in pairs:
            if (doc_id, against) not in fresh:
                gaps, completeness = align_damage(docs[doc_id].text, docs[against].text)
                fresh[(doc_id, against)] = (completeness, [g.to_dict() for g in gaps])

    rank_of = {r.doc_id: r for r in ranks}
    big = [c for c in clusters if len(c.members) >= 3]
    aligned((m, o) for c in big for m in sorted(c.members, key=lambda x: rank_of[x].key())[:3]
            for o in c.members if o != m)

    def pair_score(a: str, b: str) -> PairScore:
        return score(a, b, hashes_of(a), hashes_of(b), config)

    settled = {
        c.id: settle_canonical(c, rank_of.__getitem__, pair_score, lambda m, o: fresh[(m, o)][0]) for c in big
    }
    clusters = [settled.get(c.id, c) for c in clusters]
    aligned((m, c.canonical) for c in clusters if len(c.members) > 1 for m in c.members if m != c.canonical)

    out: list[dict[str, Any]] = []
    for c in clusters:
        by_doc = {p.b if p.a == c.canonical else p.a: p for p in c.pairs}
        for m in c.members:
            completeness, gaps = 1.0, list[dict[str, Any]]()
            inferred: dict[str, str] = {}
            if len(c.members) > 1:
                if m != c.canonical:
                    raw_completeness, gaps = fresh[(m, c.canonical)]
                    completeness = round(raw_completeness, 4)
                inferred = pl.infer_metadata(m, c, docs)
            p = by_doc.get(m)
            out.append({
                "kind": "member", "doc": m, "cluster": c.id, "canonical": c.canonical, "reason": c.reason,
                "a": p.a if p else None, "b": p.b if p else None, "jaccard": p.jaccard if p else None,
                "c_ab": p.containment_a_in_b if p else None, "c_ba": p.containment_b_in_a if p else None,
                "relation": p.relation if p else None, "completeness": completeness,
                "gaps": json.dumps(gaps, ensure_ascii=False),
                "inferred": json.dumps(inferred, ensure_ascii=False, sort_keys=True),
            })
    for (a, b), (jac, c_ab, c_ba, n_a, n_b) in sorted(measured.items()):
        out.append({"kind": "pair", "a": a, "b": b, "jaccard": jac, "c_ab": c_ab, "c_ba": c_ba, "n_a": n_a, "n_b": n_b})
    for (doc_id, against), (completeness, gaps) in sorted(fresh.items()):
        out.append({"kind": "align", "doc": doc_id, "b": against, "completeness": completeness,
                    "gaps": json.dumps(gaps, ensure_ascii=False)})
    return _out_frame(out)


def _singleton_frames(frames: Iterable[pd.DataFrame], *, config: Config) -> Iterator[pd.DataFrame]:
    """Documents that verified against nothing: one cluster each, by the same function."""

    for pdf in frames:
        out = []
        for doc_id in pdf["id"].tolist():
            (c,), _ = build_clusters([Rank(doc_id, 0, 0, None)], _never, np.empty((0, 2), np.int64), config)
            out.append({"kind": "member", "doc": doc_id, "cluster": c.id, "canonical": c.canonical,
                        "reason": c.reason, "completeness": 1.0, "gaps": "[]", "inferred": "{}"})
        yield _out_frame(out)


def _out_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with one dtype per column: a column of only nulls must still be typed.

    (pandas makes such a column float64, which pyspark converts to a ChunkedArray that
    ``RecordBatch.from_arrays`` then refuses.)
    """
    import pandas as pd

    return pd.DataFrame({
        name: pd.Series([r.get(name) for r in rows], dtype="float64" if kind == "double" else object)
        for name, kind in (c.split() for c in _OUT_SCHEMA.split(", "))
    })


def _never(i: int, j: int) -> PairScore:
    raise AssertionError("a singleton has no pairs to score")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _arrow_type(ddl: str) -> pa.DataType:
    import pyarrow as pa

    ddl = ddl.strip()
    simple = {"string": pa.string(), "binary": pa.binary(), "bigint": pa.int64(), "int": pa.int32(),
              "double": pa.float64()}
    if ddl in simple:
        return simple[ddl]
    if ddl.startswith("array<"):
        return pa.list_(_arrow_type(ddl[len("array<") : -1]))
    if ddl.startswith("struct<"):
        return pa.struct([(n.strip("`"), _arrow_type(t)) for n, t in
                          (f.split(":", 1) for f in ddl[len("struct<") : -1].split(","))])
    raise ValueError(ddl)


def _arrow_schema(ddl: str) -> pa.Schema:
    """The Arrow schema of a flat Spark DDL schema (the few types used here)."""
    import pyarrow as pa

    fields = []
    depth, start = 0, 0
    for i, ch in enumerate(ddl + ","):
        depth += ch == "<"
        depth -= ch == ">"
        if ch == "," and depth == 0:
            name, kind = ddl[start:i].strip().split(" ", 1)
            fields.append(pa.field(name.strip("`"), _arrow_type(kind)))
            start = i + 1
    return pa.schema(fields)


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
    progress: pl.Progress | None = None,
    spark: Any = None,
    conf: dict[str, str] | None = None,
    parquet_dir: str | None = None,
) -> pl.RunResult:
    """Run the whole job on Spark into database ``db``; the results equal :func:`dedup.pipeline.run`'s.

    ``master`` is any Spark master (``local[2]``, ``spark://host:7077``,
    ``yarn``, ``k8s://...``); ``remote`` a Spark Connect address
    (``sc://host:15002``, or ``local[2]`` to start a local Connect server)
    and wins over ``master``. ``spark`` is a session to use (and leave
    running) instead of starting one; ``conf`` extra Spark settings.
    ``workers`` sizes the driver's process pool (quotation detection).
    Parquet copies of the tables go to ``parquet_dir`` (``<db>.parquet``).
    """
    _pyspark()
    config = config or Config()
    report = progress or pl._no_progress
    workers = workers or pl.default_workers()
    out_dir = parquet_dir or os.path.abspath(db) + ".parquet"
    timings: dict[str, float] = {}
    store = Store(db, writer=True)
    try:
        run_id = store.start_run(__version__, config.name(), config.to_dict(), list(paths))
        problems: list[Problem] = []
        order, counts = pl.ingest(store, run_id, paths, encoding, stdin, problems, report, timings)
        t = time.perf_counter()
        with spark_session(master, remote, conf, spark) as session:
            timings["spark start"] = time.perf_counter() - t
            result = _SparkRun(session, store, run_id, config, out_dir, workers, report, timings).analyse(
                problems, counts
            )
        return pl.finish(store, result, order, problems, timings)
    finally:
        store.close()


class _SparkRun:
    """The analysis half of a run (everything after ingest), one Spark stage after another."""

    def __init__(
        self, spark: Any, store: Store, run_id: int, config: Config, out_dir: str, workers: int,
        report: pl.Progress, timings: dict[str, float],
    ) -> None:
        self.spark = spark
        self.store = store
        self.run_id = run_id
        self.config = config
        self.out = out_dir.rstrip("/")
        self.stage = f"{self.out}/_stage"
        self.workers = workers
        self.report = report
        self.timings = timings
        # after cleaning every document's clean key is this one (the ones that differed were redone)
        self.clean_key = pl.clean_version()
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

        arrow = _arrow_schema(schema)
        mode = "overwrite"
        for chunk in in_batches(rows, CHUNK):
            table = pa.Table.from_pylist(chunk, schema=arrow)
            self.spark.createDataFrame(table.to_pandas(), schema=schema).write.mode(mode).parquet(path)
            mode = "append"
        return mode == "append"

    def _empty(self, schema: str) -> DataFrame:
        df: DataFrame = self.spark.createDataFrame([], schema=schema)
        return df

    def _read(self, path: str) -> DataFrame:
        df: DataFrame = self.spark.read.parquet(path)
        return df

    # -- stages -----------------------------------------------------------------
    def analyse(self, problems: list[Problem], counts: dict[str, int]) -> pl.RunResult:
        store, config, F = self.store, self.config, self.F
        t = time.perf_counter()
        furniture, todo = self._furniture_and_todo()
        furniture_json = json.dumps(furniture, sort_keys=True, ensure_ascii=False)
        t = self._timed("furniture", t)

        version = pl.clean_version()
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
        verified_df = figures.where(F.col("relation").isNotNull())
        components = self._components(verified_df.select("a", "b"))
        results = self._clusters(base, verified_df, components)
        t = self._timed("cluster", t)

        clusters, damage, updates, pair_rows, align_rows = self._collect(results, figures, version)
        verified = [
            PairScore(r["a"], r["b"], r["jaccard"], r["c_ab"], r["c_ba"], r["relation"])
            for r in verified_df.orderBy("a", "b").collect()
        ]
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
        reuses, citations = pl._find_reuses(documents, clusters, config, self.workers, store.cache("reuse"))
        t = self._timed("reuse", t)

        reuse_rows = [pl._reuse_row(r) for r in reuses]
        citation_rows = [pl._citation_row(c) for c in citations]
        store.save_results(clusters, updates, reuse_rows, citation_rows)
        self._write_tables(cleaned, results, reuse_rows, citation_rows)
        self._timed("store", t)
        counts = pl.run_counts(counts, len(todo), len(ids), clusters, n_candidates, len(verified), reuses,
                               citations, problems)
        documents = LazyDocuments(store.path, ids)
        return pl.RunResult(config, self.run_id, store.path, documents, clusters, verified, reuses, citations,
                            problems, counts, self.timings, damage)

    def _furniture_and_todo(self) -> tuple[dict[str, str], set[str]]:
        """Corpus furniture (on the driver, from the kept line records) and the documents to clean:
        the local engine's own function."""
        keys = self.store.clean_keys()
        furniture, todo = pl._furniture(self.store, self.config, keys, self.workers)
        version = pl.clean_version()
        return furniture, todo | {d for d, (ck, _) in keys.items() if ck != version}

    def _clean(self, todo: set[str], furniture: dict[str, str], version: str) -> DataFrame:
        """Clean, shingle and sign the documents to (re)do; written once as Parquet, then read from there."""
        work_path, cleaned_path = f"{self.stage}/work", f"{self.stage}/cleaned"
        schema = ", ".join(f"{c} string" for c in _WORK_COLUMNS)
        rows = ({c: row[c] for c in _WORK_COLUMNS} for row in self.store.iter_work(todo)) if todo else iter(())
        if not self._write_chunks(rows, schema, work_path):
            return self._empty(_CLEANED_SCHEMA)
        parts = max(4, -(-len(todo) // 500))
        work = self._read(work_path).repartition(parts, "id")
        fn = partial(_clean_partition, furniture=dict(furniture), furniture_type=type(furniture), config=self.config,
                     clean_key=version)
        work.mapInArrow(fn, _CLEANED_SCHEMA).write.mode("overwrite").parquet(cleaned_path)
        return self._read(cleaned_path)

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
        columns = [c.split()[0] for c in _BASE_SCHEMA.split(", ")]
        base = cleaned.select(*columns)
        sigs = cleaned.select("id", "signature")
        if not unchanged:
            return base, sigs
        path = f"{self.stage}/unchanged"
        self._write_chunks(
            ({"id": d.id, "text": d.text, "title": d.title, "outlet": d.outlet, "date": d.date,
              "author": d.author, "defects": _json(d.defects)}
             for d in LazyDocuments(self.store.path, sorted(unchanged), chunk=512)),
            _BASE_SCHEMA, path,
        )
        earlier = self._read(path)
        earlier_sigs = self._checkpoint(
            earlier.select("id", "text").mapInArrow(partial(_sign_partition, config=self.config), _SIG_SCHEMA)
        )
        have = set(self.store.load_signatures(self.config.fingerprint_key)[0])
        missing = sorted(unchanged - have)
        if missing:
            got = {r["id"]: r["signature"] for r in
                   earlier_sigs.where(self.F.col("id").isin(missing)).collect()}
            c = self.config
            self.store.save_signatures(
                missing, np.vstack([np.frombuffer(got[d], dtype=np.uint32) for d in missing]),
                c.fingerprint_key, SCHEME, c.num_perm, c.seed, c.shingle_size,
            )
        return base.unionByName(earlier), sigs.unionByName(earlier_sigs)

    def _candidates(self, base: DataFrame, sigs: DataFrame) -> DataFrame:
        """LSH candidate pairs (grouped by Spark on (band, key)) with their exact figures."""
        F, config = self.F, self.config
        keys = sigs.mapInArrow(partial(_band_partition, config=config), _BAND_SCHEMA)
        buckets = (
            keys.groupBy("band", "key")
            .agg(F.sort_array(F.collect_list("id")).alias("ids"))
            .where(F.size("ids") > 1)
            # the local engine pairs only the first MAX_BUCKET members (in id order) of a huge bucket
            .select(F.slice("ids", 1, MAX_BUCKET).alias("ids"))
        )
        pairs = (
            buckets.select("ids", F.explode("ids").alias("a"))
            .select("a", F.explode("ids").alias("b"))
            .where(F.col("a") < F.col("b"))
            .distinct()
        )
        # materialised: both sides of the pair join below read it, and each would redo the banding
        pairs = self._checkpoint(pairs)
        needed = pairs.select(F.col("a").alias("id")).union(pairs.select(F.col("b").alias("id"))).distinct()
        hashes = (
            base.join(F.broadcast(needed), "id", "left_semi").select("id", "text")
            .mapInArrow(partial(_hash_partition, config=config), _HASH_SCHEMA)
        )
        joined = (
            pairs.join(hashes.select(F.col("id").alias("a"), F.col("hashes").alias("ha")), "a")
            .join(hashes.select(F.col("id").alias("b"), F.col("hashes").alias("hb")), "b")
            .select("a", "b", "ha", "hb")
        )
        return joined.mapInArrow(partial(_verify_partition, config=config), _FIGURES_SCHEMA)

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
            .applyInPandas(lambda pdf: _component_frame(pdf, config=config), _OUT_SCHEMA)
        )
        singles = base.select("id").join(F.broadcast(components), "id", "left_anti").mapInPandas(
            partial(_singleton_frames, config=config), _OUT_SCHEMA
        )
        path = f"{self.stage}/results"
        grouped.unionByName(singles).write.mode("overwrite").parquet(path)
        return self._read(path)

    def _collect(
        self, results: DataFrame, figures: DataFrame, version: str,
    ) -> tuple[list[Cluster], dict[str, dict[str, Any]], dict[str, dict[str, Any]],
               list[tuple[str, str, float, float, float, int, int]], list[tuple[str, str, str, str, float, str]]]:
        """Clusters, damage and document updates on the driver (what ``save_results`` and reuse need)."""
        F = self.F
        members: dict[str, list[Any]] = {}
        damage: dict[str, dict[str, Any]] = {}
        updates: dict[str, dict[str, Any]] = {}
        for r in results.where(F.col("kind") == "member").toLocalIterator():
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
            clusters.append(Cluster(cluster_id, sorted(r["doc"] for r in rows), rows[0]["canonical"],
                                    rows[0]["reason"], pairs))
        pair_cols = ("a", "b", "jaccard", "c_ab", "c_ba", "n_a", "n_b")
        measured = results.where(F.col("kind") == "pair").select(*pair_cols).unionByName(figures.select(*pair_cols))
        pair_rows = {
            (r["a"], r["b"]): (r["a"], r["b"], r["jaccard"], r["c_ab"], r["c_ba"], int(r["n_a"]), int(r["n_b"]))
            for r in measured.toLocalIterator()
        }
        text_keys = self.store.text_keys()  # as the local engine keys its alignments
        align_rows = [
            (r["doc"], r["b"], text_keys.get(r["doc"], ""), text_keys.get(r["b"], ""), r["completeness"], r["gaps"])
            for r in results.where(F.col("kind") == "align").toLocalIterator()
        ]
        return clusters, damage, updates, sorted(pair_rows.values()), align_rows

    def _write_tables(
        self, cleaned: DataFrame, results: DataFrame, reuses: list[dict[str, Any]], citations: list[dict[str, Any]],
    ) -> None:
        """The Parquet copy of the tables, shaped like the SQLite ones."""
        F, c = self.F, self.config
        members = results.where(F.col("kind") == "member")
        canon_is_a = F.col("a") == F.col("canonical")
        tables: dict[str, DataFrame] = {
            "clusters": members.groupBy(F.col("cluster").alias("id")).agg(
                F.first("canonical").alias("canonical"), F.count("*").cast("bigint").alias("size"),
                F.first("reason").alias("reason"),
            ),
            "cluster_members": members.select(
                "doc", "cluster", "canonical", "jaccard",
                F.when(canon_is_a, F.col("c_ba")).otherwise(F.col("c_ab")).alias("containment_in_canonical"),
                F.when(canon_is_a, F.col("c_ab")).otherwise(F.col("c_ba")).alias("containment_of_canonical"),
                "relation",
            ),
            "pairs": results.where(F.col("kind") == "pair").select(
                "a", "b", "jaccard", F.col("c_ab").alias("containment_a_in_b"),
                F.col("c_ba").alias("containment_b_in_a"), "n_a", "n_b",
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
            "reuses": self.spark.createDataFrame(reuses, schema=_REUSE_SCHEMA) if reuses
            else self._empty(_REUSE_SCHEMA),
            "citations": self.spark.createDataFrame(citations, schema=_CITATION_SCHEMA) if citations
            else self._empty(_CITATION_SCHEMA),
        }
        for name, df in tables.items():
            df.write.mode("overwrite").parquet(f"{self.out}/{name}")
        if "://" not in self.out or self.out.startswith("file:"):
            shutil.rmtree(self.stage.removeprefix("file:"), ignore_errors=True)


__all__ = ["SPARK_EXTRA", "run_spark", "spark_session"]
