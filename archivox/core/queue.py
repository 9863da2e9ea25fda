"""The embedded task queue: Huey on a SQLite file, synced like the application's database.

Huey's SQLite storage leaves SQLite's default ``synchronous=FULL``, which fsyncs the WAL on every
enqueue under an exclusive lock: the WeChat callback queues work for each message, and those
fsyncs, one after another, became its throughput limit. ``NORMAL`` (what ``settings`` uses for
the application's database) keeps a WAL database consistent through a crash; a power cut may
drop the last queued tasks, which the periodic sweeps queue again (deliveries, deferred replies,
threading into the inbox)."""

from __future__ import annotations

import sqlite3

from huey import SqliteHuey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self) -> sqlite3.Connection:
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


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
