"""Console form of a poster. It only parses input; the service decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from archivox.core.forms import ConsoleForm, typed_text
from archivox.promotion.models import Poster

COLOUR = forms.TextInput(attrs={"type": "color"})


class PosterForm(ConsoleForm):
    title = typed_text(_("Title (short, it is printed large)"))
    subtitle = typed_text(_("Subtitle"))
    dates = typed_text(_("Dates"))
    place = typed_text(_("Place"))
    target_path = forms.ChoiceField(label=_("Where the QR code leads"), required=False)
    image_id = forms.TypedChoiceField(
        label=_("Picture from the catalog (open items only)"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    size = forms.ChoiceField(label=_("Size"), choices=Poster.Size.choices, initial="a3")
    orientation = forms.ChoiceField(
        label=_("Orientation"), choices=Poster.Orientation.choices, initial="portrait"
    )
    colour = forms.CharField(label=_("Colour"), initial="#6b1d1d", widget=COLOUR)
    background = forms.CharField(label=_("Background"), initial="#f8f4ec", widget=COLOUR)
    logo = forms.FileField(label=_("Logo (PNG or JPEG, optional)"), required=False)
    name = typed_text(_("Where it hangs (each poster counts its own visitors)"))

    def __init__(self, *args, targets=(), images=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_path"].choices = list(targets)
        self.fields["image_id"].choices = [("", _("no picture"))] + [
            (image.pk, f"{image.description.reference_code} {image.description.title}"[:80])
            for image in images
        ]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("logo", None)
        return data


class PosterStyleForm(ConsoleForm):
    """The archive's poster template."""

    colour = forms.CharField(label=_("Colour"), widget=COLOUR)
    background = forms.CharField(label=_("Background"), widget=COLOUR)
    logo = forms.FileField(label=_("Logo (PNG or JPEG, optional)"), required=False)
    remove_logo = forms.BooleanField(label=_("No logo any more"), required=False)
