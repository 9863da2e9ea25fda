"""One-time subscription messages (一次性订阅消息): the platform's confirm page
(``mp/subscribemsg?action=get_confirm``), where the follower allows one message of a template
and scene and is sent back to the page with ``openid``, ``action``, ``scene`` and ``reserved``,
and ``message/template/subscribe``, which sends that one message (43101 without a consent left:
"user refuse to accept the msg")."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db import transaction

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import (
    Account,
    Follower,
    MessageTemplate,
    SubscribeConsent,
    TemplateMessage,
)
from archivox.sandbox.wechat.selectors import account_get, account_now
from archivox.sandbox.wechat.services.common import SandboxApiError, _number
from archivox.sandbox.wechat.services.templates import send_addressee


def _scene(value: Any) -> int:
    try:
        scene = int(str(value))
    except ValueError as exc:
        raise SandboxApiError(40035) from exc
    if not 0 <= scene <= rules.SUBSCRIBE_SCENE_MAX:
        raise SandboxApiError(40035)
    return scene


@transaction.atomic
def subscribe_confirm(
    *,
    appid: str,
    template_id: str,
    scene: str,
    redirect_url: str,
    reserved: str,
    openid: str,
    allow: bool,
) -> str:
    """The follower's answer on the confirm page; where the browser goes next."""
    account = account_get(appid)
    if account is None:
        raise SandboxApiError(40013)
    if account.account_type != Account.Type.SERVICE:
        raise SandboxApiError(48001)
    if not MessageTemplate.objects.filter(account=account, template_id=template_id).exists():
        raise SandboxApiError(40037)
    number = _scene(scene)
    parts = urlsplit(redirect_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(reserved) > 128:
        raise SandboxApiError(40035)
    if allow:
        follower, _created = Follower.objects.get_or_create(
            account=account, openid=openid, defaults={"subscribed_at": account_now(account)}
        )
        SubscribeConsent.objects.create(
            account=account,
            follower=follower,
            template_id=template_id,
            scene=number,
            granted_at=account_now(account),
        )
    answer = {
        "openid": openid,
        "template_id": template_id,
        "action": "confirm" if allow else "cancel",
        "scene": number,
        "reserved": reserved,
    }
    return redirect_url + ("&" if parts.query else "?") + urlencode(answer)


@transaction.atomic
def subscribe_send(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``message/template/subscribe``: the one message a consent allows."""
    follower = send_addressee(account=account, body=body)
    template_id = str(body.get("template_id") or "")
    if not MessageTemplate.objects.filter(account=account, template_id=template_id).exists():
        raise SandboxApiError(40037)
    scene = _scene(body.get("scene", ""))
    title = body.get("title")
    content = (
        (body.get("data") or {}).get("content") if isinstance(body.get("data"), dict) else None
    )
    value = content.get("value") if isinstance(content, dict) else None
    if not isinstance(title, str) or not title.strip() or len(title) > rules.SUBSCRIBE_TITLE_MAX:
        raise SandboxApiError(47003)
    if not isinstance(value, str) or not value.strip() or len(value) > rules.SUBSCRIBE_CONTENT_MAX:
        raise SandboxApiError(47003)
    consent = (
        SubscribeConsent.objects.select_for_update()
        .filter(
            account=account,
            follower=follower,
            template_id=template_id,
            scene=scene,
            used_at__isnull=True,
        )
        .order_by("granted_at", "pk")
        .first()
    )
    if consent is None:
        raise SandboxApiError(43101)
    now = account_now(account)
    consent.used_at = now
    consent.save(update_fields=["used_at"])
    message = TemplateMessage.objects.create(
        account=account,
        follower=follower,
        template_id=template_id,
        msgid=_number(10),
        data={"title": title, "content": value},
        url=str(body.get("url") or "")[:1024],
        sent_at=now,
    )
    return {"errcode": 0, "errmsg": "ok", "msgid": message.msgid}
