"""Console forms of questionnaires. They only parse input; the services decide and write.

The console pages write their inputs by hand and show problems as messages, so each form can
say its problems in one line (``error_text``), the way the pages showed them before."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from archivox.core.forms import ArchiveForm
from archivox.core.forms import ConsoleForm as BaseConsoleForm
from archivox.polls import services
from archivox.polls.models import Question, Questionnaire


class ConsoleForm(BaseConsoleForm):
    # These pages show the problems without naming the field.
    labelled_errors = False


class LocalDateTimeField(forms.Field):
    """A datetime-local input in the archive's time zone; empty means none."""

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValidationError(_("“%s” is not a date and time.") % value)
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class LenientIntegerField(forms.Field):
    """A number where anything else means the default (the inputs are type="number")."""

    def __init__(self, *, default: int, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.default = default

    def to_python(self, value) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            return self.default


class OptionsField(forms.CharField):
    """One option a line; labels after a bar: ``南京民国建筑 | 民国建筑, 民国史``."""

    def to_python(self, value) -> list[services.OptionSpec]:
        specs = []
        for line in super().to_python(value).splitlines():
            words, _bar, labels = line.partition("|")
            if words.strip():
                names = [
                    name.strip() for name in labels.replace("，", ",").split(",") if name.strip()
                ]
                specs.append(services.OptionSpec(words.strip(), names))
        return specs


class InterestLabelForm(ArchiveForm):
    name = forms.CharField(label=_("New label"), required=False, strip=False)


class QuestionnaireCreateForm(ArchiveForm):
    title = forms.CharField(label=_("Title"), required=False, strip=False)
    slug = forms.CharField(label=_("Slug (letters, digits, hyphens)"), required=False, strip=False)
    introduction = forms.CharField(label=_("Introduction"), required=False, strip=False)


class QuestionnaireSettingsForm(ConsoleForm):
    title = forms.CharField(label=_("Title"), required=False)
    introduction = forms.CharField(label=_("Introduction"), required=False)
    opens_at = LocalDateTimeField(label=_("Opens"), required=False)
    closes_at = LocalDateTimeField(label=_("Closes"), required=False)
    results_public = forms.BooleanField(label=_("Show the results to the public"), required=False)


class QuestionForm(ConsoleForm):
    """A new question; its numbers fall back to the defaults, the service judges the rest."""

    text = forms.CharField(label=_("Question"), required=False, strip=False)
    kind = forms.CharField(label=_("Kind"), required=False, strip=False)
    required = forms.BooleanField(label=_("required"), required=False)
    options = OptionsField(
        label=_("Options, one a line; interest labels after a bar: 族谱寻根 | 族谱, 家族史"),
        required=False,
        strip=False,
    )
    min_choices = LenientIntegerField(label=_("Multiple choice: at least"), default=0)
    max_choices = LenientIntegerField(label=_("at most (0: any)"), default=0)
    rating_min = LenientIntegerField(label=_("Rating from"), default=1)
    rating_max = LenientIntegerField(label=_("to"), default=5)
    max_length = LenientIntegerField(label=_("Free text: at most (characters)"), default=500)


class QuestionRemoveForm(ConsoleForm):
    question = LenientIntegerField(label=_("Question"), default=0)

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire

    def clean_question(self) -> Question:
        question = self.questionnaire.questions.filter(pk=self.cleaned_data["question"]).first()
        if question is None:
            raise ValidationError(_("That question does not exist."))
        return question
