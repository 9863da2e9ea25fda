"""/api/v1/publishing/: posts CRUD, review actions, schedule and deliveries; 403 and 422 with
clear messages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from archivox.publishing.models import Post

pytestmark = pytest.mark.django_db

API = "/api/v1/publishing"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_api_takes_a_post_from_draft_to_published(
    as_user, archivist, reviewer, items, django_capture_on_commit_callbacks
):
    api = as_user(archivist)
    created = api.post(
        f"{API}/posts",
        {
            "archive": "nanjing",
            "title": "城墙",
            "body_html": "<p>正文</p>",
            "channels": ["portal", "feed"],
            "topics": ["城墙"],
            "items": [{"reference_code": "NJ-1-1", "use_image": True}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["items"][0]["reference_code"] == "NJ-1-1"
    patched = api.patch(f"{API}/posts/{pk}", {"digest": "摘要"}, content_type="application/json")
    assert patched.json()["digest"] == "摘要" and patched.json()["revision"] == 2
    assert api.post(f"{API}/posts/{pk}/submit").json()["status"] == "submitted"
    assert api.get(f"{API}/posts/{pk}/screening").json() == {"blocks": [], "warnings": []}
    preview = api.get(f"{API}/posts/{pk}/preview").json()
    assert set(preview) == {"portal", "feed"}
    reviewing = as_user(reviewer)
    approved = reviewing.post(f"{API}/posts/{pk}/approve", {}, content_type="application/json")
    assert approved.json()["status"] == "approved"
    api = as_user(archivist)
    with django_capture_on_commit_callbacks(execute=True):
        published = api.post(f"{API}/posts/{pk}/publish")
    assert published.status_code == 200
    deliveries = api.get(f"{API}/posts/{pk}/deliveries").json()
    assert {d["channel"]: d["status"] for d in deliveries} == {"portal": "sent", "feed": "sent"}


def test_unsafe_html_is_refused_with_422_naming_the_problem(as_user, archivist, items):
    response = as_user(archivist).post(
        f"{API}/posts",
        {"archive": "nanjing", "title": "x", "body_html": '<a href="javascript:alert(1)">x</a>'},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "javascript" in str(response.json()["detail"])
    assert not Post.objects.exists()


def test_approving_ones_own_post_or_without_the_role_is_refused(
    as_user, archivist, archivist_reviewer, make_post
):
    from archivox.publishing import services

    post = make_post(actor=archivist_reviewer)
    services.post_submit(actor=archivist_reviewer, post=post)
    own = as_user(archivist_reviewer).post(
        f"{API}/posts/{post.pk}/approve", {}, content_type="application/json"
    )
    assert own.status_code == 422 and "your own post" in str(own.json()["detail"])
    other = as_user(archivist).post(
        f"{API}/posts/{post.pk}/approve", {}, content_type="application/json"
    )
    assert other.status_code == 403 and "publishing.review" in other.json()["detail"]


def test_schedule_in_the_past_is_422_and_in_the_future_returns_warnings(
    as_user, archivist, approved_post
):
    post = approved_post()
    api = as_user(archivist)
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    refused = api.post(
        f"{API}/posts/{post.pk}/schedule", {"when": past}, content_type="application/json"
    )
    assert refused.status_code == 422 and "in the past" in str(refused.json()["detail"])
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    accepted = api.post(
        f"{API}/posts/{post.pk}/schedule", {"when": future}, content_type="application/json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["post"]["status"] == "scheduled" and accepted.json()["warnings"] == []


def test_staff_of_another_archive_get_403_and_anonymous_401(client, make_post, db):
    from archivox.core.models import Membership, Role
    from tests.factories import ArchiveFactory, UserFactory

    post = make_post()
    assert client.get(f"{API}/posts/{post.pk}").status_code == 401
    outsider = UserFactory(username="outsider")
    Membership.objects.create(
        user=outsider, archive=ArchiveFactory(slug="suzhou"), role=Role.ARCHIVIST
    )
    client.force_login(outsider)
    assert client.get(f"{API}/posts/{post.pk}").status_code == 403
    assert client.get(f"{API}/posts?archive=nanjing").status_code == 403


def test_the_calendar_endpoint_lists_planned_posts(as_user, archivist, approved_post):
    from archivox.publishing import services

    post = approved_post()
    when = timezone.localtime() + datetime.timedelta(days=2)
    services.post_schedule(actor=archivist, post=post, when=when)
    body = (
        as_user(archivist)
        .get(f"{API}/calendar", {"archive": "nanjing", "month": when.strftime("%Y-%m")})
        .json()
    )
    assert [p["id"] for d in body["days"] for p in d["posts"]] == [post.pk]
