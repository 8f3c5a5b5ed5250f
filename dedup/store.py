"""The SQLite database of a corpus. The only module that imports sqlite-utils.

Tables (documented in the README):

- ``documents``      one row per document: raw and clean text, stated metadata,
                     inferred metadata, defects, damage, cluster membership
- ``edits``          every cleaning edit, in raw offsets
- ``signatures``     MinHash signature per document, with its scheme/seed/num_perm
- ``clusters``       one row per cluster (singletons included), canonical and reason
- ``cluster_members``each member's figures against its canonical copy
- ``reuses``, ``citations``  provenance edges
- ``problems``       inputs that were skipped, per run
- ``seen``           the last run whose input held each document
- ``runs``           one row per run: config, version, counts, timings, status
- ``cache``          derived data kept between runs by stages that work
                     incrementally (namespace, content-derived key, bytes, their
                     checksum: see :mod:`dedup.store_cache`)

Whether a file can be used, and how a reader opens it without writing, is
:mod:`dedup.store_check`; the run lock is :mod:`dedup.runtime.lock`.

Writes go through :meth:`Store.transaction` in batches, so a killed run
leaves whole batches and a re-run finishes the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

from dedup import store_check
from dedup.errors import StoreError
from dedup.models import Cluster, Document, Edit, OffsetMap, Problem, to_json
from dedup.runtime.lock import RunLock
from dedup.store_cache import StoreCache, add_checksums


def _import_sqlite_utils() -> Any:
    """sqlite-utils, without the pandas import it makes when pandas is installed.

    sqlite-utils imports pandas (and through it pyarrow) at import time only to
    map ``pandas.Timestamp`` to a column type, which this store never inserts;
    that import was half of every run's start-up (0.26 s of 0.53 s where pyspark's
    extras had installed pandas). A later ``import pandas`` anywhere is unaffected.
    """
    if "pandas" in sys.modules or "sqlite_utils" in sys.modules:
        import sqlite_utils

        return sqlite_utils
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes "import pandas" raise ImportError
    try:
        import sqlite_utils
    finally:
        del sys.modules["pandas"]
    return sqlite_utils


if TYPE_CHECKING:
    import sqlite_utils
else:
    sqlite_utils = _import_sqlite_utils()

#: 2: reuses.kind and the sources table; 3: documents.extra, what a record or CSV row holds besides
#: the document's fields (an older database gains them in place when opened; see _ensure_schema)
SCHEMA_VERSION = 3


def _json(value: Any) -> str:
    return to_json(value)


def pack_offsets(offsets: Sequence[int]) -> bytes:
    """The clean→raw map as its breakpoints (see :class:`~dedup.models.OffsetMap`)."""
    return OffsetMap.from_list(offsets).to_bytes()


def unpack_offsets(blob: bytes | None) -> OffsetMap:
    return OffsetMap.from_bytes(blob)


class Store:
    _depth = 0  # transaction nesting

    def __init__(self, path: str, *, writer: bool = False, read_only: bool = False) -> None:
        """Open a database; a ``writer`` takes the run lock first, and creates or migrates the schema.

        The lock comes before the schema is touched, so two runs starting on a
        new database at the same moment never race to create it. Any other
        opener writes no schema to a database that has one (a read-only file can
        be read; see :mod:`dedup.store_check` for what is refused and why); it
        creates a new database unless ``read_only``.
        """
        self.path = path
        self.writer = writer
        self._provisional_seq = 0
        self._lock: RunLock | None = None
        if writer:
            self.lock()
        try:
            conn = store_check.connect(path, writer=writer)
            self.db = sqlite_utils.Database(conn)
            self.schema = store_check.inspect(conn, path, SCHEMA_VERSION, writer=writer)
            self.db.execute("PRAGMA synchronous=NORMAL")
            if writer or (self.schema.version is None and not read_only):
                self.db.execute("PRAGMA journal_mode=WAL")
                self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(f"{path}: cannot use as a dedup database ({exc})") from None
        except StoreError:
            self.close()
            raise

    def _t(self, name: str) -> sqlite_utils.db.Table:
        return self.db.table(name)

    def lock(self) -> None:
        """Take the database for one writing run; a second run stops at once with a clear message
        (see :mod:`dedup.runtime.lock`)."""
        if self.path == ":memory:" or self._lock is not None:
            return
        self._lock = RunLock.acquire(self.path)

    def close(self) -> None:
        if hasattr(self, "db"):
            self.db.conn.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; a nested call joins the outer one (it commits or rolls back as a whole)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
        self.db.execute("COMMIT")

    def _ensure_schema(self) -> None:
        db = self.db
        if "meta" not in db.table_names():
            self._t("meta").create({"key": str, "value": str}, pk="key")
            self._t("meta").insert({"key": "schema_version", "value": str(SCHEMA_VERSION)})
        self._t("documents").create(
            {
                "id": str, "source": str, "content_hash": str, "kind": str, "encoding": str,
                "raw": str, "html": str, "text": str,
                "title": str, "outlet": str, "date": str, "author": str, "url": str,
                "inferred": str, "defects": str, "offsets": bytes, "clean_key": str,
                "stated": str, "furniture_key": str,
                "n_shingles": int, "completeness": float, "gaps": str,
                "cluster": str, "canonical": int, "first_run": int, "last_run": int,
            },
            pk="id",
            if_not_exists=True,
        )
        self._t("edits").create(
            {"doc": str, "seq": int, "start": int, "end": int, "rule": str,
             "removed": str, "replacement": str, "detail": str},
            pk=("doc", "seq"),
            if_not_exists=True,
        )
        self._t("signatures").create(
            {"doc": str, "fingerprint_key": str, "scheme": str, "num_perm": int, "seed": int,
             "shingle_size": int, "signature": bytes, "anchors": bytes},
            pk="doc",
            if_not_exists=True,
        )
        if "anchors" not in self._t("signatures").columns_dict:
            # a database from before anchors: its signatures are made again, with them
            self._t("signatures").add_column("anchors", bytes)
            self.db.execute("delete from signatures")
        self._t("clusters").create(
            {"id": str, "canonical": str, "size": int, "reason": str, "contains": str}, pk="id", if_not_exists=True
        )
        # jaccard .. relation: figures against the canonical copy; via, decided_by, aligned: the verified
        # pair through which the member joined (via is the canonical itself when it verifies against it)
        self._t("cluster_members").create(
            {"doc": str, "cluster": str, "canonical": str, "jaccard": float,
             "containment_in_canonical": float, "containment_of_canonical": float, "relation": str,
             "via": str, "decided_by": str, "aligned": float},
            pk="doc",
            if_not_exists=True,
        )
        for table, columns in (("clusters", {"contains": str}),
                               ("cluster_members", {"via": str, "decided_by": str, "aligned": float})):
            for column, kind in columns.items():
                if column not in self._t(table).columns_dict:
                    self._t(table).add_column(column, kind)
        self._t("reuses").create(
            {"id": str, "quoting": str, "source": str, "direction": str, "kind": str, "data": str},
            pk="id",
            if_not_exists=True,
        )
        if "kind" not in self._t("reuses").columns_dict:
            # a database from before edge kinds: the column is added in place; the next run's
            # quotation stage writes every edge again (its cached results carry no kind)
            self._t("reuses").add_column("kind", str)
        self._t("citations").create(
            {"id": str, "doc": str, "outlet": str, "resolved_to": str, "data": str},
            pk="id",
            if_not_exists=True,
        )
        # common sources (a wire story, a speaker's words) and their witnesses, in data
        self._t("sources").create({"id": str, "kind": str, "name": str, "data": str}, pk="id", if_not_exists=True)
        if self.get_meta("schema_version") != str(SCHEMA_VERSION):
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        self._t("runs").create(
            {"id": int, "started": str, "finished": str, "version": str, "config_name": str,
             "config": str, "paths": str, "counts": str, "timings": str, "status": str,
             "exit_status": int},
            pk="id",
            if_not_exists=True,
        )
        self._t("problems").create(
            {"run": int, "path": str, "line": int, "reason": str}, if_not_exists=True
        )
        self._t("pairs").create(
            {"a": str, "b": str, "jaccard": float, "containment_a_in_b": float, "containment_b_in_a": float,
             "n_a": int, "n_b": int, "aligned": float},
            pk=("a", "b"),
            if_not_exists=True,
        )
        if "aligned" not in self._t("pairs").columns_dict:
            self._t("pairs").add_column("aligned", float)
        self._t("alignments").create(
            {"doc": str, "against": str, "doc_key": str, "against_key": str, "completeness": float, "gaps": str},
            pk=("doc", "against"),
            if_not_exists=True,
        )
        if "seen" not in self.db.table_names():
            self.db.execute("create table seen (doc text primary key, last_seen integer) without rowid")
        self._t("cache").create({"ns": str, "key": str, "value": bytes, "crc": int}, pk=("ns", "key"),
                                if_not_exists=True)
        add_checksums(self.db.conn)  # (a database from before them: see dedup.store_cache)
        docs = self._t("documents")
        for column in ("stated", "furniture_key"):
            if column not in docs.columns_dict:
                docs.add_column(column, str)
        for column in ("text_len", "n_defects"):  # what ranking needs, without reading texts
            if column not in docs.columns_dict:
                docs.add_column(column, int)
        if "extra" not in docs.columns_dict:
            self._add_extra(docs)
        # Covers the narrow per-document reads of every run (keys, ranks): without it SQLite
        # walks each row's overflow pages (raw and clean text) to reach the later columns.
        self.db.execute("create index if not exists documents_narrow on documents "
                        "(id, content_hash, clean_key, furniture_key, kind, text_len, n_defects, date)")
        # per-document result digests of an earlier version (the results-state blob replaced them);
        # looked for first, so that opening a reader never asks for the write lock
        if self.db.execute("select 1 from cache where ns = 'document-results' limit 1").fetchone():
            self.db.execute("delete from cache where ns = 'document-results'")
        # the same for the defects clustering reads of every document with a copy (page findings)
        self.db.execute("create index if not exists documents_defects on documents (id, defects)")
        # the same for the metadata every run reads of all documents (LazyDocuments.metadata)
        self.db.execute("create index if not exists documents_meta on documents "
                        "(id, source, content_hash, kind, encoding, title, outlet, date, author, url, inferred)")
        self._t("cluster_members").create_index(["cluster"], if_not_exists=True)
        self._t("edits").create_index(["doc"], if_not_exists=True)
        self._t("problems").create_index(["run"], if_not_exists=True)
        # a cleaned document's figures and alignments go whichever side it is on: without these,
        # each cleaned batch scanned both tables
        self.db.execute("create index if not exists pairs_b on pairs (b)")
        self.db.execute("create index if not exists alignments_against on alignments (against)")

    def _add_extra(self, docs: sqlite_utils.db.Table) -> None:
        """Add documents.extra (JSON of a record's other keys, NULL for none). Documents stored before
        it have none until their input is read again: the next run reads every input afresh (the
        known-input entries that let it skip unchanged ones are dropped) and fills the column in
        place, cleaning nothing again (:meth:`fill_extra`, asked for by the meta key extra_backfill)."""
        docs.add_column("extra", str)
        if self.db.execute("select 1 from documents limit 1").fetchone():
            self.db.execute("delete from cache where ns = 'inputs'")
            self.set_meta("extra_backfill", "1")

    def fill_extra(self, rows: list[tuple[str | None, str]]) -> None:
        """Write (extra JSON or None, id) of unchanged documents whose stored extra differs."""
        with self.transaction():
            self.db.conn.executemany("update documents set extra = ? where id = ? and extra is not ?",
                                     [(extra, doc_id, extra) for extra, doc_id in rows])

    # -- runs -----------------------------------------------------------------
    def start_run(self, version: str, config_name: str, config: dict[str, Any], paths: list[str]) -> int:
        with self.transaction():
            table = self._t("runs")
            table.insert(
                {
                    "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "version": version,
                    "config_name": config_name,
                    "config": _json(config),
                    "paths": _json(paths),
                    "status": "running",
                }
            )
            run_id = table.last_pk
        return int(str(run_id))

    def finish_run(
        self, run_id: int, counts: dict[str, Any], timings: dict[str, float], status: str, exit_status: int
    ) -> None:
        with self.transaction():
            self._t("runs").update(
                run_id,
                {
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "counts": _json(counts),
                    "timings": _json({k: round(v, 4) for k, v in timings.items()}),
                    "status": status,
                    "exit_status": exit_status,
                },
            )

    def add_problems(self, run_id: int, problems: Iterable[Problem]) -> None:
        rows = [{"run": run_id, "path": p.path, "line": p.line, "reason": p.reason} for p in problems]
        if rows:
            with self.transaction():
                self._t("problems").insert_all(rows)

    def runs(self) -> list[dict[str, Any]]:
        return list(self._t("runs").rows_where(order_by="id"))

    def problems(self, run_id: int) -> list[Problem]:
        return [
            Problem(r["path"], r["reason"], r["line"])
            for r in self._t("problems").rows_where("run = ?", [run_id], order_by="rowid")
        ]

    # -- documents ------------------------------------------------------------
    def document_keys(self) -> dict[str, tuple[str, str | None]]:
        """id -> (content_hash, clean_key) of every stored document."""
        return {
            r[0]: (r[1], r[2])
            for r in self.db.execute("select id, content_hash, clean_key from documents").fetchall()
        }

    def save_documents(self, docs: Iterable[Document], run_id: int, clean_key: str, html: dict[str, str]) -> None:
        """Upsert documents and replace their edits (one transaction per call: callers batch)."""
        rows: list[dict[str, Any]] = []
        edit_rows: list[dict[str, Any]] = []
        ids: list[str] = []
        for d in docs:
            ids.append(d.id)
            rows.append(
                {
                    "id": d.id, "source": d.source, "content_hash": d.content_hash, "kind": d.kind,
                    "encoding": d.encoding, "raw": d.raw, "html": html.get(d.id), "text": d.text,
                    "title": d.title, "outlet": d.outlet, "date": d.date, "author": d.author, "url": d.url,
                    "defects": _json(d.defects), "offsets": pack_offsets(d.offsets),
                    "clean_key": clean_key, "last_run": run_id, "extra": _json(d.extra) if d.extra else None,
                }
            )
            edit_rows.extend(
                {"doc": d.id, "seq": i, "start": e.start, "end": e.end, "rule": e.rule,
                 "removed": e.removed, "replacement": e.replacement, "detail": e.detail}
                for i, e in enumerate(d.edits)
            )
        if not rows:
            return
        with self.transaction():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                self.db.execute(
                    f"delete from edits where doc in ({','.join('?' * len(chunk))})", chunk
                )
            existing = {
                r[0]: r[1]
                for chunk in _chunks(ids, 500)
                for r in self.db.execute(
                    f"select id, first_run from documents where id in ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            }
            for row in rows:
                row["first_run"] = existing.get(row["id"]) or run_id
            self._t("documents").upsert_all(rows, pk="id")
            if edit_rows:
                self._t("edits").insert_all(edit_rows)

    def touch_documents(self, ids: list[str], run_id: int) -> None:
        """Record that this run's input held ``ids``.

        Kept in the narrow ``seen`` table: updating a column of 100k wide
        document rows rewrites every row (text and all) and took seconds.
        """
        with self.transaction():
            self.db.conn.executemany("insert or replace into seen (doc, last_seen) values (?, ?)",
                                     ((d, run_id) for d in ids))

    def load_documents(self, ids: Iterable[str] | None = None, *, with_edits: bool = True) -> list[Document]:
        if ids is None:
            rows = list(self._t("documents").rows_where(order_by="id"))
        else:
            rows = []
            for chunk in _chunks(list(ids), 500):
                rows.extend(
                    self._t("documents").rows_where(f"id in ({','.join('?' * len(chunk))})", chunk)
                )
            rows.sort(key=lambda r: r["id"])
        edits: dict[str, list[Edit]] = {}
        if with_edits:
            for e in self._t("edits").rows_where(order_by="doc, seq"):
                edits.setdefault(e["doc"], []).append(
                    Edit(e["start"], e["end"], e["rule"], e["removed"], e["replacement"], e["detail"])
                )
        return [self._document(r, edits.get(r["id"], [])) for r in rows]

    @staticmethod
    def _document(r: dict[str, Any], edits: list[Edit]) -> Document:
        return Document(
            id=r["id"], source=r["source"], content_hash=r["content_hash"], raw=r["raw"],
            kind=r["kind"], text=r["text"] or "", title=r["title"], outlet=r["outlet"], date=r["date"],
            author=r["author"], url=r["url"], encoding=r["encoding"], edits=edits,
            offsets=unpack_offsets(r["offsets"]), defects=json.loads(r["defects"] or "[]"),
            inferred=json.loads(r["inferred"] or "{}"), extra=_json_dict(r.get("extra")),
        )

    def document_rows(self) -> list[dict[str, Any]]:
        return list(self._t("documents").rows_where(order_by="id"))

    # -- streaming stages -------------------------------------------------------
    def save_pending(
        self, items: Iterable[dict[str, Any]], run_id: int, cleaned: CleanedBatch | None = None,
    ) -> None:
        """Store inputs that are new or changed, to be cleaned later in this run.

        ``items`` are dicts with id, source, content_hash, kind, encoding, body,
        stated (JSON of the metadata a record stated) and extra (JSON of its other keys, or None). The database is the
        spool between ingest and cleaning, so no stage holds the corpus in memory.
        ``cleaned`` (documents, clean key, signatures, fingerprint settings,
        provisional results, as :meth:`save_cleaned` takes them, with furniture
        key "") holds those already cleaned: they are stored cleaned, with one
        row write instead of an insert and an update.
        """
        done: dict[str, Document] = {d.id: d for d in cleaned[0]} if cleaned is not None else {}
        plain: list[list[Any]] = []
        full: dict[str, list[Any]] = {}
        for it in items:
            html = it["kind"] == "html"
            row = [it["id"], it["source"], it["content_hash"], it["kind"], it["encoding"],
                   it["body"] if html else None, it["stated"], it.get("extra")]
            if it["id"] in done:
                full[it["id"]] = row
            else:
                plain.append([*row, "" if html else it["body"], run_id, None, None, None])
        with self.transaction():
            if plain:
                self._insert_documents([*_PENDING_COLUMNS, "raw", "last_run", "text", "clean_key", "furniture_key"],
                                       plain, run_id)
            if full:
                assert cleaned is not None
                docs, clean_key, sigs, fingerprint, provisional = cleaned
                values, extra, results = self._clean_values(docs, run_id, clean_key, {}, provisional)
                # the raw column of an html document holds its extracted text, as save_cleaned writes it
                rows = [full[d.id] + v[:-1] for d, v in zip(docs, values, strict=True)]
                self._insert_documents([*_PENDING_COLUMNS, *_CLEAN_COLUMNS, *extra], rows, run_id)
                self._save_clean_extras(docs, sigs, fingerprint, results)

    def _insert_documents(self, cols: list[str], rows: list[list[Any]], run_id: int) -> None:
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != "id")
        # first_run is set on insert only: a changed document keeps the run that first saw it
        self.db.conn.executemany(
            f"insert into documents ({', '.join(f'[{c}]' for c in cols)}, first_run) "
            f"values ({', '.join('?' * len(cols))}, ?) on conflict(id) do update set {updates}",
            [[*r, run_id] for r in rows],
        )

    def delete_documents(self, ids: list[str]) -> None:
        with self.transaction():
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                for table, col in (("documents", "id"), ("edits", "doc"), ("signatures", "doc")):
                    self.db.execute(f"delete from {table} where {col} in ({marks})", chunk)

    def iter_furniture_sources(self, ids: Iterable[str] | None = None) -> Iterator[tuple[str, str | None, str]]:
        """(id, outlet a record stated, raw text) of text documents (all, or ``ids``) in id order.

        Only what ingest knew is used (never metadata the cleaner found), so the
        furniture of a corpus does not depend on how often it was run.
        """
        if ids is None:
            rows: Iterable[tuple[str, str | None, str]] = self.db.execute(
                "select id, stated, raw from documents where kind = 'text' order by id"
            )
        else:
            rows = (
                row for chunk in _chunks(sorted(ids), 500)
                for row in self.db.execute(
                    f"select id, stated, raw from documents where kind = 'text' and id in "
                    f"({','.join('?' * len(chunk))}) order by id", chunk
                )
            )
        for doc_id, stated, raw in rows:
            yield doc_id, json.loads(stated or "{}").get("outlet"), raw or ""

    def furniture_inputs(self) -> list[tuple[str, str]]:
        """(id, content hash) of text documents in id order: what names a line record."""
        return self.db.execute("select id, content_hash from documents where kind = 'text' order by id").fetchall()

    def raw_texts(self, ids: Iterable[str]) -> dict[str, tuple[str | None, str]]:
        """id -> (outlet a record stated, raw text)."""
        out: dict[str, tuple[str | None, str]] = {}
        for chunk in _chunks(sorted(set(ids)), 500):
            query = f"select id, stated, raw from documents where id in ({','.join('?' * len(chunk))})"
            for doc_id, stated, raw in self.db.execute(query, chunk):
                out[doc_id] = (json.loads(stated or "{}").get("outlet"), raw or "")
        return out

    def iter_work(self, ids: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
        """Rows needed to clean documents again (all, or ``ids``), in id order."""
        cols = "id, source, content_hash, kind, encoding, raw, html, stated, clean_key, furniture_key"
        if ids is None:
            for row in self.db.execute(f"select {cols} from documents order by id"):
                yield dict(zip(cols.split(", "), row, strict=True))
            return
        for chunk in _chunks(sorted(ids), 500):
            query = f"select {cols} from documents where id in ({','.join('?' * len(chunk))}) order by id"
            for row in self.db.execute(query, chunk):
                yield dict(zip(cols.split(", "), row, strict=True))

    def clean_keys(self) -> dict[str, tuple[str | None, str | None]]:
        """id -> (clean_key, furniture_key)."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("select id, clean_key, furniture_key from documents")}

    def text_keys(self) -> dict[str, str]:
        """id -> a key that changes whenever the document's clean text can change (see LazyDocuments.text_keys)."""
        return dict(self.db.execute(f"select id, {_TEXT_KEY} from documents").fetchall())

    def save_cleaned(
        self, docs: list[Document], run_id: int, clean_key: str, furniture_keys: dict[str, str],
        sigs: npt.NDArray[np.uint32], fingerprint: dict[str, Any],
        provisional: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        """Clean text, metadata, edits and signature of a batch, in one transaction.

        ``provisional(id)`` gives result columns (cluster, canonical, ...) to
        write now, in the same row update: most documents of a corpus turn out
        to be singletons, and rewriting every wide row again at the end of a
        first run cost seconds per 100k documents. :meth:`save_results` then
        writes only the rows whose final values differ.
        """
        values, extra, results = self._clean_values(docs, run_id, clean_key, furniture_keys, provisional)
        assignments = ", ".join(f"[{c}] = ?" for c in (*_CLEAN_COLUMNS, *extra))
        with self.transaction():
            self.db.conn.executemany(f"update documents set {assignments} where id = ?", values)
            self._save_clean_extras(docs, sigs, fingerprint, results)

    def _clean_values(
        self, docs: list[Document], run_id: int, clean_key: str, furniture_keys: Mapping[str, str],
        provisional: Callable[[str], dict[str, Any]] | None,
    ) -> tuple[list[list[Any]], list[str], dict[str, dict[str, Any]]]:
        """Per document, the values of _CLEAN_COLUMNS and the provisional result columns, then its id."""
        results = {d.id: provisional(d.id) for d in docs} if provisional is not None else {}
        extra = sorted(next(iter(results.values()), {}))
        values = [
            [d.text, d.title, d.outlet, d.date, d.author, d.url, _json(d.defects), pack_offsets(d.offsets),
             clean_key, furniture_keys.get(d.id, ""), run_id, d.raw, len(d.text), len(d.defects),
             *(results[d.id][c] for c in extra), d.id]
            for d in docs
        ]
        return values, extra, results

    def _save_clean_extras(
        self, docs: list[Document], sigs: npt.NDArray[np.uint32], fingerprint: dict[str, Any],
        results: dict[str, dict[str, Any]],
    ) -> None:
        """Edits, signatures and provisional results of newly cleaned documents (inside a transaction)."""
        ids = [d.id for d in docs]
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"delete from edits where doc in ({marks})", chunk)
            # figures and alignments of a changed text are stale
            self.db.execute(f"delete from pairs where a in ({marks}) or b in ({marks})", chunk + chunk)
            self.db.execute(f"delete from alignments where doc in ({marks}) or against in ({marks})",
                            chunk + chunk)
        if results:
            # one entry per batch (a pickle per document was 5 us each, 100k of them a first run),
            # named so that they sort in the order they were written
            self._provisional_seq += 1
            key = f"{time.time_ns():020d}:{self._provisional_seq:09d}"
            self.cache("results-provisional").put_many([(key, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))])
        # plain executemany: sqlite-utils' per-value JSON checks cost more than the insert here
        self.db.conn.executemany(
            "insert into edits (doc, seq, start, [end], rule, removed, replacement, detail) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.id, i, e.start, e.end, e.rule, e.removed, e.replacement, e.detail)
             for d in docs for i, e in enumerate(d.edits)],
        )
        self.db.conn.executemany(
            "insert or replace into signatures (doc, fingerprint_key, scheme, num_perm, seed, shingle_size, "
            "signature, anchors) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.id, fingerprint["fingerprint_key"], fingerprint["scheme"], fingerprint["num_perm"],
              fingerprint["seed"], fingerprint["shingle_size"], sigs[i].tobytes(), d.anchors)
             for i, d in enumerate(docs)],
        )

    def ranks(self) -> list[tuple[str, int, int, str | None]]:
        """(id, clean length, defect count, date) of every document, without loading texts."""
        rows = self.db.execute("select id, text_len, n_defects, date from documents order by id").fetchall()
        if any(r[1] is None for r in rows):  # a database from before these columns, or a document not yet cleaned
            rows = self.db.execute(
                "select id, coalesce(text_len, length(text)), coalesce(n_defects, json_array_length(defects)), date "
                "from documents order by id"
            ).fetchall()
        return [(r[0], r[1] or 0, r[2] or 0, r[3]) for r in rows]

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(ids), 500):
            for doc_id, text in self.db.execute(
                f"select id, text from documents where id in ({','.join('?' * len(chunk))})", chunk
            ):
                out[doc_id] = text or ""
        return out

    def load_pairs(self) -> dict[tuple[str, str], tuple[float, float, float, int, int, float | None]]:
        """Figures of pairs measured by earlier runs: (a, b) -> J, both containments, both sizes, and
        the ordered word alignment when one was made (else None)."""
        return {
            (r[0], r[1]): (r[2], r[3], r[4], r[5], r[6], r[7])
            for r in self.db.execute(
                "select a, b, jaccard, containment_a_in_b, containment_b_in_a, n_a, n_b, aligned from pairs"
            )
        }

    def pair_figures(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[float, float, float]]:
        """(J, containment of a in b, of b in a) of the pairs ``keys`` (a < b) that were measured."""
        out: dict[tuple[str, str], tuple[float, float, float]] = {}
        for a, b in keys:
            row = self.db.execute("select jaccard, containment_a_in_b, containment_b_in_a from pairs "
                                  "where a = ? and b = ?", [a, b]).fetchone()
            if row is not None:
                out[(a, b)] = (row[0], row[1], row[2])
        return out

    def clear_pairs(self) -> None:
        with self.transaction():
            self.db.execute("delete from pairs")

    def save_pairs(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows (a, b, J, c_ab, c_ba, n_a, n_b, aligned or None)."""
        if rows:
            with self.transaction():
                self.db.conn.executemany(
                    "insert or replace into pairs (a, b, jaccard, containment_a_in_b, containment_b_in_a, n_a, n_b, "
                    "aligned) values (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def findings_and_titles(self, ids: Iterable[str]) -> dict[str, tuple[list[str], str | None]]:
        """The cleaner's findings of the documents ``ids`` (page findings among them), and their titles."""
        out: dict[str, tuple[list[str], str | None]] = {}
        for chunk in _chunks(list(ids), 500):
            for doc_id, defects, title in self.db.execute(
                f"select id, defects, title from documents where id in ({','.join('?' * len(chunk))})", chunk
            ):
                out[doc_id] = (json.loads(defects or "[]"), title)
        return out

    def load_alignments(self, docs: Iterable[str] | None = None) -> dict[tuple[str, str], tuple[str, str, float, str]]:
        """Kept alignments (all, or those of the documents ``docs``): (doc, against) -> keys, figures."""
        query = "select doc, against, doc_key, against_key, completeness, gaps from alignments"
        if docs is None:
            rows: Iterable[tuple[Any, ...]] = self.db.execute(query)
        else:
            rows = (r for chunk in _chunks(sorted(set(docs)), 500)
                    for r in self.db.execute(f"{query} where doc in ({','.join('?' * len(chunk))})", chunk))
        return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows}

    def save_alignments(self, rows: list[tuple[str, str, str, str, float, str]]) -> None:
        if rows:
            with self.transaction():
                self.db.conn.executemany("insert or replace into alignments values (?, ?, ?, ?, ?, ?)", rows)

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("select value from meta where key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("insert or replace into meta (key, value) values (?, ?)", [key, value])

    # -- cache ----------------------------------------------------------------
    def cache(self, ns: str) -> StoreCache:
        """The :class:`~dedup.runtime.blobs.BlobCache` of one stage, kept in this database."""
        return StoreCache(self, ns)

    # -- signatures -----------------------------------------------------------
    def save_signatures(
        self, ids: list[str], sigs: npt.NDArray[np.uint32], fingerprint_key: str,
        scheme: str, num_perm: int, seed: int, shingle_size: int, anchors: Sequence[bytes],
    ) -> None:
        rows = [
            {"doc": d, "fingerprint_key": fingerprint_key, "scheme": scheme, "num_perm": num_perm,
             "seed": seed, "shingle_size": shingle_size, "signature": sigs[i].tobytes(), "anchors": anchors[i]}
            for i, d in enumerate(ids)
        ]
        if rows:
            with self.transaction():
                self._t("signatures").upsert_all(rows, pk="doc")

    def load_signatures(self, fingerprint_key: str) -> tuple[list[str], npt.NDArray[np.uint32]]:
        ids, blobs = [], []
        for doc, blob in self.db.execute(
            "select doc, signature from signatures where fingerprint_key = ? order by doc", [fingerprint_key]
        ):
            ids.append(doc)
            blobs.append(blob)
        if not ids:
            return [], np.empty((0, 0), dtype=np.uint32)
        return ids, np.frombuffer(b"".join(blobs), dtype=np.uint32).reshape(len(ids), -1)

    def load_anchors(self, fingerprint_key: str) -> list[bytes]:
        """The anchor keys stored with the signatures, in the order of :meth:`load_signatures`."""
        return [blob or b"" for (blob,) in self.db.execute(
            "select anchors from signatures where fingerprint_key = ? order by doc", [fingerprint_key])]

    # -- results --------------------------------------------------------------
    def save_results(
        self,
        clusters: list[Cluster],
        doc_updates: dict[str, dict[str, Any]],
        reuses: list[dict[str, Any]],
        citations: list[dict[str, Any]],
        sources: list[dict[str, Any]] | None = None,
    ) -> None:
        """Replace the analysis tables in one transaction: readers never see a half-written result."""
        # rows as tuples in column order, primary key first: 100k documents make 200k rows, and
        # building dicts only to take them apart again cost more than the comparison
        member_rows: list[tuple[Any, ...]] = []
        for c in clusters:
            if len(c.members) == 1:
                member_rows.append((c.canonical, c.id, c.canonical, None, None, None, None, None, None, None))
                continue
            by_doc = {p.b if p.a == c.canonical else p.a: p for p in c.pairs}
            joins = c.joins()
            for m in c.members:
                p, j = by_doc.get(m), joins.get(m)
                via = (j.b if j.a == m else j.a, j.decided_by, j.aligned) if j else (None, None, None)
                if p is None:
                    member_rows.append((m, c.id, c.canonical, None, None, None, None, *via))
                    continue
                in_canonical, of_canonical = p.containments(m)
                member_rows.append((m, c.id, c.canonical, p.jaccard, in_canonical, of_canonical, p.relation, *via))
        cluster_rows = [(c.id, c.canonical, len(c.members), c.reason, to_json(c.contains) if c.contains else None)
                        for c in clusters]
        reuse_cols = ("id", "quoting", "source", "direction", "kind", "data")
        citation_cols = ("id", "doc", "outlet", "resolved_to", "data")
        with self.transaction():
            # Only what changed is written: an incremental run that adds 1,000
            # documents to 100k rewrites a few thousand rows, not 300k.
            self._sync("clusters", ("id", "canonical", "size", "reason", "contains"), cluster_rows)
            self._sync("cluster_members", ("doc", "cluster", "canonical", "jaccard", "containment_in_canonical",
                                           "containment_of_canonical", "relation", "via", "decided_by", "aligned"),
                       member_rows)
            self._sync("reuses", reuse_cols, [tuple(r.get(c) for c in reuse_cols) for r in reuses])
            self._sync("citations", citation_cols, [tuple(r.get(c) for c in citation_cols) for r in citations])
            source_cols = ("id", "kind", "name", "data")
            self._sync("sources", source_cols, [tuple(r.get(c) for c in source_cols) for r in sources or []])
            for columns, rows in _group_updates(self._changed_updates(doc_updates)).items():
                assignments = ", ".join(f"[{c}] = ?" for c in columns)
                self.db.conn.executemany(f"update documents set {assignments} where id = ?", rows)

    def _sync(self, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Make ``table`` hold exactly ``rows`` (values of ``cols``, primary key first), touching only rows that
        differ."""
        current = {r[0]: r for r in self.db.conn.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}]")}
        wanted = {r[0]: r for r in rows}
        gone = [(k,) for k in current.keys() - wanted.keys()]
        if gone:
            self.db.conn.executemany(f"delete from [{table}] where [{cols[0]}] = ?", gone)
        changed = [row for k, row in wanted.items() if current.get(k) != row]
        if changed:
            self.db.conn.executemany(
                f"insert or replace into [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                f"values ({', '.join('?' * len(cols))})", changed
            )

    def _changed_updates(self, updates: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The per-document updates that differ from the last ones written.

        The last ones written are kept in the cache table as one blob (all
        documents' values of the last :meth:`save_results`), overlaid with the
        provisional values :meth:`save_cleaned` wrote since, one entry per
        batch of documents. Reading the result columns back from 100k wide document rows
        took longer than the writes it saved, and one blob reads in a fraction
        of the time 100k per-document entries take. A document cleaned again
        keeps its old values (cleaning does not touch these columns), so the
        blob stays true.
        """
        state, provisional = self.cache("results-state"), self.cache("results-provisional")
        blob = state.get_many(["last"]).get("last")
        last: dict[str, dict[str, Any]] = pickle.loads(blob) if blob else {}
        if provisional.count():
            batches = provisional.get_many(provisional.keys())
            for key in sorted(batches):
                last.update(pickle.loads(batches[key]))
            provisional.retain(())
        changed = {d: u for d, u in updates.items() if last.get(d) != u}
        state.put_many([("last", pickle.dumps(updates, protocol=pickle.HIGHEST_PROTOCOL))])
        return changed

    def load_clusters(self) -> list[dict[str, Any]]:
        return list(self._t("clusters").rows_where(order_by="id"))

    def load_members(self) -> list[dict[str, Any]]:
        return list(self._t("cluster_members").rows_where(order_by="cluster, doc"))

    def load_edges(self, table: str) -> list[dict[str, Any]]:
        return [json.loads(r["data"]) for r in self.db[table].rows_where(order_by="id")]

    def table_fingerprint(self, exclude: tuple[str, ...] = ("runs", "problems", "alignments", "cache")) -> str:
        """A hash of every table's content, for tests that prove a re-run changed nothing."""
        h = hashlib.sha256()
        for table in sorted(self.db.table_names()):
            if table in exclude:
                continue
            cols = [c.name for c in self.db[table].columns if c.name not in ("first_run", "last_run", "last_seen")]
            order = ", ".join(f"[{c}]" for c in cols)
            for row in self.db.execute(f"select {order} from [{table}] order by {order}"):
                h.update(repr(row).encode())
        return h.hexdigest()


def _group_updates(updates: dict[str, dict[str, Any]]) -> dict[tuple[str, ...], list[list[Any]]]:
    grouped: dict[tuple[str, ...], list[list[Any]]] = {}
    for doc_id, update in updates.items():
        columns = tuple(sorted(update))
        grouped.setdefault(columns, []).append([update[c] for c in columns] + [doc_id])
    return grouped


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# columns of a new input that cleaning does not write
_PENDING_COLUMNS = ["id", "source", "content_hash", "kind", "encoding", "html", "stated", "extra"]
# columns cleaning writes, in the order of Store._clean_values
_CLEAN_COLUMNS = ["text", "title", "outlet", "date", "author", "url", "defects", "offsets", "clean_key",
                  "furniture_key", "last_run", "raw", "text_len", "n_defects"]
#: what save_pending takes of documents already cleaned: documents, clean key, signatures, fingerprint
#: settings, provisional results (see save_cleaned)
CleanedBatch = tuple[
    list[Document], str, "npt.NDArray[np.uint32]", dict[str, Any], "Callable[[str], dict[str, Any]] | None"
]

# the clean text is a function of the input bytes, the rule set and the corpus furniture the input holds
_TEXT_KEY = "content_hash || ':' || coalesce(clean_key, '') || ':' || coalesce(furniture_key, '')"
_DOC_COLUMNS = ("id, source, content_hash, kind, encoding, text, title, outlet, date, author, url, "
                "defects, inferred, offsets, extra")


class LazyDocuments(Sequence[Document]):
    """The documents of a database as a sequence, read in chunks on first use.

    Lets a stage walk 100k documents with a few thousand in memory. Each
    process opens its own read connection (a forked worker never shares its
    parent's), and ``raw`` text and edits are not loaded: stages after
    cleaning need only the clean text, metadata and the offset map.
    """

    def __init__(
        self, path: str, ids: Sequence[str], chunk: int = 256, cache_chunks: int = 16,
        inferred: dict[str, dict[str, str]] | None = None, text_keys: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path
        # inferred metadata of this run, not yet in the database (written with the results)
        self._inferred = inferred
        # Store.text_keys() of the database, when the caller has read it already
        self._text_keys = text_keys
        self._ids = list(ids)
        self._index = {d: i for i, d in enumerate(self._ids)}
        self._chunk = chunk
        self._cache_chunks = cache_chunks
        self._cache: dict[int, list[Document]] = {}
        self._conn: sqlite3.Connection | None = None
        self._pid = -1

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "ids": self._ids, "chunk": self._chunk, "cache_chunks": self._cache_chunks,
                "inferred": self._inferred}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["path"], state["ids"], state["chunk"], state["cache_chunks"], state.get("inferred")
        )

    @property
    def ids(self) -> list[str]:
        return self._ids

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._conn = sqlite3.connect(self.path, timeout=30)
            self._pid = os.getpid()
            self._cache = {}
        return self._conn

    def _load_chunk(self, k: int) -> list[Document]:
        if k in self._cache:
            return self._cache[k]
        ids = self._ids[k * self._chunk : (k + 1) * self._chunk]
        rows = self._connection().execute(
            f"select {_DOC_COLUMNS} from documents where id in ({','.join('?' * len(ids))})", ids
        ).fetchall()
        found = {r[0]: r for r in rows}
        docs = [_lazy_document(found[i]) for i in ids]
        if self._inferred is not None:
            for d in docs:
                d.inferred = dict(self._inferred.get(d.id, {}))
        if len(self._cache) >= self._cache_chunks:
            self._cache.pop(next(iter(self._cache)))
        self._cache[k] = docs
        return docs

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> Document: ...
    @overload
    def __getitem__(self, i: slice) -> list[Document]: ...
    def __getitem__(self, i: int | slice) -> Document | list[Document]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._ids)
        if not 0 <= i < len(self._ids):
            raise IndexError(i)
        return self._load_chunk(i // self._chunk)[i % self._chunk]

    def __iter__(self) -> Iterator[Document]:
        for i in range(len(self)):
            yield self[i]

    def by_id(self, doc_id: str) -> Document:
        return self[self._index[doc_id]]

    def subset(self, ids: Sequence[str]) -> LazyDocuments:
        """The same database and run state (inferred metadata) over other ids: a stage that needs a
        few scattered documents reads them in chunks of their own."""
        return LazyDocuments(self.path, ids, self._chunk, self._cache_chunks, self._inferred)

    def text_keys(self) -> list[str]:
        """Per document, in sequence order, a key that changes whenever its clean text can change.

        The clean text is a function of the input bytes, the rule set and the
        corpus furniture the input holds, so those three name it; one query,
        no text read.
        """
        keys = self._text_keys
        if keys is None:
            keys = dict(self._connection().execute(f"select id, {_TEXT_KEY} from documents").fetchall())
        return [keys[i] for i in self._ids]

    def metadata(self) -> Iterator[Document]:
        """The documents in sequence order with metadata only (no text, offsets or defects): one cheap pass."""
        for r in self._meta_rows("id, source, content_hash, kind, encoding, title, outlet, date, author, url, "
                                 "inferred"):
            inferred = _json_dict(r[10]) if self._inferred is None else dict(self._inferred.get(r[0], {}))
            yield Document(
                id=r[0], source=r[1], content_hash=r[2], raw="", kind=r[3], encoding=r[4], title=r[5],
                outlet=r[6], date=r[7], author=r[8], url=r[9], inferred=inferred,
            )

    def naming(self) -> Iterator[tuple[str, str | None, str | None, str | None, str | None, dict[str, Any]]]:
        """(id, outlet, title, url, date, inferred) of the documents in sequence order: what names a
        document and dates it, without building documents (a pass over 100k took 0.8 s with them)."""
        inferred = self._inferred
        empty: dict[str, Any] = {}
        for r in self._meta_rows("id, outlet, title, url, date, inferred"):
            yield (r[0], r[1], r[2], r[3], r[4],
                   _json_dict(r[5]) if inferred is None else inferred.get(r[0], empty))

    def _meta_rows(self, cols: str) -> Iterator[tuple[Any, ...]]:
        conn = self._connection()
        # Sequences of a store are in id order: then by id range, which SQLite serves from the
        # covering index documents_meta (an "id in (...)" list goes through the primary key to
        # the wide rows, and reaching these columns there means walking each row's overflow pages).
        by_range = all(a < b for a, b in zip(self._ids, self._ids[1:], strict=False))
        for k in range(0, len(self._ids), 2000):
            ids = self._ids[k : k + 2000]
            if by_range:
                wanted = set(ids)
                rows = [r for r in conn.execute(f"select {cols} from documents where id >= ? and id <= ? order by id",
                                                (ids[0], ids[-1])) if r[0] in wanted]
            else:
                rows = conn.execute(f"select {cols} from documents where id in ({','.join('?' * len(ids))})",
                                    ids).fetchall()
            if by_range and len(rows) == len(ids):
                yield from rows  # (in id order, as the sequence is)
                continue
            found = {r[0]: r for r in rows}
            for i in ids:
                yield found[i]


def _lazy_document(r: tuple[Any, ...]) -> Document:
    return Document(
        id=r[0], source=r[1], content_hash=r[2], raw="", kind=r[3], encoding=r[4], text=r[5] or "",
        title=r[6], outlet=r[7], date=r[8], author=r[9], url=r[10], defects=_json_list(r[11]),
        inferred=_json_dict(r[12]), offsets=unpack_offsets(r[13]), extra=_json_dict(r[14]),
    )


def _json_dict(value: str | None) -> dict[str, Any]:
    # most documents store "{}": json.loads costs ~5 us a call, 0.5 s per pass over 100k
    return json.loads(value) if value and value != "{}" else {}


def _json_list(value: str | None) -> list[Any]:
    return json.loads(value) if value and value != "[]" else []
