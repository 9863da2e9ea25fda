"""The WeChat official account: a post becomes an article, published (draft, then freepublish)
or mass-sent to all followers (draft, then mass send; once a day for a subscription account).

Render is pure and cheap (no network, no image conversion): it rewrites the article's HTML to
what WeChat keeps, checks the platform's limits and flags what will be cut or refused. Send
uploads the pictures (the body may only show images on WeChat's own servers), the cover as a
permanent thumb, adds the draft and publishes or mass-sends it.

At most once:

- ``publish``: the article's "read the original" link (``content_source_url``) carries the
  delivery's idempotency key as a query parameter (``ax_delivery``; harmless to readers), and
  ``find_sent`` looks for it among the account's published articles (``freepublish/batchget``).
  ``send`` waits briefly for the publish job (``freepublish/get``; ``PUBLISH_WAIT_SECONDS``,
  setting ``ARCHIVOX_WECHAT_PUBLISH_WAIT``) and returns the article's id and URL; if the job has
  not finished by then it returns ``publish:<publish_id>`` without a URL, and ``find_sent`` called
  later finds the article with its id and URL (``withdraw`` also takes ``publish:<id>``). A job
  still running when a worker died is not listed by batchget yet; that window is seconds long.
- ``mass_send``: the mass send carries the idempotency key as ``clientmsgid``; the platform
  refuses a second send with it for 24 hours and names the first (45065), which ``send`` takes as
  "already sent". There is no read call to look a mass send up by clientmsgid, so ``find_sent``
  answers None and a re-run's ``send`` is refused by the platform instead of sending twice.

Withdraw: a published article is deleted (``freepublish/delete``; 40007, an article WeChat no
longer has, raises AlreadyGone); a mass send cannot be taken back from followers' chats (the
platform allows deleting the article only within 30 minutes, and not the message), so
withdrawing one raises WithdrawRefused saying so, and ``withdrawal`` says so beforehand.
"""

from __future__ import annotations

import contextlib
import html
import time
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from archivox.platforms.wechat import client as wechat
from archivox.platforms.wechat.errors import (
    WeChatApiError,
    WeChatBusyError,
    WeChatCredentialError,
    WeChatDuplicateMassSendError,
    WeChatError,
    WeChatInvalidContentError,
    WeChatMassQuotaError,
    WeChatRateLimitError,
    WeChatTokenError,
    WeChatTransportError,
    WeChatUncertainError,
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

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount

# The platform's limits for draft articles, as the sandbox enforces them
# (archivox/sandbox/wechat/rules.py; tests check the two agree).
TITLE_MAX_CHARS = 32
AUTHOR_MAX_CHARS = 16
DIGEST_MAX_CHARS = 128
CONTENT_MAX_CHARS = 20_000
CONTENT_MAX_BYTES = 1024 * 1024
SOURCE_URL_MAX_BYTES = 1024
UPLOADIMG_MAX_BYTES = 1024 * 1024  # pictures inside an article: JPEG or PNG
THUMB_MAX_BYTES = 64 * 1024  # the cover: a JPEG thumb
ARTICLE_IMAGE_FORMATS = frozenset({"jpeg", "png"})
THUMB_FORMATS = frozenset({"jpeg"})
# Room an uploaded picture's URL takes in place of its placeholder, for the length check.
IMAGE_URL_ALLOWANCE = 160

MARKER = "ax_delivery"
PLACEHOLDER = "ax-image:"
# How long send waits for the publish job before returning ``publish:<id>`` without a URL
# (setting ARCHIVOX_WECHAT_PUBLISH_WAIT; 0 checks once and does not wait).
PUBLISH_WAIT_SECONDS = 4.0
PUBLISH_POLL_SECONDS = 0.5
FIND_PAGES = 5  # batchget pages of 20 that find_sent reads (the newest 100 publishes)

# What WeChat keeps of an article's HTML (scripts, styles, frames and forms never survive).
TAGS = frozenset(
    {
        "p", "br", "span", "strong", "b", "em", "i", "u", "s", "blockquote", "section", "h1",
        "h2", "h3", "h4", "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead",
        "tbody", "tr", "th", "td", "hr", "pre", "code", "sup", "sub",
    }
)  # fmt: skip
VOID = frozenset({"br", "hr", "img"})
ATTRIBUTES = {"a": ("href",), "img": ("src", "alt"), "td": ("colspan", "rowspan")}
ATTRIBUTES["th"] = ATTRIBUTES["td"]
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "form", "noscript"})
MP_HOSTS = ("mp.weixin.qq.com",)


