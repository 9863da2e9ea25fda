"""Chinese and English full-text search over descriptions.

Text is segmented with jieba at index time and at query time, so a Chinese name such as 白崇禧
and a word such as 公馆 are both tokens of "白崇禧公馆". The segmented text lives in SQLite FTS5
(``catalog_fts`` over ``catalog_searchtext``) in the embedded default, or in a generated
tsvector column of ``catalog_searchtext`` with a GIN index on PostgreSQL. Access is NOT stored
in the index: every query joins the description row and applies the access gateway's condition,
so a re-classified item leaves the results the moment its row changes.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import logging
import re
from collections.abc import Iterable, Sequence

import jieba
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from archivox.catalog import ranking
from archivox.catalog.models import (
    Access,
    CollectionEntry,
    Description,
    DigitalObject,
    Level,
    SearchText,
)

jieba.setLogLevel(logging.WARNING)

TOKEN = re.compile(r"[0-9a-z]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", re.IGNORECASE)
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


# The static order (issue 24). A description's quality: 4 if it is in a published featured
# collection, 2 if it has a public image, 1 if it is a fonds or series (an entry point, where a
# broad word such as 档案 should lead first). rank_key sorts the best first, then by id.
ENTRY_LEVELS = (Level.FONDS, Level.SERIES)


def rank_key(pk: int, quality: int) -> int:
    return (ranking.QUALITY_MAX - quality) * ranking.RANK_SHIFT + pk


def quality_of(ids: Iterable[int]) -> dict[int, int]:
    """The static quality of each description in ``ids`` (one query)."""
    return {pk: facts.quality for pk, facts in _index_facts(ids).items()}


@dataclasses.dataclass(frozen=True)
class _IndexFacts:
    """What an index row copies from its description besides the text."""

    quality: int = 0
    archive_id: int | None = None
    title: str | None = None
    title_en: str | None = None


def _index_facts(ids: Iterable[int]) -> dict[int, _IndexFacts]:
    """The static quality, archive and titles of each description in ``ids`` (one query)."""
    ids = list(ids)
    if not ids:
        return {}
    featured = CollectionEntry.objects.filter(
        description_id=OuterRef("pk"), collection__is_published=True
    )
    pictured = DigitalObject.objects.filter(
        description_id=OuterRef("pk"), kind=DigitalObject.Kind.IMAGE
    ).exclude(public_file="")
    rows = (
        Description.objects.filter(pk__in=ids)
        .annotate(featured=Exists(featured), pictured=Exists(pictured))
        .values_list("pk", "level", "featured", "pictured", "archive_id", "title", "title_en")
    )
    return {
        pk: _IndexFacts(
            quality=4 * bool(featured) + 2 * bool(pictured) + (level in ENTRY_LEVELS),
            archive_id=archive_id,
            title=title,
            title_en=title_en,
        )
        for pk, level, featured, pictured, archive_id, title, title_en in rows
    }


def index_rows(rows: Sequence[tuple[int, str, str]]) -> None:
    """Write pre-segmented (id, title text, body text) rows into the index (upsert), each with
    its static quality, place in the static order, archive and titles as written."""
    if not rows:
        return
    facts = _index_facts(pk for pk, _, _ in rows)

    def row(pk: int, title: str, body: str, fact: _IndexFacts) -> SearchText:
        return SearchText(
            description_id=pk,
            title=title,
            body=body,
            quality=fact.quality,
            rank_key=rank_key(pk, fact.quality),
            archive_id=fact.archive_id,
            written_title=fact.title,
            written_title_en=fact.title_en,
        )

    SearchText.objects.bulk_create(
        [row(pk, title, body, facts.get(pk, _IndexFacts())) for pk, title, body in rows],
        update_conflicts=True,
        unique_fields=["description"],
        update_fields=[
            "title",
            "body",
            "quality",
            "rank_key",
            "archive_id",
            "written_title",
            "written_title_en",
        ],
        batch_size=500,
    )


def refresh_quality(ids: Iterable[int]) -> int:
    """Recompute the static quality of ``ids`` after what it depends on changed (a collection's
    entries or publication, an image added or removed); returns how many rows moved."""
    qualities = quality_of(ids)
    changed = [
        SearchText(description_id=pk, quality=qualities[pk], rank_key=rank_key(pk, qualities[pk]))
        for pk, quality in SearchText.objects.filter(
            description_id__in=list(qualities)
        ).values_list("description_id", "quality")
        if quality != qualities[pk]
    ]
    SearchText.objects.bulk_update(changed, ["quality", "rank_key"], batch_size=500)
    return len(changed)


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
    # Only open material (no restricted items): what an automatic answer may point to.
    open_only: bool = False


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
    # Kept for callers of the earlier API; a broad query's total is now an estimate instead.
    total_is_lower_bound: bool = False
    # True for a broad query: ``total`` is estimated from a sample ("约 32 万条"), and only the
    # pages of the ranked window (``reachable`` results) are offered.
    total_is_estimate: bool = False
    reachable: int | None = None

    @property
    def pages(self) -> int:
        shown = self.total if self.reachable is None else min(self.total, self.reachable)
        return max(1, -(-shown // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def total_rounded(self) -> int:
        """An estimated total to two significant figures (321,671 -> 320,000), exact ones as
        they are."""
        if not self.total_is_estimate or self.total < 100:
            return self.total
        step = 10 ** (len(str(self.total)) - 2)
        return round(self.total / step) * step

    @property
    def total_display(self) -> str:
        """The (rounded) total as a reader of the current language counts: "32 万" in Chinese
        (for 321,671), "320,000" otherwise."""
        total = self.total_rounded
        if total >= 10_000 and (get_language() or "").startswith("zh"):
            wan = total / 10_000
            number = f"{wan:.0f}" if wan >= 10 else f"{wan:.1f}".rstrip("0").rstrip(".")
            return f"{number} 万"
        return f"{total:,}"


def query_tokens(query: str) -> list[str]:
    """Tokens of a query, de-duplicated, in order; segmented like the index."""
    seen: list[str] = []
    for token in segment(query, for_index=False):
        if token not in seen:
            seen.append(token)
    return seen[:MAX_QUERY_TOKENS]


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
    checking their permission on ``filters.archive_id``.

    Every query is ranked: title matches first (the title as written, then the shortest title
    holding it), then bm25 (SQLite) or ts_rank (PostgreSQL) with the static quality added. A
    query with up to ``ranking.WINDOW`` matches is ranked and counted exactly; a broader one
    ranks the best-ordered window of its matches (docs/catalog.md, "Search") and estimates its
    count."""
    filters = filters or SearchFilters()
    page = max(1, page)
    per_page = max(1, min(per_page, 100))
    tokens = query_tokens(query)
    if not tokens:
        return SearchPage(query, [], [], 0, page, per_page)
    result = ranking.ranked_ids(
        tokens,
        phrase=query.strip(),
        filter_sql=ranking.filter_sql(filters, timezone.localdate() if public else None),
        archive_id=filters.archive_id,
        first=page * per_page,
    )
    offset = (page - 1) * per_page
    hits = _hits(result.ids[offset : offset + per_page], tokens, offset=offset)
    return SearchPage(
        query,
        tokens,
        hits,
        result.total,
        page,
        per_page,
        total_is_estimate=result.estimated,
        reachable=len(result.ids) if result.estimated else None,
    )


