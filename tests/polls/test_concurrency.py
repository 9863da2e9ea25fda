"""Two submissions of one person at the same moment store one response."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from archivox.polls import services
from archivox.polls.identity import Person
from archivox.polls.models import PersonLabel, Response
from tests.polls.conftest import answers_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_concurrent_double_vote_stays_one_response(survey):
    person = Person("wechat", "o-racer")
    answers = answers_for(survey, topics=("民国建筑", "园林"))
    barrier = threading.Barrier(6, timeout=120)
    outcomes: list[str] = []

    def vote() -> None:
        try:
            barrier.wait()
            services.response_submit(questionnaire=survey, person=person, answers=answers)
            outcomes.append("stored")
        except services.AlreadyResponded:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["stored"]
    assert Response.objects.filter(person_id="o-racer").count() == 1
    assert PersonLabel.objects.filter(person_id="o-racer").count() == 3
