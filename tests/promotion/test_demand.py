"""The demand dashboard as a specification: what the public searched (and found nothing for),
viewed and discussed, counted without who, small counts suppressed, each with an action."""

import pytest

from archivox.catalog.models import PublicDemand
from archivox.promotion.demand import demand_report
from archivox.promotion.demo import demo_demand_load
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def search(client, term, times):
    for _ in range(times):
        assert client.get("/search/", {"q": term, "archive": "nanjing"}).status_code == 200


def test_top_and_zero_hit_searches_with_small_counts_suppressed(client, exhibition):
    search(client, "总统府", 6)
    search(client, "婚姻登记", 5)
    search(client, "罕见词", 2)
    search(client, "320102199001011234", 9)  # an ID card number is never kept
    report = demand_report(archives=[exhibition["archive"]])
    top, zero = report.sections[0], report.sections[1]
    assert [(row.label, row.count) for row in top.rows] == [("总统府", 6), ("婚姻登记", 5)]
    assert top.hidden == 1  # 罕见词, searched twice
    assert [(row.label, row.count) for row in zero.rows] == [("婚姻登记", 5)]
    assert "婚姻登记" in zero.rows[0].action and zero.rows[0].link
    assert not PublicDemand.objects.filter(key__contains="3201").exists()
    assert {f.name for f in PublicDemand._meta.fields} == {
        "id",
        "archive",
        "kind",
        "key",
        "day",
        "count",
    }


def test_viewed_items_are_counted_and_suggest_featuring_them(client, exhibition):
    for _ in range(5):
        client.get("/archives/nanjing/catalog/MG-001/")
    viewed = {s.title: s for s in demand_report(archives=[exhibition["archive"]]).sections}
    [row] = viewed["Most viewed items"].rows
    assert row.label == "MG-001 总统府门楼" and row.count == 5


def test_the_dashboard_shows_the_demos_searches_with_actions(client, exhibition):
    demo_demand_load()
    assert demo_demand_load() == ["demand: nanjing has counted searches already"]
    client.login(username="wang", password=PASSWORD)
    page = client.get("/console/promotion/nanjing/demand/").content.decode()
    assert "白崇禧" in page and "婚姻登记" in page
    assert "Searched terms that found nothing" in page
    assert "Add descriptions or subjects for “婚姻登记”" in page
    assert "Feature it" in page


def test_only_staff_of_the_archive_see_its_demand(client, exhibition):
    from archivox.core import services as core_services
    from archivox.core.models import Role
    from tests.factories import ArchiveFactory, UserFactory

    other = UserFactory(username="zhou")
    core_services.membership_grant(
        actor=None, archive=ArchiveFactory(slug="suzhou"), user=other, role=Role.ARCHIVIST
    )
    client.login(username="zhou", password=PASSWORD)
    assert client.get("/console/promotion/nanjing/demand/").status_code == 403
    assert client.get("/console/promotion/demand/").status_code == 302  # to their own archive


def test_asked_tags_recurring_words_and_discussed_topics(exhibition):
    from archivox.consultations.services.asking import consultation_ask
    from archivox.consultations.services.lifecycle import consultation_tag
    from archivox.polls.identity import Person
    from archivox.topics import services as topic_services

    archive, archivist = exhibition["archive"], exhibition["archivist"]
    for n in range(6):
        receipt = consultation_ask(
            archive=archive,
            name=f"市民{n}",
            email=f"person{n}@example.com",
            question=f"请问如何查询知青档案？我父亲{1960 + n}年下乡。",
        )
        consultation_tag(actor=archivist, consultation=receipt.consultation, add=["知青档案"])
    topic = topic_services.topic_create(actor=None, archive=archive, name="南京城墙")
    for n in range(5):
        comment = topic_services.comment_post(
            topic=topic, person=Person("web", f"p{n}"), display_name=f"网友{n}", body="城墙很美"
        )
        topic_services.comment_approve(actor=None, comment=comment)

    sections = {s.title: s for s in demand_report(archives=[archive]).sections}
    [tag] = sections["Most asked consultation topics (tags)"].rows
    assert (tag.label, tag.count) == ("知青档案", 6) and "canned answer" in tag.action
    words = {row.label: row.count for row in sections["Recurring words in questions"].rows}
    assert words.get("知青") == 6 or words.get("知青档案") == 6
    assert "请问" not in words
    [discussed] = sections["Most discussed topics"].rows
    assert (discussed.label, discussed.count) == ("#南京城墙#", 5)


