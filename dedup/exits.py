"""How ``dedup run`` ends: an exit status for each way, and one line on standard error, never a
traceback (unless DEDUP_DEBUG=1 asks for one).

====  =====================================================================================
0     every input was used
1     some inputs were skipped (each is named on standard error and in ``problems``); only that
2     usage error: an option or path that cannot work, settings that cannot work together, a
      database that cannot be used (not a dedup database, or another run is writing it)
3     cannot write: the disk is full, or the ``--db``, ``--json`` or ``--jsonl-out`` path cannot
      be written (the database stays consistent; a rerun finishes the work)
4     internal error, a bug: one line names it and asks for a report
129   interrupted by SIGHUP, 130 by SIGINT (Ctrl-C), 143 by SIGTERM (128 + the signal, as a
      shell reports it): the run is marked ``interrupted`` with its stage; a rerun finishes it
141   standard output was closed early (a broken pipe, as in ``| head``): the run is complete
====  =====================================================================================

The engine records a stopped run in the ``runs`` table (:func:`mark_stopped`); the command turns the
exception into its status and message (:func:`guarded`).
"""

from __future__ import annotations

import errno
import functools
import os
import re
import sqlite3
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from dedup.errors import DedupError
from dedup.runtime.pool import kill_workers
from dedup.runtime.signals import Interrupted, handle_interrupts, winding_down

if TYPE_CHECKING:
    from dedup.store import Store

OK, SKIPPED, USAGE, CANNOT_WRITE, INTERNAL, BROKEN_PIPE = 0, 1, 2, 3, 4, 141

F = TypeVar("F", bound=Callable[..., Any])

# errors of the disk, wherever they happen (the database, an output, a temporary file)
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}
# errors of a path: the command's fault only when the path is one of its outputs
_PATH_ERRNOS = {errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR}
_SQLITE_WRITE = ("disk is full", "readonly database", "unable to open database file", "disk i/o error")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class OutputError(Exception):
    """An output of the command (``--json``, ``--jsonl-out``) cannot be written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason


@contextmanager
def writing(path: str) -> Iterator[None]:
    """An error writing ``path`` in the block becomes :class:`OutputError`, naming it (a write error
    of an open file names no file); a broken pipe stays what it is."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError("standard output" if path == "-" else path, exc.strerror or str(exc)) from exc


def check_database_writable(db: str) -> None:
    """Refuse at once, before any work, a database that cannot be written: its folder missing or
    read-only, or the file read-only (exit 3, as any write the disk or a path refuses; an existing
    file that is no dedup database stays a usage error, found when it is opened)."""
    if db == ":memory:":
        return
    folder = os.path.dirname(os.path.abspath(db))
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), db)
    # The run writes its lock file and SQLite's -wal and -shm files beside the database: a file made
    # and removed there is the one test that holds for root too (os.access says yes to root, and a
    # read-only mount or /sys still refuses).
    try:
        fd, probe = tempfile.mkstemp(prefix=".dedup-write-check-", dir=folder)
    except OSError as exc:
        raise OSError(exc.errno, f"{exc.strerror} (in its folder {folder})", db) from None
    os.close(fd)
    os.unlink(probe)
    if os.path.exists(db) and not os.access(db, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), db)


def _is_db_path(filename: object, db: str | None) -> bool:
    if not db or not isinstance(filename, str | bytes):
        return False
    name = os.path.abspath(os.fsdecode(filename))
    return name.startswith(os.path.abspath(db))  # the database, its -wal, -shm and .lock files


def cannot_write(exc: BaseException, db: str | None = None) -> bool:
    """``exc`` is a write the disk or the path refused, not a bug."""
    if isinstance(exc, OutputError):
        return True
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
        return exc.errno in _DISK_ERRNOS or (exc.errno in _PATH_ERRNOS and _is_db_path(exc.filename, db))
    if isinstance(exc, sqlite3.OperationalError):
        return any(s in str(exc).lower() for s in _SQLITE_WRITE)
    return False


def status_of(exc: BaseException, db: str | None = None) -> int:
    """The exit status of a run that ``exc`` stopped (the ``runs`` table records it too)."""
    if isinstance(exc, Interrupted):
        return exc.exit_status
    if isinstance(exc, KeyboardInterrupt):
        return 130
    if isinstance(exc, BrokenPipeError):
        return BROKEN_PIPE
    if cannot_write(exc, db):
        return CANNOT_WRITE
    if isinstance(exc, DedupError):
        return USAGE
    return INTERNAL


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text.strip()) or "(no message)"


