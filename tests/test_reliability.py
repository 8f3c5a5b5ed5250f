"""Bad input, crashes, concurrent runs, hostile content: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from dedup.ingest import iter_inputs
from dedup.models import Problem
from dedup.store import Store
from tests.conftest import ROOT, SEEDS, invoke


@contextmanager
def hang_guard(seconds: int) -> Iterator[None]:
    """Fail instead of hanging forever (not a timing assertion: the bound is generous)."""

    def boom(signum: int, frame: Any) -> None:
        raise TimeoutError(f"did not finish within {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _problems(*paths: str) -> tuple[list[str], list[Problem]]:
    ids, problems = [], []
    for item in iter_inputs(paths):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            ids.append(item.id)
    return ids, problems


def test_fifty_megabyte_document_is_refused_with_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        line = b"All work and no play makes a very long article indeed. " * 20 + b"\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    (tmp_path / "ok.txt").write_text("A normal article.", encoding="utf-8")
    ids, problems = _problems(str(tmp_path))
    assert ids == ["ok.txt"]
    assert problems[0].path == str(big) and "over the 20 MiB limit for one document" in problems[0].reason


def test_utf8_declared_but_invalid_is_reported(tmp_path: Path) -> None:
    page = b'<html><head><meta charset="utf-8"><title>Caf\xe9</title></head><body><p>Caf\xe9</p></body></html>'
    (tmp_path / "page.html").write_bytes(page)
    ids, problems = _problems(str(tmp_path))
    assert ids == [] and "declares utf-8 but is not valid UTF-8 at byte 44" in problems[0].reason
    assert "try --encoding=cp1252" in problems[0].reason


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # root reads any file whatever its mode, so the refusal is simulated where the OS would give it
    (tmp_path / "locked.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "open.txt").write_text("public", encoding="utf-8")
    real = Path.open

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    ids, problems = _problems(str(tmp_path))
    assert ids == ["open.txt"]
    assert problems == [Problem(str(tmp_path / "locked.txt"), "cannot read (Permission denied)")]


def test_awkward_file_names(tmp_path: Path) -> None:
    names = ["with space.txt", "new\nline.txt", "ünïcødé – 東京.txt"]
    for name in names:
        (tmp_path / name).write_text(f"The article called {name!r} has text.", encoding="utf-8")
    # (the results go beside the folder: inside it, the next run would read them as an input)
    db, out = tmp_path / "n.db", tmp_path.with_name(tmp_path.name + "-n.json")
    result = invoke("run", str(tmp_path), "--db", str(db), "--json", str(out), "-q")
    assert result.exit_code == 0, result.stderr
    assert sorted(d["id"] for d in json.loads(out.read_text())["documents"]) == sorted(names)


def test_hostile_html_is_processed_or_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "deep.html").write_text("<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 10
                                        + "</body></html>", encoding="utf-8")
    (tmp_path / "truncated.html").write_text(
        "<html><head><title>Cut</title></head><body><article><p>This page was cut off in the middle of a "
        "paragraph that goes on and on about the council vote and the", encoding="utf-8")
    for seed in sorted(SEEDS.iterdir())[:2]:
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path.with_name(tmp_path.name + "-h.json")
    with hang_guard(300):
        result = invoke("run", str(tmp_path), "--db", str(tmp_path / "h.db"), "--json", str(out),
                        "-q", "--workers", "1")
    report = json.loads(out.read_text())
    ids = {d["id"] for d in report["documents"]}
    reported = {Path(p["path"]).name for p in report["problems"]}
    assert {"000_89cf9391601ca72f.txt", "001_447c06cfcd3380de.txt"} <= ids
    # every input is either a document or a reported problem: nothing silently lost
    assert {"deep.html", "truncated.html"} <= ids | reported
    assert result.exit_code == (1 if reported else 0)


@pytest.mark.parametrize("line", [
    "a " * 500_000,
    "." * 1_000_000,
    "\u201c" * 1_000_000,
    "According to " * 80_000,
    "(" * 500_000 + ")" * 500_000,
    "PHOTO/" * 170_000,
    "Mr. " * 250_000,
    "x" * 1_000_000,
])
def test_adversarial_megabyte_lines_finish(line: str, tmp_path: Path) -> None:
    # every regular expression on input (cleaning, passages, attribution) sees these lines
    from dedup.engines.local import run_records

    with hang_guard(120):
        result = run_records([{"id": "evil", "text": line}, {"id": "ok", "text": "A short normal article."}],
                             workers=1)
    assert result.exit_status in (0, 1)
    assert "ok" in {d.id for d in result.documents}


def _corpus(tmp_path: Path, n: int = 400) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    from benchgen import generate

    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i, r in enumerate(generate(n, seed=3).records):
            if i % 4 == 0:
                # corpus furniture: its holders are cleaned again after ingest cleaned them without it,
                # so the clean stage has work to be interrupted in
                r["text"] = r["text"].replace("\n\n", "\n\nShare this article\n\n", 1)
            f.write(json.dumps(r) + "\n")
    return path


def _dedup(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dedup", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})}, cwd=ROOT)


@pytest.mark.parametrize("stage", ["ingest", "furniture", "clean:1", "cluster", "damage", "reuse", "reuse:pool",
                                   "store"])
def test_killed_run_then_rerun_equals_uninterrupted(stage: str, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    assert _dedup("run", str(corpus), "--db", str(clean_db), "-q", "--workers", "2").returncode == 0
    killed = _dedup("run", str(corpus), "--db", str(killed_db), "-q", "--workers", "2",
                    env={"DEDUP_FAULT": stage})
    assert killed.returncode == -signal.SIGKILL
    again = _dedup("run", str(corpus), "--db", str(killed_db), "-q", "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert Store(str(killed_db)).table_fingerprint() == Store(str(clean_db)).table_fingerprint()
    assert sqlite3.connect(killed_db).execute("pragma integrity_check").fetchone() == ("ok",)


def test_two_concurrent_runs_never_corrupt_or_double(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 300)
    db = tmp_path / "shared.db"
    procs = [
        subprocess.Popen([sys.executable, "-m", "dedup", "run", str(corpus), "--db", str(db), "-q",
                          "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(2)
    ]
    outcomes = [(p.wait(), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in outcomes)
    assert codes in ([0, 0], [0, 2])
    for code, err in outcomes:
        if code == 2:
            assert "is being written by another dedup run" in err
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert conn.execute("select count(*), count(distinct id) from documents").fetchone() == (300, 300)


def test_hostile_ids_cannot_escape_the_export_folder(tmp_path: Path) -> None:
    from dedup.export import safe_relative_path

    hostile = ["../../etc/passwd", "/abs/path.txt", "a\x00b\nc", "..", "", "C:\\Windows\\x", "ok/../../up"]
    records = [{"id": i or "empty", "text": f"Text number {n} of a hostile id."} for n, i in enumerate(hostile)]
    lines = "\n".join(json.dumps(r) for r in records)
    db = tmp_path / "h.db"
    assert invoke("run", "-", "--db", str(db), "-q", input=lines).exit_code == 0
    out = tmp_path / "out"
    result = invoke("export", "--db", str(db), "--format", "txt", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt"))
    assert len(written) == len(records)
    assert all(".." not in p.split("/") for p in written)
    assert not any(p.name != "out" and p.is_file() for p in tmp_path.iterdir() if p.suffix == ".txt")
    assert safe_relative_path("../../etc/passwd").as_posix() == "etc/passwd.txt"
    assert safe_relative_path("a\x00b\nc").as_posix() == "a_b_c.txt"


def test_duplicate_ids_with_different_content_are_reported_not_doubled(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(r) for r in [
        {"id": "x", "text": "The first story about the harbour."},
        {"id": "x", "text": "A different story that reuses the id."},
        {"id": "x", "text": "The first story about the harbour."},
    ])
    out = tmp_path / "o.jsonl"
    result = invoke("run", "-", "--db", str(tmp_path / "d.db"), "--jsonl-out", str(out), "-q", input=lines)
    assert result.exit_code == 1
    assert "duplicate id 'x' with different content (first seen in <stdin>); kept the first" in result.stderr
    conn = sqlite3.connect(tmp_path / "d.db")
    assert conn.execute("select count(*), max(text) from documents").fetchone() == (
        1, "The first story about the harbour.")


def test_run_spool_survives_forked_workers() -> None:
    # Pass-1 records of a run wait in a temporary file while pool workers are forked; a worker
    # that ends through interpreter shutdown (closing its copy of the file) must not move, flush
    # or write anything the parent reads back.
    from dedup.runtime.blobs import MemoryCache, RunSpool

    inner = MemoryCache()
    inner.put_many([("kept", b"in the database")])
    spool = RunSpool(inner)
    values = {f"1:{i}": bytes([i % 251]) * (1 + i * 37 % 3000) for i in range(400)}
    spool.spool(list(values.items())[:200])
    pid = os.fork()
    if pid == 0:  # the child reads, then exits the way a crashing worker would
        spool.get_many(list(values)[:50])
        spool.close()
        os._exit(0)
    os.waitpid(pid, 0)
    spool.spool(list(values.items())[200:])
    got = spool.get_many([*values, "kept", "missing"])
    assert got == {**values, "kept": b"in the database"}
    spool.close()