def test_most_requested_record_categories_with_small_counts_suppressed(client, exhibition):
    from archivox.records_requests.models import Category
    from tests.records_requests_factory import make_requests

    archive = exhibition["archive"]
    make_requests(archive, on_time=6, category=Category.SCHOOL)
    make_requests(archive, on_time=2, category=Category.MARRIAGE)  # too few to show
    other = ArchiveFactory(slug="hami", name_zh="哈密市档案馆")
    make_requests(other, on_time=9, category=Category.HOUSING)  # another archive's
    sections = {s.title: s for s in demand_report(archives=[archive]).sections}
    requested = sections["Most requested record categories"]
    assert [(row.label, row.count) for row in requested.rows] == [
        ("school records and diplomas", 6)
    ]
    assert requested.hidden == 1
    assert "Publish a guide for “school records and diplomas” requests" in requested.rows[0].action
    assert requested.rows[0].link == "/console/records/nanjing/report/"
    everywhere = {s.title: s for s in demand_report(archives=None).sections}
    assert [row.label for row in everywhere["Most requested record categories"].rows] == [
        "housing",
        "school records and diplomas",
    ]
    client.login(username="wang", password=PASSWORD)
    page = client.get("/console/promotion/nanjing/demand/").content.decode()
    assert "Most requested record categories" in page and "housing" not in page


def test_the_dashboard_counts_visitors_from_each_poster_without_small_counts(client, exhibition):
    from archivox.promotion import services as promotion_services

    def poster(name):
        return promotion_services.poster_create(
            actor=None,
            archive=exhibition["archive"],
            name=name,
            title="金陵民国建筑档案展",
            target_path=exhibition["path"],
        )

    busy, quiet = poster("新街口公交站"), poster("鼓楼公交站")
    for _ in range(6):
        client.get(f"/p/{busy.code}")
    client.get(f"/p/{quiet.code}")
    sections = {s.title: s for s in demand_report(archives=[exhibition["archive"]]).sections}
    posters = sections["Visitors from posters"]
    assert [(row.label, row.count) for row in posters.rows] == [
        ("金陵民国建筑档案展 · 新街口公交站", 6)
    ]
    assert posters.hidden == 1  # one visit is not shown here (the poster's own page has it)
    assert posters.rows[0].link == f"/console/promotion/nanjing/posters/{busy.pk}/"
    client.login(username="wang", password=PASSWORD)
    page = client.get("/console/promotion/nanjing/demand/").content.decode()
    assert "Visitors from posters" in page and "新街口公交站" in page


def test_weekly_trends_and_viewed_collections_and_the_installation_wide_page(client, exhibition):
    import datetime

    from django.utils import timezone

    from archivox.catalog import services as catalog_services
    from archivox.catalog.demand import demand_add_demo
    from tests.factories import UserFactory

    archive = exhibition["archive"]
    collection = catalog_services.collection_create(
        actor=None, archive=archive, slug="mg-buildings", title="民国建筑"
    )
    for _ in range(5):
        assert client.get("/archives/nanjing/collections/mg-buildings/").status_code == 200
    today = timezone.localdate()
    last_week = today - datetime.timedelta(weeks=1)
    demand_add_demo(archive=archive, query="总统府", total=3, day=last_week, searches=7)
    demand_add_demo(archive=archive, query="城墙", total=0, day=today, searches=2)

    report = demand_report(archives=[archive])
    sections = {s.title: s for s in report.sections}
    [viewed] = sections["Most viewed featured collections"].rows
    assert (viewed.label, viewed.count) == (collection.slug, 5) and "poster" in viewed.action
    weeks = {week.monday: week for week in report.weeks}
    monday = last_week - datetime.timedelta(days=last_week.weekday())
    assert weeks[monday].searches == 7 and weeks[monday].zero_hits is None
    this_monday = today - datetime.timedelta(days=today.weekday())
    assert weeks[this_monday].searches is None  # two searches: too few to show

    other = ArchiveFactory(slug="suzhou", name_zh="苏州市档案馆")
    demand_add_demo(archive=other, query="总统府", total=0, day=today, searches=4)
    everywhere = {s.title: s for s in demand_report(archives=None).sections}
    assert [(r.label, r.count) for r in everywhere["Most searched terms"].rows] == [("总统府", 11)]
    UserFactory(username="root", is_superuser=True, is_staff=True)
    client.login(username="root", password=PASSWORD)
    page = client.get("/console/promotion/demand/")
    assert page.status_code == 200 and "the whole installation" in page.content.decode()
