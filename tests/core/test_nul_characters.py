"""NUL characters never reach the database (PostgreSQL cannot hold them): refused with 400."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def test_a_nul_in_the_query_string_is_refused_with_400(client):
    response = client.get("/api/v1/engagement/inbox", {"archive": "nan\x00jing"})
    assert response.status_code == 400
    assert b"NUL characters" in response.content
    assert client.get("/search/", {"q": "\x00白崇禧"}).status_code == 400


def test_a_nul_in_a_json_or_form_body_is_refused_with_400(client):
    body = json.dumps({"slot_id": 1, "name": "读者\x00", "contact": "a@example.cn"})
    response = client.post(
        "/api/v1/engagement/reservations/nanjing/bookings", body, content_type="application/json"
    )
    assert response.status_code == 400
    form = client.post(
        "/archives/nanjing/ask/",
        "question=a%00b",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 400
    # A multipart form's fields are checked too (its files are not: they are binary).
    assert client.post("/archives/nanjing/ask/", {"question": "a\x00b"}).status_code == 400


def test_uploads_may_carry_nul_bytes(client):
    # A multipart body is not inspected: files are binary (the view then answers as usual).
    upload = SimpleUploadedFile("scan.jpg", b"\xff\xd8\x00\x00binary", content_type="image/jpeg")
    response = client.post("/archives/nanjing/ask/", {"file": upload, "question": "你好"})
    assert response.status_code != 400 or b"NUL characters" not in response.content
