"""Records-use requests in the console: the queue (open, overdue, all) of an archive, one
request with its steps, and the actions (verify, forward, link a finding, result, issue,
release, close, revoke). Thin: each action calls one service, which checks permissions,
versions and audits; the page is shown again (post/redirect/get) with what happened."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archivox.core.access import archive_for_staff
from archivox.records_requests import selectors
from archivox.records_requests.codes import code_display, id_number_mask
from archivox.records_requests.models import RecordsRequest
from archivox.records_requests.services import copies, workflow
from archivox.records_requests.services.common import RequestRefused

QUEUES = {"open": _("Open"), "overdue": _("Overdue"), "all": _("All")}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    archives = selectors.archives_for_work(user=request.user)
    if len(archives) == 1:
        return redirect("console_records:queue", slug=archives[0].slug)
    return render(request, "records_requests/console/index.html", {"archives": archives})


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    name = request.GET.get("queue", "open")
    name = name if name in QUEUES else "open"
    rows = [
        (item, selectors.due_for_side(item, archive), code_display(item.code)[:9] + "…")
        for item in selectors.request_list_for_staff(
            user=request.user, archive=archive, queue=name
        )[:200]
    ]
    return render(
        request,
        "records_requests/console/queue.html",
        {"archive": archive, "rows": rows, "queue": name, "queues": QUEUES},
    )


def _get(request: HttpRequest, archive, pk: int) -> RecordsRequest:
    try:
        return selectors.request_get_for_staff(user=request.user, archive=archive, pk=pk)
    except RecordsRequest.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@login_required
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    item = _get(request, archive, pk)
    working_here = archive.pk == item.worker_archive_id
    # The full ID number only for the staff member working the request.
    id_shown = (
        item.id_number if item.worked_by_id == request.user.pk else id_number_mask(item.id_number)
    )
    findings = [finding.description for finding in item.findings.select_related("description")]
    query = request.GET.get("q", "").strip()[:100]
    candidates = (
        selectors.descriptions_matching(user=request.user, archive=archive, query=query)
        if working_here and query
        else []
    )
    return render(
        request,
        "records_requests/console/detail.html",
        {
            "archive": archive,
            "item": item,
            "code": code_display(item.code),
            "id_shown": id_shown,
            "receiving_here": archive.pk == item.archive_id,
            "working_here": working_here,
            "due": selectors.due_for_side(item, archive),
            "events": item.events.select_related("archive", "actor"),
            "uploads": item.uploads.all(),
            "findings": findings,
            "query": query,
            "candidates": candidates,
            "copies": item.copies.all(),
            "forward_to": [a for a in selectors.archives_serving() if a.pk != item.archive_id],
            "Status": RecordsRequest.Status,
            "Mode": RecordsRequest.ReturnMode,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = 0
    common = {"actor": request.user, "archive": archive, "request_id": pk, "version": version}
    text = request.POST.get("message", "")
    try:
        if action in ("accept", "more", "refuse"):
            workflow.request_verify(**common, decision=action, message=text)
        elif action == "claim":
            workflow.request_claim(**common)
        elif action == "forward":
            workflow.request_forward(
                **common,
                holding_slug=request.POST.get("holding", ""),
                return_mode=request.POST.get("return_mode", ""),
                note=text,
            )
        elif action == "link":
            workflow.request_finding_add(
                **common, reference_code=request.POST.get("reference_code", "")
            )
        elif action in ("found", "not_found"):
            workflow.request_result(**common, found=action == "found", note=text)
        elif action == "issue":
            copies.request_issue(**common)
        elif action == "release":
            workflow.request_release(**common)
        elif action == "close":
            workflow.request_close(**common)
        elif action == "revoke":
            copies.copy_revoke(
                actor=request.user,
                archive=archive,
                copy_id=int(request.POST.get("copy", "0") or 0),
                reason=text,
            )
        else:
            raise RequestRefused("action", _("Unknown action."))
    except RequestRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Done."))
    return redirect("console_records:detail", slug=archive.slug, pk=pk)


@login_required
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """Requests per category, archive and channel; working days to close; share on time."""
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    return render(
        request,
        "records_requests/console/report.html",
        {"archive": archive, "report": selectors.request_report(archive_ids=[archive.pk])},
    )


@login_required
def upload(request: HttpRequest, slug: str, pk: int, upload_pk: int) -> HttpResponse:
    """An ID or authorisation the person sent, for the staff verifying it (never public)."""
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    item = _get(request, archive, pk)
    found = item.uploads.filter(pk=upload_pk).first()
    if found is None:
        raise Http404(str(upload_pk))
    response = FileResponse(found.file.open("rb"), content_type=found.media_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def copy_file(request: HttpRequest, slug: str, pk: int, copy_pk: int) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    item = _get(request, archive, pk)
    found = item.copies.filter(pk=copy_pk).first()
    if found is None:
        raise Http404(str(copy_pk))
    return FileResponse(
        found.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{found.verification_code}.pdf",
    )
