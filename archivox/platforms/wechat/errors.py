"""Typed errors of the WeChat API client, so callers can tell what to do next.

``WeChatApiError`` — the platform answered with an errcode; the request was refused and nothing
happened (except where a subclass says otherwise). ``WeChatTransportError`` — no usable answer;
safe to try again later. ``WeChatUncertainError`` — a call that changes state (publish, mass
send, customer-service message, draft, upload) was sent but its answer was lost: it may or may
not have taken effect, so the caller must reconcile before trying again.
"""

from __future__ import annotations


class WeChatError(Exception):
    """Any failure of a WeChat API call."""

    def __init__(self, message: str, *, api: str = "") -> None:
        super().__init__(message)
        self.api = api


class WeChatTransportError(WeChatError):
    """The call got no usable answer (network error, HTTP error, unreadable body)."""

    def __init__(self, message: str, *, api: str = "", status_code: int | None = None) -> None:
        super().__init__(message, api=api)
        self.status_code = status_code


class WeChatUncertainError(WeChatTransportError):
    """A non-idempotent call was sent but its outcome is unknown: reconcile before retrying."""


class WeChatApiError(WeChatError):
    """The platform refused the call with ``errcode``/``errmsg``."""

    def __init__(
        self, errcode: int, errmsg: str, *, api: str = "", response: dict | None = None
    ) -> None:
        super().__init__(f"WeChat {api or 'API'} errcode {errcode}: {errmsg}", api=api)
        self.errcode = errcode
        self.errmsg = errmsg
        self.response = response or {}


class WeChatBusyError(WeChatApiError):
    """errcode -1, "system error": try again later (idempotent calls are retried for you)."""


class WeChatTokenError(WeChatApiError):
    """The access_token was refused (40001, 40014, 42001) even after one refresh."""


class WeChatCredentialError(WeChatApiError):
    """Fetching an access_token failed: wrong AppID or AppSecret, or the IP is not allowed."""


class WeChatRateLimitError(WeChatApiError):
    """A quota or frequency limit was reached (45009 daily quota, 45011 per minute, …)."""


class WeChatTokenQuotaError(WeChatRateLimitError):
    """Our own cap of 2,000 access_token fetches a day was reached; nothing was sent."""


class WeChatOutOfWindowError(WeChatApiError):
    """45015: the user has not written within 48 hours (or unfollowed); no CS message allowed."""


class WeChatReplyLimitError(WeChatRateLimitError, WeChatOutOfWindowError):
    """45047: the customer-service messages allowed in the user's window are used up."""


class WeChatMassQuotaError(WeChatApiError):
    """45028: no mass-send quota left (a subscription account sends once a day)."""


class WeChatDuplicateMassSendError(WeChatApiError):
    """45065/45066: a mass send with this clientmsgid exists already; ``msg_id`` names it when
    the platform says so. The earlier send stands: do not send again."""

    @property
    def msg_id(self) -> int | None:
        value = self.response.get("msg_id")
        return int(value) if value not in (None, "") else None


class WeChatInvalidContentError(WeChatApiError):
    """The content breaks a platform rule (title, digest, author or content length, media type
    or size, unknown media_id, bad menu): fix the content, retrying will not help."""


TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
CREDENTIAL_ERRCODES = frozenset({40001, 40002, 40013, 40125, 40164, 41002, 41004})

_BY_ERRCODE: dict[int, type[WeChatApiError]] = {
    -1: WeChatBusyError,
    40001: WeChatTokenError,
    40014: WeChatTokenError,
    42001: WeChatTokenError,
    45009: WeChatRateLimitError,
    45011: WeChatRateLimitError,
    45015: WeChatOutOfWindowError,
    45047: WeChatReplyLimitError,
    45028: WeChatMassQuotaError,
    45065: WeChatDuplicateMassSendError,
    45066: WeChatDuplicateMassSendError,
    **dict.fromkeys(
        (
            40004,  # invalid media type
            40005,  # invalid file type
            40006,  # invalid file size
            40007,  # invalid media_id
            40008,  # invalid message type
            40009,  # invalid image size
            40012,  # invalid thumb size
            40016,
            40017,
            40018,
            40019,
            40020,
            40023,
            40024,
            40025,
            40026,
            40027,  # menu buttons
            44002,  # empty post data
            44003,  # empty news data
            45002,  # content size out of limit
            45003,  # title size out of limit
            45004,  # description (digest) size out of limit
            45110,  # author size out of limit
            47001,  # data format error
            53503,  # the draft did not pass the publishing check
        ),
        WeChatInvalidContentError,
    ),
}


def error_for(
    errcode: int, errmsg: str, *, api: str = "", response: dict | None = None
) -> WeChatApiError:
    """The most specific typed error for a platform errcode."""
    cls = _BY_ERRCODE.get(errcode, WeChatApiError)
    return cls(errcode, errmsg, api=api, response=response)
