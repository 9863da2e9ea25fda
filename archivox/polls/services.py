"""Changes to questionnaires, the public's responses and interest labels. Staff changes are
checked against the archive's roles and audited; a response is stored whole or not at all."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from archivox.core.models import Archive, User
from archivox.core.ratelimit import ratelimit_hit
from archivox.core.selectors import archive_check_capability
from archivox.core.services import audit_record, model_update, snapshot
from archivox.polls.identity import Person
from archivox.polls.models import (
    Answer,
    InterestLabel,
    Option,
    PersonLabel,
    Question,
    Questionnaire,
    Response,
)
from archivox.polls.selectors import MANAGE

# Managing polls is engagement work: whoever may answer the public may run its polls.
QUESTIONNAIRE_FIELDS = ("slug", "title", "introduction", "opens_at", "closes_at", "results_public")
QUESTIONNAIRE_EDITABLE = frozenset(QUESTIONNAIRE_FIELDS) - {"slug"}
QUESTION_FIELDS = (
    "kind",
    "text",
    "required",
    "min_choices",
    "max_choices",
    "rating_min",
    "rating_max",
    "max_length",
    "position",
)
MAX_OPTIONS = 50
MAX_TEXT_ANSWER = 5000


class AlreadyResponded(Exception):
    """This person has already answered this questionnaire; nothing new was stored."""

    def __init__(self) -> None:
        super().__init__(_("You have already answered this questionnaire. Thank you!"))


class RateLimited(Exception):
    def __init__(self) -> None:
        super().__init__(
            _("Too many submissions from your connection. Wait a minute and try again.")
        )


class QuestionnaireNotOpen(Exception):
    pass


def _check(actor: User | None, archive: Archive) -> None:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=MANAGE)


def _validate_window(opens_at: datetime.datetime | None, closes_at: datetime.datetime | None):
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("A questionnaire must close after it opens.")})


# Interest labels -------------------------------------------------------------------------------


@transaction.atomic
def interest_label_create(*, actor: User | None, archive: Archive, name: str) -> InterestLabel:
    _check(actor, archive)
    name = name.strip()
    if InterestLabel.objects.filter(archive=archive, name=name).exists():
        raise ValidationError({"name": _("This archive already has the label “%s”.") % name})
    label = InterestLabel(archive=archive, name=name)
    label.full_clean()
    label.save()
    audit_record(
        actor=actor,
        action="interest_label.create",
        obj=label,
        archive=archive,
        after={"name": label.name},
    )
    return label


def interest_labels_ensure(
    *, actor: User | None, archive: Archive, names: Iterable[str]
) -> list[InterestLabel]:
    """The archive's labels of these names, created when missing."""
    labels = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        label = InterestLabel.objects.filter(archive=archive, name=name).first()
        labels.append(label or interest_label_create(actor=actor, archive=archive, name=name))
    return labels


# Questionnaires ----------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(
    *,
    actor: User | None,
    archive: Archive,
    title: str,
    slug: str = "",
    introduction: str = "",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    results_public: bool = True,
) -> Questionnaire:
    _check(actor, archive)
    _validate_window(opens_at, closes_at)
    slug = slug.strip() or slugify(title) or f"poll-{timezone.now():%Y%m%d%H%M%S}"
    if Questionnaire.objects.filter(archive=archive, slug=slug).exists():
        raise ValidationError({"slug": _("Another questionnaire of this archive uses this slug.")})
    questionnaire = Questionnaire(
        archive=archive,
        slug=slug,
        title=title.strip(),
        introduction=introduction.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        results_public=results_public,
    )
    questionnaire.full_clean()
    questionnaire.save()
    audit_record(
        actor=actor,
        action="questionnaire.create",
        obj=questionnaire,
        archive=archive,
        after=snapshot(questionnaire, QUESTIONNAIRE_FIELDS),
    )
    return questionnaire


@transaction.atomic
def questionnaire_update(
    *, actor: User | None, questionnaire: Questionnaire, **changes: Any
) -> Questionnaire:
    """Change title, introduction, open/close times or whether results are public."""
    unknown = set(changes) - QUESTIONNAIRE_EDITABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a questionnaire")
    _check(actor, questionnaire.archive)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    model_update(
        actor=actor,
        instance=questionnaire,
        changes=changes,
        action="questionnaire.update",
        archive=questionnaire.archive,
        validate=lambda changed: _validate_window(changed.opens_at, changed.closes_at),
    )
    return questionnaire


def questionnaire_open(*, actor: User | None, questionnaire: Questionnaire) -> Questionnaire:
    """Open now (and clear a past closing time)."""
    if not questionnaire.questions.exists():
        raise ValidationError(_("Add at least one question before opening the questionnaire."))
    now = timezone.now()
    closes_at = questionnaire.closes_at
    if closes_at is not None and closes_at <= now:
        closes_at = None
    return questionnaire_update(
        actor=actor, questionnaire=questionnaire, opens_at=now, closes_at=closes_at
    )


