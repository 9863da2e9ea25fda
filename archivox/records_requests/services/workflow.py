"""Staff work a request: the receiving archive verifies identity and scope and forwards it to
the archive holding the record; the archive working it links what the search found, records
the result and issues the copy (``copies``); the receiving archive releases a copy returned
through it and closes. Every step is audited, bumps the request's version (two staff acting at
once: the second is told who acted and what the request is now) and tells the person."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Description
from archivox.core.models import Archive, User
from archivox.core.selectors import archive_check_capability
from archivox.core.services import audit_record
from archivox.records_requests import selectors
from archivox.records_requests.models import RecordsRequest, RequestEvent, RequestFinding
from archivox.records_requests.services.common import RequestRefused
from archivox.records_requests.services.notify import request_notify

S = RecordsRequest.Status
Mode = RecordsRequest.ReturnMode


def _locked(*, actor: User, archive: Archive, request_id: int, version: int) -> RecordsRequest:
    """The request, row-locked, if ``archive`` takes part in it, ``actor`` works requests
    there and nobody acted since the page showed ``version``."""
    archive_check_capability(user=actor, archive=archive, capability=selectors.WORK)
    request = (
        RecordsRequest.objects.select_for_update()
        .filter(pk=request_id)
        .select_related("archive", "holding_archive")
        .first()
    )
    if request is None or archive.pk not in (request.archive_id, request.worker_archive_id):
        raise RequestRefused("unknown", _("This request is not handled by this archive."))
    # The row lock (PostgreSQL) and this conditional UPDATE (any database) let one of two
    # staff acting on the same version through; the other is told who did.
    if request.version != version or not RecordsRequest.objects.filter(
        pk=request.pk, version=version
    ).update(version=version + 1):
        request.refresh_from_db()
        last = request.events.select_related("actor").last()
        who = last.actor.get_username() if last and last.actor else _("the system")
        raise RequestRefused(
            "conflict",
            _(
                "%(who)s acted on this request in the meantime; it is now “%(status)s”. "
                "Nothing was changed: look at it again."
            )
            % {"who": who, "status": request.get_status_display()},
        )
    request.version = version + 1
    return request


def _side(request: RecordsRequest, archive: Archive, side: str) -> None:
    """Refuse an action done by the wrong archive (``receiving`` or ``worker``)."""
    wanted = request.archive_id if side == "receiving" else request.worker_archive_id
    if archive.pk != wanted:
        raise RequestRefused(
            "wrong_archive",
            _("This step is for the receiving archive.")
            if side == "receiving"
            else _("This step is for the archive holding the record."),
        )


def _step(
    *,
    actor: User,
    archive: Archive,
    request: RecordsRequest,
    action: str,
    status: str | None = None,
    message: str = "",
    note: str = "",
    changed: list[str] | None = None,
    seen_before: str | None = None,
) -> RecordsRequest:
    """Save a step: status, version, history, audit, and (after commit) the person is told.
    ``seen_before``: the status line the person saw, when the caller already changed what it
    is computed from."""
    before_status = seen_before or selectors.request_status_for_person(request)[0]
    before = {"status": request.status}
    fields = ["version", "updated_at", *(changed or [])]
    if status is not None:
        request.status = status
        fields.append("status")
    if message:
        request.message = message
        fields.append("message")
    request.worked_by = actor
    fields.append("worked_by")
    request.save(update_fields=sorted(set(fields)))
    RequestEvent.objects.create(
        request=request,
        archive=archive,
        actor=actor,
        status=request.status,
        message=message,
        note=note[:2000],
    )
    # The audit entry names the request by its id and category, never the person.
    audit_record(
        actor=actor,
        action=f"records_request.{action}",
        obj=request,
        archive=archive,
        before=before,
        after={"status": request.status},
    )
    if selectors.request_status_for_person(request)[0] != before_status or message:
        transaction.on_commit(lambda: request_notify(request))
    return request


@transaction.atomic
def request_verify(
    *,
    actor: User,
    archive: Archive,
    request_id: int,
    version: int,
    decision: str,
    message: str = "",
) -> RecordsRequest:
    """Identity and scope: ``accept``, ``more`` (ask for more, saying what) or ``refuse``
    (with the reason the person sees)."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    _side(request, archive, "receiving")
    if request.status not in (S.SUBMITTED, S.NEEDS_MORE):
        raise RequestRefused("state", _("This request was already verified."))
    message = (message or "").strip()[:2000]
    if decision in ("more", "refuse") and not message:
        raise RequestRefused("message", _("Say what the person should do or why: they see it."))
    status = {"accept": S.ACCEPTED, "more": S.NEEDS_MORE, "refuse": S.REFUSED}.get(decision)
    if status is None:
        raise RequestRefused("decision", _("Choose accept, ask for more or refuse."))
    changed = []
    if status == S.REFUSED:
        request.closed_at = timezone.now()
        changed.append("closed_at")
    return _step(
        actor=actor,
        archive=archive,
        request=request,
        action="verify",
        status=status,
        message=message,
        changed=changed,
    )


