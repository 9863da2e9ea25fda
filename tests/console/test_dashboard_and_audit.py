"""The dashboard's role-aware links and "what needs me now", and the audit log's filters."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archivox.catalog import services as catalog_services
from archivox.core import services as core_services
from archivox.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_dashboard_links_each_role_to_its_areas_only(client, archivist, administrator):
    client.force_login(archivist)
    html = client.get("/console/").content.decode()
    assert 'href="/console/catalog/nanjing/"' in html
    assert 'href="/console/publishing/?archive=nanjing"' in html
    assert "/console/archives/nanjing/accounts/" not in html
    assert "/console/archives/nanjing/members/" not in html
    client.force_login(administrator)
    html = client.get("/console/").content.decode()
    assert "/console/archives/nanjing/accounts/" in html
    assert "/console/archives/nanjing/members/" in html
    assert "/console/archives/nanjing/audit/" in html
    assert 'id="needs-me-title"' in html


def test_the_dashboard_says_what_needs_me_now(client, administrator, make_description):
    soon = timezone.localdate() + datetime.timedelta(days=10)
    make_description("C-1", "即将开放", level="fonds", closed_until=soon)
    client.force_login(administrator)
    response = client.get("/console/")
    texts = [item.text for item in response.context["needs_me"]]
    assert any("1 description opens to the public within 30 days" in text for text in texts)
    assert any("WeChat" in text for text in texts)
    closing = client.get("/console/catalog/nanjing/?closing=1").content.decode()
    assert "即将开放" in closing


def test_the_dashboard_costs_few_queries_however_many_archives(
    client, django_assert_max_num_queries, db
):
    from tests.factories import ArchiveFactory, UserFactory

    boss = UserFactory(username="boss", is_superuser=True)
    for n in range(30):
        ArchiveFactory(slug=f"a{n}")
    client.force_login(boss)
    # A fixed number: one query per source of "what needs me now" (records-use requests past
    # their deadline made it 15), none per archive.
    with django_assert_max_num_queries(15):
        assert client.get("/console/").status_code == 200


def _entries(nanjing, archivist, administrator):
    catalog_services.description_create(
        actor=archivist, archive=nanjing, reference_code="A", title="甲", level="fonds"
    )
    core_services.archive_update(actor=administrator, archive=nanjing, address="中山东路309号")
    old = AuditEntry.objects.get(action="archive.update")
    AuditEntry.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )


def test_the_audit_log_filters_by_actor_action_type_and_dates(
    client, nanjing, archivist, reviewer, administrator
):
    _entries(nanjing, archivist, administrator)
    client.force_login(reviewer)
    url = reverse("console:audit")

    def actions(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return [entry.action for entry in response.context["entries"]]

    every = actions()
    assert "description.create" in every and "archive.update" in every
    assert actions(actor="archiv") == ["description.create"]
    assert actions(action="archive.") == ["archive.update"]
    assert actions(object_type="catalog.") == ["description.create"]
    week_ago = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert "archive.update" not in actions(date_from=week_ago)
    assert actions(date_to=week_ago) == ["archive.update"]
    assert set(actions(archive="nanjing")) == set(every)


def test_a_reversed_date_range_is_explained(client, reviewer):
    client.force_login(reviewer)
    response = client.get(
        reverse("console:audit"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert "The end date is before the start date." in response.content.decode()


def test_the_audit_log_pages_through_many_entries(client, nanjing, reviewer):
    for n in range(120):
        core_services.audit_record(
            actor=None, action="archive.test_entry", archive=nanjing, object_repr=str(n)
        )
    client.force_login(reviewer)
    first = client.get(reverse("console:audit"), {"action": "archive."})
    assert len(first.context["entries"]) == 50
    assert first.context["page"].paginator.num_pages == 3
    third = client.get(reverse("console:audit"), {"action": "archive.", "page": 3})
    assert len(third.context["entries"]) == 20
    assert "action=archive." in third.content.decode()


def test_another_archives_audit_log_is_refused(client, outsider, nanjing):
    client.force_login(outsider)
    assert client.get(reverse("console:audit"), {"archive": "nanjing"}).status_code == 403
    assert client.get(reverse("console:archive_audit", args=["nanjing"])).status_code == 403


def test_the_dashboard_gathers_what_waits_in_the_other_areas(client, reviewer, nanjing):
    from archivox.consultations.services import consultation_ask

    consultation_ask(archive=nanjing, name="读者", email="r@example.cn", question="开放吗？")
    nanjing.consultations.update(due_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(reviewer)
    texts = [item.text for item in client.get("/console/").context["needs_me"]]
    assert any("past the answer we promised" in text for text in texts)
