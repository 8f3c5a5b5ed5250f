"""Issue 17, findings 9-11: readers read one snapshot and say when a run is writing or cut short; only
databases dedup can use are used (read-only, foreign, newer, damaged, corrupt cache rows); the run lock
cannot be pointed elsewhere by links."""

from __future__ import annotations

import ctypes
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dedup.corpus import Corpus
from dedup.store import SCHEMA_VERSION, Store
from tests.conftest import ROOT, SEEDS, invoke, seed_id


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def flat(text: str) -> str:
    """Rich wraps long lines at the terminal width: the words, whatever the width."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished run over the seeds, copied by each test that changes it."""
    db = tmp_path_factory.mktemp("built") / "seeds.db"
    result = invoke("run", str(SEEDS), "--db", str(db), "-q", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    return db


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of a database, its write-ahead log folded in (the copy is one file)."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    source.backup(target)
    source.close()
    target.execute("pragma journal_mode=wal")
    target.close()
    return dst


def tables(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")}
    finally:
        conn.close()


def execute(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


# ----------------------------------------------------------------------------- finding 9
def test_a_corpus_reads_one_snapshot_while_a_run_commits(built: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # What the report saw: `report` during a run died with KeyError (a document committed between the read of
    # the result rows and the read of the documents), and an export counted 3,328 canonical copies against
    # 2,059 clusters (provisional flags of documents cleaned after the clusters were read).
    db = copy_db(built, tmp_path / "s.db")
    with Corpus.open(str(db)) as corpus:
        store = corpus.store
        real = store.document_rows

        def rows_then_a_batch_commits() -> list[dict[str, Any]]:
            rows = real()
            execute(db, "insert into documents (id, text, canonical) values ('zz-new', 'new text', 1)",
                    "update documents set canonical = 1")
            return rows

        monkeypatch.setattr(store, "document_rows", rows_then_a_batch_commits)
        views = corpus.documents()
        clusters = corpus.clusters()
        assert "zz-new" not in {v.id for v in views}
        assert sum(v.canonical for v in views) == len(clusters)
    with Corpus.open(str(db)) as later:
        assert len(later.documents()) == len(views) + 1  # (the write did happen, after the snapshot)


READERS = [
    pytest.param(lambda out: ["export", "-o", str(out / "e.jsonl")], id="export"),
    pytest.param(lambda out: ["report", "-o", str(out / "r.html")], id="report"),
    pytest.param(lambda out: ["clusters"], id="clusters"),
    pytest.param(lambda out: ["quotes"], id="quotes"),
    pytest.param(lambda out: ["show", seed_id("000")], id="show"),
    pytest.param(lambda out: ["explain", seed_id("000"), seed_id("001")], id="explain"),
]


@pytest.mark.parametrize("command", READERS)
def test_a_reader_during_a_run_says_so_and_refuses_without_allow_partial(
    command: Any, built: Path, tmp_path: Path
) -> None:
    db = copy_db(built, tmp_path / "busy.db")
    writer = Store(str(db), writer=True)
    try:
        writer.start_run("test", "default", {}, [str(SEEDS)])
        refused = invoke(*command(tmp_path), "--db", str(db))
        assert refused.exit_code == 2
        assert one_line(refused.stderr) == (
            f"Error: {db} is being written by a dedup run right now (pid {os.getpid()}); what it holds is "
            "half-written: wait for the run to finish, or pass --allow-partial to read it as it is")
        allowed = invoke(*command(tmp_path), "--db", str(db), "--allow-partial")
        assert allowed.exit_code == 0, allowed.stderr
        assert f"warning {db} is being written by a dedup run right now" in flat(allowed.stderr)
    finally:
        writer.close()


def test_a_reader_after_a_run_that_did_not_finish_says_so_until_a_run_finishes(built: Path, tmp_path: Path) -> None:
    db = copy_db(built, tmp_path / "cut.db")
    writer = Store(str(db), writer=True)
    run_id = writer.start_run("test", "default", {}, [str(SEEDS)])
    started = writer.runs()[-1]["started"]
    writer.close()  # as a killed run leaves it: the lock released, the run still "running"
    refused = invoke("export", "--db", str(db))
    assert refused.exit_code == 2
    assert one_line(refused.stderr) == (
        f"Error: {db}: its last run (run {run_id}, started {started}) did not finish (running); what it holds is "
        "incomplete: run `dedup run` again to finish it, or pass --allow-partial to read it as it is")
    assert refused.stdout == ""
    assert invoke("export", "--db", str(db), "--allow-partial").exit_code == 0
    assert invoke("run", str(SEEDS), "--db", str(db), "-q", "--workers", "1").exit_code == 0
    assert invoke("export", "--db", str(db)).exit_code == 0


# ----------------------------------------------------------------------------- finding 10
def held_to_file_modes() -> None:
    """In a child before exec, as root: drop the capabilities that let root write what file modes forbid
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER) from the bounding set, which exec makes the
    child's whole set; it stays root, so it still reaches the interpreter under /root."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_a_reader_held_to_modes(*args: str) -> subprocess.CompletedProcess[str]:
    """``dedup ARGS`` in a process that file modes stop, as they stop any user but root."""
    drop = held_to_file_modes if os.geteuid() == 0 else None
    return subprocess.run([sys.executable, "-m", "dedup", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, env={**os.environ, "COLUMNS": "300"}, preexec_fn=drop)


@pytest.mark.skipif(sys.platform != "linux", reason="drops Linux capabilities when run as root")
def test_a_read_only_database_can_be_reported_and_exported(built: Path, tmp_path: Path) -> None:
    # What the report saw: every reader wrote the schema (and the journal mode) first, so a database on a
    # read-only share, or one the user may only read, could not be read at all.
    folder, out = tmp_path / "ro", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    db = copy_db(built, folder / "ro.db")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        report = as_a_reader_held_to_modes("report", "--db", str(db), "-o", str(out / "r.html"))
        assert report.returncode == 0, report.stderr
        assert "Iran and Russia gain" in (out / "r.html").read_text(encoding="utf-8")
        export = as_a_reader_held_to_modes("export", "--db", str(db), "-o", str(out / "e.jsonl"))
        assert export.returncode == 0, export.stderr
        assert len((out / "e.jsonl").read_text(encoding="utf-8").splitlines()) == 5
        explain = as_a_reader_held_to_modes("explain", seed_id("000"), seed_id("001"), "--db", str(db))
        assert explain.returncode == 0, explain.stderr
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        assert sorted(p.name for p in folder.iterdir()) == ["ro.db"]
        # and what made it unreadable before: the process may really not write there
        assert as_a_reader_held_to_modes("run", str(SEEDS), "--db", str(db), "-q").returncode != 0
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_a_foreign_sqlite_file_is_refused_and_gains_no_tables(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    execute(db, "create table users (name text)", "insert into users values ('ada')")
    for args in (["run", str(SEEDS), "-q", "--workers", "1"], ["export"], ["report", "-o", str(tmp_path / "r.md")]):
        result = invoke(*args, "--db", str(db))
        assert result.exit_code == 2
        assert one_line(result.stderr) == (f"Error: {db} is an SQLite database that dedup did not write (its tables: "
                                           "users); give dedup a new file with --db")
    assert tables(db) == {"users"}
    assert not (tmp_path / "r.md").exists()


def test_a_newer_schema_is_refused_with_a_clear_message(built: Path, tmp_path: Path) -> None:
    db = copy_db(built, tmp_path / "new.db")
    execute(db, "update meta set value = '99' where key = 'schema_version'")
    for args in (["run", str(SEEDS), "-q", "--workers", "1"], ["export"], ["clusters"]):
        result = invoke(*args, "--db", str(db))
        assert result.exit_code == 2
        assert one_line(result.stderr) == (
            f"Error: {db} was written by a newer dedup (database schema 99; this dedup reads schema "
            f"{SCHEMA_VERSION} and older); upgrade dedup (pip install -U article-dedup) to use it")
    with sqlite3.connect(db) as conn:
        assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == ("99",)


def test_an_older_schema_is_read_as_it_is_and_migrated_by_the_next_run(built: Path, tmp_path: Path) -> None:
    db = copy_db(built, tmp_path / "old.db")
    execute(db, "update meta set value = '1' where key = 'schema_version'", "drop table sources")
    exported = invoke("export", "--db", str(db))
    assert exported.exit_code == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == 5
    assert "sources" not in tables(db)  # a reader wrote nothing
    with sqlite3.connect(db) as conn:
        assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == ("1",)
    assert invoke("run", str(SEEDS), "--db", str(db), "-q", "--workers", "1").exit_code == 0
    assert "sources" in tables(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),)


@pytest.mark.parametrize("garbage", ["cast(X'00FF' || value as blob)", "X'00FF' || value"], ids=["bytes", "text"])
def test_a_corrupt_cache_row_is_dropped_and_the_next_run_matches_a_fresh_one(
    garbage: str, built: Path, tmp_path: Path
) -> None:
    # What the report saw: one damaged row in the cache table made every later run fail with UnpicklingError.
    # (bytes that are no pickle; or, as || makes text, a value SQLite holds as text that is not UTF-8)
    db = copy_db(built, tmp_path / "c.db")
    execute(db, f"update cache set value = {garbage}",
            "insert or replace into cache (ns, key, value) values ('results-state', 'last', X'8005')")
    result = invoke("run", str(SEEDS), "--db", str(db), "-q", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    with Store(str(db)) as again, Store(str(built)) as fresh:
        assert again.table_fingerprint() == fresh.table_fingerprint()
        assert again.db.execute("select count(*) from cache where substr(cast(value as blob), 1, 2) = X'00FF' "
                                "or value = X'8005'").fetchone() == (0,)
        # rebuilt: the run's cache holds what a fresh run's holds
        assert sorted(again.db.execute("select ns, key from cache").fetchall()) == sorted(
            fresh.db.execute("select ns, key from cache").fetchall())


def test_a_cache_from_before_checksums_is_kept_not_made_again(built: Path, tmp_path: Path) -> None:
    # Its rows are trusted once (given their checksums), so the next run keeps the same rows a run over a
    # database with checksums keeps (rowid: a row dropped and made again has a new one).
    old, control = copy_db(built, tmp_path / "pre.db"), copy_db(built, tmp_path / "control.db")
    execute(old, "alter table cache drop column crc")
    rows = "select rowid, ns, key from cache order by ns, key"
    for db in (old, control):
        assert invoke("run", str(SEEDS), "--db", str(db), "-q", "--workers", "1").exit_code == 0
    with sqlite3.connect(old) as a, sqlite3.connect(control) as b:
        assert a.execute(rows).fetchall() == b.execute(rows).fetchall()
        assert a.execute("select count(*) from cache where crc is null").fetchone() == (0,)


def test_a_dropped_table_is_detected(built: Path, tmp_path: Path) -> None:
    db = copy_db(built, tmp_path / "d.db")
    execute(db, "drop table clusters")
    for args in (["export"], ["run", str(SEEDS), "-q", "--workers", "1"]):
        result = invoke(*args, "--db", str(db))
        assert result.exit_code == 2
        assert one_line(result.stderr) == (f"Error: {db} is damaged: table clusters missing; restore it from a "
                                           "backup, or delete it and run `dedup run` again")
    assert "clusters" not in tables(db)  # not recreated empty (a report of a corpus without clusters)


def test_report_never_blames_output_for_a_database_error(built: Path, tmp_path: Path) -> None:
    db = copy_db(built, tmp_path / "j.db")
    execute(db, f"update documents set defects = '{{broken' where id = '{seed_id('002')}'")
    result = invoke("report", "--db", str(db), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert "--output" not in line
    assert line.startswith(f"Error: {db} is damaged: a stored value cannot be read (JSONDecodeError: ")
    assert line.endswith("; restore it from a backup, or delete it and run `dedup run` again")
    # while an output it cannot write is still the output's fault
    wrong = invoke("report", "--db", str(built), "-o", str(tmp_path / "r.txt"))
    assert wrong.exit_code == 2 and "--output" in wrong.stderr and "unknown report format '.txt'" in wrong.stderr
    nowhere = invoke("report", "--db", str(built), "-o", str(tmp_path / "no" / "r.html"))
    assert nowhere.exit_code == 2 and "Invalid value for --output: cannot write" in nowhere.stderr


# ----------------------------------------------------------------------------- finding 11
@pytest.mark.parametrize("link", ["symbolic", "hard"])
def test_a_linked_lock_file_does_not_overwrite_its_target(link: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    db = tmp_path / "l.db"
    lock = tmp_path / "l.db.lock"
    (os.symlink if link == "symbolic" else os.link)(victim, lock)
    result = invoke("run", str(SEEDS), "--db", str(db), "-q", "--workers", "1")
    assert result.exit_code == 2
    why = ("is a symbolic link, which dedup will not write through" if link == "symbolic" else
           "is not a plain file of its own (a hard link or a special file)")
    path = os.path.realpath(db) + ".lock"
    assert one_line(result.stderr) == f"Error: {db}: its lock file {path} {why}; remove {path} and run again"
    assert victim.read_text() == "precious\n"
    lock.unlink()
    assert invoke("run", str(SEEDS), "--db", str(db), "-q", "--workers", "1").exit_code == 0
    assert victim.read_text() == "precious\n"


def test_a_symlinked_database_path_takes_the_same_lock(built: Path, tmp_path: Path) -> None:
    real = copy_db(built, tmp_path / "real.db")
    link = tmp_path / "link.db"
    link.symlink_to(real)
    for held, used in ((real, link), (link, real)):
        holder = Store(str(held), writer=True)
        try:
            result = invoke("run", str(SEEDS), "--db", str(used), "-q", "--workers", "1")
            assert result.exit_code == 2
            assert one_line(result.stderr) == (f"Error: {used} is being written by another dedup run "
                                               f"(pid {os.getpid()}); wait for it to finish or use another --db")
            reader = invoke("export", "--db", str(used))
            assert reader.exit_code == 2 and "is being written by a dedup run right now" in reader.stderr
        finally:
            holder.close()
    assert not (tmp_path / "link.db.lock").exists()
    assert invoke("run", str(SEEDS), "--db", str(link), "-q", "--workers", "1").exit_code == 0


def test_cache_writes_take_values_as_they_are_made_in_one_transaction(tmp_path: Path) -> None:
    """put_many takes a generator (a stage packs each large value as the store asks for it, never all
    at once); its items are one transaction: a value that fails to be made leaves none written."""
    made: list[str] = []

    def values(fail_at: int | None) -> Any:
        for k in range(4):
            if k == fail_at:
                raise RuntimeError("value could not be made")
            made.append(f"k{k}")
            yield f"k{k}", bytes([k]) * 1000

    with Store(str(tmp_path / "c.db")) as store:
        cache = store.cache("test")
        with pytest.raises(RuntimeError):
            cache.put_many(values(fail_at=2))
        assert made == ["k0", "k1"] and cache.count() == 0
        cache.put_many(values(fail_at=None))
        cache.put_many(iter(()))
        assert cache.get_many(["k0", "k3", "k9"]) == {"k0": b"\x00" * 1000, "k3": b"\x03" * 1000}
        assert cache.count() == 4
