"""scripts/copies_corpus.py (the generated set of scripts/eval-copies): its damage, its truth and the
pairwise scores. The corpus tests read ../shared/data and skip without it."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from rapidfuzz.distance import LCSseq

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import copies_corpus as cc
finally:
    sys.path.remove(str(ROOT / "scripts"))

needs_data = pytest.mark.skipif(not (DATA / "bbc").is_dir() or not (DATA / "polnear").is_dir(),
                                reason="../shared/data/bbc and polnear are absent")
SEED, SIZE = 5, 60


# --------------------------------------------------------------------------- scores on a toy
TRUTH = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "2", "f": "3"}  # true pairs: ab ac bc de


def test_pairwise_scores_are_exact_on_a_toy() -> None:
    s = cc.pair_prf(TRUTH, [["a", "b"], ["c", "d", "e"]])  # f in no cluster: alone
    assert (s["true_pairs"], s["predicted_pairs"], s["correct_pairs"]) == (4, 4, 2)
    assert (s["precision"], s["recall"], s["f1"]) == (0.5, 0.5, 0.5)
    s = cc.pair_prf(TRUTH, [list("abcdef")])
    assert (s["predicted_pairs"], s["correct_pairs"]) == (15, 4)
    assert s["precision"] == pytest.approx(4 / 15) and s["recall"] == 1.0 and s["f1"] == pytest.approx(8 / 19)
    s = cc.pair_prf(TRUTH, [["a", "b", "c"], ["d", "e"], ["f"], ["zz", "yy"]])  # ids outside the truth ignored
    assert (s["precision"], s["recall"], s["f1"]) == (1.0, 1.0, 1.0)
    s = cc.pair_prf(TRUTH, [])
    assert (s["precision"], s["recall"], s["f1"]) == (1.0, 0.0, 0.0)


def test_recall_by_kind_glue_and_composites_on_a_toy() -> None:
    tags = {"a": ("original",), "b": ("loss35",), "c": ("truncated", "glued"), "d": ("original",), "e": ("loss35",)}
    clusters = [["a", "b"], ["c", "d", "e"]]
    r = cc.recall_by_kind(TRUTH, tags, clusters, {"1": "a", "2": "d"})
    # loss35 pairs: ab, bc (group 1), de (group 2); found ab and de
    assert r["loss35"]["pairs"] == 3 and r["loss35"]["recall"] == pytest.approx(2 / 3)
    assert (r["loss35"]["pairs_vs_original"], r["loss35"]["recall_vs_original"]) == (2, 1.0)
    assert r["truncated"]["recall"] == 0.0 and r["truncated"]["recall_vs_original"] == 0.0
    assert r["glued"] == r["truncated"]
    outlet = {"a": "X", "b": "Y", "c": "Y", "d": "Y", "e": "Z", "f": "X"}
    # c (group 1) and d (group 2) share outlet Y: glued; a cluster of one group is not
    assert cc.glued_clusters(TRUTH, outlet, clusters) == [["c", "d", "e"]]
    assert cc.glued_clusters(TRUTH, outlet, clusters, composites=["e"]) == []  # a composite chained them
    assert cc.glued_clusters(TRUTH, outlet, [["a", "f"]]) == [["a", "f"]]
    assert cc.mixed_clusters(TRUTH, clusters) == [["c", "d", "e"]]
    assert cc.composites_with_others(["c", "f"], [*clusters, ["f"]]) == ["c"]


# --------------------------------------------------------------------------- damage functions
def _paras(n_words: int = 400) -> list[list[str]]:
    words = [f"w{i}." if i % 12 == 11 else (f"W{i}" if i % 12 == 0 else f"w{i}") for i in range(n_words)]
    return [words[i : i + 50] for i in range(0, n_words, 50)]


@pytest.mark.parametrize("frac", [0.10, 0.20, 0.35])
def test_link_loss_drops_short_scattered_spans(frac: float) -> None:
    paras = _paras()
    out = cc.drop_links(random.Random(1), paras, frac)
    before = [w for p in paras for w in p]
    after = [w for p in out for w in p]
    assert len(after) == round(len(before) * (1 - frac))
    assert LCSseq.similarity(before, after) == len(after)  # the rest is in order
    kept = [w in set(after) for w in before]
    gaps = [len(m) for m in re.findall(r"0+", "".join("1" if k else "0" for k in kept))]
    assert max(gaps) <= 5 and len(gaps) >= len(before) * frac / 5


def test_truncate_glue_and_reword() -> None:
    paras = _paras()
    assert sum(map(len, cc.truncate(paras, 0.6))) == 240
    glued = cc.glue(random.Random(2), paras, 1.0)
    text = "\n\n".join(" ".join(p) for p in glued)
    assert "w11.W12" in text and "w47.W48" in text
    assert cc.words(text) == cc.words("\n\n".join(" ".join(p) for p in paras))
    assert cc.reword(random.Random(0), "The minister said the plan would cut waiting times.") == \
        "The plan would cut waiting times, the minister said."
    assert cc.reword(random.Random(0), "After a long night of talks, the unions agreed a deal.") == \
        "The unions agreed a deal, after a long night of talks."


# --------------------------------------------------------------------------- the generated set
@pytest.fixture(scope="module")
def corpus() -> cc.Corpus:
    return cc.generate(DATA, seed=SEED, n_docs=SIZE)


def _source_words(c: cc.Corpus, d: cc.Doc) -> list[str]:
    """The words of the source window a copy was made from (the original's text, truncated)."""
    return cc.words(" ".join(" ".join(c.articles[d.source].paras).split()[: d.window]))


@needs_data
def test_same_seed_same_corpus(corpus: cc.Corpus) -> None:
    again = cc.generate(DATA, seed=SEED, n_docs=SIZE)
    assert again.records == corpus.records and again.truth == corpus.truth
    assert [d.tags for d in again.docs] == [d.tags for d in corpus.docs]
    assert cc.generate(DATA, seed=SEED + 1, n_docs=SIZE).records != corpus.records
    assert len(corpus.docs) == SIZE and len({d.id for d in corpus.docs}) == SIZE


@needs_data
@pytest.mark.slow
def test_same_corpus_in_another_process() -> None:
    code = (f"import sys, json, hashlib; sys.path.insert(0, {str(ROOT / 'scripts')!r}); import copies_corpus as cc; "
            f"from pathlib import Path; c = cc.generate(Path({str(DATA)!r}), seed={SEED}, n_docs={SIZE}); "
            "print(hashlib.sha256(json.dumps([c.records, c.truth]).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(h)}).stdout for h in (1, 2)}
    assert len(digests) == 1


@needs_data
def test_truth_groups_hold_the_kinds_asked_for(corpus: cc.Corpus) -> None:
    kinds = {t for d in corpus.docs for t in d.tags}
    want = {"loss10", "loss20", "loss35", "truncated", "glued", "edited", "restyled", "furniture", "writethru",
            "composite", "composite-copy", "original", "single"}
    assert want <= kinds
    groups: dict[str, list[cc.Doc]] = defaultdict(list)
    for d in corpus.docs:
        groups[d.group].append(d)
    for g, ds in groups.items():
        roles = sorted(d.role for d in ds)
        if g.startswith("g"):
            assert roles.count("original") == 1 and 2 <= len(ds) <= 9, roles
            assert len({d.outlet for d in ds}) == len(ds)  # every copy on another site
        elif g.startswith("x"):
            assert roles in (["composite"], ["composite", "composite-copy"])
        else:
            assert roles == ["single"]


@needs_data
@pytest.mark.parametrize("kind,low,high", [("loss10", 0.07, 0.13), ("loss20", 0.16, 0.24), ("loss35", 0.30, 0.40)])
def test_lossy_copies_really_lost_their_share_of_words(corpus: cc.Corpus, kind: str, low: float,
                                                       high: float) -> None:
    seen = 0
    for d in corpus.docs:
        if d.role == "copy" and kind in d.tags and "from-writethru" not in d.tags:
            src, got = _source_words(corpus, d), cc.words(d.body)
            assert low <= 1 - len(got) / len(src) <= high, (d.id, d.tags, len(got), len(src))
            assert LCSseq.similarity(src, got) >= 0.9 * len(got)  # what is left is in order
            seen += 1
    assert seen


@needs_data
def test_truncated_glued_edited_and_restyled_copies(corpus: cc.Corpus) -> None:
    for d in corpus.docs:
        if d.role != "copy" or "from-writethru" in d.tags:
            continue
        full = " ".join(corpus.articles[d.source].paras)
        if "truncated" in d.tags:
            assert 0.59 <= d.window / len(full.split()) <= 0.91
        if d.primary == "edited":  # 2-5% of the words replaced, nothing dropped
            src, got = _source_words(corpus, d), cc.words(d.body)
            assert len(got) == len(src) and 0.01 <= 1 - LCSseq.similarity(src, got) / len(src) <= 0.08
        if d.primary == "glued":
            joined = re.compile(r"[a-z0-9%)][.!?][\"”’']*[\"“‘']*[A-Z]")
            window = " ".join(full.split()[: d.window])
            assert len(joined.findall(d.body)) > len(joined.findall(window)), d.id
        if d.primary in ("clean", "glued") and not {"restyled", "truncated", "edited"} & set(d.tags):
            assert cc.words(d.body) == cc.words(full)


@needs_data
def test_writethrus_and_composites(corpus: cc.Corpus) -> None:
    for d in corpus.docs:
        if d.role == "writethru":
            orig = corpus.articles[d.source].paras
            paras = d.body.split("\n\n")
            assert paras[0] not in orig and paras[-1] not in orig  # a new lede and a new last paragraph
            assert paras[-2] == orig[-1] and set(orig[2:]) <= set(paras)
            # most of the first version is in the second, in order (a short article rewritten in two
            # paragraphs keeps a little over half)
            assert LCSseq.similarity(cc.words(" ".join(orig)), cc.words(d.body)) >= 0.5 * len(cc.words(" ".join(orig)))
        if d.role in ("composite", "composite-copy"):
            keys = d.source.split(" + ")
            assert 2 <= len(keys) <= 3
            originals = {x.source for x in corpus.docs if x.role == "original"}
            assert len(originals & set(keys)) >= 1  # it holds an article that has copies
            if d.role == "composite":
                for k in keys:  # each item's title and first paragraph are on the page
                    a = corpus.articles[k]
                    assert a.title in d.text and a.paras[0] in d.text


@needs_data
def test_outlet_boilerplate_is_on_every_article_of_the_outlet(corpus: cc.Corpus) -> None:
    abouts = {o: about for o, (_, about, _) in cc.OUTLETS.items()}
    assert len(cc.OUTLETS) == 10 and len(set(abouts.values())) == 10
    for about in abouts.values():
        assert 60 <= len(cc.words(about)) <= 80
    grams = {o: {tuple(w[i : i + 8]) for i in range(len(w) - 7)} for o, a in abouts.items() if (w := cc.words(a))}
    for o1 in grams:
        for o2 in grams:
            assert o1 == o2 or not grams[o1] & grams[o2]  # one outlet's paragraph is its own
    by_outlet: dict[str, set[str]] = defaultdict(set)
    for d in corpus.docs:
        _, about, footer = cc.OUTLETS[d.outlet]
        assert about in d.text and d.text.rstrip().endswith(footer)
        by_outlet[d.outlet].add(d.group)
    assert any(len(g) >= 2 for g in by_outlet.values())  # different articles share one outlet's boilerplate
    topics = defaultdict(set)
    for d in corpus.docs:
        if d.role == "single":
            topics[d.outlet, corpus.articles[d.source].topic].add(d.group)
    assert any(len(g) >= 2 for g in topics.values())  # same-topic negatives of one outlet


@needs_data
@pytest.mark.slow
def test_eval_copies_runs_through_the_library(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "eval-copies"), "--docs", "80", "--seed", "3",
                          "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), run.stderr
    figures = json.loads(out.read_text())["generated"]
    assert figures["documents"] == 80 and 0.0 <= figures["pairwise"]["f1"] <= 1.0
    assert "loss35" in figures["recall_by_kind"] and "pairwise copies" in run.stdout
