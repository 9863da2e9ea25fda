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


def sandbox_demo_hall_ensure(archive: Archive) -> bool:
    """A demo archive's service hall: its auto-reply rules and published menu
    (``service_hall.services.demo``), and the menu installed on its sandbox account as WeChat
    would hold it. True when the account has the menu.

    The demo account is a (verified) service account, as an archive's service hall is: only
    those may authorise a follower silently on the web and send template messages, so the
    demo shows known followers in WeChat's browser, not only the tests."""
    from archivox.sandbox.wechat.models import Account
    from archivox.sandbox.wechat.services.menus import menu_create
    from archivox.service_hall.services.demo import demo_service_hall_ensure

    if not settings.SANDBOX:
        raise SandboxDisabled("the demo's sandbox menus need ARCHIVOX_SANDBOX=1")
    sandbox_wechat_account_ensure(archive)
    Account.objects.filter(archive_slug=archive.slug).update(account_type=Account.Type.SERVICE)
    sandbox_wechat_account_ensure(archive)  # copies the type to the archive's account
    payload = demo_service_hall_ensure(archive)
    account = Account.objects.filter(archive_slug=archive.slug).first()
    if payload is None or account is None:
        return False
    menu_create(account=account, body=payload)
    return True
