"""Parquet files: one document per row, read as a CSV file's rows are (``.parquet``).

A lake's articles are most often a Parquet table with a ``text`` or ``html`` column. The columns
are mapped to fields once per file exactly as CSV headers are (:func:`dedup.ingest_fields.resolve_columns`:
the usual names, or ``--text-col``, ``--html-col``, ``--id-col`` …), and the columns given no field
are kept with each row in ``extra``. Typed cells become text the way a CSV would hold them (dates
and timestamps in ISO 8601, nulls empty, lists and structs as JSON), so a table exported to CSV and
the same table as Parquet give the same documents. The file is streamed a batch of rows at a time
(pyarrow's ``iter_batches``), so its size has no limit.

pyarrow comes with the ``parquet`` (and ``spark``) extra; without it each Parquet file is one
Problem saying how to install it, and the run goes on with the other inputs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dedup.ingest import COMPRESSED, RawInput, Reading, printable_path
from dedup.ingest_csv import RowTable, column_names, stopped_at
from dedup.ingest_fields import resolve_columns
from dedup.models import Problem

#: Rows converted to Python at a time: a few MB of articles, whatever the row groups' size.
BATCH_ROWS = 512
INSTALL = "pip install 'article-dedup[parquet]'"


def read_parquet(path: Path, doc_id: str, how: Reading) -> Iterator[RawInput | Problem]:
    """The rows of a Parquet file as documents; rows that state no id get ``doc_id:ROW`` (from 1)."""
    source = printable_path(str(path))
    if path.suffix.lower() in COMPRESSED:
        yield Problem(source, f"a Parquet file compresses its own pages; decompress the {path.suffix} file to read it")
        return
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        yield Problem(source, f"reading Parquet needs pyarrow; install it with: {INSTALL}")
        return
    rowno = 0
    try:
        table_file = pq.ParquetFile(path)
        names = column_names([f.name for f in table_file.schema_arrow])
        columns, why = resolve_columns(names, how.csv_columns)
        if why:
            yield Problem(source, why)
            return
        table = RowTable(source, doc_id, names, columns, how.paragraph_sep, "utf-8")
        for batch in table_file.iter_batches(batch_size=BATCH_ROWS):
            cells = [[_cell(v) for v in column.to_pylist()] for column in batch.columns]
            for row in zip(*cells, strict=True):
                rowno += 1
                yield table.row(list(row), rowno)
        if not table.rows:
            yield Problem(source, "Parquet file has no rows")
    except (pa.ArrowException, ValueError) as exc:  # (not Parquet, truncated, a corrupt page)
        yield Problem(source, f"not readable as Parquet ({str(exc)[:200]}) {stopped_at(rowno)}")
    except OSError as exc:
        yield Problem(source, f"cannot read ({exc.strerror or exc})")


def _cell(value: Any) -> str:
    """A typed cell as the text a CSV export of it holds."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):  # (a binary column of UTF-8 text; a stray byte is shown, not fatal)
        return value.decode("utf-8", "replace")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
