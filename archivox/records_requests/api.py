"""/api/v1/records/: the person's own status (tracking code in the POST body, never in the
URL, rate-limited, one answer for unknown codes), public verification of a certified copy,
and for staff (session authentication) the queue, the workflow's actions and the report."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from archivox.core.access import archive_for_staff, archive_or_404, client_address
from archivox.core.ratelimit import ratelimit_hit
from archivox.records_requests import selectors
from archivox.records_requests.codes import code_display, id_number_mask
from archivox.records_requests.models import RecordsRequest
from archivox.records_requests.services import copies, workflow
from archivox.records_requests.services.common import RequestRefused

router = Router(tags=["records requests"])
UNKNOWN = {"reason": "unknown", "detail": "No request has this tracking code."}
TOO_MANY = {"reason": "rate_limited", "detail": "Too many requests; wait a few minutes."}


class CodeIn(Schema):
    code: str


class RefusedOut(Schema):
    reason: str
    detail: str


class StepOut(Schema):
    at: datetime.datetime
    status: str
    message: str


class CopyOut(Schema):
    kind: str
    verification_code: str
    sha256: str
    page_count: int
    issued_at: datetime.datetime
    revoked: bool


class PersonStatusOut(Schema):
    code: str
    status: str
    status_label: str
    category: str
    archive: str
    applied_on: datetime.date
    due_on: datetime.date
    message: str
    steps: list[StepOut]
    copies: list[CopyOut]


def _copy_out(copy) -> dict:
    return {
        "kind": copy.kind,
        "verification_code": copy.verification_code,
        "sha256": copy.sha256,
        "page_count": copy.page_count,
        "issued_at": copy.issued_at,
        "revoked": copy.revoked_at is not None,
    }


def _allowed(request: HttpRequest) -> bool:
    # The same counter as the pages: guessing codes by the API gets no further.
    return ratelimit_hit(f"records:lookup:{client_address(request)}", limit=30, window=600)


@router.post("/{slug}/status", response={200: PersonStatusOut, 404: RefusedOut, 429: RefusedOut})
def person_status(request: HttpRequest, slug: str, payload: CodeIn):
    archive = archive_or_404(slug)
    if not _allowed(request):
        return Status(429, TOO_MANY)
    found = selectors.request_get_by_code(payload.code)
    if found is None or found.archive_id != archive.pk:
        return Status(404, UNKNOWN)
    status, label = selectors.request_status_for_person(found)
    return Status(
        200,
        {
            "code": code_display(found.code),
            "status": status,
            "status_label": str(label),
            "category": found.category,
            "archive": str(found.archive),
            "applied_on": found.created_at.date(),
            "due_on": found.due_on,
            "message": found.message if status in ("needs_more", "refused") else "",
            "steps": [
                {"at": e["at"], "status": str(e["status"]), "message": e["message"]}
                for e in selectors.request_public_events(found)
            ],
            "copies": [_copy_out(c) for c in selectors.copies_for_person(found)],
        },
    )


class VerifyOut(Schema):
    archive: str
    kind: str
    issued_on: datetime.date
    reference_code: str
    page_count: int
    sha256: str
    revoked: bool


@router.get("/verify/{code}", response={200: VerifyOut, 404: RefusedOut, 429: RefusedOut})
def verify(request: HttpRequest, code: str):
    if not _allowed(request):
        return Status(429, TOO_MANY)
    copy = selectors.copy_get_by_verification(code)
    if copy is None:
        return Status(404, {"reason": "unknown", "detail": "No copy has this code."})
    return Status(
        200,
        {
            "archive": str(copy.archive),
            "kind": copy.kind,
            "issued_on": copy.issued_at.date(),
            "reference_code": copy.reference_code,
            "page_count": copy.page_count,
            "sha256": copy.sha256,
            "revoked": copy.revoked_at is not None,
        },
    )


# ── staff ─────────────────────────────────────────────────────────────────────────────────────


class StaffRequestOut(Schema):
    id: int
    code: str
    status: str
    version: int
    category: str
    archive: str
    holding_archive: str
    forwarded: bool
    name: str
    id_number: str
    years_from: int
    years_to: int
    district: str
    purpose: str
    due_on: datetime.date | None
    created_at: datetime.datetime


def _staff_out(item: RecordsRequest, user, archive) -> dict:
    return {
        "id": item.pk,
        "code": item.code,
        "status": item.status,
        "version": item.version,
        "category": item.category,
        "archive": item.archive.slug,
        "holding_archive": item.holding_archive.slug,
        "forwarded": item.is_forwarded,
        "name": item.name,
        # In full only for the staff member working the request.
        "id_number": item.id_number
        if item.worked_by_id == user.pk
        else id_number_mask(item.id_number),
        "years_from": item.years_from,
        "years_to": item.years_to,
        "district": item.district,
        "purpose": item.purpose,
        "due_on": selectors.due_for_side(item, archive),
        "created_at": item.created_at,
    }


class QueueQuery(Schema):
    queue: str = "open"


@router.get("/{slug}/requests", response=list[StaffRequestOut], auth=django_auth)
def queue(request: HttpRequest, slug: str, query: Query[QueueQuery]):
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    name = query.queue if query.queue in ("open", "overdue", "all") else "open"
    return [
        _staff_out(item, request.user, archive)
        for item in selectors.request_list_for_staff(
            user=request.user, archive=archive, queue=name
        )[:500]
    ]


class ActIn(Schema):
    action: str
    version: int
    message: str = ""
    holding: str = ""
    return_mode: str = ""
    reference_code: str = ""


@router.post(
    "/{slug}/requests/{pk}/act",
    response={200: StaffRequestOut, 404: RefusedOut, 409: RefusedOut},
    auth=django_auth,
)
def act(request: HttpRequest, slug: str, pk: int, payload: ActIn):
    """One step of the workflow (the console's buttons): accept, more, refuse, claim, forward,
    link, found, not_found, issue, release, close. 409 with the reason when refused (a
    conflict says who acted)."""
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    common = {
        "actor": request.user,
        "archive": archive,
        "request_id": pk,
        "version": payload.version,
    }
    actions = {
        "accept": lambda: workflow.request_verify(**common, decision="accept"),
        "more": lambda: workflow.request_verify(**common, decision="more", message=payload.message),
        "refuse": lambda: workflow.request_verify(
            **common, decision="refuse", message=payload.message
        ),
        "claim": lambda: workflow.request_claim(**common),
        "forward": lambda: workflow.request_forward(
            **common, holding_slug=payload.holding, return_mode=payload.return_mode
        ),
        "link": lambda: workflow.request_finding_add(
            **common, reference_code=payload.reference_code
        ),
        "found": lambda: workflow.request_result(**common, found=True),
        "not_found": lambda: workflow.request_result(**common, found=False),
        "issue": lambda: copies.request_issue(**common),
        "release": lambda: workflow.request_release(**common),
        "close": lambda: workflow.request_close(**common),
    }
    if payload.action not in actions:
        return Status(409, {"reason": "action", "detail": "Unknown action."})
    try:
        actions[payload.action]()
    except RequestRefused as refused:
        return Status(
            404 if refused.reason == "unknown" else 409,
            {
                "reason": refused.reason,
                "detail": refused.message,
            },
        )
    item = selectors.request_get_for_staff(user=request.user, archive=archive, pk=pk)
    return Status(200, _staff_out(item, request.user, archive))


class ReportOut(Schema):
    total: int
    closed: int
    by_category: dict[str, int]
    by_archive: dict[str, int]
    by_channel: dict[str, int]
    median_working_days: float | None
    p90_working_days: float | None
    share_on_time: float | None


@router.get("/{slug}/report", response=ReportOut, auth=django_auth)
def report(request: HttpRequest, slug: str):
    archive = archive_for_staff(request.user, slug, selectors.WORK)
    return selectors.request_report(archive_ids=[archive.pk]).__dict__
