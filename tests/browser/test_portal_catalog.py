import io

import pytest
from PIL import Image

from archivox.catalog import services
from archivox.catalog.models import Access
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.factories import ArchiveFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mansion(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    nanjing = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    fonds = services.description_create(
        actor=None, archive=nanjing, reference_code="MG", title="民国建筑档案", level="fonds"
    )
    item = services.description_create(
        actor=None,
        archive=nanjing,
        parent=fonds,
        reference_code="MG-001",
        title="白崇禧公馆",
        title_en="Bai Chongxi Mansion",
        level="item",
        date_expression="1946年",
        scope_content="位于南京市秦淮区大悲巷雍园1号，是一处保存完好的民国时期独立式花园住宅。" * 3,
    )
    services.description_create(
        actor=None,
        archive=nanjing,
        parent=fonds,
        reference_code="MG-999",
        title="白崇禧 密件",
        level="item",
        access_level=Access.CONFIDENTIAL,
    )
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (160, 120, 90)).save(out, "JPEG")
    services.digital_object_add(
        actor=None, description=item, content=out.getvalue(), caption="公馆正门"
    )
    return item


def test_a_visitor_on_a_phone_searches_opens_the_item_and_sees_its_image(
    phone, live_server, mansion
):
    phone.goto(f"{live_server.url}/")
    phone.fill("#site-q", "白崇禧")
    phone.click("header form.search button")
    phone.wait_for_url("**/search/**")
    assert phone.locator("ol.results li").count() == 1
    assert phone.locator("ol.results mark").first.inner_text() == "白崇禧"
    assert "密件" not in phone.content()
    assert_fits_phone(phone)
    screenshot(phone, "portal-search")

    phone.click("ol.results a")
    phone.wait_for_url("**/catalog/MG-001/")
    assert phone.locator("h1").inner_text() == "白崇禧公馆"
    image = phone.locator("ul.gallery img")
    image.scroll_into_view_if_needed()
    phone.wait_for_function("() => document.querySelector('ul.gallery img').naturalWidth > 0")
    assert phone.locator("nav.breadcrumbs a").nth(1).inner_text() == "民国建筑档案"
    assert_fits_phone(phone)
    screenshot(phone, "portal-description")
    phone.watch.assert_clean()


def test_tap_targets_are_at_least_44px(phone, live_server, mansion):
    phone.goto(f"{live_server.url}/search/?q=公馆")
    small = phone.evaluate(
        """() => [...document.querySelectorAll('a, button, input, select')]
            .filter(e => e.offsetParent !== null && e.type !== 'hidden')
            .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    # Links inside running text are exempt (WCAG 2.5.8 inline exception); controls are not.
    controls = [entry for entry in small if not entry[0].startswith("<a")]
    assert not controls, controls
    phone.watch.assert_clean()
