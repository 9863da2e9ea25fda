"""Scheduling and the one mass send a day: the checks a post passes before it is planned or
published, planning and unplanning it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.selectors import Capability
from archivox.core.services import snapshot
from archivox.publishing.channels.base import Rendering
from archivox.publishing.days import beijing_day, beijing_day_bounds
from archivox.publishing.models import Delivery, Post
from archivox.publishing.selectors import calendar_warnings_for_day
from archivox.publishing.services.desk import PublishingError, _check, _transition
from archivox.publishing.services.rendering import archive_channels, post_render


def _is_subscription(archive: Archive) -> bool:
    account = PlatformAccount.objects.filter(
        archive=archive, platform=PlatformAccount.Platform.WECHAT, is_active=True
    ).first()
    return account is not None and account.wechat_type != PlatformAccount.WeChatType.SERVICE


def mass_send_used(
    *, archive: Archive, day: datetime.date, exclude_post: Post | None = None
) -> Delivery | None:
    """The WeChat mass send the archive already made (or is making) on ``day`` (Beijing)."""
    start, end = beijing_day_bounds(day)
    deliveries = Delivery.objects.filter(
        post__archive=archive,
        channel="wechat",
        payload__mode="mass_send",
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.SENT],
        created_at__gte=start,
        created_at__lt=end,
    ).select_related("post")
    if exclude_post is not None:
        deliveries = deliveries.exclude(post=exclude_post)
    return deliveries.first()


def _mass_send_message(used: Delivery, day: datetime.date) -> str:
    return _(
        "WeChat subscription accounts may mass-send once a day; %(day)s's mass send was "
        "already used by “%(title)s”. Publish without notifying followers, or schedule it "
        "for another day."
    ) % {"day": day.isoformat(), "title": used.post.title}


def _check_mass_send(post: Post, moment: datetime.datetime) -> None:
    if (
        "wechat" in post.channels
        and post.wechat_mode == Post.WeChatMode.MASS_SEND
        and _is_subscription(post.archive)
    ):
        day = beijing_day(moment)
        used = mass_send_used(archive=post.archive, day=day, exclude_post=post)
        if used is not None:
            raise PublishingError({"wechat_mode": _mass_send_message(used, day)})


def _check_channels(post: Post) -> dict[str, PlatformAccount | None]:
    available = archive_channels(post.archive)
    missing = [name for name in post.channels if name not in available]
    if missing:
        raise PublishingError(
            {
                "channels": _(
                    "the archive has no active account for %(names)s; remove it from the "
                    "post's channels or connect the account"
                )
                % {"names": ", ".join(missing)}
            }
        )
    return available


def _check_renderings(post: Post) -> dict[str, Rendering]:
    renderings = post_render(post=post)
    refused = [
        f"{name}: {flag.message}"
        for name, rendering in renderings.items()
        for flag in rendering.flags
        if flag.severity == "refuse"
    ]
    if refused:
        raise PublishingError({"channels": refused})
    return renderings


@transaction.atomic
def post_schedule(*, actor: User | None, post: Post, when: datetime.datetime) -> list[str]:
    """Plan an approved post for ``when``. Returns the calendar's warnings for that day."""
    post = Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status not in (Post.Status.APPROVED, Post.Status.SCHEDULED):
        raise PublishingError({"__all__": _("only approved posts can be scheduled")})
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when <= timezone.now():
        raise PublishingError(
            {
                "scheduled_for": _("%(when)s is in the past; choose a time from now on")
                % {"when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")}
            }
        )
    _check_channels(post)
    _check_renderings(post)
    before = snapshot(post, ["scheduled_for"])
    post.scheduled_for = when
    _transition(
        actor=actor,
        post=post,
        to=Post.Status.SCHEDULED,
        action="post.schedule",
        scheduled_for=when.isoformat(),
        was=before,
    )
    return calendar_warnings_for_day(archive=post.archive, day=beijing_day(when))


@transaction.atomic
def post_unschedule(*, actor: User | None, post: Post) -> Post:
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status != Post.Status.SCHEDULED:
        raise PublishingError({"__all__": _("the post is not scheduled")})
    post.scheduled_for = None
    _transition(actor=actor, post=post, to=Post.Status.APPROVED, action="post.unschedule")
    return post
