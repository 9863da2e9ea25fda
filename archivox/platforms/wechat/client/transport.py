"""The client's transport: one account's HTTP client, its access_token, and every call sent with
the platform's rules (timeouts; retries with back-off only for what is safe to repeat; a lost
answer to a call that changes state raises ``WeChatUncertainError``; a refused token renewed
once). Also the log filter that keeps access_token and secret out of httpx's log lines."""

from __future__ import annotations

import datetime
import json as jsonlib
import logging
import random
import re
import time
from collections.abc import Callable
from typing import Any, Self

import httpx
from django.conf import settings

from archivox.core.tls import tls_context
from archivox.platforms.tokens.services import (
    FetchedToken,
    StoredToken,
    TokenFetchCapReached,
    TokenWaitTimeout,
)
from archivox.platforms.wechat.client.tokens import (
    TOKEN_LIFETIME_MARGIN,
    TokenStore,
    database_token_store,
)
from archivox.platforms.wechat.errors import (
    CREDENTIAL_ERRCODES,
    TOKEN_ERRCODES,
    WeChatCredentialError,
    WeChatError,
    WeChatTokenQuotaError,
    WeChatTransportError,
    WeChatUncertainError,
    error_for,
)

logger = logging.getLogger("archivox.platforms.wechat.client")  # its name before the split


class RedactSecrets(logging.Filter):
    """Blank out access_token and secret in log lines: httpx logs every URL at INFO, and
    WeChat puts both in the query string."""

    PATTERN = re.compile(r"((?:access_token|secret|code)=)[^&\s\"']+", re.IGNORECASE)

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


# Errors raised before the request left this machine: safe to repeat even for a publish.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class WeChatTransport:
    """One account's connection to the API: the access_token and the calls. ``WeChatApi`` adds
    the platform's calls to it, one class per stage."""

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
            headers={"User-Agent": "Archivox WeChat client"},
            follow_redirects=False,
            verify=tls_context(),
        )
        self._sleep = sleep
        self._token: StoredToken | None = None

    def __repr__(self) -> str:  # never shows the secret or the token
        return f"<WeChatApi {self.appid} at {self.base_url}>"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
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
