"""Console form of a campaign. It only parses input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from archivox.core.forms import ConsoleForm, typed_text


class CampaignForm(ConsoleForm):
    title = typed_text(_("Title"))
    slug = forms.SlugField(
        label=_("Short name in the address (letters, digits, -)"), required=False
    )
    summary = forms.CharField(
        label=_("What we are collecting"), widget=forms.Textarea, required=False
    )
    terms = forms.CharField(
        label=_("Terms of donation or deposit"), widget=forms.Textarea, required=False
    )
    rights = forms.CharField(label=_("Rights and consent"), widget=forms.Textarea, required=False)
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_open = forms.BooleanField(label=_("Open for offers"), required=False)

    FIELDS = ("title", "slug", "summary", "terms", "rights", "starts_on", "ends_on", "is_open")

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}
