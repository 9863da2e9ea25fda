"""Events pushed to the account's server: PUBLISHJOBFINISH and MASSSENDJOBFINISH, signed (and
encrypted) like the platform's, delivered in the background."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import httpx
from django.db.models import F
from django.utils import timezone

from archivox.core.tls import tls_context
from archivox.platforms.wechat.crypto import MessageCrypto, nonce, signature
from archivox.platforms.wechat.xml import build_xml, parse_xml
from archivox.sandbox.wechat.models import Account, EventDelivery

logger = logging.getLogger("archivox.sandbox.wechat.services")  # its name before the split


def _operator_openid(account: Account) -> str:
    """The openid events about the account's own jobs come from (the operator's)."""
    digest = hashlib.sha256(f"operator:{account.appid}".encode()).hexdigest()
    return "o" + digest[:27]


def _event_create(account: Account, event: str, fields: dict[str, Any]) -> EventDelivery:
    message = {
        "ToUserName": account.original_id,
        "FromUserName": _operator_openid(account),
        "CreateTime": int(time.time()),  # real time: the receiver checks it against its clock
        "MsgType": "event",
        "Event": event,
        **fields,
    }
    return EventDelivery.objects.create(
        account=account, event=event, plaintext=build_xml(message), url=account.callback_url
    )


def _enqueue_delivery(delivery_pk: int) -> None:
    from archivox.sandbox.wechat.tasks import sandbox_event_deliver_task

    sandbox_event_deliver_task(delivery_pk)


def event_request(account: Account, plaintext: str) -> tuple[dict[str, str], str]:
    """The query and body the platform POSTs for ``plaintext`` in the account's message mode."""
    timestamp = str(int(time.time()))
    event_nonce = nonce()
    params = {
        "signature": signature(account.token, timestamp, event_nonce),
        "timestamp": timestamp,
        "nonce": event_nonce,
        "openid": str(parse_xml(plaintext).get("FromUserName", "")),
    }
    if account.message_mode == Account.MessageMode.PLAINTEXT:
        return params, plaintext
    crypto = MessageCrypto(
        token=account.token, encoding_aes_key=account.encoding_aes_key, appid=account.appid
    )
    encrypted = crypto.encrypt(plaintext)
    params["encrypt_type"] = "aes"
    params["msg_signature"] = signature(account.token, timestamp, event_nonce, encrypted)
    if account.message_mode == Account.MessageMode.COMPATIBLE:
        return params, build_xml({**parse_xml(plaintext), "Encrypt": encrypted})
    return params, build_xml({"ToUserName": account.original_id, "Encrypt": encrypted})


def sandbox_event_deliver(
    *, delivery_pk: int, tries: int = 3, timeout: float = 5.0
) -> EventDelivery:
    """POST the event to the callback URL like the platform: signed (and encrypted in safe or
    compatible mode), 5 seconds to answer, 3 tries in all; any HTTP 200 counts as received."""
    delivery = EventDelivery.objects.select_related("account").get(pk=delivery_pk)
    if delivery.delivered_at is not None:
        return delivery
    account = delivery.account
    url = account.callback_url or delivery.url
    if not url:
        EventDelivery.objects.filter(pk=delivery.pk).update(error="the account has no callback URL")
        delivery.refresh_from_db()
        return delivery
    status_code = None
    answer = error = ""
    attempts = 0
    with httpx.Client(timeout=timeout, follow_redirects=False, verify=tls_context()) as http:
        for _ in range(tries):
            attempts += 1
            params, body = event_request(account, delivery.plaintext)
            try:
                response = http.post(
                    url,
                    params=params,
                    content=body.encode(),
                    headers={"Content-Type": "text/xml; charset=utf-8"},
                )
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
                continue
            status_code, answer = response.status_code, response.text[:2000]
            if status_code == 200:
                error = ""
                break
            error = f"HTTP {status_code}"
    EventDelivery.objects.filter(pk=delivery.pk).update(
        url=url,
        attempts=F("attempts") + attempts,
        status_code=status_code,
        response=answer,
        error=error,
        delivered_at=timezone.now() if status_code == 200 else None,
    )
    delivery.refresh_from_db()
    if error:
        logger.warning(
            "sandbox event not delivered",
            extra={"appid": account.appid, "event": delivery.event, "error": error},
        )
    return delivery
