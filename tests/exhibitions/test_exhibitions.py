"""Online exhibitions: building them, and what the public sees through the access gateway."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access
from archivox.core.models import AuditEntry
from archivox.exhibitions import selectors, services
from archivox.exhibitions.models import Exhibition
from tests.exhibitions.conftest import CANARY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_public_sees_open_images_and_restricted_descriptions_without_images(
    exhibition, catalog
):
    view = selectors.exhibition_get_public(archive=exhibition.archive, slug="buildings")
    items = {item.description.reference_code: item for item in view.sections[0].items}
    assert len(items["NJ-MG-1"].images) == 1 and not items["NJ-MG-1"].withheld
    assert items["NJ-MG-2"].images == [] and items["NJ-MG-2"].withheld
    assert view.share_image == items["NJ-MG-1"].images[0]


def test_confidential_and_closed_material_cannot_be_picked(exhibition, catalog):
    section = exhibition.sections.get()
    for code in ("NJ-MG-3", "NJ-MG-4", "NO-SUCH-CODE"):
        with pytest.raises(ValidationError) as refused:
            services.section_item_add(actor=None, section=section, reference_code=code)
        assert "reference_code" in refused.value.message_dict
    assert section.items.count() == 2


def test_an_item_made_confidential_later_disappears_from_the_exhibition(
    client, exhibition, catalog
):
    catalog_services.description_update(
        actor=None, description=catalog["open"], access_level=Access.CONFIDENTIAL, title=CANARY
    )
    view = selectors.exhibition_get_public(archive=exhibition.archive, slug="buildings")
    assert [i.description.reference_code for i in view.sections[0].items] == ["NJ-MG-2"]
    page = client.get("/archives/nanjing/exhibitions/buildings/", **EN)
    api = client.get("/api/v1/engagement/exhibitions/nanjing/exhibitions/buildings", **EN)
    for text in (page.text, api.text):
        assert CANARY not in text and "NJ-MG-1" not in text
    assert view.share_image is None


def test_the_exhibition_page_is_a_story_with_zoomable_images_and_a_share_card(
    client, exhibition, catalog
):
    page = client.get("/archives/nanjing/exhibitions/buildings/", **EN)
    assert page.status_code == 200
    html = page.text
    assert '<meta property="og:title" content="金陵民国建筑">' in html
    assert 'content="馆藏民国建筑档案线上展"' in html
    image = catalog["open"].digital_objects.get()
    assert f'data-zoom-src="/objects/{image.pk}/"' in html
    assert f'data-image="/objects/{image.pk}/"' in html  # the WeChat share card image
    assert "/static/exhibitions/zoom.js" in html
    restricted = catalog["restricted"].digital_objects.get()
    assert f"/objects/{restricted.pk}/" not in html
    assert "总统府建筑设计图纸" in html and "Restricted" in html
    assert CANARY not in html
    # the restricted image itself is not served either (the portal's gateway)
    assert client.get(f"/objects/{restricted.pk}/").status_code == 404


def test_a_draft_exhibition_is_not_public(client, nanjing, catalog):
    services.exhibition_create(actor=None, archive=nanjing, slug="draft", title="草稿")
    assert client.get("/archives/nanjing/exhibitions/draft/").status_code == 404
    with pytest.raises(Exhibition.DoesNotExist):
        selectors.exhibition_get_public(archive=nanjing, slug="draft")


def test_html_in_texts_is_sanitised_and_titles_are_escaped(client, exhibition):
    section = exhibition.sections.get()
    services.section_update(
        actor=None,
        section=section,
        title="<script>alert('t')</script>",
        body='<p onclick="x()">好<script>alert(1)</script><a href="javascript:alert(2)">链接</a>'
        '<strong>强调</strong></p><iframe src="//evil"></iframe>',
    )
    section.refresh_from_db()
    assert "script" not in section.body and "onclick" not in section.body
    assert "javascript:" not in section.body and "iframe" not in section.body
    assert "<strong>强调</strong>" in section.body
    html = client.get("/archives/nanjing/exhibitions/buildings/").text
    assert "<script>alert('t')" not in html and "&lt;script&gt;" in html


def test_sections_are_reordered_and_the_change_is_audited(exhibition, curator):
    second = services.section_add(actor=curator, exhibition=exhibition, title="公馆与街区")
    services.section_move(actor=curator, section=second, offset=-1)
    titles = list(exhibition.sections.order_by("position").values_list("title", flat=True))
    assert titles == ["公馆与街区", "首都气象"]
    entry = AuditEntry.objects.filter(action="section.reorder").get()
    assert entry.actor == curator
    with pytest.raises(ValidationError):
        services.sections_reorder(actor=curator, exhibition=exhibition, order=[second.pk])


def test_someone_without_a_role_cannot_edit(exhibition):
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        services.section_add(actor=stranger, exhibition=exhibition, title="x")
    with pytest.raises(PermissionDenied):
        selectors.exhibition_list_for_staff(user=stranger, archive=exhibition.archive)


def test_publishing_an_empty_exhibition_is_refused(nanjing, catalog):
    empty = services.exhibition_create(actor=None, archive=nanjing, slug="empty", title="空")
    with pytest.raises(ValidationError):
        services.exhibition_publish(actor=None, exhibition=empty)


def test_the_api_gives_the_story_with_image_urls_and_no_hidden_material(client, exhibition):
    listing = client.get("/api/v1/engagement/exhibitions/nanjing/exhibitions").json()
    assert [e["slug"] for e in listing] == ["buildings"]
    body = client.get("/api/v1/engagement/exhibitions/nanjing/exhibitions/buildings").json()
    items = body["sections"][0]["items"]
    assert items[0]["images"][0]["url"].startswith("http")
    assert items[1]["images"] == [] and items[1]["images_withheld"] is True
    assert CANARY not in json.dumps(body)
    assert body["share_image_url"] == items[0]["images"][0]["url"]
    missing = client.get("/api/v1/engagement/exhibitions/nanjing/exhibitions/nope")
    assert missing.status_code == 404


def test_staff_build_an_exhibition_through_the_api(client, nanjing, catalog, curator):
    def post(path, body):
        return client.post(
            f"/api/v1/engagement/exhibitions/nanjing/{path}",
            data=json.dumps(body),
            content_type="application/json",
        )

    assert post("exhibitions", {"slug": "x", "title": "X"}).status_code == 401
    client.force_login(curator)
    assert post("exhibitions", {"slug": "api-show", "title": "API 展"}).status_code == 201
    section = post("exhibitions/api-show/sections", {"title": "一", "body": "<b>b</b>"}).json()
    added = post(
        f"exhibitions/api-show/sections/{section['id']}/items", {"reference_code": "NJ-MG-1"}
    )
    assert added.status_code == 201
    refused = post(
        f"exhibitions/api-show/sections/{section['id']}/items", {"reference_code": "NJ-MG-3"}
    )
    assert refused.status_code == 422 and CANARY not in refused.text
    assert post("exhibitions/api-show/publish", {}).json()["status"] == "published"


def test_the_console_builds_an_exhibition(client, nanjing, catalog, curator):
    client.force_login(curator)
    created = client.post(
        "/console/exhibitions/nanjing/",
        {"action": "exhibition", "slug": "console-show", "title": "控制台展览", "summary": "s"},
    )
    exhibition = Exhibition.objects.get(slug="console-show")
    url = f"/console/exhibitions/nanjing/exhibitions/{exhibition.pk}/"
    assert created.status_code == 302 and created["Location"] == url
    client.post(url, {"action": "add_section", "title": "第一部分", "body": "<p>x</p>"})
    client.post(url, {"action": "add_section", "title": "第二部分"})
    first, second = exhibition.sections.order_by("position")
    client.post(url, {"action": "add_item", "section": first.pk, "reference_code": "NJ-MG-1"})
    bad = client.post(
        url,
        {"action": "add_item", "section": first.pk, "reference_code": "NJ-MG-3"},
        follow=True,
        **EN,
    )
    assert "confidential and closed material cannot be exhibited" in bad.text
    assert CANARY not in bad.text
    client.post(url, {"action": "up", "section": second.pk})
    client.post(url, {"action": "publish"})
    exhibition.refresh_from_db()
    assert exhibition.status == "published"
    assert [s.title for s in exhibition.sections.order_by("position")] == ["第二部分", "第一部分"]
    search = client.get(url + "?q=总统府", **EN)
    assert "NJ-MG-1" in search.text and CANARY not in search.text


def test_the_exhibition_page_does_not_grow_queries_with_items(
    client, exhibition, catalog, make_description, django_assert_max_num_queries
):
    section = services.section_add(actor=None, exhibition=exhibition, title="更多")
    for n in range(10):
        make_description(f"NJ-X-{n}", f"条目{n}")
        services.section_item_add(actor=None, section=section, reference_code=f"NJ-X-{n}")
    with django_assert_max_num_queries(12):
        page = client.get("/archives/nanjing/exhibitions/buildings/")
    assert page.status_code == 200 and "条目9" in page.text


def test_the_console_edits_and_removes_sections_and_items(client, exhibition, curator):
    client.force_login(curator)
    url = f"/console/exhibitions/nanjing/exhibitions/{exhibition.pk}/"
    first = exhibition.sections.get()
    gone = client.post(url, {"action": "edit_section", "section": "0", "title": "x"}, follow=True)
    assert "This section no longer exists." in gone.text
    bad = client.post(url, {"action": "remove_section", "section": "one"}, follow=True)
    assert bad.status_code == 200 and exhibition.sections.count() == 1
    edited = client.post(
        url, {"action": "edit_section", "section": first.pk, "title": " 首都 ", "body": "<p>二</p>"}
    )
    assert edited.status_code == 302 and edited["Location"] == f"{url}#section-{first.pk}"
    first.refresh_from_db()
    assert (first.title, first.body) == ("首都", "<p>二</p>")
    item = first.items.first()
    client.post(url, {"action": "remove_item", "section": first.pk, "item": item.pk})
    assert first.items.count() == 1
    actions = set(AuditEntry.objects.filter(actor=curator).values_list("action", flat=True))
    assert actions == {"section.update", "exhibition_item.remove"}
    unknown = client.post(url, {"action": "remove_item"}, follow=True, **EN)
    assert "Unknown action." in unknown.text
