"""The monthly roll-up of post records (``PostMonth``), rebuilt from the posts wherever they are
written: by ``post_record_save`` for the month of the post it saved, by the CSV import and the
paper's loader for every account they wrote posts of, and by the admin when it deletes posts.
The indicators read it for the whole months of a window (``indicators.periods``).

A month is rebuilt, never adjusted: the same aggregates as the indicators' own scan of the
posts, written by one INSERT … SELECT, so the roll-up cannot drift from what a scan would say."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import QuerySet

from archivox.survey.indicators.periods import next_month
from archivox.survey.indicators.sql import PeriodStart, _sort_in_memory, post_aggregates
from archivox.survey.models import Account, PostMonth, PostRecord

# Accounts rebuilt by one statement: a bounded IN list, each a walk of the posts' index.
CHUNK = 1000


def post_month_refresh(*, account_id: int, day: datetime.date) -> None:
    """Rebuild the roll-up of one account's month (the month ``day`` falls in)."""
    first, after = day.replace(day=1), next_month(day)
    sql, slots = _month_statement(connection.vendor)
    ops = connection.ops
    values = (account_id, ops.adapt_datefield_value(first), ops.adapt_datefield_value(after))
    with transaction.atomic():
        _take_turns([account_id])
        PostMonth.objects.filter(account_id=account_id, month=first).delete()
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[slot] if kind else slot for kind, slot in slots])


# Stand-ins for an account and a month in the one-month statement, compiled once per database:
# a post's save rebuilds its month, and building the query each time cost three times the
# statement itself.
_ACCOUNT, _FIRST, _AFTER = -738_291_046, datetime.date(1901, 1, 1), datetime.date(1901, 2, 1)


@functools.cache
def _month_statement(vendor: str) -> tuple[str, list[tuple[bool, object]]]:
    """The INSERT … SELECT of one account's month, and its parameters: ``(True, n)`` for the
    n-th of (account, first day, day after), ``(False, value)`` for a constant."""
    ops = connection.ops
    stand_ins = [_ACCOUNT, ops.adapt_datefield_value(_FIRST), ops.adapt_datefield_value(_AFTER)]
    sql, params = _statement(
        PostRecord.objects.filter(
            account_id=_ACCOUNT, published_on__gte=_FIRST, published_on__lt=_AFTER
        )
    )
    slots = [
        (True, stand_ins.index(param)) if param in stand_ins else (False, param) for param in params
    ]
    if sorted(slot for kind, slot in slots if kind) != [0, 1, 2]:
        raise AssertionError(f"the month statement's parameters are not as expected: {params}")
    return sql, slots


def post_months_refresh(account_ids: Iterable[int] | None = None) -> int:
    """Rebuild every month of these accounts (of every account when ``None``) from their post
    records; returns how many accounts were rebuilt (``None``: how many have posts)."""
    # SQLite groups by sorting: its sorter kept in memory, as for the indicators' own scan.
    with transaction.atomic(), _sort_in_memory():
        if account_ids is None:
            _take_turns(None)
            PostMonth.objects.all().delete()
            _insert(PostRecord.objects.all())
            return PostMonth.objects.values("account_id").distinct().count()
        ids = sorted(set(account_ids))
        for offset in range(0, len(ids), CHUNK):
            chunk = ids[offset : offset + CHUNK]
            _take_turns(chunk)
            PostMonth.objects.filter(account_id__in=chunk).delete()
            _insert(PostRecord.objects.filter(account_id__in=chunk))
        return len(ids)


def _take_turns(account_ids: list[int] | None) -> None:
    """Lock the accounts (all when ``None``) until the transaction ends. Two rebuilds of one
    month at once would each delete the old row and insert their own, and one would fail on
    the month's unique row (PostgreSQL; seen with six saves in one month): they take turns, and
    the later one, reading after the earlier committed, counts both posts. SQLite writes one
    transaction at a time already."""
    accounts = Account.objects.select_for_update().order_by("pk")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    list(accounts.values_list("pk", flat=True))


def _insert(posts: QuerySet[PostRecord]) -> None:
    sql, params = _statement(posts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _statement(posts: QuerySet[PostRecord]) -> tuple[str, list]:
    """The INSERT … SELECT of ``posts`` (a queryset of post records) by account and month."""
    rows = (
        posts.annotate(period=PeriodStart("published_on", "month"))
        .values("account_id", "period")
        .annotate(**post_aggregates())
        .order_by()
    )
    compiler = rows.query.get_compiler(using=rows.db)
    sql, params = compiler.as_sql()
    columns = ["month" if alias == "period" else alias for _, _, alias in compiler.select]
    quote = connection.ops.quote_name
    table = quote(PostMonth._meta.db_table)
    names = ", ".join(quote(name) for name in columns)
    return f"INSERT INTO {table} ({names}) {sql}", list(params)
