"""Staff move through the inbox with the keyboard: j/k to pick, o to open, r to answer."""

import pytest

from archivox.consultations import services
from archivox.core import services as core_services
from archivox.core.models import Role
from tests.browser.conftest import PageWatch
from tests.factories import ArchiveFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_the_inbox_answers_to_the_keyboard(chromium, live_server):
    nanjing = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    staff = UserFactory(username="li")
    core_services.membership_grant(actor=None, archive=nanjing, user=staff, role=Role.ARCHIVIST)
    for number in range(3):
        services.consultation_ask(
            archive=nanjing, name="读者", email=f"r{number}@example.cn", question=f"问题 {number}"
        )
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", "li")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Logged in first: going on at once aborted the login's redirect to the console (CI saw it
    # as a failed request).
    page.wait_for_url(f"{live_server.url}/console/")
    page.goto(f"{live_server.url}/console/inbox/", wait_until="networkidle")

    page.keyboard.press("j")
    page.keyboard.press("j")
    selected = page.locator("table.inbox tr.selected")
    assert selected.count() == 1
    target = selected.get_attribute("data-href")
    page.keyboard.press("o")
    page.wait_for_url(f"**{target}")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == "text"
    page.keyboard.type("x")  # typing in the answer box is not taken as a shortcut
    assert page.url.endswith(target)
    page.locator("textarea[name=text]").evaluate("el => el.blur()")
    page.keyboard.press("u")
    page.wait_for_url("**/console/inbox/")
    watch.assert_clean()
    context.close()
