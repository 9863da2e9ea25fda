"""The consultation inbox: messages from every channel threaded into consultations, answered on
the channel they came from. Re-exported by ``services`` (the app's service layer).

- Ingestion stores first (one ``InboundMessage`` per message, deduplicated by the platform's id)
  and threads after: one person on one channel has at most one open consultation (a partial
  unique constraint), which a new message re-opens to wait for us again.
- Floods: more than the archive's ``flood_per_minute`` messages a minute from one sender are
  stored and threaded, marked ``flood``, and neither answered automatically nor confirmed.
- Oversized text is cut at ``MAX_CONTENT_CHARS``; ``truncated`` and ``original_length`` say so.
- Answers go back on the channel the consultation came from; a platform call is made outside any
  transaction, after the answer is recorded as *sending*, and its outcome recorded after.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import time
from contextlib import nullcontext
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.consultations.models import (
    AutoReplyRule,
    CannedAnswer,
    Consultation,
    ConsultationAnswer,
    ConsultationNote,
    ConsultationTag,
    InboundMessage,
    InboxSettings,
    WeiboCursor,
)
from archivox.consultations.selectors import (
    inbox_settings_cache_clear,
    inbox_settings_cached,
    inbox_settings_for,
)
from archivox.core.models import Archive, PlatformAccount
from archivox.core.ratelimit import ratelimit_hit
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record

logger = logging.getLogger(__name__)

Status = Consultation.Status
Channel = InboundMessage.Channel

MAX_CONTENT_CHARS = 10_000
CUSTOMER_SERVICE_WINDOW = datetime.timedelta(hours=48)
WEIBO_TEXT_LIMIT = 140
ASK_LIMIT_PER_IP = 5  # questions from one address …
ASK_WINDOW_SECONDS = 600  # … per ten minutes
FEEDBACK_LIMIT_PER_CLIENT = 10  # ratings from one address (the form and the API alike) …
FEEDBACK_WINDOW_SECONDS = 600  # … per ten minutes
AWAITING = (Status.NEW, Status.ASSIGNED)


def _may(*, user: Any, archive: Archive, capability: str) -> None:
    """Staff changes are checked; ``user=None`` is the system (commands, tasks, tests' setup)."""
    if user is not None:
        archive_check_capability(user=user, archive=archive, capability=capability)


class InboxError(Exception):
    """A refusal with a message fit for the person or the staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AskRateLimited(InboxError):
    pass


class AnswerRefused(InboxError):
    pass


class FeedbackRateLimited(InboxError):
    pass


# ── promises and settings ─────────────────────────────────────────────────────────────────────


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` plus ``days`` working days (Monday to Friday) in the archive's time zone: a
    question of Friday 17:00 with a 1-day promise is due Monday 17:00; one of Saturday, Monday."""
    local = timezone.localtime(start)
    remaining = max(0, days)
    while remaining:
        local += datetime.timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    if days == 0:
        return start
    return local


def due_for(archive: Archive, since: datetime.datetime) -> datetime.datetime:
    return add_working_days(since, inbox_settings_cached(archive.pk).promise_working_days)


@transaction.atomic
def inbox_settings_update(
    *,
    actor: Any,
    archive: Archive,
    promise_working_days: int | None = None,
    flood_per_minute: int | None = None,
    tags: list[str] | None = None,
) -> InboxSettings:
    _may(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    current = inbox_settings_for(archive)
    before = {
        "promise_working_days": current.promise_working_days,
        "flood_per_minute": current.flood_per_minute,
        "tags": list(current.tags),
    }
    if promise_working_days is not None:
        current.promise_working_days = promise_working_days
    if flood_per_minute is not None:
        current.flood_per_minute = flood_per_minute
    if tags is not None:
        current.tags = _clean_tags(tags)
    if not 0 <= current.promise_working_days <= 30:
        raise ValidationError({"promise_working_days": _("Between 0 and 30 working days.")})
    if not 1 <= current.flood_per_minute <= 1000:
        raise ValidationError({"flood_per_minute": _("Between 1 and 1000 messages a minute.")})
    current.full_clean()
    current.save()
    transaction.on_commit(inbox_settings_cache_clear)
    inbox_settings_cache_clear()
    audit_record(
        actor=actor,
        action="inbox.settings_update",
        obj=current,
        archive=archive,
        before=before,
        after={
            "promise_working_days": current.promise_working_days,
            "flood_per_minute": current.flood_per_minute,
            "tags": current.tags,
        },
    )
    return current


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split())[:50]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned[:50]


# ── storing and threading ─────────────────────────────────────────────────────────────────────


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
    callback, where building the ORM query cost more than the indexed read itself."""
    connection = connections[InboundMessage.objects.db]
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(InboundMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM "  # noqa: S608 - the table name is ours
            + table
            + " WHERE channel = %s AND sender = %s AND archive_id = %s"
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

    Such messages are never auto-answered on their channel (``reply_state`` none)."""
    content, cut, length = _cut(content)
    raw, raw_cut, _raw_length = (
        _cut(raw) if len(raw) > 4 * MAX_CONTENT_CHARS else (raw, False, None)
    )
    message = InboundMessage(
        archive=archive,
        account=account,
        channel=channel,
        sender=sender[:128],
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
    if consultation is None:
        consultation = Consultation(
            archive=archive,
            channel=message.channel,
            account=message.account,
            person=message.sender,
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


def _receive(
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


# ── the portal's "ask the archive" form ───────────────────────────────────────────────────────


@dataclass(frozen=True)
class AskReceipt:
    consultation: Consultation
    message: InboundMessage
    due_at: datetime.datetime
    promise_working_days: int
    private_url: str


def consultation_ask(
    *, archive: Archive, name: str, email: str, question: str, client_ip: str = ""
) -> AskReceipt:
    """A question from the portal's form: validated, rate-limited per address, stored and
    threaded (one person = one email address). The answer comes by email and on a private page."""
    name = " ".join((name or "").split())[:200]
    email = (email or "").strip().lower()
    question = (question or "").strip()
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Please give an email address we can answer to.")
    if not question:
        errors["question"] = _("Please write your question.")
    if errors:
        raise ValidationError(errors)
    if client_ip and not ratelimit_hit(
        f"ask:{archive.pk}:{client_ip}", limit=ASK_LIMIT_PER_IP, window=ASK_WINDOW_SECONDS
    ):
        raise AskRateLimited(
            _("You have sent several questions in a short time. Please wait a few minutes.")
        )
    message, consultation, _created = _receive(
        archive=archive,
        channel=Channel.WEB,
        sender=email,
        msg_type="question",
        content=question,
        dedupe_key=f"web:{secrets.token_hex(16)}",
        payload={"name": name, "email": email, "ip": client_ip[:64]},
        person_name=name,
        person_email=email,
    )
    settings_ = inbox_settings_for(archive)
    return AskReceipt(
        consultation=consultation,
        message=message,
        due_at=consultation.due_at or due_for(archive, message.received_at),
        promise_working_days=settings_.promise_working_days,
        private_url=private_url(consultation),
    )


def private_url(consultation: Consultation) -> str:
    path = reverse(
        "ask:private",
        kwargs={"slug": consultation.archive.slug, "token": consultation.token},
    )
    return f"{settings.BASE_URL}{path}"


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
    return _receive(
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
                    _message, _c, created = _receive(
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


# ── staff actions ─────────────────────────────────────────────────────────────────────────────


def _check(actor: Any, consultation: Consultation) -> None:
    _may(user=actor, archive=consultation.archive, capability=Capability.CONSULTATION_ANSWER)


@transaction.atomic
def consultation_assign(*, actor: Any, consultation: Consultation, assignee: Any) -> Consultation:
    _check(actor, consultation)
    if assignee is not None:
        _may(
            user=assignee,
            archive=consultation.archive,
            capability=Capability.CONSULTATION_ANSWER,
        )
    before = {"assignee": str(consultation.assignee or ""), "status": consultation.status}
    consultation.assignee = assignee
    if consultation.status == Status.NEW and assignee is not None:
        consultation.status = Status.ASSIGNED
    elif consultation.status == Status.ASSIGNED and assignee is None:
        consultation.status = Status.NEW
    consultation.save(update_fields=["assignee", "status"])
    audit_record(
        actor=actor,
        action="consultation.assign",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"assignee": str(assignee or ""), "status": consultation.status},
    )
    return consultation


@transaction.atomic
def consultation_tag(
    *, actor: Any, consultation: Consultation, add: list[str] = (), remove: list[str] = ()
) -> list[str]:
    _check(actor, consultation)
    before = sorted(consultation.tags.values_list("name", flat=True))
    for name in _clean_tags(list(add)):
        ConsultationTag.objects.get_or_create(consultation=consultation, name=name)
    names = _clean_tags(list(remove))
    if names:
        consultation.tags.filter(name__in=names).delete()
    after = sorted(consultation.tags.values_list("name", flat=True))
    if before != after:
        audit_record(
            actor=actor,
            action="consultation.tag",
            obj=consultation,
            archive=consultation.archive,
            before={"tags": before},
            after={"tags": after},
        )
    return after


@transaction.atomic
def consultation_note_add(*, actor: Any, consultation: Consultation, text: str) -> ConsultationNote:
    _check(actor, consultation)
    note = ConsultationNote(consultation=consultation, author=actor, text=(text or "").strip())
    if not note.text:
        raise ValidationError({"text": _("The note is empty.")})
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action="consultation.note",
        obj=consultation,
        archive=consultation.archive,
        after={"note": note.text[:200]},
    )
    return note


@transaction.atomic
def consultation_close(*, actor: Any, consultation: Consultation) -> Consultation:
    _check(actor, consultation)
    if consultation.status == Status.CLOSED:
        return consultation
    before = {"status": consultation.status}
    consultation.status = Status.CLOSED
    consultation.closed_at = timezone.now()
    consultation.awaiting_since = consultation.due_at = None
    consultation.save(update_fields=["status", "closed_at", "awaiting_since", "due_at"])
    audit_record(
        actor=actor,
        action="consultation.close",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"status": consultation.status},
    )
    return consultation


@transaction.atomic
def consultation_feedback_rate_check(*, client: str) -> None:
    """Count one feedback attempt from the ``client`` address, before the private link is even
    looked up (so guessing links is limited too); the private page and the API share the count.
    Raises FeedbackRateLimited over the limit."""
    if not ratelimit_hit(
        f"feedback:{client}", limit=FEEDBACK_LIMIT_PER_CLIENT, window=FEEDBACK_WINDOW_SECONDS
    ):
        raise FeedbackRateLimited(
            _("You have rated several times in a short time. Please wait a few minutes.")
        )


def consultation_feedback(*, consultation: Consultation, rating: int, comment: str = "") -> None:
    """The person rates the answer (1–5) and may comment; once answered, and changeable."""
    if consultation.first_response_at is None:
        raise InboxError(_("You can rate the answer once you have received it."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    consultation.rating = rating
    consultation.feedback = (comment or "").strip()[:2000]
    consultation.feedback_at = timezone.now()
    consultation.save(update_fields=["rating", "feedback", "feedback_at"])


# ── answering on the channel it came from ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class Route:
    via: str
    available: bool
    reason: str = ""


def window_closes_at(consultation: Consultation) -> datetime.datetime | None:
    """When WeChat's customer-service window for this person closes (48 h after their last
    message to the account), or None when they never wrote."""
    last = (
        InboundMessage.objects.filter(
            archive=consultation.archive, channel=Channel.WECHAT, sender=consultation.person
        )
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    return None if last is None else last + CUSTOMER_SERVICE_WINDOW


def answer_routes(consultation: Consultation) -> list[Route]:
    """How an answer can reach the person now: the channel first, then alternatives."""
    routes: list[Route] = []
    if consultation.channel == Channel.WECHAT:
        closes = window_closes_at(consultation)
        if closes is None or closes <= timezone.now():
            routes.append(
                Route(
                    ConsultationAnswer.Via.WECHAT,
                    False,
                    _(
                        "WeChat's 48-hour window for this person closed at %(when)s: a "
                        "customer-service message can no longer reach them until they write again."
                    )
                    % {
                        "when": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")
                        if closes
                        else "—"
                    },
                )
            )
        else:
            routes.append(Route(ConsultationAnswer.Via.WECHAT, True))
    elif consultation.channel == Channel.WEIBO:
        routes.append(Route(ConsultationAnswer.Via.WEIBO, True))
    address = consultation.person_email or (
        consultation.person if consultation.channel == Channel.EMAIL else ""
    )
    if address:
        routes.append(Route(ConsultationAnswer.Via.EMAIL, True))
    elif consultation.channel in (Channel.WECHAT, Channel.WEIBO):
        routes.append(
            Route(
                ConsultationAnswer.Via.EMAIL,
                False,
                _("No email address is known for this person; add one if they gave it."),
            )
        )
    return routes


@transaction.atomic
def consultation_email_set(*, actor: Any, consultation: Consultation, email: str) -> Consultation:
    """Record an email address the person gave (another route when a channel is closed)."""
    _check(actor, consultation)
    email = (email or "").strip().lower()
    validate_email(email)
    before = {"person_email": consultation.person_email}
    consultation.person_email = email
    consultation.save(update_fields=["person_email"])
    audit_record(
        actor=actor,
        action="consultation.email_set",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"person_email": email},
    )
    return consultation


def consultation_answer(
    *,
    actor: Any,
    consultation: Consultation,
    text: str,
    via: str | None = None,
    waiting: bool = False,
) -> ConsultationAnswer:
    """Answer the person on the consultation's channel (or ``via`` another open route).

    Refusals before anything is sent raise ``AnswerRefused`` with the reason and what else can
    be done; the draft is the caller's to keep. A WeChat window that closed is recorded as such
    (``state == window``) with the alternatives in ``error``; a platform failure as ``failed``."""
    _check(actor, consultation)
    text = (text or "").strip()
    if not text:
        raise AnswerRefused(_("The answer is empty."))
    if len(text) > 5000:
        raise AnswerRefused(_("The answer is longer than 5000 characters."))
    if consultation.status == Status.CLOSED:
        raise AnswerRefused(_("This consultation is closed."))
    routes = {route.via: route for route in answer_routes(consultation)}
    default = {
        Channel.WECHAT: ConsultationAnswer.Via.WECHAT,
        Channel.WEIBO: ConsultationAnswer.Via.WEIBO,
        Channel.EMAIL: ConsultationAnswer.Via.EMAIL,
        Channel.WEB: ConsultationAnswer.Via.EMAIL,
    }[consultation.channel]
    via = via or default
    route = routes.get(via)
    if route is None:
        raise AnswerRefused(_("This consultation cannot be answered that way."))
    if via == ConsultationAnswer.Via.WEIBO and len(text) > WEIBO_TEXT_LIMIT:
        raise AnswerRefused(
            _("A Weibo reply holds at most %(n)d characters; this one has %(m)d.")
            % {"n": WEIBO_TEXT_LIMIT, "m": len(text)}
        )
    if not route.available and via != ConsultationAnswer.Via.WECHAT:
        raise AnswerRefused(route.reason)
    with transaction.atomic():
        answer = ConsultationAnswer(
            consultation=consultation,
            author=actor,
            text=text,
            via=via,
            state=ConsultationAnswer.State.SENDING,
        )
        answer.full_clean(exclude=["author"])
        answer.save()
    if not route.available:  # WeChat's window closed: recorded, nothing sent
        return _answer_settle(
            answer, actor, ConsultationAnswer.State.WINDOW_CLOSED, _window_message(consultation)
        )
    try:
        external_id = _deliver(answer)
    except Exception as exc:
        errcode = getattr(exc, "errcode", None)
        if errcode == 45015:
            return _answer_settle(
                answer, actor, ConsultationAnswer.State.WINDOW_CLOSED, _window_message(consultation)
            )
        logger.warning(
            "inbox: answer not delivered",
            extra={"consultation": consultation.pk, "via": via, "error": str(exc)[:300]},
        )
        return _answer_settle(
            answer, actor, ConsultationAnswer.State.FAILED, f"{type(exc).__name__}: {exc}"[:1000]
        )
    return _answer_settle(answer, actor, ConsultationAnswer.State.SENT, "", external_id, waiting)


def _window_message(consultation: Consultation) -> str:
    others = [route for route in answer_routes(consultation) if route.available]
    message = _(
        "Not sent: WeChat allows customer-service messages only within 48 hours of the "
        "person's last message, and that window has closed."
    )
    if others:
        message += " " + _("You can send it by %(route)s instead.") % {
            "route": ", ".join(str(ConsultationAnswer.Via(route.via).label) for route in others)
        }
    else:
        message += " " + _(
            "It is kept here; answer when they write again, or record an email address they gave."
        )
    return message


@transaction.atomic
def _answer_settle(
    answer: ConsultationAnswer,
    actor: Any,
    state: str,
    error: str,
    external_id: str = "",
    waiting: bool = False,
) -> ConsultationAnswer:
    answer.state = state
    answer.error = error
    answer.external_id = external_id[:255]
    consultation = Consultation.objects.select_for_update().get(pk=answer.consultation_id)
    before = {"status": consultation.status}
    if state == ConsultationAnswer.State.SENT:
        now = timezone.now()
        answer.sent_at = now
        consultation.first_response_at = consultation.first_response_at or now
        consultation.answered_at = now
        consultation.status = Status.WAITING if waiting else Status.ANSWERED
        consultation.awaiting_since = consultation.due_at = None
        consultation.save(
            update_fields=[
                "first_response_at",
                "answered_at",
                "status",
                "awaiting_since",
                "due_at",
            ]
        )
    answer.save(update_fields=["state", "error", "external_id", "sent_at"])
    audit_record(
        actor=actor,
        action="consultation.answer",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"status": consultation.status, "via": answer.via, "state": state},
    )
    answer.consultation = consultation
    return answer


def _feedback_line(consultation: Consultation) -> str:
    return _("Was this helpful? Rate our answer: %(url)s") % {"url": private_url(consultation)}


def _deliver(answer: ConsultationAnswer) -> str:
    consultation = answer.consultation
    if answer.via == ConsultationAnswer.Via.WECHAT:
        from archivox.platforms.wechat.client import client_for_account

        account = (
            consultation.account
            or PlatformAccount.objects.filter(
                archive=consultation.archive,
                platform=PlatformAccount.Platform.WECHAT,
                is_active=True,
            ).first()
        )
        if account is None:
            raise AnswerRefused(_("The archive has no active WeChat account."))
        url = private_url(consultation)
        text = f'{answer.text}\n\n<a href="{url}">{_("Rate our answer")}</a>'
        with client_for_account(account) as client:
            client.custom_send_text(consultation.person, text)
        return ""
    if answer.via == ConsultationAnswer.Via.WEIBO:
        from archivox.platforms.weibo.client import client_for_account, item_id

        last = (
            consultation.messages.filter(channel=Channel.WEIBO)
            .order_by("-received_at", "-id")
            .first()
        )
        if last is None or consultation.account is None:
            raise AnswerRefused(_("There is no Weibo comment to reply to."))
        payload = last.payload or {}
        with client_for_account(consultation.account) as client:
            if payload.get("kind") == "comment":
                sent = client.comments_reply(
                    status_id=payload["status_id"], comment_id=payload["id"], text=answer.text
                )
            else:
                sent = client.comments_create(status_id=payload["status_id"], text=answer.text)
        return str(item_id(sent)) if isinstance(sent, dict) and sent.get("id") else ""
    # email, for the email channel and the web form
    return _send_email(answer)


def _send_email(answer: ConsultationAnswer) -> str:
    consultation = answer.consultation
    address = consultation.person_email or consultation.person
    archive = consultation.archive
    last = (
        consultation.messages.filter(channel=Channel.EMAIL).order_by("-received_at", "-id").first()
    )
    headers: dict[str, str] = {}
    subject = consultation.subject or _("Your question to %(archive)s") % {"archive": archive}
    if last is not None:
        payload = last.payload or {}
        parent = str(payload.get("message_id") or "")
        if parent:
            headers["In-Reply-To"] = parent
            references = [str(ref) for ref in payload.get("references") or []][-20:]
            headers["References"] = " ".join([*references, parent])
        subject = str(payload.get("subject") or subject)
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    message_id = make_msgid(domain=_mail_domain())
    headers["Message-ID"] = message_id
    body = f"{answer.text}\n\n-- \n{archive}\n{_feedback_line(consultation)}\n"
    EmailMessage(
        subject=" ".join(subject.split())[:200],
        body=body,
        to=[address],
        headers=headers,
    ).send(fail_silently=False)
    return message_id


def _mail_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip(">") if "@" in sender else "archivox.invalid"


# ── canned answers and auto-reply rules ───────────────────────────────────────────────────────


@transaction.atomic
def canned_answer_create(*, actor: Any, archive: Archive, title: str, text: str) -> CannedAnswer:
    _may(user=actor, archive=archive, capability=Capability.CONSULTATION_ANSWER)
    canned = CannedAnswer(archive=archive, title=(title or "").strip(), text=(text or "").strip())
    canned.full_clean()
    canned.save()
    audit_record(actor=actor, action="canned_answer.create", obj=canned, archive=archive)
    return canned


@transaction.atomic
def canned_answer_delete(*, actor: Any, canned: CannedAnswer) -> None:
    _may(user=actor, archive=canned.archive, capability=Capability.CONSULTATION_ANSWER)
    audit_record(actor=actor, action="canned_answer.delete", obj=canned, archive=canned.archive)
    canned.delete()


RULE_FIELDS = (
    "name",
    "match",
    "pattern",
    "priority",
    "kind",
    "text",
    "title",
    "description",
    "url",
    "picurl",
    "max_hits",
    "is_active",
)


def _rules_changed(archive_id: int) -> None:
    from archivox.consultations.replies import rules_cache_clear

    transaction.on_commit(lambda: rules_cache_clear(archive_id))
    rules_cache_clear(archive_id)


@transaction.atomic
def autoreply_rule_create(*, actor: Any, archive: Archive, **values: Any) -> AutoReplyRule:
    _may(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    rule = AutoReplyRule(archive=archive, **values)
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="autoreply_rule.create",
        obj=rule,
        archive=archive,
        after={name: getattr(rule, name) for name in RULE_FIELDS},
    )
    _rules_changed(archive.pk)
    return rule


@transaction.atomic
def autoreply_rule_update(*, actor: Any, rule: AutoReplyRule, **changes: Any) -> AutoReplyRule:
    from archivox.core.services import changes_apply

    _may(user=actor, archive=rule.archive, capability=Capability.ARCHIVE_MANAGE)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    before = changes_apply(rule, changes)
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="autoreply_rule.update",
        obj=rule,
        archive=rule.archive,
        before=before,
        after={name: getattr(rule, name) for name in before},
    )
    _rules_changed(rule.archive_id)
    return rule


@transaction.atomic
def autoreply_rule_delete(*, actor: Any, rule: AutoReplyRule) -> None:
    _may(user=actor, archive=rule.archive, capability=Capability.ARCHIVE_MANAGE)
    audit_record(actor=actor, action="autoreply_rule.delete", obj=rule, archive=rule.archive)
    archive_id = rule.archive_id
    rule.delete()
    _rules_changed(archive_id)


__all__ = [
    "AnswerRefused",
    "AskRateLimited",
    "AskReceipt",
    "FeedbackRateLimited",
    "InboxError",
    "Route",
    "add_working_days",
    "answer_routes",
    "autoreply_rule_create",
    "autoreply_rule_delete",
    "autoreply_rule_update",
    "canned_answer_create",
    "canned_answer_delete",
    "consultation_answer",
    "consultation_ask",
    "consultation_assign",
    "consultation_close",
    "consultation_email_set",
    "consultation_feedback",
    "consultation_feedback_rate_check",
    "consultation_ingest",
    "consultation_ingest_sweep",
    "consultation_note_add",
    "consultation_tag",
    "due_for",
    "email_receive",
    "inbound_flooding",
    "inbound_store",
    "inbox_settings_for",
    "inbox_settings_update",
    "private_url",
    "weibo_poll",
    "weibo_poll_all",
    "window_closes_at",
]


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
