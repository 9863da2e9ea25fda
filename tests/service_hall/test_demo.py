"""The demo's service hall: after the demo catalog and the sandbox accounts, each demo archive has
auto-reply rules and a published menu, so that `manage.py wechat_user --archive nanjing 白崇禧`
answers with catalog cards (not only the acknowledgement), the menu's click keys answer, and the
menu and an auto-reply lead to the records-use request page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from archivox.catalog.demo import demo_catalog_load
from archivox.consultations.replies import rules_cache_clear
from archivox.consultations.selectors import wechat_account_cache_clear
from archivox.core.models import PlatformAccount
from archivox.sandbox.wechat.models import Account, Menu
from archivox.service_hall.models import WeChatMenu
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)


def wechat_user(*args: str) -> str:
    out = io.StringIO()
    call_command("wechat_user", *args, stdout=out)
    return out.getvalue()


def test_the_demo_archives_answer_a_name_with_catalog_cards_and_have_a_menu(
    live_server, settings, tmp_path
):
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    settings.MEDIA_ROOT = tmp_path / "media"
    ArchiveFactory(slug="nanjing", name="Nanjing", name_zh="南京市档案馆", is_demo=True)
    demo_catalog_load(only=["nanjing"], with_images=False)
    call_command("sandbox_provision", "nanjing", verbosity=0)
    call_command("load_demo_service_hall", "nanjing", stdout=io.StringIO())
    call_command("load_demo_service_hall", "nanjing", stdout=io.StringIO())  # idempotent
    rules_cache_clear()
    wechat_account_cache_clear()

    output = wechat_user("--archive", "nanjing", "--base-url", live_server.url, "白崇禧")
    assert "白崇禧公馆" in output
    assert "news" in output.lower()

    output = wechat_user(
        "--archive", "nanjing", "--base-url", live_server.url, "--event", "CLICK",
        "--key", "CATALOG_HELP",
    )  # fmt: skip
    assert "白崇禧" in output and "馆藏条目卡片" in output

    # "查档" answers with the link to the records-use request page (issue 19) …
    output = wechat_user("--archive", "nanjing", "--base-url", live_server.url, "查档")
    assert "在线申请查档出证" in output and "/archives/nanjing/records/" in output

    menu = WeChatMenu.objects.get(archive__slug="nanjing")
    assert menu.status == WeChatMenu.Status.PUBLISHED
    installed = Menu.objects.get(account__archive_slug="nanjing").button
    assert [button["name"] for button in installed] == ["查档", "预约", "互动"]
    assert installed == menu.sent["button"]
    # … and so does the menu's first button.
    first = installed[0]["sub_button"][0]
    assert first["name"] == "查档出证" and first["type"] == "view"
    assert first["url"].endswith("/archives/nanjing/records/")
    # A service account, so that silent web authorisation works in the demo too.
    assert Account.objects.get(archive_slug="nanjing").account_type == Account.Type.SERVICE
    assert (
        PlatformAccount.objects.get(archive__slug="nanjing", platform="wechat").wechat_type
        == PlatformAccount.WeChatType.SERVICE
    )
