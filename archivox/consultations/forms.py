"""Console forms of the consultation inbox. They only parse what was typed; the services decide
and write (a rule's pattern, a canned answer's length, who may be assigned).

The pages write their inputs by hand (the thread page works without JavaScript), so a form's
problems come back as one line per field, named by the field's label, never by its input name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from archivox.consultations.models import AutoReplyRule, ConsultationAnswer
from archivox.core.forms import ConsoleForm, typed_text

# ── one consultation's thread ────────────────────────────────────────────────────────────────


class AnswerForm(ConsoleForm):
    text = typed_text(_("Answer"))
    via = forms.ChoiceField(
        label=_("Send by"), required=False, choices=[("", ""), *ConsultationAnswer.Via.choices]
    )
    waiting = forms.BooleanField(label=_("we wait for the person"), required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"text": data["text"], "via": data["via"] or None, "waiting": data["waiting"]}


class AssignForm(ConsoleForm):
    assignee = forms.ModelChoiceField(label=_("Assignee"), required=False, queryset=None)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the archive's own staff are offered; the service checks they may answer.
        self.fields["assignee"].queryset = staff


class TagForm(ConsoleForm):
    tag = typed_text(_("Tag"))
    free_tag = typed_text(_("or a new tag"))


class NoteForm(ConsoleForm):
    note = typed_text(_("Internal note"))


class EmailForm(ConsoleForm):
    # The service lower-cases and validates it, so the message is the same as in the API.
    email = typed_text(_("email address the person gave"))


class CannedChoiceForm(ConsoleForm):
    canned = forms.IntegerField(label=_("Canned answer"), required=False)


# ── auto-reply rules, canned answers and the inbox's settings ────────────────────────────────


class RuleForm(ConsoleForm):
    """A new auto-reply rule. The regular expression's safety is the service's to judge."""

    name = typed_text(_("Name"))
    match = forms.ChoiceField(label=_("Match"), choices=AutoReplyRule.Match.choices)
    pattern = typed_text(_("Pattern"))
    priority = forms.IntegerField(label=_("Priority"), required=False)
    kind = forms.ChoiceField(label=_("Reply"), choices=AutoReplyRule.Kind.choices)
    max_hits = forms.IntegerField(label=_("catalog hits"), required=False)
    text = typed_text(_("text"))
    title = typed_text(_("title (link, news)"))
    description = typed_text(_("description (news)"))
    url = typed_text(_("Link"))
    picurl = typed_text(_("Picture"))

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["name"] = data["name"].strip()
        data["priority"] = 100 if data["priority"] is None else data["priority"]
        data["max_hits"] = 3 if data["max_hits"] is None else data["max_hits"]
        return data


class CannedAnswerForm(ConsoleForm):
    canned_title = typed_text(_("title"))
    canned_text = typed_text(_("Canned answer"))


class InboxSettingsForm(ConsoleForm):
    """Empty number fields mean the defaults the inbox uses (``defaults`` names them)."""

    promise_working_days = forms.IntegerField(
        label=_("Answer within (working days)"), required=False
    )
    flood_per_minute = forms.IntegerField(
        label=_("Flood: messages a minute from one sender"), required=False
    )
    tags = typed_text(_("Tags (one a line)"))

    def __init__(self, *args: Any, defaults: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.defaults = defaults

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: self.defaults[name] if data[name] is None else data[name]
            for name in ("promise_working_days", "flood_per_minute")
        } | {"tags": data["tags"].splitlines()}
