"""The desk's console pages render for staff and drive the workflow through forms."""

from __future__ import annotations

import pytest

from archivox.publishing.models import Post

pytestmark = pytest.mark.django_db

DESK = "/console/publishing"


def test_the_desk_lists_posts_by_status_with_the_freshness_warning(client, archivist, make_post):
    make_post(title="草稿一")
    client.force_login(archivist)
    page = client.get(f"{DESK}/?archive=nanjing")
    assert page.status_code == 200
    html = page.content.decode()
    assert "草稿一" in html and "No original post" in html


def test_compose_with_the_item_picker_then_submit_from_the_post_page(client, archivist, items):
    client.force_login(archivist)
    form = client.get(f"{DESK}/archives/nanjing/new/?q=城墙")
    assert "NJ-1-1" in form.content.decode()
    description = items["open"]
    response = client.post(
        f"{DESK}/archives/nanjing/new/",
        {
            "kind": "article",
            "title": "城墙",
            "body_html": "<p>正文</p>",
            "channels": ["portal", "feed", "email"],
            "item": [str(description.pk)],
            f"use_image_{description.pk}": "on",
            "origin": "original",
            "wechat_mode": "publish",
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert post.post_items.get().use_image
    page = client.get(f"{DESK}/posts/{post.pk}/")
    assert page.status_code == 200
    assert "Preview per channel" in page.content.decode() or "portal" in page.content.decode()
    client.post(f"{DESK}/posts/{post.pk}/submit/")
    post.refresh_from_db()
    assert post.status == Post.Status.SUBMITTED


def test_a_refused_form_shows_the_problem_and_keeps_the_input(client, archivist, items):
    client.force_login(archivist)
    response = client.post(
        f"{DESK}/archives/nanjing/new/",
        {
            "kind": "article",
            "title": "坏",
            "body_html": "<script>x()</script>",
            "channels": ["portal"],
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "&lt;script&gt; elements are not allowed" in html
    assert "坏" in html
    assert not Post.objects.exists()


def test_review_page_shows_warning_spans_and_takes_an_override(
    client, archivist, reviewer, make_post
):
    from archivox.publishing import services

    post = make_post(body_html="<p>电话13812345678</p>")
    services.post_submit(actor=archivist, post=post)
    client.force_login(reviewer)
    html = client.get(f"{DESK}/posts/{post.pk}/").content.decode()
    assert "<mark>13812345678</mark>" in html
    finding = services.post_screen(post=post).warnings[0]
    client.post(f"{DESK}/posts/{post.pk}/override/", {"finding": finding.key, "reason": "馆内电话"})
    client.post(f"{DESK}/posts/{post.pk}/approve/", {})
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED


def test_calendar_deliveries_warc_and_settings_pages_render(client, archivist, reviewer, archive):
    from archivox.core.models import Membership, Role

    Membership.objects.create(user=reviewer, archive=archive, role=Role.ADMINISTRATOR)
    client.force_login(reviewer)
    for path in ("calendar/", "calendar/?month=2026-02", "deliveries/", "warc/", "settings/"):
        assert client.get(f"{DESK}/archives/nanjing/{path}").status_code == 200, path
    response = client.post(
        f"{DESK}/archives/nanjing/settings/",
        {"words": "绝密 | block\n内部 | warn", "freshness_days": "5"},
    )
    assert response.status_code == 200
    from archivox.core.screening import sensitive_word_list
    from archivox.publishing.selectors import freshness_days

    assert {w.word: w.severity for w in sensitive_word_list(archive=archive)} == {
        "绝密": "block",
        "内部": "warn",
    }
    assert freshness_days(archive) == 5


def test_staff_without_a_role_in_the_archive_get_403(client, db, archive):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(f"{DESK}/archives/nanjing/calendar/").status_code == 403


def test_the_week_view_lists_the_posts_planned_that_week(client, archivist, approved_post):
    import datetime

    from django.utils import timezone

    from archivox.publishing import services

    post = approved_post()
    when = timezone.localtime() + datetime.timedelta(days=2)
    services.post_schedule(actor=archivist, post=post, when=when)
    client.force_login(archivist)
    week = client.get(
        f"{DESK}/archives/nanjing/calendar/", {"week": when.date().isoformat()}
    ).content.decode()
    assert post.title in week
    following = when.date() + datetime.timedelta(days=7)
    later = client.get(
        f"{DESK}/archives/nanjing/calendar/", {"week": following.isoformat()}
    ).content.decode()
    assert post.title not in later
    assert client.get(f"{DESK}/archives/nanjing/calendar/?week=not-a-date").status_code == 200


def test_a_bad_schedule_time_names_the_field_and_leaves_the_post_approved(
    client, archivist, reviewer, make_post
):
    from archivox.publishing import services

    post = make_post()
    services.post_submit(actor=archivist, post=post)
    services.post_approve(actor=reviewer, post=post)
    client.force_login(archivist)
    response = client.post(f"{DESK}/posts/{post.pk}/schedule/", {"when": "next tuesday"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Publish at: give the date and time as YYYY-MM-DD HH:MM" in html
    past = client.post(f"{DESK}/posts/{post.pk}/schedule/", {"when": "2001-01-01T08:00"})
    assert past.status_code == 422 and "is in the past" in past.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED and post.scheduled_for is None


@pytest.mark.chinese
def test_a_bad_threshold_is_explained_in_chinese_and_the_words_are_kept(client, reviewer, archive):
    from archivox.core.models import Membership, Role
    from archivox.core.screening import sensitive_word_list

    Membership.objects.create(user=reviewer, archive=archive, role=Role.ADMINISTRATOR)
    client.force_login(reviewer)
    response = client.post(
        f"{DESK}/archives/nanjing/settings/",
        {"words": "绝密 | block", "freshness_days": "五"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "freshness_days" not in html.split("<form", 1)[0]
    assert "请输入整数天数" in html  # the label and the message are Chinese
    assert "绝密 | block</textarea>" in html and 'value="五"' in html  # what was typed stays
    assert not sensitive_word_list(archive=archive)  # nothing half-saved