def _error(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__


def mark_stopped(store: Store, run_id: int, stage: str, timings: dict[str, float], exc: BaseException) -> None:
    """Record that run ``run_id`` stopped in ``stage``: ``interrupted`` (a signal) or ``failed`` (an
    error), with the exit status the command gives; ``counts`` holds the stage and the signal or
    error. The exception learns the run and stage (for the command's message). Never raises: a full
    disk may refuse this write as well, and the exception that stopped the run is what matters."""
    code = status_of(exc, store.path)
    if isinstance(exc, Interrupted):
        exc.stage, exc.run_id = stage, run_id
    else:
        try:
            exc.dedup_run = (run_id, stage)  # type: ignore[attr-defined]
        except AttributeError:
            pass
    interrupted = isinstance(exc, Interrupted | KeyboardInterrupt)
    signame = exc.name if isinstance(exc, Interrupted) else "SIGINT"
    detail = {"stage": stage, "signal": signame} if interrupted else {"stage": stage, "error": _error(exc)}
    try:
        if store.db.conn.in_transaction:  # stopped between BEGIN and the transaction's own bookkeeping
            store.db.execute("ROLLBACK")
        store.finish_run(run_id, detail, timings, "interrupted" if interrupted else "failed", code)
    except Exception:
        pass


def message(exc: BaseException, db: str | None = None) -> str:
    """The one line the command prints for ``exc``."""
    run_id, stage = getattr(exc, "dedup_run", (None, None))
    if isinstance(exc, Interrupted | KeyboardInterrupt):
        name = exc.name if isinstance(exc, Interrupted) else "SIGINT"
        run_id, stage = (exc.run_id, exc.stage) if isinstance(exc, Interrupted) else (run_id, stage)
        if stage is None:  # (no run marked: it had finished, or an engine that does not mark runs)
            return f"interrupted by {name}; running the same command again finishes what is left"
        return (f"interrupted by {name} during {stage}; run {run_id} is marked interrupted in {db}, "
                "and running the same command again finishes it")
    if isinstance(exc, BrokenPipeError):
        return f"standard output was closed early (broken pipe); the run is complete in the database {db}"
    marked = f"; run {run_id} is marked failed (stage {stage}), and the database is consistent" if run_id else ""
    if isinstance(exc, OutputError):
        return f"{exc}; the run is complete in the database {db} (`dedup export` writes its results)"
    if cannot_write(exc, db):
        if isinstance(exc, OSError) and exc.filename is not None and not _is_db_path(exc.filename, db):
            return f"cannot write {os.fsdecode(exc.filename)}: {exc.strerror}{marked}"
        if isinstance(exc, OSError) and exc.filename is None and exc.errno in _DISK_ERRNOS:
            return (f"cannot write: {exc.strerror} (the disk of the database {db} or of the temporary folder "
                    f"{tempfile.gettempdir()}){marked}")
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        return f"cannot write the database {db}: {reason}{marked}"
    if isinstance(exc, DedupError):
        return str(exc)
    return (f"internal error: {_error(exc)}{marked}. This is a bug: please report it with the command that "
            "caused it (DEDUP_DEBUG=1 prints the traceback)")


def _say(text: str) -> None:
    try:
        sys.stderr.write(f"dedup: {_one_line(text)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # standard error closed too: the status says it
        pass


def _silence_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered for a closed pipe would raise
    again when the interpreter flushes it at exit ("Exception ignored ... BrokenPipeError")."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # (a captured stdout, in tests, has no descriptor)
        pass


def guarded(fn: F) -> F:
    """The ``dedup run`` command with signals handled and every failure turned into its exit status
    and one line (see the module); usage errors and the command's own exits pass through to click."""
    import click

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        db = kwargs.get("db")
        # (the handlers stay while the end is reported: a second Ctrl-C then ends the process at
        # once, never a KeyboardInterrupt traceback from the default handler)
        with handle_interrupts():
            try:
                return fn(*args, **kwargs)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
                raise
            except BaseException as exc:
                winding_down()
                kill_workers()  # whatever stopped the run, no worker outlives it
                code = status_of(exc, db)
                if code == INTERNAL and os.environ.get("DEDUP_DEBUG"):
                    traceback.print_exception(exc)
                _say(message(exc, db))
                if code == BROKEN_PIPE:
                    _silence_stdout()
                raise SystemExit(code) from None

    return wrapper  # type: ignore[return-value]


__all__ = ["BROKEN_PIPE", "CANNOT_WRITE", "INTERNAL", "OK", "SKIPPED", "USAGE", "OutputError", "cannot_write",
           "guarded", "mark_stopped", "message", "status_of", "writing"]
