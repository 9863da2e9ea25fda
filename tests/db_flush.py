"""Empty the test database after a transactional test (``live_server``, ``transactional_db``)
the way Django's flush does, at a fraction of its cost.

Django's flush TRUNCATEs all ~100 tables after every such test. On PostgreSQL a TRUNCATE makes
new files for each table and syncs them at commit: half a second on an idle 2-core machine, over
three seconds while the other test workers run, and there are ~320 such tests. Here only the
tables that hold rows are emptied, with DELETE in one transaction (every foreign key Archivox
makes is deferred, so the order does not matter). The content types and permissions, which
Django's flush would delete and the post_migrate signal re-create unchanged, are kept; should a
test have changed their number, they are emptied and re-created as by Django's own flush.

The database ends as Django's flush leaves it: the same rows (none but the re-created ones) and
sequences not reset. Anything unexpected falls back to Django's own flush."""

from __future__ import annotations

import logging
import os

from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connections, transaction
from django.test import TransactionTestCase

log = logging.getLogger(__name__)

# Re-created by the post_migrate signal after Django's flush: kept, and checked instead.
RECREATED = ("django_content_type", "auth_permission")

_django_fixture_teardown = TransactionTestCase._fixture_teardown
_tables: dict[str, list[str]] = {}
_recreated_counts: dict[str, tuple[int, ...]] = {}


# The table names in the SQL below are Django's own (introspection), quoted: no outside input.


def _counts(cursor, names: tuple[str, ...]) -> tuple[int, ...]:
    sql = " UNION ALL ".join(
        f'SELECT {index}, count(*) FROM "{name}"'  # noqa: S608
        for index, name in enumerate(names)
    )
    cursor.execute(sql)
    return tuple(count for _index, count in sorted(cursor.fetchall()))


def _flush(db_name: str) -> None:
    connection = connections[db_name]
    if db_name not in _recreated_counts:
        # The first flush in this process is Django's own, which leaves the canonical content
        # types and permissions to compare with later.
        call_command("flush", verbosity=0, interactive=False, database=db_name)
        with connection.cursor() as cursor:
            _recreated_counts[db_name] = _counts(cursor, RECREATED)
        return
    tables = _tables.get(db_name)
    if tables is None:
        names = connection.introspection.django_table_names(only_existing=True, include_views=False)
        tables = _tables[db_name] = sorted(set(names) - set(RECREATED))
    quote = connection.ops.quote_name
    with transaction.atomic(using=db_name), connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT {index} FROM (SELECT 1 FROM {quote(name)} LIMIT 1) AS t{index}"  # noqa: S608
                for index, name in enumerate(tables)
            )
        )
        filled = [tables[row[0]] for row in cursor.fetchall()]
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        changed = _counts(cursor, RECREATED) != _recreated_counts[db_name]
        if changed:  # as Django's flush: emptied, then re-created by post_migrate
            filled += RECREATED
        for name in filled:
            cursor.execute(f"DELETE FROM {quote(name)}")  # noqa: S608
    if changed:
        emit_post_migrate_signal(0, False, db_name)
        with connection.cursor() as cursor:
            _recreated_counts[db_name] = _counts(cursor, RECREATED)


def _fixture_teardown(self: TransactionTestCase) -> None:
    if self.available_apps is not None or self.serialized_rollback:
        _django_fixture_teardown(self)
        return
    for db_name in self._databases_names(include_mirrors=False):
        try:
            _flush(db_name)
        except DatabaseError:
            log.exception("fast flush of %s failed; Django's flush runs instead", db_name)
            _recreated_counts.pop(db_name, None)
            _flush(db_name)


def install() -> None:
    """``ARCHIVOX_TEST_DJANGO_FLUSH=1`` keeps Django's own flush (to compare the two)."""
    if os.environ.get("ARCHIVOX_TEST_DJANGO_FLUSH") != "1":
        TransactionTestCase._fixture_teardown = _fixture_teardown
