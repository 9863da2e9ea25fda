"""Web authorisation (网页授权) of a follower on a page opened in WeChat: the authorise URL the
browser is sent to, and the exchange of the code it brings back for the follower's openid."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

from archivox.platforms.wechat.client.transport import WeChatTransport
from archivox.platforms.wechat.errors import WeChatTransportError, error_for


def oauth_authorize_url(*, appid: str, redirect_uri: str, state: str) -> str:
    """The silent ``snsapi_base`` authorisation: WeChat sends the browser back to
    ``redirect_uri`` with ``code`` and ``state`` without asking the follower anything."""
    query = urlencode(
        {
            "appid": appid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return f"{settings.WECHAT_OPEN}/connect/oauth2/authorize?{query}#wechat_redirect"


class OAuthCalls(WeChatTransport):
    """``sns/oauth2/access_token`` (with the AppSecret, not the access_token)."""

    def oauth_openid(self, code: str) -> str:
        """The openid of the follower who brought ``code``; a code works once, for 5 minutes
        (``WeChatApiError`` 40029 invalid, 40163 used). Never retried: a code is spent."""
        data = self._send(
            "GET",
            "/sns/oauth2/access_token",
            api="sns/oauth2/access_token",
            idempotent=False,
            params={
                "appid": self.appid,
                "secret": self._secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        errcode = int(data.get("errcode") or 0)
        if errcode:
            raise error_for(
                errcode, str(data.get("errmsg", "")), api="sns/oauth2/access_token", response=data
            )
        openid = data.get("openid")
        if not isinstance(openid, str) or not openid:
            raise WeChatTransportError("the answer has no openid", api="sns/oauth2/access_token")
        return openid
