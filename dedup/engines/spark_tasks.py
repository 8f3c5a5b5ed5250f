"""The work the Spark engine runs inside Spark tasks, and the schemas of the frames it passes.

Module-level functions (bound with functools.partial), so that cloudpickle ships them by
reference and the executors import this module: the code that runs is the installed one, the
same as the local engine's (:mod:`dedup.engines.stages`, :mod:`dedup.cluster`, ...).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dedup import fingerprint as fp
from dedup.clean.damage import align_damage
from dedup.clean.page import title_findings
from dedup.cluster import Figures, Rank, group_component, in_memory, link, settle_clusters, singleton
from dedup.cluster import figures as measure_pair
from dedup.cluster.anchors import anchor_keys
from dedup.config import Config
from dedup.engines import stages
from dedup.models import Cluster, Document, OffsetMap, PairScore
from dedup.runtime.pool import batches as in_batches
from dedup.runtime.pool import set_state

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: documents a task cleans per call of the local batch function (the local engine's batch size)
BATCH = stages.BATCH

EDIT_TYPE = "struct<start:bigint,`end`:bigint,rule:string,removed:string,replacement:string,detail:string>"
WORK_COLUMNS = ("id", "source", "content_hash", "kind", "encoding", "raw", "html", "stated")
CLEANED_SCHEMA = (
    "id string, source string, content_hash string, kind string, encoding string, raw string, html string, "
    "text string, title string, outlet string, date string, author string, url string, defects string, "
    f"offsets binary, clean_key string, stated string, furniture_key string, signature binary, anchors binary, "
    f"edits array<{EDIT_TYPE}>, problem string"
)
BASE_SCHEMA = "id string, text string, title string, outlet string, date string, author string, defects string"
SIG_SCHEMA = "id string, signature binary, anchors binary"
ANCHOR_SCHEMA = "id string, n bigint, key bigint"
HASH_SCHEMA = "id string, n bigint, hashes array<bigint>"
BAND_SCHEMA = "band int, key bigint, id string"
FIGURES_SCHEMA = (
    "a string, b string, jaccard double, c_ab double, c_ba double, n_a bigint, n_b bigint, relation string, "
    "link string"
)
# One schema for everything a component yields; ``kind`` says which columns mean something:
#   member: doc, cluster, canonical, reason, the member's pair with the canonical (a, b, figures,
#           relation), completeness, gaps, inferred, contains (the cluster's, JSON), via, decided_by,
#           aligned (the pair through which the member joined)
#   link:   cluster, a, b, figures, relation, aligned, decided_by (the copy pairs that hold a cluster)
#   pair:   a, b, figures, n_a, n_b, aligned (every pair measured while clustering: the ``pairs`` cache)
#   align:  doc, b (= against), completeness (unrounded), gaps (the ``alignments`` cache)
OUT_SCHEMA = (
    "kind string, doc string, cluster string, canonical string, reason string, a string, b string, "
    "jaccard double, c_ab double, c_ba double, n_a bigint, n_b bigint, relation string, "
    "completeness double, gaps string, inferred string, contains string, via string, decided_by string, "
    "aligned double"
)
REUSE_SCHEMA = "id string, quoting string, source string, direction string, kind string, data string"
CITATION_SCHEMA = "id string, doc string, outlet string, resolved_to string, data string"
SOURCE_SCHEMA = "id string, kind string, name string, data string"



def lists(col: pa.ListArray) -> list[npt.NDArray[np.uint64]]:
    """The rows of an Arrow list<bigint> column as uint64 arrays (the hashes' own type)."""
    values = col.values.to_numpy(zero_copy_only=False).view(np.uint64)
    offsets = col.offsets.to_numpy()
    return [values[offsets[i] : offsets[i + 1]] for i in range(len(col))]


def clean_partition(
    batches: Iterable[pa.RecordBatch], *, furniture: dict[str, str], furniture_type: type[dict[str, str]],
    config: Config, clean_key: str,
) -> Iterator[pa.RecordBatch]:
    """Clean, shingle and sign documents with the local engine's own batch function.

    A document the cleaner fails on comes out with only ``id``, ``source`` and ``problem`` set.
    """
    import pyarrow as pa

    # rebuilt as the driver's type (the cleaner may use what a subclass knows), shipped as a plain dict
    lines = furniture if furniture_type is dict else furniture_type(furniture)
    set_state({"furniture": lines, "config": config})
    for batch in batches:
        rows = batch.to_pylist()
        for chunk in in_batches(rows, BATCH):
            docs, fkeys, sig_bytes, failed, _ = stages.clean_batch(chunk)
            sigs = np.frombuffer(sig_bytes, dtype=np.uint32).reshape(len(docs), config.num_perm)
            html = {r["id"]: r["html"] for r in chunk}
            stated = {r["id"]: r["stated"] for r in chunk}
            out = [
                {
                    "id": d.id, "source": d.source, "content_hash": d.content_hash, "kind": d.kind,
                    "encoding": d.encoding, "raw": d.raw, "html": html[d.id], "text": d.text,
                    "title": d.title, "outlet": d.outlet, "date": d.date, "author": d.author, "url": d.url,
                    "defects": json_text(d.defects), "offsets": OffsetMap.from_list(d.offsets).to_bytes(),
                    "clean_key": clean_key, "stated": stated[d.id], "furniture_key": fkeys.get(d.id, ""),
                    "signature": sigs[i].tobytes(), "anchors": d.anchors, "edits": [e.to_dict() for e in d.edits],
                }
                for i, d in enumerate(docs)
            ]
            # a document the cleaner failed on becomes a problem of the run, as in the local engine
            out.extend({"id": doc_id, "source": p.path, "problem": p.reason} for doc_id, p in failed)
            yield pa.RecordBatch.from_pylist(out, schema=arrow_schema(CLEANED_SCHEMA))


def sign_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """Signatures of texts cleaned by an earlier run (the local engine redoes them the same way)."""
    import pyarrow as pa

    for batch in batches:
        texts = [t or "" for t in batch.column("text").to_pylist()]
        sh, bounds = fp.batch_shingles(texts, config.shingle_size)
        sigs = fp.signatures_concat(sh, bounds, config.num_perm, config.seed)
        yield pa.RecordBatch.from_arrays(
            [batch.column("id"), pa.array([s.tobytes() for s in sigs], type=pa.binary()),
             pa.array(anchor_keys(sh, bounds) if texts else [], type=pa.binary())],
            names=["id", "signature", "anchors"],
        )


def anchor_partition(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """One row per (document, anchor key), with the document's number of keys (dedup.cluster.anchors)."""
    import pyarrow as pa

    for batch in batches:
        ids, ns, keys = [], [], []
        for doc_id, blob in zip(batch.column("id").to_pylist(), batch.column("anchors").to_pylist(), strict=True):
            k = np.frombuffer(blob or b"", dtype=np.uint64).view(np.int64)
            ids.extend([doc_id] * len(k))
            ns.extend([len(k)] * len(k))
            keys.append(k)
        flat = np.concatenate(keys) if keys else np.empty(0, np.int64)
        yield pa.RecordBatch.from_arrays([pa.array(ids, pa.string()), pa.array(ns, pa.int64()), pa.array(flat)],
                                         names=["id", "n", "key"])


def band_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """One row per (document, band): the band key of :func:`dedup.fingerprint.band_keys`."""
    import pyarrow as pa

    for batch in batches:
        ids = np.asarray(batch.column("id").to_pylist(), dtype=object)
        blob = b"".join(batch.column("signature").to_pylist())
        sigs = np.frombuffer(blob, dtype=np.uint32).reshape(len(ids), config.num_perm)
        keys = fp.band_keys(sigs, config.bands, config.rows)
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(np.tile(np.arange(config.bands, dtype=np.int32), len(ids))),
                pa.array(keys.reshape(-1).view(np.int64)),
                pa.array(np.repeat(ids, config.bands), type=pa.string()),
            ],
            names=["band", "key", "id"],
        )


