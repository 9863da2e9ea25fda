"""The portal's demand counts are added up in memory and written in batches (issue 24), off the
request path: once enough hits are pending, once the oldest is old enough, and when a process
exits; several processes add to the same rows without losing a hit. Real database, real
background writer, real child processes."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from archivox.catalog.demand import demand_flush
from archivox.catalog.models import PublicDemand
from tests.helpers import REPO, child_env, database_url_for_child

pytestmark = pytest.mark.django_db(transaction=True)


def counts(kind: str = "search") -> dict[str, int]:
    return dict(PublicDemand.objects.filter(kind=kind).values_list("key", "count"))


def wait_for(expected: dict[str, int], kind: str = "search", within: float = 30) -> dict[str, int]:
    """The counts once they equal ``expected`` (the writer is a thread: it takes a moment)."""
    deadline = time.monotonic() + within
    while (found := counts(kind)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_searches_wait_in_memory_until_a_batch_is_full(client, nanjing, settings):
    settings.ARCHIVOX_DEMAND_FLUSH_HITS = 10
    settings.ARCHIVOX_DEMAND_FLUSH_SECONDS = 3600
    for term in ["总统府", "总统府", "  总统府 ", "婚姻登记"]:  # nothing found: two hits each
        assert client.get("/search/", {"q": term, "archive": "nanjing"}).status_code == 200
    assert not PublicDemand.objects.exists()  # 8 hits pending, none written by the request
    assert client.get("/search/", {"q": "婚姻登记", "archive": "nanjing"}).status_code == 200
    assert wait_for({"总统府": 3, "婚姻登记": 2}) == {"总统府": 3, "婚姻登记": 2}
    assert counts("zero_hits") == {"总统府": 3, "婚姻登记": 2}
    assert PublicDemand.objects.get(key="总统府", kind="search").archive == nanjing


def test_views_are_written_once_the_oldest_is_old_enough(client, make_description, settings):
    make_description("MG-001", title="总统府门楼")
    settings.ARCHIVOX_DEMAND_FLUSH_HITS = 1000
    settings.ARCHIVOX_DEMAND_FLUSH_SECONDS = 0.2
    for _ in range(3):
        assert client.get("/archives/nanjing/catalog/MG-001/").status_code == 200
    assert wait_for({"MG-001": 3}, kind="description") == {"MG-001": 3}
    assert demand_flush() == 0  # nothing left pending


def test_processes_add_to_the_same_rows_and_write_what_is_pending_at_exit(nanjing):
    """Three processes count the same terms at once, each writing only when it exits."""
    script = (
        "from archivox.core.models import Archive\n"
        "from archivox.catalog.demand import demand_record_search\n"
        "archive = Archive.objects.get(slug='nanjing')\n"
        "for _ in range(20):\n"
        "    demand_record_search(archive=archive, query='总统府', total=5)\n"
        "    demand_record_search(archive=None, query='Garden  ', total=0)\n"
    )
    env = child_env(
        DATABASE_URL=database_url_for_child(),
        ARCHIVOX_DEMAND_FLUSH_HITS="100000",
        ARCHIVOX_DEMAND_FLUSH_SECONDS="3600",
    )
    children = [
        subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), "shell", "-c", script],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    for child in children:
        output, _ = child.communicate(timeout=240)
        assert child.returncode == 0, output
    assert counts() == {"总统府": 60, "garden": 60}
    assert counts("zero_hits") == {"garden": 60}
    assert PublicDemand.objects.get(key="garden", kind="search").archive is None


def test_a_personal_number_is_never_kept_even_in_memory(client, nanjing, settings):
    settings.ARCHIVOX_DEMAND_FLUSH_HITS = 1000
    settings.ARCHIVOX_DEMAND_FLUSH_SECONDS = 3600
    client.get("/search/", {"q": "320102199001011234", "archive": "nanjing"})
    client.get("/search/", {"q": "someone@example.com"})
    assert demand_flush() == 0
    assert not PublicDemand.objects.exists()
