"""The public, engine-neutral stages of a run: what every engine does the same way.

Both engines (:mod:`dedup.engines.local`, :mod:`dedup.engines.spark`) call these, and the Spark
engine imports nothing else of the local one: ingest (inputs into the database, new documents
cleaned while they are at hand), preparing and cleaning a batch of documents (a pool task or a
Spark partition), the rows the quotation stage's results are stored as, the run's counts and its
end, and :class:`RunResult`. The version stamps that key stored results are here too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from dedup import __version__
from dedup import fingerprint as fp
from dedup.clean import clean
from dedup.clean import version as _clean_code_version
from dedup.clean.corpus import furniture_key, line_record
from dedup.clean.metadata import INVALID_DATE, names_outlet, valid_date
from dedup.cluster import cluster_id
from dedup.cluster.anchors import anchor_keys
from dedup.config import SCHEME, Config
from dedup.errors import ExtractorError, InputError
from dedup.extract import extract_html
from dedup.extract_gaps import RESTORED
from dedup.ingest import LineBatch, RawInput, iter_inputs, parse_lines
from dedup.models import Citation, Cluster, Document, PairScore, Problem, Reuse, to_json
from dedup.reuse.groups import doc_date
from dedup.reuse.sources import agree_with_sources, document_wire, source_list, speaker_of
from dedup.reuse.venues import venue_near
from dedup.runtime.budget import Budget, OverBudget, document_seconds
from dedup.runtime.context import BATCH, Progress, RunContext, default_workers, fault_point, no_progress
from dedup.runtime.furniture_cache import (
    Probe,
    furniture_stage,
    pack_outlet,
    record_name,
    speculation_misses,
)
from dedup.runtime.inputs import KnownInputs
from dedup.runtime.pool import Pool, set_state, worker_state
from dedup.runtime.progress import IngestMeter
from dedup.store import LazyDocuments

_META_FIELDS = ("title", "outlet", "date", "author", "url", "fetched")
#: The version of the JSON contract (and of the database's tables): 2 added edge kinds and sources.
SCHEMA = 2


@dataclass
class RunResult:
    """Everything a run found, for the whole corpus in the database.

    ``documents`` is a lazy sequence read from the database; the database
    stays readable after the run (a temporary one for :func:`run_records` is
    removed at exit).
    """

    config: Config
    run_id: int
    db: str
    documents: Sequence[Document]
    clusters: list[Cluster]
    pairs: list[PairScore]
    reuses: list[Reuse]
    citations: list[Citation]
    problems: list[Problem]
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    damage: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ids of the inputs of this run, in input order, one per input record read
    input_order: list[str] = field(default_factory=list)
    #: the common sources of the ``shares`` edges (:func:`common_sources`)
    sources: list[dict[str, Any]] = field(default_factory=list)
    #: files of the folders walked that are of no input type, by suffix ({".pdf": 7, "(no extension)": 1})
    ignored: dict[str, int] = field(default_factory=dict)
    #: "copies" for a copies-only run (:data:`ONLY`): no quotations, damage or citations were computed
    only: str | None = None

    def ignored_line(self) -> str | None:
        """The run's line on files of no input type, most first ("ignored 12 files: 7 .pdf, 4 .png,
        1 (no extension)"); None when there was none."""
        return ignored_line(self.ignored)

    @property
    def exit_status(self) -> int:
        """0: every input used; 1: some inputs were skipped (see ``problems``)."""
        return 1 if self.problems else 0

    def cluster_of(self, doc_id: str) -> Cluster:
        for c in self.clusters:
            if doc_id in c.members:
                return c
        raise KeyError(doc_id)

    def document_records(self) -> Iterator[dict[str, Any]]:
        membership = {m: c for c in self.clusters for m in c.members}
        for d in self.documents:
            c = membership.get(d.id)
            dmg = self.damage.get(d.id, {})
            yield {
                "id": d.id, "source": d.source, "title": d.title, "outlet": d.outlet, "date": d.date,
                "author": d.author, "url": d.url,
                "cluster": c.id if c else None, "canonical": bool(c and c.canonical == d.id),
                "inferred": d.inferred, "defects": d.defects,
                "completeness": dmg.get("completeness"), "gaps": dmg.get("gaps", []),
                "chars": len(d.text),
            }

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": __version__,
            "run": self._run_json(),
            "documents": list(self.document_records()),
            "clusters": [c.to_dict() for c in self.clusters],
            "reuses": [r.to_dict() for r in self.reuses],
            "citations": [c.to_dict() for c in self.citations],
            "sources": self.sources,
            "problems": [p.to_dict() for p in self.problems],
        }

    def _run_json(self) -> dict[str, Any]:
        return {"id": self.run_id, "config": self.config.name(), "settings": self.config.to_dict(),
                "counts": self.counts, "timings": {k: round(v, 4) for k, v in self.timings.items()},
                "ignored": dict(self.ignored), **({"only": self.only} if self.only else {})}

    def write_json(self, out: IO[str]) -> None:
        """The same document as :meth:`to_json`, written as it is produced (100k documents stream)."""
        head = {"schema": SCHEMA, "version": __version__, "run": self._run_json()}
        out.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ",\n")

        def array(name: str, items: Iterable[dict[str, Any]], last: bool = False) -> None:
            out.write(f'  "{name}": [')
            for i, item in enumerate(items):
                out.write(("," if i else "") + "\n    " + json.dumps(item, ensure_ascii=False))
            out.write("\n  ]" + ("\n" if last else ",\n"))

        array("documents", self.document_records())
        array("clusters", (c.to_dict() for c in self.clusters))
        array("reuses", (r.to_dict() for r in self.reuses))
        array("citations", (c.to_dict() for c in self.citations))
        array("sources", self.sources)
        array("problems", (p.to_dict() for p in self.problems), last=True)
        out.write("}\n")


