"""Public copies of uploaded files: the same picture or document without what a camera, an
editor or a scanner wrote about it (EXIF with GPS positions, XMP, IPTC, PNG text chunks, JPEG and
GIF comments, a PDF's document information and XMP, annotation authors, attachments).

The original stays for staff; the public and the platforms get only these copies. Pictures are
decoded and encoded again with Pillow in their own format (the orientation applied first and the
colours converted to sRGB, so that they look as before); PDFs are rewritten with pikepdf (qpdf),
the JPEG pictures inside them losing their metadata segments too."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

# Image information Pillow may write back on save that describes the picture itself, not its
# making: kept. Everything else in ``info`` (exif, xmp, icc_profile, comment, text chunks, …)
# is left behind.
KEPT_INFO = ("transparency", "duration", "loop", "background", "disposal", "dpi")
JPEG_QUALITY = 92
# JPEG segments inside a PDF that carry metadata: APP1 (EXIF, XMP) to APP13 (IPTC) and APP15,
# and comments. APP0 (JFIF) and APP14 (Adobe: how to read the colours) are kept.
JPEG_METADATA_MARKERS = frozenset([*range(0xE1, 0xEE), 0xEF, 0xFE])


class NotCleanable(ValueError):
    """The file could not be read well enough to make a public copy of it."""


def public_copy(data: bytes) -> tuple[bytes, str]:
    """``data`` without metadata, and its media type. Raises ``NotCleanable``."""
    if data.startswith(b"%PDF-"):
        return pdf_without_metadata(data), "application/pdf"
    return image_without_metadata(data)


# ── pictures ──────────────────────────────────────────────────────────────────────────────────

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def image_without_metadata(data: bytes) -> tuple[bytes, str]:
    """The picture encoded again in its own format (JPEG, PNG, GIF, WebP), with nothing but its
    pixels, frames and transparency: ``(bytes, media type)``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            image_format = opened.format or ""
            if image_format not in MEDIA_TYPES:
                raise NotCleanable(f"{image_format or 'unknown'} pictures are not copied")
            frames = list(_frames(opened))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, NotCleanable):
            raise
        raise NotCleanable(f"the picture cannot be read: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise NotCleanable(f"the picture is too large: {exc}") from exc
    out = io.BytesIO()
    first, rest = frames[0], frames[1:]
    options: dict[str, Any] = {}
    if image_format == "JPEG":
        if first.mode not in ("RGB", "L", "CMYK"):
            first = first.convert("RGB")
        options = {"quality": JPEG_QUALITY, "optimize": True}
    elif image_format == "WEBP":
        options = {"quality": JPEG_QUALITY}
    if rest and image_format in ("GIF", "WEBP"):
        options.update(save_all=True, append_images=rest)
    for name in KEPT_INFO:
        if name in first.info:
            options.setdefault(name, first.info[name])
    first.save(out, image_format, **options)
    return out.getvalue(), MEDIA_TYPES[image_format]


def _frames(opened: Any) -> Iterator[Any]:
    """Each frame as a new image with only the information in ``KEPT_INFO``."""
    from PIL import ImageOps, ImageSequence

    animated = getattr(opened, "n_frames", 1) > 1
    for frame in ImageSequence.Iterator(opened) if animated else [opened]:
        # The camera's orientation is applied to the pixels, since the tag that said it goes.
        picture = frame.copy() if animated else ImageOps.exif_transpose(frame)
        picture = _in_srgb(picture, frame.info.get("icc_profile"))
        kept = {name: frame.info[name] for name in KEPT_INFO if name in frame.info}
        picture.info = kept
        yield picture


def _in_srgb(picture: Any, icc_profile: bytes | None) -> Any:
    """The picture's colours in sRGB, so that dropping its ICC profile changes no colour."""
    if not icc_profile or picture.mode not in ("RGB", "RGBA", "L", "CMYK"):
        return picture
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            picture, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # a broken profile: the pixels as they are
    return converted if converted is not None else picture


# ── PDF ───────────────────────────────────────────────────────────────────────────────────────

# Keys of any PDF dictionary that carry metadata rather than content.
PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo", "/LastModified")
# An annotation's author, dates and the id its editor gave it.
ANNOTATION_METADATA_KEYS = ("/T", "/M", "/CreationDate", "/NM")
# Attachments and scripts, which are not the document a reader sees.
CATALOG_DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/AF", "/OpenAction", "/AA")
NAMES_DROPPED_KEYS = ("/EmbeddedFiles", "/JavaScript")


def pdf_without_metadata(data: bytes) -> bytes:
    """The PDF rewritten without its document information, XMP (anywhere), page-piece data,
    annotation authors and dates, attachments and scripts, and with its JPEG pictures stripped
    of their EXIF, XMP, IPTC and comment segments."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        raise NotCleanable(f"the PDF cannot be read: {exc}") from exc
    try:
        with pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            root = pdf.Root
            for key in CATALOG_DROPPED_KEYS:
                if key in root:
                    del root[key]
            names = root.get("/Names")
            if isinstance(names, pikepdf.Dictionary):
                for key in NAMES_DROPPED_KEYS:
                    if key in names:
                        del names[key]
            for obj in pdf.objects:
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                    _pdf_object_clean(obj)
            out = io.BytesIO()
            # A new file identifier made from the content: the original's would link the two.
            pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        raise NotCleanable(f"the PDF cannot be rewritten: {exc}") from exc
    return out.getvalue()


def _pdf_object_clean(obj: Any) -> None:
    import pikepdf

    for key in PDF_METADATA_KEYS:
        if key in obj:
            del obj[key]
    if "/Subtype" in obj and "/Rect" in obj:  # an annotation
        for key in ANNOTATION_METADATA_KEYS:
            if key in obj:
                del obj[key]
    if (
        isinstance(obj, pikepdf.Stream)
        and obj.get("/Subtype") == pikepdf.Name.Image
        and obj.get("/Filter") in (pikepdf.Name.DCTDecode, pikepdf.Array([pikepdf.Name.DCTDecode]))
    ):
        raw = obj.read_raw_bytes()
        stripped = jpeg_segments_stripped(raw)
        if stripped != raw:
            obj.write(stripped, filter=pikepdf.Name.DCTDecode)


def jpeg_segments_stripped(data: bytes) -> bytes:
    """A JPEG stream without its metadata segments (``JPEG_METADATA_MARKERS``), the picture's
    own bytes unchanged. Anything it does not understand is returned as it was."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out = bytearray(data[:2])
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: the compressed picture follows to the end
            out += data[position:]
            return bytes(out)
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if length < 2 or position + 2 + length > len(data):
            return data
        if marker not in JPEG_METADATA_MARKERS:
            out += data[position : position + 2 + length]
        position += 2 + length
    return data
