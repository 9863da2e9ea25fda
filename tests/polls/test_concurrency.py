"""Two submissions of one person at the same moment store one response."""

from __future__ import annotations

import pytest

from archivox.polls import services
from archivox.polls.identity import Person
from archivox.polls.models import PersonLabel, Response
from tests.helpers import run_at_once
from tests.polls.conftest import answers_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_concurrent_double_vote_stays_one_response(survey):
    person = Person("wechat", "o-racer")
    answers = answers_for(survey, topics=("民国建筑", "园林"))
    outcomes: list[str] = []

    def vote() -> None:
        try:
            services.response_submit(questionnaire=survey, person=person, answers=answers)
            outcomes.append("stored")
        except services.AlreadyResponded:
            outcomes.append("refused")

    run_at_once(vote, 6)
    assert sorted(outcomes) == ["refused"] * 5 + ["stored"]
    assert Response.objects.filter(person_id="o-racer").count() == 1
    assert PersonLabel.objects.filter(person_id="o-racer").count() == 3
