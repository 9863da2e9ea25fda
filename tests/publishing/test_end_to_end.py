"""The desk end to end against the WeChat and Weibo sandboxes over real HTTP (live server):
draft → review → all five channels, each copy exactly once; feeds validate; a second mass send
the same day is refused before it is tried; a crash between send and record is reconciled;
wrong credentials fail cleanly; the WARC holds what was published."""

from __future__ import annotations

import hashlib
from pathlib import Path

import feedparser
import httpx
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from warcio.archiveiterator import ArchiveIterator

from archivox.core.models import PlatformAccount
from archivox.publishing import services, tasks
from archivox.publishing.models import Delivery, EmailSubscriber, Post, WarcFile
from archivox.sandbox.provisioning import sandbox_credentials_ensure
from archivox.sandbox.wechat.models import MassMessage, Publish
from archivox.sandbox.weibo.models import WeiboStatus

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ALL = ["wechat", "weibo", "portal", "feed", "email"]


@pytest.fixture
def platforms(live_server, settings, archive):
    settings.BASE_URL = live_server.url
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    settings.ALLOWED_HOSTS = ["*"]
    credentials = sandbox_credentials_ensure(archive)
    for n in range(2):
        EmailSubscriber.objects.create(archive=archive, email=f"r{n}@example.cn", confirmed=True)
    return credentials


def publish_through_review(approved_post, archivist, **values):
    post = approved_post(channels=ALL, **values)
    mail.outbox.clear()
    deliveries = services.post_publish_now(actor=archivist, post=post)
    return post, deliveries


