"""Recall: copies already published that quote a catalog item since reclassified.

When an item, or a fonds or series above it, is made confidential or closed, or restricted
where a copy shows its digital objects (the description of restricted material stays public),
every copy of every post that quoted it is found (the post's recall, and each copy's part on its
delivery): WeChat articles and mass sends, Weibo
statuses, the archive's pages and feeds, email issues (the WARC keeps the archive's own record
of them; the recall page names the months). The archive's staff see them on the dashboard and
get a notice; each copy is withdrawn on its own channel. Our own pages and feeds go at once; a
platform's delete runs in the worker and is recorded as the platform answered, so a failed
delete stays flagged and can be tried again, and no copy is marked withdrawn that its channel
did not confirm. Mail cannot be unsent: an email copy is shown as one that cannot be withdrawn.

How the recall learns of a reclassification: the catalog sits below publishing and may not
import it, so it announces ``catalog.signals.access_changed`` after the commit, and publishing's
listener (``tasks.py``) queues ``recall_detect`` for that archive, which reads the stored
effective access of every quoted item. The rule depends only on that stored access, never on
the signal's details, so ``recalls_sweep`` (periodic) finds the same recalls for a change no
signal announced (an edit in the Django admin, a task the queue lost).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog.models import Access, Description
from archivox.core.models import User
from archivox.core.selectors import Capability, staff_with_capability
from archivox.core.services import audit_record
from archivox.publishing.channels import channel_get
from archivox.publishing.channels.base import (
    AlreadyGone,
    ChannelError,
    Withdrawal,
    WithdrawRefused,
)
from archivox.publishing.models import (
    REASON_ORDER,
    Delivery,
    Notice,
    Post,
    PostItem,
    RecallReason,
    RecallState,
)
from archivox.publishing.services.deliveries import _account_for, _fail, delivery_context
from archivox.publishing.services.desk import PublishingError, _check, _transition

logger = logging.getLogger(__name__)

# A withdrawal whose worker has held it this long died; one queued this long without a worker
# taking it was lost. Either is handed back to the queue (deleting twice is harmless: the
# platform answers that the copy is gone, which is what we wanted).
STALE_WITHDRAWING = datetime.timedelta(minutes=10)
LOST_WITHDRAWING = datetime.timedelta(minutes=2)
NEEDS_STAFF = (RecallState.OUT, RecallState.WITHDRAWING, RecallState.FAILED)
_OUT_THERE = (Delivery.Status.SENT, Delivery.Status.PENDING)


# -- finding -----------------------------------------------------------------------------------


def _unfit_post_items(*, archive_ids: Iterable[int] | None, today: datetime.date):
    """Items of posts with a copy out (or about to go out) that may no longer be shown as the
    copy shows them. Effective access is stored on every description, so an ancestor's
    reclassification is found by the same plain WHERE."""
    hidden = Q(description__effective_access=Access.CONFIDENTIAL) | Q(
        description__effective_closed_until__gte=today
    )
    objects_hidden = Q(description__effective_access=Access.RESTRICTED, use_image=True)
    out_there = Exists(Delivery.objects.filter(post=OuterRef("post"), status__in=_OUT_THERE))
    items = PostItem.objects.filter(hidden | objects_hidden).filter(out_there)
    if archive_ids is not None:
        items = items.filter(post__archive_id__in=list(archive_ids))
    return items.select_related("description").order_by("post_id", "position", "pk")


def _reason(description: Description, today: datetime.date) -> str:
    if description.effective_access == Access.CONFIDENTIAL:
        return RecallReason.CONFIDENTIAL
    closed = description.effective_closed_until
    if closed is not None and closed >= today:
        return RecallReason.CLOSED
    return RecallReason.RESTRICTED


def _makes_it(description: Description, reason: str, today: datetime.date) -> bool:
    """Whether ``description``'s own values (not its ancestors') give ``reason``."""
    if reason == RecallReason.CLOSED:
        return description.closed_until is not None and description.closed_until >= today
    return description.access_level == reason


def _item_entry(
    description: Description, ancestors: dict[int, Description], today: datetime.date
) -> dict[str, Any]:
    """What staff are told about one quoted item, kept as it was when found."""
    reason = _reason(description, today)
    via = None
    if not _makes_it(description, reason, today):
        # The nearest ancestor that makes it so: the fonds or series that was reclassified.
        for ancestor_id in reversed(description.ancestor_ids):
            ancestor = ancestors.get(ancestor_id)
            if ancestor is not None and _makes_it(ancestor, reason, today):
                via = {
                    "reference_code": ancestor.reference_code,
                    "title": ancestor.title,
                    "level": ancestor.level,
                }
                break
    closed = description.effective_closed_until
    return {
        "description_id": description.pk,
        "reference_code": description.reference_code,
        "title": description.title,
        "reason": reason,
        "closed_until": closed.isoformat() if reason == RecallReason.CLOSED and closed else "",
        "via": via,
    }


def recalls_detect(
    *, archive_ids: Iterable[int] | None = None, today: datetime.date | None = None
) -> list[Post]:
    """Open (or add to) the recall of every post with a copy out that quotes an item no longer
    fit to be shown so; returns the posts whose recall was opened or added to. Idempotent: what
    is already recalled is not recalled or announced again."""
    today = today or timezone.localdate()
    by_post: dict[int, list[Description]] = {}
    for post_item in _unfit_post_items(archive_ids=archive_ids, today=today):
        by_post.setdefault(post_item.post_id, []).append(post_item.description)
    ancestor_ids = {a for items in by_post.values() for d in items for a in d.ancestor_ids}
    ancestors = Description.objects.in_bulk(list(ancestor_ids))
    changed = []
    for post_id, descriptions in by_post.items():
        entries = [_item_entry(d, ancestors, today) for d in descriptions]
        post = _recall_merge(post_id=post_id, entries=entries)
        if post is not None:
            changed.append(post)
    return changed


def _strictest(entries: Iterable[dict[str, Any]]) -> str:
    return min((e["reason"] for e in entries), key=lambda reason: REASON_ORDER[reason])


def _carries(delivery: Delivery, entry: dict[str, Any]) -> bool:
    """Whether the copy carries the item as it may no longer be shown: the item itself, or for
    a restricted one its images, as recorded when the copy was rendered (a delivery made before
    that record existed is taken to carry every item of its post)."""
    quoted = delivery.quoted or {}
    if not quoted:
        return True
    key = "images" if entry["reason"] == RecallReason.RESTRICTED else "items"
    return entry["description_id"] in quoted.get(key, ())


@transaction.atomic
def _recall_merge(*, post_id: int, entries: list[dict[str, Any]]) -> Post | None:
    # The post's row lock serialises detections (the signal's task and the sweep) and the
    # recording of withdrawals, which take it first too.
    post = Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post_id)
    _hold_back_unsent(post, entries)
    sent = [
        delivery
        for delivery in post.deliveries.filter(status=Delivery.Status.SENT).order_by("channel")
        if any(_carries(delivery, entry) for entry in entries)
    ]
    if not sent:
        return None  # published after the item was reclassified: its copies left it out
    entries = [e for e in entries if any(_carries(delivery, e) for delivery in sent)]
    known = {e["description_id"]: e for e in post.recall_items}
    new_items = [e for e in entries if e["description_id"] not in known]
    new_copies = [delivery for delivery in sent if not delivery.recall_state]
    merged = {**known, **{e["description_id"]: e for e in entries}}
    reason = _strictest(merged.values())
    opened = not post.recall_open
    if opened and not new_items and not new_copies:
        # Recalled before and done (an email that cannot be unsent stays `sent`): nothing new.
        return None
    if not opened and not new_items and not new_copies and reason == post.recall_reason:
        return None
    post.recall_items = list(merged.values())
    post.recall_reason = reason
    if opened:
        post.recall_found_at = timezone.now()
        post.recall_closed_at = None
    post.save(
        update_fields=["recall_items", "recall_reason", "recall_found_at", "recall_closed_at"]
    )
    for delivery in new_copies:
        plan = channel_get(delivery.channel).withdrawal(remote_id=delivery.remote_id)
        impossible = plan.kind == Withdrawal.IMPOSSIBLE
        delivery.recall_state = RecallState.CANNOT if impossible else RecallState.OUT
        delivery.recall_note = plan.reason if impossible else ""
        delivery.save(update_fields=["recall_state", "recall_note", "updated_at"])
    told = entries if opened else new_items
    audit_record(
        actor=None,
        action="recall.open" if opened else "recall.update",
        obj=post,
        archive=post.archive,
        after={
            "reason": reason,
            "items": [e["reference_code"] for e in told],
            "copies": [delivery.channel for delivery in new_copies],
        },
    )
    if told:
        _notify(post, told)
    _close_if_done(post)
    return post


def _hold_back_unsent(post: Post, entries: list[dict[str, Any]]) -> None:
    """A delivery not sent yet carries the rendering made at publication, item and all: it
    fails with the reason instead of going out (the author is told, as for any failure). One
    whose last try may have reached the platform (``reconcile_first``) is left to be
    reconciled: failing it could hide a copy that is out there; once found sent, the next
    detection recalls it."""
    for delivery in post.deliveries.select_for_update(of=("self",)).filter(
        status=Delivery.Status.PENDING, reconcile_first=False
    ):
        if not any(_carries(delivery, entry) for entry in entries):
            continue
        delivery.post = post
        _fail(
            delivery,
            _("held back: the post quotes a catalog item that may no longer be shown this way"),
        )


def _notify(post: Post, entries: list[dict[str, Any]]) -> None:
    """A notice on the desk for everyone who composes or reviews in the archive, and an email
    after the commit."""
    message = _(
        "Published copies of “%(title)s” quote %(items)s, which may no longer be shown this "
        "way (%(reason)s): see Recall on the publishing desk and withdraw them."
    ) % {
        "title": post.title,
        "items": "、".join(f"“{e['title']}”" for e in entries),
        "reason": RecallReason(post.recall_reason).label,
    }
    staff = list(
        staff_with_capability(
            archive=post.archive,
            capabilities=[Capability.POST_COMPOSE, Capability.POST_REVIEW],
        )
    )
    Notice.objects.bulk_create([Notice(user=user, post=post, message=message) for user in staff])
    subject = _("Published copies to withdraw: %(title)s") % {"title": post.title}
    addresses = [user.email for user in staff if user.email]

    def mail() -> None:
        for address in addresses:
            try:
                send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, [address])
            except Exception:  # the notice on the desk stands; mail is a courtesy
                logger.exception("could not mail %s about the recall of %s", address, post.pk)

    transaction.on_commit(mail)


# -- withdrawing -------------------------------------------------------------------------------


def recall_copy_withdraw(*, actor: User | None, delivery: Delivery) -> Delivery:
    """Withdraw one recalled copy (or try again after a failure). Our own pages and feeds are
    hidden in this transaction; a platform's copy is queued for the worker, which records what
    the platform answers."""
    with transaction.atomic():
        post = Post.objects.select_related("archive").get(pk=delivery.post_id)
        _check(actor, post.archive, Capability.POST_COMPOSE)
        post = (
            Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
        )
        delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
        delivery.post = post
        if delivery.recall_state == RecallState.WITHDRAWN:
            raise PublishingError({"__all__": _("this copy is withdrawn already")})
        if delivery.recall_state == RecallState.WITHDRAWING:
            raise PublishingError(
                {"__all__": _("this copy is being withdrawn; its result shows here shortly")}
            )
        if delivery.recall_state == RecallState.CANNOT:
            raise PublishingError(
                {"__all__": delivery.recall_note or _("this copy cannot be withdrawn")}
            )
        if not delivery.recall_state:
            raise PublishingError({"__all__": _("this copy is not recalled")})
        channel = channel_get(delivery.channel)
        plan = channel.withdrawal(remote_id=delivery.remote_id)
        before = {"recall_state": delivery.recall_state}
        delivery.recall_attempts += 1
        delivery.recall_requested_by = actor
        delivery.recall_requested_at = timezone.now()
        delivery.recall_claimed_at = None
        audit_record(
            actor=actor,
            action="recall_copy.withdraw",
            obj=delivery,
            archive=post.archive,
            object_repr=_copy_repr(post, delivery),
            before=before,
            after={"channel": delivery.channel, "attempt": delivery.recall_attempts},
        )
        if plan.kind == Withdrawal.LOCAL:
            # Served by us: nothing leaves, so hiding it cannot fail half-way.
            channel.withdraw(account=None, remote_id=delivery.remote_id, context={})
            _finish(delivery, post, withdrawn=True, note="", actor=actor)
            return delivery
        if plan.kind == Withdrawal.IMPOSSIBLE:
            delivery.recall_state, delivery.recall_note = RecallState.CANNOT, plan.reason
            delivery.save()
            return delivery
        delivery.recall_state = RecallState.WITHDRAWING
        delivery.save()
        from archivox.publishing.tasks import recall_withdraw

        delivery_id = delivery.pk
        transaction.on_commit(lambda: recall_withdraw(delivery_id))
    return delivery


def recall_copy_run(*, delivery_id: int) -> str:
    """Ask the platform to delete one recalled copy (the worker's half of
    ``recall_copy_withdraw``). The claim is committed first, so a second task for the copy
    leaves it alone."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post__archive")
            .get(pk=delivery_id)
        )
        if delivery.recall_state != RecallState.WITHDRAWING or delivery.recall_claimed_at:
            return delivery.recall_state
        delivery.recall_claimed_at = timezone.now()
        delivery.save(update_fields=["recall_claimed_at"])
    try:
        channel = channel_get(delivery.channel)
        account = _account_for(delivery.channel, delivery.post.archive)
        channel.withdraw(
            account=account, remote_id=delivery.remote_id, context=delivery_context(delivery)
        )
        withdrawn, note = True, ""
    except AlreadyGone as exc:
        withdrawn, note = True, str(exc)
    except WithdrawRefused as exc:
        withdrawn, note = False, _("the platform refused: %(error)s") % {"error": exc}
    except ChannelError as exc:
        withdrawn, note = False, str(exc)
    except Exception as exc:  # a bug or an unexpected error: shown, and can be tried again
        logger.exception("recall of delivery %s: unexpected error", delivery_id)
        withdrawn, note = False, f"{type(exc).__name__}: {exc}"
    return _record(delivery_id, withdrawn=withdrawn, note=note)


