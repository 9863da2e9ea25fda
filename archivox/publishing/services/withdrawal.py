"""After publication: withdrawal from the channels that allow it, and corrections."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.core.services import audit_record, snapshot
from archivox.publishing.channels import channel_get
from archivox.publishing.channels.base import ChannelError, WithdrawRefused
from archivox.publishing.models import Delivery, Post, PostRevision
from archivox.publishing.services.composing import _clean_values, _revision_save
from archivox.publishing.services.deliveries import _account_for, delivery_context
from archivox.publishing.services.desk import PublishingError, _check, _transition
from archivox.publishing.services.recall import recall_copies_sync
from archivox.publishing.services.screening import post_screen


def post_withdraw(*, actor: User | None, post: Post, reason: str) -> list[Delivery]:
    """Take a published post back from every channel that allows it; where a platform refuses,
    the delivery stays `sent` and says why."""
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if not (reason or "").strip():
        raise PublishingError({"reason": _("say why the post is withdrawn")})
    with transaction.atomic():
        post = (
            Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
        )
        if post.status != Post.Status.PUBLISHED:
            raise PublishingError({"__all__": _("only published posts can be withdrawn")})
        _transition(
            actor=actor,
            post=post,
            to=Post.Status.WITHDRAWN,
            action="post.withdraw",
            reason=reason,
        )
    results = []
    for delivery in post.deliveries.select_related("post__archive"):
        if delivery.status != Delivery.Status.SENT:
            continue
        note = ""
        try:
            channel = channel_get(delivery.channel)
            account = _account_for(delivery.channel, post.archive)
            channel.withdraw(
                account=account, remote_id=delivery.remote_id, context=delivery_context(delivery)
            )
        except WithdrawRefused as exc:
            note = _("the platform does not allow withdrawal: %(error)s") % {"error": exc}
        except ChannelError as exc:
            note = _("withdrawal failed: %(error)s") % {"error": exc}
        with transaction.atomic():
            if note:
                delivery.withdraw_note = note[:500]
            else:
                delivery.status = Delivery.Status.WITHDRAWN
                delivery.withdrawn_at = timezone.now()
                delivery.withdraw_note = ""
            delivery.save()
            audit_record(
                actor=actor,
                action="delivery.withdraw",
                obj=delivery,
                archive=post.archive,
                after={"channel": delivery.channel, "withdrawn": not note, "note": note},
            )
        results.append(delivery)
    # A recall of this post now knows which of its copies are gone.
    recall_copies_sync(post=post)
    return results


@transaction.atomic
def post_correct(*, actor: User | None, post: Post, reason: str, **changes: Any) -> PostRevision:
    """Correct a published post. The portal and the feeds show the correction; the change and
    its reason are a revision and an audit entry. Screening blocks apply again."""
    post = Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status != Post.Status.PUBLISHED:
        raise PublishingError({"__all__": _("only published posts are corrected")})
    if not (reason or "").strip():
        raise PublishingError({"reason": _("a correction needs a reason")})
    allowed = {"title", "author", "digest", "body_html", "text", "column", "topics"}
    unknown = set(changes) - allowed
    if unknown:
        raise PublishingError(
            {"__all__": _("these cannot be corrected: %s") % ", ".join(sorted(unknown))}
        )
    changes = _clean_values(post.archive, changes)
    changed = [name for name, value in changes.items() if getattr(post, name) != value]
    before = snapshot(post, changed)
    for name in changed:
        setattr(post, name, changes[name])
    post.full_clean()
    screening = post_screen(post=post)
    blocks = [b for b in screening.blocks]
    if blocks:
        raise PublishingError({"screening": blocks})
    post.save()
    revision = _revision_save(actor=actor, post=post, reason=reason.strip(), correction=True)
    audit_record(
        actor=actor,
        action="post.correct",
        obj=post,
        archive=post.archive,
        before=before,
        after={**snapshot(post, changed), "reason": reason.strip()},
    )
    return revision
