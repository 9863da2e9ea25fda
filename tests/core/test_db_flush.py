"""The suite's own flush after transactional tests (tests/db_flush.py) leaves the database as
Django's flush does: nothing a test wrote, the canonical content types and permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from archivox.core.models import Archive, AuditEntry
from tests.factories import ArchiveFactory, UserFactory

# The three run in order on one worker (pytest-django runs transactional tests after the others,
# so the state a flush leaves is what the next transactional test finds).
pytestmark = [pytest.mark.xdist_group("db_flush"), pytest.mark.django_db(transaction=True)]

CANONICAL: dict[str, int] = {}


def test_a_first_transactional_test_leaves_the_canonical_rows():
    # The first flush in a process is Django's own; the fast one follows the next tests.
    CANONICAL["types"] = ContentType.objects.count()
    CANONICAL["permissions"] = Permission.objects.count()


def test_a_transactional_test_writes_rows_and_changes_the_content_types():
    archive = ArchiveFactory(slug="flushed")
    AuditEntry.objects.create(action="test.write", archive=archive, actor=UserFactory())
    ContentType.objects.filter(app_label="core").delete()  # post_migrate must bring them back
    ContentType.objects.create(app_label="stray", model="leftover")


def test_the_next_test_finds_the_database_as_djangos_flush_leaves_it():
    assert not Archive.objects.exists() and not AuditEntry.objects.exists()
    assert not ContentType.objects.filter(app_label="stray").exists() or pytest.fail(
        "a content type a test added outlived it"
    )
    assert ContentType.objects.filter(app_label="core").exists()
    assert ContentType.objects.count() == CANONICAL["types"]
    assert Permission.objects.count() == CANONICAL["permissions"]
