"""Chinese and English full-text search over descriptions.

Text is segmented with jieba at index time and at query time, so a Chinese name such as 白崇禧
and a word such as 公馆 are both tokens of "白崇禧公馆". The segmented text lives in SQLite FTS5
(``catalog_fts`` over ``catalog_searchtext``) in the embedded default, or in a generated
tsvector column of ``catalog_searchtext`` with a GIN index on PostgreSQL. Access is NOT stored
in the index: every query joins the description row and applies the access gateway's condition,
so a re-classified item leaves the results the moment its row changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import html
import logging
import re
from collections.abc import Iterable, Sequence

import jieba
from django.db import connection, transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from archivox.catalog.models import Access, Description, SearchText

jieba.setLogLevel(logging.WARNING)

TOKEN = re.compile(r"[0-9a-z]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", re.IGNORECASE)
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
MAX_QUERY_TOKENS = 12


def segment(text: str, *, for_index: bool = True) -> list[str]:
    """Lower-cased tokens: jieba words for Chinese runs, plain words for Latin and digits."""
    tokens: list[str] = []
    for run in TOKEN.findall(text or ""):
        run = run.lower()
        if run.isascii():
            tokens.append(run)
            continue
        words = jieba.cut_for_search(run) if for_index else jieba.cut(run)
        tokens.extend(word for word in words if word.strip())
    return tokens


def _title_text(description: Description) -> str:
    return " ".join(
        segment(" ".join([description.reference_code, description.title, description.title_en]))
    )


def _body_text(description: Description) -> str:
    parts = [
        description.date_expression,
        description.creator,
        description.scope_content,
        description.extent,
        " ".join(description.subjects or []),
        " ".join(description.places or []),
        " ".join(description.people or []),
    ]
    return " ".join(segment(" ".join(part for part in parts if part)))


def index_text(description: Description) -> tuple[str, str]:
    """The segmented (title, body) text the index holds for ``description``."""
    return _title_text(description), _body_text(description)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


INDEX_FIELDS = (
    "id",
    "reference_code",
    "title",
    "title_en",
    "date_expression",
    "creator",
    "scope_content",
    "extent",
    "subjects",
    "places",
    "people",
)


def index_descriptions(ids: Iterable[int], *, batch_size: int = 1000) -> int:
    """(Re)index the given descriptions; returns how many rows were written."""
    ids = list(ids)
    written = 0
    for start in range(0, len(ids), batch_size):
        batch = Description.objects.filter(pk__in=ids[start : start + batch_size]).only(
            *INDEX_FIELDS
        )
        rows = [(d.pk, _title_text(d), _body_text(d)) for d in batch]
        index_rows(rows)
        written += len(rows)
    return written


def index_rows(rows: Sequence[tuple[int, str, str]]) -> None:
    """Write pre-segmented (id, title text, body text) rows into the index (upsert)."""
    if not rows:
        return
    SearchText.objects.bulk_create(
        [SearchText(description_id=pk, title=title, body=body) for pk, title, body in rows],
        update_conflicts=True,
        unique_fields=["description"],
        update_fields=["title", "body"],
        batch_size=500,
    )


def unindex_descriptions(ids: Iterable[int]) -> None:
    SearchText.objects.filter(description_id__in=list(ids)).delete()


def rebuild_index(*, archive_id: int | None = None) -> int:
    """Drop and rewrite the index (of one archive, or all). For repair and after bulk loads."""
    descriptions = Description.objects.all()
    stale = SearchText.objects.all()
    if archive_id is not None:
        descriptions = descriptions.filter(archive_id=archive_id)
        stale = stale.filter(description__archive_id=archive_id)
    stale.delete()
    return index_descriptions(descriptions.values_list("id", flat=True).iterator())


@dataclasses.dataclass(frozen=True)
class SearchFilters:
    archive_id: int | None = None
    levels: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    collection_id: int | None = None


@dataclasses.dataclass
class SearchHit:
    description: Description
    rank: float
    title_html: SafeString
    snippet_html: SafeString


@dataclasses.dataclass
class SearchPage:
    query: str
    tokens: list[str]
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    # True for a broad query: there are more than ``total`` results, and only the pages of the
    # best-ranked window are offered.
    total_is_lower_bound: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def query_tokens(query: str) -> list[str]:
    """Tokens of a query, de-duplicated, in order; segmented like the index."""
    seen: list[str] = []
    for token in segment(query, for_index=False):
        if token not in seen:
            seen.append(token)
    return seen[:MAX_QUERY_TOKENS]


def _filter_sql(
    filters: SearchFilters, public_on: datetime.date | None
) -> tuple[list[str], list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if public_on is not None:
        # The access gateway, applied inside the query (catalog.selectors.public_filter).
        clauses.append(
            "d.effective_access IN (%s, %s) AND "
            "(d.effective_closed_until IS NULL OR d.effective_closed_until < %s)"
        )
        params += [Access.OPEN.value, Access.RESTRICTED.value, public_on]
    if filters.archive_id is not None:
        clauses.append("d.archive_id = %s")
        params.append(filters.archive_id)
    if filters.levels:
        clauses.append(f"d.level IN ({', '.join(['%s'] * len(filters.levels))})")
        params += list(filters.levels)
    if filters.year_from is not None:
        clauses.append("(d.end_year IS NULL OR d.end_year >= %s)")
        params.append(filters.year_from)
        clauses.append("(d.start_year IS NOT NULL OR d.end_year IS NOT NULL)")
    if filters.year_to is not None:
        clauses.append("(d.start_year IS NULL OR d.start_year <= %s)")
        params.append(filters.year_to)
        clauses.append("(d.start_year IS NOT NULL OR d.end_year IS NOT NULL)")
    if filters.collection_id is not None:
        clauses.append(
            "d.id IN (SELECT description_id FROM catalog_collectionentry WHERE collection_id = %s)"
        )
        params.append(filters.collection_id)
    return clauses, params


def _match_sql(tokens: list[str]) -> tuple[str, str, str, list[object]]:
    """FROM, WHERE and rank-column fragments for the full-text match of ``tokens`` (all must
    match). The rank column sorts ascending: better matches first."""
    if _is_postgres():
        tsquery = " & ".join(f"'{token}'" for token in tokens)
        return (
            "catalog_searchtext s JOIN catalog_description d ON d.id = s.description_id",
            "s.document @@ to_tsquery('simple', %s)",
            "-ts_rank(s.document, to_tsquery('simple', %s))",
            [tsquery],
        )
    fts_query = " AND ".join(f'"{token}"' for token in tokens)
    return (
        "catalog_fts f JOIN catalog_description d ON d.id = f.rowid",
        "catalog_fts MATCH %s",
        f"bm25(catalog_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})",
        [fts_query],
    )


# A query matching more public descriptions than this is "broad": its total is shown as a lower
# bound ("more than 200"), and the first BROAD_QUERY matches found are ordered by their titles
# only, so that a common word such as 档案 answers about as fast as a rare one on a catalog of
# millions. Narrower queries are counted and ranked exactly.
BROAD_QUERY = 200


def search_descriptions(
    query: str,
    *,
    filters: SearchFilters | None = None,
    page: int = 1,
    per_page: int = 20,
    public: bool = True,
) -> SearchPage:
    """Rank descriptions matching every token of ``query``; public=True applies the access
    gateway (the only way public surfaces may call this). Staff callers pass public=False after
    checking their permission on ``filters.archive_id``."""
    filters = filters or SearchFilters()
    page = max(1, page)
    per_page = max(1, min(per_page, 100))
    tokens = query_tokens(query)
    if not tokens:
        return SearchPage(query, [], [], 0, page, per_page)
    from_sql, match_sql, rank_sql, match_params = _match_sql(tokens)
    clauses, params = _filter_sql(filters, timezone.localdate() if public else None)
    where = " AND ".join([match_sql, *clauses])
    postgres = _is_postgres()
    rank_params = match_params if postgres else []
    # A title that holds the query as written (白崇禧 in 白崇禧公馆) comes before the rest.
    phrase = query.strip()
    # Among those, the shorter title is the more specific: 白崇禧公馆 before 白崇禧公馆修缮档案.
    title_sql = (
        "CASE WHEN d.title = %s OR UPPER(d.title_en) = UPPER(%s) THEN 0 "
        "WHEN d.title LIKE %s ESCAPE '\\' OR UPPER(d.title_en) LIKE UPPER(%s) ESCAPE '\\' "
        "THEN LENGTH(d.title) ELSE 100000 END"
    )
    like = "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    offset = (page - 1) * per_page
    # PostgreSQL needs a transaction for SET LOCAL; SQLite runs the two reads as they are.
    in_transaction = transaction.atomic() if postgres else contextlib.nullcontext()
    with in_transaction, connection.cursor() as cursor:
        if postgres:
            # The planner's guess for rare words starts parallel workers that cost more than
            # the query itself.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # First a bounded pass without the full-text rank: it counts (exactly up to the bound)
        # and finds candidates cheaply, because bm25 must read a common word's whole posting
        # list. The access join stays in: a count must not reveal how much hidden material
        # matches.
        cursor.execute(
            f"SELECT d.id, {title_sql} FROM {from_sql} WHERE {where} LIMIT %s",  # noqa: S608 - fragments are ours, values are parameters
            [phrase, phrase, like, like, *match_params, *params, BROAD_QUERY + 1],
        )
        candidates = cursor.fetchall()
        broad = len(candidates) > BROAD_QUERY
        if broad:
            # Titles holding the query first, then the catalog's own order.
            candidates = [(pk, title_rank, 0) for pk, title_rank in candidates[:BROAD_QUERY]]
        else:
            cursor.execute(
                f"SELECT d.id, {title_sql}, {rank_sql} FROM {from_sql} WHERE {where}",  # noqa: S608
                [phrase, phrase, like, like, *rank_params, *match_params, *params],
            )
            candidates = cursor.fetchall()
    candidates.sort(key=lambda row: (row[1], row[2], row[0]))
    ids = [row[0] for row in candidates[offset : offset + per_page]]
    total = len(candidates)
    by_id = Description.objects.select_related("archive").in_bulk(ids)
    hits = []
    for rank, pk in enumerate(ids):
        description = by_id.get(pk)
        if description is None:
            continue
        hits.append(
            SearchHit(
                description=description,
                rank=float(rank),
                title_html=highlight(description.title, tokens),
                snippet_html=snippet(description, tokens),
            )
        )
    return SearchPage(query, tokens, hits, total, page, per_page, total_is_lower_bound=broad)


def like_scan(query: str, *, limit: int = 20) -> list[int]:
    """The naive baseline the benchmark compares against: what a search page needs (its first
    page and how many public descriptions match) answered with LIKE '%…%' over the text."""
    pattern = f"%{query}%"
    condition = (
        "(title LIKE %s OR title_en LIKE %s OR scope_content LIKE %s) "
        "AND effective_access IN (%s, %s)"
    )
    values = [pattern, pattern, pattern, Access.OPEN.value, Access.RESTRICTED.value]
    _raw(f"SELECT COUNT(*) FROM catalog_description WHERE {condition}", values)  # noqa: S608
    return [
        row[0]
        for row in _raw(
            f"SELECT id FROM catalog_description WHERE {condition} ORDER BY id LIMIT %s",  # noqa: S608
            [*values, limit],
        )
    ]


def _raw(sql: str, params: list[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def highlight(text: str, tokens: Sequence[str]) -> SafeString:
    """``text`` HTML-escaped, with every occurrence of a token wrapped in <mark>."""
    if not text:
        return mark_safe("")
    if not tokens:
        return mark_safe(html.escape(text))  # noqa: S308 - escaped
    pattern = re.compile(
        "|".join(re.escape(token) for token in sorted(tokens, key=len, reverse=True)),
        re.IGNORECASE,
    )
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(html.escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def snippet(description: Description, tokens: Sequence[str], width: int = 90) -> SafeString:
    """A window of the scope and content around the first match, highlighted."""
    text = description.scope_content or description.title_en or ""
    lowered = text.lower()
    positions = [lowered.find(token) for token in tokens if lowered.find(token) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{highlight(window, tokens)}{suffix}")  # noqa: S308 - highlight escapes
