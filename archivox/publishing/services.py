"""The publishing desk: composing, screening, review, scheduling, publishing, deliveries,
withdrawal and corrections. Every staff change is audited; side effects run after commit."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog.models import Access, Description
from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record, snapshot
from archivox.publishing.channels import channel_get
from archivox.publishing.channels.base import (
    ChannelError,
    PermanentChannelError,
    Rendering,
    SendResult,
    TransientChannelError,
    WithdrawRefused,
)
from archivox.publishing.content import (
    absolute,
    html_problems,
    html_to_text,
    post_content,
    post_url,
    sanitise,
)
from archivox.publishing.days import (
    BEIJING,  # noqa: F401 - re-exported
    beijing_day,
    beijing_day_bounds,
)
from archivox.publishing.models import (
    CHANNELS,
    Delivery,
    DeskSettings,
    EmailSend,
    EmailSubscriber,
    Notice,
    Post,
    PostItem,
    PostRevision,
    ReviewComment,
    ScreeningOverride,
)
from archivox.publishing.selectors import calendar_warnings_for_day, can_view_posts

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min between attempts
STALE_SENDING = datetime.timedelta(minutes=10)  # a worker that held `sending` this long died
LOST_PENDING = datetime.timedelta(minutes=2)  # a pending delivery whose task never ran
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
EDITABLE = (Post.Status.DRAFT, Post.Status.CHANGES_REQUESTED)
CONTENT_FIELDS = (
    "kind",
    "title",
    "author",
    "digest",
    "body_html",
    "text",
    "origin",
    "forward_source",
    "column",
    "topics",
    "featured_collection",
    "channels",
    "wechat_mode",
)


class PublishingError(ValidationError):
    """A refused change; the message names the problem, nothing was saved or sent."""


# -- permissions ------------------------------------------------------------------------------


def _check(actor: User | None, archive: Archive, capability: str) -> None:
    archive_check_capability(user=actor, archive=archive, capability=capability)


def _check_view(actor: User | None, archive: Archive) -> None:
    if actor is None or not can_view_posts(user=actor, archive=archive):
        _check(actor, archive, Capability.POST_COMPOSE)


def _transition(*, actor: User | None, post: Post, to: str, action: str, **extra: Any) -> None:
    before = {"status": post.status}
    post.status = to
    post.full_clean()
    post.save()
    audit_record(
        actor=actor,
        action=action,
        obj=post,
        archive=post.archive,
        before=before,
        after={"status": to, **extra},
    )


# -- composing --------------------------------------------------------------------------------


def _clean_values(archive: Archive, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if "body_html" in values:
        problems = html_problems(values["body_html"] or "")
        if problems:
            errors["body_html"] = problems
        else:
            values["body_html"] = sanitise(values["body_html"] or "")
    if "topics" in values:
        topics = values["topics"] or []
        if isinstance(topics, str):
            topics = topics.replace("，", ",").split(",")
        values["topics"] = [t.strip().strip("#").strip() for t in topics if t.strip().strip("#")]
    if "channels" in values:
        channels = list(dict.fromkeys(values["channels"] or []))
        unknown = [name for name in channels if name not in CHANNELS]
        if unknown:
            errors["channels"] = [
                _("unknown channel(s): %(names)s") % {"names": ", ".join(unknown)}
            ]
        values["channels"] = channels
    collection = values.get("featured_collection")
    if collection is not None and collection.archive_id != archive.pk:
        errors["featured_collection"] = [_("the featured collection belongs to another archive")]
    if errors:
        raise PublishingError(errors)
    return values


def _set_items(post: Post, items: Iterable[dict[str, Any]]) -> None:
    post.post_items.all().delete()
    seen: set[int] = set()
    for position, item in enumerate(items):
        description: Description = item["description"]
        if description.archive_id != post.archive_id:
            raise PublishingError(
                {"items": _("%(code)s belongs to another archive") % {"code": description}}
            )
        if description.pk in seen:
            continue
        seen.add(description.pk)
        PostItem.objects.create(
            post=post,
            description=description,
            position=position,
            use_image=bool(item.get("use_image")),
            quote=bool(item.get("quote")),
        )


def _revision_save(
    *, actor: User | None, post: Post, reason: str = "", correction: bool = False
) -> PostRevision:
    content = snapshot(post, [name for name in CONTENT_FIELDS])
    content["items"] = [
        {"description": i.description_id, "use_image": i.use_image, "quote": i.quote}
        for i in post.post_items.all()
    ]
    content["cover_sha256"] = post.cover_sha256
    post.revision_number += 1
    Post.objects.filter(pk=post.pk).update(revision_number=post.revision_number)
    return PostRevision.objects.create(
        post=post,
        number=post.revision_number,
        content=content,
        is_correction=correction,
        reason=reason,
        created_by=actor,
    )


@transaction.atomic
def post_create(
    *,
    actor: User | None,
    archive: Archive,
    title: str,
    kind: str = Post.Kind.ARTICLE,
    items: Iterable[dict[str, Any]] = (),
    **values: Any,
) -> Post:
    """A new draft. ``values`` are Post fields (body_html, text, digest, topics, …);
    ``items`` dicts of ``description`` (a catalog Description), ``use_image``, ``quote``."""
    _check(actor, archive, Capability.POST_COMPOSE)
    unknown = set(values) - set(CONTENT_FIELDS)
    if unknown:
        raise PublishingError({"__all__": _("unknown fields: %s") % ", ".join(sorted(unknown))})
    if values.get("channels") is None:
        # By default every channel the archive can send to now.
        values["channels"] = list(archive_channels(archive))
    values = _clean_values(archive, {"title": title, "kind": kind, **values})
    post = Post(archive=archive, created_by=actor, **values)
    post.full_clean()
    post.save()
    _set_items(post, items)
    _revision_save(actor=actor, post=post)
    audit_record(
        actor=actor, action="post.create", obj=post, archive=archive, after={"title": title}
    )
    return post


@transaction.atomic
def post_update(
    *,
    actor: User | None,
    post: Post,
    items: Iterable[dict[str, Any]] | None = None,
    **changes: Any,
) -> Post:
    """Edit a draft (or one sent back with changes requested); every save is a revision."""
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status not in EDITABLE:
        raise PublishingError(
            {
                "__all__": _(
                    "a %(status)s post cannot be edited; published posts are corrected instead"
                )
                % {"status": post.get_status_display()}
            }
        )
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise PublishingError({"__all__": _("unknown fields: %s") % ", ".join(sorted(unknown))})
    changes = _clean_values(post.archive, changes)
    changed = [name for name, value in changes.items() if getattr(post, name) != value]
    before = snapshot(post, changed)
    for name in changed:
        setattr(post, name, changes[name])
    post.full_clean()
    post.save()
    if items is not None:
        _set_items(post, items)
        changed.append("items")
    _revision_save(actor=actor, post=post)
    audit_record(
        actor=actor,
        action="post.update",
        obj=post,
        archive=post.archive,
        before=before,
        after=snapshot(post, [name for name in changed if name != "items"]),
    )
    return post


def sniff_image(content: bytes) -> tuple[str, str, int, int]:
    """(media type, extension, width, height) of an uploaded image, decided by its bytes."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError as exc:
        raise PublishingError({"cover": _("the image is too large to process")}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PublishingError({"cover": _("not a supported image: use JPEG, PNG or GIF")}) from exc
    if image_format not in IMAGE_FORMATS:
        raise PublishingError(
            {
                "cover": _("%(format)s images are not accepted; use JPEG, PNG or GIF")
                % {"format": image_format}
            }
        )
    extension = "jpg" if image_format == "JPEG" else image_format.lower()
    return IMAGE_FORMATS[image_format], extension, width, height


@transaction.atomic
def post_set_cover(*, actor: User | None, post: Post, content: bytes) -> Post:
    """The cover image: checked by content and size, stored under a generated name."""
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status not in EDITABLE:
        raise PublishingError({"cover": _("only drafts can get a new cover")})
    if not content:
        raise PublishingError({"cover": _("the file is empty")})
    if len(content) > settings.MAX_UPLOAD_BYTES:
        raise PublishingError(
            {
                "cover": _("the image is %(size)s bytes; the limit is %(limit)s bytes")
                % {"size": len(content), "limit": settings.MAX_UPLOAD_BYTES}
            }
        )
    media_type, extension, _width, _height = sniff_image(content)
    digest = hashlib.sha256(content).hexdigest()
    old = post.cover.name if post.cover else ""
    post.cover.save(f"{digest[:16]}-{uuid.uuid4().hex[:8]}.{extension}", ContentFile(content))
    post.cover_media_type = media_type
    post.cover_sha256 = digest
    post.save()
    if old:
        transaction.on_commit(lambda: post.cover.storage.delete(old))
    _revision_save(actor=actor, post=post)
    audit_record(
        actor=actor,
        action="post.cover",
        obj=post,
        archive=post.archive,
        after={"sha256": digest, "media_type": media_type, "size": len(content)},
    )
    return post


@transaction.atomic
def post_delete(*, actor: User | None, post: Post) -> None:
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status not in EDITABLE:
        raise PublishingError({"__all__": _("only drafts can be deleted; withdraw instead")})
    audit_record(actor=actor, action="post.delete", obj=post, archive=post.archive)
    post.delete()


# -- screening --------------------------------------------------------------------------------


@dataclasses.dataclass
class ScreeningFinding:
    kind: str
    severity: str  # "block" or "warn"
    field: str
    start: int
    end: int
    text: str
    message: str
    before: str = ""  # a little of the text around the span, for the reviewer
    after: str = ""
    override: ScreeningOverride | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.field}:{self.start}:{self.end}:{self.text}"[:300]


