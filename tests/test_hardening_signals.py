"""Issue 17, findings 7 and 8: a run stopped by a signal leaves no process and no lock behind, and
every way a run can end has its own exit status, a one-line message and no traceback.

Runs here are real ``python -m dedup run`` processes in a session of their own, so that every
process they fork can be found afterwards (by session id, in /proc) whatever happened to its
parent. ``DEDUP_FAULT=<stage>`` stops a run at a fault point (:func:`dedup.runtime.context.fault_point`);
``DEDUP_FAULT_SIGNAL`` says how: ``KILL`` (the default), ``TERM``, ``STOP`` (the test then signals
the stopped run from outside, with the pool's workers still busy) or ``crash`` (an exception).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dedup.store import Store
from tests.conftest import ROOT, invoke
from tests.test_reliability import _corpus

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

#: every fault point of a local run; "reuse:pool" is inside the quotation stage, its pool busy
STAGES = ["ingest", "furniture", "clean:1", "cluster", "damage", "reuse", "reuse:pool", "store"]
#: the stage the runs table names for each fault point (the last stage the run had entered)
RECORDED = {"ingest": "ingest", "furniture": "furniture", "clean:1": "clean+fingerprint", "cluster": "signatures",
            "damage": "cluster", "reuse": "damage", "reuse:pool": "reuse", "store": "reuse"}


# ----------------------------------------------------------------------------- helpers
def session_processes(sid: int) -> dict[int, str]:
    """Live processes of session ``sid`` (pid -> command line), zombies left out."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            found[int(entry)] = cmdline
    return found


def state_of(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return stat[stat.rindex(")") + 2:].split()[0]


def survivors(sid: int, seconds: float = 5.0) -> dict[int, str]:
    """The processes of session ``sid`` still alive after up to ``seconds`` (none: returns at once)."""
    end = time.monotonic() + seconds
    while True:
        left = session_processes(sid)
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.05)


