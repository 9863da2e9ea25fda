"""Typed errors of the Weibo client.

``WeiboApiError`` mirrors the platform's JSON error body::

    {"error": "repeat content!", "error_code": 20019, "request": "/2/statuses/share.json"}
"""

from __future__ import annotations

# Codes the platform uses for the access token (OAuth2): the account must be authorised again.
TOKEN_ERROR_CODES = frozenset(
    {21301, 21314, 21315, 21316, 21317, 21319, 21327, 21332},
)
# Request-frequency limits: 10022 per IP, 10023 per user, 10024 per user on one special call.
RATE_LIMIT_CODES = frozenset({10022, 10023, 10024})
# "System error", "Service unavailable", "Too many pending tasks, system is busy".
BUSY_CODES = frozenset({10001, 10002, 10009})


class WeiboError(Exception):
    """Anything that went wrong talking to Weibo."""


class WeiboValidationError(WeiboError, ValueError):
    """Refused before sending: the request breaks one of the platform's documented limits.

    ``rule`` names the limit (``text_too_long``, ``text_empty``, ``safe_domain_link``, ``topic``,
    ``image_too_large``, ``image_type``, ``rip``, ``account``)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


class WeiboApiError(WeiboError):
    """The platform answered with an error body."""

    def __init__(
        self,
        error_code: int,
        error: str,
        request: str = "",
        *,
        http_status: int | None = None,
    ) -> None:
        super().__init__(f"Weibo error {error_code} on {request or '?'}: {error}")
        self.error_code = error_code
        self.error = error
        self.request = request
        self.http_status = http_status


class WeiboAuthError(WeiboApiError):
    """The access token is missing, expired (21327), revoked or invalid (21332)."""


class WeiboRateLimited(WeiboApiError):
    """A request-frequency limit was hit (10022/10023/10024). Wait ``retry_after`` seconds.

    Raised both for the platform's answer and, without any request, while this process is still
    backing off from an earlier one."""

    def __init__(
        self,
        error_code: int,
        error: str,
        request: str = "",
        *,
        retry_after: float,
        http_status: int | None = None,
        sent: bool = True,
    ) -> None:
        super().__init__(error_code, error, request, http_status=http_status)
        self.retry_after = retry_after
        self.sent = sent


class WeiboTransportError(WeiboError):
    """A read-only call could not reach the platform (after retries); nothing was changed."""


class WeiboUncertainError(WeiboError):
    """A call that changes state was sent, but we cannot tell whether the platform applied it.

    The connection broke, timed out or the server failed after the request left us. The caller
    must reconcile (look the item up) before trying again; the client never retries it."""

    def __init__(self, message: str, request: str = "") -> None:
        super().__init__(message)
        self.request = request
