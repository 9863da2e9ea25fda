"""Deliveries: sending each one at most once, retrying with backoff, reconciling with the
platform after a try that may have reached it, resuming those whose worker died, and telling
the author when one fails."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.queries import found
from archivox.core.selectors import Capability
from archivox.core.services import audit_record
from archivox.publishing.channels import channel_get
from archivox.publishing.channels.base import (
    ChannelError,
    PermanentChannelError,
    Rendering,
    SendResult,
    TransientChannelError,
)
from archivox.publishing.content import absolute, post_url
from archivox.publishing.days import beijing_day
from archivox.publishing.models import Delivery, EmailSend, EmailSubscriber, Notice, Post
from archivox.publishing.services.desk import PublishingError, _check
from archivox.publishing.services.scheduling import (
    _is_subscription,
    _mass_send_message,
    mass_send_used,
)

logger = logging.getLogger("archivox.publishing.services")  # its name before the split
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min between attempts
STALE_SENDING = datetime.timedelta(minutes=10)  # a worker that held `sending` this long died
LOST_PENDING = datetime.timedelta(minutes=2)  # a pending delivery whose task never ran


def _operator_ip(rip: str) -> str:
    """The IP Weibo is told the post came from: the publishing staff member's when it is a
    public address, else the installation's (``ARCHIVOX_WEIBO_RIP``; a documentation address
    on the sandbox)."""
    import ipaddress

    try:
        if rip and ipaddress.ip_address(rip).is_global:
            return rip
    except ValueError:
        pass
    default = "203.0.113.10" if getattr(settings, "SANDBOX", False) else ""
    return getattr(settings, "ARCHIVOX_WEIBO_RIP", "") or default


def _account_for(channel_name: str, archive: Archive) -> PlatformAccount | None:
    channel = channel_get(channel_name)
    if channel.needs_account is None:
        return None
    account = PlatformAccount.objects.filter(
        archive=archive, platform=channel.needs_account, is_active=True
    ).first()
    if account is None:
        raise PermanentChannelError(
            _("the archive has no active %(platform)s account") % {"platform": channel_name}
        )
    return account


def _email_context(delivery: Delivery) -> dict[str, Any]:
    archive = delivery.post.archive
    subscribers = EmailSubscriber.objects.filter(
        archive=archive, confirmed=True, unsubscribed_at__isnull=True
    ).order_by("pk")
    claimed = set(delivery.email_sends.values_list("email", flat=True))
    recipients = [
        {
            "email": subscriber.email,
            "unsubscribe_url": absolute(
                reverse(
                    "posts:unsubscribe", kwargs={"slug": archive.slug, "token": subscriber.token}
                )
            ),
        }
        for subscriber in subscribers
        if subscriber.email not in claimed
    ]

    def claim(email: str) -> bool:
        """Record the recipient before the message leaves; False if already mailed."""
        try:
            with transaction.atomic():
                EmailSend.objects.create(delivery=delivery, email=email)
        except IntegrityError:
            return False
        return True

    def done(email: str) -> None:
        EmailSend.objects.filter(delivery=delivery, email=email).update(sent_at=timezone.now())

    return {
        "recipients": recipients,
        "already_sent": len(claimed),
        "claim": claim,
        "done": done,
        "archive_email": settings.DEFAULT_FROM_EMAIL,
    }


def delivery_context(delivery: Delivery) -> dict[str, Any]:
    post = delivery.post
    context: dict[str, Any] = {
        "archive_slug": post.archive.slug,
        "post_id": post.pk,
        "delivery_id": delivery.pk,
        "post_url": post_url(post),
        "base_url": settings.BASE_URL,
        "rip": delivery.payload.get("rip") or _operator_ip(""),
        "wechat_mode": post.wechat_mode,
    }
    if delivery.channel == "email":
        context.update(_email_context(delivery))
    return context


def delivery_run(*, delivery_id: int) -> str:
    """Send one delivery, at most once. ``sending`` is committed before the platform is called,
    and only a ``pending`` delivery is claimed: a ``sending`` one belongs to a worker that is
    calling the platform right now (two tasks for one delivery: a retry and a sweep, or two
    workers' sweeps), until ``deliveries_resume`` finds it stale and hands it back. A delivery
    marked ``reconcile_first`` (a try may have reached the platform, or its worker died) first
    asks the platform whether it already has it."""
    delivery = _claim_usual(delivery_id)
    if delivery is None:
        delivery, claimed = _claim_locked(delivery_id)
        if not claimed:  # sent, failed, or `sending` by another worker right now
            return delivery.status
    return _send_claimed(delivery)


# What sending reads of a delivery, its post and archive (issue 24: the three whole rows were
# 77 columns for the ORM to name and convert, a sixth of a worker's CPU a delivery; the post's
# body is in the payload as rendered). Another field is still read when asked for, one more
# query: tests/publishing/test_deliveries.py counts them.
_SEND_READS = (
    "post",
    "channel",
    "status",
    "attempts",
    "idempotency_key",
    "reconcile_first",
    "payload",
    "post__archive",
    "post__status",
    "post__title",
    "post__wechat_mode",
    "post__archive__slug",
)


def _claim_usual(delivery_id: int) -> Delivery | None:
    """The usual claim, in two statements and no transaction (issue 24: a fan-out claims
    thousands): a pending delivery, not to be reconciled, of a post not withdrawn, and not a
    mass send (whose day's limit is checked under the lock) is claimed by an UPDATE that only
    succeeds while it is still pending, so two tasks cannot both claim it. None: claim it under
    the lock instead, which also sees what changed meanwhile."""
    delivery = found(
        Delivery.objects.select_related("post__archive").only(*_SEND_READS).filter(pk=delivery_id)
    )
    if (
        delivery is None
        or delivery.status != Delivery.Status.PENDING
        or delivery.reconcile_first
        or delivery.post.status == Post.Status.WITHDRAWN
        or (delivery.channel == "wechat" and delivery.payload.get("mode") == "mass_send")
    ):
        return None
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, reconcile_first=False
    ).update(
        status=Delivery.Status.SENDING,
        attempts=F("attempts") + 1,
        sending_started_at=now,
        next_attempt_at=None,
        updated_at=now,
    )
    if not claimed:
        return None
    delivery.status = Delivery.Status.SENDING
    delivery.attempts += 1
    delivery.sending_started_at = now
    delivery.next_attempt_at = None
    delivery.updated_at = now
    return delivery


def _claim_locked(delivery_id: int) -> tuple[Delivery, bool]:
    """Claim under the delivery's lock: the delivery, and whether it was claimed here (if not,
    it is as it was left, or failed here: withdrawn, or a second mass send today)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post__archive")
            .get(pk=delivery_id)
        )
        if delivery.status != Delivery.Status.PENDING:
            return delivery, False
        reconcile = delivery.reconcile_first
        if delivery.post.status == Post.Status.WITHDRAWN and not reconcile:
            delivery.status = Delivery.Status.FAILED
            delivery.error = _("the post was withdrawn before this delivery was sent")
            delivery.save()
            return delivery, False
        if (
            delivery.channel == "wechat"
            and delivery.payload.get("mode") == "mass_send"
            and not reconcile
            and _is_subscription(delivery.post.archive)
        ):
            day = beijing_day(timezone.now())
            used = mass_send_used(
                archive=delivery.post.archive, day=day, exclude_post=delivery.post
            )
            if used is not None:
                _fail(delivery, _mass_send_message(used, day))
                return delivery, False
        delivery.status = Delivery.Status.SENDING
        delivery.attempts += 1
        delivery.sending_started_at = timezone.now()
        delivery.next_attempt_at = None
        # Only what changed: the payload (pictures and all) is not written again.
        delivery.save(update_fields=[*_CLAIMED, "updated_at"])
    return delivery, True


