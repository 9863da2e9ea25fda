"""Reads of inbound messages, the platform account a callback speaks for, and the inbox."""

from __future__ import annotations

import datetime
import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from archivox.consultations.models import (
    AutoReplyRule,
    CannedAnswer,
    Consultation,
    ConsultationAnswer,
    ConsultationTag,
    InboundMessage,
    InboxSettings,
)
from archivox.consultations.people import sender_key, sender_keys_for
from archivox.core.models import Archive, PlatformAccount
from archivox.core.selectors import ROLE_CAPABILITIES, Capability, archive_check_capability

AWAITING = (Consultation.Status.NEW, Consultation.Status.ASSIGNED)

# The callback reads its account on every delivery; each process keeps it this long. Changes
# saved in this process clear it at once (apps.py); a signature or ciphertext that fails with a
# cached account is checked again against a fresh read, so new credentials work immediately.
ACCOUNT_CACHE_SECONDS = 10.0
_account_cache: dict[str, tuple[float, PlatformAccount]] = {}


def wechat_account_for_callback(*, slug: str, fresh: bool = False) -> PlatformAccount | None:
    """The active WeChat account of the archive ``slug``, with its archive; None when there is
    none (the callback answers 404). The AppSecret and Weibo token are not even decrypted.

    Cached per process for ``ACCOUNT_CACHE_SECONDS`` unless ``fresh``; treat it as read-only."""
    now = time.monotonic()
    if not fresh:
        cached = _account_cache.get(slug)
        if cached is not None and cached[0] > now:
            return cached[1]
    account = (
        PlatformAccount.objects.select_related("archive")
        .defer("app_secret", "weibo_access_token")
        .filter(archive__slug=slug, platform=PlatformAccount.Platform.WECHAT, is_active=True)
        .first()
    )
    if account is not None:
        _account_cache[slug] = (now + ACCOUNT_CACHE_SECONDS, account)
    return account


def wechat_account_cache_clear() -> None:
    _account_cache.clear()


def inbound_message_list(
    *, archive: Archive, channel: str | None = None, sender: str | None = None
) -> QuerySet[InboundMessage]:
    """An archive's inbound messages, newest first."""
    messages = InboundMessage.objects.filter(archive=archive)
    if channel:
        messages = messages.filter(channel=channel)
    if sender:
        # A follower's openid or a Weibo uid is held as its keyed digest.
        keys = [sender_key(channel, sender)] if channel else sender_keys_for(sender)
        messages = messages.filter(sender__in=keys)
    return messages.order_by("-received_at", "-id")


def inbound_message_get(*, pk: int) -> InboundMessage:
    """One message with its archive and account (for the reply hook and the deferred task)."""
    return InboundMessage.objects.select_related("archive", "account").get(pk=pk)


# ── the consultation inbox ────────────────────────────────────────────────────────────────────


class ConsultationNotFound(Exception):
    pass


def _staff_archives(user: Any) -> QuerySet[Archive]:
    """Archives where ``user`` may answer consultations."""
    if user.is_superuser:
        return Archive.objects.all()
    roles = [
        role
        for role, capabilities in ROLE_CAPABILITIES.items()
        if Capability.CONSULTATION_ANSWER in capabilities
    ]
    return Archive.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def inbox_archives_for_staff(*, user: Any) -> list[Archive]:
    return list(_staff_archives(user).order_by("slug"))


