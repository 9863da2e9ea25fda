"""A font that draws Chinese, for pictures made on the server (the demo's placeholder images).

Pillow's own font has no Chinese glyphs, so text drawn with it would have to be English. The
machine's CJK fonts are looked up in the usual places (``.ci/run`` installs fonts-noto-cjk and
fonts-wqy-microhei); ``ARCHIVOX_CJK_FONT`` (or the posters' ``ARCHIVOX_POSTER_FONT``) names
another file, ``none`` turns them off. None when there is none: the caller then draws no text
rather than English."""

from __future__ import annotations

import functools
import glob
import logging
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
# Elsewhere (another distribution's layout), by name.
PATTERNS = ("/usr/share/fonts/**/*CJK*.tt[cf]", "/usr/share/fonts/**/wqy*.tt[cf]")
PROBE = "档案"


def _candidates() -> list[str]:
    configured = [
        getattr(settings, "ARCHIVOX_CJK_FONT", ""),  # a file
        getattr(settings, "ARCHIVOX_POSTER_FONT", ""),
    ]
    found = [path for pattern in PATTERNS for path in sorted(glob.glob(pattern, recursive=True))]
    return list(dict.fromkeys(path for path in [*configured, *CANDIDATES, *found] if path))


@functools.cache
def cjk_font_file() -> tuple[str, int] | None:
    """(file, face index) of the first font that draws Chinese; the simplified-Chinese face
    of a collection when it has one. None when the machine has no such font."""
    from PIL import ImageFont

    if getattr(settings, "ARCHIVOX_CJK_FONT", "").lower() == "none":
        return None
    for path in _candidates():
        if not Path(path).is_file():
            continue
        faces = []
        for index in range(8 if path.endswith(".ttc") else 1):
            try:
                font = ImageFont.truetype(path, 24, index=index)
            except OSError:
                break
            faces.append((index, " ".join(font.getname())))
        usable = [index for index, _name in faces if _draws_chinese(path, index)]
        if not usable:
            continue
        simplified = [index for index, name in faces if index in usable and " SC" in name]
        return path, (simplified or usable)[0]
    logger.warning("no CJK font found; pictures made here carry no text")
    return None


def _draws_chinese(path: str, index: int) -> bool:
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(path, 24, index=index)
    except OSError:
        return False
    # A font without the glyphs draws every character as the same box (or nothing): two
    # different characters then look alike.
    masks = [font.getmask(char) for char in PROBE]
    if any(mask.getbbox() is None for mask in masks):
        return False
    return len({(mask.size, bytes(mask)) for mask in masks}) == len(PROBE)


def cjk_font(size: int) -> Any | None:
    """A Pillow font of ``size`` pixels that draws Chinese, or None."""
    from PIL import ImageFont

    found = cjk_font_file()
    if found is None:
        return None
    path, index = found
    return ImageFont.truetype(path, size, index=index)
