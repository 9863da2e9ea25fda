"""Render: pure and cheap (no network, no image conversion). Rewrites the article's HTML to what
WeChat keeps, checks the platform's limits and flags what will be cut or refused."""

from __future__ import annotations

import html
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from archivox.publishing.channels.base import Flag, PostContent, Rendering, Severity
from archivox.publishing.channels.platform_images import image_format, image_to_payload
from archivox.publishing.channels.wechat.article_html import _ArticleHtml, _shorten, _text_start
from archivox.publishing.channels.wechat.limits import (
    ARTICLE_IMAGE_FORMATS,
    AUTHOR_MAX_CHARS,
    CONTENT_MAX_BYTES,
    CONTENT_MAX_CHARS,
    DIGEST_MAX_CHARS,
    IMAGE_URL_ALLOWANCE,
    PLACEHOLDER,
    SOURCE_URL_MAX_BYTES,
    THUMB_MAX_BYTES,
    TITLE_MAX_CHARS,
    UPLOADIMG_MAX_BYTES,
    with_marker,
)


class WeChatRender:
    """The render stage of ``WeChatChannel``."""

    name: str

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

        article = {
            "title": title,
            "author": author,
            "digest": digest,
            "content": article_html,
            "content_source_url": source_url,
            "need_open_comment": 1,
            "only_fans_can_comment": 0,
        }
        if content.cover is not None:
            # The editor's crops of the cover, in WeChat's own fields: "x1_y1_x2_y2" as
            # fractions of the thumb, which keeps the cover's proportions.
            for key, field in (("wechat", "pic_crop_235_1"), ("wechat_square", "pic_crop_1_1")):
                box = content.cover_boxes.get(key)
                if box is not None:
                    article[field] = "_".join(f"{value:.6f}" for value in box)
        payload = {
            "mode": content.wechat_mode,
            "article": article,
            "images": images,
            "fetch_images": parser.fetch,
            "cover": cover,
        }
        preview = self._preview(payload, account=content.archive_name)
        return Rendering(channel=self.name, payload=payload, preview_html=preview, flags=flags)

    @staticmethod
    def _preview(payload: dict[str, Any], *, account: str = "") -> str:
        """The article as a follower's phone shows it: title, author and account, the body with
        its pictures (inline, from the payload: the preview must not depend on an upload) and
        WeChat's own 阅读原文 link at the end."""
        article = payload["article"]
        body = article["content"]
        for index, image in enumerate(payload["images"]):
            kind = image.get("format") or "jpeg"
            body = body.replace(
                f'src="{PLACEHOLDER}{index}"',
                f'src="data:image/{html.escape(kind)};base64,{image["data"]}"',
            )
        for index, url in enumerate(payload["fetch_images"]):
            body = body.replace(f'src="{PLACEHOLDER}f{index}"', f'src="{html.escape(url)}"')
        meta = " ".join(
            f'<span class="{cls}">{html.escape(part)}</span>'
            for cls, part in (("author", article["author"]), ("account", account))
            if part
        )
        source = ""
        if article["content_source_url"]:
            source = (
                f'<p class="source"><a href="{html.escape(article["content_source_url"])}">'
                f"{html.escape(_('Read the original'))}</a></p>"
            )
        return (
            '<article class="preview preview-wechat">'
            f"<h1>{html.escape(article['title'])}</h1>"
            + (f'<p class="meta">{meta}</p>' if meta else "")
            + f'<div class="body">{body}</div>{source}</article>'
        )
