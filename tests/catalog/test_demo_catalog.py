"""`load_demo_catalog`: a demo catalog for the paper's archives, through the real services."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archivox.catalog import selectors
from archivox.catalog.models import (
    Access,
    CollectionEntry,
    Description,
    DigitalObject,
    FeaturedCollection,
    Level,
)
from archivox.catalog.search import SearchFilters, search_descriptions
from archivox.core.models import Archive, AuditEntry
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db

BIG_ARCHIVES = ("nanjing", "suzhou", "hami", "kunming", "sichuan", "beijing-shijingshan")


def load_demo(*archives: str, images: bool = False) -> str:
    out = StringIO()
    args = [arg for slug in archives for arg in ("--archive", slug)]
    if not images:
        args.append("--no-images")
    call_command("load_demo_catalog", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def paper_archives():
    call_command("load_paper_survey", stdout=StringIO())


@pytest.fixture
def nanjing_and_suzhou(paper_archives):
    load_demo("nanjing", "suzhou")


def codes(page) -> list[str]:
    return [hit.description.reference_code for hit in page.hits]


def test_every_demo_archive_gets_a_demo_catalog(paper_archives):
    output = load_demo()
    for archive in Archive.objects.filter(is_demo=True):
        descriptions = Description.objects.filter(archive=archive)
        assert descriptions.exists(), archive.slug
        assert not descriptions.filter(is_demo=False).exists()
        assert descriptions.filter(parent=None).exclude(level=Level.FONDS).count() == 0
    assert Description.objects.count() >= 300
    assert "total: " in output
    assert f"{Description.objects.count()} demo descriptions created" in output


def test_nanjing_and_suzhou_hold_their_featured_archives(nanjing_and_suzhou):
    nanjing = Description.objects.filter(archive__slug="nanjing")
    suzhou = Description.objects.filter(archive__slug="suzhou")
    assert nanjing.count() > 50
    assert suzhou.count() > 30
    assert not Description.objects.exclude(archive__slug__in=["nanjing", "suzhou"]).exists()

    mansion = nanjing.get(reference_code="NJ-MG-001-0003")
    assert (mansion.title, mansion.title_en) == ("白崇禧公馆", "Bai Chongxi Mansion")
    assert (mansion.date_expression, mansion.start_year, mansion.end_year) == ("1946年", 1946, 1946)
    assert mansion.level == Level.ITEM
    assert mansion.parent.title_en == "Nanjing Masterpieces Recommended"
    assert mansion.parent.parent.reference_code == "NJ-MG"
    assert "白崇禧" in mansion.people and "南京" in mansion.places
    assert "大悲巷雍园1号" in mansion.scope_content
    gardens = set(suzhou.filter(level=Level.SERIES).values_list("title", flat=True))
    assert {"拙政园档案", "留园档案", "网师园档案", "沧浪亭档案"} <= gardens

    jinling = FeaturedCollection.objects.get(
        archive__slug="nanjing", slug="jinling-historical-archives"
    )
    assert jinling.title == "金陵特色历史档案"
    assert jinling.entries.first().description == mansion
    garden_collection = FeaturedCollection.objects.get(
        archive__slug="suzhou", slug="suzhou-garden-archives"
    )
    assert garden_collection.title_en == "Suzhou garden archives"
    entry_titles = [entry.description.title for entry in garden_collection.entries.all()]
    assert "拙政园历史照片" in entry_titles


def test_descriptions_carry_full_isadg_identity_and_content(nanjing_and_suzhou):
    for description in Description.objects.select_related("parent"):
        assert description.title and description.scope_content and description.creator
        assert description.date_expression and description.start_year is not None
        assert description.start_year <= description.end_year
        assert "演示数据" in description.access_conditions
        if description.parent is not None:
            assert description.reference_code.startswith(description.parent.reference_code)
    assert Description.objects.exclude(title_en="").count() > 100


@pytest.mark.parametrize("query", ["白崇禧", "Bai Chongxi", "bai chongxi mansion", "白崇禧公馆"])
def test_the_bai_chongxi_mansion_is_found_in_chinese_and_english(nanjing_and_suzhou, query):
    assert "NJ-MG-001-0003" in codes(search_descriptions(query))


def test_each_big_archive_has_confidential_restricted_and_closed_material(paper_archives):
    load_demo(*BIG_ARCHIVES)
    for slug in BIG_ARCHIVES:
        descriptions = Description.objects.filter(archive__slug=slug)
        assert descriptions.filter(access_level=Access.CONFIDENTIAL).exists(), slug
        assert descriptions.filter(access_level=Access.RESTRICTED).exists(), slug
        assert descriptions.filter(closed_until__isnull=False).exists(), slug
        hidden = descriptions.exclude(selectors.public_filter())
        assert hidden.count() < descriptions.count() // 4, slug


def test_confidential_and_closed_demo_items_never_appear_in_public_search(nanjing_and_suzhou):
    hidden = Description.objects.exclude(selectors.public_filter())
    assert hidden.filter(effective_access=Access.CONFIDENTIAL, archive__slug="nanjing").exists()
    assert hidden.filter(effective_closed_until__isnull=False, archive__slug="suzhou").exists()
    for description in hidden:
        filters = SearchFilters(archive_id=description.archive_id)
        public = search_descriptions(description.title, filters=filters, per_page=100)
        assert description.pk not in [hit.description.pk for hit in public.hits]
        staff = search_descriptions(description.title, filters=filters, per_page=100, public=False)
        assert description.pk in [hit.description.pk for hit in staff.hits]
    public_codes = codes(search_descriptions("产权登记", per_page=100))
    assert not any(code.endswith("-0003") for code in public_codes if code.startswith("NJ-MG-002"))


def test_a_second_run_creates_nothing(paper_archives):
    load_demo(images=True)
    counted = (Description, FeaturedCollection, CollectionEntry, DigitalObject, AuditEntry)
    before = {model: model.objects.count() for model in counted}
    output = load_demo(images=True)
    assert {model: model.objects.count() for model in counted} == before
    assert "total: 0 demo descriptions created" in output


def test_placeholder_images_follow_the_access_gateway(paper_archives):
    load_demo("nanjing", "kunming", images=True)
    mansion = Description.objects.get(archive__slug="nanjing", reference_code="NJ-MG-001-0003")
    [image] = selectors.digital_objects_public(description=mansion)
    assert image.media_type == "image/jpeg" and image.width == 960
    restricted = Description.objects.get(
        archive__slug="kunming", reference_code="KM-LD-0002", access_level=Access.RESTRICTED
    )
    assert restricted.digital_objects.count() == 1
    assert selectors.digital_objects_public(description=restricted) == []
    jinling = selectors.collection_get_public(
        archive=Archive.objects.get(slug="nanjing"), slug="jinling-historical-archives"
    )
    assert selectors.collection_cover_public(jinling).description == mansion


def test_only_demo_archives_that_exist_are_filled(db):
    ArchiveFactory(slug="nanjing", is_demo=True)
    ArchiveFactory(slug="suzhou", is_demo=False)  # a real archive: never given demo data
    output = load_demo()
    assert Description.objects.filter(archive__slug="nanjing").exists()
    assert not Description.objects.filter(archive__slug="suzhou").exists()
    assert "skipped (no such demo archive): " in output and "suzhou" in output


def test_without_demo_archives_the_command_says_to_load_the_paper_survey(db):
    with pytest.raises(CommandError, match="load_paper_survey"):
        call_command("load_demo_catalog", stdout=StringIO())
    assert not Description.objects.exists()
