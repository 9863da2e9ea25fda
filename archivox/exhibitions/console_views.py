"""Exhibitions and lectures in the console: build an exhibition (sections in order, catalog
items picked from the public catalog), create events and see who registered. Views parse input
and call one service or selector; the services check permissions and audit."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.catalog import search
from archivox.core import selectors as core_selectors
from archivox.core.access import archive_for_staff
from archivox.core.selectors import Capability
from archivox.exhibitions import selectors, services
from archivox.exhibitions.models import Event, Exhibition
from archivox.reservations import selectors as reservation_selectors


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    archives = list(core_selectors.archive_list_for_staff(user=request.user))
    if len(archives) == 1:
        return redirect("console_exhibitions:list", slug=archives[0].slug)
    return render(request, "exhibitions/console/index.html", {"archives": archives})


def _datetime(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
@require_http_methods(["GET", "POST"])
def archive_list(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    exhibition_values = {"slug": "", "title": "", "summary": ""}
    event_values = {
        "slug": "", "title": "", "speaker": "", "starts_at": "", "ends_at": "",
        "place": "", "online_url": "", "capacity": "50",
    }  # fmt: skip
    if request.method == "POST":
        try:
            if request.POST.get("action") == "exhibition":
                exhibition_values = {k: request.POST.get(k, "").strip() for k in exhibition_values}
                created = services.exhibition_create(
                    actor=request.user, archive=archive, **exhibition_values
                )
                messages.success(request, _("Exhibition created; now add its sections."))
                return redirect("console_exhibitions:exhibition", slug=slug, pk=created.pk)
            event_values = {k: request.POST.get(k, "").strip() for k in event_values}
            event = services.event_create(
                actor=request.user,
                archive=archive,
                slug=event_values["slug"],
                title=event_values["title"],
                speaker=event_values["speaker"],
                starts_at=_datetime(event_values["starts_at"]),
                ends_at=_datetime(event_values["ends_at"]),
                place=event_values["place"],
                online_url=event_values["online_url"],
                capacity=int(event_values["capacity"] or 0),
            )
            messages.success(request, _("Event created (draft); publish it when ready."))
            return redirect("console_exhibitions:event", slug=slug, pk=event.pk)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except ValueError as exc:
            messages.error(request, _("Please check the dates and numbers: %s") % exc)
    return render(
        request,
        "exhibitions/console/list.html",
        {
            "archive": archive,
            "exhibitions": selectors.exhibition_list_for_staff(user=request.user, archive=archive),
            "events": selectors.event_list_for_staff(user=request.user, archive=archive),
            "exhibition_values": exhibition_values,
            "event_values": event_values,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exhibition_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    try:
        exhibition = selectors.exhibition_get_for_staff(user=request.user, archive=archive, pk=pk)
    except Exhibition.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    if request.method == "POST":
        _exhibition_action(request, exhibition)
        anchor = request.POST.get("section", "")
        target = request.get_full_path() + (f"#section-{anchor}" if anchor else "")
        return redirect(target)
    query = request.GET.get("q", "").strip()[:200]
    hits = []
    if query:
        # Items are picked from what the public may see: the search with the access gateway.
        hits = search.search_descriptions(
            query, filters=search.SearchFilters(archive_id=archive.pk), public=True, per_page=20
        ).hits
    sections = [
        (section, list(selectors.staff_items_of(section=section)))
        for section in exhibition.sections.order_by("position", "pk")
    ]
    return render(
        request,
        "exhibitions/console/exhibition.html",
        {
            "archive": archive,
            "exhibition": exhibition,
            "sections": sections,
            "query": query,
            "hits": hits,
            "preview": selectors.exhibition_preview_for_staff(
                user=request.user, exhibition=exhibition
            ),
        },
    )


def _exhibition_action(request: HttpRequest, exhibition: Exhibition) -> None:
    action = request.POST.get("action")
    section = None
    if request.POST.get("section"):
        section = exhibition.sections.filter(pk=request.POST["section"]).first()
        if section is None:
            messages.error(request, _("This section no longer exists."))
            return
    try:
        if action == "details":
            services.exhibition_update(
                actor=request.user,
                exhibition=exhibition,
                title=request.POST.get("title", "").strip(),
                summary=request.POST.get("summary", "").strip(),
                introduction=request.POST.get("introduction", ""),
            )
        elif action == "publish":
            services.exhibition_publish(actor=request.user, exhibition=exhibition)
        elif action == "unpublish":
            services.exhibition_publish(actor=request.user, exhibition=exhibition, publish=False)
        elif action == "add_section":
            services.section_add(
                actor=request.user,
                exhibition=exhibition,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
        elif action == "edit_section" and section:
            services.section_update(
                actor=request.user,
                section=section,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
        elif action in ("up", "down") and section:
            services.section_move(
                actor=request.user, section=section, offset=-1 if action == "up" else 1
            )
        elif action == "remove_section" and section:
            services.section_remove(actor=request.user, section=section)
        elif action == "add_item" and section:
            services.section_item_add(
                actor=request.user,
                section=section,
                reference_code=request.POST.get("reference_code", ""),
                caption=request.POST.get("caption", ""),
            )
        elif action == "remove_item" and section:
            item = section.items.filter(pk=request.POST.get("item") or 0).first()
            if item is not None:
                services.section_item_remove(actor=request.user, item=item)
        else:
            messages.error(request, _("Unknown action."))
            return
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    try:
        event = selectors.event_get_for_staff(user=request.user, archive=archive, pk=pk)
    except Event.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.event_publish(actor=request.user, event=event)
            elif action == "unpublish":
                services.event_publish(actor=request.user, event=event, publish=False)
            elif action == "cancel":
                services.event_cancel(
                    actor=request.user, event=event, reason=request.POST.get("reason", "")
                )
            elif action == "details":
                services.event_update(
                    actor=request.user,
                    event=event,
                    title=request.POST.get("title", "").strip(),
                    speaker=request.POST.get("speaker", "").strip(),
                    place=request.POST.get("place", "").strip(),
                    online_url=request.POST.get("online_url", "").strip(),
                    capacity=int(request.POST.get("capacity") or 0),
                    description=request.POST.get("description", ""),
                )
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except ValueError as exc:
            messages.error(request, _("Please check the numbers: %s") % exc)
        return redirect("console_exhibitions:event", slug=slug, pk=pk)
    return render(
        request,
        "exhibitions/console/event.html",
        {
            "archive": archive,
            "event": event,
            "registrations": reservation_selectors.booking_list_for_slot(
                user=request.user, slot=event.slot
            ),
        },
    )