def _record(delivery_id: int, *, withdrawn: bool, note: str) -> str:
    with transaction.atomic():
        post_id = Delivery.objects.values_list("post_id", flat=True).get(pk=delivery_id)
        post = (
            Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post_id)
        )
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("recall_requested_by")
            .get(pk=delivery_id)
        )
        if delivery.recall_state != RecallState.WITHDRAWING:
            return delivery.recall_state  # settled meanwhile (the whole post was withdrawn)
        requester = delivery.recall_requested_by
        _finish(
            delivery,
            post,
            withdrawn=withdrawn,
            note=note,
            actor=None,
            on_behalf_of=requester.get_username() if requester else "",
        )
    return delivery.recall_state


def _copy_repr(post: Post, delivery: Delivery) -> str:
    return f"{post.title} · {delivery.channel_label}"[:300]


def _finish(
    delivery: Delivery,
    post: Post,
    *,
    withdrawn: bool,
    note: str,
    actor: User | None,
    on_behalf_of: str = "",
) -> None:
    """Record a copy's outcome on its delivery, audited; close the recall when no copy needs
    staff any more. ``delivery`` is locked by the caller."""
    now = timezone.now()
    delivery.recall_claimed_at = None
    delivery.recall_finished_at = now
    delivery.recall_note = note[:5000]
    delivery.withdraw_note = note[:500]  # the delivery log says it too
    if withdrawn:
        delivery.recall_state = RecallState.WITHDRAWN
        if delivery.status == Delivery.Status.SENT:
            delivery.status = Delivery.Status.WITHDRAWN
            delivery.withdrawn_at = now
    else:
        delivery.recall_state = RecallState.FAILED
    delivery.save()
    audit_record(
        actor=actor,
        action="recall_copy.withdrawn" if withdrawn else "recall_copy.withdraw_failed",
        obj=delivery,
        archive=post.archive,
        object_repr=_copy_repr(post, delivery),
        after={
            "channel": delivery.channel,
            "attempt": delivery.recall_attempts,
            "note": delivery.recall_note,
        },
        on_behalf_of=on_behalf_of,
    )
    _close_if_done(post)


