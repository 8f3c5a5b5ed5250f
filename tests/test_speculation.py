"""Cleaning at ingest, without furniture, gives the database a run without it gives.

Ingest cleans every new document as if the corpus had no furniture, and the
clean stage cleans again only those that looked up a line of the corpus
furniture. These tests compare whole databases with the speculation on and
off, on corpora where furniture appears as whole lines, inside a line the
cleaner joins, and only in an incremental run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from dedup.engines.local import run
from dedup.runtime.context import Tuning
from dedup.store import Store
from tests.corpora import generated


def _records(n: int, seed: int) -> list[dict[str, Any]]:
    records, _ = generated(n, seed)
    for i, r in enumerate(records):
        if i % 3 == 0:
            # whole-line furniture after the first paragraph
            r["text"] = r["text"].replace("\n\n", "\n\nShare this article\n\n", 1)
        if i % 5 == 0:
            # a furniture line glued under the last paragraph (the cleaner sees it inside a longer line)
            r["text"] += "\nRead more: Advertisement"
    return records


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


class _CleanStageSizes:
    """A progress callback that keeps the size the clean stage announces."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, stage: str, advance: int, total: int | None) -> None:
        if stage == "clean" and total is not None:
            self.sizes.append(total)


@pytest.mark.parametrize("workers", [1, 2])
def test_cleaning_at_ingest_changes_nothing(tmp_path: Path, workers: int) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _write(corpus, _records(1200, seed=9))
    progress = _CleanStageSizes()
    sizes = progress.sizes
    on = run([str(corpus)], db=str(tmp_path / "on.db"), workers=workers, progress=progress)
    off = run([str(corpus)], db=str(tmp_path / "off.db"), workers=workers, progress=progress,
              tuning=Tuning(speculate=False))
    assert on.counts == off.counts
    # with it, the clean stage cleaned only the holders of furniture lines; without it, everything
    assert sizes[1] == 1200
    holders = sum(1 for _, furniture_key in Store(str(tmp_path / "on.db")).clean_keys().values() if furniture_key)
    assert 0 < holders < 1200 and sizes[0] == holders
    assert Store(str(tmp_path / "on.db")).table_fingerprint() == Store(str(tmp_path / "off.db")).table_fingerprint()


def test_cleaning_at_ingest_in_an_incremental_run(tmp_path: Path) -> None:
    # The first run has too few holders for the line to be furniture; the added documents make
    # it furniture, so old holders are cleaned again, and new ones cleaned at ingest are cleaned
    # again too. Compared with the same two runs without cleaning at ingest (an incremental
    # database differs from a fresh one in the furniture evidence counts of old edits: see the
    # README's known gaps).
    records = _records(900, seed=4)
    dbs = []
    for speculate in (True, False):
        folder = tmp_path / "in"  # the same path both times: it is stored as each document's source
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        db = str(tmp_path / f"{speculate}.db")
        _write(folder / "a.jsonl", records[:300])
        run([str(folder)], db=db, workers=2, tuning=Tuning(speculate=speculate))
        _write(folder / "b.jsonl", records[300:])
        run([str(folder)], db=db, workers=2, tuning=Tuning(speculate=speculate))
        dbs.append(Store(db).table_fingerprint())
    assert dbs[0] == dbs[1]
