"""/api/v1/engagement/: the inbox and the auto-reply rules for staff, the ask endpoint for all."""

from __future__ import annotations

import json

import pytest

from archivox.consultations import services
from archivox.consultations.models import AutoReplyRule, Consultation
from archivox.consultations.services import asking
from archivox.core.models import Role
from archivox.core.services import membership_grant
from tests.factories import UserFactory
from tests.helpers import room_in_window

pytestmark = pytest.mark.django_db

API = "/api/v1/engagement"


def post(client, path, body):
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def question(inbox_archive):
    return services.consultation_ask(
        archive=inbox_archive, name="陈", email="chen@example.org", question="<b>查</b>档"
    ).consultation


def test_staff_list_filter_and_read_a_consultation(client, staff, question):
    client.force_login(staff)
    listed = client.get(f"{API}/inbox", {"archive": "nanjing", "status": "new", "channel": "web"})
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == [question.pk]
    assert client.get(f"{API}/inbox", {"status": "closed"}).json() == []
    detail = client.get(f"{API}/consultations/{question.pk}").json()
    assert detail["thread"][0]["text"] == "<b>查</b>档"  # JSON carries the text as sent


def test_the_inbox_api_needs_a_session(client, question):
    assert client.get(f"{API}/inbox").status_code == 401
    assert post(client, f"/consultations/{question.pk}/close", {}).status_code == 401


def test_staff_answer_assign_tag_note_and_close_through_the_api(
    client, staff, question, mailoutbox
):
    client.force_login(staff)
    assigned = post(client, f"/consultations/{question.pk}/assign", {"username": staff.username})
    assert assigned.json()["status"] == "assigned"
    assert post(client, f"/consultations/{question.pk}/tags", {"add": ["genealogy"]}).json() == [
        "genealogy"
    ]
    assert (
        post(client, f"/consultations/{question.pk}/notes", {"text": "查家谱"}).status_code == 201
    )
    empty = post(client, f"/consultations/{question.pk}/answer", {"text": "  "})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    answered = post(client, f"/consultations/{question.pk}/answer", {"text": "请来馆查阅。"})
    assert answered.status_code == 200
    assert answered.json()["state"] == "sent" and answered.json()["via"] == "email"
    assert len(mailoutbox) == 1
    closed = post(client, f"/consultations/{question.pk}/close", {})
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]


def test_another_archives_staff_get_404(client, question):
    from tests.factories import ArchiveFactory

    other = UserFactory(username="other")
    membership_grant(
        actor=None, archive=ArchiveFactory(slug="suzhou"), user=other, role=Role.ARCHIVIST
    )
    client.force_login(other)
    assert client.get(f"{API}/consultations/{question.pk}").status_code == 404
    assert client.get(f"{API}/inbox", {"archive": "nanjing"}).status_code == 403


def test_rules_crud_and_test_through_the_api(client, staff, inbox_archive):
    client.force_login(staff)
    rule = {"name": "x", "match": "regex", "pattern": "(a*)*", "kind": "text", "text": "t"}
    bad = post(client, "/archives/nanjing/rules", rule)
    assert bad.status_code == 422 and "pattern" in bad.json()["detail"]
    created = post(client, "/archives/nanjing/rules",
                   {"name": "hours", "match": "contains", "pattern": "时间", "kind": "text",
                    "text": "9-17"})  # fmt: skip
    assert created.status_code == 201
    rule_id = created.json()["id"]
    tested = post(client, "/archives/nanjing/rules/test", {"text": "开放时间？"}).json()
    assert tested["rule"] == rule_id and tested["text"] == "9-17"
    body = {**created.json(), "text": "9:00-17:00"}
    body.pop("id")
    updated = client.put(
        f"{API}/rules/{rule_id}", json.dumps(body), content_type="application/json"
    )
    assert updated.json()["text"] == "9:00-17:00"
    assert [r["id"] for r in client.get(f"{API}/archives/nanjing/rules").json()] == [rule_id]
    assert client.delete(f"{API}/rules/{rule_id}").status_code == 204
    assert not AutoReplyRule.objects.exists()
    untouched = post(client, "/archives/nanjing/rules/test", {"text": "开放时间？"}).json()
    assert untouched["to_staff"] is True


def test_an_archivist_may_answer_but_not_change_rules(client, inbox_archive):
    archivist = UserFactory(username="archivist")
    membership_grant(actor=None, archive=inbox_archive, user=archivist, role=Role.ARCHIVIST)
    client.force_login(archivist)
    rule = {"name": "x", "match": "exact", "pattern": "a", "kind": "text", "text": "t"}
    refused = post(client, "/archives/nanjing/rules", rule)
    assert refused.status_code == 403


def test_the_public_ask_endpoint_is_validated_and_rate_limited(client, inbox_archive):
    room_in_window(asking.ASK_WINDOW_SECONDS)
    bad = post(client, "/archives/nanjing/ask", {"email": "nope", "question": "q"})
    assert bad.status_code == 422 and "email" in bad.json()["detail"]
    for n in range(asking.ASK_LIMIT_PER_IP - 0):
        ok = post(client, "/archives/nanjing/ask", {"email": "a@example.org", "question": f"q{n}"})
        assert ok.status_code == 201, ok.content
    assert ok.json()["promise_working_days"] == 1 and ok.json()["private_url"]
    limited = post(client, "/archives/nanjing/ask", {"email": "a@example.org", "question": "again"})
    assert limited.status_code == 429
    assert Consultation.objects.count() == 1  # one person, one thread


def test_feedback_through_the_api(client, staff, question):
    refused = post(client, f"/archives/nanjing/feedback/{question.token}", {"rating": 5})
    assert refused.status_code == 409
    services.consultation_answer(actor=staff, consultation=question, text="好的")
    assert (
        post(client, f"/archives/nanjing/feedback/{question.token}", {"rating": 0}).status_code
        == 422
    )
    assert (
        post(client, f"/archives/nanjing/feedback/{question.token}", {"rating": 5}).status_code
        == 200
    )
    assert post(client, "/archives/nanjing/feedback/nope", {"rating": 5}).status_code == 404


def test_stats_through_the_api(client, staff, question):
    client.force_login(staff)
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    stats = client.get(
        f"{API}/archives/nanjing/stats",
        {"start": today.isoformat(), "end": (today + datetime.timedelta(days=1)).isoformat()},
    ).json()
    assert stats["opened"] == 1 and stats["answered"] == 0
