"""Reading the Parquet tables of a run without a database (``dedup run --engine spark --out DIR``).

Every reading command (report, export, clusters, quotes, show, explain) takes such a folder as
``--db``: the tables are loaded, a batch of rows at a time with pyarrow (no Spark needed), into a
database kept in the user's cache and named after the folder and its run's finish stamp, so they
are loaded once per output. The folder must be readable as a local path (a mounted bucket or a
copy: ``aws s3 sync``, ``hdfs dfs -get``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from dedup.errors import StoreError
from dedup.models import Problem
from dedup.store import Store

#: the tables a run without --db writes that a database holds as well (its own ``problems`` and
#: ``furniture`` are loaded apart)
TABLES = ("documents", "edits", "signatures", "clusters", "cluster_members", "pairs", "alignments", "reuses",
          "citations", "sources")
BATCH_ROWS = 2048


def is_parquet_output(path: str) -> bool:
    """Whether ``path`` is the folder of a run without a database (it holds a ``run`` table)."""
    return os.path.isdir(os.path.join(path, "run"))


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "article-dedup" / "parquet-runs"


def database_of(folder: str) -> str:
    """The database holding the tables of the Parquet output ``folder`` (made on first use)."""
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise StoreError(f"{folder}: reading a Parquet output needs pyarrow: pip install pyarrow") from None
    try:
        run = ds.dataset(os.path.join(folder, "run"), format="parquet").to_table().to_pylist()
    except (OSError, ValueError) as exc:
        raise StoreError(f"{folder}: cannot read its run table ({exc})") from None
    if not run:
        raise StoreError(f"{folder}: its run table is empty; the run did not finish (run it again)")
    meta = run[0]
    if not meta.get("finished"):
        raise StoreError(f"{folder}: the run writing it has not finished (or it stopped); run the same command "
                         "again to finish it")
    name = hashlib.sha256(json.dumps([os.path.realpath(folder), meta.get("finished"), meta.get("counts")])
                          .encode()).hexdigest()[:24]
    target = cache_folder() / f"{name}.db"
    if target.exists():
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part")
    for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        _load(folder, meta, str(part), ds)
    except (OSError, ValueError) as exc:
        raise StoreError(f"{folder}: cannot read its tables ({exc})") from None
    os.replace(part, target)
    return str(target)


def _load(folder: str, meta: dict[str, Any], path: str, ds: Any) -> None:
    from dedup.config import Config

    config = json.loads(meta["config"])
    store = Store(path, writer=True)
    try:
        run_id = store.start_run(meta["version"], Config.from_dict(config).name(), config, json.loads(meta["paths"]))
        with store.transaction():
            for table in TABLES:
                where = os.path.join(folder, table)
                if not os.path.isdir(where):
                    continue
                data = ds.dataset(where, format="parquet")
                target_table = store.db.table(table)
                have = set(target_table.columns_dict)
                cols = [c for c in data.schema.names if c in have]
                for batch in data.to_batches(columns=cols, batch_size=BATCH_ROWS):
                    rows = batch.to_pylist()
                    if table == "documents":
                        for r in rows:
                            r["first_run"] = r["last_run"] = run_id
                    target_table.insert_all(rows, replace=True)
            skipped = ds.dataset(os.path.join(folder, "problems"), format="parquet").to_table()
            problems = skipped.sort_by("n").to_pylist()  # (n: the position in input order)
            store.add_problems(run_id, (Problem(p["source"], p["reason"], p["line"]) for p in problems))
            furniture = ds.dataset(os.path.join(folder, "furniture"), format="parquet").to_table().to_pylist()
            store.set_meta("furniture", json.dumps({f["line"]: f["evidence"] for f in furniture}, sort_keys=True,
                                                   ensure_ascii=False))
        counts = json.loads(meta["counts"])
        store.finish_run(run_id, {**counts, "only": "copies"}, json.loads(meta["timings"]),
                         "ok" if not counts.get("skipped") else "some inputs skipped", int(bool(counts.get("skipped"))))
    finally:
        store.close()


__all__ = ["database_of", "is_parquet_output"]
