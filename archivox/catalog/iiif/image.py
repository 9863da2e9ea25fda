"""The IIIF Image API 3.0 request grammar and the pictures it asks for, with Pillow.

``{region}/{size}/{rotation}/{quality}.{format}``: region ``full``, ``square``, ``x,y,w,h`` or
``pct:x,y,w,h``; size ``max``, ``w,``, ``,h``, ``w,h``, ``!w,h`` or ``pct:n``; rotation ``0``;
quality ``default``; format ``jpg`` or ``png``. Upscaling (``^``) is not offered: a size larger
than the region is refused with 400, as the validator expects of a level 1 server.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import IO, Any

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROTOCOL = "http://iiif.io/api/image"
TILE_SIZE = 512
# Features beyond level 1 that the grammar above also understands. ``!w,h`` is understood but
# not advertised: iiif-validator (level 1) wants a best fit larger than the region refused,
# where the specification would return the region at its own size; a viewer told nothing
# asks with w, or w,h instead.
EXTRA_FEATURES = ["regionByPct", "sizeByPct"]
FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png")}
JPEG_QUALITY = 85
# The smallest size worth listing in info.json's ``sizes``.
SMALLEST_LISTED = 64

INTEGER = r"\d+"
DECIMAL = r"\d+(?:\.\d+)?"
REGION_PIXELS = re.compile(rf"({INTEGER}),({INTEGER}),({INTEGER}),({INTEGER})")
REGION_PERCENT = re.compile(rf"pct:({DECIMAL}),({DECIMAL}),({DECIMAL}),({DECIMAL})")
SIZE_WIDTH_HEIGHT = re.compile(rf"(!?)({INTEGER})?,({INTEGER})?")
SIZE_PERCENT = re.compile(rf"pct:({DECIMAL})")


class ImageRequestError(ValueError):
    """A request the server cannot answer: HTTP 400, with this message."""


@dataclass(frozen=True)
class ImageRequest:
    """A parsed, checked request: the region in the picture's pixels and the output size."""

    x: int
    y: int
    width: int
    height: int
    output_width: int
    output_height: int
    format: str

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def canonical(self) -> str:
        """The canonical form (Image API §4.7), the key of the cached derivative."""
        region = f"{self.x},{self.y},{self.width},{self.height}"
        return f"{region}/{self.output_width},{self.output_height}/0/default.{self.format}"


def _region(text: str, image_width: int, image_height: int) -> tuple[int, int, int, int]:
    if text == "full":
        return 0, 0, image_width, image_height
    if text == "square":
        side = min(image_width, image_height)
        return (image_width - side) // 2, (image_height - side) // 2, side, side
    if match := REGION_PIXELS.fullmatch(text):
        x, y, width, height = (int(part) for part in match.groups())
    elif match := REGION_PERCENT.fullmatch(text):
        px, py, pw, ph = (float(part) for part in match.groups())
        x, y = math.floor(px * image_width / 100), math.floor(py * image_height / 100)
        width, height = round(pw * image_width / 100), round(ph * image_height / 100)
    else:
        raise ImageRequestError(f"region {text!r} is not full, square, x,y,w,h or pct:x,y,w,h")
    if width <= 0 or height <= 0:
        raise ImageRequestError("the region has no width or no height")
    if x >= image_width or y >= image_height:
        raise ImageRequestError("the region lies outside the image")
    # A region reaching past the edge is cut at the edge (§4.1).
    return x, y, min(width, image_width - x), min(height, image_height - y)


def _size(
    text: str, region_width: int, region_height: int, max_width: int, max_height: int
) -> tuple[int, int]:
    if text.startswith("^"):
        raise ImageRequestError("upscaling (^) is not offered by this server")
    if text == "max":
        scale = min(1.0, max_width / region_width, max_height / region_height)
        return max(1, round(region_width * scale)), max(1, round(region_height * scale))
    if match := SIZE_PERCENT.fullmatch(text):
        percent = float(match.group(1))
        if percent <= 0:
            raise ImageRequestError("a size of 0 % has no pixels")
        # A thin region keeps at least one pixel across.
        width = max(1, round(region_width * percent / 100))
        height = max(1, round(region_height * percent / 100))
    elif match := SIZE_WIDTH_HEIGHT.fullmatch(text):
        confined, w, h = match.group(1), match.group(2), match.group(3)
        if w is None and h is None:
            raise ImageRequestError(f"size {text!r} gives neither a width nor a height")
        if confined:
            if w is None or h is None:
                raise ImageRequestError("a best-fit size (!w,h) needs both a width and a height")
            scale = min(int(w) / region_width, int(h) / region_height)
            width = min(int(w), max(1, round(region_width * scale)))
            height = min(int(h), max(1, round(region_height * scale)))
        elif h is None:
            width = int(w)
            height = max(1, round(region_height * width / region_width))
        elif w is None:
            height = int(h)
            width = max(1, round(region_width * height / region_height))
        else:
            width, height = int(w), int(h)
    else:
        raise ImageRequestError(f"size {text!r} is not max, w,, ,h, w,h, !w,h or pct:n")
    if width <= 0 or height <= 0:
        raise ImageRequestError("the requested size has no width or no height")
    if width > region_width or height > region_height:
        raise ImageRequestError("the requested size is larger than the region (no upscaling)")
    if width > max_width or height > max_height:
        raise ImageRequestError(
            f"the requested size is larger than this server's limit of {max_width} pixels"
        )
    return width, height