@transaction.atomic
def request_claim(
    *, actor: User, archive: Archive, request_id: int, version: int
) -> RecordsRequest:
    """A staff member takes the request on: from then on the console shows them (and only
    them) the full ID number; the access is audited."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    if not request.is_open:
        raise RequestRefused("state", _("This request is closed."))
    return _step(actor=actor, archive=archive, request=request, action="claim")


@transaction.atomic
def request_forward(
    *,
    actor: User,
    archive: Archive,
    request_id: int,
    version: int,
    holding_slug: str,
    return_mode: str = "",
    note: str = "",
) -> RecordsRequest:
    """Forward an accepted request to the archive of this installation holding the record; it
    then has its own deadline by its own calendar. Refused for an archive outside the
    installation or one that does not serve the category."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    _side(request, archive, "receiving")
    if request.status != S.ACCEPTED or request.is_forwarded:
        raise RequestRefused("state", _("Only an accepted request not yet forwarded can be."))
    holding = Archive.objects.filter(slug=(holding_slug or "")[:60]).first()
    if holding is None:
        raise RequestRefused("outside", _("That archive is not part of this installation."))
    if holding.pk == archive.pk:
        raise RequestRefused("self", _("Choose another archive than this one."))
    kind = selectors.kind_get_public(archive=holding, category=request.category)
    if kind is None:
        raise RequestRefused("not_served", _("That archive does not serve this kind of record."))
    if return_mode not in Mode.values:
        return_mode = request.return_mode
    request.holding_archive, request.kind, request.return_mode = holding, kind, return_mode
    request.forwarded_at = timezone.now()
    request.holding_due_on = selectors.working_days_add(
        holding, timezone.localdate(), kind.working_days
    )
    return _step(
        actor=actor,
        archive=archive,
        request=request,
        action="forward",
        status=S.FORWARDED,
        note=note,
        changed=["holding_archive", "kind", "return_mode", "forwarded_at", "holding_due_on"],
    )


@transaction.atomic
def request_finding_add(
    *, actor: User, archive: Archive, request_id: int, version: int, reference_code: str
) -> RequestFinding:
    """Link a catalog description the search found (restricted or confidential ones too: the
    person never sees it, only the copy issued)."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    _side(request, archive, "worker")
    if request.status not in (S.ACCEPTED, S.FORWARDED):
        raise RequestRefused("state", _("Findings are linked while the request is searched."))
    try:
        description = catalog_selectors.description_get_for_staff(
            user=actor, archive=archive, reference_code=(reference_code or "").strip()[:100]
        )
    except Description.DoesNotExist as exc:
        raise RequestRefused(
            "unknown_description", _("No description with this reference code in this archive.")
        ) from exc
    finding, _created = RequestFinding.objects.get_or_create(
        request=request, description=description, defaults={"added_by": actor}
    )
    _step(
        actor=actor,
        archive=archive,
        request=request,
        action="link",
        note=_("Linked %(code)s") % {"code": description.reference_code},
    )
    return finding


@transaction.atomic
def request_result(
    *, actor: User, archive: Archive, request_id: int, version: int, found: bool, note: str = ""
) -> RecordsRequest:
    """The search's result: found (a description linked) or not found."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    _side(request, archive, "worker")
    if request.status not in (S.ACCEPTED, S.FORWARDED):
        raise RequestRefused("state", _("The result is recorded once, after the search."))
    if found and not request.findings.exists():
        raise RequestRefused("no_finding", _("Link the description found first."))
    request.result = RecordsRequest.Result.FOUND if found else RecordsRequest.Result.NOT_FOUND
    return _step(
        actor=actor,
        archive=archive,
        request=request,
        action="result",
        status=S.FOUND if found else S.NOT_FOUND,
        note=note,
        changed=["result"],
    )


@transaction.atomic
def request_release(
    *, actor: User, archive: Archive, request_id: int, version: int
) -> RecordsRequest:
    """The receiving archive passes on a copy the holding archive returned through it."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    _side(request, archive, "receiving")
    if not (
        request.is_forwarded
        and request.return_mode == Mode.VIA_RECEIVING
        and request.status == S.ISSUED
        and request.released_at is None
    ):
        raise RequestRefused("state", _("There is no returned copy to pass on."))
    # Releasing is what turns the person's status to "issued": tell them what it was before.
    seen_before = selectors.request_status_for_person(request)[0]
    request.released_at = timezone.now()
    return _step(
        actor=actor,
        archive=archive,
        request=request,
        action="release",
        changed=["released_at"],
        seen_before=seen_before,
    )


@transaction.atomic
def request_close(
    *, actor: User, archive: Archive, request_id: int, version: int
) -> RecordsRequest:
    """Close an issued request (once the copy reached the person)."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    if request.status != S.ISSUED:
        raise RequestRefused("state", _("Only a request whose copy was issued can be closed."))
    waiting = request.is_forwarded and request.return_mode == Mode.VIA_RECEIVING
    _side(request, archive, "receiving" if waiting else "worker")
    if waiting and request.released_at is None:
        raise RequestRefused("state", _("Pass the returned copy on to the person first."))
    request.closed_at = timezone.now()
    return _step(
        actor=actor,
        archive=archive,
        request=request,
        action="close",
        status=S.CLOSED,
        changed=["closed_at"],
    )
