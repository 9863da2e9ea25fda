"""Rich text of posts (checked, then sanitised with nh3) and the content a channel renders,
built from a post with catalog material taken only through the access gateway."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser

import nh3
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from archivox.catalog.models import DigitalObject
from archivox.catalog.selectors import description_list_public, digital_objects_public
from archivox.publishing.channels.base import Image, ItemLink, PostContent
from archivox.publishing.models import Post

ALLOWED_TAGS = {
    "p", "br", "span", "strong", "b", "em", "i", "u", "s", "blockquote", "h2", "h3", "h4",
    "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tr",
    "th", "td", "hr", "pre", "code", "sup", "sub", "section",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
FORBIDDEN_ELEMENTS = {"script", "style", "iframe", "object", "embed", "form", "link", "meta"}
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")


class _Inspector(HTMLParser):
    """Finds what an editor's HTML asks for that we refuse outright (not merely tidy away)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def _problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self._problem(_("<%(tag)s> elements are not allowed in a post") % {"tag": tag})
        for name, value in attrs:
            if name.startswith("on"):
                self._problem(
                    _("event handler attributes (%(name)s) are not allowed") % {"name": name}
                )
            elif name == "style":
                self._problem(_("inline style attributes are not allowed"))
            elif name in {"href", "src"} and value:
                match = _SCHEME.match(html.unescape(value).replace("\x00", ""))
                if match and match.group(1).lower() not in URL_SCHEMES:
                    self._problem(
                        _(
                            "links with the scheme %(scheme)s: are not allowed; "
                            "use http, https or mailto"
                        )
                        % {"scheme": match.group(1).lower()}
                    )


def html_problems(value: str) -> list[str]:
    """What in ``value`` we refuse (script, style, event handlers, unsafe link schemes)."""
    inspector = _Inspector()
    inspector.feed(value)
    inspector.close()
    return inspector.problems


def sanitise(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(value: str) -> str:
    """The text of sanitised HTML, as a reader sees it (what screening reads)."""
    spaced = re.sub(r"<(br|/p|/li|/h[1-6]|/blockquote|/tr)\b[^>]*>", "\n", value, flags=re.I)
    return html.unescape(nh3.clean(spaced, tags=set())).strip()


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def post_url(post: Post) -> str:
    return absolute(reverse("posts:detail", kwargs={"slug": post.archive.slug, "pk": post.pk}))


def _image_of(obj: DigitalObject, caption: str) -> Image | None:
    # The public copy (no metadata), as on the portal; the original is for staff.
    if not obj.public_file:
        return None
    try:
        with obj.public_file.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return Image(
        name=obj.public_file.name.rsplit("/", 1)[-1],
        content_type=obj.media_type,
        data=data,
        caption=obj.caption or caption,
        width=obj.width,
        height=obj.height,
    )


def _cover_crops(
    post: Post, cover: Image | None
) -> tuple[dict[str, tuple[float, float, float, float]], dict[str, Image]]:
    """The editor's crops of the cover: each box as fractions of the cover, and its cut."""
    crops = post.cover_crops or {}
    if cover is None or not crops:
        return {}, {}
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(cover.data)) as picture:
            width, height = picture.size
    except (OSError, ValueError):
        return {}, {}
    boxes, cuts = {}, {}
    for ratio, crop in crops.items():
        x, y, w, h = crop["box"]
        boxes[ratio] = (x / width, y / height, (x + w) / width, (y + h) / height)
        try:
            with default_storage.open(crop["file"], "rb") as handle:
                cuts[ratio] = Image(
                    name=crop["file"].rsplit("/", 1)[-1],
                    content_type="image/jpeg",
                    data=handle.read(),
                    width=w,
                    height=h,
                )
        except (OSError, KeyError):
            continue
    return boxes, cuts


def post_content(post: Post) -> PostContent:
    """What the channels render for ``post``. Items come through the public gateway: an item
    that is no longer public is left out, and images only of open items."""
    archive = post.archive
    # Ordered within the post only: the model's order starts with the post's own (a join).
    post_items = list(post.post_items.order_by("position", "id"))
    public = (
        description_list_public(archive=archive)
        .order_by()
        .in_bulk([item.description_id for item in post_items])
    )
    items: list[ItemLink] = []
    images: list[Image] = []
    quotes: list[str] = []
    carried: list[int] = []
    imaged: list[int] = []
    for post_item in post_items:
        description = public.get(post_item.description_id)
        if description is None:
            continue
        url = absolute(
            reverse("portal:description", args=[archive.slug, description.reference_code])
        )
        items.append(ItemLink(description.title, description.reference_code, url))
        carried.append(description.pk)
        if post_item.use_image:
            for obj in digital_objects_public(description=description):
                if obj.kind == DigitalObject.Kind.IMAGE:
                    image = _image_of(obj, description.title)
                    if image is not None:
                        images.append(image)
                        imaged.append(description.pk)
                    break
        if post_item.quote and description.scope_content:
            quotes.append(
                f"<blockquote><p>{html.escape(description.scope_content)}</p>"
                f'<p><a href="{html.escape(url)}">{html.escape(description.title)}'
                f" ({html.escape(description.reference_code)})</a></p></blockquote>"
            )
    body = post.body_html
    if post.kind == Post.Kind.ARTICLE and (quotes or items):
        links = "".join(
            f'<li><a href="{html.escape(item.url)}">{html.escape(item.title)}</a></li>'
            for item in items
        )
        body = sanitise(
            body + "".join(quotes) + (f"<h3>{_('From the holdings')}</h3><ul>{links}</ul>")
        )
    cover = None
    if post.cover_public:  # never the original cover: it keeps its metadata
        try:
            with post.cover_public.open("rb") as handle:
                cover = Image(
                    name=post.cover_public.name.rsplit("/", 1)[-1],
                    content_type=post.cover_media_type or "image/jpeg",
                    data=handle.read(),
                )
        except OSError:
            cover = None
    cover_boxes, cover_crops = _cover_crops(post, cover)
    url = post_url(post)
    return PostContent(
        post_id=post.pk,
        archive_slug=archive.slug,
        archive_name=archive.name_zh or archive.name,
        kind=post.kind,
        title=post.title,
        body_html=body,
        text=post.text,
        author=post.author,
        digest=post.digest,
        url=url,
        source_url=url,
        cover=cover,
        cover_boxes=cover_boxes,
        cover_crops=cover_crops,
        images=tuple(images),
        topics=tuple(post.topics or ()),
        items=tuple(items),
        origin=post.origin,
        forward_source=post.forward_source,
        column=post.column,
        wechat_mode=post.wechat_mode,
        catalog_items=tuple(carried),
        catalog_images=tuple(imaged),
    )