@dataclasses.dataclass
class Screening:
    item_blocks: list[str]
    findings: list[ScreeningFinding]

    @property
    def blocks(self) -> list[str]:
        text_blocks = [
            f"{f.message} ({f.field}: «{f.text}»)" for f in self.findings if f.severity == "block"
        ]
        return self.item_blocks + text_blocks

    @property
    def warnings(self) -> list[ScreeningFinding]:
        return [f for f in self.findings if f.severity != "block"]

    @property
    def unresolved_warnings(self) -> list[ScreeningFinding]:
        return [f for f in self.warnings if f.override is None]


def _item_blocks(post: Post) -> list[str]:
    """Catalog items the public may not see, or whose images may not be published."""
    today = timezone.localdate()
    problems: list[str] = []
    for item in post.post_items.select_related("description"):
        description = item.description
        code = description.reference_code
        if description.effective_access == Access.CONFIDENTIAL:
            problems.append(_("%(code)s is confidential and cannot be published") % {"code": code})
        elif not description.is_public_on(today):
            problems.append(
                _("%(code)s is closed until %(date)s and cannot be published")
                % {"code": code, "date": description.effective_closed_until}
            )
        elif item.use_image and not description.objects_public_on(today):
            problems.append(
                _("%(code)s is restricted: its images cannot be published") % {"code": code}
            )
    return problems


