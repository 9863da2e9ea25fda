"""How a catalog search is ranked and counted at any breadth (issue 24; docs/catalog.md, "Search").

A query with up to WINDOW public matches is ranked over all of them and counted exactly. A
broader one (档案 in a third of a million descriptions) cannot be bm25-ranked in full within
50 ms, so it is ranked over a bounded window read in the index's static order (best quality
first, see ``search.quality_of``): the description titled exactly as the query, the first
TITLE_WINDOW matches in their titles and the first WINDOW matches anywhere, each scored by title,
bm25 / ts_rank and quality. Its count is estimated from a fixed 1-in-SAMPLE_MODULUS sample of
the descriptions (by id), with the access rules and filters applied to the sample: honest, and
as cheap for 32 万 matches as for 3 万.

The access gateway's condition is part of every statement, so hidden material is neither shown
nor counted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
from typing import NamedTuple

from django.db import connection, transaction

from archivox.catalog.models import Access
from archivox.catalog.ranking_scores import BODY_WEIGHT, TITLE_WEIGHT, bm25_idf, bm25_window
from archivox.catalog.ranking_statistics import (
    rank_key_bound,
    rows_in_scope,
    sample_counts,
)

WINDOW = 1000
# The title matches added to a broad query's window: the first in the static order. Fewer than
# WINDOW: they are ordered by how they hold the words (title tier, then relevance), and a query
# of two or three common words finds that many only deep in the posting lists.
TITLE_WINDOW = 300
# Up to this many matches a broad query is counted exactly; beyond, estimated.
EXACT_COUNT = 2000
# The estimate's sample: one description in SAMPLE_MODULUS (a power of two), chosen by a hash
# of the id so that no periodic pattern in the ids (every tenth confidential, 24 items a file)
# lines up with it. A partial GIN index on PostgreSQL holds just the sample (migration 0005),
# on SQLite a small FTS5 table of its own (migration 0006).
SAMPLE_MODULUS = 128
# The modulus of the sample SQLite's catalog_fts_sample holds (migration 0006).
SAMPLE_TABLE_MODULUS = 128


def sample_sql(id_sql: str, modulus: int | None = None) -> str:
    """The condition for the description with id ``id_sql`` to be in the sample (in a
    statement with parameters; kept below 2**63 for ids below 2**40)."""
    return f"((({id_sql}) * 40503) >> 7) & {(modulus or SAMPLE_MODULUS) - 1} = 0"


# PostgreSQL: a coarser sample inside the sample (1 in 1,024, its own partial GIN index,
# migration 0008). The sample's matches are read from the table for their id and archive, one
# row each: 3,800 for 建设 at a million, 14 ms. A word that common is counted from the coarse
# sample (about 480 rows) instead, when it holds at least COARSE_ENOUGH matches (the
# estimate then within about 9 %).
COARSE_MODULUS = 1024
COARSE_ENOUGH = 128


# What one point of static quality adds to a relevance normalised to 1 for the best match.
QUALITY_WEIGHT = 0.05
RANK_SHIFT = 1 << 40
ID_MASK = RANK_SHIFT - 1
QUALITY_MAX = 7
NOT_IN_TITLE = 100000
# PostgreSQL: the head of the static order has a GIN index of its own (migration 0009): every
# description of some quality and the first 2**17 of the others. A window's bound inside it
# reads posting lists an eighth as long at a million descriptions, or less.
HEAD_RANK_KEY = QUALITY_MAX * RANK_SHIFT + (1 << 17)
# A query matching at least this share of the index is "dense" on PostgreSQL: its window is
# read by an ordered scan of rank_key, about 1 / DENSE rows per match.
DENSE = 0.05
# SQLite: a query with more matches than this is ranked over its window without a title pass.
DENSE_MATCHES = 50 * WINDOW
# From about this many postings FTS5's bm25() costs more than reading the window's text and
# scoring it here (SQLite).
OWN_BM25_FROM = 50_000
# Up to this many estimated matches PostgreSQL reads a window without a rank_key bound.
UNBOUNDED_UPTO = 10 * WINDOW
# PostgreSQL, neither dense nor bounded: the matches taken in the static order before the
# access rules and filters are applied (about 5 % of a catalog is hidden; an archive filter may
# hide most). (Under a rank_key bound this measured slower for two-word queries: not used.)
PREFILTER = 2 * WINDOW + 2


@dataclasses.dataclass
class Ranked:
    # Best first: every match, a broad query's ranked window, or (``ranked_ids(first=…)``)
    # at least the first ``first``.
    ids: list[int]
    total: int
    estimated: bool


class Conditions(NamedTuple):
    """WHERE clauses over ``d`` (catalog_description) and their parameters."""

    clauses: list[str]
    params: list[object]
    # Nothing but the access gateway, or nothing at all: PostgreSQL may then rank a window
    # from the index rows and look each match up only among the descriptions that may be
    # hidden (MAYBE_HIDDEN) instead of reading every one.
    gateway_only: bool = False


# The partial index of the descriptions the public may not see today or ever (migration
# catalog 0010, ``catalog_des_maybe_hidden``): its predicate, written as the index has it so
# that the planner proves a lookup may use it. A description outside it is open and unclosed.
MAYBE_HIDDEN = "(NOT (d.effective_access = 'open') OR d.effective_closed_until IS NOT NULL)"


def filter_sql(filters, public_on: datetime.date | None) -> Conditions:
    """WHERE clauses over ``d`` (catalog_description) for a SearchFilters and the access
    gateway (``public_on`` None: staff, no gateway)."""
    clauses: list[str] = []
    params: list[object] = []
    if public_on is not None:
        # The access gateway, applied inside the query (catalog.selectors.public_filter); an
        # automatic answer names only open material (``open_only``).
        if filters.open_only:
            clauses.append(
                "d.effective_access = %s AND "
                "(d.effective_closed_until IS NULL OR d.effective_closed_until < %s)"
            )
            params += [Access.OPEN.value, public_on]
        else:
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
    # From the clauses built, not from a list of filters: a filter added above makes this
    # False by itself, so its clause is never checked on the possibly hidden rows alone.
    gateway_only = len(clauses) == (0 if public_on is None else 1)
    return Conditions(clauses, params, gateway_only)


def _like(phrase: str) -> str:
    return "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# A title that holds the query as written (白崇禧 in 白崇禧公馆) comes before the rest, and among
# those the shorter title is the more specific: 白崇禧公馆 before 白崇禧公馆修缮档案.
TITLE_TIER = (
    "CASE WHEN d.title = %s OR UPPER(d.title_en) = UPPER(%s) THEN 0 "
    "WHEN d.title LIKE %s ESCAPE '\\' OR UPPER(d.title_en) LIKE UPPER(%s) ESCAPE '\\' "
    f"THEN LENGTH(d.title) ELSE {NOT_IN_TITLE} END"
)


class _Sqlite:
    """FTS5: the rowid is the static rank key, so ``ORDER BY rowid`` reads posting lists
    best-first and stops at the LIMIT. FTS5's bm25() first counts every row holding each word
    (its IDF): a full read of the posting lists, 8–20 ms of CPU for 档案 or 南京 at a million,
    even when only 20 rows are returned. So a query whose words are that common
    (``own_bm25``) reads its window with the segmented text instead, scored by ``_bm25`` here
    with IDFs from the sample; any other keeps FTS5's bm25, computed for the window's rows."""

    def __init__(self, tokens: list[str]) -> None:
        self.all = " AND ".join(f'"{token}"' for token in tokens)
        self.titles = " AND ".join(f'title : "{token}"' for token in tokens)
        self.own_bm25 = False
        # Its sample has no archive column: the filters' share is checked on the rows.
        self.sample_scope = "TRUE"

    def window(self, *, in_title: bool, where: str, bounded: bool) -> tuple[str, list[object]]:
        if self.own_bm25:
            columns = "s.title, s.body"
            text = "JOIN catalog_searchtext s ON s.description_id = d.id "
        else:
            columns, text = f"bm25(catalog_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})", ""
        sql = (
            f"SELECT d.id, {TITLE_TIER}, {columns}, {QUALITY_MAX} - (f.rowid >> 40) "  # noqa: S608 - fragments are ours, values are parameters
            f"FROM catalog_fts f JOIN catalog_description d ON d.id = (f.rowid & {ID_MASK}) "
            f"{text}WHERE catalog_fts MATCH %s{where} ORDER BY f.rowid LIMIT %s"
        )
        return sql, [self.titles if in_title else self.all]

    def count(self, *, where: str) -> tuple[str, list[object]]:
        return (
            "SELECT COUNT(*) FROM (SELECT 1 FROM catalog_fts f "  # noqa: S608 - fragments are ours, values are parameters
            f"JOIN catalog_description d ON d.id = (f.rowid & {ID_MASK}) "
            f"WHERE catalog_fts MATCH %s{where} LIMIT %s) AS hits",
            [self.all],
        )

    def sampled_ids(self) -> tuple[str, list[object]]:
        # The sample has an FTS5 table of its own (migration 0006), so this reads a posting
        # list 128 times shorter than the word's in catalog_fts. (A test that samples
        # otherwise reads catalog_fts.)
        if SAMPLE_MODULUS == SAMPLE_TABLE_MODULUS:
            return (
                f"SELECT f.rowid & {ID_MASK} AS id, NULL AS archive, {SAMPLE_MODULUS} AS weight "  # noqa: S608 - fragments are ours, values are parameters
                "FROM catalog_fts_sample f WHERE catalog_fts_sample MATCH %s",
                [self.all],
            )
        return (
            f"SELECT f.rowid & {ID_MASK} AS id, NULL AS archive, {SAMPLE_MODULUS} AS weight "  # noqa: S608 - fragments are ours, values are parameters
            "FROM catalog_fts f WHERE catalog_fts MATCH %s "
            f"AND {sample_sql(f'f.rowid & {ID_MASK}')}",
            [self.all],
        )


class _Postgres:
    """A GIN index finds the matches, a B-tree on rank_key gives the static order; ts_rank is
    computed only for the window."""

    def __init__(self, tokens: list[str], archive_id: int | None = None) -> None:
        self.all = " & ".join(f"'{token}'" for token in tokens)
        self.titles = " & ".join(f"'{token}':A" for token in tokens)
        self.dense = False
        self.prefilter = False
        self.prefilter_rows = PREFILTER
        # Conditions.gateway_only (set by ranked_ids).
        self.gateway_only = False
        # One archive's search reads the index rows of that archive only (their copy of the
        # archive id, in the GIN index with the words, migration 0011, and with rank_key in a
        # B-tree); the description's own archive is still checked. ``::bigint``: btree_gin's
        # operator class has int8 = int8 only, and with an int4 literal the planner would not
        # use the GIN index for the archive (the words' bitmap over every archive, AND-ed with
        # the archive's B-tree bitmap: 建设 修缮 报告 47–76 ms, against 26–35 ms).
        self.archive_id = None if archive_id is None else int(archive_id)
        self.scope = (
            "" if self.archive_id is None else f" AND s.archive_id = {self.archive_id}::bigint"
        )
        # The same, over the sample's rows (``sampled_ids``: id, archive, weight).
        self.sample_scope = "TRUE" if self.archive_id is None else f"archive = {self.archive_id}"

    def window(
        self,
        *,
        in_title: bool,
        where: str,
        bounded: bool,
        gated: bool = False,
        first: int | None = None,
    ) -> tuple[str, list[object]]:
        # The window is chosen first and only its rows are ranked (ts_rank reads the whole
        # tsvector); MATERIALIZED keeps the planner from ranking every match before the LIMIT.
        # Bounded: the matches below the bound come from a GIN bitmap AND-ed with the rank_key
        # range, then sorted ("+ 0": not an ordered index scan that filters its way through
        # the table). Dense: an ordered index scan on rank_key. Neither (a few thousand
        # matches): the GIN bitmap alone, sorted.
        upto = " AND s.rank_key <= %s" if bounded else ""
        order = "s.rank_key" if self.dense else "s.rank_key + 0"
        scope = self.scope
        if self.dense and self.archive_id is not None:
            # One archive, dense: its rows in the static order from the (archive, rank_key)
            # index. Asked as a range of one archive, so that only that index gives the
            # order: with "archive_id = n" the planner took the rank_key index and filtered
            # its way through the other archives' rows (南京 照片: 54,000 rows, 48 ms; 9 ms).
            scope = f" AND s.archive_id >= {self.archive_id} AND s.archive_id <= {self.archive_id}"
            order = "s.archive_id, s.rank_key"
        query = self.titles if in_title else self.all
        if (self.prefilter or gated) and not bounded:
            # The first PREFILTER matches in the static order are taken from the index alone
            # and only they are joined to their descriptions for the access rules and filters
            # (joining every match under the bound first was half the cost). The count of
            # those taken says whether the filters left the window short (then: read again
            # joining first). One row even when nothing matches, to carry that count.
            # The window carries what its ranking reads (the tsvector, the titles), so no row
            # is looked up twice. With no filter but the access gateway, the titles come from
            # the index rows and a match's description is looked up only in the partial index
            # of those that may be hidden: 491 matches of 都江堰 at a million, 2.8 -> 2.3 ms
            # (reading each description was a fifth of the statement).
            # (OFFSET 0 keeps the lookup a lookup per match: as an anti-join, the planner
            # merged the matches with the whole partial index, 65 ms.)
            if self.gateway_only:
                hidden = (
                    " AND NOT EXISTS (SELECT 1 FROM catalog_description d "  # noqa: S608 - fragments are ours, values are parameters
                    f"WHERE d.id = c.description_id AND {MAYBE_HIDDEN} AND NOT (TRUE{where}) "
                    "OFFSET 0)"
                    if where
                    else ""
                )
                columns = ", s.written_title, s.written_title_en"
                titled = "c.written_title AS title, c.written_title_en AS title_en FROM c "
                titled += f"WHERE TRUE{hidden} "
            else:
                columns = ""
                titled = "d.title, d.title_en FROM c JOIN catalog_description d "
                titled += f"ON d.id = c.description_id WHERE TRUE{where} "
            # Gated (see ranked_ids): first the sample, and the matches only if the sample
            # says they are few. Closed, the LIMIT is 0 and nothing below it runs: not the
            # GIN index, nor the parallel workers a broad word's plan may have (as a filter,
            # the gate let 档案's plan start them: 4.5 ms for nothing). Open, the matches are
            # few and all of them are ranked as they are read, so the rows sorted and kept
            # carry their rank instead of their tsvector (2.1 -> 1.6 ms for 都江堰's 491).
            gate, limit, open_column = "", f"{self.prefilter_rows}", ""
            carried, kept = "s.document", "c.document"
            ranked = "-ts_rank(d.document, to_tsquery('simple', %s))"
            params = [query]
            if gated:
                sampled, gate_match = self.sampled_ids()
                gate = (
                    f"m AS MATERIALIZED ({sampled}), "  # noqa: S608 - fragments are ours, values are parameters
                    "g AS (SELECT COALESCE(SUM(weight), 0) <= "
                    f"{self.prefilter_rows} AS open FROM m), "
                )
                limit = f"CASE WHEN (SELECT open FROM g) THEN {limit} ELSE 0 END"  # noqa: S608 - ours
                open_column = ", (SELECT open FROM g)"
                carried = "-ts_rank(s.document, to_tsquery('simple', %s)) AS rank"
                kept, ranked = "c.rank", "d.rank"
                params = [*gate_match, query, query]
            scored = f"SELECT d.id, {TITLE_TIER} AS tier, {ranked} AS rank, d.quality FROM w d"  # noqa: S608 - fragments are ours
            if gated:
                # Its matches are few, and ranked here as ``_order`` ranks them (the same key
                # in double precision, so the same order): only the first ``first`` ids and
                # how many there are come back, not every match for Python to sort (都江堰:
                # 491 rows fetched and sorted, 0.5 ms of the client's CPU).
                scored = (
                    "SELECT y.id, y.visible, y.place FROM (SELECT z.id, "  # noqa: S608 - fragments are ours, values are parameters
                    "COUNT(*) OVER () AS visible, ROW_NUMBER() OVER (ORDER BY z.tier, "
                    "-(COALESCE(z.rank, 0)::float8 / COALESCE(z.best, -1)::float8 + "
                    f"{QUALITY_WEIGHT}::float8 * z.quality), z.id) AS place FROM "
                    f"(SELECT s.*, MIN(NULLIF(s.rank, 0)) OVER () AS best FROM ({scored}) s) z) y "
                    f"WHERE y.place <= {int(first) if first is not None else 'y.visible'}"
                )
            return (
                f"WITH {gate}c AS MATERIALIZED (SELECT s.description_id, s.rank_key, "  # noqa: S608 - fragments are ours, values are parameters
                f"{carried}, s.quality{columns} FROM catalog_searchtext s "
                f"WHERE s.document @@ to_tsquery('simple', %s){upto}{self.scope} "
                f"ORDER BY {order} LIMIT {limit}), "
                f"w AS MATERIALIZED (SELECT c.description_id AS id, {kept}, c.quality, "
                f"{titled}"
                "ORDER BY c.rank_key LIMIT %s) "
                f"SELECT x.*, k.taken{open_column} FROM (SELECT COUNT(*) AS taken FROM c) k "
                f"LEFT JOIN ({scored}) x ON TRUE" + (" ORDER BY x.place" if gated else ""),
                params,
            )
        sql = (
            "WITH w AS MATERIALIZED (SELECT s.description_id FROM catalog_searchtext s "  # noqa: S608 - fragments are ours, values are parameters
            "JOIN catalog_description d ON d.id = s.description_id "
            f"WHERE s.document @@ to_tsquery('simple', %s){upto}{scope}{where} "
            f"ORDER BY {order} LIMIT %s) "
            f"SELECT d.id, {TITLE_TIER}, -ts_rank(s.document, to_tsquery('simple', %s)), "
            "s.quality FROM w JOIN catalog_searchtext s ON s.description_id = w.description_id "
            "JOIN catalog_description d ON d.id = w.description_id"
        )
        return sql, [query]

    def window_pair(self, *, where: str, bounded: bool = True) -> str:
        """A bounded window and its title pass in one statement: the GIN bitmap of two or
        three common words is read once (it was 10–18 ms a read). Rows: (0 window / 1 titles,
        id, tier, rank, quality). Parameters: the query, the bound (if ``bounded``), the
        filters, the window's limit, the titles' query and limit, the tier's four, the query.
        Unbounded: one archive's every match (a few thousand; joined to their descriptions,
        which costs less than reading the GIN bitmap of 建设 修缮 报告 a second time)."""
        upto = " AND s.rank_key <= %s" if bounded else ""
        return (
            "WITH m AS MATERIALIZED (SELECT s.description_id AS id, s.rank_key, s.document, "  # noqa: S608 - fragments are ours, values are parameters
            "s.quality, d.title, d.title_en FROM catalog_searchtext s "
            "JOIN catalog_description d ON d.id = s.description_id "
            f"WHERE s.document @@ to_tsquery('simple', %s){upto}{self.scope}{where}), "
            "w AS ((SELECT 0 AS part, m.* FROM m ORDER BY m.rank_key LIMIT %s) UNION ALL "
            "(SELECT 1 AS part, m.* FROM m WHERE m.document @@ to_tsquery('simple', %s) "
            "ORDER BY m.rank_key LIMIT %s)) "
            f"SELECT d.part, d.id, {TITLE_TIER}, -ts_rank(d.document, to_tsquery('simple', %s)), "
            "d.quality FROM w d"
        )

    def prefiltered_pair(self, *, where: str) -> str:
        """One archive's window and its title pass from one read of its matches: each part
        joins only the first ``prefilter_rows`` of them in the static order to their
        descriptions (joining all 1,400 of 西安's in one archive cost more than reading the
        GIN bitmap again). Rows: (matches read, part, id, tier, rank, quality), one row with
        only the first when neither part has any. Parameters: the
        query, the filters, the window's limit, the titles' query, the filters, the titles'
        limit, the tier's four, the query."""
        first = f"ORDER BY c.rank_key LIMIT {self.prefilter_rows}"
        return (
            "WITH c AS MATERIALIZED (SELECT s.description_id, s.rank_key, s.document, "  # noqa: S608 - fragments are ours, values are parameters
            "s.quality FROM catalog_searchtext s "
            f"WHERE s.document @@ to_tsquery('simple', %s){self.scope}), "
            "w AS ((SELECT 0 AS part, x.description_id AS id, x.rank_key, x.document, "
            f"x.quality, d.title, d.title_en FROM (SELECT * FROM c {first}) x "
            f"JOIN catalog_description d ON d.id = x.description_id WHERE TRUE{where} "
            "ORDER BY x.rank_key LIMIT %s) UNION ALL "
            "(SELECT 1 AS part, x.description_id AS id, x.rank_key, x.document, x.quality, "
            "d.title, d.title_en FROM (SELECT * FROM c "
            f"WHERE c.document @@ to_tsquery('simple', %s) {first}) x "
            f"JOIN catalog_description d ON d.id = x.description_id WHERE TRUE{where} "
            "ORDER BY x.rank_key LIMIT %s)) "
            "SELECT k.read, x.* FROM (SELECT COUNT(*) AS read FROM c) k LEFT JOIN "
            f"(SELECT d.part, d.id, {TITLE_TIER}, "
            "-ts_rank(d.document, to_tsquery('simple', %s)), d.quality FROM w d) x ON TRUE"
        )

    def count(self, *, where: str) -> tuple[str, list[object]]:
        return (
            "SELECT COUNT(*) FROM (SELECT 1 FROM catalog_searchtext s "  # noqa: S608 - fragments are ours, values are parameters
            "JOIN catalog_description d ON d.id = s.description_id "
            f"WHERE s.document @@ to_tsquery('simple', %s){self.scope}{where} LIMIT %s) AS hits",
            [self.all],
        )

    def sampled_ids(self) -> tuple[str, list[object]]:
        # The sample's condition is the partial GIN index's own predicate (migration 0005).
        # Every archive's matches: their count says how long the posting list is. The coarse
        # sample first; the sample only when it holds too few (a one-time filter: PostgreSQL
        # does not read the sample's index at all otherwise).
        fine = (
            "SELECT s.description_id AS id, s.archive_id AS archive, "  # noqa: S608 - fragments are ours, values are parameters
            f"{SAMPLE_MODULUS} AS weight FROM catalog_searchtext s "
            f"WHERE s.document @@ to_tsquery('simple', %s) AND {sample_sql('s.description_id')}"
        )
        if SAMPLE_MODULUS != SAMPLE_TABLE_MODULUS:
            return fine, [self.all]  # a test's own sample: no coarse one within it
        coarse = (
            "SELECT s.description_id AS id, s.archive_id AS archive, "  # noqa: S608 - fragments are ours, values are parameters
            f"{COARSE_MODULUS} AS weight FROM catalog_searchtext s "
            "WHERE s.document @@ to_tsquery('simple', %s) AND "
            f"{sample_sql('s.description_id', COARSE_MODULUS)}"
        )
        return (
            f"WITH coarse AS MATERIALIZED ({coarse}), "  # noqa: S608 - fragments are ours, values are parameters
            f"enough AS (SELECT COUNT(*) >= {COARSE_ENOUGH} AS yes FROM coarse) "
            "SELECT * FROM coarse WHERE (SELECT yes FROM enough) UNION ALL "
            f"SELECT * FROM ({fine}) f WHERE NOT (SELECT yes FROM enough)",
            [self.all, self.all],
        )


