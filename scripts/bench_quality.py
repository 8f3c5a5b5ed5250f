"""Copy-clustering quality on the edited-copies corpus, ours beside peers (``scripts/bench --quality``).

The corpus: BBC articles (``../shared/data/bbc/*/*.txt``, first line the title), each appearing
about 9 times (every article when the size allows 8 or more copies each, else ceil(n / 9)
articles drawn with the seed). Every copy has 1-5% of its words replaced by other words of the
corpus vocabulary; 30% of the copies (a coin per copy) are first cut to 60-90% of their words.
Documents are shuffled and get opaque ids. Deterministic for (sources, n, seed).

Truth: the copies of one article form a group, and the groups of source files whose texts (the
body, which is the documents' text; the title is a field of its own) are equal after whitespace
normalisation are merged: the BBC set holds such duplicates between different files, some under
two headlines. Near-duplicate source files (a story filed twice, lightly edited) stay apart.

Quality is pairwise: precision and recall over document pairs in one truth group / one
predicted cluster, from contingency counts (sum of C(n, 2) over cells), never by listing pairs.

Peers run in their own venv (``scripts/peers-venv``), each in a subprocess of its python:
datatrove's MinHash pipeline (signature -> buckets -> cluster -> filter with cluster ids) and
text-dedup's MinHash command (``text_dedup.minhash``, its own union-find read after the run).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "data" / "bbc"
CACHE = Path(tempfile.gettempdir()) / "dedup-bench"
PEERS_VENV = Path(os.environ.get("PEERS_VENV", "/tmp/peers-venv"))

# Part of cached corpus names: bump when the output for given (n, seed) changes.
VERSION = 1
SEED = 15
COPIES = 9
CUT_SHARE = 0.3
CUT_RANGE = (0.6, 0.9)
EDIT_RANGE = (0.01, 0.05)
TD_THRESHOLD, TD_NGRAM = 0.5, 5
DT_BUCKETS, DT_ROWS, DT_NGRAM = 25, 5, 5
#: two source files are near duplicates when one holds this share of the other's word 5-grams
NEAR = 0.5


@dataclass
class Source:
    name: str
    title: str
    body: str


@dataclass
class EditedCorpus:
    records: list[dict[str, Any]] = field(default_factory=list)
    #: document id -> index of its source in the sources list
    article: dict[str, int] = field(default_factory=dict)
    #: document id -> truth group (sources equal after whitespace normalisation share one)
    truth: dict[str, int] = field(default_factory=dict)
    #: document id -> share of the source's words kept, for the cut copies only
    cut: dict[str, float] = field(default_factory=dict)
    #: document id -> share of the copy's words replaced
    replaced: dict[str, float] = field(default_factory=dict)
    #: truth groups that merge two or more of the corpus' articles, as source names
    merged: list[list[str]] = field(default_factory=list)


# ---------------------------------------------------------------- corpus


def load_bbc(folder: Path = BBC) -> list[Source]:
    out = []
    for path in sorted(folder.glob("*/*.txt")):
        title, _, body = path.read_text(encoding="utf-8", errors="replace").strip().partition("\n")
        out.append(Source(f"{path.parent.name}/{path.name}", title.strip(), body.strip()))
    return out


def exact_groups(sources: Sequence[Source]) -> list[int]:
    """A group index per source: sources whose bodies (the documents' text) are equal after whitespace
    normalisation share one, whatever their titles (the BBC set files some stories twice under two headlines)."""
    first: dict[str, int] = {}
    return [first.setdefault(" ".join(s.body.split()), i) for i, s in enumerate(sources)]


def vocabulary(sources: Sequence[Source]) -> list[str]:
    return sorted({w for s in sources for w in s.body.split()})


def split_words(text: str) -> tuple[list[str], list[str]]:
    """Words and the whitespace between them (len(seps) == len(words) - 1)."""
    parts = re.split(r"(\s+)", text.strip())
    return parts[0::2], parts[1::2]


def join_words(words: Sequence[str], seps: Sequence[str]) -> str:
    out = [words[0]] if words else []
    for sep, word in zip(seps, words[1:], strict=False):
        out += [sep, word]
    return "".join(out)


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def cut_length(n: int, rng: random.Random) -> int:
    """How many of n words a cut copy keeps: 60-90% of them."""
    lo, hi = CUT_RANGE
    return clamp(round(rng.uniform(lo, hi) * n), math.ceil(lo * n), math.floor(hi * n))


def replace_words(words: list[str], rng: random.Random, vocab: Sequence[str]) -> int:
    """Replace 1-5% of ``words`` in place by other vocabulary words; how many were replaced."""
    n = len(words)
    lo, hi = EDIT_RANGE
    k = clamp(round(rng.uniform(lo, hi) * n), max(1, math.ceil(lo * n)), max(1, math.floor(hi * n)))
    for i in rng.sample(range(n), min(k, n)):
        new = words[i]
        while new == words[i]:
            new = vocab[rng.randrange(len(vocab))]
        words[i] = new
    return min(k, n)


def make_copy(body: str, rng: random.Random, vocab: Sequence[str]) -> tuple[str, float | None, float]:
    """(text, share of words kept if cut else None, share of the copy's words replaced)."""
    words, seps = split_words(body)
    kept = None
    if rng.random() < CUT_SHARE:
        m = cut_length(len(words), rng)
        kept = m / len(words)
        words, seps = words[:m], seps[: m - 1]
    replaced = replace_words(words, rng, vocab)
    return join_words(words, seps), kept, replaced / len(words)


def copies_per_article(sources: int, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """(source index, number of copies) for the articles used: about COPIES each, n in all."""
    if n >= (COPIES - 1) * sources:
        chosen = list(range(sources))
    else:
        chosen = sorted(rng.sample(range(sources), min(sources, math.ceil(n / COPIES))))
    base, extra = divmod(n, len(chosen))
    more = set(rng.sample(range(len(chosen)), extra))
    return [(a, base + (j in more)) for j, a in enumerate(chosen)]


def generate(sources: Sequence[Source], n: int, seed: int = SEED) -> EditedCorpus:
    rng = random.Random(seed)
    vocab = vocabulary(sources)
    group = exact_groups(sources)
    docs = []
    for article, count in copies_per_article(len(sources), n, rng):
        for _ in range(count):
            text, kept, replaced = make_copy(sources[article].body, rng, vocab)
            docs.append((article, text, kept, replaced))
    rng.shuffle(docs)
    corpus = EditedCorpus()
    for i, (article, text, kept, replaced) in enumerate(docs):
        doc_id = f"d{i:06d}"
        corpus.records.append({"id": doc_id, "title": sources[article].title, "text": text})
        corpus.article[doc_id] = article
        corpus.truth[doc_id] = group[article]
        corpus.replaced[doc_id] = replaced
        if kept is not None:
            corpus.cut[doc_id] = kept
    used = sorted(set(corpus.article.values()))
    by_group: dict[int, list[str]] = {}
    for a in used:
        by_group.setdefault(group[a], []).append(sources[a].name)
    corpus.merged = [names for names in by_group.values() if len(names) > 1]
    return corpus


def cached(n: int, seed: int = SEED) -> tuple[Path, EditedCorpus]:
    """The corpus of n documents as JSON Lines (id, title, text) under CACHE, and its truth."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"edited-v{VERSION}-s{seed}-{n}.jsonl"
    meta = path.with_suffix(".truth.json")
    if path.exists() and meta.exists():
        corpus = EditedCorpus(**json.loads(meta.read_text(encoding="utf-8")))
        corpus.records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return path, corpus
    t = time.perf_counter()
    corpus = generate(load_bbc(), n, seed)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus.records), encoding="utf-8")
    fields = {k: getattr(corpus, k) for k in ("article", "truth", "cut", "replaced", "merged")}
    meta.write_text(json.dumps(fields), encoding="utf-8")
    print(f"  generated {n} edited copies in {time.perf_counter() - t:.1f} s -> {path}", file=sys.stderr)
    return path, corpus


def light(n: int) -> tuple[Path, EditedCorpus]:
    """The light generated corpus of ``scripts/bench`` (``scripts/benchgen.py``: ~10 % full copies with an
    outlet's header and footer, ~5 % first halves, ~3 % copies that lost words, ~5 % articles quoting
    another; the rest new articles), n documents, with the generator's truth: an article and its copies
    are one group, every other document a group of its own."""
    from benchgen import corpus_file
    from benchgen import generate as light_generate

    path = corpus_file(n)
    meta = path.with_suffix(".truth.json")
    if not meta.exists():
        t = time.perf_counter()
        made = light_generate(n)
        truth = {r["id"]: i for i, r in enumerate(made.records)}
        for g, members in enumerate(made.groups):
            for doc_id in members:
                truth[doc_id] = n + g
        meta.write_text(json.dumps(truth), encoding="utf-8")
        print(f"  generated the truth of {n} light documents in {time.perf_counter() - t:.1f} s -> {meta}",
              file=sys.stderr)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return path, EditedCorpus(records=records, truth=json.loads(meta.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- scores


def pair_counts(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[int, int, int]:
    """(pairs together in both, pairs together in truth, pairs together in pred), from contingency counts."""

    def pairs(counts: Iterable[int]) -> int:
        return sum(c * (c - 1) // 2 for c in counts)

    return (pairs(Counter(zip(truth, pred, strict=True)).values()), pairs(Counter(truth).values()),
            pairs(Counter(pred).values()))


def pairwise_prf(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 (a side with no pairs scores 1.0: nothing wrong, nothing missed)."""
    both, in_truth, in_pred = pair_counts(truth, pred)
    p = both / in_pred if in_pred else 1.0
    r = both / in_truth if in_truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def labels(ids: Sequence[str], clusters: Iterable[Iterable[str]]) -> list[Hashable]:
    """A predicted label per id: its cluster's index, or the id itself when it is in no cluster."""
    label: dict[str, Hashable] = {}
    for k, members in enumerate(clusters):
        for m in members:
            label[m] = k
    return [label.get(i, i) for i in ids]


def outside_main(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> list[int]:
    """Positions of documents outside their truth group's main cluster (the one holding most of the group)."""
    cells = Counter(zip(truth, pred, strict=True))
    main: dict[Hashable, tuple[int, Hashable]] = {}
    for (t, p), c in cells.items():
        if t not in main or c > main[t][0]:
            main[t] = (c, p)
    return [i for i, (t, p) in enumerate(zip(truth, pred, strict=True)) if main[t][1] != p]


def wrong_pairs(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> Counter[tuple[Hashable, Hashable]]:
    """Pairs together in pred but not in truth, counted by the two truth groups they join."""
    by_cluster: dict[Hashable, Counter[Hashable]] = {}
    for t, p in zip(truth, pred, strict=True):
        by_cluster.setdefault(p, Counter())[t] += 1
    out: Counter[tuple[Hashable, Hashable]] = Counter()
    for groups in by_cluster.values():
        for (g1, n1), (g2, n2) in itertools.combinations(groups.items(), 2):
            out[(g1, g2)] += n1 * n2
    return out


def containment(a: str, b: str) -> float:
    """Share of the smaller text's lower-cased word 5-grams that the other holds."""

    def shingles(text: str) -> set[str]:
        words = text.lower().split()
        return {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / min(len(sa), len(sb)) if sa and sb else 0.0


def near_duplicate_share(wrong: Mapping[tuple[Any, Any], int], bodies: Sequence[str]) -> float:
    """Share of the wrong pairs that join copies of near-duplicate sources (truth groups are source indices)."""
    near = sum(c for (g1, g2), c in wrong.items() if containment(bodies[g1], bodies[g2]) >= NEAR)
    return near / sum(wrong.values()) if wrong else 0.0


# ---------------------------------------------------------------- implementations


def run_ours(records: list[dict[str, Any]], workers: int, only: str | None = None,
             ) -> tuple[list[list[str]], str, float]:
    """The whole job (``only`` None) or a part of it (``only="copies"``: ``dedup run --only copies``)."""
    from dedup.engines.local import run_records

    t = time.perf_counter()
    result = run_records(records, workers=workers, only=only)
    seconds = time.perf_counter() - t
    clusters = [list(c.members) for c in result.clusters if len(c.members) > 1]
    return clusters, f"dedup.engines.local.run_records, default Config, workers={workers}, only={only}", seconds


def peer_python(var: str, fallbacks: Sequence[str] = ()) -> str | None:
    """The python of a peer: $var, else the peers venv, else the fallbacks; None when none exists."""
    for python in (os.environ.get(var), str(PEERS_VENV / "bin" / "python"), *fallbacks):
        if python and Path(python).exists():
            return python
    return None


DATATROVE_DRIVER = r"""
import json, sys, time
from pathlib import Path
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
a = json.load(sys.stdin)
src, work, workers = a["input"], Path(a["work"]), a["workers"]
config = MinhashConfig(n_grams=a["ngram"], num_buckets=a["buckets"], hashes_per_bucket=a["rows"])
tasks = len(list(Path(src).glob("*.jsonl")))
def run(name, pipeline, n):
    LocalPipelineExecutor(pipeline=pipeline, tasks=n, workers=min(workers, n),
                          logging_dir=str(work / "logs" / name)).run()
t = time.perf_counter()
run("sigs", [JsonlReader(src), MinhashDedupSignature(output_folder=str(work / "sigs"), config=config)], tasks)
run("buckets", [MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"),
                                    config=config)], config.num_buckets)
run("cluster", [MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "ids"),
                                    config=config, save_cluster_id=True)], 1)
run("filter", [JsonlReader(src),
               MinhashDedupFilter(input_folder=str(work / "ids"), load_cluster_ids=True,
                                  exclusion_writer=JsonlWriter(str(work / "removed"), compression=None)),
               JsonlWriter(str(work / "kept"), compression=None)], tasks)
seconds = time.perf_counter() - t
groups = {}
for f in sorted((work / "kept").glob("*.jsonl")) + sorted((work / "removed").glob("*.jsonl")):
    for line in f.open(encoding="utf-8"):
        r = json.loads(line)
        c = r.get("metadata", {}).get("minhash_cluster_id", -1)
        if c != -1:
            groups.setdefault(c, []).append(r["id"])
print(json.dumps({"seconds": seconds, "groups": list(groups.values()),
                  "config": f"{config} ({config.num_buckets} bands x {config.hashes_per_bucket} rows), "
                            f"{tasks} input shards, {workers} workers"}))
"""

TEXT_DEDUP_DRIVER = r"""
import json, os, sys, time
a = json.load(sys.stdin)
os.environ.update(HF_HOME=os.path.join(a["work"], "hf"), HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
import text_dedup.minhash as tdm
from text_dedup.utils import optimal_param
argv = ["--path", "json", "--data_files", a["input"], "--split", "train", "--cache_dir", os.path.join(a["work"], "c"),
        "--output", os.path.join(a["work"], "out"), "--column", "text", "--num_proc", str(a["workers"]),
        "--threshold", str(a["threshold"]), "--ngram", str(a["ngram"])]
t = time.perf_counter()
tdm.main(argv, standalone_mode=False)
seconds = time.perf_counter() - t
ids = [json.loads(line)["id"] for line in open(a["input"], encoding="utf-8")]
groups = {}
for i in list(tdm.uf.parent):
    groups.setdefault(tdm.uf.find(i), []).append(ids[i])
b, r = optimal_param(a["threshold"], 250, 0.5, 0.5)
print(json.dumps({"seconds": seconds, "groups": [g for g in groups.values() if len(g) > 1],
                  "config": f"python -m text_dedup.minhash {' '.join(argv[10:])}: num_perm 250 (default), "
                            f"threshold {a['threshold']} -> {b} bands x {r} rows, sha1, 64-bit"}))
"""


def write_shards(records: Sequence[dict[str, Any]], folder: Path, shards: int) -> None:
    """records as JSON Lines {id, text} in ``shards`` files of consecutive records."""
    folder.mkdir(parents=True)
    size = math.ceil(len(records) / shards)
    for s in range(shards):
        part = records[s * size : (s + 1) * size]
        (folder / f"{s:05d}.jsonl").write_text(
            "".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in part),
            encoding="utf-8")


def run_peer(python: str, driver: str, args: dict[str, Any]) -> tuple[list[list[str]], str, float]:
    """(clusters, config, seconds as the peer timed its own run) from a driver in the peer's python."""
    proc = subprocess.run([python, "-c", driver], input=json.dumps(args), capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-1500:])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["groups"], out["config"], out["seconds"]


def run_datatrove(records: Sequence[dict[str, Any]], workers: int) -> tuple[list[list[str]], str, float] | None:
    python = peer_python("DATATROVE_PYTHON")
    if python is None:
        return None
    with tempfile.TemporaryDirectory(prefix="dt-") as tmp:
        write_shards(records, Path(tmp) / "input", workers)
        return run_peer(python, DATATROVE_DRIVER, {"input": f"{tmp}/input", "work": tmp, "workers": workers,
                                                   "ngram": DT_NGRAM, "buckets": DT_BUCKETS, "rows": DT_ROWS})


def run_text_dedup(records: Sequence[dict[str, Any]], workers: int) -> tuple[list[list[str]], str, float] | None:
    python = peer_python("TEXT_DEDUP_PYTHON", ["/tmp/tdvenv/bin/python"])
    if python is None:
        return None
    with tempfile.TemporaryDirectory(prefix="td-") as tmp:
        write_shards(records, Path(tmp) / "input", 1)
        return run_peer(python, TEXT_DEDUP_DRIVER, {"input": f"{tmp}/input/00000.jsonl", "work": tmp,
                                                    "workers": workers, "threshold": TD_THRESHOLD,
                                                    "ngram": TD_NGRAM})


# ---------------------------------------------------------------- table


@dataclass
class Row:
    name: str
    clusters: list[list[str]] | None
    seconds: float = 0.0
    config: str = ""
    error: str = ""


def measure(name: str, job: Callable[[], tuple[list[list[str]], str, float] | None]) -> Row:
    try:
        out = job()
    except Exception as e:  # a peer that fails is reported, not fatal
        print(f"{name} failed: {e}\n{traceback.format_exc()}", file=sys.stderr)
        return Row(name, None, error="failed (its error is on stderr)")
    if out is None:
        return Row(name, None, error="not measured (run scripts/peers-venv)")
    return Row(name, out[0], out[2], out[1])


def print_table(corpus: EditedCorpus, rows: Sequence[Row], bodies: Sequence[str] | None) -> None:
    ids = [r["id"] for r in corpus.records]
    truth = [corpus.truth[i] for i in ids]
    print(f"{'implementation':<16}{'P':>8}{'R':>8}{'F1':>8}{'clusters':>10}{'seconds':>9}"
          f"{'outside':>9}{'of them cut':>13}{'wrong pairs':>13}{'near-dup src':>14}")
    for row in rows:
        if row.clusters is None:
            print(f"{row.name:<16}{row.error}")
            continue
        pred = labels(ids, row.clusters)
        p, r, f1 = pairwise_prf(truth, pred)
        out = outside_main(truth, pred)
        cut = sum(ids[i] in corpus.cut for i in out)
        wrong = wrong_pairs(truth, pred)
        print(f"{row.name:<16}{p:>8.3f}{r:>8.3f}{f1:>8.3f}{len(row.clusters):>10}{row.seconds:>9.1f}"
              f"{len(out):>9}{cut:>13}{sum(wrong.values()):>13}"
              f"{f'{near_duplicate_share(wrong, bodies):.1%}' if wrong and bodies else '-':>14}")
    for row in rows:
        if row.config:
            print(f"  {row.name}: {row.config}")


def describe(corpus: EditedCorpus) -> str:
    n = len(corpus.records)
    articles = len(set(corpus.article.values()))
    groups = len(set(corpus.truth.values()))
    files = sum(len(g) for g in corpus.merged)
    return (f"edited-copies corpus: {n} documents, {articles} BBC articles (~{n / articles:.2f} copies each), "
            f"{len(corpus.cut)} cut copies ({len(corpus.cut) / n:.1%}), "
            f"{sum(corpus.replaced.values()) / n:.2%} of words replaced on average\n"
            f"truth: {groups} groups; {len(corpus.merged)} groups merge {files} source files that are exact "
            f"duplicates (body text, whitespace normalised); near-duplicate source files are left as separate groups")


def bulk_floor(texts: Sequence[str]) -> float:
    """Seconds datasketch's ``MinHash.bulk`` takes to sign ``texts`` (their word 5-grams made in the
    timing): the floor of what any MinHash deduplication of them costs (issue 20's reference)."""
    import datasketch

    from dedup import fingerprint as fp

    t = time.perf_counter()
    sets = []
    for text in texts:
        toks = fp.tokens(text)
        sets.append([" ".join(toks[j : j + 5]).encode("utf-8") for j in range(max(1, len(toks) - 4))])
    datasketch.MinHash.bulk(sets, num_perm=128, seed=1)
    return time.perf_counter() - t


def quality(n: int, workers: int, seed: int = SEED, kind: str = "edited") -> None:
    """Build (or read) the corpus of n documents (``kind``: the edited copies, or ``light``, the
    generated corpus of ``scripts/bench``), run ours and the peers, print the table."""
    if kind == "light":
        path, corpus = light(n)
        print(f"\ncopy-clustering quality, pairwise over documents ({path.name}, the light generated corpus)")
        groups = Counter(corpus.truth.values())
        print(f"light corpus: {n} documents, {sum(1 for c in groups.values() if c > 1)} articles with copies, "
              f"{sum(c for c in groups.values() if c > 1)} documents in them")
    elif not BBC.is_dir():
        print(f"\ncopy-clustering quality: not measured (no BBC articles at {BBC})")
        return
    else:
        path, corpus = cached(n, seed)
        print(f"\ncopy-clustering quality, pairwise over documents ({path.name}, seed {seed})")
        print(describe(corpus))
    records = corpus.records
    rows = [measure("article-dedup", lambda: run_ours(records, workers)),
            measure("--only copies", lambda: run_ours(records, workers, "copies")),
            measure("datatrove", lambda: run_datatrove(records, workers)),
            measure("text-dedup", lambda: run_text_dedup(records, workers))]
    for row in rows:  # what each tool grouped, to read afterwards
        if row.clusters is not None:
            path.with_suffix(f".{row.name}.clusters.json").write_text(json.dumps(row.clusters), encoding="utf-8")
    print_table(corpus, rows, [s.body for s in load_bbc()] if kind == "edited" else None)
    floor = bulk_floor([r["text"] for r in records])
    print(f"  floor: datasketch MinHash.bulk signatures alone (word 5-grams, 128 permutations, one core, shingling "
          f"included) {floor:.1f} s = {len(records) / floor:.0f} docs/s; throughput against it: "
          + ", ".join(f"{row.name} {floor / row.seconds:.2f}x" for row in rows if row.clusters is not None))
    print("  clusters: predicted clusters of 2 or more; seconds: the tool's run (peers: timed inside their "
          "python, imports excluded); outside: documents not in the cluster holding most of their truth group;\n"
          f"  wrong pairs: pairs clustered but not copies of one source text; near-dup src: share of them joining "
          f"copies of two source files one of which holds >= {NEAR:.0%} of the other's word 5-grams")
