"""The access_token's store: shared by all processes through the database
(``archivox.platforms.tokens``), renewed 5 minutes before its 7200 s expiry, with at most 2,000
fetches a day."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from archivox.platforms.tokens.services import FetchedToken, StoredToken, shared_token_get

TOKEN_LIFETIME_MARGIN = 300  # renew this many seconds before the platform's expiry
TOKEN_FETCHES_PER_DAY = 2000  # the platform's daily quota of /cgi-bin/token calls
PLATFORM = "wechat"


class TokenStore(Protocol):
    def __call__(
        self, *, appid: str, fetch: Callable[[], FetchedToken], reject: str = ""
    ) -> StoredToken: ...


def database_token_store(
    *, appid: str, fetch: Callable[[], FetchedToken], reject: str = ""
) -> StoredToken:
    """The production store: one row per AppID in ``platform_tokens``, shared by all processes."""
    return shared_token_get(
        platform=PLATFORM,
        key=appid,
        fetch=fetch,
        reject=reject,
        refresh_margin=TOKEN_LIFETIME_MARGIN,
        daily_cap=TOKEN_FETCHES_PER_DAY,
    )
