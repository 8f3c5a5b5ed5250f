"""The main job: ingest → clean → fingerprint → cluster → damage → reuse → store.

Stages are plain functions over :class:`~dedup.models.Document`; this module
only sequences them, batches the writes, and reports progress through a
callback, so the same stages can run under another executor (Spark) and the
CLI can draw its own progress bars.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from dedup import __version__
from dedup import fingerprint as fp
from dedup.clean import RULES, clean, corpus_furniture
from dedup.clean.damage import align_damage
from dedup.cluster import Rank, build_clusters, settle_canonical
from dedup.config import SCHEME, Config
from dedup.extract import extract_html
from dedup.ingest import RawInput, iter_inputs
from dedup.models import Citation, Cluster, Document, PairScore, Problem, Reuse
from dedup.store import Store

#: progress(stage, advance, total): total is set on the first call of a stage
Progress = Callable[[str, int, int | None], None]

BATCH = 256
_META_FIELDS = ("title", "outlet", "date", "author", "url")


def _no_progress(stage: str, advance: int, total: int | None) -> None:
    return None


@dataclass
class RunResult:
    """Everything a run found, for the whole corpus in the database."""

    config: Config
    run_id: int
    documents: list[Document]
    clusters: list[Cluster]
    pairs: list[PairScore]
    reuses: list[Reuse]
    citations: list[Citation]
    problems: list[Problem]
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
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

    def to_json(self) -> dict[str, Any]:
        membership = {m: c for c in self.clusters for m in c.members}
        docs = []
        for d in self.documents:
            c = membership.get(d.id)
            extra = self.extra.get(d.id, {})
            docs.append(
                {
                    "id": d.id, "source": d.source, "title": d.title, "outlet": d.outlet, "date": d.date,
                    "author": d.author, "url": d.url,
                    "cluster": c.id if c else None, "canonical": bool(c and c.canonical == d.id),
                    "inferred": d.inferred, "defects": d.defects,
                    "completeness": extra.get("completeness"), "gaps": extra.get("gaps", []),
                    "chars": len(d.text),
                }
            )
        return {
            "version": __version__,
            "run": {"id": self.run_id, "config": self.config.name(), "settings": self.config.to_dict(),
                    "counts": self.counts, "timings": {k: round(v, 4) for k, v in self.timings.items()}},
            "documents": docs,
            "clusters": [c.to_dict() for c in self.clusters],
            "reuses": [r.to_dict() for r in self.reuses],
            "citations": [c.to_dict() for c in self.citations],
            "problems": [p.to_dict() for p in self.problems],
        }


def clean_version() -> str:
    """Changes whenever the rule set changes, so stored clean text is redone."""
    return hashlib.sha1(("|".join(RULES) + __version__).encode()).hexdigest()[:10]


def prepare(raw: RawInput, furniture: dict[str, str]) -> Document:
    """Extract (HTML), clean, and merge metadata: record fields > HTML metadata > text."""
    html_meta: dict[str, str] = {}
    body = raw.body
    if raw.kind == "html":
        extracted = extract_html(raw.body, url=raw.url)
        body, html_meta = extracted.text, extracted.meta
    result = clean(body, furniture=furniture)
    meta = {**result.meta, **html_meta, **raw.stated}
    doc = Document(
        id=raw.id, source=raw.source, content_hash=raw.content_hash, raw=body, kind=raw.kind,
        text=result.text, encoding=raw.encoding, edits=list(result.edits), offsets=list(result.offsets),
        defects=list(result.defects), title=meta.get("title"), outlet=meta.get("outlet"),
        date=meta.get("date"), author=meta.get("author"), url=meta.get("url"),
    )
    return doc


def _document_input(d: Document, html: str | None) -> RawInput:
    """Rebuild the input of a stored document, so it can be cleaned again under new rules."""
    return RawInput(
        id=d.id, source=d.source, content_hash=d.content_hash, kind="html" if html else "text",
        body=html or d.raw, encoding=d.encoding,
    )


def run(
    paths: Sequence[str],
    *,
    db: str = "dedup.db",
    config: Config | None = None,
    encoding: str | None = None,
    stdin: IO[str] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the whole job on files, folders or ``-`` (JSON Lines on ``stdin``) into database ``db``."""
    config = config or Config()
    report = progress or _no_progress
    timings: dict[str, float] = {}
    store = Store(db)
    try:
        store.lock()
        run_id = store.start_run(__version__, config.name(), config.to_dict(), list(paths))
        t0 = time.perf_counter()
        problems: list[Problem] = []
        inputs: dict[str, RawInput] = {}
        order: list[str] = []
        for item in iter_inputs(paths, encoding=encoding, stdin=stdin):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            previous = inputs.get(item.id)
            if previous is not None:
                if previous.content_hash == item.content_hash:
                    order.append(item.id)
                    continue  # the same input named twice is one document
                problems.append(
                    Problem(item.source, f"duplicate id {item.id!r} with different content "
                            f"(first seen in {previous.source}); kept the first")
                )
                continue
            inputs[item.id] = item
            order.append(item.id)
            report("ingest", 1, None)
        timings["ingest"] = time.perf_counter() - t0

        result = _analyse(store, run_id, inputs, config, report, timings, problems)
        result.input_order = order
        store.add_problems(run_id, problems)
        store.finish_run(run_id, result.counts, timings, "ok" if not problems else "some inputs skipped",
                         result.exit_status)
        return result
    finally:
        store.close()


