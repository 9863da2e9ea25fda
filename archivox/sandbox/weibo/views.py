"""HTTP face of the Weibo sandbox: ``/sandbox/weibo/2/...`` answers like ``api.weibo.com/2/...``.

Every API view: method check, OAuth2 token, request log, per-request or per-account fault,
hourly rate limit, then one service or selector call. Errors have the platform's shape:
``{"error": "...", "error_code": 20019, "request": "/2/statuses/share.json"}``.

``/sandbox/weibo/_simulate/...`` (JSON in, JSON out) lets tests and demos act as members of the
public, inject faults and change limits; ``/sandbox/weibo/_pic/<id>.<ext>`` serves pictures.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.views.decorators.csrf import csrf_exempt

from archivox.sandbox.weibo import selectors
from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.models import WeiboAuthorization, WeiboComment
from archivox.sandbox.weibo.payloads import comment_json, page_json, status_json
from archivox.sandbox.weibo.services import (
    accounts,
    comments,
    faults,
    ratelimits,
    simulated,
    statuses,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 20 * 1024 * 1024
FAULT_HEADER = "HTTP_X_SANDBOX_FAULT"

Handler = Callable[[HttpRequest, WeiboAuthorization], dict[str, Any]]


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/json;charset=UTF-8"
    return response


def _api_path(request: HttpRequest) -> str:
    index = request.path.find("/2/")
    return request.path[index:] if index >= 0 else request.path


def _base_url(request: HttpRequest) -> str:
    """The sandbox's own address (``…/sandbox/weibo``), for picture links."""
    index = request.path.find("/2/")
    prefix = request.path[:index] if index >= 0 else request.path.rsplit("/", 1)[0]
    return request.build_absolute_uri(prefix).rstrip("/")


def _error(exc: SandboxWeiboError, path: str) -> JsonResponse:
    return _json(
        {"error": exc.error, "error_code": exc.error_code, "request": path}, exc.http_status
    )


def _token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("oauth2 "):
        return header[7:].strip()
    source = request.POST if request.method == "POST" else request.GET
    return (source.get("access_token") or request.GET.get("access_token") or "").strip()


def _int(request: HttpRequest, name: str, default: int = 0) -> int:
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get(name, "")
    if raw in ("", None):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SandboxWeiboError(
            10017,
            f"Parameter ({name})'s value invalid, expect (int64) , but get ({raw[:40]}) , "
            "see doc for more info.",
        ) from exc


def _window(request: HttpRequest, default_count: int = 50) -> selectors.Window:
    return selectors.Window(
        since_id=_int(request, "since_id"),
        max_id=_int(request, "max_id"),
        count=_int(request, "count", default_count),
        page=_int(request, "page", 1),
    )


def _find_socket(environ: dict[str, Any]) -> socket.socket | None:
    """The client's socket under gunicorn or Django's own server (best effort)."""
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        return sock
    stream = environ.get("wsgi.input")
    reader = getattr(getattr(stream, "_read", None), "__self__", None)
    raw = getattr(reader, "raw", None)
    return getattr(raw, "_sock", None)


