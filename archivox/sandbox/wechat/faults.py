"""Fault injection: how a call goes wrong, chosen per request or per account.

Per request: the header ``X-Sandbox-Fault: delay=2 | timeout[=15] | http500 | busy |
drop_after_commit``. Per account: a ``Fault`` row (``services.sandbox_fault_set`` or
``POST /sandbox/wechat/_faults``) used up by the account's next calls.

- ``delay=N``: answer N seconds late, normally.
- ``timeout=N`` (15 s by default): the same, late enough that the client has given up; the call
  still takes effect, as it would on a slow platform.
- ``http500``: HTTP 500 and nothing done.
- ``busy``: errcode -1 ("system error") and nothing done.
- ``drop_after_commit``: the call takes effect and is committed, then the connection drops in
  the middle of the answer (Content-Length larger than the body, then the socket closes).
"""

from __future__ import annotations

import contextlib
import errno
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

HEADER = "X-Sandbox-Fault"
MODES = ("delay", "timeout", "http500", "busy", "drop_after_commit")
TIMEOUT_SECONDS = 15.0
MAX_SECONDS = 120.0


@dataclass(frozen=True)
class FaultPlan:
    mode: str
    seconds: float = 0.0


def parse_fault(value: str | None) -> FaultPlan | None:
    """``"delay=2"`` → FaultPlan("delay", 2.0); unknown or empty values mean no fault."""
    if not value:
        return None
    mode, _, argument = value.strip().partition("=")
    mode = mode.strip().lower()
    if mode not in MODES:
        return None
    try:
        seconds = float(argument) if argument.strip() else 0.0
    except ValueError:
        seconds = 0.0
    if mode == "timeout" and seconds <= 0:
        seconds = TIMEOUT_SECONDS
    return FaultPlan(mode, min(max(seconds, 0.0), MAX_SECONDS))


def request_fault(request: HttpRequest) -> FaultPlan | None:
    return parse_fault(request.headers.get(HEADER))


def pause(plan: FaultPlan | None) -> None:
    """Sleep for ``delay`` and ``timeout`` faults; the call then proceeds normally."""
    if plan is not None and plan.mode in ("delay", "timeout") and plan.seconds:
        time.sleep(plan.seconds)


def dropped_response(request: HttpRequest, response: HttpResponse) -> StreamingHttpResponse:
    """``response`` cut short: the headers promise the whole body, half of it is sent, then the
    connection closes, so the client sees a transport error after the server committed."""
    body = response.content
    half = body[: max(1, len(body) // 2)]
    environ = request.META

    def stream() -> Iterator[bytes]:
        yield half
        sock = _client_socket(environ)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        # The WSGI servers we run under (Django's, gunicorn) treat a reset as the client leaving.
        raise ConnectionResetError(errno.ECONNRESET, "sandbox fault: connection dropped")

    dropped = StreamingHttpResponse(stream(), status=response.status_code)
    dropped["Content-Type"] = response["Content-Type"]
    dropped["Content-Length"] = str(len(body) + 64)
    return dropped


def _client_socket(environ: dict) -> socket.socket | None:
    """The connection's socket under gunicorn or Django's development/test server."""
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    stream = environ.get("wsgi.input")
    reader = getattr(getattr(stream, "_read", None), "__self__", None)
    raw = getattr(reader, "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None
