"""One writer at a time on a SQLite file, queued on an OS file lock, not SQLite's busy handler.

SQLite lets one connection write at a time. A writer that finds the lock taken calls the busy
handler, which *sleeps* in growing steps (1, 2, 5, 10 … 100 ms) and looks again: it does not wake
when the lock is released. Measured on the WeChat callback with four processes writing
(issue 24), a quarter of the inserts waited 8-50 ms for a lock held well under a millisecond,
which made the tail and halved the throughput. A blocking ``flock`` on a file beside the database
queues the writers in the kernel, which wakes the next one as soon as the holder lets go; SQLite's
own lock is then always free when a writer asks for it.

The lock belongs to an open file description, so each database connection opens its own: threads
of one process queue on it like processes do, and the kernel releases it when a process dies.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading


def lock_path(database: str | os.PathLike[str]) -> str | None:
    """The lock file for a SQLite database file, or None for an in-memory database."""
    name = os.fspath(database)
    if not name or name == ":memory:" or "mode=memory" in name or name.startswith("file::memory:"):
        return None
    if name.startswith("file:"):
        name = name[len("file:") :].split("?", 1)[0]
    return f"{name}.writer-lock"


class WriterLock:
    """An exclusive ``flock`` on one open file; ``acquire`` gives up after ``timeout`` seconds
    with SQLite's own "database is locked" error, as the busy handler would have."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.held = False
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def acquire(self) -> None:
        if self.held or self._fd is None:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fd = self._wait()
            os.close(self._fd)
            self._fd = fd
        self.held = True

    def _wait(self) -> int:
        """Block in ``flock`` (the kernel wakes us on release) → the descriptor now locked.

        A blocked ``flock`` cannot be given a timeout, so a helper thread blocks in it, on a
        descriptor of its own, while this one waits on an event with the timeout. A lock the
        helper gets after we gave up, it lets go at once; its own descriptor keeps that late
        lock from ever being mistaken for ours."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        decided = threading.Lock()
        got = threading.Event()
        abandoned = False

        def block() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with decided:
                if not abandoned:
                    got.set()
                    return
            os.close(fd)  # closing it releases the lock

        threading.Thread(target=block, name="sqlite-writer-lock", daemon=True).start()
        if got.wait(self.timeout):
            return fd
        with decided:
            if got.is_set():
                return fd
            abandoned = True
        raise sqlite3.OperationalError("database is locked")

    def release(self) -> None:
        if self.held and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self.held = False

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def reads_only(sql: str) -> bool:
    """A statement that cannot write: it needs no writer lock (WAL readers never wait).
    Anything else (INSERT, UPDATE, DELETE, BEGIN, a CTE, a PRAGMA …) takes the lock."""
    head = sql.lstrip()[:7].upper()
    return head.startswith(("SELECT", "EXPLAIN"))
