"""Public reservation pages (mobile first; they work in WeChat's in-app browser).

A WeChat menu link carries a signed ``wx`` token with the follower's openid; it is passed along
from page to page and checked again by the booking service."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.catalog.selectors import description_get_public
from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive
from archivox.notifications.selectors import subscribe_consent_url
from archivox.reservations import selectors
from archivox.reservations.models import Booking, Resource, Slot
from archivox.reservations.services.booking import (
    reservation_book,
    reservation_cancel,
    reservation_get_for_person,
)
from archivox.reservations.services.common import BookingRefused
from archivox.reservations.services.links import (
    TOKEN_MAX,
    booking_from_feedback_token,
    feedback_token_for,
    follower_openid_from_token,
)
from archivox.reservations.services.ratelimits import public_request_allowed
from archivox.reservations.services.slots import slot_days_public
from archivox.reservations.services.visits import reservation_rate

if TYPE_CHECKING:
    from archivox.catalog.models import Description

DONE_KEY = "reservations_done"
DONE_ITEM_KEY = "reservations_done_item"


def _resource(archive: Archive, slug: str) -> Resource:
    try:
        return selectors.resource_get_public(archive=archive, slug=slug)
    except Resource.DoesNotExist as exc:
        raise Http404(slug) from exc


def _wx(request: HttpRequest, archive: Archive) -> tuple[str, str]:
    """The WeChat token of this visit (from the query or the form) and a message if it is bad."""
    token = (request.POST.get("wx") or request.GET.get("wx") or "")[:TOKEN_MAX]
    if not token:
        return "", ""
    try:
        follower_openid_from_token(archive=archive, token=token)
    except BookingRefused as refused:
        return "", refused.message
    return token, ""


def _item(request: HttpRequest, archive: Archive) -> Description | None:
    """The catalog item the visitor comes to see (``?item=`` from its page), if it is public:
    named on every page of the booking and on the confirmation."""
    code = (request.POST.get("item") or request.GET.get("item") or "")[:100].strip()
    if not code:
        return None
    try:
        return description_get_public(archive=archive, reference_code=code)
    except ObjectDoesNotExist:
        return None


def _carry(wx: str, item: Description | None) -> str:
    """The query string the booking's pages pass on (the WeChat token, the item)."""
    values = {"wx": wx, "item": item.reference_code if item else ""}
    return urlencode({key: value for key, value in values.items() if value})


def _too_many(request: HttpRequest, archive: Archive, template: str, context: dict) -> HttpResponse:
    context.update(
        archive=archive,
        error=_("Too many requests from your network; please wait a minute and try again."),
    )
    return render(request, template, context, status=429)


def index(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    wx, wx_error = _wx(request, archive)
    item = _item(request, archive)
    return render(
        request,
        "reservations/index.html",
        {
            "archive": archive,
            "resources": selectors.resource_list_public(archive=archive),
            "wx": wx,
            "error": wx_error,
            "item": item,
            "carry": _carry(wx, item),
        },
    )


def resource_slots(request: HttpRequest, slug: str, resource: str) -> HttpResponse:
    archive = archive_or_404(slug)
    found = _resource(archive, resource)
    wx, wx_error = _wx(request, archive)
    item = _item(request, archive)
    return render(
        request,
        "reservations/resource.html",
        {
            "archive": archive,
            "resource": found,
            "days": slot_days_public(resource=found),
            "wx": wx,
            "error": wx_error,
            "item": item,
            "carry": _carry(wx, item),
        },
    )


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str, resource: str, slot_id: int) -> HttpResponse:
    archive = archive_or_404(slug)
    found = _resource(archive, resource)
    slot = Slot.objects.filter(pk=slot_id, resource=found).first()
    if slot is None:
        raise Http404(str(slot_id))
    wx, wx_error = _wx(request, archive)
    item = _item(request, archive)
    context = {
        "archive": archive,
        "resource": found,
        "slot": slot,
        "wx": wx,
        "error": wx_error,
        "item": item,
        "carry": _carry(wx, item),
        "values": {"name": "", "contact": ""},
        "field_errors": {},
    }
    if request.method == "GET":
        return render(request, "reservations/book.html", context)
    # What the person typed comes back in the form whatever goes wrong: nothing is lost.
    context["values"] = {
        "name": request.POST.get("name", ""),
        "contact": request.POST.get("contact", ""),
    }
    if not public_request_allowed(archive=archive, action="book", client=client_address(request)):
        return _too_many(request, archive, "reservations/book.html", context)
    try:
        booking = reservation_book(
            slot_id=slot.pk,
            archive=archive,
            name=context["values"]["name"],
            contact=context["values"]["contact"],
            wechat_token=wx,
        )
    except ValidationError as exc:
        context["field_errors"] = {key: " ".join(value) for key, value in exc.message_dict.items()}
        return render(request, "reservations/book.html", context, status=400)
    except BookingRefused as refused:
        context["error"] = refused.message
        context["refused"] = refused.reason
        status = 409 if refused.reason in {"full", "duplicate", "past", "closed"} else 400
        return render(request, "reservations/book.html", context, status=status)
    # The confirmation is also a GET page of this visitor's session: the page replaces its
    # address with it, so reloading shows the confirmation again instead of booking twice.
    request.session[DONE_KEY] = booking.pk
    request.session[DONE_ITEM_KEY] = item.reference_code if item else ""
    return render(
        request,
        "reservations/done.html",
        {
            "archive": archive,
            "booking": booking,
            "slot": booking.slot,
            "wx": wx,
            "item": item,
            "replace_url": reverse("reservations:done", args=[archive.slug]),
            **_reminder_consent(request, archive, booking, wx),
        },
        status=201,
    )