def _send_claimed(delivery: Delivery) -> str:
    """Send a claimed delivery and record the answer. Its claim is committed: from here on a
    crash leaves `sending`, which the next run reconciles."""
    delivery_id = delivery.pk
    reconcile = delivery.reconcile_first
    archive = delivery.post.archive
    rendering = Rendering(channel=delivery.channel, payload=delivery.payload, preview_html="")
    try:
        channel = channel_get(delivery.channel)
        account = _account_for(delivery.channel, archive)
        context = delivery_context(delivery)
        result: SendResult | None = None
        if reconcile:
            result = channel.find_sent(
                rendering,
                account=account,
                idempotency_key=delivery.idempotency_key,
                context=context,
            )
        if result is None:
            result = channel.send(
                rendering,
                account=account,
                idempotency_key=delivery.idempotency_key,
                context=context,
            )
    except PermanentChannelError as exc:
        return _record_failure(delivery_id, str(exc))
    except (TransientChannelError, ChannelError) as exc:
        return _record_retry(delivery_id, str(exc))
    except Exception as exc:  # a bug or an unexpected network error: retry, reconciling first
        logger.exception("delivery %s: unexpected error", delivery_id)
        return _record_retry(delivery_id, f"{type(exc).__name__}: {exc}")
    return _record_sent(delivery, result)


