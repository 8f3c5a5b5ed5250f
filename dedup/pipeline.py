"""The main job: ingest → furniture → clean+fingerprint → cluster → damage → reuse → store.

Stages are plain functions over :class:`~dedup.models.Document`; this module
sequences them, streams documents through the database (the spool between
stages, so no stage holds the corpus in memory), fans the heavy work out to a
process pool, and reports progress through a callback so that the CLI can
draw its own bars. Nothing here knows about rich or click.

Incremental by construction: an input whose bytes are unchanged is not read
twice, a document is cleaned again only when its bytes, the rule set or the
corpus furniture it contains changed, verified pair figures and alignments
are kept between runs, and cluster ids derive from membership.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import io
import itertools
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from dedup import __version__
from dedup import fingerprint as fp
from dedup.clean import clean
from dedup.clean import version as clean_code_version
from dedup.clean.corpus import (
    LINE_RECORD_VERSION,
    MAX_FURNITURE_KEY,
    FurnitureLines,
    LineCounts,
    counted_keys,
    furniture_digest,
    furniture_from_counts,
    furniture_key,
    line_record,
    stable_line_hash,
)
from dedup.clean.damage import align_damage
from dedup.cluster import Rank, build_clusters, cluster_id, measure, relation, score, settle_canonical
from dedup.config import SCHEME, Config
from dedup.extract import extract_html
from dedup.ingest import LineBatch, RawInput, iter_inputs, parse_lines
from dedup.models import (
    Citation,
    Cluster,
    Document,
    Gap,
    PairScore,
    Problem,
    Reuse,
    Span,
    to_json,
)
from dedup.runtime.blobs import BlobCache, RunSpool
from dedup.runtime.pool import Pool, batches, set_state, worker_state
from dedup.store import LazyDocuments, Store

#: progress(stage, advance, total): total is set on the first call of a stage
Progress = Callable[[str, int, int | None], None]

BATCH = 256
_META_FIELDS = ("title", "outlet", "date", "author", "url")
T = TypeVar("T")
R = TypeVar("R")


def _no_progress(stage: str, advance: int, total: int | None) -> None:
    return None


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


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
            "version": __version__,
            "run": {"id": self.run_id, "config": self.config.name(), "settings": self.config.to_dict(),
                    "counts": self.counts, "timings": {k: round(v, 4) for k, v in self.timings.items()}},
            "documents": list(self.document_records()),
            "clusters": [c.to_dict() for c in self.clusters],
            "reuses": [r.to_dict() for r in self.reuses],
            "citations": [c.to_dict() for c in self.citations],
            "problems": [p.to_dict() for p in self.problems],
        }

    def write_json(self, out: IO[str]) -> None:
        """The same document as :meth:`to_json`, written as it is produced (100k documents stream)."""
        head = {"version": __version__,
                "run": {"id": self.run_id, "config": self.config.name(), "settings": self.config.to_dict(),
                        "counts": self.counts, "timings": {k: round(v, 4) for k, v in self.timings.items()}}}
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
        array("problems", (p.to_dict() for p in self.problems), last=True)
        out.write("}\n")


def clean_version() -> str:
    """The stamp of the cleaning code (:func:`dedup.clean.version`): stored clean text made under another is made
    again."""
    return clean_code_version()


def prepare(raw: RawInput, furniture: dict[str, str]) -> Document:
    """Extract (HTML), clean, and merge metadata: record fields > HTML metadata > text."""
    html_meta: dict[str, str] = {}
    body = raw.body
    if raw.kind == "html":
        extracted = extract_html(raw.body, url=raw.url)
        body, html_meta = extracted.text, extracted.meta
    result = clean(body, furniture=furniture)
    meta = {**result.meta, **html_meta, **raw.stated}
    return Document(
        id=raw.id, source=raw.source, content_hash=raw.content_hash, raw=body, kind=raw.kind,
        text=result.text, encoding=raw.encoding, edits=list(result.edits),
        offsets=result.offset_map(), defects=list(result.defects),
        title=meta.get("title"), outlet=meta.get("outlet"), date=meta.get("date"), author=meta.get("author"),
        url=meta.get("url"),
    )


# -- process pool -----------------------------------------------------------------
# Work is handed to workers as plain data and their state (furniture, config) is set once per
# worker (dedup.runtime.pool), so the stage functions never know whether they run in this
# process or another.
_WORKER = worker_state()


def _clean_batch(
    rows: list[dict[str, Any]],
) -> tuple[list[Document], dict[str, str], bytes, list[tuple[str, Problem]], list[tuple[str, bytes]]]:
    """Clean and fingerprint a batch, and make the reuse stage's first-pass records while the texts are at
    hand; a document that makes a stage fail becomes a Problem, not a crash."""
    furniture: dict[str, str] = _WORKER["furniture"]
    config: Config = _WORKER["config"]
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
            doc = prepare(raw, furniture)
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
    sigs, entries = _sign_and_scan(docs, config, fkeys)
    return docs, fkeys, sigs.tobytes(), failed, entries


def _align_batch(
    job: tuple[str, list[tuple[str, str]], Mapping[str, str] | None],
) -> list[tuple[str, str, float, list[dict[str, Any]], str]]:
    """Alignments of (doc, against) pairs: completeness, gaps and the gaps' JSON. A pool worker
    reads the texts itself (``texts`` None): sending them cost the main process a pickle of two
    texts per pair."""
    path, pairs, texts = job
    if texts is None:
        texts = _worker_reader(path).texts({d for pair in pairs for d in pair})
    out = []
    for doc_id, against in pairs:
        gaps, completeness = align_damage(texts[doc_id], texts[against])
        found = [g.to_dict() for g in gaps]
        out.append((doc_id, against, completeness, found, _GAPS_JSON(found) if found else "[]"))
    return out


_GAPS_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _worker_reader(path: str) -> Store:
    """A pool worker's read-only view of the run's database, opened once per worker."""
    key = f"reader:{path}"
    reader = _WORKER.get(key)
    if reader is None:
        reader = _WORKER[key] = Store(path)
    return cast(Store, reader)


# -- the run ----------------------------------------------------------------------
def run(
    paths: Sequence[str],
    *,
    db: str = "dedup.db",
    config: Config | None = None,
    encoding: str | None = None,
    stdin: IO[str] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> RunResult:
    """Run the whole job on files, folders or ``-`` (JSON Lines on ``stdin``) into database ``db``."""
    config = config or Config()
    report = progress or _no_progress
    workers = workers or default_workers()
    timings: dict[str, float] = {}
    store = Store(db, writer=True)
    # A run holds millions of long-lived objects (per-document records, 100k-row result
    # lists); each full pass of the cyclic collector walks all of them, which cost 2 s of a
    # 15 s incremental run. The stages make no reference cycles worth collecting mid-run
    # (reference counting frees their garbage), so the collector waits until the run ends.
    was_enabled = gc.isenabled()
    gc.disable()
    reuse_cache: RunSpool | None = None
    try:
        run_id = store.start_run(__version__, config.name(), config.to_dict(), list(paths))
        problems: list[Problem] = []
        speculated: dict[str, npt.NDArray[np.int64]] = {}
        reuse_cache = RunSpool(store.cache("reuse"))
        order, counts = ingest(store, run_id, paths, encoding, stdin, problems, report, timings, workers, config,
                               speculated, reuse_cache)
        result = _analyse(store, run_id, config, workers, report, timings, problems, counts, speculated, reuse_cache)
        return finish(store, result, order, problems, timings)
    finally:
        if reuse_cache is not None:
            reuse_cache.close()
        store.close()
        if was_enabled:
            gc.enable()


def finish(
    store: Store, result: RunResult, order: list[str], problems: list[Problem], timings: dict[str, float]
) -> RunResult:
    """Record the end of a run (problems, counts, timings, status), the same for every engine."""
    result.input_order = order
    store.add_problems(result.run_id, problems)
    store.finish_run(result.run_id, result.counts, timings, "ok" if not problems else "some inputs skipped",
                     result.exit_status)
    return result


def run_records(
    records: Iterable[dict[str, Any]], *, config: Config | None = None, db: str | None = None,
    progress: Progress | None = None, workers: int | None = None,
) -> RunResult:
    """Run on in-memory records (dicts with ``text`` or ``html`` and optional metadata).

    Without ``db`` the results go to a temporary database removed at exit.
    """
    if db is None:
        folder = tempfile.mkdtemp(prefix="dedup-")
        atexit.register(shutil.rmtree, folder, True)
        db = os.path.join(folder, "run.db")
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return run(["-"], db=db, config=config, stdin=io.StringIO(lines), progress=progress, workers=workers)


def _fault_point(stage: str) -> None:
    """Crash-safety tests kill the run here (DEDUP_FAULT=stage) to prove a re-run finishes the job."""
    if os.environ.get("DEDUP_FAULT") == stage:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


# Inputs KnownInputs looks up one at a time before it reads all it knows at once.
LOOKUPS_BEFORE_LOAD = 20_000


class KnownInputs:
    """The :class:`~dedup.ingest.Known` of a database: inputs earlier runs stored, by line bytes or file stat.

    Kept in the cache table; a hit counts only when the document stored under
    that id still has that content hash, so a stale entry is never trusted.
    """

    def __init__(self, store: Store) -> None:
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
            if self._asked <= LOOKUPS_BEFORE_LOAD:
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


def ingest(
    store: Store, run_id: int, paths: Sequence[str], encoding: str | None, stdin: IO[str] | None,
    problems: list[Problem], report: Progress, timings: dict[str, float], workers: int = 1,
    config: Config | None = None, speculated: dict[str, npt.NDArray[np.int64]] | None = None,
    reuse_cache: RunSpool | None = None,
) -> tuple[list[str], dict[str, int]]:
    """The ingest stage of either engine: inputs into the database, unchanged ones recognised unread.

    JSON Lines are parsed in the pool (decoding, JSON and the record hash were
    most of this stage), and the workers make each new text's furniture line
    record while they hold it, so the furniture stage need not read it back.

    With ``config`` and ``speculated``, the workers also clean and fingerprint
    each new document as if the corpus had no furniture, and it is stored
    cleaned in the same row write; ``speculated`` gets the hashes of the line
    keys that cleaning looked up in the (empty) furniture. The analysis then
    cleans again only documents that hold a line of the corpus furniture
    (:func:`_speculation_misses`): for every other document the result is the
    same, since cleaning reads furniture only through those lookups. This
    keeps both cores busy while the main process writes, and spares most
    documents a second read and row write.
    """
    t = time.perf_counter()
    known = KnownInputs(store)
    records = store.cache("furniture")
    version = clean_version()
    fingerprint = _fingerprint_meta(config) if config is not None else {}
    made: dict[tuple[str, str], tuple[Document, bytes, npt.NDArray[np.int64]]] = {}
    speculate = SPECULATE and config is not None and speculated is not None
    state = {"config": config, "clean_key": version}

    def parse(batches: Iterable[LineBatch]) -> Iterator[list[RawInput | Problem]]:
        def kept(out: _Parsed) -> list[RawInput | Problem]:
            items, lines, cleaned, sig_bytes, entries = out
            # written with the next batch of documents, in its transaction (a commit costs ~3 ms)
            line_records.extend(lines)
            pass1.extend(entries)
            size = len(sig_bytes) // max(1, len(cleaned))
            for k, (doc, probe) in enumerate(cleaned):
                made[(doc.id, doc.content_hash)] = (doc, sig_bytes[k * size : (k + 1) * size], probe)
            return items

        rest = iter(batches)
        # a small input is parsed here: starting a pool costs more than it saves
        set_state(state)
        for batch in itertools.islice(rest, PARSE_IN_PROCESS):
            yield kept(_parse_batch((speculate, batch)))
        with Pool(workers, state) as pool:
            for out in pool.map(_parse_batch, ((speculate, batch) for batch in rest)):
                yield kept(out)

    def cleaned(item: RawInput) -> tuple[Document, bytes, npt.NDArray[np.int64]] | None:
        return made.pop((item.id, item.content_hash), None)

    line_records: list[tuple[str, bytes]] = []
    pass1: list[tuple[str, bytes]] = []

    def flush() -> None:
        records.put_many(line_records)
        if reuse_cache is not None:
            reuse_cache.spool(pass1)
        line_records.clear()
        pass1.clear()

    order, counts = _ingest(
        store, run_id, iter_inputs(paths, encoding=encoding, stdin=stdin, known=known, parse=parse), problems, report,
        cleaned if speculate else None, version, fingerprint, speculated, flush, known.stored,
    )
    made.clear()
    known.save()
    timings["ingest"] = time.perf_counter() - t
    return order, counts


# Parse batches read in this process before ingest starts its pool.
PARSE_IN_PROCESS = 1
# Clean new documents at ingest, without furniture (see ingest); off only to test that it changes nothing.
SPECULATE = True

# What a parse batch gives: the parsed lines; furniture line records (cache entries); the documents
# cleaned without furniture with the hashes of the keys they looked up; their signatures; their
# reuse pass-1 records (cache entries).
_Parsed = tuple[
    list[RawInput | Problem], list[tuple[str, bytes]], list[tuple[Document, npt.NDArray[np.int64]]], bytes,
    list[tuple[str, bytes]],
]


class _Probe(FurnitureLines):
    """An empty furniture mapping that records what cleaning looks up in it.

    Truthy, so that the cleaner consults it; ``get`` always misses, so the
    result is that of cleaning with no furniture at all. Its bound on key
    length is that of any corpus furniture (only lines counted for it can
    become it), so the cleaner skips the lines no furniture can hold, as it
    does with the real furniture.
    """

    def __init__(self) -> None:
        super().__init__()
        self.longest = MAX_FURNITURE_KEY
        self.asked: set[int] = set()

    def __bool__(self) -> bool:
        return True

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        # hash(): compared only within this run, between forked processes (same hash seed)
        self.asked.add(hash(key))
        return default


def _parse_batch(job: tuple[bool, LineBatch]) -> _Parsed:
    """Parsed lines and furniture line records; with ``speculate``, new documents cleaned as well."""
    speculate, batch = job
    items = parse_lines(batch)
    lines = [(_furniture_name(item.content_hash), _pack_outlet(item.outlet) + line_record(item.body))
             for item in items if isinstance(item, RawInput) and item.kind == "text"]
    if not speculate:
        return items, lines, [], b"", []
    config: Config = _WORKER["config"]
    cleaned: list[tuple[Document, npt.NDArray[np.int64]]] = []
    for item in items:
        if not isinstance(item, RawInput):
            continue
        probe = _Probe()
        try:
            doc = prepare(item, probe)
        except Exception:  # the clean stage tries again and reports it
            continue
        cleaned.append((doc, np.fromiter(probe.asked, dtype=np.int64, count=len(probe.asked))))
    docs = [doc for doc, _ in cleaned]
    sigs, entries = _sign_and_scan(docs, config, {})
    return items, lines, cleaned, sigs.tobytes(), entries


def _sign_and_scan(
    docs: list[Document], config: Config, fkeys: Mapping[str, str]
) -> tuple[npt.NDArray[np.uint32], list[tuple[str, bytes]]]:
    """Signatures of freshly cleaned documents, and their reuse pass-1 records under the text keys
    the store will give them (when the worker knows the clean key), from one tokenisation."""
    tokens = fp.batch_token_hashes([d.text for d in docs])
    sigs = fp.signatures_concat(*fp.shingles_of_tokens(*tokens, config.shingle_size), config.num_perm, config.seed)
    if "clean_key" not in _WORKER:  # an engine that keeps no reuse cache of its own here
        return sigs, []
    from dedup.runtime.reuse_runner import pass1_entries

    clean_key = _WORKER["clean_key"]
    keys = [f"{d.content_hash}:{clean_key}:{fkeys.get(d.id, '')}" for d in docs]
    return sigs, pass1_entries(docs, keys, tokens)


def _speculation_misses(
    speculated: Mapping[str, npt.NDArray[np.int64]], furniture: Mapping[str, str]
) -> set[str]:
    """Documents cleaned at ingest that looked up a line the corpus furniture holds."""
    if not speculated or not furniture:
        return set()
    wanted = np.fromiter((hash(k) for k in furniture), dtype=np.int64, count=len(furniture))
    ids = list(speculated)
    asked = [speculated[d] for d in ids]
    hit = np.isin(np.concatenate(asked), wanted)
    owner = np.repeat(np.arange(len(ids)), [len(a) for a in asked])
    return {ids[i] for i in np.unique(owner[hit]).tolist()}


def _fingerprint_meta(config: Config) -> dict[str, Any]:
    return {"fingerprint_key": config.fingerprint_key, "scheme": SCHEME, "num_perm": config.num_perm,
            "seed": config.seed, "shingle_size": config.shingle_size}


def _furniture_name(content_hash: str) -> str:
    return f"{LINE_RECORD_VERSION}:{content_hash}"


def _ingest(
    store: Store, run_id: int, items: Iterable[RawInput | Problem], problems: list[Problem], report: Progress,
    cleaned: Callable[[RawInput], tuple[Document, bytes, npt.NDArray[np.int64]] | None] | None = None,
    clean_key: str = "", fingerprint: Mapping[str, Any] | None = None,
    speculated: dict[str, npt.NDArray[np.int64]] | None = None, flush: Callable[[], None] = lambda: None,
    stored: Mapping[str, tuple[str, str | None]] | None = None,
) -> tuple[list[str], dict[str, int]]:
    """Stream inputs into the database: new or changed ones are stored as pending, the rest untouched.

    ``flush()`` runs in the transaction of each batch written (the parser's cache entries);
    ``stored`` is :meth:`~dedup.store.Store.document_keys` if the caller read it already.

    ``cleaned(item)`` gives the document already cleaned (without furniture), its signature and the
    hashes of the furniture keys it looked up, if the parser made them; such a document is stored
    cleaned, and its hashes go to ``speculated``.
    """
    if stored is None:
        stored = store.document_keys()
    seen: dict[str, RawInput] = {}
    seen_hash: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    unchanged: list[str] = []
    pending: list[dict[str, Any]] = []
    n_inputs = 0
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        made = cleaned(item) if cleaned is not None else None
        previous = seen_hash.get(item.id)
        if previous is not None:
            if previous[0] == item.content_hash:
                order.append(item.id)
                continue  # the same input named twice is one document
            problems.append(
                Problem(item.source, f"duplicate id {item.id!r} with different content "
                        f"(first seen in {previous[1]}); kept the first")
            )
            continue
        seen_hash[item.id] = (item.content_hash, item.source)
        order.append(item.id)
        n_inputs += 1
        report("ingest", 1, None)
        if stored.get(item.id, ("",))[0] == item.content_hash:
            unchanged.append(item.id)
            continue
        pending.append({
            "id": item.id, "source": item.source, "content_hash": item.content_hash, "kind": item.kind,
            "encoding": item.encoding, "body": item.body, "stated": json.dumps(item.stated, sort_keys=True),
            "cleaned": made,
        })
        if len(pending) >= BATCH:
            _save_pending(store, pending, run_id, clean_key, fingerprint, speculated, flush)
            pending = []
            _fault_point("ingest")
    _save_pending(store, pending, run_id, clean_key, fingerprint, speculated, flush)
    del seen
    store.touch_documents(list(seen_hash), run_id)
    return order, {"inputs": n_inputs, "unchanged": len(unchanged)}


def _save_pending(
    store: Store, pending: list[dict[str, Any]], run_id: int, clean_key: str, fingerprint: Mapping[str, Any] | None,
    speculated: dict[str, npt.NDArray[np.int64]] | None, flush: Callable[[], None],
) -> None:
    """New inputs, in one transaction: those cleaned at ingest with their clean text (written once)."""
    done = [it["cleaned"] for it in pending if it["cleaned"] is not None]
    with store.transaction():
        flush()
        store.save_pending(pending, run_id, cleaned=(
            [doc for doc, _, _ in done], clean_key,
            np.frombuffer(b"".join(sig for _, sig, _ in done), dtype=np.uint32).reshape(len(done), -1),
            dict(fingerprint or {}), singleton_results,
        ) if done else None)
    if speculated is not None:
        speculated.update((doc.id, probe) for doc, _, probe in done)


def _analyse(
    store: Store,
    run_id: int,
    config: Config,
    workers: int,
    report: Progress,
    timings: dict[str, float],
    problems: list[Problem],
    counts: dict[str, int],
    speculated: Mapping[str, npt.NDArray[np.int64]] | None = None,
    reuse_cache: RunSpool | None = None,
) -> RunResult:
    # Corpus furniture is a property of the whole corpus, computed from what
    # ingest stored (never from what cleaning found), so a re-run finds the same.
    t = time.perf_counter()
    version = clean_version()
    keys = store.clean_keys()
    furniture, todo = _furniture(store, config, keys, workers)
    todo |= {d for d, (ck, _) in keys.items() if ck != version}
    # documents ingest cleaned without furniture that asked for a line the furniture holds
    todo |= _speculation_misses(speculated or {}, furniture)
    furniture_json = json.dumps(furniture, sort_keys=True, ensure_ascii=False)
    timings["furniture"] = time.perf_counter() - t

    _fault_point("furniture")
    t = time.perf_counter()
    fingerprint = _fingerprint_meta(config)
    report("clean", 0, len(todo))
    reuse_cache = reuse_cache or RunSpool(store.cache("reuse"))
    with Pool(workers, {"furniture": furniture, "config": config, "clean_key": version}) as pool:
        for n, (docs, fkeys, sig_bytes, failed, entries) in enumerate(
            pool.map(_clean_batch, batches(store.iter_work(todo), BATCH)), start=1
        ):
            sigs = np.frombuffer(sig_bytes, dtype=np.uint32).reshape(len(docs), config.num_perm)
            with store.transaction():
                store.save_cleaned(docs, run_id, version, fkeys, sigs, fingerprint, singleton_results)
            reuse_cache.spool(entries)
            if failed:
                problems.extend(p for _, p in failed)
                # forgotten, so that the next run tries them again and nothing half-made stays
                store.delete_documents([doc_id for doc_id, _ in failed])
            report("clean", len(docs) + len(failed), None)
            _fault_point(f"clean:{n}")
    store.set_meta("furniture", furniture_json)
    timings["clean+fingerprint"] = time.perf_counter() - t

    t = time.perf_counter()
    ids, sigs = store.load_signatures(config.fingerprint_key)
    # (id, clean length, defects, date) of every document, read once for the stages below
    ranks = store.ranks()
    all_ids = [r[0] for r in ranks]
    if len(ids) != len(all_ids):
        # signatures made with other settings (an earlier run with another config) are redone
        missing = sorted(set(all_ids) - set(ids))
        texts = store.texts(missing)
        for batch in batches(missing, 2048):
            sh, bounds = fp.batch_shingles([texts[d] for d in batch], config.shingle_size)
            store.save_signatures(batch, fp.signatures_concat(sh, bounds, config.num_perm, config.seed),
                                  config.fingerprint_key, SCHEME, config.num_perm, config.seed, config.shingle_size)
        ids, sigs = store.load_signatures(config.fingerprint_key)
    timings["signatures"] = time.perf_counter() - t

    _fault_point("cluster")
    t = time.perf_counter()
    report("cluster", 0, len(ids))
    clusters, pairs, n_candidates = _cluster(store, ids, sigs, config, workers, ranks)
    report("cluster", len(ids), None)
    timings["cluster"] = time.perf_counter() - t

    _fault_point("damage")
    t = time.perf_counter()
    text_keys = store.text_keys()
    clusters, damage, updates = _damage_and_inference(store, clusters, workers, config, ranks, text_keys)
    timings["damage"] = time.perf_counter() - t

    _fault_point("reuse")
    t = time.perf_counter()
    # the reuse stage sees this run's inferred metadata (dates and outlets of copies), which is
    # written to the database only with the results
    inferred = {d: json.loads(u["inferred"]) for d, u in updates.items() if u["inferred"] != "{}"}
    documents = LazyDocuments(store.path, ids, inferred=inferred, text_keys=text_keys)
    reuses, citations = _find_reuses(documents, clusters, config, workers, reuse_cache)
    timings["reuse"] = time.perf_counter() - t

    _fault_point("store")
    t = time.perf_counter()
    store.save_results(clusters, updates, [_reuse_row(r) for r in reuses], [_citation_row(c) for c in citations])
    timings["store"] = time.perf_counter() - t
    # processed: documents cleaned this run, at ingest or in the clean stage
    counts = run_counts(counts, len(todo | set(speculated or ())), len(ids), clusters, n_candidates, len(pairs),
                        reuses, citations, problems)
    # fresh reader: inferred metadata was just written
    documents = LazyDocuments(store.path, ids)
    return RunResult(config, run_id, store.path, documents, clusters, pairs, reuses, citations, problems, counts,
                     timings, damage)


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
    }


def singleton_results(doc_id: str, cluster: str | None = None) -> dict[str, Any]:
    """The result columns of a document that is a cluster of its own (what most documents turn out to be)."""
    return {"cluster": cluster or cluster_id([doc_id]), "canonical": 1, "completeness": 1.0, "gaps": "[]",
            "inferred": "{}"}


def _line_records(sources: list[tuple[str, str | None, str]]) -> list[tuple[str, str | None, bytes]]:
    return [(doc_id, outlet, line_record(raw)) for doc_id, outlet, raw in sources]


def _pack_outlet(outlet: str | None) -> bytes:
    data = (outlet or "").encode("utf-8", "surrogatepass")
    return len(data).to_bytes(4, "little") + data


def _unpack_outlet(value: bytes) -> tuple[str | None, bytes]:
    n = int.from_bytes(value[:4], "little")
    return value[4 : 4 + n].decode("utf-8", "surrogatepass") or None, value[4 + n :]


class _CountsSnapshot:
    """The line counts of the last run, with the record name of each document: a run reads the
    records of only the documents they lack, and gathers the rest with numpy (reading and joining
    100k records cost 0.6 s of an incremental run)."""

    def __init__(self, names: list[str], counts: LineCounts) -> None:
        self.names = names
        self.counts = counts
        self._held: set[str] | None = None

    @classmethod
    def load(cls, blob: bytes | None) -> _CountsSnapshot:
        if not blob:
            return cls([], LineCounts())
        names, outlets, hashes, long, ends = pickle.loads(blob)
        return cls(names, LineCounts(np.frombuffer(hashes, dtype=np.int64), np.frombuffer(long, dtype=np.bool_),
                                     np.frombuffer(ends, dtype=np.int64), outlets))

    def dump(self) -> bytes:
        c = self.counts
        return pickle.dumps((self.names, c.outlets, c.hashes.tobytes(), c.long.tobytes(), c.ends.tobytes()),
                            protocol=pickle.HIGHEST_PROTOCOL)

    @property
    def held(self) -> set[str]:
        if self._held is None:
            self._held = set(self.names)
        return self._held

    def lacking(self, names: list[str]) -> list[str]:
        return [n for n in names if n not in self.held]

    def counts_of(self, names: list[str], records: Mapping[str, bytes]) -> LineCounts:
        """The counts of the documents ``names``: from this snapshot where it holds them, else from
        ``records``; the same arrays :meth:`LineCounts.from_records` makes of all their records."""
        if names == self.names:
            return self.counts
        at = {n: i for i, n in enumerate(self.names)}
        new = [n for n in names if n not in at]
        extra = LineCounts.from_records(_unpack_outlet(records[n]) for n in new)
        base = len(self.counts.hashes)
        old_starts = np.r_[0, self.counts.ends[:-1]] if len(self.names) else np.empty(0, np.int64)
        new_starts = np.r_[0, extra.ends[:-1]] if new else np.empty(0, np.int64)
        old_sizes = np.diff(np.r_[0, self.counts.ends])
        new_sizes = np.diff(np.r_[0, extra.ends]) if new else np.empty(0, np.int64)
        j = np.fromiter((at.get(n, -1) for n in names), dtype=np.int64, count=len(names))
        held = j >= 0
        src = np.empty(len(names), dtype=np.int64)
        size = np.empty(len(names), dtype=np.int64)
        src[held], size[held] = old_starts[j[held]], old_sizes[j[held]]
        src[~held], size[~held] = base + new_starts, new_sizes
        fresh = iter(extra.outlets)
        outlets = [self.counts.outlets[k] if k >= 0 else next(fresh) for k in j.tolist()]
        ends = np.cumsum(size)
        # position p of the result comes from src[doc] + (p - start of doc)
        gather = np.repeat(src - (ends - size), size) + np.arange(int(ends[-1]) if len(ends) else 0)
        hashes = np.concatenate([self.counts.hashes, extra.hashes])[gather]
        long = np.concatenate([self.counts.long, extra.long])[gather]
        return LineCounts(hashes, long, ends, outlets)


def _furniture(
    store: Store, config: Config, keys: Mapping[str, tuple[str | None, str | None]], workers: int
) -> tuple[FurnitureLines, set[str]]:
    """Corpus furniture, and the documents whose furniture lines changed since they were cleaned.

    Each text document's line record (a hash per distinct line) is kept in
    the cache under its content hash, so a run reads the raw text only of
    documents it has not seen; the counting itself is a few numpy passes.
    """
    inputs = store.furniture_inputs()
    cache = store.cache("furniture")
    # the outlet a record states is part of what its content hash names, so it is kept with the record
    names = [_furniture_name(content_hash) for _, content_hash in inputs]
    snapshot = store.cache("furniture-counts")
    prior = _CountsSnapshot.load(snapshot.get("last"))
    # records the last run's counts do not hold (all of them on a first run)
    records = cache.get_many(prior.lacking(names))
    missing = {doc_id: name for (doc_id, _), name in zip(inputs, names, strict=True)
               if name not in records and name not in prior.held}
    if missing:
        # one streamed read of the raw texts not seen before; records are made in the pool (~0.04 ms a document)
        sources = store.iter_furniture_sources(None if len(missing) > len(inputs) // 2 else missing)
        pending: list[tuple[str, bytes]] = []
        with Pool(workers if len(missing) > 1000 else 1, {}) as pool:
            for made in pool.map(_line_records, batches(sources, 512)):
                pending.extend((missing[d], _pack_outlet(outlet) + rec) for d, outlet, rec in made if d in missing)
                if len(pending) >= 8192:
                    cache.put_many(pending)
                    records.update(pending)
                    pending = []
        cache.put_many(pending)
        records.update(pending)
    if cache.count() > len(set(names)):
        cache.retain(names)
    counts = prior.counts_of(names, records)
    if names != prior.names:
        snapshot.put_many([("last", _CountsSnapshot(names, counts).dump())])
    ids = [doc_id for doc_id, _ in inputs]

    def name(found: list[tuple[int, int]]) -> dict[int, str]:
        sources = store.raw_texts(ids[i] for _, i in found)
        out: dict[int, str] = {}
        for h, i in found:
            out[h] = next(k for k in counted_keys(sources[ids[i]][1]) if stable_line_hash(k) == h)
        return out

    furniture = furniture_from_counts(counts, name, min_docs=config.furniture_min_docs)
    # documents whose furniture lines differ from those they were cleaned with
    todo: set[str] = set()
    if furniture or any(fk for _, fk in keys.values()):
        by_hash = {stable_line_hash(k): k for k in furniture}
        hit = np.isin(counts.hashes, np.fromiter(by_hash, dtype=np.int64, count=len(by_hash)))
        doc_of = np.repeat(np.arange(len(ids)), np.diff(np.r_[0, counts.ends]))
        present: dict[int, list[str]] = {}
        for i, h in zip(doc_of[hit].tolist(), counts.hashes[hit].tolist(), strict=True):
            present.setdefault(i, []).append(by_hash[h])
        for i, doc_id in enumerate(ids):
            want = furniture_digest(present.get(i, ()))
            if (keys.get(doc_id, (None, None))[1] or "") != want:
                todo.add(doc_id)
    return furniture, todo


def _measure_batch(job: tuple[str, int, list[tuple[str, str]]]) -> list[tuple[str, str, float, float, float, int, int]]:
    """Exact figures of candidate pairs (any process): the texts come from the database, not the caller."""
    path, shingle_size, pairs = job
    texts = _worker_reader(path).texts({d for pair in pairs for d in pair})
    order = sorted(texts)
    sets = dict(zip(order, fp.shingle_sets([texts[d] for d in order], shingle_size), strict=True))
    out = []
    for a, b in pairs:
        jac, c_ab, c_ba = measure(sets[a], sets[b])
        out.append((a, b, round(jac, 4), round(c_ab, 4), round(c_ba, 4), len(sets[a]), len(sets[b])))
    return out


def _cluster(
    store: Store, ids: list[str], sigs: np.ndarray, config: Config, workers: int = 1,
    ranks: list[tuple[str, int, int, str | None]] | None = None,
) -> tuple[list[Cluster], list[PairScore], int]:
    """LSH candidates, exact figures (kept between runs), guarded clusters, settled canonicals."""
    candidates = fp.lsh_candidates(fp.band_keys(sigs, config.bands, config.rows))
    if store.get_meta("pairs_key") != config.fingerprint_key:
        # cached figures were measured on shingles of another size: measure again
        store.clear_pairs()
        store.set_meta("pairs_key", config.fingerprint_key)
    doc_ranks = [Rank(doc_id, length, defects, date)
                 for doc_id, length, defects, date in (store.ranks() if ranks is None else ranks)]
    assert [r.doc_id for r in doc_ranks] == ids
    known = store.load_pairs()
    hashes: dict[int, np.ndarray] = {}
    new_rows: list[tuple[str, str, float, float, float, int, int]] = []

    def load_hashes(indices: Iterable[int]) -> None:
        need = sorted({i for i in indices if i not in hashes})
        for batch in batches(need, 2048):
            texts = store.texts(ids[i] for i in batch)
            sets = fp.shingle_sets([texts[ids[i]] for i in batch], config.shingle_size)
            hashes.update(zip(batch, sets, strict=True))

    def figures(i: int, j: int) -> PairScore:
        a, b = (i, j) if ids[i] < ids[j] else (j, i)
        key = (ids[a], ids[b])
        if key not in known:
            load_hashes((a, b))
            ha, hb = hashes[a], hashes[b]
            jac, c_ab, c_ba = measure(ha, hb)
            known[key] = (round(jac, 4), round(c_ab, 4), round(c_ba, 4), len(ha), len(hb))
            new_rows.append((*key, *known[key]))
        jac, c_ab, c_ba, n_a, n_b = known[key]
        return PairScore(*key, jac, c_ab, c_ba, relation(jac, c_ab, c_ba, n_a, n_b, config))

    # figures of the new candidate pairs in the pool, each batch reading its own texts
    todo = sorted({(ids[min(i, j)], ids[max(i, j)]) for i, j in candidates.tolist()} - known.keys())
    jobs = [(store.path, config.shingle_size, batch) for batch in batches(todo, 1024)]
    with Pool(workers if len(todo) > 2000 else 1, {}) as pool:
        for rows in pool.map(_measure_batch, jobs):
            for a, b, *figs in rows:
                known[(a, b)] = tuple(figs)  # type: ignore[assignment]
                new_rows.append((a, b, *figs))  # type: ignore[arg-type]
    clusters, pairs = build_clusters(doc_ranks, figures, candidates, config)
    hashes.clear()
    store.save_pairs(new_rows)
    return clusters, pairs, len(candidates)


def _damage_and_inference(
    store: Store, clusters: list[Cluster], workers: int, config: Config,
    ranks: list[tuple[str, int, int, str | None]] | None = None, text_keys: Mapping[str, str] | None = None,
) -> tuple[list[Cluster], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Settle canonicals of larger clusters, align copies against them, infer metadata from mates.

    What this gives for a cluster depends only on its members' texts (and
    what cleaning read from them), so it is kept in the cache under the
    cluster, its canonical and its members' text keys: an incremental run
    works only on the clusters that gained, lost or changed a member.
    Alignments are kept too (per pair, by both texts' keys).
    """
    if text_keys is None:
        text_keys = store.text_keys()
    cache = store.cache("clusters")
    multi = [c for c in clusters if len(c.members) > 1]
    salt = config.name()
    keys = {
        c.id: hashlib.sha1("\n".join(
            [salt, c.id, c.canonical, c.reason, *(f"{m}\t{text_keys.get(m, '')}" for m in c.members)]
        ).encode("utf-8", "surrogatepass")).hexdigest()
        for c in multi
    }
    found = {name: pickle.loads(blob) for name, blob in cache.get_many(keys.values()).items()}
    todo = [c for c in multi if keys[c.id] not in found]
    fresh = _settle_and_align(store, todo, text_keys, workers, config, ranks)
    cache.put_many((keys[c.id], pickle.dumps(fresh[c.id], protocol=pickle.HIGHEST_PROTOCOL)) for c in todo)
    if cache.count() > len(keys):
        cache.retain(keys.values())

    damage: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    out: list[Cluster] = []
    for c in clusters:
        if len(c.members) == 1:
            out.append(c)
            damage[c.canonical] = {"completeness": 1.0, "gaps": []}
            updates[c.canonical] = singleton_results(c.canonical, c.id)
            continue
        settled, cluster_damage, cluster_updates = fresh.get(c.id) or found[keys[c.id]]
        out.append(settled)
        damage.update(cluster_damage)
        updates.update(cluster_updates)
    return out, damage, updates


_Settled = tuple[Cluster, dict[str, dict[str, Any]], dict[str, dict[str, Any]]]


def _settle_and_align(
    store: Store, multi: list[Cluster], text_keys: Mapping[str, str], workers: int, config: Config,
    ranks: list[tuple[str, int, int, str | None]] | None = None,
) -> dict[str, _Settled]:
    """Per cluster of two or more: the settled cluster, and each member's damage and result columns."""
    if not multi:
        return {}
    members = sorted({m for c in multi for m in c.members})
    # metadata and ranks only: texts are read just for the alignments not in the cache
    # inferred={}: this stage infers them again, so the stored ones are not even parsed
    docs = {d.id: d for d in LazyDocuments(store.path, members, inferred={}).metadata()}
    rank_of = {r[0]: Rank(*r) for r in (store.ranks() if ranks is None else ranks) if r[0] in docs}
    keys = {d: text_keys.get(d, "") for d in docs}
    cache = store.load_alignments(members)
    # (doc, against) -> completeness, gaps, gaps as JSON
    fresh: dict[tuple[str, str], tuple[float, list[dict[str, Any]], str]] = {}

    def aligned(pairs: Iterable[tuple[str, str]]) -> None:
        """Fill ``fresh`` for (doc, against) pairs not in the cache, in the pool."""
        jobs = []
        for doc_id, against in pairs:
            hit = cache.get((doc_id, against))
            if hit and hit[0] == keys.get(doc_id) and hit[1] == keys.get(against):
                fresh[(doc_id, against)] = (hit[2], json.loads(hit[3]), hit[3])
            elif (doc_id, against) not in fresh:
                jobs.append((doc_id, against))
        if not jobs:
            return
        # forking a pool costs more than a few hundred alignments of ~0.15 ms
        n = workers if len(jobs) > 500 else 1
        texts = store.texts({d for job in jobs for d in job}) if n == 1 else None
        with Pool(n, {}) as pool:
            for batch in pool.map(_align_batch, ((store.path, b, texts) for b in batches(jobs, 256))):
                rows = []
                for doc_id, against, completeness, gaps, gaps_json in batch:
                    fresh[(doc_id, against)] = (completeness, gaps, gaps_json)
                    rows.append((doc_id, against, keys.get(doc_id) or "", keys.get(against) or "", completeness,
                                 gaps_json))
                store.save_alignments(rows)

    big = [c for c in multi if len(c.members) >= 3]
    aligned((m, o) for c in big for m in sorted(c.members, key=lambda x: rank_of[x].key())[:3]
            for o in c.members if o != m)

    def pair_score(a: str, b: str) -> PairScore:
        texts = store.texts([a, b])
        ha, hb = fp.shingle_sets([texts[a], texts[b]], config.shingle_size)
        return score(a, b, ha, hb, config)

    settled = {
        c.id: settle_canonical(c, rank_of.__getitem__, pair_score, lambda m, o: fresh[(m, o)][0]) for c in big
    }
    multi = [settled.get(c.id, c) for c in multi]
    aligned((m, c.canonical) for c in multi for m in c.members if m != c.canonical)

    out: dict[str, _Settled] = {}
    for c in multi:
        damage: dict[str, dict[str, Any]] = {}
        updates: dict[str, dict[str, Any]] = {}
        for m in c.members:
            info: dict[str, Any] = {"completeness": 1.0, "gaps": []}
            gaps_json = "[]"
            if m != c.canonical:
                completeness, gaps, gaps_json = fresh[(m, c.canonical)]
                info = {"completeness": round(completeness, 4), "gaps": gaps}
            inferred = infer_metadata(m, c, docs)
            damage[m] = info
            updates[m] = {
                "cluster": c.id, "canonical": int(m == c.canonical),
                "completeness": info["completeness"],
                "gaps": gaps_json if info["gaps"] else "[]",
                "inferred": to_json(inferred) if inferred else "{}",
            }
        out[c.id] = (c, damage, updates)
    return out


def infer_metadata(member: str, cluster: Cluster, docs: Mapping[str, Document]) -> dict[str, str]:
    """Title, outlet, date, author that ``member`` does not state, taken from its cluster mates.

    The canonical copy is asked first, then the others in id order; each value
    carries ``<field>_from``. An outlet is never inferred when mates state
    different ones: copies on several sites are syndication, so no one outlet
    is this copy's.
    """
    inferred: dict[str, str] = {}
    doc = docs[member]
    order = [cluster.canonical] + [m for m in cluster.members if m != cluster.canonical]
    for name in ("title", "outlet", "date", "author"):
        if getattr(doc, name):
            continue
        stated = {getattr(docs[o], name) for o in cluster.members if getattr(docs[o], name)}
        if name == "outlet" and len(stated) > 1:
            continue
        for other in order:
            value = getattr(docs[other], name)
            if other != member and value:
                inferred[name] = value
                inferred[f"{name}_from"] = other
                break
    return inferred


def _find_reuses(
    documents: Sequence[Document], clusters: list[Cluster], config: Config, workers: int, cache: BlobCache
) -> tuple[list[Reuse], list[Citation]]:
    from dedup.runtime.reuse_runner import find_reuses

    return find_reuses(documents, clusters, config, workers=workers, cache=cache)


def _edge_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _reuse_row(r: Reuse) -> dict[str, Any]:
    data = r.to_dict()
    return {
        "id": _edge_id(r.quoting, r.source, r.quoting_span.start, r.source_span.start),
        "quoting": r.quoting, "source": r.source, "direction": r.direction,
        "data": to_json(data),
    }


def _citation_row(c: Citation) -> dict[str, Any]:
    data = c.to_dict()
    return {
        "id": _edge_id(c.doc, c.outlet, c.span.start), "doc": c.doc, "outlet": c.outlet,
        "resolved_to": c.resolved_to, "data": to_json(data),
    }


__all__ = ["Gap", "Progress", "RunResult", "Span", "run", "run_records"]