def screening_fields(post: Post) -> dict[str, str]:
    """The text screening reads: what readers see, not the tags."""
    body = html_to_text(post.body_html) if post.kind == Post.Kind.ARTICLE else post.text
    fields = {"title": post.title, "body": body}
    if post.digest:
        fields["digest"] = post.digest
    return fields


def post_screen(*, post: Post) -> Screening:
    """Screen a post: catalog access (blocks), sensitive words and personal data (spans)."""
    from archivox.core.screening import screen_text

    fields = screening_fields(post)
    overrides = {o.finding_key: o for o in post.overrides.select_related("reviewer")}
    findings: list[ScreeningFinding] = []
    for raw in screen_text(archive=post.archive, fields=fields):
        source = fields.get(raw.field, "")
        finding = ScreeningFinding(
            kind=str(raw.kind),
            severity=str(raw.severity),
            field=raw.field,
            start=raw.start,
            end=raw.end,
            text=raw.text,
            message=str(raw.message),
            before=source[max(0, raw.start - 20) : raw.start],
            after=source[raw.end : raw.end + 20],
        )
        if finding.severity != "block":
            finding.override = overrides.get(finding.key)
        findings.append(finding)
    return Screening(item_blocks=_item_blocks(post), findings=findings)


@transaction.atomic
def post_submit(*, actor: User | None, post: Post) -> Screening:
    """Send a draft to review. Refused while screening finds anything that blocks."""
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status not in EDITABLE:
        raise PublishingError(
            {
                "__all__": _("a %(status)s post cannot be submitted")
                % {"status": post.get_status_display()}
            }
        )
    _require_content(post)
    screening = post_screen(post=post)
    if screening.blocks:
        raise PublishingError({"screening": screening.blocks})
    _transition(
        actor=actor,
        post=post,
        to=Post.Status.SUBMITTED,
        action="post.submit",
        warnings=len(screening.warnings),
    )
    return screening


def _require_content(post: Post) -> None:
    if post.kind == Post.Kind.ARTICLE and not html_to_text(post.body_html):
        raise PublishingError({"body_html": _("an article needs a body")})
    if post.kind == Post.Kind.SHORT and not post.text.strip():
        raise PublishingError({"text": _("a short post needs its text")})
    if post.origin == Post.Origin.FORWARD and not post.forward_source.strip():
        raise PublishingError({"forward_source": _("a forward must name its source")})
    if not post.channels:
        raise PublishingError({"channels": _("choose at least one channel")})


