"""Exhibitions and lectures in the console: build an exhibition (sections in order, catalog
items picked from the public catalog), create events and see who registered. Views parse input
and call one service or selector; the services check permissions and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.catalog import search
from archivox.core import selectors as core_selectors
from archivox.core.access import archive_for_staff
from archivox.core.selectors import Capability
from archivox.exhibitions import selectors, services
from archivox.exhibitions.forms import (
    ConsoleForm,
    EventCancelForm,
    EventCreateForm,
    EventDetailsForm,
    ExhibitionCreateForm,
    ExhibitionDetailsForm,
    ExhibitionForm,
    SectionActionForm,
    SectionEditForm,
    SectionForm,
    SectionItemForm,
    SectionItemRemoveForm,
)
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


@login_required
@require_http_methods(["GET", "POST"])
def archive_list(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    exhibition_values = dict(ExhibitionCreateForm.INITIAL)
    event_values = dict(EventCreateForm.INITIAL)
    if request.method == "POST":
        form: ConsoleForm
        if request.POST.get("action") == "exhibition":
            form = ExhibitionCreateForm(request.POST)
            exhibition_values = form.typed(*exhibition_values)
        else:
            form = EventCreateForm(request.POST)
            event_values = form.typed(*event_values)
        if not form.is_valid():
            messages.error(request, form.error_text())
        else:
            try:
                if isinstance(form, ExhibitionCreateForm):
                    created = services.exhibition_create(
                        actor=request.user, archive=archive, **form.cleaned_data
                    )
                    messages.success(request, _("Exhibition created; now add its sections."))
                    return redirect("console_exhibitions:exhibition", slug=slug, pk=created.pk)
                event = services.event_create(
                    actor=request.user, archive=archive, **form.cleaned_data
                )
                messages.success(request, _("Event created (draft); publish it when ready."))
                return redirect("console_exhibitions:event", slug=slug, pk=event.pk)
            except ValidationError as exc:
                form.add_refusal(exc)
                messages.error(request, _errors(exc))
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
        form = _exhibition_action(request, exhibition)
        section = form.cleaned_data.get("section")
        anchor = f"#section-{section.pk}" if section is not None else ""
        return redirect(request.get_full_path() + anchor)
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


EXHIBITION_FORMS: dict[str, type[ExhibitionForm]] = {
    "details": ExhibitionDetailsForm,
    "publish": ExhibitionForm,
    "unpublish": ExhibitionForm,
    "add_section": SectionForm,
    "edit_section": SectionEditForm,
    "up": SectionActionForm,
    "down": SectionActionForm,
    "remove_section": SectionActionForm,
    "add_item": SectionItemForm,
    "remove_item": SectionItemRemoveForm,
}


def _exhibition_action(request: HttpRequest, exhibition: Exhibition) -> ExhibitionForm:
    """Call the one service of the posted action; its problems and refusals become messages."""
    action = request.POST.get("action", "")
    form = EXHIBITION_FORMS.get(action, ExhibitionForm)(request.POST, exhibition=exhibition)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return form
    data = dict(form.cleaned_data)
    section = data.pop("section")
    if action not in EXHIBITION_FORMS or (form.needs_section and section is None):
        messages.error(request, _("Unknown action."))
        return form
    try:
        if action == "details":
            services.exhibition_update(actor=request.user, exhibition=exhibition, **data)
        elif action in ("publish", "unpublish"):
            services.exhibition_publish(
                actor=request.user, exhibition=exhibition, publish=action == "publish"
            )
        elif action == "add_section":
            services.section_add(actor=request.user, exhibition=exhibition, **data)
        elif action == "edit_section":
            services.section_update(actor=request.user, section=section, **data)
        elif action in ("up", "down"):
            services.section_move(
                actor=request.user, section=section, offset=-1 if action == "up" else 1
            )
        elif action == "remove_section":
            services.section_remove(actor=request.user, section=section)
        elif action == "add_item":
            services.section_item_add(actor=request.user, section=section, **data)
        elif data["item"] is not None:  # remove_item
            services.section_item_remove(actor=request.user, item=data["item"])
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        form.add_refusal(exc)
        messages.error(request, _errors(exc))
    return form


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    try:
        event = selectors.event_get_for_staff(user=request.user, archive=archive, pk=pk)
    except Event.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    if request.method == "POST":
        _event_action(request, event)
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


def _event_action(request: HttpRequest, event: Event) -> None:
    """Call the one service of the posted action; its problems and refusals become messages.
    An unknown action changes nothing (and says "Saved.", as it always has)."""
    action = request.POST.get("action", "")
    form: ConsoleForm
    if action == "details":
        form = EventDetailsForm(request.POST)
    elif action == "cancel":
        form = EventCancelForm(request.POST)
    else:
        form = ConsoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return
    try:
        if action in ("publish", "unpublish"):
            services.event_publish(actor=request.user, event=event, publish=action == "publish")
        elif action == "cancel":
            services.event_cancel(actor=request.user, event=event, **form.cleaned_data)
        elif action == "details":
            services.event_update(actor=request.user, event=event, **form.cleaned_data)
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        form.add_refusal(exc)
        messages.error(request, _errors(exc))
