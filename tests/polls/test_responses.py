"""Answering a questionnaire: once per person, whole or not at all, labels assigned."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from archivox.polls import selectors, services
from archivox.polls.identity import Person
from archivox.polls.models import Answer, PersonLabel, Response
from tests.helpers import room_in_window
from tests.polls.conftest import answers_for, option

pytestmark = pytest.mark.django_db

ALICE = Person(channel="wechat", person_id="o-alice")


def test_a_response_stores_every_answer_and_counts_in_the_results(survey):
    services.response_submit(
        questionnaire=survey, person=ALICE, answers=answers_for(survey, text="多发老照片")
    )
    services.response_submit(
        questionnaire=survey,
        person=Person("web", "b0b"),
        answers=answers_for(survey, single="微博", topics=("民国建筑", "园林"), rating=2),
    )
    results = selectors.questionnaire_results(questionnaire=survey, with_texts=True)
    assert results.responses == 2
    single, multiple, rating, text = results.questions
    assert {o.text: (o.count, o.percent) for o in single.options} == {
        "微信公众号": (1, 50.0),
        "微博": (1, 50.0),
        "网站": (0, 0.0),
    }
    assert {o.text: o.count for o in multiple.options} == {"民国建筑": 2, "家谱寻根": 0, "园林": 1}
    assert multiple.options[0].percent == 100.0
    assert rating.average == 3.0
    assert [count for _value, count, _pct in rating.ratings] == [0, 1, 0, 1, 0]
    assert text.answered == 1 and text.texts == ["多发老照片"]


def test_answering_twice_is_refused_and_the_first_answers_stay(survey):
    services.response_submit(questionnaire=survey, person=ALICE, answers=answers_for(survey))
    with pytest.raises(services.AlreadyResponded, match="already answered"):
        services.response_submit(
            questionnaire=survey, person=ALICE, answers=answers_for(survey, single="网站")
        )
    assert Response.objects.count() == 1
    assert not Answer.objects.filter(option__text="网站").exists()


def test_options_with_interest_labels_give_them_to_the_person(survey, nanjing):
    services.response_submit(
        questionnaire=survey,
        person=ALICE,
        answers=answers_for(survey, topics=("民国建筑", "家谱寻根")),
    )
    assert selectors.labels_of_person(archive=nanjing, channel="wechat", person_id="o-alice") == [
        "族谱",
        "民国史",
        "民国建筑",
    ]
    assert selectors.people_with_label(archive=nanjing, label="族谱") == [("wechat", "o-alice")]
    assert selectors.people_with_label(archive=nanjing, label="园林") == []


def test_a_label_already_held_is_not_duplicated_by_a_second_questionnaire(
    survey, nanjing, archivist
):
    services.response_submit(questionnaire=survey, person=ALICE, answers=answers_for(survey))
    second = services.questionnaire_create(actor=archivist, archive=nanjing, title="第二次")
    question = services.question_add(
        actor=archivist,
        questionnaire=second,
        kind="single",
        text="?",
        options=[services.OptionSpec("是", ["民国建筑"]), "否"],
    )
    second = services.questionnaire_open(actor=archivist, questionnaire=second)
    services.response_submit(
        questionnaire=second,
        person=ALICE,
        answers={question.pk: option(question, "是").pk},
    )
    assert PersonLabel.objects.filter(person_id="o-alice", label__name="民国建筑").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"single": None}, "single", "Please answer"),
        ({"single": "999999"}, "single", "options shown"),
        ({"topics": ()}, "multiple", "Please answer"),
        ({"topics": ("民国建筑", "家谱寻根", "园林")}, "multiple", "at most 2"),
        ({"rating": 9}, "rating", "from 1 to 5"),
        ({"rating": "five"}, "rating", "from 1 to 5"),
        ({"text": "长" * 51}, "text", "51 characters"),
        ({"text": ["a", "b"]}, "text", "as text"),
    ],
)
def test_bad_answers_are_refused_per_question_and_nothing_is_stored(survey, change, field, message):
    values = {"single": "微信公众号", "topics": ("民国建筑",), "rating": 4, "text": ""}
    values.update(change)
    answers = answers_for(survey, **{k: v for k, v in values.items() if k != "single"})
    if values["single"] is None:
        answers[str(survey.q["single"].pk)] = ""
    elif values["single"] != "微信公众号":
        answers[str(survey.q["single"].pk)] = values["single"]
    with pytest.raises(ValidationError) as refused:
        services.response_submit(questionnaire=survey, person=ALICE, answers=answers)
    errors = refused.value.message_dict
    assert list(errors) == [f"q{survey.q[field].pk}"]
    assert message in errors[f"q{survey.q[field].pk}"][0]
    assert Response.objects.count() == 0 and PersonLabel.objects.count() == 0


def test_a_free_text_answer_is_stored_as_plain_text(survey):
    script = "<script>alert('x')</script>好"
    services.response_submit(
        questionnaire=survey, person=ALICE, answers=answers_for(survey, text=script)
    )
    assert Answer.objects.get(question=survey.q["text"]).text == script


def test_a_closed_or_unopened_questionnaire_takes_no_answers(survey, archivist):
    services.questionnaire_close(actor=archivist, questionnaire=survey)
    survey.refresh_from_db()
    with pytest.raises(services.QuestionnaireNotOpen, match="closed"):
        services.response_submit(questionnaire=survey, person=ALICE, answers=answers_for(survey))
    services.questionnaire_update(
        actor=archivist,
        questionnaire=survey,
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=None,
    )
    survey.refresh_from_db()
    with pytest.raises(services.QuestionnaireNotOpen, match="not open yet"):
        services.response_submit(questionnaire=survey, person=ALICE, answers=answers_for(survey))
    assert Response.objects.count() == 0


def test_submissions_beyond_the_rate_limit_are_refused(survey, settings):
    settings.POLLS_SUBMIT_RATE = (3, 60)
    room_in_window(60)
    for index in range(3):
        services.response_submit(
            questionnaire=survey,
            person=Person("web", f"p{index}"),
            answers=answers_for(survey),
            client="10.0.0.9",
        )
    with pytest.raises(services.RateLimited, match="Too many"):
        services.response_submit(
            questionnaire=survey,
            person=Person("web", "p9"),
            answers=answers_for(survey),
            client="10.0.0.9",
        )
    assert Response.objects.count() == 3
    # Another connection is not held back by the first one's flood.
    services.response_submit(
        questionnaire=survey, person=Person("web", "p10"), answers=answers_for(survey), client="x"
    )
