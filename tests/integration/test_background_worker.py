"""Tasks run by a real Huey worker process, with the embedded SQLite queue and with Redis."""

import subprocess
import sys
import time

import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import PriorityRedisStorage, SqliteStorage

from archivox.core import tasks
from archivox.core.models import WorkerHeartbeat
from tests.helpers import REPO, child_env, database_url_for_child

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_task_runs_in_immediate_mode_within_the_test():
    tasks.worker_heartbeat("immediate")
    assert WorkerHeartbeat.objects.filter(name="immediate").exists()


def run_through_worker(storage, env: dict[str, str], name: str) -> None:
    """Enqueue into ``storage`` from this process and wait for a worker process to run the task."""
    worker = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "run_huey", "--workers", "1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = HUEY.storage
    HUEY.immediate = False  # recreates the storage, so replace it afterwards
    HUEY.storage = storage
    try:
        tasks.worker_heartbeat(name)
        tasks.worker_heartbeat(f"{name}-after")  # one worker thread: runs once the first is done
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.filter(name__in=[name, f"{name}-after"]).count() == 2:
                # Nobody reads a task's return value: none is kept in the queue's storage.
                assert storage.result_store_size() == 0
                return
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.2)
        pytest.fail("the worker did not run the task within 30 s")
    finally:
        HUEY.storage = previous
        HUEY.immediate = True
        worker.terminate()
        worker.wait(timeout=15)


def test_worker_process_runs_queued_tasks_from_the_embedded_sqlite_queue(tmp_path):
    queue_file = tmp_path / "huey.sqlite3"
    env = child_env(DATABASE_URL=database_url_for_child(), ARCHIVOX_VAR_DIR=str(tmp_path))
    env.pop("REDIS_URL", None)
    run_through_worker(SqliteStorage("archivox", filename=str(queue_file)), env, "sqlite-worker")


@pytest.fixture
def redis_server():
    """A Redis server of this test's own: a database on the shared server would be flushed and
    used by every run of this test at the same time (pytest-xdist workers, other checkouts)."""
    from tests.integration.cluster import PrivateRedis

    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def test_worker_process_runs_queued_tasks_from_redis(tmp_path, redis_server):
    url = redis_server.url
    storage = PriorityRedisStorage("archivox", url=url)
    storage.flush_all()
    env = child_env(
        DATABASE_URL=database_url_for_child(), REDIS_URL=url, ARCHIVOX_VAR_DIR=str(tmp_path)
    )
    run_through_worker(storage, env, "redis-worker")
