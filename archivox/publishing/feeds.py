"""The archive's posts as Atom 1.0 and RSS 2.0 (django.contrib.syndication): one entry per
post whose feed delivery is sent; a correction updates the entry, a withdrawal removes it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, Stylesheet
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from archivox.core.models import Archive
from archivox.publishing import selectors
from archivox.publishing.content import post_url
from archivox.publishing.models import Post


class RssFeed(Feed):
    feed_type = Rss201rev2Feed

    def stylesheets(self) -> list[Stylesheet]:
        # A browser opening the feed shows a readable page (feed.xsl), not raw XML; feed
        # readers ignore the processing instruction.
        return [Stylesheet(static("publishing/feed.xsl"), mimetype="text/xsl")]

    def get_object(self, request, slug: str) -> Archive:
        return get_object_or_404(Archive, slug=slug)

    def title(self, archive: Archive) -> str:
        return archive.name_zh or archive.name

    def link(self, archive: Archive) -> str:
        return f"{settings.BASE_URL}/archives/{archive.slug}/posts/"

    def description(self, archive: Archive) -> str:
        return _("Posts of %(archive)s") % {"archive": archive.name_zh or archive.name}

    def items(self, archive: Archive):
        return selectors.post_list_feed(archive=archive)

    def item_title(self, post: Post) -> str:
        return post.title

    def item_link(self, post: Post) -> str:
        return post_url(post)

    def item_guid(self, post: Post) -> str:
        return post_url(post)

    item_guid_is_permalink = True

    def item_description(self, post: Post) -> str:
        return post.body_html if post.kind == Post.Kind.ARTICLE else post.text

    def item_author_name(self, post: Post) -> str:
        return post.author or None

    def item_pubdate(self, post: Post):
        return post.published_at

    def item_updateddate(self, post: Post):
        return post.updated_at

    def item_categories(self, post: Post):
        return post.topics or []


class AtomFeed(RssFeed):
    feed_type = Atom1Feed

    def subtitle(self, archive: Archive) -> str:
        return self.description(archive)

    def item_description(self, post: Post) -> str:
        return post.digest or None

    def item_extra_kwargs(self, post: Post) -> dict:
        return {"content": super().item_description(post)}


class _ContentAtom(Atom1Feed):
    def write(self, outfile, encoding):
        # Django 5.2 writes the stylesheets of RSS only; Atom gets the same instruction here.
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


AtomFeed.feed_type = _ContentAtom
