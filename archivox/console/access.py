"""Small helpers the console views share: fetch an archive and check a capability in one call,
and put a service's validation errors next to the form fields they concern."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive


def archive_for(request: HttpRequest, slug: str, capability: str) -> Archive:
    """The archive, or 404; ``ArchivePermissionDenied`` (403) unless the user may
    ``capability`` there. Fetching and checking together, so no view forgets the check."""
    try:
        archive = core_selectors.archive_get(slug=slug)
    except Archive.DoesNotExist as exc:
        raise Http404(slug) from exc
    core_selectors.archive_check_capability(
        user=request.user, archive=archive, capability=capability
    )
    return archive


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
