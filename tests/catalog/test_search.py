import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archivox.catalog import ranking_statistics, search, services
from archivox.catalog.models import Access, SearchText
from archivox.catalog.search import SearchFilters, search_descriptions
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db

CANARY = "CANARY7f3a9"


@pytest.fixture
def mansion(make_description):
    fonds = make_description("MG", "民国建筑档案", level="fonds", start_year=1912, end_year=1949)
    return make_description(
        "MG-001",
        "白崇禧公馆",
        level="item",
        parent=fonds,
        title_en="Bai Chongxi Mansion",
        scope_content="位于南京市秦淮区大悲巷雍园1号，是一处保存完好的民国建筑。",
        start_year=1946,
        end_year=1948,
        places=["南京"],
    )


def codes(page):
    return [hit.description.reference_code for hit in page.hits]


@pytest.mark.parametrize("query", ["白崇禧", "公馆", "白崇禧公馆", "Bai Chongxi", "bai chongxi"])
def test_chinese_and_english_queries_find_the_mansion(mansion, query):
    assert "MG-001" in codes(search_descriptions(query))


def test_matches_are_highlighted_and_escaped(mansion, make_description):
    page = search_descriptions("公馆")
    hit = next(h for h in page.hits if h.description.reference_code == "MG-001")
    assert str(hit.title_html) == "白崇禧<mark>公馆</mark>"
    make_description("X-1", "<script>alert(1)</script> 公馆")
    page = search_descriptions("公馆")
    titles = [str(h.title_html) for h in page.hits]
    assert any("&lt;script&gt;" in title for title in titles)
    assert not any("<script>" in title for title in titles)


def test_title_matches_rank_above_body_matches(make_description):
    make_description("B-1", "城市规划图", scope_content="附近有一座公馆")
    make_description("T-1", "公馆建筑测绘图")
    assert codes(search_descriptions("公馆"))[0] == "T-1"


def test_confidential_and_closed_items_never_appear_in_public_search(make_description):
    make_description("S-1", f"{CANARY} 公馆", access_level=Access.CONFIDENTIAL)
    make_description(
        "S-2", f"{CANARY} 公馆", closed_until=datetime.date.today() + datetime.timedelta(days=9)
    )
    make_description("S-3", f"{CANARY} 公馆", access_level=Access.RESTRICTED)
    page = search_descriptions(CANARY)
    assert codes(page) == ["S-3"]
    assert page.total == 1
    assert search_descriptions(CANARY, public=False).total == 3


def test_every_closure_and_level_is_applied_to_a_search_and_to_an_answer(make_description):
    """A public search with no filter ranks its window from the index rows on PostgreSQL and
    looks up only the descriptions that may be hidden; what it shows is what the gateway lets
    through: open and restricted material, closures that ended before today, and an automatic
    answer (open only) without the restricted."""
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    make_description("G-OPEN", f"{CANARY} 公馆")
    make_description("G-PAST", f"{CANARY} 公馆", closed_until=today - day)
    make_description("G-TODAY", f"{CANARY} 公馆", closed_until=today)
    make_description("G-LATER", f"{CANARY} 公馆", closed_until=today + day)
    make_description("G-RESTRICTED", f"{CANARY} 公馆", access_level=Access.RESTRICTED)
    make_description("G-SECRET", f"{CANARY} 公馆", access_level=Access.CONFIDENTIAL)
    secret_fonds = make_description(
        "G-FONDS", "内部全宗", level="fonds", access_level=Access.CONFIDENTIAL
    )
    make_description("G-INHERITED", f"{CANARY} 公馆", parent=secret_fonds)
    if connection.vendor == "postgresql":
        # Statistics, as a running catalog has them: without, every query looks dense.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_searchtext")
        ranking_statistics._statistics_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = search_descriptions(CANARY)
    assert set(codes(page)) == {"G-OPEN", "G-PAST", "G-RESTRICTED"}
    assert page.total == 3
    if connection.vendor == "postgresql":
        assert any("written_title" in query["sql"] for query in queries)
    answer = search.best_descriptions(CANARY, filters=SearchFilters(open_only=True), limit=9)
    assert {hit.description.reference_code for hit in answer} == {"G-OPEN", "G-PAST"}
    assert search_descriptions(CANARY, public=False).total == 7


