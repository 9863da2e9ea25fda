"""Our WeChat official-account API client: the calls Archivox makes, with the platform's rules.

A thin client on httpx rather than wechatpy's ``WeChatClient`` (see docs/sandbox-wechat.md):
wechatpy 1.8 fetches tokens from a hard-coded host, keeps them per process, retries token errors
without bound, has no draft/freepublish calls, and turns every network error into the same
exception, so a lost answer to a publish cannot be told from a refused one. Here:

- the access_token is shared by all processes through the database
  (``archivox.platforms.tokens``), renewed 5 minutes before its 7200 s expiry and when the
  platform refuses it (40001/40014/42001: renewed once, the call retried once), with at most
  2,000 fetches a day;
- every call has a timeout; idempotent calls (reads, menu/create) are retried with back-off on
  network errors, HTTP 5xx and errcode -1; calls that change state are never retried once sent —
  a lost answer raises ``WeChatUncertainError`` so the caller reconciles;
- every refusal raises a typed ``WeChatApiError`` subclass carrying errcode and errmsg.

One module per stage: ``transport`` (the HTTP client, the access_token, sending with the rules
above), ``tokens`` (the shared token store), and the platform's calls in ``media``,
``publishing`` (drafts and freepublish), ``mass_send`` and ``followers`` (customer service, menu,
users, statistics); ``api`` puts them together as ``WeChatApi``. This package re-exports what the
former module offered, so ``from archivox.platforms.wechat.client import client_for_account``
keeps working. Code inside the app imports from the stage module.
"""

from archivox.platforms.wechat.client.api import WeChatApi, client_for_account
from archivox.platforms.wechat.errors import (
    WeChatApiError,
    WeChatBusyError,
    WeChatCredentialError,
    WeChatDuplicateMassSendError,
    WeChatError,
    WeChatInvalidContentError,
    WeChatMassQuotaError,
    WeChatOutOfWindowError,
    WeChatRateLimitError,
    WeChatReplyLimitError,
    WeChatTokenError,
    WeChatTokenQuotaError,
    WeChatTransportError,
    WeChatUncertainError,
)

__all__ = [
    "WeChatApi",
    "WeChatApiError",
    "WeChatBusyError",
    "WeChatCredentialError",
    "WeChatDuplicateMassSendError",
    "WeChatError",
    "WeChatInvalidContentError",
    "WeChatMassQuotaError",
    "WeChatOutOfWindowError",
    "WeChatRateLimitError",
    "WeChatReplyLimitError",
    "WeChatTokenError",
    "WeChatTokenQuotaError",
    "WeChatTransportError",
    "WeChatUncertainError",
    "client_for_account",
]