def hash_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """Exact shingle sets, as the local engine measures pairs (sorted unique uint64, stored as bigint)."""
    import pyarrow as pa

    for batch in batches:
        sets = [fp.shingle_hashes(fp.tokens(t or ""), config.shingle_size) for t in batch.column("text").to_pylist()]
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        offsets = np.r_[0, np.cumsum(lengths)].astype(np.int32)
        values = np.concatenate(sets).view(np.int64) if len(sets) and lengths.sum() else np.empty(0, np.int64)
        yield pa.RecordBatch.from_arrays(
            [batch.column("id"), pa.array(lengths), pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))],
            names=["id", "n", "hashes"],
        )


def verify_partition(batches: Iterable[pa.RecordBatch], *, config: Config) -> Iterator[pa.RecordBatch]:
    """Figures of candidate pairs on exact shingle sets, and whether they link a component
    (:func:`dedup.cluster.link`)."""
    import pyarrow as pa

    for batch in batches:
        out: dict[str, list[Any]] = {k: [] for k in ("a", "b", "jaccard", "c_ab", "c_ba", "n_a", "n_b", "relation",
                                                     "link")}
        for a, b, ha, hb in zip(batch.column("a").to_pylist(), batch.column("b").to_pylist(),
                                lists(batch.column("ha")), lists(batch.column("hb")), strict=True):
            f = measure_pair(a, b, ha, hb)
            values = (f.a, f.b, f.jaccard, f.c_ab, f.c_ba, f.n_a, f.n_b, f.score(config).relation, link(f, config))
            for key, value in zip(out, values, strict=True):
                out[key].append(value)
        yield pa.RecordBatch.from_pydict(out, schema=arrow_schema(FIGURES_SCHEMA))


