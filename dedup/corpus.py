"""Read the results of earlier runs from a database: the API behind report, export, explain.

Nothing here recomputes the analysis; it only reads what ``dedup run`` stored::

    corpus = dedup.Corpus.open("dedup.db")
    for cluster in corpus.clusters():
        print(cluster.canonical, cluster.members)

A corpus reads one snapshot of the database (one read transaction, held until it
is closed), so its counts agree with each other even while a run writes; it
refuses a database a run is writing or a run left unfinished unless asked
(``allow_partial``), since their results mix two runs.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dedup import store_check
from dedup.errors import DocumentNotFound, StoreError
from dedup.models import Citation, Cluster, Document, Gap, PairScore, Reuse, Span
from dedup.runtime.lock import writer_holding
from dedup.store import Store


@dataclass
class DocumentView:
    """A stored document with what the run found about it."""

    doc: Document
    cluster: str | None
    canonical: bool
    completeness: float | None
    gaps: list[Gap] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.doc.id

    # the document's own fields, so that corpus.document(id).title reads as it looks
    @property
    def title(self) -> str | None:
        return self.doc.title

    @property
    def outlet(self) -> str | None:
        return self.doc.outlet

    @property
    def date(self) -> str | None:
        return self.doc.date

    @property
    def author(self) -> str | None:
        return self.doc.author

    @property
    def url(self) -> str | None:
        return self.doc.url

    @property
    def text(self) -> str:
        return self.doc.text

    @property
    def defects(self) -> list[str]:
        return self.doc.defects

    @property
    def extra(self) -> dict[str, Any]:
        """What the input record or CSV row held besides the document's fields, by key."""
        return self.doc.extra

    def to_dict(self) -> dict[str, Any]:
        d = self.doc
        return {
            "id": d.id, "source": d.source, "title": d.title, "outlet": d.outlet, "date": d.date,
            "author": d.author, "url": d.url, "cluster": self.cluster, "canonical": self.canonical,
            "inferred": d.inferred, "defects": d.defects, "completeness": self.completeness,
            "gaps": [g.to_dict() for g in self.gaps], "chars": len(d.text), "extra": d.extra,
        }