def run_records(
    records: Iterable[dict[str, Any]], *, config: Config | None = None, db: str = ":memory:",
    progress: Progress | None = None,
) -> RunResult:
    """Run on in-memory records (dicts with ``text`` or ``html`` and optional metadata)."""
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return run(["-"], db=db, config=config, stdin=io.StringIO(lines), progress=progress)


def _analyse(
    store: Store,
    run_id: int,
    inputs: dict[str, RawInput],
    config: Config,
    report: Progress,
    timings: dict[str, float],
    problems: list[Problem],
) -> RunResult:
    t = time.perf_counter()
    stored = store.document_keys()
    # Corpus furniture is a property of the whole corpus: computed over what is
    # stored plus what arrived, and part of the clean key so that documents
    # are cleaned again when the corpus teaches a new furniture line.
    new_ids = set(inputs)
    raw_stream: list[tuple[str, str | None, str]] = [
        (i, outlet, body) for i, outlet, body in store.iter_raw() if i not in new_ids
    ]
    raw_stream += [(r.id, r.outlet, r.body) for r in inputs.values()]
    furniture = corpus_furniture(raw_stream, min_docs=config.furniture_min_docs)
    del raw_stream
    clean_key = clean_version() + "-" + hashlib.sha1(
        json.dumps(sorted(furniture)).encode("utf-8")
    ).hexdigest()[:10]

    todo: list[RawInput] = []
    unchanged: list[str] = []
    for rid, raw in inputs.items():
        if stored.get(rid) == (raw.content_hash, clean_key):
            unchanged.append(rid)
        else:
            todo.append(raw)
    stale = [i for i, (_, key) in stored.items() if key != clean_key and i not in inputs]
    if stale:
        html_of = {
            r["id"]: r["html"] for r in store.document_rows() if r["id"] in set(stale)
        }
        todo.extend(_document_input(d, html_of.get(d.id)) for d in store.load_documents(stale, with_edits=False))
    if unchanged:
        store.touch_documents(unchanged, run_id)
    timings["furniture"] = time.perf_counter() - t

    t = time.perf_counter()
    report("clean", 0, len(todo))
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        docs = [prepare(raw, furniture) for raw in batch]
        shingles, bounds = fp.batch_shingles([d.text for d in docs], config.shingle_size)
        sigs = fp.signatures_concat(shingles, bounds, config.num_perm, config.seed)
        html = {raw.id: raw.body for raw in batch if raw.kind == "html"}
        store.save_documents(docs, run_id, clean_key, html)
        store.save_signatures(
            [d.id for d in docs], sigs, config.fingerprint_key, SCHEME, config.num_perm, config.seed,
            config.shingle_size,
        )
        report("clean", len(batch), None)
    timings["clean+fingerprint"] = time.perf_counter() - t

    # Signatures made under another scheme (earlier run with other settings) are redone.
    t = time.perf_counter()
    ids, sigs = store.load_signatures(config.fingerprint_key)
    documents = store.load_documents()
    by_id = {d.id: d for d in documents}
    missing = [d for d in documents if d.id not in set(ids)]
    if missing:
        shingles, bounds = fp.batch_shingles([d.text for d in missing], config.shingle_size)
        store.save_signatures(
            [d.id for d in missing], fp.signatures_concat(shingles, bounds, config.num_perm, config.seed),
            config.fingerprint_key,
            SCHEME, config.num_perm, config.seed, config.shingle_size,
        )
        ids, sigs = store.load_signatures(config.fingerprint_key)

    report("cluster", 0, len(ids))
    keys = fp.band_keys(sigs, config.bands, config.rows)
    candidates = fp.lsh_candidates(keys)
    cache: dict[int, np.ndarray] = {}

    def hashes_of(i: int) -> np.ndarray:
        if i not in cache:
            cache[i] = fp.shingle_hashes(fp.tokens(by_id[ids[i]].text), config.shingle_size)
        return cache[i]

    ranks = [
        Rank(i, len(by_id[i].text), len(by_id[i].defects), by_id[i].date) for i in ids
    ]
    clusters, pairs = build_clusters(ranks, hashes_of, candidates, config)
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    rank_of = {r.doc_id: r for r in ranks}

    def coverage(m: str, o: str) -> float:
        return align_damage(by_id[m].text, by_id[o].text)[1]

    clusters = [
        settle_canonical(c, rank_of.__getitem__, lambda d: hashes_of(index[d]), coverage, config)
        for c in clusters
    ]
    report("cluster", len(ids), None)
    timings["cluster"] = time.perf_counter() - t

    t = time.perf_counter()
    extra, updates = _damage_and_inference(clusters, by_id)
    timings["damage"] = time.perf_counter() - t

    t = time.perf_counter()
    reuses, citations = _find_reuses(documents, clusters, config)
    timings["reuse"] = time.perf_counter() - t

    t = time.perf_counter()
    store.save_results(
        clusters,
        updates,
        [_reuse_row(r) for r in reuses],
        [_citation_row(c) for c in citations],
    )
    timings["store"] = time.perf_counter() - t
    counts = {
        "inputs": len(inputs),
        "processed": len(todo),
        "unchanged": len(unchanged),
        "documents": len(documents),
        "clusters": len(clusters),
        "duplicate_clusters": sum(1 for c in clusters if len(c.members) > 1),
        "candidate_pairs": len(candidates),
        "verified_pairs": len(pairs),
        "reuses": len(reuses),
        "citations": len(citations),
        "skipped": len(problems),
    }
    return RunResult(config, run_id, documents, clusters, pairs, reuses, citations, problems, counts,
                     timings, extra)


