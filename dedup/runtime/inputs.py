"""Inputs earlier runs stored, recognised by their bytes (JSON Lines) or their file stat, so that an
unchanged input is not read, decoded or parsed again."""

from __future__ import annotations

import time

from dedup.ingest import RawInput
from dedup.store import Store

# Inputs KnownInputs looks up one at a time before it reads all it knows at once.
LOOKUPS_BEFORE_LOAD = 20_000


class KnownInputs:
    """The :class:`~dedup.ingest.Known` of a database: inputs earlier runs stored, by line bytes or file stat.

    Kept in the cache table; a hit counts only when the document stored under
    that id still has that content hash, so a stale entry is never trusted.
    """

    def __init__(self, store: Store, lookups_before_load: int = LOOKUPS_BEFORE_LOAD) -> None:
        self.lookups_before_load = lookups_before_load
        self.cache = store.cache("inputs")
        self.stored = store.document_keys()
        self.entries: dict[str, bytes] = {}
        self.fresh: dict[str, bytes] = {}
        self.used: set[str] = set()
        self._loaded = False
        self._asked = 0

    def _entry(self, key: str) -> bytes | None:
        # Looked up one by one (~10 us each) until that would cost more than reading them all
        # (~3 us an entry): adding 1,000 new records to a 100k database reads 1,000, not 100k.
        if not self.stored:
            return None
        if not self._loaded:
            self._asked += 1
            if self._asked <= self.lookups_before_load:
                return self.cache.get(key)
            self._loaded = True
            self.entries = self.cache.get_many(self.cache.keys())
        return self.entries.get(key)

    def _hit(self, key: str, doc_id: str | None, source: str) -> RawInput | None:
        value = self._entry(key)
        if value is None:
            return None
        content_hash, kind, explicit = value.decode("utf-8").split("\0")
        doc_id = explicit or doc_id
        if doc_id is None or self.stored.get(doc_id, ("",))[0] != content_hash or kind not in ("text", "html"):
            return None
        self.used.add(key)
        return RawInput(id=doc_id, source=source, content_hash=content_hash, kind=kind,  # type: ignore[arg-type]
                        body="", encoding="utf-8", unchanged=True)

    def _learn(self, key: str, item: RawInput, explicit: str) -> None:
        self.fresh[key] = f"{item.content_hash}\0{item.kind}\0{explicit}".encode()
        self.used.add(key)

    def line(self, digest: bytes, default_id: str, source: str) -> RawInput | None:
        return self._hit("L" + digest.hex(), default_id, source)

    def learn_line(self, digest: bytes, item: RawInput, explicit_id: bool) -> None:
        self._learn("L" + digest.hex(), item, item.id if explicit_id else "")

    def file(self, source: str, doc_id: str, size: int, mtime_ns: int) -> RawInput | None:
        return self._hit(f"F{size}:{mtime_ns}:{source}", doc_id, source)

    def learn_file(self, size: int, mtime_ns: int, item: RawInput) -> None:
        # A file modified within the last seconds could change again within the same mtime tick
        # (coarse clocks on some file systems) and keep its size: it is not remembered, as git
        # treats "racily clean" index entries.
        if time.time_ns() - mtime_ns > 2_000_000_000:
            self._learn(f"F{size}:{mtime_ns}:{item.source}", item, item.id)

    def save(self) -> None:
        """Keep what this run learnt.

        Entries of inputs this run did not see stay: adding a new file to a
        corpus is a run over that file alone, and the next run over the old
        ones should still skip them. Only when stale entries outnumber the
        documents are they dropped (all but this run's).
        """
        self.cache.put_many(self.fresh.items())
        if self.cache.count() > 2 * (len(self.stored) + len(self.fresh)):
            self.cache.retain(self.used)
