"""On a phone: read an online exhibition and open an image in the zoom."""

import pytest

from archivox.catalog import services as catalog_services
from archivox.catalog.demo import placeholder_jpeg
from archivox.catalog.models import Access
from archivox.exhibitions import services
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.factories import ArchiveFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CANARY = "CANARY-browser-exhibition"


@pytest.fixture
def exhibition(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    nanjing = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    fonds = catalog_services.description_create(
        actor=None, archive=nanjing, reference_code="MG", title="民国建筑档案", level="fonds"
    )
    item = catalog_services.description_create(
        actor=None, archive=nanjing, parent=fonds, reference_code="MG-001",
        title="总统府历史照片", level="item", date_expression="1935年",
    )  # fmt: skip
    catalog_services.description_create(
        actor=None, archive=nanjing, parent=fonds, reference_code="MG-999",
        title=CANARY, level="item", access_level=Access.CONFIDENTIAL,
    )  # fmt: skip
    catalog_services.digital_object_add(
        actor=None,
        description=item,
        content=placeholder_jpeg(reference_code="MG-001", title="Palace", colour=(107, 29, 29)),
        original_name="MG-001.jpg",
        caption="总统府",
    )
    exhibition = services.exhibition_create(
        actor=None, archive=nanjing, slug="buildings", title="金陵民国建筑",
        summary="馆藏民国建筑档案线上展", introduction="<p>南京是民国时期的首都。</p>",
    )  # fmt: skip
    section = services.section_add(
        actor=None, exhibition=exhibition, title="首都气象", body="<p>1927年定都南京。</p>"
    )
    services.section_item_add(actor=None, section=section, reference_code="MG-001")
    services.exhibition_publish(actor=None, exhibition=exhibition)
    return exhibition


def test_a_visitor_reads_the_exhibition_and_zooms_into_an_image(phone, live_server, exhibition):
    phone.goto(f"{live_server.url}/archives/nanjing/exhibitions/")
    phone.click("text=金陵民国建筑")
    phone.wait_for_url("**/exhibitions/buildings/")
    assert phone.locator("section.story h2").inner_text() == "首都气象"
    assert CANARY not in phone.content()
    assert_fits_phone(phone)
    overlay = phone.locator(".zoom-overlay")
    assert overlay.is_hidden()
    phone.locator("a.zoomable").first.click()
    overlay.wait_for(state="visible")
    phone.wait_for_function(
        "() => document.querySelector('.zoom-image').naturalWidth > 0"
    )  # the full image loaded
    phone.locator(".zoom-overlay[data-fitted]").wait_for()  # and the viewer fitted it
    assert overlay.get_attribute("data-scale") == "1.00"
    phone.click(".zoom-in")
    assert float(overlay.get_attribute("data-scale")) > 1
    screenshot(phone, "exhibition-zoom")
    phone.click(".zoom-close")
    overlay.wait_for(state="hidden")
    assert_fits_phone(phone)
    phone.watch.assert_clean()
