"""core.queries.found: the row a unique lookup finds, read without an order (issue 24)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archivox.core.models import Archive
from archivox.core.queries import found
from tests.factories import ArchiveFactory

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
