"""Incremental runs: an added or changed input costs only its own work, and the result is exactly a fresh run's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import dedup.ingest
from dedup.engines.local import run
from dedup.runtime.context import Tuning
from dedup.store import Store
from tests.conftest import FIXTURES, SEEDS

STORIES = [
    "The river authority opened the new flood barrier on Monday after four years of construction work.",
    "Farmers in the valley said the late frost destroyed most of the apricot harvest this spring.",
    "The city library will stay open until midnight during the exam weeks, the council announced.",
    "A new ferry between the two islands cut the crossing time to forty minutes, operators said.",
    "The regional orchestra played its first concert in the restored opera house on Saturday.",
]


NAMES = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


def _story(i: int, extra: str = "") -> str:
    # words, not numbers, tell the stories apart: line keys read every number as "0"
    body = "\n\n".join(f"{STORIES[(i + k) % len(STORIES)]} The {NAMES[k]} part of the {NAMES[i]} story adds more."
                         for k in range(6))
    return f"{body}\n\n{extra}".strip()


def _records(n: int, furniture_from: int, changed: int | None = None) -> list[dict[str, Any]]:
    """Records of one outlet; from ``furniture_from`` on, each carries the same newsletter pitch."""
    out = []
    for i in range(n):
        pitch = "Subscribe to the Valley Courier newsletter" if i >= furniture_from else ""
        text = _story(i, pitch)
        if i == changed:
            text += "\n\nCorrection: an earlier version of this story gave the wrong date."
        out.append({"id": f"vc-{i}", "outlet": "Valley Courier", "date": f"2024-05-{i + 1:02d}", "text": text})
    return out


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _corpus(folder: Path, records: list[dict[str, Any]]) -> None:
    shutil.copytree(SEEDS, folder / "seeds", dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "wire", folder / "wire", dirs_exist_ok=True)
    _write(folder / "courier.jsonl", records)


def test_incremental_run_equals_a_fresh_run(tmp_path: Path) -> None:
    # Two documents carry the pitch at first (below the three-document furniture
    # threshold); the added ones make it corpus furniture, so the first two must be
    # cleaned again; one old record also changes. The incremental database must
    # hold exactly what a fresh run on the final corpus holds.
    inc = tmp_path / "inc"
    _corpus(inc, _records(5, furniture_from=3))
    db = str(tmp_path / "inc.db")
    first = run([str(inc)], db=db, workers=1)
    assert first.counts["processed"] == 5 + 5 + 4

    final = _records(8, furniture_from=3, changed=1)
    # a longer copy of an old record joins its cluster (the stories share sentences: one cluster grows)
    final.append({"id": "vc-0-longer", "outlet": "Valley Courier", "text": final[0]["text"]
                  + "\n\nThe council will publish the full report on its website next week, officials said."})
    _corpus(inc, final)
    second = run([str(inc)], db=db, workers=1)
    # 3 added + the longer copy + 1 changed + the 2 older holders of the pitch, now furniture
    assert second.counts["processed"] == 7
    (joined,) = [c for c in second.clusters if "vc-0-longer" in c.members]
    assert "vc-0" in joined.members and len(joined.members) > 2
    assert second.counts["unchanged"] == 5 + 5 + 4 - 1

    fresh_db = str(tmp_path / "fresh.db")  # the same final folder (sources are paths) into a new database
    run([str(inc)], db=fresh_db, workers=1)
    with Store(db) as a, Store(fresh_db) as b:
        assert a.table_fingerprint() == b.table_fingerprint()
        removed = a.db.execute(
            "select doc from edits where removed like 'Subscribe to the Valley Courier%' order by doc"
        ).fetchall()
    assert [d for (d,) in removed] == [f"vc-{i}" for i in range(3, 8)]


# Known inputs are looked up one by one, then (past LOOKUPS_BEFORE_LOAD) read all at once: both
# ways must recognise the same inputs.
@pytest.mark.parametrize("lookups", [20_000, 2])
def test_unchanged_inputs_are_recognised_without_being_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lookups: int
) -> None:
    # Parsing and hashing every line again was most of an incremental run on a
    # large JSON Lines file; a line whose bytes an earlier run stored is skipped.
    folder = tmp_path / "c"
    _corpus(folder, _records(6, furniture_from=99))
    db = str(tmp_path / "d.db")
    run([str(folder)], db=db, workers=1, tuning=Tuning(known_lookups=lookups))

    parsed: list[str] = []
    read: list[str] = []
    real_record, real_decode = dedup.ingest.record_input, dedup.ingest.decode

    def record_spy(record: Any, **kw: Any) -> dedup.ingest.RawInput:
        parsed.append(record.get("id"))
        return real_record(record, **kw)

    def decode_spy(data: bytes, source: str, encoding: str | None) -> tuple[str, str]:
        read.append(Path(source).name)
        return real_decode(data, source, encoding)

    monkeypatch.setattr(dedup.ingest, "record_input", record_spy)
    monkeypatch.setattr(dedup.ingest, "decode", decode_spy)
    again = run([str(folder)], db=db, workers=1, tuning=Tuning(known_lookups=lookups))
    assert parsed == [] and read == []
    assert again.counts["unchanged"] == 6 + 5 + 4 and again.counts["processed"] == 0

    # one record changed, one added, one seed file touched with new bytes
    _write(folder / "courier.jsonl", _records(7, furniture_from=99, changed=2))
    seed = sorted((folder / "seeds").iterdir())[3]
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA line added later.", encoding="utf-8")
    third = run([str(folder)], db=db, workers=1, tuning=Tuning(known_lookups=lookups))
    assert sorted(parsed) == ["vc-2", "vc-6"]
    assert read == [seed.name]
    assert third.counts["processed"] == 3


def test_a_known_line_is_not_trusted_once_its_document_changed(tmp_path: Path) -> None:
    # The same line bytes under the same id, but the database meanwhile stored
    # other content for that id (from another file): the line must be parsed
    # and stored again, not skipped on the strength of the old entry.
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    old = {"id": "x", "text": _story(1)}
    _write(a, [old])
    _write(b, [{"id": "x", "text": _story(2)}])
    db = str(tmp_path / "d.db")
    run([str(a)], db=db, workers=1)
    run([str(b)], db=db, workers=1)
    third = run([str(a)], db=db, workers=1)
    assert third.counts["processed"] == 1
    with Store(db) as store:
        assert store.texts(["x"])["x"].startswith(_story(1)[:40])


def test_adding_a_file_keeps_the_other_files_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A corpus grows by runs over new files alone; the next run over an old
    # file must still skip its lines, not parse them all again.
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write(a, _records(4, furniture_from=99))
    _write(b, [{"id": "new", "text": _story(9)}])
    db = str(tmp_path / "d.db")
    run([str(a)], db=db, workers=1)
    run([str(b)], db=db, workers=1)
    parsed: list[str] = []
    real_record = dedup.ingest.record_input

    def record_spy(record: Any, **kw: Any) -> dedup.ingest.RawInput:
        parsed.append(record.get("id"))
        return real_record(record, **kw)

    monkeypatch.setattr(dedup.ingest, "record_input", record_spy)
    again = run([str(a)], db=db, workers=1)
    assert parsed == [] and again.counts["unchanged"] == 4 and again.counts["documents"] == 5


def test_a_file_modified_moments_ago_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Within one mtime tick a file can change again and keep its size; such a "racily
    # clean" file is not remembered by its stat, so the next run reads it again.
    import os

    folder = tmp_path / "c"
    folder.mkdir()
    old, fresh = folder / "old.txt", folder / "fresh.txt"
    old.write_text(_story(1), encoding="utf-8")
    fresh.write_text(_story(2), encoding="utf-8")
    os.utime(old, ns=(old.stat().st_atime_ns, old.stat().st_mtime_ns - 60_000_000_000))
    db = str(tmp_path / "d.db")
    run([str(folder)], db=db, workers=1)
    read: list[str] = []
    real_decode = dedup.ingest.decode

    def decode_spy(data: bytes, source: str, encoding: str | None) -> tuple[str, str]:
        read.append(Path(source).name)
        return real_decode(data, source, encoding)

    monkeypatch.setattr(dedup.ingest, "decode", decode_spy)
    again = run([str(folder)], db=db, workers=1)
    assert read == ["fresh.txt"] and again.counts["unchanged"] == 2


def test_furniture_counts_snapshot_gives_the_counts_of_the_records() -> None:
    # The furniture stage gathers the last run's line counts instead of reading 100k records;
    # whatever documents came, went or repeat, the arrays must be those of the records themselves.
    import random

    import numpy as np

    from dedup.clean.corpus import LineCounts
    from dedup.runtime.furniture_cache import CountsSnapshot, pack_outlet, unpack_outlet

    rng = random.Random(5)

    def record(k: int) -> bytes:
        n = k % 7  # some documents have no counted line
        hashes = np.array([rng.randrange(-(2**62), 2**62) for _ in range(n)], dtype=np.int64)
        long = np.array([rng.random() < 0.5 for _ in range(n)], dtype=np.bool_)
        return pack_outlet(None if k % 3 else f"outlet {k % 5}") + hashes.tobytes() + long.tobytes()

    records = {f"r{k}": record(k) for k in range(60)}

    def counts(names: list[str]) -> LineCounts:
        return LineCounts.from_records(unpack_outlet(records[n]) for n in names)

    prior = CountsSnapshot([], LineCounts())
    for _ in range(25):
        names = sorted(rng.sample(sorted(records), rng.randrange(0, 40)))
        names += rng.sample(names, min(len(names), 2))  # the same content twice
        prior = CountsSnapshot.load(CountsSnapshot(prior.names, prior.counts).dump())
        got = prior.counts_of(names, {n: records[n] for n in prior.lacking(names)})
        want = counts(names)
        assert got.hashes.tolist() == want.hashes.tolist() and got.long.tolist() == want.long.tolist()
        assert got.ends.tolist() == want.ends.tolist() and got.outlets == want.outlets
        prior = CountsSnapshot(names, got)
