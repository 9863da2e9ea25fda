"""Django's SQLite backend, each write transaction (or single write statement) taken under the
database's writer lock (``archivox.core.writer_lock``), so that concurrent writers queue in the
kernel and wake as soon as the previous one commits, instead of sleeping in SQLite's busy handler.

The rule is kept by the sqlite3 connection itself: a statement that may write takes the lock
before it runs (``BEGIN IMMEDIATE`` of an atomic block, or an INSERT/UPDATE/DELETE in autocommit
mode), and the lock is let go as soon as the connection is out of its transaction again (after
the autocommit statement, COMMIT, ROLLBACK, an error that ended the transaction, or close).
Reads never take it: in WAL mode they do not wait for writers.

SQLite checkpoints the WAL into the database (copying pages and syncing, 10-50 ms here) from the
statement that commits past 1,000 pages, *after* letting go of its write lock; under our lock,
which a statement holds until it returns, that would stall every writer. So these connections
checkpoint themselves, every ``CHECKPOINT_EVERY`` of their writes, once the lock is released
(a PASSIVE checkpoint: it waits for nobody)."""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from typing import Any

from django.db.backends.sqlite3 import base

from archivox.core.writer_lock import WriterLock, lock_path, reads_only

# Each connection's writes between its checkpoints; with several processes writing, the WAL is
# checkpointed every CHECKPOINT_EVERY writes overall, about SQLite's default of 1,000 pages.
CHECKPOINT_EVERY = 200


class WriterLockedConnection(sqlite3.Connection):
    writer_lock: WriterLock | None = None
    writes = 0

    def writing(self, sql: str) -> None:
        """Before ``sql`` runs: take the writer lock unless it only reads."""
        if self.writer_lock is not None and not reads_only(sql):
            self.writer_lock.acquire()

    def settled(self) -> None:
        """After a statement, commit or rollback: let go once no transaction is open."""
        lock = self.writer_lock
        if lock is None or not lock.held or self.in_transaction:
            return
        lock.release()
        self.writes += 1
        if self.writes >= CHECKPOINT_EVERY:
            self.writes = 0
            # Best effort: a checkpoint that cannot run now is caught up by the next one.
            with suppress(sqlite3.Error):
                super().execute("PRAGMA wal_checkpoint(PASSIVE)").close()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.settled()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.settled()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.writer_lock is not None:
                self.writer_lock.close()


class WriterLockedCursor(base.SQLiteCursorWrapper):
    connection: WriterLockedConnection

    def execute(self, query: str, params: Any = None) -> Any:
        self.connection.writing(query)
        try:
            return super().execute(query, params)
        finally:
            self.connection.settled()

    def executemany(self, query: str, param_list: Any) -> Any:
        self.connection.writing(query)
        try:
            return super().executemany(query, param_list)
        finally:
            self.connection.settled()

    def executescript(self, sql_script: str) -> Any:
        self.connection.writing(sql_script)
        try:
            return super().executescript(sql_script)
        finally:
            self.connection.settled()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        connection = super().get_new_connection({**conn_params, "factory": WriterLockedConnection})
        path = lock_path(conn_params["database"])
        if path is not None:
            connection.writer_lock = WriterLock(path, float(conn_params.get("timeout", 5.0)))
            connection.execute("PRAGMA wal_autocheckpoint=0")  # see CHECKPOINT_EVERY
        return connection

    def create_cursor(self, name: str | None = None) -> WriterLockedCursor:
        return self.connection.cursor(factory=WriterLockedCursor)
