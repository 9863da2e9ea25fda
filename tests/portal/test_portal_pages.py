"""The portal's front pages: what's new across archives, an archive's home (news, visit, follow),
search suggestions, the actions and citation on an item, and share metadata on every page."""

import datetime
import json
import re
from urllib.parse import quote

import pytest
import qrcode
import qrcode.image.svg
from django.test import Client
from django.utils import timezone

from archivox.catalog.models import Access
from archivox.core import services as core_services
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db
CANARY = "CANARYq81zz"


@pytest.fixture
def suzhou(db):
    return ArchiveFactory(slug="suzhou", name="Suzhou Archives", name_zh="苏州市档案馆")


@pytest.fixture
def news(nanjing, suzhou, publish_post, make_exhibition, make_event):
    return {
        "walls": publish_post(nanjing, "城墙里的南京"),
        "canals": publish_post(suzhou, "姑苏水巷"),
        "forward": publish_post(
            nanjing, "转发：国家档案局通知", origin="forward", forward_source="国家档案局"
        ),
        "exhibition": make_exhibition(nanjing, "minguo", "金陵民国建筑"),
        "draft_exhibition": make_exhibition(suzhou, "draft", f"{CANARY} 草稿展览", publish=False),
        "lecture": make_event(suzhou, "talk", "苏州园林档案讲座"),
        "past": make_event(nanjing, "past", f"{CANARY} 过去的讲座", days=-3),
        "unpublished": make_event(nanjing, "soon", f"{CANARY} 未发布讲座", publish=False),
    }


@pytest.mark.chinese
def test_home_shows_archives_by_region_and_what_is_new_across_archives(client, news):
    html = client.get("/").content.decode()
    assert "南京市档案馆" in html and "苏州市档案馆" in html
    assert f'href="/archives/nanjing/posts/{news["walls"].pk}/"' in html
    assert f'href="/archives/suzhou/posts/{news["canals"].pk}/"' in html
    assert "国家档案局通知" not in html  # forwards are not original posts
    assert 'href="/archives/nanjing/exhibitions/minguo/"' in html
    assert 'href="/archives/suzhou/exhibitions/events/talk/"' in html
    assert CANARY not in html  # drafts, unpublished and past lectures stay out


def test_home_stays_a_few_queries_however_many_archives(
    client, news, django_assert_max_num_queries
):
    for n in range(8):
        ArchiveFactory(slug=f"extra{n}")
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


@pytest.fixture
def archive_home(nanjing, news, make_topic, make_poll, make_description):
    nanjing.address = "南京市玄武区北京东路41号"
    nanjing.opening_hours = "周一至周五 8:30–17:00"
    nanjing.save()
    make_topic(nanjing, "南京城墙")
    make_topic(nanjing, f"{CANARY}隐藏话题", is_published=False)
    make_poll(nanjing, "open", "您最想看的档案")
    make_poll(nanjing, "closed", f"{CANARY} 已结束调查", opened_days_ago=10, closes_in_days=-1)
    make_poll(nanjing, "later", f"{CANARY} 未开始", opened_days_ago=-5)
    return nanjing


def test_archive_home_shows_news_topics_open_polls_and_how_to_visit(client, archive_home, news):
    html = client.get("/archives/nanjing/").content.decode()
    assert f'href="/archives/nanjing/posts/{news["walls"].pk}/"' in html
    assert "姑苏水巷" not in html  # another archive's post
    assert 'href="/archives/nanjing/exhibitions/minguo/"' in html
    assert 'href="/archives/nanjing/topics/' in html and "#南京城墙#" in html
    assert 'href="/archives/nanjing/polls/open/"' in html
    assert CANARY not in html
    assert "周一至周五 8:30–17:00" in html and "南京市玄武区北京东路41号" in html
    assert f"https://uri.amap.com/search?keyword={quote('南京市玄武区北京东路41号')}" in html
    assert 'href="/archives/nanjing/reservations/"' in html  # the services nav stays


def test_archive_home_is_fine_without_news_address_or_accounts(client, nanjing):
    html = client.get("/archives/nanjing/").content.decode()
    assert "uri.amap.com" not in html
    assert 'src="/archives/nanjing/follow/portal.svg"' in html
    assert client.get("/archives/nanjing/follow/wechat.svg").status_code == 404
    assert client.get("/archives/nowhere/").status_code == 404