def _reminder_consent(
    request: HttpRequest, archive: Archive, booking: Booking, wx: str
) -> dict[str, object]:
    """The consent step of a follower's booking in WeChat's browser, when the archive sends the
    reminder as a one-time subscription message: the follower must first allow it on WeChat's
    page, which then brings them back here (``action=confirm`` or ``cancel``)."""
    in_wechat = "micromessenger" in request.headers.get("User-Agent", "").lower()
    if booking.channel != booking.Channel.WECHAT or not in_wechat:
        return {}
    back = settings.BASE_URL + reverse("reservations:done", args=[archive.slug])
    if wx:
        back += "?" + urlencode({"wx": wx})
    return {
        "consent_url": subscribe_consent_url(
            archive=archive, purpose="reservations.reminder", redirect_url=back
        ),
        "consent_answer": request.GET.get("action", "")
        if request.GET.get("reserved") == "reservations.reminder"
        else "",
    }


def done(request: HttpRequest, slug: str) -> HttpResponse:
    """The confirmation of the booking this browser just made (post/redirect/get)."""
    archive = archive_or_404(slug)
    pk = request.session.get(DONE_KEY)
    booking = selectors.booking_get_public(archive=archive, pk=pk) if isinstance(pk, int) else None
    if booking is None:
        return redirect("reservations:manage", slug=archive.slug)
    wx = (request.GET.get("wx") or "")[:TOKEN_MAX]
    code = request.session.get(DONE_ITEM_KEY) or ""
    item = None
    if code:
        try:
            item = description_get_public(archive=archive, reference_code=code)
        except ObjectDoesNotExist:
            item = None
    return render(
        request,
        "reservations/done.html",
        {
            "archive": archive,
            "booking": booking,
            "slot": booking.slot,
            "wx": wx,
            "item": item,
            **_reminder_consent(request, archive, booking, wx),
        },
    )


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Find a reservation by its code and contact; cancel it."""
    archive = archive_or_404(slug)
    context: dict = {
        "archive": archive,
        "values": {
            "code": request.POST.get("code", request.GET.get("code", ""))[:40],
            "contact": request.POST.get("contact", "")[:300],
        },
        "wx": (request.POST.get("wx") or request.GET.get("wx") or "")[:TOKEN_MAX],
    }
    if request.method == "GET":
        return render(request, "reservations/manage.html", context)
    if not public_request_allowed(archive=archive, action="manage", client=client_address(request)):
        return _too_many(request, archive, "reservations/manage.html", context)
    code, contact = context["values"]["code"], context["values"]["contact"]
    try:
        if request.POST.get("action") == "ask_cancel":
            # One more tap, on a page that says what is cancelled: never by a stray tap.
            booking = reservation_get_for_person(archive=archive, code=code, contact=contact)
            context["confirm_cancel"] = True
        elif request.POST.get("action") == "cancel":
            booking = reservation_cancel(archive=archive, code=code, contact=contact)
            context["cancelled"] = True
        else:
            booking = reservation_get_for_person(archive=archive, code=code, contact=contact)
    except BookingRefused as refused:
        context["error"] = refused.message
        status = 404 if refused.reason == "unknown_code" else 409
        return render(request, "reservations/manage.html", context, status=status)
    context["booking"] = booking
    context["can_cancel"] = (
        booking.status == booking.Status.BOOKED and booking.slot.starts_at > timezone.now()
    )
    if booking.status == booking.Status.CHECKED_IN and booking.rated_at is None:
        context["feedback_token"] = feedback_token_for(booking)
    return render(request, "reservations/manage.html", context)


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    archive = archive_or_404(slug)
    context: dict = {
        "archive": archive,
        "token": token,
        "values": {"rating": "", "comment": ""},
        "field_errors": {},
    }
    try:
        booking = booking_from_feedback_token(token[:TOKEN_MAX])
    except BookingRefused as refused:
        context["error"] = refused.message
        return render(request, "reservations/feedback.html", context, status=404)
    if booking.archive_id != archive.pk:
        raise Http404(token)
    context["booking"] = booking
    if request.method == "GET":
        return render(request, "reservations/feedback.html", context)
    context["values"] = {
        "rating": request.POST.get("rating", ""),
        "comment": request.POST.get("comment", ""),
    }
    if not public_request_allowed(
        archive=archive, action="feedback", client=client_address(request)
    ):
        return _too_many(request, archive, "reservations/feedback.html", context)
    try:
        reservation_rate(
            token=token, rating=context["values"]["rating"], comment=context["values"]["comment"]
        )
    except ValidationError as exc:
        context["field_errors"] = {key: " ".join(value) for key, value in exc.message_dict.items()}
        return render(request, "reservations/feedback.html", context, status=400)
    except BookingRefused as refused:
        context["error"] = refused.message
        return render(request, "reservations/feedback.html", context, status=409)
    context["thanks"] = True
    return render(request, "reservations/feedback.html", context)
