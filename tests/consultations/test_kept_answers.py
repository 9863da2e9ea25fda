"""The catalog rule's answers are kept for every web process (``consultations.kept_answers``):
a question one process searched is answered by another from a read by key, never from stale
items, and what expired is neither used nor kept for ever.

"Another process" is this one with its own copy forgotten (``replies._answers_cache``): the
processes share nothing else, and the table is what they share."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access
from archivox.consultations import kept_answers, replies, services
from archivox.consultations.models import KeptAnswer
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mansion(make_description, inbox_archive):
    return make_description(
        "MG-001", "白崇禧公馆", archive=inbox_archive, scope_content="位于南京市秦淮区的民国建筑。"
    )


def searched(queries) -> bool:
    """Whether any of ``queries`` read the full-text index (a search, not a read by key)."""
    return any(
        marker in query["sql"]
        for query in queries
        for marker in ("catalog_fts", "catalog_searchtext", "to_tsquery")
    )


def reads(queries) -> list[str]:
    """The statements that read (a savepoint around the shared read, inside this test's
    transaction, is not one)."""
    return [
        query["sql"] for query in queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]


def another_process() -> None:
    replies._answers_cache.clear()


def test_a_question_one_process_searched_is_answered_by_another_without_a_search(
    inbox_archive, mansion
):
    assert replies.kept_catalog_articles(inbox_archive, "公馆", limit=5) is None  # never asked
    with CaptureQueriesContext(connection) as first:
        cards = replies.catalog_articles(inbox_archive, " 公馆 ", limit=5)
    assert [card.title for card in cards] == ["白崇禧公馆"] and searched(first)
    assert KeptAnswer.objects.get().description_ids == [mansion.pk]

    another_process()
    with CaptureQueriesContext(connection) as again:
        # The callback's memory-only path: a read by key, the items again by primary key.
        kept = replies.kept_catalog_articles(inbox_archive, "公馆", limit=5)
    assert kept == cards and not searched(again) and len(reads(again)) == 2
    # Kept here now too: the next message of this process reads the items only.
    with CaptureQueriesContext(connection) as here:
        assert replies.kept_catalog_articles(inbox_archive, "公馆", limit=5) == cards
    assert len(reads(here)) == 1


def test_what_another_process_kept_is_not_named_once_the_item_is_closed(inbox_archive, mansion):
    assert replies.catalog_articles(inbox_archive, "公馆", limit=5)
    catalog_services.description_update(
        actor=None, description=mansion, access_level=Access.CONFIDENTIAL
    )
    another_process()
    assert replies.kept_catalog_articles(inbox_archive, "公馆", limit=5) is None
    assert replies.catalog_articles(inbox_archive, "公馆", limit=5) == []
    assert KeptAnswer.objects.get().description_ids == []  # what was found now is kept


def test_kept_answers_are_per_archive_and_per_number_of_items(inbox_archive, mansion):
    replies.catalog_articles(inbox_archive, "公馆", limit=5)
    other = ArchiveFactory(slug="suzhou", name="Suzhou", name_zh="苏州市档案馆")
    assert kept_answers.kept_ids(archive_id=other.pk, words="公馆", limit=5) is None
    assert kept_answers.kept_ids(archive_id=inbox_archive.pk, words="公馆", limit=3) is None
    ids, seconds = kept_answers.kept_ids(archive_id=inbox_archive.pk, words="公馆", limit=5)
    assert ids == [mansion.pk] and 0 < seconds <= replies.ANSWERS_CACHE_SECONDS


def test_an_expired_answer_is_searched_again_and_purged(inbox_archive, mansion):
    replies.catalog_articles(inbox_archive, "公馆", limit=5)
    KeptAnswer.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    another_process()
    assert replies.kept_catalog_articles(inbox_archive, "公馆", limit=5) is None
    assert kept_answers.purge() == 1 and not KeptAnswer.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        assert replies.catalog_articles(inbox_archive, "公馆", limit=5)
    assert searched(queries) and KeptAnswer.objects.count() == 1
    assert kept_answers.purge() == 0  # the new one is still good


def test_a_changed_rule_asks_afresh_in_every_process(inbox_archive, mansion, staff):
    replies.catalog_articles(inbox_archive, "公馆", limit=5)
    other = ArchiveFactory(slug="suzhou", name="Suzhou", name_zh="苏州市档案馆")
    KeptAnswer.objects.create(
        archive=other, digest=KeptAnswer.digest_of("公馆", 5), description_ids=[],
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )  # fmt: skip
    services.autoreply_rule_create(
        actor=staff, archive=inbox_archive, name="馆藏检索", match="any", kind="catalog"
    )
    # This archive's kept answers are gone (the next answer searches); the other's stay.
    assert list(KeptAnswer.objects.values_list("archive_id", flat=True)) == [other.pk]
