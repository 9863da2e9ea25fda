"""More faults with real processes (issue 10): PostgreSQL restarts while publishing deliveries
are with the platforms, and the worker is killed with SIGKILL while it sends deferred WeChat
replies. Afterwards the platforms' own records (the sandboxes') hold each delivery once and each
reply at most once, and whatever did not finish is visible in our records, not silently lost.

Each test runs its own PostgreSQL (initdb) and Redis, whatever database the suite uses. The
last test queues one delivery twice (two workers' sweeps): only one task may send it."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from huey import PriorityRedisHuey

from archivox.sandbox.wechat_user import WeChatReply, WeChatUser
from tests.integration.cluster import Cluster, PrivatePostgres

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        or shutil.which("redis-server") is None,
        reason="needs PostgreSQL's initdb and redis-server for private servers",
    ),
]

POSTS = 6
FOLLOWERS = 30
# A call still waiting on a platform has finished or given up well within this (sandbox delays
# of a few seconds, client timeouts of 10-30 s); a `sending` delivery older than this was left
# by a worker whose database connection died under it.
IN_FLIGHT_SECONDS = 60


@pytest.fixture
def make_cluster(tmp_path, private_servers):
    """A cluster on the private servers, provisioned with the Nanjing archive's sandboxes."""
    postgres, queue = private_servers
    started: list[Cluster] = []

    def make(*, workers: int, periodic: bool = True, **env: str) -> Cluster:
        """``periodic=False``: the workers run no periodic tasks; the test runs the sweeps."""
        cluster = Cluster(
            tmp_path,
            database_url=postgres.url,
            redis_url=queue.url,
            webs=1,
            workers=workers if periodic else 0,
            **env,
        )
        started.append(cluster)
        cluster.manage("sandbox_provision", "nanjing")
        cluster.start()
        if not periodic:
            cluster.workers = [cluster.start_worker_without_periodic(n) for n in range(workers)]
        return cluster

    yield make
    for cluster in started:
        cluster.stop()


def rows(postgres: PrivatePostgres, sql: str, *params: object) -> list[tuple] | None:
    """A quick read for polling (a Django shell takes seconds); None while the server is down."""
    try:
        with psycopg.connect(postgres.url, connect_timeout=3) as pg:
            return pg.execute(sql, params).fetchall()
    except psycopg.OperationalError:
        return None


def queue_of(redis_url: str) -> PriorityRedisHuey:
    """The workers' queue (the name and class archivox.settings gives Huey with Redis)."""
    return PriorityRedisHuey("archivox", url=redis_url)


# ── PostgreSQL restarts while deliveries are with the platforms ──────────────────────────────


PUBLISH_POSTS = (
    "import io, json; from PIL import Image;"
    "from archivox.core.models import Archive, User;"
    "from archivox.core.services import membership_grant;"
    "from archivox.publishing import services as s;"
    "from archivox.sandbox.provisioning import sandbox_credentials_ensure;"
    "from archivox.sandbox.wechat.services import sandbox_fault_set;"
    "from archivox.sandbox.weibo.services import sandbox_weibo_fault_set;"
    "a = Archive.objects.get(slug='nanjing');"
    "c = sandbox_credentials_ensure(a);"
    "writer = User.objects.create(username='writer');"
    "boss = User.objects.create(username='boss');"
    "membership_grant(actor=None, archive=a, user=writer, role='archivist');"
    "membership_grant(actor=None, archive=a, user=boss, role='reviewer');"
    "b = io.BytesIO(); Image.new('RGB', (900, 500), (120, 80, 40)).save(b, 'JPEG');"
    "posts = [];"
    "\nfor n in range({posts}):\n"
    "    p = s.post_create(actor=writer, archive=a, title=f'南京城墙档案 第{{n}}篇',"
    "     body_html=f'<p>明城墙修缮档案，第{{n}}篇。</p>', digest='城墙档案',"
    "     text=f'南京城墙档案 第{{n}}篇', channels=['wechat', 'weibo', 'portal', 'feed'])\n"
    "    s.post_set_cover(actor=writer, post=p, content=b.getvalue())\n"
    "    s.post_submit(actor=writer, post=p); s.post_approve(actor=boss, post=p)\n"
    "    posts.append(p)\n"
    # Both platforms sit on every publishing call for a while, then do it: the calls are in
    # flight when the database goes away.
    "sandbox_fault_set(appid=c['appid'], mode='delay', seconds=3, api='freepublish/submit',"
    " remaining={posts});"
    "sandbox_weibo_fault_set(c['weibo_uid'], mode='delay', count={posts}, seconds=3,"
    " path='/2/statuses/share.json')\n"
    "for p in posts:\n"
    "    s.post_publish_now(actor=writer, post=p, rip='203.0.113.10')\n"
    "print(json.dumps([p.pk for p in posts]))"
)