def test_a_post_goes_from_draft_through_review_to_all_channels_exactly_once(
    platforms, approved_post, archivist, archive, live_server, items
):
    post, _deliveries = publish_through_review(approved_post, archivist, wechat_mode="mass_send")
    deliveries = {d.channel: d for d in Delivery.objects.filter(post=post)}
    assert {name: d.status for name, d in deliveries.items()} == dict.fromkeys(ALL, "sent"), {
        name: d.error for name, d in deliveries.items()
    }
    # WeChat: one mass send; Weibo: one status; each with the link back to our page.
    assert MassMessage.objects.filter(kind="sendall").count() == 1
    assert WeiboStatus.objects.count() == 1
    assert f"/archives/nanjing/posts/{post.pk}/" in WeiboStatus.objects.get().text
    # Portal: the page, linking to the item's portal page.
    page = httpx.get(f"{live_server.url}/archives/nanjing/posts/{post.pk}/")
    assert page.status_code == 200
    assert "/archives/nanjing/catalog/NJ-1-1/" in page.text
    listing = httpx.get(f"{live_server.url}/archives/nanjing/posts/").text
    assert listing.count(f"/archives/nanjing/posts/{post.pk}/") == 1
    # Feeds: valid Atom and RSS with exactly one entry for the post.
    for name, version in (("atom", "atom10"), ("rss", "rss20")):
        parsed = feedparser.parse(httpx.get(f"{live_server.url}/feeds/nanjing/{name}.xml").content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == version
        assert [entry.link for entry in parsed.entries] == [
            f"{live_server.url}/archives/nanjing/posts/{post.pk}/"
        ]
    # Email: one message to each confirmed subscriber.
    assert sorted(m.to[0] for m in mail.outbox) == ["r0@example.cn", "r1@example.cn"]


def test_a_second_mass_send_the_same_day_is_refused_before_it_is_tried(
    platforms, approved_post, archivist
):
    publish_through_review(approved_post, archivist, wechat_mode="mass_send")
    assert MassMessage.objects.filter(kind="sendall").count() == 1
    second = approved_post(channels=ALL, title="第二篇", wechat_mode="mass_send")
    with pytest.raises(ValidationError) as raised:
        services.post_publish_now(actor=archivist, post=second)
    assert "may mass-send once a day" in str(raised.value)
    assert "城墙里的南京" in str(raised.value)
    second.refresh_from_db()
    assert second.status == Post.Status.APPROVED
    assert not Delivery.objects.filter(post=second).exists()
    assert MassMessage.objects.filter(kind="sendall").count() == 1
    # Publishing without notifying followers is still possible the same day.
    third = approved_post(channels=ALL, title="第三篇", wechat_mode="publish")
    services.post_publish_now(actor=archivist, post=third)
    assert Delivery.objects.get(post=third, channel="wechat").status == "sent"


def test_a_crash_between_send_and_record_is_reconciled_leaving_one_copy_on_each_platform(
    platforms, approved_post, archivist
):
    post, _ = publish_through_review(approved_post, archivist)
    wechat = Delivery.objects.get(post=post, channel="wechat")
    weibo = Delivery.objects.get(post=post, channel="weibo")
    assert Publish.objects.count() == 1 and WeiboStatus.objects.count() == 1
    remote = {wechat.pk: wechat.remote_id, weibo.pk: weibo.remote_id}
    # The worker died after the platforms accepted, before we recorded: `sending`, no remote id.
    Delivery.objects.filter(pk__in=remote).update(status="sending", remote_id="", url="")
    later = timezone.now() + services.STALE_SENDING  # the sweep finds them stranded
    assert set(services.deliveries_resume(now=later)) >= set(remote)
    for pk in remote:
        tasks.delivery_send(pk)
    for delivery in Delivery.objects.filter(pk__in=remote):
        assert delivery.status == "sent"
        assert delivery.remote_id == remote[delivery.pk]
    assert Publish.objects.count() == 1
    assert WeiboStatus.objects.count() == 1


def test_wrong_credentials_fail_the_delivery_with_a_clear_message_and_nothing_is_sent(
    platforms, approved_post, archivist, archive
):
    PlatformAccount.objects.filter(archive=archive, platform="wechat").update(
        app_secret="wrong-secret-0000000000000000000"
    )
    post, _ = publish_through_review(approved_post, archivist)
    wechat = Delivery.objects.get(post=post, channel="wechat")
    assert wechat.status == "failed", wechat.error
    assert wechat.error
    assert wechat.remote_id == "" and wechat.sent_at is None
    assert Publish.objects.count() == 0
    assert Delivery.objects.get(post=post, channel="weibo").status == "sent"
    assert post.notices.filter(user=archivist).exists()


def test_every_published_copy_is_kept_in_the_archives_monthly_warc_with_its_checksum(
    platforms, approved_post, archivist, archive
):
    post, _ = publish_through_review(approved_post, archivist)
    warc = WarcFile.objects.get(archive=archive)
    path = Path(warc.path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == warc.sha256
    with path.open("rb") as handle:
        records = list(ArchiveIterator(handle))
    kinds = [r.rec_type for r in records]
    assert kinds[0] == "warcinfo"
    assert warc.record_count == len(records)
    channels = {r.rec_headers.get_header("WARC-Archivox-Channel") for r in records[1:]}
    assert channels == set(ALL)
    served = [
        r.rec_headers.get_header("WARC-Target-URI") for r in records if r.rec_type == "response"
    ]
    wechat_url = Delivery.objects.get(post=post, channel="wechat").url
    assert wechat_url in served
    assert any(f"/archives/nanjing/posts/{post.pk}/" in url for url in served)


def test_read_counts_likes_shares_and_comments_come_back_into_the_survey_post_records(
    platforms, approved_post, archivist, archive, live_server
):
    import datetime

    from django.utils import timezone

    from archivox.publishing.metrics import metrics_pull
    from archivox.publishing.services import BEIJING
    from archivox.sandbox.wechat.services import sandbox_clock_advance
    from archivox.survey.models import PostRecord

    post, _ = publish_through_review(approved_post, archivist)
    weibo = Delivery.objects.get(post=post, channel="weibo")
    for n in range(2):
        response = httpx.post(
            f"{live_server.url}/sandbox/weibo/_simulate/comment",
            json={"status_id": int(weibo.remote_id), "user_name": f"读者{n}", "text": "好看"},
        )
        assert response.status_code == 200, response.text
    # A day passes on WeChat: yesterday's reads are in the datacube.
    sandbox_clock_advance(appid=platforms["appid"], seconds=86400)
    tomorrow = timezone.now().astimezone(BEIJING).date() + datetime.timedelta(days=1)
    assert metrics_pull(archive=archive, today=tomorrow) == 2
    records = {r.account.platform: r for r in PostRecord.objects.select_related("account")}
    assert set(records) == {"wechat", "weibo"}
    assert records["wechat"].title == post.title and records["wechat"].is_original
    assert records["wechat"].reads and records["wechat"].reads > 0
    assert records["weibo"].comments == 2
    assert records["wechat"].account.institution.archive == archive
    # Measured again: the same records are updated, not duplicated.
    metrics_pull(archive=archive, today=tomorrow)
    assert PostRecord.objects.count() == 2


def test_a_scheduled_second_mass_send_fails_cleanly_without_reaching_wechat(
    platforms, approved_post, archivist
):
    import datetime

    from django.utils import timezone

    publish_through_review(approved_post, archivist, wechat_mode="mass_send")
    now = timezone.now()
    planned = now + datetime.timedelta(minutes=1)
    if services.beijing_day(planned) != services.beijing_day(now):
        pytest.skip("too close to midnight in Beijing")
    second = approved_post(channels=ALL, title="第二篇", wechat_mode="mass_send")
    warnings = services.post_schedule(actor=archivist, post=second, when=planned)
    assert warnings and "once a day" in warnings[0]
    assert services.posts_publish_due(now=planned + datetime.timedelta(seconds=1)) == 1
    wechat = Delivery.objects.get(post=second, channel="wechat")
    assert wechat.status == "failed" and "may mass-send once a day" in wechat.error
    assert wechat.attempts == 0  # never tried
    assert MassMessage.objects.filter(kind="sendall").count() == 1
    assert Delivery.objects.get(post=second, channel="portal").status == "sent"


def test_the_warc_is_listed_and_downloadable_in_the_console_with_its_checksum(
    platforms, approved_post, archivist, archive, client
):
    publish_through_review(approved_post, archivist)
    warc = WarcFile.objects.get(archive=archive)
    client.force_login(archivist)
    listing = client.get("/console/publishing/archives/nanjing/warc/").content.decode()
    assert warc.sha256 in listing
    download = client.get(f"/console/publishing/archives/nanjing/warc/{warc.pk}/download/")
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == warc.sha256
    assert download["X-Checksum-SHA256"] == warc.sha256


def test_withdrawal_takes_the_post_back_where_platforms_allow_and_records_where_not(
    platforms, approved_post, archivist, client
):
    from archivox.sandbox.wechat.models import Article

    post, _ = publish_through_review(approved_post, archivist)
    services.post_withdraw(actor=archivist, post=post, reason="年代有误")
    deliveries = {d.channel: d for d in Delivery.objects.filter(post=post)}
    assert deliveries["wechat"].status == "withdrawn", deliveries["wechat"].withdraw_note
    assert not Article.objects.filter(deleted_at__isnull=True).exists()
    assert deliveries["portal"].status == deliveries["feed"].status == "withdrawn"
    assert deliveries["email"].status == "sent" and deliveries["email"].withdraw_note
    weibo = deliveries["weibo"]
    assert weibo.status == "withdrawn" or weibo.withdraw_note
    assert client.get(f"/archives/nanjing/posts/{post.pk}/").status_code == 404
    post.refresh_from_db()
    assert post.status == Post.Status.WITHDRAWN


def test_a_withdrawn_post_reaches_the_surveys_security_finding_for_its_account(
    platforms, approved_post, archivist, archive, live_server
):
    """3.2.6 fed by the desk: a post taken down after publication keeps the counters measured
    before and is flagged "withdrawn" on its survey record; the monthly period names the
    account, and the desk's other records (recalls, overrides) are known to be none."""
    import datetime

    from django.utils import timezone

    from archivox.publishing.metrics import metrics_pull
    from archivox.publishing.services import BEIJING
    from archivox.sandbox.wechat.services import sandbox_clock_advance
    from archivox.survey import selectors
    from archivox.survey.diagnosis import Status, diagnose
    from archivox.survey.indicators.compute import indicators_compute
    from archivox.survey.models import PostRecord
    from archivox.survey.services.monitoring import monitoring_period_open

    post, _ = publish_through_review(approved_post, archivist)
    sandbox_clock_advance(appid=platforms["appid"], seconds=86400)
    tomorrow = timezone.now().astimezone(BEIJING).date() + datetime.timedelta(days=1)
    metrics_pull(archive=archive, today=tomorrow)
    reads = PostRecord.objects.get(account__platform="wechat").reads
    assert reads and PostRecord.objects.get(account__platform="wechat").flags == ""

    services.post_withdraw(actor=archivist, post=post, reason="含有未开放档案")
    metrics_pull(archive=archive, today=tomorrow)
    wechat = PostRecord.objects.get(account__platform="wechat")
    assert (wechat.flags, wechat.reads) == ("withdrawn", reads)
    weibo = PostRecord.objects.get(account__platform="weibo")
    assert "withdrawn" in weibo.flags  # withdrawn or only noted where Weibo refuses: the post is

    today = timezone.localdate()
    period = monitoring_period_open(actor=None, start=today)
    scope = selectors.scope_get(survey=period, archive=archive.slug)
    with translation.override("en"):
        security = diagnose(indicators_compute(scope)).get("security_risk")
    assert security.status == Status.HOLDS
    assert f"account:{archive.slug}:wechat" in security.failing
    evidence = "\n".join(security.evidence)
    assert "1 post with a withdrawal after publication" in evidence
    assert "No published items later found restricted." in security.evidence
    assert "No screening overrides." in security.evidence
