"""What WeChat keeps of an article's HTML, and the parser that rewrites a post's HTML to it."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from archivox.publishing.channels.wechat.limits import PLACEHOLDER

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
