"""Golden fingerprints of every result table, to prove that a restructuring changed no result.

A scenario runs one corpus through one engine into a fresh database, either in one run
(``fresh``) or as a first run followed by a second after inputs were added and one changed
(``incremental``), and fingerprints every table but the run bookkeeping (``runs``,
``problems``, ``cache``) and the columns that name the code rather than the result
(``clean_key``: the cleaning code's stamp, also written as ``<clean>`` inside text keys). The
version stamps themselves are recorded apart
(:func:`versions`), so that a deliberate change of how they are derived shows as exactly that.

``python -m tests.golden record`` rewrites ``tests/golden.json``; ``python -m tests.golden check``
compares (the test ``tests/test_golden.py`` does the same, scenario by scenario).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DATA = ROOT.parent / "shared" / "data"
GOLDEN = Path(__file__).resolve().parent / "golden.json"
# Columns that stamp the code that made a row, not what the row says.
CODE_COLUMNS = ("clean_key", "first_run", "last_run", "last_seen")
SKIP_TABLES = ("runs", "problems", "cache")

Corpus = Callable[[Path], tuple[list[str], list[str]]]


def table_fingerprints(db: Path, folder: Path | None = None) -> dict[str, str]:
    """One sha256 per table: every row, in a stable order, of every column but :data:`CODE_COLUMNS`,
    with the corpus ``folder`` (in the documents' ``source``) written as ``<dir>``."""
    import sqlite3

    conn = sqlite3.connect(str(db))
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' order by name")]
        # the cleaning code's stamp is part of every text key (alignments' doc_key, against_key)
        stamps = sorted({r[0] for r in conn.execute("select distinct clean_key from documents") if r[0]})
        out = {}
        for name in names:
            if name in SKIP_TABLES or name.startswith("sqlite_"):
                continue
            cols = [r[1] for r in conn.execute(f"pragma table_info([{name}])") if r[1] not in CODE_COLUMNS]
            order = ", ".join(f"[{c}]" for c in cols)
            h = hashlib.sha256()
            for row in conn.execute(f"select {order} from [{name}] order by {order}"):
                text = repr(row)
                for stamp in stamps:
                    text = text.replace(stamp, "<clean>")
                h.update((text.replace(str(folder), "<dir>") if folder else text).encode())
            out[name] = h.hexdigest()[:24]
        return out
    finally:
        conn.close()


def versions() -> dict[str, str]:
    """The version stamps that key stored and cached results."""
    from dedup.engines.stages import clean_version
    from dedup.reuse.params import ReuseParams

    return {"clean_version": clean_version(), "reuse_digest": ReuseParams().digest()}


# -- corpora: each writes its first and its final inputs under a folder -----------------------
def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def fixtures(folder: Path) -> tuple[list[str], list[str]]:
    """The project's fixtures; the incremental step adds the wire folder and changes one seed."""
    corpus = folder / "fixtures"
    shutil.copytree(FIXTURES, corpus, ignore=shutil.ignore_patterns("wire", "README"))
    return [str(corpus)], [str(corpus)]


def _fixtures_more(folder: Path) -> None:
    corpus = folder / "fixtures"
    shutil.copytree(FIXTURES / "wire", corpus / "wire")
    seed = sorted((corpus / "seeds").iterdir())[3]
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA closing line added to one seed.\n", encoding="utf-8")


def generated(folder: Path) -> tuple[list[str], list[str]]:
    """2,000 generated news records (scripts/benchgen.py, seed 7); the last 200 arrive later."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from benchgen import generate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    records = generate(2000, seed=7).records
    _write_jsonl(folder / "gen" / "a.jsonl", records[:1800])
    _write_jsonl(folder / "later" / "b.jsonl", records[1800:])
    return [str(folder / "gen")], [str(folder / "gen")]


def _generated_more(folder: Path) -> None:
    shutil.move(str(folder / "later" / "b.jsonl"), str(folder / "gen" / "b.jsonl"))


def helsinki_records() -> list[dict[str, Any]]:
    """The Helsinki scrape as ``scripts/eval-reuse --helsinki`` loads it."""
    path = DATA / "helsinki" / "helsinki_articles.csv"
    csv.field_size_limit(1 << 30)
    records: list[dict[str, Any]] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            blocks = [b.strip() for b in row["text"].split(" ### ")]
            records.append({"id": f"h{int(row['id']):05d}", "text": "\n\n".join(b for b in blocks if b),
                            "title": blocks[0] if blocks else None, "outlet": row["publisher"],
                            "scraped_at": row["scrape_time"][:10] or None})
    return records


def helsinki(folder: Path) -> tuple[list[str], list[str]]:
    records = helsinki_records()
    _write_jsonl(folder / "h" / "a.jsonl", records[:550])
    _write_jsonl(folder / "later" / "b.jsonl", records[550:])
    return [str(folder / "h")], [str(folder / "h")]


def _helsinki_more(folder: Path) -> None:
    shutil.move(str(folder / "later" / "b.jsonl"), str(folder / "h" / "b.jsonl"))


CORPORA: dict[str, tuple[Corpus, Callable[[Path], None]]] = {
    "fixtures": (fixtures, _fixtures_more),
    "generated": (generated, _generated_more),
    "helsinki": (helsinki, _helsinki_more),
}
ENGINES = ("local", "spark")
MODES = ("fresh", "incremental")


def available(corpus: str) -> str | None:
    """Why a corpus cannot be built here, or None."""
    if corpus == "helsinki" and not (DATA / "helsinki" / "helsinki_articles.csv").is_file():
        return "../shared/data/helsinki is not here"
    if corpus == "generated" and not (DATA / "bbc").is_dir():
        return "../shared/data/bbc is not here (the generator's words differ without it)"
    return None


def run_scenario(corpus: str, engine: str, mode: str, folder: Path, spark: Any = None) -> dict[str, str]:
    """Table fingerprints of one scenario, run in ``folder``."""
    from dedup.engines.local import run

    make, more = CORPORA[corpus]
    first, final = make(folder)
    db = folder / "run.db"

    def once(paths: list[str]) -> None:
        if engine == "local":
            run(paths, db=str(db), workers=2)
        else:
            from dedup.engines.spark import run_spark

            run_spark(paths, db=str(db), spark=spark, workers=2)

    if mode == "incremental":
        once(first)
        more(folder)
    else:
        more(folder)
    once(final)
    return table_fingerprints(db, folder)


def scenario_names() -> list[str]:
    return [f"{c}/{e}/{m}" for c in CORPORA for e in ENGINES for m in MODES]


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "check"
    only = set(argv[1:])
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    got: dict[str, Any] = {"versions": versions(), "scenarios": {}}
    spark_cm = None
    spark = None
    try:
        for name in scenario_names():
            if only and name not in only and name.split("/")[0] not in only:
                continue
            corpus, engine, mode = name.split("/")
            if (why := available(corpus)) is not None:
                print(f"skip {name}: {why}")
                continue
            if engine == "spark" and spark is None:
                from dedup.engines.spark import spark_session

                spark_cm = spark_session("local[2]")
                spark = spark_cm.__enter__()
            with tempfile.TemporaryDirectory() as tmp:
                got["scenarios"][name] = run_scenario(corpus, engine, mode, Path(tmp), spark)
            same = golden.get("scenarios", {}).get(name) == got["scenarios"][name]
            print(f"{name}: {'same' if same else 'DIFFERENT'}", flush=True)
    finally:
        if spark_cm is not None:
            spark_cm.__exit__(None, None, None)
    if action == "record":
        merged = {"versions": got["versions"], "scenarios": {**golden.get("scenarios", {}), **got["scenarios"]}}
        GOLDEN.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN}")
        return 0
    print(f"versions: {'same' if golden.get('versions') == got['versions'] else 'DIFFERENT'} {got['versions']}")
    return 0 if all(golden.get("scenarios", {}).get(k) == v for k, v in got["scenarios"].items()) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
