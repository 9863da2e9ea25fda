"""/api/v1/engagement/polls/: the public answers questionnaires (rate-limited, one response per
person: a WeChat link's token or the browser's signed cookie); staff (session) manage them,
read results, export and find the people holding an interest label."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive
from archivox.core.ratelimit import ratelimit_hit
from archivox.polls import exports, selectors, services
from archivox.polls.identity import IdentityError, person_from_request, person_remember
from archivox.polls.models import InterestLabel, Questionnaire

router = Router(tags=["polls"])

# Reads of the public endpoints: generous, but a scraper loop is stopped.
READ_LIMIT = (120, 60)


class OptionOut(Schema):
    id: int
    text: str


class QuestionOut(Schema):
    id: int
    kind: str
    text: str
    required: bool
    min_choices: int
    max_choices: int
    rating_min: int
    rating_max: int
    max_length: int
    options: list[OptionOut]


class QuestionnaireOut(Schema):
    id: int
    slug: str
    title: str
    introduction: str
    status: str
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    results_public: bool


class QuestionnaireDetailOut(QuestionnaireOut):
    questions: list[QuestionOut]


class ResponseIn(Schema):
    token: str = ""
    answers: dict[str, Any]


class QuestionnaireIn(Schema):
    title: str
    slug: str = ""
    introduction: str = ""
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    results_public: bool = True


class QuestionnairePatch(Schema):
    title: str | None = None
    introduction: str | None = None
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    results_public: bool | None = None


class OptionIn(Schema):
    text: str
    labels: list[str] = []


class QuestionIn(Schema):
    kind: str
    text: str
    required: bool = True
    options: list[OptionIn] = []
    min_choices: int = 0
    max_choices: int = 0
    rating_min: int = 1
    rating_max: int = 5
    max_length: int = 500


class LabelIn(Schema):
    name: str


def _questionnaire_json(q: Questionnaire, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": q.pk,
        "slug": q.slug,
        "title": q.title,
        "introduction": q.introduction,
        "status": q.status,
        "opens_at": q.opens_at,
        "closes_at": q.closes_at,
        "results_public": q.results_public,
    }
    if detail:
        data["questions"] = [
            {
                "id": question.pk,
                "kind": question.kind,
                "text": question.text,
                "required": question.required,
                "min_choices": question.min_choices,
                "max_choices": question.max_choices,
                "rating_min": question.rating_min,
                "rating_max": question.rating_max,
                "max_length": question.max_length,
                "options": [{"id": o.pk, "text": o.text} for o in question.options.all()],
            }
            for question in q.questions.all()
        ]
    return data


def _read_allowed(request: HttpRequest) -> None:
    limit, window = READ_LIMIT
    if not ratelimit_hit(f"poll-read:{client_address(request)}", limit=limit, window=window):
        raise HttpError(429, "Too many requests; wait a minute.")


# Staff (declared first so that /staff/... is never read as an archive slug) ---------------------


def _staff_questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    try:
        return selectors.questionnaire_get_for_staff(user=request.user, pk=pk)
    except Questionnaire.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@router.get("/staff/{archive}/questionnaires", auth=django_auth, response=list[QuestionnaireOut])
def staff_questionnaire_list(request: HttpRequest, archive: str):
    questionnaires = selectors.questionnaire_list_for_staff(
        user=request.user, archive=archive_or_404(archive)
    )
    return [_questionnaire_json(q) for q in questionnaires]


@router.post(
    "/staff/{archive}/questionnaires",
    auth=django_auth,
    response={201: QuestionnaireDetailOut},
)
def staff_questionnaire_create(request: HttpRequest, archive: str, payload: QuestionnaireIn):
    questionnaire = services.questionnaire_create(
        actor=request.user, archive=archive_or_404(archive), **payload.dict()
    )
    return Status(
        201, _questionnaire_json(_staff_questionnaire(request, questionnaire.pk), detail=True)
    )


@router.get("/staff/questionnaires/{pk}", auth=django_auth, response=QuestionnaireDetailOut)
def staff_questionnaire_get(request: HttpRequest, pk: int):
    return _questionnaire_json(_staff_questionnaire(request, pk), detail=True)


@router.patch("/staff/questionnaires/{pk}", auth=django_auth, response=QuestionnaireDetailOut)
def staff_questionnaire_update(request: HttpRequest, pk: int, payload: QuestionnairePatch):
    questionnaire = _staff_questionnaire(request, pk)
    changes = payload.dict(exclude_unset=True)
    services.questionnaire_update(actor=request.user, questionnaire=questionnaire, **changes)
    return _questionnaire_json(_staff_questionnaire(request, pk), detail=True)


@router.post("/staff/questionnaires/{pk}/questions", auth=django_auth, response={201: QuestionOut})
def staff_question_add(request: HttpRequest, pk: int, payload: QuestionIn):
    questionnaire = _staff_questionnaire(request, pk)
    values = payload.dict()
    options = [services.OptionSpec(o["text"], o["labels"]) for o in values.pop("options")]
    question = services.question_add(
        actor=request.user, questionnaire=questionnaire, options=options, **values
    )
    data = _questionnaire_json(_staff_questionnaire(request, pk), detail=True)
    return Status(201, next(q for q in data["questions"] if q["id"] == question.pk))


@router.post("/staff/questionnaires/{pk}/open", auth=django_auth, response=QuestionnaireOut)
def staff_questionnaire_open(request: HttpRequest, pk: int):
    questionnaire = services.questionnaire_open(
        actor=request.user, questionnaire=_staff_questionnaire(request, pk)
    )
    return _questionnaire_json(questionnaire)


@router.post("/staff/questionnaires/{pk}/close", auth=django_auth, response=QuestionnaireOut)
def staff_questionnaire_close(request: HttpRequest, pk: int):
    questionnaire = services.questionnaire_close(
        actor=request.user, questionnaire=_staff_questionnaire(request, pk)
    )
    return _questionnaire_json(questionnaire)


@router.get("/staff/questionnaires/{pk}/results", auth=django_auth)
def staff_results(request: HttpRequest, pk: int):
    questionnaire = _staff_questionnaire(request, pk)
    results = selectors.questionnaire_results(questionnaire=questionnaire, with_texts=True)
    return dataclasses.asdict(results)


@router.get("/staff/questionnaires/{pk}/export.csv", auth=django_auth)
def staff_export_csv(request: HttpRequest, pk: int):
    questionnaire = _staff_questionnaire(request, pk)
    response = HttpResponse(
        exports.responses_csv(questionnaire=questionnaire), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.export_filename(questionnaire, "csv")}"'
    )
    return response


@router.get("/staff/questionnaires/{pk}/export.xlsx", auth=django_auth)
def staff_export_xlsx(request: HttpRequest, pk: int):
    questionnaire = _staff_questionnaire(request, pk)
    response = HttpResponse(
        exports.responses_xlsx(questionnaire=questionnaire),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.export_filename(questionnaire, "xlsx")}"'
    )
    return response


@router.get("/staff/{archive}/labels", auth=django_auth)
def staff_label_list(request: HttpRequest, archive: str):
    target = archive_or_404(archive)
    services._check(request.user, target)
    return [
        {"id": label.pk, "name": label.name, "people": label.people_count}
        for label in selectors.interest_label_list(archive=target)
    ]


@router.post("/staff/{archive}/labels", auth=django_auth, response={201: dict})
def staff_label_create(request: HttpRequest, archive: str, payload: LabelIn):
    label = services.interest_label_create(
        actor=request.user, archive=archive_or_404(archive), name=payload.name
    )
    return Status(201, {"id": label.pk, "name": label.name})


@router.get("/staff/{archive}/labels/{name}/people", auth=django_auth)
def staff_label_people(request: HttpRequest, archive: str, name: str):
    target = archive_or_404(archive)
    services._check(request.user, target)
    label = get_object_or_404(InterestLabel, archive=target, name=name)
    return [
        {"channel": channel, "person_id": person_id}
        for channel, person_id in selectors.people_with_label(archive=target, label=label)
    ]


# Public -----------------------------------------------------------------------------------------


def _public(archive: str, poll: str) -> tuple[Archive, Questionnaire]:
    target = archive_or_404(archive)
    try:
        return target, selectors.questionnaire_get_public(archive=target, slug=poll)
    except Questionnaire.DoesNotExist as exc:
        raise Http404(poll) from exc


@router.get("/{archive}/", response=list[QuestionnaireOut])
def questionnaire_list(request: HttpRequest, archive: str):
    _read_allowed(request)
    return [
        _questionnaire_json(q)
        for q in selectors.questionnaire_list_public(archive=archive_or_404(archive))
    ]


@router.get("/{archive}/{poll}", response=QuestionnaireDetailOut)
def questionnaire_get(request: HttpRequest, archive: str, poll: str):
    _read_allowed(request)
    return _questionnaire_json(_public(archive, poll)[1], detail=True)


@router.post("/{archive}/{poll}/responses", response={201: dict, 409: dict, 429: dict, 403: dict})
def response_submit(
    request: HttpRequest, response: HttpResponse, archive: str, poll: str, payload: ResponseIn
):
    """Answer a questionnaire once. ``answers`` maps question ids to an option id, a list of
    option ids, a rating or a text. 422 names the questions to fix; 409 when already answered
    or closed; 429 when rate-limited."""
    target, questionnaire = _public(archive, poll)
    try:
        person = person_from_request(request, archive=target, token=payload.token)
    except IdentityError as exc:
        return Status(403, {"detail": str(exc)})
    try:
        stored = services.response_submit(
            questionnaire=questionnaire,
            person=person,
            answers=payload.answers,
            client=client_address(request),
        )
    except services.RateLimited as exc:
        return Status(429, {"detail": str(exc)})
    except (services.AlreadyResponded, services.QuestionnaireNotOpen) as exc:
        return Status(409, {"detail": str(exc)})
    except ValidationError:
        raise
    person_remember(response, person)
    return Status(201, {"response": stored.pk, "labels_added": _labels(stored)})


def _labels(stored) -> list[str]:
    return sorted(
        {
            label.name
            for answer in stored.answers.select_related("option").prefetch_related("option__labels")
            if answer.option is not None
            for label in answer.option.labels.all()
        }
    )


@router.get("/{archive}/{poll}/results")
def questionnaire_results(request: HttpRequest, archive: str, poll: str):
    _read_allowed(request)
    _target, questionnaire = _public(archive, poll)
    if not questionnaire.results_public:
        raise HttpError(403, "The results of this questionnaire are not published.")
    return dataclasses.asdict(selectors.questionnaire_results(questionnaire=questionnaire))
