"""Progress of a run (issue 18: "progress goes silent"): every stage of ``dedup run`` has a bar with a
total, given before the stage's first step, whose steps add up to it; ingest's total is known before
the inputs are read; long stages move in many steps, and the callback is called in aggregate."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from dedup.config import Config
from dedup.engines.local import run, run_records
from dedup.runtime.progress import IngestMeter, Meter, input_files
from dedup.runtime.reuse_runner import find_reuses
from dedup.runtime.reuse_tuning import ReuseTuning
from tests.conftest import invoke

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Recorder:
    """A progress callback that keeps every call: (stage, advance, total)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, stage: str, advance: int, total: int | None) -> None:
        self.calls.append((stage, advance, total))

    def stages(self) -> list[str]:
        return list(dict.fromkeys(stage for stage, _, _ in self.calls))

    def advances(self, stage: str) -> list[int]:
        return [a for s, a, _ in self.calls if s == stage and a]

    def total(self, stage: str) -> int | None:
        """The stage's last total."""
        totals = [t for s, _, t in self.calls if s == stage and t is not None]
        return totals[-1] if totals else None

    def check(self, stage: str) -> None:
        """A total before (or with) the first step, never below what is done; the steps add up to it."""
        done = 0
        total: int | None = None
        for s, advance, t in self.calls:
            if s != stage:
                continue
            assert advance >= 0, (stage, advance)
            if t is not None:
                assert t >= done, f"{stage}: total {t} below the {done} done"
                total = t
            if advance:
                assert total is not None, f"{stage}: advanced before any total"
            done += advance
        assert total is not None, f"{stage}: no total"
        assert done == total, f"{stage}: advances add up to {done}, total {total}"


@pytest.mark.parametrize("workers", [1, 2])
def test_every_stage_has_a_total_before_it_moves_and_its_steps_add_up(tmp_path: Path, workers: int) -> None:
    progress = Recorder()
    result = run([str(FIXTURES)], db=str(tmp_path / "run.db"), workers=workers, progress=progress)
    # (the corpus has copies, quotations and citations: every stage had work)
    assert any(len(c.members) > 1 for c in result.clusters)
    assert result.reuses and result.citations
    stages = progress.stages()
    assert stages == ["ingest", "clean", "cluster", "damage", "quotations", "citations", "store"]
    for stage in stages:
        progress.check(stage)
    assert progress.total("damage") == sum(2 * len(c.members) - 1 for c in result.clusters if len(c.members) > 1)
    # an unchanged rerun: the same stages, each with nothing left to do or done at once
    again = Recorder()
    run([str(FIXTURES)], db=str(tmp_path / "run.db"), workers=workers, progress=again)
    assert again.stages() == stages
    for stage in stages:
        again.check(stage)
    assert again.total("clean") == 0 and again.total("damage") == 0


