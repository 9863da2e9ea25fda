"""The custom menu: the platform's rules checked before sending (with its errcodes), and the
console's draft → review → publish against the WeChat sandbox over real HTTP, fetched back and
compared, audited; the sandbox enforces the same rules and shows the menu."""

from __future__ import annotations

import httpx
import pytest

from archivox.consultations.models import AutoReplyRule
from archivox.core.models import AuditEntry, Membership, Role
from archivox.platforms.wechat.client.tickets import jsapi_ticket_memo_clear
from archivox.sandbox.wechat import services as sandbox
from archivox.sandbox.wechat.models import Menu
from archivox.service_hall import menu_rules
from archivox.service_hall.models import WeChatMenu
from tests.factories import ArchiveFactory, UserFactory

URL = "/console/service-hall/{slug}/menu/"


def codes(payload) -> list[int]:
    return [problem.errcode for problem in menu_rules.menu_problems(payload)]


def view(name, url="https://archive.example/r/"):
    return {"name": name, "type": "view", "url": url}


def test_the_platforms_limits_are_checked_in_bytes_with_its_errcodes():
    assert codes({"button": [view("预约")]}) == []
    assert codes({"button": []}) == [40016]
    assert codes({"button": [view("一"), view("二"), view("三"), view("四")]}) == [40016]
    assert codes({"button": [view("六个汉字名称")]}) == [40018]  # 18 bytes > 16
    assert codes({"button": [view("ABCDEFGHIJKLMNOP")]}) == []  # 16 bytes
    subs = [view(f"子{n}") for n in range(6)]
    assert codes({"button": [{"name": "服务", "sub_button": subs}]}) == [40023]
    assert codes({"button": [{"name": "服务", "sub_button": [view("长" * 21)]}]}) == [40025]
    assert codes({"button": [{"name": "查", "type": "click", "key": "K" * 129}]}) == [40019]
    assert codes({"button": [view("链", "https://a.example/" + "x" * 1010)]}) == [40020]
    assert codes({"button": [{"name": "服务", "sub_button": [view("链", "")]}]}) == [40027]
    assert codes({"button": [{"name": "无"}]}) == [40017]
    assert "(40018)" in menu_rules.errcode_text(40018)


@pytest.fixture
def sandbox_api(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    settings.BASE_URL = "https://archives.example"
    jsapi_ticket_memo_clear()
    return settings.WECHAT_API


@pytest.fixture
def archive(sandbox_api):
    archive = ArchiveFactory(slug="nanjing-menu", name_zh="南京市档案馆")
    sandbox.sandbox_wechat_account_ensure(archive)
    AutoReplyRule.objects.create(
        archive=archive,
        name="馆藏检索帮助",
        match=AutoReplyRule.Match.CLICK,
        pattern="CATALOG_HELP",
        kind=AutoReplyRule.Kind.TEXT,
        text="发送人名或地名即可检索馆藏。",
    )
    return archive


def member(archive, username, role):
    user = UserFactory(username=username)
    Membership.objects.create(user=user, archive=archive, role=role)
    return user


def full_menu() -> dict[str, str]:
    """3 buttons of 5 sub-buttons each: reservations, a click rule and the other pages."""
    actions = [
        "view:reservations",
        "click:CATALOG_HELP",
        "view:search",
        "view:archive",
        "view:exhibitions",
    ]
    form = {}
    for i, top in enumerate(["预约", "查档", "服务"]):
        form[f"b{i}_name"] = top
        for j, action in enumerate(actions):
            form[f"b{i}_s{j}_name"] = f"{top}{j + 1}"
            form[f"b{i}_s{j}_action"] = action
    return form


@pytest.mark.django_db(transaction=True)
def test_an_editor_builds_a_menu_a_reviewer_publishes_it_and_the_sandbox_shows_it(
    client, archive, sandbox_api
):
    editor = member(archive, "wang", Role.ARCHIVIST)
    reviewer = member(archive, "li", Role.REVIEWER)
    client.force_login(editor)
    page = client.get(URL.format(slug=archive.slug))
    assert page.status_code == 200
    assert 'value="click:CATALOG_HELP"' in page.content.decode()
    response = client.post(URL.format(slug=archive.slug), {**full_menu(), "action": "submit"})
    assert response.status_code == 302
    menu = WeChatMenu.objects.get()
    assert menu.status == WeChatMenu.Status.IN_REVIEW
    assert len(menu.items) == 3 and all(len(item["subs"]) == 5 for item in menu.items)
    # The author cannot publish it.
    client.post(URL.format(slug=archive.slug), {"action": "publish"})
    menu.refresh_from_db()
    assert menu.status == WeChatMenu.Status.IN_REVIEW
    assert not Menu.objects.exists()

    client.force_login(reviewer)
    page = client.get(URL.format(slug=archive.slug)).content.decode()
    assert 'value="publish"' in page
    client.post(URL.format(slug=archive.slug), {"action": "publish"})
    menu.refresh_from_db()
    assert menu.status == WeChatMenu.Status.PUBLISHED
    assert menu.live_matches is True
    live = Menu.objects.get().button
    assert live[0]["sub_button"][0] == {
        "name": "预约1",
        "type": "view",
        "url": f"https://archives.example/archives/{archive.slug}/reservations/",
    }
    assert live[1]["sub_button"][1] == {"name": "查档2", "type": "click", "key": "CATALOG_HELP"}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"wechat_menu.save", "wechat_menu.submit", "wechat_menu.publish"} <= actions

    appid = archive.platform_accounts.get().appid
    shown = httpx.get(f"{sandbox_api}/_menu/{appid}/").text
    assert "预约1" in shown and "CATALOG_HELP" in shown
    # Fetched again and compared: still the same.
    client.post(URL.format(slug=archive.slug), {"action": "check"})
    menu.refresh_from_db()
    assert menu.live_matches is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.chinese
