"""Console pages of the survey report (staff only): thin, they parse the query and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from archivox.core import access
from archivox.core.region_setup import COLUMNS, RegionSetupError
from archivox.core.selectors import Capability
from archivox.survey import reports, selectors
from archivox.survey.imports.setup import survey_period_setup

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def _scope(request: HttpRequest, slug: str) -> selectors.Scope:
    """A supervisor reads any scope; an archive's own staff only their archive's (403 for
    another archive's, a region or the whole survey)."""
    archive = request.GET.get("archive") or None
    if (
        archive
        and request.user.is_staff
        and not selectors.survey_reader_is_supervisor(request.user)
    ):
        access.archive_for_staff(request.user, archive, Capability.SURVEY_VIEW_OWN)
    try:
        return selectors.survey_scope_for_staff(
            user=request.user,
            slug=slug,
            region=request.GET.get("region") or None,
            archive=archive,
        )
    except selectors.SurveyNotFound as exc:
        raise Http404(str(exc)) from exc


def _query(request: HttpRequest) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k in ("region", "archive") and v})


@login_required
def survey_index(request: HttpRequest) -> HttpResponse:
    surveys = selectors.survey_list_for_staff(user=request.user)
    return render(request, "survey/index.html", {"surveys": surveys})


@login_required
def survey_report(request: HttpRequest, slug: str) -> HttpResponse:
    report = reports.report_build(_scope(request, slug))
    context = reports.report_context(report) | {"query": _query(request)}
    return render(request, "survey/report_page.html", context)


@login_required
def survey_report_download(request: HttpRequest, slug: str, format: str) -> HttpResponse:
    if format not in CONTENT_TYPES:
        raise Http404(format)
    report = reports.report_build(_scope(request, slug), charts=format == "html")
    if format == "csv":
        body: str | bytes = reports.report_csv(report)
    elif format == "xlsx":
        body = reports.report_xlsx(report)
    else:
        body = reports.report_html(report)
    response = HttpResponse(body, content_type=CONTENT_TYPES[format])
    if format != "html":
        name = reports.report_filename(report, format)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class SetupForm(forms.Form):
    survey = forms.SlugField(label=_("Survey period (short name: letters, digits, hyphens)"))
    title = forms.CharField(label=_("Title"), max_length=300)
    cutoff = forms.DateField(label=_("Last day of the period (YYYY-MM-DD)"))
    archives = forms.FileField(label=_("Regions and archives (CSV)"), required=False)
    regions = forms.CharField(
        label=_("Codes of regions already loaded (optional, separated by commas)"), required=False
    )


@login_required
def survey_setup(request: HttpRequest) -> HttpResponse:
    """A province's regions, archives and survey period, without the Django shell."""
    if not request.user.is_superuser:
        raise PermissionDenied
    form = SetupForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["archives"]
        try:
            text = upload.read().decode("utf-8") if upload else None
            report = survey_period_setup(
                actor=request.user,
                slug=form.cleaned_data["survey"],
                title=form.cleaned_data["title"],
                cutoff=form.cleaned_data["cutoff"],
                csv_text=text,
                region_codes=[
                    c.strip() for c in form.cleaned_data["regions"].split(",") if c.strip()
                ],
            )
        except UnicodeDecodeError:
            problems = [str(_("The CSV file is not UTF-8 text."))]
        except RegionSetupError as exc:
            problems = exc.problems
        except ValidationError as exc:
            problems = exc.messages
        else:
            return redirect("console:survey:report", report.survey.slug)
    return render(
        request,
        "survey/setup.html",
        {"form": form, "problems": problems, "columns": ", ".join(COLUMNS)},
    )
