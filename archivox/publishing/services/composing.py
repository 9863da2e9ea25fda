"""Composing: drafts, their items, their cover image and their revisions."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from archivox.catalog.models import Description
from archivox.core.models import Archive, User
from archivox.core.public_files import NotCleanable, public_copy
from archivox.core.selectors import Capability
from archivox.core.services import audit_record, snapshot
from archivox.publishing.content import html_problems, sanitise
from archivox.publishing.models import CHANNELS, Post, PostItem, PostRevision
from archivox.publishing.services.desk import PublishingError, _check
from archivox.publishing.services.rendering import archive_channels

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
    try:
        public = public_copy(content)[0]
    except NotCleanable as exc:
        raise PublishingError({"cover": _("not a supported image: use JPEG, PNG or GIF")}) from exc
    digest = hashlib.sha256(content).hexdigest()
    old = [field.name for field in (post.cover, post.cover_public) if field]
    name = f"{digest[:16]}-{uuid.uuid4().hex[:8]}.{extension}"
    post.cover.save(name, ContentFile(content), save=False)
    # What the portal, the feeds and the platforms get: the picture without its metadata.
    post.cover_public.save(name, ContentFile(public), save=False)
    post.cover_media_type = media_type
    post.cover_sha256 = digest
    # The old crops fit the new picture no more (services/cover_crops.py); their files go too.
    old += [crop["file"] for crop in (post.cover_crops or {}).values() if crop.get("file")]
    post.cover_crops = {}
    post.save()
    for old_name in old:
        transaction.on_commit(partial(post.cover.storage.delete, old_name))
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
