"""On a phone (360 px): an archivist records and publishes a current document; a visitor finds
it with the Chinese search and in the feed; the archivist marks it repealed and the visitor's
page and the feed say so."""

import feedparser
import httpx
import pytest

from archivox.core import services as core_services
from archivox.core.models import Role
from archivox.current_documents.models import CurrentDocument, Validity
from archivox.publishing.models import Post
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.factories import ArchiveFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def nanjing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    archivist = UserFactory(username="wang")
    core_services.membership_grant(actor=None, archive=archive, user=archivist, role=Role.ARCHIVIST)
    return archive


def _arrive(page, pattern: str) -> None:
    page.wait_for_url(pattern)
    page.wait_for_load_state("networkidle")


def _feed_titles(live_server) -> list[str]:
    atom = httpx.get(f"{live_server.url}/archives/nanjing/current-documents/atom.xml")
    return [entry.title for entry in feedparser.parse(atom.content).entries]


def test_a_current_document_is_published_found_and_repealed(phone, live_server, nanjing):
    phone.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    phone.fill("#id_username", "wang")
    phone.fill("#id_password", PASSWORD)
    phone.click("main button[type=submit]")
    _arrive(phone, f"{live_server.url}/console/")
    phone.goto(f"{live_server.url}/console/current-documents/nanjing/", wait_until="networkidle")
    phone.fill("#id_issuer", "南京市人民政府办公厅")
    phone.fill("#id_doc_number", "宁政办发〔2026〕12号")
    phone.fill("#id_issued_on", "2026-03-01")
    phone.fill("#id_title", "关于老旧小区加装电梯的实施意见")
    phone.fill("#id_subject", "城乡建设")
    phone.fill("#id_full_text", "市财政对每台加装的电梯给予二十万元补贴。")
    phone.click("form.stacked button.primary")
    _arrive(phone, "**/console/current-documents/nanjing/*/")
    assert_fits_phone(phone)
    phone.click("#publish")
    _arrive(phone, "**/console/current-documents/nanjing/*/")
    document = CurrentDocument.objects.get()
    assert document.status == "published"
    assert Post.objects.get().status == Post.Status.SUBMITTED  # the announcement, for review
    screenshot(phone, "current-document-published")

    visitor = phone.context.browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN"
    ).new_page()
    visitor.goto(f"{live_server.url}/archives/nanjing/current-documents/", wait_until="networkidle")
    visitor.fill("#q", "电梯补贴")
    visitor.click("form.search-documents button[type=submit]")
    visitor.wait_for_load_state("networkidle")
    visitor.click("ul.documents a")
    _arrive(visitor, f"**/current-documents/{document.pk}/")
    assert "现行有效" in visitor.locator("#validity").inner_text()
    assert_fits_phone(visitor)
    assert _feed_titles(live_server) == ["关于老旧小区加装电梯的实施意见（宁政办发〔2026〕12号）"]

    phone.fill("#id_by_number", "宁政发〔2026〕50号")
    phone.fill("#id_note", "已被新规定替代。")
    phone.click("#repeal")
    _arrive(phone, "**/console/current-documents/nanjing/*/")
    document.refresh_from_db()
    assert document.validity == Validity.REPEALED

    visitor.reload(wait_until="networkidle")
    assert "已废止" in visitor.locator("#validity").inner_text()
    assert "宁政发〔2026〕50号" in visitor.locator("ol.history").inner_text()
    screenshot(visitor, "current-document-repealed")
    # The feed's language follows the reader's; the test server's default here is English.
    assert _feed_titles(live_server)[0].startswith(("[已废止]", "[repealed]"))
    visitor.context.close()
    phone.watch.assert_clean()
