"""Questionnaires built through the real services, as a staff member of Nanjing's archive."""

from __future__ import annotations

import pytest

from archivox.core.services import membership_grant
from archivox.polls import services
from archivox.polls.services import OptionSpec
from tests.factories import ArchiveFactory, UserFactory


@pytest.fixture
def nanjing(db):
    return ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")


@pytest.fixture
def archivist(nanjing):
    user = UserFactory(username="wang")
    membership_grant(actor=None, archive=nanjing, user=user, role="archivist")
    return user


@pytest.fixture
def survey(nanjing, archivist):
    """An open questionnaire with one question of each kind; options carry interest labels."""
    questionnaire = services.questionnaire_create(
        actor=archivist, archive=nanjing, title="读者兴趣调查", slug="interests"
    )
    single = services.question_add(
        actor=archivist,
        questionnaire=questionnaire,
        kind="single",
        text="您最常用哪种方式了解本馆？",
        options=["微信公众号", "微博", "网站"],
    )
    multiple = services.question_add(
        actor=archivist,
        questionnaire=questionnaire,
        kind="multiple",
        text="您对哪些主题感兴趣？",
        options=[
            OptionSpec("民国建筑", ["民国建筑", "民国史"]),
            OptionSpec("家谱寻根", ["族谱"]),
            OptionSpec("园林", ["园林"]),
        ],
        min_choices=1,
        max_choices=2,
    )
    rating = services.question_add(
        actor=archivist,
        questionnaire=questionnaire,
        kind="rating",
        text="您对本馆公众号的满意度",
        rating_min=1,
        rating_max=5,
    )
    text = services.question_add(
        actor=archivist,
        questionnaire=questionnaire,
        kind="text",
        text="您的建议",
        required=False,
        max_length=50,
    )
    services.questionnaire_open(actor=archivist, questionnaire=questionnaire)
    questionnaire.refresh_from_db()
    questionnaire.q = {"single": single, "multiple": multiple, "rating": rating, "text": text}
    return questionnaire


def option(question, text):
    return question.options.get(text=text)


def answers_for(survey, *, single="微信公众号", topics=("民国建筑",), rating=4, text=""):
    q = survey.q
    return {
        str(q["single"].pk): str(option(q["single"], single).pk),
        str(q["multiple"].pk): [str(option(q["multiple"], t).pk) for t in topics],
        str(q["rating"].pk): str(rating),
        str(q["text"].pk): text,
    }


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are asserted in English (the source language), whatever the translations."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
