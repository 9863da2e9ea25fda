"""Send: uploads the pictures (the body may only show images on WeChat's own servers), the cover
as a permanent thumb, adds the draft and publishes or mass-sends it. How a send stays at most
once is in the package's docstring."""

from __future__ import annotations

import contextlib
import html
import time
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from archivox.core.tls import tls_context
from archivox.platforms.wechat import client as wechat
from archivox.platforms.wechat.errors import (
    WeChatBusyError,
    WeChatDuplicateMassSendError,
    WeChatTransportError,
)
from archivox.publishing.channels.base import (
    PermanentChannelError,
    Rendering,
    SendResult,
    TransientChannelError,
)
from archivox.publishing.channels.platform_images import fit, payload_bytes
from archivox.publishing.channels.wechat.api import _client, _platform_errors
from archivox.publishing.channels.wechat.limits import (
    ARTICLE_IMAGE_FORMATS,
    PLACEHOLDER,
    PUBLISH_POLL_SECONDS,
    PUBLISH_WAIT_SECONDS,
    THUMB_FORMATS,
    THUMB_MAX_BYTES,
    UPLOADIMG_MAX_BYTES,
    with_marker,
)

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount


class WeChatSend:
    """The send stage of ``WeChatChannel``."""

    def send(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult:
        payload = rendering.payload
        if not idempotency_key or len(idempotency_key.encode()) > 64:
            raise PermanentChannelError(_("the delivery's idempotency key must be 1–64 bytes"))
        with _client(account) as api, _platform_errors():
            article = dict(payload["article"])
            article["content"] = self._with_uploaded_images(api, payload, context)
            article["content_source_url"] = with_marker(
                article["content_source_url"], idempotency_key
            )
            cover = payload.get("cover")
            if cover is None:
                raise PermanentChannelError(_("a WeChat article needs a cover picture"))
            thumb = fit(
                payload_bytes(cover),
                name=cover["name"],
                formats=THUMB_FORMATS,
                max_bytes=THUMB_MAX_BYTES,
                max_side=640,
                force_jpeg=True,
            )
            article["thumb_media_id"] = api.add_thumb_material(thumb.data, filename=thumb.filename)[
                "media_id"
            ]
            media_id = api.draft_add([article])
            if payload.get("mode") == "mass_send":
                return self._mass_send(api, media_id, idempotency_key)
            return self._publish(api, media_id)

    def _with_uploaded_images(
        self, api: wechat.WeChatApi, payload: dict[str, Any], context: dict[str, Any]
    ) -> str:
        content: str = payload["article"]["content"]
        for index, entry in enumerate(payload.get("images", [])):
            data = payload_bytes(entry)
            url = self._upload(api, data, entry["name"])
            content = content.replace(f'src="{PLACEHOLDER}{index}"', f'src="{html.escape(url)}"')
        for index, address in enumerate(payload.get("fetch_images", [])):
            data = _fetch_own_picture(address)
            url = self._upload(api, data, address.rsplit("/", 1)[-1] or "image")
            content = content.replace(f'src="{PLACEHOLDER}f{index}"', f'src="{html.escape(url)}"')
        return content

    @staticmethod
    def _upload(api: wechat.WeChatApi, data: bytes, name: str) -> str:
        fitted = fit(data, name=name, formats=ARTICLE_IMAGE_FORMATS, max_bytes=UPLOADIMG_MAX_BYTES)
        return api.upload_article_image(fitted.data, filename=fitted.filename)

    def _publish(self, api: wechat.WeChatApi, media_id: str) -> SendResult:
        publish_id = api.freepublish_submit(media_id)
        wait = float(getattr(settings, "ARCHIVOX_WECHAT_PUBLISH_WAIT", PUBLISH_WAIT_SECONDS))
        deadline = time.monotonic() + wait
        answer: dict[str, Any] = {"publish_id": publish_id, "publish_status": 1}
        if wait > 0:
            # A publish job is never done the moment it is submitted: asking at once only cost
            # a round trip a delivery (issue 24).
            time.sleep(PUBLISH_POLL_SECONDS)
        while True:
            # Submitted: if the status cannot be read, find_sent will find the article later.
            with contextlib.suppress(WeChatTransportError, WeChatBusyError):
                answer = api.freepublish_get(publish_id)
            status = int(answer.get("publish_status", 1))
            if status == 0:
                return _published_result(answer)
            if status != 1:
                raise PermanentChannelError(_publish_failure(status, answer))
            if time.monotonic() >= deadline:
                # Still being published: the id is enough to find it again (find_sent, withdraw).
                return SendResult(remote_id=f"publish:{publish_id}", url="", response=answer)
            time.sleep(PUBLISH_POLL_SECONDS)

    @staticmethod
    def _mass_send(api: wechat.WeChatApi, media_id: str, key: str) -> SendResult:
        try:
            answer = api.mass_send_all(msgtype="mpnews", media_id=media_id, clientmsgid=key)
        except WeChatDuplicateMassSendError as exc:
            if exc.msg_id is None:  # 45066: the same clientmsgid again within a minute
                raise TransientChannelError(
                    _("WeChat is still handling this mass send; try again in a minute")
                ) from exc
            # 45065: this delivery was mass-sent already; that send stands.
            return SendResult(
                remote_id=f"mass:{exc.msg_id}",
                url="",
                response={**exc.response, "already_sent": True},
            )
        return SendResult(remote_id=f"mass:{answer['msg_id']}", url="", response=answer)


def _published_result(answer: dict[str, Any]) -> SendResult:
    items = answer.get("article_detail", {}).get("item", [])
    url = str(items[0].get("article_url", "")) if items else ""
    return SendResult(remote_id=str(answer["article_id"]), url=url, response=answer)


def _publish_failure(status: int, answer: dict[str, Any]) -> str:
    reasons = {
        2: _("the original-content declaration failed"),
        3: _("publishing failed"),
        4: _("the platform's review refused it"),
        5: _("it was deleted after publishing"),
        6: _("it was banned after publishing"),
    }
    return _("WeChat did not publish the article: %(reason)s (publish_status %(status)d)") % {
        "reason": reasons.get(status, _("unknown status")),
        "status": status,
    }


def _fetch_own_picture(url: str) -> bytes:
    """A picture of our own site that the article's HTML shows, to upload it to WeChat."""
    if not url.startswith(settings.BASE_URL.rstrip("/") + "/"):
        raise PermanentChannelError(
            _("the picture %(url)s is not on our website") % {"url": url[:200]}
        )
    try:
        with httpx.Client(timeout=10.0, follow_redirects=False, verify=tls_context()) as http:
            response = http.get(url)
    except httpx.HTTPError as exc:
        raise TransientChannelError(
            _("the picture %(url)s could not be read: %(error)s") % {"url": url, "error": exc}
        ) from exc
    if response.status_code >= 500:
        raise TransientChannelError(
            _("the picture %(url)s: HTTP %(status)d") % {"url": url, "status": response.status_code}
        )
    if response.status_code != 200:
        raise PermanentChannelError(
            _("the picture %(url)s: HTTP %(status)d") % {"url": url, "status": response.status_code}
        )
    return response.content
