"""The JS-SDK: ``ticket/getticket?type=jsapi`` and the peer's side of a page signature — what
WeChat's browser checks when a page calls ``wx.config`` (``sandbox_jssdk_verify``).

The check is written here from the platform's documentation, not with our own signing code, so
a test of our signature against it is a test against a second implementation."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.db import transaction

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, JsapiTicket
from archivox.sandbox.wechat.selectors import account_get, account_now
from archivox.sandbox.wechat.services.common import SandboxApiError, SandboxError


@transaction.atomic
def ticket_issue(*, account: Account, kind: str) -> dict[str, Any]:
    """``ticket/getticket``: a new jsapi_ticket (earlier ones stay valid until they expire)."""
    if kind != "jsapi":
        raise SandboxApiError(40097)
    now = account_now(account)
    ticket = JsapiTicket.objects.create(
        account=account,
        value=secrets.token_urlsafe(64)[:86],
        issued_at=now,
        expires_at=now + datetime.timedelta(seconds=rules.TICKET_LIFETIME),
    )
    return {
        "errcode": 0,
        "errmsg": "ok",
        "ticket": ticket.value,
        "expires_in": rules.TICKET_LIFETIME,
    }


def sandbox_jssdk_verify(
    *, appid: str, url: str, timestamp: Any, nonce_str: str, signature: str
) -> dict[str, Any]:
    """Whether a page's ``wx.config`` would be accepted: signed with a live ticket of the
    account, for this url (without its fragment), at a timestamp near the account's clock.
    Returns ``{"ok": True}`` or ``{"ok": False, "errMsg": …}`` as WeChat's browser reports it."""
    account = account_get(appid)
    if account is None:
        return {"ok": False, "errMsg": "config:invalid appid"}
    if not url or not nonce_str or not signature:
        raise SandboxError("url, nonceStr and signature are needed")
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError) as exc:
        raise SandboxError("timestamp must be a whole number of seconds") from exc
    now = account_now(account)
    if abs(now.timestamp() - stamp) > rules.JSSDK_TIMESTAMP_SKEW:
        return {"ok": False, "errMsg": "config:invalid signature (timestamp)"}
    page = url.partition("#")[0]
    live = JsapiTicket.objects.filter(account=account, expires_at__gt=now)
    for ticket in live.values_list("value", flat=True):
        text = f"jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={stamp}&url={page}"
        expected = hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324
        if secrets.compare_digest(expected, signature.lower()):
            return {"ok": True, "errMsg": "config:ok"}
    return {"ok": False, "errMsg": "config:invalid signature"}
