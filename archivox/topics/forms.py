"""Console forms of topics. They only parse input; the services decide and write.

The console pages write their inputs by hand and show problems as messages, so each form can
say its problems in one line (``error_text``), the way the pages showed them before."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from archivox.catalog.models import Description
from archivox.core.forms import ArchiveForm
from archivox.core.forms import ConsoleForm as BaseConsoleForm
from archivox.topics.models import Topic


class ConsoleForm(BaseConsoleForm):
    # These pages show the problems without naming the field.
    labelled_errors = False


class DiscussionSettingsForm(ArchiveForm):
    moderation = forms.CharField(label=_("Moderation"), required=False, strip=False)


class TopicCreateForm(ArchiveForm):
    name = forms.CharField(label=_("Name, as written between # marks"), required=False, strip=False)
    slug = forms.CharField(label=_("Slug (letters, digits, hyphens)"), required=False, strip=False)
    description = forms.CharField(
        label=_("Description (HTML allowed; scripts are removed)"), required=False, strip=False
    )


class TopicUpdateForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), required=False, strip=False)
    description = forms.CharField(
        label=_("Description (HTML allowed; scripts are removed)"), required=False, strip=False
    )
    is_published = forms.BooleanField(label=_("Published"), required=False)
    comments_open = forms.BooleanField(label=_("Open for comments"), required=False)


class TopicItemForm(ConsoleForm):
    """A catalog description of the topic's archive, by reference code; cleaned into
    ``description``."""

    reference_code = forms.CharField(label=_("Reference code"), required=False)

    def __init__(self, *args, topic: Topic, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.topic = topic

    def clean(self) -> dict:
        data = super().clean()
        code = data.pop("reference_code", "")
        description = Description.objects.filter(
            archive=self.topic.archive, reference_code=code
        ).first()
        if description is None:
            raise ValidationError(
                _("No description with reference code “%s” in this archive.") % code
            )
        data["description"] = description
        return data


class ModerationForm(ConsoleForm):
    """Approve or hide a comment, then go back to ``next`` when it is an address of this site."""

    action = forms.ChoiceField(
        choices=[("approve", "approve"), ("hide", "hide")],
        error_messages={"required": _("Unknown action."), "invalid_choice": _("Unknown action.")},
    )
    next = forms.CharField(required=False, strip=False)

    def __init__(self, *args, host: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.host = host

    def clean_next(self) -> str:
        target = self.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={self.host}):
            return ""
        return target
