"""The person's application: validated field by field (nothing typed is lost), routed to the
archive holding the records, uploads checked by content, rate-limited per address and per
person, and answered with an unguessable tracking code."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog.services import CatalogError, sniff_digital_object
from archivox.core.models import Archive
from archivox.core.public_files import NotCleanable, public_copy
from archivox.core.ratelimit import ratelimit_hit
from archivox.core.services import audit_record
from archivox.records_requests import selectors
from archivox.records_requests.codes import code_generate, id_number_normalise, id_number_valid
from archivox.records_requests.models import (
    Category,
    Delivery,
    Proof,
    RecordsRequest,
    RequestEvent,
    RequestKind,
    RequestUpload,
)
from archivox.records_requests.services.common import RequestRefused, person_key_for
from archivox.records_requests.services.notify import request_notify

UNKNOWN_ARCHIVE = "unknown"  # the form's "I don't know which archive holds it"
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


def _limits() -> tuple[int, int, int, int]:
    """(per address, window seconds, per person, window seconds)."""
    return tuple(getattr(settings, "ARCHIVOX_RECORDS_RATE_LIMIT", (10, 3600, 5, 86400)))


@dataclass(frozen=True)
class Application:
    """What the person typed, as strings (the form and the API share it)."""

    holding: str = ""  # an archive's slug, or UNKNOWN_ARCHIVE
    category: str = ""
    proof: str = ""
    name: str = ""
    id_number: str = ""
    years_from: str = ""
    years_to: str = ""
    district: str = ""
    place: str = ""
    purpose: str = ""
    email: str = ""
    delivery: str = ""
    postal_address: str = ""


def _year(value: str) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 1840 <= year <= timezone.localdate().year else None


def _check_upload(content: bytes) -> tuple[bytes, str, str]:
    """The upload without its metadata (a phone photo's place), its media type and
    extension; by its bytes, never its name. Raises ValidationError."""
    if not content:
        raise ValidationError(_("The file is empty."))
    if len(content) > UPLOAD_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB; send a smaller photo or scan."))
    try:
        sniffed = sniff_digital_object(content)
    except CatalogError as exc:
        raise ValidationError(_("Send a photo (JPEG, PNG) or a PDF file.")) from exc
    try:
        cleaned, media_type = public_copy(content)
    except NotCleanable as exc:
        raise ValidationError(_("This file cannot be read; send a photo or another PDF.")) from exc
    return cleaned, media_type, sniffed.extension


def _validate(
    archive: Archive, data: Application, uploads: dict[str, bytes]
) -> tuple[dict, RequestKind]:
    errors: dict[str, str] = {}
    clean: dict = {}
    if data.category not in Category.values:
        errors["category"] = _("Choose what kind of record you need.")
    if data.proof not in Proof.values:
        errors["proof"] = _("Say who is applying.")
    name = " ".join(data.name.split())[:100]
    if not name:
        errors["name"] = _("Give the name as it appears on the record.")
    id_number = id_number_normalise(data.id_number)
    if not id_number_valid(id_number):
        errors["id_number"] = _(
            "This is not a valid ID number (18 characters, the last one a check digit or X)."
        )
    years_from, years_to = _year(data.years_from), _year(data.years_to or data.years_from)
    if years_from is None or years_to is None or years_to < years_from:
        errors["years_from"] = _("Give the year (or first and last year) of the record.")
    purpose = data.purpose.strip()[:500]
    if not purpose:
        errors["purpose"] = _("Say what the copy is for (e.g. pension, notarisation).")
    email = data.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give an e-mail address: we tell you of every step there.")
    if data.delivery not in Delivery.values:
        errors["delivery"] = _("Choose how you want to receive the copy.")
    postal = " ".join(data.postal_address.split())[:300]
    if data.delivery == Delivery.POST and not postal:
        errors["postal_address"] = _("Give the address to post the copy to.")
    kind = None
    if "category" not in errors:
        kind, problem = _kind_for(archive, data, years_from, years_to)
        if problem:
            errors[problem[0]] = problem[1]
    if kind is not None and not errors:
        if data.proof not in kind.proofs:
            errors["proof"] = _("This archive does not accept requests made this way.")
        if data.delivery not in kind.deliveries:
            errors["delivery"] = _("This archive does not offer this delivery.")
    for upload_kind, content in uploads.items():
        try:
            uploads[upload_kind] = _check_upload(content)
        except ValidationError as exc:
            errors[f"upload_{upload_kind}"] = " ".join(exc.messages)
    if RequestUpload.Kind.ID not in uploads and "upload_id" not in errors:
        errors["upload_id"] = _("Add a photo or scan of the ID card.")
    if (
        data.proof in (Proof.AGENT, Proof.UNIT)
        and RequestUpload.Kind.AUTHORISATION not in uploads
        and "upload_authorisation" not in errors
    ):
        errors["upload_authorisation"] = _("Add the notarised authorisation or the unit's letter.")
    if errors:
        raise ValidationError(errors)
    clean.update(
        name=name,
        id_number=id_number,
        years_from=years_from,
        years_to=years_to,
        purpose=purpose,
        email=email,
        postal_address=postal,
        district=data.district.strip()[:100],
        place=data.place.strip()[:200],
    )
    return clean, kind


def _kind_for(
    archive: Archive, data: Application, years_from: int | None, years_to: int | None
) -> tuple[RequestKind | None, tuple[str, str] | None]:
    """The request kind of the archive holding the record, or the field and message saying
    why there is none."""
    district = data.district.strip()
    if data.holding in ("", UNKNOWN_ARCHIVE):
        if years_from is None or years_to is None:
            return None, None
        kind = selectors.kind_route(
            category=data.category, district=district, years_from=years_from, years_to=years_to
        )
        if kind is None:
            return None, (
                "category",
                _(
                    "No archive here holds this kind of record for that place and those years. "
                    "Ask the archive by the consultation form."
                ),
            )
        return kind, None
    holding = Archive.objects.filter(slug=data.holding[:60]).first()
    kind = selectors.kind_get_public(archive=holding, category=data.category) if holding else None
    if kind is None:
        return None, ("category", _("This archive does not serve requests for this record."))
    if (
        years_from is not None
        and years_to is not None
        and (years_from < kind.years_from or years_to > kind.years_to)
    ):
        return None, (
            "years_from",
            _("This archive holds these records from %(first)d to %(last)d.")
            % {"first": kind.years_from, "last": kind.years_to},
        )
    if kind.district_list and district not in kind.district_list:
        return None, (
            "district",
            _("This archive holds these records for: %(districts)s.")
            % {"districts": "、".join(kind.district_list)},
        )
    return kind, None


def request_apply(
    *,
    archive: Archive,
    data: Application,
    uploads: dict[str, bytes],
    channel: str = RecordsRequest.Channel.WEB,
    client: str = "",
    openid: str = "",
) -> RecordsRequest:
    """File a request at ``archive`` (the receiving archive: the portal it was made on).
    Raises ValidationError (per field) or RequestRefused (rate limit)."""
    per_address, address_window, per_person, person_window = _limits()
    if client and not ratelimit_hit(
        f"records:apply:{client}", limit=per_address, window=address_window
    ):
        raise RequestRefused(
            "rate_limited", _("Too many requests from your network; please try again later.")
        )
    uploads = {k: v for k, v in uploads.items() if v is not None}
    clean, kind = _validate(archive, data, uploads)
    person_key = person_key_for(clean["id_number"])
    if not ratelimit_hit(f"records:person:{person_key}", limit=per_person, window=person_window):
        raise RequestRefused(
            "rate_limited",
            _("Several requests were already made for this ID number today; try tomorrow."),
        )
    today = timezone.localdate()
    with transaction.atomic():
        request = _create(
            archive=archive,
            kind=kind,
            data=data,
            clean=clean,
            person_key=person_key,
            channel=channel,
            openid=openid,
            due_on=selectors.working_days_add(archive, today, kind.working_days),
        )
        for upload_kind, (content, media_type, extension) in uploads.items():
            upload = RequestUpload(
                request=request, kind=upload_kind, media_type=media_type, size=len(content)
            )
            # A generated name, never the person's: nothing of the file name reaches storage.
            upload.file.save(f"{secrets.token_hex(12)}.{extension}", ContentFile(content))
        RequestEvent.objects.create(request=request, archive=archive, status=request.status)
        audit_record(
            actor=None,
            action="records_request.submit",
            obj=request,
            archive=archive,
            on_behalf_of="applicant",
            after={"category": request.category, "holding": request.holding_archive.slug},
        )
        transaction.on_commit(lambda: request_notify(request))
    return request


@transaction.atomic
def request_supplement(
    *, request_id: int, uploads: dict[str, bytes], note: str = "", client: str = ""
) -> RecordsRequest:
    """The person sends what the archive asked for (from the private status page): new
    uploads, checked like the first ones; the request goes back to verification."""
    per_address, address_window, _per_person, _window = _limits()
    if client and not ratelimit_hit(
        f"records:apply:{client}", limit=per_address, window=address_window
    ):
        raise RequestRefused(
            "rate_limited", _("Too many requests from your network; please try again later.")
        )
    request = RecordsRequest.objects.select_for_update().get(pk=request_id)
    if request.status != RecordsRequest.Status.NEEDS_MORE:
        raise RequestRefused("state", _("The archive is not waiting for material from you."))
    checked, errors = {}, {}
    for upload_kind, content in uploads.items():
        if content is None:
            continue
        try:
            checked[upload_kind] = _check_upload(content)
        except ValidationError as exc:
            errors[f"upload_{upload_kind}"] = " ".join(exc.messages)
    if not checked and not errors:
        errors["upload_id"] = _("Add the photo or scan the archive asked for.")
    if errors:
        raise ValidationError(errors)
    for upload_kind, (content, media_type, extension) in checked.items():
        upload = RequestUpload(
            request=request, kind=upload_kind, media_type=media_type, size=len(content)
        )
        upload.file.save(f"{secrets.token_hex(12)}.{extension}", ContentFile(content))
    request.status = RecordsRequest.Status.SUBMITTED
    request.version += 1
    request.save(update_fields=["status", "version", "updated_at"])
    RequestEvent.objects.create(
        request=request, archive=request.archive, status=request.status, note=note.strip()[:2000]
    )
    audit_record(
        actor=None,
        action="records_request.supplement",
        obj=request,
        archive=request.archive,
        on_behalf_of="applicant",
    )
    transaction.on_commit(lambda: request_notify(request))
    return request


def _create(*, archive, kind, data, clean, person_key, channel, openid, due_on) -> RecordsRequest:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return RecordsRequest.objects.create(
                    code=code_generate(),
                    archive=archive,
                    holding_archive=kind.archive,
                    kind=kind,
                    category=data.category,
                    channel=channel,
                    proof=data.proof,
                    person_key=person_key,
                    delivery=data.delivery,
                    openid=openid[:64],
                    due_on=due_on,
                    return_mode=getattr(
                        settings, "ARCHIVOX_RECORDS_RETURN_MODE", RecordsRequest.ReturnMode.DIRECT
                    ),
                    **clean,
                )
        except IntegrityError:  # a code drawn twice: ~79 bits, so practically never
            continue
    raise RuntimeError("could not draw a free tracking code")
