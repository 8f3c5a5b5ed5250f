"""The ``cache`` table of a database, one namespace at a time, each row with the CRC-32 of its bytes.

Stages keep derived data there and unpickle or unpack it on the next run; a row whose
bytes had changed (a bad disk, a tool writing into the table, a copy cut short) made
every later run fail on it, with an ``UnpicklingError`` for ever. A row whose bytes no
longer match their checksum now reads as missing, and a writing run drops it: the
stage that asked for it makes it again, as it does for any key it has not kept
(keys derive from content, so a missing entry only means work to do).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dedup.store import Store

# Values are read as bytes whatever their SQLite type: a damaged row holding text that is not UTF-8
# failed in the fetch itself, before its checksum could be compared (a no-op for the blobs stages write).
_VALUE = "cast(value as blob)"


def checksum(value: Any) -> int | None:
    """The CRC-32 of a stored value (bytes as stages write them; None, which never matches, for NULL)."""
    if isinstance(value, str):  # (SQLite gives back as text what was written as text)
        value = value.encode("utf-8", "surrogatepass")
    return zlib.crc32(value) if isinstance(value, (bytes, bytearray, memoryview)) else None


def add_checksums(conn: sqlite3.Connection) -> None:
    """Give the cache table of a database from before checksums its ``crc`` column, filled in from
    the rows as they are (they are trusted once, as they were before), in one transaction."""
    if "crc" in {row[1] for row in conn.execute("pragma table_info(cache)")}:
        return
    conn.create_function("dedup_crc32", 1, checksum, deterministic=True)
    conn.execute("begin immediate")
    try:
        conn.execute("alter table cache add column crc integer")
        conn.execute("update cache set crc = dedup_crc32(value)")
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


class StoreCache:
    """One namespace of the ``cache`` table (see :class:`~dedup.runtime.blobs.BlobCache`)."""

    def __init__(self, store: Store, ns: str) -> None:
        self.store = store
        self.ns = ns

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = set(keys)
        rows: list[tuple[str, Any, Any]] = []
        if len(wanted) > 20_000:
            # most of a large namespace: one range scan beats hundreds of IN queries
            found = self.store.db.conn.execute(f"select key, {_VALUE}, crc from cache where ns = ?", [self.ns])
            rows = [r for r in found if r[0] in wanted]
        else:
            for chunk in _chunks(sorted(wanted), 500):
                query = (f"select key, {_VALUE}, crc from cache where ns = ? "
                         f"and key in ({','.join('?' * len(chunk))})")
                rows.extend(self.store.db.conn.execute(query, [self.ns, *chunk]).fetchall())
        return self._checked(rows)

    def get(self, key: str) -> bytes | None:
        row = self.store.db.conn.execute(f"select key, {_VALUE}, crc from cache where ns = ? and key = ?",
                                         (self.ns, key)).fetchone()
        return self._checked([row]).get(key) if row else None

    def _checked(self, rows: list[tuple[str, Any, Any]]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        bad: list[str] = []
        for key, value, crc in rows:
            if crc is not None and checksum(value) == crc:
                out[key] = value
            else:
                bad.append(key)
        if bad and self.store.writer:
            # only the writing run drops rows: a reader (a pool worker) must not ask for the write lock
            with self.store.transaction():
                self.store.db.conn.executemany("delete from cache where ns = ? and key = ?",
                                               [(self.ns, k) for k in bad])
        return out

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Write ``items`` in one transaction, taking them one by one: a caller that makes its values
        as they are asked for (a generator) never holds them all at once."""
        rows = ((self.ns, k, v, checksum(v)) for k, v in items)
        first = next(rows, None)
        if first is not None:
            with self.store.transaction():
                self.store.db.conn.executemany(
                    "insert or replace into cache (ns, key, value, crc) values (?, ?, ?, ?)", chain([first], rows))

    def keys(self) -> list[str]:
        return [k for (k,) in self.store.db.execute("select key from cache where ns = ?", [self.ns])]

    def count(self) -> int:
        return int(self.store.db.execute("select count(*) from cache where ns = ?", [self.ns]).fetchone()[0])

    def retain(self, keys: Iterable[str]) -> None:
        conn = self.store.db.conn
        with self.store.transaction():
            conn.execute("create temp table if not exists keep_keys (key text primary key)")
            conn.execute("delete from keep_keys")
            conn.executemany("insert or ignore into keep_keys values (?)", ((k,) for k in keys))
            conn.execute("delete from cache where ns = ? and key not in (select key from keep_keys)", [self.ns])
            conn.execute("delete from keep_keys")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
