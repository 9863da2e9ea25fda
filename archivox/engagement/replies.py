"""The engagement hook: what we answer to a message the public sent us.

``reply_for`` is called with a stored ``InboundMessage`` whose ``archive`` and ``account`` are
already loaded. It runs under a time budget in the callback (a worker thread), and again without
one in a task when the budget ran out, so it may be called twice for one message: it must not
have side effects that matter if repeated, and it must never send anything itself. A later issue
fills it (keyword search of the catalog through the access gateway, auto-replies, polls…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from archivox.engagement.models import InboundMessage

ACKNOWLEDGEMENT = "我们已收到您的留言，工作人员将尽快答复。"
DEFAULT_WELCOME = (
    "感谢关注{name_zh}！在这里可以查询馆藏、了解展览和活动，给我们留言，工作人员会尽快答复。\n"
    "Thank you for following {name}! Search our holdings, find exhibitions and events, "
    "or leave us a message and our staff will answer soon."
)


@dataclass(frozen=True)
class Reply:
    """An answer to one message. Only text for now; news (articles) later."""

    text: str
    kind: Literal["text"] = "text"


def welcome_for(message: InboundMessage) -> str:
    account = message.account
    if account is not None and account.welcome_text.strip():
        return account.welcome_text.strip()
    archive = message.archive
    return DEFAULT_WELCOME.format(name_zh=archive.name_zh or archive.name, name=archive.name)


def reply_for(message: InboundMessage) -> Reply | None:
    """The reply to ``message``, or None when it needs none (WeChat is then told ``success``)."""
    if message.msg_type == "event":
        if message.event == "subscribe":
            return Reply(text=welcome_for(message))
        return None
    if message.msg_type == "text":
        return Reply(text=ACKNOWLEDGEMENT)
    return None
