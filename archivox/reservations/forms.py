"""Console forms of reservations. They only parse input; the services decide and write.

The console pages write their inputs by hand and show problems as messages, so each form can
say its problems in one line (``error_text``), the way the pages showed them before."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archivox.core.forms import ConsoleForm
from archivox.reservations.models import Closure, Resource

WEEKDAY_NUMBERS = range(7)


class HHMMField(forms.Field):
    """A time of day as a time input sends it; empty is None."""

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return datetime.time.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(_("%s is not a time (HH:MM).") % value[:10]) from exc


class CancelForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason"), required=False, strip=False)


class ResourceCreateForm(ConsoleForm):
    """A new room. Emptiness and lengths are the model's to judge (the service cleans it)."""

    name = forms.CharField(label=_("Name"), required=False)
    slug = forms.CharField(label=_("Short name (letters, digits, -)"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Resource.Kind.choices, required=False)
    location = forms.CharField(label=_("Location"), required=False)
    capacity = forms.IntegerField(label=_("Places per slot"), required=False)
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), required=False)

    INITIAL = {
        "slug": "",
        "kind": "reading_room",
        "name": "",
        "capacity": "10",
        "slot_minutes": "120",
    }

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "slug": data["slug"],
            "kind": data["kind"],
            "name": data["name"],
            "location": data["location"],
            "capacity": data["capacity"] or 0,
            "slot_minutes": data["slot_minutes"] or 0,
        }


class ResourceForm(ConsoleForm):
    """A form about one existing room."""

    invalid_message = _("Please check the dates and numbers: %s")

    def __init__(self, *args, resource: Resource, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.resource = resource


class ResourceSettingsForm(ResourceForm):
    name = forms.CharField(label=_("Name"), required=False)
    location = forms.CharField(label=_("Location"), required=False)
    capacity = forms.IntegerField(label=_("Places per slot (new slots)"), required=False)
    is_active = forms.BooleanField(label=_("Taking bookings"), required=False)

    def clean_name(self) -> str:
        # A form without the field keeps the name; an empty one is the service's to refuse.
        return self.cleaned_data["name"] if "name" in self.data else self.resource.name

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        return self.resource.capacity if capacity is None else capacity


class OpeningHoursForm(ResourceForm):
    """The weekly pattern: ``opens_0`` … ``closes_6``, Monday first; a day needs both."""

    invalid_message = None
    labelled_errors = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for weekday in WEEKDAY_NUMBERS:
            self.fields[f"opens_{weekday}"] = HHMMField(label=_("opens"), required=False)
            self.fields[f"closes_{weekday}"] = HHMMField(label=_("closes"), required=False)

    def periods(self) -> list[tuple[int, datetime.time, datetime.time]]:
        periods = []
        for weekday in WEEKDAY_NUMBERS:
            opens = self.cleaned_data[f"opens_{weekday}"]
            closes = self.cleaned_data[f"closes_{weekday}"]
            if opens and closes:
                periods.append((weekday, opens, closes))
        return periods


class ClosureForm(ResourceForm):
    first_day = forms.DateField(label=_("First day"))
    last_day = forms.DateField(label=_("Last day (optional)"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, strip=False)

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"][:200]


class ClosureRemoveForm(ResourceForm):
    labelled_errors = False

    closure = forms.IntegerField(required=False)

    def clean_closure(self) -> Closure | None:
        """The room's closure, or None when it is gone already (nothing to do)."""
        return self.resource.closures.filter(pk=self.cleaned_data["closure"] or 0).first()
