"""/api/v1/records/: the person's status by code (POST body), verification, and the staff
queue, actions (a stale version answers 409) and report."""

import json

from django.test import TestCase

from archivox.records_requests.models import RecordsRequest
from tests.records_requests.conftest import ID_NUMBER, apply


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_person_status_and_identical_unknown_answers(client, nanjing, xuanwu, kinds):
    request = apply(nanjing)
    found = post(client, "/api/v1/records/nanjing/status", {"code": request.code.lower()})
    assert found.status_code == 200
    body = found.json()
    assert body["status"] == "submitted" and body["copies"] == []
    assert ID_NUMBER not in found.content.decode() and "王小明" not in found.content.decode()
    unknown = post(client, "/api/v1/records/nanjing/status", {"code": "ABCDEFGHJKMNPQRS"})
    elsewhere = post(client, "/api/v1/records/xuanwu/status", {"code": request.code})
    assert unknown.status_code == elsewhere.status_code == 404
    assert unknown.json() == elsewhere.json()
    assert client.get("/api/v1/records/verify/NOPE").status_code == 404


def test_staff_queue_actions_conflict_and_report(client, nanjing, xuanwu, kinds, desk, district):
    request = apply(nanjing)
    client.force_login(desk)
    rows = client.get("/api/v1/records/nanjing/requests").json()
    assert [row["id"] for row in rows] == [request.pk]
    assert rows[0]["id_number"] != ID_NUMBER  # masked: not taken on by this user
    act = f"/api/v1/records/nanjing/requests/{request.pk}/act"
    with TestCase.captureOnCommitCallbacks(execute=True):
        accepted = post(client, act, {"action": "accept", "version": 1})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    stale = post(client, act, {"action": "refuse", "version": 1, "message": "x"})
    assert stale.status_code == 409 and stale.json()["reason"] == "conflict"
    outside = post(client, act, {"action": "forward", "version": 2, "holding": "nowhere"})
    assert outside.status_code == 409 and outside.json()["reason"] == "outside"
    with TestCase.captureOnCommitCallbacks(execute=True):
        forwarded = post(client, act, {"action": "forward", "version": 2, "holding": "xuanwu"})
    assert forwarded.json()["forwarded"] is True
    client.force_login(district)
    xw = f"/api/v1/records/xuanwu/requests/{request.pk}/act"
    with TestCase.captureOnCommitCallbacks(execute=True):
        post(client, xw, {"action": "not_found", "version": 3})
        issued = post(client, xw, {"action": "issue", "version": 4})
    assert issued.json()["status"] == "issued"
    copy = RecordsRequest.objects.get().copies.get()
    verified = client.get(f"/api/v1/records/verify/{copy.verification_code}").json()
    assert verified["sha256"] == copy.sha256 and verified["revoked"] is False
    report = client.get("/api/v1/records/xuanwu/report").json()
    assert report["total"] == 1 and report["by_category"]
    assert client.get("/api/v1/records/nanjing/report").status_code == 403