def text_or_none(value: Any) -> str | None:
    # pandas hands nulls of string columns over as None or NaN depending on the path
    return value if isinstance(value, str) else None


def component_frame(pdf: pd.DataFrame, *, config: Config) -> pd.DataFrame:
    """One connected component of linked pairs: clusters, settled canonicals, damage, inferred metadata.

    The same steps as the local engine's cluster and damage stages (with their shared cores,
    :func:`dedup.cluster.group_component` and :func:`dedup.cluster.settle_clusters`) restricted to
    one component; every cluster lies inside one component, so nothing here needs another one.
    """
    pdf = pdf.sort_values("id", kind="stable")
    ids: list[str] = pdf["id"].tolist()
    docs = {
        row.id: Document(
            id=row.id, source="", content_hash="", raw="", text=text_or_none(row.text) or "",
            title=text_or_none(row.title), outlet=text_or_none(row.outlet), date=text_or_none(row.date),
            author=text_or_none(row.author),
            defects=json.loads(text_or_none(row.defects) or "[]"),
        )
        for row in pdf.itertuples(index=False)
    }
    rank_of = {d: Rank(d, len(docs[d].text), len(docs[d].defects), docs[d].date) for d in ids}
    base = in_memory({d: docs[d].text for d in ids}, config, rank=rank_of.__getitem__,
                     defects=lambda d: docs[d].defects + title_findings(docs[d].title))
    measured: dict[tuple[str, str], Figures] = {}
    aligned: dict[tuple[str, str], float] = {}

    def figures(a: str, b: str) -> Figures:
        measured[(a, b)] = base.figures(a, b)
        return measured[(a, b)]

    def align_words(a: str, b: str) -> float:
        aligned[(a, b)] = base.aligned(a, b)
        return aligned[(a, b)]

    # the same inputs, noting what was measured and aligned: the pairs cache the local engine keeps
    inputs = replace(base, figures=figures, aligned=align_words)
    edges = [
        (a, b)
        for a, nbrs in zip(ids, pdf["nbrs"].tolist(), strict=True)
        if nbrs is not None and not isinstance(nbrs, float)
        for b in nbrs
    ]
    clusters = group_component(ids, edges, inputs)

    # -- damage and inference: the local engine's core (dedup.cluster.settle_clusters), aligning here
    fresh: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}

    def align(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
        for doc_id, against in pairs:
            if (doc_id, against) not in fresh:
                gaps, completeness = align_damage(docs[doc_id].text, docs[against].text)
                fresh[(doc_id, against)] = (completeness, [g.to_dict() for g in gaps])
        return {pair: fresh[pair][0] for pair in pairs}

    def pair_score(a: str, b: str) -> PairScore:
        return inputs.pair(a, b).score(config)

    multi = [c for c in clusters if len(c.members) > 1]
    def texts(ids: Sequence[str]) -> dict[str, str]:
        return {d: docs[d].text for d in ids}

    settled = {s.cluster.id: s for s in settle_clusters(multi, rank_of.__getitem__, docs, pair_score, align,
                                                        texts, config.shingle_size)}
    clusters = [settled[c.id].cluster if c.id in settled else c for c in clusters]
    out: list[dict[str, Any]] = []
    for c in clusters:
        out.extend(_member_rows(c, fresh, settled[c.id].inferred if c.id in settled else {}))
    for (a, b), f in sorted(measured.items()):
        out.append({"kind": "pair", "a": a, "b": b, "jaccard": f.jaccard, "c_ab": f.c_ab, "c_ba": f.c_ba,
                    "n_a": f.n_a, "n_b": f.n_b, "aligned": aligned.get((a, b))})
    for (doc_id, against), (completeness, gaps) in sorted(fresh.items()):
        out.append({"kind": "align", "doc": doc_id, "b": against, "completeness": completeness,
                    "gaps": json.dumps(gaps, ensure_ascii=False)})
    return out_frame(out)


def _member_rows(
    c: Cluster, fresh: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]],
    inferred: dict[str, dict[str, str]],
) -> list[dict[str, Any]]:
    """A cluster's rows: one per member (with its pair against the canonical and the one it joined
    through) and one per copy pair that holds it."""
    out: list[dict[str, Any]] = []
    by_doc = {p.b if p.a == c.canonical else p.a: p for p in c.pairs}
    joins = c.joins()
    contains = json.dumps(c.contains) if c.contains else None
    for m in c.members:
        completeness, gaps = 1.0, list[dict[str, Any]]()
        if len(c.members) > 1 and m != c.canonical:
            raw_completeness, gaps = fresh[(m, c.canonical)]
            completeness = round(raw_completeness, 4)
        p, j = by_doc.get(m), joins.get(m)
        out.append({
            "kind": "member", "doc": m, "cluster": c.id, "canonical": c.canonical, "reason": c.reason,
            "a": p.a if p else None, "b": p.b if p else None, "jaccard": p.jaccard if p else None,
            "c_ab": p.containment_a_in_b if p else None, "c_ba": p.containment_b_in_a if p else None,
            "relation": p.relation if p else None, "completeness": completeness,
            "gaps": json.dumps(gaps, ensure_ascii=False),
            "inferred": json.dumps(inferred.get(m, {}), ensure_ascii=False, sort_keys=True),
            "contains": contains, "via": (j.b if j.a == m else j.a) if j else None,
            "decided_by": j.decided_by if j else None, "aligned": j.aligned if j else None,
        })
    for p in c.links:
        out.append({"kind": "link", "cluster": c.id, "a": p.a, "b": p.b, "jaccard": p.jaccard,
                    "c_ab": p.containment_a_in_b, "c_ba": p.containment_b_in_a, "relation": p.relation,
                    "aligned": p.aligned, "decided_by": p.decided_by})
    return out