def ranked_ids(
    tokens: list[str],
    *,
    phrase: str,
    filter_sql: Conditions,
    window: int | None = None,
    counted: bool = True,
    archive_id: int | None = None,
    first: int | None = None,
) -> Ranked:
    """The matching description ids, best first (all of them, or a broad query's ranked
    window), with their count (exact, or estimated for a broad query).

    ``window``: how many matches a broad query is ranked over (WINDOW; an automatic answer
    that shows three asks for fewer, and its cost shrinks with it). ``counted=False``: a broad
    query's count may stay the estimate (no exact count of up to EXACT_COUNT matches).
    ``archive_id``: the filters keep one archive (PostgreSQL then reads its rows only).
    ``first``: only the first ``first`` ids are needed (a page's end): a query counted exactly
    may then return just those."""
    postgres = connection.vendor == "postgresql"
    dialect = _Postgres(tokens, archive_id) if postgres else _Sqlite(tokens)
    size = window or WINDOW
    title_size = TITLE_WINDOW if window is None else max(3, size * TITLE_WINDOW // WINDOW)
    clauses, filter_params, gateway_only = filter_sql
    if postgres:
        dialect.prefilter_rows = 2 * size + 2
        dialect.gateway_only = gateway_only
    where = "".join(f" AND {clause}" for clause in clauses)
    tier_params = [phrase, phrase, _like(phrase), _like(phrase)]
    # PostgreSQL needs a transaction for SET LOCAL; SQLite runs the reads as they are.
    with connection.cursor() as cursor, contextlib.ExitStack() as later:
        tuned = not postgres

        def tune() -> None:
            """PostgreSQL, before a statement whose plan the planner may get wrong: its guess
            for rare words starts parallel workers that cost more than the query itself, and
            every join here is a few thousand rows at most, which a nested loop over the
            primary key does best (its guesses for tsquery matches can be far off and then
            hash a million descriptions). SET LOCAL needs a transaction: opened only then, so
            that a rare query (the sample and one window, planned well as they are) costs
            two round trips, not five."""
            nonlocal tuned
            if not tuned:
                later.enter_context(transaction.atomic())
                cursor.execute(
                    "SET LOCAL max_parallel_workers_per_gather = 0; "
                    "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
                )
                tuned = True

        def window(in_title: bool, upto: int | None) -> list[tuple]:
            sql, match = dialect.window(in_title=in_title, where=where, bounded=upto is not None)
            bound = [] if upto is None else [upto]
            limit = (title_size if in_title else size) + 1
            if postgres:
                params = [*match, *bound, *filter_params, limit, *tier_params, *match]
            else:
                params = [*tier_params, *match, *filter_params, limit]
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if postgres and dialect.prefilter and upto is None:
                taken = rows[0][4]
                rows = [row[:4] for row in rows if row[0] is not None]
                if taken >= dialect.prefilter_rows and len(rows) < limit:
                    tune()
                    dialect.prefilter = False
                    rows = window(in_title, upto)
                    dialect.prefilter = True
                return rows
            return bm25_window(rows, tokens, idf) if own_bm25 else rows

        titles: list[tuple] = []

        def paired(upto: int | None) -> list[tuple]:
            # PostgreSQL under a bound (or one archive's every match): the window, and its
            # title pass kept for later.
            limits = [size + 1, dialect.titles, title_size + 1]
            bound = [] if upto is None else [upto]
            tune()
            cursor.execute(
                dialect.window_pair(where=where, bounded=upto is not None),
                [dialect.all, *bound, *filter_params, *limits, *tier_params, dialect.all],
            )
            rows = cursor.fetchall()
            titles[:] = [row[1:] for row in rows if row[0] == 1]
            return [row[1:] for row in rows if row[0] == 0]

        def prefiltered() -> list[tuple]:
            # One archive's matches, read once: the window and its title pass from the first
            # matches in the static order; when the filters left the window short of what
            # it could hold, every match joined (``paired``, exact). (A title pass the filters
            # cut short only offers fewer title matches.)
            tune()
            cursor.execute(
                dialect.prefiltered_pair(where=where),
                [
                    *[dialect.all, *filter_params, size + 1],
                    *[dialect.titles, *filter_params, title_size + 1],
                    *tier_params,
                    dialect.all,
                ],
            )
            rows = cursor.fetchall()
            read = rows[0][0]
            window_rows = [row[2:] for row in rows if row[1] == 0]
            titles[:] = [row[2:] for row in rows if row[1] == 1]
            if read > dialect.prefilter_rows and len(window_rows) <= size:
                return paired(None)
            return window_rows

        def count(bound: int) -> int:
            sql, match = dialect.count(where=where)
            tune()
            cursor.execute(sql, [*match, *filter_params, bound])
            return cursor.fetchone()[0]

        if postgres and gateway_only and archive_id is None:
            # A public search with no filter, or staff's: the sample and, when it says the
            # matches are few, the window in one statement. Taken whole (fewer than
            # prefilter_rows matches) and within the window, they are every match, ranked
            # and counted: a rare query costs one round trip (issue 24: the rare band against
            # the database's own top 20). Else the statements below, as for any query.
            sql, match = dialect.window(
                in_title=False, where=where, bounded=False, gated=True, first=first
            )
            cursor.execute(sql, [*match, *filter_params, size + 1, *tier_params])
            rows = cursor.fetchall()
            visible, taken, opened = rows[0][1] or 0, rows[0][3], rows[0][4]
            if opened and taken < dialect.prefilter_rows and visible <= size:
                ids = [row[0] for row in rows if row[0] is not None]
                return Ranked(ids, visible, estimated=False)
        # The sample first: it says how broad the query is before anything is ranked.
        estimate, postings = _sample_estimate(
            cursor, dialect.sampled_ids(), where, filter_params, dialect.sample_scope
        )
        own_bm25, idf = False, [1.0] * len(tokens)
        if not postgres:
            # What FTS5's bm25() would read for its IDFs: each word's posting list, however
            # few rows hold them all (拙政园 照片 调查: 3), and in every archive whatever the
            # filters. One word alone needs no IDF (every row holds it); its list is about
            # the sample's matches before the filters.
            if len(tokens) == 1:
                own_bm25 = postings > OWN_BM25_FROM
            else:
                sample_size, counts = sample_counts(cursor, tokens)
                own_bm25 = sum(counts) * SAMPLE_TABLE_MODULUS > OWN_BM25_FROM
                idf = [bm25_idf(sample_size, n) for n in counts]
            dialect.own_bm25 = own_bm25
        # SQLite's FTS5 reads its posting lists in the static order anyway. PostgreSQL reads a
        # dense query's window by an ordered index scan on rank_key (a few rows per match),
        # and any other below a rank_key bound that should hold about 1.5 windows of matches
        # (from rank_key's histogram), so neither a GIN bitmap of all matches nor a long
        # filtered index scan is needed; a bound that proves too tight is widened.
        share = 1.5 * size / estimate if estimate else 1.0
        dense = postgres and estimate >= DENSE * rows_in_scope(cursor, archive_id)
        # A few thousand matches are read from the GIN bitmap alone: AND-ing it with a B-tree
        # bitmap of a wide rank_key range cost 20 ms for 哈尔滨's 4,700. In one archive, a
        # bound is worth it when its range of that archive's rows is shorter than the posting
        # list (every archive's matches, each a row to read): 丝绸's 18,000 for 2,300 there.
        bounded = (
            postgres
            and not dense
            and (
                estimate > UNBOUNDED_UPTO
                or (
                    archive_id is not None
                    and 0 < share * rows_in_scope(cursor, archive_id) < postings
                )
            )
        )
        upto = rank_key_bound(cursor, share, archive_id) if bounded else None
        if dense:
            dialect.dense = True
            tune()
            # One archive: no sort either. The planner counts the archive twice (the index
            # row's copy and the description's own) and, expecting a few matches, sorted
            # every one of them instead of reading that archive's rows in order.
            cursor.execute(
                "SET LOCAL enable_bitmapscan = off"
                + ("" if archive_id is None else "; SET LOCAL enable_sort = off")
            )
        elif postgres:
            dialect.prefilter = True
        # One archive's matches (a few thousand at most), or the whole catalog's when they
        # should overflow the window without a bound (up to UNBOUNDED_UPTO): read once with
        # their title pass. Read apart, the title pass decoded the GIN bitmap a second time
        # (construction repair report: 24 ms of 57). Not when the posting list itself is long
        # and only the filters make the estimate small (a common word in one year): every match
        # would be kept with its tsvector, where the window keeps the first ones only.
        overflowing = upto is None and estimate > size and postings <= UNBOUNDED_UPTO
        whole_scope = postgres and not dense and (archive_id is not None or overflowing)
        while True:
            if upto is not None:
                rows = paired(upto)
            elif whole_scope:
                rows = prefiltered()
            else:
                rows = window(in_title=False, upto=upto)
            if len(rows) > size or upto is None:
                break
            if estimate > EXACT_COUNT and len(rows) >= size // 2:
                # Broad by the sample, and the bound held over half a window: ranked over
                # those, rather than read again under a bound four times wider (the B-tree
                # bitmap of a wide rank_key range is most of the cost: 考古 28 + 45 ms).
                break
            share *= 4
            upto = rank_key_bound(cursor, share, archive_id)
        if dense:
            cursor.execute("SET LOCAL enable_bitmapscan = on; SET LOCAL enable_sort = on")
        if len(rows) <= size and (upto is None or estimate <= EXACT_COUNT):
            return Ranked(_order(rows), len(rows), estimated=False)
        # Broad: add the best title matches, unless the query is so common that the window
        # itself is mostly title matches and a second pass would double the cost (PostgreSQL:
        # dense; SQLite: more than DENSE_MATCHES), and the description titled exactly as asked.
        if upto is not None or whole_scope:
            rows += titles
        elif not dense and (postgres or estimate <= DENSE_MATCHES):
            rows += window(in_title=True, upto=upto)
        cursor.execute(
            f"SELECT d.id, 0, 0, 0 FROM catalog_description d WHERE d.title = %s{where} LIMIT 20",  # noqa: S608 - fragments are ours
            [phrase, *filter_params],
        )
        rows += cursor.fetchall()
        if estimate <= EXACT_COUNT and counted:
            total, estimated = count(bound=EXACT_COUNT + 1), False
            if total > EXACT_COUNT:
                total, estimated = max(estimate, total), True
        else:
            total, estimated = estimate, True
    ids = _order(rows)
    return Ranked(ids, max(total, len(ids)), estimated=estimated)


# The sampled matches whose access and filters are checked (a join each): at most this many,
# chosen by a hash of the id, and the share of them that passes is applied to all the sampled
# matches (2,300 for 教育 at a million: their join was most of the estimate's cost).
CHECKED_SAMPLE = 1024


def _sample_estimate(
    cursor,
    sampled_ids: tuple[str, list[object]],
    where: str,
    filter_params: list[object],
    in_scope: str = "TRUE",
) -> tuple[int, int]:
    """How many descriptions match, estimated from the sample: its matches in scope (one
    archive's, on PostgreSQL: ``in_scope`` over the sample's id and archive) counted, and the
    access rules and filters checked on up to CHECKED_SAMPLE of them (all, when no more); and
    how many the sample matched in every archive, scaled (about the posting list's length)."""
    ids_sql, match = sampled_ids
    cursor.execute(
        f"WITH m AS MATERIALIZED ({ids_sql}) "  # noqa: S608 - fragments are ours, values are parameters
        "SELECT (SELECT COALESCE(SUM(weight), 0) FROM m), "
        f"(SELECT COALESCE(SUM(weight), 0) FROM m WHERE {in_scope}), "
        "COUNT(*), COUNT(d.id) FROM "
        f"(SELECT id FROM m WHERE {in_scope} ORDER BY (id * 40503) %% 65521, id "
        f"LIMIT {CHECKED_SAMPLE}) c "
        f"LEFT JOIN catalog_description d ON d.id = c.id{where}",
        [*match, *filter_params],
    )
    everywhere, matched, checked, passed = cursor.fetchone()
    if not checked:
        return 0, int(everywhere)
    return round(int(matched) * passed / checked), int(everywhere)


def _order(rows: list[tuple]) -> list[int]:
    """Ids by title tier, then relevance (bm25 / ts_rank normalised to the best) plus quality.
    Rows are (id, title tier, rank ascending-is-better, quality); duplicates keep the best."""
    best_rank = min((row[2] for row in rows if row[2]), default=0) or -1.0
    scored: dict[int, tuple] = {}
    for pk, tier, rank, quality in rows:
        relevance = (rank or 0) / best_rank  # both negative: 1.0 for the best match
        key = (tier, -(relevance + QUALITY_WEIGHT * quality), pk)
        if pk not in scored or key < scored[pk]:
            scored[pk] = key
    return sorted(scored, key=scored.__getitem__)


def raw_top(tokens: list[str], *, limit: int = 20) -> list[int]:
    """The benchmark's baseline: the database's own full-text search ranking every match and
    returning the top ``limit`` ids (FTS5 bm25 / ts_rank), without access rules or titles."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = " & ".join(f"'{token}'" for token in tokens)
            cursor.execute(
                "SELECT description_id FROM catalog_searchtext "
                "WHERE document @@ to_tsquery('simple', %s) "
                "ORDER BY ts_rank(document, to_tsquery('simple', %s)) DESC LIMIT %s",
                [query, query, limit],
            )
        else:
            query = " AND ".join(f'"{token}"' for token in tokens)
            cursor.execute(
                "SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH %s "  # noqa: S608 - fragments are ours, values are parameters
                f"ORDER BY bm25(catalog_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) LIMIT %s",
                [query, limit],
            )
        return [row[0] & ID_MASK for row in cursor.fetchall()]
