"""Deliveries to the portal, the feeds and email: exactly once, retries with back-off,
permanent failures stop and tell the author, and a crash between send and record is
reconciled instead of sent again."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from archivox.publishing import services, tasks
from archivox.publishing.models import Delivery, EmailSend, EmailSubscriber, Notice, Post
from tests.helpers import run_at_once
from tests.publishing import failing_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers(archive):
    return [
        EmailSubscriber.objects.create(
            archive=archive, email=f"reader{n}@example.cn", confirmed=True
        )
        for n in range(3)
    ] + [EmailSubscriber.objects.create(archive=archive, email="unconfirmed@example.cn")]


def publish(post, actor, capture):
    with capture(execute=True):
        return services.post_publish_now(actor=actor, post=post)


def test_a_published_post_is_delivered_once_to_portal_feed_and_each_confirmed_subscriber(
    approved_post, archivist, subscribers, django_capture_on_commit_callbacks, client
):
    post = approved_post()
    mail.outbox.clear()
    publish(post, archivist, django_capture_on_commit_callbacks)
    deliveries = {d.channel: d for d in Delivery.objects.filter(post=post)}
    assert set(deliveries) == {"portal", "feed", "email"}
    assert all(d.status == Delivery.Status.SENT for d in deliveries.values())
    assert all(d.attempts == 1 for d in deliveries.values())
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.cn" for n in range(3)]
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/posts/subscribe/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    html = message.alternatives[0][0]
    assert "unsubscribe_url" not in html and "/subscribe/unsubscribe/" in html
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    # The portal page quotes the item the post draws on, as the desk's preview showed.
    page = client.get(f"/archives/{post.archive.slug}/posts/{post.pk}/").content.decode()
    assert "明代南京城墙全图，绢本设色。" in page
    # Running the tasks again sends nothing more.
    for delivery in deliveries.values():
        tasks.delivery_send(delivery.pk)
    assert len(mail.outbox) == 3


def test_transient_errors_are_retried_with_back_off_then_sent(
    approved_post, archivist, subscribers, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.publishing.failing_mail.FlakyBackend"
    failing_mail.state["fail_times"] = 2
    post = approved_post(channels=["email"])
    mail.outbox.clear()
    publish(post, archivist, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == Delivery.Status.PENDING
    assert "Connection refused" in delivery.error
    first_wait = delivery.next_attempt_at - timezone.now()
    assert delivery.reconcile_first
    with django_capture_on_commit_callbacks(execute=True):
        tasks.delivery_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at - timezone.now() > first_wait  # backs off
    with django_capture_on_commit_callbacks(execute=True):
        tasks.delivery_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 3
    assert len(mail.outbox) == 3
    assert EmailSend.objects.filter(delivery=delivery).count() == 3


def test_wrong_credentials_fail_the_delivery_for_good_and_notify_the_author(
    approved_post, archivist, subscribers, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.publishing.failing_mail.WrongCredentialsBackend"
    post = approved_post(channels=["portal", "email"])
    publish(post, archivist, django_capture_on_commit_callbacks)
    email = Delivery.objects.get(post=post, channel="email")
    assert email.status == Delivery.Status.FAILED
    assert "refused our credentials" in email.error
    assert email.sent_at is None and email.remote_id == ""
    assert Delivery.objects.get(post=post, channel="portal").status == Delivery.Status.SENT
    notice = Notice.objects.get(user=archivist)
    assert "not delivered to email" in notice.message
    # Running it again does not try again: a permanent error waits for a person.
    tasks.delivery_send(email.pk)
    email.refresh_from_db()
    assert email.status == Delivery.Status.FAILED and email.attempts == 1


def test_a_worker_killed_mid_send_mails_nobody_twice(
    approved_post, archivist, subscribers, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.publishing.failing_mail.CrashAfterFirstBackend"
    post = approved_post(channels=["email"])
    mail.outbox.clear()
    publish(post, archivist, django_capture_on_commit_callbacks)  # huey logs "did not finish"
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == Delivery.Status.SENDING  # committed before the send
    assert len(mail.outbox) == 1
    # The worker restarts; the sweeper finds the stranded delivery and the run reconciles.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + services.STALE_SENDING
    assert delivery.pk in services.deliveries_resume(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.delivery_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients))  # at most once each
    # The reader whose message was in flight when the worker died is not mailed again (it
    # may have left); the record says so.
    assert recipients == ["reader0@example.cn", "reader2@example.cn"]
    uncertain = EmailSend.objects.get(delivery=delivery, email="reader1@example.cn")
    assert uncertain.sent_at is None


def test_a_recorded_crash_after_send_is_reconciled_not_sent_again(
    approved_post, archivist, subscribers, django_capture_on_commit_callbacks
):
    post = approved_post(channels=["email"])
    mail.outbox.clear()
    publish(post, archivist, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(post=post)
    # As if the worker died after the platform accepted but before we recorded it.
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENDING)
    tasks.delivery_send(delivery.pk)  # another worker's `sending`: left alone
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENDING
    later = timezone.now() + services.STALE_SENDING  # the sweep finds it stranded
    assert delivery.pk in services.deliveries_resume(now=later)
    tasks.delivery_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 3


def test_withdrawal_hides_the_post_from_portal_and_feed_and_records_what_cannot_be_withdrawn(
    approved_post, archivist, subscribers, django_capture_on_commit_callbacks, client
):
    post = approved_post()
    publish(post, archivist, django_capture_on_commit_callbacks)
    assert client.get(f"/archives/nanjing/posts/{post.pk}/").status_code == 200
    services.post_withdraw(actor=archivist, post=post, reason="错误的年代")
    deliveries = {d.channel: d for d in Delivery.objects.filter(post=post)}
    assert deliveries["portal"].status == Delivery.Status.WITHDRAWN
    assert deliveries["feed"].status == Delivery.Status.WITHDRAWN
    assert deliveries["email"].status == Delivery.Status.SENT
    assert "cannot be taken back" in deliveries["email"].withdraw_note
    assert client.get(f"/archives/nanjing/posts/{post.pk}/").status_code == 404
    assert "<entry>" not in client.get("/feeds/nanjing/atom.xml").content.decode()


def test_a_channel_the_archive_has_no_account_for_is_refused_before_anything_is_sent(
    approved_post, archivist
):
    post = approved_post(channels=["portal", "weibo"])
    with pytest.raises(Exception, match="no active account for weibo"):
        services.post_publish_now(actor=archivist, post=post)
    assert not Delivery.objects.filter(post=post).exists()
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED


def test_deliveries_have_one_idempotency_key_each_generated_once(
    approved_post, archivist, django_capture_on_commit_callbacks
):
    post = approved_post()
    publish(post, archivist, django_capture_on_commit_callbacks)
    keys = list(Delivery.objects.values_list("idempotency_key", flat=True))
    assert len(set(keys)) == 3
    delivery = Delivery.objects.first()
    tasks.delivery_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.idempotency_key in keys


@pytest.mark.django_db(transaction=True)
def test_tasks_racing_for_one_pending_delivery_send_it_once(approved_post, archivist, subscribers):
    """A retry and a sweep, or two workers' sweeps, may run one delivery's task at the same
    moment: the claim lets exactly one of them send."""
    post = approved_post(channels=["email"])
    services.post_publish_now(actor=archivist, post=post)
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == Delivery.Status.SENT
    # As it was before its task ran: pending, nobody mailed.
    EmailSend.objects.filter(delivery=delivery).delete()
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING, attempts=0)
    mail.outbox.clear()
    run_at_once(lambda: tasks.delivery_send(delivery.pk), 6)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.cn" for n in range(3)]


def test_sending_reads_the_delivery_post_and_archive_once_and_what_it_needs_of_them(
    approved_post, archivist, subscribers, django_capture_on_commit_callbacks
):
    """The claim reads only what sending uses of the delivery, its post and its archive (issue
    24); a field it left out would be read again, one query more: none is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post = approved_post()
    services.post_publish_now(actor=archivist, post=post)  # the email waits for its task
    email = Delivery.objects.get(post=post, channel="email")
    mail.outbox.clear()
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False),
    ):
        tasks.delivery_send(email.pk)
    assert Delivery.objects.get(pk=email.pk).status == Delivery.Status.SENT
    assert len(mail.outbox) == 3
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    claim = [sql for sql in reads if '"publishing_delivery"' in sql.split("WHERE")[0]]
    assert len(claim) == 1 and '"publishing_post"' in claim[0] and '"core_archive"' in claim[0]
    assert '"body_html"' not in claim[0]
    again = [
        sql
        for sql in reads
        if sql.split("WHERE")[0]
        .rstrip()
        .endswith(('FROM "publishing_post"', 'FROM "core_archive"', 'FROM "publishing_delivery"'))
    ]
    assert again == []