def questionnaire_close(*, actor: User | None, questionnaire: Questionnaire) -> Questionnaire:
    """Close now; responses stay, results stay visible."""
    now = timezone.now()
    opens_at = questionnaire.opens_at or now - datetime.timedelta(seconds=1)
    if opens_at >= now:
        opens_at = now - datetime.timedelta(seconds=1)
    return questionnaire_update(
        actor=actor, questionnaire=questionnaire, opens_at=opens_at, closes_at=now
    )


def _refuse_if_answered(questionnaire: Questionnaire) -> None:
    if questionnaire.responses.exists():
        raise ValidationError(
            _(
                "People have already answered this questionnaire; its questions can no longer "
                "change. Close it and make a new one."
            )
        )


@dataclasses.dataclass
class OptionSpec:
    text: str
    labels: Sequence[str] = ()


@transaction.atomic
def question_add(
    *,
    actor: User | None,
    questionnaire: Questionnaire,
    kind: str,
    text: str,
    required: bool = True,
    options: Sequence[OptionSpec | str] = (),
    min_choices: int = 0,
    max_choices: int = 0,
    rating_min: int = 1,
    rating_max: int = 5,
    max_length: int = 500,
) -> Question:
    """Add a question (and its options, each with the interest labels it assigns)."""
    _check(actor, questionnaire.archive)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _refuse_if_answered(questionnaire)
    specs = [OptionSpec(o) if isinstance(o, str) else o for o in options]
    specs = [dataclasses.replace(s, text=s.text.strip()) for s in specs if s.text.strip()]
    errors: dict[str, list[str]] = {}
    if kind not in Question.Kind.values:
        errors["kind"] = [_("Choose single, multiple, rating or text.")]
    has_options = kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
    if has_options and len(specs) < 2:
        errors["options"] = [_("A choice question needs at least two options.")]
    if not has_options and specs:
        errors["options"] = [_("Only choice questions have options.")]
    if len(specs) > MAX_OPTIONS:
        errors["options"] = [_("At most %d options.") % MAX_OPTIONS]
    if len({s.text for s in specs}) != len(specs):
        errors["options"] = [_("Two options have the same text.")]
    if kind == Question.Kind.MULTIPLE:
        if max_choices and min_choices > max_choices:
            errors["max_choices"] = [_("“At most” must not be less than “at least”.")]
        if min_choices > len(specs) or max_choices > len(specs):
            errors["max_choices"] = [_("There are fewer options than that.")]
    else:
        min_choices = max_choices = 0
    if kind == Question.Kind.RATING and not (rating_min < rating_max <= rating_min + 10):
        errors["rating_max"] = [
            _("A rating runs from a lower to a higher number (at most 11 steps).")
        ]
    if kind == Question.Kind.TEXT and not (1 <= max_length <= MAX_TEXT_ANSWER):
        errors["max_length"] = [_("Free text answers may be 1 to %d characters.") % MAX_TEXT_ANSWER]
    if errors:
        raise ValidationError(errors)
    position = questionnaire.questions.count() + 1
    question = Question(
        questionnaire=questionnaire,
        position=position,
        kind=kind,
        text=text.strip(),
        required=required,
        min_choices=min_choices,
        max_choices=max_choices,
        rating_min=rating_min,
        rating_max=rating_max,
        max_length=max_length,
    )
    question.full_clean()
    question.save()
    for index, spec in enumerate(specs, start=1):
        option = Option(question=question, position=index, text=spec.text)
        option.full_clean()
        option.save()
        if spec.labels:
            option.labels.set(
                interest_labels_ensure(
                    actor=actor, archive=questionnaire.archive, names=spec.labels
                )
            )
    audit_record(
        actor=actor,
        action="question.add",
        obj=question,
        archive=questionnaire.archive,
        after={
            **snapshot(question, QUESTION_FIELDS),
            "questionnaire": questionnaire.pk,
            "options": [{"text": s.text, "labels": list(s.labels)} for s in specs],
        },
    )
    return question


@transaction.atomic
def question_remove(*, actor: User | None, question: Question) -> None:
    questionnaire = question.questionnaire
    _check(actor, questionnaire.archive)
    _refuse_if_answered(questionnaire)
    before = {
        **snapshot(question, QUESTION_FIELDS),
        "options": list(question.options.values_list("text", flat=True)),
    }
    audit_record(
        actor=actor,
        action="question.remove",
        obj=question,
        archive=questionnaire.archive,
        before=before,
    )
    question.delete()


# Responses -------------------------------------------------------------------------------------


def _vote_limit() -> tuple[int, int]:
    return getattr(settings, "POLLS_SUBMIT_RATE", (20, 60))


