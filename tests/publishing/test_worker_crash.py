"""At-most-once with real worker processes: the worker is killed (SIGKILL) while WeChat is
taking the post (the platform accepts it after the worker died, so nothing was recorded); a
restarted worker reconciles with the platform and leaves exactly one copy there."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from archivox.publishing import services, tasks
from archivox.publishing.models import Delivery
from archivox.sandbox.provisioning import sandbox_credentials_ensure
from archivox.sandbox.wechat.models import Fault, Publish
from archivox.sandbox.wechat.services import sandbox_fault_set
from tests.helpers import REPO, child_env, database_url_for_child

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for(condition, what: str, worker=None, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}: {worker.stdout.read()}")
        time.sleep(0.2)
    output = ""
    if worker is not None:
        worker.terminate()
        output = worker.communicate(timeout=15)[0]
    states = list(Delivery.objects.values_list("status", "error"))
    pytest.fail(f"timed out waiting for {what}; deliveries {states}; worker said:\n{output}")


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "run_huey", "--workers", "1", "--no-periodic"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_killing_the_worker_between_send_and_record_leaves_exactly_one_copy(
    live_server, settings, archive, approved_post, archivist, tmp_path
):
    settings.BASE_URL = live_server.url
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    settings.ALLOWED_HOSTS = ["*"]
    credentials = sandbox_credentials_ensure(archive)
    env = child_env(
        DATABASE_URL=database_url_for_child(),
        ARCHIVOX_VAR_DIR=str(tmp_path),
        ARCHIVOX_SANDBOX="1",
        ARCHIVOX_BASE_URL=live_server.url,
        ARCHIVOX_WECHAT_API=settings.WECHAT_API,
        ARCHIVOX_WEIBO_API=settings.WEIBO_API,
        ARCHIVOX_ALLOWED_HOSTS="*",
        ARCHIVOX_FIELD_KEY=settings.FIELD_ENCRYPTION_KEY,  # to read the stored AppSecret
    )
    env.pop("REDIS_URL", None)
    post = approved_post(channels=["wechat"], wechat_mode="publish")
    # WeChat will sit on the publish call for a while, then do it: time to kill the worker.
    sandbox_fault_set(appid=credentials["appid"], mode="delay", seconds=6, api="freepublish/submit")
    previous = HUEY.storage
    HUEY.immediate = False
    HUEY.storage = SqliteStorage("archivox", filename=str(tmp_path / "huey.sqlite3"))
    worker = start_worker(env)
    try:
        services.post_publish_now(actor=archivist, post=post)
        delivery = Delivery.objects.get(post=post)
        # The publish call is in flight once the sandbox has taken the fault.
        wait_for(lambda: not Fault.objects.exists(), "the publish call", worker)
        delivery.refresh_from_db()
        assert delivery.status == "sending"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        # The platform takes the call after the worker died: the article is out there...
        wait_for(Publish.objects.exists, "WeChat to take the publish call")
        delivery.refresh_from_db()
        # ...and we have no record of it.
        assert delivery.status == "sending" and delivery.remote_id == ""
        # A worker is started again (it also runs the sandbox's job that finishes publishing).
        worker = start_worker(env)
        wait_for(lambda: Publish.objects.filter(status=0).exists(), "WeChat to publish", worker)
        # The every-minute sweep picks the stranded delivery up (after STALE_SENDING).
        later = timezone.now() + services.STALE_SENDING
        assert services.deliveries_resume(now=later) == [delivery.pk]
        tasks.delivery_send(delivery.pk)
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).status == "sent",
            "the delivery to be reconciled",
            worker,
        )
    finally:
        HUEY.storage = previous
        HUEY.immediate = True
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=15)
    delivery.refresh_from_db()
    [publish] = Publish.objects.all()
    assert delivery.remote_id == publish.article_id
    assert delivery.attempts == 2
