"""What a database file is, before :class:`~dedup.store.Store` uses it, and how a reader opens it.

- A file dedup did not write (an SQLite database with other tables) is refused: it
  used to be given dedup's tables beside its own.
- ``meta.schema_version`` is checked: a newer schema is refused (this code would
  misread it); an older one is migrated by the next writing run and read as it is
  meanwhile (readers never write the schema).
- A database of the current schema that lacks one of its tables is damaged, and is
  said to be: recreating the table empty made a report of an empty corpus.
- A reader opens a file it may not write read-only. SQLite's WAL mode needs its
  ``-shm`` file beside the database, which a read-only folder does not allow; such
  a file is then opened immutable (nothing can change it while it cannot be written).

Messages are one line: the file, the reason, the fix.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from dedup.errors import StoreError

#: every table of the current schema (see the module docstring of dedup.store)
TABLES = ("meta", "documents", "edits", "signatures", "clusters", "cluster_members", "reuses", "citations",
          "sources", "runs", "problems", "pairs", "alignments", "seen", "cache")
#: what the reading commands read; an older database without one of them cannot be read as it is
READER_TABLES = ("meta", "documents", "edits", "signatures", "clusters", "cluster_members", "reuses",
                 "citations", "runs", "pairs")
#: statuses of a run that finished (dedup.engines.stages.finish writes them); any other is a run cut short
FINISHED = ("ok", "some inputs skipped")
_FIX = "restore it from a backup, or delete it and run `dedup run` again"


@dataclass
class Schema:
    """What :func:`inspect` found: ``version`` None for a new database (no dedup table, or a
    creation cut short) that a writer may create."""

    version: int | None
    tables: set[str] = field(default_factory=set)


def connect(path: str, *, writer: bool) -> sqlite3.Connection:
    """A connection to ``path`` in autocommit mode; a reader's opens a file it may not write read-only."""
    if writer or path == ":memory:" or not os.path.exists(path) or _writable(path):
        return sqlite3.connect(path, timeout=30, isolation_level=None)
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()  # a WAL database whose -shm file cannot be made here
    wal = path + "-wal"
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        # immutable would ignore the log and read an older state as if it were the last
        raise StoreError(f"{path}: cannot read it: it is read-only and its write-ahead log {wal} holds changes "
                         "that only a process with write access to its folder can read; open it once with write "
                         "access (any dedup command), or copy it and its -wal file somewhere writable")
    return sqlite3.connect(uri + "&immutable=1", uri=True, timeout=30, isolation_level=None)


def _writable(path: str) -> bool:
    real = os.path.realpath(path)
    return os.access(real, os.W_OK) and os.access(os.path.dirname(real) or ".", os.W_OK)


def inspect(conn: sqlite3.Connection, path: str, current: int, *, writer: bool) -> Schema:
    """The schema of the database, or :class:`StoreError` when it is foreign, newer or damaged."""
    tables = {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
    tables -= {"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}
    if not tables:
        return Schema(None, tables)
    version_text: Any = None
    if "meta" in tables:
        try:
            row = conn.execute("select value from meta where key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:  # a meta table of another program's making
            row = None
        version_text = row[0] if row else None
    if version_text is None:
        if tables <= set(TABLES):
            return Schema(None, tables)  # a creation cut short: the writer finishes it
        names = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(f"{path} is an SQLite database that dedup did not write (its tables: {names}); "
                         "give dedup a new file with --db")
    try:
        version = int(version_text)
    except (TypeError, ValueError):
        raise StoreError(f"{path} is damaged: its schema version {str(version_text)[:40]!r} is not a number; "
                         f"{_FIX}") from None
    if version > current:
        raise StoreError(f"{path} was written by a newer dedup (database schema {version}; this dedup reads "
                         f"schema {current} and older); upgrade dedup (pip install -U article-dedup) to use it")
    if version == current:
        missing = [t for t in TABLES if t not in tables]
        if missing:
            raise StoreError(f"{path} is damaged: table{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                             f"missing; {_FIX}")
    elif not writer:
        missing = [t for t in READER_TABLES if t not in tables]
        if missing:
            raise StoreError(f"{path} was written by an older dedup (database schema {version}) and lacks "
                             f"{', '.join(missing)}; run `dedup run` on it once to bring it up to date")
    return Schema(version, tables)


def unfinished(path: str, last_run: dict[str, Any], writer: str | None) -> str | None:
    """Why the results in the database are not a finished run's, or None when they are.

    ``writer`` is who holds the run lock (see :func:`dedup.runtime.lock.writer_holding`):
    a run writes its results in batches, so what a reader sees while one is on, or
    after one was cut short, mixes the runs (provisional results of some documents,
    the last run's of the others).
    """
    if writer is not None:
        return f"{path} is being written by a dedup run right now ({writer}); what it holds is half-written"
    if last_run.get("status") not in FINISHED:
        status = str(last_run.get("status") or "no status")[:40]
        return (f"{path}: its last run (run {last_run.get('id')}, started {last_run.get('started')}) did not "
                f"finish ({status}); what it holds is incomplete")
    return None


def read_error(path: str, exc: Exception) -> str:
    """The one-line message of a database that failed while it was read."""
    reason = " ".join(str(exc).split())[:200]
    if isinstance(exc, sqlite3.DatabaseError):
        return f"{path}: cannot read the database ({reason}); it may be damaged: {_FIX}"
    return f"{path} is damaged: a stored value cannot be read ({type(exc).__name__}: {reason}); {_FIX}"