def _svg_of(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string().decode()


def test_follow_qr_codes_are_drawn_locally_and_encode_the_right_address(client, nanjing):
    core_services.platform_account_update(
        actor=None,
        archive=nanjing,
        platform="wechat",
        name="南京档案",
        original_id="gh_0123456789ab",
    )
    core_services.platform_account_update(
        actor=None, archive=nanjing, platform="weibo", name="南京档案微博", weibo_uid="1234567890"
    )
    html = client.get("/archives/nanjing/").content.decode()
    assert 'src="/archives/nanjing/follow/wechat.svg"' in html
    assert 'src="/archives/nanjing/follow/weibo.svg"' in html
    # The account by its name; WeChat's raw original id (gh_…) is not for readers (issue 21).
    assert "南京档案" in html and "gh_0123456789ab" not in html
    assert 'href="https://m.weibo.cn/u/1234567890"' in html

    weibo = client.get("/archives/nanjing/follow/weibo.svg")
    assert weibo["Content-Type"] == "image/svg+xml"
    assert weibo.content.decode() == _svg_of("https://m.weibo.cn/u/1234567890")
    wechat = client.get("/archives/nanjing/follow/wechat.svg").content.decode()
    assert wechat == _svg_of("http://testserver/archives/nanjing/")
    assert client.get("/archives/nanjing/follow/portal.svg").status_code == 404
    assert client.get("/archives/nanjing/follow/qq.svg").status_code == 404


def test_a_secret_of_a_platform_account_never_reaches_the_archive_home(client, nanjing):
    core_services.platform_account_update(
        actor=None, archive=nanjing, platform="wechat", name="南京档案", app_secret="SECRETzz9"
    )
    assert "SECRETzz9" not in client.get("/archives/nanjing/").content.decode()


@pytest.fixture
def titles(make_description, suzhou):
    fonds = make_description("MG", "民国建筑档案", level="fonds")
    for n in range(12):
        make_description(f"MG-{n:03}", f"白崇禧公馆照片{n:02}", parent=fonds)
    make_description("MG-100", "关于白崇禧的报道", parent=fonds)
    make_description("MG-200", f"白崇禧 {CANARY}", parent=fonds, access_level=Access.CONFIDENTIAL)
    make_description(
        "MG-300",
        f"白崇禧 {CANARY} 封闭",
        parent=fonds,
        closed_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    make_description("SZ-1", "白崇禧在苏州", level="fonds", archive=suzhou)


def _suggest(client: Client, **params) -> list[str]:
    response = client.get("/search/suggestions/", params)
    assert response.status_code == 200
    return [entry["title"] for entry in json.loads(response.content)["suggestions"]]


def test_suggestions_are_public_titles_starting_with_the_text_first_at_most_eight(client, titles):
    found = _suggest(client, q="白崇禧")
    assert len(found) == 8
    assert all(title.startswith("白崇禧") for title in found)
    assert not any(CANARY in title for title in found)
    assert "关于白崇禧的报道" in _suggest(client, q="白崇禧的报道")
    assert _suggest(client, q="白崇禧", archive="suzhou") == ["白崇禧在苏州"]


def test_suggestions_never_include_hidden_items_and_bad_input_gives_nothing(client, titles):
    assert _suggest(client, q=CANARY) == []
    assert _suggest(client, q="") == []
    assert _suggest(client, q="   ") == []
    assert _suggest(client, q="x" * 5000) == []
    assert client.post("/search/suggestions/", {"q": "白"}).status_code == 405


def test_search_boxes_offer_suggestions_and_work_without_javascript(client, titles):
    html = client.get("/search/?q=白崇禧").content.decode()
    assert 'list="site-q-suggestions"' in html and '<datalist id="site-q-suggestions">' in html
    assert 'data-suggest="/search/suggestions/"' in html
    assert '<form class="search" action="/search/" method="get"' in html
    assert "MG-100" in html  # the plain GET form still finds the item


@pytest.fixture
def item(make_description):
    from archivox.catalog import services
    from tests.portal.test_catalog_pages import jpeg

    fonds = make_description("B0001", "民国建筑档案", level="fonds")
    mansion = make_description(
        "B0001-001-0012", "白崇禧公馆", parent=fonds, date_expression="1946年"
    )
    image = services.digital_object_add(actor=None, description=mansion, content=jpeg())
    restricted = make_description(
        "B0001-002", "颐和路公馆区", parent=fonds, access_level="restricted"
    )
    return {"open": mansion, "image": image, "restricted": restricted}


def test_description_offers_ask_and_book_links_citation_and_a_zoomable_image(client, item):
    html = client.get("/archives/nanjing/catalog/B0001-001-0012/").content.decode()
    assert 'href="/archives/nanjing/ask/?item=B0001-001-0012"' in html
    assert 'href="/archives/nanjing/reservations/?item=B0001-001-0012"' in html
    assert "南京市档案馆藏，B0001-001-0012，《白崇禧公馆》，1946年。" in html
    assert "“白崇禧公馆”, 1946年, B0001-001-0012, Nanjing Archives." in html
    # The zoom reads the IIIF Image API (the largest size it hands out).
    assert f'data-zoom-src="/iiif/image/{item["image"].pk}/full/max/0/default.jpg"' in html
    assert '<script src="/static/exhibitions/zoom.js" defer></script>' in html
    assert 'class="zoom-overlay" hidden' in html
    assert f'content="http://testserver/objects/{item["image"].pk}/thumbnail/"' in html


def test_restricted_item_says_how_to_request_access_and_has_no_viewer(client, item):
    html = client.get("/archives/nanjing/catalog/B0001-002/").content.decode()
    assert "颐和路公馆区" in html
    assert "book a visit" in html.lower() or "预约" in html
    assert 'href="/archives/nanjing/reservations/?item=B0001-002"' in html
    assert 'href="/archives/nanjing/ask/?item=B0001-002"' in html
    assert "zoom.js" not in html and "/objects/" not in html


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
ASSET = re.compile(r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)="([^"]+)"', re.I)


def test_every_portal_page_has_share_metadata_no_inline_script_and_no_foreign_asset(
    client, item, archive_home, news
):
    pages = [
        "/",
        "/archives/nanjing/",
        "/search/?q=白崇禧",
        "/archives/nanjing/catalog/",
        "/archives/nanjing/catalog/B0001-001-0012/",
        "/archives/nanjing/catalog/B0001-002/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for prop in ("og:title", "og:description", "og:image", "og:url", "og:type"):
            assert f'<meta property="{prop}" content="' in html, (url, prop)
        assert not re.search(r'property="og:title" content=""', html), url
        assert not INLINE_SCRIPT.search(html), url
        assert not HANDLER.search(html), url
        for asset in ASSET.findall(html):
            assert asset.startswith("/") and not asset.startswith("//"), (url, asset)
        assert len(response.content) < 200_000, url


def test_archive_home_stays_a_few_queries(client, archive_home, django_assert_max_num_queries):
    core_services.platform_account_update(
        actor=None, archive=archive_home, platform="weibo", weibo_uid="1234567890"
    )
    with django_assert_max_num_queries(10):
        assert client.get("/archives/nanjing/").status_code == 200
