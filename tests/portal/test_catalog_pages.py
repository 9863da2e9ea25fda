import datetime
import io

import pytest
from PIL import Image

from archivox.catalog import services
from archivox.catalog.models import Access

pytestmark = pytest.mark.django_db
CANARY = "CANARYq81zz"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 100, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def holdings(make_description):
    fonds = make_description("MG", "民国建筑档案", level="fonds")
    mansion = make_description(
        "MG-001",
        "白崇禧公馆",
        parent=fonds,
        title_en="Bai Chongxi Mansion",
        scope_content="位于南京市秦淮区大悲巷雍园1号。",
        date_expression="1946年",
    )
    restricted = make_description(
        "MG-002", "颐和路公馆区", parent=fonds, access_level=Access.RESTRICTED
    )
    secret = make_description(
        "MG-003", f"{CANARY} 密件", parent=fonds, access_level=Access.CONFIDENTIAL
    )
    closed = make_description(
        "MG-004",
        f"{CANARY} 封闭期",
        parent=fonds,
        closed_until=datetime.date.today() + datetime.timedelta(days=365),
    )
    objects = {
        code: services.digital_object_add(actor=None, description=item, content=jpeg())
        for code, item in [
            ("open_object", mansion),
            ("restricted_object", restricted),
            ("secret_object", secret),
        ]
    }
    return {"fonds": fonds, "mansion": mansion, "secret": secret, "closed": closed, **objects}


def test_description_page_shows_breadcrumbs_images_and_citation(client, holdings):
    response = client.get("/archives/nanjing/catalog/MG-001/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "白崇禧公馆" in html and "Bai Chongxi Mansion" in html
    assert 'href="/archives/nanjing/catalog/MG/"' in html  # breadcrumb to the fonds
    assert f"/objects/{holdings['open_object'].pk}/thumbnail/" in html
    assert 'loading="lazy"' in html
    assert "南京市档案馆藏，MG-001，《白崇禧公馆》，1946年。" in html
    assert "“Bai Chongxi Mansion”, 1946年, MG-001, Nanjing Archives." in html
    assert 'property="og:title" content="白崇禧公馆"' in html


def test_restricted_item_shows_its_description_but_not_its_images(client, holdings):
    html = client.get("/archives/nanjing/catalog/MG-002/").content.decode()
    assert "颐和路公馆区" in html
    assert "/objects/" not in html
    assert "不在网上公布" in html or "not published online" in html
    assert client.get(f"/objects/{holdings['restricted_object'].pk}/").status_code == 404
    assert client.get(f"/objects/{holdings['restricted_object'].pk}/thumbnail/").status_code == 404


def test_confidential_and_closed_items_do_not_exist_for_the_public(client, holdings):
    assert client.get("/archives/nanjing/catalog/MG-003/").status_code == 404
    assert client.get("/archives/nanjing/catalog/MG-004/").status_code == 404
    assert client.get(f"/objects/{holdings['secret_object'].pk}/").status_code == 404
    for url in ["/archives/nanjing/catalog/MG/", "/archives/nanjing/", "/search/?q=密件+封闭期"]:
        assert CANARY not in client.get(url).content.decode(), url


def test_open_images_are_served_with_their_checked_type(client, holdings):
    response = client.get(f"/objects/{holdings['open_object'].pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_search_page_highlights_matches_and_links_to_the_item(client, holdings):
    html = client.get("/search/?q=白崇禧").content.decode()
    assert "<mark>白崇禧</mark>公馆" in html
    assert 'href="/archives/nanjing/catalog/MG-001/"' in html


def test_search_page_filters_and_bad_parameters_do_not_fail(client, holdings):
    html = client.get("/search/?q=公馆&level=fonds&year_from=abc&page=-3&archive=nowhere")
    assert html.status_code == 200
    assert "MG-001" not in html.content.decode()


def test_english_search_finds_the_chinese_item(client, holdings):
    assert "MG-001" in client.get("/search/?q=Bai+Chongxi").content.decode()


def test_reclassified_item_disappears_from_every_page_at_once(client, holdings):
    services.description_update(
        actor=None, description=holdings["mansion"], access_level=Access.CONFIDENTIAL
    )
    assert client.get("/archives/nanjing/catalog/MG-001/").status_code == 404
    assert client.get(f"/objects/{holdings['open_object'].pk}/").status_code == 404
    assert "MG-001" not in client.get("/search/?q=白崇禧").content.decode()
    assert "白崇禧公馆" not in client.get("/archives/nanjing/catalog/MG/").content.decode()


@pytest.mark.chinese
def test_collection_page_lists_only_public_entries(client, holdings, nanjing):
    collection = services.collection_create(
        actor=None, archive=nanjing, slug="jinling", title="金陵特色历史档案", title_en="Jinling"
    )
    services.collection_set_entries(
        actor=None, collection=collection, descriptions=[holdings["mansion"], holdings["secret"]]
    )
    html = client.get("/archives/nanjing/collections/jinling/").content.decode()
    assert "金陵特色历史档案" in html and "白崇禧公馆" in html
    assert CANARY not in html
    assert "金陵特色历史档案" in client.get("/archives/nanjing/").content.decode()
    assert client.get("/archives/nanjing/collections/none/").status_code == 404


def test_the_sitemap_lists_open_descriptions_and_never_confidential_ones(
    client, make_description, nanjing
):
    fonds = make_description("S1", title="公开全宗", level="fonds")
    make_description(
        "S1-1", title="机密案卷", level="series", parent=fonds, access_level="confidential"
    )
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert "sitemap-descriptions.xml" in index.content.decode()
    page = client.get("/sitemap-descriptions.xml").content.decode()
    assert "/archives/nanjing/catalog/S1/" in page
    assert "S1-1" not in page
    archives = client.get("/sitemap-archives.xml").content.decode()
    assert "/archives/nanjing/" in archives