def _dropped_after_commit(request: HttpRequest, data: dict[str, Any]) -> StreamingHttpResponse:
    """Half of the answer, a Content-Length promising all of it, then the connection is shut."""
    body = json.dumps(data, ensure_ascii=False).encode()
    environ = request.META

    def stream() -> Iterator[bytes]:
        yield body[: len(body) // 2]
        sock = _find_socket(environ)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    response = StreamingHttpResponse(stream(), content_type="application/json;charset=UTF-8")
    response["Content-Length"] = str(len(body))
    return response


def _hold(seconds: float) -> None:
    connection.close()  # hold no database connection (nor lock) while "hanging"
    time.sleep(seconds)


def api(*, method: str, bucket: str | None = None, counted: bool = True):
    """Wrap a handler ``(request, authorization) -> dict`` in the platform's behaviour."""

    def decorate(handler: Handler) -> Callable[[HttpRequest], HttpResponseBase]:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest) -> HttpResponseBase:
            path = _api_path(request)
            try:
                if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
                    raise SandboxWeiboError(10018, "Request body length over limit!", 413)
                if request.method != method:
                    raise SandboxWeiboError(
                        10021, "HTTP method is not suported for this request!", 405
                    )
                try:
                    grant = accounts.sandbox_weibo_authenticate(_token(request))
                except SandboxWeiboError:
                    ratelimits.sandbox_weibo_request_record(
                        authorization=None, method=request.method or "", path=path
                    )
                    raise
                fault = faults.sandbox_weibo_fault_take(
                    authorization=grant, header=request.META.get(FAULT_HEADER, ""), path=path
                )
                ratelimits.sandbox_weibo_request_record(
                    authorization=grant,
                    method=request.method or "",
                    path=path,
                    fault=fault.mode if fault else "",
                )
                if counted:
                    ratelimits.sandbox_weibo_rate_limit_hit(
                        authorization=grant, path=path, bucket=bucket
                    )
                if fault is not None:
                    logger.info("weibo sandbox fault %s on %s", fault.mode, path)
                    if fault.mode == "delay":
                        _hold(fault.seconds)
                    elif fault.mode == "timeout":
                        _hold(fault.seconds)
                        return _json(
                            {"error": "Job expired!", "error_code": 10010, "request": path}, 504
                        )
                    elif fault.mode == "http500":
                        return _json(
                            {"error": "System error!", "error_code": 10001, "request": path}, 500
                        )
                    elif fault.mode == "http503":
                        return _json(
                            {"error": "Service unavailable!", "error_code": 10002, "request": path},
                            503,
                        )
                    elif fault.mode == "http502":
                        return HttpResponse(
                            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                            status=502,
                            content_type="text/html",
                        )
                data = handler(request, grant)
            except SandboxWeiboError as exc:
                return _error(exc, path)
            if fault is not None and fault.mode == "drop_after_commit":
                return _dropped_after_commit(request, data)
            return _json(data)

        return view

    return decorate


# API v2 -------------------------------------------------------------------------------------


