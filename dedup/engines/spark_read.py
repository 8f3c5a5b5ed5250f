"""Inputs read by Spark itself, for a run whose results stay off the driver (:mod:`dedup.engines.spark_lake`).

Spark lists and reads the files of every PATH (``binaryFile``, recursively: local folders,
``file://``, ``hdfs://``, ``s3a://`` ..., whatever Hadoop file systems the cluster has), and each
executor parses its files with the local engine's own reader (:func:`dedup.ingest.read_file`), so
ids, content hashes, records and problems are the local engine's. Which copy of a repeated id is
kept (the first in input order) is decided by Spark over the whole input.

What differs from the local engine's walk: Spark does not list names starting with ``_`` or ``.``
(the local walk skips only ``.``), and follows no symbolic links' checks (a Hadoop file system has
none); a file over 2 GiB cannot be read by ``binaryFile`` (the local limit for one document is far
below that; a JSON Lines file that large must be split, or given as Parquet).
"""

from __future__ import annotations

import json
import os
import posixpath
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from dedup.ingest import SUFFIXES, RawInput, Reading, ignored_kind, input_suffix, printable_path, read_file
from dedup.models import Problem, to_json

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

#: one row per document, problem or ignored file; ``what`` says which:
#:   doc      id, source, content_hash, kind, encoding, body, stated (JSON), extra (JSON or null)
#:   problem  source, line, reason
#:   ignored  kind (the suffix it is counted under)
#: ``given`` (the PATH's position), ``walk`` (the file's place in the local walk's order) and ``seq``
#: (the record's place in its file) order everything as the local engine meets it.
INPUT_SCHEMA = (
    "given int, walk string, seq bigint, what string, id string, source string, content_hash string, kind string, "
    "encoding string, body string, stated string, extra string, line bigint, reason string"
)


@dataclass(frozen=True)
class Given:
    """One PATH as the executors need it: what Spark lists under it, and how the local engine names it."""

    index: int
    root: str  # the PATH qualified as Spark prints the files under it (file:/abs/folder, hdfs://nn/x)
    shown: str  # the PATH as given (sources are made from it, as the local engine makes them)

    @classmethod
    def of(cls, index: int, path: str) -> Given:
        return cls(index, qualified(path), printable_path(path))

    def relative(self, listed: str) -> str | None:
        """The path of a listed file under this PATH ('' when the PATH is that file), None when not under it."""
        root = self.root.rstrip("/")
        if listed == root:
            return ""
        if listed.startswith(root + "/"):
            return listed[len(root) + 1 :]
        # a file system that prints its authority (hdfs:///x lists as hdfs://namenode:8020/x)
        want, got = urlparse(root).path.rstrip("/"), urlparse(listed).path
        if got == want:
            return ""
        return got[len(want) + 1 :] if got.startswith(want + "/") else None


def qualified(path: str) -> str:
    """How Spark names a PATH's files: local paths become ``file:/absolute/path``."""
    if path.startswith("file://"):
        return "file:" + posixpath.normpath(path[len("file://") :])
    if "://" in path or path.startswith("file:"):
        return path.rstrip("/")
    return "file:" + os.path.abspath(path)


def walk_key(parts: list[str]) -> str:
    """Orders files as the local walk meets them: a folder's files (by name) before its sub-folders."""
    return "".join(("0" if i == len(parts) - 1 else "1") + p + "\x00" for i, p in enumerate(parts))


def read_partition(
    batches: Iterable[pa.RecordBatch], *, given: Sequence[Given], how: Reading, id_prefix: str,
) -> Iterator[pa.RecordBatch]:
    """Parse the files of a partition (rows: path, content, given) into INPUT_SCHEMA rows."""
    import pyarrow as pa

    from dedup.engines.spark_tasks import arrow_schema

    schema = arrow_schema(INPUT_SCHEMA)
    with tempfile.TemporaryDirectory(prefix="dedup-read-") as tmp:
        for batch in batches:
            rows: list[dict[str, Any]] = []
            for listed, content, g in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist(),
                                          batch.column("given").to_pylist(), strict=True):
                rows.extend(_read_one(listed, content, given[g], how, id_prefix, tmp))
            yield pa.RecordBatch.from_pylist(rows, schema=schema)