def _answers_for(question: Question, raw: Any, options: dict[int, Option]) -> list[Answer]:
    """Check one raw answer; the Answer rows it becomes (unsaved). Raises a message string."""
    empty = raw is None or raw == "" or raw == [] or raw == ()
    if empty:
        if question.required:
            raise _Invalid(_("Please answer this question."))
        return []
    if question.kind == Question.Kind.SINGLE:
        if isinstance(raw, list | tuple):
            if len(raw) != 1:
                raise _Invalid(_("Choose one option."))
            raw = raw[0]
        option = options.get(_int(raw))
        if option is None:
            raise _Invalid(_("Choose one of the options shown."))
        return [Answer(question=question, option=option)]
    if question.kind == Question.Kind.MULTIPLE:
        values = raw if isinstance(raw, list | tuple) else [raw]
        chosen: list[Option] = []
        for value in values:
            option = options.get(_int(value))
            if option is None:
                raise _Invalid(_("Choose among the options shown."))
            if option not in chosen:
                chosen.append(option)
        if question.min_choices and len(chosen) < question.min_choices:
            raise _Invalid(_("Choose at least %d options.") % question.min_choices)
        if question.max_choices and len(chosen) > question.max_choices:
            raise _Invalid(_("Choose at most %d options.") % question.max_choices)
        return [Answer(question=question, option=option) for option in chosen]
    if question.kind == Question.Kind.RATING:
        value = _int(raw)
        if value is None or not question.rating_min <= value <= question.rating_max:
            raise _Invalid(
                _("Give a rating from %(low)d to %(high)d.")
                % {"low": question.rating_min, "high": question.rating_max}
            )
        return [Answer(question=question, rating=value)]
    if not isinstance(raw, str | int | float):
        raise _Invalid(_("Write your answer as text."))
    text = str(raw).replace("\x00", "").strip()
    if not text:
        if question.required:
            raise _Invalid(_("Please answer this question."))
        return []
    if len(text) > question.max_length:
        raise _Invalid(
            _("Your answer is %(length)d characters long; at most %(limit)d are allowed.")
            % {"length": len(text), "limit": question.max_length}
        )
    return [Answer(question=question, text=text)]


class _Invalid(Exception):
    pass


def _int(value: Any) -> int | None:
    if isinstance(value, bool | float):
        # JSON true or 4.5 is not an option id or a rating.
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def response_submit(
    *,
    questionnaire: Questionnaire,
    person: Person,
    answers: Mapping[int | str, Any],
    client: str = "",
    now: datetime.datetime | None = None,
) -> Response:
    """Store one person's answers, once. ``answers`` maps question ids to an option id, a list
    of option ids, a rating or a text. Refuses with ValidationError (per question, nothing
    stored), AlreadyResponded, QuestionnaireNotOpen or RateLimited. Options carrying interest
    labels give those labels to the person."""
    limit, window = _vote_limit()
    if client and not ratelimit_hit(
        f"poll-submit:{questionnaire.archive_id}:{client}", limit=limit, window=window
    ):
        raise RateLimited()
    status = questionnaire.status_at(now)
    if status != Questionnaire.Status.OPEN:
        message = (
            _("This questionnaire has closed. Thank you for your interest.")
            if status == Questionnaire.Status.CLOSED
            else _("This questionnaire is not open yet.")
        )
        raise QuestionnaireNotOpen(message)
    questions = list(questionnaire.questions.prefetch_related("options__labels"))
    by_id = {str(k): v for k, v in answers.items()}
    rows: list[Answer] = []
    errors: dict[str, list[str]] = {}
    for question in questions:
        options = {option.pk: option for option in question.options.all()}
        try:
            rows.extend(_answers_for(question, by_id.get(str(question.pk)), options))
        except _Invalid as exc:
            errors[f"q{question.pk}"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    if Response.objects.filter(
        questionnaire=questionnaire, channel=person.channel, person_id=person.person_id
    ).exists():
        raise AlreadyResponded()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                questionnaire=questionnaire,
                channel=person.channel,
                person_id=person.person_id,
                submitted_at=now or timezone.now(),
            )
            for row in rows:
                row.response = response
            Answer.objects.bulk_create(rows)
            labels = {
                label.pk: label
                for row in rows
                if row.option is not None
                for label in row.option.labels.all()
            }
            PersonLabel.objects.bulk_create(
                [
                    PersonLabel(
                        archive_id=questionnaire.archive_id,
                        channel=person.channel,
                        person_id=person.person_id,
                        openid=person.openid,
                        label=label,
                        source=questionnaire,
                    )
                    for label in labels.values()
                ],
                ignore_conflicts=True,
            )
    except IntegrityError as exc:
        # The same person's other submission won the race; the constraint kept it to one.
        raise AlreadyResponded() from exc
    return response
