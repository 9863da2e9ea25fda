"""Issue 20's journey in Chromium: an editor builds a 3×5 menu with a link to reservations and a
click rule, a reviewer publishes it and the WeChat sandbox shows it; a follower (WeChat's user
agent, a service account) taps the link, is authorised silently, books a place, and finds the
confirmation and the reminder in the sandbox's message log."""

import datetime

import pytest

from archivox.consultations.models import AutoReplyRule
from archivox.core.models import PlatformAccount, Role
from archivox.core.services import membership_grant
from archivox.notifications.models import Notification, NotificationTemplate
from archivox.reservations import services as reservations
from archivox.reservations.models import Booking
from archivox.sandbox.wechat.models import Account, OAuthCode
from archivox.sandbox.wechat.services import (
    sandbox_follower_subscribe,
    sandbox_wechat_account_ensure,
)
from archivox.sandbox.wechat.services.templates import sandbox_template_add
from archivox.service_hall.models import WeChatMenu
from tests.browser.conftest import PageWatch, assert_fits_phone, screenshot
from tests.catalog_fixtures import media_root, nanjing  # noqa: F401
from tests.factories import UserFactory
from tests.reservations.conftest import reading_room, slot, tomorrow  # noqa: F401
from tests.service_hall.test_share_cards import WECHAT_UA

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
OPENID = "oBrowserFollower000000000001"
VISIT_KEYS = ["thing1", "time2", "character_string3", "thing4"]


@pytest.fixture
def hall(live_server, settings, nanjing):  # noqa: F811
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    settings.WECHAT_OPEN = f"{live_server.url}/sandbox/wechat"
    settings.BASE_URL = live_server.url
    sandbox_wechat_account_ensure(nanjing)
    Account.objects.filter(archive_slug="nanjing").update(account_type=Account.Type.SERVICE)
    sandbox_wechat_account_ensure(nanjing)
    account = PlatformAccount.objects.get(archive=nanjing, platform="wechat")
    assert account.wechat_type == PlatformAccount.WeChatType.SERVICE
    AutoReplyRule.objects.create(
        archive=nanjing,
        name="馆藏检索帮助",
        match=AutoReplyRule.Match.CLICK,
        pattern="CATALOG_HELP",
        kind=AutoReplyRule.Kind.TEXT,
        text="发送人名或地名即可检索馆藏。",
    )
    sandbox_template_add(appid=account.appid, template_id="TPL-visit", keys=VISIT_KEYS)
    for purpose in ("reservations.confirmation", "reservations.reminder"):
        NotificationTemplate.objects.create(
            archive=nanjing, purpose=purpose, template_id="TPL-visit"
        )
    sandbox_follower_subscribe(account.appid, OPENID)
    for username, role in (("hall-editor", Role.ARCHIVIST), ("hall-reviewer", Role.REVIEWER)):
        membership_grant(
            actor=None, archive=nanjing, user=UserFactory(username=username), role=role
        )
    return account


def _context(chromium, live_server, **options):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        **options,
    )
    page = context.new_page()
    page.watch = PageWatch(page, live_server.url)
    return context, page


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")


def _build_menu(page) -> None:
    """Three buttons; the first opens five sub-buttons (reservations, the click rule, …)."""
    page.fill("input[name=b0_name]", "服务")
    page.locator("fieldset.menu-button").first.locator("details summary").click()
    subs = [
        ("预约阅览", "view:reservations"),
        ("检索帮助", "click:CATALOG_HELP"),
        ("馆藏检索", "view:search"),
        ("展览活动", "view:exhibitions"),
        ("本馆首页", "view:archive"),
    ]
    for j, (name, action) in enumerate(subs):
        page.fill(f"input[name=b0_s{j}_name]", name)
        page.select_option(f"select[name=b0_s{j}_action]", action)
    page.fill("input[name=b1_name]", "检索")
    page.select_option("select[name=b1_action]", "view:search")
    page.fill("input[name=b2_name]", "咨询")
    page.select_option("select[name=b2_action]", "view:ask")


