"""Chinese full-text search over harvested records: the query segmented by
``catalog.search.query_tokens`` (jieba, as for our own descriptions), matched in the
harvesting index (FTS5 / tsvector). Harvested records are public at their source, so no
access condition applies; what the source withdraws leaves with the next harvest."""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter

from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from archivox.catalog.ranking_scores import bm25_idf, bm25_scores
from archivox.catalog.search import highlight, query_tokens
from archivox.harvesting.models import HarvestedRecord

# Past this many matches a query is "broad": counted as a lower bound, and ranked over the
# first BROAD_QUERY matches the index reads.
BROAD_QUERY = 200
# What a hit shows (the union page, an archive's shared collections). Loading only these keeps
# a page of hits from building whole rows (JSON lists, dates, the repository) nobody reads:
# that was most of a harvested search's time, and so of the union search's excess over ours.
HIT_FIELDS = (
    "id",
    "repository_id",
    "title",
    "reference_code",
    "date_expression",
    "holder",
    "scope_content",
    "source_url",
    "manifest_url",
)


@dataclasses.dataclass
class HarvestedHit:
    record: HarvestedRecord
    title_html: SafeString
    snippet_html: SafeString


@dataclasses.dataclass
class HarvestedResults:
    tokens: list[str]
    hits: list[HarvestedHit]
    total: int
    total_is_lower_bound: bool
    # Among the matches counted (at most BROAD_QUERY): per repository id, per holder.
    by_repository: Counter
    by_holder: Counter


def set_spec_pattern(set_spec: str) -> str:
    """A LIKE pattern finding ``set_spec`` in the JSON text of a record's set specs."""
    escaped = set_spec.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'


def _match_sql(tokens: list[str]) -> tuple[str, str, str, list[object]]:
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"'{token}'" for token in tokens)
        return (
            "harvesting_harvestedsearchtext s JOIN harvesting_harvestedrecord r "
            "ON r.id = s.record_id",
            "s.document @@ to_tsquery('simple', %s)",
            "-ts_rank(s.document, to_tsquery('simple', %s))",
            [tsquery],
        )
    # FTS5's bm25() would first read every posting of each word for its IDF (民国 is in every
    # record: 0.1–0.5 s at a million, whatever the LIMIT), so the window's segmented text is
    # read instead and scored by _bm25 below.
    fts_query = " AND ".join(f'"{token}"' for token in tokens)
    return (
        "harvesting_fts f JOIN harvesting_harvestedrecord r ON r.id = f.rowid "
        "JOIN harvesting_harvestedsearchtext s ON s.record_id = r.id",
        "harvesting_fts MATCH %s",
        "s.title, s.body",
        [fts_query],
    )


def search_harvested(
    query: str,
    *,
    repository_id: int | None = None,
    holder: str | None = None,
    repository_ids: list[int] | None = None,
    exclude_repository_ids: list[int] | None = None,
    set_spec: str = "",
    limit: int = 100,
) -> HarvestedResults:
    """The best ``limit`` harvested records matching every token of ``query``."""
    tokens = query_tokens(query)
    if not tokens:
        return HarvestedResults([], [], 0, False, Counter(), Counter())
    from_sql, match_sql, rank_sql, match_params = _match_sql(tokens)
    clauses, params = [match_sql], list(match_params)
    # On SQLite a filter on an indexed column would make the planner walk that index and run
    # the MATCH row by row (seconds on a large catalog); a unary + keeps the full-text index in
    # the lead. PostgreSQL plans from statistics and needs no hint.
    lead = "" if connection.vendor == "postgresql" else "+"
    if repository_id is not None:
        clauses.append(f"{lead}r.repository_id = %s")
        params.append(repository_id)
    if repository_ids is not None:
        if not repository_ids:
            return HarvestedResults(tokens, [], 0, False, Counter(), Counter())
        clauses.append(f"{lead}r.repository_id IN ({', '.join(['%s'] * len(repository_ids))})")
        params += repository_ids
    if exclude_repository_ids:
        marks = ", ".join(["%s"] * len(exclude_repository_ids))
        clauses.append(f"{lead}r.repository_id NOT IN ({marks})")
        params += exclude_repository_ids
    if holder:
        clauses.append(f"{lead}r.holder = %s")
        params.append(holder)
    if set_spec:
        # set_specs is a JSON list; its text holds each spec quoted.
        clauses.append("CAST(r.set_specs AS TEXT) LIKE %s ESCAPE '\\'")
        params.append(set_spec_pattern(set_spec))
    where = " AND ".join(clauses)
    postgres = connection.vendor == "postgresql"
    in_transaction = transaction.atomic() if postgres else contextlib.nullcontext()
    with in_transaction, connection.cursor() as cursor:
        if postgres:
            # As catalog.search: parallel workers cost rare words more than the query itself.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # One statement reads the first BROAD_QUERY + 1 matches (FTS5: in rowid order, stopping
        # at the LIMIT) with their rank, which the database computes only for the rows read:
        # a narrow query is ranked in full, a broad one over that window, as catalog.ranking
        # ranks a broad query over its window.
        rank_params = match_params if postgres else []
        cursor.execute(
            f"SELECT r.id, r.repository_id, r.holder, {rank_sql} FROM {from_sql} "  # noqa: S608 - fragments are ours, values are parameters
            f"WHERE {where} LIMIT %s",
            [*rank_params, *params, BROAD_QUERY + 1],  # the SELECT's values, then WHERE's
        )
        candidates = cursor.fetchall()
        if not postgres and candidates:
            # IDFs only when there is something to order (none: no slices read).
            idf = _idf(cursor, tokens) if len(candidates) > 1 else [1.0] * len(tokens)
            candidates = _bm25(candidates, tokens, idf)
    broad = len(candidates) > BROAD_QUERY
    candidates = candidates[:BROAD_QUERY]
    ordered = [row[0] for row in sorted(candidates, key=lambda row: (row[3], row[0]))]
    by_repository = Counter(row[1] for row in candidates)
    by_holder = Counter(row[2] for row in candidates)
    ids = ordered[:limit]
    by_id = HarvestedRecord.objects.only(*HIT_FIELDS).in_bulk(ids)
    hits = []
    for pk in ids:
        record = by_id.get(pk)
        if record is None:
            continue
        hits.append(
            HarvestedHit(
                record=record,
                title_html=highlight(record.title, tokens),
                snippet_html=_snippet(record, tokens),
            )
        )
    return HarvestedResults(tokens, hits, len(candidates), broad, by_repository, by_holder)