def test_ingest_counts_the_files_of_a_folder_before_reading_them(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    for i in range(7):
        (folder / f"a{i}.txt").write_text(f"Story {i} about the harbour and its tram line, told once.", "utf-8")
    (folder / "sub" / "b.html").write_text("<html><body><p>A page about the ferry and its new timetable.</p>"
                                           "</body></html>", "utf-8")
    (folder / "sub" / "c.txt.gz").write_bytes(gzip.compress(b"A compressed story about the bridge repairs."))
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not an input")
    (folder / ".hidden" / "d.txt").write_text("hidden, never read", "utf-8")
    (folder / ".e.txt").write_text("hidden, never read", "utf-8")
    assert len(input_files([str(folder)]) or {}) == 9
    progress = Recorder()
    result = run([str(folder)], db=str(tmp_path / "run.db"), workers=1, progress=progress)
    assert result.counts["inputs"] == 9
    # the total is the first thing ingest says, before any input is read
    assert progress.calls[0] == ("ingest", 0, 9)
    progress.check("ingest")
    assert len(progress.advances("ingest")) > 1


def test_ingest_counts_bytes_when_a_file_holds_many_records(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    lines = [json.dumps({"id": f"r{i}", "text": f"Record {i}: the council met on the tram line again. " * 20})
             for i in range(300)]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "page.txt").write_text("A page of its own about the harbour.", "utf-8")
    size = sum(p.stat().st_size for p in folder.iterdir())
    progress = Recorder()
    run([str(folder)], db=str(tmp_path / "run.db"), workers=1, progress=progress)
    assert progress.calls[0] == ("ingest", 0, size)
    progress.check("ingest")
    # the records of the one file move the bar, not only its end
    assert len(progress.advances("ingest")) > 10


def test_ingest_from_standard_input_has_no_total_until_it_ends(tmp_path: Path) -> None:
    progress = Recorder()
    records = [{"id": f"r{i}", "text": f"Record {i} about the ferry timetable and the harbour."} for i in range(40)]
    run_records(records, db=str(tmp_path / "run.db"), workers=1, progress=progress)
    ingest = [(a, t) for s, a, t in progress.calls if s == "ingest"]
    assert ingest[0] == (0, None)
    assert sum(a for a, _ in ingest) == 40 and ingest[-1][1] == 40


@pytest.mark.parametrize("workers", [1, 2])
def test_the_clean_stage_moves_in_many_steps(tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(300):
        (folder / f"{i:03d}.txt").write_text(
            f"Article {i}. " + " ".join(f"word{i}x{k}" for k in range(60)) + "\n\nThe end of article {i}.", "utf-8")
    progress = Recorder()
    run([str(folder)], db=str(tmp_path / "run.db"), workers=workers, progress=progress)
    progress.check("clean")
    assert progress.total("clean") == 300
    # (at least eight tasks per worker: a bar that moves, and no worker left with the last long batch)
    assert len(progress.advances("clean")) >= 8


def test_a_meter_calls_back_in_aggregate() -> None:
    progress = Recorder()
    meter = Meter(progress, "pairs", 1_000_000)
    for _ in range(1_000_000):
        meter.add(1)
    meter.close()
    progress.check("pairs")
    assert len(progress.calls) <= 1_002
    # never past its total, and a total found later is told
    progress = Recorder()
    meter = Meter(progress, "stage")
    meter.add(5)
    meter.expect(10)
    meter.add(50)
    meter.grow(5)
    meter.close()
    progress.check("stage")
    assert progress.total("stage") == 15


def test_a_compressed_file_of_records_moves_the_bar_without_overrunning_it(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(
        json.dumps({"id": f"r{i}", "text": "the same words again " * 50}).encode() + b"\n" for i in range(200))))
    progress = Recorder()
    run([str(path)], db=str(tmp_path / "run.db"), workers=1, progress=progress)
    assert progress.calls[0] == ("ingest", 0, path.stat().st_size)
    progress.check("ingest")
    # (the text is longer than the compressed bytes: the bar slows down, it does not fill at the first records)
    first_half = sum(progress.advances("ingest")[: len(progress.advances("ingest")) // 2])
    assert first_half < path.stat().st_size


def test_an_ingest_meter_counts_a_file_named_twice_once(tmp_path: Path) -> None:
    page = tmp_path / "a.txt"
    page.write_text("One page.", "utf-8")
    progress = Recorder()
    meter = IngestMeter(progress, [str(page), str(page)])
    assert progress.calls == [("ingest", 0, 1)]
    meter.meter.close()
    progress.check("ingest")


def test_quotations_move_as_group_pairs_come_back_and_cutting_them_finer_changes_nothing(tmp_path: Path) -> None:
    result = run([str(FIXTURES)], db=str(tmp_path / "run.db"), workers=1)
    docs, clusters, config = list(result.documents), result.clusters, Config()
    plain = find_reuses(docs, clusters, config)
    progress = Recorder()
    fine = find_reuses(docs, clusters, config, tuning=ReuseTuning(pass2_chunk_docs=3, pass2_chunk_pairs=1),
                       progress=progress)
    assert fine == plain and plain[0] and plain[1]
    assert progress.stages() == ["quotations", "citations"]
    progress.check("quotations")
    progress.check("citations")
    assert len(progress.advances("quotations")) > 2


def test_the_command_draws_a_bar_per_stage_on_a_terminal_and_nothing_with_quiet(tmp_path: Path) -> None:
    from rich.console import Console
    from rich.progress import Progress

    from dedup.cli import _Count, _RichProgress, _short

    assert [_short(n) for n in (7, 99_999, 120_000, 2_823_068)] == ["7", "99999", "120k", "2.82M"]
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with Progress(_Count(), console=console, auto_refresh=False) as bar:
        adapter = _RichProgress(bar)
        run([str(FIXTURES / "wire")], db=str(tmp_path / "t.db"), workers=1, progress=adapter)
        shown = {bar.tasks[i].description: (bar.tasks[i].completed, bar.tasks[i].total) for i in adapter.tasks.values()}
    assert list(shown) == ["ingest", "clean", "cluster", "damage", "quotations", "citations", "store"]
    assert all(total is not None and done == total for done, total in shown.values())
    assert shown["ingest"] == (4, 4)
    out = invoke("run", str(FIXTURES / "wire"), "--db", str(tmp_path / "q.db"), "-q")
    assert out.exit_code == 0 and out.output == ""
