"""Reservations in the console: the day's list and check-in at the front desk; resources,
opening hours and closures. Views parse input and call one service or selector; the services
check permissions and audit."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archivox.core import selectors as core_selectors
from archivox.core.access import archive_for_staff
from archivox.core.selectors import Capability
from archivox.reservations import selectors
from archivox.reservations.forms import (
    CancelForm,
    ClosureForm,
    ClosureRemoveForm,
    OpeningHoursForm,
    ResourceCreateForm,
    ResourceForm,
    ResourceSettingsForm,
)
from archivox.reservations.models import Booking, Closure, Resource
from archivox.reservations.services.booking import reservation_cancel_by_staff
from archivox.reservations.services.common import BookingRefused
from archivox.reservations.services.resources import (
    closure_add,
    closure_remove,
    opening_hours_set,
    resource_create,
    resource_update,
)
from archivox.reservations.services.visits import reservation_check_in

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _parse_day(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    archives = list(core_selectors.archive_list_for_staff(user=request.user))
    if len(archives) == 1:
        return redirect("console_reservations:day", slug=archives[0].slug)
    return render(request, "reservations/console/index.html", {"archives": archives})


@login_required
def day(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.CONSULTATION_ANSWER)
    chosen = _parse_day(request.GET.get("date"))
    bookings = list(selectors.booking_list_for_day(user=request.user, archive=archive, day=chosen))
    code = request.GET.get("code", "").strip()
    found = None
    if code:
        try:
            found = selectors.booking_get_for_staff(user=request.user, archive=archive, code=code)
        except Booking.DoesNotExist:
            messages.error(request, _("No reservation with the code %s.") % code[:20])
    closed_ids = {
        closure.resource_id
        for closure in Closure.objects.filter(
            resource__archive=archive, first_day__lte=chosen, last_day__gte=chosen
        )
    }
    groups: list[tuple] = []
    for booking in bookings:
        if not groups or groups[-1][0] != booking.slot:
            groups.append((booking.slot, []))
        groups[-1][1].append(booking)
    return render(
        request,
        "reservations/console/day.html",
        {
            "archive": archive,
            "day": chosen,
            "previous": chosen - datetime.timedelta(days=1),
            "next": chosen + datetime.timedelta(days=1),
            "groups": groups,
            "found": found,
            "code": code,
            "closed_ids": closed_ids,
            "counts": {
                "booked": sum(b.status == Booking.Status.BOOKED for b in bookings),
                "checked_in": sum(b.status == Booking.Status.CHECKED_IN for b in bookings),
                "cancelled": sum(b.status == Booking.Status.CANCELLED for b in bookings),
            },
        },
    )


def _booking(request: HttpRequest, slug: str, pk: int) -> Booking:
    archive = archive_for_staff(request.user, slug, Capability.CONSULTATION_ANSWER)
    booking = (
        Booking.objects.select_related("slot", "archive").filter(archive=archive, pk=pk).first()
    )
    if booking is None:
        raise Http404(str(pk))
    return booking


def _back(request: HttpRequest, slug: str, booking: Booking) -> HttpResponse:
    day_of = timezone.localtime(booking.slot.starts_at).date().isoformat()
    return redirect(reverse("console_reservations:day", kwargs={"slug": slug}) + f"?date={day_of}")


@login_required
@require_POST
def check_in(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    booking = _booking(request, slug, pk)
    try:
        reservation_check_in(actor=request.user, booking=booking)
        messages.success(request, _("%s is checked in.") % booking.name)
    except BookingRefused as refused:
        messages.error(request, refused.message)
    return _back(request, slug, booking)


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    booking = _booking(request, slug, pk)
    form = CancelForm(request.POST)
    form.is_valid()  # the reason is free text: nothing to refuse
    try:
        reservation_cancel_by_staff(
            actor=request.user, booking=booking, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The reservation %s is cancelled.") % booking.code_display)
    except BookingRefused as refused:
        messages.error(request, refused.message)
    return _back(request, slug, booking)


@login_required
@require_http_methods(["GET", "POST"])
def resources(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.CONSULTATION_ANSWER)
    values = dict(ResourceCreateForm.INITIAL)
    if request.method == "POST":
        form = ResourceCreateForm(request.POST)
        values = form.typed(*values, "location")
        if not form.is_valid():
            messages.error(request, form.error_text())
        else:
            try:
                created = resource_create(actor=request.user, archive=archive, **form.values())
            except ValidationError as exc:
                form.add_refusal(exc)
                messages.error(request, _errors(exc))
            except PermissionDenied:
                messages.error(request, _("Only an administrator of the archive can add rooms."))
            else:
                messages.success(
                    request, _("%s is created; now set its opening hours.") % created.name
                )
                return redirect("console_reservations:resource", slug=slug, resource=created.slug)
    return render(
        request,
        "reservations/console/resources.html",
        {
            "archive": archive,
            "resources": selectors.resource_list_for_staff(user=request.user, archive=archive),
            "kinds": Resource.Kind.choices,
            "values": values,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource(request: HttpRequest, slug: str, resource: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.CONSULTATION_ANSWER)
    found = (
        selectors.resource_list_for_staff(user=request.user, archive=archive)
        .filter(slug=resource)
        .first()
    )
    if found is None:
        raise Http404(resource)
    if request.method == "POST":
        form_class = RESOURCE_FORMS.get(request.POST.get("action", ""))
        if form_class is not None:
            _resource_action(request, form_class(request.POST, resource=found))
        return redirect("console_reservations:resource", slug=slug, resource=found.slug)
    hours = {period.weekday: period for period in found.opening_hours.all()}
    return render(
        request,
        "reservations/console/resource.html",
        {
            "archive": archive,
            "resource": found,
            "week": [(weekday, label, hours.get(weekday)) for weekday, label in WEEKDAYS],
            "closures": found.closures.filter(last_day__gte=timezone.localdate()),
        },
    )


RESOURCE_FORMS: dict[str, type[ResourceForm]] = {
    "settings": ResourceSettingsForm,
    "hours": OpeningHoursForm,
    "closure": ClosureForm,
    "remove_closure": ClosureRemoveForm,
}


def _resource_action(request: HttpRequest, form: ResourceForm) -> None:
    """Call the one service of the posted form; its problems and refusals become messages."""
    if not form.is_valid():
        messages.error(request, form.error_text())
        return
    data, resource = form.cleaned_data, form.resource
    try:
        if isinstance(form, OpeningHoursForm):
            opening_hours_set(actor=request.user, resource=resource, periods=form.periods())
            messages.success(request, _("Opening hours saved."))
        elif isinstance(form, ClosureForm):
            closure_add(actor=request.user, resource=resource, **data)
            messages.success(request, _("Closure added."))
        elif isinstance(form, ClosureRemoveForm):
            if data["closure"] is not None:
                closure_remove(actor=request.user, closure=data["closure"])
                messages.success(request, _("Closure removed."))
        else:
            resource_update(actor=request.user, resource=resource, **data)
            messages.success(request, _("Saved."))
    except ValidationError as exc:
        form.add_refusal(exc)
        messages.error(request, _errors(exc))
    except PermissionDenied:
        messages.error(request, _("Only an administrator of the archive can change this."))
