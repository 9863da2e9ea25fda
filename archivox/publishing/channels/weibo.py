"""Weibo: a post becomes a status shared through ``statuses/share``: at most 140 characters as
Weibo counts them (``platforms.weibo.rules``), one picture, and the link to the full text on our
website, which must be under the app's registered safe domain.

The share API refuses ``#topic#`` text, so topics are written without their # marks (flagged).
The link carries the delivery's idempotency key as a query parameter (``ax_delivery``), which
makes every delivery's status unique; ``find_sent`` reads the account's timeline, expands its t.cn
links (``short_url/expand``: the timeline shows links shortened) and looks for the key. A share
whose answer was lost (``WeiboUncertainError``) is therefore reported as transient, and the desk's
next try reconciles with ``find_sent`` instead of sharing again.

Withdraw deletes the status (``statuses/destroy``); when Weibo refuses (not ours) it raises
WithdrawRefused with the platform's reason, and AlreadyGone when the status is gone already.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from archivox.platforms.weibo import client as weibo
from archivox.platforms.weibo import rules
from archivox.platforms.weibo.errors import (
    BUSY_CODES,
    WeiboApiError,
    WeiboAuthError,
    WeiboError,
    WeiboRateLimited,
    WeiboTransportError,
    WeiboUncertainError,
    WeiboValidationError,
)
from archivox.publishing.channels.base import (
    AlreadyGone,
    Flag,
    PermanentChannelError,
    PostContent,
    Rendering,
    SendResult,
    Severity,
    TransientChannelError,
    Withdrawal,
    WithdrawPlan,
    WithdrawRefused,
)
from archivox.publishing.channels.platform_images import (
    fit,
    image_format,
    image_to_payload,
    payload_bytes,
)
from archivox.publishing.channels.wechat.limits import MARKER, with_marker

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount

PIC_FORMATS = frozenset({"jpeg", "png", "gif"})
PIC_MAX_BYTES = rules.MAX_PIC_BYTES - 1  # "under 5 MB"
# The link's length in render, before the delivery's key is known: keys are at most 64.
KEY_ALLOWANCE = "k" * 64
TIMELINE_PAGES = 2
TIMELINE_COUNT = 50
ELLIPSIS = "…"
TOPIC_MARKS = re.compile(r"[#＃]([^#＃\r\n]*\S[^#＃\r\n]*)[#＃]")
# Weibo codes that mean "the content is refused" rather than "try later".
REPEAT_CONTENT = 20019
TARGET_GONE = 20101  # statuses/destroy: "Target weibo does not exist!"


def _plain(value: str) -> str:
    from archivox.publishing.content import html_to_text

    return " ".join(html_to_text(value).split())


def _fit_text(text: str, link: str) -> tuple[str, bool]:
    """``text`` shortened (with an ellipsis) so that ``text + " " + link`` fits 140; whether it
    was shortened. Binary search on the cut: Weibo's count is not one per character."""

    def fits(candidate: str) -> bool:
        return rules.text_length(f"{candidate} {link}") <= rules.MAX_TEXT_LENGTH

    if fits(text):
        return text, False
    # 140 Chinese characters or 280 ASCII at most fit: search only that far.
    low, high = 0, min(len(text), 2 * rules.MAX_TEXT_LENGTH)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + ELLIPSIS):
            low = middle
        else:
            high = middle - 1
    return (text[:low].rstrip() + ELLIPSIS if low else ""), True


