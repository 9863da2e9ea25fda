"""Accounts on the sandbox: created with fresh credentials, changed as in the platform's console,
provisioned for an archive, and the account's clock moved on."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from archivox.sandbox.wechat.models import Account
from archivox.sandbox.wechat.services.common import ALNUM, SandboxError, _random


@transaction.atomic
def sandbox_account_create(
    *,
    name: str = "",
    account_type: str = Account.Type.SUBSCRIPTION,
    callback_url: str = "",
    message_mode: str = Account.MessageMode.SAFE,
    archive_slug: str = "",
) -> Account:
    """A new official account on the sandbox, with fresh credentials."""
    account = Account(
        appid="wx" + secrets.token_hex(8),
        app_secret=secrets.token_hex(16),
        token=_random(ALNUM, 32),
        encoding_aes_key=_random(ALNUM, 43),
        original_id="gh_" + secrets.token_hex(6),
        name=name,
        account_type=account_type,
        callback_url=callback_url,
        message_mode=message_mode,
        archive_slug=archive_slug,
    )
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def sandbox_account_update(
    *,
    appid: str,
    callback_url: str | None = None,
    message_mode: str | None = None,
    account_type: str | None = None,
) -> Account:
    """Change what the account's owner sets in the platform's console (URL, mode, type)."""
    account = Account.objects.select_for_update().get(appid=appid)
    if callback_url is not None:
        account.callback_url = callback_url
    if message_mode is not None:
        account.message_mode = message_mode
    if account_type is not None:
        account.account_type = account_type
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def sandbox_wechat_account_ensure(archive: Any) -> dict[str, str]:
    """Give ``archive`` a sandbox official account, and point its ``core.PlatformAccount``
    (platform wechat) at it. Idempotent: the same account is kept on later calls.

    This is the sandbox's provisioning path, so it writes the PlatformAccount directly."""
    from archivox.core.models import PlatformAccount
    from archivox.core.services import audit_record, snapshot

    callback_url = f"{settings.BASE_URL}/wechat/{archive.slug}/callback"
    account = Account.objects.select_for_update().filter(archive_slug=archive.slug).first()
    if account is None:
        account = sandbox_account_create(
            name=archive.name_zh or archive.name,
            callback_url=callback_url,
            archive_slug=archive.slug,
        )
    elif account.callback_url != callback_url:
        account.callback_url = callback_url
        account.save(update_fields=["callback_url"])
    values = {
        "name": account.name,
        "appid": account.appid,
        "app_secret": account.app_secret,
        "token": account.token,
        "encoding_aes_key": account.encoding_aes_key,
        "original_id": account.original_id,
        "wechat_type": account.account_type,
        "message_mode": account.message_mode,  # the same three values as WeChat's console
    }
    platform_account = (
        PlatformAccount.objects.select_for_update()
        .filter(archive=archive, platform=PlatformAccount.Platform.WECHAT)
        .first()
    )
    created = platform_account is None
    if created:
        platform_account = PlatformAccount(
            archive=archive, platform=PlatformAccount.Platform.WECHAT
        )
    changed = [name for name, value in values.items() if getattr(platform_account, name) != value]
    if changed:
        for name in changed:
            setattr(platform_account, name, values[name])
        platform_account.full_clean()
        platform_account.save()
        audit_record(
            actor=None,
            action="platform_account.sandbox_provision",
            obj=platform_account,
            archive=archive,
            after=snapshot(platform_account, changed),
            on_behalf_of="WeChat sandbox",
        )
    return {
        "appid": account.appid,
        "app_secret": account.app_secret,
        "token": account.token,
        "encoding_aes_key": account.encoding_aes_key,
        "original_id": account.original_id,
    }


@transaction.atomic
def sandbox_clock_advance(*, appid: str, seconds: int) -> int:
    """Let ``seconds`` pass for the account (tokens age, windows close, days turn)."""
    updated = Account.objects.filter(appid=appid).update(clock_offset=F("clock_offset") + seconds)
    if not updated:
        raise SandboxError(f"no sandbox account {appid}")
    return Account.objects.get(appid=appid).clock_offset
