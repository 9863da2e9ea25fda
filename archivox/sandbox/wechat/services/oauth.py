"""Web authorisation (网页授权): ``connect/oauth2/authorize`` — which WeChat's browser opens, and
which answers by redirecting to the page with a ``code`` — and ``sns/oauth2/access_token``, which
exchanges the code (once, within 5 minutes) for the follower's openid.

Only a service account may authorise; ``snsapi_base`` is silent. The follower is the one the
simulated browser says it is (the ``sandbox_wechat_openid`` cookie), else a new one."""

from __future__ import annotations

import datetime
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db import transaction

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, OAuthCode
from archivox.sandbox.wechat.selectors import account_get, account_now
from archivox.sandbox.wechat.services.common import ALNUM, SandboxApiError, _random


def new_openid() -> str:
    return "o" + _random(ALNUM, 27)


@transaction.atomic
def oauth_authorize(
    *, appid: str, redirect_uri: str, response_type: str, scope: str, state: str, openid: str
) -> str:
    """Where the browser goes next: ``redirect_uri`` with ``code`` and ``state``. Raises
    SandboxApiError for what the platform shows as an error page instead."""
    account = account_get(appid)
    if account is None:
        raise SandboxApiError(40013)
    if response_type != "code" or scope not in rules.OAUTH_SCOPES:
        raise SandboxApiError(10005 if response_type == "code" else 40035)
    if account.account_type != Account.Type.SERVICE:
        raise SandboxApiError(10005)  # web authorisation is for (verified) service accounts
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SandboxApiError(10003)
    if len(state.encode()) > 128:
        raise SandboxApiError(40035)
    code = OAuthCode.objects.create(
        account=account,
        code=secrets.token_urlsafe(24),
        openid=openid or new_openid(),
        scope=scope,
        issued_at=account_now(account),
    )
    joiner = "&" if parts.query else "?"
    return redirect_uri + joiner + urlencode({"code": code.code, "state": state})


@transaction.atomic
def oauth_access_token(*, appid: str, secret: str, code: str, grant_type: str) -> dict[str, Any]:
    """``sns/oauth2/access_token``: the follower's openid for a code (40029 unknown or expired,
    40163 already used)."""
    if grant_type != "authorization_code":
        raise SandboxApiError(40002)
    account = account_get(appid)
    if account is None:
        raise SandboxApiError(40013)
    if not secrets.compare_digest(secret, account.app_secret):
        raise SandboxApiError(40125)
    found = OAuthCode.objects.select_for_update().filter(account=account, code=code).first()
    now = account_now(account)
    lifetime = datetime.timedelta(seconds=rules.OAUTH_CODE_LIFETIME)
    if found is None or now - found.issued_at > lifetime:
        raise SandboxApiError(40029)
    if found.used_at is not None:
        raise SandboxApiError(40163)
    found.used_at = now
    found.save(update_fields=["used_at"])
    return {
        "access_token": secrets.token_urlsafe(48),
        "expires_in": 7200,
        "refresh_token": secrets.token_urlsafe(48),
        "openid": found.openid,
        "scope": found.scope,
    }