def consultation_list(
    *,
    user: Any,
    archive: Archive | None = None,
    status: str | None = None,
    channel: str | None = None,
    assignee: Any = None,
    unassigned: bool = False,
    overdue: bool = False,
    tag: str | None = None,
    flood: bool | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Consultation]:
    """The consultations ``user`` may see, newest activity first, ready for a list page (archive,
    assignee and tags loaded in a fixed number of queries)."""
    consultations = Consultation.objects.filter(archive__in=_staff_archives(user))
    if archive is not None:
        archive_check_capability(
            user=user, archive=archive, capability=Capability.CONSULTATION_ANSWER
        )
        consultations = Consultation.objects.filter(archive=archive)
    if status == "open":
        consultations = consultations.exclude(status=Consultation.Status.CLOSED)
    elif status:
        consultations = consultations.filter(status=status)
    if channel:
        consultations = consultations.filter(channel=channel)
    if assignee is not None:
        consultations = consultations.filter(assignee=assignee)
    if unassigned:
        consultations = consultations.filter(assignee__isnull=True)
    if overdue:
        consultations = consultations.filter(status__in=AWAITING, due_at__lt=now or timezone.now())
    if tag:
        consultations = consultations.filter(tags__name=tag)
    if flood is not None:
        consultations = consultations.filter(flood=flood)
    return (
        consultations.select_related("archive", "assignee")
        .prefetch_related("tags")
        .order_by("-last_inbound_at", "-id")
    )


def consultation_overdue_list(
    *, user: Any, archive: Archive | None = None, now: datetime.datetime | None = None
) -> QuerySet[Consultation]:
    """Consultations waiting for us past the archive's promise, the longest overdue first."""
    return consultation_list(user=user, archive=archive, overdue=True, now=now).order_by(
        "due_at", "id"
    )


def consultation_get_for_staff(*, user: Any, pk: int) -> Consultation:
    """One consultation with its archive, after checking ``user`` may answer it."""
    consultation = (
        Consultation.objects.select_related("archive", "assignee", "account").filter(pk=pk).first()
    )
    if consultation is None:
        raise ConsultationNotFound(pk)
    archive_check_capability(
        user=user, archive=consultation.archive, capability=Capability.CONSULTATION_ANSWER
    )
    return consultation


def consultation_get_by_token(*, slug: str, token: str) -> Consultation:
    """The consultation behind a private link (the person's own page)."""
    consultation = (
        Consultation.objects.select_related("archive")
        .filter(archive__slug=slug, token=token)
        .first()
    )
    if consultation is None or not token:
        raise ConsultationNotFound(token)
    return consultation


@dataclass(frozen=True)
class ThreadEntry:
    kind: str  # "inbound" | "auto" | "answer" | "note"
    at: datetime.datetime
    item: Any


def consultation_thread(*, consultation: Consultation, internal: bool = True) -> list[ThreadEntry]:
    """Messages, automatic replies, answers and (for staff) notes, in time order."""
    entries: list[ThreadEntry] = []
    # The follower's openid is for replies only: not even decrypted for the thread.
    messages = consultation.messages.defer("sender_openid").order_by("received_at", "id")
    for message in messages:
        entries.append(ThreadEntry("inbound", message.received_at, message))
        if message.replied_at and message.reply_text and internal:
            entries.append(ThreadEntry("auto", message.replied_at, message))
    answers = consultation.answers.select_related("author").order_by("created_at", "id")
    for answer in answers:
        if internal or answer.state == ConsultationAnswer.State.SENT:
            entries.append(ThreadEntry("answer", answer.sent_at or answer.created_at, answer))
    if internal:
        for note in consultation.notes.select_related("author"):
            entries.append(ThreadEntry("note", note.created_at, note))
    entries.sort(key=lambda entry: entry.at)
    return entries


def canned_answer_list(*, archive: Archive) -> QuerySet[CannedAnswer]:
    return CannedAnswer.objects.filter(archive=archive).order_by("title")


def autoreply_rule_list(*, archive: Archive) -> QuerySet[AutoReplyRule]:
    return AutoReplyRule.objects.filter(archive=archive).order_by("priority", "id")


def autoreply_rule_get(*, user: Any, pk: int) -> AutoReplyRule:
    rule = AutoReplyRule.objects.select_related("archive").get(pk=pk)
    archive_check_capability(user=user, archive=rule.archive, capability=Capability.ARCHIVE_MANAGE)
    return rule


