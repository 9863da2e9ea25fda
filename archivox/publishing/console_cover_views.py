"""The composer's cover cropper: the cover and its cuts shown to staff, and the box the editor
drew (Cropper.js, ``publishing/cover_crop.js``) sent to the service that stores and cuts it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archivox.publishing import selectors
from archivox.publishing.models import Post
from archivox.publishing.services import COVER_RATIOS, PublishingError, post_set_cover_crop


def _post(request: HttpRequest, pk: int) -> Post:
    try:
        return selectors.post_get_for_staff(user=request.user, pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404("no such post") from exc


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def cover_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The cover as the platforms get it (without its metadata), for the cropper."""
    post = _post(request, pk)
    if not post.cover_public:
        raise Http404("no cover")
    handle = post.cover_public.open("rb")
    return _private(FileResponse(handle, content_type=post.cover_media_type or "image/jpeg"))


@login_required
@require_GET
def cover_crop_image(request: HttpRequest, pk: int, ratio: str) -> HttpResponse:
    """The cover cut to ``ratio``, as Weibo and the previews get it."""
    post = _post(request, pk)
    crop = (post.cover_crops or {}).get(ratio)
    if crop is None or not default_storage.exists(crop["file"]):
        raise Http404("no such crop")
    return _private(
        FileResponse(default_storage.open(crop["file"], "rb"), content_type="image/jpeg")
    )


def crop_rows(post: Post) -> list[dict]:
    """The ratios the composer offers, each with its stored box and the address of its cut."""
    crops = post.cover_crops or {}
    rows = []
    for key, ratio in COVER_RATIOS.items():
        crop = crops.get(key)
        rows.append(
            {
                "key": key,
                "label": str(ratio.label),
                "ratio": ratio.ratio,
                "box": crop["box"] if crop else None,
                "url": reverse("console_publishing:cover_crop_image", args=[post.pk, key])
                if crop
                else "",
            }
        )
    return rows


@login_required
@require_POST
def cover_crop(request: HttpRequest, pk: int) -> HttpResponse:
    """Store a crop: x, y, width and height in the cover's pixels (``clear`` removes it). The
    cropper sends it with fetch and gets JSON; a plain form post comes back to the composer."""
    post = _post(request, pk)
    ratio = request.POST.get("ratio", "")
    box = None
    if "clear" not in request.POST:
        box = [request.POST.get(name, "") for name in ("x", "y", "width", "height")]
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        post_set_cover_crop(actor=request.user, post=post, ratio=ratio, box=box)
    except PublishingError as exc:
        problem = " ".join(exc.messages)
        if wants_json:
            return JsonResponse({"ok": False, "error": problem}, status=422)
        messages.error(request, problem)
    else:
        post.refresh_from_db()
        if wants_json:
            return JsonResponse({"ok": True, "crops": crop_rows(post)})
        messages.success(
            request, _("Cover crop saved: %(ratio)s") % {"ratio": COVER_RATIOS[ratio].label}
        )
    return redirect(
        reverse("console_publishing:edit", args=[post.archive.slug, post.pk]) + "#cover-crops"
    )


def crops_json(post: Post | None) -> str:
    return json.dumps(crop_rows(post) if post is not None else [], ensure_ascii=False)
