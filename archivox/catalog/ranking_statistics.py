"""What the catalog's ranking reads about its index before it reads a window (issue 24): the
index's size and rank_key histogram (PostgreSQL's statistics), one archive's row count and the
rank_key below which a share of its rows lies, and the sample's word counts (SQLite). Each is
cheap and most are kept a minute per process."""

from __future__ import annotations

import math
import time

from django.db import connection

_sample_size_cache: dict[str, tuple[float, int]] = {}


def sample_counts(cursor, tokens: list[str]) -> tuple[int, list[int]]:
    """The sample's size (read at most once a minute per process) and how many of its rows
    hold each token: a few thousand rows at a million descriptions, read in well under 1 ms."""
    now = time.monotonic()
    cached = _sample_size_cache.get(connection.alias)
    if cached is None or now - cached[0] > 60:
        cursor.execute("SELECT COUNT(*) FROM catalog_fts_sample")
        cached = _sample_size_cache[connection.alias] = (now, cursor.fetchone()[0])
    counts = []
    for token in tokens:
        cursor.execute(
            "SELECT COUNT(*) FROM catalog_fts_sample WHERE catalog_fts_sample MATCH %s",
            [f'"{token}"'],
        )
        counts.append(cursor.fetchone()[0])
    return cached[1], counts


_statistics_cache: dict[str, tuple[float, tuple[float, list[int]]]] = {}


def index_statistics(cursor) -> tuple[float, list[int]]:
    """PostgreSQL's row count and rank_key histogram of the index (read at most once a
    minute per process)."""
    now = time.monotonic()
    cached = _statistics_cache.get(connection.alias)
    if cached is None or now - cached[0] > 60:
        cursor.execute(
            "SELECT (SELECT reltuples FROM pg_class WHERE relname = 'catalog_searchtext'), "
            "(SELECT histogram_bounds::text FROM pg_stats "
            "WHERE tablename = 'catalog_searchtext' AND attname = 'rank_key')"
        )
        rows, histogram = cursor.fetchone()
        bounds = [int(value) for value in histogram.strip("{}").split(",")] if histogram else []
        cached = _statistics_cache[connection.alias] = (now, (max(rows or 0, 0), bounds))
    return cached[1]


_archive_rows_cache: dict[tuple[str, int], tuple[float, int]] = {}


def rows_in_scope(cursor, archive_id: int | None) -> float:
    """The index rows a search reads from: all (the planner's count), or one archive's
    (counted at most once a minute per process: an index-only scan)."""
    if archive_id is None:
        return index_statistics(cursor)[0]
    now = time.monotonic()
    key = (connection.alias, archive_id)
    cached = _archive_rows_cache.get(key)
    if cached is None or now - cached[0] > 60:
        cursor.execute(
            "SELECT COUNT(*) FROM catalog_searchtext WHERE archive_id = %s", [archive_id]
        )
        cached = _archive_rows_cache[key] = (now, cursor.fetchone()[0])
    return cached[1]


def rank_key_bound(cursor, share: float, archive_id: int | None) -> int | None:
    """The rank_key below which ``share`` of the rows in scope lie (all: from the column's
    histogram; one archive's: read from its (archive, rank_key) index), or None for all."""
    if archive_id is None:
        return rank_key_quantile(cursor, share)
    rows = rows_in_scope(cursor, archive_id)
    position = math.ceil(share * rows)
    if share >= 1 or position >= rows:
        return None
    cursor.execute(
        "SELECT rank_key FROM catalog_searchtext WHERE archive_id = %s "
        "ORDER BY archive_id, rank_key OFFSET %s LIMIT 1",
        [archive_id, position],
    )
    row = cursor.fetchone()
    return None if row is None else row[0]


def rank_key_quantile(cursor, share: float) -> int | None:
    """The rank_key below which ``share`` of the index lies, or None for the whole index."""
    if share >= 1:
        return None
    bounds = index_statistics(cursor)[1]
    if len(bounds) < 2:
        return None
    position = math.ceil(share * (len(bounds) - 1))
    return bounds[position] if position < len(bounds) - 1 else None
