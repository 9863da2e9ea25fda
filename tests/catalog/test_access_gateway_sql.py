"""The access gateway's hand-written read for automatic answers
(``selectors.descriptions_open_public_by_id``) keeps exactly what ``public_filter`` keeps of
the open items: every access level, closure date and inherited classification, one archive."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from archivox.catalog import selectors, services
from archivox.catalog.models import Access, Description
from archivox.catalog.search import ANSWER_FIELDS
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db


def closures() -> dict[str, datetime.date | None]:
    # Read in the test, not at import: a run may cross midnight between the two.
    today = timezone.localdate()
    return {
        "none": None,
        "past": today - datetime.timedelta(days=1),
        "today": today,
        "future": today + datetime.timedelta(days=365),
    }


def test_the_answers_read_keeps_what_public_filter_keeps(nanjing, make_description):
    made = []
    table = closures()
    for number, (access, closure, fonds_access) in enumerate(
        itertools.product(Access.values, table, [Access.OPEN, Access.CONFIDENTIAL])
    ):
        fonds = make_description(f"F-{number}", "全宗", level="fonds", access_level=fonds_access)
        made.append(
            make_description(
                f"I-{number}",
                "公馆档案",
                parent=fonds,
                access_level=access,
                closed_until=table[closure],
            )
        )
    suzhou = ArchiveFactory(slug="suzhou", name="Suzhou", name_zh="苏州市档案馆")
    elsewhere = make_description("S-1", "公馆档案", archive=suzhou)
    ids = [description.pk for description in made] + [elsewhere.pk]

    found = selectors.descriptions_open_public_by_id(
        ids=ids, archive_id=nanjing.pk, fields=ANSWER_FIELDS
    )
    expected = set(
        Description.objects.filter(
            selectors.public_filter(), effective_access=Access.OPEN, archive_id=nanjing.pk
        ).values_list("pk", flat=True)
    ) & set(ids)
    assert set(found) == expected
    # Open and no closure, or a closure that ended: of the inherited cases only the open fonds.
    assert len(expected) == 2
    assert selectors.description_ids_open_public(ids=ids) == expected | {elsewhere.pk}

    one = found[min(found)]
    assert one.title == "公馆档案" and one.archive_id == nanjing.pk
    assert one.get_deferred_fields() >= {"path", "level"}  # only what an answer shows


def test_no_ids_read_nothing(nanjing, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            selectors.descriptions_open_public_by_id(ids=[], archive_id=nanjing.pk, fields=[]) == {}
        )


def test_a_closure_that_ends_today_still_hides_the_item(nanjing, make_description):
    item = make_description("C-1", "公馆档案")
    services.description_update(actor=None, description=item, closed_until=timezone.localdate())
    assert not selectors.descriptions_open_public_by_id(
        ids=[item.pk], archive_id=nanjing.pk, fields=["title"]
    )


def test_only_plain_columns_are_read_by_hand(nanjing):
    # Values are not converted as the ORM would: a JSON or date field is refused, not garbled.
    with pytest.raises(ValueError, match="subjects"):
        selectors.descriptions_open_public_by_id(
            ids=[1], archive_id=nanjing.pk, fields=["subjects"]
        )
    with pytest.raises(ValueError, match="no_such"):
        selectors.descriptions_open_public_by_id(ids=[1], archive_id=nanjing.pk, fields=["no_such"])