@transaction.atomic
def screening_override(
    *, actor: User | None, post: Post, finding_key: str, reason: str
) -> ScreeningOverride:
    """A reviewer accepts one warning, saying why. Blocks cannot be overridden."""
    _check(actor, post.archive, Capability.POST_REVIEW)
    reason = (reason or "").strip()
    if not reason:
        raise PublishingError({"reason": _("an override needs a reason")})
    screening = post_screen(post=post)
    finding = next((f for f in screening.findings if f.key == finding_key), None)
    if finding is None:
        raise PublishingError({"finding": _("no such screening finding on this post")})
    if finding.severity == "block":
        raise PublishingError(
            {
                "finding": _("%(message)s: blocks cannot be overridden")
                % {"message": finding.message}
            }
        )
    override, _created = ScreeningOverride.objects.update_or_create(
        post=post, finding_key=finding_key, defaults={"reason": reason, "reviewer": actor}
    )
    audit_record(
        actor=actor,
        action="post.screening_override",
        obj=post,
        archive=post.archive,
        after={"finding": finding_key, "reason": reason},
    )
    return override


# -- review -----------------------------------------------------------------------------------


@transaction.atomic
def post_comment(*, actor: User | None, post: Post, body: str) -> ReviewComment:
    _check_view(actor, post.archive)
    body = (body or "").strip()
    if not body:
        raise PublishingError({"body": _("the comment is empty")})
    comment = ReviewComment(post=post, author=actor, body=body)
    comment.full_clean()
    comment.save()
    audit_record(actor=actor, action="post.comment", obj=post, archive=post.archive)
    return comment


@transaction.atomic
def post_approve(*, actor: User | None, post: Post, comment: str = "") -> Post:
    """A reviewer of the archive (not the post's author) approves a submitted post, once every
    screening warning has an override."""
    post = Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_REVIEW)
    if actor is not None and post.created_by_id == actor.pk:
        raise PublishingError({"__all__": _("you cannot approve your own post")})
    if post.status != Post.Status.SUBMITTED:
        raise PublishingError(
            {
                "__all__": _("only submitted posts can be approved; this one is %(status)s")
                % {"status": post.get_status_display()}
            }
        )
    screening = post_screen(post=post)
    if screening.blocks:
        raise PublishingError({"screening": screening.blocks})
    if screening.unresolved_warnings:
        raise PublishingError(
            {
                "screening": [
                    _("warning not overridden: %(message)s («%(text)s» in %(field)s)")
                    % {"message": f.message, "text": f.text, "field": f.field}
                    for f in screening.unresolved_warnings
                ]
            }
        )
    if comment.strip():
        ReviewComment.objects.create(post=post, author=actor, body=comment.strip())
    _transition(actor=actor, post=post, to=Post.Status.APPROVED, action="post.approve")
    return post


@transaction.atomic
def post_request_changes(*, actor: User | None, post: Post, comment: str) -> Post:
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_REVIEW)
    if post.status not in (Post.Status.SUBMITTED, Post.Status.APPROVED, Post.Status.SCHEDULED):
        raise PublishingError({"__all__": _("only posts in review can be sent back")})
    if not (comment or "").strip():
        raise PublishingError({"comment": _("say what should change")})
    ReviewComment.objects.create(post=post, author=actor, body=comment.strip())
    post.scheduled_for = None
    _transition(
        actor=actor, post=post, to=Post.Status.CHANGES_REQUESTED, action="post.request_changes"
    )
    return post


# -- channels, rendering ----------------------------------------------------------------------


def archive_channels(archive: Archive) -> dict[str, PlatformAccount | None]:
    """The channels the archive can send to, with the account each sends through."""
    accounts = {
        account.platform: account
        for account in PlatformAccount.objects.filter(archive=archive, is_active=True)
    }
    available: dict[str, PlatformAccount | None] = {}
    for name in CHANNELS:
        try:
            channel = channel_get(name)
        except (ImportError, KeyError):
            continue
        if channel.needs_account is None:
            available[name] = None
        elif channel.needs_account in accounts:
            available[name] = accounts[channel.needs_account]
    return available


def post_render(*, post: Post, channels: Iterable[str] | None = None) -> dict[str, Rendering]:
    """Each channel's rendering of the post (payload, preview and flags)."""
    content = post_content(post)
    renderings: dict[str, Rendering] = {}
    for name in channels if channels is not None else post.channels:
        try:
            renderings[name] = channel_get(name).render(content)
        except ImportError:
            continue
    return renderings


