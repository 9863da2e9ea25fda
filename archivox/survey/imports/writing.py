"""Writing the checked rows: INSERT … ON CONFLICT statements of many rows on SQLite, COPY on
PostgreSQL, on a writer thread of its own beside the checks on both."""

from __future__ import annotations

import queue
import sqlite3
import threading
from typing import Any

from django.db import connection, models

from archivox.survey.models import MetricSnapshot, PostRecord

# Rows a statement on SQLite (within its limit of parameters).
PER_STATEMENT = 2000
SNAPSHOT_FIELDS = ("account", "date", "followers", "posts_total", "source")
POST_FIELDS = (
    "account",
    "published_at",
    "published_on",
    "title",
    "column",
    "is_original",
    "reads",
    "likes",
    "comments",
    "shares",
    "measured_at",
    "source",
    "flags",
)


def _upsert_statement(
    model: type[models.Model], fields: tuple[str, ...], key: tuple[str, ...]
) -> tuple[str, str, str]:
    """The quoted table, its quoted columns and the ON CONFLICT (key) DO UPDATE clause."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in fields]
    keys = [model._meta.get_field(name).column for name in key]
    updates = ", ".join(
        f"{quote(column)} = excluded.{quote(column)}" for column in columns if column not in keys
    )
    # Names come from the model's own metadata, values go as parameters.
    conflict = f" ON CONFLICT ({', '.join(map(quote, keys))}) DO UPDATE SET {updates}"
    return quote(model._meta.db_table), ", ".join(map(quote, columns)), conflict


def _upsert_by_values(raw: Any, table: str, names: str, conflict: str, rows: list[tuple]) -> None:
    """SQLite: statements of many rows each. ``raw`` is the sqlite3 connection of Django's, used
    directly (its placeholders are ``?``) so that the writer's thread works in the same
    transaction. Many rows a statement also means few hand-overs of the interpreter's lock:
    sqlite3 lets go of it while a statement runs, and the writer waits to take it back."""
    width = names.count(",") + 1
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
    one = f"({', '.join(['?'] * width)})"
    # The library's own limit (250,000 in SQLite 3.32+), not Django's conservative 999.
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(PER_STATEMENT, limit // width))
    full = head + ", ".join([one] * per_statement) + conflict
    cursor = raw.cursor()
    try:
        for offset in range(0, len(rows), per_statement):
            chunk = rows[offset : offset + per_statement]
            sql = full
            if len(chunk) < per_statement:
                sql = head + ", ".join([one] * len(chunk)) + conflict
            cursor.execute(sql, [value for row in chunk for value in row])
    finally:
        cursor.close()


def _upsert_by_copy(
    raw: Any, table: str, names: str, conflict: str, rows: list[tuple], *, fresh: bool = False
) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT
    (dropped at commit; the import runs in one transaction). ``raw`` is the psycopg connection
    of Django's, used directly so that the writer's thread works in the same transaction.

    ``fresh`` rows (of accounts that had none in the table before the import) cannot conflict:
    the import's own rows are never twice the same (duplicates are refused), so they are copied
    straight into the table."""
    staging = "survey_import_staging_" + table.strip('"')
    with raw.cursor() as cursor:
        if fresh:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging}{conflict}")  # noqa: S608
        cursor.execute(f"TRUNCATE {staging}")


class _Writer:
    """Writes the batches of checked rows on a thread of its own, through the import's
    connection (so in its transaction), while the main thread checks the next rows. The
    database's share of the import (the INSERT, its indexes, the foreign-key checks) then runs
    beside Python's instead of after it: PostgreSQL's in its server, SQLite's in sqlite3's C,
    which runs without the interpreter's lock. At most ``WAITING`` batches wait; the main
    thread uses the connection only once the writer is idle (``drain``), and a writer's error is
    raised on the main thread, as Django's error, at the next hand-over."""

    WAITING = 2

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.batches: queue.Queue[tuple | None] = queue.Queue(maxsize=self.WAITING)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        # By table: the accounts looked up, and those of them that had rows before the import.
        self.checked: dict[str, set[int]] = {}
        self.existing: dict[str, set[int]] = {}
        self.postgresql = connection.vendor == "postgresql"
        self.deferred = ""
        if not self.postgresql:
            return  # SQLite checks its foreign keys at commit, whoever wrote the rows
        # The foreign keys of the rows written are checked by each INSERT, on the writer's time,
        # not all at commit, where a row's check would wait for every other (they are deferred
        # by default); the same checks, only earlier. Put back when the writer stops.
        with connection.cursor() as cursor:
            self.deferred = ", ".join(
                connection.ops.quote_name(name)
                for model in (MetricSnapshot, PostRecord)
                for name, constraint in connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                ).items()
                if constraint["foreign_key"]
            )
            if self.deferred:
                cursor.execute(f"SET CONSTRAINTS {self.deferred} IMMEDIATE")

    def submit(self, table: str, names: str, conflict: str, rows: list[tuple]) -> None:
        self._raise()
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="survey-import", daemon=True)
            self.thread.start()
        self.batches.put((table, names, conflict, rows))

    def drain(self) -> None:
        """Wait until every batch handed over is written; raise the writer's error if any."""
        if self.thread is not None:
            self.batches.join()
        self._raise()

    def stop(self) -> None:
        """End the thread (batches still waiting are written or, after an error, dropped)."""
        if self.thread is not None:
            self.batches.put(None)
            self.thread.join()
            self.thread = None
        if not self.postgresql:
            return
        from psycopg.pq import TransactionStatus  # PostgreSQL only, as the writer

        if self.deferred and self.raw.info.transaction_status == TransactionStatus.INTRANS:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {self.deferred} DEFERRED")
            self.deferred = ""

    def _raise(self) -> None:
        error, self.error = self.error, None
        if error is not None:
            with connection.wrap_database_errors:
                raise error

    def _fresh(self, table: str, accounts: set[int]) -> bool:
        """Whether none of ``accounts`` had rows in ``table`` before the import: each account is
        looked up once, before the first of its rows is written (batches go in order)."""
        checked = self.checked.setdefault(table, set())
        existing = self.existing.setdefault(table, set())
        unknown = accounts - checked
        if unknown:
            with self.raw.cursor() as cursor:
                cursor.execute(
                    f"SELECT a FROM unnest(%s::bigint[]) AS a WHERE EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {table} WHERE account_id = a)",
                    [sorted(unknown)],
                )
                existing.update(a for (a,) in cursor.fetchall())
            checked.update(unknown)
        return not (accounts & existing)

    def _run(self) -> None:
        failed = False
        while True:
            batch = self.batches.get()
            try:
                if batch is None:
                    return
                if not failed:
                    table, names, conflict, rows = batch
                    if self.postgresql:
                        fresh = self._fresh(table, {row[0] for row in rows})
                        _upsert_by_copy(self.raw, table, names, conflict, rows, fresh=fresh)
                    else:
                        _upsert_by_values(self.raw, table, names, conflict, rows)
            except BaseException as exc:  # handed to the main thread
                failed, self.error = True, exc
            finally:
                self.batches.task_done()
