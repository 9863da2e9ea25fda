"""Receiving messages from the platforms and answering them.

The WeChat callback (DESIGN.md, "Nothing lost" and "WeChat's rules we live by"):

1. ``open_message`` verifies, decrypts and validates the delivery; a refusal stores nothing.
2. The message is committed before any answer leaves. A platform retry finds the stored row
   through a unique constraint (insert first, then read on conflict), which holds under
   concurrent retries on SQLite and PostgreSQL alike.
3. An answer the per-process caches give at once (acknowledgement, keyword rule, welcome) is
   decided before the INSERT and stored with the message in one statement. Anything else (a
   catalog search, a cold cache) is stored *pending* first; the first delivery then asks the reply
   hook (``replies.reply_for``) in a worker thread, for at most ``REPLY_BUDGET_SECONDS`` since the
   request arrived. A reply ready in time is recorded and sent back passively; otherwise the
   message is marked *deferred*, WeChat is told ``success`` and a task (queued on commit) sends
   the reply as a customer-service message.
4. A retry waits (within the same budget) for the first delivery's decision, then answers the
   same way: the same passive text, or ``success`` when the answer went or goes another way.

Every change of ``reply_state`` is a conditional update from the state it must leave, so two
deliveries, two workers or a re-queued task can never answer one message twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import F
from django.utils import timezone

from archivox.consultations import replies
from archivox.consultations.models import InboundMessage
from archivox.consultations.people import sender_key
from archivox.consultations.selectors import inbound_message_get, wechat_account_for_callback
from archivox.consultations.services.deferred import defer_reply, describe, transition
from archivox.consultations.services.intake import consultation_ingest, inbound_flooding
from archivox.consultations.wechat_callback import (
    CallbackRefused,
    WeChatMessage,
    open_message,
    passive_news_reply,
    passive_text_reply,
    seal_reply,
    verify_url,
)
from archivox.core.models import PlatformAccount

logger = logging.getLogger(__name__)

# How long the callback may spend deciding a passive reply, counted from the request's arrival.
# WeChat gives up after 5 s; what is left covers the network and a loaded server. Tests set it to
# 0 to force the customer-service path (setting ARCHIVOX_WECHAT_REPLY_BUDGET).
REPLY_BUDGET_SECONDS = float(getattr(settings, "ARCHIVOX_WECHAT_REPLY_BUDGET", 3.0))
# How often a retry looks whether the first delivery has decided its answer.
DUPLICATE_POLL_SECONDS = 0.05
# Worker threads per process that run the reply hook under the budget.
REPLY_THREADS = 8
SUCCESS = "success"
State = InboundMessage.ReplyState
Via = InboundMessage.RepliedVia


@dataclass(frozen=True)
class CallbackAnswer:
    """What the callback sends back to WeChat."""

    body: str
    content_type: str
    message: InboundMessage
    duplicate: bool


def wechat_url_verify(*, account: PlatformAccount, query: Any, now: float | None = None) -> str:
    """GET verification of the server address: ``echostr`` when the signature is the account's."""
    return verify_url(query, token=account.token, now=time.time() if now is None else now)


