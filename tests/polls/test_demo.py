"""The demo questionnaire and topic for Nanjing (``manage.py load_demo_voices``)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access
from archivox.polls.models import InterestLabel, Questionnaire
from archivox.topics.models import Topic

pytestmark = pytest.mark.django_db


def describe(archive, code, title, **values):
    return catalog_services.description_create(
        actor=None, archive=archive, reference_code=code, title=title, level="item", **values
    )


def test_demo_voices_load_a_questionnaire_and_a_topic_of_open_items_once(nanjing, capsys):
    describe(nanjing, "NJ-MG-001-0001", "总统府")
    describe(nanjing, "NJ-MG-001-0002", "机密图", access_level=Access.CONFIDENTIAL)
    describe(nanjing, "NJ-MG-002-001-0001", "总统府历史照片")
    call_command("load_demo_voices")
    questionnaire = Questionnaire.objects.get(archive=nanjing, slug="readers-interests")
    assert questionnaire.is_open
    assert [q.kind for q in questionnaire.questions.all()] == [
        "multiple",
        "single",
        "rating",
        "text",
    ]
    assert {"民国建筑", "族谱", "园林"} <= set(
        InterestLabel.objects.filter(archive=nanjing).values_list("name", flat=True)
    )
    topic = Topic.objects.get(archive=nanjing, name="南京民国建筑")
    linked = sorted(topic.items.values_list("description__reference_code", flat=True))
    assert linked == ["NJ-MG-001-0001", "NJ-MG-002-001-0001"]
    call_command("load_demo_voices")
    assert "exists" in capsys.readouterr().out
    assert Questionnaire.objects.filter(archive=nanjing).count() == 1
    assert Topic.objects.filter(archive=nanjing).count() == 1


def test_demo_voices_without_the_demo_archives_say_what_to_load_first(db):
    with pytest.raises(CommandError, match="load_paper_survey"):
        call_command("load_demo_voices")
