"""Faults during work: the database restarts in the middle of a burst of WeChat messages, Redis
restarts under the queue, a worker is killed with SIGKILL. Afterwards nothing that was
acknowledged is lost or doubled, and the work resumes by itself."""

from __future__ import annotations

import json
import threading
import time

import pytest

from archivox.sandbox.wechat_user import WeChatUser
from tests.integration.cluster import Cluster

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(tmp_path, private_servers):
    postgres, queue = private_servers
    cluster = Cluster(tmp_path, database_url=postgres.url, redis_url=queue.url, webs=1, workers=1)
    cluster.manage("sandbox_provision", "nanjing")
    cluster.start()
    yield cluster
    cluster.stop()


def nanjing_user(cluster: Cluster, openid: str) -> WeChatUser:
    credentials = json.loads(cluster.manage("sandbox_credentials", "nanjing"))
    return WeChatUser(
        cluster.url(""),
        "nanjing",
        credentials["token"],
        credentials["encoding_aes_key"],
        credentials["appid"],
        openid=openid,
        timeout=5.0,
        touch_sandbox=False,
    )


def stored_msg_ids(cluster: Cluster) -> list[str]:
    return json.loads(
        cluster.shell(
            "import json; from archivox.consultations.models import InboundMessage as M;"
            "print(json.dumps(list(M.objects.exclude(msg_id='').values_list('msg_id', flat=True))))"
        )
    )


def test_a_database_restart_during_a_burst_of_messages_loses_nothing_acknowledged(
    cluster, private_servers
):
    postgres, _ = private_servers
    users = [nanjing_user(cluster, f"oFaultFollower{n:014d}") for n in range(4)]
    sent: dict[str, object] = {}
    lock = threading.Lock()

    def follower(user: WeChatUser) -> None:
        for number in range(15):
            xml = user.message_xml("text", {"Content": f"查询档案 {number}"})
            reply = user.deliver(xml)
            with lock:
                sent[reply.msg_id or xml] = (user, xml, reply)
            time.sleep(0.05)

    threads = [threading.Thread(target=follower, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    time.sleep(0.8)
    postgres.restart()  # in the middle of the burst
    for thread in threads:
        thread.join()

    acknowledged = {msg_id for msg_id, (_, _, reply) in sent.items() if reply.status == 200}
    refused = {msg_id for msg_id, (_, _, reply) in sent.items() if reply.status != 200}
    stored = stored_msg_ids(cluster)
    assert len(stored) == len(set(stored)), "a message was stored twice"
    # Everything we answered 200 to is stored: WeChat will not send it again.
    assert acknowledged <= set(stored), acknowledged - set(stored)
    # Anything else was answered with an error (or not at all), so WeChat keeps it and retries;
    # nothing was answered 200 without being stored.
    assert len(acknowledged) + len(refused) == 60

    # WeChat's later tries of the refused ones (same MsgId) now get through: nothing is lost.
    for msg_id in refused:
        user, xml, _ = sent[msg_id]
        assert user.deliver(xml).status == 200
    stored = stored_msg_ids(cluster)
    assert sorted(stored) == sorted(sent)


def test_a_post_scheduled_before_redis_restarts_is_published_once_afterwards(
    cluster, private_servers
):
    """Redis keeps nothing on disk, so the queue is empty after the restart: the schedule lives
    in the database and the worker's periodic task finds the post when its time comes."""
    _, queue = private_servers
    post_id = cluster.shell(
        "import datetime, io; from PIL import Image; from django.utils import timezone;"
        "from archivox.core.models import Archive, User;"
        "from archivox.core.services import membership_grant;"
        "from archivox.publishing import services as s;"
        "a = Archive.objects.get(slug='nanjing');"
        "writer = User.objects.create(username='writer');"
        "boss = User.objects.create(username='boss');"
        "membership_grant(actor=None, archive=a, user=writer, role='archivist');"
        "membership_grant(actor=None, archive=a, user=boss, role='reviewer');"
        "p = s.post_create(actor=writer, archive=a, title='定时发布的推文',"
        " body_html='<p>总统府旧址的修缮档案。</p>', digest='修缮档案', text='定时发布的推文',"
        " channels=['portal', 'feed', 'weibo']);"
        "s.post_submit(actor=writer, post=p); s.post_approve(actor=boss, post=p);"
        "s.post_schedule(actor=writer, post=p,"
        " when=timezone.now() + datetime.timedelta(seconds=20)); print(p.pk)"
    )
    queue.stop()
    time.sleep(3)
    queue.start()  # same port, empty

    deadline = time.monotonic() + 180
    while True:
        statuses = json.loads(
            cluster.shell(
                "import json; from archivox.publishing.models import Delivery;"
                f"print(json.dumps(dict(Delivery.objects.filter(post_id={post_id})"
                ".values_list('channel', 'status'))))"
            )
        )
        if statuses and all(status in {"sent", "failed"} for status in statuses.values()):
            break
        assert time.monotonic() < deadline, (statuses, cluster.log_tail())
        time.sleep(2)
    assert statuses == {"portal": "sent", "feed": "sent", "weibo": "sent"}
    weibo = cluster.shell(
        "from archivox.sandbox.weibo.models import WeiboStatus; print(WeiboStatus.objects.count())"
    )
    assert weibo == "1"
