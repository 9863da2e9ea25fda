"""Reads of questionnaires, their results and the interest labels of the public."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter, defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
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

# Who manages questionnaires and reads their answers.
MANAGE = Capability.CONSULTATION_ANSWER


def _with_questions(questionnaires: QuerySet[Questionnaire]) -> QuerySet[Questionnaire]:
    return questionnaires.prefetch_related(
        Prefetch(
            "questions",
            queryset=Question.objects.prefetch_related(
                Prefetch("options", queryset=Option.objects.prefetch_related("labels"))
            ),
        )
    )


def questionnaire_list_public(*, archive: Archive) -> QuerySet[Questionnaire]:
    """Questionnaires the public may see: opened already (open now or closed)."""
    return Questionnaire.objects.filter(archive=archive, opens_at__lte=timezone.now()).order_by(
        "-opens_at"
    )


def questionnaire_get_public(*, archive: Archive, slug: str) -> Questionnaire:
    """Questionnaire.DoesNotExist for drafts and scheduled ones, as for missing ones."""
    return _with_questions(questionnaire_list_public(archive=archive)).get(slug=slug)


def questionnaire_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Questionnaire]:
    archive_check_capability(user=user, archive=archive, capability=MANAGE)
    return (
        Questionnaire.objects.filter(archive=archive)
        .annotate(response_count=Count("responses"))
        .order_by("-created_at")
    )


def questionnaire_get_for_staff(*, user: User, pk: int) -> Questionnaire:
    questionnaire = _with_questions(Questionnaire.objects.select_related("archive")).get(pk=pk)
    archive_check_capability(user=user, archive=questionnaire.archive, capability=MANAGE)
    return questionnaire


def response_exists(*, questionnaire: Questionnaire, person: Person) -> bool:
    if person.new_cookie:
        return False
    return Response.objects.filter(
        questionnaire=questionnaire, channel=person.channel, person_id=person.person_id
    ).exists()


# Results ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class OptionResult:
    option_id: int
    text: str
    count: int
    percent: float
    labels: list[str]


@dataclasses.dataclass
class QuestionResult:
    question_id: int
    kind: str
    text: str
    answered: int
    options: list[OptionResult] = dataclasses.field(default_factory=list)
    # Rating: count per value (every value of the scale, in order) and the mean.
    ratings: list[tuple[int, int, float]] = dataclasses.field(default_factory=list)
    average: float | None = None
    # Free text: shown to staff only; the public sees how many answered.
    texts: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Results:
    questionnaire_id: int
    responses: int
    questions: list[QuestionResult]


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def questionnaire_results(*, questionnaire: Questionnaire, with_texts: bool = False) -> Results:
    """Counts per option, the rating distribution and mean, in a fixed number of queries."""
    questionnaire = _with_questions(Questionnaire.objects.filter(pk=questionnaire.pk)).get()
    total = questionnaire.responses.count()
    answers = Answer.objects.filter(question__questionnaire=questionnaire)
    per_option = Counter(
        {
            row["option"]: row["n"]
            for row in answers.filter(option__isnull=False).values("option").annotate(n=Count("id"))
        }
    )
    respondents = {
        row["question"]: row["n"]
        for row in answers.values("question").annotate(n=Count("response", distinct=True))
    }
    ratings: dict[int, Counter] = defaultdict(Counter)
    for row in (
        answers.filter(rating__isnull=False).values("question", "rating").annotate(n=Count("id"))
    ):
        ratings[row["question"]][row["rating"]] = row["n"]
    texts: dict[int, list[str]] = defaultdict(list)
    if with_texts:
        for question_id, text in (
            answers.filter(question__kind=Question.Kind.TEXT)
            .exclude(text="")
            .order_by("response__submitted_at", "pk")
            .values_list("question", "text")
        ):
            texts[question_id].append(text)
    results = []
    for question in questionnaire.questions.all():
        answered = respondents.get(question.pk, 0)
        result = QuestionResult(
            question_id=question.pk, kind=question.kind, text=question.text, answered=answered
        )
        if question.has_options:
            result.options = [
                OptionResult(
                    option_id=option.pk,
                    text=option.text,
                    count=per_option[option.pk],
                    percent=_percent(per_option[option.pk], answered),
                    labels=[label.name for label in option.labels.all()],
                )
                for option in question.options.all()
            ]
        elif question.kind == Question.Kind.RATING:
            counts = ratings[question.pk]
            n = sum(counts.values())
            result.ratings = [
                (value, counts[value], _percent(counts[value], n))
                for value in question.rating_range
            ]
            result.average = round(sum(v * c for v, c in counts.items()) / n, 2) if n else None
        else:
            result.texts = texts[question.pk]
        results.append(result)
    return Results(questionnaire_id=questionnaire.pk, responses=total, questions=results)


def pseudonym(channel: str, person_id: str) -> str:
    """A stable stand-in for a person in exports: staff can tell answers of one person apart
    without the export carrying openids."""
    digest = hashlib.sha256(f"{channel}:{person_id}".encode()).hexdigest()
    return f"{channel}-{digest[:10]}"


def response_rows(*, questionnaire: Questionnaire) -> tuple[list[str], list[list]]:
    """A header and one row per response: when, who (pseudonym), then one cell per question."""
    questionnaire = _with_questions(Questionnaire.objects.filter(pk=questionnaire.pk)).get()
    questions = list(questionnaire.questions.all())
    header = ["response", "submitted_at", "channel", "person", *(q.text for q in questions)]
    responses = questionnaire.responses.prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("option"))
    ).order_by("submitted_at", "pk")
    rows = []
    for response in responses:
        cells: dict[int, list[str]] = defaultdict(list)
        for answer in response.answers.all():
            if answer.option is not None:
                cells[answer.question_id].append(answer.option.text)
            elif answer.rating is not None:
                cells[answer.question_id].append(str(answer.rating))
            else:
                cells[answer.question_id].append(answer.text)
        rows.append(
            [
                response.pk,
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
                response.channel,
                pseudonym(response.channel, response.person_id),
                *("; ".join(cells[q.pk]) for q in questions),
            ]
        )
    return header, rows


# Interest labels --------------------------------------------------------------------------------


def interest_label_list(*, archive: Archive) -> QuerySet[InterestLabel]:
    return InterestLabel.objects.filter(archive=archive).annotate(
        people_count=Count("people", distinct=True)
    )


def people_with_label(*, archive: Archive, label: InterestLabel | str) -> list[tuple[str, str]]:
    """(channel, person) of everyone in ``archive``'s public holding ``label`` (a label or
    its name): a follower's openid (decrypted), which the publishing desk may target, else the
    browser's id."""
    condition = Q(label=label) if isinstance(label, InterestLabel) else Q(label__name=label)
    rows = PersonLabel.objects.filter(condition, archive=archive).order_by("channel", "person_id")
    return sorted(
        (channel, openid or person_id)
        for channel, person_id, openid in rows.values_list("channel", "person_id", "openid")
    )


def labels_of_person(*, archive: Archive, channel: str, person_id: str) -> list[str]:
    return list(
        PersonLabel.objects.filter(archive=archive, channel=channel, person_id=person_id)
        .order_by("label__name")
        .values_list("label__name", flat=True)
    )


def poll_link_for_follower(*, poll: Questionnaire, openid: str) -> str:
    """An absolute link for a WeChat follower to answer ``poll`` as themself (for auto-replies
    and customer-service messages). The token in it is signed and expires after a week."""
    from django.conf import settings
    from django.urls import reverse

    from archivox.polls.identity import link_with_token

    path = reverse("polls:detail", kwargs={"slug": poll.archive.slug, "poll": poll.slug})
    return link_with_token(f"{settings.BASE_URL}{path}", archive=poll.archive, openid=openid)
