"""The account's API client for each stage, and the client's typed errors turned into the channel
contract's (transient or permanent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from archivox.platforms.wechat import client as wechat
from archivox.platforms.wechat.errors import (
    WeChatApiError,
    WeChatBusyError,
    WeChatCredentialError,
    WeChatError,
    WeChatInvalidContentError,
    WeChatMassQuotaError,
    WeChatRateLimitError,
    WeChatTokenError,
    WeChatTransportError,
    WeChatUncertainError,
)
from archivox.publishing.channels.base import PermanentChannelError, TransientChannelError

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount


class _client:
    """The account's API client as a context manager; a missing or incomplete account is a
    permanent error naming the problem."""

    def __init__(self, account: PlatformAccount | None) -> None:
        if account is None:
            raise PermanentChannelError(_("the archive has no WeChat account to send through"))
        try:
            self.api = wechat.client_for_account(account)
        except ValueError as exc:
            raise PermanentChannelError(
                _("the WeChat account cannot be used: %(error)s") % {"error": exc}
            ) from exc

    def __enter__(self) -> wechat.WeChatApi:
        return self.api

    def __exit__(self, *exc_info: object) -> None:
        self.api.close()


class _platform_errors:
    """Turn the client's typed errors into the channel contract's: what is worth retrying
    (transient) and what is not (permanent), with a message naming the problem."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, _tb: object) -> bool:
        if error is None or not isinstance(error, WeChatError):
            return False
        raise _translate(error) from error


def _translate(error: WeChatError) -> Exception:
    if isinstance(error, WeChatUncertainError):
        return TransientChannelError(
            _(
                "WeChat may or may not have accepted it (%(error)s); the next try looks on the "
                "platform before sending again"
            )
            % {"error": error}
        )
    if isinstance(error, WeChatTransportError):
        return TransientChannelError(_("WeChat could not be reached: %(error)s") % {"error": error})
    if isinstance(error, WeChatCredentialError):
        return PermanentChannelError(
            _(
                "WeChat refused the account's AppID or AppSecret (errcode %(code)s: %(msg)s); "
                "correct the credentials of the WeChat account"
            )
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatTokenError):
        return PermanentChannelError(
            _(
                "WeChat refused the account's access token even after renewing it (errcode "
                "%(code)s: %(msg)s); check the account's credentials"
            )
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatMassQuotaError):
        return PermanentChannelError(
            _(
                "WeChat refused the mass send: the account's mass-send quota is used up (a "
                "subscription account may mass-send once a day; errcode %(code)s: %(msg)s)"
            )
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatInvalidContentError):
        return PermanentChannelError(
            _("WeChat refused the content (errcode %(code)s: %(msg)s)")
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatBusyError | WeChatRateLimitError):
        return TransientChannelError(
            _("WeChat is busy or rate-limited (errcode %(code)s: %(msg)s)")
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatApiError):
        return PermanentChannelError(
            _("WeChat refused the call %(api)s (errcode %(code)s: %(msg)s)")
            % {"api": error.api, "code": error.errcode, "msg": error.errmsg}
        )
    return TransientChannelError(str(error))