def test_a_menu_is_published_and_a_follower_books_through_it_and_is_told_in_wechat(
    chromium,
    live_server,
    hall,
    slot,  # noqa: F811
):
    menu_url = f"{live_server.url}/console/service-hall/nanjing/menu/"
    editor_context, editor = _context(chromium, live_server)
    _log_in(editor, live_server, "hall-editor")
    editor.goto(menu_url, wait_until="networkidle")
    _build_menu(editor)
    # The editor, its 3×5 rows and phone preview, fits a 360px phone without sideways scroll.
    assert_fits_phone(editor)
    screenshot(editor, "service-hall-menu-editor-360")
    editor.click("button[name=action][value=submit]")
    editor.wait_for_load_state("networkidle")
    menu = WeChatMenu.objects.get()
    assert menu.status == WeChatMenu.Status.IN_REVIEW
    assert [len(item["subs"]) for item in menu.items] == [5, 0, 0]
    screenshot(editor, "service-hall-menu-submitted")
    editor.watch.assert_clean()
    editor_context.close()

    reviewer_context, reviewer = _context(chromium, live_server)
    _log_in(reviewer, live_server, "hall-reviewer")
    reviewer.goto(menu_url, wait_until="networkidle")
    reviewer.click("button[name=action][value=publish]")
    reviewer.wait_for_load_state("networkidle")
    menu.refresh_from_db()
    assert menu.status == WeChatMenu.Status.PUBLISHED and menu.live_matches is True
    reviewer.goto(f"{live_server.url}/sandbox/wechat/_menu/{hall.appid}/")
    shown = reviewer.locator("#sandbox-menu").inner_text()
    for name in ("服务", "预约阅览", "检索帮助", "CATALOG_HELP", "检索", "咨询"):
        assert name in shown
    reviewer.watch.assert_clean()
    reviewer_context.close()

    # The follower, in WeChat's browser, opens the menu and taps the reservations link.
    context, follower = _context(chromium, live_server, user_agent=WECHAT_UA)
    context.add_cookies(
        [{"name": "sandbox_wechat_openid", "value": OPENID, "url": live_server.url}]
    )
    follower.goto(f"{live_server.url}/sandbox/wechat/_menu/{hall.appid}/")
    follower.click("#sandbox-menu a:text('预约阅览')")
    follower.wait_for_url("**/archives/nanjing/reservations/?wx=**")
    assert OAuthCode.objects.get().used_at is not None  # authorised silently, code spent
    assert OPENID not in follower.content()
    follower.click("text=查档阅览室")
    follower.wait_for_url("**/reservations/reading-room/**")
    day = follower.locator("section.day", has_text=slot.starts_at.date().isoformat())
    day.locator("a.slot").first.click()
    follower.wait_for_url("**/book/**")
    follower.fill("#name", "微信读者")
    follower.fill("#contact", "13800001234")
    follower.click("button.primary")
    code = follower.locator("#confirmation-code").inner_text().strip()
    booking = Booking.objects.get()
    assert code == booking.code_display
    assert booking.channel == Booking.Channel.WECHAT and booking.openid == OPENID
    assert_fits_phone(follower)
    screenshot(follower, "service-hall-booked-in-wechat")

    # The reminder, by the reminders' own service, the day before the visit.
    reservations.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=20))
    follower.goto(f"{live_server.url}/sandbox/wechat/_messages/{hall.appid}/")
    log = follower.locator("#sandbox-messages li[data-kind=template]")
    assert log.count() == 2
    assert booking.code_display in log.nth(0).inner_text()
    assert booking.code_display in log.nth(1).inner_text()
    assert [(n.purpose, n.channel) for n in Notification.objects.order_by("pk")] == [
        ("reservations.confirmation", "template"),
        ("reservations.reminder", "template"),
    ]
    screenshot(follower, "service-hall-message-log")
    follower.watch.assert_clean()
    context.close()


def test_the_notification_templates_page_fits_a_phone_and_keeps_what_was_typed(
    chromium,
    live_server,
    hall,
):
    membership_grant(
        actor=None,
        archive=hall.archive,
        user=UserFactory(username="hall-admin"),
        role=Role.ADMINISTRATOR,
    )
    context, page = _context(chromium, live_server)
    _log_in(page, live_server, "hall-admin")
    page.goto(
        f"{live_server.url}/console/service-hall/nanjing/templates/", wait_until="networkidle"
    )
    assert "通知模板" in page.locator("h1").inner_text()
    assert "长度上限" in page.content()
    reminder = "input[name='template_id:reservations.reminder']"
    page.fill(reminder, "坏的 id")
    page.select_option("select[name='kind:reservations.reminder']", "subscribe")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.input_value(reminder) == "坏的 id"
    assert page.locator("p.error").count() == 1
    # The refused form answers 400, which Chromium logs as an error: that one is expected.
    assert len(page.watch.console_errors) == 1 and "400" in page.watch.console_errors[0]
    page.watch.console_errors.clear()
    assert_fits_phone(page)
    screenshot(page, "service-hall-templates-360")
    page.fill(reminder, "TPL-visit")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    saved = NotificationTemplate.objects.get(purpose="reservations.reminder")
    assert (saved.template_id, saved.kind) == ("TPL-visit", "subscribe")
    page.watch.assert_clean()
    context.close()
