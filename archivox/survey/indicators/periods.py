"""The rows by account and period that every indicator is computed from (the monthly roll-up
for whole months, the post records for part-months and weeks; in ranges of accounts on several
connections for a large scope), and activity and indices by period."""

from __future__ import annotations

import datetime
import functools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, connections, models
from django.db.models import F

from archivox.survey.indicators.indices import bci, wci
from archivox.survey.indicators.sql import (
    MAXED,
    SUMMED,
    PeriodStart,
    _plain_rows,
    _sort_in_memory,
    combine,
    month_aggregates,
    post_aggregates,
)
from archivox.survey.models import Platform, PostMonth, PostRecord
from archivox.survey.selectors import Scope

ONE_DAY = datetime.timedelta(days=1)


def account_period_rows(
    scope: Scope,
    *,
    period: str = "month",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    from_posts: bool = False,
) -> list[dict[str, Any]]:
    """One row per account and period (week, month or year) of the window: counts, sums and
    maxima of its posts (``SUMMED``, ``MAXED``). What every indicator is computed from.

    Months and years are read from the monthly roll-up (``PostMonth``) for the whole calendar
    months of the window, and from the post records only for the part-months at its ends: a
    year of a national survey is then 144,000 roll-up rows, not 12 million posts. Weeks, and
    ``from_posts=True`` (the tests' cross-check), scan the post records."""
    start, end = start or scope.start, end or scope.as_of
    if period == "week" or from_posts:
        return _scan(scope, [lambda: _period_rows(scope, period, start, end)])
    # The whole months: from ``first`` to before ``after``; the part-months around them.
    first = start if start.day == 1 else next_month(start)
    after = next_month(end) if next_month(end) - ONE_DAY == end else end.replace(day=1)
    if first >= after:  # no whole month inside the window
        return _scan(scope, [lambda: _period_rows(scope, period, start, end)])
    parts = [(start, first - ONE_DAY)] if start < first else []
    parts += [(after, end)] if after <= end else []
    # A query of its own for each part-month: each is a short walk of every account's index
    # (two ranges in one query made SQLite walk all the account's posts, the window's or not).
    queries = [lambda: _month_rows(scope, period, first, after)]
    queries += [functools.partial(_period_rows, scope, period, *part) for part in parts]
    rows = _scan(scope, queries)
    if period == "month" or not parts:
        return rows  # each row is a period of its own
    return list(combine(rows, lambda row: (row["account_id"], row["period"])).values())


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after the one ``day`` falls in."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _scan(scope: Scope, queries: list[Callable[[], models.QuerySet]]) -> list[dict[str, Any]]:
    """The rows of ``queries`` (by account and period), one after the other; a large scope is
    read in ranges of accounts on ``SCAN_THREADS`` connections at once: the database does the
    work with Python's lock released, so every core counts (see ``_scan_ranges``)."""
    ranges = _scan_ranges(scope)
    if len(ranges) <= 1:
        with _sort_in_memory():
            return [row for query in queries for row in _plain_rows(query())]

    def scan(bounds: tuple[int, int]) -> list[dict[str, Any]]:
        try:
            with _sort_in_memory():
                return [
                    row
                    for query in queries
                    for row in _plain_rows(
                        query().filter(account_id__gte=bounds[0], account_id__lte=bounds[1])
                    )
                ]
        finally:
            connections.close_all()  # this thread's own connections

    with ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="survey-scan") as pool:
        return [row for part in pool.map(scan, ranges) for row in part]


# Threads for the post scan: one per core, at most 4 (``ARCHIVOX_SURVEY_SCAN_THREADS``; 1 turns
# it off). Below PARALLEL_MIN_ACCOUNTS a single scan is faster than opening connections.
SCAN_THREADS = max(
    1, int(os.environ.get("ARCHIVOX_SURVEY_SCAN_THREADS", "0") or 0) or min(os.cpu_count() or 1, 4)
)
PARALLEL_MIN_ACCOUNTS = 200