def wechat_callback_receive(
    *,
    account: PlatformAccount,
    query: Any,
    body: bytes,
    now: float | None = None,
    started: float | None = None,
) -> CallbackAnswer:
    """A POSTed delivery → stored message → the answer (passive reply XML or ``success``).

    Raises ``CallbackRefused`` (nothing stored) for anything that does not verify.
    ``started`` is ``time.monotonic()`` when the request arrived (the budget counts from it)."""
    started = time.monotonic() if started is None else started
    now = time.time() if now is None else now
    try:
        delivery = _open(account, query, body, now)
    except CallbackRefused:
        # The account may come from the per-process cache: check against fresh credentials.
        fresh = wechat_account_for_callback(slug=account.archive.slug, fresh=True)
        if fresh is None or _credentials(fresh) == _credentials(account):
            raise
        account = fresh
        delivery = _open(account, query, body, now)
    deadline = started + REPLY_BUDGET_SECONDS
    message = _inbound_message_build(account=account, delivery=delivery)
    # Most answers (the acknowledgement, a keyword rule, the welcome) come from the per-process
    # caches in microseconds: decided before the INSERT, they are committed with the message in
    # one statement, so nothing leaves before its message is stored and one write is saved.
    if message.reply_state == State.PENDING and inbound_flooding(message=message, stored=False):
        # Kept (and shown in the inbox), but a flood is not answered message by message.
        message.reply_state, message.replied_via = State.NONE, Via.NONE
        answered, reply = True, None
    else:
        answered, reply = _answer_from_memory(message, deadline)
    try:
        message, created = _inbound_message_insert(message=message, delivery=delivery)
    except IntegrityError:
        if not answered:
            raise
        # The cached rule behind the answer was deleted in another process meanwhile (its id
        # no longer satisfies the foreign key): forget this process's rules, store the message
        # pending and answer it afresh from the database.
        logger.info("a cached auto-reply rule is gone; storing the message first")
        replies.rules_cache_clear(account.archive_id)
        answered, reply = False, None
        message = _inbound_message_build(account=account, delivery=delivery)
        message, created = _inbound_message_insert(message=message, delivery=delivery)
    if created:
        if answered:
            _ingest_after_answer(message, reply)
        else:
            # A catalog search or a cold cache: stored pending first, then answered in a thread.
            inbound_message_reply_decide(message=message, deadline=deadline)
    else:
        logger.info(
            "wechat delivery repeated; answering as before",
            extra={"archive": account.archive.slug, "message_id": message.pk},
        )
        _wait_for_decision(message=message, deadline=deadline)
        if message.reply_state == State.PASSIVE and not replies.stored_reply_still_public(message):
            # The stored answer names catalog material that is no longer open to the public.
            logger.info(
                "wechat retry: the stored answer no longer passes the access gateway; not resent",
                extra={"archive": account.archive.slug, "message_id": message.pk},
            )
            return CallbackAnswer(SUCCESS, "text/plain; charset=utf-8", message, True)
    if message.reply_state == State.PASSIVE:
        if message.reply_articles:
            xml = passive_news_reply(delivery, message.reply_articles, now=now)
        else:
            xml = passive_text_reply(delivery, message.reply_text, now=now)
        sealed = seal_reply(
            xml,
            message=delivery,
            token=account.token,
            encoding_aes_key=account.encoding_aes_key,
            appid=account.appid,
            now=now,
        )
        return CallbackAnswer(sealed, "application/xml; charset=utf-8", message, not created)
    return CallbackAnswer(SUCCESS, "text/plain; charset=utf-8", message, not created)


def _open(account: PlatformAccount, query: Any, body: bytes, now: float) -> WeChatMessage:
    return open_message(
        query,
        body,
        token=account.token,
        encoding_aes_key=account.encoding_aes_key,
        appid=account.appid,
        message_mode=account.message_mode,
        now=now,
    )


def _credentials(account: PlatformAccount) -> tuple[str, str, str, str]:
    """What decides whether a delivery opens (a change made elsewhere counts at once)."""
    return (account.token, account.encoding_aes_key, account.appid, account.message_mode)


