"""Withdraw: a published article is deleted (``freepublish/delete``; 40007, an article WeChat no
longer has, raises AlreadyGone); a mass send cannot be taken back from followers' chats, and
``withdrawal`` says so beforehand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from archivox.platforms.wechat.errors import WeChatApiError
from archivox.publishing.channels.base import (
    AlreadyGone,
    TransientChannelError,
    Withdrawal,
    WithdrawPlan,
    WithdrawRefused,
)
from archivox.publishing.channels.wechat.api import _client, _platform_errors

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount


def _mass_send_refusal() -> str:
    return _(
        "A mass send cannot be taken back from followers' chats; WeChat lets the "
        "article be deleted only within 30 minutes of sending, from the official "
        "account platform."
    )


class WeChatWithdraw:
    """The withdraw stage of ``WeChatChannel``."""

    def withdrawal(self, *, remote_id: str) -> WithdrawPlan:
        if remote_id.startswith("mass:"):
            return WithdrawPlan(Withdrawal.IMPOSSIBLE, _mass_send_refusal())
        return WithdrawPlan(Withdrawal.PLATFORM)

    def withdraw(
        self, *, account: PlatformAccount | None, remote_id: str, context: dict[str, Any]
    ) -> None:
        if remote_id.startswith("mass:"):
            raise WithdrawRefused(_mass_send_refusal())
        with _client(account) as api, _platform_errors():
            article_id = remote_id
            if remote_id.startswith("publish:"):
                answer = api.freepublish_get(remote_id.removeprefix("publish:"))
                article_id = str(answer.get("article_id") or "")
                if int(answer.get("publish_status", 1)) == 1:
                    raise TransientChannelError(
                        _("the article is still being published; withdraw it in a moment")
                    )
                if not article_id:
                    raise WithdrawRefused(
                        _("WeChat did not publish this article (status %(status)s)")
                        % {"status": answer.get("publish_status")}
                    )
            try:
                api.freepublish_delete(article_id, 0)
            except WeChatApiError as exc:
                if exc.errcode == 40007:
                    # The id came from WeChat itself, so "unknown" means deleted already (from
                    # the platform's console, or by a try whose answer was lost).
                    raise AlreadyGone(
                        _("WeChat no longer has the article: %(reason)s")
                        % {"reason": f"{exc.errcode} {exc.errmsg}"}
                    ) from exc
                if exc.errcode in (53600, 48001):
                    raise WithdrawRefused(
                        _("WeChat refused to delete the article: %(reason)s")
                        % {"reason": f"{exc.errcode} {exc.errmsg}"}
                    ) from exc
                raise
