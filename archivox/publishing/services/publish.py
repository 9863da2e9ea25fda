"""Publishing: now, or when a scheduled post's time comes. One delivery per channel is
created and queued; sending them is the deliveries' stage."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import User
from archivox.core.queries import found
from archivox.core.selectors import Capability
from archivox.publishing.channels.base import Rendering
from archivox.publishing.days import beijing_day
from archivox.publishing.models import Delivery, Notice, Post
from archivox.publishing.services.deliveries import (
    _notify_failure,
    _operator_ip,
    _send_in_house,
    _sent_recorded,
)
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
    """Create one delivery per channel (the rendering as it will be sent) and queue them; those
    of our own portal and feed are sent as they are made."""
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
        # The post exists (it is locked) and the database's constraints hold the rest (one
        # delivery per post and channel, the unique key): not four queries a delivery to check.
        delivery.full_clean(exclude=["post"], validate_unique=False, validate_constraints=False)
        _send_in_house(delivery)
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)
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
        if delivery.status == Delivery.Status.SENT:  # our portal and feed: sent as made
            _sent_recorded(delivery)
        elif delivery.status == Delivery.Status.PENDING:
            transaction.on_commit(lambda pk=delivery.pk: delivery_send(pk))
        else:
            transaction.on_commit(lambda d=delivery: _notify_failure(d))
    return deliveries


def post_publish_now(*, actor: User | None, post: Post, rip: str = "") -> list[Delivery]:
    """Publish an approved (or scheduled) post to its channels now. Everything that would be
    refused (a second mass send today, a channel without an account, a rendering the platform
    would refuse) is refused here, before anything is sent."""

    def check(post: Post, *, again: bool = False) -> None:
        if not again:
            _check(actor, post.archive, Capability.POST_COMPOSE)
        if post.status not in (Post.Status.APPROVED, Post.Status.SCHEDULED):
            raise PublishingError(
                {
                    "__all__": _("only approved posts can be published; this one is %(status)s")
                    % {"status": post.get_status_display()}
                }
            )
        if not again:
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
        if locked.updated_at != post.updated_at:
            check(locked)
            renderings = _check_renderings(locked)
        else:
            # The same post a moment later: who may publish it and its accounts were checked
            # above, in this call (issue 24: four queries a post); what another request could
            # have changed meanwhile (it was published, today's mass send was used) is not.
            check(locked, again=True)
        return _publish(actor=actor, post=locked, renderings=renderings, rip=rip)


@transaction.atomic
def post_publish_queue(*, actor: User | None, post: Post, rip: str = "") -> Post:
    """Publish now with the work in a worker (issue 24: a desk that publishes a hundred posts
    at once must not render and write them all in the request). Here only what is cheap is
    checked (permission, status, channels, today's mass send); the post becomes scheduled for
    this minute, so that the periodic task publishes it should the queued task be lost, and a
    task publishes it at once (``post_publish_now``: rendering, refusing what the platform would
    refuse, one delivery per channel). A refusal there puts the post back to approved and tells
    the author in a notice."""
    return _queue(actor, post, rip)


def posts_publish_queue(
    *, actor: User | None, posts: list[Post], rip: str = ""
) -> tuple[list[Post], dict[int, PublishingError]]:
    """``post_publish_queue`` for many posts at once, in one transaction: the posts queued, and
    what was refused for the others (by post id; those stay as they were).

    One transaction, not one per post: on SQLite each write transaction waits its turn for the
    one write lock, and the workers already busy with the first posts' deliveries took most
    turns (issue 24: 100 posts queued one by one took 7.6 s in the caller; the tasks are only
    queued when this commits, so here nothing competes)."""
    queued: list[Post] = []
    refused: dict[int, PublishingError] = {}
    with transaction.atomic():
        for post in posts:
            try:
                with transaction.atomic():
                    queued.append(_queue(actor, post, rip))
            except PublishingError as error:
                refused[post.pk] = error
    return queued, refused


def _queue(actor: User | None, post: Post, rip: str) -> Post:
    post = Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status != Post.Status.APPROVED:
        raise PublishingError(
            {
                "__all__": _("only approved posts can be published; this one is %(status)s")
                % {"status": post.get_status_display()}
            }
        )
    now = timezone.now()
    _check_channels(post)
    _check_mass_send(post, now)
    post.scheduled_for = now
    _transition(actor=actor, post=post, to=Post.Status.SCHEDULED, action="post.queue")
    from archivox.publishing.tasks import post_publish

    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(lambda: post_publish(post.pk, actor_id, rip))
    return post


def post_publish_queued(*, post_id: int, actor_id: int | None, rip: str = "") -> int:
    """The worker's half of ``post_publish_queue``; returns the number of deliveries made (0
    when the post was published meanwhile, by the periodic task or a repeated task)."""
    post = found(Post.objects.filter(pk=post_id, status=Post.Status.SCHEDULED))
    if post is None:
        return 0
    actor = found(User.objects.filter(pk=actor_id)) if actor_id is not None else None
    try:
        return len(post_publish_now(actor=actor, post=post, rip=rip))
    except PublishingError as error:
        with transaction.atomic():
            locked = Post.objects.select_for_update(of=("self",)).get(pk=post_id)
            if locked.status != Post.Status.SCHEDULED:
                return 0  # published meanwhile: the refusal was of a second try
            locked.scheduled_for = None
            _transition(actor=None, post=locked, to=Post.Status.APPROVED, action="post.refuse")
            message = _("“%(title)s” was not published: %(reasons)s") % {
                "title": locked.title,
                "reasons": "; ".join(str(reason) for reason in error.messages),
            }
            logger.warning(message)
            if locked.created_by_id is not None:
                Notice.objects.create(user_id=locked.created_by_id, post=locked, message=message)
        return 0


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
