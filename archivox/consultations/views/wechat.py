"""``/wechat/<archive-slug>/callback``: WeChat verifies the address (GET) and delivers (POST).

Thin: find the account, read a bounded body, call one service, turn refusals into 4xx answers
with a log line. Never a 500 for anything a caller sends; a database outage is a 503 so that
WeChat retries (nothing was stored)."""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archivox.consultations import selectors
from archivox.consultations.services import callback
from archivox.consultations.wechat_callback import CallbackRefused, TooLarge
from archivox.core.access import client_address
from archivox.platforms.wechat.xml import MAX_BODY_BYTES

logger = logging.getLogger(__name__)

TEXT = "text/plain; charset=utf-8"


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def wechat_callback(request: HttpRequest, slug: str) -> HttpResponse:
    started = time.monotonic()
    now = time.time()
    log_context = {
        "archive": slug,
        "method": request.method,
        "remote": client_address(request),
    }
    try:
        # WeChat checks a new address or token with GET: always against the stored account.
        account = selectors.wechat_account_for_callback(slug=slug, fresh=request.method == "GET")
        if account is None:
            logger.warning("wechat callback refused: no active WeChat account", extra=log_context)
            return HttpResponse("no such callback", status=404, content_type=TEXT)
        if request.method == "GET":
            echostr = callback.wechat_url_verify(account=account, query=request.GET, now=now)
            return HttpResponse(echostr, content_type=TEXT)
        answer = callback.wechat_callback_receive(
            account=account, query=request.GET, body=_read_body(request), now=now, started=started
        )
    except CallbackRefused as exc:
        level = logging.ERROR if exc.status >= 500 else logging.WARNING
        logger.log(
            level,
            f"wechat callback refused ({exc.status}): {exc.reason}",
            extra={**log_context, "status": exc.status, "reason": exc.reason},
        )
        return HttpResponse(exc.reason, status=exc.status, content_type=TEXT)
    except DatabaseError:
        logger.exception(
            "wechat callback: database unavailable; WeChat will retry", extra=log_context
        )
        return HttpResponse("try again", status=503, content_type=TEXT)
    return HttpResponse(answer.body, content_type=answer.content_type)


def _read_body(request: HttpRequest) -> bytes:
    """At most MAX_BODY_BYTES, refused by its declared length before anything is read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise TooLarge(f"Content-Length {declared} is over the {MAX_BODY_BYTES}-byte limit")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(f"the body is over the {MAX_BODY_BYTES}-byte limit")
    return body
