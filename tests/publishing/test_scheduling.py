"""Scheduling: the plan lives in the database and the periodic task publishes what is due;
the calendar warns when a plan breaks WeChat's one mass send a day; freshness warnings."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from archivox.core.models import PlatformAccount
from archivox.publishing import selectors, services, tasks
from archivox.publishing.models import Delivery, DeskSettings, Post

pytestmark = pytest.mark.django_db


def test_a_scheduled_post_is_published_by_the_periodic_task_when_due(
    approved_post, archivist, django_capture_on_commit_callbacks
):
    post = approved_post()
    when = timezone.now() + datetime.timedelta(hours=2)
    services.post_schedule(actor=archivist, post=post, when=when)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.publishing_every_minute.call_local()
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED  # not yet
    assert services.posts_publish_due(now=when - datetime.timedelta(seconds=1)) == 0
    # Two hours later (a worker or the web server may have restarted meanwhile: the plan is a
    # row in the database, not a message in the queue).
    with django_capture_on_commit_callbacks(execute=True):
        assert services.posts_publish_due(now=when + datetime.timedelta(seconds=1)) == 1
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert set(Delivery.objects.filter(post=post).values_list("status", flat=True)) == {"sent"}
    # Run again: nothing is published twice.
    assert services.posts_publish_due(now=when + datetime.timedelta(minutes=5)) == 0
    assert Delivery.objects.filter(post=post).count() == 3


def test_pending_deliveries_whose_task_was_lost_are_resumed(approved_post, archivist):
    post = approved_post()
    # Published, but the queue lost the tasks (no on-commit execution here). Our own portal
    # and feed were sent as they were made; the email waits for its task.
    services.post_publish_now(actor=archivist, post=post)
    statuses = dict(Delivery.objects.filter(post=post).values_list("channel", "status"))
    assert statuses == {"portal": "sent", "feed": "sent", "email": "pending"}
    later = timezone.now() + services.LOST_PENDING + datetime.timedelta(seconds=1)
    for pk in services.deliveries_resume(now=later):
        tasks.delivery_send(pk)
    assert set(Delivery.objects.filter(post=post).values_list("status", flat=True)) == {"sent"}


def test_the_calendar_shows_planned_and_published_posts_and_warns_of_two_mass_sends_a_day(
    approved_post, archivist, archive
):
    PlatformAccount.objects.create(
        archive=archive, platform="wechat", appid="wx1", app_secret="s", wechat_type="subscription"
    )
    day = timezone.localtime() + datetime.timedelta(days=3)
    morning = day.replace(hour=9, minute=0, second=0, microsecond=0)
    first = approved_post(title="上午", channels=["wechat", "portal"], wechat_mode="mass_send")
    second = approved_post(title="下午", channels=["wechat", "portal"], wechat_mode="mass_send")
    assert services.post_schedule(actor=archivist, post=first, when=morning) == []
    warnings = services.post_schedule(
        actor=archivist, post=second, when=morning + datetime.timedelta(hours=6)
    )
    assert len(warnings) == 1 and "once a day" in warnings[0] and "上午" in warnings[0]
    days = selectors.calendar_month(
        user=archivist, archive=archive, year=morning.year, month=morning.month
    )
    [planned] = [d for d in days if d.day == morning.date()]
    assert {p.title for p in planned.posts} == {"上午", "下午"}
    assert len(planned.warnings) == 1


def test_freshness_warns_after_n_days_without_an_original_post(
    approved_post, archivist, archive, settings
):
    assert "No original post" in selectors.freshness_warning(archive=archive)
    post = approved_post()
    services.post_publish_now(actor=archivist, post=post)
    assert selectors.freshness_warning(archive=archive) == ""
    in_eight_days = timezone.now() + datetime.timedelta(days=8)
    assert "No original post for 8 days" in selectors.freshness_warning(
        archive=archive, now=in_eight_days
    )
    DeskSettings.objects.create(archive=archive, freshness_days=10)
    assert selectors.freshness_warning(archive=archive, now=in_eight_days) == ""
    DeskSettings.objects.all().delete()
    settings.ARCHIVOX_FRESHNESS_DAYS = 30
    assert selectors.freshness_warning(archive=archive, now=in_eight_days) == ""


def test_forwards_do_not_count_as_fresh_original_content(approved_post, archivist, archive):
    post = approved_post(origin="forward", forward_source="国家档案局")
    services.post_publish_now(actor=archivist, post=post)
    assert "No original post" in selectors.freshness_warning(archive=archive)


def test_a_scheduled_post_can_be_moved_and_unscheduled(approved_post, archivist):
    post = approved_post()
    services.post_schedule(
        actor=archivist, post=post, when=timezone.now() + datetime.timedelta(days=1)
    )
    services.post_schedule(
        actor=archivist, post=post, when=timezone.now() + datetime.timedelta(days=2)
    )
    services.post_unschedule(actor=archivist, post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED and post.scheduled_for is None
