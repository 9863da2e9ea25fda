import pytest
from django.core.management import call_command
from django.urls import reverse

from archivox.core import services
from archivox.core.models import Archive, AuditEntry, Role
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper_archives():
    call_command("load_paper_survey", verbosity=0)


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.chinese
def test_public_home_is_chinese_by_default_and_lists_archives_by_region(client, paper_archives):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "档案馆自媒体服务" in html
    assert "南京市档案馆" in html
    assert "鼓楼区档案馆" in html
    assert html.index("北京") < html.index("哈密")  # first-tier cities before fourth-tier


def test_public_home_follows_the_browsers_language(client, paper_archives):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Archives on self-media" in html
    assert "Nanjing Archives" in html


@pytest.mark.chinese
def test_archive_page_and_unknown_archive(client, paper_archives):
    assert client.get("/archives/nanjing-gulou/").status_code == 200
    assert "南京市档案馆" in client.get("/archives/nanjing-gulou/").content.decode()
    assert client.get("/archives/atlantis/").status_code == 404


def test_api_lists_archives_and_publishes_its_openapi_schema(client, paper_archives):
    archives = client.get("/api/v1/archives").json()
    nanjing = next(a for a in archives if a["slug"] == "nanjing")
    assert nanjing["name_zh"] == "南京市档案馆"
    assert nanjing["region"]["code"] == "nanjing"
    gulou = client.get("/api/v1/archives/nanjing-gulou").json()
    assert gulou["parent"] == "nanjing"
    assert client.get("/api/v1/archives/atlantis").status_code == 404
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/archives" in schema["paths"]


def test_console_requires_login(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


@pytest.mark.chinese
def test_staff_log_in_and_see_their_archives_and_roles(client):
    nanjing = ArchiveFactory(slug="nanjing", name_zh="南京市档案馆")
    ArchiveFactory(slug="suzhou", name_zh="苏州市档案馆")
    user = UserFactory(username="wang")
    services.membership_grant(actor=None, archive=nanjing, user=user, role=Role.ARCHIVIST)

    response = client.post(
        reverse("console:login"),
        {"username": "wang", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    html = client.get("/console/").content.decode()
    assert "南京市档案馆" in html
    assert "档案员" in html
    assert "苏州市档案馆" not in html


@pytest.mark.chinese
def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="wang")
    response = client.post(reverse("console:login"), {"username": "wang", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_console_audit_log_shows_changes_to_allowed_staff_only(client):
    nanjing = ArchiveFactory(slug="nanjing")
    suzhou = ArchiveFactory(slug="suzhou")
    admin = UserFactory(username="admin-nj")
    outsider = UserFactory(username="admin-sz")
    services.membership_grant(actor=None, archive=nanjing, user=admin, role=Role.ADMINISTRATOR)
    services.membership_grant(actor=None, archive=suzhou, user=outsider, role=Role.ADMINISTRATOR)
    services.archive_update(actor=admin, archive=nanjing, address="中山东路309号")

    client.force_login(admin)
    html = client.get("/console/archives/nanjing/audit/").content.decode()
    assert "archive.update" in html and "中山东路309号" in html

    client.force_login(outsider)
    assert client.get("/console/archives/nanjing/audit/").status_code == 403
    assert "中山东路309号" not in client.get("/console/audit/").content.decode()


def test_changes_made_in_the_django_admin_are_audited(client):
    root = UserFactory(username="root", is_superuser=True)
    nanjing = ArchiveFactory(slug="nanjing", name="Nanjing Archives", level=Archive.Level.CITY)
    client.force_login(root)
    url = reverse("admin:core_archive_change", args=[nanjing.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["opening_hours"] = "9:00-17:00"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == root
    assert entry.archive == nanjing
    assert entry.after == {"opening_hours": "9:00-17:00"}


def test_every_model_has_an_admin_page(client):
    from django.apps import apps
    from django.contrib import admin

    ours = [m for m in apps.get_models() if m.__module__.startswith("archivox.")]
    assert ours
    for model in ours:
        assert admin.site.is_registered(model), model


def test_the_console_links_to_the_survey_report(client, paper_archives):
    client.force_login(UserFactory(username="supervisor", is_superuser=True))
    html = client.get("/console/").content.decode()
    assert 'href="/console/survey/"' in html
    assert client.get("/console/survey/").status_code == 200