def _read_one(listed: str, content: bytes, g: Given, how: Reading, id_prefix: str, tmp: str) -> list[dict[str, Any]]:
    rel = g.relative(listed)
    if rel is None:  # (not expected: Spark lists only what is under the path it was given)
        rel = posixpath.basename(listed)
    if rel:
        parts = rel.split("/")
        if any(p.startswith(".") for p in parts):
            return []  # as the local walk: hidden files and folders are not inputs
        name = parts[-1]
        doc_id = id_prefix + printable_path(rel)
        source = printable_path(str(Path(g.shown) / rel)) if "://" not in g.shown else f"{g.shown.rstrip('/')}/{rel}"
        walk = walk_key(parts)
    else:
        name = posixpath.basename(g.root)
        doc_id, source, walk = id_prefix + printable_path(name), g.shown, ""
    base = {"given": g.index, "walk": walk}
    if input_suffix(Path(name)) not in SUFFIXES:
        if rel:
            return [{**base, "seq": 0, "what": "ignored", "kind": ignored_kind(Path(name))}]
        reason = (f"unsupported file type {Path(name).suffix or '(none)'!r}; expected one of "
                  f"{', '.join(sorted(SUFFIXES))}, or one of those compressed (.gz, .bz2, .xz)")
        return [{**base, "seq": 0, "what": "problem", "source": source, "reason": reason}]
    # the local reader reads paths (it streams JSON Lines, CSV and Parquet, and checks sizes): the
    # bytes Spark read are put where it can read them, under the file's own name (its suffixes say
    # the type and the compression)
    local = os.path.join(tmp, name)
    with open(local, "wb") as f:
        f.write(content)
    try:
        items = read_file(Path(local), doc_id, how)
        return [{**base, "seq": seq, **_row(item, source)} for seq, item in enumerate(items)]
    finally:
        os.unlink(local)


def _row(item: RawInput | Problem, source: str) -> dict[str, Any]:
    if isinstance(item, Problem):
        return {"what": "problem", "source": source, "line": item.line, "reason": item.reason}
    item = replace(item, source=source)
    return {"what": "doc", "id": item.id, "source": item.source, "content_hash": item.content_hash,
            "kind": item.kind, "encoding": item.encoding, "body": item.body,
            "stated": json.dumps(item.stated, sort_keys=True), "extra": to_json(item.extra) if item.extra else None}


def read_inputs(
    spark: Any, paths: Sequence[str], how: Reading, id_prefix: str,
) -> tuple[DataFrame, list[tuple[int, Problem]]]:
    """Every PATH's files read and parsed by Spark (INPUT_SCHEMA rows), and the PATHs that do not exist
    (with their position)."""
    from functools import partial

    from pyspark.sql import functions as F

    frames = []
    missing: list[tuple[int, Problem]] = []
    given = [Given.of(i, p) for i, p in enumerate(paths)]
    for g, path in zip(given, paths, strict=True):
        try:
            df = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(
                g.root if g.root.startswith("file:") else path)
            _ = df.columns  # (a Connect session finds a missing path only when the plan is analysed)
        except Exception as exc:  # AnalysisException, under classic and Connect sessions alike
            if "PATH_NOT_FOUND" in str(exc) or "does not exist" in str(exc):
                missing.append((g.index, Problem(g.shown, "no such file or folder")))
                continue
            raise
        frames.append(df.select("path", "content", F.lit(g.index).alias("given")))
    if not frames:
        return spark.createDataFrame([], schema=INPUT_SCHEMA), missing
    files = frames[0]
    for df in frames[1:]:
        files = files.unionByName(df)
    return files.mapInArrow(partial(read_partition, given=given, how=how, id_prefix=id_prefix), INPUT_SCHEMA), missing


__all__ = ["INPUT_SCHEMA", "Given", "qualified", "read_inputs", "read_partition", "walk_key"]