def _damage_and_inference(
    clusters: list[Cluster], by_id: dict[str, Document]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Gaps and completeness of each copy against its canonical; metadata inferred from cluster mates."""
    extra: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    for c in clusters:
        canonical = by_id[c.canonical]
        order = [c.canonical] + [m for m in c.members if m != c.canonical]
        for m in c.members:
            doc = by_id[m]
            info: dict[str, Any] = {"completeness": 1.0, "gaps": []}
            if m != c.canonical:
                gaps, completeness = align_damage(doc.text, canonical.text)
                info = {"completeness": round(completeness, 4), "gaps": [g.to_dict() for g in gaps]}
            inferred: dict[str, str] = {}
            for name in ("title", "outlet", "date", "author"):
                if getattr(doc, name):
                    continue
                stated = {getattr(by_id[o], name) for o in c.members if getattr(by_id[o], name)}
                if name == "outlet" and len(stated) > 1:
                    # copies on several sites: syndication, so no one outlet is this copy's
                    continue
                for other in order:
                    value = getattr(by_id[other], name)
                    if other != m and value:
                        inferred[name] = value
                        inferred[f"{name}_from"] = other
                        break
            doc.inferred = inferred
            extra[m] = info
            updates[m] = {
                "cluster": c.id, "canonical": int(m == c.canonical),
                "completeness": info["completeness"], "gaps": json.dumps(info["gaps"], ensure_ascii=False),
                "inferred": json.dumps(inferred, ensure_ascii=False, sort_keys=True),
            }
    return extra, updates


def _find_reuses(
    documents: list[Document], clusters: list[Cluster], config: Config
) -> tuple[list[Reuse], list[Citation]]:
    try:
        from dedup.reuse import find_reuses
    except ImportError:
        return [], []
    found: tuple[list[Reuse], list[Citation]] = find_reuses(documents, clusters, config)
    return found


def _edge_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _reuse_row(r: Reuse) -> dict[str, Any]:
    data = r.to_dict()
    return {
        "id": _edge_id(r.quoting, r.source, r.quoting_span.start, r.source_span.start),
        "quoting": r.quoting, "source": r.source, "direction": r.direction,
        "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
    }


def _citation_row(c: Citation) -> dict[str, Any]:
    data = c.to_dict()
    return {
        "id": _edge_id(c.doc, c.outlet, c.span.start), "doc": c.doc, "outlet": c.outlet,
        "resolved_to": c.resolved_to, "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
    }
