"""Images for the WeChat and Weibo channels: what a picture is (by its bytes, cheaply, for
render), how it travels in a delivery's payload, and how it is made to fit a platform's limits
(at send time, with Pillow: converting and reducing is too slow for a preview)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from archivox.core.public_files import NotCleanable, image_without_metadata
from archivox.publishing.channels.base import Image, PermanentChannelError

SIGNATURES = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
)
# What Pillow reads and we are willing to convert.
CONVERTIBLE = frozenset({"jpeg", "png", "gif", "bmp", "webp", "tiff"})
MAX_SOURCE_BYTES = 50 * 1024 * 1024  # a picture bigger than this is not worth converting
MAX_PIXELS = 60_000_000  # and neither is a decompression bomb


def image_format(data: bytes) -> str:
    """``jpeg``, ``png``, ``gif``, ``bmp``, ``webp``, ``tiff`` or ``""``, from the bytes."""
    for signature, name in SIGNATURES:
        if data.startswith(signature):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return ""


def image_to_payload(image: Image) -> dict[str, Any]:
    """An image as JSON for the delivery's payload (sent later, maybe by another process)."""
    return {
        "name": image.name,
        "caption": image.caption,
        "format": image_format(image.data),
        "size": image.size,
        "data": base64.b64encode(image.data).decode("ascii"),
    }


def payload_bytes(entry: dict[str, Any]) -> bytes:
    return base64.b64decode(entry["data"])


@dataclass(frozen=True)
class Fitted:
    data: bytes
    format: str  # "jpeg" or "png" (or the original's format when it fitted as it was)
    filename: str


def fit(
    data: bytes,
    *,
    name: str,
    formats: frozenset[str],
    max_bytes: int,
    max_side: int = 1600,
    force_jpeg: bool = False,
) -> Fitted:
    """``data`` encoded again without its metadata (EXIF, XMP, comments, text chunks: never
    sent to a platform), in its own format when that is in ``formats`` and small enough; else
    converted to JPEG (PNG kept for pictures with transparency when allowed) and reduced until
    it fits. Raises PermanentChannelError naming the picture when it cannot be read or made
    to fit."""
    found = image_format(data)
    stem = (name.rsplit(".", 1)[0] or "image")[:60]
    if found in formats and len(data) <= max_bytes and not (force_jpeg and found != "jpeg"):
        try:
            clean = image_without_metadata(data)[0]
        except NotCleanable:
            clean = b""  # the conversion below says why it cannot be sent
        if clean and len(clean) <= max_bytes:
            return Fitted(clean, found, f"{stem}.{'jpg' if found == 'jpeg' else found}")
    if found not in CONVERTIBLE or len(data) > MAX_SOURCE_BYTES:
        raise PermanentChannelError(
            _("the picture %(name)s is not an image we can convert (%(size)d bytes)")
            % {"name": name, "size": len(data)}
        )
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise PermanentChannelError(
                    _("the picture %(name)s is too large (%(w)d × %(h)d pixels)")
                    % {"name": name, "w": opened.width, "h": opened.height}
                )
            opened.seek(0)  # the first frame of an animation
            # The camera's orientation goes into the pixels; no metadata is carried over.
            upright = ImageOps.exif_transpose(opened)
            picture = upright.convert("RGBA" if _has_alpha(upright) else "RGB")
            picture.info = {}
    except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError) as exc:
        raise PermanentChannelError(
            _("the picture %(name)s cannot be read: %(error)s") % {"name": name, "error": exc}
        ) from exc
    keep_png = picture.mode == "RGBA" and "png" in formats and not force_jpeg
    if not keep_png:
        if picture.mode == "RGBA":
            flat = PILImage.new("RGB", picture.size, (255, 255, 255))
            flat.paste(picture, mask=picture.getchannel("A"))
            picture = flat
        picture = picture.convert("RGB")
    side = max_side
    quality = 85
    while True:
        candidate = picture.copy()
        candidate.thumbnail((side, side))
        out = io.BytesIO()
        if keep_png:
            candidate.save(out, "PNG", optimize=True)
        else:
            candidate.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= max_bytes:
            extension = "png" if keep_png else "jpg"
            return Fitted(out.getvalue(), "png" if keep_png else "jpeg", f"{stem}.{extension}")
        if side <= 64:
            raise PermanentChannelError(
                _("the picture %(name)s cannot be made smaller than %(limit)d bytes")
                % {"name": name, "limit": max_bytes}
            )
        if quality > 60 and not keep_png:
            quality -= 10
        else:
            side = int(side * 0.75)


def _has_alpha(picture: Any) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
