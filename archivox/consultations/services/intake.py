"""Messages coming in from every channel but the WeChat callback's fast path (``callback``):
stored once, checked for floods and threaded into consultations. E-mail (an MTA pipe or IMAP) and
Weibo (polled) arrive here; the portal's form through ``asking``.

- Ingestion stores first (one ``InboundMessage`` per message, deduplicated by the platform's id)
  and threads after: one person on one channel has at most one open consultation (a partial
  unique constraint), which a new message re-opens to wait for us again.
- Floods: more than the archive's ``flood_per_minute`` messages a minute from one sender are
  stored and threaded, marked ``flood``, and neither answered automatically nor confirmed.
- Oversized text is cut at ``MAX_CONTENT_CHARS``; ``truncated`` and ``original_length`` say so.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import time
from contextlib import nullcontext
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.consultations.models import Consultation, InboundMessage, WeiboCursor
from archivox.consultations.people import sender_key
from archivox.consultations.selectors import inbox_settings_cached
from archivox.consultations.services.lifecycle import due_for
from archivox.core.models import Archive, PlatformAccount

logger = logging.getLogger(__name__)

Status = Consultation.Status
Channel = InboundMessage.Channel

MAX_CONTENT_CHARS = 10_000


def _cut(text: str) -> tuple[str, bool, int | None]:
    if len(text) <= MAX_CONTENT_CHARS:
        return text, False, None
    return text[:MAX_CONTENT_CHARS], True, len(text)


def inbound_flooding(*, message: InboundMessage, stored: bool = True) -> bool:
    """Whether ``message`` is beyond its sender's per-minute limit on its channel; if so it is
    marked ``flood``. Counts the stored messages of the last minute (an indexed read, no extra
    write on the callback's path), so nothing is lost either way. ``stored=False``: ``message``
    is not saved yet (the WeChat callback decides before its INSERT) and counts as one more."""
    from archivox.consultations.replies import TO_STAFF_TYPES

    if message.channel == Channel.WECHAT and message.msg_type not in TO_STAFF_TYPES:
        return False
    limit = inbox_settings_cached(message.archive_id).flood_per_minute
    since = message.received_at - datetime.timedelta(seconds=60)
    if _messages_between(message, since, limit + 1) + (0 if stored else 1) <= limit:
        return False
    if stored:
        InboundMessage.objects.filter(pk=message.pk).update(flood=True)
    message.flood = True
    logger.warning(
        "inbox: flood from one sender; stored, not answered",
        extra={"archive": message.archive_id, "channel": message.channel, "sender": message.sender},
    )
    return True


def _messages_between(message: InboundMessage, since: datetime.datetime, limit: int) -> int:
    """How many messages ``message``'s sender sent on its channel and archive after ``since``,
    up to ``message`` and counting at most ``limit``. Hand-written SQL because it runs on every
    callback, where building the ORM query cost more than the indexed read itself.

    ``archive_id + 0``: only the sender's index (``inbound_sender_received``) may answer it.
    With the archive as an index column, PostgreSQL's planner, which expects one row either
    way, took the delivery constraint's index (archive, channel, dedupe_key) and filtered every
    message of the archive for the sender: 57 ms at 8,000 messages, growing with the inbox,
    on every callback (issue 24)."""
    connection = connections[InboundMessage.objects.db]
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(InboundMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM "  # noqa: S608 - the table name is ours
            + table
            + " WHERE channel = %s AND sender = %s AND archive_id + 0 = %s"
            " AND received_at > %s AND received_at <= %s LIMIT %s) AS recent",
            [
                message.channel,
                message.sender,
                message.archive_id,
                adapt(since),
                adapt(message.received_at),
                limit,
            ],
        )
        return cursor.fetchone()[0]


def inbound_store(
    *,
    archive: Archive,
    channel: str,
    sender: str,
    msg_type: str,
    content: str,
    dedupe_key: str,
    account: PlatformAccount | None = None,
    payload: dict[str, Any] | None = None,
    raw: str = "",
    create_time: int | None = None,
    truncated: bool = False,
    original_length: int | None = None,
) -> tuple[InboundMessage, bool]:
    """Store a message from Weibo, the web form or email once (by ``dedupe_key``).

    Such messages are never auto-answered on their channel (``reply_state`` none). ``sender``
    is who sent it on the channel; a Weibo uid is stored as its keyed digest."""
    content, cut, length = _cut(content)
    raw, raw_cut, _raw_length = (
        _cut(raw) if len(raw) > 4 * MAX_CONTENT_CHARS else (raw, False, None)
    )
    message = InboundMessage(
        archive=archive,
        account=account,
        channel=channel,
        sender=sender_key(channel, sender)[:128],
        sender_openid=sender if channel == Channel.WECHAT else "",
        msg_type=msg_type,
        create_time=create_time if create_time is not None else int(time.time()),
        content=content,
        payload=payload or {},
        raw=raw,
        dedupe_key=dedupe_key[:255],
        reply_state=InboundMessage.ReplyState.NONE,
        replied_via=InboundMessage.RepliedVia.NONE,
        truncated=truncated or cut or raw_cut,
        original_length=original_length or length,
    )
    message.full_clean(
        exclude=["archive", "account", "auto_rule", "consultation"],
        validate_unique=False,
        validate_constraints=False,
    )
    connection = transaction.get_connection()
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            message.save(force_insert=True)
    except IntegrityError:
        existing = InboundMessage.objects.filter(
            archive=archive, channel=channel, dedupe_key=message.dedupe_key
        ).first()
        if existing is None:
            raise
        return existing, False
    return message, True


def _subject_of(message: InboundMessage) -> str:
    if message.channel == Channel.EMAIL and (message.payload or {}).get("subject"):
        return str(message.payload["subject"])[:200]
    if message.content.strip():
        return " ".join(message.content.split())[:80]
    labels = {
        "image": _("[picture]"),
        "voice": _("[voice message]"),
        "video": _("[video]"),
        "shortvideo": _("[video]"),
        "location": _("[location]"),
        "link": _("[link]"),
    }
    recognition = str((message.payload or {}).get("Recognition", "")).strip()
    if message.msg_type == "voice" and recognition:
        # WeChat's speech recognition, when the account has it switched on.
        return f"{labels['voice']} {recognition}"[:80]
    if message.msg_type == "link":
        return str((message.payload or {}).get("Title", ""))[:80] or labels["link"]
    return labels.get(message.msg_type, f"[{message.msg_type}]")


def consultation_ingest(
    *, message: InboundMessage, person_name: str = "", person_email: str = ""
) -> Consultation:
    """Thread ``message`` into its person's open consultation on its channel, or open one.

    Idempotent: a message already threaded returns its consultation."""
    if message.consultation_id:
        return Consultation.objects.get(pk=message.consultation_id)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _ingest_once(message, person_name, person_email)
        except IntegrityError:
            # Another message of the same person opened the consultation at the same moment.
            continue
    raise RuntimeError("could not thread the message")


def _ingest_once(message: InboundMessage, person_name: str, person_email: str) -> Consultation:
    archive = message.archive
    at = message.received_at
    consultation = (
        Consultation.objects.select_for_update()
        .filter(archive=archive, channel=message.channel, person=message.sender)
        .exclude(status=Status.CLOSED)
        .first()
    )
    # A follower's answers go back to the openid, which only the message holds (encrypted).
    openid = message.sender_openid if message.channel == Channel.WECHAT else ""
    if consultation is None:
        consultation = Consultation(
            archive=archive,
            channel=message.channel,
            account=message.account,
            person=message.sender,
            person_openid=openid,
            person_name=person_name[:200],
            person_email=person_email,
            subject=_subject_of(message),
            status=Status.NEW,
            opened_at=at,
            last_inbound_at=at,
            awaiting_since=at,
            due_at=due_for(archive, at),
            flood=message.flood,
            token=secrets.token_urlsafe(24),
        )
        consultation.full_clean(exclude=["archive", "account", "assignee"])
        consultation.save(force_insert=True)
    else:
        changed = ["last_inbound_at"]
        consultation.last_inbound_at = max(consultation.last_inbound_at, at)
        if consultation.status in (Status.ANSWERED, Status.WAITING):
            consultation.status = Status.ASSIGNED if consultation.assignee_id else Status.NEW
            consultation.awaiting_since = at
            consultation.due_at = due_for(archive, at)
            changed += ["status", "awaiting_since", "due_at"]
        if message.flood and not consultation.flood:
            consultation.flood = True
            changed.append("flood")
        if person_name and not consultation.person_name:
            consultation.person_name = person_name[:200]
            changed.append("person_name")
        if person_email and not consultation.person_email:
            consultation.person_email = person_email
            changed.append("person_email")
        if openid and not consultation.person_openid:
            consultation.person_openid = openid
            changed.append("person_openid")
        consultation.save(update_fields=changed)
    InboundMessage.objects.filter(pk=message.pk, consultation__isnull=True).update(
        consultation=consultation
    )
    message.consultation = consultation
    return consultation


def consultation_ingest_sweep(*, limit: int = 500) -> int:
    """Thread WeChat messages the callback could not (an error after the store). Returns how
    many were threaded."""
    from archivox.consultations.replies import TO_STAFF_TYPES

    now = timezone.now()
    State = InboundMessage.ReplyState
    missed = InboundMessage.objects.filter(
        channel=Channel.WECHAT,
        consultation__isnull=True,
        auto_rule__isnull=True,
        msg_type__in=TO_STAFF_TYPES,
        received_at__lt=now - datetime.timedelta(minutes=1),
        received_at__gt=now - datetime.timedelta(days=2),
    ).exclude(reply_state__in=[State.PENDING, State.DEFERRED, State.SENDING])
    threaded = 0
    for message in missed.select_related("archive", "account")[:limit]:
        consultation_ingest(message=message)
        threaded += 1
    return threaded


def inbound_receive(
    *,
    archive: Archive,
    channel: str,
    sender: str,
    msg_type: str,
    content: str,
    dedupe_key: str,
    person_name: str = "",
    person_email: str = "",
    **fields: Any,
) -> tuple[InboundMessage, Consultation, bool]:
    """Store a message (``inbound_store``), check it for a flood when it is new, and thread it:
    ``(message, consultation, created)``."""
    message, created = inbound_store(
        archive=archive,
        channel=channel,
        sender=sender,
        msg_type=msg_type,
        content=content,
        dedupe_key=dedupe_key,
        **fields,
    )
    if created:
        inbound_flooding(message=message)
    consultation = consultation_ingest(
        message=message, person_name=person_name, person_email=person_email
    )
    return message, consultation, created


# ── email ─────────────────────────────────────────────────────────────────────────────────────


def email_receive(*, archive: Archive, raw: bytes) -> tuple[InboundMessage, Consultation, bool]:
    """One email (an MTA pipe or IMAP): parsed as hostile input, stored once by Message-ID (or
    by content when it has none), threaded by sender. ``MailError`` when nobody can be answered."""
    from archivox.platforms.mail.parse import parse_email

    parsed = parse_email(raw)
    key = parsed.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    payload = parsed.as_payload()
    if parsed.truncated:
        payload["truncated_from_bytes"] = parsed.original_length
    return inbound_receive(
        archive=archive,
        channel=Channel.EMAIL,
        sender=parsed.from_address,
        msg_type="email",
        content=parsed.text,
        dedupe_key=f"email:{key}",
        payload=payload,
        raw=raw[:200_000].decode("utf-8", errors="replace"),
        truncated=parsed.truncated,
        original_length=parsed.original_length if parsed.truncated else None,
        person_name=parsed.from_name,
        person_email=parsed.from_address,
    )


def imap_poll() -> int:
    """Store unseen messages of the IMAP mailbox configured by the environment (see
    ``platforms.mail.imap``); each is marked seen only once stored. Returns how many."""
    from archivox.platforms.mail.imap import ImapSettings, fetch_unseen
    from archivox.platforms.mail.parse import MailError

    config = ImapSettings.from_environment()
    if config is None:
        return 0
    archive = Archive.objects.get(slug=config.archive)
    stored = 0
    for raw, mark_seen in fetch_unseen(config):
        try:
            _message, _consultation, created = email_receive(archive=archive, raw=raw)
        except MailError as exc:
            logger.warning("imap: message refused: %s", exc)
        else:
            stored += int(created)
        mark_seen()
    return stored


# ── Weibo ─────────────────────────────────────────────────────────────────────────────────────

WEIBO_STREAMS = (
    ("comments", "poll_comments", "comment"),
    ("comment_mentions", "poll_comment_mentions", "comment"),
    ("mentions", "poll_mentions", "mention"),
)


def _weibo_time(value: str) -> int:
    try:
        return int(datetime.datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").timestamp())
    except (TypeError, ValueError):
        return int(time.time())


def weibo_poll(*, account: PlatformAccount) -> int:
    """Read new comments and mentions of a Weibo account into the inbox; returns how many new
    messages were stored. Each stream's cursor moves only after its items are stored."""
    from archivox.platforms.weibo.client import client_for_account, item_id

    stored = 0
    with client_for_account(account) as client:
        for stream, method, kind in WEIBO_STREAMS:
            cursor, _ = WeiboCursor.objects.get_or_create(account=account, stream=stream)
            items, since = getattr(client, method)(cursor.since_id)
            with transaction.atomic():
                for item in items:
                    user = item.get("user") or {}
                    uid = str(user.get("idstr") or user.get("id") or "")
                    if not uid or uid == account.weibo_uid:
                        continue  # our own comments and replies
                    status = item.get("status") or {}
                    payload = {
                        "id": str(item_id(item)),
                        "kind": kind,
                        "status_id": str(status.get("idstr") or status.get("id") or "")
                        if kind == "comment"
                        else str(item_id(item)),
                        "screen_name": str(user.get("screen_name", ""))[:100],
                        "created_at": str(item.get("created_at", "")),
                    }
                    key = f"{'comment' if kind == 'comment' else 'status'}:{item_id(item)}"
                    _message, _c, created = inbound_receive(
                        archive=account.archive,
                        account=account,
                        channel=Channel.WEIBO,
                        sender=uid,
                        msg_type=kind,
                        content=str(item.get("text", "")),
                        dedupe_key=key,
                        payload=payload,
                        create_time=_weibo_time(str(item.get("created_at", ""))),
                        person_name=payload["screen_name"],
                    )
                    stored += int(created)
                cursor.since_id = since
                cursor.polled_at = timezone.now()
                cursor.save(update_fields=["since_id", "polled_at"])
    return stored


def weibo_poll_all() -> int:
    stored = 0
    accounts = PlatformAccount.objects.select_related("archive").filter(
        platform=PlatformAccount.Platform.WEIBO, is_active=True
    )
    for account in accounts:
        try:
            stored += weibo_poll(account=account)
        except Exception:
            logger.exception("inbox: weibo poll failed", extra={"account": account.pk})
    return stored
