"""A client of the Weibo open API v2 (``https://api.weibo.com/2/...``) for one account.

- OAuth2: the account's ``access_token`` goes in the query (GET) or the form (POST), as API 2
  takes it.
- ``statuses/share``, ``statuses/destroy``, ``short_url/expand``, ``comments/show``,
  ``comments/create``, ``comments/reply``, ``comments/to_me``, ``comments/mentions``,
  ``statuses/mentions``, ``statuses/user_timeline`` and ``account/rate_limit_status``. The
  platform's limits are checked before anything is sent (``archivox.platforms.weibo.rules``).
- Every call has a timeout. Read-only calls are retried with exponential back-off on network
  errors, HTTP 5xx and "system busy" codes. Calls that change state are never retried once they
  may have reached the server: a broken connection, a timeout or a 5xx after sending raises
  ``WeiboUncertainError`` and the caller reconciles.
- Rate limits (HTTP 403, error 10022/10023/10024) raise ``WeiboRateLimited`` with ``retry_after``,
  and the client then refuses further calls for that token (or that call, for 10024) locally
  until the limit resets, so that workers do not hammer the platform. The back-off is kept in
  Django's cache, so processes that share a cache share it.
- ``poll_comments(since_id)`` and ``poll_mentions(since_id)`` page through everything newer than
  the caller's cursor and return it oldest first with the new cursor.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings
from django.core.cache import cache

from archivox.core.tls import tls_context
from archivox.platforms.weibo import rules
from archivox.platforms.weibo.errors import (
    BUSY_CODES,
    RATE_LIMIT_CODES,
    TOKEN_ERROR_CODES,
    WeiboApiError,
    WeiboAuthError,
    WeiboError,
    WeiboRateLimited,
    WeiboTransportError,
    WeiboUncertainError,
    WeiboValidationError,
)

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount

logger = logging.getLogger(__name__)

MAX_PAGE_COUNT = 200
# Errors raised before the request could have reached the server: always safe to retry.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def item_id(item: dict[str, Any]) -> int:
    """The numeric id of a status or comment (``idstr`` when present: ids exceed 2**53 on JS)."""
    return int(item.get("idstr") or item["id"])


def seconds_to_next_hour(now: float | None = None) -> float:
    """Weibo's request limits are counted per clock hour; this is when the current one resets."""
    now = time.time() if now is None else now
    return 3600 - (now % 3600) + 1


