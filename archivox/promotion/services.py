"""Writes of promotion: posters and the count of visits through their short links."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import DigitalObject
from archivox.core.models import Archive, User
from archivox.core.public_files import NotCleanable, image_without_metadata
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.promotion.models import Poster, PosterStyle, PosterVisit

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes get typed from paper
LOGO_MAX_BYTES = 2 * 1024 * 1024
POSTER_FIELDS = (
    "name",
    "title",
    "subtitle",
    "dates",
    "place",
    "target_path",
    "size",
    "orientation",
    "colour",
    "background",
)


class PromotionError(ValidationError):
    """A poster that cannot be made; messages for the archivist."""


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))


def _check_target(archive: Archive, path: str) -> str:
    path = (path or "").strip()
    prefix = f"/archives/{archive.slug}/"
    if not (path == prefix or path.startswith(prefix)) or "//" in path or "?" in path:
        raise PromotionError({"target_path": _("Please choose one of the archive's pages.")})
    try:
        resolve(path)
    except Resolver404 as exc:
        raise PromotionError({"target_path": _("There is no such page on the site.")}) from exc
    return path


def _check_image(archive: Archive, image_id: int | None) -> DigitalObject | None:
    """Only an open picture of this archive's catalog goes on a poster."""
    if not image_id:
        return None
    try:
        image = catalog_selectors.digital_object_get_public(pk=image_id)
    except DigitalObject.DoesNotExist as exc:
        raise PromotionError(
            {"image": _("This picture is not open to the public, so it cannot go on a poster.")}
        ) from exc
    if image.kind != DigitalObject.Kind.IMAGE or image.description.archive_id != archive.pk:
        raise PromotionError({"image": _("Please choose a picture of this archive's catalog.")})
    return image


def _save_logo(field, logo: bytes) -> None:
    """Store ``logo`` in ``field`` as a public copy without metadata, or refuse it."""
    if len(logo) > LOGO_MAX_BYTES:
        raise PromotionError({"logo": _("The logo may have at most 2 MB.")})
    try:
        data, media_type = image_without_metadata(logo)
    except NotCleanable as exc:
        raise PromotionError({"logo": _("The logo is not a picture (PNG or JPEG).")}) from exc
    extension = media_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    field.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)


@transaction.atomic
def poster_style_save(
    *,
    actor: User | None,
    archive: Archive,
    colour: str,
    background: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> PosterStyle:
    """The archive's poster template: colours and logo every new poster starts from."""
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.POST_COMPOSE)
    style = PosterStyle.objects.filter(archive=archive).first() or PosterStyle(archive=archive)
    before = {"colour": style.colour, "background": style.background, "logo": bool(style.logo)}
    style.colour, style.background = (colour or "").strip(), (background or "").strip()
    if logo:
        _save_logo(style.logo, logo)
    elif remove_logo:
        style.logo = ""  # the file stays: posters made from the template still print it
    style.full_clean()
    style.save()
    audit_record(
        actor=actor,
        action="poster_style.update",
        obj=style,
        archive=archive,
        before=before,
        after={"colour": style.colour, "background": style.background, "logo": bool(style.logo)},
    )
    return style


@transaction.atomic
def poster_create(
    *,
    actor: User | None,
    archive: Archive,
    image_id: int | None = None,
    logo: bytes | None = None,
    **values: Any,
) -> Poster:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.POST_COMPOSE)
    unknown = set(values) - set(POSTER_FIELDS)
    if unknown:
        raise PromotionError(f"unknown fields: {', '.join(sorted(unknown))}")
    values["target_path"] = _check_target(archive, values.get("target_path", ""))
    style = PosterStyle.objects.filter(archive=archive).first()
    if style is not None:  # colours not given come from the archive's template
        values.setdefault("colour", style.colour)
        values.setdefault("background", style.background)
    poster = Poster(
        archive=archive,
        code=_code(),
        image=_check_image(archive, image_id),
        created_by=actor,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()},
    )
    if logo:
        _save_logo(poster.logo, logo)
    elif style is not None and style.logo:
        poster.logo = style.logo.name  # the archive's logo, from its template
    poster.full_clean()
    poster.save()
    audit_record(
        actor=actor,
        action="poster.create",
        obj=poster,
        archive=archive,
        after={"target": poster.target_path, "code": poster.code, "size": poster.size},
    )
    return poster


def poster_visit(*, code: str) -> str:
    """Count one visit through the poster's link today and return where it leads. Raises
    ``Poster.DoesNotExist`` for an unknown code."""
    poster = Poster.objects.only("pk", "target_path").get(code=code[:12])
    today = timezone.localdate()
    updated = PosterVisit.objects.filter(poster=poster, day=today).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                PosterVisit.objects.create(poster=poster, day=today, count=1)
        except IntegrityError:  # another visit made today's row first
            PosterVisit.objects.filter(poster=poster, day=today).update(count=F("count") + 1)
    return poster.target_path