def _snippet(record: HarvestedRecord, tokens: list[str], width: int = 90) -> SafeString:
    text = record.scope_content or ""
    lowered = text.lower()
    positions = [lowered.find(token) for token in tokens if lowered.find(token) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{highlight(window, tokens)}{suffix}")  # noqa: S308 - highlight escapes


# The slices of the id range whose postings estimate a word's frequency on SQLite: SLICES
# ranges, together one id in SLICE_SHARE of the range (FTS5 seeks to a rowid range, so each is a
# few postings read, well under 1 ms for all).
SLICES, SLICE_SHARE = 16, 128


def _idf(cursor, tokens: list[str]) -> list[float]:
    """Each token's IDF as FTS5's bm25 has it, log((N - n + 0.5) / (n + 0.5)), with n estimated
    from the postings in SLICES rowid ranges spread over the ids (N: the id range). One word
    alone needs none (every match holds it, the order is the same)."""
    if len(tokens) < 2:
        return [1.0] * len(tokens)
    # Two subqueries: SQLite reads MIN and MAX from the key only one to a statement.
    cursor.execute(
        "SELECT (SELECT MIN(record_id) FROM harvesting_harvestedsearchtext), "
        "(SELECT MAX(record_id) FROM harvesting_harvestedsearchtext)"
    )
    low, high = cursor.fetchone()
    if low is None:
        return [1.0] * len(tokens)
    size = high - low + 1
    if size <= SLICES * SLICE_SHARE * 8:
        # Small: every posting, a few thousand at most.
        starts, width = [low], size
    else:
        width = size // (SLICES * SLICE_SHARE)
        starts = [low + i * (size // SLICES) for i in range(SLICES)]
    counted = " UNION ALL ".join(
        [
            "SELECT COUNT(*) AS n FROM harvesting_fts WHERE harvesting_fts MATCH %s "
            "AND rowid BETWEEN %s AND %s"
        ]
        * len(starts)
    )
    weights = []
    for token in tokens:
        params: list[object] = []
        for start in starts:
            params += [f'"{token}"', start, start + width - 1]
        cursor.execute(f"SELECT SUM(n) FROM ({counted})", params)  # noqa: S608 - ours
        seen = cursor.fetchone()[0] or 0
        weights.append(bm25_idf(size, min(size, seen * size / (width * len(starts)))))
    return weights


def _bm25(rows: list[tuple], tokens: list[str], idf: list[float]) -> list[tuple]:
    """(id, repository id, holder, title text, body text) rows as (id, repository id, holder,
    -bm25), scored as the catalog's own window is (``catalog.ranking_scores.bm25_scores``)."""
    scores = bm25_scores([(row[3], row[4]) for row in rows], tokens, idf)
    return [(row[0], row[1], row[2], -score) for row, score in zip(rows, scores, strict=True)]
