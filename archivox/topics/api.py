"""/api/v1/engagement/topics/: the public reads topics (catalog items only through the access
gateway) and comments (screened, rate-limited); staff (session) make topics, link items,
moderate and choose pre- or post-moderation."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from archivox.catalog.models import Description
from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive
from archivox.core.ratelimit import ratelimit_hit
from archivox.polls.identity import IdentityError, person_from_request, person_remember
from archivox.topics import selectors, services
from archivox.topics.models import Comment, Topic

router = Router(tags=["topics"])
READ_LIMIT = (120, 60)


class CommentOut(Schema):
    id: int
    display_name: str
    body: str
    status: str
    created_at: datetime.datetime


class StaffCommentOut(CommentOut):
    topic: str
    channel: str
    flags: list


class TopicOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    is_published: bool
    comments_open: bool


class ItemOut(Schema):
    reference_code: str
    title: str
    date: str
    url: str
    images: list[str]


class TopicDetailOut(TopicOut):
    items: list[ItemOut]
    comments: list[CommentOut]


class CommentIn(Schema):
    display_name: str
    body: str
    token: str = ""


class TopicIn(Schema):
    name: str
    slug: str = ""
    description: str = ""
    is_published: bool = True


class TopicPatch(Schema):
    name: str | None = None
    description: str | None = None
    is_published: bool | None = None
    comments_open: bool | None = None


class ItemIn(Schema):
    reference_code: str


class SettingsIn(Schema):
    moderation: str


def _topic_json(topic: Topic) -> dict:
    return {
        "id": topic.pk,
        "name": topic.name,
        "slug": topic.slug,
        "description": topic.description,
        "is_published": topic.is_published,
        "comments_open": topic.comments_open,
    }


def _comment_json(comment: Comment, *, staff: bool = False) -> dict:
    data = {
        "id": comment.pk,
        "display_name": comment.display_name,
        "body": comment.body,
        "status": comment.status,
        "created_at": comment.created_at,
    }
    if staff:
        data.update(topic=comment.topic.name, channel=comment.channel, flags=comment.flags)
    return data


# Staff ------------------------------------------------------------------------------------------


def _staff_topic(request: HttpRequest, pk: int) -> Topic:
    try:
        return selectors.topic_get_for_staff(user=request.user, pk=pk)
    except Topic.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@router.get("/staff/{archive}/topics", auth=django_auth, response=list[TopicOut])
def staff_topic_list(request: HttpRequest, archive: str):
    return [
        _topic_json(t)
        for t in selectors.topic_list_for_staff(user=request.user, archive=archive_or_404(archive))
    ]


@router.post("/staff/{archive}/topics", auth=django_auth, response={201: TopicOut})
def staff_topic_create(request: HttpRequest, archive: str, payload: TopicIn):
    topic = services.topic_create(
        actor=request.user, archive=archive_or_404(archive), **payload.dict()
    )
    return Status(201, _topic_json(topic))


@router.patch("/staff/topics/{pk}", auth=django_auth, response=TopicOut)
def staff_topic_update(request: HttpRequest, pk: int, payload: TopicPatch):
    topic = services.topic_update(
        actor=request.user, topic=_staff_topic(request, pk), **payload.dict(exclude_unset=True)
    )
    return _topic_json(topic)


@router.post("/staff/topics/{pk}/items", auth=django_auth, response={201: dict})
def staff_item_add(request: HttpRequest, pk: int, payload: ItemIn):
    topic = _staff_topic(request, pk)
    description = get_object_or_404(
        Description, archive=topic.archive, reference_code=payload.reference_code
    )
    services.topic_item_add(actor=request.user, topic=topic, description=description)
    return Status(201, {"reference_code": description.reference_code})


@router.delete("/staff/topics/{pk}/items/{reference_code}", auth=django_auth, response={204: None})
def staff_item_remove(request: HttpRequest, pk: int, reference_code: str):
    topic = _staff_topic(request, pk)
    description = get_object_or_404(
        Description, archive=topic.archive, reference_code=reference_code
    )
    services.topic_item_remove(actor=request.user, topic=topic, description=description)
    return Status(204, None)


@router.get("/staff/{archive}/moderation", auth=django_auth, response=list[StaffCommentOut])
def staff_moderation_queue(request: HttpRequest, archive: str):
    queue = selectors.moderation_queue(user=request.user, archive=archive_or_404(archive))
    return [_comment_json(c, staff=True) for c in queue[:500]]


def _staff_comment(request: HttpRequest, pk: int) -> Comment:
    try:
        return selectors.comment_get_for_staff(user=request.user, pk=pk)
    except Comment.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@router.post("/staff/comments/{pk}/approve", auth=django_auth, response=StaffCommentOut)
def staff_comment_approve(request: HttpRequest, pk: int):
    comment = services.comment_approve(actor=request.user, comment=_staff_comment(request, pk))
    return _comment_json(comment, staff=True)


@router.post("/staff/comments/{pk}/hide", auth=django_auth, response=StaffCommentOut)
def staff_comment_hide(request: HttpRequest, pk: int):
    comment = services.comment_hide(actor=request.user, comment=_staff_comment(request, pk))
    return _comment_json(comment, staff=True)


@router.put("/staff/{archive}/settings", auth=django_auth)
def staff_settings_update(request: HttpRequest, archive: str, payload: SettingsIn):
    row = services.discussion_settings_update(
        actor=request.user, archive=archive_or_404(archive), moderation=payload.moderation
    )
    return {"moderation": row.moderation}


# Public -----------------------------------------------------------------------------------------


def _read_allowed(request: HttpRequest) -> None:
    limit, window = READ_LIMIT
    if not ratelimit_hit(f"topic-read:{client_address(request)}", limit=limit, window=window):
        raise HttpError(429, "Too many requests; wait a minute.")


def _public(archive: str, slug: str) -> tuple[Archive, Topic]:
    target = archive_or_404(archive)
    try:
        return target, selectors.topic_get_public(archive=target, slug=slug)
    except Topic.DoesNotExist as exc:
        raise Http404(slug) from exc


@router.get("/{archive}/", response=list[TopicOut])
def topic_list(request: HttpRequest, archive: str):
    _read_allowed(request)
    return [_topic_json(t) for t in selectors.topic_list_public(archive=archive_or_404(archive))]


@router.get("/{archive}/{topic}", response=TopicDetailOut)
def topic_get(request: HttpRequest, archive: str, topic: str):
    from django.urls import reverse

    _read_allowed(request)
    target, subject = _public(archive, topic)
    items = [
        {
            "reference_code": entry.description.reference_code,
            "title": entry.description.title,
            "date": entry.description.date_expression,
            "url": reverse(
                "portal:description",
                kwargs={"slug": target.slug, "reference_code": entry.description.reference_code},
            ),
            "images": [
                reverse("portal:digital_object", kwargs={"pk": obj.pk}) for obj in entry.objects
            ],
        }
        for entry in selectors.topic_items_public(topic=subject)
    ]
    comments = [_comment_json(c) for c in selectors.comment_list_public(topic=subject)]
    return {**_topic_json(subject), "items": items, "comments": comments}


@router.post(
    "/{archive}/{topic}/comments", response={201: CommentOut, 400: dict, 403: dict, 429: dict}
)
def comment_post(
    request: HttpRequest, response: HttpResponse, archive: str, topic: str, payload: CommentIn
):
    """Comment as a WeChat follower (``token`` from the account's link) or as this browser.
    201 with status "published" or "pending" (waits for a moderator); 400 with the reason when
    refused (nothing stored); 429 when too many."""
    target, subject = _public(archive, topic)
    try:
        person = person_from_request(request, archive=target, token=payload.token)
    except IdentityError as exc:
        return Status(403, {"detail": str(exc)})
    try:
        comment = services.comment_post(
            topic=subject,
            person=person,
            display_name=payload.display_name,
            body=payload.body,
            client=client_address(request),
        )
    except services.RateLimited as exc:
        return Status(429, {"detail": str(exc)})
    except services.CommentRefused as exc:
        return Status(400, {"detail": str(exc), "findings": exc.findings})
    person_remember(response, person)
    return Status(201, _comment_json(comment))
