"""/api/v1/engagement/exhibitions/: published exhibitions and events for the public (registration
rate-limited; catalog material through the access gateway), building them for staff (session
authentication). A registration is cancelled like any reservation:
``POST /api/v1/engagement/reservations/{slug}/bookings/cancel``."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.security import django_auth

from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive
from archivox.exhibitions import selectors, services
from archivox.exhibitions.models import Event, Exhibition
from archivox.reservations import services as reservations
from archivox.reservations.api import (
    TOO_MANY,
    BookIn,
    BookingOut,
    RefusedOut,
    StaffBookingOut,
    booking_out,
)

router = Router(tags=["exhibitions"])


class ImageOut(Schema):
    url: str
    thumbnail_url: str
    caption: str
    width: int | None
    height: int | None


class ItemOut(Schema):
    reference_code: str
    title: str
    caption: str
    date_expression: str
    url: str
    images: list[ImageOut]
    images_withheld: bool


class SectionOut(Schema):
    id: int
    title: str
    body_html: str
    items: list[ItemOut]


class ExhibitionSummaryOut(Schema):
    slug: str
    title: str
    summary: str
    status: str
    published_at: datetime.datetime | None


class ExhibitionOut(ExhibitionSummaryOut):
    introduction_html: str
    share_image_url: str | None
    sections: list[SectionOut]


class EventOut(Schema):
    slug: str
    title: str
    speaker: str
    speaker_bio: str
    description_html: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_url: str
    capacity: int
    places_left: int
    status: str


class ExhibitionIn(Schema):
    slug: str
    title: str
    summary: str = ""
    introduction: str = ""


class SectionIn(Schema):
    title: str
    body: str = ""


class OrderIn(Schema):
    order: list[int]


class ItemIn(Schema):
    reference_code: str
    caption: str = ""


class EventIn(Schema):
    slug: str
    title: str
    speaker: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    place: str = ""
    online_url: str = ""
    description: str = ""
    speaker_bio: str = ""


def _exhibition_out(request: HttpRequest, view: selectors.ExhibitionView) -> dict:
    exhibition = view.exhibition
    slug = exhibition.archive.slug

    def image(obj) -> dict:
        url = reverse("portal:digital_object", args=[obj.pk])
        thumb = reverse("portal:digital_object_thumbnail", args=[obj.pk]) if obj.thumbnail else url
        return {
            "url": request.build_absolute_uri(url),
            "thumbnail_url": request.build_absolute_uri(thumb),
            "caption": obj.caption,
            "width": obj.width,
            "height": obj.height,
        }

    share = view.share_image
    return {
        "slug": exhibition.slug,
        "title": exhibition.title,
        "summary": exhibition.summary,
        "status": exhibition.status,
        "published_at": exhibition.published_at,
        "introduction_html": exhibition.introduction,
        "share_image_url": image(share)["url"] if share else None,
        "sections": [
            {
                "id": part.section.pk,
                "title": part.section.title,
                "body_html": part.section.body,
                "items": [
                    {
                        "reference_code": item.description.reference_code,
                        "title": item.description.title,
                        "caption": item.caption,
                        "date_expression": item.description.date_expression,
                        "url": request.build_absolute_uri(
                            reverse(
                                "portal:description",
                                args=[slug, item.description.reference_code],
                            )
                        ),
                        "images": [image(obj) for obj in item.images],
                        "images_withheld": item.withheld,
                    }
                    for item in part.items
                ],
            }
            for part in view.sections
        ],
    }


def _event_out(event: Event) -> dict:
    return {
        "slug": event.slug,
        "title": event.title,
        "speaker": event.speaker,
        "speaker_bio": event.speaker_bio,
        "description_html": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "online_url": event.online_url,
        "capacity": event.slot.capacity,
        "places_left": event.slot.places_left if event.slot.is_open else 0,
        "status": event.status,
    }


# -- public --------------------------------------------------------------------------------------


@router.get("/{slug}/exhibitions", response=list[ExhibitionSummaryOut])
def exhibition_list(request: HttpRequest, slug: str):
    return list(selectors.exhibition_list_public(archive=archive_or_404(slug)))


@router.get("/{slug}/exhibitions/{exhibition}", response=ExhibitionOut)
def exhibition_detail(request: HttpRequest, slug: str, exhibition: str):
    archive = archive_or_404(slug)
    try:
        view = selectors.exhibition_get_public(archive=archive, slug=exhibition)
    except Exhibition.DoesNotExist as exc:
        raise Http404(exhibition) from exc
    return _exhibition_out(request, view)


@router.get("/{slug}/events", response=list[EventOut])
def event_list(request: HttpRequest, slug: str):
    return [
        _event_out(event) for event in selectors.event_list_public(archive=archive_or_404(slug))
    ]


@router.get("/{slug}/events/{event}", response=EventOut)
def event_detail(request: HttpRequest, slug: str, event: str):
    found = get_object_or_404(
        selectors.event_list_public(archive=archive_or_404(slug), upcoming_only=False), slug=event
    )
    return _event_out(found)


@router.post(
    "/{slug}/events/{event}/registrations",
    response={201: BookingOut, 400: RefusedOut, 409: RefusedOut, 429: RefusedOut},
)
def event_register(request: HttpRequest, slug: str, event: str, payload: BookIn):
    """Register for an event (``slot_id`` is ignored: the event's own slot is booked)."""
    archive = archive_or_404(slug)
    found = get_object_or_404(
        selectors.event_list_public(archive=archive, upcoming_only=False), slug=event
    )
    if not reservations.public_request_allowed(
        archive=archive, action="register", client=client_address(request)
    ):
        return Status(429, TOO_MANY)
    try:
        booking = services.event_register(
            event=found,
            name=payload.name,
            contact=payload.contact,
            wechat_token=payload.wechat_token[:600],
        )
    except reservations.BookingRefused as refused:
        status = 409 if refused.reason in {"full", "duplicate", "past", "closed"} else 400
        return Status(status, {"detail": refused.message, "reason": refused.reason})
    return Status(201, booking_out(booking))


# -- staff ---------------------------------------------------------------------------------------


def _staff_exhibition(request: HttpRequest, archive: Archive, slug: str) -> Exhibition:
    return get_object_or_404(
        selectors.exhibition_list_for_staff(user=request.user, archive=archive), slug=slug
    )


@router.post("/{slug}/exhibitions", response={201: ExhibitionSummaryOut}, auth=django_auth)
def exhibition_create(request: HttpRequest, slug: str, payload: ExhibitionIn):
    created = services.exhibition_create(
        actor=request.user, archive=archive_or_404(slug), **payload.model_dump()
    )
    return Status(201, created)


@router.post(
    "/{slug}/exhibitions/{exhibition}/sections", response={201: SectionOut}, auth=django_auth
)
def section_add(request: HttpRequest, slug: str, exhibition: str, payload: SectionIn):
    found = _staff_exhibition(request, archive_or_404(slug), exhibition)
    section = services.section_add(actor=request.user, exhibition=found, **payload.model_dump())
    return Status(
        201, {"id": section.pk, "title": section.title, "body_html": section.body, "items": []}
    )


@router.put("/{slug}/exhibitions/{exhibition}/sections/order", response=list[int], auth=django_auth)
def sections_order(request: HttpRequest, slug: str, exhibition: str, payload: OrderIn):
    found = _staff_exhibition(request, archive_or_404(slug), exhibition)
    sections = services.sections_reorder(actor=request.user, exhibition=found, order=payload.order)
    return [section.pk for section in sections]


@router.post(
    "/{slug}/exhibitions/{exhibition}/sections/{section_id}/items",
    response={201: dict},
    auth=django_auth,
)
def item_add(request: HttpRequest, slug: str, exhibition: str, section_id: int, payload: ItemIn):
    found = _staff_exhibition(request, archive_or_404(slug), exhibition)
    section = get_object_or_404(found.sections, pk=section_id)
    item = services.section_item_add(actor=request.user, section=section, **payload.model_dump())
    return Status(201, {"id": item.pk, "reference_code": item.description.reference_code})


@router.post(
    "/{slug}/exhibitions/{exhibition}/publish", response=ExhibitionSummaryOut, auth=django_auth
)
def exhibition_publish(request: HttpRequest, slug: str, exhibition: str, publish: bool = True):
    found = _staff_exhibition(request, archive_or_404(slug), exhibition)
    return services.exhibition_publish(actor=request.user, exhibition=found, publish=publish)


@router.post("/{slug}/events", response={201: EventOut}, auth=django_auth)
def event_create(request: HttpRequest, slug: str, payload: EventIn):
    event = services.event_create(
        actor=request.user, archive=archive_or_404(slug), **payload.model_dump()
    )
    return Status(201, _event_out(event))


def _staff_event(request: HttpRequest, slug: str, event: str) -> Event:
    return get_object_or_404(
        selectors.event_list_for_staff(user=request.user, archive=archive_or_404(slug)), slug=event
    )


@router.post("/{slug}/events/{event}/publish", response=EventOut, auth=django_auth)
def event_publish(request: HttpRequest, slug: str, event: str, publish: bool = True):
    found = services.event_publish(
        actor=request.user, event=_staff_event(request, slug, event), publish=publish
    )
    return _event_out(found)


@router.get(
    "/{slug}/events/{event}/registrations", response=list[StaffBookingOut], auth=django_auth
)
def event_registrations(request: HttpRequest, slug: str, event: str):
    from archivox.reservations import selectors as reservation_selectors

    found = _staff_event(request, slug, event)
    return [
        booking_out(booking, staff=True)
        for booking in reservation_selectors.booking_list_for_slot(
            user=request.user, slot=found.slot
        )
    ]
