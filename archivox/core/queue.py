"""The embedded task queue: Huey on a SQLite file, synced like the application's database.

Huey's SQLite storage leaves SQLite's default ``synchronous=FULL``, which fsyncs the WAL on every
enqueue under an exclusive lock: the WeChat callback queues work for each message, and those
fsyncs, one after another, became its throughput limit. ``NORMAL`` (what ``settings`` uses for
the application's database) keeps a WAL database consistent through a crash; a power cut may
drop the last queued tasks, which the periodic sweeps queue again (deliveries, deferred replies,
threading into the inbox).

Its writes (each enqueue, a worker's dequeue, the scheduler's reads of the schedule) also take the
file's writer lock (``archivox.core.writer_lock``) before ``BEGIN``: the web processes enqueueing
and the consumer's threads dequeueing queue in the kernel instead of sleeping in SQLite's busy
handler (issue 24)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator

from huey import SqliteHuey
from huey.storage import SqliteStorage

from archivox.core.writer_lock import WriterLock, lock_path


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self) -> sqlite3.Connection:
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection

    @contextlib.contextmanager
    def db(self, commit: bool = False, close: bool = False) -> Iterator[sqlite3.Cursor]:
        """Huey's ``db``, a writing one under the writer lock. The storage's threads share one
        connection behind ``self.lock``, so the lock (one descriptor per process) is taken
        inside it; a process that forked gets a descriptor of its own."""
        with self.lock:
            conn = self.conn
            cursor = conn.cursor()
            writer = self._writer_lock() if commit else None
            try:
                if writer is not None:
                    writer.acquire()
                if commit:
                    cursor.execute(self.begin_sql)
                yield cursor
            except Exception:
                if commit:
                    conn.rollback()
                raise
            else:
                if commit:
                    conn.commit()
            finally:
                if writer is not None:
                    writer.release()
                cursor.close()
                if close:
                    conn.close()
                    self._conn = None

    def _writer_lock(self) -> WriterLock | None:
        found = getattr(self, "_writer", None)
        if found is None or found[0] != os.getpid():
            path = lock_path(self.filename)
            found = (os.getpid(), WriterLock(path, self._timeout) if path else None)
            self._writer = found
        return found[1]


class EmbeddedHuey(SqliteHuey):
    storage_class = NormalSyncSqliteStorage


def tasks_answer_to_former_module(former: str, module: object) -> None:
    """Let tasks queued under a module's former path (before an app moved) still run.

    Huey names a task ``<module>.<function>`` in each queued message; an installation upgraded
    with tasks still in its queue would otherwise refuse them as unknown."""
    from huey.api import TaskWrapper
    from huey.contrib.djhuey import HUEY

    registry = HUEY._registry._registry
    for wrapper in vars(module).values():
        if isinstance(wrapper, TaskWrapper):
            registry.setdefault(f"{former}.{wrapper.task_class.__name__}", wrapper.task_class)
