"""Console pages of the survey report (staff only): thin, they parse the query and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from archivox.survey import reports, selectors

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def _scope(request: HttpRequest, slug: str) -> selectors.Scope:
    try:
        survey = selectors.survey_get_for_staff(user=request.user, slug=slug)
        return selectors.scope_get(
            survey=survey,
            region=request.GET.get("region") or None,
            archive=request.GET.get("archive") or None,
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
