"""A poster or flyer as PDF (ReportLab): the archive's name and logo, the title, an open picture
from the catalog, dates and place, and the QR code of the poster's short link, in the archive's
colours, at A4, A3 or bus-stop size, portrait or landscape.

The Chinese text is set in a CJK TrueType font that the system ships (WenQuanYi Micro Hei from
Debian's fonts-wqy-microhei, which .ci/run installs), embedded as a subset so a print shop needs
no font of its own; ``ARCHIVOX_POSTER_FONT`` names another TrueType file. The QR code is drawn
as vector squares, sharp at any size."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from django.conf import settings

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import DigitalObject
from archivox.promotion.models import Poster

logger = logging.getLogger(__name__)

MM = 72 / 25.4
SIZES_MM = {
    Poster.Size.A4: (210, 297),
    Poster.Size.A3: (297, 420),
    # A bus-shelter light box in Chinese cities.
    Poster.Size.BUS_STOP: (1185, 1750),
}
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT = "ArchivoxCJK"
FALLBACK_FONT = "STSong-Light"  # a CID font every PDF reader supplies, not embedded


def short_link(poster: Poster) -> str:
    return f"{settings.BASE_URL}/p/{poster.code}"


def font_name() -> str:
    """Register the CJK font once; its name for ReportLab."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    if FONT in registered:
        return FONT
    configured = getattr(settings, "ARCHIVOX_POSTER_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            try:
                pdfmetrics.registerFont(TTFont(FONT, candidate, subfontIndex=0))
                return FONT
            except TTFError as exc:
                logger.warning("poster font %s cannot be used: %s", candidate, exc)
    if FALLBACK_FONT not in registered:
        logger.warning("no CJK TrueType font found; posters use the reader's %s", FALLBACK_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def _lines(text: str, font: str, size: float, width: float, limit: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (any character may end a line in
    Chinese), at most ``limit`` lines, the last cut with an ellipsis."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for char in text:
        if stringWidth(current + char, font, size) > width and current:
            lines.append(current)
            current = char.lstrip()
        else:
            current += char
    if current:
        lines.append(current)
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _draw_qr(canvas, data: str, x: float, y: float, side: float) -> None:
    import qrcode
    from reportlab.lib.colors import black, white

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # with the quiet zone
    module = side / len(matrix)
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                # A hair wider than the module, so no seam shows between neighbours.
                canvas.rect(
                    x + column * module,
                    y + side - (row + 1) * module,
                    module * 1.02,
                    module * 1.02,
                    stroke=0,
                    fill=1,
                )


def _image(field) -> object | None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    if not field:
        return None
    try:
        with field.open("rb") as handle:
            picture = Image.open(io.BytesIO(handle.read()))
            picture.load()
    except (OSError, ValueError) as exc:
        logger.warning("a poster picture cannot be read: %s", exc)
        return None
    if picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    return ImageReader(picture)


def poster_picture(poster: Poster) -> DigitalObject | None:
    """The poster's picture if it is open to the public today. Checked at every download, not
    only when the poster was made: an item closed since then is never printed again."""
    if not poster.image_id:
        return None
    try:
        return catalog_selectors.digital_object_get_public(pk=poster.image_id)
    except DigitalObject.DoesNotExist:
        return None


def _draw_picture(canvas, reader, x: float, y: float, width: float, height: float) -> None:
    """The picture as large as fits the box, centred, its proportions kept."""
    picture_width, picture_height = reader.getSize()
    scale = min(width / picture_width, height / picture_height)
    w, h = picture_width * scale, picture_height * scale
    canvas.drawImage(reader, x + (width - w) / 2, y + (height - h) / 2, w, h)


def poster_pdf(*, poster: Poster, size: str | None = None, orientation: str | None = None) -> bytes:
    """The poster as PDF bytes, at its own size and orientation unless others are asked for."""
    from reportlab.lib.colors import HexColor
    from reportlab.pdfgen.canvas import Canvas

    size = size if size in SIZES_MM else poster.size
    orientation = orientation if orientation in Poster.Orientation.values else poster.orientation
    width_mm, height_mm = SIZES_MM[size]
    if orientation == Poster.Orientation.LANDSCAPE:
        width_mm, height_mm = height_mm, width_mm
    width, height = width_mm * MM, height_mm * MM
    u = min(width, height) / 100  # every measure is in hundredths of the shorter side
    font = font_name()
    colour, background = HexColor(poster.colour), HexColor(poster.background)
    archive_name = poster.archive.name_zh or poster.archive.name
    link = short_link(poster)

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"{poster.title} · {archive_name}")
    canvas.setAuthor(archive_name)
    canvas.setCreator("Archivox")
    canvas.setFillColor(background)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)

    # The band with the archive's name (and logo).
    band = 12 * u
    margin = 5 * u
    canvas.setFillColor(colour)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.setFont(font, 4.5 * u)
    canvas.drawString(margin, height - band / 2 - 1.6 * u, archive_name)
    logo = _image(poster.logo)
    if logo is not None:
        _draw_picture(canvas, logo, width - margin - 20 * u, height - band + 2 * u, 20 * u, 8 * u)

    shown = poster_picture(poster)
    picture = _image(shown.public_file) if shown is not None else None
    qr_side = 24 * u
    landscape = width > height
    if landscape:
        picture_box = (margin, margin, width / 2 - 1.5 * margin, height - band - 2 * margin)
        text_x, text_width = width / 2, width / 2 - margin
        text_top = height - band - 2 * margin
    else:
        picture_height = (height - band) * 0.42
        picture_box = (
            margin,
            height - band - margin - picture_height,
            width - 2 * margin,
            picture_height,
        )
        text_x, text_width = margin, width - 2 * margin
        text_top = picture_box[1] - 3 * u
    if picture is not None:
        _draw_picture(canvas, picture, *picture_box)
    elif landscape:
        text_x, text_width = margin, width - 2 * margin

    y = text_top
    canvas.setFillColor(colour)
    title_size = 9 * u
    for line in _lines(poster.title, font, title_size, text_width, 3):
        y -= title_size * 1.15
        canvas.setFont(font, title_size)
        canvas.drawString(text_x, y, line)
    canvas.setFillColor(HexColor("#2b2a28"))
    for text, size_u, limit in (
        (poster.subtitle, 4.6, 3),
        (poster.dates, 4.2, 2),
        (poster.place, 4.2, 2),
    ):
        if not text:
            continue
        y -= size_u * u * 0.6
        for line in _lines(text, font, size_u * u, text_width, limit):
            y -= size_u * u * 1.3
            canvas.setFont(font, size_u * u)
            canvas.drawString(text_x, y, line)

    # The QR code of the short link, bottom right, with the link written out for typing.
    qr_x, qr_y = width - margin - qr_side, margin
    _draw_qr(canvas, link, qr_x, qr_y, qr_side)
    canvas.setFillColor(HexColor("#2b2a28"))
    canvas.setFont(font, 3.6 * u)
    canvas.drawRightString(qr_x - 2 * u, qr_y + qr_side * 0.55, "扫码了解详情")
    canvas.setFont(font, 2.6 * u)
    canvas.drawRightString(qr_x - 2 * u, qr_y + qr_side * 0.35, link.split("://", 1)[-1])
    canvas.showPage()
    canvas.save()
    return out.getvalue()
