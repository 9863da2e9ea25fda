"""Media: ``media/uploadimg`` and ``material/add_material``, checked as the platform checks
them."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, Media
from archivox.sandbox.wechat.selectors import account_now
from archivox.sandbox.wechat.services.common import SandboxApiError, _media_id


def _sniff_image(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    return ""


@transaction.atomic
def media_upload(
    *, account: Account, kind: str, upload: UploadedFile | None, site: str
) -> dict[str, Any]:
    """``media/uploadimg`` (kind uploadimg) and ``material/add_material`` (thumb, image)."""
    if kind not in Media.Kind.values:
        raise SandboxApiError(40004)
    if upload is None:
        raise SandboxApiError(41005)
    limit, allowed, size_errcode = {
        Media.Kind.ARTICLE_IMAGE: (rules.UPLOADIMG_MAX_BYTES, {"jpeg", "png"}, 40009),
        Media.Kind.THUMB: (rules.THUMB_MAX_BYTES, {"jpeg"}, 40012),
        Media.Kind.IMAGE: (rules.IMAGE_MAX_BYTES, {"jpeg", "png", "gif", "bmp"}, 40009),
    }[kind]
    data = upload.read(limit + 1)
    image_type = _sniff_image(data)
    if image_type not in allowed:
        raise SandboxApiError(40005)
    if len(data) > limit:
        raise SandboxApiError(size_errcode)
    media_id = _media_id()
    url = site + reverse("sandbox:wechat:media", args=[media_id])
    Media.objects.create(
        account=account,
        media_id=media_id,
        kind=kind,
        content_type=f"image/{image_type}",
        size=len(data),
        data=data,
        url=url,
        created_at=account_now(account),
    )
    if kind == Media.Kind.ARTICLE_IMAGE:
        return {"url": url}
    return {"media_id": media_id, "url": url}