# The matches an automatic answer of a few cards is ranked over (a search page ranks
# ranking.WINDOW): the best of the static order and of the title matches, a tenth of the cost.
ANSWER_WINDOW = 100


def best_descriptions(query: str, *, filters: SearchFilters, limit: int) -> list[SearchHit]:
    """The ``limit`` most relevant descriptions for ``query`` through the access gateway (as
    ``search_descriptions(public=True)``), uncounted and ranked over a window of ANSWER_WINDOW:
    what an automatic answer to a message shows."""
    tokens = query_tokens(query)
    if not tokens or limit < 1:
        return []
    result = ranking.ranked_ids(
        tokens,
        phrase=query.strip(),
        filter_sql=ranking.filter_sql(filters, timezone.localdate()),
        window=max(ANSWER_WINDOW, limit),
        counted=False,
        archive_id=filters.archive_id,
        first=limit,
    )
    return _hits(result.ids[:limit], tokens)


def open_hits_again(ids: list[int], query: str, *, archive_id: int) -> list[SearchHit]:
    """Of ``ids`` (found earlier for ``query``), those of ``archive_id`` that the public may
    see today and that are open, in that order, as hits: a kept answer read again through the
    access gateway, so that an item closed since drops out at once. One query."""
    from archivox.catalog.selectors import descriptions_open_public_by_id

    by_id = descriptions_open_public_by_id(ids=ids, archive_id=archive_id, fields=ANSWER_FIELDS)
    return _hits(ids, query_tokens(query), by_id=by_id)


# What an automatic answer's card shows of a description (replies.Article).
ANSWER_FIELDS = (
    "id",
    "archive_id",
    "reference_code",
    "title",
    "title_en",
    "date_expression",
    "scope_content",
    "effective_access",
)


def _hits(
    ids: list[int],
    tokens: list[str],
    *,
    offset: int = 0,
    by_id: dict[int, Description] | None = None,
) -> list[SearchHit]:
    """The descriptions of ``ids`` (in that order; of ``by_id`` only when they were read
    already) as highlighted hits."""
    if by_id is None:
        # Unordered: the order is ``ids``' own (the model's ordering was an ORDER BY to
        # compile and run for nothing).
        by_id = Description.objects.select_related("archive").order_by().in_bulk(ids)
    hits = []
    for rank, pk in enumerate(ids, start=offset):
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
    return hits


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


@functools.lru_cache(maxsize=256)
def _tokens_pattern(tokens: tuple[str, ...]) -> re.Pattern[str]:
    # Built once per query, not once per title and snippet of its page (40 a page).
    return re.compile(
        "|".join(re.escape(token) for token in sorted(tokens, key=len, reverse=True)),
        re.IGNORECASE,
    )


def highlight(text: str, tokens: Sequence[str]) -> SafeString:
    """``text`` HTML-escaped, with every occurrence of a token wrapped in <mark>."""
    if not text:
        return mark_safe("")
    if not tokens:
        return mark_safe(html.escape(text))  # noqa: S308 - escaped
    pattern = _tokens_pattern(tuple(tokens))
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
