import pytest

from archivox.catalog import services
from archivox.catalog.models import Access, Description
from archivox.core.models import AuditEntry, Role
from archivox.core.services import membership_grant
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db
CANARY = "CANARYapi55"


@pytest.fixture
def holdings(make_description):
    fonds = make_description("MG", "民国建筑档案", level="fonds")
    make_description("MG-001", "白崇禧公馆", parent=fonds, title_en="Bai Chongxi Mansion")
    make_description("MG-002", f"{CANARY} 公馆", parent=fonds, access_level=Access.CONFIDENTIAL)
    return fonds


def test_search_returns_highlighted_public_hits(client, holdings):
    body = client.get("/api/v1/catalog/search", {"q": "公馆"}).json()
    assert body["total"] == 1
    hit = body["hits"][0]
    assert hit["description"]["reference_code"] == "MG-001"
    assert hit["title_html"] == "白崇禧<mark>公馆</mark>"
    assert hit["description"]["url"].endswith("/archives/nanjing/catalog/MG-001/")
    assert CANARY not in str(body)


def test_description_has_breadcrumbs_and_public_children_only(client, holdings):
    body = client.get("/api/v1/catalog/archives/nanjing/descriptions/MG").json()
    assert [c["reference_code"] for c in body["children"]] == ["MG-001"]
    item = client.get("/api/v1/catalog/archives/nanjing/descriptions/MG-001").json()
    assert [b["reference_code"] for b in item["breadcrumbs"]] == ["MG"]
    assert client.get("/api/v1/catalog/archives/nanjing/descriptions/MG-002").status_code == 404


def test_unknown_archive_and_bad_parameters_are_clear_errors(client, holdings):
    assert client.get("/api/v1/catalog/archives/atlantis/descriptions").status_code == 404
    assert client.get("/api/v1/catalog/search", {"q": "x", "level": "planet"}).status_code == 422
    assert client.get("/api/v1/catalog/search").status_code == 422


def test_staff_create_and_update_through_the_api_are_checked_and_audited(client, nanjing):
    archivist = UserFactory()
    membership_grant(actor=None, archive=nanjing, user=archivist, role=Role.ARCHIVIST)
    client.force_login(archivist)
    url = "/api/v1/catalog/archives/nanjing/descriptions"
    response = client.post(
        url,
        {"reference_code": "NEW", "title": "新全宗", "level": "fonds", "subjects": ["城建"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = client.patch(
        f"{url}/NEW", {"access_level": "confidential"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["access"] == "confidential"
    assert AuditEntry.objects.filter(action="description.update", actor=archivist).exists()


def test_staff_of_another_archive_cannot_write(client, nanjing, holdings):
    outsider = UserFactory()
    membership_grant(
        actor=None, archive=ArchiveFactory(slug="suzhou"), user=outsider, role=Role.ADMINISTRATOR
    )
    client.force_login(outsider)
    response = client.post(
        "/api/v1/catalog/archives/nanjing/descriptions",
        {"reference_code": "X", "title": "x", "level": "fonds"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.patch(
        "/api/v1/catalog/archives/nanjing/descriptions/MG-001",
        {"title": "篡改"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Description.objects.filter(reference_code="X").exists()
    assert Description.objects.get(reference_code="MG-001").title == "白崇禧公馆"


def test_anonymous_writes_are_refused(client, holdings):
    response = client.post(
        "/api/v1/catalog/archives/nanjing/descriptions",
        {"reference_code": "X", "title": "x", "level": "fonds"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_invalid_write_is_a_422_naming_the_field_and_saves_nothing(client, nanjing, holdings):
    archivist = UserFactory()
    membership_grant(actor=None, archive=nanjing, user=archivist, role=Role.ARCHIVIST)
    client.force_login(archivist)
    response = client.post(
        "/api/v1/catalog/archives/nanjing/descriptions",
        {"reference_code": "MG-001", "title": "重复", "level": "item"},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        "/api/v1/catalog/archives/nanjing/descriptions",
        {
            "reference_code": "Y",
            "title": "y",
            "level": "item",
            "start_year": 1950,
            "end_year": 1900,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "end_year" in response.json()["detail"]
    assert Description.objects.count() == 3


def test_collections_are_listed(client, nanjing, holdings):
    collection = services.collection_create(
        actor=None, archive=nanjing, slug="jinling", title="金陵特色历史档案"
    )
    services.collection_set_entries(
        actor=None,
        collection=collection,
        descriptions=list(Description.objects.order_by("reference_code")),
    )
    listed = client.get("/api/v1/catalog/archives/nanjing/collections").json()
    assert [c["slug"] for c in listed] == ["jinling"]
    detail = client.get("/api/v1/catalog/archives/nanjing/collections/jinling").json()
    assert [d["reference_code"] for d in detail["descriptions"]] == ["MG", "MG-001"]