class Run:
    """A ``dedup run`` in a session of its own; reaped, and everything of its session killed, on close."""

    def __init__(self, corpus: Path, db: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dedup", "run", str(corpus), "--db", str(db), "-q", "--workers", "2", *extra],
            # DEDUP_DEBUG: a run that hangs while it unwinds dumps its threads' stacks (nothing otherwise)
            cwd=ROOT, env={**os.environ, "DEDUP_DEBUG": "1", **(env or {})}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.sid = self.proc.pid
        self.stderr = ""

    def wait_stopped(self, seconds: float = 120) -> None:
        end = time.monotonic() + seconds
        while state_of(self.proc.pid) != "T":
            assert self.proc.poll() is None, f"the run ended ({self.proc.returncode}) before its fault point"
            assert time.monotonic() < end, "the run never reached its fault point"
            time.sleep(0.02)

    def wait(self, seconds: float = 120) -> int:
        _, err = self.proc.communicate(timeout=seconds)
        self.stderr = err.decode("utf-8", "replace")
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pid in session_processes(self.sid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        run.close()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus and the table fingerprint of its uninterrupted run (made once for the module)."""
    tmp = tmp_path_factory.mktemp("baseline")
    corpus = _corpus(tmp, 300)  # (more than one ingest batch of 256; work in every stage and in the quotation pool)
    db = tmp / "clean.db"
    done = subprocess.run([sys.executable, "-m", "dedup", "run", str(corpus), "--db", str(db), "-q", "--workers", "2"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with Store(str(db)) as store:
        return {"corpus": corpus, "fingerprint": store.table_fingerprint()}


def assert_rerun_equals_uninterrupted(baseline: dict[str, Any], db: Path) -> None:
    """The lock is free (the rerun is not refused with exit 2) and the rerun's tables equal an
    uninterrupted run's."""
    again = subprocess.run([sys.executable, "-m", "dedup", "run", str(baseline["corpus"]), "--db", str(db), "-q",
                            "--workers", "2"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    with Store(str(db)) as store:
        assert store.table_fingerprint() == baseline["fingerprint"]
    assert sqlite3.connect(db).execute("pragma integrity_check").fetchone() == ("ok",)


def last_run(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("select * from runs order by id desc limit 1").fetchone())
    conn.close()
    row["counts"] = json.loads(row["counts"] or "{}")
    return row


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    return lines[0]


# ----------------------------------------------------------------------------- finding 7
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_signal_while_the_quotation_pool_is_busy_leaves_no_process_and_no_lock(
    how: str, baseline: dict[str, Any], tmp_path: Path, runs: list[Run]
) -> None:
    # The run stops itself inside the quotation stage with work in its pool; the test signals it from
    # outside, as a user or a service manager would, knowing the pids of its workers.
    db = tmp_path / "killed.db"
    run = Run(baseline["corpus"], db, env={"DEDUP_FAULT": "reuse:pool", "DEDUP_FAULT_SIGNAL": "STOP"})
    runs.append(run)
    run.wait_stopped()
    before = session_processes(run.sid)
    workers = {pid for pid in before if pid != run.proc.pid}
    assert workers, f"no pool worker was running: {before}"
    if how == "SIGKILL":
        os.kill(run.proc.pid, signal.SIGKILL)
    else:
        os.kill(run.proc.pid, signal.SIGTERM)
        os.kill(run.proc.pid, signal.SIGCONT)
    code = run.wait()
    assert survivors(run.sid) == {}
    if how == "SIGKILL":
        assert code == -signal.SIGKILL
    else:
        assert code == 143
        assert "interrupted by SIGTERM" in one_line(run.stderr)
        row = last_run(db)
        assert (row["status"], row["exit_status"], row["counts"]["stage"]) == ("interrupted", 143, "reuse")
    assert_rerun_equals_uninterrupted(baseline, db)


@pytest.mark.parametrize("stage", STAGES)
def test_sigterm_in_every_stage_marks_the_run_interrupted_and_a_rerun_finishes_it(
    stage: str, baseline: dict[str, Any], tmp_path: Path, runs: list[Run]
) -> None:
    db = tmp_path / "term.db"
    run = Run(baseline["corpus"], db, env={"DEDUP_FAULT": stage, "DEDUP_FAULT_SIGNAL": "TERM"})
    runs.append(run)
    assert run.wait() == 143
    assert survivors(run.sid) == {}
    line = one_line(run.stderr)
    assert f"interrupted by SIGTERM during {RECORDED[stage]}" in line
    row = last_run(db)
    assert (row["status"], row["exit_status"]) == ("interrupted", 143)
    assert row["counts"] == {"stage": RECORDED[stage], "signal": "SIGTERM"}
    assert row["finished"]
    assert_rerun_equals_uninterrupted(baseline, db)


def test_ctrl_c_to_the_whole_process_group_is_one_line_and_exit_130(
    baseline: dict[str, Any], tmp_path: Path, runs: list[Run]
) -> None:
    # a terminal's Ctrl-C goes to every process of the foreground group: the workers too, which must
    # neither print a KeyboardInterrupt traceback nor outlive the run
    db = tmp_path / "int.db"
    run = Run(baseline["corpus"], db, env={"DEDUP_FAULT": "reuse:pool", "DEDUP_FAULT_SIGNAL": "STOP"})
    runs.append(run)
    run.wait_stopped()
    assert len(session_processes(run.sid)) > 1
    os.killpg(run.sid, signal.SIGINT)
    os.killpg(run.sid, signal.SIGCONT)
    assert run.wait() == 130
    assert survivors(run.sid) == {}
    assert "interrupted by SIGINT during reuse" in one_line(run.stderr)
    row = last_run(db)
    assert (row["status"], row["exit_status"], row["counts"]["stage"]) == ("interrupted", 130, "reuse")
    assert_rerun_equals_uninterrupted(baseline, db)


def test_a_process_forked_during_a_run_does_not_hold_its_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What the report saw: workers left alive after their run, holding the run lock (flock stays held
    # while any process has the open file), so every rerun stopped with exit 2 naming a dead pid.
    from dedup.engines import local

    real = local.analyse
    children: list[int] = []

    def analyse(ctx: Any, counts: dict[str, int]) -> Any:
        pid = os.fork()
        if pid == 0:  # a worker that outlives its run (its parent-death signal lost)
            time.sleep(60)
            os._exit(0)
        children.append(pid)
        return real(ctx, counts)

    monkeypatch.setattr(local, "analyse", analyse)
    db = tmp_path / "l.db"
    try:
        local.run_records([{"id": "a", "text": "A story about the harbour."}], db=str(db), workers=1)
        assert children and state_of(children[0]) not in ("gone", "Z")
        monkeypatch.setattr(local, "analyse", real)
        again = subprocess.run([sys.executable, "-m", "dedup", "run", "-", "--db", str(db), "-q"], cwd=ROOT,
                               input='{"id": "b", "text": "Another story."}\n', capture_output=True, text=True,
                               check=False)
        assert again.returncode == 0, again.stderr
    finally:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


_THREAD_POOL = """
import os, sys, threading, time
from dedup.runtime.pool import Pool

def pid(_):
    return os.getpid()

pool = Pool(2)
got = []
# the pool is forked from a thread that then ends: its workers must neither die with that thread
# (the parent-death signal follows the forking thread) nor outlive this process
t = threading.Thread(target=lambda: got.extend(pool.map(pid, range(4))))
t.start()
t.join()
time.sleep(0.3)
print(" ".join(map(str, sorted(set(pool.map(pid, range(8)))))), flush=True)
time.sleep(60)
"""


def test_a_pool_started_in_a_thread_outlives_the_thread_and_dies_with_the_process(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _THREAD_POOL], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip(), proc.stderr.read() if proc.stderr else ""
        workers = set(map(int, line.split()))
        assert workers and proc.pid not in workers
        assert set(session_processes(proc.pid)) >= workers
        proc.kill()
        proc.wait()
        assert survivors(proc.pid) == {}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)


# ----------------------------------------------------------------------------- finding 8
def _seeds_like(tmp_path: Path, n: int = 3) -> Path:
    path = tmp_path / "in.jsonl"
    stories = ["The council voted on the harbour plan after a long night of debate.",
               "A new ferry timetable starts on Monday, the port authority said.",
               "Rain is expected over the weekend across the northern coast."]
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": stories[i % 3] * 5}) + "\n" for i in range(n)),
                    encoding="utf-8")
    return path


def _cli(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dedup", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, env={**os.environ, **(env or {})}, **kw)


def test_crash_is_exit_4_with_one_line_and_the_traceback_only_on_request(tmp_path: Path) -> None:
    corpus, db = _seeds_like(tmp_path), tmp_path / "c.db"
    crashed = _cli("run", str(corpus), "--db", str(db), "-q", "--workers", "1",
                   env={"DEDUP_FAULT": "cluster", "DEDUP_FAULT_SIGNAL": "crash"})
    assert crashed.returncode == 4
    line = one_line(crashed.stderr)
    assert "internal error" in line and "RuntimeError: fault injected at cluster" in line
    assert "please report" in line and "DEDUP_DEBUG=1" in line
    row = last_run(db)
    assert (row["status"], row["exit_status"], row["counts"]["stage"]) == ("failed", 4, "signatures")
    debug = _cli("run", str(corpus), "--db", str(db), "-q", "--workers", "1",
                 env={"DEDUP_FAULT": "cluster", "DEDUP_FAULT_SIGNAL": "crash", "DEDUP_DEBUG": "1"})
    assert debug.returncode == 4 and "Traceback" in debug.stderr
    assert _cli("run", str(corpus), "--db", str(db), "-q").returncode == 0


def test_json_in_a_folder_that_does_not_exist_is_exit_3_before_any_work(tmp_path: Path) -> None:
    corpus, db = _seeds_like(tmp_path), tmp_path / "j.db"
    out = tmp_path / "no" / "such" / "folder" / "out.json"
    result = _cli("run", str(corpus), "--db", str(db), "-q", "--json", str(out))
    assert result.returncode == 3
    assert one_line(result.stderr) == (f"Error: cannot write {out} (--json): folder {out.parent} does not exist; "
                                       "create it first")
    assert not db.exists()  # refused before the run, not after an hour of it


@pytest.mark.parametrize("target", ["/dev/full"])
def test_json_that_cannot_be_written_is_exit_3_and_the_database_stays_whole(tmp_path: Path, target: str) -> None:
    corpus, db = _seeds_like(tmp_path), tmp_path / "j.db"
    out = target.format(tmp=tmp_path)
    result = _cli("run", str(corpus), "--db", str(db), "-q", "--json", out)
    assert result.returncode == 3
    line = one_line(result.stderr)
    assert f"cannot write {out}" in line
    assert "No space left on device" in line
    assert last_run(db)["status"] == "ok"
    assert sqlite3.connect(db).execute("pragma integrity_check").fetchone() == ("ok",)
    assert _cli("clusters", "--db", str(db), "--json").returncode == 0


def test_database_in_a_folder_that_does_not_exist_is_exit_3(tmp_path: Path) -> None:
    db = tmp_path / "missing" / "x.db"
    result = _cli("run", str(_seeds_like(tmp_path)), "--db", str(db), "-q")
    assert result.returncode == 3
    assert f"cannot write the database {db}" in one_line(result.stderr)


def test_database_disk_full_is_exit_3_and_the_run_marked_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup.store import Store as RealStore

    def full(self: Any, *args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(RealStore, "save_results", full)
    db = tmp_path / "f.db"
    result = invoke("run", str(_seeds_like(tmp_path)), "--db", str(db), "-q", "--workers", "1")
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert f"cannot write the database {db}: database or disk is full" in line
    row = last_run(db)
    assert (row["status"], row["exit_status"], row["counts"]["stage"]) == ("failed", 3, "store")
    monkeypatch.undo()
    assert invoke("run", str(_seeds_like(tmp_path)), "--db", str(db), "-q").exit_code == 0


def test_broken_pipe_is_exit_141_without_a_traceback(baseline: dict[str, Any], tmp_path: Path) -> None:
    # dedup run ... --jsonl-out - | head -1
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "run", str(baseline["corpus"]), "--db",
                             str(tmp_path / "p.db"), "-q", "--workers", "2", "--jsonl-out", "-"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    assert json.loads(first)["id"]
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "broken pipe" in one_line(err)
    assert last_run(tmp_path / "p.db")["status"] == "ok"


def test_skipped_inputs_are_exit_1_and_nothing_else_is(tmp_path: Path) -> None:
    lines = '{"id": "a", "text": "A story about the harbour."}\nnot json\n'
    result = invoke("run", "-", "--db", str(tmp_path / "s.db"), "-q", input=lines)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert last_run(tmp_path / "s.db")["status"] == "some inputs skipped"


def test_exit_statuses_are_documented() -> None:
    from dedup.cli import run_command

    doc = run_command.help or ""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ("0", "1", "2", "3", "4", "130", "141", "143"):
        assert f"{code} " in doc or f"{code}:" in doc, code
        assert f"`{code}`" in readme, code


def test_interrupt_handler_is_only_installed_for_the_command(tmp_path: Path) -> None:
    # the library, used from a program, keeps the program's own handlers
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    assert invoke("run", str(_seeds_like(tmp_path)), "--db", str(tmp_path / "h.db"), "-q").exit_code == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
    assert threading.current_thread() is threading.main_thread()


def test_a_run_that_does_not_unwind_after_a_signal_is_ended_at_once(tmp_path: Path) -> None:
    # an exception raised by a signal handler can land inside a lock the unwinding then waits for:
    # the process must end anyway, with the signal's status and one line
    code = (
        "import os, signal, time\n"
        "from dedup.runtime import signals\n"
        "signals.UNWIND_SECONDS = 1.0\n"
        "with signals.handle_interrupts():\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(5)\n"
        "    except signals.Interrupted:\n"
        "        time.sleep(60)  # the unwinding that never ends\n"
    )
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 143 and time.monotonic() - started < 20
    assert proc.stderr.strip() == ("dedup: SIGTERM: the run did not stop within 1 s; stopped at once "
                                   "(running the same command again finishes it)")
