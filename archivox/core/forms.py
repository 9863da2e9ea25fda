"""What every console form shares: a service's refusal put next to the field it concerns, and
the form's problems as one line for the pages that show them as a message. In core, so that each
app's console views (which may not import the console shell above them) use the same code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archivox.core.models import Archive


def typed_text(label: Any) -> forms.CharField:
    """A text input taken as typed: whether it may be empty, and how long it may be, is the
    service's and the model's to judge (their refusal names the field)."""
    return forms.CharField(label=label, required=False, strip=False)


def errors_to_form(form: forms.Form, exc: ValidationError | ValueError) -> None:
    """Show a service's refusal next to the field it names, else at the top of the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
        return
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    form.add_error(None, messages)


class ConsoleForm(forms.Form):
    #: Wraps the form's own problems (``%s``) in the message shown; None shows them as they are.
    invalid_message = None
    #: Name the field before its problem ("Places per slot: Enter a whole number.").
    labelled_errors = True

    def error_text(self) -> str:
        parts = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            for message in errors:
                if self.labelled_errors and field is not None and field.label:
                    parts.append(f"{field.label}: {message}")
                else:
                    parts.append(str(message))
        text = " ".join(parts)
        return str(self.invalid_message) % text if self.invalid_message else text

    def error_lines(self) -> list[str]:
        """The problems, one a line, each named by its field's label (never by an input's
        name), for the pages that list them above the form."""
        lines = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            label = field.label if field is not None else None
            lines.extend(f"{label}: {message}" if label else str(message) for message in errors)
        return lines

    def add_refusal(self, exc: ValidationError) -> None:
        """Put a service's refusal on the field it names, else on the form."""
        errors_to_form(self, exc)

    def typed(self, *names: str) -> dict[str, str]:
        """What was typed, stripped, to write back into the hand-made inputs."""
        return {name: str(self.data.get(name, "")).strip() for name in names}


class ArchiveForm(ConsoleForm):
    """Something made in one of the archives the user may act in (``archive``: its slug), as
    the console's "new …" forms ask; ``archives`` are the ones offered."""

    labelled_errors = False  # "Choose one of your archives." says which field it means

    archive = forms.CharField(label=_("Archive"), required=False)

    def __init__(self, *args: Any, archives: list[Archive], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.archives = {archive.slug: archive for archive in archives}

    def clean_archive(self) -> Archive:
        archive = self.archives.get(self.cleaned_data["archive"])
        if archive is None:
            raise ValidationError(_("Choose one of your archives."))
        return archive
