"""Platform secrets are encrypted in the database and never reach an audit entry."""

import pytest
from django.db import connection

from archivox.core.models import PlatformAccount
from archivox.core.services import snapshot
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db

APP_SECRET = "appsecret-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
TOKEN = "servertoken-archivox-nanjing"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def test_wechat_secrets_are_stored_encrypted_and_read_back_in_clear():
    account = PlatformAccount.objects.create(
        archive=ArchiveFactory(),
        platform=PlatformAccount.Platform.WECHAT,
        appid="wx0123456789abcdef",
        app_secret=APP_SECRET,
        token=TOKEN,
        encoding_aes_key=AES_KEY,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT app_secret, token, encoding_aes_key, appid FROM core_platformaccount "
            "WHERE id = %s",
            [account.pk],
        )
        stored = cursor.fetchone()
    for clear, raw in zip((APP_SECRET, TOKEN, AES_KEY), stored[:3], strict=True):
        assert clear not in raw and raw  # ciphertext, not the secret
    assert stored[3] == "wx0123456789abcdef"  # the AppID is public
    fresh = PlatformAccount.objects.get(pk=account.pk)
    assert (fresh.app_secret, fresh.token, fresh.encoding_aes_key) == (APP_SECRET, TOKEN, AES_KEY)


def test_an_audit_summary_says_a_secret_was_set_never_what_it_is():
    account = PlatformAccount(app_secret=APP_SECRET, appid="wx1", token="")
    summary = snapshot(account, ["app_secret", "appid", "token"])
    assert summary == {"app_secret": "(secret set)", "appid": "wx1", "token": ""}
