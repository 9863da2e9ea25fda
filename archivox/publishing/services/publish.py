"""Publishing: now, or when a scheduled post's time comes. One delivery per channel is
created and queued; sending them is the deliveries' stage."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.publishing.channels.base import Rendering
from archivox.publishing.days import beijing_day
from archivox.publishing.models import Delivery, Post
from archivox.publishing.services.deliveries import _notify_failure, _operator_ip
from archivox.publishing.services.desk import PublishingError, _check, _transition
from archivox.publishing.services.rendering import archive_channels, post_render
from archivox.publishing.services.scheduling import (
    _check_channels,
    _check_mass_send,
    _check_renderings,
    _is_subscription,
    _mass_send_message,
    mass_send_used,
)

logger = logging.getLogger("archivox.publishing.services")  # its name before the split


def _publish(
    *,
    actor: User | None,
    post: Post,
    renderings: dict[str, Rendering],
    refusal: str = "",
    rip: str = "",
) -> list[Delivery]:
    """Create one delivery per channel (the rendering as it will be sent) and queue them."""
    deliveries = []
    for name, rendering in renderings.items():
        delivery = Delivery(
            post=post, channel=name, payload=rendering.payload, quoted=rendering.catalog
        )
        if name == "weibo":
            delivery.payload = {**rendering.payload, "rip": _operator_ip(rip)}
        if name == "wechat":
            delivery.payload = {**rendering.payload, "mode": post.wechat_mode}
            if refusal:
                # Refused before it is tried: nothing reaches the platform.
                delivery.status = Delivery.Status.FAILED
                delivery.error = refusal
        delivery.full_clean()
        delivery.save()
        deliveries.append(delivery)
    post.published_at = timezone.now()
    _transition(
        actor=actor,
        post=post,
        to=Post.Status.PUBLISHED,
        action="post.publish",
        channels=list(renderings),
    )
    from archivox.publishing.tasks import delivery_send

    for delivery in deliveries:
        if delivery.status == Delivery.Status.PENDING:
            transaction.on_commit(lambda pk=delivery.pk: delivery_send(pk))
        else:
            transaction.on_commit(lambda d=delivery: _notify_failure(d))
    return deliveries


def post_publish_now(*, actor: User | None, post: Post, rip: str = "") -> list[Delivery]:
    """Publish an approved (or scheduled) post to its channels now. Everything that would be
    refused (a second mass send today, a channel without an account, a rendering the platform
    would refuse) is refused here, before anything is sent."""

    def check(post: Post) -> None:
        _check(actor, post.archive, Capability.POST_COMPOSE)
        if post.status not in (Post.Status.APPROVED, Post.Status.SCHEDULED):
            raise PublishingError(
                {
                    "__all__": _("only approved posts can be published; this one is %(status)s")
                    % {"status": post.get_status_display()}
                }
            )
        _check_channels(post)
        _check_mass_send(post, timezone.now())

    post = Post.objects.select_related("archive").get(pk=post.pk)
    check(post)
    # Rendered before the write lock is taken (images are read and resized), then published
    # only if the post did not change meanwhile.
    renderings = _check_renderings(post)
    with transaction.atomic():
        locked = (
            Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
        )
        check(locked)
        if locked.updated_at != post.updated_at:
            renderings = _check_renderings(locked)
        return _publish(actor=actor, post=locked, renderings=renderings, rip=rip)


def posts_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish every scheduled post whose time has come (the periodic task). The plan lives in
    the database, so a restart of the worker or the web server loses nothing."""
    now = now or timezone.now()
    published = 0
    due = Post.objects.filter(status=Post.Status.SCHEDULED, scheduled_for__lte=now)
    for pk in due.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                post = (
                    Post.objects.select_for_update(of=("self",))
                    .select_related("archive", "created_by")
                    .get(pk=pk)
                )
                if post.status != Post.Status.SCHEDULED:
                    continue
                _publish_scheduled(post, now)
                published += 1
        except Exception:
            logger.exception("scheduled post %s could not be published", pk)
    return published


def _publish_scheduled(post: Post, now: datetime.datetime) -> None:
    available = archive_channels(post.archive)
    names = [name for name in post.channels if name in available]
    renderings = post_render(post=post, channels=names)
    refusal = ""
    mass_send = "wechat" in renderings and post.wechat_mode == Post.WeChatMode.MASS_SEND
    if mass_send and _is_subscription(post.archive):
        day = beijing_day(now)
        used = mass_send_used(archive=post.archive, day=day, exclude_post=post)
        if used is not None:
            refusal = _mass_send_message(used, day)
    for name, rendering in list(renderings.items()):
        if rendering.refused:
            renderings.pop(name)
    _publish(actor=None, post=post, renderings=renderings, refusal=refusal)


# -- deliveries -------------------------------------------------------------------------------