def test_a_renamed_description_leads_for_its_new_title(mansion, make_description):
    """The index row's copy of the title (the ranking's title tier) follows an edit."""
    make_description("LZR-1", "李宗仁公馆修缮工程档案")
    services.description_update(actor=None, description=mansion, title="李宗仁公馆")
    assert SearchText.objects.get(description=mansion).written_title == "李宗仁公馆"
    assert codes(search_descriptions("李宗仁公馆"))[0] == "MG-001"
    services.description_update(actor=None, description=mansion, title="白崇禧公馆")
    assert codes(search_descriptions("李宗仁公馆"))[0] == "LZR-1"


def test_reclassifying_an_item_removes_it_from_results_at_once(mansion):
    assert search_descriptions("白崇禧").total == 1
    services.description_update(actor=None, description=mansion, access_level="confidential")
    assert search_descriptions("白崇禧").total == 0


def test_reclassifying_a_parent_removes_descendants_from_results(mansion):
    services.description_update(
        actor=None, description=mansion.parent, access_level=Access.CONFIDENTIAL
    )
    assert search_descriptions("白崇禧").total == 0


def test_editing_a_description_updates_the_index(mansion):
    services.description_update(actor=None, description=mansion, title="李宗仁公馆")
    assert search_descriptions("白崇禧").total == 0
    assert codes(search_descriptions("李宗仁")) == ["MG-001"]


def test_deleted_description_leaves_the_index(mansion):
    services.description_delete(actor=None, description=mansion)
    assert search_descriptions("白崇禧").total == 0


def test_filters_by_level_years_archive_and_collection(mansion, make_description, nanjing):
    suzhou = ArchiveFactory(slug="suzhou")
    make_description("SZ-1", "留园公馆", archive=suzhou, start_year=1600, end_year=1700)
    assert set(codes(search_descriptions("公馆"))) == {"MG-001", "SZ-1"}
    assert codes(search_descriptions("公馆", filters=SearchFilters(archive_id=suzhou.pk))) == [
        "SZ-1"
    ]
    assert codes(search_descriptions("公馆", filters=SearchFilters(levels=("fonds",)))) == []
    assert codes(search_descriptions("民国", filters=SearchFilters(levels=("fonds",)))) == ["MG"]
    assert codes(search_descriptions("公馆", filters=SearchFilters(year_from=1900))) == ["MG-001"]
    assert codes(search_descriptions("公馆", filters=SearchFilters(year_to=1800))) == ["SZ-1"]
    collection = services.collection_create(
        actor=None, archive=nanjing, slug="jinling", title="金陵特色历史档案"
    )
    services.collection_set_entries(actor=None, collection=collection, descriptions=[mansion])
    assert codes(
        search_descriptions("公馆", filters=SearchFilters(collection_id=collection.pk))
    ) == ["MG-001"]


def test_results_are_paginated(make_description):
    for index in range(25):
        make_description(f"P-{index:02}", f"档案馆藏照片 {index}")
    first = search_descriptions("照片", per_page=10)
    third = search_descriptions("照片", page=3, per_page=10)
    assert first.total == 25 and first.pages == 3 and first.has_next
    assert len(first.hits) == 10 and len(third.hits) == 5 and not third.has_next
    everything = {
        c for p in (1, 2, 3) for c in codes(search_descriptions("照片", page=p, per_page=10))
    }
    assert len(everything) == 25


def test_an_empty_or_punctuation_query_finds_nothing_without_error(mansion):
    for query in [
        "",
        "   ",
        "！？。",
        '"',
        "'; DROP TABLE catalog_description; --",
        "AND OR NOT *",
    ]:
        page = search_descriptions(query)
        assert page.total >= 0
    assert search_descriptions("").total == 0


def test_query_operators_are_treated_as_words_not_syntax(make_description):
    make_description("Q-1", "near or not")
    assert codes(search_descriptions("NEAR OR NOT")) == ["Q-1"]


def test_rebuilding_the_index_restores_every_description(mansion):
    search.unindex_descriptions([mansion.pk, mansion.parent_id])
    assert search_descriptions("白崇禧").total == 0
    assert search.rebuild_index() == 2
    assert search_descriptions("白崇禧").total == 1


