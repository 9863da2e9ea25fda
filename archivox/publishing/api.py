"""/api/v1/publishing/: posts, review actions, schedule, deliveries. Staff only (session
authentication). Refused changes answer 422 with the problem, forbidden ones 403 (handlers in
archivox/api.py)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from archivox.catalog.models import Description
from archivox.core.access import client_address
from archivox.core.models import Archive
from archivox.publishing import selectors
from archivox.publishing.models import Delivery, Post
from archivox.publishing.services.composing import post_create, post_delete, post_update
from archivox.publishing.services.deliveries import delivery_retry
from archivox.publishing.services.publish import post_publish_now
from archivox.publishing.services.rendering import post_render
from archivox.publishing.services.review import post_approve, post_comment, post_request_changes
from archivox.publishing.services.scheduling import post_schedule, post_unschedule
from archivox.publishing.services.screening import post_screen, post_submit, screening_override
from archivox.publishing.services.withdrawal import post_correct, post_withdraw

router = Router(tags=["publishing"], auth=django_auth)


class ItemIn(Schema):
    reference_code: str
    use_image: bool = False
    quote: bool = False


class PostIn(Schema):
    archive: str
    title: str
    kind: Literal["article", "short"] = "article"
    author: str = ""
    digest: str = ""
    body_html: str = ""
    text: str = ""
    origin: Literal["original", "forward"] = "original"
    forward_source: str = ""
    column: str = ""
    topics: list[str] = []
    channels: list[str] | None = None
    wechat_mode: Literal["publish", "mass_send"] = "publish"
    items: list[ItemIn] = []


class PostPatch(Schema):
    title: str | None = None
    kind: Literal["article", "short"] | None = None
    author: str | None = None
    digest: str | None = None
    body_html: str | None = None
    text: str | None = None
    origin: Literal["original", "forward"] | None = None
    forward_source: str | None = None
    column: str | None = None
    topics: list[str] | None = None
    channels: list[str] | None = None
    wechat_mode: Literal["publish", "mass_send"] | None = None
    items: list[ItemIn] | None = None


class ItemOut(Schema):
    reference_code: str
    title: str
    use_image: bool
    quote: bool


class PostOut(Schema):
    id: int
    archive: str
    kind: str
    status: str
    title: str
    author: str
    digest: str
    body_html: str
    text: str
    origin: str
    forward_source: str
    column: str
    topics: list[str]
    channels: list[str]
    wechat_mode: str
    scheduled_for: datetime.datetime | None
    published_at: datetime.datetime | None
    revision: int
    items: list[ItemOut]


class DeliveryOut(Schema):
    id: int
    post: int
    channel: str
    status: str
    attempts: int
    idempotency_key: str
    remote_id: str
    url: str
    error: str
    withdraw_note: str
    created_at: datetime.datetime
    sent_at: datetime.datetime | None
    next_attempt_at: datetime.datetime | None


class CommentIn(Schema):
    comment: str = ""


class OverrideIn(Schema):
    finding: str
    reason: str


class ScheduleIn(Schema):
    when: datetime.datetime


class ReasonIn(Schema):
    reason: str


class CorrectIn(Schema):
    reason: str
    title: str | None = None
    digest: str | None = None
    body_html: str | None = None
    text: str | None = None
    topics: list[str] | None = None


def _post_out(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "archive": post.archive.slug,
        "kind": post.kind,
        "status": post.status,
        "title": post.title,
        "author": post.author,
        "digest": post.digest,
        "body_html": post.body_html,
        "text": post.text,
        "origin": post.origin,
        "forward_source": post.forward_source,
        "column": post.column,
        "topics": post.topics,
        "channels": post.channels,
        "wechat_mode": post.wechat_mode,
        "scheduled_for": post.scheduled_for,
        "published_at": post.published_at,
        "revision": post.revision_number,
        "items": [
            {
                "reference_code": i.description.reference_code,
                "title": i.description.title,
                "use_image": i.use_image,
                "quote": i.quote,
            }
            for i in post.post_items.select_related("description")
        ],
    }


def _delivery_out(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "post": delivery.post_id,
        "channel": delivery.channel,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "idempotency_key": delivery.idempotency_key,
        "remote_id": delivery.remote_id,
        "url": delivery.url,
        "error": delivery.error,
        "withdraw_note": delivery.withdraw_note,
        "created_at": delivery.created_at,
        "sent_at": delivery.sent_at,
        "next_attempt_at": delivery.next_attempt_at,
    }


def _post(request: HttpRequest, pk: int) -> Post:
    try:
        return selectors.post_get_for_staff(user=request.user, pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404("no such post") from exc


def _items(archive: Archive, items: list[ItemIn]) -> list[dict[str, Any]]:
    from archivox.publishing.services.desk import PublishingError

    found = {
        d.reference_code: d
        for d in Description.objects.filter(
            archive=archive, reference_code__in=[i.reference_code for i in items]
        )
    }
    missing = [i.reference_code for i in items if i.reference_code not in found]
    if missing:
        raise PublishingError(
            {"items": _("no such catalog item: %(codes)s") % {"codes": ", ".join(missing)}}
        )
    return [
        {"description": found[i.reference_code], "use_image": i.use_image, "quote": i.quote}
        for i in items
    ]


@router.get("/posts", response=list[PostOut])
def list_posts(request: HttpRequest, archive: str, status: str | None = None):
    found = get_object_or_404(Archive, slug=archive)
    posts = selectors.post_list_for_staff(user=request.user, archive=found, status=status)
    return [_post_out(post) for post in posts[:200]]


@router.post("/posts", response={201: PostOut})
def create_post(request: HttpRequest, payload: PostIn):
    archive = get_object_or_404(Archive, slug=payload.archive)
    data = payload.dict(exclude={"archive", "items", "title", "kind"})
    if data.get("channels") is None:
        data.pop("channels", None)
    post = post_create(
        actor=request.user,
        archive=archive,
        title=payload.title,
        kind=payload.kind,
        items=_items(archive, payload.items),
        **data,
    )
    return Status(201, _post_out(post))


@router.get("/posts/{pk}", response=PostOut)
def get_post(request: HttpRequest, pk: int):
    return _post_out(_post(request, pk))


@router.patch("/posts/{pk}", response=PostOut)
def update_post(request: HttpRequest, pk: int, payload: PostPatch):
    post = _post(request, pk)
    changes = payload.dict(exclude_unset=True, exclude={"items"})
    items = _items(post.archive, payload.items) if payload.items is not None else None
    post = post_update(actor=request.user, post=post, items=items, **changes)
    return _post_out(post)


@router.delete("/posts/{pk}", response={204: None})
def delete_post(request: HttpRequest, pk: int):
    post_delete(actor=request.user, post=_post(request, pk))
    return Status(204, None)


@router.get("/posts/{pk}/screening")
def screening(request: HttpRequest, pk: int):
    result = post_screen(post=_post(request, pk))
    return {
        "blocks": result.blocks,
        "warnings": [
            {
                "key": f.key,
                "kind": f.kind,
                "field": f.field,
                "start": f.start,
                "end": f.end,
                "text": f.text,
                "message": f.message,
                "overridden": f.override is not None,
                "reason": f.override.reason if f.override else "",
            }
            for f in result.warnings
        ],
    }


@router.get("/posts/{pk}/preview")
def preview(request: HttpRequest, pk: int):
    renderings = post_render(post=_post(request, pk))
    return {
        name: {
            "refused": r.refused,
            "flags": [
                {"severity": str(f.severity), "code": f.code, "message": f.message} for f in r.flags
            ],
            "preview_html": r.preview_html,
        }
        for name, r in renderings.items()
    }


@router.post("/posts/{pk}/submit", response=PostOut)
def submit(request: HttpRequest, pk: int):
    post = _post(request, pk)
    post_submit(actor=request.user, post=post)
    return _post_out(_post(request, pk))


@router.post("/posts/{pk}/approve", response=PostOut)
def approve(request: HttpRequest, pk: int, payload: CommentIn):
    post_approve(actor=request.user, post=_post(request, pk), comment=payload.comment)
    return _post_out(_post(request, pk))


@router.post("/posts/{pk}/request-changes", response=PostOut)
def request_changes(request: HttpRequest, pk: int, payload: CommentIn):
    post_request_changes(actor=request.user, post=_post(request, pk), comment=payload.comment)
    return _post_out(_post(request, pk))


@router.post("/posts/{pk}/comments", response={201: dict})
def comment(request: HttpRequest, pk: int, payload: CommentIn):
    created = post_comment(actor=request.user, post=_post(request, pk), body=payload.comment)
    return Status(201, {"id": created.pk, "body": created.body})


@router.post("/posts/{pk}/overrides", response={201: dict})
def override(request: HttpRequest, pk: int, payload: OverrideIn):
    created = screening_override(
        actor=request.user,
        post=_post(request, pk),
        finding_key=payload.finding,
        reason=payload.reason,
    )
    return Status(201, {"finding": created.finding_key, "reason": created.reason})


@router.post("/posts/{pk}/schedule")
def schedule(request: HttpRequest, pk: int, payload: ScheduleIn):
    warnings = post_schedule(actor=request.user, post=_post(request, pk), when=payload.when)
    return {"post": _post_out(_post(request, pk)), "warnings": warnings}


@router.post("/posts/{pk}/unschedule", response=PostOut)
def unschedule(request: HttpRequest, pk: int):
    post_unschedule(actor=request.user, post=_post(request, pk))
    return _post_out(_post(request, pk))


@router.post("/posts/{pk}/publish", response=list[DeliveryOut])
def publish(request: HttpRequest, pk: int):
    deliveries = post_publish_now(
        actor=request.user, post=_post(request, pk), rip=client_address(request)
    )
    return [_delivery_out(Delivery.objects.get(pk=d.pk)) for d in deliveries]


@router.post("/posts/{pk}/withdraw", response=list[DeliveryOut])
def withdraw(request: HttpRequest, pk: int, payload: ReasonIn):
    post_withdraw(actor=request.user, post=_post(request, pk), reason=payload.reason)
    return [_delivery_out(d) for d in selectors.delivery_list(post=_post(request, pk))]


@router.post("/posts/{pk}/correct", response=PostOut)
def correct(request: HttpRequest, pk: int, payload: CorrectIn):
    changes = payload.dict(exclude_unset=True, exclude={"reason"})
    post_correct(actor=request.user, post=_post(request, pk), reason=payload.reason, **changes)
    return _post_out(_post(request, pk))


@router.get("/posts/{pk}/deliveries", response=list[DeliveryOut])
def deliveries(request: HttpRequest, pk: int):
    return [_delivery_out(d) for d in selectors.delivery_list(post=_post(request, pk))]


@router.post("/deliveries/{pk}/retry", response=DeliveryOut)
def retry(request: HttpRequest, pk: int):
    delivery = get_object_or_404(Delivery, pk=pk)
    _post(request, delivery.post_id)
    delivery_retry(actor=request.user, delivery=delivery)
    return _delivery_out(Delivery.objects.get(pk=pk))


@router.get("/calendar")
def calendar(request: HttpRequest, archive: str, month: str):
    found = get_object_or_404(Archive, slug=archive)
    try:
        year, number = (int(part) for part in month.split("-"))
    except ValueError as exc:
        from archivox.publishing.services.desk import PublishingError

        raise PublishingError({"month": _("give the month as YYYY-MM")}) from exc
    days = selectors.calendar_month(user=request.user, archive=found, year=year, month=number)
    return {
        "freshness_warning": selectors.freshness_warning(archive=found),
        "days": [
            {
                "day": d.day.isoformat(),
                "posts": [{"id": p.pk, "title": p.title, "status": p.status} for p in d.posts],
                "warnings": d.warnings,
            }
            for d in days
            if d.posts or d.warnings
        ],
    }
