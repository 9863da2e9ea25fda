"""Template messages: ``message/template/send`` (service accounts only; the follower must
follow; the template must be the account's; each value within its field's limit), and the
sandbox's control to add a template as WeChat's console would."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, Follower, MessageTemplate, TemplateMessage
from archivox.sandbox.wechat.selectors import account_now
from archivox.sandbox.wechat.services.common import SandboxApiError, SandboxError, _number


def sandbox_template_add(*, appid: str, template_id: str, keys: list[str], title: str = "") -> None:
    if not template_id or not keys:
        raise SandboxError("a template needs its id and the keys of its fields")
    account = Account.objects.get(appid=appid)
    MessageTemplate.objects.update_or_create(
        account=account, template_id=template_id, defaults={"keys": list(keys), "title": title}
    )


def send_addressee(*, account: Account, body: dict[str, Any]) -> Follower:
    """The follower a template or subscription message is sent to; only a service account
    may send either (48001), and only to a follower it knows (40003)."""
    if account.account_type != Account.Type.SERVICE:
        raise SandboxApiError(48001)
    follower = Follower.objects.filter(
        account=account, openid=str(body.get("touser") or "")
    ).first()
    if follower is None:
        raise SandboxApiError(40003)
    return follower


@transaction.atomic
def template_send(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    follower = send_addressee(account=account, body=body)
    if not follower.subscribed:
        raise SandboxApiError(43004)
    template = MessageTemplate.objects.filter(
        account=account, template_id=str(body.get("template_id") or "")
    ).first()
    if template is None:
        raise SandboxApiError(40037)
    data = body.get("data")
    if not isinstance(data, dict):
        raise SandboxApiError(47001)
    for key, field in data.items():
        value = field.get("value") if isinstance(field, dict) else None
        limit = rules.TEMPLATE_FIELD_LIMITS.get(str(key).rstrip("0123456789"), 20)
        if key not in template.keys or not isinstance(value, str) or not value.strip():
            raise SandboxApiError(47003)
        if len(value) > limit:
            raise SandboxApiError(47003)
    message = TemplateMessage.objects.create(
        account=account,
        follower=follower,
        template_id=template.template_id,
        msgid=_number(10),
        data={key: field["value"] for key, field in data.items()},
        url=str(body.get("url") or "")[:1024],
        sent_at=account_now(account),
    )
    return {"errcode": 0, "errmsg": "ok", "msgid": message.msgid}