@dataclass(frozen=True)
class RuleTest:
    """Which rule answers a message, and with what (the console's "test this message")."""

    rule: AutoReplyRule | None
    reply: Any
    to_staff: bool


def autoreply_test(*, archive: Archive, text: str) -> RuleTest:
    from archivox.consultations import replies

    replies.rules_cache_clear(archive.pk)
    reply = replies.answer_text(archive, text)
    if reply is None:
        reply = replies.Reply(
            text=replies.acknowledgement(replies.promise_days(archive)), to_staff=True
        )
    rule = AutoReplyRule.objects.filter(pk=reply.rule_id).first() if reply.rule_id else None
    return RuleTest(rule=rule, reply=reply, to_staff=reply.to_staff)


# ── the inbox's settings (the promise, the flood limit, the tags) ─────────────────────────────

DEFAULT_FLOOD_PER_MINUTE = 10
# Tags are the archive's own words (editable on the rules page); the defaults are Chinese.
DEFAULT_TAGS = [
    "利用申请",
    "家谱查询",
    "证明材料",
    "展览",
    "预约",
    "投诉",
    "捐赠",
]


def default_promise_working_days() -> int:
    """The installation's promise (``ARCHIVOX_INBOX_PROMISE_DAYS``) for archives that set none."""
    return getattr(settings, "ARCHIVOX_INBOX_PROMISE_DAYS", 1)


def inbox_settings_for(archive: Archive) -> InboxSettings:
    """The archive's settings, or unsaved defaults (the global default promise)."""
    found = InboxSettings.objects.filter(archive=archive).first()
    if found is not None:
        return found
    return InboxSettings(
        archive=archive,
        promise_working_days=default_promise_working_days(),
        flood_per_minute=DEFAULT_FLOOD_PER_MINUTE,
        tags=list(DEFAULT_TAGS),
    )


SETTINGS_CACHE_SECONDS = 10.0
_settings_cache: dict[int, tuple[float, InboxSettings]] = {}


