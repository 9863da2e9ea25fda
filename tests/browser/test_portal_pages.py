"""On a phone (360 px, Chromium): the portal's pages fit, load nothing from another host, log no
error, keep tap targets at 44 px and weigh under 200 KB before images; the search suggestions
and the image zoom work."""

import io

import pytest
from PIL import Image

from archivox.catalog import services as catalog
from archivox.catalog.models import Access
from archivox.core import services as core_services
from tests.browser.conftest import screenshot
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.portal.conftest import (  # noqa: F401
    make_event,
    make_exhibition,
    make_poll,
    make_topic,
    publish_post,
    staff,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MAX_BYTES = 200_000


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (160, 120, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def portal(
    nanjing,  # noqa: F811
    make_description,  # noqa: F811
    publish_post,  # noqa: F811
    make_exhibition,  # noqa: F811
    make_event,  # noqa: F811
    make_topic,  # noqa: F811
    make_poll,  # noqa: F811
):
    nanjing.address = "南京市玄武区北京东路41号"
    nanjing.opening_hours = "周一至周五 8:30–17:00（节假日除外）"
    nanjing.save()
    core_services.platform_account_update(
        actor=None,
        archive=nanjing,
        platform="wechat",
        name="南京档案",
        original_id="gh_0123456789ab",
    )
    core_services.platform_account_update(
        actor=None, archive=nanjing, platform="weibo", name="南京档案", weibo_uid="1234567890"
    )
    fonds = make_description("B0001", "民国建筑档案", level="fonds")
    item = make_description(
        "B0001-001-0012",
        "白崇禧公馆",
        parent=fonds,
        title_en="Bai Chongxi Mansion",
        date_expression="1946年",
        scope_content="位于南京市秦淮区大悲巷雍园1号，是一处保存完好的民国时期独立式花园住宅。" * 3,
    )
    for n in range(3):
        make_description(f"B0001-001-01{n}", f"白崇禧公馆照片之{n}", parent=fonds)
    make_description("B0001-999", "白崇禧 密件", parent=fonds, access_level=Access.CONFIDENTIAL)
    catalog.digital_object_add(actor=None, description=item, content=_jpeg(), caption="公馆正门")
    collection = catalog.collection_create(
        actor=None, archive=nanjing, slug="jinling", title="金陵特色历史档案", title_en="Jinling"
    )
    catalog.collection_set_entries(actor=None, collection=collection, descriptions=[item])
    publish_post(nanjing, "城墙里的南京：一幅明代城墙图的故事")
    make_exhibition(nanjing, "minguo", "金陵民国建筑")
    make_event(nanjing, "talk", "民国建筑档案里的南京")
    make_topic(nanjing, "南京城墙")
    make_poll(nanjing, "wish", "您最想看的馆藏")
    return nanjing


PAGES = {
    "home": "/",
    "archive": "/archives/nanjing/",
    "search": "/search/?q=白崇禧",
    "description": "/archives/nanjing/catalog/B0001-001-0012/",
    "collection": "/archives/nanjing/collections/jinling/",
}

SMALL_TARGETS = """() => [...document.querySelectorAll(
      'main a, main button, main input, main select, main summary, header a, header button')]
    .filter(e => e.offsetParent !== null && e.type !== 'hidden')
    // A link inside running text is exempt (WCAG 2.5.8 inline exception); nothing else is.
    .filter(e => !(e.tagName === 'A' && e.parentElement.tagName === 'P'
                   && e.parentElement.textContent.trim() !== e.textContent.trim()))
    .map(e => [e.outerHTML.slice(0, 80), Math.round(e.getBoundingClientRect().height)])
    .filter(([, h]) => h < 44)"""

PAGE_BYTES = """() => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const others = performance.getEntriesByType('resource')
      .filter(r => r.initiatorType !== 'img' && !/\\.(jpe?g|png|gif|webp|svg)(\\?|$)/.test(r.name));
    return navigation.decodedBodySize + others.reduce((sum, r) => sum + r.decodedBodySize, 0);
}"""


@pytest.mark.parametrize("name", PAGES)
def test_portal_page_fits_a_phone_and_loads_nothing_from_elsewhere(
    phone, live_server, portal, name
):
    response = phone.goto(f"{live_server.url}{PAGES[name]}")
    assert response.status == 200
    phone.wait_for_load_state("networkidle")
    # Lazy images below the fold: scroll through so they load (and any failure shows).
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    phone.wait_for_load_state("networkidle")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"{name} is {width}px wide"
    assert not phone.evaluate(SMALL_TARGETS), name
    assert phone.evaluate(PAGE_BYTES) < MAX_BYTES
    for prop in ("og:title", "og:description", "og:image"):
        assert phone.locator(f'meta[property="{prop}"]').first.get_attribute("content")
    screenshot(phone, f"portal-phone-{name}")
    phone.watch.assert_clean()


def test_archive_home_shows_news_visit_details_and_qr_codes(phone, live_server, portal):
    phone.goto(f"{live_server.url}/archives/nanjing/")
    assert phone.get_by_text("城墙里的南京：一幅明代城墙图的故事").is_visible()
    assert phone.get_by_text("金陵民国建筑").first.is_visible()
    assert phone.get_by_text("#南京城墙#").is_visible()
    assert phone.get_by_text("您最想看的馆藏").is_visible()
    for qr in phone.locator("ul.qr img").all():
        qr.scroll_into_view_if_needed()
    phone.wait_for_function(
        "() => [...document.querySelectorAll('ul.qr img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert phone.locator("ul.qr img").count() == 2
    phone.watch.assert_clean()


def test_typing_in_the_search_box_offers_suggestions(phone, live_server, portal):
    phone.goto(f"{live_server.url}/")
    phone.locator("#site-q").press_sequentially("白崇禧", delay=30)
    phone.wait_for_function(
        "() => document.querySelectorAll('#site-q-suggestions option').length > 0"
    )
    options = phone.eval_on_selector_all(
        "#site-q-suggestions option", "nodes => nodes.map(n => n.value)"
    )
    assert "白崇禧公馆" in options and len(options) <= 8
    assert not any("密件" in option for option in options)
    phone.watch.assert_clean()


def test_the_search_works_with_javascript_off(chromium, live_server, portal):
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/archives/nanjing/")
    page.fill("#site-q", "白崇禧")
    page.click("header form.search button")
    page.wait_for_url("**/search/**")
    assert page.locator("ol.results li").count() == 4
    assert "archive=nanjing" in page.url
    context.close()


def test_a_description_image_opens_in_the_zoom_viewer(phone, live_server, portal):
    phone.goto(f"{live_server.url}/archives/nanjing/catalog/B0001-001-0012/")
    assert (
        phone.locator(".citation").first.inner_text().startswith("南京市档案馆藏，B0001-001-0012")
    )
    link = phone.locator("ul.gallery a.zoomable")
    link.scroll_into_view_if_needed()
    link.click()
    overlay = phone.locator(".zoom-overlay")
    overlay.wait_for(state="visible")
    # From our IIIF Image API: first a size that fills a 360 px phone at twice its pixels
    # (the 1600 px scan has 400, 800 and 1600 px sizes), …
    phone.wait_for_function("() => document.querySelector('.zoom-image').naturalWidth === 800")
    src = phone.locator(".zoom-image").get_attribute("src")
    assert "/iiif/image/" in src and src.endswith("/full/800,600/0/default.jpg")
    phone.locator(".zoom-overlay[data-fitted]").wait_for()  # the viewer has fitted the image
    width_on_screen = phone.locator(".zoom-image").bounding_box()["width"]
    phone.click(".zoom-in")
    assert float(overlay.get_attribute("data-scale")) > 1
    # … and the largest once the visitor zooms in, at the same size on screen.
    phone.click(".zoom-in")
    phone.locator(".zoom-overlay[data-upgraded]").wait_for()
    assert phone.locator(".zoom-image").get_attribute("src").endswith("/full/max/0/default.jpg")
    assert phone.evaluate("document.querySelector('.zoom-image').naturalWidth") == 1600
    zoomed = phone.locator(".zoom-image").bounding_box()["width"]
    assert zoomed == pytest.approx(width_on_screen * 1.5 * 1.5, rel=0.02)
    screenshot(phone, "portal-description-zoom")
    phone.click(".zoom-close")
    overlay.wait_for(state="hidden")
    # The IIIF drag-and-drop link names a manifest a viewer can read.
    manifest_link = phone.locator("a.iiif-manifest")
    assert "IIIF" in manifest_link.inner_text()
    manifest_url = manifest_link.get_attribute("href").split("?")[0]
    manifest = phone.request.get(manifest_url).json()
    assert manifest["type"] == "Manifest"
    assert manifest["items"][0]["width"] == 1600
    phone.watch.assert_clean()
