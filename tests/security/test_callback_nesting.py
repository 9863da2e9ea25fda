"""Issue 17, item 2, over real HTTP: about a thousand nested elements made the callback's XML
conversion recurse until RecursionError (a 500), in the plaintext, inside the ciphertext and in
the outer envelope. Every parse is bounded in depth and elements: 400 and one log line."""

from __future__ import annotations

import pytest

from archivox.consultations.models import InboundMessage
from archivox.sandbox.wechat_user import PreparedCallback, WeChatUser
from tests.security.wechat_probe import ACCOUNT_MODE, assert_refused, set_mode

pytestmark = pytest.mark.django_db(transaction=True)


def nested(depth: int) -> str:
    return "<a>" * depth + "x" + "</a>" * depth  # 5,000 deep still fits in the 64 KB limit


def message_with(user: WeChatUser, inner: str) -> str:
    return user.message_xml("text", {"Content": "x"}).replace("</xml>", f"{inner}</xml>")


def _plain_body(user, depth):
    return user.prepare(message_with(user, nested(depth)))


def _inside_the_ciphertext(user, depth):
    return user.prepare(message_with(user, nested(depth)))


def _outer_envelope(user, depth):
    prepared = user.prepare(user.message_xml("text", {"Content": "x"}))
    body = prepared.body.decode().replace("</xml>", f"{nested(depth)}</xml>")
    return PreparedCallback(prepared.params, body.encode())


NESTING = {
    "plaintext body": ("plain", _plain_body),
    "inside the ciphertext": ("safe", _inside_the_ciphertext),
    "in the outer envelope": ("safe", _outer_envelope),
}


@pytest.mark.parametrize("depth", [1000, 5000])
@pytest.mark.parametrize("case", list(NESTING))
def test_deeply_nested_xml_is_refused_with_400(user_for, account, caplog, case, depth):
    mode, build = NESTING[case]
    set_mode(account, ACCOUNT_MODE[mode])
    user = user_for(mode)
    response = user.post(build(user, depth))
    assert_refused(response, caplog, "deeper than")


def test_a_message_of_too_many_elements_is_refused_with_400(user_for, account, caplog):
    user = user_for("safe")
    response = user.post(user.prepare(message_with(user, "<I/>" * 5000)))
    assert_refused(response, caplog, "more than")


def test_the_deepest_message_wechat_sends_is_accepted(user_for, account):
    """PUBLISHJOBFINISH nests four levels below <xml>; it still goes through."""
    user_for("safe").send_event(
        "PUBLISHJOBFINISH",
        PublishEventInfo={
            "publish_id": "2247503051",
            "publish_status": "0",
            "article_detail": {"count": "1", "item": {"idx": "1", "article_url": "U"}},
        },
    )
    detail = InboundMessage.objects.get().payload["PublishEventInfo"]["article_detail"]
    assert detail["item"]["article_url"] == "U"
