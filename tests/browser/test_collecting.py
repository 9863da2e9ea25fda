"""On a phone (360 px): a person offers three family photos to Nanjing's collecting campaign;
an archivist, also on a phone, accepts them and makes them draft descriptions with objects."""

import pytest

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Access, DigitalObject
from archivox.collecting.demo import demo_collecting_load
from archivox.collecting.models import Offer
from archivox.core import services as core_services
from archivox.core.models import Role
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.collecting.conftest import photo
from tests.factories import ArchiveFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def nanjing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    archivist = UserFactory(username="wang")
    core_services.membership_grant(actor=None, archive=archive, user=archivist, role=Role.ARCHIVIST)
    demo_collecting_load()
    return archive


def _arrive(page, pattern: str) -> None:
    page.wait_for_url(pattern)
    page.wait_for_load_state("networkidle")


def test_three_family_photos_offered_on_a_phone_become_draft_descriptions(
    phone, live_server, nanjing, tmp_path
):
    photos = []
    for number, colour in enumerate(("sienna", "olive", "slategray"), start=1):
        path = tmp_path / f"全家福{number}.jpg"
        path.write_bytes(photo(colour))
        photos.append(str(path))

    phone.goto(f"{live_server.url}/archives/nanjing/collecting/", wait_until="networkidle")
    assert_fits_phone(phone)
    phone.click("text=南京老照片·家庭记忆征集")
    _arrive(phone, "**/collecting/family-photos/")
    assert "捐赠或寄存条件" in phone.content()
    assert_fits_phone(phone)
    phone.fill("#title", "新街口全家福三张")
    phone.set_input_files("#files", photos)
    phone.fill("#story", "祖父母和父亲在新街口照相馆的合影，约1956年。")
    phone.fill("#date_expression", "约1956年")
    phone.fill("#place", "南京新街口")
    phone.fill("#name", "李秀英")
    phone.fill("#contact", "13912345678")
    phone.check("#credit")
    phone.fill("#credit_name", "李家后人")
    phone.check("#consent")
    phone.click("button.primary")
    _arrive(phone, "**/collecting/offers/**")
    assert "等待审核" in phone.locator("#offer-status").inner_text()
    assert_fits_phone(phone)
    screenshot(phone, "collecting-offered")
    tracking = phone.url
    offer = Offer.objects.get()
    assert offer.files.count() == 3 and offer.credit_name == "李家后人"

    # The archivist, on a phone too.
    phone.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    phone.fill("#id_username", "wang")
    phone.fill("#id_password", PASSWORD)
    phone.click("main button[type=submit]")
    _arrive(phone, f"{live_server.url}/console/")
    phone.goto(f"{live_server.url}/console/collecting/nanjing/", wait_until="networkidle")
    phone.click("text=新街口全家福三张")
    _arrive(phone, f"**/console/collecting/nanjing/offers/{offer.pk}/")
    assert phone.locator(".offered-files img").count() == 3
    phone.fill("#message", "感谢您的捐赠，我们会妥善保管。")
    phone.click("button[value=accept]")
    _arrive(phone, f"**/console/collecting/nanjing/offers/{offer.pk}/")
    assert phone.locator("#deed").count() == 1
    assert phone.input_value("#access_level") == Access.CONFIDENTIAL
    assert_fits_phone(phone)
    screenshot(phone, "collecting-accepted")
    phone.click("form[action$='/accession/'] button.primary")
    _arrive(phone, "**/console/catalog/nanjing/d/**")
    assert "新街口全家福三张" in phone.content()
    screenshot(phone, "collecting-accessioned")

    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCESSIONED
    items = [f.description for f in offer.files.select_related("description")]
    assert len(items) == 3 and all(item.access_level == Access.CONFIDENTIAL for item in items)
    assert DigitalObject.objects.filter(description__in=items).count() == 3
    assert not catalog_selectors.description_list_public(archive=nanjing).exists()

    # The person's page tells them it entered the archive, with the archivist's words.
    phone.goto(tracking, wait_until="networkidle")
    assert "已进馆著录" in phone.locator("#offer-status").inner_text()
    assert "妥善保管" in phone.locator("#staff-message").inner_text()
    phone.watch.assert_clean()