def ignored_line(ignored: Mapping[str, int]) -> str | None:
    """A run's line on files of no input type (by suffix), or None when there was none."""
    if not ignored:
        return None
    total = sum(ignored.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(ignored.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"ignored {total} file{'s' * (total != 1)}: {kinds}"


def clean_version() -> str:
    """The stamp of the cleaning code: stored clean text made under another is made again."""
    return _clean_code_version()


def reuse_digest() -> str:
    """The stamp of the quotation algorithm and its parameters: cached quotation work under another is redone."""
    from dedup.reuse.params import reuse_digest as digest

    return digest()


def check_paths(paths: Sequence[str]) -> None:
    """Raise :class:`~dedup.errors.InputError` for a path that does not exist, before any work: a
    library call on a mistyped folder must not return an empty result as if all were well."""
    if isinstance(paths, str):
        raise TypeError("paths is a list of files or folders, not one string")
    for p in paths:
        if p != "-" and not os.path.exists(p):
            raise InputError(p, "no such file or folder")


def prepare(raw: RawInput, furniture: dict[str, str]) -> Document:
    """Extract (HTML), clean, and merge metadata: record fields > HTML metadata > text."""
    html_meta: dict[str, str] = {}
    body = raw.body
    restored = False
    if raw.kind == "html":
        extracted = extract_html(raw.body, url=raw.url)
        body, html_meta, restored = extracted.text, extracted.meta, bool(extracted.restored)
    result = clean(body, furniture=furniture, extracted=raw.kind == "html")
    meta = {**result.meta, **html_meta, **raw.stated}
    if "title" not in raw.stated and meta.get("title") and meta.get("outlet") \
            and names_outlet(meta["title"], meta["outlet"]):
        del meta["title"]  # the site's name over its page ("CBS News" of cbsnews.com) is no headline
    defects = list(result.defects)
    if restored:
        defects.append(RESTORED)  # passages of the page the extractor skipped inside the article
    if raw.date and not valid_date(raw.date):
        # "2018-13-45", "yesterday": a date no one can compare is no date; the record keeps what it
        # said (``stated``), the document says why it has none
        defects.append(INVALID_DATE)
        meta.pop("date")
        if html_meta.get("date") or result.meta.get("date"):
            meta["date"] = html_meta.get("date") or result.meta["date"]
    return Document(
        id=raw.id, source=raw.source, content_hash=raw.content_hash, raw=body, kind=raw.kind,
        text=result.text, encoding=raw.encoding, edits=list(result.edits),
        offsets=result.offset_map(), defects=defects,
        title=meta.get("title"), outlet=meta.get("outlet"), date=meta.get("date"), author=meta.get("author"),
        url=meta.get("url"),
    )


def clean_batch(
    rows: list[dict[str, Any]],
) -> tuple[list[Document], dict[str, str], bytes, list[tuple[str, Problem]], list[tuple[str, bytes]]]:
    """Clean and fingerprint a batch, and make the reuse stage's first-pass records while the texts are at
    hand; a document that makes a stage fail becomes a Problem, not a crash."""
    state = worker_state()
    furniture: dict[str, str] = state["furniture"]
    config: Config = state["config"]
    with Budget(document_seconds()) as budget:
        return _clean_rows(rows, furniture, config, budget)


def _clean_rows(
    rows: list[dict[str, Any]], furniture: dict[str, str], config: Config, budget: Budget,
) -> tuple[list[Document], dict[str, str], bytes, list[tuple[str, Problem]], list[tuple[str, bytes]]]:
    docs = []
    fkeys = {}
    failed: list[tuple[str, Problem]] = []
    for row in rows:
        stated = json.loads(row["stated"] or "{}")
        raw = RawInput(
            id=row["id"], source=row["source"], content_hash=row["content_hash"], kind=row["kind"],
            body=row["html"] if row["kind"] == "html" else row["raw"], encoding=row["encoding"],
            **{k: stated.get(k) for k in _META_FIELDS},
        )
        try:
            with budget.document():
                doc = prepare(raw, furniture)
        except OverBudget as exc:
            failed.append((row["id"], Problem(row["source"], f"document {row['id']!r} {exc} to clean; skipped")))
            continue
        except ExtractorError:
            raise  # the installation, not this document: one message for the run, not one per page
        except RecursionError:
            failed.append((row["id"], Problem(row["source"], f"document {row['id']!r} is nested too deeply to parse; "
                                              "skipped")))
            continue
        except Exception as exc:  # one hostile document must not stop a 100k-document run
            failed.append((row["id"], Problem(row["source"], f"document {row['id']!r} could not be cleaned "
                                              f"({type(exc).__name__}: {str(exc)[:200]}); skipped")))
            continue
        docs.append(doc)
        fkeys[doc.id] = furniture_key(doc.raw, furniture) if row["kind"] == "text" else ""
    sigs, entries = sign_and_scan(docs, config, fkeys)
    return docs, fkeys, sigs.tobytes(), failed, entries


def fingerprint_meta(config: Config) -> dict[str, Any]:
    """What is stored with every signature: the settings it was made with."""
    return {"fingerprint_key": config.fingerprint_key, "scheme": SCHEME, "num_perm": config.num_perm,
            "seed": config.seed, "shingle_size": config.shingle_size}


def ingest(ctx: RunContext, paths: Sequence[str], *, clean_new: bool = True) -> tuple[list[str], dict[str, int]]:
    """The ingest stage of either engine: inputs into the database, unchanged ones recognised unread.
    Gives the ids of the inputs in input order and the counts of inputs and unchanged ones.

    JSON Lines are parsed in the pool (decoding, JSON and the record hash were
    most of this stage), and the workers make each new text's furniture line
    record while they hold it, so the furniture stage need not read it back.

    With ``clean_new`` (the local engine), the workers also clean and fingerprint
    each new document as if the corpus had no furniture, and it is stored
    cleaned in the same row write; ``ctx.speculated`` gets the hashes of the line
    keys that cleaning looked up in the (empty) furniture, and the quotation
    stage's first-pass records go to the run's spool. The analysis then
    cleans again only documents that hold a line of the corpus furniture
    (:func:`~dedup.runtime.furniture_cache.speculation_misses`): for every other
    document the result is the same, since cleaning reads furniture only through
    those lookups. This keeps both cores busy while the main process writes, and
    spares most documents a second read and row write.
    """
    with ctx.timed("ingest"):
        return _Ingest(ctx, clean_new and ctx.tuning.speculate).run(paths)


# A file's id is its path relative to the folder given, so two folders can hold the same id.
_ID_HINT = ("; ids are paths relative to the folder given: give this run --id-prefix (e.g. the folder's name), "
            "run the folder above both, or give each its own --db")


def _path_id(item: RawInput) -> bool:
    """Whether the id was made from the file's path (not stated by a record)."""
    return item.source.endswith("/" + item.id.split("/", 1)[-1]) or item.source == item.id


def _other_file(store: Any, item: RawInput) -> str | None:
    """The stored file whose path-made id ``item`` repeats, when that file is another one and still
    there (``run A`` then ``run B`` with a ``x.txt`` in each silently replaced A's); None for a file
    that changed, moved or was renamed, which replaces its document as before."""
    if not _path_id(item):
        return None
    row = store.db.execute("select source from documents where id = ?", [item.id]).fetchone()
    old = row[0] if row else None
    if not old or old == item.source or not (old.endswith("/" + item.id) or old == item.id):
        return None
    if not os.path.isfile(old) or os.path.realpath(old) == os.path.realpath(item.source):
        return None
    return str(old)


class _Ingest:
    """One ingest: the parser's pool, what its workers made, and the batch writes of new inputs."""

    def __init__(self, ctx: RunContext, speculate: bool) -> None:
        self.ctx = ctx
        self.speculate = speculate
        self.known = KnownInputs(ctx.store, ctx.tuning.known_lookups)
        self.records = ctx.store.cache("furniture")
        self.clean_key = clean_version()
        self.fingerprint = fingerprint_meta(ctx.config)
        self.state = work_state(ctx, {"config": ctx.config})
        # documents the parser cleaned, by (id, content hash): their signature and the keys they looked up
        self.made: dict[tuple[str, str], tuple[Document, bytes, npt.NDArray[np.int64]]] = {}
        # cache entries written with the next batch of documents, in its transaction (a commit costs ~3 ms)
        self.line_records: list[tuple[str, bytes]] = []
        self.pass1: list[tuple[str, bytes]] = []
        # (extra JSON, id) of unchanged inputs, written once to a database that gained documents.extra
        # (Store._add_extra): None when it has it already
        self.backfill: list[tuple[str | None, str]] | None = (
            [] if ctx.store.get_meta("extra_backfill") else None)

    def run(self, paths: Sequence[str]) -> tuple[list[str], dict[str, int]]:
        ctx = self.ctx
        items = iter_inputs(paths, encoding=ctx.encoding, stdin=ctx.stdin, known=self.known, parse=self.parse,
                            id_prefix=ctx.id_prefix, csv_columns=ctx.csv_columns, paragraph_sep=ctx.paragraph_sep,
                            ignored=ctx.ignored)
        # (the bar's total: the input files, walked before they are read)
        order, counts = self.store_inputs(IngestMeter(ctx.report, paths).watch(items), self.known.stored)
        self.made.clear()
        self.known.save()
        if self.backfill is not None:
            ctx.store.set_meta("extra_backfill", "")  # (done: only this run reads every input again for it)
        return order, {**counts, "ignored": sum(ctx.ignored.values())}

    def parse(self, batches: Iterable[LineBatch]) -> Iterator[list[RawInput | Problem]]:
        rest = iter(batches)
        # a small input is parsed here: starting a pool costs more than it saves
        set_state(self.state)
        for batch in itertools.islice(rest, self.ctx.tuning.parse_in_process):
            yield self.kept(parse_batch((self.speculate, batch)))
        with Pool(self.ctx.workers, self.state) as pool:
            for out in pool.map(parse_batch, ((self.speculate, batch) for batch in rest)):
                yield self.kept(out)

    def kept(self, out: _Parsed) -> list[RawInput | Problem]:
        items, lines, cleaned, sig_bytes, entries = out
        self.line_records.extend(lines)
        self.pass1.extend(entries)
        size = len(sig_bytes) // max(1, len(cleaned))
        for k, (doc, probe) in enumerate(cleaned):
            self.made[(doc.id, doc.content_hash)] = (doc, sig_bytes[k * size : (k + 1) * size], probe)
        return items

    def store_inputs(
        self, items: Iterable[RawInput | Problem], stored: Mapping[str, tuple[str, str | None]]
    ) -> tuple[list[str], dict[str, int]]:
        """Stream inputs into the database: new or changed ones are stored as pending (or cleaned,
        when the parser cleaned them), the rest untouched."""
        ctx = self.ctx
        seen_hash: dict[str, tuple[str, str]] = {}
        order: list[str] = []
        unchanged = 0
        pending: list[dict[str, Any]] = []
        for item in items:
            if isinstance(item, Problem):
                ctx.problems.append(item)
                continue
            made = self.made.pop((item.id, item.content_hash), None) if self.speculate else None
            previous = seen_hash.get(item.id)
            if previous is not None:
                if previous[0] == item.content_hash:
                    order.append(item.id)
                    continue  # the same input named twice is one document
                ctx.problems.append(
                    Problem(item.source, f"duplicate id {item.id!r} with different content "
                            f"(first seen in {previous[1]}); kept the first" + _ID_HINT * _path_id(item))
                )
                continue
            if item.id in stored and stored[item.id][0] != item.content_hash:
                other = _other_file(ctx.store, item)
                if other is not None:
                    ctx.problems.append(Problem(item.source, f"id {item.id!r} is already the document read from "
                                                f"{other} (another file, still there); skipped" + _ID_HINT))
                    continue
            seen_hash[item.id] = (item.content_hash, item.source)
            order.append(item.id)
            if stored.get(item.id, ("",))[0] == item.content_hash:
                unchanged += 1
                if self.backfill is not None and not item.unchanged:
                    self.backfill.append((to_json(item.extra) if item.extra else None, item.id))
                continue
            pending.append({
                "id": item.id, "source": item.source, "content_hash": item.content_hash, "kind": item.kind,
                "encoding": item.encoding, "body": item.body, "stated": json.dumps(item.stated, sort_keys=True),
                "extra": to_json(item.extra) if item.extra else None, "cleaned": made,
            })
            if len(pending) >= ctx.tuning.batch:
                self.save_pending(pending)
                pending = []
                fault_point("ingest")
        self.save_pending(pending)
        if self.backfill:
            ctx.store.fill_extra(self.backfill)
        ctx.store.touch_documents(list(seen_hash), ctx.run_id)
        return order, {"inputs": len(seen_hash), "unchanged": unchanged}

    def save_pending(self, pending: list[dict[str, Any]]) -> None:
        """New inputs, in one transaction: those cleaned at ingest with their clean text (written once)."""
        ctx = self.ctx
        done = [it["cleaned"] for it in pending if it["cleaned"] is not None]
        with ctx.store.transaction():
            self.records.put_many(self.line_records)
            if self.speculate:
                ctx.spool().spool(self.pass1)
            self.line_records.clear()
            self.pass1.clear()
            ctx.store.save_pending(pending, ctx.run_id, cleaned=(
                [doc for doc, _, _ in done], self.clean_key,
                np.frombuffer(b"".join(sig for _, sig, _ in done), dtype=np.uint32).reshape(len(done), -1),
                self.fingerprint, singleton_results,
            ) if done else None)
        ctx.speculated.update((doc.id, probe) for doc, _, probe in done)


# What a parse batch gives: the parsed lines; furniture line records (cache entries); the documents
# cleaned without furniture with the hashes of the keys they looked up; their signatures; their
# reuse pass-1 records (cache entries).
_Parsed = tuple[
    list[RawInput | Problem], list[tuple[str, bytes]], list[tuple[Document, npt.NDArray[np.int64]]], bytes,
    list[tuple[str, bytes]],
]


def parse_batch(job: tuple[bool, LineBatch]) -> _Parsed:
    """Parsed lines and furniture line records; with ``speculate``, new documents cleaned as well."""
    speculate, batch = job
    items = parse_lines(batch)
    lines = [(record_name(item.content_hash), pack_outlet(item.outlet) + line_record(item.body))
             for item in items if isinstance(item, RawInput) and item.kind == "text"]
    if not speculate:
        return items, lines, [], b"", []
    config: Config = worker_state()["config"]
    with Budget(document_seconds()) as budget:
        cleaned = _speculate(items, budget)
    docs = [doc for doc, _ in cleaned]
    sigs, entries = sign_and_scan(docs, config, {})
    return items, lines, cleaned, sigs.tobytes(), entries


def _speculate(items: list[RawInput | Problem], budget: Budget) -> list[tuple[Document, npt.NDArray[np.int64]]]:
    """The new documents of a parse batch cleaned without furniture, with the keys they looked up."""
    cleaned: list[tuple[Document, npt.NDArray[np.int64]]] = []
    for item in items:
        if not isinstance(item, RawInput):
            continue
        probe = Probe()
        try:
            with budget.document():
                doc = prepare(item, probe)
        except Exception:  # the clean stage tries again and reports it
            continue
        cleaned.append((doc, np.fromiter(probe.asked, dtype=np.int64, count=len(probe.asked))))
    return cleaned


def work_state(ctx: RunContext, state: dict[str, Any]) -> dict[str, Any]:
    """A cleaning pool's worker state: with the clean key, :func:`sign_and_scan` also makes the quotation
    stage's pass-1 records; a copies-only run, which has no quotation stage, leaves it out."""
    return state if ctx.copies_only else {**state, "clean_key": clean_version()}


def sign_and_scan(
    docs: list[Document], config: Config, fkeys: Mapping[str, str]
) -> tuple[npt.NDArray[np.uint32], list[tuple[str, bytes]]]:
    """Signatures of freshly cleaned documents, and their reuse pass-1 records under the text keys
    the store will give them (when the worker knows the clean key), from one tokenisation."""
    if not docs:  # (a batch whose every document failed: no signature row, not one of padding)
        return np.empty((0, config.num_perm), dtype=np.uint32), []
    tokens = fp.batch_token_hashes([d.text for d in docs])
    shingles = fp.shingles_of_tokens(*tokens, config.shingle_size)
    sigs = fp.signatures_concat(*shingles, config.num_perm, config.seed)
    for doc, anchors in zip(docs, anchor_keys(*shingles) if docs else [], strict=True):
        doc.anchors = anchors
    state = worker_state()
    if "clean_key" not in state:  # an engine that keeps no reuse cache of its own here
        return sigs, []
    from dedup.runtime.reuse_runner import pass1_entries

    clean_key = state["clean_key"]
    keys = [f"{d.content_hash}:{clean_key}:{fkeys.get(d.id, '')}" for d in docs]
    return sigs, pass1_entries(docs, keys, tokens)


def run_counts(
    ingest: dict[str, int], processed: int, documents: int, clusters: list[Cluster], candidates: int,
    verified: int, reuses: list[Reuse], citations: list[Citation], problems: list[Problem],
) -> dict[str, int]:
    """The counts a run stores and prints, the same for every engine."""
    return {
        "inputs": ingest["inputs"],
        "processed": processed,
        "unchanged": ingest["unchanged"],
        "documents": documents,
        "clusters": len(clusters),
        "duplicate_clusters": sum(1 for c in clusters if len(c.members) > 1),
        "candidate_pairs": candidates,
        "verified_pairs": verified,
        "reuses": len(reuses),
        "citations": len(citations),
        "skipped": len(problems),
        "ignored": ingest.get("ignored", 0),
    }


def singleton_results(doc_id: str, cluster: str | None = None) -> dict[str, Any]:
    """The result columns of a document that is a cluster of its own (what most documents turn out to be)."""
    return {"cluster": cluster or cluster_id([doc_id]), "canonical": 1, "completeness": 1.0, "gaps": "[]",
            "inferred": "{}"}


def finish(ctx: RunContext, result: RunResult, order: list[str]) -> RunResult:
    """Record the end of a run (problems, counts, timings, status), the same for every engine."""
    result.input_order = order
    result.ignored = dict(ctx.ignored)
    result.only = ctx.only
    ctx.store.add_problems(result.run_id, ctx.problems)
    # a copies-only run says so with its counts: its reuse and citation counts are not findings
    stored: dict[str, Any] = {**result.counts, **({"only": ctx.only} if ctx.only else {})}
    ctx.store.finish_run(result.run_id, stored, ctx.timings,
                         "ok" if not ctx.problems else "some inputs skipped", result.exit_status)
    return result


def quotations(
    ctx: RunContext, documents: Sequence[Document], clusters: list[Cluster]
) -> tuple[list[Reuse], list[Citation]]:
    """The quotation stage over the run's documents (with this run's inferred metadata) and clusters,
    keeping its work in the database's cache between runs."""
    from dedup.runtime.reuse_runner import find_reuses

    with ctx.timed("reuse"):
        return find_reuses(documents, clusters, ctx.config, workers=ctx.workers, cache=ctx.spool(),
                           progress=ctx.report)


def common_sources(documents: Sequence[Document], reuses: list[Reuse]) -> tuple[list[Reuse], list[dict[str, Any]]]:
    """The common sources of a run (:func:`dedup.reuse.sources.source_list`), each with an ``id``, and
    the reuses made to agree with them (:func:`~dedup.reuse.sources.agree_with_sources`): the
    witnesses' publication dates and wire credits are read from the documents that carry them."""
    # (an edge made to agree joins two witnesses of a source: their documents are read already)
    wanted = {d for r in reuses if r.kind == "shares" for d in (r.quoting, r.source)}
    if not wanted:
        return reuses, []
    ids = documents.ids if isinstance(documents, LazyDocuments) else [d.id for d in documents]
    dates: dict[str, str | None] = {}
    wires: dict[str, str | None] = {}
    texts: dict[str, str] = {}
    for i, doc_id in enumerate(ids):
        if doc_id in wanted:
            doc = documents[i]
            dates[doc_id], wires[doc_id], texts[doc_id] = doc_date(doc), document_wire(doc), doc.text

    def sources_of(edges: list[Reuse]) -> list[dict[str, Any]]:
        return source_list(edges, dates, wires, lambda doc, start, end: speaker_of(texts[doc], start, end),
                           lambda doc, start, end: venue_near(texts[doc], start, end))

    # an edge the sources explain becomes one of their edges, and so joins them: list them again
    # only then (the reuses keep find_reuses' order)
    found = sources_of(reuses)
    agreed = agree_with_sources(reuses, found)
    if any(a is not r for a, r in zip(agreed, reuses, strict=True)):
        agreed.sort(key=lambda r: (r.quoting, r.source, r.quoting_span.start, r.source_span.start))
        found = sources_of(agreed)
    return agreed, [{"id": _edge_id("source", s["witnesses"][0]["doc"], s["witnesses"][0]["start"]), **s}
                    for s in found]


def source_row(s: dict[str, Any]) -> dict[str, Any]:
    return {"id": s["id"], "kind": s["kind"], "name": s["name"], "data": to_json(s)}


def _edge_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def reuse_row(r: Reuse) -> dict[str, Any]:
    data = r.to_dict()
    return {
        "id": _edge_id(r.quoting, r.source, r.quoting_span.start, r.source_span.start),
        "quoting": r.quoting, "source": r.source, "direction": r.direction, "kind": r.kind,
        "data": to_json(data),
    }


def citation_row(c: Citation) -> dict[str, Any]:
    data = c.to_dict()
    return {
        "id": _edge_id(c.doc, c.outlet, c.span.start), "doc": c.doc, "outlet": c.outlet,
        "resolved_to": c.resolved_to, "data": to_json(data),
    }


__all__ = [
    "BATCH",
    "SCHEMA",
    "Progress",
    "RunContext",
    "RunResult",
    "citation_row",
    "clean_batch",
    "clean_version",
    "common_sources",
    "default_workers",
    "fault_point",
    "fingerprint_meta",
    "finish",
    "furniture_stage",
    "ingest",
    "no_progress",
    "prepare",
    "quotations",
    "reuse_digest",
    "reuse_row",
    "run_counts",
    "singleton_results",
    "source_row",
    "speculation_misses",
    "work_state",
]