# The every-minute sweep (publishing_every_minute) as it runs once LOST_PENDING and
# STALE_SENDING have passed, for the given deliveries only: those whose task was lost, or that a
# worker left `sending` when its connection died (it reconciles them with the platform).
SWEEP = (
    "import json; from django.utils import timezone;"
    "from archivox.publishing import services as s, tasks as t;"
    "chosen = set(json.loads('{ids}'));"
    "due = [pk for pk in s.deliveries_resume(now=timezone.now() + s.STALE_SENDING)"
    " if pk in chosen];"
    "[t.delivery_send(pk) for pk in due]; print(json.dumps(due))"
)

# Every delivery of the posts with how many copies the platform's own records hold of it.
DELIVERIES_AND_COPIES = (
    "import json;"
    "from archivox.publishing.models import Delivery;"
    "from archivox.sandbox.wechat.models import Article;"
    "from archivox.sandbox.weibo.models import WeiboStatus;"
    "out = []\n"
    "for d in Delivery.objects.filter(post_id__in={post_ids}).order_by('pk'):\n"
    "    marker = 'ax_delivery=' + d.idempotency_key\n"
    "    copies = None\n"
    "    if d.channel == 'wechat':\n"
    "        copies = Article.objects.filter(content_source_url__contains=marker,"
    " deleted_at__isnull=True).count()\n"
    "    if d.channel == 'weibo':\n"
    "        copies = WeiboStatus.objects.filter(text__contains=marker).count()\n"
    "    out.append(dict(post=d.post_id, channel=d.channel, status=d.status, error=d.error,"
    " attempts=d.attempts, copies=copies))\n"
    "print(json.dumps(dict(deliveries=out, articles=Article.objects.count(),"
    " statuses=WeiboStatus.objects.count())))"
)


def test_a_database_restart_while_deliveries_are_in_flight_leaves_each_post_once_per_platform(
    make_cluster, private_servers
):
    """Two workers publish six posts to WeChat, Weibo, the portal and the feed; PostgreSQL
    restarts while WeChat and Weibo calls are in flight. The workers run no periodic tasks, so
    that the test decides when the sweep sees the clock past the stale limits."""
    postgres, _ = private_servers
    cluster = make_cluster(workers=2, periodic=False, ARCHIVOX_WECHAT_PUBLISH_WAIT="2")
    post_ids = json.loads(cluster.shell(PUBLISH_POSTS.format(posts=POSTS)))

    # Restart once WeChat and Weibo calls are in flight (marked `sending`, platform waiting).
    deadline = time.monotonic() + 90
    while True:
        in_flight = rows(
            postgres,
            "SELECT count(*) FROM publishing_delivery"
            " WHERE status = 'sending' AND channel IN ('wechat', 'weibo')",
        )
        if in_flight and in_flight[0][0] >= 2:
            break
        assert time.monotonic() < deadline, cluster.log_tail()
        time.sleep(0.2)
    postgres.restart()

    # Work resumes: failed tries come back through their scheduled retry; deliveries whose task
    # was lost (it ran while the database was down) or that were left `sending` (the worker's
    # connection died after the platform call) are picked up by the sweep, run here as it runs
    # after LOST_PENDING / STALE_SENDING, once they are past any call still in flight.
    queue = queue_of(cluster.redis_url)
    swept: dict[int, float] = {}
    deadline = time.monotonic() + 420
    while True:
        found = rows(
            postgres,
            "SELECT id, status, next_attempt_at IS NULL,"
            " coalesce(sending_started_at, created_at) < now() - make_interval(secs => %s)"
            " FROM publishing_delivery",
            IN_FLIGHT_SECONDS,
        )
        if found is not None:
            if all(status in ("sent", "failed") for _, status, _, _ in found):
                break
            idle = queue.pending_count() == 0
            left = [
                pk
                for pk, status, unscheduled, old in found
                if old
                and (status == "sending" or (status == "pending" and unscheduled and idle))
                and time.monotonic() - swept.get(pk, -IN_FLIGHT_SECONDS) > IN_FLIGHT_SECONDS
            ]
            if left:
                for pk in json.loads(cluster.shell(SWEEP.format(ids=json.dumps(left)))):
                    swept[pk] = time.monotonic()
        assert time.monotonic() < deadline, (found, cluster.log_tail())
        time.sleep(2)

    report = json.loads(cluster.shell(DELIVERIES_AND_COPIES.format(post_ids=post_ids)))
    deliveries = report["deliveries"]
    assert Counter((d["post"], d["channel"]) for d in deliveries) == Counter(
        {
            (post, channel): 1
            for post in post_ids
            for channel in ("wechat", "weibo", "portal", "feed")
        }
    )
    # The restart hit deliveries in flight: some needed a second try or a reconciliation.
    assert any(d["attempts"] > 1 for d in deliveries), deliveries
    for delivery in deliveries:
        if delivery["status"] == "failed":
            # A delivery that did not make it says why (the console lists failed ones).
            assert delivery["error"].strip(), delivery
        else:
            assert delivery["status"] == "sent", delivery
        if delivery["copies"] is not None:
            # Never twice on the platform; exactly once when we recorded it sent.
            assert delivery["copies"] <= 1, delivery
            if delivery["status"] == "sent":
                assert delivery["copies"] == 1, delivery
    # Nothing on the platforms that no delivery accounts for (a copy made without its key).
    assert report["articles"] == sum(d["copies"] for d in deliveries if d["channel"] == "wechat")
    assert report["statuses"] == sum(d["copies"] for d in deliveries if d["channel"] == "weibo")


