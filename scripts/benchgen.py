"""Deterministic generator of N news-like documents for the speed benchmark (scripts/bench).

Real words, invented articles: every article is ~30 sentences drawn from the
BBC corpus in ``../shared/data/bbc`` (or from ``fixtures/`` when it is
absent) with every other word replaced by another corpus word, so that no
two articles share text by accident (two draws of one sentence share no run
of two original words), while vocabulary, sentence lengths and
punctuation stay those of real news. On top of those originals:

- syndicated copies (another outlet's header/footer lines around the same text),
- truncated copies (an aggregator kept the first half),
- damaged scrapes (link text dropped, sentences glued),
- quoting articles (1-3 sentences of an earlier article, with attribution).

The truth (near-duplicate groups, quotations) is returned with the records.

    python scripts/benchgen.py 10000 out.jsonl    # writes records and out.truth.json
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "data" / "bbc"

# Part of cached corpus names (scripts/bench): bump when the output for a given N changes.
VERSION = 2

OUTLETS = [f"{a} {b}" for a in ("Daily", "Evening", "Northern", "Coastal", "Metro", "Valley", "Capital", "Harbour")
           for b in ("Herald", "Post", "Times", "Courier", "Gazette", "Observer")]


@dataclass
class Corpus:
    records: list[dict[str, Any]] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    group_of: dict[str, int] = field(default_factory=dict)  # original id -> index in groups


def _sentences() -> list[list[str]]:
    texts: list[str] = []
    if BBC.exists():
        texts = [p.read_text(encoding="latin-1") for p in sorted(BBC.glob("*/*.txt"))]
    else:
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((ROOT / "fixtures").rglob("*.txt"))]
    out = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")):
            words = sentence.strip().rstrip(".!?").split()
            if 6 <= len(words) <= 45:
                out.append(words)
    return out


def generate(n: int, seed: int = 7) -> Corpus:
    rng = np.random.default_rng(seed)
    sentences = _sentences()
    vocab_list = sorted({w for s in sentences for w in s if w.isalpha() and w.islower()})
    vocab = np.array(vocab_list, dtype=object)
    corpus = Corpus()
    originals: list[tuple[str, list[str], str, str]] = []  # id, sentences, outlet, date

    def article() -> list[str]:
        picks = rng.integers(0, len(sentences), int(rng.integers(24, 36)))
        out = []
        for p in picks:
            words = list(sentences[p])
            # Every other word, from a random first position: a 50% random mask
            # leaves runs of original words, and at 100k documents (each BBC
            # sentence drawn ~75 times) two draws of a sentence then share 6-8
            # word runs by accident, quadratically more often as N grows.
            swap = (np.arange(len(words)) % 2) == int(rng.integers(0, 2))
            if swap.any():
                repl = vocab[rng.integers(0, len(vocab), int(swap.sum()))]
                for i, w in zip(np.flatnonzero(swap), repl, strict=True):
                    words[i] = w
            words[0] = words[0][:1].upper() + words[0][1:]
            out.append(" ".join(words) + ".")
        return out

    def paragraphs(sents: list[str]) -> str:
        return "\n\n".join(" ".join(sents[i : i + 4]) for i in range(0, len(sents), 4))

    i = 0
    while len(corpus.records) < n:
        kind = rng.random()
        outlet = OUTLETS[int(rng.integers(0, len(OUTLETS)))]
        date = f"2024-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
        doc_id = f"d{i:06d}"
        i += 1
        if originals and kind < 0.10:
            src_id, sents, _, src_date = originals[int(rng.integers(0, len(originals)))]
            text = f"{outlet} · News\n\n{paragraphs(sents)}\n\nSubscribe to {outlet} for the day's news.\n© {outlet}"
            corpus.records.append({"id": doc_id, "outlet": outlet, "date": src_date, "text": text})
            _group(corpus, src_id, doc_id)
        elif originals and kind < 0.15:
            src_id, sents, _, src_date = originals[int(rng.integers(0, len(originals)))]
            text = paragraphs(sents[: len(sents) // 2]) + "\n\nContinue reading on the publisher's site"
            corpus.records.append({"id": doc_id, "outlet": outlet, "date": src_date, "text": text})
            _group(corpus, src_id, doc_id)
        elif originals and kind < 0.18:
            src_id, sents, _, src_date = originals[int(rng.integers(0, len(originals)))]
            damaged = []
            for s in sents:
                words = s.split()
                if len(words) > 10 and rng.random() < 0.3:
                    a = int(rng.integers(2, len(words) - 6))
                    del words[a : a + int(rng.integers(2, 5))]
                damaged.append(" ".join(words))
            text = "".join(s if rng.random() < 0.3 else s + " " for s in damaged)
            corpus.records.append({"id": doc_id, "outlet": outlet, "date": src_date, "text": text})
            _group(corpus, src_id, doc_id)
        elif originals and kind < 0.23:
            src_id, src_sents, src_outlet, src_date = originals[int(rng.integers(0, len(originals)))]
            own = article()
            for _ in range(int(rng.integers(1, 4))):
                quoted = src_sents[int(rng.integers(0, len(src_sents)))]
                pos = int(rng.integers(0, len(own)))
                own.insert(pos, f"An article in {src_outlet} noted in {src_date[:4]} \u201c{quoted}\u201d")
                corpus.quotes.append({"quoting": doc_id, "source": src_id, "text": quoted})
            later = f"2025-{date[5:]}"
            corpus.records.append({"id": doc_id, "outlet": outlet, "date": later, "text": paragraphs(own)})
        else:
            sents = article()
            title = " ".join(sents[0].split()[:8])
            corpus.records.append({"id": doc_id, "outlet": outlet, "date": date, "title": title,
                                   "text": paragraphs(sents)})
            originals.append((doc_id, sents, outlet, date))
    return corpus


#: Where generated corpora are kept between benchmark runs.
CACHE = Path(tempfile.gettempdir()) / "dedup-bench"


def corpus_file(n: int) -> Path:
    """The first n generated records as JSON Lines under CACHE, generated once (generation is
    sequential, so corpora nest)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"corpus-v{VERSION}-{n}.jsonl"
    if not path.exists():
        t = time.perf_counter()
        records = generate(n).records
        with path.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"  generated {n} records in {time.perf_counter() - t:.1f} s -> {path}", file=sys.stderr)
    return path


def _group(corpus: Corpus, src: str, copy: str) -> None:
    g = corpus.group_of.get(src)
    if g is None:
        g = corpus.group_of[src] = len(corpus.groups)
        corpus.groups.append([src])
    corpus.groups[g].append(copy)


def main() -> None:
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    corpus = generate(n)
    with out.open("w", encoding="utf-8") as f:
        for r in corpus.records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    truth = out.with_suffix(".truth.json")
    truth.write_text(json.dumps({"groups": corpus.groups, "quotes": corpus.quotes}))
    print(f"{len(corpus.records)} records -> {out}; truth -> {truth}")


if __name__ == "__main__":
    main()