@api(method="POST", bucket="post")
def statuses_share(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    upload = request.FILES.get("pic")
    status = statuses.sandbox_weibo_status_share(
        authorization=grant,
        status=request.POST.get("status"),
        rip=request.POST.get("rip"),
        pic=upload.read() if upload is not None else None,
    )
    return status_json(status, base_url=_base_url(request))


@api(method="POST", bucket="post")
def statuses_destroy(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    status = statuses.sandbox_weibo_status_destroy(
        authorization=grant, status_id=request.POST.get("id")
    )
    return status_json(status, base_url=_base_url(request))


@api(method="GET")
def statuses_show(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    """One status by id, as anyone may read it; a deleted one answers 20101."""
    if not request.GET.get("id"):
        raise SandboxWeiboError(10016, "Miss required parameter (id) , see doc for more info.")
    status = selectors.status_get(request.GET["id"])
    status.n_comments = status.comments.count()
    return status_json(status, base_url=_base_url(request))


@api(method="GET")
def short_url_expand(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    return {"urls": statuses.sandbox_weibo_short_url_expand(request.GET.getlist("url_short"))}


@api(method="GET")
def statuses_user_timeline(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    uid = request.GET.get("uid", "")
    if uid and uid != grant.user.uid:
        raise SandboxWeiboError(21335, "Request uid's value must be the current user!")
    page = selectors.statuses_of_user(grant.user, _window(request, 20))
    base = _base_url(request)
    return page_json(
        "statuses",
        [status_json(status, base_url=base) for status in page.items],
        total=page.total_number,
        next_cursor=page.next_cursor,
    )


@api(method="GET")
def statuses_mentions(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    page = selectors.statuses_mentioning(grant.user, _window(request))
    base = _base_url(request)
    return page_json(
        "statuses",
        [status_json(status, base_url=base) for status in page.items],
        total=page.total_number,
        next_cursor=page.next_cursor,
    )


def _comment_page(request: HttpRequest, page: selectors.Page) -> dict[str, Any]:
    base = _base_url(request)
    return page_json(
        "comments",
        [comment_json(comment, base_url=base) for comment in page.items],
        total=page.total_number,
        next_cursor=page.next_cursor,
    )


@api(method="GET")
def comments_show(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    if not request.GET.get("id"):
        raise SandboxWeiboError(10016, "Miss required parameter (id) , see doc for more info.")
    status = selectors.status_get(request.GET["id"])
    return _comment_page(request, selectors.comments_on_status(status, _window(request)))


@api(method="GET")
def comments_to_me(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    return _comment_page(request, selectors.comments_to_user(grant.user, _window(request)))


@api(method="GET")
def comments_mentions(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    return _comment_page(request, selectors.comments_mentioning(grant.user, _window(request)))


@api(method="POST", bucket="comment")
def comments_create(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    comment = comments.sandbox_weibo_comment_create(
        authorization=grant,
        status_id=request.POST.get("id"),
        comment=request.POST.get("comment"),
        rip=request.POST.get("rip"),
    )
    return comment_json(comment, base_url=_base_url(request))


@api(method="POST", bucket="comment")
def comments_reply(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    comment = comments.sandbox_weibo_comment_reply(
        authorization=grant,
        status_id=request.POST.get("id"),
        comment_id=request.POST.get("cid"),
        comment=request.POST.get("comment"),
        without_mention=request.POST.get("without_mention") == "1",
        rip=request.POST.get("rip"),
    )
    return comment_json(comment, base_url=_base_url(request))


@api(method="GET", counted=False)
def account_rate_limit_status(request: HttpRequest, grant: WeiboAuthorization) -> dict[str, Any]:
    return ratelimits.sandbox_weibo_rate_limit_status(grant)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _error(SandboxWeiboError(10020, "Request api not found!", 404), _api_path(request))


def pic(request: HttpRequest, status_id: int, extension: str) -> HttpResponse:
    found = selectors.status_pic(status_id)
    if found is None:
        return HttpResponse(status=404)
    content, pic_type = found
    media = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}[pic_type]
    return HttpResponse(content, content_type=media)


# Simulation ---------------------------------------------------------------------------------


def _simulation(
    handler: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @wraps(handler)
    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return _json({"error": "POST a JSON object", "error_code": 10021}, 405)
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return _json({"error": "the body is not JSON", "error_code": 10008}, 400)
        if not isinstance(body, dict):
            return _json({"error": "POST a JSON object", "error_code": 10008}, 400)
        try:
            return _json(handler(body))
        except SandboxWeiboError as exc:
            return _json({"error": exc.error, "error_code": exc.error_code}, exc.http_status)
        except (KeyError, TypeError, ValueError) as exc:
            return _json({"error": f"bad or missing field: {exc}", "error_code": 10016}, 400)

    return view


@_simulation
def simulate_comment(body: dict[str, Any]) -> dict[str, Any]:
    """``{"status_id", "user_name", "text", "reply_to"?}``: a member of the public comments."""
    comment = simulated.sandbox_weibo_comment_from_user(
        body["status_id"],
        body["user_name"],
        body["text"],
        reply_to_comment_id=body.get("reply_to"),
    )
    return {"id": comment.id, "idstr": str(comment.id), "text": comment.text}


@_simulation
def simulate_mention(body: dict[str, Any]) -> dict[str, Any]:
    """``{"uid", "user_name", "text", "status_id"?}``: a member of the public @mentions."""
    item = simulated.sandbox_weibo_mention(
        body["uid"], body["user_name"], body["text"], status_id=body.get("status_id")
    )
    kind = "comment" if isinstance(item, WeiboComment) else "status"
    return {"kind": kind, "id": item.id, "idstr": str(item.id), "text": item.text}


@_simulation
def simulate_fault(body: dict[str, Any]) -> dict[str, Any]:
    """``{"uid", "mode", "count"?, "seconds"?, "path"?}``; mode ``none`` clears."""
    fault = faults.sandbox_weibo_fault_set(
        str(body["uid"]),
        mode=str(body["mode"]),
        count=int(body.get("count", 1)),
        seconds=float(body["seconds"]) if body.get("seconds") is not None else None,
        path=str(body.get("path", "")),
    )
    if fault is None:
        return {"mode": "none"}
    return {"mode": fault.mode, "remaining": fault.remaining, "seconds": fault.seconds}


@_simulation
def simulate_limits(body: dict[str, Any]) -> dict[str, Any]:
    """``{"uid", "hourly_limit"?, "hourly_post_limit"?, "hourly_comment_limit"?}``."""
    grant = accounts.sandbox_weibo_limits_set(
        str(body["uid"]),
        hourly_limit=body.get("hourly_limit"),
        hourly_post_limit=body.get("hourly_post_limit"),
        hourly_comment_limit=body.get("hourly_comment_limit"),
    )
    return {
        "hourly_limit": grant.hourly_limit,
        "hourly_post_limit": grant.hourly_post_limit,
        "hourly_comment_limit": grant.hourly_comment_limit,
    }


@_simulation
def simulate_expire_token(body: dict[str, Any]) -> dict[str, Any]:
    """``{"uid"}``: the account's token expires now (21327 from then on)."""
    accounts.sandbox_weibo_token_expire(str(body["uid"]))
    return {"expired": True}