def parse_request(
    *,
    image_width: int,
    image_height: int,
    region: str,
    size: str,
    rotation: str,
    quality_format: str,
    max_dimension: int,
) -> ImageRequest:
    """Check the four path segments of an image request against a picture of the given size.
    Raises ``ImageRequestError`` (400) for anything this server does not offer."""
    quality, dot, image_format = quality_format.rpartition(".")
    if not dot:
        raise ImageRequestError("the format is missing (…/default.jpg)")
    if image_format not in FORMATS:
        raise ImageRequestError(f"format {image_format!r} is not offered (jpg, png)")
    if quality != "default":
        raise ImageRequestError(f"quality {quality!r} is not offered (default)")
    if rotation != "0":
        raise ImageRequestError(f"rotation {rotation!r} is not offered (0)")
    x, y, width, height = _region(region, image_width, image_height)
    output_width, output_height = _size(size, width, height, max_dimension, max_dimension)
    return ImageRequest(x, y, width, height, output_width, output_height, image_format)


class UnreadableImage(ValueError):
    """The stored picture cannot be read (damaged, or too large for Pillow's limits)."""


def image_size(source: IO[bytes]) -> tuple[int, int]:
    """Width and height of a picture, read from its header only."""
    from PIL import Image

    try:
        with Image.open(source) as image:
            return image.size
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from exc


def render(source: IO[bytes], request: ImageRequest) -> bytes:
    """The picture cut and scaled as ``request`` asks, encoded in its format. Raises
    ``UnreadableImage``."""
    from PIL import Image

    try:
        return _render(source, request)
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from exc


def _render(source: IO[bytes], request: ImageRequest) -> bytes:
    from PIL import Image

    with Image.open(source) as image:
        full_width, full_height = image.size
        if image.format == "JPEG":
            # Let the decoder drop resolution we are about to throw away (a large scan asked
            # for a small tile decodes at 1/2, 1/4 or 1/8 of its size, far faster).
            scale = min(request.output_width / request.width, 1.0)
            image.draft("RGB", (math.ceil(full_width * scale), math.ceil(full_height * scale)))
        factor_x = image.size[0] / full_width
        factor_y = image.size[1] / full_height
        box = (
            request.x * factor_x,
            request.y * factor_y,
            (request.x + request.width) * factor_x,
            (request.y + request.height) * factor_y,
        )
        picture = _in_mode_for(image, request.format)
        picture = picture.resize(
            (request.output_width, request.output_height),
            Image.Resampling.LANCZOS,
            box=box,
            reducing_gap=3.0,
        )
        out = io.BytesIO()
        options: dict[str, Any] = (
            {"quality": JPEG_QUALITY, "optimize": True} if request.format == "jpg" else {}
        )
        picture.save(out, FORMATS[request.format][0], **options)
        return out.getvalue()


def _in_mode_for(image: Any, image_format: str) -> Any:
    if image_format == "jpg":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA" if "transparency" in image.info else "RGB")


def image_information(*, service_id: str, width: int, height: int, max_dimension: int) -> dict:
    """The ``info.json`` of a picture (Image API §5): level 1, the sizes worth asking for and
    the tiles a deep-zoom viewer reads."""
    scale_factors = [1]
    while max(width, height) / scale_factors[-1] > TILE_SIZE:
        scale_factors.append(scale_factors[-1] * 2)
    sizes = []
    for factor in reversed(scale_factors):
        w, h = math.ceil(width / factor), math.ceil(height / factor)
        if (w >= SMALLEST_LISTED or h >= SMALLEST_LISTED) and max(w, h) <= max_dimension:
            sizes.append({"width": w, "height": h})
    info: dict[str, Any] = {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": PROTOCOL,
        "profile": "level1",
        "width": width,
        "height": height,
        "maxWidth": max_dimension,
        "maxHeight": max_dimension,
        "sizes": sizes,
        "tiles": [{"width": TILE_SIZE, "height": TILE_SIZE, "scaleFactors": scale_factors}],
        "extraFormats": ["png"],
        "extraFeatures": EXTRA_FEATURES,
        "preferredFormats": ["jpg"],
    }
    return info