# ── the worker is killed while it sends deferred replies ──────────────────────────────────────


MESSAGES_AND_REPLIES = (
    "import json;"
    "from archivox.consultations.models import InboundMessage as M;"
    "from archivox.sandbox.wechat.models import CustomMessage;"
    "messages = list(M.objects.filter(msg_type='text').values("
    "'pk', 'msg_id', 'sender_openid', 'reply_state', 'reply_error', 'consultation_id'));"
    "replies = list(CustomMessage.objects.values_list('follower__openid', flat=True));"
    "print(json.dumps(dict(messages=messages, replies=replies)))"
)


SENDING = "SELECT id FROM engagement_inboundmessage WHERE reply_state = 'sending'"

# The every-five-minutes resume sweep as it runs once RESUME_AFTER (2 min) has passed for every
# message: deferred ones are queued again (pending ones deferred). Returns how many.
RESUME_SWEEP = (
    "import datetime; from archivox.consultations.services import deferred as s;"
    "s.RESUME_AFTER = datetime.timedelta(0);"
    "print(s.inbound_message_replies_resume())"
)


def reply_states(postgres: PrivatePostgres) -> Counter:
    found = rows(
        postgres,
        "SELECT reply_state, count(*) FROM engagement_inboundmessage"
        " WHERE msg_type = 'text' GROUP BY reply_state",
    )
    return Counter(dict(found or []))