def inbox_settings_cached(archive_id: int, *, memory_only: bool = False) -> InboxSettings:
    """``inbox_settings_for`` kept per process for ``SETTINGS_CACHE_SECONDS`` (the callback reads
    it for every message); changes saved in this process clear it at once. ``memory_only``:
    raise ``replies.NotInMemory`` rather than read the database."""
    now = time.monotonic()
    cached = _settings_cache.get(archive_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    if memory_only:
        from archivox.consultations.replies import NotInMemory

        raise NotInMemory("inbox settings")
    found = inbox_settings_for(Archive(pk=archive_id))
    _settings_cache[archive_id] = (now + SETTINGS_CACHE_SECONDS, found)
    return found


def inbox_settings_cache_clear() -> None:
    _settings_cache.clear()


def inbox_tags(*, archive: Archive) -> list[str]:
    return list(inbox_settings_for(archive).tags or DEFAULT_TAGS)


@dataclass(frozen=True)
class ConsultationStats:
    """Consultations opened in [start, end) and how they were served (for the survey's
    indicators of the archive itself). Times in seconds; None when there is nothing to measure."""

    archive: str
    start: datetime.date
    end: datetime.date
    opened: int
    answered: int
    closed: int
    overdue_now: int
    answered_share: float | None
    first_response_median: float | None
    first_response_p90: float | None
    resolution_median: float | None
    rated: int
    satisfaction_mean: float | None
    by_channel: dict[str, int] = field(default_factory=dict)


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def consultation_stats(
    *, archive: Archive, start: datetime.date, end: datetime.date
) -> ConsultationStats:
    """Counts, first-response and resolution times and satisfaction of one archive's
    consultations opened from ``start`` (inclusive) to ``end`` (exclusive), archive time."""
    zone = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    finish = datetime.datetime.combine(end, datetime.time.min, tzinfo=zone)
    rows = list(
        Consultation.objects.filter(archive=archive, opened_at__gte=begin, opened_at__lt=finish)
        .exclude(flood=True, first_response_at__isnull=True)
        .values_list("channel", "opened_at", "first_response_at", "closed_at", "rating")
    )
    first = [(fr - op).total_seconds() for _c, op, fr, _cl, _r in rows if fr is not None]
    resolution = [(cl - op).total_seconds() for _c, op, _fr, cl, _r in rows if cl is not None]
    ratings = [r for *_rest, r in rows if r is not None]
    by_channel: dict[str, int] = {}
    for channel, *_rest in rows:
        by_channel[channel] = by_channel.get(channel, 0) + 1
    return ConsultationStats(
        archive=archive.slug,
        start=start,
        end=end,
        opened=len(rows),
        answered=len(first),
        closed=len(resolution),
        overdue_now=Consultation.objects.filter(
            archive=archive, status__in=AWAITING, due_at__lt=timezone.now()
        ).count(),
        answered_share=(len(first) / len(rows)) if rows else None,
        first_response_median=statistics.median(first) if first else None,
        first_response_p90=_percentile(first, 0.9),
        resolution_median=statistics.median(resolution) if resolution else None,
        rated=len(ratings),
        satisfaction_mean=(sum(ratings) / len(ratings)) if ratings else None,
        by_channel=by_channel,
    )


def consultation_timings(
    *, archive_ids: list[int], start: datetime.date, end: datetime.date
) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
    """When each consultation of these archives opened (``start``…``end`` inclusive, archive
    time) and when it was first answered (None: not yet) — what the survey's interaction
    indicators measure for archives that run their inbox in Archivox. Floods are left out."""
    zone = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    finish = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return list(
        Consultation.objects.filter(
            archive_id__in=archive_ids, opened_at__gte=begin, opened_at__lt=finish
        )
        .exclude(flood=True, first_response_at__isnull=True)
        .values_list("opened_at", "first_response_at")
    )


def overdue_counts(*, archive_ids: list[int]) -> dict[int, int]:
    """Consultations past the promise, per archive (the dashboard; one query)."""
    from django.db.models import Count

    return dict(
        Consultation.objects.filter(
            archive_id__in=archive_ids, status__in=AWAITING, due_at__lt=timezone.now()
        )
        .values_list("archive_id")
        .annotate(n=Count("pk"))
    )


# Demand (issue 23): what the public asks most, as counts only. -------------------------------


def consultation_tag_counts(
    *, archives: list[Archive] | None, since: datetime.datetime
) -> list[tuple[str, int]]:
    """(tag, consultations) opened since ``since``, most first."""
    rows = ConsultationTag.objects.filter(consultation__opened_at__gte=since)
    if archives is not None:
        rows = rows.filter(consultation__archive__in=archives)
    return list(
        rows.values("name")
        .annotate(n=Count("consultation", distinct=True))
        .order_by("-n", "name")
        .values_list("name", "n")
    )


def consultation_subjects_since(
    *, archives: list[Archive] | None, since: datetime.datetime, limit: int = 5000
) -> list[str]:
    """The subjects of consultations opened since ``since`` (for recurring words; no person)."""
    rows = Consultation.objects.filter(opened_at__gte=since).exclude(subject="")
    if archives is not None:
        rows = rows.filter(archive__in=archives)
    return list(rows.order_by("-opened_at").values_list("subject", flat=True)[:limit])


def awaiting_counts(*, archive_ids: list[int]) -> dict[int, int]:
    """Consultations waiting for an answer and not yet past the promise, per archive (the
    dashboard lists them too, so a new question is seen before it is late; one query)."""
    from django.db.models import Count

    return dict(
        Consultation.objects.filter(archive_id__in=archive_ids, status__in=AWAITING)
        .exclude(due_at__lt=timezone.now())
        .values_list("archive_id")
        .annotate(n=Count("pk"))
    )