_CLAIMED = ["status", "attempts", "sending_started_at", "next_attempt_at"]


def _record_sent(delivery: Delivery, result: SendResult) -> str:
    """Record the platform's answer. One UPDATE of what a send changes, whatever the row says
    now (as before: a send that got through is recorded even if the sweep meanwhile handed the
    delivery back), instead of locking, reading (payload and all) and writing every column."""
    delivery_id = delivery.pk
    with transaction.atomic():
        now = timezone.now()
        _answer_take(delivery, result, now)
        delivery.error = ""
        delivery.reconcile_first = False
        delivery.next_attempt_at = None
        delivery.updated_at = now
        Delivery.objects.filter(pk=delivery_id).update(
            status=delivery.status,
            remote_id=delivery.remote_id,
            url=delivery.url,
            response=delivery.response,
            sent_at=now,
            error="",
            reconcile_first=False,
            next_attempt_at=None,
            updated_at=now,
        )
        _sent_recorded(delivery)
    return delivery.status


def _answer_take(delivery: Delivery, result: SendResult, now: datetime.datetime) -> None:
    """The platform's answer on the delivery (in memory): sent, where, and what it said."""
    delivery.status = Delivery.Status.SENT
    delivery.remote_id = str(result.remote_id)[:200]
    delivery.url = (result.url or "")[:500]
    delivery.response = _json_safe(result.response)
    delivery.sent_at = now


def _sent_recorded(delivery: Delivery) -> None:
    """What follows a delivery recorded as sent, in its transaction: the audit entry, and its
    WARC copy once that commits."""
    delivery_id = delivery.pk
    audit_record(
        actor=None,
        action="delivery.sent",
        obj=delivery,
        archive=delivery.post.archive,
        after={"channel": delivery.channel, "remote_id": delivery.remote_id},
    )
    transaction.on_commit(lambda: _archive_later(delivery_id))


def _send_in_house(delivery: Delivery) -> None:
    """Send a new, pending delivery of an in-house channel (our portal, our feed) as it is made,
    before it is saved: such a send only records that the post may be shown, so it needs no
    worker, no queue and no claim (issue 24: two of a post's five deliveries). The caller saves
    it and then calls ``_sent_recorded``. Any other delivery is left as it is."""
    channel = channel_get(delivery.channel)
    if delivery.status != Delivery.Status.PENDING or not channel.in_house:
        return
    result = channel.send(
        Rendering(channel=delivery.channel, payload=delivery.payload, preview_html=""),
        account=None,
        idempotency_key=delivery.idempotency_key,
        context=delivery_context(delivery),
    )
    now = timezone.now()
    delivery.attempts = 1
    delivery.sending_started_at = now
    _answer_take(delivery, result, now)


# The WARC copy of a sent delivery waits this long: when a post goes out to many archives'
# followers at once, sending comes first and the archiving (a third of the workers' CPU in a
# burst, with the copy fetched back from the platform) follows once it is over, instead of
# taking turns with it. The same work, done a little later (issue 24).
ARCHIVE_AFTER_SECONDS = 20


def _archive_later(delivery_id: int) -> None:
    from huey.contrib.djhuey import HUEY

    from archivox.publishing.tasks import delivery_archive

    if HUEY.immediate:  # tests and one-process runs: nothing to wait for
        delivery_archive(delivery_id)
    else:
        delivery_archive.schedule(args=(delivery_id,), delay=ARCHIVE_AFTER_SECONDS)


