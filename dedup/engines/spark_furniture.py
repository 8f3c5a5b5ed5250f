"""Corpus furniture on Spark: :func:`dedup.clean.corpus.furniture_from_counts` in the DataFrame API.

The same line records (:func:`dedup.clean.corpus.line_record`) counted by Spark instead of numpy,
and the same rule turning counts into evidence (:func:`dedup.clean.corpus.line_evidence`), so the
furniture equals the local engine's while only the candidate lines (a few per recurring line of
the corpus, never a row per document) reach the driver.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from dedup.clean.corpus import (
    FurnitureLines,
    LineSeen,
    counted_keys,
    furniture_lines,
    line_evidence,
    line_record,
    stable_line_hash,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

#: a row per counted line of a text document, and one with ``h`` null per document (its outlet)
LINE_SCHEMA = "id string, outlet string, h bigint, long boolean"
NAME_SCHEMA = "h bigint, key string"


def line_partition(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Text documents (id, body, stated) to their line rows (as :class:`~dedup.clean.corpus.LineCounts` holds them)."""
    import pyarrow as pa

    for batch in batches:
        ids: list[str] = []
        outlets: list[str] = []
        hashes: list[Any] = []
        longs: list[Any] = []
        for doc_id, body, stated in zip(batch.column("id").to_pylist(), batch.column("body").to_pylist(),
                                        batch.column("stated").to_pylist(), strict=True):
            # the outlet the record stated, as the local engine normalises it for counting
            outlet = (json.loads(stated or "{}").get("outlet") or "").strip().lower()
            record = line_record(body or "")
            n = len(record) // 9
            ids.extend([doc_id] * (n + 1))
            outlets.extend([outlet] * (n + 1))
            hashes.append(np.frombuffer(record[: 8 * n], dtype=np.int64))
            hashes.append(None)
            longs.append(np.frombuffer(record[8 * n :], dtype=np.bool_))
            longs.append(None)
        h = [v for arr in hashes for v in (arr.tolist() if arr is not None else [None])]
        lg = [v for arr in longs for v in (arr.tolist() if arr is not None else [None])]
        yield pa.RecordBatch.from_arrays(
            [pa.array(ids, pa.string()), pa.array(outlets, pa.string()), pa.array(h, pa.int64()),
             pa.array(lg, pa.bool_())], names=["id", "outlet", "h", "long"])


def name_partition(batches: Iterable[pa.RecordBatch], *, wanted: dict[str, list[int]]) -> Iterator[pa.RecordBatch]:
    """The line keys of the furniture hashes, read from the first document holding each."""
    import pyarrow as pa

    for batch in batches:
        hs: list[int] = []
        keys: list[str] = []
        for doc_id, body in zip(batch.column("id").to_pylist(), batch.column("body").to_pylist(), strict=True):
            want = set(wanted.get(doc_id, ()))
            for k in counted_keys(body or ""):
                h = stable_line_hash(k)
                if h in want:
                    want.discard(h)
                    hs.append(h)
                    keys.append(k)
        yield pa.RecordBatch.from_arrays([pa.array(hs, pa.int64()), pa.array(keys, pa.string())], names=["h", "key"])


def furniture(docs: DataFrame, min_docs: int = 3, min_share: float = 0.02) -> FurnitureLines:
    """The corpus furniture of the text documents ``docs`` (id, body, stated), as the local engine finds it."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    lines = docs.select("id", "body", "stated").mapInArrow(line_partition, LINE_SCHEMA).localCheckpoint(eager=True)
    marks = lines.where(F.col("h").isNull())
    outlet_size = {r["outlet"]: int(r["count"]) for r in marks.groupBy("outlet").count().collect()}
    n_docs = sum(outlet_size.values())
    if n_docs < min_docs or n_docs == 0:
        return FurnitureLines()
    rows = lines.where(F.col("h").isNotNull())
    counted = rows.join(rows.groupBy("h").agg(F.count("*").alias("cnt")), "h")
    # the typical frequency of a document's own lines (its long lines', when it has any)
    has_long = counted.groupBy("id").agg(F.max(F.col("long").cast("int")).alias("has_long"))
    typical = (
        counted.join(has_long, "id").where(F.col("long") | (F.col("has_long") == 0))
        .groupBy("id").agg(F.expr("percentile(cnt, 0.5)").alias("typical"))
    )
    held = counted.where(F.col("cnt") >= min_docs).join(typical, "id", "left").fillna({"typical": 1.0})
    candidates = (
        held.groupBy("h").agg(F.first("cnt").alias("cnt"), F.expr("percentile(typical, 0.5)").alias("copies"),
                              F.min("id").alias("first"))
        .where(F.col("cnt") > 2 * F.col("copies"))
    ).localCheckpoint(eager=True)
    found = candidates.collect()
    if not found:
        return FurnitureLines()
    # the three outlets holding each candidate most (ties: the one whose first holder comes first)
    per_outlet = (
        held.join(candidates.select("h"), "h").where(F.col("outlet") != "")
        .groupBy("h", "outlet").agg(F.count("*").alias("c"), F.min("id").alias("first"))
    )
    rank = F.row_number().over(Window.partitionBy("h").orderBy(F.desc("c"), F.asc("first")))
    top: dict[int, list[tuple[str, int]]] = {}
    for r in per_outlet.withColumn("rank", rank).where(F.col("rank") <= 3).orderBy("h", "rank").collect():
        top.setdefault(r["h"], []).append((r["outlet"], int(r["c"])))
    chosen: dict[int, tuple[str, str]] = {}
    for r in found:
        seen = LineSeen(int(r["cnt"]), n_docs, float(r["copies"]), top.get(r["h"], []))
        evidence = line_evidence(seen, outlet_size, min_docs, min_share)
        if evidence is not None:
            chosen[r["h"]] = (r["first"], evidence)
    if not chosen:
        return FurnitureLines()
    wanted: dict[str, list[int]] = {}
    for h, (first, _) in chosen.items():
        wanted.setdefault(first, []).append(h)
    holders = docs.where(F.col("id").isin(list(wanted))).select("id", "body")
    named = holders.mapInArrow(partial(name_partition, wanted=wanted), NAME_SCHEMA)
    names = {r["h"]: r["key"] for r in named.collect()}
    return furniture_lines((first, names[h], evidence) for h, (first, evidence) in chosen.items())


__all__ = ["furniture", "line_partition", "name_partition"]
