"""Ranked search for broad queries (issue 24): a highly relevant description among 100,000
matches comes first, the count is an honest estimate, and the access rules hold.

The 100,000 matching rows are written with one INSERT … SELECT each (descriptions, then their
index rows) so the test stays fast; the planted descriptions go through the real services."""

import io

import pytest
from django.db import connection
from django.utils import timezone, translation
from PIL import Image

from archivox.catalog import ranking, ranking_statistics, search, services
from archivox.catalog.models import Access, Description
from archivox.catalog.search import SearchFilters, search_descriptions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_statistics():
    """What the ranking keeps a minute per process about the index (its size, an archive's
    rows), read again for each test's own catalog: an earlier test's small index would make
    these queries "dense"."""
    for kept in (
        ranking_statistics._statistics_cache,
        ranking_statistics._archive_rows_cache,
        ranking_statistics._sample_size_cache,
    ):
        kept.clear()


BULK = 100_000


def codes(page):
    return [hit.description.reference_code for hit in page.hits]


def bulk_matches(archive, count: int = BULK) -> None:
    """``count`` items titled 第N号民国档案卷宗汇编, every tenth confidential, with index rows."""
    jsonb = "CAST('[]' AS jsonb)" if connection.vendor == "postgresql" else "'[]'"
    numbered = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "  # noqa: S608 - no input
        "INSERT INTO catalog_description (archive_id, parent_id, path, depth, position, "
        "reference_code, title, title_en, date_expression, start_year, end_year, level, "
        "extent, creator, scope_content, access_conditions, language, subjects, places, "
        "people, access_level, closed_until, effective_access, effective_closed_until, "
        "is_demo, created_at, updated_at) "
        "SELECT %s, NULL, '', 0, i, 'BULK-' || CAST(i AS TEXT), "
        "'第' || CAST(i AS TEXT) || '号民国档案卷宗汇编', '', '', 1930, 1930, 'item', '', "
        "'', '民国时期档案一卷，内容为日常公文往来。', '', '', "
        f"{jsonb}, {jsonb}, {jsonb}, "
        "CASE WHEN i %% 10 = 0 THEN 'confidential' ELSE 'open' END, NULL, "
        "CASE WHEN i %% 10 = 0 THEN 'confidential' ELSE 'open' END, NULL, "
        "%s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n"
    )
    title, body = search.index_text(
        Description(
            reference_code="BULK",
            title="第1号民国档案卷宗汇编",
            scope_content="民国时期档案一卷，内容为日常公文往来。",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(numbered, [count, archive.pk, False])
        cursor.execute(
            "UPDATE catalog_description SET path = '/' || CAST(id AS TEXT) || '/' "
            "WHERE reference_code LIKE 'BULK-%%' AND archive_id = %s",
            [archive.pk],
        )
        cursor.execute(
            "INSERT INTO catalog_searchtext (description_id, title, body, quality, rank_key, "
            "archive_id, written_title, written_title_en) "
            "SELECT id, %s, %s, 0, %s + id, archive_id, title, title_en FROM catalog_description "
            "WHERE reference_code LIKE 'BULK-%%' AND archive_id = %s",
            [title, body, ranking.QUALITY_MAX * ranking.RANK_SHIFT, archive.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE catalog_searchtext")
            cursor.execute("ANALYZE catalog_description")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (150, 120, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def broad(nanjing, make_description):
    bulk_matches(nanjing)
    # Planted after the bulk rows: the last ids, so an order by id would never reach them.
    featured = make_description(
        "STAR-1", "金陵民国档案精选", scope_content="馆藏民国档案中的精品，附高清图像。"
    )
    services.digital_object_add(actor=None, description=featured, content=png())
    collection = services.collection_create(
        actor=None, archive=nanjing, slug="jingxuan", title="民国档案精选"
    )
    services.collection_set_entries(actor=None, collection=collection, descriptions=[featured])
    return featured


def test_a_planted_highly_relevant_description_is_found_first_among_100k_matches(
    broad, make_description
):
    page = search_descriptions("民国档案")
    assert page.total_is_estimate
    assert codes(page)[0] == "STAR-1"
    # Relevance order, then the window of the static order: the bulk rows follow, none hidden.
    assert len(page.hits) == 20
    assert all(code.startswith("BULK-") for code in codes(page)[1:])
    confidential = {f"BULK-{i}" for i in range(10, BULK + 1, 10)}
    assert not set(codes(page)) & confidential
    # A description titled exactly as asked comes first, whatever its place in the static order.
    make_description("EXACT-1", "民国档案")
    assert codes(search_descriptions("民国档案"))[:2] == ["EXACT-1", "STAR-1"]


def test_the_static_quality_follows_images_and_featured_collections(nanjing, make_description):
    from archivox.catalog.models import SearchText

    item = make_description("Q-1", "金陵民国档案精选")
    fonds = make_description("Q-F", "民国档案全宗", level="fonds")
    assert SearchText.objects.get(description=item).quality == 0
    assert SearchText.objects.get(description=fonds).quality == 1
    services.digital_object_add(actor=None, description=item, content=png())
    collection = services.collection_create(
        actor=None, archive=nanjing, slug="jingxuan", title="民国档案精选"
    )
    services.collection_set_entries(actor=None, collection=collection, descriptions=[item])
    row = SearchText.objects.get(description=item)
    assert row.quality == 6 and row.rank_key == search.rank_key(item.pk, 6)
    services.collection_update(actor=None, collection=collection, is_published=False)
    assert SearchText.objects.get(description=item).quality == 2
    services.digital_object_delete(actor=None, digital_object=item.digital_objects.get())
    assert SearchText.objects.get(description=item).quality == 0
    # Still found after moving in the static order (the FTS rowid changed with it).
    assert search_descriptions("金陵").total == 1


def test_the_count_of_a_broad_query_is_an_honest_estimate_of_public_matches(broad):
    public = search_descriptions("民国档案")
    # 90,000 public bulk rows and the planted one; the estimate comes from a 1-in-128 sample.
    assert public.total_is_estimate
    assert abs(public.total - 90_001) / 90_001 < 0.05
    staff = search_descriptions("民国档案", public=False)
    assert abs(staff.total - 100_001) / 100_001 < 0.05
    with translation.override("zh-hans"):
        assert public.total_display == "9 万"
    with translation.override("en"):
        assert public.total_display == "90,000"
    # Only the ranked window is offered as pages, and it is never empty on its last page.
    last = search_descriptions("民国档案", page=public.pages)
    assert last.hits and not last.has_next
    # The benchmark's baseline: the database's own ranking, without access rules or titles.
    top = ranking.raw_top(search.query_tokens("民国档案"), limit=5)
    assert Description.objects.filter(pk__in=top).count() == 5


def test_filters_and_access_apply_to_the_window_and_the_estimate(broad, nanjing):
    from tests.factories import ArchiveFactory

    other = ArchiveFactory(slug="suzhou")
    page = search_descriptions("民国档案", filters=SearchFilters(archive_id=other.pk))
    assert page.total == 0 and not page.hits
    fonds_only = search_descriptions("民国档案", filters=SearchFilters(levels=("fonds",)))
    assert fonds_only.total == 0
    items = search_descriptions("民国档案", filters=SearchFilters(archive_id=nanjing.pk))
    assert items.total_is_estimate and codes(items)[0] == "STAR-1"
    # Re-classified, the planted item leaves a broad query at once.
    services.description_update(actor=None, description=broad, access_level=Access.CONFIDENTIAL)
    page = search_descriptions("民国档案")
    assert "STAR-1" not in codes(page)
    assert "STAR-1" in codes(search_descriptions("民国档案", public=False))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own sample table")
def test_sqlites_sample_table_follows_the_index(nanjing):
    """catalog_fts_sample (migration 0006) holds exactly the sampled rows of the index, through
    inserts, a re-indexed text and deletions, so the estimate counts what the index holds."""
    from archivox.catalog.models import SearchText

    bulk_matches(nanjing, count=3000)

    def sampled_in_index(word: str) -> set[int]:
        return {
            key
            for pk, key, title, body in SearchText.objects.values_list(
                "description_id", "rank_key", "title", "body"
            )
            if ((pk * 40503) >> 7) & (ranking.SAMPLE_TABLE_MODULUS - 1) == 0
            and word in f"{title} {body}".split()
        }

    def in_sample_table(word: str) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM catalog_fts_sample WHERE catalog_fts_sample MATCH %s",
                [f'"{word}"'],
            )
            return {row[0] for row in cursor.fetchall()}

    expected = sampled_in_index("民国")
    assert expected and in_sample_table("民国") == expected
    rows = list(SearchText.objects.filter(rank_key__in=sorted(expected)[:2]))
    rows[0].title, rows[0].body = "换了", "换了 文字"
    rows[0].save()
    rows[1].description.delete()
    assert (
        in_sample_table("民国")
        == sampled_in_index("民国")
        == expected
        - {
            rows[0].rank_key,
            rows[1].rank_key,
        }
    )
    assert in_sample_table("文字") == {rows[0].rank_key}


def test_a_small_archive_beside_a_broad_one_is_searched_in_its_own_rows(broad, make_description):
    """An archive's own search (its page, an automatic answer on WeChat) beside 100,000
    matches in another archive: only its items, ranked, counted exactly, access applied."""
    from tests.factories import ArchiveFactory

    suzhou = ArchiveFactory(slug="suzhou")
    for n in range(1, 31):
        make_description(
            f"SZ-{n}", f"苏州民国档案第{n}卷", archive=suzhou, scope_content="民国档案一卷。"
        )
    make_description("SZ-C", "民国档案密件", archive=suzhou, access_level=Access.CONFIDENTIAL)
    make_description("SZ-R", "民国档案", archive=suzhou, access_level=Access.RESTRICTED)
    star = make_description("SZ-STAR", "苏州民国档案精选", archive=suzhou)
    services.digital_object_add(actor=None, description=star, content=png())

    page = search_descriptions("民国档案", filters=SearchFilters(archive_id=suzhou.pk))
    assert not page.total_is_estimate and page.total == 32
    # The title as asked first (restricted: listed, not opened), then the shortest title.
    assert codes(page)[:3] == ["SZ-R", "SZ-STAR", "SZ-1"]
    assert all(code.startswith("SZ-") for code in codes(page)) and "SZ-C" not in codes(page)

    answer = search.best_descriptions(
        "民国档案", filters=SearchFilters(archive_id=suzhou.pk, open_only=True), limit=3
    )
    assert [hit.description.reference_code for hit in answer] == ["SZ-STAR", "SZ-1", "SZ-2"]
    # The broad archive's own search still finds its planted item first.
    nanjing = broad.archive
    assert (
        codes(search_descriptions("民国档案", filters=SearchFilters(archive_id=nanjing.pk)))[0]
        == "STAR-1"
    )
    kept = search.best_descriptions(
        "民国档案", filters=SearchFilters(archive_id=nanjing.pk, open_only=True), limit=3
    )
    assert kept[0].description.reference_code == "STAR-1"
    assert all(hit.description.archive_id == nanjing.pk for hit in kept)


def _index_conditions(plan: dict) -> list[tuple[str, str]]:
    """Every (index, condition) of an EXPLAIN (FORMAT JSON) plan, nested plans included."""
    found = []
    if "Index Name" in plan:
        found.append((plan["Index Name"], plan.get("Index Cond", "")))
    for child in plan.get("Plans", []):
        found += _index_conditions(child)
    return found


def in_sample(description_id: int) -> bool:
    """Whether the description is in the estimate's sample, asked of the database with the
    ranking's own condition."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {ranking.sample_sql('CAST(%s AS bigint)')}", [description_id])
        return bool(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
def test_one_archives_matches_come_from_the_gin_index_with_its_archive(nanjing, make_description):
    """One archive's search asks the GIN index for its archive and the words together
    (migration 0011), instead of reading the words' matches in every archive and AND-ing them
    with the archive's rows: shown on the plans of the statements the search runs, with the
    archive's B-tree dropped inside the test's transaction so that only the GIN index could
    take the archive. (Its condition must be int8 = int8, btree_gin's only operator.)"""
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ArchiveFactory

    suzhou = ArchiveFactory(slug="suzhou")
    for n in range(1, 41):
        make_description(f"NJ-{n}", f"南京城墙修缮报告第{n}号")
        made = make_description(f"SZ-{n}", f"苏州城墙修缮报告第{n}号", archive=suzhou)
        while in_sample(made.pk):
            # In the estimate's sample, this match alone would count as
            # SAMPLE_MODULUS and make the query "dense" in an archive of 40, which is read
            # in its static order instead (a range of one archive): not the path shown here.
            # The ids differ from run to run; about one run in four had one of them sampled.
            services.description_delete(actor=None, description=made)
            made = make_description(f"SZ-{n}", f"苏州城墙修缮报告第{n}号", archive=suzhou)
    with CaptureQueriesContext(connection) as captured:
        page = search_descriptions("城墙 修缮 报告", filters=SearchFilters(archive_id=suzhou.pk))
    assert page.total == 40 and all(code.startswith("SZ-") for code in codes(page))
    scoped = [q["sql"] for q in captured.captured_queries if "s.archive_id =" in q["sql"]]
    assert scoped
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX catalog_searchtext_archive")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in scoped:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()[0]
            conditions = _index_conditions(plan["Plan"])
            assert any(
                name == "catalog_searchtext_archive_gin" and "archive_id" in condition
                for name, condition in conditions
            ), conditions


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's coarse sample")
def test_a_very_common_word_is_counted_from_the_coarse_sample(broad, monkeypatch):
    """PostgreSQL counts a word in a quarter of the catalog from its 1-in-1,024 sample
    (migration 0008); here the bulk's 100,000 are made "common enough" for it."""

    def sample_weights() -> set[int]:
        # Which sample the count comes from: each row carries its sample's weight. (Comparing
        # the two totals is no proof: the ids, and so the sampled rows, differ from run to run,
        # and the fine count can be exactly 8 times the coarse one.)
        sql, params = ranking._Postgres(["民国", "档案"]).sampled_ids()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[2] for row in cursor.fetchall()}

    assert sample_weights() == {ranking.SAMPLE_MODULUS}
    monkeypatch.setattr(ranking, "COARSE_ENOUGH", 40)
    assert sample_weights() == {ranking.COARSE_MODULUS}
    coarse = search_descriptions("民国档案")
    assert coarse.total_is_estimate and coarse.total % ranking.COARSE_MODULUS == 0
    assert abs(coarse.total - 90_001) / 90_001 < 0.25
    assert codes(coarse)[0] == "STAR-1"


def test_one_archives_answer_looks_past_hidden_matches(nanjing, make_description, monkeypatch):
    """When the first matches of an archive in the static order are all hidden (confidential,
    restricted for an automatic answer), the answer still finds the open ones behind them."""
    monkeypatch.setattr(search, "ANSWER_WINDOW", 5)  # the window's first 12 matches: hidden
    for n in range(1, 16):
        make_description(f"H-{n}", f"盐业档案第{n}卷", access_level=Access.CONFIDENTIAL)
    make_description("R-1", "盐业档案汇编", access_level=Access.RESTRICTED)
    for n in range(1, 4):
        make_description(f"O-{n}", f"盐业档案公开卷{n}")
    answer = search.best_descriptions(
        "盐业档案", filters=SearchFilters(archive_id=nanjing.pk, open_only=True), limit=3
    )
    assert [hit.description.reference_code for hit in answer] == ["O-1", "O-2", "O-3"]


def test_a_query_past_the_window_without_a_bound_still_finds_its_title_match(
    nanjing, make_description, monkeypatch
):
    """A query with more matches than its window but too few for a rank_key bound (PostgreSQL
    reads them all once, with their title pass): the one match holding the words in its title,
    last in the static order, comes first, and the count is exact."""
    monkeypatch.setattr(ranking, "WINDOW", 10)
    monkeypatch.setattr(ranking, "EXACT_COUNT", 100)
    monkeypatch.setattr(ranking, "SAMPLE_MODULUS", 1)  # the sample is every description
    bulk_matches(nanjing, count=1000)  # the index's bulk: 40 matches are not "dense"
    for n in range(40):
        make_description(f"S-{n}", f"清代卷宗第{n}卷", scope_content="两淮盐业 公文一件。")
    make_description("S-R", "盐业 公文", access_level=Access.CONFIDENTIAL)
    make_description("S-T", "两淮盐业公文汇编", scope_content="清代卷宗。")

    page = search_descriptions("盐业 公文")
    assert codes(page)[0] == "S-T"
    assert not page.total_is_estimate and page.total == 41
    assert "S-R" not in codes(page)


def test_one_broad_archive_beside_another_is_read_in_its_own_order(nanjing, make_description):
    """One archive's search for a word in most of its rows (PostgreSQL reads that archive's
    rows in the static order from its own index) beside another archive just as broad: only
    its items, its best first, hidden ones neither shown nor counted."""
    from tests.factories import ArchiveFactory

    bulk_matches(nanjing, count=2000)
    suzhou = ArchiveFactory(slug="suzhou")
    bulk_matches(suzhou, count=2000)
    star = make_description(
        "SZ-STAR", "苏州民国档案卷宗精选", archive=suzhou, scope_content="民国档案一卷。"
    )
    services.digital_object_add(actor=None, description=star, content=png())
    page = search_descriptions("民国档案", filters=SearchFilters(archive_id=suzhou.pk))
    assert codes(page)[0] == "SZ-STAR"
    ids = [hit.description.pk for hit in page.hits]
    kept = Description.objects.filter(pk__in=ids)
    assert {d.archive_id for d in kept} == {suzhou.pk}
    assert {d.effective_access for d in kept} == {Access.OPEN}
    assert abs(page.total - 1801) / 1801 < 0.25


def test_the_head_index_ends_where_the_ranking_says():
    """The partial GIN index of the static order's head (migration 0009) and ranking's
    HEAD_RANK_KEY name the same place; PostgreSQL has the index."""
    import importlib

    head = importlib.import_module("archivox.catalog.migrations.0009_search_head")
    assert f"rank_key < {ranking.HEAD_RANK_KEY}" in head.FORWARD
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'catalog_searchtext_head_gin'"
            )
            (definition,) = cursor.fetchone()
        assert f"rank_key < '{ranking.HEAD_RANK_KEY}'" in definition


@pytest.mark.parametrize(
    ("shown", "hidden"),
    [
        (7, 3),  # few: read, ranked and counted in the first statement (PostgreSQL)
        (14, 1),  # few by the sample, but more than the window holds: read again
        (21, 1),  # as many as the first statement may take: read again
        (29, 2),  # many by the sample: the first statement reads nothing
    ],
)
def test_the_first_statement_answers_only_what_it_read_whole(
    nanjing, make_description, monkeypatch, shown, hidden
):
    """PostgreSQL reads a public query's matches with its sample in one statement when the
    sample says they are few; when they prove too many to be read or ranked whole, the usual
    statements answer instead. Either way: the title match first, the hidden never, the count
    exact."""
    monkeypatch.setattr(ranking, "WINDOW", 10)  # the first statement takes 2 × 10 + 2
    monkeypatch.setattr(ranking, "SAMPLE_MODULUS", 1)  # the sample is every description
    bulk_matches(nanjing, count=1000)  # the index's bulk: these matches are not "dense"
    ranking_statistics._statistics_cache.clear()
    for n in range(shown - 1):
        make_description(f"P-{n}", f"清代卷宗第{n}卷", scope_content="宣纸 样本一件。")
    make_description("P-T", "宣纸样本", scope_content="清代卷宗。")
    for n in range(hidden):
        make_description(f"H-{n}", f"宣纸样本 密{n}", access_level=Access.CONFIDENTIAL)

    page = search_descriptions("宣纸 样本")
    assert codes(page)[0] == "P-T"
    assert not page.total_is_estimate and page.total == shown
    assert not [code for code in codes(page) if code.startswith("H-")]
    everything = search_descriptions("宣纸 样本", public=False)
    assert everything.total == shown + hidden


def test_the_first_statement_ranks_as_the_others_do_and_returns_a_page(
    nanjing, make_description, monkeypatch
):
    """The one-statement path (PostgreSQL, a public query with few matches) orders its matches
    in SQL; the same key as ``ranking._order`` everywhere else, so the same order: title tier,
    relevance normalised to the best plus quality, then id. Asked for the first few, it returns
    those and the exact count."""
    monkeypatch.setattr(ranking, "SAMPLE_MODULUS", 1)  # the sample is every description
    make_description("T-0", "宣纸", scope_content="宣纸。")
    make_description("T-1", "宣纸样本登记", scope_content="宣纸。")
    make_description("T-2", "宣纸样本", level="fonds", scope_content="清代。")
    for n in range(12):
        body = "宣纸 " * (n % 4 + 1) + "清代卷宗。" * (n % 3)
        level = "fonds" if n % 5 == 0 else "item"
        make_description(f"B-{n}", f"清代卷宗第{n}卷", level=level, scope_content=body)
    make_description("H-0", "宣纸", access_level=Access.CONFIDENTIAL)
    today = timezone.localdate()
    tokens = search.query_tokens("宣纸")
    gated = ranking.filter_sql(SearchFilters(), today)
    # Any filter besides the gateway takes the usual statements, ordered by ``_order``.
    every_level = ranking.filter_sql(SearchFilters(levels=("fonds", "item")), today)

    usual = ranking.ranked_ids(tokens, phrase="宣纸", filter_sql=every_level)
    whole = ranking.ranked_ids(tokens, phrase="宣纸", filter_sql=gated)
    first = ranking.ranked_ids(tokens, phrase="宣纸", filter_sql=gated, first=4)

    assert gated.gateway_only and not every_level.gateway_only
    assert whole.ids == usual.ids and len(whole.ids) == whole.total == 15
    assert first.ids[:4] == usual.ids[:4] and first.total == 15 and not first.estimated
    by_id = Description.objects.in_bulk(usual.ids)
    assert [by_id[pk].reference_code for pk in usual.ids[:3]] == ["T-0", "T-2", "T-1"]