def _close_if_done(post: Post) -> None:
    """Close the recall once every copy is withdrawn or cannot be; a published post none of
    whose withdrawable copies is left out there becomes withdrawn, as ``post_withdraw`` leaves
    it. ``post`` is locked by the caller."""
    if not post.recall_open:
        return
    copies = post.deliveries.exclude(recall_state="")
    states = set(copies.values_list("recall_state", flat=True))
    if states & set(NEEDS_STAFF):
        return
    post.recall_closed_at = timezone.now()
    post.save(update_fields=["recall_closed_at"])
    audit_record(
        actor=None,
        action="recall.close",
        obj=post,
        archive=post.archive,
        after={"copies": sorted(states)},
    )
    still_out = (
        post.deliveries.filter(status=Delivery.Status.SENT)
        .exclude(recall_state=RecallState.CANNOT)
        .exists()
    )
    if post.status == Post.Status.PUBLISHED and RecallState.WITHDRAWN in states and not still_out:
        _transition(
            actor=None,
            post=post,
            to=Post.Status.WITHDRAWN,
            action="post.withdraw",
            reason=_("recalled: it quotes a catalog item that may no longer be shown this way"),
        )


def recall_copies_sync(*, post: Post | None = None) -> int:
    """Copies withdrawn another way (the post's own Withdraw) are withdrawn in its recall;
    returns how many."""
    copies = Delivery.objects.filter(
        post__recall_found_at__isnull=False,
        post__recall_closed_at__isnull=True,
        recall_state__in=[RecallState.OUT, RecallState.FAILED],
        status=Delivery.Status.WITHDRAWN,
    )
    if post is not None:
        copies = copies.filter(post=post)
    done = 0
    for delivery_id, post_id in list(copies.values_list("pk", "post_id")):
        with transaction.atomic():
            locked = (
                Post.objects.select_for_update(of=("self",))
                .select_related("archive")
                .get(pk=post_id)
            )
            delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery_id)
            if delivery.recall_state in (RecallState.OUT, RecallState.FAILED):
                _finish(
                    delivery,
                    locked,
                    withdrawn=True,
                    note=_("withdrawn with the whole post"),
                    actor=None,
                )
                done += 1
    return done


def recalls_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """What no signal announced (recalls to open), copies withdrawn another way, and
    withdrawals whose task was lost or whose worker died: their delivery ids, to queue again."""
    now = now or timezone.now()
    recalls_detect()
    recall_copies_sync()
    stale = Q(recall_claimed_at__lte=now - STALE_WITHDRAWING)
    lost = Q(recall_claimed_at__isnull=True, recall_requested_at__lte=now - LOST_WITHDRAWING)
    due = Delivery.objects.filter(stale | lost, recall_state=RecallState.WITHDRAWING)
    ids = list(due.values_list("pk", flat=True)[:500])
    # Conditional, so a worker that finishes now keeps its result.
    Delivery.objects.filter(pk__in=ids, recall_state=RecallState.WITHDRAWING).filter(stale).update(
        recall_claimed_at=None
    )
    return ids
