"""The cover cut to each platform's ratio: the editor draws the box in the composer (Cropper.js),
the server checks it, stores it and cuts the picture. WeChat takes the boxes themselves with the
whole cover (its draft API's ``pic_crop_235_1`` and ``pic_crop_1_1``); Weibo and the previews
take the cut picture."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.core.services import audit_record
from archivox.publishing.models import Post
from archivox.publishing.services.composing import EDITABLE
from archivox.publishing.services.desk import PublishingError, _check


@dataclass(frozen=True)
class CropRatio:
    key: str
    width: int
    height: int
    label: Any

    @property
    def ratio(self) -> float:
        return self.width / self.height


# WeChat shows an article's cover at 2.35:1 in the list and 1:1 when shared or as a second
# article; Weibo's link card at 16:9.
COVER_RATIOS = {
    ratio.key: ratio
    for ratio in (
        CropRatio("wechat", 235, 100, gettext_lazy("WeChat list (2.35:1)")),
        CropRatio("wechat_square", 1, 1, gettext_lazy("WeChat share (1:1)")),
        CropRatio("weibo", 16, 9, gettext_lazy("Weibo card (16:9)")),
    )
}
RATIO_TOLERANCE = 0.02  # the browser rounds the box to whole pixels
MIN_SIDE = 32  # pixels of the shorter side of a box: smaller is a slip of the mouse
CROP_DIR = "posts/covers/crops/"


def crop_box_check(*, ratio: str, box: Any, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """``box`` (x, y, width, height in the cover's pixels) as whole numbers inside the picture
    and of the ratio's shape; a PublishingError saying what is wrong otherwise."""
    target = COVER_RATIOS.get(ratio)
    if target is None:
        raise PublishingError({"crop": _("Choose one of the offered ratios.")})
    try:
        x, y, width, height = (round(float(value)) for value in box)
    except (TypeError, ValueError) as exc:
        raise PublishingError({"crop": _("The crop box is not four numbers.")}) from exc
    cover_width, cover_height = size
    # A box a pixel past the edge (the browser's rounding) is pulled back inside.
    x, y = max(0, x), max(0, y)
    width, height = min(width, cover_width - x), min(height, cover_height - y)
    if min(width, height) < MIN_SIDE:
        message = _("The crop box is too small: at least %(n)d pixels a side.")
        raise PublishingError({"crop": message % {"n": MIN_SIDE}})
    if abs(width / height - target.ratio) / target.ratio > RATIO_TOLERANCE:
        raise PublishingError(
            {
                "crop": _("The crop box is %(w)d×%(h)d, not of the ratio %(ratio)s.")
                % {"w": width, "h": height, "ratio": target.label}
            }
        )
    return x, y, width, height


def cover_crop_cut(content: bytes, box: tuple[int, int, int, int]) -> bytes:
    """The part of the picture inside ``box``, as a JPEG."""
    from PIL import Image

    x, y, width, height = box
    with Image.open(io.BytesIO(content)) as image:
        part = image.convert("RGB").crop((x, y, x + width, y + height))
    out = io.BytesIO()
    part.save(out, "JPEG", quality=88)
    return out.getvalue()


@transaction.atomic
def post_set_cover_crop(
    *, actor: User | None, post: Post, ratio: str, box: Any | None
) -> dict[str, Any]:
    """Store the editor's crop of the cover for ``ratio`` and cut it (``box`` None removes the
    crop: the channel then takes the whole cover). Returns the post's crops."""
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status not in EDITABLE:
        raise PublishingError({"crop": _("Only a draft's cover can be cropped.")})
    if not post.cover_public:
        raise PublishingError({"crop": _("Upload a cover first, then crop it.")})
    if ratio not in COVER_RATIOS:
        raise PublishingError({"crop": _("Choose one of the offered ratios.")})
    crops = dict(post.cover_crops or {})
    before = crops.get(ratio, {}).get("box")
    old_file = crops.get(ratio, {}).get("file")
    if box is None:
        crops.pop(ratio, None)
    else:
        with post.cover_public.open("rb") as handle:
            content = handle.read()
        from PIL import Image

        with Image.open(io.BytesIO(content)) as image:
            size = image.size
        checked = crop_box_check(ratio=ratio, box=box, size=size)
        if list(checked) == before:
            return crops
        name = default_storage.save(
            f"{CROP_DIR}{post.cover_sha256[:16]}-{ratio}-{uuid.uuid4().hex[:8]}.jpg",
            ContentFile(cover_crop_cut(content, checked)),
        )
        crops[ratio] = {"box": list(checked), "file": name}
    post.cover_crops = crops
    post.save(update_fields=["cover_crops", "updated_at"])
    if old_file:
        transaction.on_commit(partial(default_storage.delete, old_file))
    audit_record(
        actor=actor,
        action="post.cover_crop",
        obj=post,
        archive=post.archive,
        before={"ratio": ratio, "box": before},
        after={"ratio": ratio, "box": crops.get(ratio, {}).get("box")},
    )
    return crops
