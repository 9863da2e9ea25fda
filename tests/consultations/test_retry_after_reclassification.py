"""A WeChat retry of a message answered with catalog cards, after the item stopped being open.

WeChat retries a message (same MsgId) when it had no answer within 5 s, and the callback answers
a retry from the stored answer. Here the sandbox's follower asks over real HTTP, staff then make
the item confidential (or restricted, or closed, or its fonds confidential), and the same
message arrives again: the stored card must not go out a second time."""

from __future__ import annotations

import datetime

import pytest

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access, Description
from archivox.consultations import services
from archivox.consultations.models import InboundMessage

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "白崇禧公馆"
LATER = datetime.date.today() + datetime.timedelta(days=3650)


@pytest.fixture
def mansion(make_description, inbox_archive):
    fonds = make_description("MG", "民国建筑档案", level="fonds", archive=inbox_archive)
    return make_description(
        "MG-001", TITLE, parent=fonds, archive=inbox_archive,
        scope_content="位于南京市秦淮区的民国建筑。", date_expression="1946–1948",
    )  # fmt: skip


@pytest.fixture
def search_rule(inbox_archive, staff):
    return services.autoreply_rule_create(
        actor=staff, archive=inbox_archive, name="馆藏检索", match="any", kind="catalog",
        priority=900, max_hits=5,
    )  # fmt: skip


def titles(reply) -> list[str]:
    if reply.msg_type != "news":
        return []
    items = reply.fields["Articles"]["item"]
    return [card["Title"] for card in (items if isinstance(items, list) else [items])]


@pytest.mark.parametrize(
    "change",
    [
        {"access_level": Access.CONFIDENTIAL},
        {"access_level": Access.RESTRICTED},
        {"closed_until": LATER},
        "fonds confidential",
    ],
    ids=["confidential", "restricted", "closed", "fonds-confidential"],
)
def test_a_retry_after_the_item_stopped_being_open_answers_success_without_the_card(
    follower, mansion, search_rule, staff, change
):
    user = follower("safe")
    plaintext = user.message_xml("text", {"Content": "公馆"})
    first = user.deliver(plaintext)
    assert titles(first) == [TITLE]

    if change == "fonds confidential":
        target = Description.objects.get(reference_code="MG")
        change = {"access_level": Access.CONFIDENTIAL}
    else:
        target = mansion
    catalog_services.description_update(actor=staff, description=target, **change)

    retry = user.deliver(plaintext)  # WeChat's retry: same MsgId, new signature and timestamp
    assert retry.is_success
    assert TITLE not in retry.body and titles(retry) == []
    message = InboundMessage.objects.get()
    assert message.deliveries == 2


def test_a_retry_while_the_item_is_still_open_gets_the_same_card(follower, mansion, search_rule):
    user = follower("plain")
    plaintext = user.message_xml("text", {"Content": "公馆"})
    assert titles(user.deliver(plaintext)) == titles(user.deliver(plaintext)) == [TITLE]


@pytest.mark.parametrize(
    "change",
    [{"access_level": Access.CONFIDENTIAL}, {"access_level": Access.RESTRICTED}, "fonds"],
    ids=["confidential", "restricted", "fonds-confidential"],
)
def test_the_same_words_again_after_the_item_stopped_being_open_get_no_card(
    follower, mansion, search_rule, staff, change
):
    """The catalog rule keeps what it found for the same words five minutes (replies.
    ANSWERS_CACHE_SECONDS); the next message, asking the same a moment after the item was
    closed, must not be answered from what was kept."""
    user = follower("safe")
    assert titles(user.deliver(user.message_xml("text", {"Content": "公馆"}))) == [TITLE]
    assert titles(user.deliver(user.message_xml("text", {"Content": "公馆"}))) == [TITLE]

    if change == "fonds":
        target, change = (
            Description.objects.get(reference_code="MG"),
            {"access_level": Access.CONFIDENTIAL},
        )
    else:
        target = mansion
    catalog_services.description_update(actor=staff, description=target, **change)

    again = user.deliver(user.message_xml("text", {"Content": "公馆"}))
    assert TITLE not in again.body and titles(again) == []
    assert again.msg_type == "text"  # no open item: the rule steps aside, staff will answer
    assert InboundMessage.objects.count() == 3
