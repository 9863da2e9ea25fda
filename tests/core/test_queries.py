"""core.queries.found: the row a unique lookup finds, read without an order (issue 24)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archivox.core.models import Archive
from archivox.core.queries import counter_add, found
from tests.factories import ArchiveFactory
from tests.helpers import run_at_once

pytestmark = pytest.mark.django_db


def test_found_reads_the_one_row_without_ordering_and_none_when_there_is_none():
    archive = ArchiveFactory(slug="found-me")
    with CaptureQueriesContext(connection) as queries:
        row = found(Archive.objects.filter(slug="found-me"))
    assert row == archive
    # Archive has a default order (slug); a unique lookup must not pay for it.
    assert len(queries) == 1
    assert "ORDER BY" not in queries[0]["sql"].upper()
    assert found(Archive.objects.filter(slug="nobody-has-this")) is None


# core.queries.counter_add: one statement counts a call, creating the period's row (issue 24).
# The WeChat sandbox's quota rows are the counters it was written for.


def _sandbox_account():
    from archivox.sandbox.wechat import services

    return services.sandbox_account_create(name="计数")


def test_counter_add_creates_the_row_at_one_then_counts_in_one_statement_each():
    import datetime

    from archivox.sandbox.wechat.models import QuotaUsage

    account = _sandbox_account()
    start = datetime.datetime(2026, 12, 6, 16, 0, tzinfo=datetime.UTC)
    key = {"account": account, "api": "draft/add", "period": "day", "period_start": start}
    with CaptureQueriesContext(connection) as queries:
        counts = [counter_add(QuotaUsage, key) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert len(queries) == 3
    # The row is the one the ORM sees under the same key (the datetime stored as it stores it).
    assert QuotaUsage.objects.get(**key).count == 3
    # A row the ORM wrote is counted on, not duplicated; another key has its own row.
    other = {**key, "api": "media/uploadimg"}
    QuotaUsage.objects.create(**other, count=7)
    assert counter_add(QuotaUsage, other) == 8
    assert QuotaUsage.objects.filter(account=account).count() == 2


def test_counter_add_below_a_limit_stops_there_and_counts_nothing_more():
    import datetime

    from archivox.sandbox.wechat.models import QuotaUsage

    account = _sandbox_account()
    start = datetime.datetime(2026, 12, 7, 7, 5, tzinfo=datetime.UTC)
    key = {"account": account, "api": "token", "period": "minute", "period_start": start}
    assert [counter_add(QuotaUsage, key, below=2) for _ in range(4)] == [1, 2, None, None]
    assert QuotaUsage.objects.get(**key).count == 2
    # A limit of nothing refuses the first call without writing a row.
    empty = {**key, "api": "message/mass/sendall"}
    assert counter_add(QuotaUsage, empty, below=0) is None
    assert not QuotaUsage.objects.filter(api="message/mass/sendall").exists()


@pytest.mark.django_db(transaction=True)
def test_counter_add_gives_the_last_places_to_exactly_as_many_concurrent_callers():
    import datetime

    from archivox.sandbox.wechat.models import QuotaUsage

    account = _sandbox_account()
    start = datetime.datetime(2026, 12, 7, 0, 0, tzinfo=datetime.UTC)
    key = {"account": account, "api": "draft/add", "period": "day", "period_start": start}
    callers, places = 16, 5
    answers: list = []

    def call() -> None:
        answers.append(counter_add(QuotaUsage, key, below=places))

    run_at_once(call, callers)
    assert sorted(a for a in answers if a is not None) == list(range(1, places + 1))
    assert answers.count(None) == callers - places
    assert QuotaUsage.objects.get(**key).count == places
