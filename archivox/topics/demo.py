"""Demo voices for Nanjing: a readers' interest questionnaire whose answers assign interest
labels, and the topic #南京民国建筑# linking Nanjing's open demo catalog items (paper §4.4–4.5:
know the users through labels, questionnaires and polls; #topic# areas linked to archive
texts and images).

Loaded as the system, idempotently: an existing questionnaire or topic of the same slug is left
alone. Needs the demo archives (``load_paper_survey``) and, for the topic's items, the demo
catalog (``load_demo_catalog``)."""

from __future__ import annotations

import dataclasses

from django.db import transaction

from archivox.catalog.selectors import description_list_public
from archivox.core.models import Archive
from archivox.polls import services as poll_services
from archivox.polls.models import Questionnaire
from archivox.topics import services as topic_services
from archivox.topics.models import Topic

ARCHIVE = "nanjing"
QUESTIONNAIRE = "readers-interests"
TOPIC = "nanjing-republican-architecture"
TOPIC_NAME = "南京民国建筑"
# The open items of "南京名片推荐" and the buildings' photographs, as the gateway lets them out.
TOPIC_PREFIXES = ("NJ-MG-001-", "NJ-MG-002-001-", "NJ-MG-002-002-")
TOPIC_ITEMS = 12


class DemoVoicesError(Exception):
    pass


@dataclasses.dataclass
class DemoVoicesReport:
    questionnaire: str = "exists"
    topic: str = "exists"
    items: int = 0

    def lines(self) -> list[str]:
        return [
            f"questionnaire {QUESTIONNAIRE}: {self.questionnaire}",
            f"topic #{TOPIC_NAME}#: {self.topic} ({self.items} catalog items linked)",
        ]


@transaction.atomic
def demo_voices_load() -> DemoVoicesReport:
    archive = Archive.objects.filter(slug=ARCHIVE).first()
    if archive is None:
        raise DemoVoicesError(
            f"no archive {ARCHIVE!r}: load the demo archives first (manage.py load_paper_survey)"
        )
    report = DemoVoicesReport()
    if not Questionnaire.objects.filter(archive=archive, slug=QUESTIONNAIRE).exists():
        _questionnaire(archive)
        report.questionnaire = "created"
    topic = Topic.objects.filter(archive=archive, slug=TOPIC).first()
    if topic is None:
        topic = _topic(archive)
        report.topic = "created"
    report.items = topic.items.count()
    return report


def _questionnaire(archive: Archive) -> Questionnaire:
    questionnaire = poll_services.questionnaire_create(
        actor=None,
        archive=archive,
        title="南京市档案馆读者兴趣调查",
        slug=QUESTIONNAIRE,
        introduction=(
            "为了更好地推送您关心的档案内容，请花一分钟回答以下问题。"
            "本问卷为演示数据，每人限答一次。"
        ),
    )
    poll_services.question_add(
        actor=None,
        questionnaire=questionnaire,
        kind="multiple",
        text="您对哪些档案主题感兴趣？（最多选三项）",
        options=[
            poll_services.OptionSpec("民国建筑与城市变迁", ["民国建筑", "民国史"]),
            poll_services.OptionSpec("家谱与寻根", ["族谱"]),
            poll_services.OptionSpec("园林与名胜", ["园林"]),
            poll_services.OptionSpec("云锦、灯彩等非遗", ["非遗"]),
            poll_services.OptionSpec("老照片与城市记忆", ["城市记忆"]),
        ],
        min_choices=1,
        max_choices=3,
    )
    poll_services.question_add(
        actor=None,
        questionnaire=questionnaire,
        kind="single",
        text="您通常通过哪种方式了解本馆？",
        options=["微信公众号", "微博", "本馆网站", "到馆参观"],
    )
    poll_services.question_add(
        actor=None,
        questionnaire=questionnaire,
        kind="rating",
        text="您对本馆公众号推送内容的满意度（1 分最低，5 分最高）",
        rating_min=1,
        rating_max=5,
    )
    poll_services.question_add(
        actor=None,
        questionnaire=questionnaire,
        kind="text",
        text="您希望我们多推送哪些内容？",
        required=False,
        max_length=300,
    )
    return poll_services.questionnaire_open(actor=None, questionnaire=questionnaire)


def _topic(archive: Archive) -> Topic:
    topic = topic_services.topic_create(
        actor=None,
        archive=archive,
        name=TOPIC_NAME,
        slug=TOPIC,
        description=(
            "<p>南京是民国时期的首都，现存民国建筑数量多、类型全。"
            "欢迎分享您与这些建筑的故事、老照片线索和参观感受。</p>"
            "<p>本话题为演示数据。</p>"
        ),
    )
    public = description_list_public(archive=archive).order_by("reference_code")
    linked = 0
    for prefix in TOPIC_PREFIXES:
        for description in public.filter(reference_code__startswith=prefix):
            if linked >= TOPIC_ITEMS:
                break
            topic_services.topic_item_add(actor=None, topic=topic, description=description)
            linked += 1
    return topic