def _inbound_message_build(*, account: PlatformAccount, delivery: WeChatMessage) -> InboundMessage:
    """The unsaved message for a verified delivery, its fields checked. The sender's openid is
    kept only encrypted (``sender_openid``, for a customer-service reply); ``sender``, the
    payload and the raw XML hold its keyed digest: one HMAC here, no query."""
    openid = delivery.sender
    key = sender_key(InboundMessage.Channel.WECHAT, openid)
    payload = dict(delivery.fields)
    payload["FromUserName"] = key
    message = InboundMessage(
        archive=account.archive,
        account=account,
        channel=InboundMessage.Channel.WECHAT,
        transport=delivery.transport,
        sender=key,
        sender_openid=openid,
        recipient=delivery.recipient,
        msg_type=delivery.msg_type,
        event=delivery.event,
        msg_id=delivery.msg_id,
        create_time=delivery.create_time,
        content=delivery.content,
        payload=payload,
        raw=delivery.raw.replace(openid, key),
        dedupe_key=delivery.dedupe_key,
    )
    if not delivery.is_known:
        message.reply_state = State.NONE
        message.replied_via = Via.NONE
        logger.info(
            "wechat message of unknown type stored and ignored",
            extra={
                "archive": account.archive.slug,
                "msg_type": delivery.msg_type,
                "event": delivery.event,
            },
        )
    # Field shapes are checked here; the archive and account were just read, and uniqueness is
    # the database's to decide (the insert races other deliveries on purpose).
    message.full_clean(
        exclude=["archive", "account"], validate_unique=False, validate_constraints=False
    )
    return message


def _answer_from_memory(
    message: InboundMessage, deadline: float
) -> tuple[bool, replies.Reply | None]:
    """Decide the unsaved ``message``'s answer from the per-process caches, setting its reply
    fields: ``(True, reply)``. ``(False, None)`` leaves it pending for the store-first path (a
    catalog search, a cold cache, no time left, or a hook that failed: that path runs it again
    and records the failure)."""
    if message.reply_state != State.PENDING or deadline <= time.monotonic():
        return False, None
    try:
        reply = replies.reply_for(message, memory_only=True)
    except replies.NotInMemory:
        return False, None
    except Exception:
        logger.exception("the reply hook failed from memory; trying again after the store")
        return False, None
    if reply is None:
        message.reply_state, message.replied_via = State.NONE, Via.NONE
    else:
        message.reply_state = State.PASSIVE
        message.reply_text = reply.text
        message.reply_articles = [article.as_dict() for article in reply.articles]
        message.auto_rule_id = reply.rule_id
        message.replied_via = Via.PASSIVE
        message.replied_at = timezone.now()
    return True, reply


def _inbound_message_insert(
    *, message: InboundMessage, delivery: WeChatMessage
) -> tuple[InboundMessage, bool]:
    """INSERT ``message``, or return the row an earlier try of the same delivery stored."""
    # One INSERT, committed on its own: in autocommit mode (a callback) no transaction is opened
    # around it, so SQLite's write lock is held for the statement only, not while Python builds
    # it; inside a caller's transaction a savepoint keeps a conflict from spoiling that.
    connection = transaction.get_connection()
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            message.save(force_insert=True)
    except IntegrityError:
        existing = (
            InboundMessage.objects.filter(
                archive=message.archive,
                channel=InboundMessage.Channel.WECHAT,
                dedupe_key=delivery.dedupe_key,
            )
            .select_related("archive", "account")
            .first()
        )
        if existing is None:  # not the delivery constraint: a real error
            raise
        InboundMessage.objects.filter(pk=existing.pk).update(deliveries=F("deliveries") + 1)
        return existing, False
    return message, True


def inbound_message_reply_decide(*, message: InboundMessage, deadline: float) -> InboundMessage:
    """Ask the hook for a passive reply before ``deadline`` (``time.monotonic()``); record it,
    or defer the message to the customer-service task. ``message`` ends up re-read when another
    delivery decided first."""
    if message.reply_state != State.PENDING:
        return message
    try:
        if deadline <= time.monotonic():
            raise replies.NotInMemory("no time left")  # _reply_within defers it
        # Most replies come from the per-process caches: no thread, no query.
        outcome, reply, error = "ready", replies.reply_for(message, memory_only=True), ""
    except replies.NotInMemory:
        outcome, reply, error = _reply_within(message, deadline)
    except Exception as exc:
        logger.exception("the reply hook failed", extra={"message_id": message.pk})
        outcome, reply, error = "error", None, describe(exc)
    if outcome == "late":
        logger.info(
            "wechat reply not ready within the budget; deferred to a customer-service message",
            extra={"archive": message.archive.slug, "message_id": message.pk},
        )
        defer_reply(message)
        return message  # the task decides whether it goes to the inbox
    if outcome == "error":
        transition(message, State.PENDING, State.FAILED, reply_error=error)
    elif reply is None:
        transition(message, State.PENDING, State.NONE, replied_via=Via.NONE)
    else:
        transition(
            message,
            State.PENDING,
            State.PASSIVE,
            reply_text=reply.text,
            reply_articles=[article.as_dict() for article in reply.articles],
            auto_rule_id=reply.rule_id,
            replied_via=Via.PASSIVE,
            replied_at=timezone.now(),
        )
    _ingest_after_answer(message, reply)
    return message


