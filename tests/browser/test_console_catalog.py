"""An archivist at a desk (and on a phone) works in the console's catalog, in a real browser."""

import io

import pytest
from PIL import Image

from archivox.catalog import services
from archivox.catalog.models import Access, Description, DigitalObject
from archivox.core import services as core_services
from archivox.core.models import Role
from tests.browser.conftest import PageWatch, assert_fits_phone, screenshot
from tests.factories import ArchiveFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def catalog(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    nanjing = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    archivist = UserFactory(username="wang")
    core_services.membership_grant(actor=None, archive=nanjing, user=archivist, role=Role.ARCHIVIST)
    fonds = services.description_create(
        actor=None, archive=nanjing, reference_code="MG", title="民国建筑档案", level="fonds"
    )
    series = services.description_create(
        actor=None,
        archive=nanjing,
        parent=fonds,
        reference_code="MG-S1",
        title="公馆",
        level="series",
    )
    item = services.description_create(
        actor=None,
        archive=nanjing,
        parent=series,
        reference_code="MG-S1-001",
        title="白崇禧公馆",
        level="item",
        scope_content="位于南京市秦淮区大悲巷雍园1号。",
    )
    return {"archive": nanjing, "archivist": archivist, "item": item}


@pytest.fixture
def laptop(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    page = context.new_page()
    page.watch = PageWatch(page, live_server.url)
    yield page
    context.close()


def _arrive(page, url_pattern: str) -> None:
    """Wait for the page and its late requests (the favicon), so leaving it quickly does not
    abort them and count as failed requests."""
    page.wait_for_url(url_pattern)
    page.wait_for_load_state("networkidle")


def _log_in(page, live_server, username="wang"):
    page.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    _arrive(page, f"{live_server.url}/console/")


def test_an_archivist_browses_the_tree_closes_an_item_and_uploads_an_image(
    laptop, live_server, catalog, tmp_path
):
    item = catalog["item"]
    public_url = f"{live_server.url}/archives/nanjing/catalog/MG-S1-001/"
    assert laptop.goto(public_url, wait_until="networkidle").status == 200

    _log_in(laptop, live_server)
    screenshot(laptop, "console-dashboard")
    laptop.click("ul.archive-cards a[href='/console/catalog/nanjing/']")
    _arrive(laptop, "**/console/catalog/nanjing/")

    # Expand fonds → series in place (the tree loads one level at a time).
    fonds_toggle = laptop.locator("li.node button.toggle").first
    fonds_toggle.click()
    series_toggle = laptop.locator("li.node li.node button.toggle").first
    series_toggle.wait_for()
    assert fonds_toggle.get_attribute("aria-expanded") == "true"
    series_toggle.click()
    link = laptop.locator("a:has-text('白崇禧公馆')")
    link.wait_for()
    screenshot(laptop, "console-catalog-tree")
    link.click()
    _arrive(laptop, f"**/console/catalog/nanjing/d/{item.pk}/")

    # Edit: the access level comes first; make the item confidential.
    laptop.click("a.button[href$='/edit/']")
    _arrive(laptop, "**/edit/")
    first_group = laptop.locator("fieldset.group").first
    assert "access_level" in first_group.inner_html()
    laptop.check("input[name=access_level][value=confidential]")
    screenshot(laptop, "console-description-edit")
    laptop.click("form.description-form button[type=submit]")
    _arrive(laptop, f"**/console/catalog/nanjing/d/{item.pk}/")
    assert "access-confidential" in laptop.locator("section.access-panel").get_attribute("class")
    item.refresh_from_db()
    assert item.effective_access == Access.CONFIDENTIAL

    # A file that is not an image is refused next to the field; a real image is accepted.
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"not really a jpeg")
    laptop.set_input_files("#id_file", str(fake))
    laptop.click("#upload button[type=submit]")
    error = laptop.locator("#upload .errorlist")
    error.wait_for()
    laptop.wait_for_load_state("networkidle")
    assert "not a supported image" in error.inner_text()
    real = tmp_path / "gate.jpg"
    Image.new("RGB", (1200, 900), (150, 110, 80)).save(real, "JPEG")
    laptop.set_input_files("#id_file", str(real))
    laptop.fill("#id_caption", "公馆正门")
    laptop.click("#upload button[type=submit]")
    thumbnail = laptop.locator("#objects ul.gallery img")
    thumbnail.wait_for()
    laptop.wait_for_load_state("networkidle")
    laptop.wait_for_function(
        "() => document.querySelector('#objects ul.gallery img').naturalWidth > 0"
    )
    assert DigitalObject.objects.filter(description=item).count() == 1
    screenshot(laptop, "console-description-with-image")
    laptop.watch.assert_clean()

    # The public no longer finds the item at all.
    response = laptop.goto(public_url, wait_until="networkidle")
    assert response.status == 404
    assert Description.objects.get(pk=item.pk).access_level == Access.CONFIDENTIAL


def test_the_console_catalog_fits_a_phone(phone, live_server, catalog):
    _log_in(phone, live_server)
    assert_fits_phone(phone)
    phone.goto(f"{live_server.url}/console/catalog/nanjing/", wait_until="networkidle")
    phone.locator("li.node button.toggle").first.click()
    phone.locator("li.node li.node").first.wait_for()
    assert_fits_phone(phone)
    screenshot(phone, "console-catalog-tree-phone")
    phone.goto(
        f"{live_server.url}/console/catalog/nanjing/d/{catalog['item'].pk}/edit/",
        wait_until="networkidle",
    )
    assert_fits_phone(phone)
    screenshot(phone, "console-description-edit-phone")
    phone.watch.assert_clean()


def test_an_image_that_is_too_big_is_refused_with_the_limit(
    laptop, live_server, catalog, settings, tmp_path
):
    settings.MAX_UPLOAD_BYTES = 1024
    _log_in(laptop, live_server)
    laptop.goto(
        f"{live_server.url}/console/catalog/nanjing/d/{catalog['item'].pk}/",
        wait_until="networkidle",
    )
    big = tmp_path / "big.png"
    out = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(out, "PNG")
    big.write_bytes(out.getvalue())
    laptop.set_input_files("#id_file", str(big))
    laptop.click("#upload button[type=submit]")
    laptop.locator("#upload .errorlist").wait_for()
    assert "the limit is" in laptop.locator("#upload .errorlist").inner_text()
    assert not DigitalObject.objects.exists()


def test_an_administrators_pages_work_on_a_phone(phone, live_server, catalog, tmp_path):
    administrator = UserFactory(username="zhao")
    core_services.membership_grant(
        actor=None, archive=catalog["archive"], user=administrator, role=Role.ADMINISTRATOR
    )
    _log_in(phone, live_server, "zhao")
    screenshot(phone, "console-dashboard-phone")

    phone.goto(f"{live_server.url}/console/archives/nanjing/accounts/", wait_until="networkidle")
    phone.fill("#id_wechat-appid", "wx0123456789")
    phone.fill("#id_wechat-app_secret", "app-secret-9f3c")
    phone.click("#wechat button[type=submit]")
    phone.locator("ul.messages").wait_for()
    phone.wait_for_load_state("networkidle")
    assert "app-secret-9f3c" not in phone.content()
    assert "3c" in phone.locator("#id_wechat-app_secret_helptext").inner_text()
    assert_fits_phone(phone)
    screenshot(phone, "console-accounts-phone")

    phone.goto(f"{live_server.url}/console/archives/nanjing/members/", wait_until="networkidle")
    phone.fill("#id_new-username", "li")
    phone.select_option("#id_new-role", "reviewer")
    phone.click("form:has(#id_new-username) button[type=submit]")
    phone.locator("code.password").wait_for()
    phone.wait_for_load_state("networkidle")
    assert len(phone.locator("code.password").inner_text()) >= 12
    assert_fits_phone(phone)
    screenshot(phone, "console-members-phone")

    bad = tmp_path / "bad.csv"
    bad.write_text("reference_code,level,title\nX,fonds,\n", encoding="utf-8")
    phone.goto(f"{live_server.url}/console/catalog/nanjing/import/", wait_until="networkidle")
    phone.set_input_files("#id_file", str(bad))
    phone.click("main form button[type=submit]")
    phone.locator("table.problems").wait_for()
    phone.wait_for_load_state("networkidle")
    assert "row 2" in phone.locator("table.problems").inner_text()
    assert_fits_phone(phone)
    screenshot(phone, "console-import-report-phone")

    phone.goto(
        f"{live_server.url}/console/audit/?action=platform_account.", wait_until="networkidle"
    )
    assert phone.locator("table.audit tbody tr").count() == 1
    assert_fits_phone(phone)
    screenshot(phone, "console-audit-phone")
    phone.watch.assert_clean()
