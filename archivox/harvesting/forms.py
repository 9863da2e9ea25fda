"""Console forms of harvesting; they parse, the services decide (and refuse with reasons)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from archivox.harvesting.models import Repository


class RepositoryForm(forms.Form):
    archive = forms.CharField(label=_("Archive"))
    name = forms.CharField(label=_("Name shown to the public"), required=False, max_length=200)
    base_url = forms.CharField(label=_("OAI-PMH base URL"), required=False, max_length=500)
    metadata_prefix = forms.ChoiceField(
        label=_("Metadata format"), choices=Repository.MetadataPrefix.choices
    )
    set_specs = forms.CharField(
        label=_("Sets (blank for all; separate with spaces)"), required=False, max_length=1000
    )
    schedule = forms.ChoiceField(label=_("Harvest"), choices=Repository.Schedule.choices)


class SharedCollectionForm(forms.Form):
    archive = forms.CharField(label=_("Archive"))
    repository = forms.IntegerField(label=_("Repository"))
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    introduction = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea)
    set_spec = forms.CharField(label=_("Set (blank for all)"), required=False, max_length=300)
    query = forms.CharField(
        label=_("Only records with these words"), required=False, max_length=200
    )