def _scan_ranges(scope: Scope) -> list[tuple[int, int]]:
    """Ranges of account ids with about the same number of accounts each, one per scan thread;
    a single range when threads cannot help or cannot see the same data: inside a transaction
    (other connections would not see its uncommitted rows), on an in-memory SQLite database
    (one per connection), or for a small scope."""
    if (
        SCAN_THREADS <= 1
        or connection.in_atomic_block
        or (connection.vendor == "sqlite" and connection.is_in_memory_db())
    ):
        return []
    ids = list(scope.accounts().order_by("pk").values_list("pk", flat=True))
    if len(ids) < PARALLEL_MIN_ACCOUNTS:
        return []
    size = math.ceil(len(ids) / SCAN_THREADS)
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _period_rows(
    scope: Scope, period: str, start: datetime.date, end: datetime.date
) -> models.QuerySet:
    """The posts of the days ``start`` to ``end`` (inclusive) by account and period. The filter
    on the scope's accounts makes the database walk the (account, day, counters) index, which
    covers every column read here, so no table row is visited and only the period grouping
    sorts."""
    return (
        PostRecord.objects.filter(
            account_id__in=scope.accounts().values("pk"),
            published_on__gte=start,
            published_on__lte=end,
        )
        .annotate(period=PeriodStart("published_on", period))
        .values("account_id", "period")
        .annotate(**post_aggregates())
        .order_by()
    )


def _month_rows(
    scope: Scope, period: str, first: datetime.date, after: datetime.date
) -> models.QuerySet:
    """The roll-up's whole months from ``first`` to before ``after``, by account and period."""
    months = PostMonth.objects.filter(
        account_id__in=scope.accounts().values("pk"), month__gte=first, month__lt=after
    )
    if period == "month":
        # One roll-up row is one period: no grouping, the row's own values.
        return months.annotate(period=F("month")).values("account_id", "period", *SUMMED, *MAXED)
    return (
        months.annotate(period=PeriodStart("month", period))
        .values("account_id", "period")
        .annotate(**month_aggregates())
        .order_by()
    )


def _account_regions(scope: Scope) -> dict[int, dict[str, Any]]:
    return {
        row["pk"]: row
        for row in scope.accounts().values(
            "pk",
            "platform",
            "institution__slug",
            "institution__name",
            "institution__name_zh",
            "institution__region__code",
        )
    }


ACTIVITY_SOURCES = (
    ("posts", "posts"),
    ("originals", "originals"),
    ("forwards", "forwards"),
    ("reads", "reads_sum"),
    ("likes", "likes_sum"),
    ("comments", "comments_sum"),
    ("shares", "shares_sum"),
)


def activity_by_period(
    scope: Scope,
    *,
    period: str = "month",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    period_rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Posts, originals, forwards, reads, likes, comments and shares by period and region (and
    how many accounts posted). ``period_rows`` of the same period may be passed in."""
    if period_rows is None:
        period_rows = account_period_rows(scope, period=period, start=start, end=end)
    regions = {
        pk: account["institution__region__code"] for pk, account in _account_regions(scope).items()
    }
    totals: dict[tuple[datetime.date, str], dict[str, Any]] = {}
    for row in period_rows:
        key = (row["period"], regions[row["account_id"]])
        total = totals.get(key)
        if total is None:
            total = totals[key] = {
                "period": key[0],
                "region": key[1],
                "accounts": 0,
                "posts": 0,
                "originals": 0,
                "forwards": 0,
                "reads": 0,
                "likes": 0,
                "comments": 0,
                "shares": 0,
            }
        total["accounts"] += 1
        for name, source in ACTIVITY_SOURCES:
            total[name] += row[source] or 0
    result = []
    for key in sorted(totals):
        row = totals[key]
        known = row["originals"] + row["forwards"]
        row["originality"] = row["originals"] / known if known else None
        result.append(row)
    return result


def indices_by_period(
    scope: Scope,
    *,
    period: str = "month",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    period_rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """WCI 2.0 of every WeChat account and BCI of every Weibo account, period by period."""
    if period_rows is None:
        period_rows = account_period_rows(scope, period=period, start=start, end=end)
    labels = _account_regions(scope)
    result = []
    for row in sorted(period_rows, key=lambda r: (r["period"], r["account_id"])):
        account = labels[row["account_id"]]
        if account["platform"] == Platform.WECHAT:
            index = wci(
                posts=row["reads_posts"],
                reads=row["reads_sum"] or 0,
                reads_max=row["reads_max"] or 0,
                likes=row["likes_sum"] or 0,
                likes_max=row["likes_max"] or 0,
            )
            name = "WCI"
        elif account["platform"] == Platform.WEIBO:
            index = bci(
                posts=row["posts"],
                reposts=row["shares_sum"] or 0,
                comments=row["comments_sum"] or 0,
                likes=row["likes_sum"] or 0,
            )
            name = "BCI"
        else:
            continue
        result.append(
            {
                "period": row["period"],
                "account_id": row["account_id"],
                "institution": account["institution__slug"],
                "institution_name": account["institution__name_zh"] or account["institution__name"],
                "region": account["institution__region__code"],
                "platform": account["platform"],
                "posts": row["posts"],
                "index": name,
                "value": index,
            }
        )
    return result
