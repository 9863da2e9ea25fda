"""The production shape on one machine: two web processes and two workers against one PostgreSQL
database and one Redis, showing they cooperate — a reservation race held across processes, one
WeChat access_token fetch shared by every process, and each publishing delivery made once.

Runs whatever database the suite uses (it needs PostgreSQL and Redis, which CI provides)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from tests.integration.cluster import Cluster, PrivatePostgres

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, prepared_database):
    postgres = PrivatePostgres(template=prepared_database)
    postgres.start()
    try:
        cluster = Cluster(
            tmp_path_factory.mktemp("scale-out"),
            database_url=postgres.url,
            ARCHIVOX_RESERVATION_RATE_LIMIT="100000/60",
            ARCHIVOX_WECHAT_PUBLISH_WAIT="0",
        )
        try:
            cluster.manage("sandbox_provision", "nanjing")
            cluster.start()
            yield cluster
        finally:
            cluster.stop()
    finally:
        postgres.stop()


def shell(cluster: Cluster, code: str) -> str:
    return cluster.shell(code)


def test_a_reservation_race_split_over_two_web_processes_never_exceeds_capacity(cluster):
    slot_id = int(
        shell(
            cluster,
            "import datetime; from django.utils import timezone;"
            "from archivox.core.models import Archive;"
            "from archivox.reservations import services as s;"
            "from archivox.reservations.models import Slot;"
            "a = Archive.objects.get(slug='nanjing');"
            "r = s.resource_create(actor=None, archive=a, slug='reading-room', kind='reading_room',"
            " name='阅览室', capacity=10);"
            "start = timezone.now() + datetime.timedelta(days=2);"
            "slot = Slot.objects.create(archive=a, resource=r, starts_at=start,"
            " ends_at=start + datetime.timedelta(hours=2), capacity=10);"
            "print(slot.pk)",
        ).strip()
    )
    answers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(60, timeout=120)

    def book(number: int) -> None:
        start.wait()
        response = httpx.post(
            cluster.url("/api/v1/engagement/reservations/nanjing/bookings", web=number % 2),
            json={
                "slot_id": slot_id,
                "name": f"读者{number}",
                "contact": f"reader{number}@example.cn",
            },
            timeout=60,
        )
        with lock:
            answers.append(response.status_code)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers.count(201) == 10, answers
    assert answers.count(409) == 50, answers
    stored = shell(
        cluster,
        "from archivox.reservations.models import Booking, Slot;"
        f"s = Slot.objects.get(pk={slot_id});"
        "print(s.booked, Booking.objects.filter(slot=s).exclude(status='cancelled').count())",
    ).split()
    assert stored == ["10", "10"]


def test_every_process_shares_one_wechat_access_token(cluster):
    """Two processes, eight threads each, all asking for a token at once: one fetch."""
    code = (
        "import threading, json;"
        "from archivox.core.models import PlatformAccount;"
        "from archivox.platforms.wechat.client import client_for_account;"
        "account = PlatformAccount.objects.get(archive__slug='nanjing', platform='wechat');"
        "tokens = [];"
        "ts = [threading.Thread(target=lambda: tokens.append("
        "client_for_account(account).access_token())) for _ in range(8)];"
        "[t.start() for t in ts]; [t.join() for t in ts];"
        "print(json.dumps(sorted(set(tokens))))"
    )
    results: list[str] = []
    runners = [
        threading.Thread(target=lambda: results.append(shell(cluster, code))) for _ in range(2)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    tokens = {token for result in results for token in json.loads(result)}
    assert len(tokens) == 1
    issued = shell(
        cluster,
        "from archivox.sandbox.wechat.models import AccessToken;print(AccessToken.objects.count())",
    )
    assert issued == "1"


def test_two_workers_make_each_delivery_of_a_post_exactly_once(cluster):
    """A post published to every channel while two workers take deliveries from one queue."""
    post_id = cluster.shell(
        "from archivox.core.models import Archive, User;"
        "from archivox.core.services import membership_grant;"
        "from archivox.publishing import services as s;"
        "a = Archive.objects.get(slug='nanjing');"
        "writer = User.objects.create(username='writer');"
        "boss = User.objects.create(username='boss');"
        "membership_grant(actor=None, archive=a, user=writer, role='archivist');"
        "membership_grant(actor=None, archive=a, user=boss, role='reviewer');"
        "p = s.post_create(actor=writer, archive=a, title='民国建筑里的南京',"
        " body_html='<p>中山陵、总统府与白崇禧公馆的建筑档案。</p>', digest='建筑档案',"
        " text='民国建筑里的南京');"
        "import io; from PIL import Image; b = io.BytesIO();"
        "Image.new('RGB', (900, 500), (120, 80, 40)).save(b, 'JPEG');"
        "s.post_set_cover(actor=writer, post=p, content=b.getvalue());"
        "s.post_submit(actor=writer, post=p); s.post_approve(actor=boss, post=p);"
        "s.post_publish_now(actor=writer, post=p, rip='203.0.113.10'); print(p.pk)"
    )
    deadline = time.monotonic() + 120
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
        time.sleep(1)
    assert set(statuses.values()) == {"sent"}, statuses
    counts = json.loads(
        cluster.shell(
            "import json;"
            "from archivox.sandbox.wechat.models import Article;"
            "from archivox.sandbox.weibo.models import WeiboStatus;"
            "print(json.dumps([Article.objects.count(), WeiboStatus.objects.count()]))"
        )
    )
    assert counts == [1, 1]
    feed = httpx.get(cluster.url("/feeds/nanjing/atom.xml", web=1), timeout=30).text
    assert feed.count(f"/archives/nanjing/posts/{post_id}/") == 2  # the entry's link and id
