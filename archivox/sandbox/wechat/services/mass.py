"""Mass send: ``message/mass/sendall`` to all followers, ``preview`` to one, ``get``."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import transaction

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, Draft, Follower, MassMessage, Media
from archivox.sandbox.wechat.selectors import account_now, beijing_date
from archivox.sandbox.wechat.services.common import SandboxApiError, _number
from archivox.sandbox.wechat.services.events import _enqueue_delivery, _event_create


def _message_check(account: Account, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    msgtype = body.get("msgtype")
    part = body.get(msgtype) if isinstance(msgtype, str) else None
    if msgtype == "text":
        content = part.get("content") if isinstance(part, dict) else None
        if not isinstance(content, str) or not content.strip():
            raise SandboxApiError(44004)
        return msgtype, {"content": content}
    if msgtype in ("mpnews", "image"):
        media_id = part.get("media_id") if isinstance(part, dict) else None
        if msgtype == "mpnews":
            found = Draft.objects.filter(
                account=account, media_id=str(media_id), used_at__isnull=True
            ).exists()
        else:
            found = Media.objects.filter(
                account=account, media_id=str(media_id), kind=Media.Kind.IMAGE
            ).exists()
        if not media_id or not found:
            raise SandboxApiError(40007)
        return msgtype, {"media_id": media_id}
    raise SandboxApiError(40008)


@transaction.atomic
def mass_sendall(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``message/mass/sendall`` to all followers: one a day for a subscription account (four a
    month for a service account), and a clientmsgid is never sent twice within 24 hours."""
    account = Account.objects.select_for_update().get(pk=account.pk)  # one send at a time
    target = body.get("filter")
    if not isinstance(target, dict) or target.get("is_to_all") is not True:
        raise SandboxApiError(40035)  # the sandbox keeps no tags: only "to all followers"
    msgtype, part = _message_check(account, body)
    now = account_now(account)
    clientmsgid = body.get("clientmsgid")
    if clientmsgid in (None, ""):
        digest = json.dumps([target, msgtype, part], sort_keys=True, ensure_ascii=False)
        clientmsgid = hashlib.sha1(digest.encode()).hexdigest()  # noqa: S324 - an id, not a MAC
    clientmsgid = str(clientmsgid)
    if len(clientmsgid.encode()) > rules.CLIENTMSGID_MAX_BYTES:
        raise SandboxApiError(45067)
    earlier = (
        MassMessage.objects.filter(
            account=account,
            kind=MassMessage.Kind.SENDALL,
            clientmsgid=clientmsgid,
            sent_at__gt=now - datetime.timedelta(seconds=rules.CLIENTMSGID_MEMORY),
        )
        .order_by("-sent_at")
        .first()
    )
    if earlier is not None:
        if (now - earlier.sent_at).total_seconds() < rules.CLIENTMSGID_RETRY_TOO_FAST:
            raise SandboxApiError(45066)
        raise SandboxApiError(45065, msg_id=earlier.msg_id)
    sends = MassMessage.objects.filter(account=account, kind=MassMessage.Kind.SENDALL)
    today = beijing_date(now)
    if account.account_type == Account.Type.SUBSCRIPTION:
        if sends.filter(day=today).count() >= rules.MASS_SENDS_PER_DAY_SUBSCRIPTION:
            raise SandboxApiError(45028)
    elif (
        sends.filter(day__year=today.year, day__month=today.month).count()
        >= rules.MASS_SENDS_PER_MONTH_SERVICE
    ):
        raise SandboxApiError(45028)
    message = MassMessage.objects.create(
        account=account,
        kind=MassMessage.Kind.SENDALL,
        msg_id=_number(10),
        msg_data_id=_number(10) if msgtype == "mpnews" else None,
        msgtype=msgtype,
        payload=part,
        clientmsgid=clientmsgid,
        recipients=Follower.objects.filter(account=account, subscribed=True).count(),
        sent_at=now,
        day=today,
    )
    if msgtype == "mpnews":
        Draft.objects.filter(account=account, media_id=part["media_id"]).update(used_at=now)
    answer = {"errcode": 0, "errmsg": "send job submission success", "msg_id": message.msg_id}
    if message.msg_data_id:
        answer["msg_data_id"] = message.msg_data_id
    event = {
        "MsgID": message.msg_id,
        "Status": "send success",
        "TotalCount": message.recipients,
        "FilterCount": message.recipients,
        "SentCount": message.recipients,
        "ErrorCount": 0,
    }
    delivery = _event_create(account, "MASSSENDJOBFINISH", event)
    transaction.on_commit(lambda: _enqueue_delivery(delivery.pk))
    return answer


@transaction.atomic
def mass_preview(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``message/mass/preview`` to one follower; does not use the mass-send quota."""
    openid = str(body.get("touser") or "")
    follower = Follower.objects.filter(account=account, openid=openid).first()
    if follower is None:
        raise SandboxApiError(40003)
    if not follower.subscribed:
        raise SandboxApiError(43004)
    msgtype, part = _message_check(account, body)
    now = account_now(account)
    message = MassMessage.objects.create(
        account=account,
        kind=MassMessage.Kind.PREVIEW,
        msg_id=_number(10),
        msgtype=msgtype,
        payload=part,
        touser=openid,
        recipients=1,
        sent_at=now,
        day=beijing_date(now),
    )
    return {"errcode": 0, "errmsg": "preview success", "msg_id": message.msg_id}


def mass_get(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    try:
        msg_id = int(body.get("msg_id"))
    except (TypeError, ValueError) as exc:
        raise SandboxApiError(47001) from exc
    message = MassMessage.objects.filter(
        account=account, kind=MassMessage.Kind.SENDALL, msg_id=msg_id
    ).first()
    if message is None:
        raise SandboxApiError(40035)
    return {"msg_id": message.msg_id, "msg_status": "SEND_SUCCESS"}