def media_prefixes() -> tuple[str, ...]:
    """URLs of pictures already on WeChat's servers (kept as they are)."""
    return ("https://mmbiz.qpic.cn/", "http://mmbiz.qpic.cn/", f"{settings.WECHAT_API}/mmbiz/")


def is_mp_link(url: str) -> bool:
    """A link WeChat lets an article keep: another official-account article."""
    parts = urlsplit(url)
    if parts.hostname in MP_HOSTS:
        return True
    sandbox = urlsplit(settings.WECHAT_API)
    return (
        parts.scheme in ("http", "https")
        and parts.netloc == sandbox.netloc
        and parts.path.startswith(sandbox.path.rstrip("/") + "/mp/s/")
    )


def with_marker(url: str, key: str) -> str:
    """``url`` with the delivery's key as a query parameter (before any #fragment)."""
    base, hash_mark, fragment = url.partition("#")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{MARKER}={key}{hash_mark}{fragment}"


class _ArticleHtml(HTMLParser):
    """Rewrites sanitised HTML into what WeChat keeps: allowed tags and attributes only, links
    to anything but other WeChat articles unwrapped to their text, pictures kept when already
    on WeChat's servers, fetched from our own site at send time, else dropped."""

    def __init__(self, *, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url.rstrip("/")
        self.out: list[str] = []
        self.open_links: list[bool] = []  # per <a>: kept or unwrapped
        self.dropping = 0
        self.links_unwrapped = 0
        self.images_dropped: list[str] = []
        self.fetch: list[str] = []  # own-site pictures, fetched and uploaded at send time
        self.text_chars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in TAGS:
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            href = values.get("href", "")
            keep = bool(href) and is_mp_link(href)
            self.open_links.append(keep)
            if keep:
                self.out.append(f'<a href="{html.escape(href)}">')
            else:
                self.links_unwrapped += 1 if href else 0
            return
        if tag == "img":
            self._image(values)
            return
        kept = "".join(
            f' {name}="{html.escape(values[name])}"'
            for name in ATTRIBUTES.get(tag, ())
            if values.get(name)
        )
        self.out.append(f"<{tag}{kept}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and tag not in DROP_WITH_CONTENT:
            self.handle_endtag(tag)

    def _image(self, values: dict[str, str]) -> None:
        src = values.get("src", "").strip()
        alt = html.escape(values.get("alt", ""))
        if src.startswith(media_prefixes()):
            self.out.append(f'<img src="{html.escape(src)}" alt="{alt}">')
            return
        absolute = urljoin(self.base_url + "/", src) if src else ""
        if absolute.startswith(self.base_url + "/") and not src.startswith("//"):
            self.out.append(f'<img src="{PLACEHOLDER}f{len(self.fetch)}" alt="{alt}">')
            self.fetch.append(absolute)
            return
        self.images_dropped.append(src or "(no address)")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in TAGS or tag in VOID:
            return
        if tag == "a":
            if self.open_links and self.open_links.pop():
                self.out.append("</a>")
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.text_chars += len(data.strip())
            self.out.append(html.escape(data, quote=False))


def _text_start(body_html: str, length: int) -> str:
    from archivox.publishing.content import html_to_text

    text = " ".join(html_to_text(body_html).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WeChatChannel:
    name = "wechat"
    needs_account: str | None = "wechat"

    # -- render -------------------------------------------------------------------------------

    def render(self, content: PostContent) -> Rendering:
        flags: list[Flag] = []
        title = content.title.strip()
        if not title:
            flags.append(Flag(Severity.REFUSE, "title_empty", _("A WeChat article needs a title.")))
        elif len(title) > TITLE_MAX_CHARS:
            flags.append(
                Flag(
                    Severity.REFUSE,
                    "title_too_long",
                    _("WeChat takes titles of %(limit)d characters; %(count)d given.")
                    % {"limit": TITLE_MAX_CHARS, "count": len(title)},
                )
            )
        author = content.author.strip()
        if len(author) > AUTHOR_MAX_CHARS:
            flags.append(
                Flag(
                    Severity.CUT,
                    "author_too_long",
                    _("WeChat takes an author of %(limit)d characters; “%(author)s” is cut.")
                    % {"limit": AUTHOR_MAX_CHARS, "author": author},
                )
            )
            author = author[:AUTHOR_MAX_CHARS]

        if content.body_html.strip():
            body = content.body_html
        else:  # a short post sent as an article: its text, paragraph by paragraph
            body = "".join(
                f"<p>{html.escape(line.strip())}</p>"
                for line in content.text.splitlines()
                if line.strip()
            )
        if content.origin == "forward" and content.forward_source:
            source = _("Source: %(source)s") % {"source": content.forward_source}
            body = f"<p>{html.escape(source)}</p>{body}"
            flags.append(
                Flag(
                    Severity.NOTE,
                    "forward_source",
                    _("A forward: the article names its source at the top."),
                )
            )
        parser = _ArticleHtml(base_url=settings.BASE_URL)
        parser.feed(body)
        parser.close()
        if parser.links_unwrapped:
            flags.append(
                Flag(
                    Severity.CUT,
                    "external_links",
                    _(
                        "WeChat articles cannot link outside WeChat: %(count)d link(s) become "
                        "plain text; readers reach the website through “Read the original”."
                    )
                    % {"count": parser.links_unwrapped},
                )
            )
        for src in parser.images_dropped:
            flags.append(
                Flag(
                    Severity.CUT,
                    "external_image",
                    _(
                        "The picture %(src)s is on another website; WeChat shows only pictures "
                        "uploaded to it, so it is left out."
                    )
                    % {"src": src[:200]},
                )
            )

        images: list[dict[str, Any]] = []
        figures: list[str] = []
        for image in content.images:
            found = image_format(image.data)
            if not found:
                flags.append(
                    Flag(
                        Severity.CUT,
                        "image_format",
                        _("The picture %(name)s is not an image format we can send; left out.")
                        % {"name": image.name},
                    )
                )
                continue
            if found not in ARTICLE_IMAGE_FORMATS or image.size > UPLOADIMG_MAX_BYTES:
                flags.append(
                    Flag(
                        Severity.CUT,
                        "image_reduced",
                        _(
                            "The picture %(name)s (%(format)s, %(size)d KB) will be converted "
                            "to a JPEG of at most 1 MB, as WeChat requires."
                        )
                        % {"name": image.name, "format": found.upper(), "size": image.size // 1024},
                    )
                )
            caption = (
                f"<figcaption>{html.escape(image.caption)}</figcaption>" if image.caption else ""
            )
            figures.append(
                f'<figure><img src="{PLACEHOLDER}{len(images)}" '
                f'alt="{html.escape(image.caption)}">{caption}</figure>'
            )
            images.append(image_to_payload(image))
        article_html = "".join(parser.out)
        if figures:
            # The pictures after the first paragraph, where a reader meets them early.
            cut = article_html.find("</p>")
            at = cut + 4 if cut >= 0 else len(article_html)
            article_html = article_html[:at] + "".join(figures) + article_html[at:]

        pictures = len(images) + len(parser.fetch)
        length = len(article_html) + pictures * IMAGE_URL_ALLOWANCE
        if length > CONTENT_MAX_CHARS or len(article_html.encode()) > CONTENT_MAX_BYTES:
            flags.append(
                Flag(
                    Severity.REFUSE,
                    "content_too_long",
                    _(
                        "WeChat takes article HTML under %(limit)d characters; this one has "
                        "about %(count)d."
                    )
                    % {"limit": CONTENT_MAX_CHARS, "count": length},
                )
            )
        if not parser.text_chars and not pictures:
            flags.append(Flag(Severity.REFUSE, "content_empty", _("The article has no text.")))

        digest = " ".join(content.digest.split())
        if len(digest) > DIGEST_MAX_CHARS:
            flags.append(
                Flag(
                    Severity.CUT,
                    "digest_too_long",
                    _("WeChat takes a digest of %(limit)d characters; %(count)d given, cut.")
                    % {"limit": DIGEST_MAX_CHARS, "count": len(digest)},
                )
            )
            digest = _shorten(digest, DIGEST_MAX_CHARS)
        elif not digest:
            digest = _text_start(article_html, 54)  # what WeChat itself would show

        cover_image = content.cover or (content.images[0] if content.images else None)
        cover: dict[str, Any] | None = None
        if cover_image is None:
            flags.append(
                Flag(
                    Severity.REFUSE,
                    "cover_missing",
                    _("A WeChat article needs a cover picture; add a cover or an item's image."),
                )
            )
        else:
            found = image_format(cover_image.data)
            if not found:
                flags.append(
                    Flag(
                        Severity.REFUSE,
                        "cover_format",
                        _("The cover %(name)s is not an image format WeChat or we can read.")
                        % {"name": cover_image.name},
                    )
                )
            else:
                cover = image_to_payload(cover_image)
                if found != "jpeg" or cover_image.size > THUMB_MAX_BYTES:
                    flags.append(
                        Flag(
                            Severity.NOTE,
                            "cover_reduced",
                            _(
                                "The cover becomes a JPEG thumbnail of at most 64 KB, as "
                                "WeChat requires."
                            ),
                        )
                    )
                if content.cover is None:
                    flags.append(
                        Flag(
                            Severity.NOTE,
                            "cover_from_item",
                            _("No cover chosen: the first item's picture is the cover."),
                        )
                    )

        source_url = (content.source_url or content.url).strip()
        if not source_url.startswith(("http://", "https://")):
            flags.append(
                Flag(
                    Severity.REFUSE,
                    "source_url_missing",
                    _(
                        "The article needs the post's web address for “Read the original” "
                        "(it is also how a lost send is found again)."
                    ),
                )
            )
        elif len(with_marker(source_url, "x" * 64).encode()) > SOURCE_URL_MAX_BYTES:
            flags.append(
                Flag(
                    Severity.REFUSE,
                    "source_url_too_long",
                    _("The post's web address is longer than WeChat's 1 KB limit."),
                )
            )
        if content.wechat_mode == "mass_send":
            flags.append(
                Flag(
                    Severity.NOTE,
                    "mass_send",
                    _(
                        "Mass send to all followers: a subscription account may do this once a "
                        "day, and it cannot be taken back."
                    ),
                )
            )

        payload = {
            "mode": content.wechat_mode,
            "article": {
                "title": title,
                "author": author,
                "digest": digest,
                "content": article_html,
                "content_source_url": source_url,
                "need_open_comment": 1,
                "only_fans_can_comment": 0,
            },
            "images": images,
            "fetch_images": parser.fetch,
            "cover": cover,
        }
        preview = self._preview(payload)
        return Rendering(channel=self.name, payload=payload, preview_html=preview, flags=flags)

    @staticmethod
    def _preview(payload: dict[str, Any]) -> str:
        article = payload["article"]
        body = article["content"]
        for index, image in enumerate(payload["images"]):
            body = body.replace(
                f'src="{PLACEHOLDER}{index}"',
                f'src="" data-picture="{html.escape(image["name"])}"',
            )
        for index, url in enumerate(payload["fetch_images"]):
            body = body.replace(f'src="{PLACEHOLDER}f{index}"', f'src="{html.escape(url)}"')
        meta = " · ".join(html.escape(part) for part in (article["author"],) if part)
        return (
            '<article class="preview preview-wechat">'
            f"<h1>{html.escape(article['title'])}</h1>"
            + (f'<p class="meta">{meta}</p>' if meta else "")
            + f'<p class="digest">{html.escape(article["digest"])}</p>'
            f'<div class="body">{body}</div>'
            f'<p class="source"><a href="{html.escape(article["content_source_url"])}">'
            f"{html.escape(_('Read the original'))}</a></p></article>"
        )

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

    # -- reconcile ----------------------------------------------------------------------------

    def find_sent(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult | None:
        if rendering.payload.get("mode") == "mass_send":
            return None  # the platform dedups by clientmsgid: see the module's docstring
        wanted = f"{MARKER}={idempotency_key}"
        with _client(account) as api, _platform_errors():
            for page in range(FIND_PAGES):
                answer = api.freepublish_batchget(offset=page * 20, count=20)
                items = answer.get("item", [])
                for item in items:
                    for index, news in enumerate(item.get("content", {}).get("news_item", [])):
                        source = news.get("content_source_url", "")
                        if news.get("is_deleted") or not _has_param(source, wanted):
                            continue
                        return SendResult(
                            remote_id=str(item["article_id"]),
                            url=str(news.get("url", "")),
                            response={"found_by": "freepublish/batchget", "index": index + 1},
                        )
                if len(items) < 20:
                    break
        return None

    # -- withdraw -----------------------------------------------------------------------------

    def withdrawal(self, *, remote_id: str) -> WithdrawPlan:
        if remote_id.startswith("mass:"):
            return WithdrawPlan(Withdrawal.IMPOSSIBLE, _mass_send_refusal())
        return WithdrawPlan(Withdrawal.PLATFORM)

    def withdraw(
        self, *, account: PlatformAccount | None, remote_id: str, context: dict[str, Any]
    ) -> None:
        if remote_id.startswith("mass:"):
            raise WithdrawRefused(_mass_send_refusal())
        with _client(account) as api, _platform_errors():
            article_id = remote_id
            if remote_id.startswith("publish:"):
                answer = api.freepublish_get(remote_id.removeprefix("publish:"))
                article_id = str(answer.get("article_id") or "")
                if int(answer.get("publish_status", 1)) == 1:
                    raise TransientChannelError(
                        _("the article is still being published; withdraw it in a moment")
                    )
                if not article_id:
                    raise WithdrawRefused(
                        _("WeChat did not publish this article (status %(status)s)")
                        % {"status": answer.get("publish_status")}
                    )
            try:
                api.freepublish_delete(article_id, 0)
            except WeChatApiError as exc:
                if exc.errcode == 40007:
                    # The id came from WeChat itself, so "unknown" means deleted already (from
                    # the platform's console, or by a try whose answer was lost).
                    raise AlreadyGone(
                        _("WeChat no longer has the article: %(reason)s")
                        % {"reason": f"{exc.errcode} {exc.errmsg}"}
                    ) from exc
                if exc.errcode in (53600, 48001):
                    raise WithdrawRefused(
                        _("WeChat refused to delete the article: %(reason)s")
                        % {"reason": f"{exc.errcode} {exc.errmsg}"}
                    ) from exc
                raise


# -- helpers ----------------------------------------------------------------------------------


def _mass_send_refusal() -> str:
    return _(
        "A mass send cannot be taken back from followers' chats; WeChat lets the "
        "article be deleted only within 30 minutes of sending, from the official "
        "account platform."
    )


class _client:
    """The account's API client as a context manager; a missing or incomplete account is a
    permanent error naming the problem."""

    def __init__(self, account: PlatformAccount | None) -> None:
        if account is None:
            raise PermanentChannelError(_("the archive has no WeChat account to send through"))
        try:
            self.api = wechat.client_for_account(account)
        except ValueError as exc:
            raise PermanentChannelError(
                _("the WeChat account cannot be used: %(error)s") % {"error": exc}
            ) from exc

    def __enter__(self) -> wechat.WeChatApi:
        return self.api

    def __exit__(self, *exc_info: object) -> None:
        self.api.close()


class _platform_errors:
    """Turn the client's typed errors into the channel contract's: what is worth retrying
    (transient) and what is not (permanent), with a message naming the problem."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, _tb: object) -> bool:
        if error is None or not isinstance(error, WeChatError):
            return False
        raise _translate(error) from error


def _translate(error: WeChatError) -> Exception:
    if isinstance(error, WeChatUncertainError):
        return TransientChannelError(
            _(
                "WeChat may or may not have accepted it (%(error)s); the next try looks on the "
                "platform before sending again"
            )
            % {"error": error}
        )
    if isinstance(error, WeChatTransportError):
        return TransientChannelError(_("WeChat could not be reached: %(error)s") % {"error": error})
    if isinstance(error, WeChatCredentialError):
        return PermanentChannelError(
            _(
                "WeChat refused the account's AppID or AppSecret (errcode %(code)s: %(msg)s); "
                "correct the credentials of the WeChat account"
            )
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatTokenError):
        return PermanentChannelError(
            _(
                "WeChat refused the account's access token even after renewing it (errcode "
                "%(code)s: %(msg)s); check the account's credentials"
            )
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatMassQuotaError):
        return PermanentChannelError(
            _(
                "WeChat refused the mass send: the account's mass-send quota is used up (a "
                "subscription account may mass-send once a day; errcode %(code)s: %(msg)s)"
            )
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatInvalidContentError):
        return PermanentChannelError(
            _("WeChat refused the content (errcode %(code)s: %(msg)s)")
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatBusyError | WeChatRateLimitError):
        return TransientChannelError(
            _("WeChat is busy or rate-limited (errcode %(code)s: %(msg)s)")
            % {"code": error.errcode, "msg": error.errmsg}
        )
    if isinstance(error, WeChatApiError):
        return PermanentChannelError(
            _("WeChat refused the call %(api)s (errcode %(code)s: %(msg)s)")
            % {"api": error.api, "code": error.errcode, "msg": error.errmsg}
        )
    return TransientChannelError(str(error))


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


def _has_param(url: str, wanted: str) -> bool:
    query = urlsplit(url).query
    return wanted in query.split("&")


def _fetch_own_picture(url: str) -> bytes:
    """A picture of our own site that the article's HTML shows, to upload it to WeChat."""
    if not url.startswith(settings.BASE_URL.rstrip("/") + "/"):
        raise PermanentChannelError(
            _("the picture %(url)s is not on our website") % {"url": url[:200]}
        )
    try:
        with httpx.Client(timeout=10.0, follow_redirects=False) as http:
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