# -- scheduling and the one mass send a day ---------------------------------------------------


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
        delivery = Delivery(post=post, channel=name, payload=rendering.payload)
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
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post__archive", "post__created_by")
            .get(pk=delivery_id)
        )
        if delivery.status != Delivery.Status.PENDING:
            return delivery.status
        reconcile = delivery.reconcile_first
        if delivery.post.status == Post.Status.WITHDRAWN and not reconcile:
            delivery.status = Delivery.Status.FAILED
            delivery.error = _("the post was withdrawn before this delivery was sent")
            delivery.save()
            return delivery.status
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
                return delivery.status
        delivery.status = Delivery.Status.SENDING
        delivery.attempts += 1
        delivery.sending_started_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.save()
    # Committed: from here on a crash leaves `sending`, which the next run reconciles.
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
    return _record_sent(delivery_id, result)


def _record_sent(delivery_id: int, result: SendResult) -> str:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post__archive")
            .get(pk=delivery_id)
        )
        delivery.status = Delivery.Status.SENT
        delivery.remote_id = str(result.remote_id)[:200]
        delivery.url = (result.url or "")[:500]
        delivery.response = _json_safe(result.response)
        delivery.sent_at = timezone.now()
        delivery.error = ""
        delivery.reconcile_first = False
        delivery.next_attempt_at = None
        delivery.save()
        audit_record(
            actor=None,
            action="delivery.sent",
            obj=delivery,
            archive=delivery.post.archive,
            after={"channel": delivery.channel, "remote_id": delivery.remote_id},
        )
        from archivox.publishing.tasks import delivery_archive

        transaction.on_commit(lambda: delivery_archive(delivery_id))
    return delivery.status


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


# -- withdrawal and corrections ---------------------------------------------------------------


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


# -- email subscribers ------------------------------------------------------------------------


@transaction.atomic
def subscriber_subscribe(*, archive: Archive, email: str) -> EmailSubscriber:
    """Step one of the double opt-in: record the address and mail a confirmation link."""
    from django.core.validators import validate_email

    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise PublishingError({"email": _("enter a valid email address")}) from exc
    subscriber, created = EmailSubscriber.objects.get_or_create(archive=archive, email=email)
    if not created and subscriber.confirmed and subscriber.unsubscribed_at is None:
        return subscriber
    if subscriber.unsubscribed_at is not None:
        subscriber.unsubscribed_at = None
        subscriber.confirmed = False
        subscriber.save()
    link = absolute(
        reverse("posts:confirm", kwargs={"slug": archive.slug, "token": subscriber.token})
    )
    name = archive.name_zh or archive.name
    transaction.on_commit(
        lambda: send_mail(
            _("Confirm your subscription to %(archive)s") % {"archive": name},
            _(
                "Open this link to confirm that you want %(archive)s's posts by email:\n"
                "%(link)s\n\nIf you did not ask for this, ignore this message."
            )
            % {"archive": name, "link": link},
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    )
    return subscriber


@transaction.atomic
def subscriber_confirm(*, archive: Archive, token: str) -> EmailSubscriber:
    subscriber = EmailSubscriber.objects.select_for_update(of=("self",)).get(
        archive=archive, token=token
    )
    if not subscriber.confirmed:
        subscriber.confirmed = True
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save()
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, archive: Archive, token: str) -> EmailSubscriber:
    subscriber = EmailSubscriber.objects.select_for_update(of=("self",)).get(
        archive=archive, token=token
    )
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save()
    return subscriber


@transaction.atomic
def desk_settings_update(
    *, actor: User | None, archive: Archive, freshness_days: int
) -> DeskSettings:
    _check(actor, archive, Capability.POST_REVIEW)
    if freshness_days < 1 or freshness_days > 365:
        raise PublishingError({"freshness_days": _("between 1 and 365 days")})
    desk, _created = DeskSettings.objects.get_or_create(archive=archive)
    before = snapshot(desk, ["freshness_days"])
    desk.freshness_days = freshness_days
    desk.full_clean()
    desk.save()
    audit_record(
        actor=actor,
        action="publishing.settings",
        obj=desk,
        archive=archive,
        before=before,
        after={"freshness_days": freshness_days},
    )
    return desk


def notice_mark_read(*, actor: User, notice_id: int) -> None:
    Notice.objects.filter(user=actor, pk=notice_id).update(read_at=timezone.now())
