"""The public's questionnaire pages: answer once, then see the results (refreshed live)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive
from archivox.polls import selectors, services
from archivox.polls.identity import (
    IdentityError,
    person_from_request,
    person_remember,
)
from archivox.polls.models import Question, Questionnaire


def _questionnaire(archive: Archive, slug: str) -> Questionnaire:
    try:
        return selectors.questionnaire_get_public(archive=archive, slug=slug)
    except Questionnaire.DoesNotExist as exc:
        raise Http404(slug) from exc


def poll_index(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    questionnaires = selectors.questionnaire_list_public(archive=archive)
    return render(
        request, "polls/index.html", {"archive": archive, "questionnaires": questionnaires}
    )


def _submitted_values(request: HttpRequest, questionnaire: Questionnaire) -> dict[str, object]:
    values: dict[str, object] = {}
    for question in questionnaire.questions.all():
        name = f"q{question.pk}"
        if question.kind == Question.Kind.MULTIPLE:
            values[str(question.pk)] = request.POST.getlist(name)
        else:
            values[str(question.pk)] = request.POST.get(name, "")
    return values


@require_http_methods(["GET", "POST"])
def poll_detail(request: HttpRequest, slug: str, poll: str) -> HttpResponse:
    archive = archive_or_404(slug)
    questionnaire = _questionnaire(archive, poll)
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    context: dict[str, object] = {
        "archive": archive,
        "questionnaire": questionnaire,
        "token": token,
        "errors": {},
        "values": {},
    }
    try:
        person = person_from_request(request, archive=archive, token=token)
    except IdentityError as exc:
        context["identity_error"] = str(exc)
        return render(request, "polls/detail.html", context, status=403)
    status = 200
    if request.method == "POST":
        values = _submitted_values(request, questionnaire)
        try:
            services.response_submit(
                questionnaire=questionnaire,
                person=person,
                answers=values,
                client=client_address(request),
            )
        except ValidationError as exc:
            context["errors"] = {key: " ".join(msgs) for key, msgs in exc.message_dict.items()}
            context["values"] = values
            context["problem"] = True
            status = 400
        except services.AlreadyResponded as exc:
            messages.info(request, str(exc))
            return person_remember(_to_results(archive, questionnaire), person)
        except (services.QuestionnaireNotOpen, services.RateLimited) as exc:
            context["refusal"] = str(exc)
            context["values"] = values
            status = 429 if isinstance(exc, services.RateLimited) else 409
        else:
            messages.success(request, _thanks())
            return person_remember(_to_results(archive, questionnaire), person)
    context["already"] = selectors.response_exists(questionnaire=questionnaire, person=person)
    response = render(request, "polls/detail.html", context, status=status)
    return person_remember(response, person)


def _thanks() -> str:
    return _("Thank you! Your answers were recorded.")


def _to_results(archive: Archive, questionnaire: Questionnaire) -> HttpResponse:
    return redirect("polls:results", slug=archive.slug, poll=questionnaire.slug)


def poll_results(request: HttpRequest, slug: str, poll: str) -> HttpResponse:
    """The results page; ``?fragment=1`` answers just the results block for the live refresh."""
    archive = archive_or_404(slug)
    questionnaire = _questionnaire(archive, poll)
    results = (
        selectors.questionnaire_results(questionnaire=questionnaire)
        if questionnaire.results_public
        else None
    )
    context = {"archive": archive, "questionnaire": questionnaire, "results": results}
    if request.GET.get("fragment"):
        return render(request, "polls/_results.html", context)
    return render(request, "polls/results.html", context)
