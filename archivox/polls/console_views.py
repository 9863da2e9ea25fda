"""Staff pages for questionnaires: make them, open and close them, read and export results."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive
from archivox.polls import exports, selectors, services
from archivox.polls.models import Question, Questionnaire


def _manageable_archives(request: HttpRequest) -> list[Archive]:
    return [
        archive
        for archive in core_selectors.archive_list_for_staff(user=request.user)
        if core_selectors.user_can(user=request.user, archive=archive, capability=services.MANAGE)
    ]


def _when(value: str) -> datetime.datetime | None:
    """A datetime-local field in the archive's time zone; empty means none."""
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValidationError(_("“%s” is not a date and time.") % value)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    archives = _manageable_archives(request)
    by_slug = {archive.slug: archive for archive in archives}
    if request.method == "POST":
        archive = by_slug.get(request.POST.get("archive", ""))
        if archive is None:
            messages.error(request, _("Choose one of your archives."))
            return redirect("console_polls:index")
        try:
            if request.POST.get("action") == "label":
                services.interest_label_create(
                    actor=request.user, archive=archive, name=request.POST.get("name", "")
                )
                messages.success(request, _("Label added."))
            else:
                questionnaire = services.questionnaire_create(
                    actor=request.user,
                    archive=archive,
                    title=request.POST.get("title", ""),
                    slug=request.POST.get("slug", ""),
                    introduction=request.POST.get("introduction", ""),
                )
                return redirect("console_polls:detail", pk=questionnaire.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("console_polls:index")
    rows = [
        (
            archive,
            selectors.questionnaire_list_for_staff(user=request.user, archive=archive),
            selectors.interest_label_list(archive=archive),
        )
        for archive in archives
    ]
    return render(request, "polls/console/index.html", {"rows": rows})


def _get(request: HttpRequest, pk: int) -> Questionnaire:
    try:
        return selectors.questionnaire_get_for_staff(user=request.user, pk=pk)
    except Questionnaire.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


def _options(text: str) -> list[services.OptionSpec]:
    """One option a line; labels after a bar: ``南京民国建筑 | 民国建筑, 民国史``."""
    specs = []
    for line in text.splitlines():
        words, _bar, labels = line.partition("|")
        if words.strip():
            names = [name.strip() for name in labels.replace("，", ",").split(",") if name.strip()]
            specs.append(services.OptionSpec(words.strip(), names))
    return specs


def _number(value: str, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "settings":
                services.questionnaire_update(
                    actor=request.user,
                    questionnaire=questionnaire,
                    title=request.POST.get("title", "").strip(),
                    introduction=request.POST.get("introduction", "").strip(),
                    opens_at=_when(request.POST.get("opens_at", "")),
                    closes_at=_when(request.POST.get("closes_at", "")),
                    results_public=bool(request.POST.get("results_public")),
                )
            elif action == "open":
                services.questionnaire_open(actor=request.user, questionnaire=questionnaire)
            elif action == "close":
                services.questionnaire_close(actor=request.user, questionnaire=questionnaire)
            elif action == "add_question":
                services.question_add(
                    actor=request.user,
                    questionnaire=questionnaire,
                    kind=request.POST.get("kind", ""),
                    text=request.POST.get("text", ""),
                    required=bool(request.POST.get("required")),
                    options=_options(request.POST.get("options", "")),
                    min_choices=_number(request.POST.get("min_choices", ""), 0),
                    max_choices=_number(request.POST.get("max_choices", ""), 0),
                    rating_min=_number(request.POST.get("rating_min", ""), 1),
                    rating_max=_number(request.POST.get("rating_max", ""), 5),
                    max_length=_number(request.POST.get("max_length", ""), 500),
                )
            elif action == "remove_question":
                question = questionnaire.questions.filter(
                    pk=_number(request.POST.get("question", ""), 0)
                ).first()
                if question is None:
                    raise ValidationError(_("That question does not exist."))
                services.question_remove(actor=request.user, question=question)
            else:
                raise ValidationError(_("Unknown action."))
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
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
