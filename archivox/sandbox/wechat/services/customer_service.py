"""Customer-service messages: ``message/custom/send`` within the window the user's last message
opened."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, CustomMessage, Follower
from archivox.sandbox.wechat.selectors import account_now
from archivox.sandbox.wechat.services.common import SandboxApiError


@transaction.atomic
def custom_send(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``message/custom/send``: only within 48 hours after the user's last message, at most
    5 messages in that window (and 3 within a minute of following)."""
    openid = str(body.get("touser") or "")
    follower = Follower.objects.select_for_update().filter(account=account, openid=openid).first()
    if follower is None:
        raise SandboxApiError(40003)
    msgtype = body.get("msgtype")
    part = body.get(msgtype) if isinstance(msgtype, str) else None
    if msgtype == "text":
        if not isinstance(part, dict) or not str(part.get("content") or "").strip():
            raise SandboxApiError(44004)
    elif msgtype in ("image", "voice", "video", "mpnews"):
        if not isinstance(part, dict) or not part.get("media_id"):
            raise SandboxApiError(40007)
    elif msgtype in ("news", "mpnewsarticle", "link", "miniprogrampage", "msgmenu"):
        if not isinstance(part, dict):
            raise SandboxApiError(47001)
    else:
        raise SandboxApiError(40008)
    now = account_now(account)
    if not follower.subscribed:
        raise SandboxApiError(45015)
    windows = []
    if follower.last_message_at and now - follower.last_message_at <= datetime.timedelta(
        seconds=rules.CS_WINDOW
    ):
        windows.append((follower.last_message_at, rules.CS_MESSAGES_PER_WINDOW))
    if now - follower.subscribed_at <= datetime.timedelta(minutes=1):
        windows.append((follower.subscribed_at, 3))
    if not windows:
        raise SandboxApiError(45015)
    sent = CustomMessage.objects.filter(follower=follower)
    if all(sent.filter(sent_at__gte=start).count() >= limit for start, limit in windows):
        raise SandboxApiError(45047)
    CustomMessage.objects.create(
        account=account, follower=follower, msgtype=msgtype, payload=part, sent_at=now
    )
    return {"errcode": 0, "errmsg": "ok"}
