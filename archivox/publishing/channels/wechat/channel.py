"""The WeChat channel: one class over its stages (render, send, reconcile, withdraw), each in its
own module; ``archivox.publishing.channels`` finds it here."""

from __future__ import annotations

from archivox.publishing.channels.wechat.reconcile import WeChatReconcile
from archivox.publishing.channels.wechat.render import WeChatRender
from archivox.publishing.channels.wechat.send import WeChatSend
from archivox.publishing.channels.wechat.withdraw import WeChatWithdraw


class WeChatChannel(WeChatRender, WeChatSend, WeChatReconcile, WeChatWithdraw):
    name = "wechat"
    needs_account: str | None = "wechat"
    in_house = False
