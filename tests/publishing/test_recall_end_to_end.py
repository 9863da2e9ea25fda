"""The recall of published copies end to end, over real HTTP against the WeChat and Weibo
sandboxes (live server), with a real Huey worker process doing the background work: a post on
all five channels quotes an item; its fonds is made confidential in the console; the staff see
the recall on the dashboard and get a notice; each copy is withdrawn on its channel; a failed
platform delete (the sandboxes' fault injection) stays flagged, the copy stays out there, and a
second try takes it down; every step is in the audit log."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from archivox.catalog import services as catalog
from archivox.console.forms import DescriptionForm
from archivox.core.models import AuditEntry
from archivox.publishing import services
from archivox.publishing.models import Delivery, EmailSubscriber, Notice, Post
from archivox.sandbox.provisioning import sandbox_credentials_ensure
from archivox.sandbox.wechat.services import sandbox_fault_set
from archivox.sandbox.weibo.services import sandbox_weibo_fault_set
from tests.helpers import REPO, child_env, database_url_for_child
from tests.publishing.conftest import png_bytes

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


@pytest.fixture
def holdings(archive):
    fonds = catalog.description_create(
        actor=None, archive=archive, reference_code="NJ-9", title="南京市政府全宗", level="fonds"
    )
    item = catalog.description_create(
        actor=None,
        archive=archive,
        parent=fonds,
        reference_code="NJ-9-7",
        title="中山陵图纸",
        level="item",
        scope_content="中山陵祭堂设计图，吕彦直绘。",
    )
    catalog.digital_object_add(actor=None, description=item, content=png_bytes())
    return {"fonds": fonds, "item": item}


def weibo_status(live_server, credentials, status_id: str) -> httpx.Response:
    """The status as the platform serves it to a reader (``statuses/show``)."""
    return httpx.get(
        f"{live_server.url}/sandbox/weibo/2/statuses/show.json",
        params={"id": status_id, "access_token": credentials["weibo_access_token"]},
    )


def reclassify_in_the_console(client, description, access_level: str) -> None:
    data = {k: v for k, v in DescriptionForm.initial_from(description).items() if v is not None}
    data["access_level"] = access_level
    response = client.post(
        f"/console/catalog/{description.archive.slug}/d/{description.pk}/edit/", data
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def start_worker(env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "run_huey", "--workers", "2", "--no-periodic"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, what: str, worker, log_path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}: {log_path.read_text()}")
        time.sleep(0.3)
    states = list(Delivery.objects.values_list("channel", "recall_state", "recall_note"))
    pytest.fail(f"timed out waiting for {what}; copies {states}; worker:\n{log_path.read_text()}")


def test_a_fonds_made_confidential_recalls_every_published_copy_and_each_is_withdrawn(
    platforms, holdings, approved_post, archivist, reviewer, client, live_server, settings, tmp_path
):
    post = approved_post(
        channels=ALL, items=[{"description": holdings["item"], "use_image": True, "quote": True}]
    )
    services.post_publish_now(actor=archivist, post=post)  # sent at once (Huey immediate)
    deliveries = {d.channel: d for d in Delivery.objects.filter(post=post)}
    assert {c: d.status for c, d in deliveries.items()} == dict.fromkeys(ALL, "sent"), {
        c: d.error for c, d in deliveries.items()
    }
    article_url = deliveries["wechat"].url
    status_id = deliveries["weibo"].remote_id
    article = httpx.get(article_url)
    assert article.status_code == 200 and "吕彦直" in article.text
    assert weibo_status(live_server, platforms, status_id).status_code == 200

    # From here a real worker process does the background work.
    env = child_env(
        DATABASE_URL=database_url_for_child(),
        ARCHIVOX_VAR_DIR=str(tmp_path),
        ARCHIVOX_SANDBOX="1",
        ARCHIVOX_BASE_URL=live_server.url,
        ARCHIVOX_WECHAT_API=settings.WECHAT_API,
        ARCHIVOX_WEIBO_API=settings.WEIBO_API,
        ARCHIVOX_ALLOWED_HOSTS="*",
        ARCHIVOX_FIELD_KEY=settings.FIELD_ENCRYPTION_KEY,  # to read the stored AppSecret
        ARCHIVOX_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env.pop("REDIS_URL", None)
    previous = HUEY.storage
    HUEY.immediate = False
    HUEY.storage = SqliteStorage("archivox", filename=str(tmp_path / "huey.sqlite3"))
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    worker = start_worker(env, log)
    try:
        client.force_login(archivist)
        reclassify_in_the_console(client, holdings["fonds"], "confidential")
        wait_for(
            lambda: Post.objects.filter(pk=post.pk, recall_found_at__isnull=False).exists(),
            "the recall",
            worker,
            log_path,
        )
        copies = {d.channel: d for d in post.deliveries.all()}
        assert {c: copy.recall_state for c, copy in copies.items()} == {
            "wechat": "out",
            "weibo": "out",
            "portal": "out",
            "feed": "out",
            "email": "cannot",
        }
        # The staff see it on the dashboard, and were told.
        needs = [item.text for item in client.get("/console/").context["needs_me"]]
        assert any(post.title in text and "now confidential" in text for text in needs), needs
        for who in (archivist, reviewer):
            assert Notice.objects.filter(user=who, post=post, read_at__isnull=True).exists()
        page = client.get("/console/publishing/archives/nanjing/recalls/").content.decode()
        assert "These published copies quote an item that is now confidential." in page
        assert "through the fonds “南京市政府全宗” above it" in page
        assert "WARC record of" in page

        # Both platforms will fail the first delete (the sandboxes' fault injection).
        sandbox_fault_set(appid=platforms["appid"], mode="http500", api="freepublish/delete")
        sandbox_weibo_fault_set(
            platforms["weibo_uid"], mode="http500", path="/2/statuses/destroy.json"
        )
        for channel in ("wechat", "weibo", "portal", "feed"):
            response = client.post(
                f"/console/publishing/deliveries/{copies[channel].pk}/recall-withdraw/"
            )
            assert response.status_code == 302, (channel, response.status_code)
        # Our own pages and feeds: gone at once.
        for channel in ("portal", "feed"):
            copies[channel].refresh_from_db()
            assert copies[channel].recall_state == "withdrawn"
        assert httpx.get(f"{live_server.url}/archives/nanjing/posts/{post.pk}/").status_code == 404
        atom = httpx.get(f"{live_server.url}/feeds/nanjing/atom.xml").text
        assert f"/posts/{post.pk}/" not in atom

        def settled(*channels):
            states = dict(post.deliveries.values_list("channel", "recall_state"))
            return all(states[c] not in ("out", "withdrawing") for c in channels)

        wait_for(lambda: settled("wechat", "weibo"), "the platforms' answers", worker, log_path)
        for channel in ("wechat", "weibo"):
            copy = Delivery.objects.get(pk=copies[channel].pk)
            assert copy.recall_state == "failed" and copy.recall_note, (channel, copy.recall_state)
            assert copy.status == "sent"  # nothing is marked withdrawn that was not
        # Still out there, still flagged, and offered again.
        assert httpx.get(article_url).status_code == 200
        assert weibo_status(live_server, platforms, status_id).status_code == 200
        page = client.get("/console/publishing/archives/nanjing/recalls/").content.decode()
        assert page.count("withdrawal failed") == 2 and page.count("Try again") == 2
        assert Post.objects.get(pk=post.pk).recall_open

        # The second try takes them down.
        for channel in ("wechat", "weibo"):
            response = client.post(
                f"/console/publishing/deliveries/{copies[channel].pk}/recall-withdraw/"
            )
            assert response.status_code == 302
        wait_for(
            lambda: not post.deliveries.filter(recall_state="withdrawing").exists(),
            "the second answers",
            worker,
            log_path,
        )
    finally:
        HUEY.storage = previous
        HUEY.immediate = True
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        log.close()

    states = dict(post.deliveries.values_list("channel", "recall_state"))
    assert states == {
        "wechat": "withdrawn",
        "weibo": "withdrawn",
        "portal": "withdrawn",
        "feed": "withdrawn",
        "email": "cannot",
    }, list(post.deliveries.values_list("channel", "recall_note"))
    assert httpx.get(article_url).status_code == 404
    gone = weibo_status(live_server, platforms, status_id)
    assert gone.status_code == 400 and gone.json()["error_code"] == 20101
    assert set(Delivery.objects.filter(post=post).values_list("channel", "status")) == {
        ("wechat", "withdrawn"),
        ("weibo", "withdrawn"),
        ("portal", "withdrawn"),
        ("feed", "withdrawn"),
        ("email", "sent"),  # mail cannot be unsent
    }
    post.refresh_from_db()
    assert post.recall_closed_at is not None and post.status == Post.Status.WITHDRAWN
    needs = [item.text for item in client.get("/console/").context["needs_me"]]
    assert not any(post.title in text for text in needs)
    # All of it audited: who asked, what each platform answered, on whose behalf.
    entries = AuditEntry.objects.filter(archive=post.archive)
    actions = list(entries.values_list("action", flat=True))
    assert actions.count("recall.open") == 1
    assert actions.count("recall_copy.withdraw") == 6
    assert actions.count("recall_copy.withdraw_failed") == 2
    assert actions.count("recall_copy.withdrawn") == 4
    assert actions.count("recall.close") == 1
    assert entries.filter(action="post.withdraw").count() == 1
    worker_said = entries.filter(action="recall_copy.withdrawn", actor__isnull=True)
    assert {e.actor_label for e in worker_said} == {f"system (for {archivist.username})"}


def test_a_mass_send_cannot_be_recalled_and_a_copy_already_gone_is_withdrawn_not_failed(
    platforms, holdings, approved_post, archivist, client
):
    from archivox.sandbox.weibo.models import WeiboAuthorization
    from archivox.sandbox.weibo.services import sandbox_weibo_status_destroy

    mass = approved_post(
        channels=["wechat"],
        title="群发",
        wechat_mode="mass_send",
        items=[{"description": holdings["item"], "use_image": True}],
    )
    services.post_publish_now(actor=archivist, post=mass)
    quiet = approved_post(
        channels=["wechat", "weibo"],
        title="发布",
        items=[{"description": holdings["item"], "use_image": True}],
    )
    services.post_publish_now(actor=archivist, post=quiet)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    catalog.description_update(
        actor=archivist, description=holdings["item"], access_level="confidential"
    )
    mass_copy = mass.deliveries.get()
    assert mass_copy.recall_state == "cannot"
    assert "mass send cannot be taken back" in mass_copy.recall_note
    copies = {d.channel: d for d in quiet.deliveries.all()}
    # WeChat deletes the article but the answer is lost; the status is deleted on Weibo's own
    # site meanwhile.
    sandbox_fault_set(appid=platforms["appid"], mode="drop_after_commit", api="freepublish/delete")
    grant = WeiboAuthorization.objects.get(user__uid=platforms["weibo_uid"])
    sandbox_weibo_status_destroy(authorization=grant, status_id=copies["weibo"].remote_id)
    client.force_login(archivist)
    for channel in ("wechat", "weibo"):
        client.post(f"/console/publishing/deliveries/{copies[channel].pk}/recall-withdraw/")
    wechat = Delivery.objects.get(pk=copies["wechat"].pk)
    # The answer was lost: not claimed as withdrawn, though WeChat did delete it.
    assert wechat.recall_state == "failed" and wechat.status == "sent"
    weibo = Delivery.objects.get(pk=copies["weibo"].pk)
    assert weibo.recall_state == "withdrawn" and "no longer has" in weibo.recall_note
    client.post(f"/console/publishing/deliveries/{copies['wechat'].pk}/recall-withdraw/")
    wechat.refresh_from_db()
    assert wechat.recall_state == "withdrawn" and "no longer has" in wechat.recall_note
    assert wechat.status == "withdrawn" and wechat.recall_attempts == 2
