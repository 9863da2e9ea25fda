"""The JS-SDK's ``jsapi_ticket``: like the access_token, fetched once for all processes through
the shared store (``archivox.platforms.tokens``, platform ``wechat_jsapi``), valid 7200 s and
renewed 5 minutes early; a process keeps the live ticket in memory, so a page view inside WeChat
reads no database row and never fetches."""

from __future__ import annotations

import datetime
import threading

from archivox.platforms.tokens.services import (
    FetchedToken,
    StoredToken,
    TokenFetchCapReached,
    TokenWaitTimeout,
    shared_token_get,
)
from archivox.platforms.wechat.client.tokens import TOKEN_LIFETIME_MARGIN
from archivox.platforms.wechat.client.transport import WeChatTransport
from archivox.platforms.wechat.errors import (
    WeChatTokenQuotaError,
    WeChatTransportError,
)

TICKET_PLATFORM = "wechat_jsapi"
# ticket/getticket is limited per day like /cgi-bin/token; we cap ourselves well below it.
TICKET_FETCHES_PER_DAY = 2000

_memo: dict[str, StoredToken] = {}
_memo_lock = threading.Lock()


def _live(ticket: StoredToken | None) -> bool:
    if ticket is None:
        return False
    margin = datetime.timedelta(seconds=TOKEN_LIFETIME_MARGIN)
    return ticket.expires_at - datetime.datetime.now(datetime.UTC) > margin


def jsapi_ticket_memo_clear() -> None:
    """Forget the tickets this process holds (tests, or after the AppSecret changed)."""
    with _memo_lock:
        _memo.clear()


class TicketCalls(WeChatTransport):
    """``ticket/getticket?type=jsapi``, through the shared store."""

    def jsapi_ticket(self) -> StoredToken:
        """The account's live jsapi_ticket (fetched only when no process holds a live one)."""
        with _memo_lock:
            memo = _memo.get(self.appid)
        if _live(memo):
            assert memo is not None
            return memo
        try:
            ticket = shared_token_get(
                platform=TICKET_PLATFORM,
                key=self.appid,
                fetch=self._fetch_jsapi_ticket,
                refresh_margin=TOKEN_LIFETIME_MARGIN,
                daily_cap=TICKET_FETCHES_PER_DAY,
            )
        except TokenFetchCapReached as exc:
            raise WeChatTokenQuotaError(
                45009,
                f"our cap of {exc.cap} jsapi_ticket fetches today is reached; not fetching",
                api="ticket/getticket",
            ) from exc
        except TokenWaitTimeout as exc:
            raise WeChatTransportError(str(exc), api="ticket/getticket") from exc
        with _memo_lock:
            _memo[self.appid] = ticket
        return ticket

    def _fetch_jsapi_ticket(self) -> FetchedToken:
        data = self._call(
            "GET",
            "/cgi-bin/ticket/getticket",
            api="ticket/getticket",
            idempotent=True,
            params={"type": "jsapi"},
        )
        ticket = data.get("ticket")
        if not isinstance(ticket, str) or not ticket:
            raise WeChatTransportError("the answer has no ticket", api="ticket/getticket")
        return FetchedToken(ticket, int(data.get("expires_in") or 7200))
