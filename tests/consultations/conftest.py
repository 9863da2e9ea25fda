import base64
import os
from types import SimpleNamespace

import pytest

from archivox.consultations import replies, selectors
from archivox.core.models import PlatformAccount, Role
from archivox.core.services import membership_grant
from archivox.sandbox.wechat.services import sandbox_wechat_account_ensure
from archivox.sandbox.wechat_user import WeChatUser
from archivox.sandbox.weibo.services import sandbox_weibo_account_ensure
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.factories import ArchiveFactory, UserFactory

# How the simulated follower sends → the account setting that takes it (WeChat's console).
ACCOUNT_MODE = {"safe": "safe", "compat": "compatible", "plain": "plaintext"}


def new_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


@pytest.fixture(autouse=True)
def fresh_rule_cache():
    """Rules are cached per process; every test starts from the database."""
    replies.rules_cache_clear()
    yield
    replies.rules_cache_clear()


@pytest.fixture
def inbox_archive(db):
    return ArchiveFactory(slug="nanjing", name="Nanjing Municipal Archives", name_zh="南京市档案馆")


@pytest.fixture
def staff(inbox_archive):
    user = UserFactory(username="answerer")
    membership_grant(actor=None, archive=inbox_archive, user=user, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def wechat(live_server, settings, inbox_archive):
    """The archive's official account on the WeChat sandbox served by this test's server."""
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    settings.BASE_URL = live_server.url
    sandbox_wechat_account_ensure(inbox_archive)
    return PlatformAccount.objects.get(
        archive=inbox_archive, platform=PlatformAccount.Platform.WECHAT
    )


@pytest.fixture
def follower(live_server, wechat):
    users: list[WeChatUser] = []

    def make(mode: str = "safe", **options) -> WeChatUser:
        # The account takes what this follower sends, as its administrator would set it.
        PlatformAccount.objects.filter(pk=wechat.pk).update(message_mode=ACCOUNT_MODE[mode])
        selectors.wechat_account_cache_clear()
        user = WeChatUser(
            live_server.url,
            wechat.archive.slug,
            wechat.token,
            wechat.encoding_aes_key,
            wechat.appid,
            mode=mode,
            to=wechat.original_id,
            **options,
        )
        users.append(user)
        return user

    yield make
    for user in users:
        user.close()


@pytest.fixture
def weibo(live_server, settings, inbox_archive):
    settings.WEIBO_API = f"{live_server.url}/sandbox/weibo"
    credentials = sandbox_weibo_account_ensure(inbox_archive)
    account = PlatformAccount.objects.get(archive=inbox_archive, platform="weibo")
    return SimpleNamespace(account=account, api=settings.WEIBO_API, **credentials)
