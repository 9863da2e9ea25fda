"""An archive served by Archivox gets its interaction indicators from its own inbox."""

import datetime

import pytest
from django.utils import timezone

from archivox.consultations import services
from archivox.core.models import Archive
from archivox.survey import selectors
from archivox.survey.own_records import indicators_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask(archive, email, question):
    return services.consultation_ask(archive=archive, name="读者", email=email, question=question)


def test_consultations_answered_in_the_inbox_feed_the_archives_response_time(paper, mailoutbox):
    nanjing = Archive.objects.get(slug="nanjing")
    ask(nanjing, "a@example.cn", "请问民国建筑档案可以查阅吗？")
    ask(nanjing, "b@example.cn", "家谱在哪里查？")
    answered = nanjing.consultations.get(person="a@example.cn")
    services.consultation_answer(actor=None, consultation=answered, text="可以，请预约阅览室。")

    today = timezone.localdate()
    scope = selectors.scope_get(
        survey=paper, archive="nanjing", as_of=today, start=today - datetime.timedelta(days=30)
    )
    interaction = indicators_for(scope).interaction
    assert interaction.consultations == 2
    assert interaction.unanswered == 1
    assert interaction.response_hours_median is not None
    assert interaction.response_hours_median < 1


def test_archives_outside_archivox_keep_not_enough_data(paper):
    scope = selectors.scope_get(survey=paper)
    assert indicators_for(scope).interaction.consultations is None


def test_the_console_report_shows_the_inbox_figures(paper, client):
    nanjing = Archive.objects.get(slug="nanjing")
    ask(nanjing, "c@example.cn", "开放时间？")
    client.force_login(UserFactory(username="supervisor", is_superuser=True))
    today = timezone.localdate()
    response = client.get(
        f"/api/v1/survey/{paper.slug}/indicators",
        {"archive": "nanjing", "as_of": today.isoformat(), "start": today.isoformat()},
    )
    assert response.status_code == 200, response.content
    assert response.json()["interaction"]["consultations"] == 1
