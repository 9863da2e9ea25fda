"""Accounts: the sandbox's app, an archive's account and its grant (access token), the token
expired or the hourly limits changed on purpose, and authenticating a request's token."""

from __future__ import annotations

import datetime
import re
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from archivox.core.queries import found
from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.models import WeiboApp, WeiboAuthorization, WeiboUser

if TYPE_CHECKING:
    from archivox.core.models import Archive


SANDBOX_APPKEY = "archivox-sandbox"
TOKEN_LIFETIME = datetime.timedelta(days=30)


def _new_uid() -> str:
    while True:
        uid = str(5_000_000_000 + secrets.randbelow(2_000_000_000))
        if not WeiboUser.objects.filter(uid=uid).exists():
            return uid


def _new_token() -> str:
    return "2.00" + secrets.token_hex(14)


def _free_screen_name(wanted: str) -> str:
    base = re.sub(r"[^\w\-]", "", wanted)[:24] or "archive"
    name, n = base, 1
    while WeiboUser.objects.filter(screen_name=name).exists():
        n += 1
        name = f"{base}_{n}"
    return name


def _sandbox_app() -> WeiboApp:
    domain = (urlsplit(settings.BASE_URL).hostname or "localhost").lower()
    app, created = WeiboApp.objects.get_or_create(
        appkey=SANDBOX_APPKEY, defaults={"name": "Archivox", "safe_domain": domain}
    )
    if not created and app.safe_domain != domain:
        app.safe_domain = domain
        app.save(update_fields=["safe_domain"])
    return app


@transaction.atomic
def sandbox_weibo_account_ensure(archive: Archive) -> dict[str, str]:
    """A Weibo account on the sandbox for ``archive``, and the archive's PlatformAccount for it.

    Idempotent: an existing grant is kept (its token renewed if expired or revoked). The app's
    safe domain is the host of ``settings.BASE_URL``. Writes ``core.PlatformAccount`` directly
    (provisioning of the sandbox only; the token is encrypted at rest by the field)."""
    from archivox.core.models import PlatformAccount

    app = _sandbox_app()
    now = timezone.now()
    grant = (
        WeiboAuthorization.objects.select_for_update()
        .select_related("user")
        .filter(archive=archive)
        .first()
    )
    if grant is None:
        user = WeiboUser.objects.create(
            uid=_new_uid(),
            screen_name=_free_screen_name(archive.name_zh or archive.name or archive.slug),
        )
        grant = WeiboAuthorization.objects.create(
            app=app,
            user=user,
            archive=archive,
            access_token=_new_token(),
            expires_at=now + TOKEN_LIFETIME,
        )
    elif grant.revoked or grant.expires_at <= now or grant.app_id != app.pk:
        grant.app = app
        grant.access_token = _new_token()
        grant.expires_at = now + TOKEN_LIFETIME
        grant.revoked = False
        grant.save(update_fields=["app", "access_token", "expires_at", "revoked"])

    account = PlatformAccount.objects.filter(
        archive=archive, platform=PlatformAccount.Platform.WEIBO
    ).first() or PlatformAccount(archive=archive, platform=PlatformAccount.Platform.WEIBO)
    account.weibo_uid = grant.user.uid
    account.weibo_access_token = grant.access_token
    account.safe_domain = app.safe_domain
    account.name = account.name or grant.user.screen_name
    account.full_clean()
    account.save()
    return {
        "weibo_uid": grant.user.uid,
        "access_token": grant.access_token,
        "safe_domain": app.safe_domain,
    }


def _grant_for(uid: str) -> WeiboAuthorization:
    grant = WeiboAuthorization.objects.select_related("user").filter(user__uid=str(uid)).first()
    if grant is None:
        raise SandboxWeiboError(20003, "User does not exists!")
    return grant


def sandbox_weibo_token_expire(uid: str) -> None:
    """Make the account's access token expired (the platform then answers 21327)."""
    grant = _grant_for(uid)
    grant.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    grant.save(update_fields=["expires_at"])


def sandbox_weibo_limits_set(
    uid: str,
    *,
    hourly_limit: int | None = None,
    hourly_post_limit: int | None = None,
    hourly_comment_limit: int | None = None,
) -> WeiboAuthorization:
    """Lower (or raise) the account's hourly request limits."""
    grant = _grant_for(uid)
    for field, value in (
        ("hourly_limit", hourly_limit),
        ("hourly_post_limit", hourly_post_limit),
        ("hourly_comment_limit", hourly_comment_limit),
    ):
        if value is not None:
            setattr(grant, field, max(0, int(value)))
    grant.save()
    return grant


def sandbox_weibo_authenticate(access_token: str) -> WeiboAuthorization:
    """The grant behind an access token, or the platform's OAuth2 error."""
    if not access_token:
        raise SandboxWeiboError(21301, "auth faild!", 401)
    grant = found(
        WeiboAuthorization.objects.select_related("user", "app").filter(access_token=access_token)
    )
    if grant is None or grant.revoked:
        raise SandboxWeiboError(21332, "invalid_access_token", 401)
    if grant.expires_at <= timezone.now():
        raise SandboxWeiboError(21327, "expired_token", 401)
    return grant
