"""Pictures for the IIIF tests, made here: the validator's test pattern and plain photos."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def validator_pattern(image_format: str = "PNG") -> bytes:
    """The picture iiif-validator checks against: 1000×1000 px, a 10×10 grid of squares whose
    colours it knows (column x, row y has ``colorInfo[x][y]``)."""
    from iiif_validator.validator import ValidationInfo

    colours = ValidationInfo().colorInfo
    picture = Image.new("RGB", (1000, 1000))
    draw = ImageDraw.Draw(picture)
    for x in range(10):
        for y in range(10):
            draw.rectangle((x * 100, y * 100, x * 100 + 99, y * 100 + 99), fill=colours[x][y])
    out = io.BytesIO()
    picture.save(out, image_format)
    return out.getvalue()


def photo(width: int = 1200, height: int = 800, colour=(150, 110, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()
