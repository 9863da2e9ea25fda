"""Recall: copies already published that quote a catalog item since reclassified.

When an item, or a fonds or series above it, is made confidential or closed, or restricted
where a copy shows its digital objects (the description of restricted material stays public),
every copy of every post that quoted it is found: WeChat articles and mass sends, Weibo
statuses, the archive's pages and feeds, email issues (the WARC keeps the archive's own record
of them, see ``selectors.recall_warc_files``). The archive's staff see them on the dashboard and
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
    CHANNEL_LABELS,
    REASON_ORDER,
    Delivery,
    Notice,
    Post,
    PostItem,
    Recall,
    RecallCopy,
)
from archivox.publishing.services.deliveries import _account_for, _fail, delivery_context
from archivox.publishing.services.desk import PublishingError, _check, _transition

logger = logging.getLogger(__name__)

# A withdrawal whose worker has held it this long died; one queued this long without a worker
# taking it was lost. Either is handed back to the queue (deleting twice is harmless: the
# platform answers that the copy is gone, which is what we wanted).
STALE_WITHDRAWING = datetime.timedelta(minutes=10)
LOST_WITHDRAWING = datetime.timedelta(minutes=2)
NEEDS_STAFF = (RecallCopy.State.OUT, RecallCopy.State.WITHDRAWING, RecallCopy.State.FAILED)
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
        return Recall.Reason.CONFIDENTIAL
    closed = description.effective_closed_until
    if closed is not None and closed >= today:
        return Recall.Reason.CLOSED
    return Recall.Reason.RESTRICTED


def _makes_it(description: Description, reason: str, today: datetime.date) -> bool:
    """Whether ``description``'s own values (not its ancestors') give ``reason``."""
    if reason == Recall.Reason.CLOSED:
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
        "closed_until": closed.isoformat() if reason == Recall.Reason.CLOSED and closed else "",
        "via": via,
    }


def recalls_detect(
    *, archive_ids: Iterable[int] | None = None, today: datetime.date | None = None
) -> list[Recall]:
    """Open a recall (or add to the open one) for every post with a copy out that quotes an
    item no longer fit to be shown so; returns the recalls opened or added to. Idempotent:
    what is already recalled is not recalled or announced again."""
    today = today or timezone.localdate()
    by_post: dict[int, list[Description]] = {}
    for post_item in _unfit_post_items(archive_ids=archive_ids, today=today):
        by_post.setdefault(post_item.post_id, []).append(post_item.description)
    ancestor_ids = {a for items in by_post.values() for d in items for a in d.ancestor_ids}
    ancestors = Description.objects.in_bulk(list(ancestor_ids))
    changed = []
    for post_id, descriptions in by_post.items():
        entries = [_item_entry(d, ancestors, today) for d in descriptions]
        recall = _recall_merge(post_id=post_id, entries=entries)
        if recall is not None:
            changed.append(recall)
    return changed


def _strictest(entries: Iterable[dict[str, Any]]) -> str:
    return min((e["reason"] for e in entries), key=lambda reason: REASON_ORDER[reason])


@transaction.atomic
def _recall_merge(*, post_id: int, entries: list[dict[str, Any]]) -> Recall | None:
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
    recall = post.recalls.filter(closed_at__isnull=True).first()
    earlier = list(post.recalls.exclude(pk=recall.pk if recall else None))
    known_items = {e["description_id"] for r in earlier for e in r.items}
    known_copies = set(
        RecallCopy.objects.filter(recall__in=earlier).values_list("delivery_id", flat=True)
    )
    if recall is None:
        # Everything here was recalled before (an email that cannot be unsent stays `sent`):
        # nothing new to tell.
        if {e["description_id"] for e in entries} <= known_items and {
            d.pk for d in sent
        } <= known_copies:
            return None
        recall = Recall(post=post, archive=post.archive, reason=_strictest(entries), items=[])
        opened = True
    else:
        opened = False
    merged = {e["description_id"]: e for e in recall.items}
    new_items = [e for e in entries if e["description_id"] not in merged]
    merged.update({e["description_id"]: e for e in entries})
    covered = set() if opened else set(recall.copies.values_list("delivery_id", flat=True))
    new_copies = [d for d in sent if d.pk not in covered]
    reason = _strictest(merged.values())
    if not opened and not new_items and not new_copies and reason == recall.reason:
        return None
    recall.items = list(merged.values())
    recall.reason = reason
    recall.save()
    for delivery in new_copies:
        plan = channel_get(delivery.channel).withdrawal(remote_id=delivery.remote_id)
        impossible = plan.kind == Withdrawal.IMPOSSIBLE
        RecallCopy.objects.create(
            recall=recall,
            delivery=delivery,
            state=RecallCopy.State.CANNOT if impossible else RecallCopy.State.OUT,
            note=plan.reason if impossible else "",
        )
    audit_record(
        actor=None,
        action="recall.open" if opened else "recall.update",
        obj=recall,
        archive=post.archive,
        object_repr=post.title[:300],
        after={
            "post": post.title,
            "reason": reason,
            "items": [e["reference_code"] for e in (entries if opened else new_items)],
            "copies": [d.channel for d in new_copies],
        },
    )
    if opened or new_items:
        _notify(recall, post, entries if opened else new_items)
    _close_if_done(recall, post)
    return recall


def _carries(delivery: Delivery, entry: dict[str, Any]) -> bool:
    """Whether the copy carries the item as it may no longer be shown: the item itself, or for
    a restricted one its images, as recorded when the copy was rendered (a delivery made before
    that record existed is taken to carry every item of its post)."""
    quoted = delivery.quoted or {}
    if not quoted:
        return True
    key = "images" if entry["reason"] == Recall.Reason.RESTRICTED else "items"
    return entry["description_id"] in quoted.get(key, ())


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


def _notify(recall: Recall, post: Post, entries: list[dict[str, Any]]) -> None:
    """A notice on the desk for everyone who composes or reviews in the archive, and an email
    after the commit."""
    message = _(
        "Published copies of “%(title)s” quote %(items)s, which may no longer be shown this "
        "way (%(reason)s): see Recall on the publishing desk and withdraw them."
    ) % {
        "title": post.title,
        "items": "、".join(f"“{e['title']}”" for e in entries),
        "reason": Recall.Reason(recall.reason).label,
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
                logger.exception("could not mail %s about recall %s", address, recall.pk)

    transaction.on_commit(mail)


# -- withdrawing -------------------------------------------------------------------------------


def recall_copy_withdraw(*, actor: User | None, copy: RecallCopy) -> RecallCopy:
    """Withdraw one published copy (or try again after a failure). Our own pages and feeds are
    hidden in this transaction; a platform's copy is queued for the worker, which records what
    the platform answers."""
    with transaction.atomic():
        recall = Recall.objects.select_related("archive").get(pk=copy.recall_id)
        _check(actor, recall.archive, Capability.POST_COMPOSE)
        post = Post.objects.select_for_update(of=("self",)).get(pk=recall.post_id)
        copy = (
            RecallCopy.objects.select_for_update(of=("self",))
            .select_related("delivery__post__archive", "recall")
            .get(pk=copy.pk)
        )
        if copy.state == RecallCopy.State.WITHDRAWN:
            raise PublishingError({"__all__": _("this copy is withdrawn already")})
        if copy.state == RecallCopy.State.WITHDRAWING:
            raise PublishingError(
                {"__all__": _("this copy is being withdrawn; its result shows here shortly")}
            )
        if copy.state == RecallCopy.State.CANNOT:
            raise PublishingError({"__all__": copy.note or _("this copy cannot be withdrawn")})
        delivery = copy.delivery
        channel = channel_get(delivery.channel)
        plan = channel.withdrawal(remote_id=delivery.remote_id)
        before = {"state": copy.state}
        copy.attempts += 1
        copy.requested_by = actor
        copy.requested_at = timezone.now()
        copy.claimed_at = None
        audit_record(
            actor=actor,
            action="recall_copy.withdraw",
            obj=copy,
            archive=recall.archive,
            object_repr=_copy_repr(post, delivery),
            before=before,
            after={"channel": delivery.channel, "attempt": copy.attempts},
        )
        if plan.kind == Withdrawal.LOCAL:
            # Served by us: nothing leaves, so hiding it cannot fail half-way.
            channel.withdraw(account=None, remote_id=delivery.remote_id, context={})
            _finish(copy, post, withdrawn=True, note="", actor=actor)
            return copy
        if plan.kind == Withdrawal.IMPOSSIBLE:
            copy.state, copy.note = RecallCopy.State.CANNOT, plan.reason
            copy.save()
            return copy
        copy.state = RecallCopy.State.WITHDRAWING
        copy.save()
        from archivox.publishing.tasks import recall_withdraw

        copy_id = copy.pk
        transaction.on_commit(lambda: recall_withdraw(copy_id))
    return copy


def recall_copy_run(*, copy_id: int) -> str:
    """Ask the platform to delete one copy (the worker's half of ``recall_copy_withdraw``).
    The claim is committed first, so a second task for the copy leaves it alone."""
    with transaction.atomic():
        copy = (
            RecallCopy.objects.select_for_update(of=("self",))
            .select_related("delivery__post__archive")
            .get(pk=copy_id)
        )
        if copy.state != RecallCopy.State.WITHDRAWING or copy.claimed_at is not None:
            return copy.state
        copy.claimed_at = timezone.now()
        copy.save(update_fields=["claimed_at"])
    delivery = copy.delivery
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
        logger.exception("recall copy %s: unexpected error", copy_id)
        withdrawn, note = False, f"{type(exc).__name__}: {exc}"
    return _record(copy_id, withdrawn=withdrawn, note=note)


def _record(copy_id: int, *, withdrawn: bool, note: str) -> str:
    with transaction.atomic():
        post_id = RecallCopy.objects.values_list("recall__post_id", flat=True).get(pk=copy_id)
        post = (
            Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post_id)
        )
        copy = (
            RecallCopy.objects.select_for_update(of=("self",))
            .select_related("delivery", "recall", "requested_by")
            .get(pk=copy_id)
        )
        if copy.state != RecallCopy.State.WITHDRAWING:
            return copy.state  # settled meanwhile (the whole post was withdrawn, say)
        requester = copy.requested_by.get_username() if copy.requested_by else ""
        _finish(copy, post, withdrawn=withdrawn, note=note, actor=None, on_behalf_of=requester)
    return copy.state


def _copy_repr(post: Post, delivery: Delivery) -> str:
    label = CHANNEL_LABELS.get(delivery.channel, delivery.channel)
    return f"{post.title} · {label}"[:300]


def _finish(
    copy: RecallCopy,
    post: Post,
    *,
    withdrawn: bool,
    note: str,
    actor: User | None,
    on_behalf_of: str = "",
) -> None:
    """Record a copy's outcome on the copy and its delivery, audited; close the recall when no
    copy needs staff any more."""
    now = timezone.now()
    delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=copy.delivery_id)
    copy.claimed_at = None
    copy.finished_at = now
    copy.note = note[:5000]
    if withdrawn:
        copy.state = RecallCopy.State.WITHDRAWN
        if delivery.status == Delivery.Status.SENT:
            delivery.status = Delivery.Status.WITHDRAWN
            delivery.withdrawn_at = now
        delivery.withdraw_note = note[:500]
    else:
        copy.state = RecallCopy.State.FAILED
        delivery.withdraw_note = note[:500]  # the delivery log says it too
    delivery.save()
    copy.save()
    audit_record(
        actor=actor,
        action="recall_copy.withdrawn" if withdrawn else "recall_copy.withdraw_failed",
        obj=copy,
        archive=post.archive,
        object_repr=_copy_repr(post, delivery),
        after={"channel": delivery.channel, "attempt": copy.attempts, "note": copy.note},
        on_behalf_of=on_behalf_of,
    )
    _close_if_done(copy.recall, post)


def _close_if_done(recall: Recall, post: Post) -> None:
    """Close the recall once every copy is withdrawn or cannot be; a published post none of
    whose withdrawable copies is left out there becomes withdrawn, as ``post_withdraw`` leaves
    it."""
    recall = Recall.objects.select_for_update(of=("self",)).get(pk=recall.pk)
    if recall.closed_at is not None:
        return
    states = set(recall.copies.values_list("state", flat=True))
    if states & set(NEEDS_STAFF):
        return
    recall.closed_at = timezone.now()
    recall.save(update_fields=["closed_at"])
    audit_record(
        actor=None,
        action="recall.close",
        obj=recall,
        archive=post.archive,
        object_repr=post.title[:300],
        after={"copies": sorted(states)},
    )
    unsendable = recall.copies.filter(state=RecallCopy.State.CANNOT).values("delivery_id")
    still_out = (
        post.deliveries.filter(status=Delivery.Status.SENT).exclude(pk__in=unsendable).exists()
    )
    if (
        post.status == Post.Status.PUBLISHED
        and RecallCopy.State.WITHDRAWN in states
        and not still_out
    ):
        _transition(
            actor=None,
            post=post,
            to=Post.Status.WITHDRAWN,
            action="post.withdraw",
            reason=_("recalled: it quotes a catalog item that may no longer be shown this way"),
        )


def recall_copies_sync(*, post: Post | None = None) -> int:
    """Copies whose delivery was withdrawn another way (the post's own Withdraw) are
    withdrawn; returns how many."""
    copies = RecallCopy.objects.filter(
        recall__closed_at__isnull=True,
        state__in=[RecallCopy.State.OUT, RecallCopy.State.FAILED],
        delivery__status=Delivery.Status.WITHDRAWN,
    )
    if post is not None:
        copies = copies.filter(recall__post=post)
    done = 0
    for copy_id, post_id in list(copies.values_list("pk", "recall__post_id")):
        with transaction.atomic():
            locked_post = (
                Post.objects.select_for_update(of=("self",))
                .select_related("archive")
                .get(pk=post_id)
            )
            copy = (
                RecallCopy.objects.select_for_update(of=("self",))
                .select_related("recall")
                .get(pk=copy_id)
            )
            if copy.state in (RecallCopy.State.OUT, RecallCopy.State.FAILED):
                _finish(
                    copy,
                    locked_post,
                    withdrawn=True,
                    note=_("withdrawn with the whole post"),
                    actor=None,
                )
                done += 1
    return done


def recalls_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """What no signal announced (recalls to open), copies withdrawn another way, and
    withdrawals whose task was lost or whose worker died: their ids, to queue again."""
    now = now or timezone.now()
    recalls_detect()
    recall_copies_sync()
    stale = Q(claimed_at__lte=now - STALE_WITHDRAWING)
    lost = Q(claimed_at__isnull=True, requested_at__lte=now - LOST_WITHDRAWING)
    due = RecallCopy.objects.filter(stale | lost, state=RecallCopy.State.WITHDRAWING)
    ids = list(due.values_list("pk", flat=True)[:500])
    # Conditional, so a worker that finishes now keeps its result.
    RecallCopy.objects.filter(pk__in=ids, state=RecallCopy.State.WITHDRAWING).filter(stale).update(
        claimed_at=None
    )
    return ids