def test_killing_the_worker_during_a_burst_of_deferred_replies_answers_each_message_at_most_once(
    make_cluster, private_servers
):
    """Thirty followers write at once; every answer is deferred to a customer-service message;
    the worker is killed with SIGKILL while it sends them, restarted, and the resume sweep runs
    while the backlog is still queued."""
    postgres, _ = private_servers
    # Every reply misses the callback's budget: all go out as customer-service messages.
    cluster = make_cluster(workers=1, ARCHIVOX_WECHAT_REPLY_BUDGET="0")
    credentials = json.loads(cluster.manage("sandbox_credentials", "nanjing"))
    openids = [f"oKillFollower{n:015d}" for n in range(FOLLOWERS)]
    # The followers wrote to the account (the platform's 48-hour window is open), and WeChat
    # sits on every customer-service call for a while before taking it.
    cluster.shell(
        "from archivox.sandbox.wechat import services as w;"
        f"[w.sandbox_follower_touch({credentials['appid']!r}, o) for o in {openids!r}];"
        f"w.sandbox_fault_set(appid={credentials['appid']!r}, mode='delay', seconds=2,"
        " api='message/custom/send', remaining=1000)"
    )
    users = [
        WeChatUser(
            cluster.url(""),
            "nanjing",
            credentials["token"],
            credentials["encoding_aes_key"],
            credentials["appid"],
            openid=openid,
            timeout=5.0,
            touch_sandbox=False,  # done above, in the cluster's database
        )
        for openid in openids
    ]
    answers: dict[str, WeChatReply] = {}
    lock = threading.Lock()

    def write(user: WeChatUser, number: int) -> None:
        reply = user.send_text(f"请问民国档案第{number}卷何时开放查阅？")
        with lock:
            answers[user.openid] = reply

    threads = [threading.Thread(target=write, args=(u, n)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # WeChat was told `success` at once: the answers will come as customer-service messages.
    assert all(reply.status == 200 and reply.is_success for reply in answers.values()), answers
    msg_ids = sorted(reply.msg_id for reply in answers.values())

    # SIGKILL while customer-service messages are in flight (claimed `sending`, WeChat waiting).
    deadline = time.monotonic() + 90
    while True:
        states = reply_states(postgres)
        if states["sent"] >= 2 and states["sending"] >= 1:
            break
        assert time.monotonic() < deadline, (states, cluster.log_tail())
        time.sleep(0.1)
    cluster.kill_worker(0)
    killed_while_sending = {pk for (pk,) in rows(postgres, SENDING) or []}
    assert killed_while_sending
    cluster.restart_worker(0)
    # The resume sweep, run while the backlog is still queued (as when the backlog is older
    # than RESUME_AFTER): every deferred message gets a second task, and still one answer.
    assert int(cluster.shell(RESUME_SWEEP)) >= 1

    # Done when nothing waits to be answered and only the killed worker's sends are `sending`.
    queue = queue_of(cluster.redis_url)
    deadline = time.monotonic() + 240
    while True:
        states = reply_states(postgres)
        sending = {pk for (pk,) in rows(postgres, SENDING) or []}
        waiting = states["pending"] or states["deferred"] or queue.pending_count()
        if not waiting and sending <= killed_while_sending:
            break
        assert time.monotonic() < deadline, (states, cluster.log_tail())
        time.sleep(1)
    assert cluster.shell(RESUME_SWEEP) == "0"  # nothing deferred or pending is left behind

    report = json.loads(cluster.shell(MESSAGES_AND_REPLIES))
    messages = report["messages"]
    replies = Counter(report["replies"])
    # Every message stored once.
    assert sorted(m["msg_id"] for m in messages) == msg_ids
    for message in messages:
        received = replies[message["sender_openid"]]
        # At most once: no follower got two customer-service messages for their one message.
        assert received <= 1, message
        if message["reply_state"] == "sent":
            assert received == 1, message
        elif message["reply_state"] == "failed":
            assert message["reply_error"].strip(), message
        else:
            # Only what the killed worker was sending is left `sending`: it may have reached the
            # follower, so it is never sent again. (It stays `sending` without a reply_error:
            # nothing settles it yet, and the console does not show reply states.)
            assert message["reply_state"] == "sending", message
            assert message["pk"] in killed_while_sending, message
        # The question itself reached the staff's inbox whatever happened to the answer.
        assert message["consultation_id"] is not None, message
    assert sum(replies.values()) <= FOLLOWERS


# ── two tasks for one delivery ─────────────────────────────────────────────────────


def test_a_lost_delivery_queued_by_two_workers_sweeps_is_published_once(
    make_cluster, private_servers
):
    """Redis restarts empty (no persistence), so a delivery's task is lost; later the every-
    minute sweep of each of two worker processes queues it again. Then one worker runs both."""
    _, redis_server = private_servers
    cluster = make_cluster(workers=0, ARCHIVOX_WECHAT_PUBLISH_WAIT="2")
    [post_id] = json.loads(cluster.shell(PUBLISH_POSTS.format(posts=1)))
    redis_server.stop()
    redis_server.start()  # same port, empty: the publishing tasks are gone
    swept = json.loads(
        cluster.shell(
            "import json; from django.utils import timezone;"
            "from archivox.publishing import services as s, tasks as t;"
            "from archivox.publishing.models import Delivery;"
            "later = timezone.now() + s.LOST_PENDING; wechat = set(Delivery.objects.filter("
            "channel='wechat').values_list('pk', flat=True)); queued = []\n"
            "for worker in range(2):\n"
            "    for pk in s.deliveries_resume(now=later):\n"
            "        if pk in wechat: t.delivery_send(pk); queued.append(pk)\n"
            "print(json.dumps(queued))"
        )
    )
    assert len(swept) == 2
    cluster.workers = [cluster.start_worker_without_periodic(0)]

    deadline = time.monotonic() + 120
    while True:
        report = json.loads(cluster.shell(DELIVERIES_AND_COPIES.format(post_ids=[post_id])))
        [wechat] = [d for d in report["deliveries"] if d["channel"] == "wechat"]
        if wechat["status"] in ("sent", "failed") and report["articles"]:
            break
        assert time.monotonic() < deadline, (report, cluster.log_tail())
        time.sleep(2)
    time.sleep(5)  # a second publish job, if any, finishes
    report = json.loads(cluster.shell(DELIVERIES_AND_COPIES.format(post_ids=[post_id])))
    [wechat] = [d for d in report["deliveries"] if d["channel"] == "wechat"]
    assert wechat["status"] == "sent"
    assert report["articles"] == wechat["copies"] == 1, report
