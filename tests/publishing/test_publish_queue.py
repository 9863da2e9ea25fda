"""Publishing with the work in the workers (issue 24): the desk queues, a task renders and
creates the deliveries; a lost task is caught by the periodic one; a refusal found by the
worker puts the post back and tells the author."""

from __future__ import annotations

import pytest

from archivox.core.models import AuditEntry, PlatformAccount
from archivox.publishing import services
from archivox.publishing.models import Delivery, Notice, Post
from archivox.publishing.services.desk import PublishingError
from archivox.sandbox.provisioning import sandbox_credentials_ensure

pytestmark = pytest.mark.django_db


def test_queued_publishing_makes_the_deliveries_in_the_task(
    approved_post, archivist, django_capture_on_commit_callbacks
):
    posts = [approved_post() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for post in posts:
            services.post_publish_queue(actor=archivist, post=post)
    # In the caller: nothing rendered, nothing delivered; the posts wait for this minute.
    assert not Delivery.objects.exists()
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.SCHEDULED}
    assert len(queued) == 3
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.PUBLISHED}
    assert Delivery.objects.count() == 9
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    # A repeated task makes nothing more.
    assert services.post_publish_queued(post_id=posts[0].pk, actor_id=archivist.pk) == 0
    assert Delivery.objects.count() == 9


def test_our_portal_and_feed_are_sent_as_the_deliveries_are_made(
    approved_post, archivist, django_capture_on_commit_callbacks
):
    """Sending to our own portal and feed only records that the post may be shown: it is done
    in the publishing transaction, with no task to wait for (issue 24), and recorded like any
    other send (its audit entry, its WARC copy after the commit)."""
    post = approved_post()
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        services.post_publish_now(actor=archivist, post=post)
    deliveries = {d.channel: d for d in Delivery.objects.filter(post=post)}
    assert deliveries["email"].status == Delivery.Status.PENDING
    for channel in ("portal", "feed"):
        sent = deliveries[channel]
        assert sent.status == Delivery.Status.SENT and sent.attempts == 1
        assert sent.sent_at is not None and sent.remote_id == f"{channel}:{post.pk}"
        assert sent.url.startswith("http")
    assert sorted(
        entry.after["channel"] for entry in AuditEntry.objects.filter(action="delivery.sent")
    ) == ["feed", "portal"]
    # After the commit: the email's task and the two WARC copies; nothing sends them again.
    assert len(after_commit) == 3
    with django_capture_on_commit_callbacks(execute=True):
        for callback in after_commit:
            callback()
    assert set(Delivery.objects.filter(post=post).values_list("status", flat=True)) == {"sent"}
    assert AuditEntry.objects.filter(action="delivery.sent").count() == 3
    assert Delivery.objects.filter(post=post, archived_at__isnull=False).count() == 3


def test_a_lost_publishing_task_is_made_good_by_the_periodic_task(
    approved_post, archivist, django_capture_on_commit_callbacks
):
    post = approved_post()
    with django_capture_on_commit_callbacks(execute=False):
        services.post_publish_queue(actor=archivist, post=post)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.posts_publish_due() == 1
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert Delivery.objects.filter(post=post).count() == 3


def test_what_is_cheap_to_check_is_refused_in_the_caller(approved_post, make_post, archivist):
    draft = make_post()
    with pytest.raises(PublishingError, match="only approved posts"):
        services.post_publish_queue(actor=archivist, post=draft)
    post = approved_post(channels=["portal", "weibo"])
    with pytest.raises(PublishingError, match="no active account for weibo"):
        services.post_publish_queue(actor=archivist, post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED


def test_a_refusal_found_by_the_worker_puts_the_post_back_and_tells_the_author(
    approved_post, archive, archivist, django_capture_on_commit_callbacks
):
    sandbox_credentials_ensure(archive)
    post = approved_post(channels=["portal", "weibo"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.post_publish_queue(actor=archivist, post=post)
    # The Weibo account is switched off before the worker gets to the post.
    PlatformAccount.objects.filter(archive=archive, platform="weibo").update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED and post.scheduled_for is None
    assert not Delivery.objects.filter(post=post).exists()
    notice = Notice.objects.get(post=post)
    assert notice.user == post.created_by and "weibo" in notice.message
    # Nothing is published behind the author's back a minute later.
    assert services.posts_publish_due() == 0


def test_many_posts_are_queued_at_once_and_the_refused_ones_stay_as_they_were(
    approved_post, make_post, archivist, django_capture_on_commit_callbacks
):
    good = [approved_post() for _ in range(3)]
    draft = make_post()
    no_account = approved_post(channels=["portal", "weibo"])
    with django_capture_on_commit_callbacks(execute=False) as queued_tasks:
        queued, refused = services.posts_publish_queue(
            actor=archivist, posts=[good[0], draft, good[1], no_account, good[2]]
        )
    assert [post.pk for post in queued] == [post.pk for post in good]
    assert set(refused) == {draft.pk, no_account.pk}
    assert "only approved posts" in str(refused[draft.pk])
    assert "no active account for weibo" in str(refused[no_account.pk])
    no_account.refresh_from_db()
    assert no_account.status == Post.Status.APPROVED and no_account.scheduled_for is None
    assert not Delivery.objects.exists() and len(queued_tasks) == 3
    with django_capture_on_commit_callbacks(execute=True):
        for task in queued_tasks:
            task()
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 9
    assert set(
        Post.objects.filter(pk__in=[p.pk for p in good]).values_list("status", flat=True)
    ) == {Post.Status.PUBLISHED}


def test_queueing_many_posts_is_refused_whole_without_the_right(
    approved_post, archive, django_capture_on_commit_callbacks
):
    from django.core.exceptions import PermissionDenied

    from tests.factories import UserFactory

    posts = [approved_post() for _ in range(2)]
    with (
        pytest.raises(PermissionDenied),
        django_capture_on_commit_callbacks(execute=False) as tasks,
    ):
        services.posts_publish_queue(actor=UserFactory(), posts=posts)
    assert not tasks
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.APPROVED}
