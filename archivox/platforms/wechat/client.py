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
"""

from __future__ import annotations

import datetime
import json as jsonlib
import logging
import random
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from django.conf import settings

from archivox.platforms.tokens.services import (
    FetchedToken,
    StoredToken,
    TokenFetchCapReached,
    TokenWaitTimeout,
    shared_token_get,
)
from archivox.platforms.wechat.errors import (
    CREDENTIAL_ERRCODES,
    TOKEN_ERRCODES,
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
    error_for,
)

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount

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

logger = logging.getLogger(__name__)


class RedactSecrets(logging.Filter):
    """Blank out access_token and secret in log lines: httpx logs every URL at INFO, and
    WeChat puts both in the query string."""

    PATTERN = re.compile(r"((?:access_token|secret)=)[^&\s\"']+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                self.PATTERN.sub(r"\1***", str(arg)) if isinstance(arg, str | httpx.URL) else arg
                for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = self.PATTERN.sub(r"\1***", record.msg)
        return True


def _redact_httpx_logs() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactSecrets) for f in httpx_logger.filters):
        httpx_logger.addFilter(RedactSecrets())


_redact_httpx_logs()

TOKEN_LIFETIME_MARGIN = 300  # renew this many seconds before the platform's expiry
TOKEN_FETCHES_PER_DAY = 2000  # the platform's daily quota of /cgi-bin/token calls
PLATFORM = "wechat"

# Errors raised before the request left this machine: safe to repeat even for a publish.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


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


class WeChatApi:
    """The WeChat official-account API of one account (AppID and AppSecret)."""

    def __init__(
        self,
        *,
        appid: str,
        secret: str,
        base_url: str | None = None,
        timeout: float = 10.0,
        upload_timeout: float = 30.0,
        max_attempts: int = 3,
        backoff: float = 0.5,
        token_store: TokenStore = database_token_store,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not appid or not secret:
            raise ValueError("a WeChat client needs the account's AppID and AppSecret")
        self.appid = appid
        self._secret = secret
        self.base_url = (base_url or settings.WECHAT_API).rstrip("/")
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self._token_store = token_store
        self._owns_http = http is None
        self._http = http or httpx.Client(
            headers={"User-Agent": "Archivox WeChat client"}, follow_redirects=False
        )
        self._sleep = sleep
        self._token: StoredToken | None = None

    def __repr__(self) -> str:  # never shows the secret or the token
        return f"<WeChatApi {self.appid} at {self.base_url}>"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WeChatApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- access token -------------------------------------------------------------------------

    def access_token(self, *, reject: str = "") -> str:
        """The account's live access_token, from the shared store (fetched if need be)."""
        now = datetime.datetime.now(datetime.UTC)
        memo = self._token
        if (
            not reject
            and memo is not None
            and memo.expires_at - now > datetime.timedelta(seconds=TOKEN_LIFETIME_MARGIN)
        ):
            return memo.value
        try:
            self._token = self._token_store(
                appid=self.appid, fetch=self._fetch_token, reject=reject
            )
        except TokenFetchCapReached as exc:
            raise WeChatTokenQuotaError(
                45009,
                f"our cap of {exc.cap} access_token fetches today is reached; not fetching",
                api="token",
            ) from exc
        except TokenWaitTimeout as exc:
            raise WeChatTransportError(str(exc), api="token") from exc
        return self._token.value

    def _fetch_token(self) -> FetchedToken:
        data = self._send(
            "GET",
            "/cgi-bin/token",
            api="token",
            idempotent=True,
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self._secret},
        )
        errcode = int(data.get("errcode") or 0)
        if errcode:
            errmsg = str(data.get("errmsg", ""))
            if errcode in CREDENTIAL_ERRCODES:
                raise WeChatCredentialError(errcode, errmsg, api="token", response=data)
            raise error_for(errcode, errmsg, api="token", response=data)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeChatTransportError("the token answer has no access_token", api="token")
        return FetchedToken(token, int(data.get("expires_in") or 7200))

    # -- transport ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        api: str,
        idempotent: bool,
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """One API call with the access_token; on a refused token, renew it and retry once."""
        token = self.access_token()
        for renewed in (False, True):
            data = self._send(
                method,
                path,
                api=api,
                idempotent=idempotent,
                params={**(params or {}), "access_token": token},
                json=json,
                files=files,
                timeout=timeout,
            )
            errcode = int(data.get("errcode") or 0)
            if errcode in TOKEN_ERRCODES and not renewed:
                # The platform refused the token before acting, so even a publish may be repeated.
                logger.info(
                    "access token refused, renewing", extra={"api": api, "errcode": errcode}
                )
                token = self.access_token(reject=token)
                continue
            if errcode:
                raise error_for(errcode, str(data.get("errmsg", "")), api=api, response=data)
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        path: str,
        *,
        api: str,
        idempotent: bool,
        params: dict[str, Any],
        json: Any = None,
        files: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send one request; retry only what is safe to retry. Returns the decoded JSON."""
        url = self.base_url + path
        limit = timeout or self.timeout
        request_timeout = httpx.Timeout(limit, connect=min(limit, 5.0))
        body: dict[str, Any] = {}
        if json is not None:
            # WeChat wants UTF-8 text in its JSON, not \u escapes (titles count characters).
            body["content"] = jsonlib.dumps(json, ensure_ascii=False).encode()
            body["headers"] = {"Content-Type": "application/json; charset=utf-8"}
        if files is not None:
            body["files"] = files
        last_error: WeChatError | None = None
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self._pause(attempt)
            started = time.monotonic()
            try:
                response = self._http.request(
                    method, url, params=params, timeout=request_timeout, **body
                )
            except _NOT_SENT as exc:
                last_error = WeChatTransportError(
                    f"WeChat {api}: could not connect ({type(exc).__name__})", api=api
                )
                self._log(api, attempt, started, error=type(exc).__name__)
                continue
            except httpx.TransportError as exc:
                self._log(api, attempt, started, error=type(exc).__name__)
                if not idempotent:
                    raise WeChatUncertainError(
                        f"WeChat {api}: the request was sent but the answer was lost "
                        f"({type(exc).__name__}); it may have taken effect",
                        api=api,
                    ) from exc
                last_error = WeChatTransportError(
                    f"WeChat {api}: no answer ({type(exc).__name__})", api=api
                )
                continue
            status = response.status_code
            if status >= 500:
                self._log(api, attempt, started, status=status)
                if not idempotent:
                    raise WeChatUncertainError(
                        f"WeChat {api}: HTTP {status} after the request was sent; "
                        "it may have taken effect",
                        api=api,
                        status_code=status,
                    )
                last_error = WeChatTransportError(
                    f"WeChat {api}: HTTP {status}", api=api, status_code=status
                )
                continue
            if status != 200:
                self._log(api, attempt, started, status=status)
                raise WeChatTransportError(
                    f"WeChat {api}: HTTP {status}", api=api, status_code=status
                )
            try:
                data = response.json()
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                self._log(api, attempt, started, status=status, error="bad JSON")
                if not idempotent:
                    raise WeChatUncertainError(
                        f"WeChat {api}: the answer is not JSON; the request may have taken effect",
                        api=api,
                        status_code=status,
                    ) from exc
                last_error = WeChatTransportError(
                    f"WeChat {api}: the answer is not JSON", api=api, status_code=status
                )
                continue
            errcode = int(data.get("errcode") or 0)
            self._log(api, attempt, started, status=status, errcode=errcode)
            if errcode == -1 and idempotent and attempt < self.max_attempts:
                last_error = error_for(-1, str(data.get("errmsg", "")), api=api, response=data)
                continue
            return data
        assert last_error is not None
        raise last_error

    def _pause(self, attempt: int) -> None:
        delay = min(self.backoff * 2 ** (attempt - 2), 8.0)
        self._sleep(delay * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not security

    def _log(self, api: str, attempt: int, started: float, **fields: Any) -> None:
        logger.info(
            "wechat api call",
            extra={
                "appid": self.appid,
                "api": api,
                "attempt": attempt,
                "ms": round((time.monotonic() - started) * 1000),
                **fields,
            },
        )

    # -- media --------------------------------------------------------------------------------

    def upload_article_image(self, data: bytes, *, filename: str = "image.jpg") -> str:
        """``media/uploadimg``: an image for use inside an article (JPG/PNG, ≤ 1 MB) → its URL.

        Not idempotent (each call stores a new image); a lost answer raises
        ``WeChatUncertainError`` — uploading again is harmless, only wasteful."""
        result = self._call(
            "POST",
            "/cgi-bin/media/uploadimg",
            api="media/uploadimg",
            idempotent=False,
            files={"media": (filename, data, _image_type(data))},
            timeout=self.upload_timeout,
        )
        return str(result["url"])

    def add_thumb_material(self, data: bytes, *, filename: str = "thumb.jpg") -> dict[str, str]:
        """``material/add_material?type=thumb``: a permanent cover image (JPG, ≤ 64 KB)
        → ``{"media_id": …, "url": …}``; the media_id goes into an article's thumb_media_id."""
        result = self._call(
            "POST",
            "/cgi-bin/material/add_material",
            api="material/add_material",
            idempotent=False,
            params={"type": "thumb"},
            files={"media": (filename, data, _image_type(data))},
            timeout=self.upload_timeout,
        )
        return {"media_id": str(result["media_id"]), "url": str(result.get("url", ""))}

    # -- drafts and publishing ----------------------------------------------------------------

    def draft_add(self, articles: list[dict[str, Any]]) -> str:
        """``draft/add``: a draft of one or more articles → its media_id."""
        result = self._call(
            "POST",
            "/cgi-bin/draft/add",
            api="draft/add",
            idempotent=False,
            json={"articles": articles},
        )
        return str(result["media_id"])

    def draft_get(self, media_id: str) -> dict[str, Any]:
        """``draft/get``: the draft's articles (``news_item``). A published or mass-sent draft
        leaves the draft box, so 40007 here also tells a reconciler the draft was used."""
        return self._call(
            "POST",
            "/cgi-bin/draft/get",
            api="draft/get",
            idempotent=True,
            json={"media_id": media_id},
        )

    def freepublish_submit(self, media_id: str) -> str:
        """``freepublish/submit``: publish a draft → the publish_id of the (asynchronous) job.

        Never retried once sent; the outcome arrives as the PUBLISHJOBFINISH event or through
        ``freepublish_get``."""
        result = self._call(
            "POST",
            "/cgi-bin/freepublish/submit",
            api="freepublish/submit",
            idempotent=False,
            json={"media_id": media_id},
        )
        return str(result["publish_id"])

    def freepublish_get(self, publish_id: str) -> dict[str, Any]:
        """``freepublish/get``: status of a publish job (0 success, 1 publishing, 2–6 failed or
        removed), ``article_id`` and ``article_detail.item[].article_url`` when published."""
        return self._call(
            "POST",
            "/cgi-bin/freepublish/get",
            api="freepublish/get",
            idempotent=True,
            json={"publish_id": str(publish_id)},
        )

    def freepublish_batchget(self, *, offset: int = 0, count: int = 20) -> dict[str, Any]:
        """``freepublish/batchget``: the account's published articles, newest first (to
        reconcile a publish whose answer was lost)."""
        return self._call(
            "POST",
            "/cgi-bin/freepublish/batchget",
            api="freepublish/batchget",
            idempotent=True,
            json={"offset": offset, "count": count, "no_content": 1},
        )

    def freepublish_delete(self, article_id: str, index: int = 0) -> None:
        """``freepublish/delete``: take a published article offline (``index`` 0: every article
        of that publish, N: the N-th). Final; an unknown or already deleted article is refused
        (40007). Idempotent in effect, but not retried: a lost answer raises
        ``WeChatUncertainError`` and the caller looks with ``freepublish_batchget``."""
        self._call(
            "POST",
            "/cgi-bin/freepublish/delete",
            api="freepublish/delete",
            idempotent=False,
            json={"article_id": str(article_id), "index": int(index)},
        )

    # -- mass send ----------------------------------------------------------------------------

    def mass_send_all(
        self,
        *,
        msgtype: str,
        media_id: str = "",
        content: str = "",
        clientmsgid: str = "",
        send_ignore_reprint: int = 0,
    ) -> dict[str, Any]:
        """``message/mass/sendall`` to all followers: ``msgtype`` "mpnews" (a draft's media_id),
        "text" (content) or "image" (media_id) → ``{"msg_id", "msg_data_id"}``.

        Pass ``clientmsgid`` (≤ 64 bytes, e.g. the delivery's idempotency key): the platform
        refuses a second send with the same one (``WeChatDuplicateMassSendError``)."""
        payload: dict[str, Any] = {
            "filter": {"is_to_all": True},
            "msgtype": msgtype,
            msgtype: _message_body(msgtype, media_id=media_id, content=content),
            "send_ignore_reprint": send_ignore_reprint,
        }
        if clientmsgid:
            payload["clientmsgid"] = clientmsgid
        result = self._call(
            "POST",
            "/cgi-bin/message/mass/sendall",
            api="message/mass/sendall",
            idempotent=False,
            json=payload,
        )
        return {"msg_id": result.get("msg_id"), "msg_data_id": result.get("msg_data_id")}

    def mass_preview(
        self, *, touser: str, msgtype: str, media_id: str = "", content: str = ""
    ) -> dict[str, Any]:
        """``message/mass/preview``: send a mass message to one follower to check it."""
        result = self._call(
            "POST",
            "/cgi-bin/message/mass/preview",
            api="message/mass/preview",
            idempotent=False,
            json={
                "touser": touser,
                "msgtype": msgtype,
                msgtype: _message_body(msgtype, media_id=media_id, content=content),
            },
        )
        return {"msg_id": result.get("msg_id")}

    def mass_get(self, msg_id: int | str) -> dict[str, Any]:
        """``message/mass/get``: the state of a mass send (``msg_status``)."""
        return self._call(
            "POST",
            "/cgi-bin/message/mass/get",
            api="message/mass/get",
            idempotent=True,
            json={"msg_id": str(msg_id)},
        )

    # -- customer service, menu, users, statistics --------------------------------------------

    def custom_send_text(self, openid: str, content: str) -> None:
        """``message/custom/send`` a text to one user; allowed within 48 hours of the user's last
        message, at most 5 times (``WeChatOutOfWindowError``/``WeChatReplyLimitError``)."""
        self._call(
            "POST",
            "/cgi-bin/message/custom/send",
            api="message/custom/send",
            idempotent=False,
            json={"touser": openid, "msgtype": "text", "text": {"content": content}},
        )

    def custom_send_news(self, openid: str, articles: list[dict[str, str]]) -> None:
        """``message/custom/send`` news cards (title, description, url, picurl) to one user;
        the same window and limits as ``custom_send_text``."""
        self._call(
            "POST",
            "/cgi-bin/message/custom/send",
            api="message/custom/send",
            idempotent=False,
            json={
                "touser": openid,
                "msgtype": "news",
                "news": {
                    "articles": [
                        {
                            "title": article.get("title", ""),
                            "description": article.get("description", ""),
                            "url": article.get("url", ""),
                            "picurl": article.get("picurl", ""),
                        }
                        for article in articles
                    ]
                },
            },
        )

    def menu_create(self, menu: dict[str, Any]) -> None:
        """``menu/create``: replace the custom menu (``{"button": [...]}``); safe to repeat."""
        self._call("POST", "/cgi-bin/menu/create", api="menu/create", idempotent=True, json=menu)

    def menu_get(self) -> dict[str, Any]:
        """``menu/get``: the menu as created (``{"menu": {"button": [...]}}``)."""
        return self._call("GET", "/cgi-bin/menu/get", api="menu/get", idempotent=True)

    def user_info(self, openid: str, *, lang: str = "zh_CN") -> dict[str, Any]:
        """``user/info``: whether the user follows (``subscribe``), since when, language …"""
        return self._call(
            "GET",
            "/cgi-bin/user/info",
            api="user/info",
            idempotent=True,
            params={"openid": openid, "lang": lang},
        )

    def datacube_article_summary(
        self, begin_date: datetime.date | str, end_date: datetime.date | str
    ) -> list[dict[str, Any]]:
        """``datacube/getarticlesummary``: reads and shares per article per day (one day)."""
        return self._datacube("getarticlesummary", begin_date, end_date)

    def datacube_user_summary(
        self, begin_date: datetime.date | str, end_date: datetime.date | str
    ) -> list[dict[str, Any]]:
        """``datacube/getusersummary``: new and lost followers per day (up to 7 days)."""
        return self._datacube("getusersummary", begin_date, end_date)

    def _datacube(
        self, name: str, begin_date: datetime.date | str, end_date: datetime.date | str
    ) -> list[dict[str, Any]]:
        result = self._call(
            "POST",
            f"/datacube/{name}",
            api=f"datacube/{name}",
            idempotent=True,
            json={"begin_date": str(begin_date), "end_date": str(end_date)},
        )
        return list(result.get("list", []))


def _message_body(msgtype: str, *, media_id: str, content: str) -> dict[str, str]:
    if msgtype == "text":
        return {"content": content}
    return {"media_id": media_id}


def _image_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return "application/octet-stream"


def client_for_account(account: PlatformAccount, **options: Any) -> WeChatApi:
    """The API client of an archive's WeChat ``core.PlatformAccount`` (AppID and AppSecret)."""
    if getattr(account, "platform", None) != "wechat":
        raise ValueError(f"{account} is not a WeChat account")
    if not account.appid or not account.app_secret:
        raise ValueError(f"{account} has no AppID or AppSecret")
    return WeChatApi(appid=account.appid, secret=account.app_secret, **options)
