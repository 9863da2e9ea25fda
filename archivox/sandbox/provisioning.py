"""Give archives accounts on the sandboxes (WeChat and Weibo), for the demo and for tests."""

from __future__ import annotations

from django.conf import settings

from archivox.core.models import Archive
from archivox.sandbox.wechat.services.accounts import sandbox_wechat_account_ensure
from archivox.sandbox.weibo.services.accounts import sandbox_weibo_account_ensure


class SandboxDisabled(RuntimeError):
    """Sandbox accounts exist only on installations run with ARCHIVOX_SANDBOX=1."""


def sandbox_credentials_ensure(archive: Archive) -> dict[str, str]:
    """The archive's sandbox credentials, creating the accounts on first use (idempotent)."""
    if not settings.SANDBOX:
        raise SandboxDisabled("sandbox accounts need ARCHIVOX_SANDBOX=1")
    wechat = sandbox_wechat_account_ensure(archive)
    weibo = sandbox_weibo_account_ensure(archive)
    return {
        "archive": archive.slug,
        "appid": wechat["appid"],
        "app_secret": wechat["app_secret"],
        "token": wechat["token"],
        "encoding_aes_key": wechat["encoding_aes_key"],
        "original_id": wechat.get("original_id", ""),
        "callback_url": f"{settings.BASE_URL}/wechat/{archive.slug}/callback",
        "weibo_uid": weibo["weibo_uid"],
        "weibo_access_token": weibo["access_token"],
        "safe_domain": weibo.get("safe_domain", ""),
    }
