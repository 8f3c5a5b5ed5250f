"""The run lock of a database: one writing run at a time, and a way for readers to see that one is on.

An OS file lock (``flock``), not a row in the database: the kernel releases it when
the process dies, even by SIGKILL, so a killed run never leaves the database locked.

The lock file is ``<real path of the database>.lock``. The real path, because two
spellings of one database (a symbolic link to it, another relative path) must take
the same lock: named after the path as given, a run through a link wrote beside a
run through the real name. It is opened with ``O_NOFOLLOW`` and used only when it
is a plain file with one link, because the holder truncates it and writes its pid
there: a ``.lock`` planted as a link to another file had that file overwritten.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time

from dedup.errors import StoreError

# How long a writer retries a lock that is taken before it gives up: a reader's probe
# (writer_holding) holds a shared lock for microseconds, and a run that starts in that
# moment must not be turned away as if another run were writing.
_RETRY_SECONDS = 0.25

# O_NONBLOCK: opening a FIFO planted as the lock file must not hang the run
_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def lock_path(db: str) -> str:
    return os.path.realpath(db) + ".lock"


class RunLock:
    """The lock of one writing run, held until :meth:`close` (or the process ends)."""

    def __init__(self, db: str, fd: int) -> None:
        self.db = db
        self.fd = fd

    @classmethod
    def acquire(cls, db: str) -> RunLock:
        """Take the lock of ``db``, or raise :class:`StoreError` saying why not (one line)."""
        path = lock_path(db)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _FLAGS, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise StoreError(f"{db}: its lock file {path} is a symbolic link, which dedup will not write "
                                 f"through; remove {path} and run again") from None
            raise StoreError(f"{db}: cannot create its lock file {path} ({exc.strerror}); a run needs write "
                             "access to the database's folder") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
                # a hard link would let the pid overwrite the file it is linked to, as a symbolic one did
                raise StoreError(f"{db}: its lock file {path} is not a plain file of its own (a hard link or a "
                                 f"special file); remove {path} and run again")
            deadline = time.monotonic() + _RETRY_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(f"{db} is being written by another dedup run ({_holder(fd)}); "
                                         "wait for it to finish or use another --db") from None
                    time.sleep(0.01)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        return cls(db, fd)

    def fileno(self) -> int:
        """The lock file's descriptor, as a file object gives it (a run keeps it from forked children)."""
        return self.fd

    def close(self) -> None:
        """Release the lock (closing the file releases it; nothing is unlinked, so a run that
        opens the file at this moment locks the same file)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def writer_holding(db: str) -> str | None:
    """Who holds the lock of ``db`` right now ("pid 123"), or None when no run is writing it.

    Opens the lock file read-only and never creates it, so a reader of a read-only
    database can ask too.
    """
    if db == ":memory:":
        return None
    try:
        fd = os.open(lock_path(db), os.O_RDONLY | _FLAGS)
    except OSError:
        return None  # no lock file (no run ever wrote here), or one no run can use either
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(fd)
        return None  # (closing the file below releases the shared lock)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """What the holder wrote in the lock file, as one short printable line (the file is not trusted)."""
    text = os.pread(fd, 200, 0).decode("utf-8", "replace")
    line = "".join(ch for ch in text.split("\n", 1)[0] if ch.isprintable()).strip()[:80]
    return line or "another process"
