"""The WeChat callback as an outside probe reaches it (issue 17): an archive with an official
account on the WeChat sandbox, served by ``live_server``, and followers that sign (and encrypt)
like WeChat. Fixtures are imported by the test modules that use them."""

from __future__ import annotations

import pytest

from archivox.consultations.models import InboundMessage
from archivox.core.models import PlatformAccount
from archivox.sandbox.wechat.services import sandbox_wechat_account_ensure
from archivox.sandbox.wechat_user import WeChatUser
from tests.factories import ArchiveFactory

# The sandbox user's modes, and the account setting that matches each.
ACCOUNT_MODE = {"safe": "safe", "compat": "compatible", "plain": "plaintext"}


@pytest.fixture
def account(live_server, settings):
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    archive = ArchiveFactory(
        slug="nanjing", name="Nanjing Municipal Archives", name_zh="南京市档案馆"
    )
    sandbox_wechat_account_ensure(archive)
    return PlatformAccount.objects.get(archive=archive, platform=PlatformAccount.Platform.WECHAT)


@pytest.fixture
def user_for(live_server, account):
    users: list[WeChatUser] = []

    def make(mode: str) -> WeChatUser:
        user = WeChatUser(
            live_server.url,
            account.archive.slug,
            account.token,
            account.encoding_aes_key,
            account.appid,
            mode=mode,
            to=account.original_id,
            touch_sandbox=False,
        )
        users.append(user)
        return user

    yield make
    for user in users:
        user.close()


def set_mode(account: PlatformAccount, mode: str) -> None:
    """What the archive's administrator sets, as in WeChat's console."""
    account.message_mode = mode
    account.save()


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "wechat callback refused" in r.getMessage()]


def assert_refused(response, caplog, fragment: str) -> None:
    """400, nothing stored, and exactly one refusal line, which says why."""
    assert response.status_code == 400, response.text
    assert InboundMessage.objects.count() == 0
    lines = refusals(caplog)
    assert len(lines) == 1, lines
    assert fragment in lines[0], lines[0]