class WeiboClient:
    """Calls the Weibo API on behalf of one authorised account."""

    def __init__(
        self,
        *,
        access_token: str,
        uid: str = "",
        safe_domain: str = "",
        base_url: str | None = None,
        timeout: float = 10.0,
        upload_timeout: float = 60.0,
        attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not access_token:
            raise WeiboValidationError("account", "the Weibo account has no access token")
        self.access_token = access_token
        self.uid = uid
        self.safe_domain = safe_domain
        self.base_url = (base_url or settings.WEIBO_API).rstrip("/")
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep: Callable[[float], None] = time.sleep
        self._http = httpx.Client(
            verify=tls_context(),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"User-Agent": "Archivox (+weibo client)"},
            transport=transport,
        )
        token_key = hashlib.sha256(f"{self.base_url}|{access_token}".encode()).hexdigest()[:32]
        self._user_gate = f"weibo:backoff:user:{token_key}"
        self._ip_gate = (
            "weibo:backoff:ip:" + hashlib.sha256(self.base_url.encode()).hexdigest()[:32]
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WeiboClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- statuses ----------------------------------------------------------------------------

    def statuses_share(
        self,
        *,
        text: str,
        rip: str,
        pic: bytes | None = None,
        pic_name: str | None = None,
    ) -> dict[str, Any]:
        """Share a link to our site as a new status (``POST statuses/share.json``).

        Checked first: at most 140 characters as Weibo counts them, a link under the account's
        safe domain, no ``#topic#``, one JPEG/PNG/GIF under 5 MB, the user's real IP in ``rip``.
        Returns the new status; ``idstr`` is its id. Never retried once sent: on a broken
        connection ``WeiboUncertainError`` tells the caller to look before posting again."""
        rules.check_share_text(text, safe_domain=self.safe_domain)
        data = {"status": text, "rip": rules.check_rip(rip)}
        files = None
        if pic is not None:
            extension, media_type = rules.check_pic(pic)
            files = {"pic": (pic_name or f"pic.{extension}", pic, media_type)}
        return self.post("statuses/share.json", data, files=files)

    def statuses_user_timeline(
        self, *, since_id: int = 0, max_id: int = 0, count: int = 20, page: int = 1
    ) -> dict[str, Any]:
        """The account's own statuses, newest first (to reconcile an uncertain share)."""
        return self.get(
            "statuses/user_timeline.json",
            **self._window(since_id=since_id, max_id=max_id, count=count, page=page),
        )

    def statuses_destroy(self, status_id: int | str) -> dict[str, Any]:
        """Delete one of the account's own statuses (``POST statuses/destroy.json``) → the
        status as it was. Someone else's status (20102) or one already gone (20101) raises
        ``WeiboApiError``. Not retried once sent (``WeiboUncertainError``): look it up with
        ``statuses_user_timeline`` before trying again."""
        return self.post("statuses/destroy.json", {"id": str(int(status_id))})

    def short_url_expand(self, short_urls: list[str]) -> dict[str, str]:
        """The long URL behind each t.cn link (``GET short_url/expand.json``, ≤ 20 at a time):
        the timeline shows links shortened, so this is how a status's link is read back.
        Links the platform does not know are left out."""
        expanded: dict[str, str] = {}
        for start in range(0, len(short_urls), 20):
            answer = self.get("short_url/expand.json", url_short=short_urls[start : start + 20])
            for entry in answer.get("urls", []):
                if entry.get("result") and entry.get("url_long"):
                    expanded[str(entry["url_short"])] = str(entry["url_long"])
        return expanded

    def statuses_mentions(
        self, *, since_id: int = 0, max_id: int = 0, count: int = 50, page: int = 1
    ) -> dict[str, Any]:
        """Statuses that @mention the account, newest first."""
        return self.get(
            "statuses/mentions.json",
            **self._window(since_id=since_id, max_id=max_id, count=count, page=page),
        )

    # -- comments ----------------------------------------------------------------------------

    def comments_show(
        self,
        status_id: int | str,
        *,
        since_id: int = 0,
        max_id: int = 0,
        count: int = 50,
        page: int = 1,
    ) -> dict[str, Any]:
        """The comments on one status, newest first (``GET comments/show.json``)."""
        return self.get(
            "comments/show.json",
            id=str(status_id),
            **self._window(since_id=since_id, max_id=max_id, count=count, page=page),
        )

    def comments_create(
        self,
        *,
        status_id: int | str,
        text: str,
        comment_ori: bool = False,
        rip: str | None = None,
    ) -> dict[str, Any]:
        """Comment on a status (at most 140 characters). Never retried once sent."""
        rules.check_text(text, what="comment")
        data: dict[str, Any] = {"id": str(status_id), "comment": text}
        if comment_ori:
            data["comment_ori"] = 1
        if rip:
            data["rip"] = rules.check_rip(rip)
        return self.post("comments/create.json", data)

    def comments_reply(
        self,
        *,
        status_id: int | str,
        comment_id: int | str,
        text: str,
        without_mention: bool = False,
        comment_ori: bool = False,
        rip: str | None = None,
    ) -> dict[str, Any]:
        """Reply to a comment (at most 140 characters). Never retried once sent."""
        rules.check_text(text, what="reply")
        data: dict[str, Any] = {"id": str(status_id), "cid": str(comment_id), "comment": text}
        if without_mention:
            data["without_mention"] = 1
        if comment_ori:
            data["comment_ori"] = 1
        if rip:
            data["rip"] = rules.check_rip(rip)
        return self.post("comments/reply.json", data)

    def comments_to_me(
        self, *, since_id: int = 0, max_id: int = 0, count: int = 50, page: int = 1
    ) -> dict[str, Any]:
        """Comments the account received (on its statuses, or replies to its comments)."""
        return self.get(
            "comments/to_me.json",
            **self._window(since_id=since_id, max_id=max_id, count=count, page=page),
        )

    def comments_mentions(
        self, *, since_id: int = 0, max_id: int = 0, count: int = 50, page: int = 1
    ) -> dict[str, Any]:
        """Comments that @mention the account."""
        return self.get(
            "comments/mentions.json",
            **self._window(since_id=since_id, max_id=max_id, count=count, page=page),
        )

    def account_rate_limit_status(self) -> dict[str, Any]:
        return self.get("account/rate_limit_status.json")

    # -- polling -----------------------------------------------------------------------------

    def poll_comments(
        self, since_id: int | str | None = 0, *, count: int = MAX_PAGE_COUNT, max_pages: int = 50
    ) -> tuple[list[dict[str, Any]], int]:
        """Every comment received since the cursor, oldest first, and the new cursor.

        Pages down from the newest with ``max_id`` until it meets ``since_id``, so comments that
        arrive meanwhile are left for the next poll rather than skipped or read twice. Persist
        the returned cursor only after handling the items; on an error nothing is returned and
        the old cursor still holds."""
        return self._poll("comments/to_me.json", "comments", since_id, count, max_pages)

    def poll_comment_mentions(
        self, since_id: int | str | None = 0, *, count: int = MAX_PAGE_COUNT, max_pages: int = 50
    ) -> tuple[list[dict[str, Any]], int]:
        """Like ``poll_comments`` for comments that @mention the account."""
        return self._poll("comments/mentions.json", "comments", since_id, count, max_pages)

    def poll_mentions(
        self, since_id: int | str | None = 0, *, count: int = MAX_PAGE_COUNT, max_pages: int = 50
    ) -> tuple[list[dict[str, Any]], int]:
        """Like ``poll_comments`` for statuses that @mention the account."""
        return self._poll("statuses/mentions.json", "statuses", since_id, count, max_pages)

    def _poll(
        self, path: str, key: str, since_id: int | str | None, count: int, max_pages: int
    ) -> tuple[list[dict[str, Any]], int]:
        since = int(since_id or 0)
        count = max(1, min(count, MAX_PAGE_COUNT))
        found: dict[int, dict[str, Any]] = {}
        max_id = 0
        for _ in range(max_pages):
            params: dict[str, Any] = {"since_id": since, "count": count}
            if max_id:
                params["max_id"] = max_id
            items = self.get(path, **params).get(key) or []
            fresh = [
                item
                for item in items
                if item_id(item) > since and (not max_id or item_id(item) <= max_id)
            ]
            for item in fresh:
                found[item_id(item)] = item
            if not fresh or len(items) < count:
                break
            max_id = min(item_id(item) for item in fresh) - 1
        else:
            logger.warning(
                "weibo poll stopped after %s pages of %s; older items were not fetched",
                max_pages,
                path,
                extra={"path": path, "since_id": since},
            )
        ordered = [found[key_id] for key_id in sorted(found)]
        return ordered, (max(found) if found else since)

    # -- transport ---------------------------------------------------------------------------

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """A read-only call: retried on network errors, 5xx and "system busy"."""
        return self._call("GET", path, params=params, idempotent=True)

    def post(
        self, path: str, data: dict[str, Any], *, files: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A call that changes state, sent as is (no checks): never retried once sent."""
        return self._call("POST", path, data=data, files=files, idempotent=False)

    @staticmethod
    def _window(*, since_id: int, max_id: int, count: int, page: int) -> dict[str, Any]:
        params: dict[str, Any] = {"count": max(1, min(int(count), MAX_PAGE_COUNT))}
        if since_id:
            params["since_id"] = int(since_id)
        if max_id:
            params["max_id"] = int(max_id)
        if page and page > 1:
            params["page"] = int(page)
        return params

    def _delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return base * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not a secret

    def _gates(self, request: str) -> list[str]:
        return [self._ip_gate, self._user_gate, f"{self._user_gate}:{request}"]

    def _check_gates(self, request: str) -> None:
        now = time.time()
        for key in self._gates(request):
            held = cache.get(key)
            if held and held["until"] > now:
                raise WeiboRateLimited(
                    held["error_code"],
                    f"{held['error']} (backing off until the limit resets; nothing was sent)",
                    request,
                    retry_after=held["until"] - now,
                    sent=False,
                )

    def _hold_gate(self, error: WeiboRateLimited) -> None:
        key = {10022: self._ip_gate, 10023: self._user_gate}.get(
            error.error_code, f"{self._user_gate}:{error.request}"
        )
        timeout = max(1, int(error.retry_after) + 1)
        value = {
            "until": time.time() + error.retry_after,
            "error_code": error.error_code,
            "error": error.error,
        }
        cache.set(key, value, timeout)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        idempotent: bool,
    ) -> dict[str, Any]:
        path = path.lstrip("/")
        request = f"/2/{path}"
        url = f"{self.base_url}/2/{path}"
        self._check_gates(request)
        timeout = self.upload_timeout if files else self.timeout
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                if method == "GET":
                    response = self._http.get(
                        url, params={**(params or {}), "access_token": self.access_token}
                    )
                else:
                    response = self._http.post(
                        url,
                        data={**(data or {}), "access_token": self.access_token},
                        files=files,
                        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                    )
            except NOT_SENT_ERRORS as exc:
                logger.warning("weibo %s %s: not sent (%s)", method, request, exc)
                if not last:
                    self.sleep(self._delay(attempt))
                    continue
                raise WeiboTransportError(f"could not reach Weibo for {request}: {exc}") from exc
            except httpx.TransportError as exc:
                logger.warning("weibo %s %s: transport error (%s)", method, request, exc)
                if not idempotent:
                    raise WeiboUncertainError(
                        f"{request} was sent but the connection failed ({exc.__class__.__name__}: "
                        f"{exc}); it may or may not have been applied",
                        request,
                    ) from exc
                if not last:
                    self.sleep(self._delay(attempt))
                    continue
                raise WeiboTransportError(f"Weibo did not answer {request}: {exc}") from exc

            if response.status_code >= 500:
                logger.warning("weibo %s %s: HTTP %s", method, request, response.status_code)
                if not idempotent:
                    raise WeiboUncertainError(
                        f"{request} failed on the server (HTTP {response.status_code}); "
                        "it may or may not have been applied",
                        request,
                    )
                if not last:
                    self.sleep(self._delay(attempt))
                    continue
                error = self._error_from(response, request)
                if error is not None and error.error_code != -1:
                    raise error
                raise WeiboTransportError(
                    f"Weibo failed {request} with HTTP {response.status_code} after "
                    f"{self.attempts} attempts"
                )

            error = self._error_from(response, request)
            if error is None:
                try:
                    payload = response.json()
                except ValueError as exc:
                    if idempotent and not last:
                        self.sleep(self._delay(attempt))
                        continue
                    if not idempotent:
                        raise WeiboUncertainError(
                            f"{request} answered HTTP {response.status_code} without JSON",
                            request,
                        ) from exc
                    raise WeiboTransportError(f"{request} answered without JSON") from exc
                if isinstance(payload, dict):
                    return payload
                return {"items": payload}
            if isinstance(error, WeiboRateLimited):
                self._hold_gate(error)
                logger.warning(
                    "weibo rate limit %s on %s; backing off %.0f s",
                    error.error_code,
                    request,
                    error.retry_after,
                )
                raise error
            if idempotent and error.error_code in BUSY_CODES and not last:
                self.sleep(self._delay(attempt))
                continue
            raise error
        raise WeiboError(f"unreachable: no attempt made for {request}")  # pragma: no cover

    @staticmethod
    def _error_from(response: httpx.Response, request: str) -> WeiboApiError | None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("error_code") not in (None, "", 0, "0"):
            try:
                code = int(body["error_code"])
            except (TypeError, ValueError):
                code = -1
            message = str(body.get("error") or "")
            where = str(body.get("request") or request)
            if code in RATE_LIMIT_CODES:
                retry_after = seconds_to_next_hour()
                header = response.headers.get("Retry-After", "")
                if header.isdigit():
                    retry_after = float(header)
                return WeiboRateLimited(
                    code,
                    message,
                    where,
                    retry_after=retry_after,
                    http_status=response.status_code,
                )
            if code in TOKEN_ERROR_CODES:
                return WeiboAuthError(code, message, where, http_status=response.status_code)
            return WeiboApiError(code, message, where, http_status=response.status_code)
        if response.status_code >= 400:
            return WeiboApiError(
                -1,
                f"HTTP {response.status_code} without a Weibo error body",
                request,
                http_status=response.status_code,
            )
        return None


def client_for_account(account: PlatformAccount, **options: Any) -> WeiboClient:
    """A client for an archive's Weibo account (``core.PlatformAccount``, platform ``weibo``).

    Talks to ``settings.WEIBO_API`` (the sandbox when ``ARCHIVOX_SANDBOX=1``). Use it as a
    context manager, or ``close()`` it."""
    if account.platform != "weibo":
        raise WeiboValidationError("account", f"{account} is not a Weibo account")
    if not account.is_active:
        raise WeiboValidationError("account", f"the Weibo account {account} is not active")
    return WeiboClient(
        access_token=account.weibo_access_token,
        uid=account.weibo_uid,
        safe_domain=account.safe_domain,
        base_url=options.pop("base_url", None) or settings.WEIBO_API,
        **options,
    )
