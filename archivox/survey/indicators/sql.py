"""SQL helpers of the post scan: a period's first day in the database's own date functions,
rows read without Django's per-value converters, and SQLite's sorter kept in memory."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any

from django.db import connection, connections, models

from archivox.survey.indicators.thresholds import PERIODS


def _plain_rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    """The rows of a ``values().annotate()`` query of counts and sums by account and period, as
    dicts, without Django's per-value converters (a dozen calls a row, a tenth of the time):
    the database gives integers already, except PostgreSQL's sums (numeric), and the period as
    a date, except SQLite (ISO text, parsed once per distinct period)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    names = [alias for _, _, alias in compiler.select]
    period = names.index("period")
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
