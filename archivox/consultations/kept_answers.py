"""The catalog rule's answers kept for every web process: a cache whose storage is a table
(``KeptAnswer``), so that a question one process searched is answered by the others with one
read by key. Like Django's database cache it is written from the reading path (an answer is
kept when it is found); it holds ids only, never what the public sees (every answer reads
its items again through the access gateway), and nothing in it is business state: losing it
costs a search.

A table, not Redis: the embedded installation has no Redis, each test's database is its own
(nothing kept leaks between tests or installations), and the rows are gone with the archive."""

from __future__ import annotations

import datetime
import json
import logging
from contextlib import nullcontext

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from archivox.consultations.models import KeptAnswer

logger = logging.getLogger(__name__)


def kept_ids(*, archive_id: int, words: str, limit: int) -> tuple[list[int], float] | None:
    """The ids kept for ``words`` (normalised) and ``limit`` in the archive, with the seconds
    they are still good for; None when nothing unexpired is kept, or when the table cannot be
    read (logged: the answer is searched for instead). Hand-written SQL: it runs for many
    messages, and building the ORM query cost more than the read by key."""
    now = timezone.now()
    meta = KeptAnswer._meta
    ops = connection.ops
    column = {field.attname: ops.quote_name(field.column) for field in meta.concrete_fields}
    try:
        # A savepoint only inside a caller's transaction: a failed read must not spoil it.
        with (
            transaction.atomic() if connection.in_atomic_block else nullcontext(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"SELECT {column['description_ids']}, {column['expires_at']} "  # noqa: S608 - names are ours
                f"FROM {ops.quote_name(meta.db_table)} WHERE {column['archive_id']} = %s "
                f"AND {column['digest']} = %s AND {column['expires_at']} > %s",
                [
                    archive_id,
                    KeptAnswer.digest_of(words, limit),
                    ops.adapt_datetimefield_value(now),
                ],
            )
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("the kept catalog answers could not be read", exc_info=True)
        return None
    if row is None:
        return None
    ids, until = row
    # The drivers return what the column holds: JSON text and, on SQLite, a timestamp text in
    # the connection's time zone (UTC unless the database says otherwise).
    ids = json.loads(ids) if isinstance(ids, str) else ids
    if isinstance(until, str):
        until = parse_datetime(until)
    if timezone.is_naive(until):
        until = timezone.make_aware(until, connection.timezone)
    return [int(pk) for pk in ids], (until - now).total_seconds()


# SQLite: how long keeping an answer may wait for the write lock (milliseconds). An answer is
# kept on its reply's path; while an import or a publishing run holds the lock, it is better not
# kept than late (the connection's own timeout is 20 s).
SQLITE_LOCK_WAIT_MS = 200


def keep(*, archive_id: int, words: str, limit: int, ids: list[int], seconds: float) -> None:
    """Keep ``ids`` as the answer to ``words`` for ``seconds`` (replacing what was kept). A
    failure is logged and forgotten: the answer is not kept."""
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    waited = None
    try:
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout")
                waited = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_LOCK_WAIT_MS)}")
        # A savepoint: a failed write must not spoil a caller's transaction (PostgreSQL).
        with transaction.atomic():
            KeptAnswer.objects.bulk_create(
                [
                    KeptAnswer(
                        archive_id=archive_id,
                        digest=KeptAnswer.digest_of(words, limit),
                        description_ids=list(ids),
                        expires_at=now + datetime.timedelta(seconds=seconds),
                    )
                ],
                update_conflicts=True,
                unique_fields=["archive", "digest"],
                update_fields=["description_ids", "expires_at"],
            )
    except DatabaseError:
        logger.warning("a catalog answer could not be kept", exc_info=True)
    finally:
        if waited is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")


def forget(*, archive_id: int) -> None:
    """Drop what is kept for the archive (its rules changed, or staff test one: the next answer
    is searched afresh in every process). A failure is logged and forgotten."""
    try:
        with transaction.atomic():
            KeptAnswer.objects.filter(archive_id=archive_id).delete()
    except DatabaseError:
        logger.warning("the kept catalog answers could not be dropped", exc_info=True)


def purge() -> int:
    """Drop the expired answers (hourly, ``tasks``; a statement of its own, so that it never
    holds row locks while an answer is being kept): how many were dropped."""
    return KeptAnswer.objects.filter(expires_at__lte=timezone.now()).delete()[0]
