"""The portal's application form, status page, download and verification page, and the
console's queue and actions, through HTTP (Django's test client)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from archivox.records_requests.models import RecordsRequest
from tests.helpers import room_in_window
from tests.records_requests.conftest import APPLY_FORM, ID_NUMBER, apply, png_bytes

FORM = APPLY_FORM


def post_form(client, **changes):
    data = {**FORM, **changes}
    data["upload_id"] = SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/archives/nanjing/records/apply/", data)


def test_apply_redirects_to_the_private_status_page(client, kinds):
    assert client.get("/archives/nanjing/records/apply/").status_code == 200
    response = post_form(client)
    assert response.status_code == 302
    request = RecordsRequest.objects.get()
    assert response["Location"].endswith(f"/archives/nanjing/records/r/{request.code}/?new=1")
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "submitted" in text
    assert ID_NUMBER not in text


def test_bad_input_keeps_what_was_typed(client, kinds):
    response = post_form(client, id_number="110105194912310021", place="玄武区民政局")
    assert response.status_code == 400
    text = response.content.decode()
    assert "not a valid ID number" in text and "玄武区民政局" in text and "王小明" in text
    assert not RecordsRequest.objects.exists()


def test_unknown_codes_get_one_identical_answer(client, nanjing, xuanwu, kinds):
    request = apply(nanjing)
    wrong = client.get("/archives/nanjing/records/r/ABCDEFGHJKMNPQRS/")
    other_archive = client.get(f"/archives/xuanwu/records/r/{request.code}/")
    assert wrong.status_code == other_archive.status_code == 404

    def main(response):  # the page's content, the archive's name and slug aside
        text = re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)
        return text.replace("xuanwu", "nanjing")

    assert main(wrong) == main(other_archive)
    tracked = client.post("/archives/nanjing/records/track/", {"code": request.code.lower()})
    assert tracked.status_code == 302 and request.code in tracked["Location"]


def test_verify_page_unknown(client, db):
    response = client.get("/verify/NOPE1234")
    assert response.status_code == 404
    assert b'data-verdict="unknown"' in response.content


@pytest.fixture
def staff_client(client, desk):
    client.force_login(desk)
    return client


def test_console_verify_and_concurrent_action(client, nanjing, kinds, desk, desk2):
    request = apply(nanjing)
    client.force_login(desk)
    page = client.get(f"/console/records/nanjing/{request.pk}/")
    assert page.status_code == 200
    # Masked until taken on, then shown to the one working it.
    assert ID_NUMBER not in page.content.decode()
    act = f"/console/records/nanjing/{request.pk}/act/"
    client.post(act, {"action": "claim", "version": request.version})
    assert ID_NUMBER in client.get(f"/console/records/nanjing/{request.pk}/").content.decode()
    request.refresh_from_db()
    stale = request.version
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(act, {"action": "accept", "version": stale})
    client.force_login(desk2)
    response = client.post(act, {"action": "refuse", "message": "x", "version": stale}, follow=True)
    assert "in the meantime" in response.content.decode()
    assert ID_NUMBER not in response.content.decode()
    request.refresh_from_db()
    assert request.status == "accepted"


def test_console_overdue_queue_and_dashboard(client, nanjing, kinds, desk):
    import datetime

    request = apply(nanjing)
    RecordsRequest.objects.filter(pk=request.pk).update(due_on=datetime.date(2020, 1, 2))
    client.force_login(desk)
    queue = client.get("/console/records/nanjing/?queue=overdue")
    assert f'data-request="{request.pk}"' in queue.content.decode()
    dashboard = client.get("/console/")
    assert "records-use request is past its deadline" in dashboard.content.decode()
    row = f'<tr data-request="{request.pk}">'
    assert (
        'class="overdue"' in client.get("/console/records/nanjing/").content.decode().split(row)[1]
    )

    # An issued copy kept the promise: no longer marked late in the open list, nor counted.
    RecordsRequest.objects.filter(pk=request.pk).update(status=RecordsRequest.Status.ISSUED)
    queue = client.get("/console/records/nanjing/").content.decode()
    assert row in queue and 'class="overdue"' not in queue.split(row)[1].split("</tr>")[0]
    assert (
        f'data-request="{request.pk}"'
        not in client.get("/console/records/nanjing/?queue=overdue").content.decode()
    )


def test_other_archives_staff_cannot_open_a_request(client, nanjing, xuanwu, kinds, district):
    request = apply(nanjing)  # routed to Xuanwu but not forwarded yet
    client.force_login(district)
    assert client.get(f"/console/records/xuanwu/{request.pk}/").status_code == 404
    assert client.get(f"/console/records/nanjing/{request.pk}/").status_code == 403


def test_admin_pages_show_kinds_and_a_masked_request(client, nanjing, kinds):
    from tests.factories import UserFactory

    request = apply(nanjing)
    client.force_login(UserFactory(username="root", is_superuser=True))
    page = client.get(f"/admin/records_requests/recordsrequest/{request.pk}/change/")
    assert page.status_code == 200 and ID_NUMBER not in page.content.decode()
    assert client.get("/admin/records_requests/requestkind/").status_code == 200
    assert client.get("/admin/records_requests/holiday/").status_code == 200


def test_the_person_sends_more_material_from_the_status_page(client, nanjing, kinds, desk):
    from archivox.records_requests.services import workflow

    request = apply(nanjing)
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.request_verify(
            actor=desk,
            archive=nanjing,
            request_id=request.pk,
            version=request.version,
            decision="more",
            message="请上传身份证反面",
        )
    url = f"/archives/nanjing/records/r/{request.code}/"
    page = client.get(url).content.decode()
    assert "请上传身份证反面" in page and "data-supplement" in page
    bad = client.post(url, {"upload_id": SimpleUploadedFile("x.jpg", b"not an image")})
    assert bad.status_code == 400
    with TestCase.captureOnCommitCallbacks(execute=True):
        good = client.post(
            url, {"upload_id": SimpleUploadedFile("id2.png", png_bytes()), "note": "反面"}
        )
    assert good.status_code == 302
    request.refresh_from_db()
    assert request.status == "submitted"


def test_console_report(client, nanjing, kinds, desk):
    apply(nanjing, holding="unknown")
    client.force_login(desk)
    page = client.get("/console/records/nanjing/report/")
    assert page.status_code == 200 and b"data-report" in page.content


def test_staff_search_finds_restricted_descriptions_to_link(
    client, nanjing, kinds, desk, make_description
):
    make_description("NJ-XJ-1985-3", title="1985年学籍档案", access_level="confidential")
    request = apply(nanjing, holding="nanjing", category="school", district="", years_from="1985")
    from archivox.records_requests.services import workflow

    workflow.request_verify(
        actor=desk, archive=nanjing, request_id=request.pk, version=1, decision="accept"
    )
    client.force_login(desk)
    page = client.get(f"/console/records/nanjing/{request.pk}/?q=学籍").content.decode()
    assert "NJ-XJ-1985-3" in page
    client.post(
        f"/console/records/nanjing/{request.pk}/act/",
        {"action": "link", "version": 2, "reference_code": "NJ-XJ-1985-3"},
    )
    assert request.findings.count() == 1
    # The person's page never names it.
    assert (
        "NJ-XJ-1985-3"
        not in client.get(f"/archives/nanjing/records/r/{request.code}/").content.decode()
    )


def test_looking_codes_up_is_rate_limited_per_address(client, nanjing, kinds):
    from archivox.records_requests.views import LOOKUP_WINDOW, LOOKUPS_PER_WINDOW

    room_in_window(LOOKUP_WINDOW)

    for _n in range(LOOKUPS_PER_WINDOW):
        assert client.get("/archives/nanjing/records/r/ABCDEFGHJKMNPQRS/").status_code == 404
    request = apply(nanjing)
    # Past the limit, even a right code gets nothing: guessing gets nowhere.
    assert client.get(f"/archives/nanjing/records/r/{request.code}/").status_code == 429
    assert client.get("/verify/ABCDEFGHJKMNPQRS").status_code == 429


def test_the_archives_page_lists_proof_and_delivery_and_the_person_may_collect_nearby(
    client, nanjing, xuanwu, kinds
):
    from archivox.records_requests.services.setup import request_kind_save

    request_kind_save(
        actor=None,
        archive=xuanwu,
        category="marriage",
        years_from=1955,
        years_to=2005,
        districts=["玄武区"],
        proofs=["person", "unit"],
        deliveries=["download", "collect", "collect_nearest"],
        notes="请携带身份证原件",
    )
    page = client.get("/archives/xuanwu/records/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "接受的身份证明：" in text and "单位" in text
    assert "到档案所在馆领取；到受理申请的档案馆（就近）领取" in text
    assert "请携带身份证原件" in text
    # Applied at Nanjing, collected there though Xuanwu holds the record.
    response = post_form(client, delivery="collect_nearest")
    assert response.status_code == 302
    assert RecordsRequest.objects.get().get_delivery_display() == (
        "collect at the archive I applied to (the nearest)"
    )
    assert post_form(client, delivery="post", postal_address="南京").status_code == 400
