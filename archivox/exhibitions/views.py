"""Public exhibition and lecture pages (mobile first; shareable into WeChat)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.core.access import archive_or_404, client_address
from archivox.exhibitions import selectors, services
from archivox.exhibitions.models import Event, Exhibition
from archivox.reservations import services as reservations


def index(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    return render(
        request,
        "exhibitions/index.html",
        {
            "archive": archive,
            "exhibitions": selectors.exhibition_list_public(archive=archive),
            "events": selectors.event_list_public(archive=archive),
        },
    )


def exhibition_detail(request: HttpRequest, slug: str, exhibition: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        view = selectors.exhibition_get_public(archive=archive, slug=exhibition)
    except Exhibition.DoesNotExist as exc:
        raise Http404(exhibition) from exc
    return render(
        request,
        "exhibitions/detail.html",
        {
            "archive": archive,
            "view": view,
            "exhibition": view.exhibition,
            "share_image": view.share_image,
            "share_url": request.build_absolute_uri(),
        },
    )


@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, slug: str, event: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        found = selectors.event_get_public(archive=archive, slug=event)
    except Event.DoesNotExist as exc:
        raise Http404(event) from exc
    wx = (request.POST.get("wx") or request.GET.get("wx") or "")[: reservations.TOKEN_MAX]
    context = {
        "archive": archive,
        "event": found,
        "slot": found.slot,
        "wx": wx,
        "values": {"name": "", "contact": ""},
        "field_errors": {},
        "share_url": request.build_absolute_uri(),
    }
    if request.method == "GET":
        return render(request, "exhibitions/event.html", context)
    context["values"] = {
        "name": request.POST.get("name", ""),
        "contact": request.POST.get("contact", ""),
    }
    if not reservations.public_request_allowed(
        archive=archive, action="register", client=client_address(request)
    ):
        context["error"] = _("Too many requests from your network; please wait a minute.")
        return render(request, "exhibitions/event.html", context, status=429)
    try:
        booking = services.event_register(
            event=found,
            name=context["values"]["name"],
            contact=context["values"]["contact"],
            wechat_token=wx,
        )
    except ValidationError as exc:
        context["field_errors"] = {key: " ".join(value) for key, value in exc.message_dict.items()}
        return render(request, "exhibitions/event.html", context, status=400)
    except reservations.BookingRefused as refused:
        context["error"] = refused.message
        return render(request, "exhibitions/event.html", context, status=409)
    return render(
        request,
        "reservations/done.html",
        {"archive": archive, "booking": booking, "slot": booking.slot, "wx": wx},
        status=201,
    )
