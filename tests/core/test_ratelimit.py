import pytest

from archivox.core.models import RateLimitWindow
from archivox.core.ratelimit import ratelimit_hit, ratelimit_prune
from tests.helpers import run_at_once


@pytest.mark.django_db
def test_hits_beyond_the_limit_in_one_window_are_refused_and_the_next_window_starts_afresh():
    answers = [ratelimit_hit("ask:1:alice", limit=3, window=60, now=1000) for _ in range(5)]
    assert answers == [True, True, True, False, False]
    assert ratelimit_hit("ask:1:bob", limit=3, window=60, now=1000)
    assert ratelimit_hit("ask:1:alice", limit=3, window=60, now=1021)  # next window: 1020


@pytest.mark.django_db
def test_old_windows_are_pruned():
    ratelimit_hit("k", limit=1, window=60, now=0)
    ratelimit_hit("k", limit=1, window=60, now=100_000)
    assert ratelimit_prune(older_than=3600, now=100_000) == 1
    assert RateLimitWindow.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_counted_exactly():
    allowed = []

    def hit() -> None:
        allowed.append(ratelimit_hit("flood", limit=10, window=3600, now=7200))

    run_at_once(hit, 30)
    assert allowed.count(True) == 10
    assert RateLimitWindow.objects.get(key="flood").hits == 30


@pytest.mark.django_db
def test_a_hit_is_one_statement_also_the_first_of_its_window():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert ratelimit_hit("form:1:carol", limit=1, window=60, now=600)
        assert not ratelimit_hit("form:1:carol", limit=1, window=60, now=601)
    assert len(queries) == 2
    assert RateLimitWindow.objects.get(key="form:1:carol").hits == 2