class WeiboChannel:
    name = "weibo"
    needs_account: str | None = "weibo"
    in_house = False

    # -- render -------------------------------------------------------------------------------

    def render(self, content: PostContent) -> Rendering:
        flags: list[Flag] = []
        if content.kind == "short":
            text = " ".join(content.text.split())
        else:
            # The first part of the body is enough (Weibo shows 140 characters at most).
            summary = " ".join(content.digest.split()) or _plain(content.body_html[:3000])
            text = f"【{content.title.strip()}】{summary}" if content.title.strip() else summary
        if content.origin == "forward" and content.forward_source:
            text = f"{text} {_('(via %(source)s)') % {'source': content.forward_source}}"

        topics_in_text = TOPIC_MARKS.findall(text)
        if topics_in_text:
            text = TOPIC_MARKS.sub(lambda match: match.group(1), text)
            flags.append(
                Flag(
                    Severity.CUT,
                    "topics_unmarked",
                    _(
                        "Weibo's share API refuses #topics#; %(topics)s are written without "
                        "their # marks."
                    )
                    % {"topics": "、".join(topics_in_text)},
                )
            )
        left_out = [topic for topic in content.topics if topic not in topics_in_text]
        if left_out:
            flags.append(
                Flag(
                    Severity.NOTE,
                    "topics_left_out",
                    _("Weibo's share API takes no #topics#: %(topics)s are not sent.")
                    % {"topics": "、".join(left_out)},
                )
            )

        url = content.url.strip()
        if not url.startswith(("http://", "https://")):
            flags.append(
                Flag(
                    Severity.REFUSE,
                    "link_missing",
                    _(
                        "A Weibo share must link to the full text on the website; the post has "
                        "no web address."
                    ),
                )
            )
        link = with_marker(url, KEY_ALLOWANCE) if url else ""
        given = rules.text_length(f"{text} {link}".strip())
        text, shortened = _fit_text(text, link)
        if shortened:
            flags.append(
                Flag(
                    Severity.CUT,
                    "text_too_long",
                    _(
                        "Weibo takes %(limit)d characters; %(count)d given (the link counts "
                        "10): the text is shortened, the link leads to the full text."
                    )
                    % {"limit": rules.MAX_TEXT_LENGTH, "count": given},
                )
            )
        if not text.strip():
            flags.append(Flag(Severity.REFUSE, "text_empty", _("The Weibo post has no text.")))

        picture = self._picture(content, flags)
        payload = {"text": text, "url": url, "picture": picture}
        picture_line = ""
        if picture:
            # The picture itself, inline from the payload, as the status will show it.
            kind = html.escape(picture.get("format") or "jpeg")
            picture_line = (
                f'<p class="picture"><img src="data:image/{kind};base64,{picture["data"]}" '
                f'alt="{html.escape(picture.get("caption") or content.title)}"></p>'
            )
        # Weibo shows a link in a status as a short "网页链接" (web link), not the address.
        link_html = (
            f'<a class="weibo-link" href="{html.escape(url)}">{html.escape(_("Web link"))}</a>'
            if url
            else ""
        )
        preview = (
            '<article class="preview preview-weibo">'
            f'<p class="account">{html.escape(content.archive_name)}</p>'
            f'<p class="text">{html.escape(text)} {link_html}</p>{picture_line}</article>'
        )
        return Rendering(channel=self.name, payload=payload, preview_html=preview, flags=flags)

    @staticmethod
    def _picture(content: PostContent, flags: list[Flag]) -> dict[str, Any] | None:
        # The cover as the editor cropped it for Weibo's card, else the whole cover.
        cover = content.cover_crops.get("weibo") or content.cover
        candidates = [image for image in (cover, *content.images) if image is not None]
        usable = [image for image in candidates if image_format(image.data)]
        for image in candidates:
            if image not in usable:
                flags.append(
                    Flag(
                        Severity.CUT,
                        "image_format",
                        _("The picture %(name)s is not an image format we can send; left out.")
                        % {"name": image.name},
                    )
                )
        if not usable:
            return None
        chosen = usable[0]
        if len(usable) > 1:
            flags.append(
                Flag(
                    Severity.CUT,
                    "extra_images",
                    _("A Weibo share takes one picture: %(count)d more are left out.")
                    % {"count": len(usable) - 1},
                )
            )
        found = image_format(chosen.data)
        if found not in PIC_FORMATS or chosen.size > PIC_MAX_BYTES:
            flags.append(
                Flag(
                    Severity.CUT,
                    "image_reduced",
                    _(
                        "The picture %(name)s (%(format)s, %(size)d KB) will be converted to a "
                        "JPEG under 5 MB, as Weibo requires."
                    )
                    % {"name": chosen.name, "format": found.upper(), "size": chosen.size // 1024},
                )
            )
        return image_to_payload(chosen)

    # -- send ---------------------------------------------------------------------------------

    def send(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult:
        payload = rendering.payload
        if not idempotency_key:
            raise PermanentChannelError(_("the delivery has no idempotency key"))
        status_text = f"{payload['text']} {with_marker(payload['url'], idempotency_key)}"
        pic = pic_name = None
        if payload.get("picture"):
            fitted = fit(
                payload_bytes(payload["picture"]),
                name=payload["picture"]["name"],
                formats=PIC_FORMATS,
                max_bytes=PIC_MAX_BYTES,
                max_side=2048,
            )
            pic, pic_name = fitted.data, fitted.filename
        with _client(account) as api:
            try:
                status = api.statuses_share(
                    text=status_text, rip=str(context.get("rip", "")), pic=pic, pic_name=pic_name
                )
            except WeiboApiError as exc:
                if exc.error_code == REPEAT_CONTENT:
                    # The same text was the account's last status: this delivery got there.
                    found = self._find(api, idempotency_key)
                    if found is not None:
                        return found
                raise _translate(exc) from exc
            except WeiboError as exc:
                raise _translate(exc) from exc
            return _result(api, status)

    # -- reconcile ----------------------------------------------------------------------------

    def find_sent(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult | None:
        with _client(account) as api:
            try:
                return self._find(api, idempotency_key)
            except WeiboError as exc:
                raise _translate(exc) from exc

    @staticmethod
    def _find(api: weibo.WeiboClient, key: str) -> SendResult | None:
        wanted = f"{MARKER}={key}"
        for page in range(1, TIMELINE_PAGES + 1):
            statuses = api.statuses_user_timeline(count=TIMELINE_COUNT, page=page).get(
                "statuses", []
            )
            links = {
                link: status for status in statuses for link in rules.links(status.get("text", ""))
            }
            # Our own long links (a platform that shows them) need no expanding.
            expanded = {link: link for link in links if MARKER in link}
            short = [link for link in links if MARKER not in link]
            if short:
                expanded.update(api.short_url_expand(short))
            for link, long_url in expanded.items():
                query = long_url.partition("?")[2].partition("#")[0]
                if wanted in query.split("&"):
                    return _result(api, links[link], found=True)
            if len(statuses) < TIMELINE_COUNT:
                break
        return None

    # -- withdraw -----------------------------------------------------------------------------

    def withdrawal(self, *, remote_id: str) -> WithdrawPlan:
        return WithdrawPlan(Withdrawal.PLATFORM)

    def withdraw(
        self, *, account: PlatformAccount | None, remote_id: str, context: dict[str, Any]
    ) -> None:
        with _client(account) as api:
            try:
                api.statuses_destroy(remote_id)
            except (WeiboAuthError, WeiboRateLimited) as exc:
                raise _translate(exc) from exc
            except WeiboApiError as exc:
                if exc.error_code in BUSY_CODES or exc.error_code == -1:
                    raise _translate(exc) from exc
                if exc.error_code == TARGET_GONE:
                    # Our own status's id: "does not exist" means deleted already.
                    raise AlreadyGone(
                        _("Weibo no longer has the status: %(reason)s (%(code)s)")
                        % {"reason": exc.error, "code": exc.error_code}
                    ) from exc
                raise WithdrawRefused(
                    _("Weibo refused to delete the status: %(reason)s (%(code)s)")
                    % {"reason": exc.error, "code": exc.error_code}
                ) from exc
            except WeiboError as exc:
                raise _translate(exc) from exc


# -- helpers ----------------------------------------------------------------------------------


class _client:
    def __init__(self, account: PlatformAccount | None) -> None:
        if account is None:
            raise PermanentChannelError(_("the archive has no Weibo account to send through"))
        try:
            self.api = weibo.client_for_account(account)
        except WeiboValidationError as exc:
            raise PermanentChannelError(
                _("the Weibo account cannot be used: %(error)s") % {"error": exc.message}
            ) from exc

    def __enter__(self) -> weibo.WeiboClient:
        return self.api

    def __exit__(self, *exc_info: object) -> None:
        self.api.close()


def _result(api: weibo.WeiboClient, status: dict[str, Any], *, found: bool = False) -> SendResult:
    status_id = str(status.get("idstr") or status.get("id"))
    # Sandbox statuses have no public page; on the platform a status lives under its author.
    url = ""
    if "api.weibo.com" in api.base_url and api.uid:
        url = f"https://weibo.com/{api.uid}/{status_id}"
    response = {key: status.get(key) for key in ("idstr", "created_at", "text", "original_pic")}
    if found:
        response["found_by"] = "statuses/user_timeline"
    return SendResult(remote_id=status_id, url=url, response=response)


def _translate(error: WeiboError) -> Exception:
    if isinstance(error, WeiboUncertainError):
        return TransientChannelError(
            _(
                "Weibo may or may not have published it (%(error)s); the next try looks on the "
                "timeline before sharing again"
            )
            % {"error": error}
        )
    if isinstance(error, WeiboTransportError):
        return TransientChannelError(_("Weibo could not be reached: %(error)s") % {"error": error})
    if isinstance(error, WeiboRateLimited):
        return TransientChannelError(
            _("Weibo's request limit was reached; retry in %(seconds)d s (%(error)s)")
            % {"seconds": int(error.retry_after), "error": error.error}
        )
    if isinstance(error, WeiboAuthError):
        return PermanentChannelError(
            _(
                "Weibo refused the account's access token (%(code)s: %(error)s); authorise the "
                "Weibo account again"
            )
            % {"code": error.error_code, "error": error.error}
        )
    if isinstance(error, WeiboValidationError):
        return PermanentChannelError(
            _("Weibo would refuse this post: %(error)s") % {"error": error.message}
        )
    if isinstance(error, WeiboApiError):
        if error.error_code in BUSY_CODES or (error.http_status or 0) >= 500:
            return TransientChannelError(
                _("Weibo is busy (%(code)s: %(error)s)")
                % {"code": error.error_code, "error": error.error}
            )
        return PermanentChannelError(
            _("Weibo refused the post (%(code)s: %(error)s)")
            % {"code": error.error_code, "error": error.error}
        )
    return TransientChannelError(str(error))