class Corpus:
    """A read-only view of a dedup database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._docs: dict[str, DocumentView] | None = None
        #: why the results are not a finished run's (opened with allow_partial), else None
        self.partial: str | None = None

    @classmethod
    def open(cls, db: str, *, allow_partial: bool = False) -> Corpus:
        """Open ``db`` for reading; :class:`StoreError` if it cannot be read, or a run is writing it or
        left it unfinished (unless ``allow_partial``: then :attr:`partial` says so)."""
        if db != ":memory:" and not os.path.exists(db):
            raise StoreError(f"{db}: no such database; run `dedup run FOLDER --db {db}` first")
        if os.path.isdir(db):
            from dedup.store_parquet import database_of, is_parquet_output

            if not is_parquet_output(db):
                raise StoreError(f"{db}: a folder, and not the Parquet output of `dedup run --engine spark --out`")
            db = database_of(db)  # (the output's tables, loaded once into a database in the user's cache)
        # asked before the snapshot: a run that takes the lock after it cannot change what is read
        writer = writer_holding(db)
        store = Store(db, read_only=True)
        try:
            # BEGIN (deferred) on a WAL database: the first read below fixes the snapshot every
            # later read of this corpus sees, until close
            store.db.execute("BEGIN")
            runs = store.runs() if store.schema.version is not None else []
            if not runs:
                raise StoreError(f"{db}: no run recorded yet; run `dedup run FOLDER --db {db}` first")
            partial = store_check.unfinished(db, runs[-1], writer)
            if partial and not allow_partial:
                fix = "wait for the run to finish" if writer else "run `dedup run` again to finish it"
                raise StoreError(f"{partial}: {fix}, or pass --allow-partial to read it as it is")
        except sqlite3.DatabaseError as exc:
            store.close()
            raise StoreError(store_check.read_error(db, exc)) from None
        except BaseException:
            store.close()
            raise
        corpus = cls(store)
        corpus.partial = partial
        return corpus

    def close(self) -> None:
        # (closing the connection ends the read transaction; nothing was written in it)
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents --------------------------------------------------------------
    def _load(self) -> dict[str, DocumentView]:
        if self._docs is None:
            rows = {r["id"]: r for r in self.store.document_rows()}
            views: dict[str, DocumentView] = {}
            for doc in self.store.load_documents():
                r = rows[doc.id]
                gaps = [
                    Gap(g["at"], g["length"], Span.from_dict(g["canonical_span"]))
                    for g in json.loads(r["gaps"] or "[]")
                ]
                views[doc.id] = DocumentView(doc, r["cluster"], bool(r["canonical"]), r["completeness"], gaps)
            self._docs = views
        return self._docs

    def documents(self) -> list[DocumentView]:
        return list(self._load().values())

    def document(self, doc_id: str) -> DocumentView:
        docs = self._load()
        if doc_id in docs:
            return docs[doc_id]
        close = [d for d in docs if doc_id in d]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
        raise DocumentNotFound(f"no document {doc_id!r} in {self.store.path}{hint}")

    def __iter__(self) -> Iterator[DocumentView]:
        return iter(self.documents())

    def __len__(self) -> int:
        return len(self._load())

    # -- results ----------------------------------------------------------------
    def clusters(self) -> list[Cluster]:
        members: dict[str, list[dict[str, Any]]] = {}
        for m in self.store.load_members():
            members.setdefault(m["cluster"], []).append(m)
        # figures of the pairs members joined through: only those, not the whole pairs table
        measured = self.store.pair_figures({tuple(sorted((m["doc"], m["via"]))) for rows in members.values()
                                            for m in rows if m.get("via")})
        out = []
        for c in self.store.load_clusters():
            rows = members.get(c["id"], [])
            pairs, links = [], []
            for m in rows:
                if m["doc"] == c["canonical"]:
                    continue
                a, b = sorted([m["doc"], c["canonical"]])
                if m["jaccard"] is not None:
                    in_canon, of_canon = m["containment_in_canonical"], m["containment_of_canonical"]
                    # stored against the canonical copy; turned back into the (a, b) order of the JSON
                    c_ab, c_ba = (in_canon, of_canon) if a == m["doc"] else (of_canon, in_canon)
                    pairs.append(PairScore(a, b, m["jaccard"], c_ab, c_ba, m["relation"]))
                if m.get("via"):
                    a, b = sorted([m["doc"], m["via"]])
                    j, c_ab, c_ba, *_ = measured.get((a, b), (0.0, 0.0, 0.0))
                    links.append(PairScore(a, b, j, c_ab, c_ba, None, m["aligned"], m["decided_by"]))
            contains = json.loads(c["contains"]) if c.get("contains") else []
            out.append(
                Cluster(c["id"], sorted(m["doc"] for m in rows), c["canonical"], c["reason"],
                        sorted(pairs, key=lambda p: (p.a, p.b)), sorted(links, key=lambda p: (p.a, p.b)), contains)
            )
        return out

    def cluster_of(self, doc_id: str) -> Cluster:
        cid = self.document(doc_id).cluster
        for c in self.clusters():
            if c.id == cid:
                return c
        raise KeyError(doc_id)

    def reuses(self) -> list[Reuse]:
        return [Reuse.from_dict(d) for d in self.store.load_edges("reuses")]

    def citations(self) -> list[Citation]:
        return [Citation.from_dict(d) for d in self.store.load_edges("citations")]

    def sources(self) -> list[dict[str, Any]]:
        """Common sources: text two or more articles carry from a third party (a wire story, a
        speaker's words), each with its kind, name and witnesses earliest first
        (:func:`dedup.reuse.sources.source_list`)."""
        return self.store.load_edges("sources")

    def edits(self, doc_id: str) -> list[Any]:
        return self.document(doc_id).doc.edits

    def runs(self) -> list[dict[str, Any]]:
        return self.store.runs()

    def last_run(self) -> dict[str, Any]:
        return self.store.runs()[-1]

    def summary(self) -> dict[str, Any]:
        clusters = self.clusters()
        return {
            "documents": len(self),
            "clusters": len(clusters),
            "duplicate_clusters": sum(1 for c in clusters if len(c.members) > 1),
            "duplicates": sum(len(c.members) - 1 for c in clusters),
            "reuses": len(self.reuses()),
            "citations": len(self.citations()),
            "runs": len(self.runs()),
            "config": self.last_run()["config_name"],
        }
