"""Console forms of current documents. They only parse input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from archivox.core.forms import ConsoleForm, typed_text

DATE = forms.DateInput(attrs={"type": "date"})


class DocumentForm(ConsoleForm):
    issuer = typed_text(_("Issuing body"))
    doc_number = typed_text(_("Document number (e.g. 宁政发〔2026〕12号)"))
    issued_on = forms.DateField(label=_("Date of issue"), required=False, widget=DATE)
    title = typed_text(_("Title"))
    subject = typed_text(_("Subject"))
    full_text = forms.CharField(label=_("Full text"), widget=forms.Textarea, required=False)
    pdf = forms.FileField(label=_("PDF (optional)"), required=False)


class ChangeForm(ConsoleForm):
    by_number = typed_text(_("Number of the amending or repealing document"))
    effective_on = forms.DateField(label=_("Effective from"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)
    full_text = forms.CharField(
        label=_("Full text as amended (only for an amendment)"),
        widget=forms.Textarea,
        required=False,
    )