def test_a_name_too_long_is_refused_in_chinese_with_the_code_and_keeps_what_was_typed(
    client, archive
):
    client.force_login(member(archive, "wang", Role.ARCHIVIST))
    form = {**full_menu(), "b0_name": "阅览室预约", "b1_name": "六个汉字名称", "action": "save"}
    page = client.post(URL.format(slug=archive.slug), form, follow=True).content.decode()
    assert "40018" in page
    assert "一级菜单名称" in page
    assert 'value="六个汉字名称"' in page and 'value="阅览室预约"' in page
    assert not WeChatMenu.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_action_not_on_offer_is_refused(client, archive):
    client.force_login(member(archive, "wang", Role.ARCHIVIST))
    form = {"b0_name": "外链", "b0_action": "view:https://evil.example/", "action": "save"}
    page = client.post(URL.format(slug=archive.slug), form, follow=True).content.decode()
    assert "not on offer" in page
    assert not WeChatMenu.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refusal_by_the_platform_keeps_the_menu_in_review_and_says_why(client, archive):
    client.force_login(member(archive, "wang", Role.ARCHIVIST))
    client.post(URL.format(slug=archive.slug), {**full_menu(), "action": "submit"})
    appid = archive.platform_accounts.get().appid
    sandbox.sandbox_quota_use(appid=appid, api="menu/create", count=1000)
    client.force_login(member(archive, "li", Role.REVIEWER))
    page = client.post(URL.format(slug=archive.slug), {"action": "publish"}, follow=True)
    assert "(45009)" in page.content.decode()
    menu = WeChatMenu.objects.get()
    assert menu.status == WeChatMenu.Status.IN_REVIEW
    assert "45009" in menu.error
    assert not Menu.objects.exists()
    # The reviewer returns it with a note; the author sees it as a draft again.
    client.post(URL.format(slug=archive.slug), {"action": "return", "note": "换个名字"})
    menu.refresh_from_db()
    assert menu.status == WeChatMenu.Status.DRAFT and menu.review_note == "换个名字"


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_enforces_the_same_rules_and_deletes(archive, sandbox_api):
    from archivox.platforms.wechat.client import WeChatApiError, client_for_account

    with client_for_account(archive.platform_accounts.get()) as api:
        with pytest.raises(WeChatApiError) as refused:
            api.menu_create({"button": [view("六个汉字名称")]})
        assert refused.value.errcode == 40018
        api.menu_create({"button": [view("预约")]})
        token = api.access_token()
    assert (
        httpx.get(sandbox_api + "/cgi-bin/menu/delete", params={"access_token": token}).json()[
            "errcode"
        ]
        == 0
    )
    assert not Menu.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_someone_without_a_role_there_cannot_open_the_editor(client, archive):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL.format(slug=archive.slug)).status_code == 403