def _ingest_after_answer(message: InboundMessage, reply: replies.Reply | None) -> None:
    """Thread the message into the inbox from a task, not inside the callback: WeChat waits for
    the answer, staff do not wait for a few milliseconds. The sweep threads what a lost task
    missed; the task is idempotent."""
    if not replies.needs_consultation(message, reply):
        return
    transaction.on_commit(partial(_enqueue_thread, message.pk), robust=True)


def _enqueue_thread(message_id: int) -> None:
    from archivox.consultations.tasks import inbound_message_thread

    inbound_message_thread(message_id)


def inbound_message_thread(*, message_id: int) -> None:
    """The task's side of ``_ingest_after_answer``: join or open the person's consultation."""
    message = inbound_message_get(pk=message_id)
    consultation_ingest(message=message)


# ── internals ─────────────────────────────────────────────────────────────────────────────────


_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _reply_pool() -> ThreadPoolExecutor:
    """One pool per process (created after a fork, never inherited)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (
                os.getpid(),
                ThreadPoolExecutor(max_workers=REPLY_THREADS, thread_name_prefix="wechat-reply"),
            )
        return _pool[1]


def _reply_in_thread(message: InboundMessage) -> replies.Reply | None:
    try:
        return replies.reply_for(message)
    finally:
        # Connections are per thread and the pool's threads live on: keep the thread's
        # connection for CONN_MAX_AGE like a request does (opening one costs more than the
        # reply on PostgreSQL), and drop it when it is broken or old.
        close_old_connections()


def reply_pool_close() -> None:
    """Close the reply threads' database connections and the pool (tests, before the test
    database is dropped). Each thread runs exactly one closing task: they wait for each other."""
    global _pool
    with _pool_lock:
        found, _pool = _pool, None
    if found is None or found[0] != os.getpid():
        return
    pool = found[1]
    barrier = threading.Barrier(REPLY_THREADS, timeout=10)

    def close_this_thread() -> None:
        connections.close_all()
        with suppress(threading.BrokenBarrierError):
            barrier.wait()

    for _thread in range(REPLY_THREADS):
        pool.submit(close_this_thread)
    pool.shutdown(wait=True)


def _reply_within(
    message: InboundMessage, deadline: float
) -> tuple[str, replies.Reply | None, str]:
    """("ready", reply, "") | ("late", None, "") | ("error", None, description)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return "late", None, ""
    future = _reply_pool().submit(_reply_in_thread, message)
    try:
        return "ready", future.result(timeout=remaining), ""
    except FuturesTimeout:
        future.cancel()  # if it has not started; a running hook finishes and is ignored
        return "late", None, ""
    except Exception as exc:
        logger.exception("the reply hook failed", extra={"message_id": message.pk})
        return "error", None, describe(exc)


def _wait_for_decision(*, message: InboundMessage, deadline: float) -> None:
    """A retry arrived: wait for the first delivery's decision until ``deadline``. If it never
    comes (that request died or is stuck), take over by deferring to customer service."""
    while message.reply_state == State.PENDING and time.monotonic() < deadline:
        time.sleep(DUPLICATE_POLL_SECONDS)
        message.refresh_from_db(
            fields=["reply_state", "reply_text", "reply_articles", "replied_via"]
        )
    if message.reply_state == State.PENDING:
        defer_reply(message)