def singleton_frames(frames: Iterable[pd.DataFrame], *, config: Config) -> Iterator[pd.DataFrame]:
    """Documents that link to nothing: one cluster each, by the same function."""
    for pdf in frames:
        out = []
        for doc_id in pdf["id"].tolist():
            c = singleton(doc_id)
            out.append({"kind": "member", "doc": doc_id, "cluster": c.id, "canonical": c.canonical,
                        "reason": c.reason, "completeness": 1.0, "gaps": "[]", "inferred": "{}"})
        yield out_frame(out)


def out_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with one dtype per column: a column of only nulls must still be typed.

    (pandas makes such a column float64, which pyspark converts to a ChunkedArray that
    ``RecordBatch.from_arrays`` then refuses.)
    """
    import pandas as pd

    return pd.DataFrame({
        name: pd.Series([r.get(name) for r in rows], dtype="float64" if kind == "double" else object)
        for name, kind in (c.split() for c in OUT_SCHEMA.split(", "))
    })


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def arrow_type(ddl: str) -> pa.DataType:
    import pyarrow as pa

    ddl = ddl.strip()
    simple = {"string": pa.string(), "binary": pa.binary(), "bigint": pa.int64(), "int": pa.int32(),
              "double": pa.float64(), "boolean": pa.bool_()}
    if ddl in simple:
        return simple[ddl]
    if ddl.startswith("array<"):
        return pa.list_(arrow_type(ddl[len("array<") : -1]))
    if ddl.startswith("struct<"):
        return pa.struct([(n.strip("`"), arrow_type(t)) for n, t in
                          (f.split(":", 1) for f in ddl[len("struct<") : -1].split(","))])
    raise ValueError(ddl)


def arrow_schema(ddl: str) -> pa.Schema:
    """The Arrow schema of a flat Spark DDL schema (the few types used here)."""
    import pyarrow as pa

    fields = []
    depth, start = 0, 0
    for i, ch in enumerate(ddl + ","):
        depth += ch == "<"
        depth -= ch == ">"
        if ch == "," and depth == 0:
            name, kind = ddl[start:i].strip().split(" ", 1)
            fields.append(pa.field(name.strip("`"), arrow_type(kind)))
            start = i + 1
    return pa.schema(fields)