def test_search_page_takes_a_fixed_number_of_queries(
    make_description, django_assert_max_num_queries
):
    for index in range(20):
        make_description(f"N-{index:02}", f"南京照片 {index}")
    # count, page, descriptions; on PostgreSQL also a savepoint pair, SET LOCAL, the
    # table statistics (read at most once a minute, so a cold process pays it) and
    # the bitmap-scan switch around the ranking window
    with django_assert_max_num_queries(9) as first:
        page = search_descriptions("照片")
        [hit.description.archive.slug for hit in page.hits]
    for index in range(20, 40):
        make_description(f"N-{index:02}", f"南京照片 {index}")
    with django_assert_max_num_queries(len(first)):
        page = search_descriptions("照片")
        [hit.description.archive.slug for hit in page.hits]
    assert page.total == 40


def test_rebuild_command_reindexes_and_names_a_bad_archive(mansion):
    from io import StringIO

    from django.core.management import CommandError, call_command

    search.unindex_descriptions([mansion.pk])
    out = StringIO()
    call_command("rebuild_search_index", "nanjing", stdout=out)
    assert "indexed 2" in out.getvalue()
    assert search_descriptions("白崇禧").total == 1
    with pytest.raises(CommandError, match="no archive"):
        call_command("rebuild_search_index", "atlantis")


def test_a_title_holding_the_query_as_written_comes_first(make_description):
    make_description(
        "LONG-1",
        "南京城建档案汇编",
        scope_content="白崇禧 白崇禧 白崇禧 提及多次。",
    )
    make_description(
        "EXACT-1",
        "白崇禧公馆",
        scope_content="位于南京市秦淮区大悲巷雍园1号，" * 10,
    )
    assert codes(search_descriptions("白崇禧"))[0] == "EXACT-1"


def test_a_broad_query_is_ranked_estimated_and_still_pages(make_description, monkeypatch):
    from archivox.catalog import ranking

    monkeypatch.setattr(ranking, "WINDOW", 10)
    monkeypatch.setattr(ranking, "EXACT_COUNT", 12)
    monkeypatch.setattr(ranking, "SAMPLE_MODULUS", 1)  # the sample is every description
    for index in range(30):
        make_description(f"B-{index:02}", f"档案照片 {index}")
    make_description("B-SECRET", "档案照片 密", access_level=Access.CONFIDENTIAL)
    first = search_descriptions("照片", per_page=5)
    assert first.total == 30 and first.total_is_estimate
    assert first.pages >= 2 and first.has_next
    assert len(first.hits) == 5
    second = search_descriptions("照片", page=2, per_page=5)
    assert not set(codes(first)) & set(codes(second))
    assert "B-SECRET" not in codes(first) + codes(second)
    narrow = search_descriptions("照片", filters=SearchFilters(levels=("fonds",)))
    assert not narrow.total_is_estimate and narrow.total == 0


def test_the_most_specific_title_holding_the_query_comes_first(make_description):
    make_description("A-1", "白崇禧公馆建筑设计图纸")
    make_description("A-2", "白崇禧公馆修缮工程档案")
    make_description("A-3", "白崇禧公馆", title_en="Bai Chongxi Mansion")
    assert codes(search_descriptions("白崇禧"))[0] == "A-3"
    assert codes(search_descriptions("bai chongxi mansion"))[0] == "A-3"


def test_the_portal_says_an_estimated_count_is_one(make_description, monkeypatch, client):
    from archivox.catalog import ranking

    monkeypatch.setattr(ranking, "WINDOW", 5)
    monkeypatch.setattr(ranking, "EXACT_COUNT", 5)
    monkeypatch.setattr(ranking, "SAMPLE_MODULUS", 1)
    for index in range(12):
        make_description(f"E-{index:02}", f"档案照片 {index}")
    page = client.get("/search/?q=照片", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "约 12 条结果，最相关的排在前面" in page
    english = client.get("/search/?q=照片", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "About 12 results; the most relevant are shown first" in english


@pytest.mark.django_db(transaction=True)
def test_rows_indexed_before_the_upgrade_get_their_titles(mansion):
    """Migration catalog 0010 fills the index rows' copies of the titles; on SQLite the FTS5
    triggers survive it (an edit is still found)."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("catalog", "0009_search_head")]
    MigrationExecutor(connection).migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        fields = {field.name for field in old.get_model("catalog", "SearchText")._meta.fields}
        assert "written_title" not in fields
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    row = SearchText.objects.get(description=mansion)
    assert (row.written_title, row.written_title_en) == ("白崇禧公馆", "Bai Chongxi Mansion")
    assert codes(search_descriptions("白崇禧公馆"))[0] == "MG-001"
    services.description_update(actor=None, description=mansion, title="李宗仁公馆")
    assert codes(search_descriptions("李宗仁")) == ["MG-001"]