def _json_safe(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


def _record_retry(delivery_id: int, error: str) -> str:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post")
            .get(pk=delivery_id)
        )
        delivery.error = error[:5000]
        # The failed try may have reached the platform: look before sending again.
        delivery.reconcile_first = True
        if delivery.attempts >= MAX_ATTEMPTS:
            _fail(
                delivery,
                _("gave up after %(n)s attempts: %(error)s")
                % {"n": delivery.attempts, "error": error},
            )
            return delivery.status
        delay = BACKOFF_SECONDS * 2 ** (delivery.attempts - 1)
        delivery.status = Delivery.Status.PENDING
        delivery.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)
        delivery.save()
        from archivox.publishing.tasks import delivery_send

        transaction.on_commit(lambda: delivery_send.schedule((delivery_id,), delay=delay))
    return delivery.status


def _record_failure(delivery_id: int, error: str) -> str:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post__archive", "post__created_by")
            .get(pk=delivery_id)
        )
        _fail(delivery, error)
    return delivery.status


def _fail(delivery: Delivery, error: str) -> None:
    delivery.status = Delivery.Status.FAILED
    delivery.error = error[:5000]
    delivery.next_attempt_at = None
    delivery.save()
    audit_record(
        actor=None,
        action="delivery.failed",
        obj=delivery,
        archive=delivery.post.archive,
        after={"channel": delivery.channel, "error": delivery.error},
    )
    transaction.on_commit(lambda: _notify_failure(delivery))


def _notify_failure(delivery: Delivery) -> None:
    """Tell the post's author: a notice in the console and an email."""
    post = delivery.post
    author = post.created_by
    message = _("“%(title)s” was not delivered to %(channel)s: %(error)s") % {
        "title": post.title,
        "channel": delivery.channel,
        "error": delivery.error,
    }
    logger.warning(message)
    if author is None:
        return
    Notice.objects.create(user=author, post=post, message=message)
    if author.email:
        try:
            send_mail(
                _("Delivery failed: %(title)s") % {"title": post.title},
                message,
                settings.DEFAULT_FROM_EMAIL,
                [author.email],
            )
        except Exception:
            logger.exception("could not mail %s about delivery %s", author, delivery.pk)


def deliveries_resume(*, now: datetime.datetime | None = None) -> list[int]:
    """Deliveries whose task is due or was lost: pending past their time, and `sending` ones
    whose worker died, handed back as pending to be reconciled first. Returns their ids (the
    periodic task queues them; several sweeps may queue one id, only one task claims it)."""
    now = now or timezone.now()
    from django.db.models import Q

    # Conditional, so a worker that finishes at this moment keeps its `sent`. Handed back
    # unscheduled: due now as a lost pending one (it was created before it was sent).
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, sending_started_at__lte=now - STALE_SENDING
    ).update(status=Delivery.Status.PENDING, reconcile_first=True, next_attempt_at=None)
    due = Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        | Q(
            status=Delivery.Status.PENDING,
            next_attempt_at__isnull=True,
            created_at__lte=now - LOST_PENDING,
        )
    )
    return list(due.values_list("pk", flat=True)[:500])


@transaction.atomic
def delivery_retry(*, actor: User | None, delivery: Delivery) -> Delivery:
    """Try a failed delivery again (after the cause was fixed, e.g. new credentials)."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("post__archive")
        .get(pk=delivery.pk)
    )
    _check(actor, delivery.post.archive, Capability.POST_COMPOSE)
    if delivery.status != Delivery.Status.FAILED:
        raise PublishingError({"__all__": _("only failed deliveries can be tried again")})
    delivery.status = Delivery.Status.PENDING
    delivery.reconcile_first = True
    delivery.attempts = 0
    delivery.save()
    audit_record(actor=actor, action="delivery.retry", obj=delivery, archive=delivery.post.archive)
    from archivox.publishing.tasks import delivery_send

    transaction.on_commit(lambda: delivery_send(delivery.pk))
    return delivery
