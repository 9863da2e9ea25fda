"""On a phone (360 px): an archivist makes an A3 poster for the demo exhibition of `make run`
(with a picture of the demo catalog) and downloads it; the QR code, read from the PDF by a QR
library, is opened as it is by a visitor's phone: it leads to the exhibition page, and the
poster counts the visit."""

import pypdfium2
import pytest
import zxingcpp
from django.core.management import call_command

from archivox.core import services as core_services
from archivox.core.models import Archive, Role
from archivox.exhibitions.demo import EXHIBITION_SLUG
from archivox.promotion.models import Poster, PosterVisit
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
EXHIBITION = f"/archives/nanjing/exhibitions/{EXHIBITION_SLUG}/"


@pytest.fixture
def demo(settings, live_server, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The poster's QR code names the site's public address: here, the test server.
    settings.BASE_URL = live_server.url
    for command in ("load_paper_survey", "load_demo_catalog", "load_demo_engagement"):
        call_command(command, verbosity=0)
    core_services.membership_grant(
        actor=None,
        archive=Archive.objects.get(slug="nanjing"),
        user=UserFactory(username="wang"),
        role=Role.ARCHIVIST,
    )


def _arrive(page, pattern: str) -> None:
    page.wait_for_url(pattern)
    page.wait_for_load_state("networkidle")


def test_an_a3_posters_qr_code_opens_the_demo_exhibition(phone, live_server, demo, tmp_path):
    phone.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    phone.fill("#id_username", "wang")
    phone.fill("#id_password", PASSWORD)
    phone.click("main button[type=submit]")
    _arrive(phone, f"{live_server.url}/console/")
    phone.goto(f"{live_server.url}/console/promotion/nanjing/posters/", wait_until="networkidle")
    assert_fits_phone(phone)
    phone.fill("#id_title", "金陵民国建筑档案展")
    phone.fill("#id_subtitle", "从总统府到颐和路公馆")
    phone.fill("#id_dates", "2026年12月1日至2027年3月31日")
    phone.select_option("#id_target_path", EXHIBITION)
    # A picture from the demo catalog: the picker offers open pictures only.
    picture = phone.locator("#id_image_id option").nth(1).get_attribute("value")
    phone.select_option("#id_image_id", picture)
    phone.select_option("#id_size", "a3")
    phone.select_option("#id_orientation", "portrait")
    phone.fill("#id_name", "新街口公交站")
    phone.click("form.stacked button.primary")
    _arrive(phone, "**/console/promotion/nanjing/posters/*/")
    assert_fits_phone(phone)
    screenshot(phone, "poster-made")
    poster = Poster.objects.get()
    assert poster.image_id == int(picture) and poster.size == Poster.Size.A3

    with phone.expect_download() as download_info:
        phone.click("a.download[data-size=a3][data-orientation=portrait]")
    path = tmp_path / "poster.pdf"
    download_info.value.save_as(path)
    # Chromium reports a link that turns into a download as an aborted request: not a failure.
    phone.watch.failed = [url for url in phone.watch.failed if "/pdf/?size=a3" not in url]
    document = pypdfium2.PdfDocument(str(path))
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 420)  # A3, mm
    [code] = zxingcpp.read_barcodes(document[0].render(scale=150 / 72).to_pil())
    assert code.text == f"{live_server.url}/p/{poster.code}"

    # A visitor's phone opens what the QR code says, as it says it.
    visitor = phone.context.browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN"
    ).new_page()
    visitor.goto(code.text, wait_until="networkidle")
    assert visitor.url == f"{live_server.url}{EXHIBITION}"
    assert "金陵民国建筑档案展" in visitor.locator("h1").inner_text()
    assert_fits_phone(visitor)
    visitor.context.close()
    assert PosterVisit.objects.get(poster=poster).count == 1
    phone.reload(wait_until="networkidle")
    assert phone.locator("#visits").inner_text() == "1"
    phone.watch.assert_clean()
