"""Bytes kept or spooled by the stages that make a run incremental: the cache protocol, a cache
in memory, an append-only temporary spool, and the run spool of the quotation stage's records."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class BlobCache(Protocol):
    """Bytes kept between runs under string keys, for stages that make a run incremental.

    Keys derive from content (a stage decides what its results depend on and
    hashes that), so a stale entry is never read: it is simply not asked for,
    and ``retain`` drops it at the end of a run.
    """

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]: ...

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None: ...

    def retain(self, keys: Iterable[str]) -> None: ...


class BlobSpool:
    """Bytes appended to a temporary file and read back by (position, size).

    Written and read by position on an unbuffered file: process pools fork
    workers while a spool is open, and a forked worker shares the file's
    offset and would inherit any buffer of unwritten bytes (which it could
    write out again if it ended through interpreter shutdown). Nothing here
    uses the offset, and there is no such buffer.
    """

    def __init__(self, prefix: str = "dedup-spool-") -> None:
        self._prefix = prefix
        self._fd: int | None = None
        self._file: Any = None
        self.size = 0

    def append_many(self, blobs: Sequence[bytes]) -> list[tuple[int, int]]:
        """Append ``blobs`` with one write; the (position, size) of each."""
        at: list[tuple[int, int]] = []
        for blob in blobs:
            at.append((self.size, len(blob)))
            self.size += len(blob)
        if blobs:
            if self._fd is None:
                self._file = tempfile.TemporaryFile(prefix=self._prefix, buffering=0)
                self._fd = self._file.fileno()
            data, offset = memoryview(b"".join(blobs)), at[0][0]
            while data:
                written = os.pwrite(self._fd, data, offset)
                data, offset = data[written:], offset + written
        return at

    def append(self, blob: bytes) -> tuple[int, int]:
        return self.append_many([blob])[0]

    def read(self, position: int, size: int) -> bytes:
        if self._fd is None:
            raise KeyError(position)
        return os.pread(self._fd, size, position)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._fd = None

    def __enter__(self) -> BlobSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MemoryCache:
    """A :class:`BlobCache` in a dict (tests, and library runs without a database)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {k: self.data[k] for k in keys if k in self.data}

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        self.data.update(items)

    def retain(self, keys: Iterable[str]) -> None:
        keep = set(keys)
        self.data = {k: v for k, v in self.data.items() if k in keep}


class RunSpool:
    """The quotation stage's cache (``inner``), plus entries that live only for this run.

    Pass-1 records made at ingest and cleaning are read once, by the quotation
    stage of the same run, which keeps them in its own segments: written to
    the database, 100k of them (~100 MB) were written, read and deleted again
    within the run. Here they go to a temporary file (:class:`BlobSpool`).
    A run that dies before its quotation stage loses them, and the next run
    scans those texts again.
    """

    def __init__(self, inner: BlobCache) -> None:
        self.inner = inner
        self._blobs = BlobSpool("dedup-spool-")
        self._at: dict[str, tuple[int, int]] = {}

    def spool(self, items: Iterable[tuple[str, bytes]]) -> None:
        keys: list[str] = []
        values: list[bytes] = []
        for key, value in items:
            keys.append(key)
            values.append(value)
        self._at.update(zip(keys, self._blobs.append_many(values), strict=True))

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        rest: list[str] = []
        for key in keys:
            where = self._at.get(key)
            if where is None:
                rest.append(key)
            else:
                out[key] = self._blobs.read(*where)
        if rest:
            out.update(self.inner.get_many(rest))
        return out

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        self.inner.put_many(items)

    def retain(self, keys: Iterable[str]) -> None:
        self.inner.retain(keys)

    def close(self) -> None:
        self._blobs.close()
        self._at.clear()
