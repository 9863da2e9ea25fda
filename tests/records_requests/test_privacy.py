"""Privacy of records-use requests beyond the workflow tests: the rate limit per address, the
purge through the project's ``personal_data_purge`` (a dry run keeps the uploads on disk), and
nothing of a request (name, ID number, e-mail, purpose, tracking code) in the logs, Django's
own 4xx records included."""

import datetime
import io
import logging
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from archivox.core.personal_data import personal_data_purge
from archivox.records_requests.codes import id_number_complete
from archivox.records_requests.models import RecordsRequest
from archivox.records_requests.services import workflow
from archivox.records_requests.services.common import RequestRefused
from tests.helpers import room_in_window
from tests.records_requests.conftest import APPLY_FORM, ID_NUMBER, apply, png_bytes


def test_rate_limit_per_address(settings, nanjing, kinds):
    settings.ARCHIVOX_RECORDS_RATE_LIMIT = (2, 3600, 100, 86400)
    room_in_window(3600)
    people = [id_number_complete(f"3201021980010{n}123") for n in range(1, 4)]
    apply(nanjing, id_number=people[0])
    apply(nanjing, id_number=people[1])
    with pytest.raises(RequestRefused) as refused:
        apply(nanjing, id_number=people[2])
    assert refused.value.reason == "rate_limited"
    assert RecordsRequest.objects.count() == 2


def test_the_form_answers_the_address_limit_in_words_and_keeps_what_was_typed(
    settings, client, nanjing, kinds
):
    settings.ARCHIVOX_RECORDS_RATE_LIMIT = (1, 3600, 100, 86400)
    room_in_window(3600)
    form = {
        "holding": "unknown",
        "category": "marriage",
        "proof": "person",
        "name": "王小明",
        "years_from": "1980",
        "district": "玄武区",
        "purpose": "办理退休",
        "email": "wang@example.com",
        "delivery": "download",
    }
    for number, expected in ((ID_NUMBER, 302), (id_number_complete("32010219800101123"), 429)):
        upload = SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(
                "/archives/nanjing/records/apply/",
                {**form, "id_number": number, "upload_id": upload},
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
        assert response.status_code == expected
    text = response.content.decode()
    assert "您所在网络的申请过多" in text
    assert "办理退休" in text
    assert RecordsRequest.objects.count() == 1


def test_forward_to_an_archive_of_the_installation_that_does_not_serve_the_category(
    nanjing, xuanwu, kinds, desk
):
    from tests.records_requests.test_workflow import step

    request = apply(nanjing, holding="nanjing", category="school", district="")
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    with pytest.raises(RequestRefused) as refused:
        step(workflow.request_forward, desk, nanjing, request, holding_slug="xuanwu")
    assert refused.value.reason == "not_served"
    request.refresh_from_db()
    assert request.status == "accepted" and not request.is_forwarded


def test_the_projects_purge_takes_the_uploads_after_retention_and_a_dry_run_keeps_them(
    nanjing, kinds
):
    request = apply(nanjing)
    path = request.uploads.get().file.path
    later = timezone.now() + datetime.timedelta(days=4000)
    assert personal_data_purge(now=later, dry_run=True)["records_requests"] == 1
    assert os.path.exists(path) and request.uploads.exists()
    request.refresh_from_db()
    assert request.id_number == ID_NUMBER
    # Within retention nothing goes.
    assert personal_data_purge()["records_requests"] == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert personal_data_purge(now=later)["records_requests"] == 1
    assert not os.path.exists(path) and not request.uploads.exists()
    request.refresh_from_db()
    assert request.name == request.id_number == request.email == ""
    assert request.category == "marriage" and request.status == "submitted"


@pytest.fixture
def project_log():
    """The project's log handler as settings.LOGGING builds it (JSON, Django's request
    redacted), writing to a buffer."""
    from pythonjsonlogger.json import JsonFormatter

    from archivox.core.access_log import RedactRequest

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactRequest())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def test_nothing_of_a_request_reaches_the_logs(client, project_log, nanjing, kinds, desk):
    request = apply(nanjing, purpose="办理退休手续", email="wang.xiaoming@example.com")
    status = f"/archives/nanjing/records/r/{request.code}/"
    # Django logs every 4xx with the path: a download that is not there, a bad supplement, a
    # refused form and an unknown code.
    assert client.get(f"{status}copy/999/").status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.request_verify(
            actor=desk,
            archive=nanjing,
            request_id=request.pk,
            version=request.version,
            decision="more",
            message="请上传身份证反面",
        )
    bad = client.post(status, {"upload_id": SimpleUploadedFile("x.jpg", b"not an image")})
    assert bad.status_code == 400
    refused = client.post(
        "/archives/nanjing/records/apply/",
        {"name": "王小明", "id_number": ID_NUMBER, "email": "wang.xiaoming@example.com"},
    )
    assert refused.status_code == 400
    assert client.get("/archives/nanjing/records/r/ABCDEFGHJKMNPQRS/").status_code == 404
    with pytest.raises(ValidationError):
        apply(nanjing, id_number="110105194912310021")
    log = project_log.getvalue()
    assert "Not Found" in log and "Bad Request" in log  # Django did log those requests…
    for secret in (request.code, ID_NUMBER, "王小明", "wang.xiaoming", "办理退休手续"):
        assert secret not in log, (secret, log)  # …and nothing of the request


def test_an_oversize_upload_through_the_form_is_refused_and_nothing_is_written(client, kinds):
    big = SimpleUploadedFile("id.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    response = client.post(
        "/archives/nanjing/records/apply/",
        {**APPLY_FORM, "upload_id": big},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "王小明" in text and "办理退休" in text
    assert not RecordsRequest.objects.exists()


def test_the_uploads_are_never_public(client, nanjing, xuanwu, kinds, desk, district):
    request = apply(nanjing)
    upload = request.uploads.get()
    url = f"/console/records/nanjing/{request.pk}/uploads/{upload.pk}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client.get(f"/media/{upload.file.name}").status_code == 404
    client.force_login(district)  # another archive's staff (routed there, not forwarded)
    assert (
        client.get(f"/console/records/xuanwu/{request.pk}/uploads/{upload.pk}/").status_code == 404
    )
    client.force_login(desk)
    seen = client.get(url)
    assert seen.status_code == 200 and seen["Cache-Control"] == "private, no-store"
    assert b"".join(seen.streaming_content).startswith(b"\x89PNG")
