"""Records-use requests end to end through the services: apply, route, verify, forward,
search, result, issue a signed copy, verify it; and the bad input of the issue."""

import concurrent.futures
import datetime
import hashlib
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase

from archivox.core.models import AuditEntry
from archivox.records_requests import selectors
from archivox.records_requests.codes import id_number_mask, id_number_valid
from archivox.records_requests.models import CertifiedCopy, RecordsRequest
from archivox.records_requests.services import copies, workflow
from archivox.records_requests.services.common import RequestRefused
from archivox.records_requests.services.setup import holidays_set
from tests.helpers import room_in_window
from tests.records_requests.conftest import ID_NUMBER, a_monday, apply, png_bytes

S = RecordsRequest.Status


def step(fn, actor, archive, request, **kwargs):
    request.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn(
            actor=actor, archive=archive, request_id=request.pk, version=request.version, **kwargs
        )


def validate_signature(data: bytes, context=None):
    """pyHanko's validator, trusting only the installation's certificate (or ``context``)."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _key, cert, _chain = copies.signing_files()
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures

    def validate():
        return validate_pdf_signature(
            signature,
            context or ValidationContext(trust_roots=[load_cert_from_pemder(str(cert))]),
        )

    # In a thread of its own: pyHanko runs an event loop, and a browser test run earlier in
    # this process may have left one in the main thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate).result()


def test_id_number_checksum():
    assert id_number_valid(ID_NUMBER)
    assert not id_number_valid("110105194912310021")  # wrong check character
    assert not id_number_valid("110105194913310028")  # no 13th month
    assert not id_number_valid("1101051949123")
    assert id_number_mask(ID_NUMBER) == "110" + "•" * 13 + "2X"


def test_working_days_skip_weekends_and_holidays_and_count_adjusted_days(nanjing):
    monday = a_monday()  # 2026-09-28; National Day 10-01…10-07
    holidays_set(
        actor=None,
        archive=nanjing,
        days_off=[(monday + datetime.timedelta(days=n), "国庆节") for n in range(3, 10)],
        days_worked=[(datetime.date(2026, 10, 10), "调休")],
    )
    # Tue, Wed, then the holiday week, then Sat 10-10 (worked), Mon 10-12.
    assert selectors.working_days_add(nanjing, monday, 2) == datetime.date(2026, 9, 30)
    assert selectors.working_days_add(nanjing, monday, 3) == datetime.date(2026, 10, 8)
    assert selectors.working_days_add(nanjing, monday, 6) == datetime.date(2026, 10, 12)
    assert selectors.working_days_between(nanjing, monday, datetime.date(2026, 10, 12)) == 6


def test_apply_routes_unknown_archive_by_category_district_and_years(nanjing, xuanwu, kinds):
    request = apply(nanjing)
    assert request.archive == nanjing and request.holding_archive == xuanwu
    assert not request.is_forwarded and request.status == S.SUBMITTED
    assert len(request.code) == 16
    # The ID number is encrypted at rest and the e-mail tells the tracking code.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM records_requests_recordsrequest")
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:") and ID_NUMBER not in stored
    assert len(mail.outbox) == 1 and request.code[:4] in mail.outbox[0].body
    assert ID_NUMBER not in mail.outbox[0].body
    audit = AuditEntry.objects.get(action="records_request.submit")
    assert ID_NUMBER not in str(audit.after) and "王小明" not in audit.object_repr


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"holding": "nanjing"}, "category"),  # Nanjing does not serve marriage records
        ({"holding": "xuanwu", "years_from": "1940"}, "years_from"),  # outside its holdings
        ({"holding": "xuanwu", "district": "鼓楼区"}, "district"),
        (
            {"holding": "xuanwu", "delivery": "post", "postal_address": "南京市北京东路41号"},
            "delivery",
        ),
        ({"email": "not-an-address"}, "email"),
        ({"years_from": "nineteen"}, "years_from"),
    ],
)
def test_bad_applications_are_refused_field_by_field(nanjing, kinds, changes, field):
    with pytest.raises(ValidationError) as refused:
        apply(nanjing, **changes)
    assert field in refused.value.message_dict
    assert not RecordsRequest.objects.exists()


def test_disguised_and_oversize_uploads_are_refused(nanjing, kinds):
    with pytest.raises(ValidationError) as refused:
        apply(nanjing, uploads={"id": b"MZ\x90\x00 not a picture, named id.jpg"})
    assert "upload_id" in refused.value.message_dict
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF"
    with pytest.raises(ValidationError) as refused:
        apply(nanjing, uploads={"id": big})
    assert "upload_id" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        apply(nanjing, proof="agent")  # an agent without the authorisation
    assert "upload_authorisation" in refused.value.message_dict


def test_rate_limit_per_person(settings, nanjing, kinds):
    settings.ARCHIVOX_RECORDS_RATE_LIMIT = (100, 3600, 2, 86400)
    room_in_window(86400)
    apply(nanjing)
    apply(nanjing)
    with pytest.raises(RequestRefused) as refused:
        apply(nanjing)
    assert refused.value.reason == "rate_limited"


def test_found_forwarded_issued_signed_and_verified(
    nanjing, xuanwu, kinds, desk, district, make_description
):
    request = apply(nanjing)
    found = make_description(
        "XW-HY-1980-0012", title="1980年结婚登记", archive=xuanwu, access_level="restricted"
    )
    step(workflow.request_claim, desk, nanjing, request)
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    step(workflow.request_forward, desk, nanjing, request, holding_slug="xuanwu")
    request.refresh_from_db()
    assert request.status == S.FORWARDED and request.holding_due_on
    assert selectors.request_status_for_person(request)[0] == S.ACCEPTED
    # The receiving archive no longer works it; the holding archive does.
    with pytest.raises(RequestRefused):
        step(workflow.request_result, desk, nanjing, request, found=False)
    step(
        workflow.request_finding_add, district, xuanwu, request, reference_code=found.reference_code
    )
    step(workflow.request_result, district, xuanwu, request, found=True)
    copy = step(copies.request_issue, district, xuanwu, request)
    request.refresh_from_db()
    assert request.status == S.ISSUED
    data = copy.file.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == copy.sha256
    assert copy.reference_code == "XW-HY-1980-0012" and copy.page_count == 1
    status = validate_signature(data)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert selectors.copies_for_person(request) == [copy]
    assert selectors.copy_get_by_verification(copy.verification_code.lower()) == copy
    step(workflow.request_close, district, xuanwu, request)
    request.refresh_from_db()
    assert request.status == S.CLOSED and request.closed_at
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "records_request.verify",
        "records_request.forward",
        "records_request.link",
        "records_request.issue",
        "records_request.close",
    } <= actions
    copies.copy_revoke(actor=district, archive=xuanwu, copy_id=copy.pk, reason="错误出具")
    assert selectors.copy_get_by_verification(copy.verification_code).revoked_at


def test_not_found_certificate_via_the_receiving_archive(
    settings, nanjing, xuanwu, kinds, desk, district
):
    request = apply(nanjing)
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    step(
        workflow.request_forward,
        desk,
        nanjing,
        request,
        holding_slug="xuanwu",
        return_mode="via_receiving",
    )
    step(workflow.request_result, district, xuanwu, request, found=False)
    copy = step(copies.request_issue, district, xuanwu, request)
    assert copy.kind == CertifiedCopy.Kind.NOT_FOUND
    request.refresh_from_db()
    # Until the receiving archive passes it on, the person sees the result but no copy.
    assert selectors.request_status_for_person(request)[0] == S.NOT_FOUND
    assert selectors.copies_for_person(request) == []
    with pytest.raises(RequestRefused):
        step(workflow.request_close, district, xuanwu, request)
    step(workflow.request_release, desk, nanjing, request)
    request.refresh_from_db()
    assert selectors.copies_for_person(request) == [copy]
    assert validate_signature(copy.file.open("rb").read()).valid


def test_refusal_reason_and_more_material_reach_the_person(nanjing, kinds, desk):
    request = apply(nanjing)
    with pytest.raises(RequestRefused):
        step(workflow.request_verify, desk, nanjing, request, decision="refuse")
    step(
        workflow.request_verify, desk, nanjing, request, decision="more", message="请上传身份证反面"
    )
    assert "请上传身份证反面" in mail.outbox[-1].body
    step(
        workflow.request_verify, desk, nanjing, request, decision="refuse", message="非本人且无授权"
    )
    request.refresh_from_db()
    assert request.status == S.REFUSED and request.message == "非本人且无授权"


def test_two_staff_at_once_one_wins_the_other_is_told(nanjing, kinds, desk, desk2):
    request = apply(nanjing)
    seen = request.version
    workflow.request_verify(
        actor=desk, archive=nanjing, request_id=request.pk, version=seen, decision="accept"
    )
    with pytest.raises(RequestRefused) as refused:
        workflow.request_verify(
            actor=desk2,
            archive=nanjing,
            request_id=request.pk,
            version=seen,
            decision="refuse",
            message="x",
        )
    assert refused.value.reason == "conflict" and "nj-desk" in refused.value.message
    request.refresh_from_db()
    assert request.status == S.ACCEPTED


def test_forward_outside_the_installation_or_to_an_archive_not_serving(
    nanjing, xuanwu, kinds, desk
):
    request = apply(nanjing)
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    for slug, reason in (("elsewhere", "outside"), ("nanjing", "self")):
        with pytest.raises(RequestRefused) as refused:
            step(workflow.request_forward, desk, nanjing, request, holding_slug=slug)
        assert refused.value.reason == reason


def test_unknown_codes_find_nothing(nanjing, kinds):
    apply(nanjing)
    assert selectors.request_get_by_code("ABCD-EFGH-JKMN-PQRS") is None
    assert selectors.request_get_by_code("") is None
    assert selectors.copy_get_by_verification("NOPE") is None


def test_overdue_for_each_side_and_report(nanjing, xuanwu, kinds, desk, district):
    request = apply(nanjing)
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    step(workflow.request_forward, desk, nanjing, request, holding_slug="xuanwu")
    RecordsRequest.objects.filter(pk=request.pk).update(
        due_on=datetime.date(2020, 1, 1), holding_due_on=datetime.date(2020, 1, 1)
    )
    assert selectors.overdue_counts(archive_ids=[nanjing.pk, xuanwu.pk]) == {
        nanjing.pk: 1,
        xuanwu.pk: 1,
    }
    step(workflow.request_result, district, xuanwu, request, found=False)
    step(copies.request_issue, district, xuanwu, request)
    step(workflow.request_close, district, xuanwu, request)
    report = selectors.request_report(archive_ids=[nanjing.pk])
    assert report.total == 1 and report.closed == 1
    assert report.share_on_time == 0.0 and report.median_working_days == 0.0


def test_personal_data_export_and_purge(nanjing, kinds):
    from django.utils import timezone

    from archivox.records_requests.personal_data import requests_export, requests_purge

    request = apply(nanjing)
    assert requests_export(identifier=ID_NUMBER)[0]["code"] == request.code
    upload = request.uploads.get()
    path = upload.file.path
    with TestCase.captureOnCommitCallbacks(execute=True):  # the files go on commit
        assert requests_purge(before=timezone.now() + datetime.timedelta(seconds=1)) == 1
    request.refresh_from_db()
    assert request.name == "" and request.id_number == "" and not request.uploads.exists()
    import os

    assert not os.path.exists(path)
    assert png_bytes()  # the fixture's image stays a real PNG


def test_more_material_from_the_status_page_and_the_copy_by_email(nanjing, xuanwu, kinds, desk):
    from archivox.records_requests.services.applying import request_supplement

    request = apply(nanjing, holding="xuanwu", delivery="email")
    step(workflow.request_verify, desk, nanjing, request, decision="more", message="请上传反面")
    with pytest.raises(ValidationError):
        request_supplement(request_id=request.pk, uploads={"id": b"GIF89a-not-really"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        request_supplement(request_id=request.pk, uploads={"id": png_bytes()}, note="已补充")
    request.refresh_from_db()
    assert request.status == S.SUBMITTED and request.uploads.count() == 2
    with pytest.raises(RequestRefused):
        request_supplement(request_id=request.pk, uploads={"id": png_bytes()})
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    step(workflow.request_forward, desk, nanjing, request, holding_slug="xuanwu")
    from tests.records_requests.conftest import staff

    district = staff(xuanwu, "xw-2")
    step(workflow.request_result, district, xuanwu, request, found=False)
    copy = step(copies.request_issue, district, xuanwu, request)
    last = mail.outbox[-1]
    assert last.attachments and last.attachments[0][0] == f"{copy.verification_code}.pdf"


@pytest.mark.parametrize("mode", ["direct", "via_receiving"])
def test_the_person_is_told_of_every_status_change_once(
    mode, nanjing, xuanwu, kinds, desk, district, make_description
):
    """One e-mail per change of the status line the person sees; staff-only steps (taking it
    on, forwarding, linking a finding, a copy not yet passed on) send nothing."""
    request = apply(nanjing)
    found = make_description("XW-HY-1980-0099", archive=xuanwu, access_level="restricted")
    step(workflow.request_claim, desk, nanjing, request)
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    step(workflow.request_forward, desk, nanjing, request, holding_slug="xuanwu", return_mode=mode)
    step(workflow.request_finding_add, district, xuanwu, request, reference_code="XW-HY-1980-0099")
    step(workflow.request_result, district, xuanwu, request, found=True)
    step(copies.request_issue, district, xuanwu, request)
    closer = (desk, nanjing) if mode == "via_receiving" else (district, xuanwu)
    if mode == "via_receiving":
        step(workflow.request_release, desk, nanjing, request)
    step(workflow.request_close, *closer, request)
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        expected = [
            str(S(status).label)
            for status in (S.SUBMITTED, S.ACCEPTED, S.FOUND, S.ISSUED, S.CLOSED)
        ]
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == len(expected), subjects
    assert all(subject.endswith(label) for subject, label in zip(subjects, expected, strict=True))
    assert all(message.to == ["wang@example.com"] for message in mail.outbox)
    assert all(found.reference_code not in message.body for message in mail.outbox)


def test_report_counts_per_category_archive_and_channel_with_median_p90_and_share_on_time(
    client, nanjing, xuanwu, kinds, desk
):
    from django.utils import timezone

    from archivox.records_requests.codes import id_number_complete

    monday = a_monday()  # 2026-09-28; no holidays in the calendar: weekdays only

    def at(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    due = selectors.working_days_add(nanjing, monday, 3)
    for n, days in enumerate([1, 2, 3, 4, 10]):
        request = apply(nanjing, id_number=id_number_complete(f"320102198001{n + 1:02d}123"))
        RecordsRequest.objects.filter(pk=request.pk).update(
            created_at=at(monday),
            closed_at=at(selectors.working_days_add(nanjing, monday, days)),
            status=S.CLOSED,
            due_on=due,
            channel="wechat" if n == 0 else "web",
        )
    apply(nanjing, holding="nanjing", category="school", district="")  # open: not in the times
    report = selectors.request_report(archive_ids=[nanjing.pk])
    assert report.total == 6 and report.closed == 5
    assert report.median_working_days == 3.0 and report.p90_working_days == 10.0
    assert report.share_on_time == 0.6
    assert sum(report.by_category.values()) == 6 and len(report.by_category) == 2
    assert sum(report.by_channel.values()) == 6 and len(report.by_channel) == 2
    assert sum(report.by_archive.values()) == 6
    # The survey reads the same figures (§3.2.5/§4.5).
    survey = selectors.survey_service_indicators(archive=nanjing)
    assert survey["records_requests"] == 6 and survey["records_requests_closed"] == 5
    assert survey["records_requests_median_working_days"] == 3.0
    assert survey["records_requests_p90_working_days"] == 10.0
    assert survey["records_requests_share_on_time"] == 0.6
    client.force_login(desk)
    page = client.get("/console/records/nanjing/report/").content.decode()
    assert "60%" in page and "data-report" in page
