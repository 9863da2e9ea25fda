"""SQL helpers of the post scan: what is added up of the posts (and of their monthly roll-up), a
period's first day in the database's own date functions, rows read without Django's per-value
converters, and SQLite's sorter kept in memory."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, connections, models
from django.db.models import Count, Max, Sum
from django.db.models.functions import Cast, Coalesce

from archivox.survey.indicators.thresholds import PERIODS

# What the indicators add up of an account's posts in a period (the columns of ``PostMonth``):
# counters summed, and maxima.
SUMMED = (
    "posts",
    "originals",
    "forwards",
    "reads_posts",
    "reads_sum",
    "likes_posts",
    "likes_sum",
    "comments_posts",
    "comments_sum",
    "shares_sum",
)
MAXED = ("reads_max", "likes_max")


def post_aggregates() -> dict[str, Any]:
    """The aggregates of ``SUMMED`` and ``MAXED`` over post records, by name. Each costs a call
    per post: only what the indicators use is computed."""
    # Counted without FILTER clauses (a tenth of the scan on SQLite): the originals are the sum
    # of the flag, the forwards the flagged posts that are not originals.
    originals = Coalesce(Sum(Cast("is_original", models.IntegerField())), 0)
    return {
        "posts": Count("*"),
        "originals": originals,
        "forwards": Count("is_original") - originals,
        "reads_posts": Count("reads"),
        "reads_sum": Sum("reads"),
        "reads_max": Max("reads"),
        "likes_posts": Count("likes"),
        "likes_sum": Sum("likes"),
        "likes_max": Max("likes"),
        "comments_posts": Count("comments"),
        "comments_sum": Sum("comments"),
        "shares_sum": Sum("shares"),
    }


def month_aggregates() -> dict[str, Any]:
    """The same aggregates over months of ``PostMonth`` (months added up into years)."""
    return {
        **{name: Sum(name) for name in SUMMED},
        **{name: Max(name) for name in MAXED},
    }


def combine(rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict:
    """Period rows added up by ``key`` (sums summed, maxima maximised), as new dicts."""
    combined: dict[Any, dict[str, Any]] = {}
    for row in rows:
        group = key(row)
        total = combined.get(group)
        if total is None:
            combined[group] = dict(row)
            continue
        for name in SUMMED:
            total[name] = (total[name] or 0) + (row[name] or 0)
        for name in MAXED:
            if row[name] is not None and (total[name] is None or row[name] > total[name]):
                total[name] = row[name]
    return combined


def _plain_rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    """The rows of a ``values().annotate()`` query of counts and sums by account and period, as
    dicts, without Django's per-value converters (a dozen calls a row, a tenth of the time):
    the database gives integers already, except PostgreSQL's sums (numeric), and the period as
    a date, except SQLite (ISO text, parsed once per distinct period)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    names = [alias for _, _, alias in compiler.select]
    period = names.index("period")
    # PostgreSQL's sum of a bigint is numeric; of an integer (the roll-up's counts), a bigint.
    sums = [i for i, name in enumerate(names) if name.endswith("_sum")]
    days: dict[Any, datetime.date] = {}
    rows = []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            values = list(row)
            day = values[period]
            if not isinstance(day, datetime.date):
                if day not in days:
                    days[day] = datetime.date.fromisoformat(day)
                values[period] = days[day]
            for i in sums:
                if values[i] is not None and type(values[i]) is not int:
                    values[i] = int(values[i])
            rows.append(dict(zip(names, values, strict=True)))
    return rows


SORT_MEMORY_KIB = 64 * 1024
SCAN_MMAP_BYTES = 1 << 30


@contextlib.contextmanager
def _sort_in_memory() -> Iterator[None]:
    """On SQLite, the GROUP BY sorter spills to temporary files once its rows outgrow the page
    cache (2 MB by default), and merging them back costs about a fifth of the scan: the cache is
    raised for the scan only, then put back as it was."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA mmap_size")
        (previous_mmap,) = cursor.fetchone() or (0,)
        cursor.execute(f"PRAGMA cache_size = -{SORT_MEMORY_KIB}")
        # Pages read from the file's mapping rather than copied in by a read() each.
        cursor.execute(f"PRAGMA mmap_size = {SCAN_MMAP_BYTES}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
            cursor.execute(f"PRAGMA mmap_size = {int(previous_mmap)}")


class PeriodStart(models.Func):
    """The first day of the week (Monday), month or year a date falls in, with the database's
    own date functions (no per-row Python on SQLite)."""

    output_field = models.DateField()

    def __init__(self, expression: Any, kind: str) -> None:
        if kind not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        self.kind = kind
        super().__init__(expression)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        # Dates are stored as YYYY-MM-DD text: cutting the text is several times cheaper per
        # row than date() for months and years.
        if self.kind == "month":
            return f"substr({sql}, 1, 8) || '01'", params
        if self.kind == "year":
            return f"substr({sql}, 1, 5) || '01-01'", params
        return f"date({sql}, 'weekday 0', '-6 days')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(date_trunc('{self.kind}', {sql}) AS date)", params

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        from django.db.models.functions import Trunc

        return Trunc(self.source_expressions[0], self.kind, output_field=models.DateField()).as_sql(
            compiler, connection
        )
