"""The deduplicated corpus as records for other pipelines (JSON Lines, CSV or Parquet).

With ``canonical_only`` there is one record per cluster: its canonical copy,
with the cluster id, the member ids and the provenance edges as fields.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dedup.corpus import Corpus
from dedup.engines.stages import RunResult

FORMATS = ("jsonl", "csv", "txt", "parquet")
CSV_FIELDS = [
    "id", "cluster", "canonical", "members", "title", "outlet", "date", "author", "url",
    "completeness", "quotes", "quoted_by", "citations", "extra", "text",
]
#: pyarrow is an extra: the one line a command says without it
PARQUET_NEEDS = "parquet export needs pyarrow: pip install 'article-dedup[parquet]'"


def export_records(corpus: Corpus, *, canonical_only: bool = False) -> Iterator[dict[str, Any]]:
    members = {c.id: c.members for c in corpus.clusters()}
    quotes: dict[str, list[dict[str, Any]]] = {}
    quoted_by: dict[str, list[dict[str, Any]]] = {}
    for r in corpus.reuses():
        edge = {"direction": r.direction, "confidence": r.confidence,
                "quoting_span": [r.quoting_span.start, r.quoting_span.end],
                "source_span": [r.source_span.start, r.source_span.end]}
        quotes.setdefault(r.quoting, []).append({"source": r.source, **edge})
        quoted_by.setdefault(r.source, []).append({"quoting": r.quoting, **edge})
    citations: dict[str, list[dict[str, Any]]] = {}
    for c in corpus.citations():
        citations.setdefault(c.doc, []).append({"outlet": c.outlet, "resolved_to": c.resolved_to,
                                                 "span": [c.span.start, c.span.end]})
    for view in corpus.documents():
        if canonical_only and not view.canonical:
            continue
        d = view.doc
        yield {
            "id": d.id, "cluster": view.cluster, "canonical": view.canonical,
            "members": members.get(view.cluster or "", [d.id]),
            "title": d.title or d.inferred.get("title"), "outlet": d.outlet or d.inferred.get("outlet"),
            "date": d.date or d.inferred.get("date"), "author": d.author or d.inferred.get("author"),
            "url": d.url, "completeness": view.completeness,
            "quotes": quotes.get(d.id, []), "quoted_by": quoted_by.get(d.id, []),
            "citations": citations.get(d.id, []), "extra": d.extra, "text": d.text,
        }


def stream_records(result: RunResult) -> Iterator[dict[str, Any]]:
    """One output record per input record of a run, in input order (``dedup run - --jsonl-out -``)."""
    docs = result.documents
    by_id = getattr(docs, "by_id", None) or {d.id: d for d in docs}.__getitem__
    membership = {m: c for c in result.clusters for m in c.members}
    quotes: dict[str, list[dict[str, Any]]] = {}
    quoted_by: dict[str, list[dict[str, Any]]] = {}
    for r in result.reuses:
        quotes.setdefault(r.quoting, []).append(r.to_dict())
        quoted_by.setdefault(r.source, []).append(r.to_dict())
    cites: dict[str, list[dict[str, Any]]] = {}
    for ci in result.citations:
        cites.setdefault(ci.doc, []).append(ci.to_dict())
    for doc_id in result.input_order:
        d = by_id(doc_id)
        c = membership.get(doc_id)
        yield {
            "id": d.id, "cluster": c.id if c else None, "canonical": bool(c and c.canonical == d.id),
            "canonical_id": c.canonical if c else d.id, "members": c.members if c else [d.id],
            "title": d.title, "outlet": d.outlet, "date": d.date, "author": d.author, "url": d.url,
            "inferred": d.inferred, "extra": d.extra, "text": d.text,
            "quotes": quotes.get(doc_id, []), "quoted_by": quoted_by.get(doc_id, []),
            "citations": cites.get(doc_id, []),
        }


_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*\\]")


def safe_relative_path(doc_id: str) -> Path:
    """A relative path for a document id that cannot leave the output folder.

    Ids come from input (file paths, record ids) and may hold ``..``,
    absolute paths, control characters or names Windows reserves; each path
    component is made harmless and an id that would be empty gets a hash.
    """
    parts = []
    for part in doc_id.replace("\\", "/").split("/"):
        part = _UNSAFE.sub("_", part).strip(" .")
        if part and part not in {".", ".."}:
            parts.append(part[:150])
    if not parts:
        parts = ["doc-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:12]]
    if not parts[-1].lower().endswith(".txt"):
        parts[-1] += ".txt"
    return Path(*parts)


def write_folder(corpus: Corpus, folder: Path, *, canonical_only: bool = False) -> int:
    """One clean-text file per document under ``folder`` (named from its id, safely); returns how many."""
    root = folder.resolve()
    n = 0
    used: set[Path] = set()
    for rec in export_records(corpus, canonical_only=canonical_only):
        target = (root / safe_relative_path(rec["id"])).resolve()
        if root not in target.parents:  # defence in depth: never write outside the folder
            raise ValueError(f"refusing to write {target} outside {root}")
        if target in used:  # two ids that sanitise alike keep both files
            target = target.with_name(f"{target.stem}-{hashlib.sha1(rec['id'].encode()).hexdigest()[:8]}.txt")
        used.add(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rec["text"] + "\n", encoding="utf-8")
        n += 1
    return n


def write_export(corpus: Corpus, out: IO[str], fmt: str = "jsonl", *, canonical_only: bool = False) -> int:
    """Write the records; returns how many."""
    if fmt == "txt":
        raise ValueError("the txt format writes a folder: use write_folder (dedup export --format txt -o DIR)")
    if fmt == "parquet":
        raise ValueError("the parquet format writes a binary file: use write_parquet (dedup export --format parquet "
                         "-o FILE)")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    n = 0
    if fmt == "jsonl":
        for rec in export_records(corpus, canonical_only=canonical_only):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        return n
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for rec in export_records(corpus, canonical_only=canonical_only):
        row = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in rec.items()}
        writer.writerow(row)
        n += 1
    return n


def _parquet_schema() -> Any:
    """The CSV export's columns, typed where Parquet can say more than text: canonical a bool, members a
    list with the cluster's size beside it, completeness a double; edges and extra stay JSON text."""
    import pyarrow as pa

    typed = {"canonical": pa.bool_(), "members": pa.list_(pa.string()), "completeness": pa.float64()}
    columns = [(name, typed.get(name, pa.string())) for name in CSV_FIELDS]
    columns.insert(CSV_FIELDS.index("members") + 1, ("cluster_size", pa.int64()))
    return pa.schema(columns)


def _parquet_row(rec: dict[str, Any]) -> dict[str, Any]:
    # (the edges and extra are JSON text, as in the CSV export: their shapes vary from row to row)
    row = {k: json.dumps(v, ensure_ascii=False) if k in ("quotes", "quoted_by", "citations", "extra") else v
           for k, v in rec.items()}
    row["cluster_size"] = len(rec["members"])
    return row


def write_parquet(corpus: Corpus, path: Path, *, canonical_only: bool = False, batch: int = 1000) -> int:
    """Write the records to the Parquet file ``path`` (pyarrow; ImportError without it), ``batch`` rows
    per row group so that memory stays bounded; returns how many. The file appears whole or not at
    all: it is written beside ``path`` and renamed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    records = export_records(corpus, canonical_only=canonical_only)
    partial = path.with_name(f".{path.name}.partial")
    n = 0
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            while chunk := [_parquet_row(rec) for rec in itertools.islice(records, batch)]:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                n += len(chunk)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return n
