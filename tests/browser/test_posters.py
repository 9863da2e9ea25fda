"""On a phone (360 px): an archivist makes an A3 poster for the exhibition and downloads it; the
QR code read from the PDF by a QR library opens the exhibition page, and the poster counts it."""

import pypdfium2
import pytest
import zxingcpp

from archivox.promotion.models import Poster, PosterVisit
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.promotion.conftest import exhibition  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def _arrive(page, pattern: str) -> None:
    page.wait_for_url(pattern)
    page.wait_for_load_state("networkidle")


def test_an_a3_posters_qr_code_opens_the_exhibition(
    phone,
    live_server,
    exhibition,  # noqa: F811
    tmp_path,
):
    phone.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    phone.fill("#id_username", "wang")
    phone.fill("#id_password", PASSWORD)
    phone.click("main button[type=submit]")
    _arrive(phone, f"{live_server.url}/console/")
    phone.goto(f"{live_server.url}/console/promotion/nanjing/posters/", wait_until="networkidle")
    phone.fill("#id_title", "金陵民国建筑档案展")
    phone.fill("#id_subtitle", "从总统府到颐和路公馆")
    phone.fill("#id_dates", "2026年12月1日至2027年3月31日")
    phone.select_option("#id_target_path", exhibition["path"])
    phone.select_option("#id_image_id", str(exhibition["image"].pk))
    phone.select_option("#id_size", "a3")
    phone.fill("#id_name", "新街口公交站")
    phone.click("form.stacked button.primary")
    _arrive(phone, "**/console/promotion/nanjing/posters/*/")
    assert_fits_phone(phone)
    screenshot(phone, "poster-made")
    poster = Poster.objects.get()

    with phone.expect_download() as download_info:
        phone.click("a.download[data-size=a3][data-orientation=portrait]")
    path = tmp_path / "poster.pdf"
    download_info.value.save_as(path)
    # Chromium reports a link that turns into a download as an aborted request: not a failure.
    phone.watch.failed = [url for url in phone.watch.failed if "/pdf/?size=a3" not in url]
    picture = pypdfium2.PdfDocument(str(path))[0].render(scale=150 / 72).to_pil()
    [code] = zxingcpp.read_barcodes(picture)
    assert code.text.endswith(f"/p/{poster.code}")

    visitor = phone.context.browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN"
    ).new_page()
    # The QR code names the site's public address; the test server listens elsewhere.
    visitor.goto(f"{live_server.url}/p/{code.text.rsplit('/p/', 1)[1]}", wait_until="networkidle")
    assert visitor.url.endswith(exhibition["path"])
    assert "金陵民国建筑档案展" in visitor.content()
    visitor.context.close()
    assert PosterVisit.objects.get(poster=poster).count == 1
    phone.reload(wait_until="networkidle")
    assert phone.locator("#visits").inner_text() == "1"
    phone.watch.assert_clean()
