"""The WeChat answers the callback could not give in time: sent later as customer-service
messages, at most once, and the sweep that picks up what a lost task or a dead worker left.

Every change of ``reply_state`` is a conditional update from the state it must leave
(``transition``), so two deliveries, two workers or a re-queued task can never answer one
message twice. The callback's side is ``callback``.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.consultations import replies
from archivox.consultations.models import InboundMessage
from archivox.consultations.selectors import inbound_message_get
from archivox.consultations.services.intake import consultation_ingest

logger = logging.getLogger(__name__)

# A customer-service message may reach a user only this long after the user's last message.
CUSTOMER_SERVICE_WINDOW = datetime.timedelta(hours=48)
# Deferred (or stranded pending) messages older than this are queued again by the sweep.
RESUME_AFTER = datetime.timedelta(minutes=2)
# A customer-service send claimed this long ago whose worker never recorded the outcome: the
# worker died mid-send. Marked failed for staff to see, never sent again (it may have gone).
STRANDED_SENDING = datetime.timedelta(minutes=10)

State = InboundMessage.ReplyState
Via = InboundMessage.RepliedVia


def _ingest(message: InboundMessage, reply: replies.Reply | None) -> None:
    """A person's message no rule answered joins (or opens) a consultation. Never fails the
    callback: the message is stored, and the sweep ingests what was missed."""
    if not replies.needs_consultation(message, reply):
        return
    try:
        consultation_ingest(message=message)
    except Exception:
        logger.exception("inbox: message not threaded yet", extra={"message_id": message.pk})


def inbound_message_reply_send(*, message_id: int) -> InboundMessage:
    """The deferred answer: compute the reply and send it as a customer-service message, once.

    At most once: the message is claimed (deferred → sending) before the platform is called, and
    a failure after the claim is recorded, never retried, because the send may have happened."""
    message = inbound_message_get(pk=message_id)
    if message.reply_state != State.DEFERRED:
        logger.info(
            "deferred wechat reply already settled",
            extra={"message_id": message.pk, "reply_state": message.reply_state},
        )
        return message
    if message.account is None:
        transition(message, State.DEFERRED, State.FAILED, reply_error="the account is gone")
        return message
    if timezone.now() - message.received_at > CUSTOMER_SERVICE_WINDOW:
        transition(
            message, State.DEFERRED, State.FAILED, reply_error="the 48-hour window has closed"
        )
        _ingest(message, None)
        return message
    try:
        reply = replies.reply_for(message)
    except Exception as exc:
        logger.exception("the reply hook failed", extra={"message_id": message.pk})
        transition(message, State.DEFERRED, State.FAILED, reply_error=describe(exc))
        _ingest(message, None)
        return message
    _ingest(message, reply)
    if reply is None:
        transition(message, State.DEFERRED, State.NONE, replied_via=Via.NONE)
        return message
    articles = [article.as_dict() for article in reply.articles]
    if not transition(
        message,
        State.DEFERRED,
        State.SENDING,
        reply_text=reply.text,
        reply_articles=articles,
        auto_rule_id=reply.rule_id,
        reply_claimed_at=timezone.now(),
    ):
        return message  # another run of this task claimed it
    try:
        from archivox.platforms.wechat.client import client_for_account
    except Exception as exc:  # not installed, or broken: nothing was sent
        logger.exception("the WeChat API client is not available", extra={"message_id": message.pk})
        transition(message, State.SENDING, State.FAILED, reply_error=describe(exc))
        return message
    try:
        client = client_for_account(message.account)
        # ``sender`` is the openid's digest; the openid itself is kept encrypted.
        if articles:
            client.custom_send_news(message.sender_openid, articles)
        else:
            client.custom_send_text(message.sender_openid, reply.text)
    except Exception as exc:
        logger.warning(
            "customer-service message failed",
            extra={
                "message_id": message.pk,
                "errcode": getattr(exc, "errcode", None),
                "error": describe(exc),
            },
        )
        transition(message, State.SENDING, State.FAILED, reply_error=describe(exc))
        return message
    transition(
        message,
        State.SENDING,
        State.SENT,
        replied_via=Via.CUSTOMER_SERVICE,
        replied_at=timezone.now(),
    )
    logger.info("customer-service reply sent", extra={"message_id": message.pk})
    return message


def inbound_message_replies_resume(*, limit: int = 200) -> int:
    """Queue again deferred replies whose task was lost (queue down when it was enqueued), defer
    messages left pending by a worker that died mid-request, and mark failed the sends a dead
    worker left claimed (``STRANDED_SENDING``), which are never repeated. Safe to repeat: the task
    claims a message before sending. Returns how many were queued."""
    now = timezone.now()
    stranded = InboundMessage.objects.filter(
        reply_state=State.SENDING, reply_claimed_at__lt=now - STRANDED_SENDING
    ).update(
        reply_state=State.FAILED,
        reply_error=_(
            "The worker stopped while sending this reply; it may or may not have reached the "
            "person, so it was not sent again. Answer from the inbox if needed."
        ),
    )
    if stranded:
        logger.warning("wechat replies stranded mid-send marked failed", extra={"count": stranded})
    stale = now - RESUME_AFTER
    window = now - CUSTOMER_SERVICE_WINDOW
    candidates = InboundMessage.objects.filter(
        reply_state__in=[State.PENDING, State.DEFERRED],
        received_at__lt=stale,
        received_at__gt=window,
    ).select_related("archive", "account")[:limit]
    queued = 0
    for message in candidates:
        if message.reply_state == State.PENDING:
            queued += defer_reply(message)
        else:
            transaction.on_commit(partial(_enqueue_reply, message.pk), robust=True)
            queued += 1
    return queued


def defer_reply(message: InboundMessage) -> int:
    """pending → deferred, and queue the customer-service task once the change is committed."""
    with transaction.atomic():
        won = transition(message, State.PENDING, State.DEFERRED)
        if won:
            transaction.on_commit(partial(_enqueue_reply, message.pk), robust=True)
    return int(won)


def _enqueue_reply(message_id: int) -> None:
    from archivox.consultations.tasks import inbound_message_reply_deferred

    inbound_message_reply_deferred(message_id)


def transition(message: InboundMessage, source: str, target: str, **changes: Any) -> bool:
    """Move ``message`` from ``source`` to ``target`` only if it is still in ``source``.

    Returns whether this call made the change; either way ``message`` reflects the database."""
    updated = InboundMessage.objects.filter(pk=message.pk, reply_state=source).update(
        reply_state=target, **changes
    )
    if updated:
        message.reply_state = target
        for name, value in changes.items():
            setattr(message, name, value)
    else:
        message.refresh_from_db(
            fields=[
                "reply_state",
                "reply_text",
                "reply_articles",
                "replied_via",
                "replied_at",
                "reply_error",
            ]
        )
    return bool(updated)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
