"""What the servers write about requests, without what lets anyone sign a WeChat callback or
names a person (issue 17).

A callback's query string holds its signature, timestamp and nonce (with which anyone could
replay or sign for five minutes) and the follower's openid; follower links carry an openid,
signed but readable (``wx``, ``t``). So a callback URL is logged without its query string, those
parameters without their values, and anything shaped like an openid not at all: in gunicorn's
access log (``RedactingLogger``, which ``manage.py serve`` and ``deploy/systemd`` use) and in
the request that Django attaches to its own log records (``RedactRequest``)."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
CALLBACK_PATH = re.compile(r"/wechat/[^/]+/callback/?")
# Query parameters that are an openid or carry one (the follower links' signed tokens).
PERSONAL_PARAMETERS = frozenset({"openid", "wx", "t"})
# WeChat's openids: 28 characters of base64url starting with "o".
OPENID = re.compile(r"(?<![0-9A-Za-z_-])o[0-9A-Za-z_-]{27}(?![0-9A-Za-z_-])")
# The tracking code of a records-use request opens its private page: never logged.
TRACKING_CODE = re.compile(r"(/records/r/)[^/?#]+")


def _redact_path(head: str) -> str:
    return TRACKING_CODE.sub(rf"\g<1>{REDACTED}", OPENID.sub(REDACTED, head))


def redact_query(path: str, query: str) -> str:
    """The query string of a request for ``path``, as it may be logged."""
    if not query:
        return query
    if CALLBACK_PATH.fullmatch(path):
        return REDACTED
    pairs = []
    for pair in query.split("&"):
        name, _, _value = pair.partition("=")
        pairs.append(f"{name}={REDACTED}" if unquote_plus(name) in PERSONAL_PARAMETERS else pair)
    return OPENID.sub(REDACTED, "&".join(pairs))


def redact_target(target: str) -> str:
    """A request target (``/path?query``) or a whole URL (a Referer), as it may be logged."""
    head, separator, query = target.partition("?")
    if not separator:
        return _redact_path(target)
    path = urlsplit(head).path if "://" in head else head
    return f"{_redact_path(head)}?{redact_query(path, query)}"


class RedactingLogger(Logger):
    """gunicorn's logger; the access log's request line, query, path, referer and any header or
    environ value a custom format names are redacted. ``--logger-class`` takes it."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO", "")
        atoms["r"] = (
            f"{environ['REQUEST_METHOD']} {redact_target(environ['RAW_URI'])} "
            f"{environ['SERVER_PROTOCOL']}"
        )
        atoms["q"] = redact_query(path, environ.get("QUERY_STRING", ""))
        atoms["U"] = OPENID.sub(REDACTED, path)
        atoms["f"] = redact_target(atoms["f"])
        for key, value in atoms.items():
            if key.startswith("{") and isinstance(value, str):
                atoms[key] = (
                    redact_query(path, value) if key == "{query_string}e" else redact_target(value)
                )
        return atoms


class RedactRequest(logging.Filter):
    """Django puts the request on its log records (``django.request`` for every 4xx and 5xx),
    and the JSON formatter writes it out with its whole query string: keep method and target,
    redacted, and redact the path the record's message repeats."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            method = getattr(request, "method", "") or ""
            try:
                target = request.get_full_path()
            except Exception:  # a request Django could not finish building
                target = getattr(request, "path", "")
            record.request = f"{method} {redact_target(target)}".strip()
            # Its message names the path too ("Not Found: %s"): a tracking code, an openid.
            if isinstance(record.args, tuple):
                record.args = tuple(
                    redact_target(arg) if isinstance(arg, str) else arg for arg in record.args
                )
        return True
