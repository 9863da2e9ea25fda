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

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from archivox.consultations.models import KeptAnswer

logger = logging.getLogger(__name__)


def kept_ids(*, archive_id: int, words: str, limit: int) -> tuple[list[int], float] | None:
    """The ids kept for ``words`` (normalised) and ``limit`` in the archive, with the seconds
    they are still good for; None when nothing unexpired is kept. Hand-written SQL: it runs
    for many messages, and building the ORM query cost more than the read by key."""
    now = timezone.now()
    meta = KeptAnswer._meta
    ops = connection.ops
    column = {field.attname: ops.quote_name(field.column) for field in meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column['description_ids']}, {column['expires_at']} "  # noqa: S608 - names are ours
            f"FROM {ops.quote_name(meta.db_table)} WHERE {column['archive_id']} = %s "
            f"AND {column['digest']} = %s AND {column['expires_at']} > %s",
            [archive_id, KeptAnswer.digest_of(words, limit), ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    ids, until = row
    # The drivers return what the column holds: JSON text and, on SQLite, a UTC timestamp text.
    ids = json.loads(ids) if isinstance(ids, str) else ids
    if isinstance(until, str):
        until = parse_datetime(until)
    if timezone.is_naive(until):
        until = timezone.make_aware(until, datetime.UTC)
    return [int(pk) for pk in ids], (until - now).total_seconds()


def keep(*, archive_id: int, words: str, limit: int, ids: list[int], seconds: float) -> None:
    """Keep ``ids`` as the answer to ``words`` for ``seconds`` (replacing what was kept). A
    failure is logged and forgotten: the answer is not kept."""
    now = timezone.now()
    try:
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


def purge() -> int:
    """Drop the expired answers (hourly, ``tasks``; a statement of its own, so that it never
    holds row locks while an answer is being kept): how many were dropped."""
    return KeptAnswer.objects.filter(expires_at__lte=timezone.now()).delete()[0]
