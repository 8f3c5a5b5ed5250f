"""A run stopped by a signal: it ends its workers, marks itself ``interrupted`` and exits with a
status of its own; and a forked process never holds the run's lock.

:func:`handle_interrupts` (the ``dedup run`` command installs it; a program using the library keeps
its own handlers) turns SIGINT, SIGTERM and SIGHUP into :class:`Interrupted`, raised in the main
thread once every pool worker is killed; the run unwinds (transactions roll back, pools close), the
engine records the stage in the ``runs`` table and the command exits with ``128 + signal``. A second
signal while that happens ends the process at once with the same status.

:func:`keep_from_children` is for the run lock. ``flock`` locks belong to the open file, which a
forked child shares: a worker left alive would hold the lock after its run died, and every rerun
would be refused, naming a dead pid. In every child forked while the lock is held the descriptor is
pointed at /dev/null, so only the run's own process ever holds it (it is close-on-exec already, as
every file Python opens).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

from dedup.runtime.pool import kill_workers

#: The signals that stop a run (SIGHUP: its terminal went away).
STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """The run was stopped by a signal. A BaseException, as KeyboardInterrupt is: code that catches
    ``Exception`` to report a bad document must not swallow it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        #: the stage the run was in, and its id, when the engine has marked it
        self.stage: str | None = None
        self.run_id: int | None = None
        super().__init__(f"interrupted by {self.name}")

    @property
    def exit_status(self) -> int:
        """As a shell reports a process a signal ended: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + self.signum


_owner: int | None = None  # the process whose handlers these are (a forked child inherits them)
_stopping = False


def _on_signal(signum: int, frame: FrameType | None) -> None:
    global _stopping
    if os.getpid() != _owner:
        # a forked child that has not yet set its own handlers: Ctrl-C is the parent's business
        if signum != signal.SIGINT:
            os._exit(128 + signum)
        return
    kill_workers()
    if _stopping:
        # a second signal while the run winds down: stop now (the database is consistent anyway)
        sys.stderr.write(f"dedup: {signal.Signals(signum).name} again; stopped at once\n")
        sys.stderr.flush()
        os._exit(128 + signum)
    _stopping = True
    if _alarm_fd is not None:
        try:
            os.write(_alarm_fd, bytes([signum]))  # (a bare syscall: safe wherever the signal landed)
        except OSError:
            pass
    raise Interrupted(signum)


#: Seconds a stopped run may take to unwind before the process ends at once. An exception raised
#: by a signal handler can land inside a lock of the pool's machinery that the unwinding then waits
#: for (seen once under load: a Ctrl-C that never ended the run); the database is consistent at any
#: moment, so ending the process is safe, and the rerun finishes the run.
UNWIND_SECONDS = 20.0
_alarm_fd: int | None = None


def _watch_unwinding(read_fd: int) -> None:
    try:
        got = os.read(read_fd, 1)
    except OSError:
        return
    finally:
        os.close(read_fd)
    if not got:  # the block ended normally: the pipe was closed
        return
    signum = got[0]
    threading.Event().wait(UNWIND_SECONDS)
    sys.stderr.write(f"dedup: {signal.Signals(signum).name}: the run did not stop within {UNWIND_SECONDS:g} s; "
                     "stopped at once (running the same command again finishes it)\n")
    sys.stderr.flush()
    if os.environ.get("DEDUP_DEBUG"):
        # where the unwinding hung, for the one who asked for tracebacks (never a user's default)
        import faulthandler

        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    os._exit(128 + signum)


def winding_down() -> None:
    """The command is ending (on an error, say): a signal from now on ends the process at once
    instead of raising :class:`Interrupted` into the code that reports the end."""
    global _stopping
    _stopping = True


@contextmanager
def handle_interrupts() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the block (main thread only; a signal
    a caller ignores, as ``nohup`` ignores SIGHUP, stays ignored); the previous handlers come back after."""
    global _owner, _stopping
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for signum in STOPPING:
        current = signal.getsignal(signum)
        if current is signal.SIG_IGN:
            continue
        previous[signum] = current
        signal.signal(signum, _on_signal)
    _owner, _stopping = os.getpid(), False
    global _alarm_fd
    read_fd, _alarm_fd = os.pipe()
    threading.Thread(target=_watch_unwinding, args=(read_fd,), name="dedup-unwind-watch", daemon=True).start()
    try:
        yield
    finally:
        for restored, handler in previous.items():
            signal.signal(restored, handler)
        _owner = None
        # (closing the write end ends the watch unless a signal armed it, which then ends the process
        # if the command does not end first)
        if _alarm_fd is not None:
            os.close(_alarm_fd)
            _alarm_fd = None


# ----------------------------------------------------------------------------- the run lock
_HIDDEN: dict[int, tuple[int, int]] = {}  # fd -> (st_dev, st_ino) of the file it must be


def _hide_in_child() -> None:
    for fd, ident in list(_HIDDEN.items()):
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != ident:
                continue
            # dup2, not close: the parent's file object in this child still owns the number, and
            # would close whatever file got it next
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, fd, inheritable=False)
            os.close(null)
        except OSError:
            pass
    _HIDDEN.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_hide_in_child)


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


@contextmanager
def keep_from_children(file: _HasFileno | None) -> Iterator[None]:
    """While the block runs, no process forked from this one holds ``file`` (a file object, or the
    store's run lock) open (see the module)."""
    fd = file.fileno() if file is not None else -1
    if fd < 0:
        yield
        return
    os.set_inheritable(fd, False)
    st = os.fstat(fd)
    _HIDDEN[fd] = (st.st_dev, st.st_ino)
    try:
        yield
    finally:
        _HIDDEN.pop(fd, None)


__all__ = ["STOPPING", "Interrupted", "handle_interrupts", "keep_from_children", "winding_down"]
