"""Two staff act on one request at the same moment, in two threads with their own database
connections: one wins, the other is told who acted (both databases)."""

import threading

import pytest
from django.db import connection

from archivox.records_requests.models import RecordsRequest
from archivox.records_requests.services import workflow
from archivox.records_requests.services.common import RequestRefused
from tests.records_requests.conftest import apply

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_staff_at_once_one_wins(nanjing, kinds, desk, desk2):
    request = apply(nanjing)
    barrier = threading.Barrier(2, timeout=120)
    results: dict[str, str] = {}

    def act(user, decision):
        try:
            barrier.wait(timeout=10)
            workflow.request_verify(
                actor=user,
                archive=nanjing,
                request_id=request.pk,
                version=request.version,
                decision=decision,
                message="材料不全" if decision != "accept" else "",
            )
            results[user.username] = "done"
        except RequestRefused as refused:
            results[user.username] = refused.reason
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(desk, "accept")),
        threading.Thread(target=act, args=(desk2, "refuse")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == ["conflict", "done"], results
    request.refresh_from_db()
    winner = next(name for name, result in results.items() if result == "done")
    assert request.status == ("accepted" if winner == "nj-desk" else "refused")
    assert request.version == 2 and request.events.count() == 2
    assert RecordsRequest.objects.count() == 1
