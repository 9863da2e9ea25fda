"""Console forms of exhibitions and events. They only parse input; the services decide and
write.

The console pages write their inputs by hand and show problems as messages, so each form can
say its problems in one line (``error_text``), the way the pages showed them before."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archivox.core.forms import ConsoleForm
from archivox.exhibitions.models import Exhibition, Section


class ExhibitionCreateForm(ConsoleForm):
    """A new exhibition. Emptiness and lengths are the model's to judge (the service cleans)."""

    title = forms.CharField(label=_("Title"), required=False)
    slug = forms.CharField(label=_("Short name (letters, digits, -)"), required=False)
    summary = forms.CharField(label=_("Summary (share card)"), required=False)

    INITIAL = {"slug": "", "title": "", "summary": ""}


class EventFieldsForm(ConsoleForm):
    title = forms.CharField(label=_("Title"), required=False)
    speaker = forms.CharField(label=_("Speaker"), required=False)
    place = forms.CharField(label=_("Place"), required=False)
    online_url = forms.CharField(label=_("Online link"), required=False)
    capacity = forms.IntegerField(label=_("Places"), required=False)

    def clean_capacity(self) -> int:
        return self.cleaned_data["capacity"] or 0


class EventCreateForm(EventFieldsForm):
    """A new lecture or event; a naive date and time is in the archive's time zone."""

    invalid_message = _("Please check the dates and numbers: %s")

    slug = forms.CharField(label=_("Short name (letters, digits, -)"), required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"))
    ends_at = forms.DateTimeField(label=_("Ends at"))

    INITIAL = {
        "slug": "", "title": "", "speaker": "", "starts_at": "", "ends_at": "",
        "place": "", "online_url": "", "capacity": "50",
    }  # fmt: skip


class EventDetailsForm(EventFieldsForm):
    invalid_message = _("Please check the numbers: %s")

    description = forms.CharField(label=_("Description (HTML)"), required=False, strip=False)


class EventCancelForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason"), required=False, strip=False)


class ExhibitionForm(ConsoleForm):
    """An action on one exhibition, maybe on one of its sections (``section``)."""

    labelled_errors = False
    #: The action needs a section; without one it is unknown.
    needs_section = False

    section = forms.IntegerField(label=_("Section"), required=False)

    def __init__(self, *args, exhibition: Exhibition, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.exhibition = exhibition

    def clean_section(self) -> Section | None:
        pk = self.cleaned_data["section"]
        if pk is None:
            return None
        section = self.exhibition.sections.filter(pk=pk).first()
        if section is None:
            raise ValidationError(_("This section no longer exists."))
        return section


class SectionActionForm(ExhibitionForm):
    """Move or remove a section."""

    needs_section = True


class ExhibitionDetailsForm(ExhibitionForm):
    title = forms.CharField(label=_("Title"), required=False)
    summary = forms.CharField(label=_("Summary (share card)"), required=False)
    introduction = forms.CharField(
        label=_("Introduction (HTML: p, strong, em, a, lists)"), required=False, strip=False
    )


class SectionForm(ExhibitionForm):
    """A new section's or a section's title and text (the service strips and cleans them)."""

    title = forms.CharField(label=_("Title"), required=False, strip=False)
    body = forms.CharField(
        label=_("Text (HTML: p, strong, em, a, lists)"), required=False, strip=False
    )


class SectionEditForm(SectionForm):
    needs_section = True


class SectionItemForm(ExhibitionForm):
    needs_section = True

    reference_code = forms.CharField(label=_("Reference code"), required=False, strip=False)
    caption = forms.CharField(label=_("Caption"), required=False, strip=False)


class SectionItemRemoveForm(ExhibitionForm):
    needs_section = True

    item = forms.IntegerField(required=False)

    def clean(self) -> dict:
        """The section's item, or None when it is gone already (nothing to do)."""
        data = super().clean()
        section, pk = data.get("section"), data.get("item")
        data["item"] = section.items.filter(pk=pk or 0).first() if section else None
        return data
