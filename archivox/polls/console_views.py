"""Staff pages for questionnaires: make them, open and close them, read and export results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.core.access import archives_for_staff
from archivox.polls import exports, selectors, services
from archivox.polls.forms import (
    ArchiveForm,
    ConsoleForm,
    InterestLabelForm,
    QuestionForm,
    QuestionnaireCreateForm,
    QuestionnaireSettingsForm,
    QuestionRemoveForm,
)
from archivox.polls.models import Question, Questionnaire


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    archives = archives_for_staff(request.user, services.MANAGE)
    status, kept = 200, None
    if request.method == "POST":
        form_class: type[ArchiveForm] = (
            InterestLabelForm if request.POST.get("action") == "label" else QuestionnaireCreateForm
        )
        form = form_class(request.POST, archives=archives)
        status = 400  # the page again, with what was typed (kept), unless it succeeds
        kept = request.POST
        if not form.is_valid():
            messages.error(request, form.error_text())
        else:
            try:
                if isinstance(form, InterestLabelForm):
                    services.interest_label_create(actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Label added."))
                    return redirect("console_polls:index")
                else:
                    questionnaire = services.questionnaire_create(
                        actor=request.user, **form.cleaned_data
                    )
                    return redirect("console_polls:detail", pk=questionnaire.pk)
            except ValidationError as exc:
                form.add_refusal(exc)
                messages.error(request, " ".join(exc.messages))
    rows = [
        (
            archive,
            selectors.questionnaire_list_for_staff(user=request.user, archive=archive),
            selectors.interest_label_list(archive=archive),
            kept.dict() if kept is not None and kept.get("archive") == archive.slug else {},
        )
        for archive in archives
    ]
    return render(request, "polls/console/index.html", {"rows": rows}, status=status)


def _get(request: HttpRequest, pk: int) -> Questionnaire:
    try:
        return selectors.questionnaire_get_for_staff(user=request.user, pk=pk)
    except Questionnaire.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    if request.method == "POST":
        _questionnaire_action(request, questionnaire)
        return redirect("console_polls:detail", pk=questionnaire.pk)
    results = selectors.questionnaire_results(questionnaire=questionnaire, with_texts=True)
    return render(
        request,
        "polls/console/detail.html",
        {
            "questionnaire": questionnaire,
            "results": results,
            "kinds": Question.Kind.choices,
            "public_url": request.build_absolute_uri(
                f"/archives/{questionnaire.archive.slug}/polls/{questionnaire.slug}/"
            ),
        },
    )


def _questionnaire_action(request: HttpRequest, questionnaire: Questionnaire) -> None:
    """Call the one service of the posted action; its problems and refusals become messages."""
    action = request.POST.get("action", "")
    form: ConsoleForm
    if action == "settings":
        form = QuestionnaireSettingsForm(request.POST)
    elif action == "add_question":
        form = QuestionForm(request.POST)
    elif action == "remove_question":
        form = QuestionRemoveForm(request.POST, questionnaire=questionnaire)
    else:
        form = ConsoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return
    try:
        if action == "settings":
            services.questionnaire_update(
                actor=request.user, questionnaire=questionnaire, **form.cleaned_data
            )
        elif action == "open":
            services.questionnaire_open(actor=request.user, questionnaire=questionnaire)
        elif action == "close":
            services.questionnaire_close(actor=request.user, questionnaire=questionnaire)
        elif action == "add_question":
            services.question_add(
                actor=request.user, questionnaire=questionnaire, **form.cleaned_data
            )
        elif action == "remove_question":
            services.question_remove(actor=request.user, **form.cleaned_data)
        else:
            raise ValidationError(_("Unknown action."))
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        form.add_refusal(exc)
        messages.error(request, " ".join(exc.messages))


@login_required
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    response = HttpResponse(
        exports.responses_csv(questionnaire=questionnaire), content_type="text/csv; charset=utf-8"
    )
    filename = exports.export_filename(questionnaire, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    response = HttpResponse(
        exports.responses_xlsx(questionnaire=questionnaire),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = exports.export_filename(questionnaire, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
