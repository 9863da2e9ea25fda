"""The JS-SDK's page signature (``wx.config``), as the platform's documentation defines it
(appendix 1 of the JS-SDK docs; the sample is ``data/wechat-jssdk-vector.json``).

``signature = sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")``: the four fields in ASCII
order of their names, the values as they are (not URL-encoded), the url of the page without its
``#fragment``. The ticket comes from ``ticket/getticket`` (``client.tickets``)."""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from dataclasses import dataclass

NONCE_ALPHABET = string.ascii_letters + string.digits
# The two share calls of JS-SDK 1.4+; the deprecated onMenuShare* calls are not asked for.
SHARE_APIS = ("updateAppMessageShareData", "updateTimelineShareData")


def jssdk_url(url: str) -> str:
    """The url as signed: everything before ``#``."""
    return url.split("#", 1)[0]


def jssdk_string(*, jsapi_ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """The string the platform hashes (``string1`` in its documentation)."""
    fields = {
        "jsapi_ticket": jsapi_ticket,
        "noncestr": noncestr,
        "timestamp": str(timestamp),
        "url": jssdk_url(url),
    }
    return "&".join(f"{name}={fields[name]}" for name in sorted(fields))


def jssdk_signature(*, jsapi_ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """The hex sha1 signature ``wx.config`` is given."""
    text = jssdk_string(jsapi_ticket=jsapi_ticket, noncestr=noncestr, timestamp=timestamp, url=url)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - the platform's choice


@dataclass(frozen=True)
class JssdkConfig:
    """What ``wx.config`` takes for one page."""

    app_id: str
    timestamp: int
    nonce_str: str
    signature: str
    js_api_list: tuple[str, ...] = SHARE_APIS

    def as_json(self) -> dict[str, object]:
        return {
            "appId": self.app_id,
            "timestamp": self.timestamp,
            "nonceStr": self.nonce_str,
            "signature": self.signature,
            "jsApiList": list(self.js_api_list),
        }


def jssdk_config(
    *,
    appid: str,
    jsapi_ticket: str,
    url: str,
    now: float | None = None,
    nonce: str | None = None,
) -> JssdkConfig:
    """A signed ``wx.config`` for the page at ``url`` (a fresh nonce unless one is given)."""
    timestamp = int(time.time() if now is None else now)
    nonce_str = nonce or "".join(secrets.choice(NONCE_ALPHABET) for _ in range(16))
    return JssdkConfig(
        app_id=appid,
        timestamp=timestamp,
        nonce_str=nonce_str,
        signature=jssdk_signature(
            jsapi_ticket=jsapi_ticket, noncestr=nonce_str, timestamp=timestamp, url=url
        ),
    )
