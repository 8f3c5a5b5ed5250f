"""The WCXB mode of scripts/eval-clean: the cleaner on the article pages of WCXB's dev split.

WCXB (the Web Content Extraction Benchmark) gives, for each page, the HTML as fetched and a ground
truth: the main content, snippets that must survive (``with``), boilerplate snippets that must not
(``without``), and the title, author and publication date. Figures are the benchmark's own: its
``evaluate.py`` is imported from the data folder and its ``word_f1`` and ``snippet_check`` score each
page, averaged over pages as it averages them (F1 is the mean of per-page F1, not the F1 of the mean
precision and recall).

Table 1 scores five texts of each page: the naive dump a scraper saves (``html_text.extract_text(html,
guess_layout=True)``), that dump cleaned, trafilatura on the HTML (the settings of dedup.extract), that
output cleaned, and the project's own HTML path (``dedup.engines.stages.prepare`` on an HTML input: what a
run does to a ``.html`` file). Intervals are 95% percentile bootstrap intervals over pages (one set of
resamples for every row, so differences between rows are paired). Table 2 is the metadata each method
yields, against the gold title, author and date.

The dumps and trafilatura's outputs are cached outside the repository (``$DEDUP_WCXB_CACHE``, else
``~/.cache/article-dedup/wcxb``), one JSON file per page keyed by the hash of the page file and by what
produced each value (package versions, settings, the source of dedup/extract.py); cleaning is never
cached: it is what is measured.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import logging
import math
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "data" / "wcxb-dev"
SPLIT = "dev"
RESAMPLES = 1000
SEED = 20260101
FIELDS = ("title", "author", "date")
#: dedup.extract.extract_html's trafilatura settings, bar with_metadata (which puts a metadata header
#: into the text trafilatura.extract returns; the metadata is taken from extract_html itself)
TRAFILATURA = {"include_comments": False, "include_tables": True, "deduplicate": False}
ROWS = ("dump", "clean_dump", "traf", "clean_traf", "extract", "project")
LABELS = {
    "dump": "dump, no cleaning",
    "clean_dump": "clean(dump)",
    "traf": "trafilatura on the HTML",
    "clean_traf": "clean(trafilatura output)",
    "extract": "extract_html alone",
    "project": "project HTML path",
}
TRAF_META = {"title": "title", "author": "author", "date": "date", "sitename": "outlet", "url": "url"}
PIP = f"{ROOT / '.venv' / 'bin' / 'pip'} install html-text"


# --------------------------------------------------------------------------- data


@dataclass
class Page:
    id: str
    url: str
    path: Path
    sha: str
    main_content: str
    with_: list[str]
    without: list[str]
    gold: dict[str, str]  # title, author, date: only those the ground truth gives


def find_dir(arg: str | None) -> Path | None:
    """The WCXB folder: ``arg``, else the default; None when it holds no dev split and scorer."""
    folder = Path(arg) if arg else DEFAULT_DIR
    ok = (folder / "evaluate.py").is_file() and (folder / SPLIT / "ground-truth").is_dir()
    return folder if ok else None


def load_scorer(folder: Path) -> ModuleType:
    """WCXB's evaluate.py, imported from the data folder (its functions are the measure)."""
    spec = importlib.util.spec_from_file_location("wcxb_evaluate", folder / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(folder: Path, scorer: ModuleType, limit: int | None = None) -> list[Page]:
    """The article pages of the split, in id order: the scorer's own reading of the ground truth (main
    content, with, without, page type), and the url, author and date from the same files."""
    truth = scorer.load_ground_truth(SPLIT)
    pages = []
    for file_id, gt in sorted(truth.items()):
        if gt["page_type"] != "article":
            continue
        data = json.loads((folder / SPLIT / "ground-truth" / f"{file_id}.json").read_text(encoding="utf8"))
        raw = data.get("ground_truth") or {}
        gold = {"title": raw.get("title"), "author": raw.get("author"), "date": raw.get("publish_date")}
        path = folder / SPLIT / "html" / f"{file_id}.html.gz"
        pages.append(Page(
            id=file_id, url=data.get("url") or "", path=path, sha=hashlib.sha256(path.read_bytes()).hexdigest(),
            main_content=gt["main_content"], with_=list(gt["with"]), without=list(gt["without"]),
            gold={k: str(v) for k, v in gold.items() if v and str(v).strip()},
        ))
        if limit and len(pages) >= limit:
            break
    return pages


def read_html(path: Path) -> str:
    """The page as the project reads an .html file: decompressed, then decoded by dedup.ingest.decode."""
    return decode_html(path)[0]


def decode_html(path: Path) -> tuple[str, str]:
    """(text, encoding) of a page file, as dedup.ingest.decode reads it."""
    from dedup.ingest import decode

    return decode(gzip.decompress(path.read_bytes()), str(path))


# --------------------------------------------------------------------------- producers and cache


def _version(name: str) -> str:
    try:
        return package_version(name)
    except PackageNotFoundError:
        return "?"


def producer_keys() -> dict[str, str]:
    """What produced each cached value: a change of package, settings or extract.py is a new key."""
    # extract.py and its helpers (extract_meta.py, ...): a change to any is a new extract_html
    from dedup.clean import version as clean_version

    extract_src = b"".join(f.read_bytes() for f in sorted((ROOT / "dedup").glob("extract*.py")))
    traf = f"trafilatura {_version('trafilatura')}"
    return {
        "dump": f"html-text {_version('html-text')} extract_text guess_layout=True",
        "traf": f"{traf} extract {json.dumps(TRAFILATURA, sort_keys=True)}",
        # (extract_html cleans the page's dump to restore what the extractor skipped: the cleaner's stamp too)
        "extract_html": f"{traf} dedup.extract {hashlib.sha256(extract_src).hexdigest()[:16]} clean {clean_version()}",
        # trafilatura's own metadata (the "trafilatura (HTML)" column), apart from what extract_html adds
        "traf_meta": f"{traf} bare_extraction metadata {json.dumps(TRAFILATURA, sort_keys=True)}",
    }


def cache_root(arg: str | None = None) -> Path:
    if arg:
        return Path(arg)
    if os.environ.get("DEDUP_WCXB_CACHE"):
        return Path(os.environ["DEDUP_WCXB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "article-dedup" / "wcxb"


def _cache_file(cache: Path, sha: str) -> Path:
    return cache / sha[:2] / f"{sha}.json"


def _read_cache(cache: Path, sha: str) -> dict[str, Any]:
    try:
        data = json.loads(_cache_file(cache, sha).read_text(encoding="utf8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(cache: Path, sha: str, data: dict[str, Any]) -> None:
    target = _cache_file(cache, sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf8") as out:
        json.dump(data, out, ensure_ascii=False)
    os.replace(tmp, target)


def _quiet() -> None:
    # trafilatura and htmldate log a warning per page they give up on: the tables count those
    for name in ("trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _produce(job: tuple[str, str, str, dict[str, str]]) -> tuple[str, dict[str, Any], list[str]]:
    """Compute a page's missing values (in a worker) and write them to its cache file."""
    path, sha, cache, missing = job
    _quiet()
    cached = _read_cache(Path(cache), sha)
    errors = []
    html = ""
    try:
        html = read_html(Path(path))
    except Exception as exc:  # a page the project cannot decode is a page every method loses
        errors.append(f"decode: {type(exc).__name__}: {exc}")
    for name, key in missing.items():
        try:
            if name == "dump":
                import html_text

                value: Any = html_text.extract_text(html, guess_layout=True) if html else ""
            elif name == "traf":
                import trafilatura

                value = (trafilatura.extract(html, **TRAFILATURA) or "") if html else ""
            elif name == "traf_meta":
                import trafilatura

                doc = trafilatura.bare_extraction(html, with_metadata=True, **TRAFILATURA) if html else None
                data = (doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)) if doc is not None else {}
                value = {ours: str(data[theirs]).strip() for theirs, ours in TRAF_META.items() if data.get(theirs)}
            else:
                from dedup.extract import extract_html

                ext = extract_html(html) if html else None
                value = {"text": ext.text, "meta": ext.meta} if ext else {"text": "", "meta": {}}
        except Exception as exc:
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
            continue  # not cached: tried again next run
        cached[key] = value
    _write_cache(Path(cache), sha, cached)
    return sha, cached, errors


def gather(pages: list[Page], cache: Path, workers: int, log: Callable[[str], None]) -> tuple[
        dict[str, dict[str, Any]], int, list[str]]:
    """Per page id: {"dump", "traf", "extract_html"} from the cache, the missing ones computed (in
    ``workers`` processes). Also how many pages were computed, and the errors."""
    keys = producer_keys()
    found: dict[str, dict[str, Any]] = {}
    jobs = []
    for page in pages:
        cached = _read_cache(cache, page.sha)
        missing = {name: key for name, key in keys.items() if key not in cached}
        if missing:
            jobs.append((str(page.path), page.sha, str(cache), missing))
        else:
            found[page.sha] = cached
    errors: list[str] = []
    if jobs:
        log(f"wcxb: extracting {len(jobs)} of {len(pages)} pages ({workers} worker{'s' * (workers != 1)}); "
            f"cache {cache}")
        start = time.perf_counter()
        if workers > 1 and len(jobs) > 1:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
            with ctx.Pool(workers) as pool:
                results: Iterator[tuple[str, dict[str, Any], list[str]]] = pool.imap_unordered(
                    _produce, jobs, chunksize=2)
                found.update(_collect(results, errors, len(jobs), log))
        else:
            found.update(_collect(map(_produce, jobs), errors, len(jobs), log))
        log(f"wcxb: extracted in {time.perf_counter() - start:.0f} s")
    by_id = {}
    for page in pages:
        data = found.get(page.sha, {})
        by_id[page.id] = {name: data.get(key) for name, key in keys.items()}
    return by_id, len(jobs), errors


def _collect(results: Iterator[tuple[str, dict[str, Any], list[str]]], errors: list[str], total: int,
             log: Callable[[str], None]) -> dict[str, dict[str, Any]]:
    out = {}
    for done, (sha, data, errs) in enumerate(results, start=1):
        out[sha] = data
        errors.extend(f"{sha[:12]} {e}" for e in errs)
        if done % 100 == 0 and done < total:
            log(f"wcxb: {done}/{total}")
    return out


# --------------------------------------------------------------------------- the methods


@contextmanager
def served_extraction(lookup: Callable[[str], Any]) -> Iterator[Any]:
    """``dedup.engines.stages.prepare`` with its ``extract_html`` answered from the cache when the html is
    a page's (``lookup`` returns None otherwise): the call is the project's own, only trafilatura's
    work on an unchanged page with an unchanged dedup/extract.py is not repeated."""
    from dedup.engines import stages

    real = stages.extract_html

    def served(html: str, url: str | None = None) -> Any:
        hit = lookup(html) if url is None else None
        return hit if hit is not None else real(html, url=url)

    stages.extract_html = served
    try:
        yield stages.prepare
    finally:
        stages.extract_html = real


META_METHODS = ("clean_dump", "traf", "project")
META_LABELS = {"clean_dump": "clean(dump).meta", "traf": "trafilatura (HTML)", "project": "project HTML path"}


@dataclass
class Scores:
    """Per-page arrays, one value a page (NaN for with/leak on a page that lists no snippet)."""

    p: np.ndarray
    r: np.ndarray
    f1: np.ndarray
    with_: np.ndarray
    leak: np.ndarray


@dataclass
class Outputs:
    text: dict[str, dict[str, str]] = field(default_factory=lambda: {r: {} for r in ROWS})
    meta: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: {m: {} for m in META_METHODS})
    scores: dict[str, Scores] = field(default_factory=dict)
    clean_ms: list[float] = field(default_factory=list)
    clean_traf_ms: list[float] = field(default_factory=list)
    project_error: str | None = None
    errors: list[str] = field(default_factory=list)


def score_page(scorer: ModuleType, page: Page, text: str) -> tuple[float, float, float, float, float]:
    """(P, R, F1, with-hit, leak) of one text, by WCXB's word_f1 and snippet_check. evaluate.py's
    snippet_check says 1.0 for an empty list, so a page listing no must-drop snippet would count as all
    leaked: such a page is NaN (left out) in the with and leak columns instead."""
    p, r, f1 = scorer.word_f1(text, page.main_content)
    nan = float("nan")
    return (p, r, f1, scorer.snippet_check(text, page.with_) if page.with_ else nan,
            scorer.snippet_check(text, page.without) if page.without else nan)


_WORKER: dict[str, Any] = {}  # the scorer, set before the pool forks (a module loaded from a file path)


def finish_page(job: tuple[Page, dict[str, Any], str, str]) -> dict[str, Any]:
    """A page's project HTML path and the scores of its five texts (in a worker); ``job`` holds its cached
    dump, trafilatura output and extract_html, its clean(dump) and its clean(trafilatura output)."""
    page, got, clean_dump, clean_traf = job
    scorer = _WORKER["scorer"]
    _quiet()
    res: dict[str, Any] = {"errors": []}
    texts = {"dump": got["dump"] or "", "clean_dump": clean_dump, "traf": got["traf"] or "", "clean_traf": clean_traf,
             "extract": (got["extract_html"] or {}).get("text") or ""}
    project = project_path(page, got["extract_html"])
    if isinstance(project, tuple):
        texts["project"], res["project_meta"] = project
    elif project.startswith("unavailable"):
        res["project_error"] = project
    else:  # this page only: a run skips it, with no text
        res["errors"].append(f"{page.id} project: {project}")
        texts["project"], res["project_meta"] = "", {}
    res["texts"] = texts
    res["scores"] = {row: score_page(scorer, page, t) for row, t in texts.items()}
    return res


def project_path(page: Page, ext: dict[str, Any] | None) -> tuple[str, dict[str, str]] | str:
    """(text, title/author/date) of the page through the project's HTML path, or why not."""
    try:
        from dedup.extract import Extracted
        from dedup.ingest import RawInput
    except Exception as exc:  # the project's path is being edited elsewhere: the other rows still stand
        return f"unavailable ({type(exc).__name__}: {exc})"
    try:
        html, encoding = decode_html(page.path)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    extracted = Extracted(ext["text"], dict(ext["meta"])) if ext else None
    raw = RawInput(id=page.id, source=str(page.path), content_hash=page.sha, kind="html", body=html,
                   encoding=encoding)
    try:
        with served_extraction(lambda h: extracted if h is html else None) as prepare:
            doc = prepare(raw, {})
    except Exception as exc:  # a run skips such a document: it has no text
        return f"{type(exc).__name__}: {exc}"
    return doc.text, {k: v for k in FIELDS if (v := getattr(doc, k, None))}


def run_methods(pages: list[Page], produced: dict[str, dict[str, Any]], scorer: ModuleType,
                workers: int) -> Outputs:
    """Every method on every page, and the scores. The cleaning is timed here, one page after another
    (timed next to a worker on a 2-core machine it would be slower); the project's path and the scoring
    run in ``workers``."""
    from dedup.clean import clean

    out = Outputs()
    cleaned: dict[str, tuple[str, str]] = {}
    for page in pages:
        got = produced[page.id]
        start = time.perf_counter()
        r = clean(got["dump"] or "")
        out.clean_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        clean_traf = clean(got["traf"] or "", extracted=True).text  # as the project cleans an extractor's output
        out.clean_traf_ms.append((time.perf_counter() - start) * 1000)
        cleaned[page.id] = (r.text, clean_traf)
        out.meta["clean_dump"][page.id] = {k: v for k, v in r.meta.items() if v}
        out.meta["traf"][page.id] = dict(got["traf_meta"] or {})

    _WORKER["scorer"] = scorer
    jobs = [(page, produced[page.id], *cleaned[page.id]) for page in pages]
    methods = multiprocessing.get_all_start_methods()
    if workers > 1 and len(jobs) > 1 and "fork" in methods:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(finish_page, jobs, chunksize=8)
    else:
        results = [finish_page(job) for job in jobs]

    rows: dict[str, list[tuple[float, ...]]] = {row: [] for row in ROWS}
    for page, res in zip(pages, results, strict=True):
        out.errors.extend(res["errors"])
        out.project_error = res.get("project_error") or out.project_error
        for row, text in res["texts"].items():
            out.text[row][page.id] = text
            rows[row].append(res["scores"][row])
        if "project_meta" in res:
            out.meta["project"][page.id] = res["project_meta"]
    for row, vals in rows.items():
        if len(vals) == len(pages):
            a = np.array(vals, dtype=float)
            out.scores[row] = Scores(p=a[:, 0], r=a[:, 1], f1=a[:, 2], with_=a[:, 3], leak=a[:, 4])
    if "project" not in out.scores:
        out.text["project"] = {}
        out.meta["project"] = {}
    return out


# --------------------------------------------------------------------------- scores


def resamples(n: int, count: int = RESAMPLES, seed: int = SEED) -> np.ndarray:
    """``count`` resamples of ``n`` page indices with replacement (the same for every row: paired)."""
    return np.random.default_rng(seed).integers(0, n, size=(count, n))


def mean_ci(values: np.ndarray, idx: np.ndarray) -> tuple[float, float, float]:
    """Mean over pages (NaN pages left out) and its 95% percentile bootstrap interval."""
    if np.all(np.isnan(values)):
        return float("nan"), float("nan"), float("nan")
    boot = _nanmean_rows(values[idx])
    boot = boot[~np.isnan(boot)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(np.nanmean(values)), float(lo), float(hi)


def _nanmean_rows(a: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(a)
    counts = ok.sum(axis=1)
    sums = np.where(ok, a, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def fmt_ci(m: float, lo: float, hi: float) -> str:
    if math.isnan(m):
        return f"{'n/a':<20}"
    return f"{m:.3f} [{lo:.3f}, {hi:.3f}]"


# --------------------------------------------------------------------------- metadata


def _is_edge_junk(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch).startswith("P")


def norm_text(value: str) -> str:
    """Casefolded, white space collapsed, punctuation stripped at both ends."""
    s = " ".join(value.casefold().split())
    start, end = 0, len(s)
    while start < end and _is_edge_junk(s[start]):
        start += 1
    while end > start and _is_edge_junk(s[end - 1]):
        end -= 1
    return s[start:end]


_ISO = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def norm_date(value: str) -> str:
    """YYYY-MM-DD (YYYY-MM for a gold date that gives only a month), parsed from ISO forms, then the
    forms dedup.clean's metadata reads ("15 February 2023"), then dateutil's; else the text itself."""
    m = _ISO.match(value)
    if m:
        y, mo, d = m.group(1), int(m.group(2)), m.group(3)
        return f"{y}-{mo:02d}" + (f"-{int(d):02d}" if d else "")
    from dedup.clean.metadata import parse_date

    found = parse_date(value)
    if found:
        return found
    try:
        from dateutil import parser as dateparser

        return dateparser.parse(value).date().isoformat()
    except (ImportError, ValueError, OverflowError, TypeError):
        return norm_text(value)


def meta_match(fld: str, gold: str, got: str) -> bool:
    if fld == "date":
        g, v = norm_date(gold), norm_date(got)
        return v[: len(g)] == g if len(g) == 7 else v == g
    return norm_text(gold) == norm_text(got)


@dataclass
class MetaScore:
    gold: int = 0  # pages with a gold value
    right: int = 0  # of those, the method's value matches
    wrong: int = 0  # of those, the method gives another value
    extra: int = 0  # the gold has none, the method gives one

    @property
    def spurious(self) -> int:
        return self.wrong + self.extra


def score_meta(pages: list[Page], values: dict[str, dict[str, str]], fld: str) -> MetaScore:
    s = MetaScore()
    for page in pages:
        gold, got = page.gold.get(fld), (values.get(page.id) or {}).get(fld)
        got = got if got and got.strip() else None
        if gold is None:
            s.extra += got is not None
            continue
        s.gold += 1
        if got is None:
            continue
        if meta_match(fld, gold, got):
            s.right += 1
        else:
            s.wrong += 1
    return s


# --------------------------------------------------------------------------- report


def report(folder: Path, pages: list[Page], scorer: ModuleType, out: Outputs, worst: int) -> dict[str, Any]:
    """Print the tables; return the figures (for --min-f1 and the tests)."""
    idx = resamples(len(pages))
    scores = out.scores
    n_with = int(np.sum(~np.isnan(next(iter(scores.values())).with_)))
    n_without = int(np.sum(~np.isnan(next(iter(scores.values())).leak)))
    print(f"WCXB {SPLIT}: {len(pages)} article pages from {folder}")
    print(f"word-level P/R/F1 of main content (WCXB evaluate.py word_f1), mean over pages; F1 is the mean of "
          f"per-page F1 as evaluate.py averages it.\nwith-hit: share of must-keep snippets found ({n_with} pages "
          f"list some); leak: share of must-drop snippets that survive ({n_without} pages list some), mean over "
          f"those pages.\n[95% bootstrap interval: {RESAMPLES} resamples of pages, seed {SEED}]")
    width = max(len(v) for v in LABELS.values())
    cols = ("P", "R", "F1", "with-hit", "leak (lower is better)")
    print(f"\n{'method':<{width}}  " + "  ".join(f"{c:<20}" for c in cols).rstrip())
    figures: dict[str, Any] = {}
    for row in ROWS:
        if row not in scores:
            print(f"{LABELS[row]:<{width}}  {out.project_error}")
            continue
        s = scores[row]
        cells = [mean_ci(a, idx) for a in (s.p, s.r, s.f1, s.with_, s.leak)]
        figures[row] = {k: c[0] for k, c in zip(("p", "r", "f1", "with", "leak"), cells, strict=True)}
        print(f"{LABELS[row]:<{width}}  " + "  ".join(fmt_ci(*c) for c in cells))
    print("\npaired differences in F1 (per page, same resamples):")
    for a, b in (("clean_traf", "traf"), ("clean_dump", "dump"), ("project", "traf"), ("extract", "traf"),
                 ("clean_dump", "traf")):
        if a not in scores or b not in scores:
            continue
        d = scores[a].f1 - scores[b].f1
        m, lo, hi = mean_ci(d, idx)
        figures[f"{a}-{b}"] = (m, lo, hi)
        better, worse = int(np.sum(d > 1e-9)), int(np.sum(d < -1e-9))
        verdict = "  (interval not below 0: yes)" if (a, b) == ("clean_traf", "traf") and lo >= 0 else (
            "  (interval not below 0: NO)" if (a, b) == ("clean_traf", "traf") else "")
        print(f"  {LABELS[a] + ' - ' + LABELS[b]:<52} {m:+.4f} [{lo:+.4f}, {hi:+.4f}]  "
              f"better on {better}, worse on {worse} pages{verdict}")
    empty = {row: sum(1 for p in pages if not out.text[row].get(p.id, "").strip()) for row in scores}
    print("empty outputs: " + ", ".join(f"{LABELS[r]} {n}" for r, n in empty.items()))

    print("\nmetadata: exact match over pages whose gold has a value (casefold, white space collapsed, punctuation "
          "stripped at the ends; dates as YYYY-MM-DD);\n  gold: pages with a gold value; exact: share of those "
          "matched (n pages); spurious: a value where the gold has none + a wrong value")
    mw = 30
    print(f"{'':<12}   " + "".join(f"{META_LABELS[m]:<{mw}}" for m in META_METHODS).rstrip())
    print(f"{'field':<7}{'gold':>5}   " + "".join(f"{'exact    n  spurious':<{mw}}" for _ in META_METHODS).rstrip())
    for fld in FIELDS:
        cells = []
        for m in META_METHODS:
            if not out.meta[m]:
                cells.append(f"{'unavailable':<{mw}}")
                continue
            s = score_meta(pages, out.meta[m], fld)
            share = s.right / s.gold if s.gold else float("nan")
            figures[f"meta-{m}-{fld}"] = share
            cells.append(f"{f'{share:.3f} {s.right:>4}  {s.spurious:>4} = {s.extra}+{s.wrong}':<{mw}}")
        gold_n = sum(1 for p in pages if fld in p.gold)
        print(f"{fld:<7}{gold_n:>5}   " + "".join(cells).rstrip())

    ms = out.clean_ms
    print(f"\nclean(dump) time per page: median {statistics.median(ms):.2f} ms, mean {statistics.mean(ms):.2f} ms, "
          f"max {max(ms):.0f} ms; clean(trafilatura output): median {statistics.median(out.clean_traf_ms):.2f} ms")
    if out.errors:
        print(f"errors ({len(out.errors)}): " + "; ".join(out.errors[:5]) + (" ..." if len(out.errors) > 5 else ""))
    if worst and "clean_dump" in scores and "traf" in scores:
        d = scores["clean_dump"].f1 - scores["traf"].f1
        order = np.argsort(d, kind="stable")[:worst]
        print(f"\nworst {len(order)}: clean(dump) F1 minus trafilatura F1 (then clean(dump) P, R)")
        for i in order:
            cd = scores["clean_dump"]
            print(f"  {pages[i].id}  {d[i]:+.3f}  clean(dump) {cd.f1[i]:.3f} (P {cd.p[i]:.3f} R {cd.r[i]:.3f})  "
                  f"trafilatura {scores['traf'].f1[i]:.3f}  {pages[i].url}")
    return figures


def show(folder: Path, page_id: str, scorer: ModuleType) -> int:
    """The clean(dump) of one page: edits, text, its scores."""
    import html_text

    from dedup.clean import clean

    pages = [p for p in load_pages(folder, scorer) if p.id.startswith(page_id)]
    if not pages:
        print(f"eval-clean: no WCXB page {page_id!r}")
        return 2
    page = pages[0]
    r = clean(html_text.extract_text(read_html(page.path), guess_layout=True))
    print(r.explain())
    print("=" * 60)
    print(r.text)
    print("=" * 60, f"{page.id} {page.url}")
    print("P, R, F1:", scorer.word_f1(r.text, page.main_content), " with:", scorer.snippet_check(r.text, page.with_),
          " leak:", scorer.snippet_check(r.text, page.without) if page.without else "n/a")
    return 0


def main(arg_dir: str | None, *, worst: int = 0, show_id: str | None = None, limit: int | None = None,
         workers: int = 2, cache: str | None = None, min_f1: float | None = None) -> int:
    try:
        import html_text  # noqa: F401
    except ImportError:
        print(f"eval-clean: --wcxb needs the html-text package; install it with: {PIP}")
        return 2
    folder = find_dir(arg_dir)
    if folder is None:
        where = arg_dir or str(DEFAULT_DIR)
        print(f"eval-clean: WCXB data not found ({where}: evaluate.py and {SPLIT}/ground-truth); skipping.")
        return 2 if arg_dir else 0
    scorer = load_scorer(folder)
    if show_id:
        return show(folder, show_id, scorer)
    start = time.perf_counter()
    pages = load_pages(folder, scorer, limit)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    produced, computed, errors = gather(pages, cache_root(cache), max(1, workers), log)
    _quiet()
    out = run_methods(pages, produced, scorer, max(1, workers))
    out.errors[:0] = errors
    figures = report(folder, pages, scorer, out, worst)
    print(f"\n{len(pages)} pages, {computed} extracted now, {len(pages) - computed} from the cache "
          f"({cache_root(cache)}); {time.perf_counter() - start:.0f} s")
    if min_f1 is not None and figures.get("clean_dump", {}).get("f1", 0.0) < min_f1:
        print(f"clean(dump) F1 {figures['clean_dump']['f1']:.3f} below --min-f1 {min_f1}")
        return 1
    return 0
